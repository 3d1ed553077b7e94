//! IPC tests of background work on real SQLite files: reviews raising alerts, the
//! inbox, imports and evidence packs.

use std::path::PathBuf;

use serde_json::json;

use super::{app_with, invoke, invoke_with, test_state, wait_for_job};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/demo-data/openintunebaseline")
}

#[test]
fn a_review_of_every_tenant_raises_alerts_the_inbox_can_acknowledge_and_snooze() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = tauri::async_runtime::block_on(test_state(dir.path().join("plumbline.db")));
    let (_app, webview) = app_with(state);
    let started =
        invoke_with(&webview, "start_review", json!({ "tenantId": null })).expect("start");
    assert_eq!(started["title"], "Review of every tenant");
    let refused = invoke_with(&webview, "start_review", json!({ "tenantId": null }))
        .expect_err("one review at a time");
    assert_eq!(refused["code"], "conflict");
    let done = wait_for_job(&webview, &started);
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(done["result"]["tenants"], 5);
    let raised = done["result"]["alerts"].as_u64().expect("alerts");
    assert!(raised > 0, "the demo's first review raises alerts");

    let open = |view: &str| {
        invoke_with(&webview, "list_alerts", json!({ "view": view })).expect("list_alerts")
    };
    // With no notification service, the finished review is also a notice in the inbox. The
    // job is announced just after it is marked finished: wait for the notice (bounded).
    let mut inbox = open("open");
    for _ in 0..100 {
        let noticed = inbox
            .as_array()
            .is_some_and(|rows| rows.iter().any(|a| a["rule"].is_null()));
        if noticed {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        inbox = open("open");
    }
    let rows = inbox.as_array().expect("rows");
    let notices: Vec<&serde_json::Value> = rows.iter().filter(|a| a["rule"].is_null()).collect();
    assert_eq!(notices.len(), 1, "{inbox}");
    assert_eq!(notices[0]["title"], "Review of every tenant finished");
    assert_eq!(rows.len() as u64, raised + 1);
    let alert = rows
        .iter()
        .find(|a| !a["rule"].is_null())
        .expect("a rule's alert");
    assert!(alert["tenant"].is_string() && alert["body"].is_string());

    let first = alert["id"].clone();
    assert_eq!(
        invoke_with(&webview, "acknowledge_alerts", json!({ "ids": [first] })).expect("ack"),
        1
    );
    let second = notices[0]["id"].clone();
    assert_eq!(
        invoke_with(
            &webview,
            "snooze_alerts",
            json!({ "ids": [second], "hours": 4, "until": null })
        )
        .expect("snooze"),
        1
    );
    let bad = invoke_with(
        &webview,
        "snooze_alerts",
        json!({ "ids": [second], "hours": null, "until": "tomorrow" }),
    )
    .expect_err("not a time");
    assert_eq!(bad["code"], "invalid_input");
    assert_eq!(
        open("open").as_array().expect("rows").len() as u64,
        raised - 1
    );
    assert_eq!(
        invoke(&webview, "open_alert_count").expect("count"),
        raised - 1,
        "the badge counts what the Open view lists"
    );
    let past = invoke_with(
        &webview,
        "snooze_alerts",
        json!({ "ids": [second], "hours": null, "until": "2020-01-01T00:00:00Z" }),
    )
    .expect_err("a time past");
    assert_eq!(past["code"], "invalid_input", "{past}");
    assert_eq!(open("acknowledged")[0]["id"], first);
    assert_eq!(open("snoozed")[0]["id"], second);
    assert_eq!(open("snoozed")[0]["state"], "snoozed");

    let jobs = invoke(&webview, "list_jobs").expect("list_jobs");
    assert_eq!(jobs[0]["id"], started["id"]);
    let unknown = invoke_with(&webview, "cancel_job", json!({ "id": "nope" })).expect_err("x");
    assert_eq!(unknown["code"], "not_found");
}

#[test]
fn an_import_is_all_or_nothing_unless_bad_files_are_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = tauri::async_runtime::block_on(test_state(dir.path().join("plumbline.db")));
    let (_app, webview) = app_with(state);
    let tenants_before = invoke(&webview, "list_tenants").expect("tenants");

    // A copy of a few corpus files plus one that is not JSON.
    let export = dir.path().join("export");
    std::fs::create_dir_all(&export).expect("mkdir");
    let mut copied = 0;
    for entry in walk(&corpus()) {
        if entry.extension().is_some_and(|e| e == "json") && copied < 6 {
            std::fs::copy(&entry, export.join(format!("policy-{copied}.json"))).expect("copy");
            copied += 1;
        }
    }
    std::fs::write(export.join("broken.json"), b"{ not json").expect("write");

    let request = |skip: bool| {
        json!({ "request": {
            "tenant": "Northwind Imports", "folder": export.display().to_string(), "skipBadFiles": skip,
        }})
    };
    let failed = wait_for_job(
        &webview,
        &invoke_with(&webview, "import_capture", request(false)).expect("start"),
    );
    assert_eq!(failed["state"], "failed");
    assert_eq!(failed["errorCode"], "invalid_input");
    assert!(
        failed["message"]
            .as_str()
            .expect("message")
            .contains("broken.json"),
        "{failed}"
    );
    assert_eq!(
        invoke(&webview, "list_tenants").expect("tenants"),
        tenants_before,
        "nothing was written"
    );

    let done = wait_for_job(
        &webview,
        &invoke_with(&webview, "import_capture", request(true)).expect("start"),
    );
    assert_eq!(done["state"], "succeeded", "{done}");
    let result = &done["result"];
    assert_eq!(result["type"], "import");
    assert_eq!(result["tenantCreated"], true);
    assert_eq!(result["skipped"].as_array().expect("skipped").len(), 1);
    assert!(result["items"].as_u64().expect("items") >= 6);
    let tenants = invoke(&webview, "list_tenants").expect("tenants");
    let imported = tenants
        .as_array()
        .expect("rows")
        .iter()
        .find(|t| t["name"] == "Northwind Imports")
        .expect("the new tenant");
    assert_eq!(imported["captureCount"], 1);
    assert_eq!(imported["id"], result["tenantId"]);

    let not_a_folder = invoke_with(
        &webview,
        "import_capture",
        json!({ "request": { "tenant": "X", "folder": "/no/such/folder", "skipBadFiles": false }}),
    )
    .expect_err("no folder");
    assert_eq!(not_a_folder["code"], "invalid_input");
}

#[test]
fn a_folder_is_previewed_file_by_file_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = tauri::async_runtime::block_on(test_state(dir.path().join("plumbline.db")));
    let (_app, webview) = app_with(state);
    let tenants_before = invoke(&webview, "list_tenants").expect("tenants");

    // An IntuneCD-style backup: a folder with a space, YAML, a side file, a bad file.
    let export = dir.path().join("backup");
    std::fs::create_dir_all(export.join("Settings Catalog")).expect("mkdir");
    std::fs::create_dir_all(export.join("Compliance Policies/Policies")).expect("mkdir");
    std::fs::write(
        export.join("Settings Catalog/Defender_mdm.json"),
        br#"{"name": "Win - Defender", "platforms": "windows10", "technologies": "mdm", "settings": []}"#,
    )
    .expect("write");
    std::fs::write(
        export.join("Compliance Policies/Policies/Password.yaml"),
        "'@odata.type': '#microsoft.graph.windows10CompliancePolicy'\ndisplayName: Win - Password\npasswordRequired: true\n",
    )
    .expect("write");
    std::fs::write(export.join("README.md"), b"# backup").expect("write");
    std::fs::write(export.join("broken.json"), b"{ not json").expect("write");

    let preview = invoke_with(
        &webview,
        "preview_import",
        json!({ "request": { "tenant": null, "folder": export.display().to_string() }}),
    )
    .expect("preview");
    assert_eq!(preview["items"], 2, "{preview}");
    assert_eq!(preview["unreadable"], 1);
    assert_eq!(preview["notPolicies"], 1);
    let files = preview["files"].as_array().expect("files");
    assert_eq!(files.len(), 4);
    let outcome = |path: &str| {
        files
            .iter()
            .find(|f| f["path"] == path)
            .unwrap_or_else(|| panic!("{path} in {preview}"))
            .clone()
    };
    assert_eq!(outcome("README.md")["outcome"], "not_a_policy");
    assert_eq!(outcome("broken.json")["outcome"], "unreadable");
    let yaml = outcome("Compliance Policies/Policies/Password.yaml");
    assert_eq!(yaml["outcome"], "policies");
    assert!(
        yaml["summary"]
            .as_str()
            .expect("summary")
            .contains("by the folder \"Compliance Policies\""),
        "{yaml}"
    );
    assert!(preview["formats"]
        .as_array()
        .expect("formats")
        .iter()
        .any(|f| f.as_str().is_some_and(|f| f.starts_with("IntuneCD backup"))));
    assert_eq!(
        invoke(&webview, "list_tenants").expect("tenants"),
        tenants_before,
        "a preview writes nothing"
    );
    let not_a_folder = invoke_with(
        &webview,
        "preview_import",
        json!({ "request": { "tenant": null, "folder": "/no/such/folder" }}),
    )
    .expect_err("no folder");
    assert_eq!(not_a_folder["code"], "invalid_input");

    // Kinds for forms come from the registry; a typed one that names no kind is refused.
    let kinds = invoke(&webview, "list_policy_kinds").expect("kinds");
    assert!(kinds
        .as_array()
        .expect("kinds")
        .iter()
        .any(|k| k["key"] == "settings_catalog" && k["label"] == "Settings catalog"));
    let refused = invoke_with(
        &webview,
        "create_baseline",
        json!({ "request": {
            "name": "Typed", "description": "", "tenantId": null,
            "folder": export.join("Settings Catalog").display().to_string(),
            "publish": false, "exclusiveKinds": ["bogus_kind"],
        }}),
    )
    .expect_err("unknown kind");
    assert_eq!(refused["code"], "invalid_input");
    assert!(
        refused["message"]
            .as_str()
            .expect("message")
            .contains("settings_catalog"),
        "{refused}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn an_evidence_pack_is_created_in_the_background_listed_and_verified() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("plumbline.db");
    let state = tauri::async_runtime::block_on(test_state(db.clone()));
    let (_app, webview) = app_with(state);
    let tenants = invoke(&webview, "list_tenants").expect("tenants");
    let tenant = tenants[0]["id"].as_str().expect("id").to_owned();
    let review = invoke_with(&webview, "start_review", json!({ "tenantId": tenant })).expect("r");
    assert_eq!(wait_for_job(&webview, &review)["state"], "succeeded");

    let request = |from: &str, to: &str, redact: bool, reports: bool| {
        json!({ "request": {
            "tenantId": tenant, "from": from, "to": to, "redact": redact,
            "includeReports": reports, "outputPath": null,
        }})
    };
    for (bad, why) in [
        (
            request("2026-03-01", "2026-01-01", false, false),
            "reversed",
        ),
        (
            request("2026-01-01", "2026-03-01", true, true),
            "redact and reports",
        ),
        (
            request("01/01/2026", "2026-03-01", false, false),
            "not a day",
        ),
    ] {
        let refused = invoke_with(&webview, "create_evidence_pack", bad).expect_err(why);
        assert_eq!(refused["code"], "invalid_input", "{why}");
    }

    let started = invoke_with(
        &webview,
        "create_evidence_pack",
        request("2020-01-01", "2099-12-31", false, false),
    )
    .expect("start");
    assert_eq!(started["kind"], "evidence_pack");
    let done = wait_for_job(&webview, &started);
    assert_eq!(done["state"], "succeeded", "{done}");
    let result = &done["result"];
    let path = result["path"].as_str().expect("path").to_owned();
    assert!(
        path.starts_with(&dir.path().join("evidence").display().to_string()),
        "default folder: {path}"
    );
    let bytes = std::fs::read(&path).expect("the pack file");
    assert_eq!(
        result["sha256"].as_str().expect("sha"),
        plumbline_core::store::blob_hash(&bytes)
    );

    let packs =
        invoke_with(&webview, "list_evidence_packs", json!({ "tenantId": null })).expect("list");
    assert_eq!(packs[0]["sha256"], result["sha256"]);
    assert_eq!(packs[0]["fileExists"], true);
    assert_eq!(packs[0]["redacted"], false);

    let verify = |fingerprint: serde_json::Value| {
        invoke_with(
            &webview,
            "verify_evidence_pack",
            json!({ "path": path, "trustedFingerprint": fingerprint }),
        )
        .expect("verify")
    };
    let verdict = verify(serde_json::Value::Null);
    assert_eq!(verdict["ok"], true, "{verdict}");
    assert_eq!(verdict["signedByThisWorkspace"], true);
    assert_eq!(verdict["fingerprint"], result["fingerprint"]);
    assert_eq!(verdict["sha256"], result["sha256"]);
    assert_eq!(verify(json!("00".repeat(32)))["ok"], false, "another key");

    // One changed byte in the middle of the file fails, naming what.
    let mut tampered = bytes.clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x55;
    std::fs::write(&path, &tampered).expect("tamper");
    let verdict = verify(serde_json::Value::Null);
    assert_eq!(verdict["ok"], false);
    assert!(!verdict["failures"].as_array().expect("failures").is_empty());

    let missing = invoke_with(
        &webview,
        "verify_evidence_pack",
        json!({ "path": "/no/such/pack.zip", "trustedFingerprint": null }),
    )
    .expect_err("no file");
    assert_eq!(missing["code"], "invalid_input");
}

//! The Baselines screen's commands over IPC, on a real SQLite file with the demo
//! portfolio: create from a tenant, edit the draft, publish, refused edits, a new draft,
//! assignments with variables and a pin, export and re-import.

use serde_json::{json, Value};
use tauri::Manager;

use super::{app_with, invoke, invoke_with, test_state};
use crate::state::AppState;

type Webview = tauri::WebviewWindow<tauri::test::MockRuntime>;

fn call(webview: &Webview, cmd: &str, args: Value) -> Value {
    invoke_with(webview, cmd, args).unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
}

fn refused(webview: &Webview, cmd: &str, args: Value) -> (String, String) {
    let error = invoke_with(webview, cmd, args).expect_err(cmd);
    (
        error["code"].as_str().expect("code").to_owned(),
        error["message"].as_str().expect("message").to_owned(),
    )
}

fn rule(kind: &str, extra: Value) -> Value {
    let mut rule =
        json!({"kind": kind, "values": [], "number": null, "variable": null, "severity": null});
    for (key, value) in extra.as_object().expect("object") {
        rule[key] = value.clone();
    }
    rule
}

fn setting<'a>(view: &'a Value, path: &str) -> &'a Value {
    view["settings"]
        .as_array()
        .expect("settings")
        .iter()
        .find(|s| s["path"] == path)
        .unwrap_or_else(|| panic!("no setting {path}"))
}

#[test]
fn a_baseline_is_created_edited_published_assigned_exported_and_imported_over_ipc() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = tauri::async_runtime::block_on(test_state(dir.path().join("plumbline.db")));
    let (app, webview) = app_with(state);
    let tenants = invoke(&webview, "list_tenants").expect("list_tenants");
    let (t0, t1) = (tenants[0].clone(), tenants[1].clone());

    // Create from the first tenant's latest capture: a draft with its items.
    let created = call(
        &webview,
        "create_baseline",
        json!({"request": {"name": "MSP Standard", "description": "golden", "tenantId": t0["id"], "folder": null, "publish": false, "exclusiveKinds": []}}),
    );
    assert_eq!(created["version"], 1);
    assert_eq!(created["status"], "draft");
    assert_eq!(created["items"], t0["itemCount"]);
    let id = created["baselineId"].as_str().expect("id").to_owned();

    let list = invoke(&webview, "list_baselines").expect("list_baselines");
    let row = list
        .as_array()
        .expect("rows")
        .iter()
        .find(|b| b["id"] == id.as_str())
        .expect("listed");
    assert_eq!(row["draftVersion"], 1);
    assert_eq!(row["latestPublished"], Value::Null);
    assert_eq!(row["itemCount"], t0["itemCount"]);
    assert_eq!(row["description"], "golden");
    assert!(
        list.as_array().expect("rows").len() >= 2,
        "and the demo baseline"
    );

    let detail = call(&webview, "baseline_detail", json!({"baselineId": id}));
    assert_eq!(detail["versions"][0]["status"], "draft");
    assert!(!detail["versions"][0]["createdBy"]
        .as_str()
        .expect("by")
        .is_empty());
    let v1 = detail["versions"][0]["id"].as_str().expect("v1").to_owned();

    // An item of the draft with settings by readable label.
    let items = call(&webview, "baseline_items", json!({"versionId": v1}));
    let (item, view) = items
        .as_array()
        .expect("items")
        .iter()
        .find_map(|item| {
            let view = call(&webview, "baseline_item", json!({"itemId": item["id"]}));
            (view["settings"].as_array().expect("settings").len() >= 2)
                .then(|| (item.clone(), view))
        })
        .expect("an item with settings");
    assert_eq!(view["status"], "draft");
    let first = &view["settings"][0];
    assert!(!first["label"].as_str().expect("label").is_empty());
    assert_eq!(first["rule"], Value::Null);
    let path = first["path"].as_str().expect("path").to_owned();
    let other = view["settings"][1]["path"]
        .as_str()
        .expect("path")
        .to_owned();
    let item_id = item["id"].as_str().expect("item id").to_owned();

    // Forms the user must fix are refused with what to fix.
    for (spec, says) in [
        (
            rule("at_least", json!({})),
            "enter the smallest compliant value",
        ),
        (
            rule("one_of", json!({"values": ["  "]})),
            "at least one value",
        ),
        (
            rule("tenant_value", json!({"variable": ""})),
            "per-tenant variable",
        ),
    ] {
        let (code, message) = refused(
            &webview,
            "set_baseline_rule",
            json!({"request": {"itemId": item_id, "path": path, "rule": spec}}),
        );
        assert_eq!(code, "invalid_input");
        assert!(message.contains(says), "{message}");
    }
    let edited = call(
        &webview,
        "set_baseline_rule",
        json!({"request": {"itemId": item_id, "path": path, "rule": rule("at_least", json!({"number": 14, "severity": "high"}))}}),
    );
    let edited_setting = setting(&edited, &path);
    assert_eq!(edited_setting["rule"]["kind"], "at_least");
    assert_eq!(edited_setting["rule"]["number"], 14.0);
    assert_eq!(edited_setting["severity"], "high");
    assert_eq!(edited_setting["severitySource"], "rule");
    call(
        &webview,
        "set_baseline_rule",
        json!({"request": {"itemId": item_id, "path": other, "rule": rule("tenant_value", json!({"variable": "timezone"}))}}),
    );
    call(
        &webview,
        "set_baseline_rule",
        json!({"request": {"itemId": item_id, "path": "notConfigured", "rule": rule("absent", json!({}))}}),
    );
    let removed = call(
        &webview,
        "remove_baseline_rule",
        json!({"itemId": item_id, "path": "notConfigured"}),
    );
    assert!(removed["settings"]
        .as_array()
        .expect("settings")
        .iter()
        .all(|s| s["path"] != "notConfigured"));
    let (code, _) = refused(
        &webview,
        "remove_baseline_rule",
        json!({"itemId": item_id, "path": "notConfigured"}),
    );
    assert_eq!(code, "not_found");
    let severe = call(
        &webview,
        "set_baseline_item_severity",
        json!({"itemId": item_id, "severity": "critical"}),
    );
    assert_eq!(severe["item"]["severity"], "critical");
    assert_eq!(severe["item"]["rules"], 2);
    let detail = call(&webview, "baseline_detail", json!({"baselineId": id}));
    assert_eq!(detail["requiredVariables"], json!(["timezone"]));

    // Publish: v1 becomes immutable, and the store says so.
    assert_eq!(
        call(&webview, "publish_baseline", json!({"baselineId": id})),
        1
    );
    let (code, message) = refused(
        &webview,
        "set_baseline_rule",
        json!({"request": {"itemId": item_id, "path": path, "rule": rule("exact", json!({}))}}),
    );
    assert_eq!(code, "conflict");
    assert!(
        message.contains("MSP Standard v1 is published"),
        "{message}"
    );
    assert!(message.contains("start a new draft"), "{message}");
    let (code, _) = refused(
        &webview,
        "set_baseline_item_severity",
        json!({"itemId": item_id, "severity": "low"}),
    );
    assert_eq!(code, "conflict");
    let (code, _) = refused(&webview, "publish_baseline", json!({"baselineId": id}));
    assert_eq!(code, "conflict", "nothing left to publish");

    // A new draft carries the published rules and is editable.
    assert_eq!(
        call(&webview, "start_baseline_draft", json!({"baselineId": id})),
        2
    );
    let detail = call(&webview, "baseline_detail", json!({"baselineId": id}));
    let statuses: Vec<&str> = detail["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["status"].as_str().expect("status"))
        .collect();
    assert_eq!(statuses, vec!["draft", "published"]);
    assert_eq!(detail["baseline"]["latestPublished"], 1);
    assert_eq!(detail["baseline"]["draftVersion"], 2);
    let v2 = detail["versions"][0]["id"].as_str().expect("v2").to_owned();
    let copy = call(&webview, "baseline_items", json!({"versionId": v2}))
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["kind"] == item["kind"] && i["name"] == item["name"])
        .expect("the copied item")
        .clone();
    assert_eq!(
        (copy["rules"].clone(), copy["severity"].clone()),
        (json!(2), json!("critical"))
    );
    call(
        &webview,
        "set_baseline_rule",
        json!({"request": {"itemId": copy["id"], "path": path, "rule": rule("ignore", json!({}))}}),
    );
    let (code, _) = refused(&webview, "start_baseline_draft", json!({"baselineId": id}));
    assert_eq!(code, "conflict", "one draft at a time");

    // Assign two tenants with a variable, pinned to v1; a draft cannot be pinned.
    let assign = |tenants: Value, variables: Value, pinned: Value| {
        invoke_with(
            &webview,
            "assign_baseline",
            json!({"request": {"baselineId": id, "tenantIds": tenants, "variables": variables, "pinnedVersion": pinned}}),
        )
    };
    let assigned = assign(
        json!([t0["id"], t1["id"]]),
        json!([{"key": "timezone", "value": "CET"}, {"key": "maxAge", "value": "90"}]),
        json!(1),
    )
    .expect("assign");
    let rows = assigned["assignments"].as_array().expect("assignments");
    assert_eq!(rows.len(), 2);
    assert_eq!(assigned["baseline"]["assignedTenants"], 2);
    for row in rows {
        assert_eq!(row["pinnedVersion"], 1);
        assert_eq!(
            row["variables"],
            json!([{"key": "maxAge", "value": "90"}, {"key": "timezone", "value": "CET"}])
        );
        assert_eq!(row["missingVariables"], json!([]));
    }
    for (tenants, variables, pinned, code, says) in [
        (
            json!([]),
            json!([]),
            json!(null),
            "invalid_input",
            "at least one tenant",
        ),
        (
            json!([t0["id"]]),
            json!([{"key": " ", "value": "x"}]),
            json!(null),
            "invalid_input",
            "has no name",
        ),
        (
            json!([t0["id"]]),
            json!([{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]),
            json!(null),
            "invalid_input",
            "listed twice",
        ),
        (
            json!([t0["id"]]),
            json!([]),
            json!(2),
            "conflict",
            "v2 is a draft",
        ),
        (json!([t0["id"]]), json!([]), json!(9), "not_found", "v9"),
        (
            json!(["0190f2a0-0000-7000-8000-000000000000"]),
            json!([]),
            json!(null),
            "not_found",
            "tenant not found",
        ),
    ] {
        let error = assign(tenants, variables, pinned).expect_err("refused");
        assert_eq!(error["code"], code, "{error}");
        assert!(
            error["message"].as_str().expect("message").contains(says),
            "{error}"
        );
    }
    // The review reads the pinned version and the typed values (a number stays a number).
    let store = app.state::<AppState>().store().expect("store").clone();
    let t0_id = t0["id"].as_str().expect("id").parse().expect("tenant id");
    let used = tauri::async_runtime::block_on(store.assignments(t0_id)).expect("assignments");
    let ours = used.iter().find(|a| a.baseline_id == id).expect("assigned");
    assert_eq!(ours.version_id.as_deref(), Some(v1.as_str()));
    assert_eq!(ours.variables["maxAge"], json!(90));
    assert_eq!(ours.variables["timezone"], json!("CET"));

    // Re-assigning without the variable shows it as missing; unassigning removes the row.
    let again = assign(json!([t1["id"]]), json!([]), json!(null)).expect("reassign");
    let t1_row = again["assignments"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["tenantId"] == t1["id"])
        .expect("t1")
        .clone();
    assert_eq!(t1_row["pinnedVersion"], Value::Null);
    assert_eq!(t1_row["missingVariables"], json!(["timezone"]));
    let after = call(
        &webview,
        "unassign_baseline",
        json!({"baselineId": id, "tenantId": t1["id"]}),
    );
    assert_eq!(after["assignments"].as_array().expect("rows").len(), 1);
    let (code, _) = refused(
        &webview,
        "unassign_baseline",
        json!({"baselineId": id, "tenantId": t1["id"]}),
    );
    assert_eq!(code, "not_found");

    // Publishing v2 retires v1; the tenant pinned to v1 stays on it.
    assert_eq!(
        call(&webview, "publish_baseline", json!({"baselineId": id})),
        2
    );
    let detail = call(&webview, "baseline_detail", json!({"baselineId": id}));
    assert_eq!(detail["versions"][1]["status"], "retired");
    assert!(detail["versions"][1]["retiredAt"].is_string());
    assert_eq!(detail["assignments"][0]["pinnedVersion"], 1);

    // Export v1 to a folder and import it back as a new baseline: same items and rules.
    let out = dir.path().join("git/msp-standard");
    let (code, message) = refused(
        &webview,
        "export_baseline",
        json!({"request": {"baselineId": id, "version": 1, "path": "relative/folder"}}),
    );
    assert_eq!(code, "invalid_input");
    assert!(message.contains("not a full path"), "{message}");
    let exported = call(
        &webview,
        "export_baseline",
        json!({"request": {"baselineId": id, "version": 1, "path": out.display().to_string()}}),
    );
    assert_eq!(exported["version"], 1);
    let files: Vec<&str> = exported["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f.as_str().expect("file"))
        .collect();
    assert_eq!(files[0], "baseline.json");
    assert_eq!(
        files.len() as u64,
        t0["itemCount"].as_u64().expect("count") + 1
    );
    for file in &files {
        assert!(out.join(file).is_file(), "{file}");
    }
    let imported = call(
        &webview,
        "create_baseline",
        json!({"request": {"name": "", "description": "", "tenantId": null, "folder": out.display().to_string(), "publish": true, "exclusiveKinds": []}}),
    );
    assert_eq!(
        imported["name"], "MSP Standard",
        "a baseline folder names itself"
    );
    assert_eq!(imported["version"], 3, "a new version of the same baseline");
    assert_eq!(imported["status"], "published");
    let renamed = call(
        &webview,
        "create_baseline",
        json!({"request": {"name": "MSP Standard (copy)", "description": "", "tenantId": null, "folder": out.display().to_string(), "publish": false, "exclusiveKinds": []}}),
    );
    assert_eq!(renamed["version"], 1);
    let copy_detail = call(
        &webview,
        "baseline_detail",
        json!({"baselineId": renamed["baselineId"]}),
    );
    assert_eq!(copy_detail["baseline"]["description"], "golden");
    let copied_item = call(
        &webview,
        "baseline_items",
        json!({"versionId": copy_detail["versions"][0]["id"]}),
    )
    .as_array()
    .expect("items")
    .iter()
    .find(|i| i["kind"] == item["kind"] && i["name"] == item["name"])
    .expect("same item")
    .clone();
    let back = call(
        &webview,
        "baseline_item",
        json!({"itemId": copied_item["id"]}),
    );
    assert_eq!(back["item"]["severity"], "critical");
    assert_eq!(
        setting(&back, &path)["rule"],
        setting(&edited, &path)["rule"]
    );
    assert_eq!(setting(&back, &other)["rule"]["variable"], "timezone");

    // A broken file in a baseline folder is named; a missing folder is said to be one.
    let broken = out.join(files[1]);
    std::fs::write(&broken, "{ not json").expect("break a file");
    let (code, message) = refused(
        &webview,
        "create_baseline",
        json!({"request": {"name": "Broken", "description": "", "tenantId": null, "folder": out.display().to_string(), "publish": false, "exclusiveKinds": []}}),
    );
    assert_eq!(code, "invalid_input");
    assert!(message.contains(&broken.display().to_string()), "{message}");
    assert!(message.contains("not a baseline item"), "{message}");
    let (code, message) = refused(
        &webview,
        "create_baseline",
        json!({"request": {"name": "Nowhere", "description": "", "tenantId": null, "folder": dir.path().join("nowhere").display().to_string(), "publish": false, "exclusiveKinds": []}}),
    );
    assert_eq!(code, "invalid_input");
    assert!(message.contains("is not a folder"), "{message}");
    let (code, _) = refused(
        &webview,
        "create_baseline",
        json!({"request": {"name": "Neither", "description": "", "tenantId": null, "folder": null, "publish": false, "exclusiveKinds": []}}),
    );
    assert_eq!(code, "invalid_input");
}

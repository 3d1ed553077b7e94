//! IPC tests of tenant management over Microsoft Graph, against the fake Graph on
//! loopback: the Graph app, tenants due at once on the demo portfolio, the scheduler's
//! pass, capture now as a job, runs, cadence checks.

use serde_json::json;
use tauri::Manager as _;

use super::{app_with, invoke, invoke_with, test_state, wait_for_job};
use crate::state::AppState;

#[test]
fn due_demo_tenants_are_captured_from_a_test_graph_and_then_not_due() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = tauri::async_runtime::block_on(test_state(dir.path().join("plumbline.db")));
    // The fake serves the demo portfolio's tenants (same seed, same Entra tenant ids).
    let tenants = plumbline_fake_graph::tenants::demo_tenants(
        plumbline_core::portfolio::DEFAULT_SEED,
        5,
        Some(20),
        chrono::Utc::now(),
    )
    .expect("fake tenants");
    let fake = tauri::async_runtime::block_on(plumbline_fake_graph::start(
        plumbline_fake_graph::Config {
            tenants,
            ..plumbline_fake_graph::Config::default()
        },
        "127.0.0.1:0".parse().expect("address"),
    ))
    .expect("fake Graph");
    let (app, webview) = app_with(state);
    let state = app.state::<AppState>();
    let store = state.store().expect("store").clone();
    let keychain = state.keychain();
    let client = plumbline_core::connectors::graph::GraphClient::new(
        plumbline_core::connectors::graph::Limits::default(),
        plumbline_core::connectors::graph::RetryPolicy::default(),
    )
    .expect("client");

    // Nothing happens until a Graph app is set up.
    let none = tauri::async_runtime::block_on(crate::graph::capture_due(
        &store,
        keychain.as_ref(),
        &client,
    ));
    assert!(none.is_empty());
    assert_eq!(
        invoke(&webview, "graph_app").expect("graph_app"),
        json!(null)
    );
    let saved = invoke_with(
        &webview,
        "save_graph_app",
        json!({ "request": {
            "clientId": plumbline_fake_graph::DEFAULT_CLIENT_ID,
            "cloud": fake.url,
            "secret": plumbline_fake_graph::DEFAULT_CLIENT_SECRET,
        }}),
    )
    .expect("save_graph_app");
    assert!(saved["secretSetAt"].is_string(), "{saved}");
    assert_eq!(saved["credential"], "secret");

    let managed = invoke(&webview, "managed_tenants").expect("managed_tenants");
    let rows = managed.as_array().expect("rows");
    assert_eq!(rows.len(), 5);
    assert!(rows
        .iter()
        .all(|t| t["nextDueAt"].is_string() && t["lastRun"].is_null()));

    // The scheduler's pass captures all five, and then none is due.
    let captured = tauri::async_runtime::block_on(crate::graph::capture_due(
        &store,
        keychain.as_ref(),
        &client,
    ));
    assert_eq!(captured.len(), 5);
    let managed = invoke(&webview, "managed_tenants").expect("managed_tenants");
    for tenant in managed.as_array().expect("rows") {
        assert_eq!(tenant["lastRun"]["status"], "ok", "{tenant}");
        let due = chrono::DateTime::parse_from_rfc3339(tenant["nextDueAt"].as_str().expect("due"))
            .expect("time");
        assert!(
            due > chrono::Utc::now() + chrono::Duration::hours(23),
            "{tenant}"
        );
    }
    let again = tauri::async_runtime::block_on(crate::graph::capture_due(
        &store,
        keychain.as_ref(),
        &client,
    ));
    assert!(again.is_empty(), "{again:?}");

    // Capture now, as a job; its run joins the tenant's history.
    let first = managed[0]["id"].as_str().expect("id").to_owned();
    let job = invoke_with(&webview, "capture_tenants", json!({ "tenantIds": [first] }))
        .expect("capture_tenants");
    let done = wait_for_job(&webview, &job);
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(done["result"]["captured"], 1);
    let runs =
        invoke_with(&webview, "capture_runs", json!({ "tenantId": first })).expect("capture_runs");
    assert_eq!(runs.as_array().map(Vec::len), Some(2));
    let test = invoke_with(
        &webview,
        "test_tenant_connection",
        json!({ "tenantId": first }),
    )
    .expect("test");
    assert_eq!(test["ok"], true, "{test}");

    // A cadence outside 15 minutes to 7 days is refused; manual takes it off the schedule.
    let refused = invoke_with(
        &webview,
        "set_capture_cadence",
        json!({ "tenantId": first, "cadenceMinutes": 5 }),
    )
    .expect_err("too often");
    assert_eq!(refused["code"], "invalid_input");
    let manual = invoke_with(
        &webview,
        "set_capture_cadence",
        json!({ "tenantId": first, "cadenceMinutes": null }),
    )
    .expect("manual");
    assert!(
        manual["cadenceMinutes"].is_null() && manual["nextDueAt"].is_null(),
        "{manual}"
    );

    // Tags: trimmed and de-duplicated; too long a tag is refused with what to do.
    let tagged = invoke_with(
        &webview,
        "set_tenant_tags",
        json!({ "tenantId": first, "tags": [" Gold ", "gold", "EU"] }),
    )
    .expect("tags");
    assert_eq!(tagged["tags"], json!(["Gold", "EU"]), "{tagged}");
    let refused = invoke_with(
        &webview,
        "set_tenant_tags",
        json!({ "tenantId": first, "tags": ["x".repeat(41)] }),
    )
    .expect_err("too long");
    assert_eq!(refused["code"], "invalid_input", "{refused}");
    drop(fake);
}

#[test]
fn the_graph_app_signs_in_with_a_certificate_set_up_in_the_desktop() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (certificate, key) = (dir.path().join("app.crt"), dir.path().join("app.key"));
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=Plumbline test app", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&certificate)
        .output()
        .expect("this test needs the openssl command (Debian: openssl)");
    assert!(made.status.success(), "{made:?}");
    let certificate = std::fs::read_to_string(&certificate).expect("certificate");
    let key = std::fs::read_to_string(&key).expect("key");
    let state = tauri::async_runtime::block_on(test_state(dir.path().join("plumbline.db")));
    let (_app, webview) = app_with(state);
    let save = |request: serde_json::Value| {
        invoke_with(&webview, "save_graph_app", json!({ "request": request }))
    };
    let client_id = "6c2c3b4f-0b0e-4b0a-9d3e-5f1a2b3c4d5e";

    // Half a certificate is refused with what is missing; so is a key that is not one.
    let half = save(json!({
        "clientId": client_id, "cloud": "global", "secret": null,
        "certificatePem": certificate, "privateKeyPem": null,
    }))
    .expect_err("no key");
    assert_eq!(half["code"], "invalid_input", "{half}");
    assert!(
        half["message"]
            .as_str()
            .unwrap_or("")
            .contains("private key"),
        "{half}"
    );
    let wrong = save(json!({
        "clientId": client_id, "cloud": "global", "secret": null,
        "certificatePem": certificate, "privateKeyPem": "not a key",
    }))
    .expect_err("not a key");
    assert_eq!(wrong["code"], "invalid_input", "{wrong}");

    let saved = save(json!({
        "clientId": client_id, "cloud": "global", "secret": null,
        "certificatePem": certificate, "privateKeyPem": key,
    }))
    .expect("certificate");
    assert_eq!(saved["credential"], "certificate", "{saved}");
    assert!(saved["certificateThumbprint"].is_string(), "{saved}");
    // The private key is in the keychain, never in the database (its file and its log).
    let scan = |needle: &str| {
        ["plumbline.db", "plumbline.db-wal"].iter().any(|name| {
            std::fs::read(dir.path().join(name))
                .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
                .unwrap_or(false)
        })
    };
    assert!(scan("BEGIN CERTIFICATE"), "the certificate is recorded");
    assert!(!scan("PRIVATE KEY"), "the key is not");

    // Saving without a new credential (another cloud) keeps the certificate.
    let kept =
        save(json!({ "clientId": client_id, "cloud": "usgov", "secret": null })).expect("kept");
    assert_eq!(kept["credential"], "certificate", "{kept}");
    assert_eq!(
        kept["certificateThumbprint"],
        saved["certificateThumbprint"]
    );

    // A secret afterwards signs in with the secret instead.
    let secret = save(json!({
        "clientId": client_id, "cloud": "global",
        "secret": plumbline_fake_graph::DEFAULT_CLIENT_SECRET,
    }))
    .expect("secret");
    assert_eq!(secret["credential"], "secret", "{secret}");
    assert!(secret["certificateThumbprint"].is_null(), "{secret}");
}

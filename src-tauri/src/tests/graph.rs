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

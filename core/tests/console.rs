//! The console queries against a reviewed demo portfolio: the findings index shows what
//! `list_findings` lists, its stamp moves with decisions, and the tenant page and policy
//! diff queries agree with the captures and the findings.

use chrono::{TimeDelta, TimeZone, Utc};
use plumbline_core::findings::{Action, RiskRequest};
use plumbline_core::portfolio::{add_demo_tenants, DemoRequest};
use plumbline_core::review::{review_all, ReviewOptions};
use plumbline_core::store::{FindingFilter, FindingQuery, FindingsIndex, Store};

async fn reviewed_portfolio(dir: &std::path::Path) -> Store {
    let store = Store::open(&dir.join("c.db")).await.expect("store");
    let anchor = Utc
        .with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
        .single()
        .expect("date");
    add_demo_tenants(
        &store,
        &DemoRequest {
            seed: 7,
            tenants: 3,
            anchor,
        },
        |_, _| {},
    )
    .await
    .expect("demo");
    review_all(&store, &ReviewOptions::default(), |_, _| {})
        .await
        .expect("review");
    store
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_findings_index_matches_the_store_and_follows_decisions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = reviewed_portfolio(dir.path()).await;
    let listed = store
        .list_findings(&FindingFilter::default())
        .await
        .expect("list");
    assert!(!listed.is_empty(), "the demo portfolio has findings");
    let rows = store.console_findings().await.expect("console findings");
    assert_eq!(rows.len(), listed.len());
    let index = FindingsIndex::new(rows);
    let all = index.query(
        &FindingQuery {
            limit: 100_000,
            ..FindingQuery::default()
        },
        Utc::now(),
    );
    // Same order as list_findings (severity, tenant, item, setting).
    let ids: Vec<&str> = all.rows.iter().map(|r| r.id.as_str()).collect();
    let listed_ids: Vec<&str> = listed.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, listed_ids);
    // The index the console builds straight from the packed read holds the same rows.
    let direct = store.findings_index().await.expect("findings index");
    let mut direct_all = direct.query(
        &FindingQuery {
            limit: 100_000,
            ..FindingQuery::default()
        },
        Utc::now(),
    );
    direct_all.filter_micros = all.filter_micros;
    assert_eq!(direct_all, all);

    let tenant = &listed[0].tenant_id;
    let one = index.query(
        &FindingQuery {
            tenant_ids: vec![tenant.clone()],
            kinds: vec!["drift".into()],
            limit: 100_000,
            ..FindingQuery::default()
        },
        Utc::now(),
    );
    let expected = listed
        .iter()
        .filter(|f| &f.tenant_id == tenant && f.source == "drift")
        .count();
    assert_eq!(one.matched as usize, expected);

    // A decision moves the stamp, and the reloaded rows show the new state.
    let before = store.findings_stamp().await.expect("stamp");
    let drift = listed
        .iter()
        .find(|f| f.source == "drift" && f.status == "open")
        .expect("an open drift finding");
    let now = Utc::now();
    store
        .decide_finding(
            &drift.id,
            &Action::AcceptRisk(RiskRequest {
                justification: "compensating control".to_owned(),
                expires_at: now + TimeDelta::days(30),
                accepted_by: "a".to_owned(),
                approver: None,
            }),
            None,
            now,
        )
        .await
        .expect("accept");
    assert_ne!(store.findings_stamp().await.expect("stamp"), before);
    let after = store.console_findings().await.expect("reload");
    let row = after.iter().find(|r| r.id == drift.id).expect("row");
    assert_eq!(row.status, "risk_accepted");
    assert!(row.accepted_until.is_some());
    let acceptances = store.finding_acceptances(&drift.id).await.expect("acc");
    assert_eq!(acceptances.len(), 1);
    assert_eq!(
        acceptances[0].accepted_value,
        drift.actual.as_ref().map(|v| v.to_string())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_page_queries_and_the_policy_diff_agree_with_the_review() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = reviewed_portfolio(dir.path()).await;
    let tenants = store.list_tenants().await.expect("tenants");
    let tenant = &tenants[0];

    let trend = store.score_trend(tenant.id).await.expect("trend");
    assert_eq!(
        trend.len(),
        tenant.capture_count as usize,
        "a review of every capture, in capture order"
    );
    assert!(trend.iter().all(|p| p.score.is_some()));
    assert!(trend.windows(2).all(|w| w[0].at <= w[1].at));

    let groups = store.drift_by_baseline(tenant.id).await.expect("groups");
    let listed = store
        .list_findings(&FindingFilter {
            tenant: Some(tenant.id),
            ..FindingFilter::default()
        })
        .await
        .expect("list");
    let total: u32 = groups
        .iter()
        .map(|g| g.open + g.acknowledged + g.risk_accepted + g.resolved + g.false_positive)
        .sum();
    assert_eq!(total as usize, listed.len());

    let captures = store.list_captures(tenant.id).await.expect("captures");
    assert!(captures.len() >= 2);
    let comparison = store
        .compare_captures(captures[1].id, captures[0].id)
        .await
        .expect("compare");
    let history = listed.iter().filter(|f| f.source == "history").count();
    assert!(
        history == 0
            || !(comparison.added.is_empty()
                && comparison.removed.is_empty()
                && comparison.changed.is_empty()),
        "history findings come from changes the comparison shows"
    );
    let other = &tenants[1];
    let other_capture = store.list_captures(other.id).await.expect("c")[0].id;
    assert!(
        store
            .compare_captures(captures[0].id, other_capture)
            .await
            .is_err(),
        "captures of two tenants are not compared"
    );
    store
        .unresolved_ids(captures[0].id)
        .await
        .expect("unresolved ids");

    // A changed setting shows as a changed row with the finding's values.
    let changed = listed
        .iter()
        .find(|f| f.source == "drift" && f.drift_kind == "setting_changed")
        .expect("a changed setting");
    let diff = store.policy_diff(&changed.id).await.expect("diff");
    assert!(diff.baseline_item.is_some() && diff.tenant_item.is_some());
    let row = diff
        .settings
        .iter()
        .find(|r| r.path == changed.setting_path)
        .expect("the setting's row");
    assert_eq!(row.state, "changed");
    assert!(!row.label.is_empty());
    assert!(diff.baseline_raw.is_some() && diff.tenant_raw.is_some());
}

//! The reporting queries against a reviewed demo portfolio: they gather what the other
//! store APIs say is there, and recording a report writes its row and audit event.

use chrono::{TimeDelta, TimeZone, Utc};
use plumbline_core::findings::{Action, RiskRequest};
use plumbline_core::portfolio::{add_demo_tenants, DemoRequest};
use plumbline_core::review::{ranking, review_all, ReviewOptions};
use plumbline_core::store::{FindingFilter, NewReport, Store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reporting_queries_match_the_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("r.db")).await.expect("store");
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
    let tenants = store.list_tenants().await.expect("tenants");

    // Accept one risk of the first tenant.
    let now = Utc::now();
    let listed = store
        .list_findings(&FindingFilter {
            tenant: Some(tenants[0].id),
            ..FindingFilter::default()
        })
        .await
        .expect("findings");
    store
        .decide_finding(
            &listed[0].id,
            &Action::AcceptRisk(RiskRequest {
                justification: "compensating control".to_owned(),
                expires_at: now + TimeDelta::days(10),
                accepted_by: "a".to_owned(),
                approver: Some("b".to_owned()),
            }),
            None,
            now,
        )
        .await
        .expect("accept");

    let scores = ranking(&store).await.expect("ranking");
    let from = anchor - TimeDelta::days(400);
    let to = now + TimeDelta::days(1);
    for tenant in &tenants {
        let source = store
            .executive_source(tenant.id, from, to)
            .await
            .expect("executive source");
        assert_eq!(source.tenant.name, tenant.name);
        let listed = store
            .list_findings(&FindingFilter {
                tenant: Some(tenant.id),
                ..FindingFilter::default()
            })
            .await
            .expect("findings");
        let mut expected: Vec<&str> = listed.iter().map(|f| f.id.as_str()).collect();
        let mut gathered: Vec<&str> = source.findings.iter().map(|f| f.id.as_str()).collect();
        expected.sort_unstable();
        gathered.sort_unstable();
        assert_eq!(
            gathered, expected,
            "every finding of {} is gathered",
            tenant.name
        );
        assert!(
            source.findings.iter().all(|f| !f.history.is_empty()),
            "histories are attached"
        );

        let latest = source.reviews.last().expect("reviewed in the period");
        let ranked = scores
            .iter()
            .find(|s| s.tenant_id == tenant.id.to_string())
            .expect("ranked");
        assert_eq!(latest.score, ranked.score);
        assert!(latest.assessed_settings > 0, "score detail is read");
        assert_eq!(source.baselines.len(), 1, "the demo baseline is assigned");
        assert_eq!(source.baselines[0].version, Some(1));
        assert!(source.latest_capture.is_some() && source.previous_capture.is_some());
        let inventory: u32 = source.inventory.iter().map(|k| k.items).sum();
        assert_eq!(
            Some(inventory),
            source.latest_capture.as_ref().map(|c| c.item_count),
            "the inventory counts the latest capture"
        );
        // Every deleted-policy finding of the latest review (last seen at the latest
        // capture's time; earlier captures' ghosts stay as history) is a ghost in the
        // changes.
        let latest_at = source.latest_capture.as_ref().map(|c| c.taken_at);
        for ghost in source
            .findings
            .iter()
            .filter(|f| f.drift_kind == "deleted" && Some(f.last_seen_at) == latest_at)
        {
            assert!(
                source
                    .changes
                    .iter()
                    .any(|c| c.change == "deleted" && c.name == ghost.item),
                "{} is listed as deleted",
                ghost.item
            );
        }

        // A period before anything happened holds nothing.
        let empty = store
            .executive_source(tenant.id, from, from + TimeDelta::days(1))
            .await
            .expect("empty period");
        assert!(empty.reviews.is_empty() && empty.findings.is_empty());
    }

    let acceptances = store
        .report_acceptances(Some(tenants[0].id), None)
        .await
        .expect("acceptances");
    assert_eq!(acceptances.len(), 1);
    assert_eq!(acceptances[0].approved_by.as_deref(), Some("b"));
    assert!(store
        .report_acceptances(Some(tenants[1].id), None)
        .await
        .expect("acceptances")
        .is_empty());

    let portfolio = store.portfolio_source().await.expect("portfolio");
    assert_eq!(portfolio.tenants.len(), tenants.len());
    for tenant in &portfolio.tenants {
        let ranked = scores
            .iter()
            .find(|s| s.tenant_id == tenant.id)
            .expect("ranked");
        assert_eq!(tenant.score, ranked.score);
        assert_eq!(tenant.previous_score, ranked.previous);
        let open = tenant.open.critical + tenant.open.high + tenant.open.medium + tenant.open.low;
        assert_eq!(i64::from(open), ranked.open_findings, "{}", tenant.name);
    }
    assert!(!portfolio.top_findings.is_empty());

    let inventory = store.report_inventory(None).await.expect("inventory");
    let items: u32 = tenants.iter().map(|t| t.item_count).sum();
    assert_eq!(
        inventory.len() as u32,
        items,
        "every item of every latest capture"
    );

    let audit_before = store.audit_event_count().await.expect("count");
    let id = store
        .record_report(&NewReport {
            tenant: Some(tenants[0].id),
            kind: "executive".to_owned(),
            format: "pdf".to_owned(),
            parameters: serde_json::json!({"language": "de"}),
            sha256: "ab".repeat(32),
            size: 1234,
            path: Some("/tmp/x.pdf".to_owned()),
        })
        .await
        .expect("record");
    assert_eq!(
        store.audit_event_count().await.expect("count"),
        audit_before + 1
    );
    let reports = store.list_reports(Some(tenants[0].id)).await.expect("list");
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].id, id);
    assert_eq!(reports[0].parameters["language"], "de");
    assert_eq!(reports[0].size, 1234);
}

//! Review runs on a real SQLite store: unchanged tenants are skipped (the bulk
//! pre-check agrees with the per-tenant one), a new capture is reviewed alone, and lint
//! findings follow the capture (opened, then resolved when the problem is gone).

use std::collections::BTreeSet;

use chrono::TimeZone;
use plumbline_core::model::{
    CaptureContent, CaptureSource, CapturedItem, TenantProfile, TenantSummary,
};
use plumbline_core::portfolio::{add_demo_tenants, DemoRequest};
use plumbline_core::review::{review_all, ReviewOptions};
use plumbline_core::store::{CaptureWrite, FindingFilter, Store, StoredItem};

async fn demo_store(dir: &std::path::Path, tenants: u32) -> Store {
    let store = Store::open(&dir.join("p.db")).await.expect("store");
    let request = DemoRequest {
        seed: 7,
        tenants,
        anchor: chrono::Utc
            .with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
            .single()
            .expect("date"),
    };
    add_demo_tenants(&store, &request, |_, _| {})
        .await
        .expect("demo");
    store
}

/// Records a new capture of `tenant`: a copy of its latest capture with only the items
/// `keep` accepts. Returns the items left out.
async fn record_copy(
    store: &Store,
    tenant: &TenantSummary,
    keep: impl Fn(&StoredItem) -> bool,
) -> Vec<StoredItem> {
    let latest = store.list_captures(tenant.id).await.expect("captures")[0].id;
    let (kept, dropped): (Vec<StoredItem>, Vec<StoredItem>) = store
        .capture_items(latest)
        .await
        .expect("items")
        .into_iter()
        .partition(|i| keep(i));
    let mut content = CaptureContent {
        items: kept
            .into_iter()
            .map(|i| CapturedItem {
                kind: i.kind,
                odata_type: i.odata_type,
                external_id: i.external_id,
                name: i.name,
                raw: i.raw,
                source_path: i.source_path,
            })
            .collect(),
        directory_objects: store.directory_objects(latest).await.expect("directory"),
        kind_status: Default::default(),
    };
    content.recount_kinds();
    store
        .record_capture(
            &TenantProfile {
                display_name: tenant.name.clone(),
                entra_tenant_id: tenant.entra_tenant_id.clone(),
                primary_domain: tenant.primary_domain.clone(),
                tags: tenant.tags.clone(),
                is_demo: tenant.is_demo,
            },
            &CaptureWrite {
                source: CaptureSource::Import,
                taken_at: chrono::Utc::now(),
                origin: None,
                content: &content,
            },
        )
        .await
        .expect("capture");
    dropped
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unchanged_tenants_are_skipped_and_a_new_capture_is_reviewed_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo_store(dir.path(), 3).await;
    let first = review_all(&store, &ReviewOptions::default(), |_, _| {})
        .await
        .expect("review");
    assert_eq!(first.iter().filter(|r| r.reviewed).count(), 3);
    assert!(first.iter().all(|r| r.items_compared > 0));

    let second = review_all(&store, &ReviewOptions::default(), |_, _| {})
        .await
        .expect("review");
    assert!(second.iter().all(|r| !r.reviewed), "{second:?}");
    assert!(second
        .iter()
        .all(|r| r.skipped_reason.as_deref() == Some("already reviewed: nothing changed since")));

    let forced = review_all(&store, &ReviewOptions { force: true }, |_, _| {})
        .await
        .expect("review");
    assert_eq!(forced.iter().filter(|r| r.reviewed).count(), 3);

    // A new capture of one tenant: a copy of its latest without one policy.
    let tenant = &store.list_tenants().await.expect("tenants")[1];
    let latest = store.list_captures(tenant.id).await.expect("captures")[0].id;
    let first_item = store.capture_items(latest).await.expect("items")[0].id;
    let dropped = record_copy(&store, tenant, |i| i.id != first_item)
        .await
        .remove(0);

    let third = review_all(&store, &ReviewOptions::default(), |_, _| {})
        .await
        .expect("review");
    let reviewed: Vec<&str> = third
        .iter()
        .filter(|r| r.reviewed)
        .map(|r| r.tenant.as_str())
        .collect();
    assert_eq!(reviewed, vec![tenant.name.as_str()]);
    let findings = store
        .list_findings(&FindingFilter {
            tenant: Some(tenant.id),
            ..FindingFilter::default()
        })
        .await
        .expect("findings");
    assert!(
        findings
            .iter()
            .any(|f| f.drift_kind == "deleted" && f.item == dropped.name),
        "the dropped policy is a ghost policy"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lint_findings_open_with_their_rule_and_resolve_when_the_policy_is_gone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo_store(dir.path(), 2).await;
    review_all(&store, &ReviewOptions::default(), |_, _| {})
        .await
        .expect("review");
    let tenant = store.list_tenants().await.expect("tenants")[0].clone();
    let lint: Vec<_> = store
        .list_findings(&FindingFilter {
            tenant: Some(tenant.id),
            ..FindingFilter::default()
        })
        .await
        .expect("findings")
        .into_iter()
        .filter(|f| f.source == "lint")
        .collect();
    assert!(!lint.is_empty(), "the demo data has hygiene problems");
    let rules: BTreeSet<&str> = lint.iter().filter_map(|f| f.rule.as_deref()).collect();
    assert!(
        rules.is_subset(&BTreeSet::from([
            "naming",
            "scope_tags",
            "broad_high_risk",
            "unassigned",
            "duplicate",
            "conflict",
            "stale",
        ])),
        "{rules:?}"
    );
    // Remove the policy behind one per-policy lint finding: that finding resolves.
    let target = lint
        .iter()
        .find(|f| f.rule.as_deref() != Some("conflict") && f.status == "open")
        .expect("a per-policy lint finding");
    record_copy(&store, &tenant, |i| i.name != target.item).await;
    review_all(&store, &ReviewOptions::default(), |_, _| {})
        .await
        .expect("review");
    let after = store.finding(&target.id).await.expect("finding");
    assert_eq!(after.status, "resolved", "{after:?}");
}

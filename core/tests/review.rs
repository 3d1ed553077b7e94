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
                raw: i.raw.into(),
                source_path: i.source_path,
            })
            .collect(),
        directory_objects: store.directory_objects(latest).await.expect("directory"),
        kind_status: Default::default(),
        definitions: Default::default(),
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

/// A tenant's content: `items` as a new tenant's capture.
async fn record_tenant(store: &Store, name: &str, items: Vec<CapturedItem>) -> TenantSummary {
    let mut content = CaptureContent {
        items,
        directory_objects: Vec::new(),
        kind_status: Default::default(),
        definitions: Default::default(),
    };
    content.recount_kinds();
    store
        .record_capture(
            &TenantProfile {
                display_name: name.to_owned(),
                ..TenantProfile::default()
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
    store.tenant(name).await.expect("tenant")
}

fn compliance(id: &str, name: &str, length: i64) -> CapturedItem {
    CapturedItem {
        kind: "compliance_policy".to_owned(),
        odata_type: Some("#microsoft.graph.windows10CompliancePolicy".to_owned()),
        external_id: id.to_owned(),
        name: name.to_owned(),
        raw: serde_json::json!({
            "@odata.type": "#microsoft.graph.windows10CompliancePolicy",
            "id": id, "displayName": name, "passwordRequired": true,
            "passwordMinimumLength": length, "roleScopeTagIds": ["0"],
            "assignments": [{"target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}}]
        })
        .into(),
        source_path: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_policy_names_review_with_a_lint_finding_and_no_false_drift() {
    use plumbline_core::baseline::author::{create_baseline, BaselineSource, CreateBaseline};
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("p.db")).await.expect("store");
    // Three compliance policies share a name (copies, an import run twice); they differ
    // in one setting. Plus an unknown kind and a policy without settings.
    let name = "Win - MSP - Password";
    let mut items = vec![
        compliance("0b6c9ea7-0000-4000-8000-000000000001", name, 14),
        compliance("5f0e3c21-0000-4000-8000-000000000002", name, 16),
        compliance(
            "9a9a9a9a-0000-4000-8000-000000000003",
            "win - msp -  password",
            12,
        ),
    ];
    items.push(CapturedItem {
        kind: "unknown".to_owned(),
        odata_type: Some("#microsoft.graph.somethingNew".to_owned()),
        external_id: "u1".to_owned(),
        name: name.to_owned(),
        raw:
            serde_json::json!({"@odata.type": "#microsoft.graph.somethingNew", "displayName": name})
                .into(),
        source_path: None,
    });
    items.push(CapturedItem {
        kind: "settings_catalog".to_owned(),
        odata_type: None,
        external_id: "e1".to_owned(),
        name: "Empty".to_owned(),
        raw: serde_json::json!({"name": "Empty", "settings": []}).into(),
        source_path: None,
    });
    let golden = record_tenant(&store, "Golden", items.clone()).await;
    // The customer holds the same policies, in another order, with its own ids.
    items.reverse();
    for (n, item) in items.iter_mut().enumerate() {
        item.external_id = format!("c{n}");
        std::sync::Arc::make_mut(&mut item.raw)["id"] = serde_json::json!(format!("c{n}"));
    }
    let customer = record_tenant(&store, "Customer", items).await;

    // The baseline keeps every same-named policy (the name in the baseline too).
    let created = create_baseline(
        &store,
        &CreateBaseline {
            name: Some("MSP".to_owned()),
            description: None,
            options: None,
            source: BaselineSource::Tenant(golden.name.clone()),
            publish: true,
        },
    )
    .await
    .expect("baseline from a tenant with duplicate names");
    assert_eq!(created.items, 5);
    store
        .assign_baseline("MSP", &[golden.id, customer.id], &Default::default(), None)
        .await
        .expect("assign");

    let reviews = review_all(&store, &ReviewOptions::default(), |_, _| {})
        .await
        .expect("review");
    for review in &reviews {
        assert!(review.error.is_none(), "{review:?}");
        assert!(review.reviewed, "{review:?}");
        assert_eq!(review.not_assessed.len(), 1, "{review:?}");
        assert_eq!(review.score, Some(100.0), "{review:?}");
    }
    for tenant in [&golden, &customer] {
        let findings = store
            .list_findings(&FindingFilter {
                tenant: Some(tenant.id),
                ..FindingFilter::default()
            })
            .await
            .expect("findings");
        let drift: Vec<_> = findings.iter().filter(|f| f.source == "drift").collect();
        assert!(drift.is_empty(), "{}: false drift {drift:#?}", tenant.name);
        let duplicate_names: Vec<_> = findings
            .iter()
            .filter(|f| f.rule.as_deref() == Some("duplicate_name"))
            .collect();
        assert_eq!(duplicate_names.len(), 1, "{findings:#?}");
        assert!(duplicate_names[0]
            .title
            .starts_with("3 policies share the name"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_broken_tenant_among_a_thousand_does_not_stop_the_others() {
    use plumbline_core::baseline::author::{create_baseline, BaselineSource, CreateBaseline};
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("p.db")).await.expect("store");
    // 998 ordinary tenants: five policies each, two of them off the baseline.
    let policy_names = [
        "Win - OIB - Password - v1.0",
        "Win - OIB - BitLocker - v1.0",
        "Win - OIB - Defender - v1.0",
        "Win - OIB - Firewall - v1.0",
        "Win - OIB - Updates - v1.0",
    ];
    for n in 0..998i64 {
        let items = policy_names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let length = if i < 2 { 8 + n % 7 } else { 14 };
                compliance(&format!("t{n}-p{i}"), name, length)
            })
            .collect();
        record_tenant(&store, &format!("Tenant {n:04}"), items).await;
    }
    create_baseline(
        &store,
        &CreateBaseline {
            name: Some("MSP".to_owned()),
            description: None,
            options: None,
            source: BaselineSource::Tenant("Tenant 0000".to_owned()),
            publish: true,
        },
    )
    .await
    .expect("baseline");
    let everyone: Vec<_> = store
        .list_tenants()
        .await
        .expect("tenants")
        .iter()
        .map(|t| t.id)
        .collect();
    store
        .assign_baseline("MSP", &everyone, &Default::default(), None)
        .await
        .expect("assign");
    // A pathological tenant: duplicate names, no names, empty and huge policies.
    let mut items: Vec<CapturedItem> = (0..4)
        .map(|n| compliance(&format!("dup-{n}"), "Same name", 8 + n))
        .collect();
    let huge: serde_json::Map<String, serde_json::Value> = (0..20_000)
        .map(|n| (format!("setting{n:05}"), serde_json::json!(n)))
        .collect();
    items.push(CapturedItem {
        kind: "device_configuration".to_owned(),
        odata_type: None,
        external_id: "huge".to_owned(),
        name: "Huge".to_owned(),
        raw: serde_json::Value::Object(huge).into(),
        source_path: None,
    });
    items.push(CapturedItem {
        kind: "compliance_policy".to_owned(),
        odata_type: None,
        external_id: "empty".to_owned(),
        name: String::new(),
        raw: serde_json::json!({}).into(),
        source_path: None,
    });
    let strange = record_tenant(&store, "Pathological", items).await;
    // A tenant whose stored data is damaged: its review fails, alone.
    let broken = record_tenant(
        &store,
        "Broken",
        vec![compliance("b1", "Win - OIB - Password - v1.0", 99)],
    )
    .await;
    store
        .assign_baseline("MSP", &[strange.id, broken.id], &Default::default(), None)
        .await
        .expect("assign");
    let latest = store.list_captures(broken.id).await.expect("captures")[0].id;
    let blob = store.capture_items(latest).await.expect("items")[0]
        .blob_sha256
        .clone();
    let raw = sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.path().join("p.db").display()))
        .await
        .expect("a second connection");
    sqlx::query("UPDATE blobs SET data = x'00' WHERE sha256 = ?")
        .bind(&blob)
        .execute(&raw)
        .await
        .expect("damage the blob");
    // The lint results stored with the capture would spare the blob a read.
    sqlx::query("DELETE FROM capture_lint WHERE capture_id = ?")
        .bind(latest.to_string())
        .execute(&raw)
        .await
        .expect("drop stored lint");
    raw.close().await;

    let reviews = review_all(&store, &ReviewOptions::default(), |_, _| {})
        .await
        .expect("the run goes on");
    assert_eq!(reviews.len(), 1000);
    let failed: Vec<_> = reviews.iter().filter(|r| r.error.is_some()).collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert_eq!(failed[0].tenant, "Broken");
    assert!(!failed[0].reviewed);
    assert_eq!(reviews.iter().filter(|r| r.reviewed).count(), 999);
    let strange_review = reviews
        .iter()
        .find(|r| r.tenant == "Pathological")
        .expect("reviewed");
    assert!(strange_review.reviewed && strange_review.error.is_none());
}

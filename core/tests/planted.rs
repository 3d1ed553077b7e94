//! The drift engine against the demo generator's record of planted differences: every
//! planted real difference is found (kind, item, path, values) and no finding appears
//! that was not planted — noise (reordering, volatile fields, per-tenant ids, empty
//! equivalents) produces nothing.

use std::collections::{BTreeMap, BTreeSet};

use chrono::TimeZone;
use plumbline_core::demo::{PlantedDifference, PlantedKind};
use plumbline_core::portfolio::{add_demo_tenants, DemoRequest};
use plumbline_core::review::{review_all, ReviewOptions};
use plumbline_core::store::{FindingFilter, Store};
use serde_json::Value;

/// (drift kind, item key, setting path)
type Key = (String, String, String);

/// Arrays compare as sets where the engine treats them as sets; the record keeps the
/// generator's raw order.
fn canonical(value: &Value) -> Value {
    match value {
        Value::Array(items) => {
            let mut items: Vec<Value> = items.iter().map(canonical).collect();
            items.sort_by_key(|v| v.to_string());
            Value::Array(items)
        }
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), canonical(v))).collect())
        }
        other => other.clone(),
    }
}

fn expected_keys(planted: &[PlantedDifference], latest: u32) -> BTreeMap<Key, &PlantedDifference> {
    let mut out = BTreeMap::new();
    for p in planted {
        if p.kind.is_noise() {
            continue;
        }
        let holds = if p.kind.is_capture_to_capture() {
            p.capture == latest
        } else {
            p.holds_at(latest)
        };
        // Extra policies are reported only when a baseline manages a kind exclusively;
        // the demo baseline does not.
        if !holds || p.kind == PlantedKind::Extra {
            continue;
        }
        let item = match p.kind {
            PlantedKind::Renamed => p.baseline_item_name.clone(),
            _ => p.item_name.clone(),
        }
        .unwrap_or_default();
        let path = match p.kind {
            PlantedKind::AssignmentChanged => "assignments".to_owned(),
            _ => p.setting_path.clone().unwrap_or_default(),
        };
        out.insert((p.kind.as_str().to_owned(), item, path), p);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_planted_difference_is_found_and_nothing_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("p.db")).await.expect("store");
    let request = DemoRequest {
        seed: 42,
        tenants: 12,
        anchor: chrono::Utc
            .with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
            .single()
            .expect("date"),
    };
    add_demo_tenants(&store, &request, |_, _| {})
        .await
        .expect("demo");
    let reviews = review_all(&store, &ReviewOptions::default(), |_, _| {})
        .await
        .expect("review");
    assert_eq!(reviews.iter().filter(|r| r.reviewed).count(), 12);

    let mut planted_total = 0;
    let mut problems = Vec::new();
    for tenant in store.list_tenants().await.expect("tenants") {
        let planted: Vec<PlantedDifference> = serde_json::from_value(
            store
                .demo_plants(tenant.id)
                .await
                .expect("plants")
                .expect("demo"),
        )
        .expect("record format");
        let latest = tenant.capture_count - 1;
        let expected = expected_keys(&planted, latest);
        planted_total += expected.len();
        let findings = store
            .list_findings(&FindingFilter {
                tenant: Some(tenant.id),
                ..FindingFilter::default()
            })
            .await
            .expect("findings");
        // Lint findings judge hygiene, not drift: the generator plants drift only. Every
        // capture is reviewed in order; what the latest one shows is what was last seen
        // at its time (earlier differences are resolved, or history of earlier captures).
        let latest_at = plumbline_core::store::timestamp(tenant.last_capture_at.expect("captured"));
        let found: BTreeMap<Key, _> = findings
            .iter()
            .filter(|f| f.source != "lint" && f.last_seen_at == latest_at)
            .map(|f| {
                (
                    (f.drift_kind.clone(), f.item.clone(), f.setting_path.clone()),
                    f,
                )
            })
            .collect();
        let expected_set: BTreeSet<&Key> = expected.keys().collect();
        let found_set: BTreeSet<&Key> = found.keys().collect();
        for missed in expected_set.difference(&found_set) {
            problems.push(format!("{}: missed {missed:?}", tenant.name));
        }
        for noise in found_set.difference(&expected_set) {
            let f = &found[*noise];
            problems.push(format!(
                "{}: not planted {noise:?} expected={:?} actual={:?}",
                tenant.name, f.expected, f.actual
            ));
        }
        for (key, p) in &expected {
            let Some(f) = found.get(key) else { continue };
            if matches!(
                p.kind,
                PlantedKind::SettingChanged
                    | PlantedKind::SettingAdded
                    | PlantedKind::SettingMissing
            ) {
                let same = |a: &Option<Value>, b: &Option<Value>| {
                    a.as_ref().map(canonical) == b.as_ref().map(canonical)
                };
                if !same(&f.expected, &p.expected) || !same(&f.actual, &p.actual) {
                    problems.push(format!(
                        "{}: {key:?} values differ: found {:?} → {:?}, planted {:?} → {:?}",
                        tenant.name, f.expected, f.actual, p.expected, p.actual
                    ));
                }
            }
        }
    }
    assert!(
        planted_total > 50,
        "the demo plants enough to test ({planted_total})"
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

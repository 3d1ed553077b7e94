use serde_json::json;

use super::*;
use crate::normalize::{normalize, DirectoryIndex};

fn norm(raw: Value) -> Normalized {
    normalize("compliance_policy", &raw, &DirectoryIndex::new(&[]))
}

fn spec(name: &str, raw: Value) -> BaselineItemSpec {
    BaselineItemSpec {
        kind: "compliance_policy".to_owned(),
        name: name.to_owned(),
        normalized: norm(raw),
        rules: BTreeMap::new(),
        severity: Severity::Medium,
    }
}

fn password(min: i64, extra: Value) -> Value {
    let mut raw = json!({
        "@odata.type": "#microsoft.graph.windows10CompliancePolicy",
        "displayName": "Password",
        "passwordRequired": true,
        "passwordMinimumLength": min,
        "passwordRequiredType": "alphanumeric",
        "osMinimumVersion": "10.0.19045"
    });
    if let (Some(map), Value::Object(more)) = (raw.as_object_mut(), extra) {
        map.extend(more);
    }
    raw
}

#[test]
fn identical_items_have_no_drift_and_count_every_setting_compliant() {
    let baseline = spec("Password", password(14, json!({})));
    let (drifts, assessment) = diff_item(
        &baseline,
        "Password",
        &norm(password(14, json!({}))),
        &BTreeMap::new(),
    );
    assert!(drifts.is_empty(), "{drifts:?}");
    assert_eq!(
        assessment.settings,
        baseline.normalized.settings.len() as u32
    );
    assert_eq!(assessment.compliant, assessment.settings);
    assert_eq!(assessment, baseline.assessed_when_compliant());
}

#[test]
fn a_changed_value_is_one_drift_at_its_path_with_both_values() {
    let baseline = spec("Password", password(14, json!({})));
    let (drifts, assessment) = diff_item(
        &baseline,
        "Password",
        &norm(password(8, json!({}))),
        &BTreeMap::new(),
    );
    assert_eq!(drifts.len(), 1, "{drifts:?}");
    let drift = &drifts[0];
    assert_eq!(drift.kind, DriftKind::SettingChanged);
    assert_eq!(drift.setting_path, "passwordMinimumLength");
    assert_eq!(drift.expected, Some(json!(14)));
    assert_eq!(drift.actual, Some(json!(8)));
    assert_eq!(assessment.compliant + 1, assessment.settings);
}

#[test]
fn missing_and_added_settings_are_told_apart() {
    let baseline = spec(
        "Password",
        password(14, json!({"passwordExpirationDays": 90})),
    );
    let tenant = norm(password(
        14,
        json!({"passwordPreviousPasswordBlockCount": 24}),
    ));
    let (drifts, _) = diff_item(&baseline, "Password", &tenant, &BTreeMap::new());
    let kinds: Vec<_> = drifts
        .iter()
        .map(|d| (d.kind, d.setting_path.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (DriftKind::SettingMissing, "passwordExpirationDays"),
            (
                DriftKind::SettingAdded,
                "passwordPreviousPasswordBlockCount"
            ),
        ]
    );
}

#[test]
fn rules_judge_stricter_values_compliant_and_ignore_what_they_ignore() {
    let mut baseline = spec(
        "Password",
        password(14, json!({"osMinimumVersion": "10.0.19045"})),
    );
    baseline.rules.insert(
        "passwordMinimumLength".to_owned(),
        SettingRule {
            rule: Rule::AtLeast { value: 14.0 },
            severity: Some(Severity::High),
        },
    );
    baseline.rules.insert(
        "osMinimumVersion".to_owned(),
        SettingRule {
            rule: Rule::Ignore,
            severity: None,
        },
    );
    assert!(!baseline.hash_shortcut());
    let stricter = norm(password(16, json!({"osMinimumVersion": "10.0.22631"})));
    let (drifts, assessment) = diff_item(&baseline, "Password", &stricter, &BTreeMap::new());
    assert!(drifts.is_empty(), "{drifts:?}");
    assert_eq!(
        assessment.settings,
        baseline.normalized.settings.len() as u32 - 1,
        "ignored setting not assessed"
    );
    let weaker = norm(password(8, json!({})));
    let (drifts, _) = diff_item(&baseline, "Password", &weaker, &BTreeMap::new());
    assert_eq!(drifts.len(), 1);
    assert_eq!(drifts[0].severity, Severity::High);
}

#[test]
fn matching_by_name_with_and_without_version_suffix() {
    let baseline = [
        ("compliance_policy", "Win - OIB - Password - v3.1"),
        ("compliance_policy", "Gone - v1.0"),
    ];
    let tenant = [
        ("compliance_policy", "win - oib -  password - v3.2"),
        ("compliance_policy", "Tenant own"),
        ("settings_catalog", "Other kind"),
    ];
    let strict = match_items(&baseline, &tenant, &BaselineOptions::default(), &|_, _| 0.0);
    assert_eq!(strict.pairs, vec![]);
    assert_eq!(strict.missing, vec![0, 1]);
    assert_eq!(
        strict.unmatched,
        vec![0, 1],
        "only the baseline's kinds are unmatched"
    );
    let tolerant = match_items(
        &baseline,
        &tenant,
        &BaselineOptions {
            ignore_version_suffix: true,
            exclusive_kinds: vec![],
        },
        &|_, _| 0.0,
    );
    assert_eq!(tolerant.pairs, vec![(0, 0)]);
    assert_eq!(tolerant.missing, vec![1]);
    assert_eq!(tolerant.unmatched, vec![1]);
}

#[test]
fn same_named_items_pair_by_closest_settings() {
    // Two baseline items and three tenant items share a name; the tenant also has a
    // unique one. Affinity: baseline 0 is closest to tenant 2, baseline 1 to tenant 0.
    let baseline = [
        ("settings_catalog", "Win - Defender"),
        ("settings_catalog", "Win - Defender"),
    ];
    let tenant = [
        ("settings_catalog", "win - defender"),
        ("settings_catalog", "Win - Other"),
        ("settings_catalog", "Win - Defender"),
        ("settings_catalog", "Win - Defender"),
    ];
    let affinity = |b: usize, t: usize| match (b, t) {
        (0, 2) => 1.0,
        (1, 0) => 0.9,
        (0, 0) => 0.95,
        _ => 0.1,
    };
    let matching = match_items(&baseline, &tenant, &BaselineOptions::default(), &affinity);
    assert_eq!(matching.pairs, vec![(0, 2), (1, 0)]);
    assert_eq!(matching.missing, Vec::<usize>::new());
    assert_eq!(matching.unmatched, vec![1, 3]);
    assert_eq!(
        ambiguous_tenant_items(&baseline, &tenant, &BaselineOptions::default()),
        vec![0, 2, 3]
    );
    // A unique name on both sides is never ambiguous.
    assert!(ambiguous_tenant_items(
        &[("settings_catalog", "Win - Other")],
        &tenant,
        &BaselineOptions::default()
    )
    .is_empty());
}

#[test]
fn a_missing_and_an_extra_item_with_the_same_settings_are_one_rename() {
    let missing = spec("Password", password(14, json!({})));
    let renamed = norm(password(14, json!({})));
    let different = norm(json!({"displayName": "Other", "storageRequireEncryption": true}));
    let renames = detect_renames(
        &[(3, &missing)],
        &[
            (7, "compliance_policy", &different),
            (9, "compliance_policy", &renamed),
        ],
    );
    assert_eq!(renames, vec![(3, 9)]);
    assert!(similarity(&missing.normalized, &different) < RENAME_SIMILARITY);
    // Another kind never counts as a rename.
    assert!(detect_renames(&[(3, &missing)], &[(9, "settings_catalog", &renamed)]).is_empty());
}

#[test]
fn capture_changes_report_ghosts_and_changes_but_not_failed_kinds() {
    let item = |kind: &'static str, id: &'static str, hash: &'static str| ItemRef {
        kind,
        external_id: id,
        name: id,
        key: id,
        settings_hash: hash,
        assignments_hash: "a",
    };
    let before = [
        item("compliance_policy", "kept", "h1"),
        item("compliance_policy", "changed", "h2"),
        item("compliance_policy", "ghost", "h3"),
        item("conditional_access", "ca-ghost", "h4"),
    ];
    let after = [
        item("compliance_policy", "changed", "h9"),
        item("compliance_policy", "kept", "h1"),
    ];
    let failed: BTreeSet<String> = ["conditional_access".to_owned()].into();
    let delta = capture_changes(&before, &after, &failed);
    assert_eq!(delta.changed, vec![(1, 0)]);
    let deleted: Vec<_> = delta
        .deleted
        .iter()
        .map(|d| (d.kind, d.item_key.as_str()))
        .collect();
    assert_eq!(deleted, [(DriftKind::Deleted, "ghost")]);
}

#[test]
fn changed_items_report_each_moved_setting_with_before_and_after() {
    let before = norm(password(14, json!({"passwordExpirationDays": 90})));
    let after = norm(password(
        12,
        json!({"passwordPreviousPasswordBlockCount": 5}),
    ));
    let drifts = changed_item_drifts("compliance_policy", "Password", &before, &after);
    let seen: Vec<_> = drifts
        .iter()
        .map(|d| {
            (
                d.setting_path.as_str(),
                d.expected.clone(),
                d.actual.clone(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("passwordExpirationDays", Some(json!(90)), None),
            ("passwordMinimumLength", Some(json!(14)), Some(json!(12))),
            ("passwordPreviousPasswordBlockCount", None, Some(json!(5))),
        ]
    );
    assert!(drifts
        .iter()
        .all(|d| d.kind == DriftKind::ChangedSinceLastCapture));
    assert!(changed_item_drifts("compliance_policy", "Password", &before, &before).is_empty());
}

#[test]
fn drift_kinds_round_trip_their_names() {
    for kind in [
        DriftKind::Missing,
        DriftKind::Extra,
        DriftKind::Renamed,
        DriftKind::SettingChanged,
        DriftKind::SettingMissing,
        DriftKind::SettingAdded,
        DriftKind::AssignmentChanged,
        DriftKind::Deleted,
        DriftKind::ChangedSinceLastCapture,
    ] {
        assert_eq!(DriftKind::parse(kind.as_str()), Some(kind));
        assert_eq!(
            serde_json::to_value(kind).expect("json"),
            json!(kind.as_str())
        );
    }
}

mod sketches {
    use proptest::prelude::*;

    use super::*;
    use crate::normalize::settings_sketch;

    fn map(pairs: &[(String, i64)]) -> Normalized {
        Normalized {
            settings: pairs.iter().map(|(k, v)| (k.clone(), json!(v))).collect(),
            ..Normalized::default()
        }
    }

    #[test]
    fn sketch_similarity_of_empty_and_disjoint_items() {
        assert_eq!(sketch_similarity(&[], &[]), 1.0);
        let a = settings_sketch(&map(&[("a".into(), 1)]).settings);
        let b = settings_sketch(&map(&[("a".into(), 2)]).settings);
        assert_eq!(sketch_similarity(&a, &b), 0.0);
        assert_eq!(sketch_similarity(&a, &a), 1.0);
    }

    proptest! {
        /// The sketch gives exactly the similarity the JSON gives, so filtering rename
        /// candidates by sketch can neither add nor lose a rename.
        #[test]
        fn sketch_similarity_equals_similarity(
            a in prop::collection::btree_map("[a-e]{1,2}", 0i64..3, 0..12),
            b in prop::collection::btree_map("[a-e]{1,2}", 0i64..3, 0..12),
        ) {
            let a = map(&a.into_iter().collect::<Vec<_>>());
            let b = map(&b.into_iter().collect::<Vec<_>>());
            let by_sketch = sketch_similarity(
                &settings_sketch(&a.settings),
                &settings_sketch(&b.settings),
            );
            prop_assert_eq!(by_sketch, similarity(&a, &b));
        }
    }
}

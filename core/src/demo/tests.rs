//! The generator's promises, checked against the data it produces: every planted
//! difference is in the data exactly as recorded, and nothing else differs (a small
//! normaliser here applies DRIFT.md's rules independently of the generator's own code).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::TimeZone;
use serde_json::Value;

use super::json::{self, SettingPath};
use super::*;
use crate::model::DirectoryObjectKind;

fn generator() -> &'static DemoGenerator {
    static GENERATOR: OnceLock<DemoGenerator> = OnceLock::new();
    GENERATOR.get_or_init(|| DemoGenerator::new(7).expect("the embedded corpus imports"))
}

fn anchor() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
        .single()
        .expect("a valid date")
}

// ----- an independent normaliser (DRIFT.md) ----------------------------------------------

/// Volatile and non-portable fields, dropped at every depth.
const VOLATILE: &[&str] = &[
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "modifiedDateTime",
    "version",
    "supportsScopeTags",
    "settingCount",
    "creationSource",
    "isAssigned",
    "priorityMetaData",
    "sourceId",
    "deployedAppCount",
    "lastSyncDateTime",
    "isReadOnly",
    "isEncrypted",
    "secretReferenceValueId",
    "auditRuleInformation",
];

/// Arrays compared as sets.
const SET_ARRAYS: &[&str] = &["roleScopeTagIds"];

fn droppable(key: &str) -> bool {
    key.contains('@') || key.starts_with('#') || VOLATILE.contains(&key)
}

fn is_empty(value: &Value) -> bool {
    json::is_empty_equivalent(value)
}

/// Drops volatile keys and empty values inside arrays' objects.
fn clean(value: &Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .iter()
                .filter(|(k, _)| !droppable(k))
                .map(|(k, v)| (k.clone(), clean(v)))
                .filter(|(_, v)| !is_empty(v))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(clean).collect()),
        other => other.clone(),
    }
}

fn flatten(path: &mut Vec<String>, value: &Value, out: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(object) => {
            for (key, item) in object {
                if droppable(key) {
                    continue;
                }
                path.push(key.clone());
                flatten(path, item, out);
                path.pop();
            }
        }
        _ => {
            let mut value = clean(value);
            if let (Value::Array(items), Some(last)) = (&mut value, path.last()) {
                if SET_ARRAYS.contains(&last.as_str()) {
                    items.sort_by_key(Value::to_string);
                }
            }
            if !is_empty(&value) {
                out.insert(path.join("/"), value);
            }
        }
    }
}

/// A policy as `setting path → value`, with group ids resolved through `groups`.
fn normalise(item: &CapturedItem, groups: &BTreeMap<String, String>) -> BTreeMap<String, Value> {
    let settings_catalog = item.kind == "settings_catalog";
    let name_field = if settings_catalog {
        "name"
    } else {
        "displayName"
    };
    let mut out = BTreeMap::new();
    if let Some(object) = item.raw.as_object() {
        for (key, value) in object {
            if key == "settings" || key == "assignments" || key == name_field || droppable(key) {
                continue;
            }
            flatten(&mut vec![key.clone()], value, &mut out);
        }
    }
    if settings_catalog {
        let mut found: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        json::walk_instances(&item.raw, &mut |chain, instance| {
            if let Some(mut value) = json::instance_value(instance) {
                if let Value::Array(values) = &mut value {
                    values.sort_by_key(Value::to_string);
                }
                found.entry(chain.join("/")).or_default().push(value);
            }
        });
        for (path, mut values) in found {
            let value = if values.len() == 1 {
                values.remove(0)
            } else {
                values.sort_by_key(Value::to_string);
                Value::Array(values)
            };
            out.insert(path, value);
        }
    }
    let targets = portable_assignments(item, groups);
    if !targets.is_empty() {
        out.insert(
            "assignments".to_owned(),
            Value::Array(targets.into_iter().map(Value::String).collect()),
        );
    }
    out
}

fn portable_assignments(item: &CapturedItem, groups: &BTreeMap<String, String>) -> Vec<String> {
    let mut targets: Vec<String> = item
        .raw
        .get("assignments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|assignment| {
            let target = &assignment["target"];
            let group = || {
                let id = target["groupId"].as_str().unwrap_or_default();
                groups
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| format!("unresolved:{id}"))
            };
            match target["@odata.type"].as_str().unwrap_or_default() {
                "#microsoft.graph.allDevicesAssignmentTarget" => "include/all_devices".to_owned(),
                "#microsoft.graph.allLicensedUsersAssignmentTarget" => {
                    "include/all_licensed_users".to_owned()
                }
                "#microsoft.graph.groupAssignmentTarget" => format!("include/group:{}", group()),
                "#microsoft.graph.exclusionGroupAssignmentTarget" => {
                    format!("exclude/group:{}", group())
                }
                other => format!("unknown:{other}"),
            }
        })
        .collect();
    targets.sort();
    targets
}

type Diff = BTreeMap<String, (Option<Value>, Option<Value>)>;

fn diff(before: &BTreeMap<String, Value>, after: &BTreeMap<String, Value>) -> Diff {
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| {
            (
                (*k).clone(),
                (before.get(k).cloned(), after.get(k).cloned()),
            )
        })
        .collect()
}

fn group_names(content: &CaptureContent) -> BTreeMap<String, String> {
    content
        .directory_objects
        .iter()
        .filter(|o| o.kind == DirectoryObjectKind::Group)
        .map(|o| (o.external_id.clone(), o.display_name.clone()))
        .collect()
}

fn bytes(item: &CapturedItem) -> Vec<u8> {
    serde_json::to_vec(&item.raw).expect("JSON serialises")
}

fn record_path(item: &CapturedItem, rendered: &str) -> SettingPath {
    let segments: Vec<String> = rendered.split('/').map(str::to_owned).collect();
    // settingDefinitionIds are snake_case; Graph property names are camelCase.
    if item.kind == "settings_catalog" && segments[0].contains('_') {
        SettingPath::Setting(segments)
    } else {
        SettingPath::Property(segments)
    }
}

/// The top-level settings order, or the assignments' order, or a collection's values.
fn ordered(
    item: &CapturedItem,
    rendered: &str,
    groups: &BTreeMap<String, String>,
) -> Option<Value> {
    match rendered {
        "settings" => Some(Value::Array(
            json::settings(&item.raw)
                .iter()
                .map(|s| {
                    s.get("settingInstance")
                        .and_then(json::def_id)
                        .map_or(Value::Null, Value::from)
                })
                .collect(),
        )),
        "assignments" => {
            let targets = item.raw.get("assignments")?.as_array()?;
            let single = |a: &Value| {
                let mut copy = item.clone();
                copy.raw = std::sync::Arc::new(serde_json::json!({ "assignments": [a] }));
                portable_assignments(&copy, groups).pop()
            };
            Some(Value::Array(
                targets
                    .iter()
                    .filter_map(single)
                    .map(Value::String)
                    .collect(),
            ))
        }
        path => record_path(item, path).read(&item.raw),
    }
}

// ----- checking one tenant ------------------------------------------------------------------

/// Checks every promise of the module documentation for one tenant; returns how many
/// records it checked.
fn verify(tenant: &DemoTenant) -> usize {
    let baseline = generator().baseline();
    let baseline_groups = group_names(&baseline);
    let baseline_by_name: BTreeMap<(&str, &str), &CapturedItem> = baseline
        .items
        .iter()
        .map(|i| ((i.kind.as_str(), i.name.as_str()), i))
        .collect();
    let baseline_ids: BTreeSet<&str> = baseline
        .items
        .iter()
        .map(|i| i.external_id.as_str())
        .collect();
    let baseline_normalised: BTreeMap<&str, BTreeMap<String, Value>> = baseline
        .items
        .iter()
        .map(|i| (i.external_id.as_str(), normalise(i, &baseline_groups)))
        .collect();
    let mut previous_normalised: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
    let mut checked = BTreeSet::new();
    let planted = &tenant.planted;
    let name = &tenant.profile.display_name;

    for record in planted {
        assert_eq!(record.tenant_index, tenant.index);
        assert_eq!(&record.tenant_name, name);
    }
    let tenant_wide = |kind: PlantedKind| {
        planted
            .iter()
            .filter(|r| r.kind == kind && r.item_name.is_none() && r.capture == 0)
            .count()
    };
    assert_eq!(
        tenant_wide(PlantedKind::NoiseVolatile),
        1,
        "{name}: tenant-wide volatile noise"
    );
    assert_eq!(
        tenant_wide(PlantedKind::NoiseTenantIds),
        1,
        "{name}: tenant-wide id noise"
    );

    let mut previous: Option<&DemoCapture> = None;
    for capture in &tenant.captures {
        let k = capture.index;
        let content = &capture.content;
        let groups = group_names(content);
        let holds = |kind: PlantedKind| {
            planted
                .iter()
                .filter(move |r| r.kind == kind && r.holds_at(k))
        };
        let renamed: BTreeMap<&str, &PlantedDifference> = holds(PlantedKind::Renamed)
            .map(|r| (r.external_id.as_deref().unwrap_or_default(), r))
            .collect();
        let extras: BTreeSet<&str> = holds(PlantedKind::Extra)
            .filter_map(|r| r.external_id.as_deref())
            .collect();
        let mut present_baseline: BTreeSet<(&str, &str)> = BTreeSet::new();
        let normalised: BTreeMap<&str, BTreeMap<String, Value>> = content
            .items
            .iter()
            .map(|i| (i.external_id.as_str(), normalise(i, &groups)))
            .collect();

        let ids: BTreeSet<&str> = content
            .items
            .iter()
            .map(|i| i.external_id.as_str())
            .collect();
        assert_eq!(
            ids.len(),
            content.items.len(),
            "{name} capture {k}: duplicate ids"
        );
        let names: BTreeSet<(&str, &str)> = content
            .items
            .iter()
            .map(|i| (i.kind.as_str(), i.name.as_str()))
            .collect();
        assert_eq!(
            names.len(),
            content.items.len(),
            "{name} capture {k}: duplicate names"
        );

        for item in &content.items {
            assert!(
                !baseline_ids.contains(item.external_id.as_str()),
                "{name}: {} keeps the baseline's id",
                item.name
            );
            assert_eq!(
                portable_assignments(item, &groups)
                    .iter()
                    .filter(|t| t.contains("unresolved:"))
                    .count(),
                0,
                "{name}: {} has a group id the capture cannot resolve",
                item.name
            );
            let key = match renamed.get(item.external_id.as_str()) {
                Some(record) => {
                    assert_eq!(record.item_name.as_deref(), Some(item.name.as_str()));
                    (
                        item.kind.as_str(),
                        record.baseline_item_name.as_deref().unwrap_or_default(),
                    )
                }
                None => (item.kind.as_str(), item.name.as_str()),
            };
            let Some(base) = baseline_by_name.get(&key) else {
                assert!(
                    extras.contains(item.external_id.as_str()),
                    "{name} capture {k}: {} matches no baseline policy and no extra record",
                    item.name
                );
                continue;
            };
            assert!(
                !extras.contains(item.external_id.as_str()),
                "{name}: {} is recorded as extra but matches a baseline policy",
                item.name
            );
            present_baseline.insert(key);
            // Every baseline difference of this policy, exactly.
            let expected: Diff = planted
                .iter()
                .filter(|r| {
                    matches!(
                        r.kind,
                        PlantedKind::SettingChanged
                            | PlantedKind::SettingMissing
                            | PlantedKind::SettingAdded
                            | PlantedKind::AssignmentChanged
                    ) && r.holds_at(k)
                        && r.external_id.as_deref() == Some(item.external_id.as_str())
                })
                .map(|r| {
                    checked.insert(planted_key(r));
                    (
                        r.setting_path.clone().unwrap_or_default(),
                        (r.expected.clone(), r.actual.clone()),
                    )
                })
                .collect();
            let actual = diff(
                &baseline_normalised[base.external_id.as_str()],
                &normalised[item.external_id.as_str()],
            );
            assert_eq!(
                actual, expected,
                "{name} capture {k}: {} differs from its baseline",
                item.name
            );
            for (path, (_, value)) in &expected {
                if path != "assignments" {
                    let read = record_path(item, path)
                        .read(&item.raw)
                        .filter(|v| !v.is_null());
                    assert_eq!(&read, value, "{name} capture {k}: {} at {path}", item.name);
                }
            }
        }

        for record in holds(PlantedKind::Extra) {
            checked.insert(planted_key(record));
            assert!(ids.contains(record.external_id.as_deref().unwrap_or_default()));
        }
        for record in renamed.values() {
            checked.insert(planted_key(record));
            assert!(ids.contains(record.external_id.as_deref().unwrap_or_default()));
            assert_ne!(record.item_name, record.baseline_item_name);
        }
        let absent: BTreeSet<&str> = baseline_by_name
            .keys()
            .filter(|key| !present_baseline.contains(*key))
            .map(|(_, n)| *n)
            .collect();
        let missing: BTreeSet<&str> = holds(PlantedKind::Missing)
            .inspect(|r| {
                checked.insert(planted_key(r));
            })
            .filter_map(|r| r.item_name.as_deref())
            .collect();
        assert_eq!(
            absent, missing,
            "{name} capture {k}: missing baseline policies"
        );

        // Capture to capture.
        let at_k = |kind: PlantedKind| {
            planted
                .iter()
                .filter(move |r| r.kind == kind && r.capture == k)
        };
        if let Some(previous) = previous {
            let before: BTreeMap<&str, &CapturedItem> = previous
                .content
                .items
                .iter()
                .map(|i| (i.external_id.as_str(), i))
                .collect();
            let gone: BTreeSet<&str> = before
                .keys()
                .filter(|id| !ids.contains(**id))
                .copied()
                .collect();
            let deleted: BTreeSet<&str> = at_k(PlantedKind::Deleted)
                .inspect(|r| {
                    checked.insert(planted_key(r));
                })
                .filter_map(|r| r.external_id.as_deref())
                .collect();
            assert_eq!(gone, deleted, "{name} capture {k}: ghost policies");
            for item in &content.items {
                let Some(old) = before.get(item.external_id.as_str()) else {
                    continue;
                };
                let expected: Diff = at_k(PlantedKind::ChangedSinceLastCapture)
                    .filter(|r| r.external_id.as_deref() == Some(item.external_id.as_str()))
                    .map(|r| {
                        checked.insert(planted_key(r));
                        (
                            r.setting_path.clone().unwrap_or_default(),
                            (r.expected.clone(), r.actual.clone()),
                        )
                    })
                    .collect();
                let actual = diff(
                    &previous_normalised[item.external_id.as_str()],
                    &normalised[item.external_id.as_str()],
                );
                assert_eq!(
                    actual,
                    expected,
                    "{name} capture {k}: {} changed since {}",
                    item.name,
                    k - 1
                );
                let recorded = planted.iter().any(|r| {
                    r.capture == k && r.external_id.as_deref() == Some(item.external_id.as_str())
                });
                assert_eq!(
                    bytes(old) != bytes(item),
                    recorded,
                    "{name} capture {k}: {} bytes changed without a record, or a record without a change",
                    item.name
                );
            }
        }

        // Noise introduced at this capture is really there, and is noise.
        for record in planted
            .iter()
            .filter(|r| r.kind.is_noise() && r.capture == k && r.external_id.is_some())
        {
            checked.insert(planted_key(record));
            let id = record.external_id.as_deref().unwrap_or_default();
            let item = content
                .items
                .iter()
                .find(|i| i.external_id == id)
                .expect("a noise record names a policy of its capture");
            let path = record.setting_path.as_deref().unwrap_or_default();
            let (before, before_groups) = match previous {
                Some(previous) => (
                    previous.content.items.iter().find(|i| i.external_id == id),
                    group_names(&previous.content),
                ),
                None => (
                    baseline_by_name
                        .get(&(
                            item.kind.as_str(),
                            renamed
                                .get(id)
                                .and_then(|r| r.baseline_item_name.as_deref())
                                .unwrap_or(item.name.as_str()),
                        ))
                        .copied(),
                    baseline_groups.clone(),
                ),
            };
            match record.kind {
                PlantedKind::NoiseVolatile => {
                    assert_eq!(item.raw.get(path), record.actual.as_ref());
                    assert_ne!(record.expected, record.actual);
                }
                PlantedKind::NoiseReordered => {
                    assert_eq!(
                        ordered(item, path, &groups),
                        record.actual,
                        "{name}: reordered {path}"
                    );
                    let before = before.expect("reordered policies existed before");
                    // Settings removed or added by a real difference in the same capture
                    // are not part of the order's comparison.
                    let before = ordered(before, path, &before_groups);
                    assert_eq!(
                        common(&before, &record.expected),
                        common(&record.expected, &before),
                        "{name}: order before reordering {path}"
                    );
                    assert_ne!(record.expected, record.actual);
                }
                PlantedKind::NoiseEmptyEquivalent => {
                    let read = record_path(item, path).read(&item.raw);
                    assert_eq!(read, record.actual, "{name}: empty-equivalent {path}");
                    let before = before.expect("the policy existed before");
                    assert_eq!(record_path(before, path).read(&before.raw), record.expected);
                    assert_ne!(record.expected, record.actual);
                }
                kind => panic!("unexpected noise kind {kind:?} on a policy"),
            }
        }
        previous_normalised = normalised
            .into_iter()
            .map(|(id, n)| (id.to_owned(), n))
            .collect();
        previous = Some(capture);
    }
    for record in planted
        .iter()
        .filter(|r| r.item_name.is_some() || r.external_id.is_some())
    {
        assert!(
            checked.contains(&planted_key(record)),
            "{name}: record never checked: {record:?}"
        );
    }
    checked.len()
}

/// The elements of array `a` that are also in array `b`, in `a`'s order.
fn common(a: &Option<Value>, b: &Option<Value>) -> Vec<Value> {
    let (Some(Value::Array(a)), Some(Value::Array(b))) = (a, b) else {
        panic!("orders are arrays: {a:?} {b:?}");
    };
    a.iter().filter(|v| b.contains(v)).cloned().collect()
}

fn planted_key(record: &PlantedDifference) -> String {
    serde_json::to_string(record).expect("records serialise")
}

// ----- tests -------------------------------------------------------------------------------

#[test]
fn embedded_corpus_is_sorted_json_with_the_baseline_subset() {
    let corpus = embedded_corpus();
    assert!(corpus.windows(2).all(|w| w[0].0 < w[1].0), "sorted by path");
    assert!(corpus.iter().all(|(p, _)| p.ends_with(".json")));
    assert!(
        corpus.iter().any(|(_, b)| b.starts_with(&[0xFF, 0xFE])),
        "UTF-16 files kept as-is"
    );
    let baseline = corpus.iter().filter(|(p, _)| is_baseline_path(p)).count();
    assert!(corpus.iter().any(|(p, _)| p.contains("/NativeImport/")));
    assert!(!corpus
        .iter()
        .any(|(p, _)| p.contains("/NativeImport/") && is_baseline_path(p)));
    assert_eq!(generator().baseline_items().len(), baseline);
    assert!(
        baseline >= 90,
        "the IntuneManagement and BYOD policies: {baseline}"
    );
    let names: BTreeSet<_> = generator()
        .baseline_items()
        .map(|i| (&i.kind, &i.name))
        .collect();
    assert_eq!(names.len(), baseline, "baseline names are unique per kind");
}

#[test]
fn same_inputs_give_the_same_bytes_and_other_seeds_differ() {
    let render = |g: &DemoGenerator, index| {
        serde_json::to_vec(&g.tenant(index, anchor())).expect("serialises")
    };
    let first = render(generator(), 3);
    assert_eq!(first, render(generator(), 3));
    let other = DemoGenerator::new(8).expect("corpus");
    assert_ne!(first, render(&other, 3));
    assert_ne!(generator().profile(3), other.profile(3));
    assert_ne!(first, render(generator(), 4));
}

#[test]
fn a_tenant_does_not_depend_on_the_others() {
    let fresh = DemoGenerator::new(7).expect("corpus");
    // Generate in a different order, after unrelated tenants, from another generator.
    let _warm_up = fresh.tenant(40, anchor());
    for index in [6u32, 2, 0] {
        assert_eq!(
            fresh.tenant(index, anchor()),
            generator().tenant(index, anchor()),
            "tenant {index}"
        );
        assert_eq!(
            fresh.profile(index),
            generator().tenant(index, anchor()).profile
        );
    }
}

#[test]
fn history_cursor_yields_the_same_captures() {
    let mut streamed = generator().tenant_history(1, anchor());
    let tenant = generator().tenant(1, anchor());
    assert_eq!(streamed.history.len(), tenant.captures.len());
    assert!((4..=8).contains(&tenant.captures.len()));
    let mut count = 0;
    while let Some(capture) = streamed.history.next_capture() {
        assert_eq!(capture, &tenant.captures[count]);
        count += 1;
    }
    assert_eq!(count, tenant.captures.len());
    assert!(streamed.history.next_capture().is_none());
    let times = streamed.history.capture_times();
    assert!(
        times.windows(2).all(|w| w[0] < w[1]),
        "captures in time order"
    );
    assert!(times
        .iter()
        .all(|t| *t < anchor() && *t > anchor() - chrono::Duration::days(220)));
}

#[test]
fn every_planted_difference_is_in_the_data_and_nothing_else_differs() {
    let mut checked = 0;
    for index in 0..12 {
        checked += verify(&generator().tenant(index, anchor()));
    }
    assert!(checked > 500, "records checked: {checked}");
}

#[test]
fn a_small_tenant_profile_also_verifies() {
    let small = DemoGenerator::new(99)
        .expect("corpus")
        .with_mean_policies(40);
    let tenant = small.tenant(17, anchor());
    assert!(tenant.captures[0].content.items.len() < 100);
    // `verify` uses the shared generator's baseline, which is the same corpus.
    verify(&tenant);
}

#[test]
fn first_start_portfolio_shows_every_kind_of_difference() {
    let kinds: BTreeSet<PlantedKind> = (0..5)
        .flat_map(|i| generator().tenant(i, anchor()).planted)
        .map(|r| r.kind)
        .collect();
    let all: BTreeSet<PlantedKind> = PlantedKind::ALL.into_iter().collect();
    assert_eq!(kinds, all);
}

#[test]
fn names_domains_and_tenant_ids_are_unique() {
    let mut names = BTreeSet::new();
    let mut domains = BTreeSet::new();
    let mut ids = BTreeSet::new();
    for index in 0..3000 {
        let profile = generator().profile(index);
        assert!(profile.is_demo);
        let domain = profile.primary_domain.clone().expect("a domain");
        let prefix = domain
            .strip_suffix(".onmicrosoft.com")
            .expect("an onmicrosoft domain");
        assert!(prefix
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
        assert!(prefix.len() <= 27, "{domain}");
        assert_eq!(profile.tags.len(), 3);
        assert!(
            names.insert(profile.display_name.clone()),
            "duplicate {}",
            profile.display_name
        );
        assert!(
            domains.insert(domain),
            "duplicate domain of {}",
            profile.display_name
        );
        let id = profile.entra_tenant_id.expect("an Entra id");
        assert!(uuid::Uuid::parse_str(&id).is_ok());
        assert!(ids.insert(id));
    }
    // Indices beyond one round of name combinations stay unique too.
    let far = [54_000u32, 54_001, 108_000, 4_000_000_000];
    for index in far {
        assert!(
            names.insert(generator().profile(index).display_name),
            "{index}"
        );
    }
}

#[test]
fn benchmark_profile_averages_about_200_policies() {
    let tenants = 40;
    let mut total = 0;
    let mut sizes = BTreeSet::new();
    for index in 100..100 + tenants {
        let tenant = generator().tenant_history(index, anchor());
        let mut history = tenant.history;
        let mut last = 0;
        while let Some(capture) = history.next_capture() {
            last = capture.content.items.len();
        }
        total += last;
        sizes.insert(last);
    }
    let mean = total / tenants as usize;
    assert!(
        (180..=220).contains(&mean),
        "mean policies per tenant: {mean}"
    );
    assert!(sizes.len() > 10, "sizes vary per tenant: {sizes:?}");
}

#[test]
fn unchanged_policies_are_shared_across_captures() {
    let tenant = generator().tenant(5, anchor());
    let mut distinct = BTreeSet::new();
    let mut total = 0;
    for capture in &tenant.captures {
        for item in &capture.content.items {
            distinct.insert(bytes(item));
            total += 1;
        }
    }
    let first = tenant.captures[0].content.items.len();
    // Later captures add only their few changed policies as new blobs.
    assert!(
        distinct.len() < first + 15 * (tenant.captures.len() - 1),
        "{} distinct of {total}",
        distinct.len()
    );
}

#[test]
fn records_round_trip_through_json_keeping_null_apart_from_absent() {
    let tenant = generator().tenant(4, anchor());
    let text = serde_json::to_string(&tenant.planted).expect("serialises");
    let back: Vec<PlantedDifference> = serde_json::from_str(&text).expect("deserialises");
    assert_eq!(back, tenant.planted);
    let record: PlantedDifference = serde_json::from_str(
        r#"{"tenant_index":1,"tenant_name":"x","capture":0,"kind":"noise_empty_equivalent","expected":null}"#,
    )
    .expect("parses");
    assert_eq!(record.expected, Some(Value::Null));
    assert_eq!(record.actual, None);
    assert_eq!(
        serde_json::to_value(PlantedKind::ChangedSinceLastCapture).expect("serialises"),
        Value::from("changed_since_last_capture")
    );
    for kind in PlantedKind::ALL {
        assert_eq!(
            serde_json::to_value(kind).expect("serialises"),
            Value::from(kind.as_str())
        );
    }
}

#[test]
fn baseline_has_standard_assignments_to_reference_groups() {
    let baseline = generator().baseline();
    let groups = group_names(&baseline);
    assert_eq!(baseline.items.len(), generator().baseline_items().len());
    for item in &baseline.items {
        let targets = portable_assignments(item, &groups);
        assert!(
            !targets.is_empty(),
            "{} has a standard assignment",
            item.name
        );
        assert!(targets.iter().all(|t| !t.contains("unresolved")));
    }
    let tenant = generator().tenant(0, anchor());
    let tenant_group_ids: BTreeSet<&str> = tenant.captures[0]
        .content
        .directory_objects
        .iter()
        .map(|o| o.external_id.as_str())
        .collect();
    assert!(groups
        .keys()
        .all(|id| !tenant_group_ids.contains(id.as_str())));
}

/// Release-mode timing and sizes: `cargo test --release -p plumbline-core demo::tests::timing -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run in release"]
fn timing() {
    let started = std::time::Instant::now();
    let generator = DemoGenerator::new(7).expect("corpus");
    println!("corpus parse: {:?}", started.elapsed());
    let tenants = 100u32;
    let (mut plan, mut walk, mut full) = (
        std::time::Duration::ZERO,
        std::time::Duration::ZERO,
        std::time::Duration::ZERO,
    );
    let (mut items, mut captures, mut blobs, mut json_bytes, mut blob_bytes, mut records) =
        (0usize, 0usize, 0usize, 0usize, 0usize, 0usize);
    for index in 0..tenants {
        let t = std::time::Instant::now();
        let mut tenant = generator.tenant_history(index, anchor());
        plan += t.elapsed();
        let t = std::time::Instant::now();
        while let Some(capture) = tenant.history.next_capture() {
            std::hint::black_box(capture);
        }
        drop(tenant);
        walk += t.elapsed();
        let t = std::time::Instant::now();
        let tenant = generator.tenant(index, anchor());
        full += t.elapsed();
        records += tenant.planted.len();
        let mut distinct = BTreeSet::new();
        for capture in &tenant.captures {
            captures += 1;
            for item in &capture.content.items {
                let b = bytes(item);
                json_bytes += b.len();
                items += 1;
                if distinct.insert(b.clone()) {
                    blob_bytes += b.len();
                }
            }
        }
        if index == 0 {
            let first = serde_json::to_string(
                &tenant
                    .planted
                    .iter()
                    .find(|r| r.kind == PlantedKind::SettingChanged),
            )
            .expect("json");
            println!("example record: {first}");
        }
        blobs += distinct.len();
    }
    let n = f64::from(tenants);
    println!("per tenant: tenant_history {:.2} ms + walking captures {:.2} ms; tenant() (all captures materialised, incl. drop) {:.2} ms",
        plan.as_secs_f64() * 1e3 / n, walk.as_secs_f64() * 1e3 / n, full.as_secs_f64() * 1e3 / n);
    println!("per tenant: {:.1} captures, {:.1} items per capture, {:.1} distinct blobs ({:.2} MB), {:.2} MB JSON over all captures, {:.1} records",
        captures as f64 / n, items as f64 / captures as f64, blobs as f64 / n, blob_bytes as f64 / n / 1e6, json_bytes as f64 / n / 1e6, records as f64 / n);
}

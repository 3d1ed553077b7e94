//! Property tests: equivalent captures normalise identically (no noise), and one real
//! change of one setting changes exactly that setting's path (no misses).

use proptest::prelude::*;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};

use super::fixtures;
use super::properties::matches;
use super::tests::{assignments_json, corpus, differing_paths};
use super::*;
use crate::kinds::{Layout, VOLATILE_FIELDS};
use crate::model::{DirectoryObject, DirectoryObjectKind};

// ----- noise --------------------------------------------------------------------------------

/// Array properties whose order means nothing for `kind`, by name.
fn order_free(kind: &str, key: &str) -> bool {
    if key == "assignments" || key == "roleScopeTagIds" {
        return true;
    }
    let Some(rules) = kinds::by_key(kind).map(|k| &k.normalization) else {
        return false;
    };
    let layout_arrays: &[&str] = match rules.layout {
        Layout::SettingsCatalog => &[
            "settings",
            "children",
            "choiceSettingCollectionValue",
            "simpleSettingCollectionValue",
            "groupSettingCollectionValue",
        ],
        Layout::IntentSettings => &["settings"],
        Layout::Properties => &[],
    };
    let last = |p: &str| p.rsplit('/').next() == Some(key);
    layout_arrays.contains(&key)
        || rules.set_arrays.iter().copied().any(last)
        || rules.merged_arrays.iter().copied().any(last)
        || rules.keyed_arrays.iter().any(|k| last(k.path))
        || rules.projected_sets.iter().any(|p| last(p.path))
}

fn empty_form(rng: &mut ChaCha8Rng) -> Option<Value> {
    match rng.gen_range(0..5) {
        0 => None,
        1 => Some(Value::Null),
        2 => Some(json!("")),
        3 => Some(json!([])),
        _ => Some(json!({})),
    }
}

fn noise_value(rng: &mut ChaCha8Rng) -> Value {
    match rng.gen_range(0..4) {
        0 => json!(rng.gen::<u32>()),
        1 => json!(format!(
            "2031-0{}-1{}T0{}:00:00.{}Z",
            rng.gen_range(1..9),
            rng.gen_range(0..9),
            rng.gen_range(0..9),
            rng.gen::<u16>()
        )),
        2 => json!(format!(
            "{:08x}-0000-4000-8000-{:012x}",
            rng.gen::<u32>(),
            rng.gen::<u32>()
        )),
        _ => Value::Null,
    }
}

/// What Graph, exporters and time do to a policy without changing it: keys in another
/// order, order-free arrays shuffled, ids/timestamps/versions/annotations churned, empty
/// values swapped for other empty forms or removed, unset properties and annotations added.
fn churn(value: &Value, kind: &str, rng: &mut ChaCha8Rng) -> Value {
    match value {
        Value::Object(object) => {
            let mut entries: Vec<(String, Value)> = Vec::with_capacity(object.len() + 4);
            for (key, child) in object {
                // `@odata.type` tells polymorphic types apart (assignment targets): it is
                // content, not noise.
                if key != "@odata.type"
                    && (is_annotation(key) || VOLATILE_FIELDS.contains(&key.as_str()))
                {
                    match rng.gen_range(0..3) {
                        0 => {}
                        1 => entries.push((key.clone(), noise_value(rng))),
                        _ => entries.push((key.clone(), child.clone())),
                    }
                    continue;
                }
                if is_empty(child) {
                    if let Some(empty) = empty_form(rng) {
                        entries.push((key.clone(), empty));
                    }
                    continue;
                }
                let mut child = churn(child, kind, rng);
                if let Value::Array(items) = &mut child {
                    if order_free(kind, key) {
                        items.shuffle(rng);
                    }
                }
                entries.push((key.clone(), child));
            }
            if rng.gen_bool(0.3) {
                entries.push((
                    "@odata.etag".to_owned(),
                    json!(format!("W/\"{}\"", rng.gen::<u32>())),
                ));
            }
            if rng.gen_bool(0.2) {
                entries.push((
                    "things@odata.navigationLink".to_owned(),
                    json!("https://graph.microsoft.com/beta/x"),
                ));
            }
            if rng.gen_bool(0.2) {
                entries.push((
                    "#microsoft.graph.newAction".to_owned(),
                    json!({"title": "newAction"}),
                ));
            }
            if rng.gen_bool(0.2) {
                if let Some(empty) = empty_form(rng) {
                    entries.push(("propertyNeverSet".to_owned(), empty));
                }
            }
            entries.shuffle(rng);
            Value::Object(entries.into_iter().collect::<Map<String, Value>>())
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| churn(i, kind, rng)).collect()),
        other => other.clone(),
    }
}

// ----- per-tenant ids -----------------------------------------------------------------------

/// A tenant's ids for the same named objects: assignments to "Pilot Devices" with the
/// "Corporate only" filter, an exclusion of "Excluded Devices", and the "Europe" scope tag.
struct Tenant {
    pilot: String,
    excluded: String,
    filter: String,
    scope_tag: String,
}

impl Tenant {
    fn reference() -> Self {
        Self {
            pilot: "c5a7d9e1-0000-4000-8000-00000000a001".to_owned(),
            excluded: "c5a7d9e1-0000-4000-8000-00000000a002".to_owned(),
            filter: "f17e0000-0000-4000-8000-00000000b001".to_owned(),
            scope_tag: "7".to_owned(),
        }
    }

    fn random(rng: &mut ChaCha8Rng) -> Self {
        let guid = |rng: &mut ChaCha8Rng| {
            let id = format!(
                "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                rng.gen::<u32>(),
                rng.gen::<u16>(),
                rng.gen_range(0..0xfff),
                rng.gen_range(0..0xfff),
                rng.gen::<u64>() & 0xffff_ffff_ffff
            );
            if rng.gen_bool(0.5) {
                id.to_ascii_uppercase()
            } else {
                id
            }
        };
        Self {
            pilot: guid(rng),
            excluded: guid(rng),
            filter: guid(rng),
            scope_tag: rng.gen_range(1..500).to_string(),
        }
    }

    fn directory(&self) -> DirectoryIndex {
        let object = |kind, id: &str, name: &str| DirectoryObject {
            kind,
            external_id: id.to_owned(),
            display_name: name.to_owned(),
        };
        DirectoryIndex::new(&[
            object(DirectoryObjectKind::Group, &self.pilot, "Pilot Devices"),
            object(
                DirectoryObjectKind::Group,
                &self.excluded,
                "Excluded Devices",
            ),
            object(
                DirectoryObjectKind::AssignmentFilter,
                &self.filter,
                "Corporate only",
            ),
            object(DirectoryObjectKind::ScopeTag, &self.scope_tag, "Europe"),
            object(
                DirectoryObjectKind::Group,
                "d0d0d0d0-0000-4000-8000-000000000000",
                "Unrelated",
            ),
        ])
    }

    /// `raw` as this tenant holds it.
    fn apply(&self, raw: &Value) -> Value {
        let mut raw = raw.clone();
        if let Some(object) = raw.as_object_mut() {
            object.insert(
                "assignments".to_owned(),
                assignments_json(&self.pilot, &self.excluded, &self.filter),
            );
            object.insert("roleScopeTagIds".to_owned(), json!(["0", self.scope_tag]));
        }
        raw
    }
}

fn corpus_len() -> usize {
    corpus().len()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    /// No noise: reordering, volatile churn, empty-form swaps and another tenant's ids for
    /// the same named objects give an identical result, hashes included.
    #[test]
    fn equivalent_captures_normalise_identically(index in 0..corpus_len(), seed in any::<u64>()) {
        let item = &corpus()[index];
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let reference = Tenant::reference();
        let other = Tenant::random(&mut rng);
        let expected = normalize(&item.kind, &reference.apply(&item.raw), &reference.directory());
        let churned = churn(&other.apply(&item.raw), &item.kind, &mut rng);
        let actual = normalize(&item.kind, &churned, &other.directory());
        prop_assert_eq!(&expected.assignments.len(), &4);
        prop_assert!(expected.unresolved.is_empty(), "{:?}", expected.unresolved);
        prop_assert_eq!(expected, actual);
    }

    /// The same, for the Conditional Access fixtures and their per-tenant ids.
    #[test]
    fn equivalent_conditional_access_policies_normalise_identically(which in 0..2usize, seed in any::<u64>()) {
        let text = [fixtures::CA_ADMIN_MFA, fixtures::CA_GUEST_STRENGTH][which];
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let ids = [fixtures::ADMINS_GROUP, fixtures::BREAK_GLASS_GROUP, fixtures::OFFICE_LOCATION, fixtures::TERMS];
        let kinds = [DirectoryObjectKind::Group, DirectoryObjectKind::Group, DirectoryObjectKind::NamedLocation, DirectoryObjectKind::TermsOfUse];
        let names = ["Tier 0 admins", "Break glass", "Head office", "Acceptable use"];
        let directory = |ids: &[String]| {
            DirectoryIndex::new(&ids.iter().zip(kinds).zip(names).map(|((id, kind), name)| DirectoryObject {
                kind,
                external_id: id.clone(),
                display_name: name.to_owned(),
            }).collect::<Vec<_>>())
        };
        let reference: Vec<String> = ids.iter().map(|s| (*s).to_owned()).collect();
        let fresh: Vec<String> = (0..4).map(|_| format!("{:08x}-1111-4222-8333-{:012x}", rng.gen::<u32>(), rng.gen::<u32>())).collect();
        let mut moved = text.to_owned();
        for (old, new) in ids.iter().zip(&fresh) {
            moved = moved.replace(old, new);
        }
        let expected = normalize("conditional_access", &fixtures::parse(text), &directory(&reference));
        let churned = churn(&fixtures::parse(&moved), "conditional_access", &mut rng);
        prop_assert_eq!(expected, normalize("conditional_access", &churned, &directory(&fresh)));
    }

    /// No misses: one real change, on top of any amount of noise, is exactly one changed
    /// path — the path of the changed setting — holding the new value.
    #[test]
    fn one_real_change_is_one_changed_path(index in 0..corpus_len(), pick in any::<prop::sample::Index>(), seed in any::<u64>()) {
        let item = &corpus()[index];
        let leaves = leaves(item);
        prop_assume!(!leaves.is_empty());
        let leaf = &leaves[pick.index(leaves.len())];
        let mut changed = (*item.raw).clone();
        if let Some(slot) = changed.pointer_mut(&leaf.pointer) {
            *slot = leaf.new_value.clone();
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let changed = churn(&changed, &item.kind, &mut rng);
        let before = normalize(&item.kind, &item.raw, &DirectoryIndex::default());
        let after = normalize(&item.kind, &changed, &DirectoryIndex::default());
        prop_assert_eq!(differing_paths(&before, &after), vec![&leaf.expected_path], "{} {}", item.name, leaf.pointer);
        if leaf.value_kept {
            prop_assert_eq!(after.settings.get(&leaf.expected_path), Some(&leaf.new_value));
        }
        prop_assert_ne!(before.settings_hash, after.settings_hash);
    }
}

/// Every leaf of every corpus policy, changed one at a time: exactly one path differs.
#[test]
fn every_single_real_change_is_exactly_one_changed_path() {
    let mut checked = 0usize;
    for item in corpus() {
        let before = normalize(&item.kind, &item.raw, &DirectoryIndex::default());
        for leaf in leaves(item) {
            let mut changed = (*item.raw).clone();
            *changed.pointer_mut(&leaf.pointer).expect("the leaf exists") = leaf.new_value.clone();
            let after = normalize(&item.kind, &changed, &DirectoryIndex::default());
            assert_eq!(
                differing_paths(&before, &after),
                vec![&leaf.expected_path],
                "{}: {}",
                item.name,
                leaf.pointer
            );
            if leaf.value_kept {
                assert_eq!(
                    after.settings.get(&leaf.expected_path),
                    Some(&leaf.new_value)
                );
            }
            checked += 1;
        }
    }
    // Every policy has leaves; the corpus has thousands.
    assert!(checked > 2500, "{checked} leaves");
}

// ----- the oracle: where each raw value lives ------------------------------------------------

/// One value of a raw policy, a real change of it, and the setting path that must change.
#[derive(Debug)]
struct Leaf {
    /// JSON pointer into the raw policy.
    pointer: String,
    new_value: Value,
    expected_path: String,
    /// The new value appears as it is at the path (not inside a set or group entry).
    value_kept: bool,
}

fn leaves(item: &crate::model::CapturedItem) -> Vec<Leaf> {
    let mut out = Vec::new();
    let Some(registry) = kinds::by_key(&item.kind) else {
        return out;
    };
    if let Some(root) = item.raw.as_object() {
        property_leaves(root, "", &mut Vec::new(), registry, &mut out);
    }
    if registry.normalization.layout == Layout::SettingsCatalog {
        if let Some(settings) = item.raw.get("settings").and_then(Value::as_array) {
            for (index, setting) in settings.iter().enumerate() {
                if let Some(instance) = setting.get("settingInstance") {
                    instance_leaves(
                        instance,
                        &format!("/settings/{index}/settingInstance"),
                        "",
                        None,
                        &mut out,
                    );
                }
            }
        }
    }
    out
}

fn changed(value: &Value) -> Option<Value> {
    match value {
        Value::Bool(b) => Some(json!(!b)),
        Value::Number(n) => n.as_i64().map(|n| json!(n + 1)),
        Value::String(s) if s.is_empty() => Some(json!("x")),
        Value::String(s) => Some(json!(format!("{s}_changed"))),
        Value::Null => Some(json!(42)),
        _ => None,
    }
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn property_leaves(
    object: &Map<String, Value>,
    pointer: &str,
    stack: &mut Vec<String>,
    kind: &kinds::ResourceKind,
    out: &mut Vec<Leaf>,
) {
    let rules = &kind.normalization;
    for (key, value) in object {
        if is_annotation(key)
            || VOLATILE_FIELDS.contains(&key.as_str())
            || (stack.is_empty()
                && (key == kind.name_field
                    || key == "assignments"
                    || (key == "settings" && rules.layout != Layout::Properties)))
        {
            continue;
        }
        stack.push(key.clone());
        let names: Vec<&str> = stack.iter().map(String::as_str).collect();
        let ruled = rules.ignored.iter().any(|p| matches(p, &names))
            || rules.secrets.iter().any(|p| matches(p, &names))
            || rules
                .conditionals
                .iter()
                .any(|c| matches(c.path, &names) || c.sibling == key);
        if !ruled {
            let here = format!("{pointer}/{}", escape_pointer(key));
            match value {
                Value::Object(child) => property_leaves(child, &here, stack, kind, out),
                Value::Array(_) => {}
                scalar => {
                    if let Some(new_value) = changed(scalar) {
                        let flag = rules.flag_fields.iter().any(|p| matches(p, &names));
                        let id = rules.id_fields.iter().any(|f| matches(f.path, &names));
                        out.push(Leaf {
                            pointer: here,
                            new_value,
                            expected_path: stack.join("/"),
                            value_kept: !flag && !id,
                        });
                    }
                }
            }
        }
        stack.pop();
    }
}

/// Settings-catalog leaves. `group` is the path of the nearest group collection with
/// several entries: a change inside one entry changes that group's value.
fn instance_leaves(
    instance: &Value,
    pointer: &str,
    chain: &str,
    group: Option<&str>,
    out: &mut Vec<Leaf>,
) {
    let Some(definition) = instance.get("settingDefinitionId").and_then(Value::as_str) else {
        return;
    };
    let path = if chain.is_empty() {
        definition.to_owned()
    } else {
        format!("{chain}/{definition}")
    };
    let expected = group.unwrap_or(&path).to_owned();
    let whole = group.is_none();
    if let Some(choice) = instance.get("choiceSettingValue") {
        if let Some(new_value) = choice.get("value").and_then(changed) {
            out.push(Leaf {
                pointer: format!("{pointer}/choiceSettingValue/value"),
                new_value,
                expected_path: expected.clone(),
                value_kept: whole,
            });
        }
        for (index, child) in choice
            .get("children")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            instance_leaves(
                child,
                &format!("{pointer}/choiceSettingValue/children/{index}"),
                &path,
                group,
                out,
            );
        }
    }
    if let Some(simple) = instance.get("simpleSettingValue") {
        if let Some(new_value) = simple.get("value").and_then(changed) {
            out.push(Leaf {
                pointer: format!("{pointer}/simpleSettingValue/value"),
                new_value,
                expected_path: expected.clone(),
                value_kept: whole,
            });
        }
    }
    for key in [
        "simpleSettingCollectionValue",
        "choiceSettingCollectionValue",
    ] {
        for (index, entry) in instance
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if let Some(new_value) = entry.get("value").and_then(changed) {
                out.push(Leaf {
                    pointer: format!("{pointer}/{key}/{index}/value"),
                    new_value,
                    expected_path: expected.clone(),
                    value_kept: false,
                });
            }
        }
    }
    if let Some(entries) = instance
        .get("groupSettingCollectionValue")
        .and_then(Value::as_array)
    {
        let inner_group = if entries.len() > 1 {
            Some(group.unwrap_or(&path))
        } else {
            group
        };
        for (index, entry) in entries.iter().enumerate() {
            for (child_index, child) in entry
                .get("children")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                instance_leaves(
                    child,
                    &format!(
                        "{pointer}/groupSettingCollectionValue/{index}/children/{child_index}"
                    ),
                    &path,
                    inner_group,
                    out,
                );
            }
        }
    }
}

//! Reading and editing Graph policy JSON: settings-catalog instances addressed by their
//! chain of `settingDefinitionId`s, plain properties addressed by their property names.
//!
//! Both address forms render as `/`-separated segments (see [`SettingPath::render`]); no
//! `settingDefinitionId` in the corpus contains a `/`, so a rendered path is unambiguous.

use serde_json::{Map, Value};

/// Where a setting lives inside one policy.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum SettingPath {
    /// A settings-catalog setting instance: the `settingDefinitionId`s from the top-level
    /// instance down through `children`.
    Setting(Vec<String>),
    /// A plain property of the policy object, from the root through nested objects.
    Property(Vec<String>),
}

impl SettingPath {
    pub(super) fn property(name: &str) -> Self {
        Self::Property(vec![name.to_owned()])
    }

    /// The record notation: segments joined with `/`.
    pub(super) fn render(&self) -> String {
        match self {
            Self::Setting(chain) | Self::Property(chain) => chain.join("/"),
        }
    }

    /// The value at this path: a setting's value (see [`instance_value`]) or the property's
    /// value. `None` when the setting or property does not exist; a property holding
    /// `null` reads as `Some(Value::Null)`.
    pub(super) fn read(&self, raw: &Value) -> Option<Value> {
        match self {
            Self::Setting(chain) => find_instance(raw, chain).and_then(instance_value),
            Self::Property(names) => property(raw, names).cloned(),
        }
    }

    /// Sets the value at this path. Settings must exist; properties are created in their
    /// (existing) parent object. Returns false when the path could not be written.
    pub(super) fn write(&self, raw: &mut Value, value: Value) -> bool {
        match self {
            Self::Setting(chain) => {
                find_instance_mut(raw, chain).is_some_and(|inst| set_instance_value(inst, value))
            }
            Self::Property(names) => {
                let Some((last, parents)) = names.split_last() else {
                    return false;
                };
                let mut node = raw;
                for name in parents {
                    match node.get_mut(name.as_str()) {
                        Some(next) => node = next,
                        None => return false,
                    }
                }
                match node.as_object_mut() {
                    Some(object) => {
                        object.insert(last.clone(), value);
                        true
                    }
                    None => false,
                }
            }
        }
    }

    /// Removes a property (keeping the other keys' order). Settings are removed with
    /// [`remove_top_setting`] instead. Returns the removed value.
    pub(super) fn remove_property(&self, raw: &mut Value) -> Option<Value> {
        let Self::Property(names) = self else {
            return None;
        };
        let (last, parents) = names.split_last()?;
        let mut node = raw;
        for name in parents {
            node = node.get_mut(name.as_str())?;
        }
        node.as_object_mut()?.shift_remove(last.as_str())
    }
}

fn property<'a>(raw: &'a Value, names: &[String]) -> Option<&'a Value> {
    let mut node = raw;
    for name in names {
        node = node.get(name.as_str())?;
    }
    Some(node)
}

/// The `settingDefinitionId` of a setting instance.
pub(super) fn def_id(instance: &Value) -> Option<&str> {
    instance.get("settingDefinitionId").and_then(Value::as_str)
}

/// The child instances of a setting instance: under a choice value, and under each entry of
/// a group collection or a choice collection.
pub(super) fn children(instance: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    let Some(object) = instance.as_object() else {
        return out;
    };
    for (key, value) in object {
        match key.as_str() {
            "choiceSettingValue" => {
                if let Some(list) = value.get("children").and_then(Value::as_array) {
                    out.extend(list.iter());
                }
            }
            "groupSettingCollectionValue" | "choiceSettingCollectionValue" => {
                for entry in value.as_array().into_iter().flatten() {
                    if let Some(list) = entry.get("children").and_then(Value::as_array) {
                        out.extend(list.iter());
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn children_mut(instance: &mut Value) -> Vec<&mut Value> {
    let mut out = Vec::new();
    let Some(object) = instance.as_object_mut() else {
        return out;
    };
    for (key, value) in object.iter_mut() {
        match key.as_str() {
            "choiceSettingValue" => {
                if let Some(list) = value.get_mut("children").and_then(Value::as_array_mut) {
                    out.extend(list.iter_mut());
                }
            }
            "groupSettingCollectionValue" | "choiceSettingCollectionValue" => {
                if let Some(entries) = value.as_array_mut() {
                    for entry in entries {
                        if let Some(list) = entry.get_mut("children").and_then(Value::as_array_mut)
                        {
                            out.extend(list.iter_mut());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The `settings` array of a settings-catalog policy.
pub(super) fn settings(raw: &Value) -> &[Value] {
    raw.get("settings")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

pub(super) fn settings_mut(raw: &mut Value) -> Option<&mut Vec<Value>> {
    raw.get_mut("settings").and_then(Value::as_array_mut)
}

/// Calls `visit(chain, instance)` for every setting instance, depth first, in order.
pub(super) fn walk_instances(raw: &Value, visit: &mut dyn FnMut(&[String], &Value)) {
    fn walk(instance: &Value, chain: &mut Vec<String>, visit: &mut dyn FnMut(&[String], &Value)) {
        let Some(id) = def_id(instance) else {
            return;
        };
        chain.push(id.to_owned());
        visit(chain, instance);
        for child in children(instance) {
            walk(child, chain, visit);
        }
        chain.pop();
    }
    let mut chain = Vec::new();
    for setting in settings(raw) {
        if let Some(instance) = setting.get("settingInstance") {
            walk(instance, &mut chain, visit);
        }
    }
}

/// The instance at the end of `chain` (the first match at each level).
pub(super) fn find_instance<'a>(raw: &'a Value, chain: &[String]) -> Option<&'a Value> {
    let (first, rest) = chain.split_first()?;
    let mut instance = settings(raw)
        .iter()
        .filter_map(|s| s.get("settingInstance"))
        .find(|i| def_id(i) == Some(first.as_str()))?;
    for id in rest {
        instance = children(instance)
            .into_iter()
            .find(|c| def_id(c) == Some(id.as_str()))?;
    }
    Some(instance)
}

pub(super) fn find_instance_mut<'a>(raw: &'a mut Value, chain: &[String]) -> Option<&'a mut Value> {
    fn descend<'a>(instance: &'a mut Value, rest: &[String]) -> Option<&'a mut Value> {
        let Some((head, tail)) = rest.split_first() else {
            return Some(instance);
        };
        let child = children_mut(instance)
            .into_iter()
            .find(|c| def_id(c) == Some(head.as_str()))?;
        descend(child, tail)
    }
    let (first, rest) = chain.split_first()?;
    let instance = settings_mut(raw)?
        .iter_mut()
        .filter_map(|s| s.get_mut("settingInstance"))
        .find(|i| def_id(i) == Some(first.as_str()))?;
    descend(instance, rest)
}

/// What a setting instance holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum InstanceShape {
    Choice,
    Simple,
    SimpleCollection,
    ChoiceCollection,
    GroupCollection,
    Other,
}

pub(super) fn shape(instance: &Value) -> InstanceShape {
    if instance.get("choiceSettingValue").is_some() {
        InstanceShape::Choice
    } else if instance.get("simpleSettingValue").is_some() {
        InstanceShape::Simple
    } else if instance.get("simpleSettingCollectionValue").is_some() {
        InstanceShape::SimpleCollection
    } else if instance.get("choiceSettingCollectionValue").is_some() {
        InstanceShape::ChoiceCollection
    } else if instance.get("groupSettingCollectionValue").is_some() {
        InstanceShape::GroupCollection
    } else {
        InstanceShape::Other
    }
}

/// The value a setting instance carries: the choice's value, the simple value, or the
/// array of values of a simple/choice collection. Group collections carry none.
pub(super) fn instance_value(instance: &Value) -> Option<Value> {
    match shape(instance) {
        InstanceShape::Choice => instance
            .get("choiceSettingValue")
            .and_then(|v| v.get("value"))
            .cloned(),
        InstanceShape::Simple => instance
            .get("simpleSettingValue")
            .and_then(|v| v.get("value"))
            .cloned(),
        InstanceShape::SimpleCollection => {
            collection_values(instance, "simpleSettingCollectionValue")
        }
        InstanceShape::ChoiceCollection => {
            collection_values(instance, "choiceSettingCollectionValue")
        }
        InstanceShape::GroupCollection | InstanceShape::Other => None,
    }
}

fn collection_values(instance: &Value, key: &str) -> Option<Value> {
    let entries = instance.get(key)?.as_array()?;
    Some(Value::Array(
        entries
            .iter()
            .filter_map(|e| e.get("value").cloned())
            .collect(),
    ))
}

/// Sets a choice or simple instance's value; for collections, `value` must be an array of
/// the same values in another order (used for reordering noise).
fn set_instance_value(instance: &mut Value, value: Value) -> bool {
    let key = match shape(instance) {
        InstanceShape::Choice => "choiceSettingValue",
        InstanceShape::Simple => "simpleSettingValue",
        InstanceShape::SimpleCollection => "simpleSettingCollectionValue",
        InstanceShape::ChoiceCollection => "choiceSettingCollectionValue",
        InstanceShape::GroupCollection | InstanceShape::Other => return false,
    };
    let Some(target) = instance.get_mut(key) else {
        return false;
    };
    match (target, value) {
        (Value::Array(entries), Value::Array(values)) => reorder_entries(entries, &values),
        (Value::Object(object), value) => {
            object.insert("value".to_owned(), value);
            true
        }
        _ => false,
    }
}

/// Reorders collection entries so that their values follow `order`; fails when `order` is
/// not a permutation of the entries' values.
fn reorder_entries(entries: &mut Vec<Value>, order: &[Value]) -> bool {
    if entries.len() != order.len() {
        return false;
    }
    let mut pool: Vec<Option<Value>> = std::mem::take(entries).into_iter().map(Some).collect();
    let mut sorted = Vec::with_capacity(pool.len());
    for wanted in order {
        let found = pool
            .iter_mut()
            .find(|slot| slot.as_ref().and_then(|e| e.get("value")) == Some(wanted))
            .and_then(Option::take);
        match found {
            Some(entry) => sorted.push(entry),
            None => {
                // Put everything back as it was: callers treat `false` as "not written".
                sorted.extend(pool.into_iter().flatten());
                *entries = sorted;
                return false;
            }
        }
    }
    *entries = sorted;
    true
}

/// True when the instance has child instances (a choice with children, any group
/// collection).
pub(super) fn has_children(instance: &Value) -> bool {
    !children(instance).is_empty()
}

/// Removes the top-level setting whose instance has `def_id`; returns it.
pub(super) fn remove_top_setting(raw: &mut Value, id: &str) -> Option<Value> {
    let list = settings_mut(raw)?;
    let position = list
        .iter()
        .position(|s| s.get("settingInstance").and_then(def_id) == Some(id))?;
    Some(list.remove(position))
}

/// A string inside a JSON value that mentions ids: where it is and where the ids are.
#[derive(Clone, Debug)]
pub(super) struct IdString {
    pub path: Vec<Step>,
    /// `(byte offset, byte length, index of the id)`, last occurrence first.
    pub at: Vec<(usize, usize, usize)>,
}

/// Replaces the ids of `strings` (found in a value identical to `value`) with
/// `replacements[id index]`; ids without a replacement stay. Occurrences are replaced
/// from the end of each string, so earlier offsets stay valid.
pub(super) fn patch_strings(value: &mut Value, strings: &[IdString], replacements: &[String]) {
    for string in strings {
        if let Some(Value::String(s)) = at_mut(value, &string.path) {
            for &(offset, length, id) in &string.at {
                if let Some(new) = replacements.get(id) {
                    if s.get(offset..offset + length).is_some() {
                        s.replace_range(offset..offset + length, new);
                    }
                }
            }
        }
    }
}

/// One step of a positional path into a JSON value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Step {
    Key(String),
    Index(usize),
}

/// Every string in `value` that contains one of `needles`.
pub(super) fn strings_containing(value: &Value, needles: &[String]) -> Vec<IdString> {
    fn walk(value: &Value, needles: &[String], path: &mut Vec<Step>, out: &mut Vec<IdString>) {
        match value {
            Value::String(s) => {
                let mut at: Vec<(usize, usize, usize)> = Vec::new();
                for (id, needle) in needles.iter().enumerate() {
                    at.extend(
                        s.match_indices(needle.as_str())
                            .map(|(o, m)| (o, m.len(), id)),
                    );
                }
                if !at.is_empty() {
                    at.sort_unstable_by_key(|a| std::cmp::Reverse(a.0));
                    out.push(IdString {
                        path: path.clone(),
                        at,
                    });
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    path.push(Step::Index(index));
                    walk(item, needles, path, out);
                    path.pop();
                }
            }
            Value::Object(object) => {
                for (key, item) in object {
                    path.push(Step::Key(key.clone()));
                    walk(item, needles, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, needles, &mut Vec::new(), &mut out);
    out
}

/// The value at a positional path.
pub(super) fn at_mut<'a>(value: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    let mut node = value;
    for step in path {
        node = match step {
            Step::Key(key) => node.get_mut(key.as_str())?,
            Step::Index(index) => node.get_mut(*index)?,
        };
    }
    Some(node)
}

/// Every `id` string anywhere in `value` that is a per-tenant object id (a GUID, possibly
/// with a `T_` prefix as app protection ids have), first occurrence first.
pub(super) fn object_ids(value: &Value) -> Vec<String> {
    fn walk(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            Value::Object(object) => {
                if let Some(id) = object.get("id").and_then(Value::as_str) {
                    if is_object_id(id) && !out.iter().any(|o| o == id) {
                        out.push(id.to_owned());
                    }
                }
                object.values().for_each(|v| walk(v, out));
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut out);
    out
}

fn is_object_id(id: &str) -> bool {
    let guid = id.strip_prefix("T_").unwrap_or(id);
    guid.len() == 36
        && guid != "00000000-0000-0000-0000-000000000000"
        && guid.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// True for values the drift engine treats as "not set": `null`, `""`, `[]`, `{}`.
pub(super) fn is_empty_equivalent(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Inserts `key: value` right after `after` when that key exists, else at the end; an
/// existing `key` is replaced in place.
pub(super) fn insert_after(object: &mut Map<String, Value>, after: &str, key: &str, value: Value) {
    if let Some(slot) = object.get_mut(key) {
        *slot = value;
        return;
    }
    match object.keys().position(|k| k == after) {
        Some(position) => {
            object.shift_insert(position + 1, key.to_owned(), value);
        }
        None => {
            object.insert(key.to_owned(), value);
        }
    }
}

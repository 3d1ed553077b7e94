//! Settings-catalog instance trees and endpoint-security intent settings.
//!
//! Instances are read by the keys they carry (`choiceSettingValue`,
//! `simpleSettingCollectionValue`, …) rather than by `@odata.type`, because exports differ
//! in which annotations they keep. See the module documentation of
//! [`crate::normalize`] for the paths and the group-collection representation.

use serde_json::{Map, Value};

use super::{
    canonical_json, field, field_of, is_empty, object_of, properties, sorted_set, Context, Sink,
};

/// Flattens a settings-catalog policy's `settings` array.
pub(super) fn flatten(settings: Option<&Value>, ctx: &mut Context, sink: &mut Sink) {
    let Some(list) = settings.and_then(Value::as_array) else {
        return;
    };
    for setting in list {
        // Graph lists `{id, settingInstance}`; a bare instance is read as well.
        let instance = field(setting, "settingInstance").unwrap_or(setting);
        if let Some(instance) = instance.as_object() {
            read_instance(instance, ctx, sink);
        }
    }
}

fn read_instance(instance: &Map<String, Value>, ctx: &mut Context, sink: &mut Sink) {
    let Some(definition) = field_of(instance, "settingDefinitionId")
        .and_then(Value::as_str)
        .filter(|d| !d.is_empty())
    else {
        return;
    };
    let mark = ctx.push_segment(definition);
    if ctx.rules.secrets.contains(&definition) {
        if instance_has_value(instance) {
            ctx.exclude_here();
        }
        ctx.pop_to(mark);
        return;
    }
    for (key, value) in instance {
        match key.as_str() {
            "choiceSettingValue" => read_choice(value, ctx, sink),
            "simpleSettingValue" => read_simple(value, ctx, sink),
            "choiceSettingCollectionValue" => read_choice_collection(value, ctx, sink),
            "simpleSettingCollectionValue" => read_simple_collection(value, ctx, sink),
            "groupSettingCollectionValue" => {
                if let Some(entries) = value.as_array() {
                    read_group(entries, ctx, sink);
                }
            }
            "groupSettingValue" if value.is_object() => {
                read_group(std::slice::from_ref(value), ctx, sink);
            }
            _ => {}
        }
    }
    ctx.pop_to(mark);
}

fn instance_has_value(instance: &Map<String, Value>) -> bool {
    instance.iter().any(|(key, value)| {
        key.ends_with("Value")
            && !key.contains('@')
            && field(value, "value").map_or(!is_empty(value), |v| !is_empty(v))
    })
}

fn read_children(value: &Map<String, Value>, ctx: &mut Context, sink: &mut Sink) {
    if let Some(children) = field_of(value, "children").and_then(Value::as_array) {
        for child in children {
            if let Some(child) = child.as_object() {
                read_instance(child, ctx, sink);
            }
        }
    }
}

fn has_children(value: &Value) -> bool {
    field(value, "children")
        .and_then(Value::as_array)
        .is_some_and(|c| !c.is_empty())
}

/// A simple, choice or collection value in canonical form; Entra SIDs resolve.
fn scalar(value: &Value, ctx: &mut Context) -> Option<Value> {
    if is_empty(value) {
        return None;
    }
    if let Value::String(text) = value {
        if let Some(resolved) = ctx.resolve_sid(text) {
            return Some(Value::String(resolved));
        }
    }
    Some(value.clone())
}

fn read_choice(value: &Value, ctx: &mut Context, sink: &mut Sink) {
    let Some(choice) = value.as_object() else {
        return;
    };
    let mut children = None;
    for (key, field) in choice {
        match key.as_str() {
            "value" => {
                if let Some(v) = scalar(field, ctx) {
                    sink.insert(&ctx.path, v);
                }
            }
            "children" => children = field.as_array(),
            _ => {}
        }
    }
    for child in children.into_iter().flatten() {
        if let Some(child) = child.as_object() {
            read_instance(child, ctx, sink);
        }
    }
}

/// Secret values (`deviceManagementConfigurationSecretSettingValue`) are per-tenant
/// encrypted tokens.
fn is_secret(simple: &Map<String, Value>) -> bool {
    field_of(simple, "valueState").is_some()
        || field_of(simple, "@odata.type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.ends_with("SecretSettingValue"))
}

fn read_simple(value: &Value, ctx: &mut Context, sink: &mut Sink) {
    let Some(simple) = value.as_object() else {
        return;
    };
    if is_secret(simple) {
        if field_of(simple, "value").is_some_and(|v| !is_empty(v)) {
            ctx.exclude_here();
        }
        return;
    }
    if let Some(v) = field_of(simple, "value").and_then(|v| scalar(v, ctx)) {
        sink.insert(&ctx.path, v);
    }
}

fn read_simple_collection(value: &Value, ctx: &mut Context, sink: &mut Sink) {
    let Some(entries) = value.as_array() else {
        return;
    };
    let mut values = Vec::with_capacity(entries.len());
    let mut secret = false;
    for entry in entries {
        let Some(simple) = entry.as_object() else {
            continue;
        };
        if is_secret(simple) {
            secret |= field_of(simple, "value").is_some_and(|v| !is_empty(v));
        } else if let Some(v) = field_of(simple, "value").and_then(|v| scalar(v, ctx)) {
            values.push(v);
        }
    }
    if secret {
        ctx.exclude_here();
    }
    if !values.is_empty() {
        sink.insert(&ctx.path, Value::Array(sorted_set(values)));
    }
}

fn read_choice_collection(value: &Value, ctx: &mut Context, sink: &mut Sink) {
    let Some(entries) = value.as_array() else {
        return;
    };
    let values: Vec<Value> = entries
        .iter()
        .filter_map(|e| field(e, "value"))
        .filter_map(|v| scalar(v, ctx))
        .collect();
    if !values.is_empty() {
        sink.insert(&ctx.path, Value::Array(sorted_set(values)));
    }
    let with_children: Vec<&Map<String, Value>> = entries
        .iter()
        .filter(|e| has_children(e))
        .filter_map(Value::as_object)
        .collect();
    if let [only] = with_children.as_slice() {
        read_children(only, ctx, sink);
        return;
    }
    for entry in with_children {
        let key = match field_of(entry, "value") {
            Some(Value::String(text)) => text.clone(),
            Some(other) => canonical_json(other),
            None => String::new(),
        };
        let mark = ctx.push_key(&key);
        read_children(entry, ctx, sink);
        ctx.pop_to(mark);
    }
}

/// A group collection: one distinct non-empty entry flattens under the group's path,
/// several make the group's value the set of their child maps.
fn read_group(entries: &[Value], ctx: &mut Context, sink: &mut Sink) {
    if let [only] = entries {
        if let Some(entry) = only.as_object() {
            read_children(entry, ctx, sink);
        }
        return;
    }
    let base = ctx.path.len() + 1;
    let mut maps: Vec<(String, Value)> = Vec::with_capacity(entries.len());
    for entry in entries {
        let Some(entry) = entry.as_object() else {
            continue;
        };
        let mut sub = Sink::new(base);
        read_children(entry, ctx, &mut sub);
        let map = sub.finish();
        if map.is_empty() {
            continue;
        }
        let object = object_of(map);
        maps.push((canonical_json(&object), object));
    }
    maps.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    maps.dedup_by(|a, b| a.0 == b.0);
    match maps.len() {
        0 => {}
        1 => {
            if let Some((_, Value::Object(fields))) = maps.pop() {
                let mut path = String::with_capacity(ctx.path.len() + 64);
                for (relative, value) in fields {
                    path.clear();
                    path.push_str(&ctx.path);
                    path.push('/');
                    path.push_str(&relative);
                    sink.insert(&path, value);
                }
            }
        }
        _ => sink.insert(
            &ctx.path,
            Value::Array(maps.into_iter().map(|(_, object)| object).collect()),
        ),
    }
}

/// Flattens an endpoint-security intent's `settings`: `{definitionId, valueJson}` pairs.
/// Values are read from `valueJson` (Graph's canonical form) or `value`; arrays inside
/// intent values are sets.
pub(super) fn flatten_intents(settings: Option<&Value>, ctx: &mut Context, sink: &mut Sink) {
    let Some(list) = settings.and_then(Value::as_array) else {
        return;
    };
    for setting in list {
        let Some(setting) = setting.as_object() else {
            continue;
        };
        let Some(definition) = field_of(setting, "definitionId")
            .and_then(Value::as_str)
            .filter(|d| !d.is_empty())
        else {
            continue;
        };
        let parsed = match field_of(setting, "valueJson") {
            Some(Value::String(json)) => {
                serde_json::from_str(json).unwrap_or_else(|_| Value::String(json.clone()))
            }
            _ => field_of(setting, "value").cloned().unwrap_or(Value::Null),
        };
        let mark = ctx.push_segment(definition);
        if ctx.rules.secrets.contains(&definition) {
            if !is_empty(&parsed) {
                ctx.exclude_here();
            }
        } else {
            ctx.arrays_are_sets = true;
            let mut stack: Vec<&str> = Vec::new();
            properties::emit(&parsed, &mut stack, ctx, sink);
            ctx.arrays_are_sets = false;
        }
        ctx.pop_to(mark);
    }
}

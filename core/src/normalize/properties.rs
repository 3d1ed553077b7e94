//! Plain properties: the policy object walked from its root, nested objects flattened into
//! property paths, arrays compared by the rule their registry entry gives.
//!
//! Two modes share the same decisions: *flatten* mode writes one setting per leaf (the
//! policy root, nested objects, keyed and merged array entries), *value* mode builds one
//! canonical value (the elements of sets and ordered arrays).

use serde_json::{Map, Value};

use super::{is_annotation, is_empty, sorted_set, Context, Sink};
use crate::kinds::{
    ConditionalAction, IdSpace, GLOBAL_ID_FIELDS, GLOBAL_SET_ARRAYS, VOLATILE_FIELDS,
};

/// What happens to one property.
enum Decision {
    Drop,
    Secret,
    Keep,
}

/// How an array is compared.
#[derive(Clone, Copy)]
enum ArrayRule {
    Ordered,
    Set,
    Merged,
    Keyed(&'static str),
    Projected(&'static [&'static str]),
}

/// True when the property-name stack matches `pattern` (see [`crate::kinds`]). Compared
/// from the end: most patterns fail on the property's own name.
pub(super) fn matches(pattern: &str, stack: &[&str]) -> bool {
    // Fast rejection on the property's own name, without splitting the pattern.
    let Some(name) = stack.last() else {
        return false;
    };
    let own_name = pattern.as_bytes().last() == name.as_bytes().last()
        && pattern.ends_with(name)
        && (pattern.len() == name.len()
            || pattern.as_bytes()[pattern.len() - name.len() - 1] == b'/');
    if !(own_name || pattern == "*" || pattern.ends_with("/*")) {
        return false;
    }
    let mut segments = pattern.rsplit('/');
    let mut names = stack.iter().rev();
    loop {
        match (segments.next(), names.next()) {
            (None, None) => return true,
            (Some(segment), Some(name)) if segment == "*" || segment == *name => {}
            _ => return false,
        }
    }
}

/// Flattens the policy's root properties, leaving out `skip` (name, assignments, …).
pub(super) fn walk_root(
    root: &Map<String, Value>,
    skip: &[&str],
    ctx: &mut Context,
    sink: &mut Sink,
) {
    let mut stack: Vec<&str> = Vec::with_capacity(8);
    walk_object(root, &mut stack, skip, ctx, sink);
}

fn skipped(key: &str, skip: &[&str]) -> bool {
    is_annotation(key) || VOLATILE_FIELDS.contains(&key) || skip.contains(&key)
}

fn walk_object<'v>(
    object: &'v Map<String, Value>,
    stack: &mut Vec<&'v str>,
    skip: &[&str],
    ctx: &mut Context,
    sink: &mut Sink,
) {
    for (key, value) in object {
        let key = key.as_str();
        if skipped(key, skip) {
            continue;
        }
        stack.push(key);
        match decide(object, stack, ctx) {
            Decision::Drop => {}
            Decision::Secret => {
                if !is_empty(value) {
                    let mark = ctx.push_segment(key);
                    ctx.exclude_here();
                    ctx.pop_to(mark);
                }
            }
            Decision::Keep => {
                let mark = ctx.push_segment(key);
                emit(value, stack, ctx, sink);
                ctx.pop_to(mark);
            }
        }
        stack.pop();
    }
}

/// Writes the settings of `value`, found at the context's path, in flatten mode.
pub(super) fn emit<'v>(
    value: &'v Value,
    stack: &mut Vec<&'v str>,
    ctx: &mut Context,
    sink: &mut Sink,
) {
    match value {
        Value::Object(object) => walk_object(object, stack, &[], ctx, sink),
        Value::Array(items) => match array_rule(stack, ctx) {
            ArrayRule::Keyed(key_path) => {
                let skip = [first_segment(key_path)];
                for item in items {
                    match item {
                        Value::Object(entry) => {
                            let key = entry_key(entry, key_path);
                            let mark = ctx.push_key(&key);
                            walk_object(entry, stack, &skip, ctx, sink);
                            ctx.pop_to(mark);
                        }
                        other => {
                            if let Some(v) = normalize_value(other, stack, ctx) {
                                sink.insert(&ctx.path, v);
                            }
                        }
                    }
                }
            }
            ArrayRule::Merged => {
                for item in items {
                    match item {
                        Value::Object(entry) => walk_object(entry, stack, &[], ctx, sink),
                        other => {
                            if let Some(v) = normalize_value(other, stack, ctx) {
                                sink.insert(&ctx.path, v);
                            }
                        }
                    }
                }
            }
            rule => {
                if let Some(v) = array_value(items, rule, stack, ctx) {
                    sink.insert(&ctx.path, v);
                }
            }
        },
        scalar => {
            if let Some(v) = leaf(scalar, stack, ctx) {
                sink.insert(&ctx.path, v);
            }
        }
    }
}

/// The canonical form of `value` (value mode); `None` when it is empty.
fn normalize_value<'v>(
    value: &'v Value,
    stack: &mut Vec<&'v str>,
    ctx: &mut Context,
) -> Option<Value> {
    match value {
        Value::Object(object) => normalize_object(object, stack, &[], ctx),
        Value::Array(items) => match array_rule(stack, ctx) {
            ArrayRule::Keyed(key_path) => {
                let skip = [first_segment(key_path)];
                let mut entries = Sink::new(0);
                for item in items {
                    let Value::Object(entry) = item else { continue };
                    let key = entry_key(entry, key_path);
                    let mark = ctx.push_key(&key);
                    if let Some(v) = normalize_object(entry, stack, &skip, ctx) {
                        entries.insert(&key, v);
                    }
                    ctx.pop_to(mark);
                }
                let entries = entries.finish();
                (!entries.is_empty()).then(|| super::object_of(entries))
            }
            // Merging only makes sense for settings; inside a value, a set says the same.
            ArrayRule::Merged => array_value(items, ArrayRule::Set, stack, ctx),
            rule => array_value(items, rule, stack, ctx),
        },
        scalar => leaf(scalar, stack, ctx),
    }
}

fn normalize_object<'v>(
    object: &'v Map<String, Value>,
    stack: &mut Vec<&'v str>,
    skip: &[&str],
    ctx: &mut Context,
) -> Option<Value> {
    let mut fields: Vec<(&'v str, Value)> = Vec::with_capacity(object.len());
    for (key, child) in object {
        let key = key.as_str();
        if skipped(key, skip) {
            continue;
        }
        stack.push(key);
        match decide(object, stack, ctx) {
            Decision::Drop => {}
            Decision::Secret => {
                if !is_empty(child) {
                    let mark = ctx.push_segment(key);
                    ctx.exclude_here();
                    ctx.pop_to(mark);
                }
            }
            Decision::Keep => {
                let mark = ctx.push_segment(key);
                if let Some(v) = normalize_value(child, stack, ctx) {
                    fields.push((key, v));
                }
                ctx.pop_to(mark);
            }
        }
        stack.pop();
    }
    if fields.is_empty() {
        return None;
    }
    fields.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut map = Map::with_capacity(fields.len());
    for (key, value) in fields {
        map.insert(key.to_owned(), value);
    }
    Some(Value::Object(map))
}

/// A set, projected set or ordered array as one value; `None` when nothing is left.
fn array_value<'v>(
    items: &'v [Value],
    rule: ArrayRule,
    stack: &mut Vec<&'v str>,
    ctx: &mut Context,
) -> Option<Value> {
    let values: Vec<Value> = match rule {
        ArrayRule::Projected(identity) => items
            .iter()
            .filter_map(|item| project(item, identity))
            .map(|id| Value::String(id.to_owned()))
            .collect(),
        _ => items
            .iter()
            .filter_map(|item| normalize_value(item, stack, ctx))
            .collect(),
    };
    if values.is_empty() {
        return None;
    }
    Some(Value::Array(match rule {
        ArrayRule::Ordered => values,
        _ => sorted_set(values),
    }))
}

/// A scalar (or an element of an array) in canonical form; `None` when it means "not set".
fn leaf(value: &Value, stack: &[&str], ctx: &mut Context) -> Option<Value> {
    if is_empty(value) {
        return None;
    }
    let rules = ctx.rules;
    if rules
        .unset_values
        .iter()
        .any(|u| u.value.matches(value) && matches(u.path, stack))
    {
        return None;
    }
    if let Some(space) = id_space(stack, ctx) {
        return match value {
            Value::String(id) => ctx.resolve_id(space, id).map(Value::String),
            other => Some(other.clone()),
        };
    }
    if let Value::String(text) = value {
        if rules.flag_fields.iter().any(|f| matches(f, stack)) {
            return Some(Value::String(normalize_flags(text)));
        }
        if let Some(resolved) = ctx.resolve_sid(text) {
            return Some(Value::String(resolved));
        }
    }
    Some(value.clone())
}

fn decide(object: &Map<String, Value>, stack: &[&str], ctx: &Context) -> Decision {
    let rules = ctx.rules;
    if rules.ignored.iter().any(|p| matches(p, stack)) {
        return Decision::Drop;
    }
    if rules.secrets.iter().any(|p| matches(p, stack)) {
        return Decision::Secret;
    }
    for conditional in rules.conditionals {
        if matches(conditional.path, stack)
            && object
                .get(conditional.sibling)
                .is_some_and(|v| conditional.values.iter().any(|l| l.matches(v)))
        {
            return match conditional.action {
                ConditionalAction::Ignore => Decision::Drop,
                ConditionalAction::Secret => Decision::Secret,
            };
        }
    }
    Decision::Keep
}

fn array_rule(stack: &[&str], ctx: &Context) -> ArrayRule {
    let rules = ctx.rules;
    if let Some(keyed) = rules.keyed_arrays.iter().find(|k| matches(k.path, stack)) {
        return ArrayRule::Keyed(keyed.key);
    }
    if rules.merged_arrays.iter().any(|p| matches(p, stack)) {
        return ArrayRule::Merged;
    }
    if let Some(projected) = rules.projected_sets.iter().find(|p| matches(p.path, stack)) {
        return ArrayRule::Projected(projected.identity);
    }
    if GLOBAL_SET_ARRAYS
        .iter()
        .chain(rules.set_arrays)
        .any(|p| matches(p, stack))
        || ctx.arrays_are_sets
    {
        return ArrayRule::Set;
    }
    ArrayRule::Ordered
}

fn id_space(stack: &[&str], ctx: &Context) -> Option<IdSpace> {
    GLOBAL_ID_FIELDS
        .iter()
        .chain(ctx.rules.id_fields)
        .find(|f| matches(f.path, stack))
        .map(|f| f.space)
}

fn first_segment(path: &str) -> &str {
    path.split('/').next().unwrap_or(path)
}

/// The value at a `/`-separated path inside an object.
fn lookup<'v>(object: &'v Map<String, Value>, path: &str) -> Option<&'v Value> {
    let mut segments = path.split('/');
    let mut node = object.get(segments.next()?)?;
    for segment in segments {
        node = node.get(segment)?;
    }
    Some(node)
}

/// The identity of a keyed-array entry: the key field's text (GUIDs lower-cased), else
/// the id in an `<object>@odata.bind` link, else empty.
fn entry_key(entry: &Map<String, Value>, key_path: &str) -> String {
    match lookup(entry, key_path) {
        Some(Value::String(text)) if !text.is_empty() => normalize_key(text),
        Some(other) if !is_empty(other) => super::canonical_json(other),
        _ => {
            let bind = format!("{}@odata.bind", first_segment(key_path));
            entry
                .get(&bind)
                .and_then(Value::as_str)
                .and_then(bound_id)
                .map(normalize_key)
                .unwrap_or_default()
        }
    }
}

/// `https://…/groupPolicyDefinitions('id')` → `id`.
fn bound_id(link: &str) -> Option<&str> {
    let start = link.rfind("('")? + 2;
    let end = link[start..].find("')")? + start;
    Some(&link[start..end])
}

fn normalize_key(text: &str) -> String {
    if looks_like_guid(text) {
        text.to_ascii_lowercase()
    } else {
        text.to_owned()
    }
}

fn looks_like_guid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// The first identity path with a non-empty string value.
fn project<'v>(item: &'v Value, identity: &[&str]) -> Option<&'v str> {
    let object = item.as_object()?;
    identity
        .iter()
        .filter_map(|path| lookup(object, path).and_then(Value::as_str))
        .find(|id| !id.is_empty())
}

/// `"mdm, microsoftSense"` → `"mdm,microsoftSense"`: flags sorted, duplicates removed.
fn normalize_flags(text: &str) -> String {
    let mut flags: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect();
    flags.sort_unstable();
    flags.dedup();
    flags.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_paths_with_wildcards() {
        assert!(matches("a/b", &["a", "b"]));
        assert!(!matches("a/b", &["b"]));
        assert!(!matches("b", &["a", "b"]));
        assert!(!matches("a/b", &["x", "a", "b"]));
        assert!(matches("*/b", &["x", "b"]));
        assert!(!matches("*/b", &["b"]));
        assert!(!matches("a/c", &["a", "b"]));
    }

    #[test]
    fn flags_compare_whatever_their_order() {
        assert_eq!(normalize_flags("microsoftSense,mdm"), "mdm,microsoftSense");
        assert_eq!(normalize_flags(" mdm , mdm,"), "mdm");
        assert_eq!(normalize_flags("windows10"), "windows10");
    }

    #[test]
    fn keys_come_from_fields_or_bind_links() {
        let entry: Map<String, Value> = serde_json::from_str(
            r#"{"definition@odata.bind": "https://graph.microsoft.com/beta/deviceManagement/groupPolicyDefinitions('ABCDEF01-2345-6789-ABCD-EF0123456789')"}"#,
        )
        .expect("valid JSON");
        assert_eq!(
            entry_key(&entry, "definition/id"),
            "abcdef01-2345-6789-abcd-ef0123456789"
        );
        let entry: Map<String, Value> =
            serde_json::from_str(r#"{"omaUri": "./Device/Vendor/MSFT/A"}"#).expect("valid JSON");
        assert_eq!(entry_key(&entry, "omaUri"), "./Device/Vendor/MSFT/A");
        let entry: Map<String, Value> =
            serde_json::from_str(r#"{"ruleName": null}"#).expect("valid JSON");
        assert_eq!(entry_key(&entry, "ruleName"), "");
    }
}

//! Assignments: who a policy applies to, compared apart from its settings.
//!
//! Each assignment becomes `include/<target>` or `exclude/<target>` (intent from the
//! target's `@odata.type`) mapped to `null` or to its details: the assignment filter
//! (`filter`, `filterType`) and, for apps, the `intent`. Assignment ids, `source` and
//! `sourceId` say how the assignment was made, not what it does, and are left out.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{is_empty, sorted_set, Context};
use crate::kinds::IdSpace;

pub(super) fn normalize(assignments: Option<&Value>, ctx: &mut Context) -> BTreeMap<String, Value> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let Some(list) = assignments.and_then(Value::as_array) else {
        return BTreeMap::new();
    };
    for assignment in list {
        let Some(assignment) = assignment.as_object() else {
            continue;
        };
        // Some exports list bare targets instead of `{target: …}` objects.
        let target = assignment
            .get("target")
            .and_then(Value::as_object)
            .unwrap_or(assignment);
        let Some(key) = target_key(target, ctx) else {
            continue;
        };
        let value = details(assignment, target, ctx);
        out.entry(key).or_default().push(value);
    }
    out.into_iter()
        .map(|(key, mut values)| {
            // Two assignments with one key (two groups with the same name) stay visible
            // as the set of their details.
            let value = if values.len() == 1 {
                values.pop().unwrap_or(Value::Null)
            } else {
                Value::Array(sorted_set(values))
            };
            (key, value)
        })
        .collect()
}

/// `include/group:<name>`, `exclude/group:<name>`, `include/all_devices`, …
fn target_key(target: &Map<String, Value>, ctx: &mut Context) -> Option<String> {
    let odata_type = target
        .get("@odata.type")
        .and_then(Value::as_str)
        .map(|t| {
            t.trim_start_matches('#')
                .trim_start_matches("microsoft.graph.")
        })
        .unwrap_or("");
    let group = || {
        target
            .get("groupId")
            .and_then(Value::as_str)
            .filter(|g| !g.trim().is_empty())
    };
    // IntuneCD writes the group's name instead of its id.
    let group_name = || {
        target
            .get("groupName")
            .and_then(Value::as_str)
            .filter(|g| !g.trim().is_empty())
    };
    let subject = |ctx: &mut Context| match (group(), group_name()) {
        (None, Some(name)) => ctx.group_by_name(name),
        (id, _) => group_subject(id, ctx),
    };
    let (intent, subject) = match odata_type {
        "groupAssignmentTarget" => ("include", subject(ctx)),
        "exclusionGroupAssignmentTarget" => ("exclude", subject(ctx)),
        "allDevicesAssignmentTarget" => ("include", "all_devices".to_owned()),
        "allLicensedUsersAssignmentTarget" => ("include", "all_licensed_users".to_owned()),
        "configurationManagerCollectionAssignmentTarget" => {
            let collection = target
                .get("collectionId")
                .and_then(Value::as_str)
                .unwrap_or("");
            ("include", format!("collection:{collection}"))
        }
        other => match group().or_else(group_name) {
            Some(_) => ("include", subject(ctx)),
            None if other.is_empty() => return None,
            None => (
                "include",
                other
                    .strip_suffix("AssignmentTarget")
                    .unwrap_or(other)
                    .to_owned(),
            ),
        },
    };
    Some(format!("{intent}/{subject}"))
}

fn group_subject(group: Option<&str>, ctx: &mut Context) -> String {
    group
        .and_then(|id| ctx.resolve_id(IdSpace::Group, id))
        .unwrap_or_else(|| "group:".to_owned())
}

/// The assignment's filter and intent, or `null`.
fn details(
    assignment: &Map<String, Value>,
    target: &Map<String, Value>,
    ctx: &mut Context,
) -> Value {
    let mut out = Map::new();
    let filter_type = target
        .get("deviceAndAppManagementAssignmentFilterType")
        .and_then(Value::as_str)
        .unwrap_or("none");
    let filter = target
        .get("deviceAndAppManagementAssignmentFilterId")
        .and_then(Value::as_str)
        .and_then(|id| ctx.resolve_id(IdSpace::AssignmentFilter, id));
    // Graph ignores a filter whose type is `none`.
    if let Some(filter) = filter.filter(|_| !filter_type.eq_ignore_ascii_case("none")) {
        out.insert("filter".to_owned(), Value::String(filter));
        out.insert(
            "filterType".to_owned(),
            Value::String(filter_type.to_owned()),
        );
    }
    if let Some(intent) = assignment.get("intent").filter(|v| !is_empty(v)) {
        out.insert("intent".to_owned(), intent.clone());
    }
    if out.is_empty() {
        Value::Null
    } else {
        Value::Object(out)
    }
}

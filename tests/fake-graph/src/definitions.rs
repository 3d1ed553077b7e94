//! Setting definitions, as `configurationPolicies/{id}/settings?$expand=settingDefinitions`
//! returns them beside each setting: the definitions of the setting's whole instance tree
//! (its children included), each with a display name, a description and, for a choice,
//! its options.
//!
//! Microsoft's catalog is not licensed for redistribution, so the fake makes its own: a
//! few definitions written here from the catalog's public documentation (with their real
//! option labels), the rest named from their ids with choice options labelled by their
//! suffix. What the client must do with them is the same either way.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, OnceLock};

use plumbline_core::normalize::setting_label;
use serde_json::{json, Map, Value};

/// A definition written out: id suffix, display name, (option suffix, label) pairs.
type Known = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// Definitions written out.
const KNOWN: &[Known] = &[
    (
        "_defaultoutboundaction",
        "Default Outbound Action",
        &[("_0", "Allow"), ("_1", "Block")],
    ),
    (
        "_defaultinboundaction",
        "Default Inbound Action",
        &[("_0", "Allow"), ("_1", "Block")],
    ),
    (
        "_enablefirewall",
        "Enable Firewall",
        &[("_false", "False"), ("_true", "True")],
    ),
    (
        "_allowrealtimemonitoring",
        "Allow Realtime Monitoring",
        &[("_0", "Not allowed"), ("_1", "Allowed")],
    ),
    (
        "_requiredevicencryption",
        "Require Device Encryption",
        &[("_0", "Disabled"), ("_1", "Enabled")],
    ),
];

/// The definitions of `setting` (`{id, settingInstance}`), children included.
pub fn for_setting(setting: &Value) -> Vec<Value> {
    let mut found: BTreeMap<String, Value> = BTreeMap::new();
    if let Some(instance) = setting.get("settingInstance").and_then(Value::as_object) {
        collect(instance, &mut found);
    }
    found.into_values().collect()
}

fn collect(instance: &Map<String, Value>, found: &mut BTreeMap<String, Value>) {
    let Some(id) = instance.get("settingDefinitionId").and_then(Value::as_str) else {
        return;
    };
    let mut chosen = Vec::new();
    let mut children: Vec<&Map<String, Value>> = Vec::new();
    let mut shape = "Simple";
    for (key, value) in instance {
        match key.as_str() {
            "choiceSettingValue" => {
                shape = "Choice";
                chosen.extend(value.get("value").and_then(Value::as_str));
                children.extend(child_instances(value));
            }
            "choiceSettingCollectionValue" => {
                shape = "ChoiceCollection";
                for entry in value.as_array().into_iter().flatten() {
                    chosen.extend(entry.get("value").and_then(Value::as_str));
                    children.extend(child_instances(entry));
                }
            }
            "groupSettingValue" => {
                shape = "SettingGroup";
                children.extend(child_instances(value));
            }
            "groupSettingCollectionValue" => {
                shape = "SettingGroupCollection";
                for entry in value.as_array().into_iter().flatten() {
                    children.extend(child_instances(entry));
                }
            }
            "simpleSettingCollectionValue" => shape = "SimpleCollection",
            _ => {}
        }
    }
    let definition = found.entry(id.to_owned()).or_insert_with(|| {
        let name = display_name(id);
        json!({
            "@odata.type": format!("#microsoft.graph.deviceManagementConfiguration{}SettingDefinition",
                if shape == "SimpleCollection" { "SimpleSettingCollection" } else if shape == "ChoiceCollection" { "ChoiceSettingCollection" } else { shape }),
            "id": id,
            "name": id.rsplit('_').next().unwrap_or(id),
            "description": format!("The {name} setting (a stand-in description from the fake Graph)."),
            "displayName": name,
            "options": if shape.starts_with("Choice") { json!([]) } else { Value::Null },
        })
    });
    if let Some(options) = definition.get_mut("options").and_then(Value::as_array_mut) {
        for option in options_for(id, &chosen) {
            let item = option["itemId"].as_str().unwrap_or_default().to_owned();
            if !options.iter().any(|o| o["itemId"] == item.as_str()) {
                options.push(option);
            }
        }
    }
    if let Some(map) = definition.as_object_mut() {
        if map.get("options") == Some(&Value::Null) {
            map.remove("options");
        }
    }
    for child in children {
        collect(child, found);
    }
}

fn child_instances(value: &Value) -> Vec<&Map<String, Value>> {
    value
        .get("children")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .collect()
}

fn known(id: &str) -> Option<&'static Known> {
    KNOWN.iter().find(|(suffix, _, _)| id.ends_with(suffix))
}

/// Names by id: a name is made once (the labeller is the fake's costliest step, and a
/// tenant's settings repeat across pages and tenants).
fn display_name(id: &str) -> String {
    static NAMES: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    let names = NAMES.get_or_init(Default::default);
    if let Some(name) = names.lock().unwrap_or_else(|e| e.into_inner()).get(id) {
        return name.clone();
    }
    let name = make_name(id);
    names
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id.to_owned(), name.clone());
    name
}

fn make_name(id: &str) -> String {
    if let Some((_, name, _)) = known(id) {
        return (*name).to_owned();
    }
    // The catalog names a setting without its area ("Allow Realtime Monitoring").
    let label = setting_label("settings_catalog", id);
    let name = label.rsplit(": ").next().unwrap_or(&label);
    name.split(' ')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A choice's options: the known ones, else the chosen ones and their usual siblings
/// (`_0`/`_1`, `_false`/`_true`), labelled by suffix.
fn options_for(id: &str, chosen: &[&str]) -> Vec<Value> {
    if let Some((_, _, options)) = known(id) {
        return options
            .iter()
            .map(|(suffix, label)| json!({"itemId": format!("{id}{suffix}"), "displayName": label, "optionValue": null}))
            .collect();
    }
    let mut items: Vec<String> = Vec::new();
    for value in chosen {
        let Some(suffix) = value.strip_prefix(id) else {
            items.push((*value).to_owned());
            continue;
        };
        match suffix {
            "_0" | "_1" => items.extend([format!("{id}_0"), format!("{id}_1")]),
            "_false" | "_true" => items.extend([format!("{id}_false"), format!("{id}_true")]),
            _ => items.push((*value).to_owned()),
        }
    }
    items.sort();
    items.dedup();
    items
        .into_iter()
        .map(|item| {
            let suffix = item
                .strip_prefix(id)
                .unwrap_or(&item)
                .trim_start_matches('_');
            let label = match suffix {
                "0" => "Disabled".to_owned(),
                "1" => "Enabled".to_owned(),
                "false" => "False".to_owned(),
                "true" => "True".to_owned(),
                other => format!("Option {other}"),
            };
            json!({"itemId": item, "displayName": label, "optionValue": null})
        })
        .collect()
}

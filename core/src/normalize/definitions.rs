//! Setting definitions: what Microsoft calls a settings-catalog setting and its options.
//!
//! Graph's `configurationSettings` (and `settings?$expand=settingDefinitions` on a policy)
//! describe each definition id with a display name, a description and, for a choice, the
//! label of every option (`…_defaultoutboundaction_1` is "Block"). No licensed offline dump
//! of them exists, so Plumbline keeps the ones its captures met: a capture records the
//! definitions of the settings it holds (read from Graph, or taken from what the workspace
//! already knows when files are imported), and so does a published baseline version. Both
//! are immutable records that sync, so every device labels a finding alike.
//!
//! Labels never change what is compared: they are applied to titles and displays only.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::label::{is_definition_id, setting_label, split_key, split_path};

/// One setting definition as far as a person needs it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingDefinition {
    /// "Default Outbound Action".
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A choice's options: option id (`itemId`) → label.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
}

/// Definitions by definition id. Ordered, so the same set always serialises alike (it is
/// stored as a content-addressed blob).
pub type SettingDefinitions = BTreeMap<String, SettingDefinition>;

/// Reads one definition as Graph returns it (`deviceManagementConfigurationSettingDefinition`
/// and its choice subtype). `None` without an id or a display name.
pub fn parse_definition(value: &Value) -> Option<(String, SettingDefinition)> {
    let object = value.as_object()?;
    let id = text(object, "id")?;
    let name = text(object, "displayName")
        .or_else(|| text(object, "name"))?
        .trim()
        .to_owned();
    if name.is_empty() {
        return None;
    }
    let description = text(object, "description")
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty());
    let options = object
        .get("options")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|option| {
            let option = option.as_object()?;
            let item = text(option, "itemId")?;
            let label = text(option, "displayName")?.trim().to_owned();
            (!label.is_empty()).then_some((item.to_owned(), label))
        })
        .collect();
    Some((
        id.to_owned(),
        SettingDefinition {
            name,
            description,
            options,
        },
    ))
}

fn text<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    object
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Takes the `settingDefinitions` Graph returns beside each setting of a settings-catalog
/// policy (`settings?$expand=settingDefinitions`, and exports made that way) out of the
/// policy into `into`: the policy is stored as the tenant holds it, the definitions once.
/// Returns how many definitions were read.
pub fn harvest(policy: &mut Map<String, Value>, into: &mut SettingDefinitions) -> usize {
    let Some(settings) = policy.get_mut("settings").and_then(Value::as_array_mut) else {
        return 0;
    };
    let mut read = 0;
    for setting in settings {
        let Some(setting) = setting.as_object_mut() else {
            continue;
        };
        let Some(definitions) = setting.remove("settingDefinitions") else {
            continue;
        };
        for definition in definitions.as_array().into_iter().flatten() {
            if let Some((id, definition)) = parse_definition(definition) {
                into.insert(id, definition);
                read += 1;
            }
        }
    }
    read
}

/// The definition ids a normalised setting path names (`a/b[key]/c` → a, b, c; property
/// paths name none).
pub fn path_definition_ids(path: &str) -> impl Iterator<Item = &str> {
    split_path(path)
        .into_iter()
        .map(|segment| split_key(segment).0)
        .filter(|name| is_definition_id(name))
}

/// The definition ids `paths` name, for choosing which definitions a record keeps.
pub fn referenced_ids<'a>(paths: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    paths
        .into_iter()
        .flat_map(path_definition_ids)
        .map(str::to_owned)
        .collect()
}

/// Every `settingDefinitionId` in a raw policy (its whole instance trees).
pub fn definition_ids_in(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("settingDefinitionId", Value::String(id)) if !id.is_empty() => {
                        out.insert(id.clone());
                    }
                    _ => definition_ids_in(value, out),
                }
            }
        }
        Value::Array(values) => values.iter().for_each(|v| definition_ids_in(v, out)),
        _ => {}
    }
}

/// Labels from one or more sets of definitions (the first that knows an id wins), with
/// the path-derived label as the fallback.
#[derive(Debug, Default)]
pub struct Labels<'a> {
    definitions: Vec<&'a SettingDefinitions>,
    options: HashMap<&'a str, &'a str>,
}

impl<'a> Labels<'a> {
    pub fn new(sets: impl IntoIterator<Item = &'a SettingDefinitions>) -> Self {
        let definitions: Vec<&SettingDefinitions> = sets.into_iter().collect();
        let mut options = HashMap::new();
        for set in &definitions {
            for definition in set.values() {
                for (item, label) in &definition.options {
                    options.entry(item.as_str()).or_insert(label.as_str());
                }
            }
        }
        Self {
            definitions,
            options,
        }
    }

    /// True when no definition is known (every label is derived from the path).
    pub fn is_empty(&self) -> bool {
        self.definitions.iter().all(|set| set.is_empty())
    }

    pub fn definition(&self, id: &str) -> Option<&'a SettingDefinition> {
        self.definitions.iter().find_map(|set| set.get(id))
    }

    /// "Default Outbound Action" for a path ending in a known definition (with the group
    /// key when there is one); otherwise the label derived from the path.
    pub fn setting(&self, kind: &str, path: &str) -> String {
        let segments = split_path(path);
        if let Some(last) = segments.last() {
            let (name, key) = split_key(last);
            if let Some(definition) = self.definition(name) {
                return match key {
                    Some(key) if !key.is_empty() => format!("{} ({key})", definition.name),
                    _ => definition.name.clone(),
                };
            }
        }
        setting_label(kind, path)
    }

    /// A value as a person reads it: a choice's option label ("Block") where it is known,
    /// lists element by element; other values as they are.
    pub fn value(&self, value: &Value) -> Option<String> {
        match value {
            Value::String(text) => self.options.get(text.as_str()).map(|l| (*l).to_owned()),
            Value::Array(values) if !values.is_empty() => {
                let labels: Vec<String> = values
                    .iter()
                    .map(|v| match (self.value(v), v) {
                        (Some(label), _) => label,
                        (None, Value::String(s)) => s.clone(),
                        (None, other) => other.to_string(),
                    })
                    .collect();
                values
                    .iter()
                    .any(|v| v.as_str().is_some_and(|s| self.options.contains_key(s)))
                    .then(|| labels.join(", "))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn firewall() -> Value {
        json!({
            "@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingDefinition",
            "id": "vendor_msft_firewall_mdmstore_domainprofile_defaultoutboundaction",
            "displayName": "Default Outbound Action",
            "description": "This value is the action that the firewall does by default.",
            "options": [
                {"itemId": "vendor_msft_firewall_mdmstore_domainprofile_defaultoutboundaction_0", "displayName": "Allow"},
                {"itemId": "vendor_msft_firewall_mdmstore_domainprofile_defaultoutboundaction_1", "displayName": "Block"}
            ]
        })
    }

    #[test]
    fn harvesting_takes_definitions_out_of_the_policy() {
        let mut policy = json!({
            "name": "Firewall",
            "settings": [{
                "id": "0",
                "settingInstance": {"settingDefinitionId": "vendor_msft_firewall_mdmstore_domainprofile_defaultoutboundaction"},
                "settingDefinitions": [firewall(), {"id": "no_name"}]
            }]
        });
        let mut definitions = SettingDefinitions::new();
        let read = harvest(policy.as_object_mut().expect("an object"), &mut definitions);
        assert_eq!(read, 1, "a definition without a display name is not one");
        assert!(policy["settings"][0].get("settingDefinitions").is_none());
        let definition =
            &definitions["vendor_msft_firewall_mdmstore_domainprofile_defaultoutboundaction"];
        assert_eq!(definition.name, "Default Outbound Action");
        assert_eq!(definition.options.len(), 2);
    }

    #[test]
    fn labels_name_settings_and_options_and_fall_back_to_the_path() {
        let (id, definition) = parse_definition(&firewall()).expect("a definition");
        let definitions: SettingDefinitions = [(id.clone(), definition)].into();
        let labels = Labels::new([&definitions]);
        assert_eq!(
            labels.setting("settings_catalog", &format!("parent_x/{id}")),
            "Default Outbound Action"
        );
        assert_eq!(
            labels.value(&json!(format!("{id}_1"))).as_deref(),
            Some("Block")
        );
        assert_eq!(labels.value(&json!("something else")), None);
        assert_eq!(
            labels
                .value(&json!([format!("{id}_0"), "other"]))
                .as_deref(),
            Some("Allow, other")
        );
        // Unknown definitions keep the label derived from the path.
        assert_eq!(
            labels.setting(
                "settings_catalog",
                "device_vendor_msft_policy_config_defender_allowrealtimemonitoring"
            ),
            setting_label(
                "settings_catalog",
                "device_vendor_msft_policy_config_defender_allowrealtimemonitoring"
            )
        );
        assert_eq!(
            referenced_ids([format!("a_b/{id}[k]/c").as_str(), "passwordMinimumLength"]),
            ["a_b".to_owned(), id].into_iter().collect()
        );
    }
}

//! Turning what exporters write back into the Graph object it stands for, so that the
//! same policy exported by any tool is the same item: PowerShell artefacts (Windows
//! PowerShell 5.1 dates, single-item arrays collapsed into their item), the Graph SDK's
//! wrapper object, the endpoint-security `settingsDelta` form of Microsoft's samples, and
//! the tenant's id against IntuneManagement's `%OrganizationId%` placeholder.
//!
//! Every repair says what it did, for the import's per-file report.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// IntuneManagement writes the tenant's id as this placeholder in every file it saves.
pub const ORGANIZATION_PLACEHOLDER: &str = "%OrganizationId%";

/// Properties that hold collections in the kinds Plumbline reads. PowerShell writes a
/// one-item collection as the item itself when it went through the pipeline; these are
/// put back into an array.
const COLLECTIONS: &[&str] = &[
    "assignments",
    "settings",
    "settingsDelta",
    "children",
    "groupSettingCollectionValue",
    "choiceSettingCollectionValue",
    "simpleSettingCollectionValue",
    "definitionValues",
    "presentationValues",
    "scheduledActionsForRule",
    "scheduledActionConfigurations",
    "notificationMessageCCList",
    "omaSettings",
    "roleScopeTagIds",
    "apps",
    "includeUsers",
    "excludeUsers",
    "includeGroups",
    "excludeGroups",
    "includeRoles",
    "excludeRoles",
    "includeGuestsOrExternalUsers",
    "includeApplications",
    "excludeApplications",
    "includeUserActions",
    "includePlatforms",
    "excludePlatforms",
    "includeLocations",
    "excludeLocations",
    "clientAppTypes",
    "builtInControls",
    "customAuthenticationFactors",
    "termsOfUse",
    "userRiskLevels",
    "signInRiskLevels",
    "servicePrincipalRiskLevels",
    "validOperatingSystemBuildRanges",
];

/// What the repairs changed in one object.
#[derive(Debug, Default)]
pub struct Repaired {
    pub notes: Vec<String>,
}

impl Repaired {
    fn note(&mut self, count: usize, what: &str) {
        if count > 0 {
            self.notes.push(format!("{what} ({count})"));
        }
    }
}

/// Applies every repair to one exported object.
pub fn repair(
    map: Map<String, Value>,
    organization_id: Option<&str>,
) -> (Map<String, Value>, Repaired) {
    let mut repaired = Repaired::default();
    let mut map = unwrap_sdk_wrapper(map, &mut repaired);
    let mut value = Value::Object(std::mem::take(&mut map));
    let dates = powershell_dates(&mut value);
    repaired.note(
        dates,
        "Windows PowerShell \\/Date()\\/ values read as dates",
    );
    let arrays = collapsed_arrays(&mut value, None);
    repaired.note(arrays, "single-item lists PowerShell wrote as their item");
    if let Some(id) = organization_id.filter(|id| !id.trim().is_empty()) {
        let replaced = organization_placeholder(&mut value, id.trim());
        repaired.note(replaced, "the tenant's id read as %OrganizationId%");
    }
    let Value::Object(mut map) = value else {
        return (Map::new(), repaired);
    };
    intent_form(&mut map, &mut repaired);
    (map, repaired)
}

/// The Graph PowerShell SDK's objects (`Get-Mg…`) written as they are: PascalCase `Id`,
/// `DisplayName`, `Version` and the Graph properties under `AdditionalProperties`.
fn unwrap_sdk_wrapper(mut map: Map<String, Value>, repaired: &mut Repaired) -> Map<String, Value> {
    let wrapper = map.contains_key("AdditionalProperties")
        && map
            .keys()
            .all(|k| k.chars().next().is_some_and(char::is_uppercase));
    if !wrapper {
        return map;
    }
    let Some(Value::Object(inner)) = map.remove("AdditionalProperties") else {
        return map;
    };
    let mut out = Map::new();
    // Graph's own properties first, then the SDK's typed ones under their Graph names.
    for (key, value) in inner {
        out.insert(key, value);
    }
    for (key, value) in map {
        let mut chars = key.chars();
        let graph_name = match chars.next() {
            Some(first) => first.to_lowercase().chain(chars).collect::<String>(),
            None => continue,
        };
        out.entry(graph_name).or_insert(value);
    }
    repaired
        .notes
        .push("the Graph SDK's AdditionalProperties wrapper unwrapped".to_owned());
    out
}

/// `"\/Date(1700000000000)\/"` (with an optional `+hhmm` offset) as an ISO 8601 time.
fn powershell_dates(value: &mut Value) -> usize {
    match value {
        Value::String(text) => match powershell_date(text) {
            Some(iso) => {
                *text = iso;
                1
            }
            None => 0,
        },
        Value::Array(items) => items.iter_mut().map(powershell_dates).sum(),
        Value::Object(map) => map.values_mut().map(powershell_dates).sum(),
        _ => 0,
    }
}

fn powershell_date(text: &str) -> Option<String> {
    let inner = text.strip_prefix("/Date(")?.strip_suffix(")/")?;
    // The offset only says which zone the writer was in; the milliseconds are UTC.
    let digits_end = inner
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '+' || *c == '-')
        .map_or(inner.len(), |(i, _)| i);
    let millis: i64 = inner[..digits_end].parse().ok()?;
    let time: DateTime<Utc> = DateTime::from_timestamp_millis(millis)?;
    Some(if millis % 1000 == 0 {
        time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    })
}

/// Puts collapsed collections back into arrays; `key` is the property holding `value`.
fn collapsed_arrays(value: &mut Value, key: Option<&str>) -> usize {
    let mut count = 0;
    if key.is_some_and(|k| COLLECTIONS.contains(&k))
        && !matches!(value, Value::Array(_) | Value::Null)
    {
        let item = std::mem::take(value);
        *value = Value::Array(vec![item]);
        count += 1;
    }
    count
        + match value {
            Value::Array(items) => items.iter_mut().map(|v| collapsed_arrays(v, None)).sum(),
            Value::Object(map) => map
                .iter_mut()
                .map(|(k, v)| collapsed_arrays(v, Some(k)))
                .sum(),
            _ => 0,
        }
}

/// Replaces the tenant's id in string values by IntuneManagement's placeholder, so an
/// export that wrote the real id and one that wrote the placeholder compare equal.
fn organization_placeholder(value: &mut Value, id: &str) -> usize {
    match value {
        Value::String(text) => {
            let lower = text.to_ascii_lowercase();
            let wanted = id.to_ascii_lowercase();
            if !lower.contains(&wanted) {
                return 0;
            }
            let mut out = String::with_capacity(text.len());
            let mut rest = 0;
            let mut count = 0;
            while let Some(found) = lower[rest..].find(&wanted) {
                out.push_str(&text[rest..rest + found]);
                out.push_str(ORGANIZATION_PLACEHOLDER);
                rest += found + wanted.len();
                count += 1;
            }
            out.push_str(&text[rest..]);
            *text = out;
            count
        }
        Value::Array(items) => items
            .iter_mut()
            .map(|v| organization_placeholder(v, id))
            .sum(),
        Value::Object(map) => map
            .values_mut()
            .map(|v| organization_placeholder(v, id))
            .sum(),
        _ => 0,
    }
}

/// Microsoft's endpoint-security sample export: `{displayName, description, TemplateId,
/// TemplateDisplayName, versionInfo, settingsDelta[…]}`. As Graph has it: `templateId`
/// and `settings`; the sample's own additions go.
fn intent_form(map: &mut Map<String, Value>, repaired: &mut Repaired) {
    if !map.contains_key("settingsDelta") {
        return;
    }
    if let Some(template) = map.remove("TemplateId") {
        map.entry("templateId").or_insert(template);
    }
    map.remove("TemplateDisplayName");
    map.remove("versionInfo");
    if let Some(delta) = map.remove("settingsDelta") {
        let settings_empty = map
            .get("settings")
            .is_none_or(|s| s.as_array().is_some_and(Vec::is_empty) || s.is_null());
        if settings_empty {
            map.insert("settings".to_owned(), delta);
        }
    }
    repaired
        .notes
        .push("the sample export's settingsDelta read as the intent's settings".to_owned());
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn powershell_dates_become_iso_times() {
        assert_eq!(
            powershell_date("/Date(1700000000000)/").as_deref(),
            Some("2023-11-14T22:13:20Z")
        );
        assert_eq!(
            powershell_date("/Date(1700000000123+0100)/").as_deref(),
            Some("2023-11-14T22:13:20.123Z")
        );
        assert_eq!(
            powershell_date("/Date(-62135596800000)/").as_deref(),
            Some("0001-01-01T00:00:00Z")
        );
        assert_eq!(powershell_date("/Date(soon)/"), None);
        assert_eq!(powershell_date("Date(1)"), None);
    }

    #[test]
    fn collapsed_collections_become_arrays_again() {
        let (map, repaired) = repair(
            object(json!({
                "displayName": "X",
                "roleScopeTagIds": "0",
                "assignments": {"target": {"groupId": "g"}},
                "settings": [{"settingInstance": {"choiceSettingValue": {"value": "v", "children": {"a": 1}}}}],
                "description": {"not": "a collection"},
                "modified": "/Date(1700000000000)/"
            })),
            None,
        );
        assert_eq!(map["roleScopeTagIds"], json!(["0"]));
        assert_eq!(map["assignments"], json!([{"target": {"groupId": "g"}}]));
        assert_eq!(
            map["settings"][0]["settingInstance"]["choiceSettingValue"]["children"],
            json!([{"a": 1}])
        );
        assert_eq!(map["description"], json!({"not": "a collection"}));
        assert_eq!(map["modified"], json!("2023-11-14T22:13:20Z"));
        assert_eq!(repaired.notes.len(), 2, "{:?}", repaired.notes);
    }

    #[test]
    fn the_sdk_wrapper_and_the_sample_intent_form_read_as_graph() {
        let (map, _) = repair(
            object(json!({
                "Id": "1",
                "DisplayName": "Restrictions",
                "Version": 3,
                "AdditionalProperties": {"@odata.type": "#microsoft.graph.windows10GeneralConfiguration", "passwordRequired": true}
            })),
            None,
        );
        assert_eq!(
            Value::Object(map),
            json!({"@odata.type": "#microsoft.graph.windows10GeneralConfiguration", "passwordRequired": true, "id": "1", "displayName": "Restrictions", "version": 3})
        );
        let (map, repaired) = repair(
            object(json!({
                "displayName": "BitLocker",
                "description": "",
                "roleScopeTagIds": ["0"],
                "TemplateDisplayName": "BitLocker",
                "TemplateId": "d1174162-1dd2-4976-affc-6667049ab0ae",
                "versionInfo": "November 2020",
                "settingsDelta": [{"definitionId": "d", "valueJson": "true"}]
            })),
            None,
        );
        assert_eq!(
            Value::Object(map),
            json!({
                "displayName": "BitLocker",
                "description": "",
                "roleScopeTagIds": ["0"],
                "templateId": "d1174162-1dd2-4976-affc-6667049ab0ae",
                "settings": [{"definitionId": "d", "valueJson": "true"}]
            })
        );
        assert_eq!(repaired.notes.len(), 1);
    }

    #[test]
    fn the_tenant_id_reads_as_the_placeholder() {
        let id = "11111111-2222-3333-4444-555555555555";
        let (map, _) = repair(
            object(json!({
                "conditions": {"users": {"includeUsers": ["All"]}, "externalTenants": "11111111-2222-3333-4444-555555555555"},
                "link": "https://x/11111111-2222-3333-4444-555555555555/y/11111111-2222-3333-4444-555555555555",
                "other": "99999999-2222-3333-4444-555555555555"
            })),
            Some(&id.to_uppercase()),
        );
        assert_eq!(
            map["conditions"]["externalTenants"],
            json!("%OrganizationId%")
        );
        assert_eq!(
            map["link"],
            json!("https://x/%OrganizationId%/y/%OrganizationId%")
        );
        assert_eq!(map["other"], json!("99999999-2222-3333-4444-555555555555"));
    }
}

//! The same small tenant as each exporter writes it, with the quirks users met: every
//! layout must import to the same policies, and those policies must normalise to the same
//! settings and assignments (a baseline made from one export sees no drift in another).
//!
//! The fixtures are written here from the exporters' documented and observed formats
//! (IntuneManagement 3.9, IntuneCD 2.x, the admin center's Export JSON, Microsoft's
//! PowerShell samples); they are small on purpose.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::*;
use crate::normalize::{normalize, DirectoryIndex};

pub(crate) const TENANT_ID: &str = "7a1c9e52-3f4b-4d2a-9c1e-5b6d7e8f9a0b";
const G_PILOT: &str = "1f1e1d1c-0000-4000-8000-00000000aaa1";
const G_BREAK_GLASS: &str = "1f1e1d1c-0000-4000-8000-00000000aaa2";
const F_WIN11: &str = "2e2e2e2e-0000-4000-8000-00000000bbb1";
const D_STARTUP: &str = "3c3c3c3c-0000-4000-8000-00000000ccc1";
const P_STARTUP_URLS: &str = "3c3c3c3c-0000-4000-8000-00000000ccc2";
const T_BITLOCKER: &str = "d1174162-1dd2-4976-affc-6667049ab0ae";
const GRAPH: &str = "https://graph.microsoft.com/beta";

pub(crate) const SETTINGS_CATALOG: &str = "Win - OIB - Defender - D - AV Configuration - v3.1";
pub(crate) const COMPLIANCE: &str = "Win - OIB - CP - Device Health - v3.0";
pub(crate) const ADMIN_TEMPLATE: &str = "Win - OIB - Edge - D - Startup Pages - v1.0";
pub(crate) const INTENT: &str = "Win - OIB - ES - BitLocker - D - v3.0";
pub(crate) const CONDITIONAL_ACCESS: &str = "CA001 - Require MFA for admins";

fn id(n: u32) -> String {
    format!("0b6c9ea7-{n:04x}-4000-8000-000000000000")
}

/// A settings catalog setting instance, as Graph returns it with full metadata.
fn choice(definition: &str, value: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance",
        "settingDefinitionId": definition,
        "settingInstanceTemplateReference": null,
        "choiceSettingValue": {
            "@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingValue",
            "settingValueTemplateReference": null,
            "value": format!("{definition}_{value}"),
            "children": []
        }
    })
}

fn integer(definition: &str, value: i64) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.deviceManagementConfigurationSimpleSettingInstance",
        "settingDefinitionId": definition,
        "settingInstanceTemplateReference": null,
        "simpleSettingValue": {
            "@odata.type": "#microsoft.graph.deviceManagementConfigurationIntegerSettingValue",
            "settingValueTemplateReference": null,
            "value": value
        }
    })
}

/// Strips `@odata.type` from setting values, as minimal metadata and IntuneCD have them
/// (instances keep theirs: they are polymorphic).
fn minimal_values(mut setting: Value) -> Value {
    for value in ["choiceSettingValue", "simpleSettingValue"] {
        if let Some(v) = setting.get_mut(value).and_then(Value::as_object_mut) {
            v.remove("@odata.type");
        }
    }
    setting
}

fn catalog_settings(full: bool) -> Value {
    let settings = [
        choice(
            "device_vendor_msft_policy_config_defender_allowrealtimemonitoring",
            "1",
        ),
        choice(
            "device_vendor_msft_policy_config_defender_puaprotection",
            "2",
        ),
        integer(
            "device_vendor_msft_policy_config_defender_avgcpuloadfactor",
            30,
        ),
    ];
    Value::Array(
        settings
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let s = if full { s } else { minimal_values(s) };
                json!({"id": i.to_string(), "settingInstance": s})
            })
            .collect(),
    )
}

/// Assignments by id (Graph, IntuneManagement).
fn assignments_by_id() -> Value {
    json!([
        {"id": format!("{}_{G_PILOT}", id(1)), "source": "direct", "sourceId": id(1), "target": {
            "@odata.type": "#microsoft.graph.groupAssignmentTarget",
            "deviceAndAppManagementAssignmentFilterId": F_WIN11,
            "deviceAndAppManagementAssignmentFilterType": "include",
            "groupId": G_PILOT}},
        {"id": format!("{}_{G_BREAK_GLASS}", id(1)), "source": "direct", "sourceId": id(1), "target": {
            "@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget",
            "deviceAndAppManagementAssignmentFilterId": null,
            "deviceAndAppManagementAssignmentFilterType": "none",
            "groupId": G_BREAK_GLASS}}
    ])
}

/// Assignments as IntuneCD writes them: names, no ids.
fn assignments_by_name() -> Value {
    json!([
        {"source": "direct", "target": {
            "@odata.type": "#microsoft.graph.groupAssignmentTarget",
            "deviceAndAppManagementAssignmentFilterId": "Windows 11 devices",
            "deviceAndAppManagementAssignmentFilterType": "include",
            "groupName": "Pilot devices",
            "groupType": "StaticMembership"}},
        {"source": "direct", "target": {
            "@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget",
            "deviceAndAppManagementAssignmentFilterId": null,
            "deviceAndAppManagementAssignmentFilterType": "none",
            "groupName": "Break glass devices",
            "groupType": "DynamicMembership",
            "membershipRule": "(device.displayName -startsWith \"BG-\")"}}
    ])
}

fn settings_catalog_graph() -> Value {
    json!({
        "@odata.type": "#microsoft.graph.deviceManagementConfigurationPolicy",
        "id": id(1),
        "name": SETTINGS_CATALOG,
        "description": "Defender antivirus baseline",
        "platforms": "windows10",
        "technologies": "mdm,microsoftSense",
        "createdDateTime": "2024-04-10T19:37:35.0109612Z",
        "lastModifiedDateTime": "2024-05-01T08:00:00Z",
        "settingCount": 3,
        "creationSource": null,
        "roleScopeTagIds": ["0"],
        "isAssigned": true,
        "templateReference": {"templateId": "", "templateFamily": "none", "templateDisplayName": null, "templateDisplayVersion": null},
        "settings": catalog_settings(true),
        "assignments": assignments_by_id()
    })
}

fn compliance_graph() -> Value {
    json!({
        "@odata.type": "#microsoft.graph.windows10CompliancePolicy",
        "id": id(2),
        "displayName": COMPLIANCE,
        "description": null,
        "createdDateTime": "2024-04-10T19:37:35Z",
        "lastModifiedDateTime": "2024-04-11T19:37:35Z",
        "version": 4,
        "roleScopeTagIds": ["0"],
        "passwordRequired": true,
        "passwordMinimumLength": 14,
        "bitLockerEnabled": true,
        "secureBootEnabled": true,
        "scheduledActionsForRule": [{
            "id": id(20),
            "ruleName": "PasswordRequired",
            "scheduledActionConfigurations": [{
                "id": id(21),
                "actionType": "block",
                "gracePeriodHours": 12,
                "notificationTemplateId": "00000000-0000-0000-0000-000000000000",
                "notificationMessageCCList": []
            }]
        }],
        "assignments": [{"id": id(22), "target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget",
            "deviceAndAppManagementAssignmentFilterId": null, "deviceAndAppManagementAssignmentFilterType": "none"}}]
    })
}

fn admin_template_graph() -> Value {
    json!({
        "id": id(3),
        "displayName": ADMIN_TEMPLATE,
        "description": "",
        "roleScopeTagIds": ["0"],
        "policyConfigurationIngestionType": "builtIn",
        "createdDateTime": "2024-04-10T19:37:35Z",
        "lastModifiedDateTime": "2024-04-10T19:37:35Z",
        "definitionValues": [{
            "id": id(30),
            "enabled": true,
            "configurationType": "policy",
            "createdDateTime": "2024-04-10T19:37:35Z",
            "lastModifiedDateTime": "2024-04-10T19:37:35Z",
            "definition": {"id": D_STARTUP, "displayName": "Sites to open when the browser starts", "classType": "machine", "categoryPath": "\\Microsoft Edge\\Startup, home page and new tab page"},
            "presentationValues": [{
                "@odata.type": "#microsoft.graph.groupPolicyPresentationValueList",
                "id": id(31),
                "values": [{"name": "https://intranet.contoso.example", "value": null}, {"name": "https://portal.office.com", "value": null}],
                "presentation": {"@odata.type": "#microsoft.graph.groupPolicyPresentationListBox", "id": P_STARTUP_URLS, "label": "Sites to open when the browser starts"}
            }]
        }],
        "assignments": [{"id": id(32), "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget",
            "deviceAndAppManagementAssignmentFilterId": null, "deviceAndAppManagementAssignmentFilterType": "none", "groupId": G_PILOT}}]
    })
}

fn intent_settings() -> Value {
    json!([
        {"@odata.type": "#microsoft.graph.deviceManagementBooleanSettingInstance", "id": id(40),
         "definitionId": "deviceConfiguration--windows10EndpointProtectionConfiguration_bitLockerEncryptDevice",
         "valueJson": "true", "value": true},
        {"@odata.type": "#microsoft.graph.deviceManagementComplexSettingInstance", "id": id(41),
         "definitionId": "deviceConfiguration--windows10EndpointProtectionConfiguration_bitLockerSystemDrivePolicy",
         "valueJson": "{\"startupAuthenticationRequired\":true,\"encryptionMethod\":\"xtsAes256\"}"}
    ])
}

fn intent_graph() -> Value {
    json!({
        "@odata.type": "#microsoft.graph.deviceManagementIntent",
        "id": id(4),
        "displayName": INTENT,
        "description": "",
        "isAssigned": false,
        "isMigratingToConfigurationPolicy": false,
        "lastModifiedDateTime": "2024-04-10T19:37:35Z",
        "templateId": T_BITLOCKER,
        "roleScopeTagIds": ["0"],
        "settings": intent_settings()
    })
}

fn conditional_access_graph(tenant: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.conditionalAccessPolicy",
        "id": id(5),
        "displayName": CONDITIONAL_ACCESS,
        "createdDateTime": "2024-04-10T19:37:35Z",
        "modifiedDateTime": null,
        "state": "enabled",
        "conditions": {
            "userRiskLevels": [],
            "signInRiskLevels": [],
            "clientAppTypes": ["all"],
            "applications": {"includeApplications": ["All"], "excludeApplications": []},
            "users": {
                "includeUsers": [],
                "excludeUsers": [],
                "includeRoles": ["62e90394-69f5-4237-9190-012177145e10"],
                "excludeRoles": [],
                "excludeGuestsOrExternalUsers": {
                    "guestOrExternalUserTypes": "b2bCollaborationGuest",
                    "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
                        "membershipKind": "enumerated", "members": [tenant]}
                }
            }
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"], "customAuthenticationFactors": [], "termsOfUse": []},
        "sessionControls": null
    })
}

/// The tenant's policies as Graph has them.
fn graph_policies() -> Vec<Value> {
    vec![
        settings_catalog_graph(),
        compliance_graph(),
        admin_template_graph(),
        intent_graph(),
        conditional_access_graph(TENANT_ID),
    ]
}

fn directory_page() -> Value {
    json!({"@odata.context": format!("{GRAPH}/$metadata#groups"), "value": [
        {"id": G_PILOT, "displayName": "Pilot devices"},
        {"id": G_BREAK_GLASS, "displayName": "Break glass devices"}
    ]})
}

fn filter_page() -> Value {
    json!({"@odata.context": format!("{GRAPH}/$metadata#deviceManagement/assignmentFilters"), "value": [
        {"@odata.type": "#microsoft.graph.deviceAndAppManagementAssignmentFilter", "id": F_WIN11, "displayName": "Windows 11 devices", "platform": "windows10AndLater", "rule": "(device.osVersion -startsWith \"10.0.22\")"}
    ]})
}

/// Windows PowerShell 5.1's ConvertTo-Json: two spaces after the colon.
fn ps51(value: &Value) -> String {
    serde_json::to_string_pretty(value)
        .unwrap_or_default()
        .replace("\": ", "\":  ")
        .replace('\n', "\r\n")
}

fn utf16le_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

fn utf8_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    out.extend_from_slice(text.as_bytes());
    out
}

/// Python's `json.dump(indent=5)`, as IntuneCD writes.
fn intunecd_json(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"     ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    serde::Serialize::serialize(value, &mut serializer).unwrap_or_default();
    out
}

/// Adds IntuneManagement's full-metadata annotations to an object.
fn full_metadata(mut value: Value, collection: &str) -> Value {
    let object_id = value["id"].as_str().unwrap_or_default().to_owned();
    if let Some(map) = value.as_object_mut() {
        let mut annotated = Map::new();
        annotated.insert(
            "@odata.context".to_owned(),
            json!(format!(
                "{GRAPH}/$metadata#{collection}(assignments())/$entity"
            )),
        );
        for (key, v) in std::mem::take(map) {
            if key == "createdDateTime" {
                annotated.insert(
                    "createdDateTime@odata.type".to_owned(),
                    json!("#DateTimeOffset"),
                );
            }
            if key == "roleScopeTagIds" {
                annotated.insert(
                    "roleScopeTagIds@odata.type".to_owned(),
                    json!("#Collection(String)"),
                );
            }
            annotated.insert(key, v);
        }
        annotated.insert(
            "@odata.id".to_owned(),
            json!(format!("{collection}('{object_id}')")),
        );
        annotated.insert(
            "assignments@odata.navigationLink".to_owned(),
            json!(format!("{GRAPH}/{collection}('{object_id}')/assignments")),
        );
        annotated.insert(
            "#microsoft.graph.assign".to_owned(),
            json!({"title": "microsoft.graph.assign", "target": format!("{GRAPH}/{collection}('{object_id}')/microsoft.graph.assign")}),
        );
        *map = annotated;
    }
    value
}

type Files = Vec<(String, Vec<u8>)>;

/// IntuneManagement 3.9 on Windows PowerShell 5.1: UTF-16 LE, full metadata, ids in the
/// file names, administrative template values and intent settings in `_Settings.json`
/// companions (one definition value, written as the bare object PowerShell makes of a
/// one-item list; intent settings as a JSON string holding the JSON), a migration table,
/// `%OrganizationId%`, and a script with its side file.
pub(crate) fn intunemanagement() -> Files {
    let root = "Contoso/";
    let mut files: Files = Vec::new();
    let mut put = |path: String, value: &Value| {
        files.push((format!("{root}{path}"), utf16le_bom(&ps51(value))));
    };
    let sc = full_metadata(
        settings_catalog_graph(),
        "deviceManagement/configurationPolicies",
    );
    put(
        format!("SettingsCatalog/{SETTINGS_CATALOG}_{}.json", id(1)),
        &sc,
    );
    let cp = full_metadata(
        compliance_graph(),
        "deviceManagement/deviceCompliancePolicies",
    );
    put(
        format!("CompliancePolicies/{COMPLIANCE}_{}.json", id(2)),
        &cp,
    );

    let mut at = full_metadata(
        admin_template_graph(),
        "deviceManagement/groupPolicyConfigurations",
    );
    if let Some(map) = at.as_object_mut() {
        map.remove("definitionValues");
    }
    put(
        format!("AdministrativeTemplates/{ADMIN_TEMPLATE}_{}.json", id(3)),
        &at,
    );
    let definition_value = json!({
        "#Definition_displayName": "Sites to open when the browser starts",
        "#Definition_categoryPath": "\\Microsoft Edge\\Startup, home page and new tab page",
        "enabled": true,
        "#Definition_classType": "machine",
        "presentationValues": [{
            "@odata.type": "#microsoft.graph.groupPolicyPresentationValueList",
            "values": [{"name": "https://intranet.contoso.example", "value": null}, {"name": "https://portal.office.com", "value": null}],
            "presentation@odata.bind": format!("{GRAPH}/deviceManagement/groupPolicyDefinitions('{D_STARTUP}')/presentations('{P_STARTUP_URLS}')"),
            "#Presentation_Id": P_STARTUP_URLS,
            "#Presentation_Label": "Sites to open when the browser starts"
        }],
        "#Definition_Id": D_STARTUP,
        "definition@odata.bind": format!("{GRAPH}/deviceManagement/groupPolicyDefinitions('{D_STARTUP}')")
    });
    put(
        format!(
            "AdministrativeTemplates/{ADMIN_TEMPLATE}_{}_Settings.json",
            id(3)
        ),
        &definition_value,
    );

    let mut es = full_metadata(intent_graph(), "deviceManagement/intents");
    if let Some(map) = es.as_object_mut() {
        map.remove("settings");
    }
    put(format!("EndpointSecurity/{INTENT}_{}.json", id(4)), &es);
    let settings_text = format!("{{ \"settings\": {}\r\n}}", ps51(&intent_settings()));
    put(
        format!("EndpointSecurity/{INTENT}_{}_Settings.json", id(4)),
        &Value::String(settings_text),
    );

    let ca = full_metadata(
        conditional_access_graph("%OrganizationId%"),
        "identity/conditionalAccess/policies",
    );
    put(
        format!("ConditionalAccess/{CONDITIONAL_ACCESS}_{}.json", id(5)),
        &ca,
    );

    put(
        "MigrationTable.json".to_owned(),
        &json!({
            "Objects": [
                {"Type": "Group", "DisplayName": "Pilot devices", "Id": G_PILOT},
                {"Type": "User", "DisplayName": "Jane Doe", "Id": id(90)},
                {"Type": "Group", "DisplayName": "Break glass devices", "Id": G_BREAK_GLASS},
                {"Type": "AssignmentFilter", "DisplayName": "Windows 11 devices", "Id": F_WIN11}
            ],
            "TenantId": TENANT_ID,
            "Organization": "Contoso"
        }),
    );
    put(
        format!("PowerShellScripts/Rename computer_{}.json", id(6)),
        &json!({"@odata.type": "#microsoft.graph.deviceManagementScript", "id": id(6),
                "displayName": "Rename computer", "fileName": "Rename.ps1", "scriptContent": "V3JpdGUtSG9zdCAnaGkn", "runAsAccount": "system"}),
    );
    files.push((
        format!("{root}PowerShellScripts/Rename.ps1"),
        b"Write-Host 'hi'".to_vec(),
    ));
    files
}

/// IntuneCD 2.x: folders with spaces, no ids, names in assignments and scope tags, the
/// administrative template as YAML, intents rebuilt with `settingsDelta`, payload side
/// files, the archive of deleted policies and the assignment report.
pub(crate) fn intunecd() -> Files {
    let strip = |mut value: Value, top: &[&str]| {
        if let Some(map) = value.as_object_mut() {
            for key in [
                "id",
                "createdDateTime",
                "lastModifiedDateTime",
                "version",
                "isAssigned",
                "settingCount",
                "creationSource",
            ]
            .iter()
            .chain(top)
            {
                map.remove(*key);
            }
            if map.contains_key("roleScopeTagIds") {
                map.insert("roleScopeTagIds".to_owned(), json!(["Default"]));
            }
            if map.contains_key("assignments") {
                map.insert("assignments".to_owned(), assignments_by_name());
            }
        }
        value
    };
    let mut files: Files = Vec::new();
    let mut sc = strip(settings_catalog_graph(), &["@odata.type"]);
    sc["settings"] = catalog_settings(false);
    files.push((
        format!("Settings Catalog/{SETTINGS_CATALOG}_microsoftSense.json"),
        intunecd_json(&sc),
    ));
    let mut cp = strip(compliance_graph(), &[]);
    cp["assignments"] = json!([{"target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget",
        "deviceAndAppManagementAssignmentFilterId": null, "deviceAndAppManagementAssignmentFilterType": "none"}}]);
    if let Some(rules) = cp["scheduledActionsForRule"].as_array_mut() {
        for rule in rules {
            if let Some(rule) = rule.as_object_mut() {
                rule.remove("id");
            }
        }
    }
    files.push((
        format!("Compliance Policies/Policies/{COMPLIANCE}_windows10CompliancePolicy.json"),
        intunecd_json(&cp),
    ));
    let mut at = strip(admin_template_graph(), &[]);
    at["assignments"] = json!([{"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget",
        "deviceAndAppManagementAssignmentFilterId": null, "deviceAndAppManagementAssignmentFilterType": "none",
        "groupName": "Pilot devices", "groupType": "StaticMembership"}}]);
    files.push((
        format!("Group Policy Configurations/{ADMIN_TEMPLATE}.yaml"),
        yaml(&at).into_bytes(),
    ));
    let intent = json!({
        "displayName": INTENT,
        "description": "",
        "templateId": T_BITLOCKER,
        "settingsDelta": intent_settings().as_array().map(|s| s.iter().map(|e| {
            let mut e = e.clone();
            if let Some(m) = e.as_object_mut() { m.remove("id"); }
            e
        }).collect::<Vec<_>>()),
        "roleScopeTagIds": ["Default"]
    });
    files.push((
        format!("Management Intents/BitLocker/{INTENT}.json"),
        intunecd_json(&intent),
    ));
    let ca = strip(conditional_access_graph(TENANT_ID), &[]);
    files.push((
        format!("Conditional Access/{CONDITIONAL_ACCESS}_conditionalAccessPolicy.json"),
        intunecd_json(&ca),
    ));
    files.push((
        "Filters/Windows 11 devices.json".to_owned(),
        intunecd_json(&json!({"displayName": "Windows 11 devices", "platform": "windows10AndLater", "rule": "(device.osVersion -startsWith \"10.0.22\")"})),
    ));
    files.push((
        "Device Configurations/mobileconfig/wifi.mobileconfig".to_owned(),
        b"<?xml version=\"1.0\"?><plist/>".to_vec(),
    ));
    files.push((
        format!("__archive__/2024-01-01_00-00-00/Settings Catalog/{SETTINGS_CATALOG} (old)_mdm.json"),
        intunecd_json(&json!({"name": "Deleted long ago", "platforms": "windows10", "technologies": "mdm", "settings": []})),
    ));
    files.push((
        "Assignment Report/report.json".to_owned(),
        intunecd_json(
            &json!({"Pilot devices": [{"name": SETTINGS_CATALOG, "type": "Settings Catalog"}]}),
        ),
    ));
    files.push(("README.md".to_owned(), b"# Intune backup\n".to_vec()));
    files
}

/// A small YAML writer for the fixture, in PyYAML's `default_flow_style=False` style.
fn yaml(value: &Value) -> String {
    fn scalar(v: &Value) -> String {
        match v {
            Value::String(s) => format!("'{}'", s.replace('\'', "''")),
            Value::Null => "null".to_owned(),
            other => other.to_string(),
        }
    }
    fn write(v: &Value, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    match v {
                        Value::Object(m) if !m.is_empty() => {
                            out.push_str(&format!("{pad}'{k}':\n"));
                            write(v, indent + 2, out);
                        }
                        Value::Array(a) if !a.is_empty() => {
                            out.push_str(&format!("{pad}'{k}':\n"));
                            write(v, indent, out);
                        }
                        Value::Array(_) => out.push_str(&format!("{pad}'{k}': []\n")),
                        Value::Object(_) => out.push_str(&format!("{pad}'{k}': {{}}\n")),
                        other => out.push_str(&format!("{pad}'{k}': {}\n", scalar(other))),
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    match item {
                        Value::Object(_) | Value::Array(_) => {
                            let mut inner = String::new();
                            write(item, indent + 2, &mut inner);
                            let trimmed = inner.trim_start_matches(' ');
                            out.push_str(&format!("{pad}- {trimmed}"));
                        }
                        other => out.push_str(&format!("{pad}- {}\n", scalar(other))),
                    }
                }
            }
            other => out.push_str(&format!("{pad}{}\n", scalar(other))),
        }
    }
    let mut out = String::new();
    write(value, 0, &mut out);
    out
}

/// The admin center's "Export JSON": one line, a UTF-8 byte-order mark, minimal metadata
/// (no `@odata.type` on the policy or the values), no assignments.
fn admin_center() -> Files {
    let mut sc = settings_catalog_graph();
    if let Some(map) = sc.as_object_mut() {
        map.remove("@odata.type");
        map.remove("assignments");
        map.insert(
            "@odata.context".to_owned(),
            json!(format!(
                "{GRAPH}/$metadata#deviceManagement/configurationPolicies/$entity"
            )),
        );
    }
    sc["settings"] = catalog_settings(false);
    vec![(
        format!("{SETTINGS_CATALOG}_2024-05-01T08_00_00.json"),
        utf8_bom(&serde_json::to_string(&sc).unwrap_or_default()),
    )]
}

/// Microsoft's PowerShell samples on Windows PowerShell 5.1: the intent's `settingsDelta`
/// form with PascalCase template fields, the minimal settings catalog body, a raw device
/// configuration with `\/Date()\/` and a one-item list collapsed into its item, the Graph
/// SDK's wrapper object; time stamps in the file names, one flat folder.
fn powershell_samples() -> Files {
    let intent = json!({
        "displayName": INTENT,
        "description": "",
        "roleScopeTagIds": "0",
        "TemplateDisplayName": "BitLocker",
        "TemplateId": T_BITLOCKER,
        "versionInfo": "November 2020",
        "settingsDelta": intent_settings()
    });
    let mut sc = json!({
        "name": SETTINGS_CATALOG,
        "description": "Defender antivirus baseline",
        "platforms": "windows10",
        "technologies": "mdm,microsoftSense",
        "templateReference": {"templateId": ""},
        "settings": catalog_settings(false)
    });
    if let Some(settings) = sc["settings"].as_array_mut() {
        for s in settings {
            if let Some(m) = s.as_object_mut() {
                m.remove("id");
            }
        }
    }
    let mut compliance = compliance_graph();
    if let Some(map) = compliance.as_object_mut() {
        map.remove("assignments");
        map.insert(
            "lastModifiedDateTime".to_owned(),
            json!("\\/Date(1712777855000)\\/"),
        );
        // One rule: PowerShell's pipeline wrote the list as its item.
        let rules = map.remove("scheduledActionsForRule");
        if let Some(Value::Array(mut rules)) = rules {
            map.insert("scheduledActionsForRule".to_owned(), rules.remove(0));
        }
    }
    let wrapper = json!({
        "Id": id(7),
        "DisplayName": "Win - OIB - Device Restrictions",
        "Version": 2,
        "AdditionalProperties": {"@odata.type": "#microsoft.graph.windows10GeneralConfiguration", "passwordRequired": true, "cameraBlocked": false}
    });
    // The samples' `\/` escapes survive serde as `/`; write them as PowerShell does.
    let text = |v: &Value| {
        ps51(v)
            .replace("\\\\/Date(", "\\/Date(")
            .replace(")\\\\/", ")\\/")
    };
    vec![
        (
            format!("{INTENT}_07-03-2023-9-05-41.123.json"),
            utf8_bom(&text(&intent)),
        ),
        (
            format!("{SETTINGS_CATALOG}_07-03-2023-9-05-42.json"),
            text(&sc).into_bytes(),
        ),
        (
            format!("{COMPLIANCE}_07-03-2023-9-05-43.json"),
            text(&compliance).into_bytes(),
        ),
        (
            "Win - OIB - Device Restrictions_07-03-2023-9-05-44.json".to_owned(),
            utf8_bom(&text(&wrapper)),
        ),
    ]
}

fn import(files: &Files) -> ImportReport {
    import_files(
        files.iter().map(|(p, b)| (p.as_str(), b.as_slice())),
        &ImportOptions::default(),
    )
    .expect("imports")
}

fn kinds_and_names(report: &ImportReport) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = report
        .content
        .items
        .iter()
        .map(|i| (i.kind.clone(), i.name.clone()))
        .collect();
    out.sort();
    out
}

fn expected_policies() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = [
        ("settings_catalog", SETTINGS_CATALOG),
        ("compliance_policy", COMPLIANCE),
        ("administrative_template", ADMIN_TEMPLATE),
        ("endpoint_security_intent", INTENT),
        ("conditional_access", CONDITIONAL_ACCESS),
    ]
    .iter()
    .map(|(k, n)| ((*k).to_owned(), (*n).to_owned()))
    .collect();
    out.sort();
    out
}

/// Normalised (settings hash, assignments hash, settings) per (kind, name).
fn normalised(report: &ImportReport) -> BTreeMap<(String, String), (String, String, Value)> {
    let directory = DirectoryIndex::new(&report.content.directory_objects);
    report
        .content
        .items
        .iter()
        .map(|i| {
            let n = normalize(&i.kind, &i.raw, &directory);
            let settings = serde_json::to_value(&n.settings).unwrap_or_default();
            (
                (i.kind.clone(), i.name.clone()),
                (n.settings_hash, n.assignments_hash, settings),
            )
        })
        .collect()
}

fn outcome<'a>(report: &'a ImportReport, path_end: &str) -> &'a FileReport {
    report
        .files
        .iter()
        .find(|f| f.path.ends_with(path_end))
        .unwrap_or_else(|| panic!("no file ending {path_end} in {:#?}", report.files))
}

#[test]
fn intunemanagement_export_with_companions_migration_table_and_placeholders() {
    let report = import(&intunemanagement());
    let mut names = kinds_and_names(&report);
    names.retain(|(k, _)| k != kinds::UNKNOWN);
    assert_eq!(names, expected_policies());
    // The script is kept as an object of a kind Plumbline does not compare, not lost.
    let script = outcome(
        &report,
        "Rename computer_0b6c9ea7-0006-4000-8000-000000000000.json",
    );
    match &script.outcome {
        FileOutcome::Policies { items } => {
            assert_eq!(items[0].kind, kinds::UNKNOWN);
            assert!(
                items[0].how.contains("PowerShell scripts"),
                "{}",
                items[0].how
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        outcome(&report, "Rename.ps1").outcome,
        FileOutcome::NotAPolicy {
            what: "a script".to_owned()
        }
    );
    // Companions are read into their policy, not imported as policies of their own.
    let companion = outcome(
        &report,
        "v1.0_0b6c9ea7-0003-4000-8000-000000000000_Settings.json",
    );
    assert!(
        matches!(&companion.outcome, FileOutcome::Companion { policy, .. } if policy.ends_with("v1.0_0b6c9ea7-0003-4000-8000-000000000000.json"))
    );
    let template = report
        .content
        .items
        .iter()
        .find(|i| i.kind == "administrative_template")
        .expect("template");
    assert_eq!(
        template.raw["definitionValues"].as_array().map(Vec::len),
        Some(1)
    );
    let intent = report
        .content
        .items
        .iter()
        .find(|i| i.kind == "endpoint_security_intent")
        .expect("intent");
    assert_eq!(intent.raw["settings"].as_array().map(Vec::len), Some(2));
    // The migration table's groups and filter resolve the policies' ids; users do not.
    assert_eq!(report.content.directory_objects.len(), 3);
    assert_eq!(
        outcome(&report, "MigrationTable.json").outcome,
        FileOutcome::Directory { objects: 3 }
    );
    // The tenant id of the migration table reads as the placeholder.
    let ca = report
        .content
        .items
        .iter()
        .find(|i| i.kind == "conditional_access")
        .expect("ca");
    assert_eq!(
        ca.raw["conditions"]["users"]["excludeGuestsOrExternalUsers"]["externalTenants"]["members"],
        json!(["%OrganizationId%"])
    );
    let sc = outcome(&report, &format!("{SETTINGS_CATALOG}_{}.json", id(1)));
    assert_eq!(sc.format, Some(Format::IntuneManagement));
    match &sc.outcome {
        FileOutcome::Policies { items } => assert_eq!(
            items[0].how,
            "@odata.type #microsoft.graph.deviceManagementConfigurationPolicy"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn intunecd_backup_in_json_and_yaml_with_names_and_side_files() {
    let report = import(&intunecd());
    assert_eq!(kinds_and_names(&report), expected_policies());
    assert!(report.skipped.is_empty());
    let sc = outcome(&report, "_microsoftSense.json");
    assert_eq!(sc.format, Some(Format::IntuneCd));
    match &sc.outcome {
        FileOutcome::Policies { items } => {
            assert!(
                items[0]
                    .how
                    .starts_with("its shape: settings with platforms"),
                "{}",
                items[0].how
            );
        }
        other => panic!("{other:?}"),
    }
    let template = outcome(&report, ".yaml");
    assert_eq!(template.format, Some(Format::IntuneCd));
    let intent = outcome(
        &report,
        &format!("Management Intents/BitLocker/{INTENT}.json"),
    );
    assert!(
        intent.notes.iter().any(|n| n.contains("settingsDelta")),
        "{:?}",
        intent.notes
    );
    for (path, what) in [
        (
            "wifi.mobileconfig",
            "a profile payload (the policy's JSON holds it too)",
        ),
        (
            "(old)_mdm.json",
            "IntuneCD's archive of policies deleted from the tenant",
        ),
        ("report.json", "IntuneCD's assignment report"),
        ("README.md", "a document"),
    ] {
        assert_eq!(
            outcome(&report, path).outcome,
            FileOutcome::NotAPolicy {
                what: what.to_owned()
            },
            "{path}"
        );
    }
    // The filter has no id (IntuneCD drops it): a note, no directory object.
    let filter = outcome(&report, "Filters/Windows 11 devices.json");
    assert!(
        filter.notes.iter().any(|n| n.contains("without an id")),
        "{filter:?}"
    );
}

#[test]
fn every_exporter_gives_the_same_settings_and_assignments() {
    let graph: Files = vec![
        ("policies.json".to_owned(), serde_json::to_vec(&json!({"@odata.context": format!("{GRAPH}/$metadata#deviceManagement/configurationPolicies"), "value": graph_policies()})).unwrap_or_default()),
        ("groups.json".to_owned(), serde_json::to_vec(&directory_page()).unwrap_or_default()),
        ("filters.json".to_owned(), serde_json::to_vec(&filter_page()).unwrap_or_default()),
    ];
    let graph = import_files(
        graph.iter().map(|(p, b)| (p.as_str(), b.as_slice())),
        &ImportOptions {
            organization_id: Some(TENANT_ID.to_owned()),
            ..ImportOptions::default()
        },
    )
    .expect("graph");
    let reference = normalised(&graph);
    assert_eq!(reference.len(), 5);
    let intunecd = import_files(
        intunecd().iter().map(|(p, b)| (p.as_str(), b.as_slice())),
        &ImportOptions {
            organization_id: Some(TENANT_ID.to_owned()),
            ..ImportOptions::default()
        },
    )
    .expect("intunecd");
    let mut intunemanagement = normalised(&import(&intunemanagement()));
    intunemanagement.retain(|(k, _), _| k != kinds::UNKNOWN);
    for (name, other) in [
        ("IntuneManagement", intunemanagement),
        ("IntuneCD", normalised(&intunecd)),
    ] {
        assert_eq!(other.len(), reference.len(), "{name}");
        for (key, (settings, assignments, detail)) in &reference {
            let (o_settings, o_assignments, o_detail) = other
                .get(key)
                .unwrap_or_else(|| panic!("{name} lacks {key:?}"));
            assert_eq!(o_detail, detail, "{name}: settings of {key:?}");
            assert_eq!(o_settings, settings, "{name}: settings hash of {key:?}");
            assert_eq!(o_assignments, assignments, "{name}: assignments of {key:?}");
        }
    }
    // The admin center and the samples carry no assignments: settings only.
    for (name, report) in [
        ("admin center", import(&admin_center())),
        ("samples", import(&powershell_samples())),
    ] {
        for (key, (settings, _, detail)) in normalised(&report) {
            if let Some((reference_settings, _, reference_detail)) = reference.get(&key) {
                assert_eq!(&detail, reference_detail, "{name}: settings of {key:?}");
                assert_eq!(
                    &settings, reference_settings,
                    "{name}: settings hash of {key:?}"
                );
            }
        }
    }
}

#[test]
fn admin_center_export_json_is_a_settings_catalog_policy() {
    let report = import(&admin_center());
    assert_eq!(
        kinds_and_names(&report),
        vec![("settings_catalog".to_owned(), SETTINGS_CATALOG.to_owned())]
    );
    assert_eq!(report.files[0].format, Some(Format::AdminCenter));
}

#[test]
fn powershell_samples_read_as_graph_objects() {
    let report = import(&powershell_samples());
    let mut expected = vec![
        ("compliance_policy".to_owned(), COMPLIANCE.to_owned()),
        (
            "device_configuration".to_owned(),
            "Win - OIB - Device Restrictions".to_owned(),
        ),
        ("endpoint_security_intent".to_owned(), INTENT.to_owned()),
        ("settings_catalog".to_owned(), SETTINGS_CATALOG.to_owned()),
    ];
    expected.sort();
    assert_eq!(kinds_and_names(&report), expected);
    let compliance = report
        .content
        .items
        .iter()
        .find(|i| i.kind == "compliance_policy")
        .expect("compliance");
    assert_eq!(
        compliance.raw["lastModifiedDateTime"],
        json!("2024-04-10T19:37:35Z")
    );
    assert!(compliance.raw["scheduledActionsForRule"].is_array());
    let intent = report
        .content
        .items
        .iter()
        .find(|i| i.kind == "endpoint_security_intent")
        .expect("intent");
    assert_eq!(intent.raw["templateId"], json!(T_BITLOCKER));
    assert_eq!(intent.raw["roleScopeTagIds"], json!(["0"]));
    assert!(intent.raw.get("versionInfo").is_none());
    for file in &report.files {
        assert_eq!(file.format, Some(Format::PowershellSample), "{}", file.path);
    }
}

#[test]
fn settings_without_their_policy_file_are_no_policy() {
    let files: Files = vec![
        (
            "AdministrativeTemplates/Edge_Settings.json".to_owned(),
            br#"[{"enabled": true, "definition@odata.bind": "x"}]"#.to_vec(),
        ),
        (
            "AdministrativeTemplates/Other.json".to_owned(),
            br#"{"displayName": "Other", "definitionValues": []}"#.to_vec(),
        ),
    ];
    let report = import(&files);
    assert_eq!(report.content.items.len(), 1);
    assert!(
        matches!(&report.files[0].outcome, FileOutcome::NotAPolicy { what } if what.contains("Edge.json"))
    );
}

#[test]
fn folders_renamed_regrouped_and_nested_by_hand() {
    let policy = |name: &str| {
        serde_json::to_vec(&json!({"displayName": name, "passwordRequired": true}))
            .unwrap_or_default()
    };
    let files: Files = vec![
        (
            "Customers/Contoso/2024 Q1/compliance policies/Win  -  Password.json".to_owned(),
            policy("Win  -  Password"),
        ),
        (
            "Customers/Contoso/2024 Q1/COMPLIANCE_POLICIES/old/Mac - Password.json".to_owned(),
            policy("Mac - Password"),
        ),
        (
            "Customers/Contoso/2024 Q1/Settings-Catalog/Defender.json".to_owned(),
            serde_json::to_vec(&json!({"name": "Defender"})).unwrap_or_default(),
        ),
    ];
    let report = import(&files);
    let kinds: Vec<&str> = report
        .content
        .items
        .iter()
        .map(|i| i.kind.as_str())
        .collect();
    assert_eq!(
        kinds,
        ["compliance_policy", "compliance_policy", "settings_catalog"]
    );
}

//! Unit tests per rule, on real corpus policies and on fixtures of kinds the corpus lacks.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use serde_json::{json, Value};

use super::fixtures::{self, parse};
use super::*;
use crate::connectors::import::{import_dir, ImportOptions};
use crate::model::{CapturedItem, DirectoryObject, DirectoryObjectKind};

pub(super) fn corpus() -> &'static [CapturedItem] {
    static ITEMS: OnceLock<Vec<CapturedItem>> = OnceLock::new();
    ITEMS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo-data/openintunebaseline");
        import_dir(&root, &ImportOptions::default())
            .expect("the corpus imports")
            .content
            .items
    })
}

/// The IntuneManagement (or BYOD) export of the policy whose name contains `needle`.
pub(super) fn policy(needle: &str) -> &'static CapturedItem {
    corpus()
        .iter()
        .find(|i| {
            i.name.contains(needle)
                && !i
                    .source_path
                    .as_deref()
                    .unwrap_or("")
                    .contains("NativeImport")
        })
        .unwrap_or_else(|| panic!("no corpus policy named like {needle:?}"))
}

fn plain(item: &CapturedItem) -> Normalized {
    normalize(&item.kind, &item.raw, &DirectoryIndex::default())
}

fn setting<'n>(normalized: &'n Normalized, path: &str) -> &'n Value {
    normalized
        .settings
        .get(path)
        .unwrap_or_else(|| panic!("no setting {path}; have {:#?}", normalized.settings.keys()))
}

fn directory_object(kind: DirectoryObjectKind, id: &str, name: &str) -> DirectoryObject {
    DirectoryObject {
        kind,
        external_id: id.to_owned(),
        display_name: name.to_owned(),
    }
}

fn set_field(raw: &mut Value, pointer: &str, value: Value) {
    *raw.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer}")) = value;
}

// ----- rule 1: volatile and non-portable fields -------------------------------------------

#[test]
fn volatile_fields_and_annotations_never_become_settings() {
    let item = policy("Windows Firewall - D - Firewall Configuration");
    let normalized = plain(item);
    for key in normalized.settings.keys() {
        for segment in key.split('/') {
            assert!(!segment.contains('@') && !segment.starts_with('#'), "{key}");
            assert!(!kinds::VOLATILE_FIELDS.contains(&segment), "{key}");
        }
    }
    // The name is the match key, not a setting.
    assert!(!normalized.settings.contains_key("name"));
    // The Default scope tag alone is what Intune gives a policy without scope tags.
    assert!(!normalized.settings.contains_key("roleScopeTagIds"));
    // The template's display name and version only label its id.
    assert!(!normalized
        .settings
        .contains_key("templateReference/templateDisplayName"));
    assert!(!normalized
        .settings
        .contains_key("templateReference/templateDisplayVersion"));
    assert_eq!(
        setting(&normalized, "templateReference/templateId"),
        &json!("6078910e-d808-4a9f-a51d-1b8a7bacb7c0_1")
    );
}

#[test]
fn volatile_churn_changes_nothing() {
    let item = policy("Windows Firewall - D - Firewall Configuration");
    let before = plain(item);
    let mut raw = (*item.raw).clone();
    set_field(
        &mut raw,
        "/id",
        json!("00000000-1111-2222-3333-444444444444"),
    );
    set_field(
        &mut raw,
        "/lastModifiedDateTime",
        json!("2030-01-01T00:00:00Z"),
    );
    set_field(&mut raw, "/settingCount", json!(99));
    set_field(&mut raw, "/settings/0/id", json!("17"));
    set_field(&mut raw, "/@odata.editLink", json!("elsewhere"));
    set_field(
        &mut raw,
        "/settings/0/settingInstance/settingInstanceTemplateReference/settingInstanceTemplateId",
        json!("another-template"),
    );
    let object = raw.as_object_mut().expect("object");
    object.insert("version".to_owned(), json!(7));
    object.insert("@odata.etag".to_owned(), json!("W/\"abc\""));
    object.insert(
        "#microsoft.graph.newAction".to_owned(),
        json!({"title": "x"}),
    );
    object.insert("auditRuleInformation".to_owned(), json!({"rules": [1]}));
    let after = normalize(&item.kind, &raw, &DirectoryIndex::default());
    assert_eq!(before, after);
}

#[test]
fn driver_update_counters_and_inventory_state_are_ignored() {
    let item = policy("WUfB Drivers - Ring 1");
    let normalized = plain(item);
    assert_eq!(setting(&normalized, "approvalType"), &json!("automatic"));
    assert_eq!(setting(&normalized, "deploymentDeferralInDays"), &json!(0));
    let mut raw = (*item.raw).clone();
    set_field(&mut raw, "/newUpdates", json!(12));
    set_field(&mut raw, "/deviceReporting", json!(250));
    set_field(
        &mut raw,
        "/inventorySyncStatus",
        json!({"driverInventorySyncState": "success", "lastSuccessfulSyncDateTime": "2025-01-01T00:00:00Z"}),
    );
    assert_eq!(
        normalize(&item.kind, &raw, &DirectoryIndex::default()),
        normalized
    );
}

#[test]
fn update_ring_pause_timestamps_are_state_not_settings() {
    let item = policy("WUfB - Ring 1 - Pilot");
    let normalized = plain(item);
    assert_eq!(setting(&normalized, "deadlineGracePeriodInDays"), &json!(1));
    assert_eq!(setting(&normalized, "qualityUpdatesPaused"), &json!(false));
    assert!(!normalized
        .settings
        .contains_key("qualityUpdatesPauseExpiryDateTime"));
    let mut raw = (*item.raw).clone();
    set_field(
        &mut raw,
        "/qualityUpdatesPauseExpiryDateTime",
        json!("2025-05-01T00:00:00Z"),
    );
    set_field(&mut raw, "/qualityUpdatesPaused", json!(true));
    let paused = normalize(&item.kind, &raw, &DirectoryIndex::default());
    let changed: Vec<&String> = differing_paths(&normalized, &paused);
    assert_eq!(changed, ["qualityUpdatesPaused"]);
}

pub(super) fn differing_paths<'a>(a: &'a Normalized, b: &'a Normalized) -> Vec<&'a String> {
    let keys: BTreeSet<&String> = a.settings.keys().chain(b.settings.keys()).collect();
    keys.into_iter()
        .filter(|k| a.settings.get(*k) != b.settings.get(*k))
        .collect()
}

// ----- rule 2: settings catalog -----------------------------------------------------------

#[test]
fn catalog_settings_flatten_by_definition_chains() {
    let normalized = plain(policy("Windows Firewall - D - Firewall Configuration"));
    assert_eq!(
        setting(
            &normalized,
            "vendor_msft_firewall_mdmstore_domainprofile_enablefirewall"
        ),
        &json!("vendor_msft_firewall_mdmstore_domainprofile_enablefirewall_true")
    );
    assert_eq!(
        setting(
            &normalized,
            "vendor_msft_firewall_mdmstore_domainprofile_enablefirewall/vendor_msft_firewall_mdmstore_domainprofile_defaultinboundaction"
        ),
        &json!("vendor_msft_firewall_mdmstore_domainprofile_defaultinboundaction_1")
    );
    assert_eq!(setting(&normalized, "platforms"), &json!("windows10"));
    assert_eq!(
        setting(&normalized, "technologies"),
        &json!("mdm,microsoftSense")
    );
    assert_eq!(
        setting(&normalized, "templateReference/templateFamily"),
        &json!("endpointSecurityFirewall")
    );
    // `description: ""` is empty and the settings never appear as properties.
    assert!(!normalized.settings.contains_key("description"));
    assert!(!normalized
        .settings
        .keys()
        .any(|k| k.starts_with("settings")));
}

#[test]
fn catalog_settings_reordered_by_microsoft_compare_equal() {
    let item = policy("Windows Firewall - D - Firewall Configuration");
    let mut raw = (*item.raw).clone();
    raw["settings"].as_array_mut().expect("settings").reverse();
    assert_eq!(
        plain(item),
        normalize(&item.kind, &raw, &DirectoryIndex::default())
    );
}

#[test]
fn simple_values_keep_their_json_type() {
    let normalized = plain(policy("Config Refresh"));
    let integers: Vec<(&String, &Value)> = normalized
        .settings
        .iter()
        .filter(|(_, v)| v.is_i64())
        .collect();
    assert!(!integers.is_empty(), "{:#?}", normalized.settings);
    for (path, value) in integers {
        assert!(path.starts_with("device_vendor_msft"), "{path} = {value}");
    }
}

#[test]
fn a_single_entry_group_collection_flattens_like_a_choice() {
    let normalized = plain(policy("Firewall - D - Gatekeeper"));
    assert_eq!(
        setting(
            &normalized,
            "com.apple.security.firewall_com.apple.security.firewall/com.apple.security.firewall_enablestealthmode"
        ),
        &json!("com.apple.security.firewall_enablestealthmode_true")
    );
}

#[test]
fn several_group_entries_are_a_set_of_child_maps() {
    let item = policy("Defender Antivirus - D - MDE Configuration");
    let normalized = plain(item);
    let path =
        "com.apple.servicemanagement_com.apple.servicemanagement/com.apple.servicemanagement_rules";
    let entries = setting(&normalized, path)
        .as_array()
        .expect("a set of entries");
    assert_eq!(entries.len(), 2);
    let values: Vec<&Value> = entries
        .iter()
        .map(|e| &e["com.apple.servicemanagement_rules_item_rulevalue"])
        .collect();
    assert_eq!(
        values,
        [&json!("com.microsoft.dlp"), &json!("com.microsoft.fresno")]
    );
    // No child path leaks out of the set, so the entries cannot collide.
    assert!(!normalized
        .settings
        .keys()
        .any(|k| k.starts_with(&format!("{path}/"))));

    // Entry order is not identity.
    let mut raw = (*item.raw).clone();
    let group = find_group(&mut raw, "com.apple.servicemanagement_rules").expect("the rules group");
    group.reverse();
    assert_eq!(
        normalize(&item.kind, &raw, &DirectoryIndex::default()),
        normalized
    );
}

/// The `groupSettingCollectionValue` of the instance with `definition`, anywhere.
fn find_group<'v>(value: &'v mut Value, definition: &str) -> Option<&'v mut Vec<Value>> {
    match value {
        Value::Object(object) => {
            if object.get("settingDefinitionId").and_then(Value::as_str) == Some(definition) {
                return object
                    .get_mut("groupSettingCollectionValue")
                    .and_then(Value::as_array_mut);
            }
            object.values_mut().find_map(|v| find_group(v, definition))
        }
        Value::Array(items) => items.iter_mut().find_map(|v| find_group(v, definition)),
        _ => None,
    }
}

#[test]
fn nested_groups_and_collections_reach_their_leaves() {
    let normalized = plain(policy("Local Group Membership - D - Local Administrators"));
    let base = "device_vendor_msft_policy_config_localusersandgroups_configure/device_vendor_msft_policy_config_localusersandgroups_configure_groupconfiguration_accessgroup";
    assert_eq!(
        setting(
            &normalized,
            &format!("{base}/device_vendor_msft_policy_config_localusersandgroups_configure_groupconfiguration_accessgroup_desc")
        ),
        &json!(["device_vendor_msft_policy_config_localusersandgroups_configure_groupconfiguration_accessgroup_desc_administrators"])
    );
    assert_eq!(
        setting(
            &normalized,
            &format!("{base}/device_vendor_msft_policy_config_localusersandgroups_configure_groupconfiguration_accessgroup_userselectiontype/device_vendor_msft_policy_config_localusersandgroups_configure_groupconfiguration_accessgroup_users")
        ),
        &json!(["WLapsAdmin"])
    );
}

#[test]
fn collection_values_are_sets() {
    let item = policy("Microsoft Edge - U - Extensions - v3.1");
    let normalized = plain(item);
    let (path, value) = normalized
        .settings
        .iter()
        .find(|(_, v)| v.as_array().is_some_and(|a| a.len() >= 2))
        .expect("a collection with several values");
    let mut sorted = value.as_array().expect("array").clone();
    sorted.sort_by_key(canonical_json);
    assert_eq!(value, &Value::Array(sorted), "{path}");
    let mut raw = (*item.raw).clone();
    reverse_collections(&mut raw);
    assert_eq!(
        normalize(&item.kind, &raw, &DirectoryIndex::default()),
        normalized
    );
}

fn reverse_collections(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, child) in object.iter_mut() {
                if key == "simpleSettingCollectionValue" || key == "choiceSettingCollectionValue" {
                    if let Some(items) = child.as_array_mut() {
                        items.reverse();
                    }
                }
                reverse_collections(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(reverse_collections),
        _ => {}
    }
}

#[test]
fn the_same_path_twice_keeps_both_values() {
    let item = policy("Windows Firewall - D - Firewall Configuration");
    let mut raw = (*item.raw).clone();
    let settings = raw["settings"].as_array_mut().expect("settings");
    let mut copy = settings[2].clone();
    set_field(
        &mut copy,
        "/settingInstance/choiceSettingValue/value",
        json!("vendor_msft_firewall_mdmstore_global_disablestatefulftp_false"),
    );
    settings.push(copy);
    let normalized = normalize(&item.kind, &raw, &DirectoryIndex::default());
    assert_eq!(
        setting(
            &normalized,
            "vendor_msft_firewall_mdmstore_global_disablestatefulftp"
        ),
        &json!([
            "vendor_msft_firewall_mdmstore_global_disablestatefulftp_false",
            "vendor_msft_firewall_mdmstore_global_disablestatefulftp_true"
        ])
    );
}

#[test]
fn choice_collection_children_are_keyed_by_value_when_several_have_them() {
    let raw = json!({
        "name": "x",
        "settings": [{"settingInstance": {
            "settingDefinitionId": "a_parent",
            "choiceSettingCollectionValue": [
                {"value": "a_parent_1", "children": [{"settingDefinitionId": "a_child", "simpleSettingValue": {"value": 1}}]},
                {"value": "a_parent_2", "children": [{"settingDefinitionId": "a_child", "simpleSettingValue": {"value": 2}}]}
            ]
        }}]
    });
    let normalized = normalize("settings_catalog", &raw, &DirectoryIndex::default());
    assert_eq!(
        setting(&normalized, "a_parent"),
        &json!(["a_parent_1", "a_parent_2"])
    );
    assert_eq!(
        setting(&normalized, "a_parent[a_parent_1]/a_child"),
        &json!(1)
    );
    assert_eq!(
        setting(&normalized, "a_parent[a_parent_2]/a_child"),
        &json!(2)
    );
}

// ----- rule 4: empty equivalents ----------------------------------------------------------

#[test]
fn null_empty_and_missing_are_the_same() {
    let item = policy("Compliance - U - Password - v3.1");
    let normalized = plain(item);
    assert!(!normalized.settings.contains_key("passwordExpirationDays"));
    assert!(!normalized
        .settings
        .contains_key("validOperatingSystemBuildRanges"));
    assert!(!normalized.settings.contains_key("description"));
    assert!(!normalized.settings.values().any(is_empty));
    let mut raw = (*item.raw).clone();
    let object = raw.as_object_mut().expect("object");
    object.remove("passwordExpirationDays");
    object.insert("validOperatingSystemBuildRanges".to_owned(), Value::Null);
    object.insert("description".to_owned(), json!(""));
    object.insert(
        "deviceCompliancePolicyScript".to_owned(),
        json!({"deviceComplianceScriptId": null, "rulesContent": ""}),
    );
    object.insert("brandNewProperty".to_owned(), json!({}));
    assert_eq!(
        normalize(&item.kind, &raw, &DirectoryIndex::default()),
        normalized
    );
}

// ----- compliance -------------------------------------------------------------------------

#[test]
fn compliance_actions_are_keyed_by_action_type() {
    let item = policy("Compliance - U - Defender for Endpoint - v3.1");
    let normalized = plain(item);
    assert_eq!(
        setting(
            &normalized,
            "scheduledActionsForRule/scheduledActionConfigurations[block]/gracePeriodHours"
        ),
        &json!(6)
    );
    // The all-zero notification template means "none".
    assert!(!normalized
        .settings
        .keys()
        .any(|k| k.contains("notificationTemplateId")));
    assert!(normalized.unresolved.is_empty());
    assert_eq!(setting(&normalized, "rtpEnabled"), &json!(true));

    // A notification with a tenant's template and a CC group, added before the block.
    let mut raw = (*item.raw).clone();
    let actions = raw
        .pointer_mut("/scheduledActionsForRule/0/scheduledActionConfigurations")
        .and_then(Value::as_array_mut)
        .expect("actions");
    actions.insert(
        0,
        json!({"actionType": "notification", "gracePeriodHours": 24,
               "notificationTemplateId": "aaaaaaaa-0000-4000-8000-000000000001",
               "notificationMessageCCList": ["bbbbbbbb-0000-4000-8000-000000000002"]}),
    );
    let directory = DirectoryIndex::new(&[directory_object(
        DirectoryObjectKind::Group,
        "bbbbbbbb-0000-4000-8000-000000000002",
        "Helpdesk",
    )]);
    let with_notice = normalize(&item.kind, &raw, &directory);
    let prefix = "scheduledActionsForRule/scheduledActionConfigurations[notification]";
    assert_eq!(
        setting(&with_notice, &format!("{prefix}/gracePeriodHours")),
        &json!(24)
    );
    assert_eq!(
        setting(&with_notice, &format!("{prefix}/notificationMessageCCList")),
        &json!(["group:Helpdesk"])
    );
    assert_eq!(
        setting(&with_notice, &format!("{prefix}/notificationTemplateId")),
        &json!("unresolved:aaaaaaaa-0000-4000-8000-000000000001")
    );
    assert_eq!(
        with_notice.unresolved,
        ["unresolved:aaaaaaaa-0000-4000-8000-000000000001"]
    );
    // The block action is untouched by the insertion before it.
    assert_eq!(
        setting(
            &with_notice,
            "scheduledActionsForRule/scheduledActionConfigurations[block]/gracePeriodHours"
        ),
        &json!(6)
    );
}

// ----- app protection ---------------------------------------------------------------------

#[test]
fn app_protection_lists_are_sets_and_computed_app_lists_are_ignored() {
    let item = policy("Android - Baseline - BYOD - App Protection");
    let normalized = plain(item);
    // Intune computes the app list of "all Microsoft apps" itself.
    assert!(!normalized.settings.contains_key("apps"));
    assert_eq!(
        setting(&normalized, "allowedDataStorageLocations"),
        &json!(["oneDriveForBusiness", "sharePoint"])
    );
    // "0000-00-00" means no patch level.
    assert!(!normalized
        .settings
        .contains_key("minimumRequiredPatchVersion"));
    assert_eq!(setting(&normalized, "minimumPinLength"), &json!(6));

    let mut raw = (*item.raw).clone();
    set_field(&mut raw, "/appGroupType", json!("selectedPublicApps"));
    let selected = normalize(&item.kind, &raw, &DirectoryIndex::default());
    let apps = setting(&selected, "apps").as_array().expect("apps");
    assert!(apps.contains(&json!("com.microsoft.emmx")), "{apps:?}");
    assert!(apps
        .windows(2)
        .all(|w| canonical_json(&w[0]) < canonical_json(&w[1])));
    // The apps' own ids and versions are not part of the identity.
    raw["apps"].as_array_mut().expect("apps").reverse();
    for app in raw["apps"].as_array_mut().expect("apps") {
        app["version"] = json!("1");
        app["id"] = json!("renamed");
    }
    assert_eq!(
        normalize(&item.kind, &raw, &DirectoryIndex::default()),
        selected
    );
}

#[test]
fn key_value_lists_are_keyed_by_name() {
    let item = policy("iOS - Baseline - BYOD - App Protection");
    let normalized = plain(item);
    assert_eq!(
        setting(&normalized, "exemptedAppProtocols[Default]/value"),
        &json!("skype;app-settings;calshow;itms;itmss;itms-apps;itms-appss;itms-services;")
    );
    assert_eq!(
        setting(&normalized, "exemptedUniversalLinks"),
        &json!([
            "http://facetime.apple.com",
            "http://maps.apple.com",
            "https://facetime.apple.com",
            "https://maps.apple.com"
        ])
    );
}

// ----- device configuration ---------------------------------------------------------------

#[test]
fn device_configuration_properties_and_flag_enums() {
    let item = policy("Health Monitoring - D - Endpoint Analytics");
    let normalized = plain(item);
    assert_eq!(
        setting(&normalized, "allowDeviceHealthMonitoring"),
        &json!("enabled")
    );
    assert_eq!(
        setting(&normalized, "configDeviceHealthMonitoringScope"),
        &json!("bootPerformance")
    );
    let mut raw = (*item.raw).clone();
    set_field(
        &mut raw,
        "/configDeviceHealthMonitoringScope",
        json!("windowsUpdates,bootPerformance"),
    );
    let two = normalize(&item.kind, &raw, &DirectoryIndex::default());
    set_field(
        &mut raw,
        "/configDeviceHealthMonitoringScope",
        json!("bootPerformance, windowsUpdates"),
    );
    assert_eq!(normalize(&item.kind, &raw, &DirectoryIndex::default()), two);
    assert_eq!(
        setting(&two, "configDeviceHealthMonitoringScope"),
        &json!("bootPerformance,windowsUpdates")
    );
}

#[test]
fn custom_oma_uri_settings_are_keyed_by_uri_and_encrypted_values_excluded() {
    let raw = parse(fixtures::CUSTOM_OMA);
    let normalized = normalize("device_configuration", &raw, &DirectoryIndex::default());
    let cortana = format!("omaSettings[{}]", fixtures::OMA_CORTANA);
    assert_eq!(setting(&normalized, &format!("{cortana}/value")), &json!(0));
    assert_eq!(
        setting(&normalized, &format!("{cortana}/displayName")),
        &json!("Disable Cortana")
    );
    let homepages = format!("omaSettings[{}]/value", fixtures::OMA_HOMEPAGES);
    assert_eq!(
        setting(&normalized, &homepages),
        &json!("<https://intranet.example>")
    );
    let token = format!("omaSettings[{}]/value", fixtures::OMA_TOKEN);
    assert!(!normalized.settings.contains_key(&token));
    assert_eq!(normalized.excluded, [token]);
    assert!(!normalized.settings.keys().any(|k| k.ends_with("/omaUri")));

    let mut reordered = raw.clone();
    reordered["omaSettings"]
        .as_array_mut()
        .expect("settings")
        .reverse();
    // Graph re-encrypts secrets: a new ciphertext is no change.
    set_field(
        &mut reordered,
        "/omaSettings/1/value",
        json!("MIIBOQYJKoZIhvcNAQcDoIIBKjCCASYCAQAxgfAwge0CAQAwVjBC"),
    );
    assert_eq!(
        normalize(
            "device_configuration",
            &reordered,
            &DirectoryIndex::default()
        ),
        normalized
    );
}

#[test]
fn defender_onboarding_blobs_are_excluded() {
    let raw = parse(fixtures::ATP_ONBOARDING);
    let normalized = normalize("device_configuration", &raw, &DirectoryIndex::default());
    assert_eq!(
        normalized.excluded,
        ["advancedThreatProtectionOnboardingBlob"]
    );
    assert!(!normalized
        .settings
        .contains_key("advancedThreatProtectionOnboardingBlob"));
    assert_eq!(setting(&normalized, "allowSampleSharing"), &json!(true));
    assert_eq!(
        setting(&normalized, "advancedThreatProtectionOnboardingFilename"),
        &json!("WindowsDefenderATP.onboarding")
    );
}

#[test]
fn catalog_secret_values_are_excluded() {
    let raw = json!({
        "name": "Win - MDE onboarding",
        "settings": [
            {"settingInstance": {
                "@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance",
                "settingDefinitionId": "device_vendor_msft_windowsadvancedthreatprotection_configurationtype",
                "choiceSettingValue": {"value": "device_vendor_msft_windowsadvancedthreatprotection_configurationtype_onboard", "children": [
                    {"settingDefinitionId": "device_vendor_msft_windowsadvancedthreatprotection_onboarding",
                     "simpleSettingValue": {"@odata.type": "#microsoft.graph.deviceManagementConfigurationSecretSettingValue", "valueState": "encryptedValueToken", "value": "9fab7c95-0bb6-4fda-a4a1-6ca582bb3124"}}
                ]}
            }},
            {"settingInstance": {
                "settingDefinitionId": "vendor_msft_custom_password",
                "simpleSettingValue": {"@odata.type": "#microsoft.graph.deviceManagementConfigurationSecretSettingValue", "valueState": "notEncrypted", "value": "hunter2"}
            }}
        ]
    });
    let normalized = normalize("settings_catalog", &raw, &DirectoryIndex::default());
    assert_eq!(
        normalized.excluded,
        [
            "device_vendor_msft_windowsadvancedthreatprotection_configurationtype/device_vendor_msft_windowsadvancedthreatprotection_onboarding",
            "vendor_msft_custom_password",
        ]
    );
    assert_eq!(normalized.settings.len(), 1);
    assert!(normalized.unresolved.is_empty());
}

// ----- rule 5: per-tenant ids -------------------------------------------------------------

fn ca_directory() -> DirectoryIndex {
    DirectoryIndex::new(&[
        directory_object(
            DirectoryObjectKind::Group,
            fixtures::ADMINS_GROUP,
            "Tier 0 admins",
        ),
        directory_object(
            DirectoryObjectKind::Group,
            fixtures::BREAK_GLASS_GROUP,
            "Break glass",
        ),
        directory_object(
            DirectoryObjectKind::NamedLocation,
            fixtures::OFFICE_LOCATION,
            "Head office",
        ),
        directory_object(
            DirectoryObjectKind::TermsOfUse,
            fixtures::TERMS,
            "Acceptable use",
        ),
    ])
}

#[test]
fn conditional_access_ids_resolve_to_portable_names() {
    let raw = parse(fixtures::CA_ADMIN_MFA);
    let normalized = normalize("conditional_access", &raw, &ca_directory());
    assert_eq!(
        setting(&normalized, "conditions/users/includeGroups"),
        &json!(["group:Tier 0 admins"])
    );
    assert_eq!(
        setting(&normalized, "conditions/users/excludeGroups"),
        &json!(["group:Break glass"])
    );
    assert_eq!(
        setting(&normalized, "conditions/locations/excludeLocations"),
        &json!(["AllTrusted", "location:Head office"])
    );
    assert_eq!(
        setting(&normalized, "conditions/locations/includeLocations"),
        &json!(["All"])
    );
    assert_eq!(
        setting(&normalized, "grantControls/termsOfUse"),
        &json!(["terms_of_use:Acceptable use"])
    );
    // Built-in role template ids are global.
    assert_eq!(
        setting(&normalized, "conditions/users/includeRoles"),
        &json!([
            "194ae4cb-b126-40b2-bd5b-6091b380977d",
            "62e90394-69f5-4237-9190-012177145e10",
            "f28a1f50-f6e7-4571-818b-6a12f2af6b6c"
        ])
    );
    // Users are not directory objects: the break-glass account stays visible, unresolved.
    let user = format!("unresolved:{}", fixtures::BREAK_GLASS_USER);
    assert_eq!(
        setting(&normalized, "conditions/users/excludeUsers"),
        &json!([user.clone()])
    );
    assert_eq!(normalized.unresolved, [user]);
    assert_eq!(setting(&normalized, "state"), &json!("enabled"));
    assert_eq!(
        setting(&normalized, "grantControls/builtInControls"),
        &json!(["mfa"])
    );
    assert!(!normalized.settings.contains_key("displayName"));
    assert!(!normalized.settings.contains_key("modifiedDateTime"));
}

#[test]
fn the_same_policy_in_another_tenant_normalises_identically() {
    let raw = parse(fixtures::CA_ADMIN_MFA);
    let here = normalize("conditional_access", &raw, &ca_directory());
    let text = fixtures::CA_ADMIN_MFA
        .replace(
            fixtures::ADMINS_GROUP,
            "11111111-aaaa-4bbb-8ccc-000000000001",
        )
        .replace(
            fixtures::BREAK_GLASS_GROUP,
            "11111111-AAAA-4BBB-8CCC-000000000002",
        )
        .replace(
            fixtures::OFFICE_LOCATION,
            "11111111-aaaa-4bbb-8ccc-000000000003",
        )
        .replace(fixtures::TERMS, "11111111-aaaa-4bbb-8ccc-000000000004");
    let there_directory = DirectoryIndex::new(&[
        directory_object(
            DirectoryObjectKind::Group,
            "11111111-aaaa-4bbb-8ccc-000000000001",
            "Tier 0 admins",
        ),
        directory_object(
            DirectoryObjectKind::Group,
            "11111111-aaaa-4bbb-8ccc-000000000002",
            "Break glass",
        ),
        directory_object(
            DirectoryObjectKind::NamedLocation,
            "11111111-aaaa-4bbb-8ccc-000000000003",
            "Head office",
        ),
        directory_object(
            DirectoryObjectKind::TermsOfUse,
            "11111111-aaaa-4bbb-8ccc-000000000004",
            "Acceptable use",
        ),
    ]);
    let there = normalize("conditional_access", &parse(&text), &there_directory);
    assert_eq!(here, there);
}

#[test]
fn unresolvable_ids_are_kept_and_counted_never_dropped() {
    let raw = parse(fixtures::CA_ADMIN_MFA);
    let normalized = normalize("conditional_access", &raw, &DirectoryIndex::default());
    let group = format!("unresolved:{}", fixtures::ADMINS_GROUP);
    assert_eq!(
        setting(&normalized, "conditions/users/includeGroups"),
        &json!([group.clone()])
    );
    assert_eq!(
        normalized.unresolved.len(),
        5,
        "{:?}",
        normalized.unresolved
    );
    assert!(normalized.unresolved.contains(&group));
}

#[test]
fn authentication_strengths_compare_by_name_and_combinations() {
    let raw = parse(fixtures::CA_GUEST_STRENGTH);
    let normalized = normalize("conditional_access", &raw, &DirectoryIndex::default());
    assert_eq!(
        setting(
            &normalized,
            "grantControls/authenticationStrength/displayName"
        ),
        &json!("Contoso phishing-resistant")
    );
    assert_eq!(
        setting(
            &normalized,
            "grantControls/authenticationStrength/allowedCombinations"
        ),
        &json!(["fido2", "windowsHelloForBusiness"])
    );
    assert!(!normalized
        .settings
        .contains_key("grantControls/authenticationStrength/id"));
    assert_eq!(
        setting(
            &normalized,
            "conditions/users/includeGuestsOrExternalUsers/guestOrExternalUserTypes"
        ),
        &json!("b2bCollaborationGuest,b2bCollaborationMember,internalGuest")
    );
    assert_eq!(
        setting(&normalized, "sessionControls/signInFrequency/value"),
        &json!(12)
    );
    assert_eq!(
        setting(&normalized, "conditions/applications/excludeApplications"),
        &json!(["00000002-0000-0ff1-ce00-000000000000"])
    );
    assert!(normalized.unresolved.is_empty());
    // A strength re-created in another tenant has another id.
    let mut other = raw.clone();
    set_field(
        &mut other,
        "/grantControls/authenticationStrength/id",
        json!("00000000-0000-0000-0000-000000000004"),
    );
    assert_eq!(
        normalize("conditional_access", &other, &DirectoryIndex::default()),
        normalized
    );
}

#[test]
fn scope_tags_resolve_with_default_well_known() {
    let item = policy("Windows Firewall - D - Firewall Configuration");
    let mut raw = (*item.raw).clone();
    raw["roleScopeTagIds"] = json!(["7", "0"]);
    let directory = DirectoryIndex::new(&[
        directory_object(DirectoryObjectKind::ScopeTag, "7", "Europe"),
        directory_object(DirectoryObjectKind::ScopeTag, "0", "Standard (renamed)"),
    ]);
    let normalized = normalize(&item.kind, &raw, &directory);
    assert_eq!(
        setting(&normalized, "roleScopeTagIds"),
        &json!(["scope_tag:Default", "scope_tag:Europe"])
    );
}

#[test]
fn entra_sids_in_settings_resolve_like_group_ids() {
    let item = policy("Local Group Membership - D - Local Administrators");
    let group = "9d7f3c5e-1234-4abc-8def-0123456789ab";
    let sid = "S-1-12-1-2642361438-1253839412-587329421-2877908805";
    let text = serde_json::to_string(&item.raw)
        .expect("serialises")
        .replace("\"WLapsAdmin\"", &format!("\"{sid}\""));
    let raw: Value = serde_json::from_str(&text).expect("parses");
    let path = "device_vendor_msft_policy_config_localusersandgroups_configure/device_vendor_msft_policy_config_localusersandgroups_configure_groupconfiguration_accessgroup/device_vendor_msft_policy_config_localusersandgroups_configure_groupconfiguration_accessgroup_userselectiontype/device_vendor_msft_policy_config_localusersandgroups_configure_groupconfiguration_accessgroup_users";
    let directory = DirectoryIndex::new(&[directory_object(
        DirectoryObjectKind::Group,
        group,
        "Device admins",
    )]);
    let resolved = normalize(&item.kind, &raw, &directory);
    assert_eq!(setting(&resolved, path), &json!(["group:Device admins"]));
    assert!(resolved.unresolved.is_empty());
    let unresolved = normalize(&item.kind, &raw, &DirectoryIndex::default());
    let marker = format!("unresolved:{}", sid.to_ascii_lowercase());
    assert_eq!(setting(&unresolved, path), &json!([marker.clone()]));
    assert_eq!(unresolved.unresolved, [marker]);
}

// ----- rule 7: assignments ----------------------------------------------------------------

const PILOT: &str = "c5a7d9e1-0000-4000-8000-00000000a001";
const EXCLUDED: &str = "c5a7d9e1-0000-4000-8000-00000000a002";
const CORPORATE: &str = "f17e0000-0000-4000-8000-00000000b001";

pub(super) fn assignments_json(pilot: &str, excluded: &str, filter: &str) -> Value {
    json!([
        {"id": "p_1", "source": "direct", "sourceId": "p",
         "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": pilot,
                    "deviceAndAppManagementAssignmentFilterId": filter,
                    "deviceAndAppManagementAssignmentFilterType": "include"}},
        {"id": "p_2", "source": "direct", "sourceId": "p",
         "target": {"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": excluded,
                    "deviceAndAppManagementAssignmentFilterId": null,
                    "deviceAndAppManagementAssignmentFilterType": "none"}},
        {"id": "p_3", "source": "direct", "sourceId": "p",
         "target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget",
                    "deviceAndAppManagementAssignmentFilterId": "00000000-0000-0000-0000-000000000000",
                    "deviceAndAppManagementAssignmentFilterType": "none"}},
        {"id": "p_4", "target": {"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}}
    ])
}

fn assignment_directory() -> DirectoryIndex {
    DirectoryIndex::new(&[
        directory_object(DirectoryObjectKind::Group, PILOT, "Pilot Devices"),
        directory_object(DirectoryObjectKind::Group, EXCLUDED, "Excluded Devices"),
        directory_object(
            DirectoryObjectKind::AssignmentFilter,
            CORPORATE,
            "Corporate only",
        ),
    ])
}

#[test]
fn assignments_are_keyed_by_intent_and_portable_target() {
    let item = policy("Windows Firewall - D - Firewall Configuration");
    let before = plain(item);
    let mut raw = (*item.raw).clone();
    raw["assignments"] = assignments_json(PILOT, EXCLUDED, CORPORATE);
    let normalized = normalize(&item.kind, &raw, &assignment_directory());
    assert_eq!(
        normalized.assignments,
        BTreeMap::from([
            ("exclude/group:Excluded Devices".to_owned(), Value::Null),
            ("include/all_devices".to_owned(), Value::Null),
            ("include/all_licensed_users".to_owned(), Value::Null),
            (
                "include/group:Pilot Devices".to_owned(),
                json!({"filter": "filter:Corporate only", "filterType": "include"})
            ),
        ])
    );
    // Assignments never touch the settings.
    assert_eq!(normalized.settings, before.settings);
    assert_eq!(normalized.settings_hash, before.settings_hash);
    assert_ne!(normalized.assignments_hash, before.assignments_hash);
    assert!(normalized.unresolved.is_empty());

    let unresolved = normalize(&item.kind, &raw, &DirectoryIndex::default());
    assert!(unresolved
        .assignments
        .contains_key(&format!("include/unresolved:{PILOT}")));
    assert_eq!(
        unresolved.assignments[&format!("include/unresolved:{PILOT}")],
        json!({"filter": format!("unresolved:{CORPORATE}"), "filterType": "include"})
    );
    assert_eq!(unresolved.unresolved.len(), 3);
}

#[test]
fn a_changed_filter_or_intent_is_an_assignment_change() {
    let item = policy("Windows Firewall - D - Firewall Configuration");
    let mut raw = (*item.raw).clone();
    raw["assignments"] = assignments_json(PILOT, EXCLUDED, CORPORATE);
    let base = normalize(&item.kind, &raw, &assignment_directory());
    set_field(
        &mut raw,
        "/assignments/0/target/deviceAndAppManagementAssignmentFilterType",
        json!("exclude"),
    );
    let exclude_filter = normalize(&item.kind, &raw, &assignment_directory());
    assert_ne!(base.assignments_hash, exclude_filter.assignments_hash);
    set_field(
        &mut raw,
        "/assignments/1/target/@odata.type",
        json!("#microsoft.graph.groupAssignmentTarget"),
    );
    let included = normalize(&item.kind, &raw, &assignment_directory());
    assert!(included
        .assignments
        .contains_key("include/group:Excluded Devices"));
    assert!(!included
        .assignments
        .contains_key("exclude/group:Excluded Devices"));
}

// ----- administrative templates, intents, update profiles --------------------------------

#[test]
fn administrative_template_values_are_keyed_by_definition() {
    let raw = parse(fixtures::ADMIN_TEMPLATE);
    let normalized = normalize("administrative_template", &raw, &DirectoryIndex::default());
    let smartscreen = format!("definitionValues[{}]", fixtures::DEFINITION_SMARTSCREEN);
    assert_eq!(
        setting(&normalized, &format!("{smartscreen}/enabled")),
        &json!(true)
    );
    // Always "policy" in Intune, and absent from IntuneManagement's exports.
    assert!(!normalized
        .settings
        .contains_key(&format!("{smartscreen}/configurationType")));
    let urls = format!(
        "definitionValues[{}]/presentationValues[{}]/values",
        fixtures::DEFINITION_BLOCKED_URLS,
        fixtures::PRESENTATION_URLS
    );
    assert_eq!(
        setting(&normalized, &urls),
        &json!([{"name": "https://gambling.example"}, {"name": "https://social.example"}])
    );
    let minutes = format!(
        "definitionValues[{}]/presentationValues[{}]/value",
        fixtures::DEFINITION_IDLE_TIMEOUT,
        fixtures::PRESENTATION_MINUTES
    );
    assert_eq!(setting(&normalized, &minutes), &json!(30));
    assert_eq!(
        setting(
            &normalized,
            &format!(
                "definitionValues[{}]/enabled",
                fixtures::DEFINITION_IDLE_TIMEOUT
            )
        ),
        &json!(false)
    );
    assert!(!normalized
        .settings
        .keys()
        .any(|k| k.contains("/definition/") || k.contains("presentation/")));
    assert_eq!(
        setting(&normalized, "policyConfigurationIngestionType"),
        &json!("builtIn")
    );

    let mut reordered = raw.clone();
    reordered["definitionValues"]
        .as_array_mut()
        .expect("values")
        .reverse();
    set_field(
        &mut reordered,
        "/definitionValues/0/presentationValues/0/value",
        json!(30),
    );
    let list = reordered
        .pointer_mut("/definitionValues/1/presentationValues/0/values")
        .and_then(Value::as_array_mut)
        .expect("list");
    list.reverse();
    assert_eq!(
        normalize(
            "administrative_template",
            &reordered,
            &DirectoryIndex::default()
        ),
        normalized
    );
}

#[test]
fn intent_settings_are_keyed_by_definition_id() {
    let raw = parse(fixtures::INTENT_FIREWALL);
    let normalized = normalize("endpoint_security_intent", &raw, &DirectoryIndex::default());
    let prefix = "deviceConfiguration--windows10EndpointProtectionConfiguration_";
    assert_eq!(
        setting(&normalized, &format!("{prefix}firewallBlockStatefulFTP")),
        &json!(true)
    );
    assert_eq!(
        setting(
            &normalized,
            &format!("{prefix}defenderAttackSurfaceReductionExcludedPaths")
        ),
        &json!(["C:\\Temp", "D:\\Build"])
    );
    assert_eq!(
        setting(
            &normalized,
            &format!("{prefix}firewallProfileDomain/stealthModeBlocked")
        ),
        &json!(true)
    );
    assert!(!normalized.settings.contains_key(&format!(
        "{prefix}firewallProfileDomain/inboundNotificationsBlocked"
    )));
    assert!(!normalized
        .settings
        .contains_key(&format!("{prefix}defenderSecurityCenterITContactDisplay")));
    assert_eq!(
        setting(&normalized, "templateId"),
        &json!("4356d05c-a4ab-4a07-9ece-739f7c792910")
    );
    assert!(!normalized
        .settings
        .contains_key("isMigratingToConfigurationPolicy"));
}

#[test]
fn update_profiles_drop_derived_display_names() {
    let feature = normalize(
        "windows_feature_update",
        &parse(fixtures::FEATURE_UPDATE),
        &DirectoryIndex::default(),
    );
    assert_eq!(
        setting(&feature, "featureUpdateVersion"),
        &json!("Windows 11, version 24H2")
    );
    assert!(!feature
        .settings
        .contains_key("deployableContentDisplayName"));
    assert!(!feature.settings.contains_key("endOfSupportDate"));
    assert!(!feature
        .settings
        .keys()
        .any(|k| k.starts_with("rolloutSettings")));
    let quality = normalize(
        "windows_quality_update",
        &parse(fixtures::QUALITY_UPDATE),
        &DirectoryIndex::default(),
    );
    assert_eq!(
        setting(&quality, "expeditedUpdateSettings/daysUntilForcedReboot"),
        &json!(1)
    );
    assert!(!quality.settings.contains_key("releaseDateDisplayName"));
}

// ----- the whole corpus -------------------------------------------------------------------

#[test]
fn every_corpus_policy_normalises_cleanly() {
    let items = corpus();
    assert!(items.len() >= 111, "{} items", items.len());
    for item in items {
        let normalized = plain(item);
        let name = &item.name;
        assert!(!normalized.settings.is_empty(), "{name}: no settings");
        assert!(
            normalized.unresolved.is_empty(),
            "{name}: {:?}",
            normalized.unresolved
        );
        assert!(
            normalized.excluded.is_empty(),
            "{name}: {:?}",
            normalized.excluded
        );
        assert!(
            normalized.assignments.is_empty(),
            "{name}: {:?}",
            normalized.assignments
        );
        assert_eq!(normalized.settings_hash.len(), 64);
        assert!(!normalized.settings.values().any(is_empty), "{name}");
        assert_eq!(
            normalized.settings_hash,
            hex::encode(Sha256::digest(
                canonical_json(&object_of(normalized.settings.clone())).as_bytes()
            )),
            "{name}"
        );
        // Normalising is a function: the same input gives the same output.
        assert_eq!(plain(item), normalized);
    }
}

#[test]
fn native_import_and_intune_management_exports_agree() {
    // The same macOS policies exported by two tools: different annotations, ids and
    // timestamps, the same configuration.
    let mut compared = 0;
    for native in corpus().iter().filter(|i| {
        i.source_path
            .as_deref()
            .is_some_and(|p| p.contains("NativeImport"))
    }) {
        let exported = corpus()
            .iter()
            .find(|i| {
                i.name == native.name
                    && i.source_path
                        .as_deref()
                        .is_some_and(|p| p.contains("IntuneManagement"))
            })
            .unwrap_or_else(|| panic!("no IntuneManagement export of {}", native.name));
        let a = plain(native);
        let b = plain(exported);
        let differences = differing_paths(&a, &b);
        if native.name.contains("MAU Configuration") {
            // The two files were saved ten days apart, after three real edits.
            assert_eq!(
                differences,
                [
                    "com.apple.managedclient.preferences_channelname",
                    "com.apple.managedclient.preferences_guardagainstappmodification",
                    "com.apple.managedclient.preferences_updateroptimization",
                ],
                "{}",
                native.name
            );
        } else {
            assert_eq!(differences, Vec::<&String>::new(), "{}", native.name);
            assert_eq!(a.settings_hash, b.settings_hash, "{}", native.name);
        }
        compared += 1;
    }
    assert_eq!(compared, 17);
}

#[test]
fn unknown_kinds_get_the_global_rules() {
    let raw = json!({
        "@odata.type": "#microsoft.graph.somethingNew", "id": "1", "displayName": "X",
        "createdDateTime": "2024-01-01T00:00:00Z", "enabled": true, "levels": ["b", "a"],
        "roleScopeTagIds": ["0"], "nested": {"value": 3, "empty": ""}
    });
    let normalized = normalize(kinds::UNKNOWN, &raw, &DirectoryIndex::default());
    assert_eq!(
        normalized.settings,
        BTreeMap::from([
            ("enabled".to_owned(), json!(true)),
            ("levels".to_owned(), json!(["b", "a"])),
            ("nested/value".to_owned(), json!(3)),
        ])
    );
    assert_eq!(
        normalize("settings_catalog", &json!(null), &DirectoryIndex::default())
            .settings
            .len(),
        0
    );
}

// ----- the demo generator's planted differences ------------------------------------------

/// The demo generator records every difference it plants, with setting paths in this
/// module's notation. Against the baseline, a tenant policy differs exactly at the planted
/// `setting_*` paths and in its assignments exactly when an assignment change is planted;
/// from one capture to the next, exactly at the planted `changed_since_last_capture`
/// paths. Everything else it plants is noise and must not show.
#[test]
fn demo_tenants_differ_exactly_where_differences_were_planted() {
    use crate::demo::{DemoGenerator, PlantedKind};
    use chrono::TimeZone;

    let generator = DemoGenerator::new(0x504c_554d_424c_494e).expect("the demo corpus loads");
    let baseline = generator.baseline();
    let baseline_directory = DirectoryIndex::new(&baseline.directory_objects);
    let anchor = chrono::Utc
        .with_ymd_and_hms(2026, 3, 1, 0, 0, 0)
        .single()
        .expect("a valid date");
    let mut against_baseline = 0;
    let mut between_captures = 0;
    for index in 0..4 {
        let tenant = generator.tenant(index, anchor);
        let planted_paths =
            |filter: &dyn Fn(&crate::demo::PlantedDifference) -> bool| -> BTreeSet<String> {
                tenant
                    .planted
                    .iter()
                    .filter(|r| filter(r))
                    .filter_map(|r| r.setting_path.clone())
                    .collect()
            };
        let mut previous: Option<(&crate::model::CaptureContent, DirectoryIndex)> = None;
        for capture in &tenant.captures {
            let k = capture.index;
            let directory = DirectoryIndex::new(&capture.content.directory_objects);
            for item in &capture.content.items {
                let now = normalize(&item.kind, &item.raw, &directory);
                assert!(
                    now.unresolved.is_empty(),
                    "{}: {:?}",
                    item.name,
                    now.unresolved
                );
                if let Some(base) = baseline
                    .items
                    .iter()
                    .find(|b| b.kind == item.kind && b.name == item.name)
                {
                    let expected = normalize(&base.kind, &base.raw, &baseline_directory);
                    let planted = planted_paths(&|r| {
                        r.item_name.as_deref() == Some(item.name.as_str())
                            && r.holds_at(k)
                            && matches!(
                                r.kind,
                                PlantedKind::SettingChanged
                                    | PlantedKind::SettingMissing
                                    | PlantedKind::SettingAdded
                            )
                    });
                    let found: BTreeSet<String> = differing_paths(&expected, &now)
                        .into_iter()
                        .cloned()
                        .collect();
                    assert_eq!(found, planted, "tenant {index}, capture {k}: {}", item.name);
                    let assignment_planted = tenant.planted.iter().any(|r| {
                        r.item_name.as_deref() == Some(item.name.as_str())
                            && r.holds_at(k)
                            && r.kind == PlantedKind::AssignmentChanged
                    });
                    assert_eq!(
                        expected.assignments != now.assignments,
                        assignment_planted,
                        "tenant {index}, capture {k}: {}",
                        item.name
                    );
                    against_baseline += 1;
                }
                if let Some((content, directory)) = &previous {
                    if let Some(old) = content
                        .items
                        .iter()
                        .find(|i| i.external_id == item.external_id)
                    {
                        let before = normalize(&old.kind, &old.raw, directory);
                        let mut found: BTreeSet<String> = differing_paths(&before, &now)
                            .into_iter()
                            .cloned()
                            .collect();
                        if before.assignments != now.assignments {
                            found.insert("assignments".to_owned());
                        }
                        let planted = planted_paths(&|r| {
                            r.external_id.as_deref() == Some(item.external_id.as_str())
                                && r.capture == k
                                && r.kind == PlantedKind::ChangedSinceLastCapture
                        });
                        assert_eq!(found, planted, "tenant {index}, capture {k}: {}", item.name);
                        between_captures += 1;
                    }
                }
            }
            previous = Some((&capture.content, directory));
        }
    }
    assert!(against_baseline > 1000, "{against_baseline}");
    assert!(between_captures > 1000, "{between_captures}");
}

// ----- helpers of the public API ----------------------------------------------------------

#[test]
fn canonical_json_sorts_keys_and_escapes_like_serde() {
    let value = json!({"b": [2, {"z": null, "a": "\"x\"\n\u{1}é"}], "a": 1.5, "A": true});
    assert_eq!(
        canonical_json(&value),
        r#"{"A":true,"a":1.5,"b":[2,{"a":"\"x\"\n\u0001é","z":null}]}"#
    );
    // Valid JSON that reads back as the same value.
    let back: Value = serde_json::from_str(&canonical_json(&value)).expect("valid JSON");
    assert_eq!(back, value);
}

#[test]
fn version_suffixes_are_stripped_only_when_they_are_versions() {
    let cases = [
        (
            "Win - OIB - ES - Windows Firewall - D - Firewall Configuration - v3.1",
            "Win - OIB - ES - Windows Firewall - D - Firewall Configuration",
        ),
        (
            "Win - OIB - SC - Internet Explorer (Legacy) - D - Security - v3.1.1",
            "Win - OIB - SC - Internet Explorer (Legacy) - D - Security",
        ),
        ("Kiosk policy v2", "Kiosk policy"),
        ("Kiosk policy (v1.0)", "Kiosk policy"),
        ("Kiosk policy_V4", "Kiosk policy"),
        ("Baseline - v3.1  ", "Baseline"),
        ("Windows 10", "Windows 10"),
        ("Devv2", "Devv2"),
        ("Policy v", "Policy v"),
        ("Policy v3.", "Policy v3."),
        ("v3.1", "v3.1"),
        ("Edge (legacy)", "Edge (legacy)"),
    ];
    for (name, expected) in cases {
        assert_eq!(strip_version_suffix(name), expected, "{name}");
    }
}

/// Throughput on the corpus: `cargo test --release -p plumbline-core --lib
/// normalize::tests::normalisation_throughput -- --ignored --nocapture`. The machine is
/// shared, so the best of several trials is the figure; every trial cycles through the
/// whole corpus (2.3 MB of JSON), so caches are as cold as in a review.
#[test]
#[ignore = "a measurement, run in release"]
fn normalisation_throughput() {
    let items = corpus();
    let directory = DirectoryIndex::default();
    let bytes: usize = items
        .iter()
        .map(|i| serde_json::to_vec(&i.raw).map_or(0, |b| b.len()))
        .sum();
    for item in items {
        std::hint::black_box(normalize(&item.kind, &item.raw, &directory));
    }
    let rounds = 40;
    let mut trials: Vec<f64> = (0..7)
        .map(|_| {
            let started = std::time::Instant::now();
            for _ in 0..rounds {
                for item in items {
                    std::hint::black_box(normalize(&item.kind, &item.raw, &directory));
                }
            }
            started.elapsed().as_secs_f64() * 1e6 / (rounds * items.len()) as f64
        })
        .collect();
    trials.sort_by(f64::total_cmp);
    let mut by_kind: BTreeMap<&str, (usize, f64)> = BTreeMap::new();
    for item in items {
        let best = (0..5)
            .map(|_| {
                let started = std::time::Instant::now();
                for _ in 0..20 {
                    std::hint::black_box(normalize(&item.kind, &item.raw, &directory));
                }
                started.elapsed().as_secs_f64() * 1e6 / 20.0
            })
            .fold(f64::INFINITY, f64::min);
        let entry = by_kind.entry(item.kind.as_str()).or_default();
        entry.0 += 1;
        entry.1 += best;
    }
    // The review's own pipeline: a stored blob is parsed, then normalised while hot.
    let blobs: Vec<(&str, Vec<u8>)> = items
        .iter()
        .map(|i| {
            (
                i.kind.as_str(),
                serde_json::to_vec(&i.raw).unwrap_or_default(),
            )
        })
        .collect();
    let best_of = |normalise: bool| {
        (0..7)
            .map(|_| {
                let started = std::time::Instant::now();
                for _ in 0..10 {
                    for (kind, blob) in &blobs {
                        let raw: Value = serde_json::from_slice(blob).unwrap_or_default();
                        if normalise {
                            std::hint::black_box(normalize(kind, &raw, &directory));
                        }
                        std::hint::black_box(raw);
                    }
                }
                started.elapsed().as_secs_f64() * 1e6 / (10 * blobs.len()) as f64
            })
            .fold(f64::INFINITY, f64::min)
    };
    let parse_only = best_of(false);
    let parse_and_normalise = best_of(true);
    println!(
        "after parsing: parse {parse_only:.1} µs, parse + normalise {parse_and_normalise:.1} µs: normalise {:.1} µs per policy",
        parse_and_normalise - parse_only
    );
    for (kind, (count, total)) in &by_kind {
        println!(
            "{kind}: {count} policies, {:.1} µs each (warm)",
            total / *count as f64
        );
    }
    println!(
        "{} policies, {:.1} KB average compact JSON: best {:.1} µs, median {:.1} µs per policy",
        items.len(),
        bytes as f64 / items.len() as f64 / 1024.0,
        trials[0],
        trials[trials.len() / 2]
    );
    assert!(trials[0] > 0.0);
}

/// Normalised results are cached by hash under [`NORMALIZER_VERSION`]: any change of the
/// output must bump the version, and this test says so before old caches go stale.
#[test]
fn golden_hashes_pin_the_normalised_form() {
    let driver = plain(policy("WUfB Drivers - Ring 1"));
    assert_eq!(
        canonical_json(&object_of(driver.settings.clone())),
        r#"{"approvalType":"automatic","deploymentDeferralInDays":0}"#,
        "the normalised form changed: bump NORMALIZER_VERSION and update this test"
    );
    let pins = [
        (
            plain(policy("Windows Firewall - D - Firewall Configuration")).settings_hash,
            "175a993c48450561a6daccbd32dabcb5cf0936c07c531f30679ce81e93165bcf",
        ),
        (
            normalize(
                "conditional_access",
                &parse(fixtures::CA_ADMIN_MFA),
                &ca_directory(),
            )
            .settings_hash,
            "7f325ad956defcb5dca36e3685bb5e0557a0552d4735267df1f8d010bf215686",
        ),
        // SHA-256 of `{}`, computed elsewhere.
        (
            driver.assignments_hash,
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        ),
    ];
    for (actual, expected) in pins {
        assert_eq!(
            actual, expected,
            "the normalised form changed: bump NORMALIZER_VERSION and update this test"
        );
    }
}

//! The tenants the fake serves: demo tenants (the real Open Intune Baseline corpus with
//! each tenant's own differences), stored as full Graph objects and cut into Graph's real
//! shapes when served.

use chrono::{DateTime, Utc};
use plumbline_core::demo::DemoGenerator;
use plumbline_core::model::{CapturedItem, DirectoryObject, DirectoryObjectKind};
use serde_json::{json, Map, Value};

use crate::Behaviour;

/// One policy as Graph holds it: the whole object with its children (settings,
/// assignments, definition values, apps) embedded; [`crate::graph`] serves the parts
/// from the endpoints Graph serves them from.
#[derive(Clone, Debug)]
pub struct Policy {
    /// The collection it lives in, relative to the version root
    /// (`deviceManagement/configurationPolicies`).
    pub collection: &'static str,
    pub object: Map<String, Value>,
}

impl Policy {
    pub fn id(&self) -> &str {
        self.object.get("id").and_then(Value::as_str).unwrap_or("")
    }
}

/// A customer tenant of the fake.
#[derive(Clone, Debug)]
pub struct FakeTenant {
    /// The Entra tenant id (lower case).
    pub entra_id: String,
    pub display_name: String,
    pub domain: String,
    pub policies: Vec<Policy>,
    pub directory: Vec<DirectoryObject>,
    /// What this tenant does wrong; `None` takes the fake's default.
    pub behaviour: Option<Behaviour>,
}

/// The Graph collection a captured item lives in, or `None` for kinds the fake does not
/// serve.
pub fn collection_of(item: &CapturedItem) -> Option<&'static str> {
    Some(match item.kind.as_str() {
        "settings_catalog" => "deviceManagement/configurationPolicies",
        "device_configuration" | "windows_update_ring" => "deviceManagement/deviceConfigurations",
        "compliance_policy" => "deviceManagement/deviceCompliancePolicies",
        "windows_feature_update" => "deviceManagement/windowsFeatureUpdateProfiles",
        "windows_quality_update" => "deviceManagement/windowsQualityUpdateProfiles",
        "windows_driver_update" => "deviceManagement/windowsDriverUpdateProfiles",
        "administrative_template" => "deviceManagement/groupPolicyConfigurations",
        "endpoint_security_intent" => "deviceManagement/intents",
        "conditional_access" => "identity/conditionalAccess/policies",
        "app_protection" => {
            let odata = item
                .odata_type
                .as_deref()
                .unwrap_or("")
                .to_ascii_lowercase();
            if odata.contains("android") {
                "deviceAppManagement/androidManagedAppProtections"
            } else if odata.contains("ios") {
                "deviceAppManagement/iosManagedAppProtections"
            } else if odata.contains("mdmwindowsinformationprotection") {
                "deviceAppManagement/mdmWindowsInformationProtectionPolicies"
            } else {
                "deviceAppManagement/windowsManagedAppProtections"
            }
        }
        _ => return None,
    })
}

/// The object as Graph stores it: what an exporter added (`@odata.context`, `@odata.id`,
/// property annotations) removed at every depth; `@odata.type` kept.
pub fn graph_object(raw: &Value) -> Map<String, Value> {
    fn clean(value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(k, _)| {
                        k.as_str() == "@odata.type"
                            || !(k.contains("@odata.") || k.starts_with('#'))
                    })
                    .map(|(k, v)| (k.clone(), clean(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(clean).collect()),
            other => other.clone(),
        }
    }
    match clean(raw) {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// A tenant made from a captured portfolio tenant's content.
pub fn from_items<'a>(
    entra_id: &str,
    display_name: &str,
    domain: &str,
    items: impl IntoIterator<Item = &'a CapturedItem>,
    directory: Vec<DirectoryObject>,
) -> FakeTenant {
    let policies = items
        .into_iter()
        .filter_map(|item| {
            Some(Policy {
                collection: collection_of(item)?,
                object: graph_object(&item.raw),
            })
        })
        .collect();
    FakeTenant {
        entra_id: entra_id.to_ascii_lowercase(),
        display_name: display_name.to_owned(),
        domain: domain.to_owned(),
        policies,
        directory,
        behaviour: None,
    }
}

/// Demo tenants `0..count` of `seed` as of their latest capture: the same tenants (same
/// Entra tenant ids and names) the desktop's demo portfolio holds for that seed.
pub fn demo_tenants(
    seed: u64,
    count: u32,
    mean_policies: Option<u32>,
    anchor: DateTime<Utc>,
) -> anyhow::Result<Vec<FakeTenant>> {
    let mut generator = DemoGenerator::new(seed)?;
    if let Some(mean) = mean_policies {
        generator = generator.with_mean_policies(mean);
    }
    let mut tenants = Vec::with_capacity(count as usize);
    for index in 0..count {
        let mut history = generator.tenant_history(index, anchor);
        let mut last = None;
        while let Some(capture) = history.history.next_capture() {
            last = Some(capture.content.clone());
        }
        let content = last.unwrap_or_default();
        let profile = history.profile;
        tenants.push(from_items(
            profile.entra_tenant_id.as_deref().unwrap_or_default(),
            &profile.display_name,
            profile.primary_domain.as_deref().unwrap_or_default(),
            &content.items,
            content.directory_objects,
        ));
    }
    Ok(tenants)
}

/// Adds a settings-catalog policy with `settings` simple settings (more than a page of 25
/// many times over), for the paging tests.
pub fn add_large_catalog_policy(tenant: &mut FakeTenant, name: &str, settings: usize) {
    let id = stable_id(&format!("{}/{name}", tenant.entra_id));
    let settings: Vec<Value> = (0..settings)
        .map(|i| {
            json!({
                "id": i.to_string(),
                "settingInstance": {
                    "@odata.type": "#microsoft.graph.deviceManagementConfigurationSimpleSettingInstance",
                    "settingDefinitionId": format!("device_vendor_msft_policy_config_fake_setting{i:04}"),
                    "simpleSettingValue": {
                        "@odata.type": "#microsoft.graph.deviceManagementConfigurationIntegerSettingValue",
                        "value": i
                    }
                }
            })
        })
        .collect();
    let object = json!({
        "@odata.type": "#microsoft.graph.deviceManagementConfigurationPolicy",
        "id": id.to_string(),
        "name": name,
        "description": "",
        "platforms": "windows10",
        "technologies": "mdm",
        "roleScopeTagIds": ["0"],
        "createdDateTime": "2026-01-01T00:00:00Z",
        "lastModifiedDateTime": "2026-01-01T00:00:00Z",
        "templateReference": {"templateId": "", "templateFamily": "none"},
        "settings": settings,
        "assignments": []
    });
    if let Value::Object(object) = object {
        tenant.policies.push(Policy {
            collection: "deviceManagement/configurationPolicies",
            object,
        });
    }
}

/// Where a fake policy keeps the plain text of its encrypted OMA-URI values (secret
/// reference id → value); never served.
pub const PLAIN_TEXT: &str = "@fake.plainText";

/// Adds a custom (OMA-URI) Windows profile whose string values Graph returns encrypted,
/// as it does for every OMA-URI string and XML value: `value` masked, `isEncrypted`, and a
/// `secretReferenceValueId` to ask `getOmaSettingPlainTextValue` for the plain text.
pub fn add_custom_oma_policy(tenant: &mut FakeTenant, name: &str, values: &[(&str, &str)]) {
    let id = stable_id(&format!("{}/{name}", tenant.entra_id));
    let mut plain = Map::new();
    let settings: Vec<Value> = values
        .iter()
        .enumerate()
        .map(|(i, (uri, value))| {
            let secret = stable_id(&format!("{}/{name}/{uri}", tenant.entra_id)).to_string();
            plain.insert(secret.clone(), json!(value));
            json!({
                "@odata.type": "#microsoft.graph.omaSettingString",
                "displayName": format!("Custom setting {}", i + 1),
                "description": null,
                "omaUri": uri,
                "secretReferenceValueId": secret,
                "isEncrypted": true,
                "value": "****"
            })
        })
        .collect();
    let object = json!({
        "@odata.type": "#microsoft.graph.windows10CustomConfiguration",
        "id": id.to_string(),
        "displayName": name,
        "description": "",
        "roleScopeTagIds": ["0"],
        "createdDateTime": "2026-01-01T00:00:00Z",
        "lastModifiedDateTime": "2026-01-01T00:00:00Z",
        "version": 1,
        "omaSettings": settings,
        "assignments": [],
        PLAIN_TEXT: plain,
    });
    if let Value::Object(object) = object {
        tenant.policies.push(Policy {
            collection: "deviceManagement/deviceConfigurations",
            object,
        });
    }
}

/// Copies the tenant's settings-catalog policies (renamed, with new ids) until it holds
/// `total` policies, for the large-tenant tests.
pub fn pad_policies(tenant: &mut FakeTenant, total: usize) {
    let templates: Vec<Policy> = tenant
        .policies
        .iter()
        .filter(|p| p.collection == "deviceManagement/configurationPolicies")
        .cloned()
        .collect();
    if templates.is_empty() {
        return;
    }
    let mut n = 0usize;
    while tenant.policies.len() < total {
        let mut copy = templates[n % templates.len()].clone();
        let name = copy
            .object
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("policy")
            .to_owned();
        let id = stable_id(&format!("{}/copy/{n}", tenant.entra_id));
        copy.object
            .insert("id".to_owned(), Value::String(id.to_string()));
        copy.object.insert(
            "name".to_owned(),
            Value::String(format!("{name} (copy {n})")),
        );
        tenant.policies.push(copy);
        n += 1;
    }
}

/// Gives the tenant exactly `total` policies: the first ones kept, or copies added.
pub fn exact_policies(tenant: &mut FakeTenant, total: usize) {
    tenant.policies.truncate(total);
    pad_policies(tenant, total);
}

/// The directory objects as Graph returns them from their collections.
pub fn directory_objects(tenant: &FakeTenant, kind: DirectoryObjectKind) -> Vec<Value> {
    let mut out: Vec<Value> = tenant
        .directory
        .iter()
        .filter(|o| o.kind == kind)
        .map(|o| match kind {
            DirectoryObjectKind::Group => json!({
                "id": o.external_id, "displayName": o.display_name, "groupTypes": []
            }),
            DirectoryObjectKind::AssignmentFilter => json!({
                "id": o.external_id, "displayName": o.display_name,
                "platform": "windows10AndLater", "rule": "(device.manufacturer -eq \"Contoso\")"
            }),
            DirectoryObjectKind::ScopeTag => json!({
                "id": o.external_id, "displayName": o.display_name, "isBuiltIn": false
            }),
            DirectoryObjectKind::NamedLocation => json!({
                "@odata.type": "#microsoft.graph.ipNamedLocation",
                "id": o.external_id, "displayName": o.display_name
            }),
            DirectoryObjectKind::TermsOfUse => json!({
                "id": o.external_id, "displayName": o.display_name
            }),
        })
        .collect();
    if kind == DirectoryObjectKind::ScopeTag
        && !tenant
            .directory
            .iter()
            .any(|o| o.kind == kind && o.external_id == "0")
    {
        out.insert(
            0,
            json!({"id": "0", "displayName": "Default", "isBuiltIn": true}),
        );
    }
    out
}

/// A UUID that is a pure function of `text` (FNV-1a over 128 bits), so a restarted fake
/// serves the same ids.
fn stable_id(text: &str) -> uuid::Uuid {
    let mut hash: u128 = 0x6c62272e07bb014262b821756295c58d;
    for byte in text.bytes() {
        hash ^= u128::from(byte);
        hash = hash.wrapping_mul(0x0000000001000000000000000000013B);
    }
    uuid::Builder::from_u128(hash)
        .with_variant(uuid::Variant::RFC4122)
        .with_version(uuid::Version::Random)
        .into_uuid()
}

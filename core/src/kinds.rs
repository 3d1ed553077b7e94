//! The resource-kind registry: what Plumbline knows about each kind of Microsoft Graph
//! configuration object, as data.
//!
//! Adding a kind is adding an entry here, not writing new code paths: importers detect a
//! kind from `@odata.type`, `@odata.context` or the export folder through these entries,
//! and the drift engine reads how to normalise a kind from the same entry.

/// One resource kind.
#[derive(Debug)]
pub struct ResourceKind {
    /// Stable registry key, stored in the database (never change one once released).
    pub key: &'static str,
    /// Human label for the UI and reports.
    pub label: &'static str,
    /// Graph collection paths (relative to the beta/v1.0 root) that list this kind.
    pub endpoints: &'static [&'static str],
    /// `@odata.type` values that identify the kind exactly (without the leading `#`).
    pub odata_types: &'static [&'static str],
    /// Suffixes of `@odata.type` (after `microsoft.graph.`) that identify the kind when no
    /// exact type matched, e.g. `CompliancePolicy`.
    pub odata_type_suffixes: &'static [&'static str],
    /// Export folder names that hold this kind (IntuneManagement layout), compared
    /// case-insensitively.
    pub folders: &'static [&'static str],
    /// The JSON field that holds the object's name.
    pub name_field: &'static str,
}

/// Key recorded for objects whose kind could not be determined.
pub const UNKNOWN: &str = "unknown";

/// Every known configuration kind. Order matters for detection: more specific entries
/// (update rings, which Graph lists under device configurations) come first.
pub static KINDS: &[ResourceKind] = &[
    ResourceKind {
        key: "settings_catalog",
        label: "Settings catalog",
        endpoints: &["deviceManagement/configurationPolicies"],
        odata_types: &["microsoft.graph.deviceManagementConfigurationPolicy"],
        odata_type_suffixes: &[],
        folders: &["SettingsCatalog", "ConfigurationPolicies"],
        name_field: "name",
    },
    ResourceKind {
        key: "windows_update_ring",
        label: "Windows update ring",
        endpoints: &["deviceManagement/deviceConfigurations"],
        odata_types: &["microsoft.graph.windowsUpdateForBusinessConfiguration"],
        odata_type_suffixes: &[],
        folders: &["UpdatePolicies", "UpdateRings"],
        name_field: "displayName",
    },
    ResourceKind {
        key: "windows_feature_update",
        label: "Windows feature update profile",
        endpoints: &["deviceManagement/windowsFeatureUpdateProfiles"],
        odata_types: &["microsoft.graph.windowsFeatureUpdateProfile"],
        odata_type_suffixes: &[],
        folders: &["FeatureUpdates", "FeatureUpdateProfiles"],
        name_field: "displayName",
    },
    ResourceKind {
        key: "windows_quality_update",
        label: "Windows quality update profile",
        endpoints: &[
            "deviceManagement/windowsQualityUpdateProfiles",
            "deviceManagement/windowsQualityUpdatePolicies",
        ],
        odata_types: &[
            "microsoft.graph.windowsQualityUpdateProfile",
            "microsoft.graph.windowsQualityUpdatePolicy",
        ],
        odata_type_suffixes: &[],
        folders: &["QualityUpdates", "QualityUpdateProfiles"],
        name_field: "displayName",
    },
    ResourceKind {
        key: "windows_driver_update",
        label: "Windows driver update profile",
        endpoints: &["deviceManagement/windowsDriverUpdateProfiles"],
        odata_types: &["microsoft.graph.windowsDriverUpdateProfile"],
        odata_type_suffixes: &[],
        folders: &["DriverUpdateProfiles", "DriverUpdates"],
        name_field: "displayName",
    },
    ResourceKind {
        key: "compliance_policy",
        label: "Compliance policy",
        endpoints: &["deviceManagement/deviceCompliancePolicies"],
        odata_types: &[],
        odata_type_suffixes: &["CompliancePolicy"],
        folders: &["CompliancePolicies"],
        name_field: "displayName",
    },
    ResourceKind {
        key: "administrative_template",
        label: "Administrative template",
        endpoints: &["deviceManagement/groupPolicyConfigurations"],
        odata_types: &["microsoft.graph.groupPolicyConfiguration"],
        odata_type_suffixes: &[],
        folders: &["AdministrativeTemplates", "GroupPolicyConfigurations"],
        name_field: "displayName",
    },
    ResourceKind {
        key: "device_configuration",
        label: "Device configuration",
        endpoints: &["deviceManagement/deviceConfigurations"],
        odata_types: &[],
        odata_type_suffixes: &["Configuration", "CustomConfiguration", "Profile"],
        folders: &["DeviceConfiguration", "DeviceConfigurations"],
        name_field: "displayName",
    },
    ResourceKind {
        key: "conditional_access",
        label: "Conditional Access policy",
        endpoints: &["identity/conditionalAccess/policies"],
        odata_types: &["microsoft.graph.conditionalAccessPolicy"],
        odata_type_suffixes: &[],
        folders: &["ConditionalAccess", "ConditionalAccessPolicies"],
        name_field: "displayName",
    },
    ResourceKind {
        key: "app_protection",
        label: "App protection policy",
        endpoints: &[
            "deviceAppManagement/managedAppPolicies",
            "deviceAppManagement/androidManagedAppProtections",
            "deviceAppManagement/iosManagedAppProtections",
            "deviceAppManagement/windowsManagedAppProtections",
            "deviceAppManagement/mdmWindowsInformationProtectionPolicies",
        ],
        odata_types: &[
            "microsoft.graph.androidManagedAppProtection",
            "microsoft.graph.iosManagedAppProtection",
            "microsoft.graph.windowsManagedAppProtection",
            "microsoft.graph.mdmWindowsInformationProtectionPolicy",
        ],
        odata_type_suffixes: &["ManagedAppProtection"],
        folders: &["AppProtection", "ManagedAppPolicies"],
        name_field: "displayName",
    },
    ResourceKind {
        key: "endpoint_security_intent",
        label: "Endpoint security (template)",
        endpoints: &["deviceManagement/intents"],
        odata_types: &["microsoft.graph.deviceManagementIntent"],
        odata_type_suffixes: &[],
        folders: &["EndpointSecurity", "Intents"],
        name_field: "displayName",
    },
];

/// Looks a kind up by its registry key.
pub fn by_key(key: &str) -> Option<&'static ResourceKind> {
    KINDS.iter().find(|k| k.key == key)
}

/// The label to show for a kind key, including `unknown`.
pub fn label(key: &str) -> &'static str {
    by_key(key).map(|k| k.label).unwrap_or("Unknown kind")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_snake_case() {
        let mut seen = std::collections::BTreeSet::new();
        for kind in KINDS {
            assert!(seen.insert(kind.key), "duplicate key {}", kind.key);
            assert!(
                kind.key.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{} is not snake_case",
                kind.key
            );
            assert_ne!(kind.key, UNKNOWN);
        }
    }
}

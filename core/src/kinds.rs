//! The resource-kind registry: what Plumbline knows about each kind of Microsoft Graph
//! configuration object, as data.
//!
//! Adding a kind is adding an entry here, not writing new code paths: importers detect a
//! kind from `@odata.type`, `@odata.context` or the export folder through these entries,
//! and the drift engine reads how to normalise a kind ([`Normalization`]) from the same
//! entry.
//!
//! # Property patterns
//!
//! The normalisation lists name properties by *pattern*: the JSON property names from the
//! policy object's root down to the property, joined with `/` (`installationSchedule/
//! activeHoursStart`). Array entries add no segment (`scheduledActionsForRule/
//! scheduledActionConfigurations/gracePeriodHours` names a field of every entry of the
//! inner array), and a `*` segment matches any one property name. Settings-catalog setting
//! instances are not properties; [`Normalization::secrets`] also lists
//! `settingDefinitionId`s.

use crate::model::DirectoryObjectKind;

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
    /// How the drift engine normalises objects of this kind (see [`crate::normalize`]).
    pub normalization: Normalization,
}

/// Key recorded for objects whose kind could not be determined.
pub const UNKNOWN: &str = "unknown";

/// Properties dropped from every kind, at any depth: identity, timestamps, versions and
/// bookkeeping that differ between tenants or captures without any change of meaning.
/// OData annotations (`@odata.*`, `x@odata.*`) and action links (`#microsoft.graph.*`)
/// are dropped as well, by their shape rather than by name.
pub const VOLATILE_FIELDS: &[&str] = &[
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "modifiedDateTime",
    "version",
    "supportsScopeTags",
    "settingCount",
    "creationSource",
    "isAssigned",
    "priorityMetaData",
    "sourceId",
    "deployedAppCount",
    "lastSyncDateTime",
    "isReadOnly",
    "isEncrypted",
    "secretReferenceValueId",
    "auditRuleInformation",
    "settingInstanceTemplateReference",
    "settingValueTemplateReference",
];

/// Patterns that hold sets in every kind.
pub const GLOBAL_SET_ARRAYS: &[&str] = &["roleScopeTagIds"];

/// Per-tenant ids found in every kind.
pub const GLOBAL_ID_FIELDS: &[IdField] = &[IdField {
    path: "roleScopeTagIds",
    space: IdSpace::ScopeTag,
}];

/// How a kind's settings are laid out in its Graph object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Every property is a setting; nested objects are flattened into property paths.
    Properties,
    /// Settings catalog: the `settings[].settingInstance` trees, keyed by chains of
    /// `settingDefinitionId`s, plus the policy's own properties.
    SettingsCatalog,
    /// Endpoint-security intents: `settings[]` of `{definitionId, valueJson}`, keyed by
    /// `definitionId`, plus the intent's own properties.
    IntentSettings,
}

/// A space of per-tenant identifiers: an id means something only in its own tenant and is
/// compared through a portable name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdSpace {
    Group,
    AssignmentFilter,
    NamedLocation,
    ScopeTag,
    TermsOfUse,
    /// Entra users (CA `includeUsers`/`excludeUsers`). Captures hold no user directory
    /// objects yet, so user ids stay `unresolved:<id>` unless well known.
    User,
    /// Intune notification message templates (compliance actions).
    NotificationTemplate,
    /// Custom compliance discovery scripts.
    ComplianceScript,
}

/// What a well-known id stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WellKnown {
    /// A global id that is the same in every tenant: kept as it is.
    Keep,
    /// A global id shown under a portable name.
    Named(&'static str),
    /// An id that means "none" (all-zero GUIDs): the same as an empty value.
    Nothing,
}

const ZERO_GUID: &str = "00000000-0000-0000-0000-000000000000";

impl IdSpace {
    /// True when `text` has the form of an id of this space: GUIDs, and scope tags'
    /// numbers. Anything else where an id belongs is a name an exporter wrote instead.
    pub fn looks_like_id(self, text: &str) -> bool {
        match self {
            Self::ScopeTag => !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()),
            _ => {
                let parts: Vec<&str> = text.split('-').collect();
                parts.len() == 5
                    && parts
                        .iter()
                        .zip([8, 4, 4, 4, 12])
                        .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
            }
        }
    }

    /// The directory objects that resolve ids of this space, if captures hold any.
    pub fn directory_kind(self) -> Option<DirectoryObjectKind> {
        match self {
            Self::Group => Some(DirectoryObjectKind::Group),
            Self::AssignmentFilter => Some(DirectoryObjectKind::AssignmentFilter),
            Self::NamedLocation => Some(DirectoryObjectKind::NamedLocation),
            Self::ScopeTag => Some(DirectoryObjectKind::ScopeTag),
            Self::TermsOfUse => Some(DirectoryObjectKind::TermsOfUse),
            Self::User | Self::NotificationTemplate | Self::ComplianceScript => None,
        }
    }

    /// Ids of this space that are the same in every tenant, compared case-insensitively.
    pub fn well_known(self) -> &'static [(&'static str, WellKnown)] {
        match self {
            Self::User => &[
                ("All", WellKnown::Keep),
                ("None", WellKnown::Keep),
                ("GuestsOrExternalUsers", WellKnown::Keep),
            ],
            // Graph's fixed ids of the virtual "all devices" / "all licensed users" groups.
            Self::Group => &[
                (
                    "adadadad-808e-44e2-905a-0b7873a8a531",
                    WellKnown::Named("all_devices"),
                ),
                (
                    "acacacac-9df4-4c7d-9d50-4ef0226f57a9",
                    WellKnown::Named("all_licensed_users"),
                ),
            ],
            Self::NamedLocation => &[
                ("All", WellKnown::Keep),
                ("AllTrusted", WellKnown::Keep),
                // The legacy "MFA trusted IPs" location has the all-zero id in every tenant.
                (ZERO_GUID, WellKnown::Keep),
            ],
            Self::ScopeTag => &[("0", WellKnown::Named("scope_tag:Default"))],
            Self::AssignmentFilter | Self::NotificationTemplate | Self::ComplianceScript => {
                &[(ZERO_GUID, WellKnown::Nothing)]
            }
            Self::TermsOfUse => &[],
        }
    }
}

/// A JSON scalar in registry data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Literal {
    Str(&'static str),
    Bool(bool),
    Int(i64),
}

impl Literal {
    /// True when `value` is this scalar.
    pub fn matches(self, value: &serde_json::Value) -> bool {
        match self {
            Self::Str(s) => value.as_str() == Some(s),
            Self::Bool(b) => value.as_bool() == Some(b),
            Self::Int(n) => value.as_i64() == Some(n),
        }
    }
}

/// An array whose entries are identified by one of their fields: each entry's fields
/// become settings under `<array>[<key>]/…`, so a change inside one entry is one changed
/// setting and reordering changes nothing.
#[derive(Clone, Copy, Debug)]
pub struct KeyedArray {
    pub path: &'static str,
    /// Path of the key inside an entry (`omaUri`, `definition/id`). When the entry holds no
    /// such object but an `<object>@odata.bind` link, the id in the link is the key.
    pub key: &'static str,
}

/// An array of objects compared as the set of one identifying value per entry (the first
/// of `identity` that an entry has), e.g. app protection `apps` by bundle or package id.
#[derive(Clone, Copy, Debug)]
pub struct ProjectedSet {
    pub path: &'static str,
    pub identity: &'static [&'static str],
}

/// A property holding per-tenant ids (a string or an array of strings).
#[derive(Clone, Copy, Debug)]
pub struct IdField {
    pub path: &'static str,
    pub space: IdSpace,
}

/// What a [`Conditional`] does to its property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionalAction {
    /// Drop the property: it carries no configuration in that case.
    Ignore,
    /// Exclude the property as a per-tenant secret.
    Secret,
}

/// A rule on a property that applies when a sibling property (in the same object) holds
/// one of `values`.
#[derive(Clone, Copy, Debug)]
pub struct Conditional {
    pub path: &'static str,
    pub sibling: &'static str,
    pub values: &'static [Literal],
    pub action: ConditionalAction,
}

/// A value that Graph returns for "not configured": treated like a missing value.
#[derive(Clone, Copy, Debug)]
pub struct UnsetValue {
    pub path: &'static str,
    pub value: Literal,
}

/// How to normalise a kind: which properties are noise, which arrays are sets, where the
/// per-tenant ids and secrets are. See [`crate::normalize`] for the rules themselves.
#[derive(Debug)]
pub struct Normalization {
    pub layout: Layout,
    /// Volatile, derived or state properties dropped in addition to [`VOLATILE_FIELDS`].
    pub ignored: &'static [&'static str],
    /// Arrays compared as sets (sorted by canonical JSON, duplicates removed), in addition
    /// to [`GLOBAL_SET_ARRAYS`]. Every other array keeps its order.
    pub set_arrays: &'static [&'static str],
    /// Arrays whose entries are merged into the parent path (Graph returns one entry).
    pub merged_arrays: &'static [&'static str],
    pub keyed_arrays: &'static [KeyedArray],
    pub projected_sets: &'static [ProjectedSet],
    /// Per-tenant ids, in addition to [`GLOBAL_ID_FIELDS`].
    pub id_fields: &'static [IdField],
    /// Per-tenant secrets and blobs that can never match another tenant: property patterns
    /// and, for the settings catalog, `settingDefinitionId`s. Listed as excluded.
    pub secrets: &'static [&'static str],
    pub conditionals: &'static [Conditional],
    /// Comma-separated flag enums (`"mdm,microsoftSense"`): compared whatever the order.
    pub flag_fields: &'static [&'static str],
    pub unset_values: &'static [UnsetValue],
}

impl Normalization {
    /// Rules for objects of unknown kinds: only the global rules apply.
    pub const GENERIC: Self = Self {
        layout: Layout::Properties,
        ignored: &[],
        set_arrays: &[],
        merged_arrays: &[],
        keyed_arrays: &[],
        projected_sets: &[],
        id_fields: &[],
        secrets: &[],
        conditionals: &[],
        flag_fields: &[],
        unset_values: &[],
    };
}

/// Rules shared by every Windows-update style kind and device configurations: the
/// applicability rules' edition lists are sets.
const APPLICABILITY_SETS: &[&str] = &[
    "deviceManagementApplicabilityRuleOsEdition/osEditionTypes",
    "deviceManagementApplicabilityRuleOsVersion/osVersionTypes",
];

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
        normalization: Normalization {
            layout: Layout::SettingsCatalog,
            // The template's display name and version are labels of `templateId`.
            ignored: &[
                "templateReference/templateDisplayName",
                "templateReference/templateDisplayVersion",
            ],
            set_arrays: &[],
            merged_arrays: &[],
            keyed_arrays: &[],
            projected_sets: &[],
            id_fields: &[],
            // Defender for Endpoint onboarding/offboarding packages (secret values that
            // Graph returns as per-tenant encrypted tokens).
            secrets: &[
                "device_vendor_msft_windowsadvancedthreatprotection_onboarding",
                "device_vendor_msft_windowsadvancedthreatprotection_offboarding",
                "device_vendor_msft_windowsadvancedthreatprotection_onboarding_fromconnector",
            ],
            conditionals: &[],
            flag_fields: &["platforms", "technologies"],
            unset_values: &[UnsetValue {
                path: "templateReference/templateFamily",
                value: Literal::Str("none"),
            }],
        },
    },
    ResourceKind {
        key: "windows_update_ring",
        label: "Windows update ring",
        endpoints: &["deviceManagement/deviceConfigurations"],
        odata_types: &["microsoft.graph.windowsUpdateForBusinessConfiguration"],
        odata_type_suffixes: &[],
        folders: &["UpdatePolicies", "UpdateRings"],
        name_field: "displayName",
        normalization: Normalization {
            layout: Layout::Properties,
            // Pause and rollback timestamps record when someone pressed a button; the
            // `*Paused` / `*WillBeRolledBack` flags carry the configuration.
            ignored: &[
                "qualityUpdatesPauseExpiryDateTime",
                "featureUpdatesPauseExpiryDateTime",
                "qualityUpdatesPauseStartDate",
                "featureUpdatesPauseStartDate",
                "qualityUpdatesRollbackStartDateTime",
                "featureUpdatesRollbackStartDateTime",
            ],
            set_arrays: APPLICABILITY_SETS,
            merged_arrays: &[],
            keyed_arrays: &[],
            projected_sets: &[],
            id_fields: &[],
            secrets: &[],
            conditionals: &[],
            flag_fields: &["updateWeeks"],
            unset_values: &[],
        },
    },
    ResourceKind {
        key: "windows_feature_update",
        label: "Windows feature update profile",
        endpoints: &["deviceManagement/windowsFeatureUpdateProfiles"],
        odata_types: &["microsoft.graph.windowsFeatureUpdateProfile"],
        odata_type_suffixes: &[],
        folders: &["FeatureUpdates", "FeatureUpdateProfiles"],
        name_field: "displayName",
        normalization: Normalization {
            layout: Layout::Properties,
            // Display names and support dates derive from `featureUpdateVersion`.
            ignored: &["deployableContentDisplayName", "endOfSupportDate"],
            set_arrays: &[],
            merged_arrays: &[],
            keyed_arrays: &[],
            projected_sets: &[],
            id_fields: &[],
            secrets: &[],
            conditionals: &[],
            flag_fields: &[],
            unset_values: &[],
        },
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
        normalization: Normalization {
            layout: Layout::Properties,
            // Display names derive from `expeditedUpdateSettings/qualityUpdateRelease`.
            ignored: &["deployableContentDisplayName", "releaseDateDisplayName"],
            set_arrays: &[],
            merged_arrays: &[],
            keyed_arrays: &[],
            projected_sets: &[],
            id_fields: &[],
            secrets: &[],
            conditionals: &[],
            flag_fields: &[],
            unset_values: &[],
        },
    },
    ResourceKind {
        key: "windows_driver_update",
        label: "Windows driver update profile",
        endpoints: &["deviceManagement/windowsDriverUpdateProfiles"],
        odata_types: &["microsoft.graph.windowsDriverUpdateProfile"],
        odata_type_suffixes: &[],
        folders: &["DriverUpdateProfiles", "DriverUpdates"],
        name_field: "displayName",
        normalization: Normalization {
            layout: Layout::Properties,
            // Counters and inventory state that Intune updates on its own.
            ignored: &["deviceReporting", "newUpdates", "inventorySyncStatus"],
            set_arrays: &[],
            merged_arrays: &[],
            keyed_arrays: &[],
            projected_sets: &[],
            id_fields: &[],
            secrets: &[],
            conditionals: &[],
            flag_fields: &[],
            unset_values: &[],
        },
    },
    ResourceKind {
        key: "compliance_policy",
        label: "Compliance policy",
        endpoints: &["deviceManagement/deviceCompliancePolicies"],
        odata_types: &[],
        odata_type_suffixes: &["CompliancePolicy"],
        folders: &["CompliancePolicies"],
        name_field: "displayName",
        normalization: Normalization {
            layout: Layout::Properties,
            // Scheduled actions are per policy (Graph: "always PasswordRequired", read back
            // as null); the rule name carries nothing.
            ignored: &["scheduledActionsForRule/ruleName"],
            set_arrays: &[
                "validOperatingSystemBuildRanges",
                "scheduledActionsForRule/scheduledActionConfigurations/notificationMessageCCList",
                "restrictedApps",
                "allowedAndroidDeviceModels",
            ],
            merged_arrays: &["scheduledActionsForRule"],
            keyed_arrays: &[KeyedArray {
                path: "scheduledActionsForRule/scheduledActionConfigurations",
                key: "actionType",
            }],
            projected_sets: &[],
            id_fields: &[
                IdField {
                    path: "scheduledActionsForRule/scheduledActionConfigurations/notificationTemplateId",
                    space: IdSpace::NotificationTemplate,
                },
                IdField {
                    path: "scheduledActionsForRule/scheduledActionConfigurations/notificationMessageCCList",
                    space: IdSpace::Group,
                },
                IdField {
                    path: "deviceCompliancePolicyScript/deviceComplianceScriptId",
                    space: IdSpace::ComplianceScript,
                },
            ],
            secrets: &[],
            conditionals: &[],
            flag_fields: &[],
            unset_values: &[],
        },
    },
    ResourceKind {
        key: "administrative_template",
        label: "Administrative template",
        endpoints: &["deviceManagement/groupPolicyConfigurations"],
        odata_types: &["microsoft.graph.groupPolicyConfiguration"],
        odata_type_suffixes: &[],
        folders: &["AdministrativeTemplates", "GroupPolicyConfigurations"],
        name_field: "displayName",
        normalization: Normalization {
            layout: Layout::Properties,
            // The expanded definition and presentation objects describe the ADMX policy
            // (labels, help text, category); they are keyed by id and carry no setting.
            ignored: &[
                "definitionValues/definition",
                "definitionValues/presentationValues/presentation",
                // Always "policy" in Intune; Graph reads return it, IntuneManagement's
                // export leaves it out.
                "definitionValues/configurationType",
            ],
            set_arrays: &["definitionValues/presentationValues/values"],
            merged_arrays: &[],
            keyed_arrays: &[
                KeyedArray {
                    path: "definitionValues",
                    key: "definition/id",
                },
                KeyedArray {
                    path: "definitionValues/presentationValues",
                    key: "presentation/id",
                },
            ],
            projected_sets: &[],
            id_fields: &[],
            secrets: &[],
            conditionals: &[],
            flag_fields: &[],
            unset_values: &[],
        },
    },
    ResourceKind {
        key: "device_configuration",
        label: "Device configuration",
        endpoints: &["deviceManagement/deviceConfigurations"],
        odata_types: &[],
        odata_type_suffixes: &["Configuration", "CustomConfiguration", "Profile"],
        folders: &["DeviceConfiguration", "DeviceConfigurations"],
        name_field: "displayName",
        normalization: Normalization {
            layout: Layout::Properties,
            ignored: &[],
            set_arrays: &[
                "deviceManagementApplicabilityRuleOsEdition/osEditionTypes",
                "deviceManagementApplicabilityRuleOsVersion/osVersionTypes",
                // Endpoint protection and device restrictions: path and process lists.
                "defenderAttackSurfaceReductionExcludedPaths",
                "defenderGuardedFoldersAllowedAppPaths",
                "defenderAdditionalGuardedFolders",
                "defenderFileExtensionsToExclude",
                "defenderFilesAndFoldersToExclude",
                "defenderProcessesToExclude",
                "firewallRules",
                "*/localUsersOrGroups",
                "privacyAccessControls",
                // Apple restrictions and custom lists.
                "compliantAppsList",
                "appsVisibilityList",
                "appsSingleAppModeList",
                "safariManagedDomains",
                "safariPasswordAutoFillDomains",
                "emailInDomainSuffixes",
                // Wi-Fi and VPN trust lists.
                "trustedServerCertificateNames",
                "rootCertificatesForServerValidationIds",
            ],
            merged_arrays: &[],
            keyed_arrays: &[KeyedArray {
                path: "omaSettings",
                key: "omaUri",
            }],
            projected_sets: &[],
            id_fields: &[],
            secrets: &[
                "advancedThreatProtectionOnboardingBlob",
                "advancedThreatProtectionOffboardingBlob",
                "trustedRootCertificate",
                "preSharedKey",
                "password",
            ],
            // Custom OMA-URI values that Graph returns encrypted are per-tenant blobs.
            conditionals: &[Conditional {
                path: "omaSettings/value",
                sibling: "isEncrypted",
                values: &[Literal::Bool(true)],
                action: ConditionalAction::Secret,
            }],
            flag_fields: &["configDeviceHealthMonitoringScope"],
            unset_values: &[],
        },
    },
    ResourceKind {
        key: "conditional_access",
        label: "Conditional Access policy",
        endpoints: &["identity/conditionalAccess/policies"],
        odata_types: &["microsoft.graph.conditionalAccessPolicy"],
        odata_type_suffixes: &[],
        folders: &["ConditionalAccess", "ConditionalAccessPolicies"],
        name_field: "displayName",
        normalization: Normalization {
            layout: Layout::Properties,
            // A custom authentication strength's id is per tenant (dropped with every
            // `id`); its name and combinations are portable, and built-in strengths have
            // fixed names. Its combination configurations are a navigation property.
            ignored: &[
                "grantControls/authenticationStrength/combinationConfigurations",
                "deletedDateTime",
            ],
            set_arrays: &[
                "conditions/users/includeUsers",
                "conditions/users/excludeUsers",
                "conditions/users/includeGroups",
                "conditions/users/excludeGroups",
                "conditions/users/includeRoles",
                "conditions/users/excludeRoles",
                "conditions/users/includeGuestsOrExternalUsers/externalTenants/members",
                "conditions/users/excludeGuestsOrExternalUsers/externalTenants/members",
                "conditions/applications/includeApplications",
                "conditions/applications/excludeApplications",
                "conditions/applications/includeUserActions",
                "conditions/applications/includeAuthenticationContextClassReferences",
                "conditions/clientApplications/includeServicePrincipals",
                "conditions/clientApplications/excludeServicePrincipals",
                "conditions/platforms/includePlatforms",
                "conditions/platforms/excludePlatforms",
                "conditions/locations/includeLocations",
                "conditions/locations/excludeLocations",
                "conditions/devices/includeDevices",
                "conditions/devices/excludeDevices",
                "conditions/devices/includeDeviceStates",
                "conditions/devices/excludeDeviceStates",
                "conditions/clientAppTypes",
                "conditions/signInRiskLevels",
                "conditions/userRiskLevels",
                "conditions/servicePrincipalRiskLevels",
                "grantControls/builtInControls",
                "grantControls/customAuthenticationFactors",
                "grantControls/termsOfUse",
                "grantControls/authenticationStrength/allowedCombinations",
            ],
            merged_arrays: &[],
            keyed_arrays: &[],
            projected_sets: &[],
            id_fields: &[
                IdField {
                    path: "conditions/users/includeUsers",
                    space: IdSpace::User,
                },
                IdField {
                    path: "conditions/users/excludeUsers",
                    space: IdSpace::User,
                },
                IdField {
                    path: "conditions/users/includeGroups",
                    space: IdSpace::Group,
                },
                IdField {
                    path: "conditions/users/excludeGroups",
                    space: IdSpace::Group,
                },
                IdField {
                    path: "conditions/locations/includeLocations",
                    space: IdSpace::NamedLocation,
                },
                IdField {
                    path: "conditions/locations/excludeLocations",
                    space: IdSpace::NamedLocation,
                },
                IdField {
                    path: "grantControls/termsOfUse",
                    space: IdSpace::TermsOfUse,
                },
            ],
            secrets: &[],
            conditionals: &[],
            flag_fields: &[
                "conditions/users/includeGuestsOrExternalUsers/guestOrExternalUserTypes",
                "conditions/users/excludeGuestsOrExternalUsers/guestOrExternalUserTypes",
                "conditions/authenticationFlows/transferMethods",
                "grantControls/authenticationStrength/requirementsSatisfied",
            ],
            unset_values: &[],
        },
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
        normalization: Normalization {
            layout: Layout::Properties,
            ignored: &[],
            set_arrays: &[
                "allowedDataStorageLocations",
                "allowedDataIngestionLocations",
                "allowedAndroidDeviceModels",
                "managedUniversalLinks",
                "exemptedUniversalLinks",
                "protectedApps",
                "exemptApps",
                "enterpriseIPRanges",
                "enterpriseProxiedDomains",
                "enterpriseNetworkDomainNames",
                "enterpriseProtectedDomainNames",
                "enterpriseInternalProxyServers",
                "enterpriseProxyServers",
                "neutralDomainResources",
                "smbAutoEncryptedFileExtensions",
            ],
            merged_arrays: &[],
            // Key/value pair lists (keyboards, exempted packages and protocols, custom
            // settings) are keyed by their name.
            keyed_arrays: &[
                KeyedArray {
                    path: "exemptedAppPackages",
                    key: "name",
                },
                KeyedArray {
                    path: "exemptedAppProtocols",
                    key: "name",
                },
                KeyedArray {
                    path: "approvedKeyboards",
                    key: "name",
                },
                KeyedArray {
                    path: "customSettings",
                    key: "name",
                },
            ],
            projected_sets: &[ProjectedSet {
                path: "apps",
                identity: &[
                    "mobileAppIdentifier/packageId",
                    "mobileAppIdentifier/bundleId",
                    "mobileAppIdentifier/windowsAppId",
                    "id",
                ],
            }],
            id_fields: &[],
            secrets: &[],
            // Intune computes the app list of the "all/core Microsoft apps" groups and
            // grows it as Microsoft ships apps: only a hand-picked list is configuration.
            conditionals: &[Conditional {
                path: "apps",
                sibling: "appGroupType",
                values: &[
                    Literal::Str("allApps"),
                    Literal::Str("allMicrosoftApps"),
                    Literal::Str("allMicrosoftCoreApps"),
                    Literal::Str("allCoreMicrosoftApps"),
                ],
                action: ConditionalAction::Ignore,
            }],
            flag_fields: &["targetedAppManagementLevels"],
            // "0000-00-00" is Graph's "no patch level required".
            unset_values: &[
                UnsetValue {
                    path: "minimumRequiredPatchVersion",
                    value: Literal::Str("0000-00-00"),
                },
                UnsetValue {
                    path: "minimumWarningPatchVersion",
                    value: Literal::Str("0000-00-00"),
                },
                UnsetValue {
                    path: "minimumWipePatchVersion",
                    value: Literal::Str("0000-00-00"),
                },
            ],
        },
    },
    ResourceKind {
        key: "endpoint_security_intent",
        label: "Endpoint security (template)",
        endpoints: &["deviceManagement/intents"],
        odata_types: &["microsoft.graph.deviceManagementIntent"],
        odata_type_suffixes: &[],
        // IntuneManagement, and IntuneCD's "Management Intents".
        folders: &["EndpointSecurity", "Intents", "ManagementIntents"],
        name_field: "displayName",
        normalization: Normalization {
            layout: Layout::IntentSettings,
            ignored: &["isMigratingToConfigurationPolicy"],
            set_arrays: &[],
            merged_arrays: &[],
            keyed_arrays: &[],
            projected_sets: &[],
            id_fields: &[],
            secrets: &[
                "deviceConfiguration--windowsDefenderAdvancedThreatProtectionConfiguration_advancedThreatProtectionOnboardingBlob",
            ],
            conditionals: &[],
            flag_fields: &[],
            unset_values: &[],
        },
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

/// A kind name a person typed that names no kind.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("\"{given}\" is not a policy kind; use one of: {}", valid_keys().join(", "))]
pub struct UnknownKind {
    pub given: String,
}

/// Every kind key, in registry order.
pub fn valid_keys() -> Vec<&'static str> {
    KINDS.iter().map(|k| k.key).collect()
}

/// The kind a person means by `text`: its key or its label, in any case, with spaces,
/// hyphens or underscores or none between the words (`settings_catalog`,
/// `SettingsCatalog`, `Settings catalog`). Anything else is an error that lists the keys.
pub fn resolve(text: &str) -> Result<&'static ResourceKind, UnknownKind> {
    let squash = |t: &str| -> String {
        t.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let wanted = squash(text);
    KINDS
        .iter()
        .find(|k| !wanted.is_empty() && (squash(k.key) == wanted || squash(k.label) == wanted))
        .ok_or_else(|| UnknownKind {
            given: text.trim().to_owned(),
        })
}

/// Resolves a list of typed kind names to their keys, without repeats, in the order given.
pub fn resolve_all<S: AsRef<str>>(texts: &[S]) -> Result<Vec<String>, UnknownKind> {
    let mut keys: Vec<String> = Vec::with_capacity(texts.len());
    for text in texts {
        let key = resolve(text.as_ref())?.key.to_owned();
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_kind_names_resolve_to_keys_or_list_the_valid_ones() {
        for text in [
            "settings_catalog",
            "SettingsCatalog",
            "settings-catalog",
            "Settings catalog",
            " SETTINGS CATALOG ",
        ] {
            assert_eq!(
                resolve(text).map(|k| k.key),
                Ok("settings_catalog"),
                "{text}"
            );
        }
        assert_eq!(
            resolve("Conditional Access policy").map(|k| k.key),
            Ok("conditional_access")
        );
        let error = resolve("bogus_kind").expect_err("unknown");
        assert_eq!(error.given, "bogus_kind");
        let message = error.to_string();
        for kind in KINDS {
            assert!(message.contains(kind.key), "{message} lists {}", kind.key);
        }
        assert!(resolve("").is_err());
        assert!(
            resolve("unknown").is_err(),
            "unknown is not a kind one can manage"
        );
        assert_eq!(
            resolve_all(&["SettingsCatalog", "settings_catalog", "compliance_policy"]),
            Ok(vec![
                "settings_catalog".to_owned(),
                "compliance_policy".to_owned()
            ])
        );
    }

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

    fn all_patterns(n: &Normalization) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        out.extend(n.ignored);
        out.extend(n.set_arrays);
        out.extend(n.merged_arrays);
        out.extend(n.keyed_arrays.iter().map(|k| k.path));
        out.extend(n.projected_sets.iter().map(|p| p.path));
        out.extend(n.id_fields.iter().map(|f| f.path));
        out.extend(n.conditionals.iter().map(|c| c.path));
        out.extend(n.flag_fields);
        out.extend(n.unset_values.iter().map(|u| u.path));
        out
    }

    #[test]
    fn normalisation_patterns_are_well_formed() {
        for kind in KINDS {
            for pattern in all_patterns(&kind.normalization) {
                assert!(
                    !pattern.is_empty()
                        && pattern.split('/').all(|s| !s.is_empty())
                        && !pattern.contains('@'),
                    "{}: malformed pattern {pattern:?}",
                    kind.key
                );
                // A volatile name would be dropped before any rule could see it.
                let last = pattern.rsplit('/').next().unwrap_or(pattern);
                assert!(
                    !VOLATILE_FIELDS.contains(&last),
                    "{}: pattern {pattern:?} names a volatile field",
                    kind.key
                );
            }
        }
    }

    #[test]
    fn a_name_field_is_never_a_setting_rule() {
        for kind in KINDS {
            assert!(
                !all_patterns(&kind.normalization).contains(&kind.name_field),
                "{}: rules mention the name field",
                kind.key
            );
        }
    }

    #[test]
    fn every_id_field_of_a_list_is_a_set() {
        // An id list compared in order would report drift when Graph reorders members.
        for kind in KINDS {
            let n = &kind.normalization;
            for field in n.id_fields {
                let is_list_rule = n.set_arrays.contains(&field.path)
                    || n.keyed_arrays.iter().any(|k| k.path == field.path);
                let scalar = field.path.ends_with("Id");
                assert!(
                    is_list_rule || scalar,
                    "{}: id list {} is not a set",
                    kind.key,
                    field.path
                );
            }
        }
    }

    #[test]
    fn well_known_ids_are_kept_named_or_nothing() {
        assert_eq!(
            IdSpace::ScopeTag.well_known(),
            &[("0", WellKnown::Named("scope_tag:Default"))]
        );
        assert!(IdSpace::User
            .well_known()
            .iter()
            .any(|(id, w)| *id == "GuestsOrExternalUsers" && *w == WellKnown::Keep));
        assert!(IdSpace::User.directory_kind().is_none());
        assert_eq!(
            IdSpace::Group.directory_kind(),
            Some(DirectoryObjectKind::Group)
        );
    }
}

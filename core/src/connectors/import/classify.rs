//! What a file and the objects in it are: which exporter wrote the file, which kind each
//! object is (from `@odata.type`, then the object's shape, then its folder, then its
//! `@odata.context`, then the family of its type), and the files that are not policies.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::kinds::{ResourceKind, KINDS};
use crate::model::DirectoryObjectKind;

/// The exporter whose layout a file follows, as far as the file itself tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// IntuneManagement (Micke-K): full OData metadata, `_Settings.json` companions,
    /// `MigrationTable.json`, `%OrganizationId%`.
    IntuneManagement,
    /// IntuneCD: folders like `Settings Catalog/`, assignments by group name, YAML.
    IntuneCd,
    /// The Intune admin center's "Export JSON": one line, an `$entity` context.
    AdminCenter,
    /// Microsoft's PowerShell samples (and Windows PowerShell 5.1 artefacts).
    PowershellSample,
    /// A Graph list page `{"value": [...]}`.
    GraphPage,
    /// Plain Graph JSON.
    Graph,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Self::IntuneManagement => "IntuneManagement export",
            Self::IntuneCd => "IntuneCD backup",
            Self::AdminCenter => "Intune admin center \"Export JSON\"",
            Self::PowershellSample => "PowerShell sample export",
            Self::GraphPage => "Graph list page",
            Self::Graph => "Graph JSON",
        }
    }
}

/// The format of a file from its path, text and parsed value.
pub fn file_format(path: &str, text: &str, value: &Value, yaml: bool) -> Format {
    let folders = folders_of(path);
    let object = match value {
        Value::Object(map) => Some(map),
        Value::Array(items) => items.first().and_then(Value::as_object),
        _ => None,
    };
    let has = |key: &str| object.is_some_and(|m| m.contains_key(key));
    let any_key = |test: &dyn Fn(&str) -> bool| object.is_some_and(|m| m.keys().any(|k| test(k)));
    if yaml
        || folders.iter().any(|f| INTUNECD_FOLDERS.contains(f))
        || text.contains("\"groupName\"")
        || text.starts_with("{\n     \"")
    {
        return Format::IntuneCd;
    }
    if text.contains("%OrganizationId%")
        || has("@odata.id")
        || has("@odata.editLink")
        || any_key(&|k| {
            k.starts_with("#microsoft.graph.")
                || k.starts_with("#CustomRef")
                || k.starts_with("#Definition_")
        })
        || file_stem(path).to_ascii_lowercase().ends_with("_settings")
        || file_name(path).eq_ignore_ascii_case("MigrationTable.json")
    {
        return Format::IntuneManagement;
    }
    if has("settingsDelta")
        || has("TemplateId")
        || has("AdditionalProperties")
        || text.contains("\\/Date(")
        || timestamp_suffix(file_stem(path)).is_some()
    {
        return Format::PowershellSample;
    }
    if let Value::Object(map) = value {
        if map.get("value").is_some_and(Value::is_array)
            && map.keys().all(|k| k == "value" || k.starts_with('@'))
        {
            return Format::GraphPage;
        }
        let one_line = !text.trim().contains('\n');
        let entity = map
            .get("@odata.context")
            .and_then(Value::as_str)
            .is_some_and(|c| c.ends_with("/$entity"));
        if one_line && entity && !map.contains_key("@odata.type") {
            return Format::AdminCenter;
        }
    }
    Format::Graph
}

/// IntuneCD's folder names that no other exporter uses.
const INTUNECD_FOLDERS: &[&str] = &[
    "Settings Catalog",
    "Device Configurations",
    "Group Policy Configurations",
    "Management Intents",
    "Compliance Policies",
    "App Protection",
    "Conditional Access",
    "Feature Updates",
    "Quality Updates",
    "Driver Updates",
    "Scope Tags",
];

/// The folders of a `/`-separated relative path, nearest first.
pub fn folders_of(path: &str) -> Vec<&str> {
    path.split('/').rev().skip(1).collect()
}

pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The file name without its extension.
pub fn file_stem(path: &str) -> &str {
    let name = file_name(path);
    match name.rfind('.') {
        Some(dot) if dot > 0 => &name[..dot],
        _ => name,
    }
}

/// The extension, lower-case.
pub fn extension(path: &str) -> String {
    let name = file_name(path);
    match name.rfind('.') {
        Some(dot) if dot > 0 => name[dot + 1..].to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// The policy name a file's name stands for, without what exporters add to it:
/// IntuneManagement's `_<id>`, IntuneCD's `__<id>`, the samples' `_<timestamp>`.
pub fn name_from_stem(stem: &str) -> String {
    let mut name = stem;
    if let Some(rest) = timestamp_suffix(name) {
        name = rest;
    }
    if let Some((rest, id)) = name.rsplit_once('_') {
        if is_guid(id) && !rest.is_empty() {
            name = rest.strip_suffix('_').unwrap_or(rest);
        }
    }
    name.trim().to_owned()
}

/// `Name_07-03-2023-9-05-41` (or with `.fff`): the samples' export time; the name before it.
fn timestamp_suffix(stem: &str) -> Option<&str> {
    let (rest, stamp) = stem.rsplit_once('_')?;
    let stamp = stamp.split('.').next().unwrap_or(stamp);
    let parts: Vec<&str> = stamp.split('-').collect();
    let digits = |p: &&str| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit());
    (parts.len() == 6 && parts.iter().all(digits) && parts[2].len() == 4 && !rest.is_empty())
        .then_some(rest)
}

/// A GUID in its usual 8-4-4-4-12 form.
pub fn is_guid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Names compared the way people regroup folders: case, spaces, hyphens and underscores
/// do not matter (`Settings Catalog` is `SettingsCatalog` is `settings_catalog`).
pub fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// What a folder says about the files below it.
#[derive(Clone, Copy, Debug)]
pub enum FolderRole {
    Kind(&'static ResourceKind),
    Directory(DirectoryObjectKind),
    /// Intune objects of a kind Plumbline does not compare (yet): kept, not judged.
    Unsupported(&'static str),
    /// Not configuration at all (archives, reports, script bodies): not read.
    Ignored(&'static str),
}

/// Folders of objects Plumbline does not compare, with what they hold (IntuneManagement
/// and IntuneCD names).
const UNSUPPORTED_FOLDERS: &[(&str, &str)] = &[
    ("PowerShellScripts", "PowerShell scripts"),
    ("Powershell", "PowerShell scripts"),
    ("Shell", "shell scripts"),
    ("Scripts", "scripts"),
    ("MacScripts", "macOS shell scripts"),
    ("MacCustomAttributes", "macOS custom attributes"),
    ("CustomAttributes", "macOS custom attributes"),
    ("DeviceHealthScripts", "remediation scripts"),
    ("ProactiveRemediations", "remediation scripts"),
    ("ComplianceScripts", "custom compliance scripts"),
    ("Applications", "apps"),
    ("AppConfiguration", "app configuration policies"),
    ("AppConfigurationManagedApp", "app configuration policies"),
    (
        "AppConfigurationManagedDevice",
        "app configuration policies",
    ),
    ("AndroidOEMConfig", "OEMConfig profiles"),
    ("AutoPilot", "Autopilot profiles"),
    ("EnrollmentStatusPage", "enrollment status pages"),
    ("EnrollmentRestrictions", "enrollment restrictions"),
    ("EnrollmentConfigurations", "enrollment configurations"),
    ("EnrollmentProfiles", "enrollment profiles"),
    ("CoManagementSettings", "co-management settings"),
    ("AppleEnrollmentTypes", "Apple enrollment types"),
    ("PolicySets", "policy sets"),
    ("RoleDefinitions", "role definitions"),
    ("Roles", "role definitions"),
    ("Notifications", "notification templates"),
    ("MessageTemplates", "notification templates"),
    ("TermsAndConditions", "terms and conditions"),
    ("IntuneBranding", "company portal branding"),
    ("AzureBranding", "sign-in branding"),
    ("ReusableSettings", "reusable settings"),
    (
        "W365ProvisioningPolicies",
        "Windows 365 provisioning policies",
    ),
    ("W365UserSettings", "Windows 365 user settings"),
    ("ADMXFiles", "imported ADMX files"),
    ("AuthenticationStrengths", "authentication strengths"),
    ("AuthenticationContext", "authentication contexts"),
    ("DeviceCategories", "device categories"),
    (
        "DeviceManagementSettings",
        "tenant-wide device management settings",
    ),
    ("ApplePushNotification", "the Apple push certificate"),
    ("AppleVPPTokens", "Apple VPP tokens"),
    ("ManagedGooglePlay", "the managed Google Play connection"),
    ("PartnerConnections", "partner connections"),
];

/// Folders whose files are not configuration: not read at all.
const IGNORED_FOLDERS: &[(&str, &str)] = &[
    (
        "__archive__",
        "IntuneCD's archive of policies deleted from the tenant",
    ),
    ("AssignmentReport", "IntuneCD's assignment report"),
    (
        "ScriptData",
        "a script body (the policy's JSON holds it too)",
    ),
    (
        "mobileconfig",
        "a profile payload (the policy's JSON holds it too)",
    ),
    (
        "ActivationLockBypassCodes",
        "device activation lock codes (never imported)",
    ),
    ("AutopilotDevices", "a device list"),
];

/// Directory objects by folder, besides the kinds' own.
const DIRECTORY_FOLDERS: &[(&str, DirectoryObjectKind)] = &[
    ("Groups", DirectoryObjectKind::Group),
    ("AssignmentFilters", DirectoryObjectKind::AssignmentFilter),
    ("Filters", DirectoryObjectKind::AssignmentFilter),
    ("NamedLocations", DirectoryObjectKind::NamedLocation),
    ("ScopeTags", DirectoryObjectKind::ScopeTag),
    ("RoleScopeTags", DirectoryObjectKind::ScopeTag),
    ("TermsOfUse", DirectoryObjectKind::TermsOfUse),
    ("Agreements", DirectoryObjectKind::TermsOfUse),
];

pub fn folder_role(folder: &str) -> Option<FolderRole> {
    let wanted = squash(folder);
    if wanted.is_empty() {
        return None;
    }
    if let Some((_, why)) = IGNORED_FOLDERS.iter().find(|(f, _)| squash(f) == wanted) {
        return Some(FolderRole::Ignored(why));
    }
    if let Some(kind) = KINDS
        .iter()
        .find(|k| k.folders.iter().any(|f| squash(f) == wanted))
    {
        return Some(FolderRole::Kind(kind));
    }
    if let Some((_, kind)) = DIRECTORY_FOLDERS.iter().find(|(f, _)| squash(f) == wanted) {
        return Some(FolderRole::Directory(*kind));
    }
    UNSUPPORTED_FOLDERS
        .iter()
        .find(|(f, _)| squash(f) == wanted)
        .map(|(_, what)| FolderRole::Unsupported(what))
}

/// Why a file is not read, when a folder above it holds no configuration.
pub fn ignored_by_folder(path: &str) -> Option<&'static str> {
    folders_of(path)
        .into_iter()
        .find_map(|f| match folder_role(f) {
            Some(FolderRole::Ignored(why)) => Some(why),
            _ => None,
        })
}

/// What a file that is not JSON or YAML is, by its extension.
pub fn side_file(path: &str) -> &'static str {
    match extension(path).as_str() {
        "ps1" | "psm1" | "sh" | "zsh" | "py" | "bat" | "cmd" => "a script",
        "mobileconfig" | "xml" | "plist" => "a profile payload",
        "csv" | "tsv" | "html" | "htm" | "xlsx" | "xls" => "a report",
        "md" | "txt" | "rst" | "" => "a document",
        "pdf" | "docx" | "jpg" | "jpeg" | "png" | "gif" | "svg" | "ico" => "an image or document",
        "admx" | "adml" => "an ADMX template file",
        "zip" | "intunewin" | "msi" | "exe" | "pkg" | "dmg" | "apk" | "ipa" => "an app package",
        _ => "not a JSON or YAML file",
    }
}

/// How an object's kind was recognised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recognition {
    ODataType(String),
    Shape(&'static str),
    Folder(String),
    Context(String),
    TypeFamily(String),
    /// Not recognised, and why.
    Unknown(String),
}

impl fmt::Display for Recognition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ODataType(t) => write!(f, "@odata.type {t}"),
            Self::Shape(what) => write!(f, "its shape: {what}"),
            Self::Folder(folder) => write!(f, "the folder \"{folder}\""),
            Self::Context(path) => write!(f, "@odata.context {path}"),
            Self::TypeFamily(t) => write!(f, "the family of @odata.type {t}"),
            Self::Unknown(why) => write!(f, "not recognised: {why}"),
        }
    }
}

/// What an object is.
#[derive(Clone, Debug)]
pub enum Detected {
    Item(Option<&'static ResourceKind>, Recognition),
    Directory(DirectoryObjectKind),
}

/// A directory-object kind: `@odata.type` names and Graph endpoints.
type DirectoryKindEntry = (
    DirectoryObjectKind,
    &'static [&'static str],
    &'static [&'static str],
);

static DIRECTORY_KINDS: &[DirectoryKindEntry] = &[
    (
        DirectoryObjectKind::Group,
        &["microsoft.graph.group"],
        &["groups"],
    ),
    (
        DirectoryObjectKind::AssignmentFilter,
        &["microsoft.graph.deviceAndAppManagementAssignmentFilter"],
        &["deviceManagement/assignmentFilters"],
    ),
    (
        DirectoryObjectKind::NamedLocation,
        &[
            "microsoft.graph.namedLocation",
            "microsoft.graph.ipNamedLocation",
            "microsoft.graph.countryNamedLocation",
        ],
        &["identity/conditionalAccess/namedLocations"],
    ),
    (
        DirectoryObjectKind::ScopeTag,
        &["microsoft.graph.roleScopeTag"],
        &["deviceManagement/roleScopeTags"],
    ),
    (
        DirectoryObjectKind::TermsOfUse,
        &["microsoft.graph.agreement"],
        &["identityGovernance/termsOfUse/agreements", "agreements"],
    ),
];

/// The kind an object's shape shows when nothing names it.
fn shape(map: &Map<String, Value>) -> Option<(&'static str, &'static str)> {
    let has = |key: &str| map.get(key).is_some_and(|v| !v.is_null());
    if has("settings") && (has("platforms") || has("technologies") || has("templateReference")) {
        return Some((
            "settings_catalog",
            "settings with platforms, technologies or a template reference (settings catalog)",
        ));
    }
    let intent_settings = map
        .get("settings")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|e| e.get("definitionId").is_some()));
    if has("settingsDelta") || ((has("templateId") || has("TemplateId")) && intent_settings) {
        return Some((
            "endpoint_security_intent",
            "a template id with definition-id settings (endpoint security intent)",
        ));
    }
    if has("definitionValues") {
        return Some((
            "administrative_template",
            "definition values (administrative template)",
        ));
    }
    if map.get("conditions").is_some_and(Value::is_object)
        && (has("grantControls") || has("sessionControls"))
    {
        return Some((
            "conditional_access",
            "conditions with grant or session controls (Conditional Access)",
        ));
    }
    if has("qualityUpdatesDeferralPeriodInDays") || has("featureUpdatesDeferralPeriodInDays") {
        return Some((
            "windows_update_ring",
            "update deferral periods (Windows update ring)",
        ));
    }
    if has("featureUpdateVersion") {
        return Some((
            "windows_feature_update",
            "a feature update version (feature update profile)",
        ));
    }
    if has("expeditedUpdateSettings") {
        return Some((
            "windows_quality_update",
            "expedited update settings (quality update profile)",
        ));
    }
    if has("approvalType") && (has("deploymentDeferralInDays") || has("driverInventories")) {
        return Some((
            "windows_driver_update",
            "a driver approval type (driver update profile)",
        ));
    }
    if has("scheduledActionsForRule") {
        return Some((
            "compliance_policy",
            "scheduled actions for noncompliance (compliance policy)",
        ));
    }
    None
}

pub fn detect(map: &Map<String, Value>, path: &str, page_context: Option<&str>) -> Detected {
    let odata_type = map
        .get("@odata.type")
        .and_then(Value::as_str)
        .map(|t| t.trim_start_matches('#'));
    let context_path = map
        .get("@odata.context")
        .and_then(Value::as_str)
        .or(page_context)
        .and_then(context_collection);

    // 1. An exact @odata.type is the strongest signal.
    if let Some(t) = odata_type {
        if let Some(kind) = KINDS.iter().find(|k| k.odata_types.contains(&t)) {
            return Detected::Item(Some(kind), Recognition::ODataType(format!("#{t}")));
        }
        if let Some((kind, ..)) = DIRECTORY_KINDS.iter().find(|d| d.1.contains(&t)) {
            return Detected::Directory(*kind);
        }
    }
    // 2. The shape of the object: what it holds says what it is.
    if let Some((key, why)) = shape(map) {
        if let Some(kind) = crate::kinds::by_key(key) {
            return Detected::Item(Some(kind), Recognition::Shape(why));
        }
    }
    // 3. The folder, nearest first: the exporter's layout, or the user's own.
    for folder in folders_of(path) {
        match folder_role(folder) {
            Some(FolderRole::Kind(kind)) => {
                return Detected::Item(Some(kind), Recognition::Folder(folder.to_owned()))
            }
            Some(FolderRole::Directory(kind)) => return Detected::Directory(kind),
            Some(FolderRole::Unsupported(what)) => {
                return Detected::Item(
                    None,
                    Recognition::Unknown(format!(
                        "the folder \"{folder}\" holds {what}, which Plumbline does not compare"
                    )),
                )
            }
            Some(FolderRole::Ignored(_)) | None => {}
        }
    }
    // 4. The collection named by @odata.context. Several kinds can share a collection
    //    (update rings live under deviceConfigurations): the generic one, which has no
    //    exact types of its own, wins.
    if let Some(path) = context_path.as_deref() {
        let candidates: Vec<&'static ResourceKind> = KINDS
            .iter()
            .filter(|k| k.endpoints.iter().any(|e| e.eq_ignore_ascii_case(path)))
            .collect();
        if let Some(kind) = candidates
            .iter()
            .find(|k| k.odata_types.is_empty())
            .or(candidates.first())
        {
            return Detected::Item(Some(kind), Recognition::Context(path.to_owned()));
        }
        if let Some((kind, ..)) = DIRECTORY_KINDS
            .iter()
            .find(|d| d.2.iter().any(|e| e.eq_ignore_ascii_case(path)))
        {
            return Detected::Directory(*kind);
        }
    }
    // 5. A family suffix of the type (`…CompliancePolicy`, `…Configuration`).
    if let Some(name) = odata_type.and_then(|t| t.strip_prefix("microsoft.graph.")) {
        if let Some(kind) = KINDS
            .iter()
            .find(|k| k.odata_type_suffixes.iter().any(|s| name.ends_with(s)))
        {
            return Detected::Item(
                Some(kind),
                Recognition::TypeFamily(format!("#{}", odata_type.unwrap_or_default())),
            );
        }
    }
    let why = match odata_type {
        Some(t) => format!("@odata.type #{t} is not a kind Plumbline compares"),
        None => "no @odata.type, no known shape, folder or @odata.context".to_owned(),
    };
    Detected::Item(None, Recognition::Unknown(why))
}

/// The collection path of an `@odata.context` URL:
/// `https://graph.microsoft.com/beta/$metadata#deviceManagement/configurationPolicies(assignments(),settings())/$entity`
/// gives `deviceManagement/configurationPolicies`.
pub fn context_collection(context: &str) -> Option<String> {
    let (_, fragment) = context.split_once("$metadata#")?;
    let mut out = String::new();
    let mut depth = 0usize;
    for c in fragment.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let path = out
        .split('/')
        .filter(|segment| !segment.is_empty() && !segment.starts_with('$'))
        .collect::<Vec<_>>()
        .join("/");
    (!path.is_empty()).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_what_exporters_add_to_file_names() {
        assert_eq!(
            name_from_stem("BitLocker Encryption_65d66892-ced5-4e45-9e87-9dd9be2f41d7"),
            "BitLocker Encryption"
        );
        assert_eq!(
            name_from_stem("Foo__65d66892-ced5-4e45-9e87-9dd9be2f41d7"),
            "Foo"
        );
        assert_eq!(
            name_from_stem("Win10 Baseline_07-03-2023-9-05-41"),
            "Win10 Baseline"
        );
        assert_eq!(name_from_stem("EP_07-03-2023-9-05-41.123"), "EP");
        assert_eq!(name_from_stem("Plain name_v2"), "Plain name_v2");
    }

    #[test]
    fn folders_match_however_they_are_spelled() {
        for folder in [
            "Settings Catalog",
            "SettingsCatalog",
            "settings_catalog",
            " settings-catalog ",
        ] {
            assert!(
                matches!(folder_role(folder), Some(FolderRole::Kind(k)) if k.key == "settings_catalog"),
                "{folder}"
            );
        }
        assert!(
            matches!(folder_role("Management Intents"), Some(FolderRole::Kind(k)) if k.key == "endpoint_security_intent")
        );
        assert!(matches!(
            folder_role("__archive__"),
            Some(FolderRole::Ignored(_))
        ));
        assert!(matches!(
            folder_role("Scripts"),
            Some(FolderRole::Unsupported(_))
        ));
        assert!(folder_role("Customer A").is_none());
    }

    #[test]
    fn context_collection_strips_expansions_and_entity_markers() {
        assert_eq!(
            context_collection("https://graph.microsoft.com/beta/$metadata#deviceManagement/configurationPolicies(assignments(),settings())/$entity").as_deref(),
            Some("deviceManagement/configurationPolicies")
        );
        assert_eq!(context_collection("no metadata"), None);
    }
}

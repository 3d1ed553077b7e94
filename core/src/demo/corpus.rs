//! The embedded Open Intune Baseline corpus and what the generator learns from it once:
//! which settings of each policy can be changed, removed, added or reordered, which ids
//! must be re-issued per tenant, and each policy's standard assignment.

use std::collections::{BTreeMap, BTreeSet};

use rand::Rng;
use serde_json::Value;

use super::json::{self, IdString, InstanceShape, SettingPath, Step};
use super::names::{self, groups, Audience, NameParts};
use crate::kinds;
use crate::model::CapturedItem;

include!(concat!(env!("OUT_DIR"), "/demo_corpus.rs"));

/// True for the corpus files that make up the demo baseline: the IntuneManagement exports
/// and the BYOD app protection policies. `MACOS/NativeImport/` holds the same macOS
/// policies in Intune's own import format and is left out so that no policy is doubled.
pub(super) fn is_baseline_path(path: &str) -> bool {
    !path.contains("/NativeImport/")
        && (path.contains("/IntuneManagement/") || path.starts_with("BYOD/"))
        && path.to_ascii_lowercase().ends_with(".json")
}

/// Properties that never carry a comparable setting: the registry's volatile fields plus
/// identity and containers. The generator neither plants real changes in them nor treats
/// them as settings.
fn is_not_setting(key: &str) -> bool {
    const IDENTITY: &[&str] = &[
        "displayName",
        "name",
        "roleScopeTagIds",
        "assignments",
        "settings",
    ];
    crate::kinds::VOLATILE_FIELDS.contains(&key) || IDENTITY.contains(&key)
}

/// True for OData annotations and action links (`@odata.type`, `x@odata.navigationLink`,
/// `#microsoft.graph.assign`).
pub(super) fn is_annotation(key: &str) -> bool {
    key.contains('@') || key.starts_with('#')
}

/// String properties with known alternative values; other strings are not changed.
const STRING_OPTIONS: &[(&str, &[&str])] = &[
    (
        "passwordRequiredType",
        &["deviceDefault", "alphanumeric", "numeric"],
    ),
    ("approvalType", &["automatic", "manual"]),
    ("allowDeviceHealthMonitoring", &["enabled", "disabled"]),
    (
        "configDeviceHealthMonitoringScope",
        &["bootPerformance", "windowsUpdates", "none"],
    ),
    ("pinCharacterSet", &["numeric", "alphanumericAndSymbol"]),
    (
        "allowedOutboundClipboardSharingLevel",
        &[
            "allApps",
            "managedAppsWithPasteIn",
            "managedApps",
            "blocked",
        ],
    ),
    (
        "allowedOutboundDataTransferDestinations",
        &["allApps", "managedApps", "none"],
    ),
    (
        "allowedInboundDataTransferSources",
        &["allApps", "managedApps", "none"],
    ),
    (
        "appActionIfDeviceComplianceRequired",
        &["block", "wipe", "warn"],
    ),
    (
        "appActionIfMaximumPinRetriesExceeded",
        &["block", "wipe", "warn"],
    ),
    ("managedBrowser", &["microsoftEdge", "notConfigured"]),
    (
        "periodOfflineBeforeWipeIsEnforced",
        &["P90D", "P60D", "P30D"],
    ),
    (
        "periodOfflineBeforeAccessCheck",
        &["PT12H", "PT24H", "PT8H"],
    ),
    ("userPauseAccess", &["enabled", "disabled"]),
    ("userWindowsUpdateScanAccess", &["enabled", "disabled"]),
    (
        "automaticUpdateMode",
        &[
            "windowsDefault",
            "autoInstallAtMaintenanceTime",
            "notifyDownload",
        ],
    ),
    (
        "deliveryOptimizationMode",
        &["userDefined", "httpOnly", "httpWithPeeringNat"],
    ),
    (
        "deviceThreatProtectionRequiredSecurityLevel",
        &["unavailable", "secured", "low", "medium", "high"],
    ),
    (
        "gatekeeperAllowedAppSource",
        &[
            "notConfigured",
            "macAppStore",
            "macAppStoreAndIdentifiedDevelopers",
            "anywhere",
        ],
    ),
];

/// Properties a tenant may set where the baseline leaves them unset, by `@odata.type`.
fn property_additions(odata_type: &str) -> &'static [(&'static str, Literal)] {
    match odata_type.trim_start_matches('#') {
        "microsoft.graph.windows10CompliancePolicy" => &[
            ("passwordExpirationDays", Literal::Int(90)),
            ("passwordPreviousPasswordBlockCount", Literal::Int(5)),
            ("osMinimumVersion", Literal::Str("10.0.22631")),
        ],
        "microsoft.graph.macOSCompliancePolicy" => &[
            ("passwordExpirationDays", Literal::Int(90)),
            ("passwordPreviousPasswordBlockCount", Literal::Int(5)),
            ("osMinimumVersion", Literal::Str("14.0")),
            ("passwordMinutesOfInactivityBeforeLock", Literal::Int(15)),
        ],
        "microsoft.graph.windowsUpdateForBusinessConfiguration" => &[
            ("engagedRestartDeadlineInDays", Literal::Int(3)),
            ("scheduleRestartWarningInHours", Literal::Int(4)),
            ("scheduleImminentRestartWarningInMinutes", Literal::Int(15)),
        ],
        "microsoft.graph.androidManagedAppProtection" => &[
            ("minimumRequiredOsVersion", Literal::Str("12.0")),
            ("minimumWarningOsVersion", Literal::Str("13.0")),
        ],
        "microsoft.graph.iosManagedAppProtection" => &[
            ("minimumRequiredOsVersion", Literal::Str("16.0")),
            ("minimumWarningOsVersion", Literal::Str("17.0")),
        ],
        _ => &[],
    }
}

#[derive(Clone, Copy, Debug)]
enum Literal {
    Int(i64),
    Str(&'static str),
}

impl Literal {
    fn to_value(self) -> Value {
        match self {
            Self::Int(n) => Value::from(n),
            Self::Str(s) => Value::from(s),
        }
    }
}

/// An assignment target in portable form (group display names, not ids).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Target {
    AllDevices,
    AllLicensedUsers,
    Include(String),
    Exclude(String),
}

impl Target {
    /// The record notation (the normaliser's assignment keys): `include/all_devices`,
    /// `include/all_licensed_users`, `include/group:<display name>`,
    /// `exclude/group:<display name>`.
    pub(super) fn portable(&self) -> String {
        match self {
            Self::AllDevices => "include/all_devices".to_owned(),
            Self::AllLicensedUsers => "include/all_licensed_users".to_owned(),
            Self::Include(group) => format!("include/group:{group}"),
            Self::Exclude(group) => format!("exclude/group:{group}"),
        }
    }

    pub(super) fn group(&self) -> Option<&str> {
        match self {
            Self::Include(group) | Self::Exclude(group) => Some(group),
            Self::AllDevices | Self::AllLicensedUsers => None,
        }
    }
}

/// Portable, sorted form of a target list (the record's assignment values).
pub(super) fn portable_targets(targets: &[Target]) -> Value {
    let mut list: Vec<String> = targets.iter().map(Target::portable).collect();
    list.sort();
    Value::Array(list.into_iter().map(Value::String).collect())
}

/// A setting of a base policy and its baseline value.
#[derive(Clone, Debug)]
pub(super) struct Leaf {
    pub path: SettingPath,
    /// `path` in record notation.
    pub rendered: String,
    pub value: Value,
}

impl Leaf {
    fn new(path: SettingPath, value: Value) -> Self {
        Self {
            rendered: path.render(),
            path,
            value,
        }
    }
}

/// A top-level settings-catalog setting that can be copied into another policy of the same
/// platform and technology.
#[derive(Clone, Debug)]
pub(super) struct Addable {
    /// Index of the base policy it comes from.
    pub source: usize,
    /// Position in that policy's `settings` array.
    pub position: usize,
    pub def_id: String,
    pub value: Value,
}

/// One baseline policy and what the generator knows about it.
#[derive(Debug)]
pub(super) struct BaseItem {
    /// The policy exactly as imported: the baseline.
    pub item: CapturedItem,
    pub settings_catalog: bool,
    /// `name` for settings catalog, `displayName` otherwise.
    pub name_field: &'static str,
    pub parts: NameParts,
    /// Object ids (the policy's first) that every tenant has its own copy of.
    pub ids: Vec<String>,
    /// Every string that mentions one of `ids` (links, nested ids).
    pub id_strings: Vec<IdString>,
    /// The same for strings outside `settings`, and for each element of `settings`
    /// (relative to the element): what a policy made of some of the settings re-issues.
    pub top_id_strings: Vec<IdString>,
    pub setting_id_strings: Vec<Vec<IdString>>,
    /// Base policies similar enough that a policy derived from one could pass for a
    /// renamed other: settings-catalog policies sharing half their setting definitions,
    /// other policies of the same `@odata.type`.
    pub similar: Vec<usize>,
    /// Settings whose value can change (unique path, choice without children, integer,
    /// boolean or known enumeration).
    pub changeable: Vec<Leaf>,
    /// Settings that can be removed (top-level leaves; properties with a value).
    pub removable: Vec<Leaf>,
    /// Collection settings with several values (order is noise).
    pub reorderable: Vec<Leaf>,
    /// Properties holding `null`, `""`, `[]` or `{}`.
    pub empties: Vec<Leaf>,
    /// Properties a tenant may add (non-settings-catalog kinds).
    pub property_additions: Vec<Leaf>,
    /// Every `settingDefinitionId` anywhere in the policy.
    pub def_ids: BTreeSet<String>,
    /// `(platforms, technologies)` of a settings-catalog policy.
    pub platform_key: Option<(String, String)>,
    pub top_settings: usize,
    pub standard_targets: Vec<Target>,
    /// Compact JSON size, bytes.
    pub size: usize,
}

/// The parsed baseline.
#[derive(Debug)]
pub(super) struct Corpus {
    pub items: Vec<BaseItem>,
    pub addable: Vec<Addable>,
}

impl Corpus {
    pub(super) fn analyse(items: Vec<CapturedItem>) -> Self {
        let mut items: Vec<BaseItem> = items.into_iter().map(analyse_item).collect();
        let similar: Vec<Vec<usize>> = (0..items.len())
            .map(|b| {
                (0..items.len())
                    .filter(|&o| o != b && are_similar(&items[b], &items[o]))
                    .collect()
            })
            .collect();
        for (item, similar) in items.iter_mut().zip(similar) {
            item.similar = similar;
        }
        let mut addable = Vec::new();
        for (source, base) in items.iter().enumerate() {
            if !base.settings_catalog {
                continue;
            }
            for (position, setting) in json::settings(&base.item.raw).iter().enumerate() {
                let Some(instance) = setting.get("settingInstance") else {
                    continue;
                };
                let (Some(id), Some(value)) =
                    (json::def_id(instance), json::instance_value(instance))
                else {
                    continue;
                };
                let addable_shape = match json::shape(instance) {
                    InstanceShape::Choice => {
                        !json::has_children(instance)
                            && value.as_str().is_some_and(|v| toggled_choice(v).is_some())
                    }
                    InstanceShape::Simple => value.is_i64() || value.is_string(),
                    _ => false,
                };
                let path = SettingPath::Setting(vec![id.to_owned()]);
                if addable_shape && !special_in_registry(&base.item.kind, &path) {
                    addable.push(Addable {
                        source,
                        position,
                        def_id: id.to_owned(),
                        value,
                    });
                }
            }
        }
        Self { items, addable }
    }
}

/// True when the kind's normalisation rules make `path` something other than a plain
/// setting (ignored, secret, conditional, a flag list or with an "unset" value): planting
/// a real difference there would not be one, so the generator leaves such paths alone.
fn special_in_registry(kind: &str, path: &SettingPath) -> bool {
    let Some(entry) = kinds::by_key(kind) else {
        return false;
    };
    let rules = &entry.normalization;
    match path {
        SettingPath::Setting(chain) => chain.iter().any(|id| rules.secrets.contains(&id.as_str())),
        SettingPath::Property(names) => {
            let rendered = path.render();
            let first = names.first().map(String::as_str).unwrap_or_default();
            let covers = |pattern: &str| {
                rendered == pattern
                    || rendered.starts_with(&format!("{pattern}/"))
                    || pattern.starts_with(&format!("{rendered}/"))
            };
            rules.ignored.iter().any(|p| covers(p))
                || rules.secrets.iter().any(|p| covers(p))
                || rules.flag_fields.iter().any(|p| covers(p))
                || rules.unset_values.iter().any(|u| covers(u.path))
                || rules
                    .conditionals
                    .iter()
                    .any(|c| covers(c.path) || c.sibling == first)
        }
    }
}

fn are_similar(a: &BaseItem, b: &BaseItem) -> bool {
    if a.item.kind != b.item.kind {
        return false;
    }
    if a.settings_catalog {
        let shared = a.def_ids.intersection(&b.def_ids).count();
        let union = a.def_ids.union(&b.def_ids).count();
        union > 0 && shared * 2 >= union
    } else {
        a.item.odata_type == b.item.odata_type
    }
}

fn analyse_item(item: CapturedItem) -> BaseItem {
    let settings_catalog = item.kind == "settings_catalog";
    let name_field = if settings_catalog {
        "name"
    } else {
        "displayName"
    };
    let parts = names::name_parts(&item.name);
    let ids = json::object_ids(&item.raw);
    let id_strings = json::strings_containing(&item.raw, &ids);
    let mut top_id_strings = Vec::new();
    let mut setting_id_strings = vec![Vec::new(); json::settings(&item.raw).len()];
    for string in &id_strings {
        match string.path.as_slice() {
            [Step::Key(key), Step::Index(index), rest @ ..] if key == "settings" => {
                if let Some(list) = setting_id_strings.get_mut(*index) {
                    list.push(IdString {
                        path: rest.to_vec(),
                        at: string.at.clone(),
                    });
                }
            }
            _ => top_id_strings.push(string.clone()),
        }
    }
    let standard_targets = standard_targets(&item.kind, &parts);
    let size = serde_json::to_vec(&item.raw).map(|b| b.len()).unwrap_or(0);

    let mut base = BaseItem {
        settings_catalog,
        name_field,
        parts,
        ids,
        id_strings,
        top_id_strings,
        setting_id_strings,
        similar: Vec::new(),
        changeable: Vec::new(),
        removable: Vec::new(),
        reorderable: Vec::new(),
        empties: Vec::new(),
        property_additions: Vec::new(),
        def_ids: BTreeSet::new(),
        platform_key: None,
        top_settings: 0,
        standard_targets,
        size,
        item,
    };
    collect_empties(&base.item.raw, &mut Vec::new(), &mut base.empties);
    if settings_catalog {
        analyse_settings(&mut base);
    } else {
        analyse_properties(&mut base);
    }
    let kind = base.item.kind.clone();
    for list in [
        &mut base.changeable,
        &mut base.removable,
        &mut base.reorderable,
        &mut base.property_additions,
    ] {
        list.retain(|leaf| !special_in_registry(&kind, &leaf.path));
    }
    base.empties.retain(|leaf| {
        !kinds::by_key(&kind).is_some_and(|k| {
            k.normalization
                .secrets
                .iter()
                .any(|s| leaf.rendered.starts_with(s))
        })
    });
    base
}

fn analyse_settings(base: &mut BaseItem) {
    let raw = &base.item.raw;
    base.platform_key = Some((
        raw.get("platforms")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        raw.get("technologies")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
    ));
    base.top_settings = json::settings(raw).len();

    let mut counts: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    let mut found: Vec<(Vec<String>, InstanceShape, bool, Option<Value>)> = Vec::new();
    // Collections with several entries that carry children: the normaliser compares their
    // entries as a set under the collection's own path, so nothing below them is a setting
    // path of its own.
    let mut multi_entry: Vec<Vec<String>> = Vec::new();
    json::walk_instances(raw, &mut |chain, instance| {
        *counts.entry(chain.to_vec()).or_default() += 1;
        let entries = [
            "groupSettingCollectionValue",
            "choiceSettingCollectionValue",
        ]
        .iter()
        .filter_map(|key| instance.get(*key).and_then(Value::as_array))
        .map(Vec::len)
        .sum::<usize>();
        if entries >= 2 && json::has_children(instance) {
            multi_entry.push(chain.to_vec());
        }
        found.push((
            chain.to_vec(),
            json::shape(instance),
            json::has_children(instance),
            json::instance_value(instance),
        ));
    });
    for (chain, shape, has_children, value) in found {
        base.def_ids.extend(chain.iter().cloned());
        let below_multi_entry = multi_entry
            .iter()
            .any(|m| chain.len() > m.len() && chain.starts_with(m));
        if counts.get(&chain) != Some(&1) || below_multi_entry {
            continue;
        }
        let Some(value) = value else { continue };
        let top_level = chain.len() == 1;
        let leaf = Leaf::new(SettingPath::Setting(chain), value);
        match shape {
            InstanceShape::Choice if !has_children => {
                if leaf
                    .value
                    .as_str()
                    .is_some_and(|v| toggled_choice(v).is_some())
                {
                    base.changeable.push(leaf.clone());
                }
                if top_level {
                    base.removable.push(leaf);
                }
            }
            InstanceShape::Simple => {
                if leaf.value.is_i64() {
                    base.changeable.push(leaf.clone());
                }
                if top_level {
                    base.removable.push(leaf);
                }
            }
            InstanceShape::SimpleCollection | InstanceShape::ChoiceCollection => {
                let values = leaf.value.as_array().map(Vec::as_slice).unwrap_or(&[]);
                let distinct: BTreeSet<String> = values.iter().map(Value::to_string).collect();
                if values.len() >= 2 && distinct.len() == values.len() {
                    base.reorderable.push(leaf);
                }
            }
            _ => {}
        }
    }
    if base.top_settings < 2 {
        // A settings-catalog policy keeps at least one setting.
        base.removable.clear();
    }
}

fn analyse_properties(base: &mut BaseItem) {
    let Some(object) = base.item.raw.as_object() else {
        return;
    };
    for (key, value) in object {
        if is_annotation(key) || is_not_setting(key) || key == "description" {
            continue;
        }
        let path = SettingPath::property(key);
        let changeable = match value {
            Value::Bool(_) => true,
            Value::Number(n) => n.is_i64(),
            Value::String(s) => string_options(key).is_some_and(|o| o.contains(&s.as_str())),
            _ => false,
        };
        if changeable {
            base.changeable.push(Leaf::new(path.clone(), value.clone()));
        }
        let removable = match value {
            Value::Bool(b) => *b,
            Value::Number(n) => n.as_i64().is_some_and(|n| n != 0),
            Value::String(s) => !s.is_empty() && string_options(key).is_some(),
            _ => false,
        };
        if removable {
            base.removable.push(Leaf::new(path, value.clone()));
        }
    }
    let odata_type = base.item.odata_type.clone().unwrap_or_default();
    for (key, literal) in property_additions(&odata_type) {
        if object.get(*key).is_none_or(json::is_empty_equivalent) {
            base.property_additions
                .push(Leaf::new(SettingPath::property(key), literal.to_value()));
        }
    }
}

fn collect_empties(value: &Value, path: &mut Vec<String>, out: &mut Vec<Leaf>) {
    let Some(object) = value.as_object() else {
        return;
    };
    for (key, item) in object {
        if is_annotation(key) || is_not_setting(key) {
            continue;
        }
        path.push(key.clone());
        if json::is_empty_equivalent(item) {
            out.push(Leaf::new(SettingPath::Property(path.clone()), item.clone()));
        } else if item.is_object() {
            collect_empties(item, path, out);
        }
        path.pop();
    }
}

fn string_options(key: &str) -> Option<&'static [&'static str]> {
    STRING_OPTIONS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, o)| *o)
}

/// The other state of a choice value: `…_1` ↔ `…_0`, `…_true` ↔ `…_false`, `…_N` → `…_N-1`.
pub(super) fn toggled_choice(value: &str) -> Option<String> {
    let (head, tail) = value.rsplit_once('_')?;
    let new_tail = match tail {
        "0" => "1".to_owned(),
        "1" => "0".to_owned(),
        "true" => "false".to_owned(),
        "false" => "true".to_owned(),
        digits => (digits.parse::<u32>().ok()?.checked_sub(1)?).to_string(),
    };
    Some(format!("{head}_{new_tail}"))
}

/// A plausible other value for a setting currently holding `current`.
pub(super) fn alternative_value(
    path: &SettingPath,
    current: &Value,
    rng: &mut impl Rng,
) -> Option<Value> {
    match current {
        Value::Bool(b) => Some(Value::Bool(!b)),
        Value::Number(n) => n.as_i64().map(|n| Value::from(alternative_int(n, rng))),
        Value::String(s) => match path {
            SettingPath::Setting(_) => toggled_choice(s).map(Value::String),
            SettingPath::Property(names) => {
                let options = string_options(names.last()?)?;
                let others: Vec<&&str> = options.iter().filter(|o| **o != s.as_str()).collect();
                if others.is_empty() {
                    return None;
                }
                Some(Value::from(*others[rng.gen_range(0..others.len())]))
            }
        },
        _ => None,
    }
}

fn alternative_int(n: i64, rng: &mut impl Rng) -> i64 {
    let candidates: Vec<i64> = if n == 0 {
        vec![1, 2, 3, 7, 14]
    } else {
        [
            n / 2,
            n.saturating_add(1),
            n.saturating_mul(2),
            n.saturating_sub(1),
        ]
        .into_iter()
        .filter(|c| *c != n && *c >= 0)
        .collect()
    };
    if candidates.is_empty() {
        return n.wrapping_add(1);
    }
    candidates[rng.gen_range(0..candidates.len())]
}

/// The portfolio's standard assignment of a baseline policy, from its name: update rings
/// go to their ring groups (ring 3 to all devices except rings 1 and 2), compliance to all
/// licensed users, app protection to BYOD users, endpoint security to all devices with the
/// exclusion group, and device/user policies to the platform's device/user group.
pub(super) fn standard_targets(kind: &str, parts: &NameParts) -> Vec<Target> {
    let include = |g: &str| Target::Include(g.to_owned());
    let exclude = |g: &str| Target::Exclude(g.to_owned());
    match parts.ring {
        Some(1) => return vec![include(groups::RING1_PILOT)],
        Some(2) => return vec![include(groups::RING2_UAT)],
        Some(_) => {
            return vec![
                Target::AllDevices,
                exclude(groups::RING1_PILOT),
                exclude(groups::RING2_UAT),
            ]
        }
        None => {}
    }
    let platform = parts.platform.as_str();
    if kind == "app_protection" {
        return vec![include(groups::BYOD_USERS)];
    }
    if platform == "Win365" {
        return vec![include(groups::W365_CLOUD_PCS)];
    }
    if kind == "compliance_policy" {
        return vec![Target::AllLicensedUsers];
    }
    if parts.endpoint_security {
        return vec![Target::AllDevices, exclude(groups::EXCLUSIONS)];
    }
    if parts.template {
        return vec![Target::AllDevices];
    }
    match (platform, parts.audience) {
        ("Win", Audience::Users) => vec![include(groups::WINDOWS_USERS)],
        ("Win", _) => vec![
            include(groups::WINDOWS_DEVICES),
            exclude(groups::EXCLUSIONS),
        ],
        ("MacOS", Audience::Users) => vec![include(groups::MACOS_USERS)],
        ("MacOS", _) => vec![include(groups::MACOS_DEVICES)],
        _ => vec![Target::AllDevices],
    }
}

//! Lint: policy hygiene of one capture, without a baseline (DRIFT.md, "Lint").
//!
//! Pure: the issues are a function of the capture's items (raw and normalised), the
//! options and the capture's time. They are computed when a capture is written (the
//! items are normalised then anyway) and stored with [`LINT_VERSION`]; a review turns
//! them into findings of source `lint`, one rule per finding scope.
//!
//! Rules, each chosen to say something an operator acts on rather than to count:
//! - `naming`: the name does not follow the naming convention (a glob, `*` for any text;
//!   default `* - * - *`: platform, owner, purpose).
//! - `scope_tags`: the policy has an empty scope tag list (kinds without scope tags,
//!   where the field is absent, are not judged).
//! - `broad_high_risk`: a policy with a critical setting is assigned to all users or all
//!   devices with no exclusion group (no pilot ring, no break-glass exclusion).
//! - `unassigned`: the export lists the policy's assignments and there are none.
//! - `duplicate`: another policy of the same kind has exactly the same settings.
//! - `duplicate_name`: several policies of the same kind share a name (Intune allows it;
//!   people and reports cannot tell them apart). One issue per name.
//! - `conflict`: configuration policies of the same type (settings catalog, device
//!   configuration, administrative templates, endpoint security) assigned to the same
//!   target set settings to different values; one issue per target and set of policies,
//!   listing the settings. Compliance policies are left out:
//!   Intune applies the strictest of them, which is not a conflict.
//! - `stale`: unassigned and not modified for `stale_after_days` before the capture —
//!   dead weight to clean up (a recently edited unassigned policy is `unassigned`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::baseline::{is_critical_setting, Severity};
use crate::normalize::Normalized;

/// Bumped when a rule changes what it reports; stored lint results of another version
/// are recomputed by the review.
pub const LINT_VERSION: u32 = 2;

/// Lint settings of a workspace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LintOptions {
    /// Glob every policy name must match (`*` = any text); `None` turns the rule off.
    pub naming_pattern: Option<String>,
    /// An unassigned policy not modified for this many days before the capture is stale.
    pub stale_after_days: i64,
}

impl Default for LintOptions {
    fn default() -> Self {
        Self {
            naming_pattern: Some("* - * - *".to_owned()),
            stale_after_days: 180,
        }
    }
}

/// The rule that raised an issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LintRule {
    Naming,
    ScopeTags,
    BroadHighRisk,
    Unassigned,
    Duplicate,
    Conflict,
    Stale,
    DuplicateName,
}

impl LintRule {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Naming => "naming",
            Self::ScopeTags => "scope_tags",
            Self::BroadHighRisk => "broad_high_risk",
            Self::Unassigned => "unassigned",
            Self::Duplicate => "duplicate",
            Self::Conflict => "conflict",
            Self::Stale => "stale",
            Self::DuplicateName => "duplicate_name",
        }
    }
}

/// One hygiene problem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LintIssue {
    pub rule: LintRule,
    pub resource_kind: String,
    /// The policy's key ([`crate::identity`]: its name, made unique when names repeat);
    /// for `conflict`, the assignment target; for `duplicate_name`, the shared name.
    pub item_key: String,
    /// For `conflict`, the policies involved (joined with ` | `); empty otherwise.
    pub setting_path: String,
    pub expected: Option<Value>,
    pub actual: Option<Value>,
    pub severity: Severity,
}

impl LintIssue {
    /// A one-line title for the finding.
    pub fn title(&self) -> String {
        let item = &self.item_key;
        match self.rule {
            LintRule::Naming => format!("{item}: name does not follow the naming convention"),
            LintRule::ScopeTags => format!("{item}: no scope tag"),
            LintRule::BroadHighRisk => {
                format!("{item}: high-risk policy assigned to everyone with no exclusion")
            }
            LintRule::Unassigned => format!("{item}: not assigned"),
            LintRule::Duplicate => format!("{item}: duplicates another policy's settings"),
            LintRule::Conflict => {
                let count = self
                    .actual
                    .as_ref()
                    .and_then(Value::as_object)
                    .map_or(0, |m| m.len());
                let noun = if count == 1 { "setting" } else { "settings" };
                format!(
                    "{count} {noun} set differently by {} (all assigned to {item})",
                    self.setting_path.replace(" | ", ", ")
                )
            }
            LintRule::Stale => format!("{item}: unassigned and untouched for months"),
            LintRule::DuplicateName => {
                let count = self
                    .actual
                    .as_ref()
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                format!("{count} policies share the name {item}")
            }
        }
    }
}

/// One policy of the capture, as lint sees it.
#[derive(Clone, Copy, Debug)]
pub struct LintItem<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    /// The item's key in its capture ([`crate::identity::item_keys`]).
    pub key: &'a str,
    pub raw: &'a Value,
    pub normalized: &'a Normalized,
}

/// Every issue of a capture taken at `as_of`, sorted by rule, kind, item and path.
pub fn lint(items: &[LintItem<'_>], options: &LintOptions, as_of: DateTime<Utc>) -> Vec<LintIssue> {
    let mut issues = Vec::new();
    for item in items {
        per_item(item, options, as_of, &mut issues);
    }
    duplicates(items, &mut issues);
    duplicate_names(items, &mut issues);
    conflicts(items, &mut issues);
    issues.sort_by(|a, b| {
        (a.rule, &a.resource_kind, &a.item_key, &a.setting_path).cmp(&(
            b.rule,
            &b.resource_kind,
            &b.item_key,
            &b.setting_path,
        ))
    });
    issues
}

fn issue(rule: LintRule, item: &LintItem<'_>, severity: Severity) -> LintIssue {
    LintIssue {
        rule,
        resource_kind: item.kind.to_owned(),
        item_key: item.key.to_owned(),
        setting_path: String::new(),
        expected: None,
        actual: None,
        severity,
    }
}

fn per_item(
    item: &LintItem<'_>,
    options: &LintOptions,
    as_of: DateTime<Utc>,
    out: &mut Vec<LintIssue>,
) {
    if let Some(pattern) = &options.naming_pattern {
        if !glob_matches(pattern, item.name) {
            out.push(LintIssue {
                expected: Some(json!(pattern)),
                actual: Some(json!(item.name)),
                ..issue(LintRule::Naming, item, Severity::Low)
            });
        }
    }
    if item
        .raw
        .get("roleScopeTagIds")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        out.push(issue(LintRule::ScopeTags, item, Severity::Low));
    }
    let assignments = &item.normalized.assignments;
    let unassigned = item
        .raw
        .get("assignments")
        .and_then(Value::as_array)
        .is_some()
        && assignments.is_empty();
    let modified = item
        .raw
        .get("lastModifiedDateTime")
        .and_then(Value::as_str)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc));
    if unassigned {
        match modified {
            Some(modified) if (as_of - modified).num_days() > options.stale_after_days => {
                out.push(LintIssue {
                    actual: Some(json!(modified.to_rfc3339())),
                    ..issue(LintRule::Stale, item, Severity::Low)
                });
            }
            _ => out.push(issue(LintRule::Unassigned, item, Severity::Low)),
        }
    }
    let everyone: Vec<&String> = assignments
        .keys()
        .filter(|k| {
            matches!(
                k.as_str(),
                "include/all_devices" | "include/all_licensed_users" | "include/all_users"
            )
        })
        .collect();
    let excludes = assignments.keys().any(|k| k.starts_with("exclude/"));
    // Asked last: it reads every setting's path.
    let critical = || {
        item.normalized
            .settings
            .keys()
            .any(|path| is_critical_setting(item.kind, path))
    };
    if !everyone.is_empty() && !excludes && critical() {
        out.push(LintIssue {
            actual: Some(json!(everyone)),
            ..issue(LintRule::BroadHighRisk, item, Severity::Medium)
        });
    }
}

/// Every policy but the first (by name) of a set with identical, non-empty settings.
fn duplicates(items: &[LintItem<'_>], out: &mut Vec<LintIssue>) {
    let mut groups: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
    for item in items.iter().filter(|i| !i.normalized.settings.is_empty()) {
        groups
            .entry((item.kind, item.normalized.settings_hash.as_str()))
            .or_default()
            .insert(item.key);
    }
    for ((kind, _), names) in groups {
        let mut names = names.into_iter();
        let Some(first) = names.next() else { continue };
        for name in names {
            out.push(LintIssue {
                rule: LintRule::Duplicate,
                resource_kind: kind.to_owned(),
                item_key: name.to_owned(),
                setting_path: String::new(),
                expected: None,
                actual: Some(json!(first)),
                severity: Severity::Medium,
            });
        }
    }
}

/// One issue per name that several policies of one kind share, listing their keys.
fn duplicate_names(items: &[LintItem<'_>], out: &mut Vec<LintIssue>) {
    let mut groups: BTreeMap<(&str, String), (&str, BTreeSet<&str>)> = BTreeMap::new();
    for item in items {
        let group = groups
            .entry((item.kind, crate::identity::folded_name(item.name)))
            .or_insert_with(|| (item.name, BTreeSet::new()));
        // The same name whatever the items' order.
        group.0 = group.0.min(item.name);
        group.1.insert(item.key);
    }
    for ((kind, _), (name, keys)) in groups {
        if keys.len() < 2 {
            continue;
        }
        out.push(LintIssue {
            rule: LintRule::DuplicateName,
            resource_kind: kind.to_owned(),
            item_key: name.to_owned(),
            setting_path: String::new(),
            expected: None,
            actual: Some(json!(keys)),
            severity: Severity::Low,
        });
    }
}

/// Kinds whose overlapping settings conflict on a device.
const CONFIGURATION_KINDS: &[&str] = &[
    "settings_catalog",
    "device_configuration",
    "administrative_template",
    "endpoint_security_intent",
];

/// Paths that describe a policy rather than configure a device.
const NOT_SETTINGS: &[&str] = &["description", "@odata.type", "roleScopeTagIds"];

/// One issue per (kind, target, set of policies) whose members set settings differently:
/// the settings in question are listed in `actual` (path → policy → value), and the
/// policies, joined with ` | `, are the finding's setting path.
fn conflicts(items: &[LintItem<'_>], out: &mut Vec<LintIssue>) {
    // (kind, type, include target, path) → policy name → value
    type Key<'a> = (&'a str, &'a str, &'a str, &'a str);
    let mut seen: BTreeMap<Key<'_>, BTreeMap<&str, &Value>> = BTreeMap::new();
    for item in items
        .iter()
        .filter(|i| CONFIGURATION_KINDS.contains(&i.kind))
    {
        let odata_type = item
            .raw
            .get("@odata.type")
            .and_then(Value::as_str)
            .unwrap_or("");
        // In catalog-style kinds the policy's own properties (platforms, technologies,
        // template) describe the policy; only the catalog settings reach the device.
        let catalog = crate::kinds::by_key(item.kind)
            .is_some_and(|k| k.normalization.layout != crate::kinds::Layout::Properties);
        let own_property = |path: &str| {
            let first = path.split('/').next().unwrap_or(path);
            item.raw.get(first).is_some()
        };
        let mut targets = item
            .normalized
            .assignments
            .keys()
            .filter_map(|t| t.strip_prefix("include/"))
            .peekable();
        if targets.peek().is_none() {
            continue;
        }
        // The settings that reach a device, chosen once for all the policy's targets.
        let settings: Vec<(&str, &Value)> = item
            .normalized
            .settings
            .iter()
            .filter(|(path, _)| {
                !(NOT_SETTINGS.contains(&path.as_str()) || (catalog && own_property(path)))
            })
            .map(|(path, value)| (path.as_str(), value))
            .collect();
        for target in targets {
            for &(path, value) in &settings {
                seen.entry((item.kind, odata_type, target, path))
                    .or_default()
                    .insert(item.key, value);
            }
        }
    }
    // (kind, target, policies) → path → policy → value
    type Group<'a> = (&'a str, &'a str, Vec<&'a str>);
    let mut groups: BTreeMap<Group<'_>, BTreeMap<&str, BTreeMap<&str, &Value>>> = BTreeMap::new();
    for ((kind, _, target, path), by_policy) in seen {
        // A setting only one policy sets conflicts with nothing (most of them).
        if by_policy.len() < 2 {
            continue;
        }
        let distinct: BTreeSet<String> = by_policy.values().map(|v| v.to_string()).collect();
        if distinct.len() > 1 {
            let policies: Vec<&str> = by_policy.keys().copied().collect();
            groups
                .entry((kind, target, policies))
                .or_default()
                .insert(path, by_policy);
        }
    }
    for ((kind, target, policies), settings) in groups {
        out.push(LintIssue {
            rule: LintRule::Conflict,
            resource_kind: kind.to_owned(),
            item_key: target.to_owned(),
            setting_path: policies.join(" | "),
            expected: None,
            actual: Some(json!(settings)),
            severity: Severity::Medium,
        });
    }
}

/// `*` matches any run of characters (also none); everything else literally,
/// case-insensitively.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.to_lowercase().chars().collect();
    let text: Vec<char> = text.to_lowercase().chars().collect();
    let (mut p, mut t) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while t < text.len() {
        if p < pattern.len() && pattern[p] != '*' && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some(p);
            mark = t;
            p += 1;
        } else if let Some(s) = star {
            p = s + 1;
            mark += 1;
            t = mark;
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests;

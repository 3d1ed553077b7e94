//! The Baselines screen's types as the UI sees them (exported to TypeScript), and their
//! conversions from the core's. Values the UI shows or types are text: settings as
//! canonical JSON, rule values and variables as `value_to_text` writes them, so that
//! what is shown reads back as the same value.

use std::collections::BTreeSet;

use plumbline_core::baseline::view::ItemSettings;
use plumbline_core::baseline::{value_from_text, value_to_text, Rule, SettingRule, Severity};
use plumbline_core::normalize::canonical_json;
use plumbline_core::store::{
    BaselineAssignment, BaselineItemDetail, BaselineItemRow, VersionSummary,
};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::version_number;

/// A baseline as the list shows it.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BaselineRow {
    pub id: String,
    pub name: String,
    pub description: String,
    /// The version reviews use.
    pub latest_published: Option<u32>,
    /// The version being edited, if any.
    pub draft_version: Option<u32>,
    /// Items of the latest published version, else of the draft.
    pub item_count: u32,
    pub assigned_tenants: u32,
}

/// One version of a baseline.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct VersionRow {
    pub id: String,
    pub version: u32,
    /// draft | published | retired
    pub status: String,
    pub items: u32,
    pub created_at: String,
    pub created_by: String,
    pub published_at: Option<String>,
    pub retired_at: Option<String>,
}

impl From<&VersionSummary> for VersionRow {
    fn from(v: &VersionSummary) -> Self {
        Self {
            id: v.id.clone(),
            version: version_number(v.version),
            status: v.status.clone(),
            items: v.items,
            created_at: v.created_at.clone(),
            created_by: v.created_by.clone(),
            published_at: v.published_at.clone(),
            retired_at: v.retired_at.clone(),
        }
    }
}

/// A per-tenant variable: its value as text (JSON when it parses as JSON, else a string).
#[derive(Clone, Debug, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct VariableEntry {
    pub key: String,
    pub value: String,
}

/// A tenant the baseline is assigned to.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentRow {
    pub tenant_id: String,
    pub tenant: String,
    pub variables: Vec<VariableEntry>,
    /// `None` follows the latest published version.
    pub pinned_version: Option<u32>,
    pub assigned_at: String,
    /// Variables the `tenant_value` rules of the version it uses read but it lacks:
    /// those settings are not judged for this tenant.
    pub missing_variables: Vec<String>,
}

impl AssignmentRow {
    pub fn new(assignment: BaselineAssignment, needed: &BTreeSet<String>) -> Self {
        Self {
            missing_variables: needed
                .iter()
                .filter(|v| !assignment.variables.contains_key(*v))
                .cloned()
                .collect(),
            tenant_id: assignment.tenant_id.to_string(),
            tenant: assignment.tenant,
            variables: assignment
                .variables
                .iter()
                .map(|(key, value)| VariableEntry {
                    key: key.clone(),
                    value: value_to_text(value),
                })
                .collect(),
            pinned_version: assignment.pinned_version.map(version_number),
            assigned_at: assignment.assigned_at,
        }
    }
}

/// A baseline's page.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BaselineDetail {
    pub baseline: BaselineRow,
    /// Newest first.
    pub versions: Vec<VersionRow>,
    /// By tenant name.
    pub assignments: Vec<AssignmentRow>,
    /// Variables the `tenant_value` rules of the published version and the draft read.
    pub required_variables: Vec<String>,
}

/// One item of a version.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BaselineItemView {
    pub id: String,
    pub kind: String,
    pub name: String,
    /// The default severity of its settings.
    pub severity: Severity,
    /// Settings with a rule of their own.
    pub rules: u32,
}

impl From<BaselineItemRow> for BaselineItemView {
    fn from(row: BaselineItemRow) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            name: row.name,
            severity: row.severity,
            rules: row.rules,
        }
    }
}

/// How a setting is judged (DRIFT.md, "Baseline rules per setting").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    Exact,
    Ignore,
    OneOf,
    AtLeast,
    AtMost,
    Present,
    Absent,
    TenantValue,
}

/// A rule in a form: only the fields its kind needs are read.
#[derive(Clone, Debug, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RuleSpec {
    pub kind: RuleKind,
    /// `one_of`: the compliant values, each as text (JSON when it parses as JSON).
    pub values: Vec<String>,
    /// `at_least` / `at_most`: the bound.
    pub number: Option<f64>,
    /// `tenant_value`: the per-tenant variable.
    pub variable: Option<String>,
    /// The severity of a drift of this setting; `None` keeps the item's (or the
    /// built-in high-risk one).
    pub severity: Option<Severity>,
}

impl RuleSpec {
    pub fn from_rule(rule: &SettingRule) -> Self {
        let mut spec = Self {
            kind: RuleKind::Exact,
            values: Vec::new(),
            number: None,
            variable: None,
            severity: rule.severity,
        };
        spec.kind = match &rule.rule {
            Rule::Exact => RuleKind::Exact,
            Rule::Ignore => RuleKind::Ignore,
            Rule::Present => RuleKind::Present,
            Rule::Absent => RuleKind::Absent,
            Rule::OneOf { values } => {
                spec.values = values.iter().map(value_to_text).collect();
                RuleKind::OneOf
            }
            Rule::AtLeast { value } => {
                spec.number = Some(*value);
                RuleKind::AtLeast
            }
            Rule::AtMost { value } => {
                spec.number = Some(*value);
                RuleKind::AtMost
            }
            Rule::TenantValue { variable } => {
                spec.variable = Some(variable.clone());
                RuleKind::TenantValue
            }
        };
        spec
    }

    /// The rule, or what to fix in the form.
    pub fn to_rule(&self) -> Result<SettingRule, String> {
        let bound = |name: &str, what: &str| {
            self.number.ok_or_else(|| {
                format!("{name} needs a number: enter the {what} compliant value, for example 14")
            })
        };
        let rule = match self.kind {
            RuleKind::Exact => Rule::Exact,
            RuleKind::Ignore => Rule::Ignore,
            RuleKind::Present => Rule::Present,
            RuleKind::Absent => Rule::Absent,
            RuleKind::OneOf => Rule::OneOf {
                values: self
                    .values
                    .iter()
                    .map(|v| v.trim())
                    .filter(|v| !v.is_empty())
                    .map(value_from_text)
                    .collect(),
            },
            RuleKind::AtLeast => Rule::AtLeast {
                value: bound("at_least", "smallest")?,
            },
            RuleKind::AtMost => Rule::AtMost {
                value: bound("at_most", "largest")?,
            },
            RuleKind::TenantValue => Rule::TenantValue {
                variable: self
                    .variable
                    .as_deref()
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
            },
        };
        if let Some(problem) = rule.problem() {
            return Err(format!("{problem}."));
        }
        Ok(SettingRule {
            rule,
            severity: self.severity,
        })
    }
}

/// One setting of an item.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SettingView {
    pub path: String,
    pub label: String,
    /// Canonical JSON; `None` when only a rule names the setting.
    pub value: Option<String>,
    /// The value as a person reads it (a choice's option label), where known.
    pub value_text: Option<String>,
    /// `None`: judged `exact` (the default).
    pub rule: Option<RuleSpec>,
    /// The severity of a drift of this setting.
    pub severity: Severity,
    /// rule | high_risk | item: where `severity` comes from.
    pub severity_source: String,
}

/// An item with its settings.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ItemSettingsView {
    pub item: BaselineItemView,
    pub baseline_id: String,
    pub baseline: String,
    pub version_id: String,
    pub version: u32,
    /// draft | published | retired: only a draft's rules and severities change.
    pub status: String,
    pub settings: Vec<SettingView>,
    /// Assignment targets (`include/group:…`), compared apart from the settings.
    pub assignments: Vec<String>,
    /// Paths left out of the comparison as per-tenant secrets or blobs.
    pub excluded: Vec<String>,
    /// The policy's JSON, pretty-printed.
    pub raw: String,
}

impl ItemSettingsView {
    pub fn new(item: BaselineItemDetail, view: ItemSettings) -> Self {
        Self {
            item: BaselineItemView {
                id: item.id,
                kind: item.kind,
                name: item.name,
                severity: item.severity,
                rules: u32::try_from(item.rules.len()).unwrap_or(u32::MAX),
            },
            baseline_id: item.baseline_id,
            baseline: item.baseline,
            version_id: item.version_id,
            version: version_number(item.version),
            status: item.status,
            settings: view
                .settings
                .into_iter()
                .map(|s| SettingView {
                    path: s.path,
                    label: s.label,
                    value: s.value.as_ref().map(canonical_json),
                    value_text: s.value_text,
                    rule: s.rule.as_ref().map(RuleSpec::from_rule),
                    severity: s.severity,
                    severity_source: s.severity_source.as_str().to_owned(),
                })
                .collect(),
            assignments: view.assignments,
            excluded: view.excluded,
            raw: serde_json::to_string_pretty(&item.raw).unwrap_or_else(|_| item.raw.to_string()),
        }
    }
}

/// A rule to set on one setting of a draft item.
#[derive(Clone, Debug, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SetRuleRequest {
    pub item_id: String,
    pub path: String,
    pub rule: RuleSpec,
}

/// What to create a baseline from: a tenant or a folder (exactly one).
#[derive(Clone, Debug, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CreateBaselineRequest {
    /// Required, except for a baseline folder, which names itself. An existing
    /// baseline of this name gets a new draft version.
    pub name: String,
    pub description: String,
    /// A tenant (id or name): its latest capture becomes the baseline.
    pub tenant_id: Option<String>,
    /// The full path of a baseline folder (with baseline.json) or of a folder of
    /// exported policies.
    pub folder: Option<String>,
    /// Publish right away instead of leaving a draft to edit.
    pub publish: bool,
    /// Kinds the baseline manages exclusively (their other policies are reported as
    /// extra), as keys from [`list_policy_kinds`](super::list_policy_kinds); empty keeps a
    /// baseline folder's own options.
    pub exclusive_kinds: Vec<String>,
}

/// A kind of policy a person can choose.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PolicyKindOption {
    pub key: String,
    pub label: String,
}

/// A created baseline version.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CreatedBaselineView {
    pub baseline_id: String,
    pub name: String,
    pub version: u32,
    pub items: u32,
    /// draft | published
    pub status: String,
}

/// Tenants to assign a baseline to, with the variables and pin each gets.
#[derive(Clone, Debug, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AssignRequest {
    pub baseline_id: String,
    pub tenant_ids: Vec<String>,
    pub variables: Vec<VariableEntry>,
    /// A published or retired version; `None` follows the latest published.
    pub pinned_version: Option<u32>,
}

/// A version to write to a folder.
#[derive(Clone, Debug, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ExportRequest {
    pub baseline_id: String,
    pub version: u32,
    /// The full path of the folder: created, or replaced when it holds an earlier export.
    pub path: String,
}

/// A written baseline folder.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ExportedBaselineView {
    pub name: String,
    pub version: u32,
    pub folder: String,
    /// Relative to `folder`.
    pub files: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: RuleKind) -> RuleSpec {
        RuleSpec {
            kind,
            values: Vec::new(),
            number: None,
            variable: None,
            severity: None,
        }
    }

    #[test]
    fn rule_forms_say_what_is_missing_and_round_trip() {
        let problem = |s: RuleSpec| s.to_rule().expect_err("refused");
        assert!(problem(spec(RuleKind::AtLeast)).contains("smallest compliant value"));
        assert!(problem(spec(RuleKind::AtMost)).contains("largest compliant value"));
        assert!(problem(spec(RuleKind::TenantValue)).contains("per-tenant variable"));
        assert!(problem(RuleSpec {
            values: vec![" ".to_owned()],
            ..spec(RuleKind::OneOf)
        })
        .contains("at least one value"));

        for given in [
            RuleSpec {
                values: vec!["14".to_owned(), "CET".to_owned(), "\"14\"".to_owned()],
                severity: Some(Severity::High),
                ..spec(RuleKind::OneOf)
            },
            RuleSpec {
                number: Some(14.0),
                ..spec(RuleKind::AtLeast)
            },
            RuleSpec {
                variable: Some("timezone".to_owned()),
                ..spec(RuleKind::TenantValue)
            },
            spec(RuleKind::Absent),
        ] {
            let rule = given.to_rule().expect("valid");
            let back = RuleSpec::from_rule(&rule);
            assert_eq!(back.to_rule().expect("valid"), rule);
            assert_eq!(back.values, given.values);
        }
    }
}

//! A baseline item's settings as a person reads them: the normalised settings the review
//! compares (the same normalisation and labels as the policy diff), each with its rule
//! and the severity a drift of it would have.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{severity_for, SettingRule, Severity};
use crate::model::DirectoryObject;
use crate::normalize::{normalize, DirectoryIndex, Labels};

/// Where a setting's severity comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeveritySource {
    /// The setting's own rule names it.
    Rule,
    /// The built-in list of high-risk settings raises it above the item's default.
    HighRisk,
    /// The item's default severity.
    Item,
}

impl SeveritySource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rule => "rule",
            Self::HighRisk => "high_risk",
            Self::Item => "item",
        }
    }
}

/// One setting of a baseline item.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemSetting {
    pub path: String,
    pub label: String,
    /// The baseline's normalised value; `None` when only a rule names the path (say,
    /// `absent` for a setting the baseline does not configure).
    pub value: Option<Value>,
    /// The value as a person reads it (a choice's option label), where known.
    pub value_text: Option<String>,
    pub rule: Option<SettingRule>,
    /// The severity of a drift of this setting.
    pub severity: Severity,
    pub severity_source: SeveritySource,
}

/// A baseline item's settings and assignment targets.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemSettings {
    /// By path: every normalised setting and every path a rule names.
    pub settings: Vec<ItemSetting>,
    /// `include/…` / `exclude/…` targets, compared apart from the settings.
    pub assignments: Vec<String>,
    /// Paths left out of the comparison as per-tenant secrets or blobs.
    pub excluded: Vec<String>,
}

/// Normalises the item as the review does and pairs each setting with its rule.
pub fn item_settings(
    kind: &str,
    raw: &Value,
    directory: &[DirectoryObject],
    rules: &BTreeMap<String, SettingRule>,
    item_severity: Severity,
    labels: &Labels<'_>,
) -> ItemSettings {
    let normalized = normalize(kind, raw, &DirectoryIndex::new(directory));
    let paths: BTreeSet<&String> = normalized.settings.keys().chain(rules.keys()).collect();
    let settings = paths
        .into_iter()
        .map(|path| {
            let rule = rules.get(path);
            let severity = severity_for(kind, path, rule, item_severity);
            let severity_source = if rule.and_then(|r| r.severity).is_some() {
                SeveritySource::Rule
            } else if severity > item_severity {
                SeveritySource::HighRisk
            } else {
                SeveritySource::Item
            };
            ItemSetting {
                path: path.clone(),
                label: labels.setting(kind, path),
                value_text: normalized
                    .settings
                    .get(path)
                    .and_then(|value| labels.value(value)),
                value: normalized.settings.get(path).cloned(),
                rule: rule.cloned(),
                severity,
                severity_source,
            }
        })
        .collect();
    ItemSettings {
        settings,
        assignments: normalized.assignments.keys().cloned().collect(),
        excluded: normalized.excluded,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::baseline::Rule;
    use crate::model::DirectoryObjectKind;

    #[test]
    fn settings_are_labelled_with_their_rule_and_severity() {
        let raw = json!({
            "displayName": "Win - Password",
            "id": "volatile",
            "passwordMinimumLength": 14,
            "defenderRequireRealTimeMonitoring": true,
            "assignments": [{"target": {
                "@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g1"}}],
        });
        let directory = [DirectoryObject {
            kind: DirectoryObjectKind::Group,
            external_id: "g1".to_owned(),
            display_name: "Pilot".to_owned(),
        }];
        let mut rules = BTreeMap::new();
        rules.insert(
            "passwordMinimumLength".to_owned(),
            SettingRule {
                rule: Rule::AtLeast { value: 14.0 },
                severity: Some(Severity::Low),
            },
        );
        rules.insert(
            "storageRequireEncryption".to_owned(),
            SettingRule {
                rule: Rule::Present,
                severity: None,
            },
        );
        let view = item_settings(
            "compliance_policy",
            &raw,
            &directory,
            &rules,
            Severity::Medium,
            &Labels::default(),
        );
        let by_path: BTreeMap<&str, &ItemSetting> =
            view.settings.iter().map(|s| (s.path.as_str(), s)).collect();
        assert!(!by_path.contains_key("id"), "volatile fields are dropped");

        let length = by_path["passwordMinimumLength"];
        assert_eq!(length.label, "Password minimum length");
        assert_eq!(length.value, Some(json!(14)));
        assert_eq!(length.severity, Severity::Low);
        assert_eq!(length.severity_source, SeveritySource::Rule);

        let defender = by_path["defenderRequireRealTimeMonitoring"];
        assert_eq!(defender.rule, None);
        assert_eq!(defender.severity, Severity::High);
        assert_eq!(defender.severity_source, SeveritySource::HighRisk);

        // A rule on a setting the policy does not configure is listed too.
        let encryption = by_path["storageRequireEncryption"];
        assert_eq!(encryption.value, None);
        assert_eq!(
            encryption.rule.as_ref().map(|r| &r.rule),
            Some(&Rule::Present)
        );

        assert_eq!(view.assignments.len(), 1);
        assert!(
            view.assignments[0].contains("Pilot"),
            "{:?}",
            view.assignments
        );
    }
}

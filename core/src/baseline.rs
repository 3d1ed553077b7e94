//! Baselines ("golden masters"): rules per setting, severities, and matching options.
//!
//! A baseline version is immutable once published; its items are normalised policies
//! and its rules say how each setting is judged. This module holds the pure types and
//! the judgement of one value against one rule; storage lives in `store`.

pub mod author;
pub mod folder;
pub mod view;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How bad a deviation is. Ordered: `Low < Medium < High < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "low" => Self::Low,
            "medium" => Self::Medium,
            "high" => Self::High,
            "critical" => Self::Critical,
            _ => return None,
        })
    }

    /// Weight in the alignment score.
    pub fn weight(self) -> f64 {
        match self {
            Self::Low => 1.0,
            Self::Medium => 2.0,
            Self::High => 4.0,
            Self::Critical => 8.0,
        }
    }

    /// Default days until a finding of this severity is due.
    pub fn due_days(self) -> i64 {
        match self {
            Self::Critical => 7,
            Self::High => 30,
            Self::Medium => 90,
            Self::Low => 180,
        }
    }
}

/// How one setting of a baseline item is judged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// The tenant's value must equal the baseline's (the default).
    Exact,
    /// Not judged at all.
    Ignore,
    /// Any of these values is compliant.
    OneOf { values: Vec<Value> },
    /// A number at least this large is compliant (a stricter tenant is fine).
    AtLeast { value: f64 },
    /// A number at most this large is compliant.
    AtMost { value: f64 },
    /// The setting must be configured, with any value.
    Present,
    /// The setting must not be configured.
    Absent,
    /// The value must equal a per-tenant variable of the baseline assignment.
    TenantValue { variable: String },
}

impl Rule {
    /// The rule's name as stored and as the CLI spells it (`at_least`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Ignore => "ignore",
            Self::OneOf { .. } => "one_of",
            Self::AtLeast { .. } => "at_least",
            Self::AtMost { .. } => "at_most",
            Self::Present => "present",
            Self::Absent => "absent",
            Self::TenantValue { .. } => "tenant_value",
        }
    }

    /// What is wrong with the rule's own values, said so that a person can fix it; `None`
    /// when the rule can judge. Every write of a rule checks this first, so a stored rule
    /// never silently judges nothing (an empty `one_of` would flag every value).
    pub fn problem(&self) -> Option<String> {
        match self {
            Self::OneOf { values } if values.is_empty() => {
                Some("one_of needs at least one value that is compliant".to_owned())
            }
            Self::AtLeast { value } | Self::AtMost { value } if !value.is_finite() => Some(
                format!("{} needs a finite number, for example 14", self.name()),
            ),
            Self::TenantValue { variable } => {
                let name = variable.trim();
                if name.is_empty() {
                    Some("tenant_value needs the name of a per-tenant variable, for example timezone".to_owned())
                } else if name != variable || name.chars().any(char::is_whitespace) {
                    Some(format!(
                        "the variable name {variable:?} has spaces: use letters, digits, - or _"
                    ))
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

/// A value typed by a person: JSON when it parses as JSON (`14`, `true`, `"14"`, `[1,2]`),
/// else the text as a string (`CET`). The CLI's `--var` and the desktop's rule values and
/// variables read values this way.
pub fn value_from_text(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// The text that [`value_from_text`] reads back as `value`: a string that would not parse
/// as JSON is shown bare (`CET`), everything else as compact JSON (`14`, `"14"`).
pub fn value_to_text(value: &Value) -> String {
    if let Value::String(text) = value {
        if serde_json::from_str::<Value>(text).is_err() {
            return text.clone();
        }
    }
    crate::normalize::canonical_json(value)
}

/// A rule and, optionally, its own severity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingRule {
    #[serde(flatten)]
    pub rule: Rule,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

/// Matching options of a baseline version.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineOptions {
    /// Match "… - v3.1" in the baseline with "… - v3.2" in the tenant.
    #[serde(default)]
    pub ignore_version_suffix: bool,
    /// Kinds the baseline manages exclusively: tenant items of these kinds that match no
    /// baseline item are reported as `extra`.
    #[serde(default)]
    pub exclusive_kinds: Vec<String>,
}

impl BaselineOptions {
    /// The options with every exclusive kind checked and spelled as its key: a kind name
    /// that names no kind is an error listing the valid ones (it would silently never
    /// report an extra policy).
    pub fn checked(&self) -> Result<Self, crate::kinds::UnknownKind> {
        Ok(Self {
            ignore_version_suffix: self.ignore_version_suffix,
            exclusive_kinds: crate::kinds::resolve_all(&self.exclusive_kinds)?,
        })
    }
}

/// The verdict on one setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Compliant,
    /// Not judged (`ignore`, or a `tenant_value` variable the assignment lacks).
    NotJudged,
    /// The tenant has no value where one is expected.
    Missing,
    /// The tenant has a value where none is expected.
    Added,
    /// The tenant's value differs.
    Changed,
}

/// Judges a tenant value against the baseline value under a rule. `None` means the
/// setting is not configured (normalisation has already made null/""/[]/{} equal to
/// absent).
pub fn judge(
    rule: &Rule,
    expected: Option<&Value>,
    actual: Option<&Value>,
    variables: &BTreeMap<String, Value>,
) -> Verdict {
    match rule {
        Rule::Ignore => Verdict::NotJudged,
        Rule::Exact => compare(expected, actual),
        Rule::TenantValue { variable } => match variables.get(variable) {
            Some(value) => compare(Some(value), actual),
            None => Verdict::NotJudged,
        },
        Rule::Present => match actual {
            Some(_) => Verdict::Compliant,
            None => Verdict::Missing,
        },
        Rule::Absent => match actual {
            Some(_) => Verdict::Added,
            None => Verdict::Compliant,
        },
        Rule::OneOf { values } => match actual {
            None => Verdict::Missing,
            Some(value) if values.contains(value) => Verdict::Compliant,
            Some(_) => Verdict::Changed,
        },
        Rule::AtLeast { value: bound } => numeric(actual, |n| n >= *bound),
        Rule::AtMost { value: bound } => numeric(actual, |n| n <= *bound),
    }
}

fn compare(expected: Option<&Value>, actual: Option<&Value>) -> Verdict {
    match (expected, actual) {
        (None, None) => Verdict::Compliant,
        (Some(_), None) => Verdict::Missing,
        (None, Some(_)) => Verdict::Added,
        (Some(e), Some(a)) if e == a => Verdict::Compliant,
        (Some(_), Some(_)) => Verdict::Changed,
    }
}

fn numeric(actual: Option<&Value>, ok: impl Fn(f64) -> bool) -> Verdict {
    let number = match actual {
        None => return Verdict::Missing,
        Some(Value::Number(n)) => n.as_f64(),
        // Settings catalog simple values sometimes carry numbers as strings.
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match number {
        Some(n) if ok(n) => Verdict::Compliant,
        _ => Verdict::Changed,
    }
}

/// Settings that are high-risk whatever the baseline says: their drift is at least
/// `High` (some `Critical`). Matched as case-insensitive substrings of the setting path.
pub static HIGH_RISK_SETTINGS: &[(&str, Severity)] = &[
    ("grantcontrols/builtincontrols", Severity::Critical), // MFA grant removed
    ("state", Severity::Critical), // a CA policy disabled (exact path, see below)
    ("bitlocker", Severity::High),
    ("storagerequireencryption", Severity::High),
    ("filevault", Severity::High),
    ("allowrealtimemonitoring", Severity::Critical),
    ("realtimeprotection", Severity::Critical),
    ("defenderrequirerealtimemonitoring", Severity::High),
    ("firewall", Severity::High),
    ("laps", Severity::High),
    ("tamperprotection", Severity::Critical),
    ("attacksurfacereduction", Severity::High),
];

/// The severity of a drift on `path` of an item of `kind`: the rule's own, else the
/// built-in high-risk list, else the item's default.
pub fn severity_for(
    kind: &str,
    path: &str,
    rule: Option<&SettingRule>,
    item_default: Severity,
) -> Severity {
    if let Some(severity) = rule.and_then(|r| r.severity) {
        return severity;
    }
    let lower = path.to_ascii_lowercase();
    let builtin = HIGH_RISK_SETTINGS
        .iter()
        .filter(|(needle, _)| {
            if *needle == "state" {
                // Only a Conditional Access policy's own on/off switch.
                kind == "conditional_access" && lower == "state"
            } else {
                lower.contains(needle)
            }
        })
        .map(|(_, s)| *s)
        .max();
    match builtin {
        Some(s) if s > item_default => s,
        _ => item_default,
    }
}

/// Whether the built-in list alone makes a drift on `path` of an item of `kind` critical
/// (what [`severity_for`] says of it with no rule and a low default), without allocating:
/// lint asks it of every setting of every captured policy.
pub fn is_critical_setting(kind: &str, path: &str) -> bool {
    // Lower-cased on the stack (ASCII case changes keep UTF-8 valid); long paths on the heap.
    let mut buffer = [0u8; 256];
    let owned;
    let lower: &str = match buffer.get_mut(..path.len()) {
        Some(slot) => {
            slot.copy_from_slice(path.as_bytes());
            slot.make_ascii_lowercase();
            match std::str::from_utf8(slot) {
                Ok(lower) => lower,
                Err(_) => return false, // unreachable: lower-casing ASCII keeps UTF-8 valid
            }
        }
        None => {
            owned = path.to_ascii_lowercase();
            &owned
        }
    };
    HIGH_RISK_SETTINGS
        .iter()
        .filter(|(_, severity)| *severity == Severity::Critical)
        .any(|(needle, _)| {
            if *needle == "state" {
                kind == "conditional_access" && lower == "state"
            } else {
                lower.contains(needle)
            }
        })
}

/// The default severity of items of a kind.
pub fn default_severity(kind: &str) -> Severity {
    match kind {
        "conditional_access" => Severity::High,
        "compliance_policy" | "app_protection" => Severity::High,
        "windows_update_ring"
        | "windows_feature_update"
        | "windows_quality_update"
        | "windows_driver_update" => Severity::Medium,
        _ => Severity::Medium,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn j(rule: Rule, expected: Option<Value>, actual: Option<Value>) -> Verdict {
        judge(&rule, expected.as_ref(), actual.as_ref(), &BTreeMap::new())
    }

    #[test]
    fn critical_settings_are_those_severity_for_calls_critical() {
        let paths = [
            "grantControls/builtInControls",
            "GRANTCONTROLS/BUILTINCONTROLS/0",
            "state",
            "State",
            "conditions/state",
            "defenderRequireRealTimeMonitoring",
            "allowRealtimeMonitoring",
            "device_vendor_msft_defender_realtimeprotection",
            "TamperProtection/enabled",
            "bitLockerEncryptDevice",
            "firewallEnabled",
            "passwordMinimumLength",
            "",
            "é/realtimeProtection",
            &"x".repeat(300),
            &format!("{}/tamperProtection", "y".repeat(300)),
        ];
        for kind in [
            "conditional_access",
            "settings_catalog",
            "compliance_policy",
        ] {
            for path in paths {
                assert_eq!(
                    is_critical_setting(kind, path),
                    severity_for(kind, path, None, Severity::Low) == Severity::Critical,
                    "{kind} {path}"
                );
            }
        }
        assert!(is_critical_setting("conditional_access", "State"));
        assert!(!is_critical_setting("settings_catalog", "state"));
        assert!(is_critical_setting(
            "settings_catalog",
            "x/TamperProtection"
        ));
        assert!(!is_critical_setting("settings_catalog", "bitlocker"));
    }

    #[test]
    fn exact_compares_values_and_presence() {
        assert_eq!(
            j(Rule::Exact, Some(json!(14)), Some(json!(14))),
            Verdict::Compliant
        );
        assert_eq!(
            j(Rule::Exact, Some(json!(14)), Some(json!(8))),
            Verdict::Changed
        );
        assert_eq!(j(Rule::Exact, Some(json!(14)), None), Verdict::Missing);
        assert_eq!(j(Rule::Exact, None, Some(json!(true))), Verdict::Added);
        assert_eq!(j(Rule::Exact, None, None), Verdict::Compliant);
    }

    #[test]
    fn a_stricter_tenant_meets_at_least_and_at_most() {
        assert_eq!(
            j(
                Rule::AtLeast { value: 14.0 },
                Some(json!(14)),
                Some(json!(16))
            ),
            Verdict::Compliant
        );
        assert_eq!(
            j(
                Rule::AtLeast { value: 14.0 },
                Some(json!(14)),
                Some(json!("16"))
            ),
            Verdict::Compliant
        );
        assert_eq!(
            j(
                Rule::AtLeast { value: 14.0 },
                Some(json!(14)),
                Some(json!(8))
            ),
            Verdict::Changed
        );
        assert_eq!(
            j(Rule::AtLeast { value: 14.0 }, Some(json!(14)), None),
            Verdict::Missing
        );
        assert_eq!(
            j(
                Rule::AtMost { value: 15.0 },
                Some(json!(15)),
                Some(json!(5))
            ),
            Verdict::Compliant
        );
        assert_eq!(
            j(
                Rule::AtMost { value: 15.0 },
                Some(json!(15)),
                Some(json!(60))
            ),
            Verdict::Changed
        );
        assert_eq!(
            j(
                Rule::AtMost { value: 15.0 },
                Some(json!(15)),
                Some(json!("x"))
            ),
            Verdict::Changed
        );
    }

    #[test]
    fn one_of_present_absent_ignore() {
        let one_of = Rule::OneOf {
            values: vec![json!("a"), json!("b")],
        };
        assert_eq!(
            j(one_of.clone(), None, Some(json!("b"))),
            Verdict::Compliant
        );
        assert_eq!(j(one_of, None, Some(json!("c"))), Verdict::Changed);
        assert_eq!(
            j(Rule::Present, Some(json!(1)), Some(json!(2))),
            Verdict::Compliant
        );
        assert_eq!(j(Rule::Present, Some(json!(1)), None), Verdict::Missing);
        assert_eq!(j(Rule::Absent, None, Some(json!(2))), Verdict::Added);
        assert_eq!(j(Rule::Absent, Some(json!(1)), None), Verdict::Compliant);
        assert_eq!(
            j(Rule::Ignore, Some(json!(1)), Some(json!(2))),
            Verdict::NotJudged
        );
    }

    #[test]
    fn tenant_value_uses_the_assignment_variable() {
        let rule = Rule::TenantValue {
            variable: "timezone".to_owned(),
        };
        let mut vars = BTreeMap::new();
        assert_eq!(
            judge(&rule, Some(&json!("UTC")), Some(&json!("CET")), &vars),
            Verdict::NotJudged
        );
        vars.insert("timezone".to_owned(), json!("CET"));
        assert_eq!(
            judge(&rule, Some(&json!("UTC")), Some(&json!("CET")), &vars),
            Verdict::Compliant
        );
        assert_eq!(
            judge(&rule, Some(&json!("UTC")), Some(&json!("UTC")), &vars),
            Verdict::Changed
        );
    }

    #[test]
    fn rule_problems_say_what_to_fix() {
        assert!(Rule::OneOf { values: vec![] }
            .problem()
            .is_some_and(|p| p.contains("at least one value")));
        assert!(Rule::AtLeast { value: f64::NAN }
            .problem()
            .is_some_and(|p| p.contains("at_least needs a finite number")));
        assert!(Rule::AtMost {
            value: f64::INFINITY
        }
        .problem()
        .is_some());
        assert!(Rule::TenantValue {
            variable: " ".to_owned()
        }
        .problem()
        .is_some_and(|p| p.contains("per-tenant variable")));
        assert!(Rule::TenantValue {
            variable: "time zone".to_owned()
        }
        .problem()
        .is_some_and(|p| p.contains("has spaces")));
        for fine in [
            Rule::Exact,
            Rule::Ignore,
            Rule::Present,
            Rule::Absent,
            Rule::AtLeast { value: 14.0 },
            Rule::OneOf {
                values: vec![json!(1)],
            },
            Rule::TenantValue {
                variable: "timezone".to_owned(),
            },
        ] {
            assert_eq!(fine.problem(), None, "{fine:?}");
        }
    }

    #[test]
    fn typed_values_read_back_as_they_were_shown() {
        assert_eq!(value_from_text("14"), json!(14));
        assert_eq!(value_from_text("\"14\""), json!("14"));
        assert_eq!(value_from_text("CET"), json!("CET"));
        assert_eq!(value_from_text("[1, 2]"), json!([1, 2]));
        for value in [
            json!("CET"),
            json!("14"),
            json!("true"),
            json!(""),
            json!(" spaced "),
            json!(14),
            json!(1.5),
            json!(false),
            json!(null),
            json!({"b": 1, "a": [true]}),
        ] {
            let text = value_to_text(&value);
            assert_eq!(value_from_text(&text), value, "{text}");
        }
        assert_eq!(value_to_text(&json!("CET")), "CET");
        assert_eq!(value_to_text(&json!("14")), "\"14\"");
    }

    #[test]
    fn rules_round_trip_as_tagged_json() {
        let rule = SettingRule {
            rule: Rule::AtLeast { value: 14.0 },
            severity: Some(Severity::High),
        };
        let text = serde_json::to_string(&rule).expect("json");
        assert_eq!(
            text,
            r#"{"rule":"at_least","value":14.0,"severity":"high"}"#
        );
        assert_eq!(
            serde_json::from_str::<SettingRule>(&text).expect("parse"),
            rule
        );
        let plain: SettingRule = serde_json::from_str(r#"{"rule":"exact"}"#).expect("parse");
        assert_eq!(
            plain,
            SettingRule {
                rule: Rule::Exact,
                severity: None
            }
        );
    }

    #[test]
    fn high_risk_settings_raise_severity_but_explicit_rules_win() {
        let path = "device_vendor_msft_policy_config_defender_allowrealtimemonitoring";
        assert_eq!(
            severity_for("settings_catalog", path, None, Severity::Medium),
            Severity::Critical
        );
        let explicit = SettingRule {
            rule: Rule::Exact,
            severity: Some(Severity::Low),
        };
        assert_eq!(
            severity_for("settings_catalog", path, Some(&explicit), Severity::Medium),
            Severity::Low
        );
        assert_eq!(
            severity_for("conditional_access", "state", None, Severity::High),
            Severity::Critical
        );
        assert_eq!(
            severity_for("settings_catalog", "state", None, Severity::Medium),
            Severity::Medium
        );
        assert_eq!(
            severity_for(
                "compliance_policy",
                "passwordMinimumLength",
                None,
                Severity::High
            ),
            Severity::High
        );
    }
}

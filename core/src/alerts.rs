//! Alerts: what deserves a person's attention after a review, without noise.
//!
//! A rule names a condition over what a review run changed ([`ReviewFacts`]): new or
//! re-opened findings at or above a severity, risk acceptances that lapsed (expired, or
//! the accepted value changed), or a tenant's score falling by some points. Evaluating
//! the rules is pure ([`evaluate`]); the store gathers the facts, applies each rule's
//! cooldown per tenant and records the alerts (`Store::raise_alerts`). Every alert lands
//! in the in-app inbox; rules with the desktop channel also raise a notification.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::baseline::Severity;

/// When a rule fires.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// Findings opened or re-opened by a review, at or above `min_severity`.
    NewFindings { min_severity: Severity },
    /// A risk acceptance lapsed: it expired, or the accepted value no longer holds.
    AcceptanceLapsed,
    /// A tenant's alignment score fell by at least `points` from its previous review.
    ScoreDrop { points: f64 },
}

/// How an alert reaches people besides the inbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A desktop notification (notify-rust); the inbox keeps it when none can be shown.
    Desktop,
}

/// A stored alert rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlertRule {
    pub id: String,
    pub name: String,
    pub condition: Condition,
    pub channels: Vec<Channel>,
    /// No second alert of this rule for the same tenant within this many seconds (the
    /// group and repeat interval).
    pub cooldown_secs: i64,
    pub enabled: bool,
    /// The first notification waits this long (Alertmanager's `group_wait`).
    pub group_wait_secs: i64,
    /// Further notifications step by step until acknowledged (`crate::escalation`).
    pub escalation_policy_id: Option<String>,
}

/// The rules a new workspace starts with.
pub fn default_rules() -> Vec<(String, Condition, Vec<Channel>, i64)> {
    vec![
        (
            "New critical or high findings".to_owned(),
            Condition::NewFindings {
                min_severity: Severity::High,
            },
            vec![Channel::Desktop],
            3600,
        ),
        (
            "Risk acceptance lapsed".to_owned(),
            Condition::AcceptanceLapsed,
            vec![Channel::Desktop],
            3600,
        ),
        (
            "Score dropped by 10 points or more".to_owned(),
            Condition::ScoreDrop { points: 10.0 },
            vec![Channel::Desktop],
            86_400,
        ),
    ]
}

/// A finding a review opened or re-opened.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenedFinding {
    pub severity: Severity,
    pub title: String,
    pub reopened: bool,
    /// What identifies this opening on every device: the finding and the review that
    /// opened it (both derived from the inputs, so the same everywhere).
    pub key: String,
}

/// A risk acceptance that lapsed.
#[derive(Clone, Debug, PartialEq)]
pub struct LapsedAcceptance {
    pub finding_title: String,
    /// `expired` or `value_changed`.
    pub reason: String,
    /// The acceptance and its lapse, as every device names them.
    pub key: String,
}

/// What one tenant's reviews in a run changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TenantFacts {
    pub tenant_name: String,
    pub opened: Vec<OpenedFinding>,
    pub lapsed: Vec<LapsedAcceptance>,
    /// The score before and after the run, when both reviews had one.
    pub score: Option<(f64, f64)>,
    /// The review that gave the newer score.
    pub score_key: String,
    /// The tenant's latest capture did not read everything: a score drop it shows is
    /// inhibited (the failed capture is what needs attention, not the score).
    pub capture_incomplete: bool,
}

/// What a review run changed, by tenant id.
pub type ReviewFacts = BTreeMap<String, TenantFacts>;

/// An alert to record.
#[derive(Clone, Debug, PartialEq)]
pub struct NewAlert {
    pub rule_id: String,
    pub tenant_id: String,
    /// The alert's identity (its condition and tenant; never a time): the same on every
    /// device, PagerDuty's `dedup_key`.
    pub fingerprint: String,
    /// This occurrence: the fingerprint and what triggered it (the findings and reviews),
    /// the same on every device that derived the same reviews: the `webhook-id`.
    pub event_id: String,
    pub severity: Severity,
    pub title: String,
    pub body: String,
}

/// How many titles an alert's body lists before "and N more".
const LISTED: usize = 5;

/// The alerts `rules` raise for `facts` (before cooldowns, which need the store).
pub fn evaluate(rules: &[AlertRule], facts: &ReviewFacts) -> Vec<NewAlert> {
    let mut alerts = Vec::new();
    for rule in rules.iter().filter(|r| r.enabled) {
        for (tenant_id, tenant) in facts {
            if let Some((severity, title, body, mut keys)) = fire(&rule.condition, tenant) {
                let fingerprint = fingerprint(&rule.condition, tenant_id);
                keys.sort();
                let event_id = digest(&format!("{fingerprint}\n{}", keys.join("\n")));
                alerts.push(NewAlert {
                    rule_id: rule.id.clone(),
                    tenant_id: tenant_id.clone(),
                    fingerprint,
                    event_id,
                    severity,
                    title,
                    body,
                });
            }
        }
    }
    alerts
}

/// An alert's fingerprint: its condition and tenant (rules are told apart by what they
/// watch, which every device words the same; their ids are local).
pub fn fingerprint(condition: &Condition, tenant_id: &str) -> String {
    let condition = serde_json::to_string(condition).unwrap_or_default();
    digest(&format!("{condition}\n{tenant_id}"))
}

/// 32 hex digits of SHA-256.
fn digest(text: &str) -> String {
    use sha2::Digest as _;
    let hash = sha2::Sha256::digest(text.as_bytes());
    hex::encode(&hash[..16])
}

/// What fired: severity, title, body, and the keys of what triggered it.
type Fired = (Severity, String, String, Vec<String>);

fn fire(condition: &Condition, t: &TenantFacts) -> Option<Fired> {
    match condition {
        Condition::NewFindings { min_severity } => {
            let mut hits: Vec<&OpenedFinding> = t
                .opened
                .iter()
                .filter(|f| f.severity >= *min_severity)
                .collect();
            if hits.is_empty() {
                return None;
            }
            hits.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.title.cmp(&b.title)));
            let worst = hits[0].severity;
            let reopened = hits.iter().filter(|f| f.reopened).count();
            let what = if hits.len() == 1 {
                format!("1 new {} finding", worst.as_str())
            } else {
                format!("{} new findings, the worst {}", hits.len(), worst.as_str())
            };
            let mut body = listing(hits.iter().map(|f| {
                format!(
                    "[{}] {}{}",
                    f.severity.as_str(),
                    f.title,
                    if f.reopened { " (re-opened)" } else { "" }
                )
            }));
            if reopened > 0 {
                body.push_str(&format!("\n{reopened} of them had been resolved before."));
            }
            let keys = hits.iter().map(|f| f.key.clone()).collect();
            Some((worst, format!("{}: {what}", t.tenant_name), body, keys))
        }
        Condition::AcceptanceLapsed => {
            if t.lapsed.is_empty() {
                return None;
            }
            let what = if t.lapsed.len() == 1 {
                "a risk acceptance lapsed".to_owned()
            } else {
                format!("{} risk acceptances lapsed", t.lapsed.len())
            };
            let body = listing(t.lapsed.iter().map(|l| {
                let why = match l.reason.as_str() {
                    "expired" => "expired",
                    "value_changed" => "the accepted value changed",
                    other => other,
                };
                format!("{} ({why})", l.finding_title)
            }));
            Some((
                Severity::High,
                format!("{}: {what}", t.tenant_name),
                format!("{body}\nThe findings are open again: decide them anew."),
                t.lapsed.iter().map(|l| l.key.clone()).collect(),
            ))
        }
        Condition::ScoreDrop { points } => {
            if t.capture_incomplete {
                return None;
            }
            let (before, after) = t.score?;
            let drop = before - after;
            if drop + 1e-9 < *points {
                return None;
            }
            let severity = if drop >= 2.0 * points {
                Severity::High
            } else {
                Severity::Medium
            };
            Some((
                severity,
                format!(
                    "{}: score fell {:.0} points to {:.0}",
                    t.tenant_name, drop, after
                ),
                format!(
                    "The alignment score went from {before:.1} to {after:.1} in the last review."
                ),
                vec![t.score_key.clone()],
            ))
        }
    }
}

fn listing(lines: impl Iterator<Item = String>) -> String {
    let lines: Vec<String> = lines.collect();
    let mut body: Vec<String> = lines.iter().take(LISTED).cloned().collect();
    if lines.len() > LISTED {
        body.push(format!("… and {} more", lines.len() - LISTED));
    }
    body.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Vec<AlertRule> {
        default_rules()
            .into_iter()
            .enumerate()
            .map(
                |(i, (name, condition, channels, cooldown_secs))| AlertRule {
                    id: format!("rule-{i}"),
                    name,
                    condition,
                    channels,
                    cooldown_secs,
                    enabled: true,
                    group_wait_secs: 30,
                    escalation_policy_id: None,
                },
            )
            .collect()
    }

    fn opened(severity: Severity, title: &str, reopened: bool) -> OpenedFinding {
        OpenedFinding {
            severity,
            title: title.to_owned(),
            reopened,
            key: format!("finding-{title}@review-1"),
        }
    }

    fn facts(tenant: TenantFacts) -> ReviewFacts {
        BTreeMap::from([("t1".to_owned(), tenant)])
    }

    #[test]
    fn only_findings_at_or_above_the_threshold_alert() {
        let quiet = facts(TenantFacts {
            tenant_name: "Contoso".into(),
            opened: vec![
                opened(Severity::Medium, "A", false),
                opened(Severity::Low, "B", false),
            ],
            ..Default::default()
        });
        assert!(evaluate(&rules(), &quiet).is_empty(), "no noise below high");

        let loud = facts(TenantFacts {
            tenant_name: "Contoso".into(),
            opened: vec![
                opened(Severity::Medium, "A", false),
                opened(Severity::High, "Firewall off", false),
                opened(Severity::Critical, "BitLocker off", true),
            ],
            ..Default::default()
        });
        let alerts = evaluate(&rules(), &loud);
        assert_eq!(alerts.len(), 1);
        let alert = &alerts[0];
        assert_eq!(alert.rule_id, "rule-0");
        assert_eq!(alert.severity, Severity::Critical);
        assert_eq!(alert.title, "Contoso: 2 new findings, the worst critical");
        assert_eq!(
            alert.body,
            "[critical] BitLocker off (re-opened)\n[high] Firewall off\n1 of them had been resolved before."
        );
    }

    #[test]
    fn long_lists_are_cut_with_a_count() {
        let many = facts(TenantFacts {
            tenant_name: "Fabrikam".into(),
            opened: (0..8)
                .map(|i| opened(Severity::High, &format!("F{i}"), false))
                .collect(),
            ..Default::default()
        });
        let alert = &evaluate(&rules(), &many)[0];
        assert_eq!(alert.body.lines().count(), 6);
        assert!(alert.body.ends_with("… and 3 more"), "{}", alert.body);
    }

    #[test]
    fn lapsed_acceptances_and_score_drops_alert() {
        let t = facts(TenantFacts {
            tenant_name: "Contoso".into(),
            lapsed: vec![LapsedAcceptance {
                finding_title: "USB storage allowed".into(),
                reason: "value_changed".into(),
                key: "acceptance-1@value_changed".into(),
            }],
            score: Some((92.0, 71.5)),
            ..Default::default()
        });
        let alerts = evaluate(&rules(), &t);
        let titles: Vec<&str> = alerts.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Contoso: a risk acceptance lapsed",
                "Contoso: score fell 20 points to 72"
            ]
        );
        assert!(alerts[0]
            .body
            .starts_with("USB storage allowed (the accepted value changed)"));
        assert_eq!(alerts[1].severity, Severity::High, "twice the threshold");
    }

    #[test]
    fn small_drops_rises_and_disabled_rules_stay_quiet() {
        let mut rules = rules();
        let small = facts(TenantFacts {
            tenant_name: "Contoso".into(),
            score: Some((80.0, 70.5)),
            ..Default::default()
        });
        assert!(evaluate(&rules, &small).is_empty());
        let rise = facts(TenantFacts {
            tenant_name: "Contoso".into(),
            score: Some((50.0, 90.0)),
            ..Default::default()
        });
        assert!(evaluate(&rules, &rise).is_empty());
        let exact = facts(TenantFacts {
            tenant_name: "Contoso".into(),
            score: Some((80.0, 70.0)),
            ..Default::default()
        });
        assert_eq!(
            evaluate(&rules, &exact).len(),
            1,
            "a drop of exactly 10 alerts"
        );
        rules[2].enabled = false;
        assert!(evaluate(&rules, &exact).is_empty());
    }

    #[test]
    fn an_incomplete_capture_inhibits_the_score_drop_it_causes() {
        let mut tenant = TenantFacts {
            tenant_name: "Contoso".into(),
            score: Some((92.0, 40.0)),
            score_key: "review-9".into(),
            ..Default::default()
        };
        assert_eq!(evaluate(&rules(), &facts(tenant.clone())).len(), 1);
        tenant.capture_incomplete = true;
        assert!(evaluate(&rules(), &facts(tenant)).is_empty());
    }

    #[test]
    fn fingerprints_and_event_ids_come_from_the_inputs_never_the_clock_or_rule_id() {
        let tenant = TenantFacts {
            tenant_name: "Contoso".into(),
            opened: vec![
                opened(Severity::High, "A", false),
                opened(Severity::Critical, "B", false),
            ],
            ..Default::default()
        };
        let first = evaluate(&rules(), &facts(tenant.clone()));
        // Another device: other rule ids, the findings listed in another order.
        let mut other_rules = rules();
        other_rules[0].id = "another-device-rule-id".into();
        let mut reordered = tenant.clone();
        reordered.opened.reverse();
        let second = evaluate(&other_rules, &facts(reordered));
        assert_eq!(first[0].fingerprint, second[0].fingerprint);
        assert_eq!(first[0].event_id, second[0].event_id);
        // One more finding: the same alert (fingerprint), another event.
        let mut more = tenant;
        more.opened.push(opened(Severity::High, "C", false));
        let third = evaluate(&rules(), &facts(more));
        assert_eq!(first[0].fingerprint, third[0].fingerprint);
        assert_ne!(first[0].event_id, third[0].event_id);
        // Another tenant: another alert.
        let elsewhere = BTreeMap::from([(
            "t2".to_owned(),
            TenantFacts {
                tenant_name: "Fabrikam".into(),
                opened: vec![opened(Severity::High, "A", false)],
                ..Default::default()
            },
        )]);
        assert_ne!(
            evaluate(&rules(), &elsewhere)[0].fingerprint,
            first[0].fingerprint
        );
    }

    #[test]
    fn conditions_are_stored_as_tagged_json() {
        let json = serde_json::to_string(&Condition::NewFindings {
            min_severity: Severity::High,
        })
        .expect("json");
        assert_eq!(json, r#"{"type":"new_findings","min_severity":"high"}"#);
        let back: Condition =
            serde_json::from_str(r#"{"type":"score_drop","points":5}"#).expect("parse");
        assert_eq!(back, Condition::ScoreDrop { points: 5.0 });
        assert!(serde_json::from_str::<Condition>(r#"{"type":"bogus"}"#).is_err());
    }
}

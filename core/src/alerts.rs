//! Alerts: what deserves a person's attention after a review, without noise.
//!
//! A rule names a condition over what a review run changed ([`ReviewFacts`]): new or
//! re-opened findings at or above a severity, risk acceptances that lapsed (expired, or
//! the accepted value changed), a tenant's score falling by some points, a capture that
//! failed — or over where tenants stand: risk acceptances ending within some days, a
//! tenant not captured for some days. Evaluating
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
    /// A risk acceptance ends within `days` days (decide again before it lapses).
    AcceptanceExpiring { days: u32 },
    /// A capture from Graph failed or read only part of the tenant (each run once).
    CaptureFailed,
    /// The tenant's newest capture is `days` days old or older.
    NotCaptured { days: u32 },
    /// A policy of the previous capture is gone from the tenant (a ghost policy: deleted
    /// in the portal, perhaps by someone who should not have).
    GhostPolicy,
}

impl Condition {
    /// The condition as `plumbline alerts rule add --when` takes it (and the console
    /// shows it): `new-findings:high`, `lapsed`, `score-drop:10`, `expiring:14`,
    /// `capture-failed`, `not-captured:3`, `ghost-policy`.
    pub fn spec(&self) -> String {
        match self {
            Self::NewFindings { min_severity } => format!("new-findings:{}", min_severity.as_str()),
            Self::AcceptanceLapsed => "lapsed".to_owned(),
            Self::ScoreDrop { points } => format!("score-drop:{points}"),
            Self::AcceptanceExpiring { days } => format!("expiring:{days}"),
            Self::CaptureFailed => "capture-failed".to_owned(),
            Self::NotCaptured { days } => format!("not-captured:{days}"),
            Self::GhostPolicy => "ghost-policy".to_owned(),
        }
    }

    /// Reads [`Condition::spec`]'s form; the error says what is accepted.
    pub fn parse_spec(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "{text:?}: use new-findings:SEVERITY, lapsed, score-drop:POINTS, expiring:DAYS, \
                 capture-failed, not-captured:DAYS or ghost-policy"
            )
        };
        let (what, value) = match text.trim().split_once(':') {
            Some((what, value)) => (what, Some(value.trim())),
            None => (text.trim(), None),
        };
        let number = |value: Option<&str>| -> Result<u32, String> {
            value
                .and_then(|v| v.parse::<u32>().ok())
                .filter(|n| *n > 0)
                .ok_or_else(bad)
        };
        Ok(match what {
            "new-findings" => Self::NewFindings {
                min_severity: value.and_then(Severity::parse).ok_or_else(bad)?,
            },
            "lapsed" => Self::AcceptanceLapsed,
            "score-drop" => Self::ScoreDrop {
                points: f64::from(number(value)?),
            },
            "expiring" => Self::AcceptanceExpiring {
                days: number(value)?,
            },
            "capture-failed" => Self::CaptureFailed,
            "not-captured" => Self::NotCaptured {
                days: number(value)?,
            },
            "ghost-policy" if value.is_none() => Self::GhostPolicy,
            _ => return Err(bad()),
        })
    }
}

/// How an alert reaches people besides the inbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A desktop notification (notify-rust); the inbox keeps it when none can be shown.
    Desktop,
}

/// Which tenants a rule watches (ALERTS.md: all, a list, by tag, with exclusions).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantFilter {
    /// Only these tenants (ids); empty: every tenant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tenants: Vec<String>,
    /// Only tenants with at least one of these tags; empty: any tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Never these tenants (ids), whatever else matches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
}

impl TenantFilter {
    /// Whether a tenant with this id and these tags is watched.
    pub fn matches(&self, tenant_id: &str, tags: &[String]) -> bool {
        if self.exclude.iter().any(|t| t == tenant_id) {
            return false;
        }
        if !self.tenants.is_empty() && !self.tenants.iter().any(|t| t == tenant_id) {
            return false;
        }
        self.tags.is_empty()
            || self
                .tags
                .iter()
                .any(|wanted| tags.iter().any(|tag| tag.eq_ignore_ascii_case(wanted)))
    }

    /// The filter as stored: tags trimmed, blanks and repeats dropped.
    pub fn tidy(&self) -> Self {
        fn tidy(list: &[String]) -> Vec<String> {
            let mut out: Vec<String> = Vec::new();
            for item in list.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
                if !out.iter().any(|o| o == item) {
                    out.push(item.to_owned());
                }
            }
            out
        }
        Self {
            tenants: tidy(&self.tenants),
            tags: tidy(&self.tags),
            exclude: tidy(&self.exclude),
        }
    }

    /// True when every tenant is watched.
    pub fn is_all(&self) -> bool {
        self.tenants.is_empty() && self.tags.is_empty() && self.exclude.is_empty()
    }
}

/// A stored alert rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlertRule {
    pub id: String,
    pub name: String,
    pub condition: Condition,
    /// The tenants it watches.
    pub tenant_filter: TenantFilter,
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
    /// A policy of the previous capture that is gone (drift kind `deleted`).
    pub ghost: bool,
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

/// A risk acceptance that ends soon.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpiringAcceptance {
    pub finding_title: String,
    /// Days until it ends (fractional).
    pub days_left: f64,
    /// The acceptance and its end, as every device names them.
    pub key: String,
}

/// A capture run that did not read the whole tenant.
#[derive(Clone, Debug, PartialEq)]
pub struct FailedRun {
    /// `partial` or `failed`.
    pub status: String,
    pub error: Option<String>,
    pub key: String,
}

/// What one tenant's reviews in a run changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TenantFacts {
    pub tenant_name: String,
    /// The tenant's tags (rules may watch tenants by tag).
    pub tags: Vec<String>,
    pub opened: Vec<OpenedFinding>,
    pub lapsed: Vec<LapsedAcceptance>,
    /// The score before and after the run, when both reviews had one.
    pub score: Option<(f64, f64)>,
    /// The review that gave the newer score.
    pub score_key: String,
    /// The tenant's latest capture did not read everything: a score drop it shows is
    /// inhibited (the failed capture is what needs attention, not the score).
    pub capture_incomplete: bool,
    /// Risk acceptances ending soon (within the longest window a rule asks about).
    pub expiring: Vec<ExpiringAcceptance>,
    /// Capture runs since the last raise that failed or read part of the tenant.
    pub failed_runs: Vec<FailedRun>,
    /// A tenant connected to Graph: days since its newest capture, and that capture's
    /// time (the key of the alert).
    pub stale: Option<(f64, String)>,
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
    /// What it is about, by the keys that made its event (findings, acceptances, capture
    /// runs, reviews): whether its condition still holds is asked of these
    /// (`Store::raise_alerts` resolves it when it does not).
    pub subjects: Vec<String>,
    /// A score drop's score before the drop: the alert clears when the score is back.
    pub score_before: Option<f64>,
}

/// How many titles an alert's body lists before "and N more".
const LISTED: usize = 5;

/// The alerts `rules` raise for `facts` (before cooldowns, which need the store).
pub fn evaluate(rules: &[AlertRule], facts: &ReviewFacts) -> Vec<NewAlert> {
    let mut alerts = Vec::new();
    for rule in rules.iter().filter(|r| r.enabled) {
        for (tenant_id, tenant) in facts {
            if !rule.tenant_filter.matches(tenant_id, &tenant.tags) {
                continue;
            }
            if let Some((severity, title, body, mut keys)) = fire(&rule.condition, tenant) {
                let fingerprint = fingerprint(&rule.condition, tenant_id);
                keys.sort();
                let event_id = digest(&format!("{fingerprint}\n{}", keys.join("\n")));
                let score_before = match rule.condition {
                    Condition::ScoreDrop { .. } => tenant.score.map(|(before, _)| before),
                    _ => None,
                };
                alerts.push(NewAlert {
                    rule_id: rule.id.clone(),
                    tenant_id: tenant_id.clone(),
                    fingerprint,
                    event_id,
                    severity,
                    title,
                    body,
                    subjects: keys,
                    score_before,
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
        Condition::GhostPolicy => {
            let mut gone: Vec<&OpenedFinding> = t.opened.iter().filter(|f| f.ghost).collect();
            if gone.is_empty() {
                return None;
            }
            gone.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.title.cmp(&b.title)));
            let what = if gone.len() == 1 {
                "a policy was deleted".to_owned()
            } else {
                format!("{} policies were deleted", gone.len())
            };
            let body = listing(gone.iter().map(|f| f.title.clone()));
            Some((
                // A deleted policy is worth a look whatever the baseline says of it.
                gone[0].severity.max(Severity::High),
                format!("{}: {what}", t.tenant_name),
                format!("{body}\nThey were in the previous capture and are gone from this one."),
                gone.iter().map(|f| f.key.clone()).collect(),
            ))
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
        Condition::AcceptanceExpiring { days } => {
            let mut hits: Vec<&ExpiringAcceptance> = t
                .expiring
                .iter()
                .filter(|e| e.days_left <= f64::from(*days))
                .collect();
            if hits.is_empty() {
                return None;
            }
            hits.sort_by(|a, b| a.days_left.total_cmp(&b.days_left));
            let soonest = hits[0].days_left;
            let what = if hits.len() == 1 {
                format!("a risk acceptance ends within {days} days")
            } else {
                format!("{} risk acceptances end within {days} days", hits.len())
            };
            let body = listing(hits.iter().map(|e| {
                format!(
                    "{} (in {})",
                    e.finding_title,
                    if e.days_left < 1.0 {
                        "less than a day".to_owned()
                    } else {
                        format!("{:.0} days", e.days_left.floor())
                    }
                )
            }));
            Some((
                if soonest < 1.0 {
                    Severity::High
                } else {
                    Severity::Medium
                },
                format!("{}: {what}", t.tenant_name),
                format!(
                    "{body}\nRenew or decide them before they lapse and the findings open again."
                ),
                hits.iter().map(|e| e.key.clone()).collect(),
            ))
        }
        Condition::CaptureFailed => {
            if t.failed_runs.is_empty() {
                return None;
            }
            let failed = t
                .failed_runs
                .iter()
                .filter(|r| r.status == "failed")
                .count();
            let what = if failed > 0 {
                "a capture from Graph failed".to_owned()
            } else {
                "a capture from Graph read only part of the tenant".to_owned()
            };
            let body = listing(t.failed_runs.iter().map(|r| {
                format!(
                    "{}: {}",
                    r.status,
                    r.error.as_deref().unwrap_or("some kinds could not be read")
                )
            }));
            Some((
                if failed > 0 {
                    Severity::High
                } else {
                    Severity::Medium
                },
                format!("{}: {what}", t.tenant_name),
                format!("{body}\nThe tenant's capture history says why (`plumbline graph runs`)."),
                t.failed_runs.iter().map(|r| r.key.clone()).collect(),
            ))
        }
        Condition::NotCaptured { days } => {
            let (age, last) = t.stale.as_ref()?;
            if *age < f64::from(*days) {
                return None;
            }
            Some((
                Severity::Medium,
                format!(
                    "{}: not captured for {:.0} days",
                    t.tenant_name,
                    age.floor()
                ),
                format!(
                    "The newest capture is from {last}: its findings and score may no longer be true. Check the tenant's Graph connection and schedule."
                ),
                vec![format!("stale@{last}")],
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

    #[test]
    fn condition_specs_read_back_what_they_write() {
        for text in [
            "new-findings:high",
            "new-findings:critical",
            "lapsed",
            "score-drop:10",
            "expiring:14",
            "capture-failed",
            "not-captured:3",
            "ghost-policy",
        ] {
            let condition = Condition::parse_spec(text).expect(text);
            assert_eq!(condition.spec(), text);
        }
        for bad in [
            "new-findings",
            "new-findings:urgent",
            "score-drop:0",
            "expiring:x",
            "soon",
        ] {
            assert!(Condition::parse_spec(bad).is_err(), "{bad}");
        }
    }

    fn rules() -> Vec<AlertRule> {
        default_rules()
            .into_iter()
            .enumerate()
            .map(
                |(i, (name, condition, channels, cooldown_secs))| AlertRule {
                    id: format!("rule-{i}"),
                    name,
                    condition,
                    tenant_filter: TenantFilter::default(),
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
            ghost: false,
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

    fn rule(condition: Condition) -> Vec<AlertRule> {
        vec![AlertRule {
            id: "r".into(),
            name: "r".into(),
            condition,
            tenant_filter: TenantFilter::default(),
            channels: vec![],
            cooldown_secs: 3600,
            enabled: true,
            group_wait_secs: 30,
            escalation_policy_id: None,
        }]
    }

    #[test]
    fn ghost_policies_alert_once_per_review_whatever_their_severity() {
        let mut facts: ReviewFacts = BTreeMap::new();
        let mut gone = opened(Severity::Low, "Legacy Wi-Fi profile", false);
        gone.ghost = true;
        let mut also = opened(Severity::Medium, "BitLocker policy", false);
        also.ghost = true;
        facts.insert(
            "t1".to_owned(),
            TenantFacts {
                tenant_name: "Contoso".to_owned(),
                opened: vec![gone, also, opened(Severity::High, "Not a ghost", false)],
                ..TenantFacts::default()
            },
        );
        facts.insert(
            "t2".to_owned(),
            TenantFacts {
                tenant_name: "Fabrikam".to_owned(),
                opened: vec![opened(Severity::Critical, "Changed", false)],
                ..TenantFacts::default()
            },
        );
        let raised = evaluate(&rule(Condition::GhostPolicy), &facts);
        assert_eq!(raised.len(), 1, "only the tenant with deleted policies");
        let alert = &raised[0];
        assert_eq!(alert.title, "Contoso: 2 policies were deleted");
        assert_eq!(alert.severity, Severity::High, "at least high");
        assert!(alert.body.contains("BitLocker policy") && alert.body.contains("Legacy Wi-Fi"));
        assert!(!alert.body.contains("Not a ghost"));
        // The same facts raise the same event; a different ghost, another event.
        assert_eq!(
            evaluate(&rule(Condition::GhostPolicy), &facts)[0].event_id,
            alert.event_id
        );
    }

    #[test]
    fn tenant_filters_watch_a_list_a_tag_and_never_the_excluded() {
        let filter = |tenants: &[&str], tags: &[&str], exclude: &[&str]| TenantFilter {
            tenants: tenants.iter().map(|t| (*t).to_owned()).collect(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            exclude: exclude.iter().map(|t| (*t).to_owned()).collect(),
        };
        let vip = vec!["VIP".to_owned()];
        assert!(TenantFilter::default().matches("t1", &[]));
        assert!(TenantFilter::default().is_all());
        assert!(filter(&["t1"], &[], &[]).matches("t1", &[]));
        assert!(!filter(&["t1"], &[], &[]).matches("t2", &[]));
        assert!(
            filter(&[], &["vip"], &[]).matches("t2", &vip),
            "tags ignore case"
        );
        assert!(!filter(&[], &["vip"], &[]).matches("t2", &[]));
        assert!(
            !filter(&[], &["vip"], &["t2"]).matches("t2", &vip),
            "exclusions win"
        );
        assert!(
            !filter(&["t1"], &["vip"], &[]).matches("t1", &[]),
            "list and tag both hold"
        );

        // A rule only fires for the tenants it watches; the others' facts are ignored.
        let facts: ReviewFacts = [
            ("t1".to_owned(), high_facts("Contoso", &["vip"])),
            ("t2".to_owned(), high_facts("Fabrikam", &[])),
        ]
        .into_iter()
        .collect();
        let mut watched = rule(Condition::NewFindings {
            min_severity: Severity::High,
        });
        watched[0].tenant_filter = filter(&[], &["vip"], &[]);
        let raised = evaluate(&watched, &facts);
        assert_eq!(raised.len(), 1);
        assert_eq!(raised[0].tenant_id, "t1");
        watched[0].tenant_filter = filter(&[], &[], &["t1"]);
        let raised = evaluate(&watched, &facts);
        assert_eq!(
            raised
                .iter()
                .map(|a| a.tenant_id.as_str())
                .collect::<Vec<_>>(),
            ["t2"]
        );
    }

    fn high_facts(name: &str, tags: &[&str]) -> TenantFacts {
        TenantFacts {
            tenant_name: name.to_owned(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            opened: vec![opened(Severity::High, "BitLocker off", false)],
            ..TenantFacts::default()
        }
    }

    #[test]
    fn expiring_acceptances_alert_within_their_window() {
        let tenant = TenantFacts {
            tenant_name: "Contoso".into(),
            expiring: vec![
                ExpiringAcceptance {
                    finding_title: "USB storage allowed".into(),
                    days_left: 12.5,
                    key: "ra-1@2026-12-20".into(),
                },
                ExpiringAcceptance {
                    finding_title: "Legacy auth".into(),
                    days_left: 40.0,
                    key: "ra-2@2027-01-20".into(),
                },
            ],
            ..Default::default()
        };
        let alerts = evaluate(
            &rule(Condition::AcceptanceExpiring { days: 14 }),
            &facts(tenant.clone()),
        );
        assert_eq!(alerts.len(), 1);
        assert_eq!(
            alerts[0].title,
            "Contoso: a risk acceptance ends within 14 days"
        );
        assert!(
            alerts[0]
                .body
                .starts_with("USB storage allowed (in 12 days)"),
            "{}",
            alerts[0].body
        );
        assert_eq!(alerts[0].severity, Severity::Medium);
        assert!(evaluate(
            &rule(Condition::AcceptanceExpiring { days: 7 }),
            &facts(tenant.clone())
        )
        .is_empty());
        let mut soon = tenant;
        soon.expiring[0].days_left = 0.4;
        let alerts = evaluate(
            &rule(Condition::AcceptanceExpiring { days: 14 }),
            &facts(soon),
        );
        assert_eq!(alerts[0].severity, Severity::High, "less than a day left");
    }

    #[test]
    fn failed_and_partial_captures_alert_once_per_run() {
        let runs = |status: &str| TenantFacts {
            tenant_name: "Contoso".into(),
            failed_runs: vec![FailedRun {
                status: status.into(),
                error: Some("AADSTS7000222: the client secret expired".into()),
                key: "run-1".into(),
            }],
            ..Default::default()
        };
        let failed = evaluate(&rule(Condition::CaptureFailed), &facts(runs("failed")));
        assert_eq!(failed[0].title, "Contoso: a capture from Graph failed");
        assert_eq!(failed[0].severity, Severity::High);
        assert!(failed[0].body.contains("AADSTS7000222"));
        let partial = evaluate(&rule(Condition::CaptureFailed), &facts(runs("partial")));
        assert_eq!(partial[0].severity, Severity::Medium);
        assert_ne!(
            failed[0].event_id,
            evaluate(
                &rule(Condition::CaptureFailed),
                &facts(TenantFacts {
                    failed_runs: vec![FailedRun {
                        status: "failed".into(),
                        error: None,
                        key: "run-2".into()
                    }],
                    ..runs("failed")
                })
            )[0]
            .event_id,
            "another run, another event"
        );
        assert!(evaluate(
            &rule(Condition::CaptureFailed),
            &facts(TenantFacts::default())
        )
        .is_empty());
    }

    #[test]
    fn tenants_not_captured_for_days_alert_until_a_new_capture() {
        let stale = |age: f64, last: &str| TenantFacts {
            tenant_name: "Contoso".into(),
            stale: Some((age, last.into())),
            ..Default::default()
        };
        let rules = rule(Condition::NotCaptured { days: 3 });
        assert!(evaluate(&rules, &facts(stale(2.9, "2026-12-04T09:00:00Z"))).is_empty());
        let first = evaluate(&rules, &facts(stale(3.2, "2026-12-04T09:00:00Z")));
        assert_eq!(first[0].title, "Contoso: not captured for 3 days");
        let later = evaluate(&rules, &facts(stale(5.0, "2026-12-04T09:00:00Z")));
        assert_eq!(
            first[0].event_id, later[0].event_id,
            "the same capture: the same event"
        );
        let newer = evaluate(&rules, &facts(stale(3.5, "2026-12-05T09:00:00Z")));
        assert_ne!(first[0].event_id, newer[0].event_id);
        assert!(
            evaluate(&rules, &facts(TenantFacts::default())).is_empty(),
            "not connected"
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
        let back: Condition =
            serde_json::from_str(r#"{"type":"acceptance_expiring","days":14}"#).expect("parse");
        assert_eq!(back, Condition::AcceptanceExpiring { days: 14 });
        assert_eq!(
            serde_json::to_string(&Condition::NotCaptured { days: 3 }).expect("json"),
            r#"{"type":"not_captured","days":3}"#
        );
        assert!(serde_json::from_str::<Condition>(r#"{"type":"bogus"}"#).is_err());
    }
}

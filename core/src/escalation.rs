//! When an alert's notifications are due (ALERTS.md, borrowed from Alertmanager and
//! PagerDuty): the first after the rule's `group_wait` to the destinations the rule is
//! routed to, then an escalation policy's steps ("wait N minutes, then notify these
//! destinations"), its whole sequence repeated a bounded number of times; all of it
//! stopped by an acknowledgement, and held back while a silence covers the alert.
//!
//! Pure: given the alert's times and the clock, which notifications are due. The store
//! writes each one to the outbox once (its delivery id names the round and step).

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// The most steps of a policy, and the most repeats of its sequence.
pub const MAX_STEPS: usize = 10;
pub const MAX_REPEATS: u32 = 10;

/// One step: this many seconds after the alert, notify these destinations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Step {
    pub after_seconds: u32,
    /// Destination names.
    pub destinations: Vec<String>,
}

impl Step {
    /// A step as people write it: `AFTER:DESTINATION[,DESTINATION…]`, e.g. `15m:on-call`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("{text:?}: write AFTER:DESTINATION[,DESTINATION…], e.g. 15m:on-call");
        let (after, destinations) = text.split_once(':').ok_or_else(bad)?;
        let after_seconds = parse_duration(after).ok_or_else(bad)?;
        let destinations: Vec<String> = destinations
            .split(',')
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty())
            .collect();
        if destinations.is_empty() {
            return Err(bad());
        }
        Ok(Self {
            after_seconds,
            destinations,
        })
    }
}

/// A duration as people write it: `90s`, `15m`, `6h`, `1d`; a bare number is minutes.
pub fn parse_duration(text: &str) -> Option<u32> {
    let text = text.trim().to_ascii_lowercase();
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text.as_str(), "m"),
    };
    let number: u32 = number.parse().ok()?;
    let unit = match unit.trim() {
        "s" => 1,
        "m" | "min" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return None,
    };
    number.checked_mul(unit)
}

/// An escalation policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Policy {
    pub steps: Vec<Step>,
    /// How many times the whole sequence runs again after its last step (0: once).
    pub repeats: u32,
    /// Seconds from the last step to the start of the next round.
    pub repeat_after_seconds: u32,
}

impl Policy {
    /// Checks the policy makes sense: steps in time order, each with a destination,
    /// bounded repeats.
    pub fn check(&self) -> Result<(), String> {
        if self.steps.is_empty() {
            return Err("a policy needs at least one step (--step 15m:DESTINATION)".to_owned());
        }
        if self.steps.len() > MAX_STEPS {
            return Err(format!("a policy has at most {MAX_STEPS} steps"));
        }
        if self.steps.iter().any(|s| s.destinations.is_empty()) {
            return Err("every step names at least one destination".to_owned());
        }
        if self
            .steps
            .windows(2)
            .any(|w| w[1].after_seconds <= w[0].after_seconds)
        {
            return Err("steps come in time order, each later than the one before".to_owned());
        }
        if self.repeats > MAX_REPEATS {
            return Err(format!("a policy repeats at most {MAX_REPEATS} times"));
        }
        if self.repeats > 0 && self.repeat_after_seconds < 60 {
            return Err(
                "a repeating policy waits at least a minute before its next round".to_owned(),
            );
        }
        Ok(())
    }

    /// Seconds from one round's start to the next's.
    fn cycle_seconds(&self) -> i64 {
        let last = self.steps.last().map_or(0, |s| s.after_seconds);
        i64::from(last) + i64::from(self.repeat_after_seconds.max(60))
    }
}

/// A notification of an alert: its round (0 for the first run of the steps), its step
/// (0 is the rule's own routes; policy steps follow from 1), when it is due, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    pub round: u32,
    pub step: u32,
    pub due_at: DateTime<Utc>,
    pub destinations: Vec<String>,
}

impl Notification {
    /// What names this notification among the alert's (part of its delivery ids).
    pub fn key(&self, event_id: &str) -> String {
        if self.round == 0 && self.step == 0 {
            event_id.to_owned()
        } else {
            format!("{event_id}/{}/{}", self.round, self.step)
        }
    }
}

/// An alert's times, as the plan needs them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertTimes {
    pub raised_at: DateTime<Utc>,
    /// Acknowledged (or resolved): nothing due after this.
    pub stopped_at: Option<DateTime<Utc>>,
}

/// Every notification of the alert, in time order: the routes at `group_wait`, then the
/// policy's steps and rounds; none due at or after the alert was stopped.
pub fn plan(
    routes: &[String],
    group_wait: TimeDelta,
    policy: Option<&Policy>,
    times: &AlertTimes,
) -> Vec<Notification> {
    let mut out = Vec::new();
    if !routes.is_empty() {
        out.push(Notification {
            round: 0,
            step: 0,
            due_at: times.raised_at + group_wait.max(TimeDelta::zero()),
            destinations: routes.to_vec(),
        });
    }
    if let Some(policy) = policy {
        for round in 0..=policy.repeats.min(MAX_REPEATS) {
            let start =
                times.raised_at + TimeDelta::seconds(i64::from(round) * policy.cycle_seconds());
            for (index, step) in policy.steps.iter().enumerate() {
                out.push(Notification {
                    round,
                    step: index as u32 + 1,
                    due_at: start + TimeDelta::seconds(i64::from(step.after_seconds)),
                    destinations: step.destinations.clone(),
                });
            }
        }
    }
    if let Some(stopped) = times.stopped_at {
        out.retain(|n| n.due_at < stopped);
    }
    out.sort_by_key(|n| (n.due_at, n.round, n.step));
    out
}

/// The notifications of [`plan`] due at `now`.
pub fn due(
    routes: &[String],
    group_wait: TimeDelta,
    policy: Option<&Policy>,
    times: &AlertTimes,
    now: DateTime<Utc>,
) -> Vec<Notification> {
    plan(routes, group_wait, policy, times)
        .into_iter()
        .filter(|n| n.due_at <= now)
        .collect()
}

/// A silence: alerts matching it notify nobody from `starts_at` until `ends_at` (they
/// still reach the inbox). `None` matchers match anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Silence {
    pub id: String,
    pub rule_id: Option<String>,
    pub tenant_id: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub comment: String,
}

impl Silence {
    /// Whether the silence covers an alert of `rule_id` and `tenant_id` at `at`.
    pub fn covers(
        &self,
        rule_id: Option<&str>,
        tenant_id: Option<&str>,
        at: DateTime<Utc>,
    ) -> bool {
        at >= self.starts_at
            && at < self.ends_at
            && self.rule_id.as_deref().is_none_or(|r| Some(r) == rule_id)
            && self
                .tenant_id
                .as_deref()
                .is_none_or(|t| Some(t) == tenant_id)
    }
}

/// Whether any of `silences` covers the alert at `at`.
pub fn silenced(
    silences: &[Silence],
    rule_id: Option<&str>,
    tenant_id: Option<&str>,
    at: DateTime<Utc>,
) -> bool {
    silences.iter().any(|s| s.covers(rule_id, tenant_id, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_steps_as_people_write_them() {
        assert_eq!(parse_duration("90s"), Some(90));
        assert_eq!(parse_duration("15m"), Some(900));
        assert_eq!(parse_duration("15"), Some(900));
        assert_eq!(parse_duration("6h"), Some(21_600));
        assert_eq!(parse_duration("1d"), Some(86_400));
        assert_eq!(parse_duration("1w"), None);
        assert_eq!(parse_duration("m"), None);
        let step = Step::parse("45m:manager, pager").expect("step");
        assert_eq!(step.after_seconds, 2_700);
        assert_eq!(step.destinations, ["manager", "pager"]);
        assert!(Step::parse("45m:").is_err());
        assert!(Step::parse("soon:manager").is_err());
    }

    fn t(minutes: i64) -> DateTime<Utc> {
        "2026-12-07T09:00:00Z"
            .parse::<DateTime<Utc>>()
            .expect("time")
            + TimeDelta::minutes(minutes)
    }

    fn policy() -> Policy {
        Policy {
            steps: vec![
                Step {
                    after_seconds: 15 * 60,
                    destinations: vec!["on-call".into()],
                },
                Step {
                    after_seconds: 45 * 60,
                    destinations: vec!["manager".into(), "pager".into()],
                },
            ],
            repeats: 2,
            repeat_after_seconds: 60 * 60,
        }
    }

    fn times(stopped: Option<i64>) -> AlertTimes {
        AlertTimes {
            raised_at: t(0),
            stopped_at: stopped.map(t),
        }
    }

    fn at(list: &[Notification]) -> Vec<(u32, u32, DateTime<Utc>)> {
        list.iter().map(|n| (n.round, n.step, n.due_at)).collect()
    }

    #[test]
    fn routes_wait_for_the_group_then_steps_follow_and_rounds_repeat_bounded() {
        let routes = vec!["ops".to_owned()];
        let all = plan(
            &routes,
            TimeDelta::seconds(30),
            Some(&policy()),
            &times(None),
        );
        assert_eq!(
            at(&all),
            [
                (0, 0, t(0) + TimeDelta::seconds(30)),
                (0, 1, t(15)),
                (0, 2, t(45)),
                (1, 1, t(105 + 15)),
                (1, 2, t(105 + 45)),
                (2, 1, t(210 + 15)),
                (2, 2, t(210 + 45)),
            ],
            "a round is the last step (45) and the wait (60): 105 minutes"
        );
        assert_eq!(all[2].destinations, ["manager", "pager"]);
        // As the clock moves, steps become due one by one.
        assert!(due(
            &routes,
            TimeDelta::seconds(30),
            Some(&policy()),
            &times(None),
            t(0)
        )
        .is_empty());
        assert_eq!(
            at(&due(
                &routes,
                TimeDelta::seconds(30),
                Some(&policy()),
                &times(None),
                t(15)
            )),
            [(0, 0, t(0) + TimeDelta::seconds(30)), (0, 1, t(15))]
        );
        assert_eq!(
            due(
                &routes,
                TimeDelta::seconds(30),
                Some(&policy()),
                &times(None),
                t(10_000)
            )
            .len(),
            7,
            "bounded: never more than the rounds allow"
        );
    }

    #[test]
    fn an_acknowledgement_stops_what_was_not_yet_due() {
        let routes = vec!["ops".to_owned()];
        let acked = times(Some(20));
        assert_eq!(
            at(&due(
                &routes,
                TimeDelta::zero(),
                Some(&policy()),
                &acked,
                t(10_000)
            )),
            [(0, 0, t(0)), (0, 1, t(15))]
        );
        let at_once = times(Some(0));
        assert!(plan(&routes, TimeDelta::seconds(30), Some(&policy()), &at_once).is_empty());
        // Without a policy, only the routes; without routes, only the steps.
        assert_eq!(
            plan(&routes, TimeDelta::zero(), None, &times(None)).len(),
            1
        );
        assert_eq!(
            plan(&[], TimeDelta::zero(), Some(&policy()), &times(None)).len(),
            6
        );
    }

    #[test]
    fn notification_keys_are_stable_and_distinct() {
        let all = plan(
            &["ops".to_owned()],
            TimeDelta::zero(),
            Some(&policy()),
            &times(None),
        );
        let keys: std::collections::BTreeSet<String> = all.iter().map(|n| n.key("ev")).collect();
        assert_eq!(keys.len(), all.len());
        assert!(
            keys.contains("ev"),
            "the first notification keeps the event's own key"
        );
        assert!(keys.contains("ev/1/2"));
    }

    #[test]
    fn policies_are_checked() {
        assert!(policy().check().is_ok());
        let mut p = policy();
        p.steps.swap(0, 1);
        assert!(p.check().is_err(), "out of order");
        let mut p = policy();
        p.steps[0].destinations.clear();
        assert!(p.check().is_err());
        let mut p = policy();
        p.repeats = 11;
        assert!(p.check().is_err());
        let mut p = policy();
        p.repeat_after_seconds = 30;
        assert!(p.check().is_err());
        assert!(Policy {
            steps: vec![],
            repeats: 0,
            repeat_after_seconds: 0
        }
        .check()
        .is_err());
    }

    #[test]
    fn silences_cover_by_rule_tenant_and_time() {
        let silence = Silence {
            id: "s".into(),
            rule_id: Some("r1".into()),
            tenant_id: None,
            starts_at: t(0),
            ends_at: t(60),
            comment: "maintenance".into(),
        };
        assert!(silence.covers(Some("r1"), Some("any"), t(30)));
        assert!(
            !silence.covers(Some("r2"), Some("any"), t(30)),
            "another rule"
        );
        assert!(
            !silence.covers(Some("r1"), Some("any"), t(60)),
            "expired at its end"
        );
        assert!(!silence.covers(Some("r1"), Some("any"), t(-1)), "not yet");
        let tenant = Silence {
            rule_id: None,
            tenant_id: Some("t1".into()),
            ..silence.clone()
        };
        assert!(silenced(
            &[silence, tenant.clone()],
            Some("r9"),
            Some("t1"),
            t(1)
        ));
        assert!(!silenced(&[tenant], Some("r9"), Some("t2"), t(1)));
    }
}

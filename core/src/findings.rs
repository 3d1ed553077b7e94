//! The findings lifecycle of DRIFT.md, as pure functions.
//!
//! - A finding's identity is its fingerprint: SHA-256 of (tenant, source, baseline or
//!   rule, item key, setting path, kind). The same deviation found again is the same
//!   finding.
//! - States: `open` → `acknowledged` → `resolved`; `risk_accepted`; `false_positive`.
//! - A review reconciles what it observed with the stored findings: new ones open, seen
//!   ones stay, resolved ones re-open (counted), vanished ones auto-resolve — except
//!   where the kind failed to capture: those are "not assessed" and keep their state.
//! - A risk acceptance lapses on expiry and when the actual value moves away from the
//!   accepted value; the finding re-opens.
//!
//! The store applies the resulting [`Change`]s and writes each as an audit event.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::baseline::Severity;
use crate::drift::Drift;

/// Where a finding comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A deviation from a baseline.
    Drift,
    /// A hygiene rule (no baseline).
    Lint,
    /// A change between two captures.
    History,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Drift => "drift",
            Self::Lint => "lint",
            Self::History => "history",
        }
    }
}

/// A finding's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Acknowledged,
    Resolved,
    RiskAccepted,
    FalsePositive,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Acknowledged => "acknowledged",
            Self::Resolved => "resolved",
            Self::RiskAccepted => "risk_accepted",
            Self::FalsePositive => "false_positive",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "open" => Self::Open,
            "acknowledged" => Self::Acknowledged,
            "resolved" => Self::Resolved,
            "risk_accepted" => Self::RiskAccepted,
            "false_positive" => Self::FalsePositive,
            _ => return None,
        })
    }

    /// Open or acknowledged: still to be dealt with.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Open | Self::Acknowledged)
    }
}

/// The stable identity of a deviation.
pub fn fingerprint(
    tenant: &str,
    source: Source,
    scope: &str,
    item_key: &str,
    setting_path: &str,
    kind: &str,
) -> String {
    let mut hasher = Sha256::new();
    // Unit separators keep ("ab","c") and ("a","bc") apart.
    for part in [tenant, source.as_str(), scope, item_key, setting_path, kind] {
        hasher.update(part.as_bytes());
        hasher.update([0x1f]);
    }
    hex::encode(hasher.finalize())
}

/// One deviation observed by a review.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub fingerprint: String,
    pub source: Source,
    /// Baseline id (drift) or rule id (lint); empty for history.
    pub scope: String,
    pub drift: Drift,
}

/// An active risk acceptance of a finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Acceptance {
    pub id: String,
    pub accepted_value: Option<Value>,
    pub expires_at: DateTime<Utc>,
}

/// A stored finding, as far as reconciliation needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct Stored {
    pub id: String,
    pub fingerprint: String,
    pub source: Source,
    /// Baseline id (drift) or rule id (lint); empty for history.
    pub scope: String,
    pub resource_kind: String,
    pub status: Status,
    pub acceptance: Option<Acceptance>,
}

/// Why a risk acceptance lapsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LapseReason {
    Expired,
    ValueChanged,
}

impl LapseReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::ValueChanged => "value_changed",
        }
    }
}

/// What a review does to one finding.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A new deviation: a new open finding, due by severity.
    Create {
        observation: Observation,
        due_at: DateTime<Utc>,
    },
    /// Still observed, state unchanged (its actual value may have moved).
    Seen {
        id: String,
        observation: Observation,
    },
    /// A resolved finding observed again.
    Reopen {
        id: String,
        observation: Observation,
    },
    /// No longer observed: resolved by the review.
    AutoResolve { id: String, from: Status },
    /// Its kind failed to capture: neither resolved nor lost.
    NotAssessed { id: String },
    /// A risk acceptance lapsed: the finding re-opens.
    Lapse {
        id: String,
        acceptance_id: String,
        reason: LapseReason,
        observation: Observation,
    },
}

/// When a finding of this severity is due, counted from `now`.
pub fn due_at(severity: Severity, now: DateTime<Utc>) -> DateTime<Utc> {
    now + TimeDelta::days(severity.due_days())
}

/// Reconciles a review's observations with the stored findings of the same scope.
/// `failed_kinds` are the resource kinds that failed in the reviewed capture.
pub fn reconcile(
    stored: &[Stored],
    observed: Vec<Observation>,
    failed_kinds: &BTreeSet<String>,
    now: DateTime<Utc>,
) -> Vec<Change> {
    let by_fingerprint: HashMap<&str, &Stored> =
        stored.iter().map(|s| (s.fingerprint.as_str(), s)).collect();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut changes = Vec::with_capacity(observed.len());
    for observation in observed {
        let Some(existing) = by_fingerprint.get(observation.fingerprint.as_str()) else {
            let due_at = due_at(observation.drift.severity, now);
            changes.push(Change::Create {
                observation,
                due_at,
            });
            continue;
        };
        seen.insert(existing.fingerprint.as_str());
        let id = existing.id.clone();
        let change = match existing.status {
            Status::Resolved => Change::Reopen { id, observation },
            Status::RiskAccepted => match lapse(existing.acceptance.as_ref(), &observation, now) {
                Some((acceptance_id, reason)) => Change::Lapse {
                    id,
                    acceptance_id,
                    reason,
                    observation,
                },
                None => Change::Seen { id, observation },
            },
            Status::Open | Status::Acknowledged | Status::FalsePositive => {
                Change::Seen { id, observation }
            }
        };
        changes.push(change);
    }
    for finding in stored {
        if seen.contains(finding.fingerprint.as_str()) {
            continue;
        }
        if failed_kinds.contains(&finding.resource_kind) {
            if finding.status != Status::Resolved {
                changes.push(Change::NotAssessed {
                    id: finding.id.clone(),
                });
            }
            continue;
        }
        // History findings record an event; they stay until someone triages them.
        if finding.source == Source::History {
            continue;
        }
        if matches!(
            finding.status,
            Status::Open | Status::Acknowledged | Status::RiskAccepted
        ) {
            changes.push(Change::AutoResolve {
                id: finding.id.clone(),
                from: finding.status,
            });
        }
    }
    changes
}

fn lapse(
    acceptance: Option<&Acceptance>,
    observation: &Observation,
    now: DateTime<Utc>,
) -> Option<(String, LapseReason)> {
    let acceptance = acceptance?;
    if acceptance.expires_at <= now {
        return Some((acceptance.id.clone(), LapseReason::Expired));
    }
    if acceptance.accepted_value.is_some() && acceptance.accepted_value != observation.drift.actual
    {
        return Some((acceptance.id.clone(), LapseReason::ValueChanged));
    }
    None
}

/// A person's decision on a finding.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Acknowledge,
    Resolve,
    AcceptRisk(RiskRequest),
    FalsePositive,
    Reopen,
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Acknowledge => "acknowledge",
            Self::Resolve => "resolve",
            Self::AcceptRisk(_) => "accept",
            Self::FalsePositive => "false_positive",
            Self::Reopen => "reopen",
        }
    }
}

/// What accepting a risk needs.
#[derive(Clone, Debug, PartialEq)]
pub struct RiskRequest {
    pub justification: String,
    pub expires_at: DateTime<Utc>,
    pub accepted_by: String,
    pub approver: Option<String>,
}

/// Why a decision is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    /// The action does not apply to the finding's current state.
    #[error("cannot {action} a finding that is {from}")]
    NotAllowed {
        action: &'static str,
        from: &'static str,
    },
    /// A risk acceptance needs a reason.
    #[error(
        "a risk acceptance needs a justification: pass --reason \"why this risk is acceptable\""
    )]
    NoJustification,
    /// The expiry is not in the future.
    #[error("the acceptance must expire in the future: pass --until with a later date")]
    ExpiryInPast,
    /// Four eyes: a second person must approve.
    #[error("this workspace requires a second person to approve risk acceptances: pass --approver NAME (not {0})")]
    ApproverRequired(String),
}

/// The state a decision leads to, or why it is refused.
pub fn decide(
    from: Status,
    action: &Action,
    four_eyes: bool,
    now: DateTime<Utc>,
) -> Result<Status, LifecycleError> {
    let refuse = || LifecycleError::NotAllowed {
        action: action.name(),
        from: from.as_str(),
    };
    match action {
        Action::Acknowledge if from == Status::Open => Ok(Status::Acknowledged),
        Action::Resolve if from.is_active() => Ok(Status::Resolved),
        Action::FalsePositive if from.is_active() || from == Status::RiskAccepted => {
            Ok(Status::FalsePositive)
        }
        Action::Reopen if !from.is_active() => Ok(Status::Open),
        Action::AcceptRisk(request) if from.is_active() => {
            if request.justification.trim().is_empty() {
                return Err(LifecycleError::NoJustification);
            }
            if request.expires_at <= now {
                return Err(LifecycleError::ExpiryInPast);
            }
            if four_eyes {
                let approved_by_other = request
                    .approver
                    .as_deref()
                    .is_some_and(|a| !a.trim().is_empty() && a != request.accepted_by);
                if !approved_by_other {
                    return Err(LifecycleError::ApproverRequired(
                        request.accepted_by.clone(),
                    ));
                }
            }
            Ok(Status::RiskAccepted)
        }
        _ => Err(refuse()),
    }
}

#[cfg(test)]
mod tests;

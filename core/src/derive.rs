//! Derived state (SYNC.md): a tenant's reviews, findings, their history and risk
//! acceptances, as a pure function of what syncs — its captures' observations, in capture
//! order, and people's decisions, in HLC order.
//!
//! Every device folds the same inputs the same way, so derived state comes out identical
//! everywhere: ids are made from the inputs (a review's from its capture and inputs, a
//! finding's is its fingerprint, a transition's from its finding and event), and every
//! time comes from the inputs (a capture's time, a decision's clock), never from the
//! clock of the device that folds.
//!
//! Decisions carry `base`, the last decision on the finding their author had seen. Two
//! decisions with the same base were made concurrently: the one later in (HLC, device,
//! id) order wins, applied to the state its author saw, and the other stays in the
//! history, marked as superseded by it. A decision the finding's state no longer allows
//! (acknowledging what a review has since resolved) is kept in the history as not
//! applied, with the reason.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::drift::Assessment;
use crate::findings::{
    self, Acceptance, Action, Change, Observation, RiskRequest, Source, Status, Stored,
};

/// A policy a review could not judge, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotAssessed {
    pub kind: String,
    pub item: String,
    pub reason: String,
}

/// What one capture shows against the tenant's baselines and the capture before it:
/// the part of a review that reads configuration. Cached by capture and inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Observed {
    pub capture_id: String,
    pub previous_capture_id: Option<String>,
    pub taken_at: DateTime<Utc>,
    /// SHA-256 of the inputs (captures, baseline versions, variables, engine versions).
    pub inputs_hash: String,
    pub observations: Vec<Observation>,
    /// Finding titles by fingerprint.
    pub titles: BTreeMap<String, String>,
    pub assessment: Assessment,
    pub failed_kinds: BTreeSet<String>,
    pub not_assessed: Vec<NotAssessed>,
    pub items_compared: usize,
    pub items_normalized: usize,
}

/// A person's decision on a finding, as synced.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// The operation's id.
    pub id: String,
    pub finding: String,
    /// acknowledge, resolve, accept, approve, false_positive, reopen, comment.
    pub action: String,
    pub base: Option<String>,
    pub actor: String,
    pub reason: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub accepted_value: Option<Value>,
    pub approver: Option<String>,
    pub approves: Option<String>,
    /// The decision's hybrid logical clock (text order is clock order).
    pub hlc: String,
    /// The clock's physical time.
    pub at: DateTime<Utc>,
}

/// A finding as derived.
#[derive(Clone, Debug, PartialEq)]
pub struct FindingState {
    /// The fingerprint.
    pub id: String,
    pub source: Source,
    pub scope: String,
    pub observation: Observation,
    pub title: String,
    pub status: Status,
    pub not_assessed: bool,
    pub reopen_count: i64,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub last_review_id: Option<String>,
}

/// One step of a finding's history.
#[derive(Clone, Debug, PartialEq)]
pub struct TransitionState {
    pub id: String,
    pub finding: String,
    pub from: Option<Status>,
    pub to: Status,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub reason: String,
    pub review_id: Option<String>,
    pub decision_id: Option<String>,
    /// The decision that superseded this one (a concurrent decision later in order).
    pub superseded_by: Option<String>,
}

/// A risk acceptance as derived from its decision.
#[derive(Clone, Debug, PartialEq)]
pub struct AcceptanceState {
    /// The accept decision's id.
    pub id: String,
    pub finding: String,
    pub justification: String,
    pub accepted_value: Option<Value>,
    pub accepted_by: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub lapsed_at: Option<DateTime<Utc>>,
    pub lapse_reason: Option<String>,
}

/// A review as derived.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewState {
    pub id: String,
    pub capture_id: String,
    pub previous_capture_id: Option<String>,
    pub at: DateTime<Utc>,
    pub inputs_hash: String,
    pub score: Option<f64>,
    pub score_detail: ScoreDetail,
    pub opened: usize,
    pub resolved: usize,
    pub reopened: usize,
}

/// Everything derived for one tenant.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Derived {
    pub reviews: Vec<ReviewState>,
    pub findings: BTreeMap<String, FindingState>,
    pub transitions: Vec<TransitionState>,
    pub acceptances: Vec<AcceptanceState>,
}

/// A review's score and what it is made of.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreDetail {
    /// Severity-weighted alignment 0–100; `None` when nothing could be assessed.
    pub score: Option<f64>,
    pub assessed_settings: u32,
    pub compliant_settings: u32,
    /// Settings counted compliant because their deviation is a live risk acceptance.
    pub accepted_settings: u32,
    pub weight: f64,
    pub compliant_weight: f64,
    pub accepted_weight: f64,
    pub drifts: usize,
    pub not_assessed_kinds: Vec<String>,
    /// Policies that could not be judged, with the reason.
    #[serde(default)]
    pub not_assessed_items: Vec<NotAssessed>,
}

/// A review's id: the same inputs give the same id on every device.
pub fn review_id(tenant: &str, capture: &str, inputs_hash: &str) -> String {
    let digest = Sha256::digest(format!(
        "review\u{1f}{tenant}\u{1f}{capture}\u{1f}{inputs_hash}"
    ));
    uuid_from(&digest)
}

/// A transition's id from its finding, its event and its place among the event's steps.
fn transition_id(finding: &str, event: &str, step: usize) -> String {
    let digest = Sha256::digest(format!(
        "transition\u{1f}{finding}\u{1f}{event}\u{1f}{step}"
    ));
    uuid_from(&digest)
}

/// A UUID-shaped id from a digest (version 8: custom).
fn uuid_from(digest: &[u8]) -> String {
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0F) | 0x80;
    bytes[8] = (bytes[8] & 0x3F) | 0x80;
    uuid::Uuid::from_bytes(bytes).to_string()
}

enum Event<'a> {
    Review(&'a Observed),
    Decision(&'a Decision),
}

impl Event<'_> {
    fn key(&self) -> (DateTime<Utc>, u8, &str) {
        match self {
            // At one instant, what the configuration was comes before what people did.
            Event::Review(o) => (o.taken_at, 0, o.capture_id.as_str()),
            Event::Decision(d) => (d.at, 1, d.hlc.as_str()),
        }
    }
}

/// A decision applied to a finding: to undo it when a concurrent one wins.
struct Applied {
    id: String,
    status_before: Status,
    transition: usize,
    acceptance: Option<usize>,
}

/// Folds a tenant's observations and decisions into its derived state. `observed` in
/// capture order; `decisions` in any order (they are sorted by HLC, then id).
pub fn fold(tenant: &str, observed: &[Observed], decisions: &[Decision]) -> Derived {
    let mut decisions: Vec<&Decision> = decisions.iter().collect();
    decisions.sort_by(|a, b| (a.hlc.as_str(), a.id.as_str()).cmp(&(b.hlc.as_str(), b.id.as_str())));
    let mut events: Vec<Event<'_>> = observed
        .iter()
        .map(Event::Review)
        .chain(decisions.into_iter().map(Event::Decision))
        .collect();
    events.sort_by(|a, b| a.key().cmp(&b.key()));

    let mut folder = Folder::default();
    for event in events {
        match event {
            Event::Review(o) => folder.review(tenant, o),
            Event::Decision(d) => folder.decide(d),
        }
    }
    folder.derived
}

/// One step of a finding's history, as the fold records it.
struct Step<'a> {
    finding: &'a str,
    /// The review or decision that made the step.
    event: &'a str,
    from: Option<Status>,
    to: Status,
    at: DateTime<Utc>,
    actor: &'a str,
    reason: String,
    review_id: Option<&'a str>,
    decision_id: Option<&'a str>,
}

#[derive(Default)]
struct Folder {
    derived: Derived,
    /// The active acceptance of each finding (index into `derived.acceptances`).
    active: HashMap<String, usize>,
    /// Decisions applied to each finding, in order.
    applied: HashMap<String, Vec<Applied>>,
    /// Steps recorded per event, for transition ids.
    steps: HashMap<(String, String), usize>,
}

impl Folder {
    fn transition(&mut self, step: Step<'_>) -> usize {
        let count = self
            .steps
            .entry((step.finding.to_owned(), step.event.to_owned()))
            .or_insert(0);
        let id = transition_id(step.finding, step.event, *count);
        *count += 1;
        self.derived.transitions.push(TransitionState {
            id,
            finding: step.finding.to_owned(),
            from: step.from,
            to: step.to,
            at: step.at,
            actor: step.actor.to_owned(),
            reason: step.reason,
            review_id: step.review_id.map(str::to_owned),
            decision_id: step.decision_id.map(str::to_owned),
            superseded_by: None,
        });
        self.derived.transitions.len() - 1
    }

    fn lapse(&mut self, finding: &str, at: DateTime<Utc>, reason: &str) {
        if let Some(index) = self.active.remove(finding) {
            let acceptance = &mut self.derived.acceptances[index];
            acceptance.lapsed_at = Some(at);
            acceptance.lapse_reason = Some(reason.to_owned());
        }
    }

    fn review(&mut self, tenant: &str, o: &Observed) {
        let review_id = review_id(tenant, &o.capture_id, &o.inputs_hash);
        let now = o.taken_at;
        let stored: Vec<Stored> = self
            .derived
            .findings
            .values()
            .map(|f| Stored {
                id: f.id.clone(),
                fingerprint: f.id.clone(),
                source: f.source,
                scope: f.scope.clone(),
                resource_kind: f.observation.drift.resource_kind.clone(),
                status: f.status,
                acceptance: self.active.get(&f.id).map(|i| {
                    let a = &self.derived.acceptances[*i];
                    Acceptance {
                        id: a.id.clone(),
                        accepted_value: a.accepted_value.clone(),
                        expires_at: a.expires_at,
                    }
                }),
            })
            .collect();
        let status_before: HashMap<String, Status> =
            stored.iter().map(|s| (s.id.clone(), s.status)).collect();
        let changes = findings::reconcile(&stored, o.observations.clone(), &o.failed_kinds, now);
        let (mut opened, mut resolved, mut reopened) = (0, 0, 0);
        for change in &changes {
            match change {
                Change::Create {
                    observation,
                    due_at,
                } => {
                    let id = observation.fingerprint.clone();
                    let title = o
                        .titles
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| observation.drift.item_key.clone());
                    self.derived.findings.insert(
                        id.clone(),
                        FindingState {
                            id: id.clone(),
                            source: observation.source,
                            scope: observation.scope.clone(),
                            observation: observation.clone(),
                            title,
                            status: Status::Open,
                            not_assessed: false,
                            reopen_count: 0,
                            first_seen_at: now,
                            last_seen_at: now,
                            resolved_at: None,
                            due_at: Some(*due_at),
                            last_review_id: Some(review_id.clone()),
                        },
                    );
                    self.transition(Step {
                        finding: &id,
                        event: &review_id,
                        from: None,
                        to: Status::Open,
                        at: now,
                        actor: "review",
                        reason: "observed by review".to_owned(),
                        review_id: Some(&review_id),
                        decision_id: None,
                    });
                    opened += 1;
                }
                Change::Seen { id, observation } => {
                    if let Some(f) = self.derived.findings.get_mut(id) {
                        f.last_seen_at = now;
                        f.observation = observation.clone();
                        f.not_assessed = false;
                        f.last_review_id = Some(review_id.clone());
                        if let Some(title) = o.titles.get(id) {
                            f.title = title.clone();
                        }
                    }
                }
                Change::Reopen { id, observation } => {
                    if let Some(f) = self.derived.findings.get_mut(id) {
                        f.status = Status::Open;
                        f.reopen_count += 1;
                        f.resolved_at = None;
                        f.last_seen_at = now;
                        f.observation = observation.clone();
                        f.not_assessed = false;
                        f.due_at = Some(findings::due_at(observation.drift.severity, now));
                        f.last_review_id = Some(review_id.clone());
                    }
                    self.transition(Step {
                        finding: id,
                        event: &review_id,
                        from: Some(Status::Resolved),
                        to: Status::Open,
                        at: now,
                        actor: "review",
                        reason: "observed again: re-opened".to_owned(),
                        review_id: Some(&review_id),
                        decision_id: None,
                    });
                    reopened += 1;
                }
                Change::AutoResolve { id, from } => {
                    if let Some(f) = self.derived.findings.get_mut(id) {
                        f.status = Status::Resolved;
                        f.resolved_at = Some(now);
                        f.not_assessed = false;
                        f.last_review_id = Some(review_id.clone());
                    }
                    if *from == Status::RiskAccepted {
                        self.lapse(id, now, "revoked");
                    }
                    self.transition(Step {
                        finding: id,
                        event: &review_id,
                        from: Some(*from),
                        to: Status::Resolved,
                        at: now,
                        actor: "review",
                        reason: "no longer observed".to_owned(),
                        review_id: Some(&review_id),
                        decision_id: None,
                    });
                    resolved += 1;
                }
                Change::NotAssessed { id } => {
                    if let Some(f) = self.derived.findings.get_mut(id) {
                        f.not_assessed = true;
                        f.last_review_id = Some(review_id.clone());
                    }
                }
                Change::Lapse {
                    id,
                    reason,
                    observation,
                    ..
                } => {
                    self.lapse(id, now, reason.as_str());
                    if let Some(f) = self.derived.findings.get_mut(id) {
                        f.status = Status::Open;
                        f.last_seen_at = now;
                        f.observation = observation.clone();
                        f.due_at = Some(findings::due_at(observation.drift.severity, now));
                        f.last_review_id = Some(review_id.clone());
                    }
                    let why = match reason {
                        findings::LapseReason::Expired => "risk acceptance expired",
                        findings::LapseReason::ValueChanged => {
                            "value moved away from the accepted value"
                        }
                    };
                    self.transition(Step {
                        finding: id,
                        event: &review_id,
                        from: Some(Status::RiskAccepted),
                        to: Status::Open,
                        at: now,
                        actor: "review",
                        reason: why.to_owned(),
                        review_id: Some(&review_id),
                        decision_id: None,
                    });
                    reopened += 1;
                }
            }
        }
        let detail = score(
            &o.assessment,
            &changes,
            &status_before,
            &o.failed_kinds,
            o.observations.len(),
            &o.not_assessed,
        );
        self.derived.reviews.push(ReviewState {
            id: review_id,
            capture_id: o.capture_id.clone(),
            previous_capture_id: o.previous_capture_id.clone(),
            at: now,
            inputs_hash: o.inputs_hash.clone(),
            score: detail.score,
            score_detail: detail,
            opened,
            resolved,
            reopened,
        });
    }

    fn decide(&mut self, d: &Decision) {
        let Some(current) = self.derived.findings.get(&d.finding).map(|f| f.status) else {
            // Decided on a finding this tenant's captures never showed (or not yet, in
            // this order): nothing to apply it to.
            return;
        };
        let reason = d.reason.clone().unwrap_or_default();
        // Comments and approvals change no state and supersede nothing.
        match d.action.as_str() {
            "comment" => {
                self.transition(Step {
                    finding: &d.finding,
                    event: &d.id,
                    from: Some(current),
                    to: current,
                    at: d.at,
                    actor: &d.actor,
                    reason,
                    review_id: None,
                    decision_id: Some(&d.id),
                });
                return;
            }
            "approve" => {
                let target = d.approves.as_deref().and_then(|id| {
                    self.derived
                        .acceptances
                        .iter()
                        .position(|a| a.id == id && a.finding == d.finding)
                });
                let note = match target {
                    Some(index) => {
                        let acceptance = &mut self.derived.acceptances[index];
                        acceptance.approved_by = Some(d.actor.clone());
                        acceptance.approved_at = Some(d.at);
                        format!(
                            "risk acceptance approved{}",
                            if reason.is_empty() {
                                String::new()
                            } else {
                                format!(": {reason}")
                            }
                        )
                    }
                    None => {
                        "not applied: the approval names no acceptance of this finding".to_owned()
                    }
                };
                self.transition(Step {
                    finding: &d.finding,
                    event: &d.id,
                    from: Some(current),
                    to: current,
                    at: d.at,
                    actor: &d.actor,
                    reason: note,
                    review_id: None,
                    decision_id: Some(&d.id),
                });
                return;
            }
            _ => {}
        }
        let mut status = current;
        // Concurrent with decisions made since its base: those are superseded by it,
        // and it applies to the state its author saw.
        let stack = self.applied.entry(d.finding.clone()).or_default();
        let last = stack.last().map(|a| a.id.clone());
        if d.base != last {
            let keep = match d.base.as_deref() {
                Some(base) => stack.iter().position(|a| a.id == base).map_or(0, |p| p + 1),
                None => 0,
            };
            let superseded: Vec<Applied> = stack.drain(keep..).collect();
            if let Some(first) = superseded.first() {
                status = first.status_before;
            }
            for undone in superseded {
                self.derived.transitions[undone.transition].superseded_by = Some(d.id.clone());
                if let Some(index) = undone.acceptance {
                    let acceptance = &mut self.derived.acceptances[index];
                    if acceptance.lapsed_at.is_none() {
                        acceptance.lapsed_at = Some(d.at);
                        acceptance.lapse_reason = Some("revoked".to_owned());
                    }
                    if self.active.get(&d.finding) == Some(&index) {
                        self.active.remove(&d.finding);
                    }
                }
            }
        }
        let action = match d.action.as_str() {
            "acknowledge" => Action::Acknowledge,
            "resolve" => Action::Resolve,
            "false_positive" => Action::FalsePositive,
            "reopen" => Action::Reopen,
            "accept" => Action::AcceptRisk(RiskRequest {
                justification: reason.clone(),
                expires_at: d.expires_at.unwrap_or(d.at),
                accepted_by: d.actor.clone(),
                approver: d.approver.clone(),
            }),
            other => {
                let note = format!("not applied: {other:?} is not a decision");
                self.transition(Step {
                    finding: &d.finding,
                    event: &d.id,
                    from: Some(status),
                    to: status,
                    at: d.at,
                    actor: &d.actor,
                    reason: note,
                    review_id: None,
                    decision_id: Some(&d.id),
                });
                return;
            }
        };
        match findings::decide(status, &action, false, d.at) {
            Ok(to) => {
                if status == Status::RiskAccepted && to != Status::RiskAccepted {
                    self.lapse(&d.finding, d.at, "revoked");
                }
                let mut acceptance = None;
                if let Action::AcceptRisk(request) = &action {
                    let actual = self
                        .derived
                        .findings
                        .get(&d.finding)
                        .and_then(|f| f.observation.drift.actual.clone());
                    self.lapse(&d.finding, d.at, "revoked");
                    self.derived.acceptances.push(AcceptanceState {
                        id: d.id.clone(),
                        finding: d.finding.clone(),
                        justification: request.justification.clone(),
                        accepted_value: d.accepted_value.clone().or(actual),
                        accepted_by: d.actor.clone(),
                        approved_by: d.approver.clone(),
                        approved_at: d.approver.as_ref().map(|_| d.at),
                        created_at: d.at,
                        expires_at: request.expires_at,
                        lapsed_at: None,
                        lapse_reason: None,
                    });
                    let index = self.derived.acceptances.len() - 1;
                    self.active.insert(d.finding.clone(), index);
                    acceptance = Some(index);
                }
                if let Some(f) = self.derived.findings.get_mut(&d.finding) {
                    f.status = to;
                    f.resolved_at = (to == Status::Resolved).then_some(d.at);
                }
                let transition = self.transition(Step {
                    finding: &d.finding,
                    event: &d.id,
                    from: Some(status),
                    to,
                    at: d.at,
                    actor: &d.actor,
                    reason,
                    review_id: None,
                    decision_id: Some(&d.id),
                });
                self.applied
                    .entry(d.finding.clone())
                    .or_default()
                    .push(Applied {
                        id: d.id.clone(),
                        status_before: status,
                        transition,
                        acceptance,
                    });
            }
            Err(error) => {
                let note = format!("not applied: {error}");
                self.transition(Step {
                    finding: &d.finding,
                    event: &d.id,
                    from: Some(status),
                    to: status,
                    at: d.at,
                    actor: &d.actor,
                    reason: note,
                    review_id: None,
                    decision_id: Some(&d.id),
                });
            }
        }
    }
}

/// A review's score from what it assessed and the findings' states before it.
pub fn score(
    assessment: &Assessment,
    changes: &[Change],
    stored_status: &HashMap<String, Status>,
    failed: &BTreeSet<String>,
    drifts: usize,
    not_assessed: &[NotAssessed],
) -> ScoreDetail {
    let mut accepted = 0u32;
    let mut accepted_weight = 0.0;
    let mut false_positive_weight = 0.0;
    let mut false_positives = 0u32;
    for change in changes {
        if let Change::Seen { observation, .. } = change {
            let drift = &observation.drift;
            if drift.setting_path.is_empty() || drift.kind.is_history() {
                continue;
            }
            match stored_status.get(&observation.fingerprint) {
                Some(Status::RiskAccepted) => {
                    accepted += 1;
                    accepted_weight += drift.severity.weight();
                }
                Some(Status::FalsePositive) => {
                    false_positives += 1;
                    false_positive_weight += drift.severity.weight();
                }
                _ => {}
            }
        }
    }
    let compliant_weight = assessment.compliant_weight + accepted_weight + false_positive_weight;
    let score = (assessment.weight > 0.0)
        .then(|| (100.0 * compliant_weight / assessment.weight).clamp(0.0, 100.0))
        .map(|s| (s * 10.0).round() / 10.0);
    ScoreDetail {
        score,
        assessed_settings: assessment.settings,
        compliant_settings: assessment.compliant + accepted + false_positives,
        accepted_settings: accepted,
        weight: assessment.weight,
        compliant_weight,
        accepted_weight,
        drifts,
        not_assessed_kinds: failed.iter().cloned().collect(),
        not_assessed_items: not_assessed.to_vec(),
    }
}

#[cfg(test)]
mod tests;

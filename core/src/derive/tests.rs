use chrono::TimeZone;
use serde_json::json;

use super::*;
use crate::baseline::Severity;
use crate::drift::{Drift, DriftKind};

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0)
        .single()
        .expect("time")
}

fn observation(fingerprint: &str, actual: i64) -> Observation {
    Observation {
        fingerprint: fingerprint.to_owned(),
        source: Source::Drift,
        scope: "baseline".to_owned(),
        drift: Drift {
            kind: DriftKind::SettingChanged,
            resource_kind: "compliance_policy".to_owned(),
            item_key: "Win - Password".to_owned(),
            tenant_item: Some("Win - Password".to_owned()),
            setting_path: "passwordMinimumLength".to_owned(),
            expected: Some(json!(14)),
            actual: Some(json!(actual)),
            severity: Severity::High,
        },
    }
}

fn observed(capture: &str, taken_at: DateTime<Utc>, observations: Vec<Observation>) -> Observed {
    Observed {
        capture_id: capture.to_owned(),
        previous_capture_id: None,
        taken_at,
        inputs_hash: format!("inputs-{capture}"),
        observations,
        titles: BTreeMap::new(),
        assessment: Assessment {
            settings: 10,
            compliant: 9,
            weight: 10.0,
            compliant_weight: 9.0,
        },
        failed_kinds: BTreeSet::new(),
        not_assessed: Vec::new(),
        items_compared: 1,
        items_normalized: 1,
    }
}

fn decision(
    id: &str,
    action: &str,
    base: Option<&str>,
    when: DateTime<Utc>,
    device: &str,
) -> Decision {
    Decision {
        id: id.to_owned(),
        finding: "f1".to_owned(),
        action: action.to_owned(),
        base: base.map(str::to_owned),
        actor: format!("person-{device}"),
        reason: Some(format!("{action} by {device}")),
        expires_at: (action == "accept").then(|| at(30, 0)),
        accepted_value: None,
        approver: None,
        approves: None,
        hlc: format!("{:016x}-{device}", when.timestamp()),
        at: when,
    }
}

#[test]
fn reviews_open_resolve_and_reopen_with_times_from_the_captures() {
    let derived = fold(
        "t",
        &[
            observed("c1", at(1, 8), vec![observation("f1", 8)]),
            observed("c2", at(2, 8), vec![]),
            observed("c3", at(3, 8), vec![observation("f1", 9)]),
        ],
        &[],
    );
    let f = &derived.findings["f1"];
    assert_eq!(f.status, Status::Open);
    assert_eq!(f.reopen_count, 1);
    assert_eq!(f.first_seen_at, at(1, 8));
    assert_eq!(f.last_seen_at, at(3, 8));
    assert_eq!(f.observation.drift.actual, Some(json!(9)));
    let steps: Vec<(Option<Status>, Status, DateTime<Utc>)> = derived
        .transitions
        .iter()
        .map(|t| (t.from, t.to, t.at))
        .collect();
    assert_eq!(
        steps,
        [
            (None, Status::Open, at(1, 8)),
            (Some(Status::Open), Status::Resolved, at(2, 8)),
            (Some(Status::Resolved), Status::Open, at(3, 8)),
        ]
    );
    assert_eq!(derived.reviews.len(), 3);
    assert_eq!(derived.reviews[0].id, review_id("t", "c1", "inputs-c1"));
    assert_eq!(derived.reviews[0].score, Some(90.0));
}

#[test]
fn the_same_inputs_fold_to_the_same_state_in_any_order() {
    let observed = [
        observed("c1", at(1, 8), vec![observation("f1", 8)]),
        observed("c2", at(3, 8), vec![observation("f1", 8)]),
    ];
    let decisions = vec![
        decision("d1", "acknowledge", None, at(1, 9), "a"),
        decision("d2", "accept", Some("d1"), at(2, 9), "b"),
        decision("d3", "comment", Some("d2"), at(4, 9), "a"),
    ];
    let forward = fold("t", &observed, &decisions);
    let mut reversed = decisions.clone();
    reversed.reverse();
    assert_eq!(fold("t", &observed, &reversed), forward);
    assert_eq!(forward.findings["f1"].status, Status::RiskAccepted);
    assert_eq!(forward.acceptances.len(), 1);
    assert_eq!(forward.acceptances[0].id, "d2");
    assert_eq!(forward.acceptances[0].accepted_value, Some(json!(8)));
    // Ids come from the inputs: the same on every device.
    let ids: Vec<&str> = forward.transitions.iter().map(|t| t.id.as_str()).collect();
    let again = fold("t", &observed, &decisions);
    assert_eq!(
        ids,
        again
            .transitions
            .iter()
            .map(|t| t.id.as_str())
            .collect::<Vec<_>>()
    );
}

#[test]
fn concurrent_decisions_fold_deterministically_and_the_loser_is_superseded() {
    let observed = [observed("c1", at(1, 8), vec![observation("f1", 8)])];
    // Both saw the finding open with no decision (base None): one resolved it offline,
    // the other accepted the risk a little later.
    let resolve = decision("r", "resolve", None, at(2, 9), "laptop");
    let accept = decision("a", "accept", None, at(2, 10), "office");
    let derived = fold("t", &observed, &[accept.clone(), resolve.clone()]);
    let f = &derived.findings["f1"];
    assert_eq!(f.status, Status::RiskAccepted, "the later decision wins");
    let resolved = derived
        .transitions
        .iter()
        .find(|t| t.decision_id.as_deref() == Some("r"))
        .expect("the resolve stays in the history");
    assert_eq!(resolved.superseded_by.as_deref(), Some("a"));
    assert_eq!(resolved.to, Status::Resolved);
    let accepted = derived
        .transitions
        .iter()
        .find(|t| t.decision_id.as_deref() == Some("a"))
        .expect("accept");
    assert_eq!(
        accepted.from,
        Some(Status::Open),
        "applied to the state its author saw"
    );
    assert!(accepted.superseded_by.is_none());
    // Swapped clocks: the resolve wins and the acceptance is revoked.
    let earlier_accept = decision("a", "accept", None, at(2, 8), "office");
    let derived = fold("t", &observed, &[resolve, earlier_accept]);
    assert_eq!(derived.findings["f1"].status, Status::Resolved);
    assert_eq!(
        derived.acceptances[0].lapse_reason.as_deref(),
        Some("revoked")
    );
}

#[test]
fn a_decision_the_state_no_longer_allows_is_kept_as_not_applied() {
    // Acknowledged offline after a review had resolved the finding.
    let derived = fold(
        "t",
        &[
            observed("c1", at(1, 8), vec![observation("f1", 8)]),
            observed("c2", at(2, 8), vec![]),
        ],
        &[decision("k", "acknowledge", None, at(2, 9), "laptop")],
    );
    assert_eq!(derived.findings["f1"].status, Status::Resolved);
    let step = derived.transitions.last().expect("history");
    assert_eq!(step.decision_id.as_deref(), Some("k"));
    assert!(
        step.reason
            .starts_with("not applied: cannot acknowledge a finding that is resolved"),
        "{}",
        step.reason
    );
}

#[test]
fn an_accepted_risk_lapses_when_the_value_moves_and_approvals_are_recorded() {
    let mut approve = decision("p", "approve", Some("a"), at(2, 10), "reviewer");
    approve.approves = Some("a".to_owned());
    let derived = fold(
        "t",
        &[
            observed("c1", at(1, 8), vec![observation("f1", 8)]),
            observed("c2", at(3, 8), vec![observation("f1", 6)]),
        ],
        &[decision("a", "accept", None, at(2, 9), "operator"), approve],
    );
    let acceptance = &derived.acceptances[0];
    assert_eq!(acceptance.approved_by.as_deref(), Some("person-reviewer"));
    assert_eq!(acceptance.lapse_reason.as_deref(), Some("value_changed"));
    assert_eq!(acceptance.lapsed_at, Some(at(3, 8)));
    assert_eq!(derived.findings["f1"].status, Status::Open);
}

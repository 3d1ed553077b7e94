use chrono::TimeZone;
use serde_json::json;

use super::*;
use crate::drift::DriftKind;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0)
        .single()
        .expect("date")
}

fn observation(key: &str, actual: Value, severity: Severity) -> Observation {
    let drift = Drift {
        kind: DriftKind::SettingChanged,
        resource_kind: "compliance_policy".to_owned(),
        item_key: "Password".to_owned(),
        tenant_item: Some("Password".to_owned()),
        setting_path: key.to_owned(),
        expected: Some(json!(14)),
        actual: Some(actual),
        severity,
    };
    Observation {
        fingerprint: fingerprint(
            "t1",
            Source::Drift,
            "b1",
            "Password",
            key,
            "setting_changed",
        ),
        source: Source::Drift,
        scope: "b1".to_owned(),
        drift,
    }
}

fn stored(obs: &Observation, status: Status) -> Stored {
    Stored {
        id: format!("f-{}", obs.drift.setting_path),
        fingerprint: obs.fingerprint.clone(),
        source: obs.source,
        scope: obs.scope.clone(),
        resource_kind: obs.drift.resource_kind.clone(),
        status,
        acceptance: None,
    }
}

#[test]
fn fingerprints_are_stable_and_separate_their_parts() {
    let a = fingerprint("t", Source::Drift, "b", "item", "path", "setting_changed");
    assert_eq!(
        a,
        fingerprint("t", Source::Drift, "b", "item", "path", "setting_changed")
    );
    assert_ne!(
        a,
        fingerprint("t", Source::Drift, "b", "ite", "mpath", "setting_changed")
    );
    assert_ne!(
        a,
        fingerprint("t2", Source::Drift, "b", "item", "path", "setting_changed")
    );
    assert_ne!(
        a,
        fingerprint("t", Source::Lint, "b", "item", "path", "setting_changed")
    );
    assert_eq!(a.len(), 64);
}

#[test]
fn a_new_deviation_opens_with_a_due_date_by_severity() {
    let obs = observation("passwordMinimumLength", json!(8), Severity::Critical);
    let changes = reconcile(&[], vec![obs.clone()], &BTreeSet::new(), now());
    assert_eq!(
        changes,
        vec![Change::Create {
            observation: obs,
            due_at: now() + TimeDelta::days(7)
        }]
    );
    assert_eq!(due_at(Severity::High, now()), now() + TimeDelta::days(30));
    assert_eq!(due_at(Severity::Medium, now()), now() + TimeDelta::days(90));
    assert_eq!(due_at(Severity::Low, now()), now() + TimeDelta::days(180));
}

#[test]
fn seen_again_stays_and_vanished_auto_resolves() {
    let a = observation("a", json!(8), Severity::High);
    let b = observation("b", json!(8), Severity::High);
    let ack = observation("c", json!(8), Severity::High);
    let stored = vec![
        stored(&a, Status::Open),
        stored(&b, Status::Open),
        stored(&ack, Status::Acknowledged),
    ];
    let changes = reconcile(&stored, vec![a.clone()], &BTreeSet::new(), now());
    assert_eq!(
        changes,
        vec![
            Change::Seen {
                id: "f-a".to_owned(),
                observation: a
            },
            Change::AutoResolve {
                id: "f-b".to_owned(),
                from: Status::Open
            },
            Change::AutoResolve {
                id: "f-c".to_owned(),
                from: Status::Acknowledged
            },
        ]
    );
}

#[test]
fn a_resolved_finding_that_returns_reopens() {
    let a = observation("a", json!(8), Severity::High);
    let changes = reconcile(
        &[stored(&a, Status::Resolved)],
        vec![a.clone()],
        &BTreeSet::new(),
        now(),
    );
    assert_eq!(
        changes,
        vec![Change::Reopen {
            id: "f-a".to_owned(),
            observation: a
        }]
    );
    // A resolved one that stays away is left alone.
    let b = observation("b", json!(8), Severity::High);
    assert!(reconcile(
        &[stored(&b, Status::Resolved)],
        vec![],
        &BTreeSet::new(),
        now()
    )
    .is_empty());
}

#[test]
fn a_failed_kind_resolves_nothing_and_loses_no_decision() {
    let open = observation("a", json!(8), Severity::High);
    let accepted = observation("b", json!(8), Severity::High);
    let fp = observation("c", json!(8), Severity::High);
    let stored = vec![
        stored(&open, Status::Open),
        stored(&accepted, Status::RiskAccepted),
        stored(&fp, Status::FalsePositive),
    ];
    let failed: BTreeSet<String> = ["compliance_policy".to_owned()].into();
    let changes = reconcile(&stored, vec![], &failed, now());
    assert_eq!(
        changes,
        vec![
            Change::NotAssessed {
                id: "f-a".to_owned()
            },
            Change::NotAssessed {
                id: "f-b".to_owned()
            },
            Change::NotAssessed {
                id: "f-c".to_owned()
            },
        ]
    );
}

#[test]
fn false_positives_stay_false_positives() {
    let a = observation("a", json!(8), Severity::High);
    let changes = reconcile(
        &[stored(&a, Status::FalsePositive)],
        vec![a.clone()],
        &BTreeSet::new(),
        now(),
    );
    assert_eq!(
        changes,
        vec![Change::Seen {
            id: "f-a".to_owned(),
            observation: a.clone()
        }]
    );
    assert!(reconcile(
        &[stored(&a, Status::FalsePositive)],
        vec![],
        &BTreeSet::new(),
        now()
    )
    .is_empty());
}

#[test]
fn history_findings_are_not_auto_resolved() {
    let mut ghost = observation("", json!(null), Severity::Medium);
    ghost.source = Source::History;
    let record = stored(&ghost, Status::Open);
    assert!(reconcile(&[record], vec![], &BTreeSet::new(), now()).is_empty());
}

fn accepted(obs: &Observation, value: Value, expires_in_days: i64) -> Stored {
    let mut record = stored(obs, Status::RiskAccepted);
    record.acceptance = Some(Acceptance {
        id: "ra-1".to_owned(),
        accepted_value: Some(value),
        expires_at: now() + TimeDelta::days(expires_in_days),
    });
    record
}

#[test]
fn risk_acceptance_holds_while_the_value_and_date_hold() {
    let obs = observation("a", json!(8), Severity::High);
    let changes = reconcile(
        &[accepted(&obs, json!(8), 30)],
        vec![obs.clone()],
        &BTreeSet::new(),
        now(),
    );
    assert_eq!(
        changes,
        vec![Change::Seen {
            id: "f-a".to_owned(),
            observation: obs
        }]
    );
}

#[test]
fn risk_acceptance_lapses_on_expiry() {
    let obs = observation("a", json!(8), Severity::High);
    let changes = reconcile(
        &[accepted(&obs, json!(8), 0)],
        vec![obs.clone()],
        &BTreeSet::new(),
        now(),
    );
    assert_eq!(
        changes,
        vec![Change::Lapse {
            id: "f-a".to_owned(),
            acceptance_id: "ra-1".to_owned(),
            reason: LapseReason::Expired,
            observation: obs
        }]
    );
}

#[test]
fn risk_acceptance_lapses_when_the_value_moves() {
    let obs = observation("a", json!(6), Severity::High);
    let changes = reconcile(
        &[accepted(&obs, json!(8), 30)],
        vec![obs.clone()],
        &BTreeSet::new(),
        now(),
    );
    assert!(matches!(
        changes.as_slice(),
        [Change::Lapse {
            reason: LapseReason::ValueChanged,
            ..
        }]
    ));
}

#[test]
fn an_accepted_risk_that_is_fixed_auto_resolves() {
    let obs = observation("a", json!(8), Severity::High);
    let changes = reconcile(
        &[accepted(&obs, json!(8), 30)],
        vec![],
        &BTreeSet::new(),
        now(),
    );
    assert_eq!(
        changes,
        vec![Change::AutoResolve {
            id: "f-a".to_owned(),
            from: Status::RiskAccepted
        }]
    );
}

fn risk(days: i64, approver: Option<&str>) -> Action {
    Action::AcceptRisk(RiskRequest {
        justification: "legacy kiosk app needs it until migration".to_owned(),
        expires_at: now() + TimeDelta::days(days),
        accepted_by: "alice".to_owned(),
        approver: approver.map(str::to_owned),
    })
}

#[test]
fn every_manual_transition_is_checked() {
    use Status::*;
    let n = now();
    assert_eq!(
        decide(Open, &Action::Acknowledge, false, n),
        Ok(Acknowledged)
    );
    assert!(decide(Acknowledged, &Action::Acknowledge, false, n).is_err());
    assert_eq!(decide(Open, &Action::Resolve, false, n), Ok(Resolved));
    assert_eq!(
        decide(Acknowledged, &Action::Resolve, false, n),
        Ok(Resolved)
    );
    assert!(decide(Resolved, &Action::Resolve, false, n).is_err());
    assert_eq!(
        decide(Open, &Action::FalsePositive, false, n),
        Ok(FalsePositive)
    );
    assert_eq!(
        decide(RiskAccepted, &Action::FalsePositive, false, n),
        Ok(FalsePositive)
    );
    assert!(decide(Resolved, &Action::FalsePositive, false, n).is_err());
    assert_eq!(decide(Resolved, &Action::Reopen, false, n), Ok(Open));
    assert_eq!(decide(FalsePositive, &Action::Reopen, false, n), Ok(Open));
    assert_eq!(decide(RiskAccepted, &Action::Reopen, false, n), Ok(Open));
    assert!(decide(Open, &Action::Reopen, false, n).is_err());
    assert_eq!(decide(Open, &risk(30, None), false, n), Ok(RiskAccepted));
    assert_eq!(
        decide(Acknowledged, &risk(30, None), false, n),
        Ok(RiskAccepted)
    );
    let err = decide(Resolved, &risk(30, None), false, n).expect_err("not from resolved");
    assert_eq!(err.to_string(), "cannot accept a finding that is resolved");
}

#[test]
fn risk_acceptance_needs_reason_future_expiry_and_four_eyes_when_asked() {
    let n = now();
    let mut no_reason = risk(30, None);
    if let Action::AcceptRisk(r) = &mut no_reason {
        r.justification = "  ".to_owned();
    }
    assert_eq!(
        decide(Status::Open, &no_reason, false, n),
        Err(LifecycleError::NoJustification)
    );
    assert_eq!(
        decide(Status::Open, &risk(0, None), false, n),
        Err(LifecycleError::ExpiryInPast)
    );
    assert_eq!(
        decide(Status::Open, &risk(30, None), true, n),
        Err(LifecycleError::ApproverRequired("alice".to_owned()))
    );
    assert_eq!(
        decide(Status::Open, &risk(30, Some("alice")), true, n),
        Err(LifecycleError::ApproverRequired("alice".to_owned()))
    );
    assert_eq!(
        decide(Status::Open, &risk(30, Some("bob")), true, n),
        Ok(Status::RiskAccepted)
    );
}

use chrono::TimeZone;
use serde_json::json;

use super::*;
use crate::normalize::{normalize, DirectoryIndex, Normalized};

fn as_of() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
        .single()
        .expect("date")
}

struct Fixture {
    kind: &'static str,
    raw: Value,
    normalized: Normalized,
}

fn compliance(name: &str, extra: Value) -> Fixture {
    let mut raw = json!({
        "@odata.type": "#microsoft.graph.windows10CompliancePolicy",
        "displayName": name,
        "passwordRequired": true,
        "passwordMinimumLength": 14,
        "roleScopeTagIds": ["0"],
        "lastModifiedDateTime": "2026-10-01T00:00:00Z",
        "assignments": [{"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g1"}}]
    });
    if let (Some(map), Value::Object(more)) = (raw.as_object_mut(), extra) {
        map.extend(more);
    }
    let directory = DirectoryIndex::new(&[crate::model::DirectoryObject {
        kind: crate::model::DirectoryObjectKind::Group,
        external_id: "g1".to_owned(),
        display_name: "Pilot devices".to_owned(),
    }]);
    Fixture {
        kind: "compliance_policy",
        normalized: normalize("compliance_policy", &raw, &directory),
        raw,
    }
}

fn run(fixtures: &[Fixture]) -> Vec<LintIssue> {
    let items: Vec<LintItem<'_>> = fixtures
        .iter()
        .map(|f| LintItem {
            kind: f.kind,
            name: f.raw["displayName"].as_str().unwrap_or_default(),
            key: f.raw["displayName"].as_str().unwrap_or_default(),
            raw: &f.raw,
            normalized: &f.normalized,
        })
        .collect();
    lint(&items, &LintOptions::default(), as_of())
}

fn rules(issues: &[LintIssue]) -> Vec<(LintRule, String)> {
    issues
        .iter()
        .map(|i| (i.rule, i.item_key.clone()))
        .collect()
}

#[test]
fn a_tidy_policy_has_no_issue() {
    assert_eq!(
        run(&[compliance("Win - MSP - Password", json!({}))]),
        vec![]
    );
}

#[test]
fn naming_convention() {
    let issues = run(&[compliance("password policy", json!({}))]);
    assert_eq!(
        rules(&issues),
        vec![(LintRule::Naming, "password policy".to_owned())]
    );
    assert!(glob_matches("* - * - *", "Win - OIB - Defender"));
    assert!(glob_matches("win*", "WINDOWS"));
    assert!(!glob_matches("* - * - *", "Win - Defender"));
    assert!(glob_matches("*", ""));
}

#[test]
fn empty_scope_tags_but_not_absent_ones() {
    let empty = run(&[compliance("Win - MSP - A", json!({"roleScopeTagIds": []}))]);
    assert_eq!(
        rules(&empty),
        vec![(LintRule::ScopeTags, "Win - MSP - A".to_owned())]
    );
    let mut absent = compliance("Win - MSP - B", json!({}));
    absent
        .raw
        .as_object_mut()
        .map(|m| m.remove("roleScopeTagIds"));
    assert_eq!(run(&[absent]), vec![]);
}

#[test]
fn unassigned_only_when_the_export_lists_assignments() {
    let none = run(&[compliance("Win - MSP - A", json!({"assignments": []}))]);
    assert_eq!(
        rules(&none),
        vec![(LintRule::Unassigned, "Win - MSP - A".to_owned())]
    );
    let mut unknown = compliance("Win - MSP - B", json!({}));
    unknown.raw.as_object_mut().map(|m| m.remove("assignments"));
    unknown.normalized = normalize(
        "compliance_policy",
        &unknown.raw,
        &DirectoryIndex::default(),
    );
    assert_eq!(run(&[unknown]), vec![]);
}

#[test]
fn duplicates_name_the_policy_they_copy() {
    let issues = run(&[
        compliance("Win - MSP - A", json!({})),
        compliance("Win - MSP - B", json!({})),
    ]);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].rule, LintRule::Duplicate);
    assert_eq!(issues[0].item_key, "Win - MSP - B");
    assert_eq!(issues[0].actual, Some(json!("Win - MSP - A")));
}

fn configuration(name: &str, minimum: i64, group: &str) -> Fixture {
    let raw = json!({
        "@odata.type": "#microsoft.graph.windows10GeneralConfiguration",
        "displayName": name,
        "passwordMinimumLength": minimum,
        "assignments": [{"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": group}}]
    });
    let directory = DirectoryIndex::new(&[
        crate::model::DirectoryObject {
            kind: crate::model::DirectoryObjectKind::Group,
            external_id: "g1".to_owned(),
            display_name: "Pilot devices".to_owned(),
        },
        crate::model::DirectoryObject {
            kind: crate::model::DirectoryObjectKind::Group,
            external_id: "g2".to_owned(),
            display_name: "Kiosks".to_owned(),
        },
    ]);
    Fixture {
        kind: "device_configuration",
        normalized: normalize("device_configuration", &raw, &directory),
        raw,
    }
}

#[test]
fn conflicting_values_for_one_target() {
    let issues = run(&[
        configuration("Win - MSP - A", 14, "g1"),
        configuration("Win - MSP - B", 8, "g1"),
    ]);
    assert_eq!(issues.len(), 1, "{issues:?}");
    let conflict = &issues[0];
    assert_eq!(conflict.rule, LintRule::Conflict);
    assert_eq!(conflict.item_key, "group:Pilot devices");
    assert_eq!(conflict.setting_path, "Win - MSP - A | Win - MSP - B");
    assert_eq!(
        conflict.actual,
        Some(json!({"passwordMinimumLength": {"Win - MSP - A": 14, "Win - MSP - B": 8}}))
    );
    assert_eq!(
        conflict.title(),
        "1 setting set differently by Win - MSP - A, Win - MSP - B (all assigned to group:Pilot devices)"
    );
    // Other targets, or compliance policies (the strictest applies), do not conflict.
    assert_eq!(
        run(&[
            configuration("Win - MSP - A", 14, "g1"),
            configuration("Win - MSP - B", 8, "g2"),
        ]),
        vec![]
    );
    assert_eq!(
        run(&[
            compliance("Win - MSP - A", json!({})),
            compliance("Win - MSP - B", json!({"passwordMinimumLength": 8})),
        ]),
        vec![]
    );
}

#[test]
fn stale_means_unassigned_and_untouched() {
    let issues = run(&[compliance(
        "Win - MSP - Old",
        json!({"lastModifiedDateTime": "2025-06-01T00:00:00Z", "assignments": []}),
    )]);
    assert_eq!(
        rules(&issues),
        vec![(LintRule::Stale, "Win - MSP - Old".to_owned())]
    );
    // Old but in use: fine.
    let used = run(&[compliance(
        "Win - MSP - Old",
        json!({"lastModifiedDateTime": "2025-06-01T00:00:00Z"}),
    )]);
    assert_eq!(used, vec![]);
}

#[test]
fn critical_policy_for_everyone_without_exclusion() {
    let everyone = json!({"assignments": [{"target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}}]});
    let defender = |extra: Value| {
        let mut raw = json!({
            "@odata.type": "#microsoft.graph.windows10GeneralConfiguration",
            "displayName": "Win - MSP - Defender",
            "defenderRequireRealTimeMonitoring": true,
            "allowRealtimeMonitoring": true,
        });
        if let (Some(map), Value::Object(more)) = (raw.as_object_mut(), extra) {
            map.extend(more);
        }
        Fixture {
            kind: "device_configuration",
            normalized: normalize("device_configuration", &raw, &DirectoryIndex::default()),
            raw,
        }
    };
    let broad = run(&[defender(everyone)]);
    assert_eq!(
        rules(&broad),
        vec![(LintRule::BroadHighRisk, "Win - MSP - Defender".to_owned())]
    );
    let with_exclusion = json!({"assignments": [
        {"target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}},
        {"target": {"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": "g9"}}
    ]});
    assert_eq!(run(&[defender(with_exclusion)]), vec![]);
}

#[test]
fn the_corpus_lints_without_panicking_and_reports_by_rule() {
    let content = crate::demo::DemoGenerator::new(1)
        .expect("generator")
        .baseline();
    let directory = DirectoryIndex::new(&content.directory_objects);
    let normalized: Vec<Normalized> = content
        .items
        .iter()
        .map(|i| normalize(&i.kind, &i.raw, &directory))
        .collect();
    let items: Vec<LintItem<'_>> = content
        .items
        .iter()
        .zip(&normalized)
        .map(|(i, n)| LintItem {
            kind: &i.kind,
            name: &i.name,
            key: &i.name,
            raw: &i.raw,
            normalized: n,
        })
        .collect();
    let issues = lint(&items, &LintOptions::default(), as_of());
    // The OpenIntuneBaseline names follow "Platform - OIB - Purpose": no naming issue.
    assert!(
        issues.iter().all(|i| i.rule != LintRule::Naming),
        "{:?}",
        issues
            .iter()
            .filter(|i| i.rule == LintRule::Naming)
            .collect::<Vec<_>>()
    );
    // Sorted and deterministic.
    let again = lint(&items, &LintOptions::default(), as_of());
    assert_eq!(issues, again);
}

#[test]
fn duplicate_names_are_one_issue_and_keep_every_item_apart() {
    let fixtures = [
        compliance(
            "Win - MSP - Password",
            json!({"id": "0b6c9ea7-0000-4000-8000-000000000001"}),
        ),
        compliance(
            "Win - MSP - Password",
            json!({"id": "5f0e3c21-0000-4000-8000-000000000002", "assignments": []}),
        ),
    ];
    let inputs: Vec<crate::identity::KeyInput<'_>> = fixtures
        .iter()
        .map(|f| crate::identity::KeyInput {
            kind: f.kind,
            name: f.raw["displayName"].as_str().unwrap_or_default(),
            external_id: f.raw["id"].as_str().unwrap_or_default(),
            content_hash: &f.normalized.settings_hash,
        })
        .collect();
    let keys = crate::identity::item_keys(&inputs);
    let items: Vec<LintItem<'_>> = fixtures
        .iter()
        .zip(&keys)
        .map(|(f, key)| LintItem {
            kind: f.kind,
            name: f.raw["displayName"].as_str().unwrap_or_default(),
            key,
            raw: &f.raw,
            normalized: &f.normalized,
        })
        .collect();
    let issues = lint(&items, &LintOptions::default(), as_of());
    assert_eq!(
        rules(&issues),
        vec![
            (
                LintRule::Unassigned,
                "Win - MSP - Password [5f0e3c21]".to_owned()
            ),
            // Same settings: the second copy (by key) duplicates the first.
            (
                LintRule::Duplicate,
                "Win - MSP - Password [5f0e3c21]".to_owned()
            ),
            (LintRule::DuplicateName, "Win - MSP - Password".to_owned()),
        ]
    );
    let named = issues
        .iter()
        .find(|i| i.rule == LintRule::DuplicateName)
        .expect("duplicate name issue");
    assert_eq!(
        named.actual,
        Some(json!([
            "Win - MSP - Password [0b6c9ea7]",
            "Win - MSP - Password [5f0e3c21]"
        ]))
    );
    assert_eq!(
        named.title(),
        "2 policies share the name Win - MSP - Password"
    );
}

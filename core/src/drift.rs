//! Drift: how a tenant's normalised configuration deviates from a baseline, and what
//! changed between two captures. Pure functions over normalised items; no IO.
//!
//! Matching is by kind and name (optionally ignoring a version suffix). A baseline item
//! with no match is `missing`; a tenant item with no match is `extra` when the baseline
//! manages that kind exclusively; a missing and an extra item of one kind that share
//! most settings are one `renamed` drift. Matched pairs with equal settings hashes and
//! only `exact` rules are compliant without looking further.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::baseline::{judge, severity_for, BaselineOptions, Rule, SettingRule, Severity, Verdict};
use crate::normalize::{strip_version_suffix, Normalized};

/// What kind of deviation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftKind {
    Missing,
    Extra,
    Renamed,
    SettingChanged,
    SettingMissing,
    SettingAdded,
    AssignmentChanged,
    Deleted,
    ChangedSinceLastCapture,
    /// A hygiene problem found by a lint rule (the finding's rule names it).
    Lint,
}

impl DriftKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Extra => "extra",
            Self::Renamed => "renamed",
            Self::SettingChanged => "setting_changed",
            Self::SettingMissing => "setting_missing",
            Self::SettingAdded => "setting_added",
            Self::AssignmentChanged => "assignment_changed",
            Self::Deleted => "deleted",
            Self::ChangedSinceLastCapture => "changed_since_last_capture",
            Self::Lint => "lint",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Missing,
            Self::Extra,
            Self::Renamed,
            Self::SettingChanged,
            Self::SettingMissing,
            Self::SettingAdded,
            Self::AssignmentChanged,
            Self::Deleted,
            Self::ChangedSinceLastCapture,
            Self::Lint,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }

    /// Capture-to-capture kinds are history, not deviations from a baseline.
    pub fn is_history(self) -> bool {
        matches!(self, Self::Deleted | Self::ChangedSinceLastCapture)
    }
}

/// One deviation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    pub kind: DriftKind,
    /// Resource-kind registry key.
    pub resource_kind: String,
    /// The baseline item's key (the tenant item's for `extra` and history kinds): its
    /// name, made unique when names repeat ([`crate::identity`]).
    pub item_key: String,
    /// The tenant item's key, when there is one.
    pub tenant_item: Option<String>,
    /// Setting path for setting-level kinds; `""` for item-level ones.
    pub setting_path: String,
    pub expected: Option<Value>,
    pub actual: Option<Value>,
    pub severity: Severity,
}

/// A baseline item ready for comparison.
#[derive(Clone, Debug)]
pub struct BaselineItemSpec {
    pub kind: String,
    pub name: String,
    pub normalized: Normalized,
    pub rules: BTreeMap<String, SettingRule>,
    pub severity: Severity,
}

impl BaselineItemSpec {
    /// True when equal settings hashes prove compliance (no rule other than `exact`).
    pub fn hash_shortcut(&self) -> bool {
        self.rules.values().all(|r| matches!(r.rule, Rule::Exact))
    }

    fn rule(&self, path: &str) -> Option<&SettingRule> {
        self.rules.get(path)
    }

    /// Weight and count of the settings judged when everything complies.
    pub fn assessed_when_compliant(&self) -> Assessment {
        let mut assessment = Assessment::default();
        for path in self.normalized.settings.keys() {
            let rule = self.rule(path);
            if matches!(rule.map(|r| &r.rule), Some(Rule::Ignore)) {
                continue;
            }
            let severity = severity_for(&self.kind, path, rule, self.severity);
            assessment.add(severity, true);
        }
        assessment
    }
}

/// Settings judged, by outcome, weighted by severity — the raw material of the score.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub settings: u32,
    pub compliant: u32,
    pub weight: f64,
    pub compliant_weight: f64,
}

impl Assessment {
    pub fn add(&mut self, severity: Severity, compliant: bool) {
        self.settings += 1;
        self.weight += severity.weight();
        if compliant {
            self.compliant += 1;
            self.compliant_weight += severity.weight();
        }
    }

    pub fn merge(&mut self, other: &Assessment) {
        self.settings += other.settings;
        self.compliant += other.compliant;
        self.weight += other.weight;
        self.compliant_weight += other.compliant_weight;
    }
}

/// Compares one matched pair: the setting drifts, and what was assessed.
pub fn diff_item(
    spec: &BaselineItemSpec,
    tenant_name: &str,
    tenant: &Normalized,
    variables: &BTreeMap<String, Value>,
) -> (Vec<Drift>, Assessment) {
    let mut drifts = Vec::new();
    let mut assessment = Assessment::default();
    let paths: BTreeSet<&String> = spec
        .normalized
        .settings
        .keys()
        .chain(tenant.settings.keys())
        .chain(spec.rules.keys())
        .collect();
    for path in paths {
        let rule = spec.rule(path);
        let expected = spec.normalized.settings.get(path);
        let actual = tenant.settings.get(path);
        let verdict = judge(
            rule.map(|r| &r.rule).unwrap_or(&Rule::Exact),
            expected,
            actual,
            variables,
        );
        let kind = match verdict {
            Verdict::NotJudged => continue,
            Verdict::Compliant => None,
            Verdict::Missing => Some(DriftKind::SettingMissing),
            Verdict::Added => Some(DriftKind::SettingAdded),
            Verdict::Changed => Some(DriftKind::SettingChanged),
        };
        let severity = severity_for(&spec.kind, path, rule, spec.severity);
        assessment.add(severity, kind.is_none());
        if let Some(kind) = kind {
            drifts.push(Drift {
                kind,
                resource_kind: spec.kind.clone(),
                item_key: spec.name.clone(),
                tenant_item: Some(tenant_name.to_owned()),
                setting_path: path.clone(),
                expected: expected.cloned(),
                actual: actual.cloned(),
                severity,
            });
        }
    }
    if spec.normalized.assignments_hash != tenant.assignments_hash
        && !spec.normalized.assignments.is_empty()
    {
        drifts.push(Drift {
            kind: DriftKind::AssignmentChanged,
            resource_kind: spec.kind.clone(),
            item_key: spec.name.clone(),
            tenant_item: Some(tenant_name.to_owned()),
            setting_path: "assignments".to_owned(),
            expected: Some(assignments_value(&spec.normalized)),
            actual: Some(assignments_value(tenant)),
            severity: spec.severity,
        });
    }
    (drifts, assessment)
}

fn assignments_value(normalized: &Normalized) -> Value {
    Value::Object(
        normalized
            .assignments
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

/// The outcome of matching a baseline's items against a tenant's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matching {
    /// (baseline index, tenant index).
    pub pairs: Vec<(usize, usize)>,
    /// Baseline items without a tenant item.
    pub missing: Vec<usize>,
    /// Tenant items of the baseline's kinds without a baseline item.
    pub unmatched: Vec<usize>,
}

/// A name as matched: case- and whitespace-insensitive, optionally without version suffix.
fn match_key(kind: &str, name: &str, ignore_version: bool) -> (String, String) {
    let name = if ignore_version {
        strip_version_suffix(name)
    } else {
        name
    };
    (kind.to_owned(), crate::identity::folded_name(name))
}

/// Matches by kind and name. Each tenant item matches at most one baseline item. Names
/// are not unique (DRIFT.md): where several baseline or tenant items share a name, the
/// pairs with the highest `affinity(baseline index, tenant index)` are made first (ties
/// by position), so a baseline item meets the same-named tenant item whose settings are
/// closest; the others are missing or unmatched. `affinity` is asked only about such
/// groups.
pub fn match_items(
    baseline: &[(&str, &str)],
    tenant: &[(&str, &str)],
    options: &BaselineOptions,
    affinity: &dyn Fn(usize, usize) -> f64,
) -> Matching {
    let ignore = options.ignore_version_suffix;
    let mut by_key: HashMap<(String, String), (Vec<usize>, Vec<usize>)> = HashMap::new();
    for (index, (kind, name)) in tenant.iter().enumerate() {
        by_key
            .entry(match_key(kind, name, ignore))
            .or_default()
            .1
            .push(index);
    }
    let mut wanted: Vec<(String, String)> = Vec::new();
    for (index, (kind, name)) in baseline.iter().enumerate() {
        let key = match_key(kind, name, ignore);
        let group = by_key.entry(key.clone()).or_default();
        if group.0.is_empty() {
            wanted.push(key);
        }
        group.0.push(index);
    }
    let mut used = vec![false; tenant.len()];
    let mut matched = vec![false; baseline.len()];
    let mut matching = Matching::default();
    for key in &wanted {
        let Some((b_items, t_items)) = by_key.get(key) else {
            continue;
        };
        if b_items.len() == 1 && t_items.len() <= 1 {
            if let Some(t) = t_items.first() {
                matching.pairs.push((b_items[0], *t));
                used[*t] = true;
                matched[b_items[0]] = true;
            }
            continue;
        }
        let mut candidates: Vec<(f64, usize, usize)> = b_items
            .iter()
            .flat_map(|b| t_items.iter().map(move |t| (*b, *t)))
            .map(|(b, t)| (affinity(b, t), b, t))
            .collect();
        candidates.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
        for (_, b, t) in candidates {
            if matched[b] || used[t] {
                continue;
            }
            matched[b] = true;
            used[t] = true;
            matching.pairs.push((b, t));
        }
    }
    matching.pairs.sort_unstable();
    matching.missing = (0..baseline.len()).filter(|b| !matched[*b]).collect();
    let kinds: BTreeSet<&str> = baseline.iter().map(|(k, _)| *k).collect();
    matching.unmatched = tenant
        .iter()
        .enumerate()
        .filter(|(i, (kind, _))| !used[*i] && kinds.contains(kind))
        .map(|(i, _)| i)
        .collect();
    matching
}

/// Tenant items that share a matching name with another baseline or tenant item: the
/// ones [`match_items`] asks the affinity of.
pub fn ambiguous_tenant_items(
    baseline: &[(&str, &str)],
    tenant: &[(&str, &str)],
    options: &BaselineOptions,
) -> Vec<usize> {
    let ignore = options.ignore_version_suffix;
    let mut counts: HashMap<(String, String), (usize, Vec<usize>)> = HashMap::new();
    for (kind, name) in baseline {
        counts.entry(match_key(kind, name, ignore)).or_default().0 += 1;
    }
    for (index, (kind, name)) in tenant.iter().enumerate() {
        if let Some(entry) = counts.get_mut(&match_key(kind, name, ignore)) {
            entry.1.push(index);
        }
    }
    let mut out: Vec<usize> = counts
        .into_values()
        .filter(|(b, t)| *b > 1 || t.len() > 1)
        .flat_map(|(_, t)| t)
        .collect();
    out.sort_unstable();
    out
}

/// Share of (path, value) pairs two items have in common (Jaccard), 0–1.
pub fn similarity(a: &Normalized, b: &Normalized) -> f64 {
    if a.settings.is_empty() && b.settings.is_empty() {
        return 1.0;
    }
    let common = a
        .settings
        .iter()
        .filter(|(k, v)| b.settings.get(*k) == Some(*v))
        .count();
    let union = a.settings.len() + b.settings.len() - common;
    common as f64 / union as f64
}

/// [`similarity`] computed from two settings sketches
/// ([`crate::normalize::settings_sketch`]): equal to it unless two different pairs share
/// a sketch entry, in which case it is higher.
pub fn sketch_similarity(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - common;
    common as f64 / union as f64
}

/// How alike a missing and an extra item must be to count as one renamed item.
pub const RENAME_SIMILARITY: f64 = 0.8;

/// Pairs missing baseline items with unmatched tenant items of the same kind that share
/// most settings, best pairs first. Returns (baseline index, tenant index).
pub fn detect_renames(
    missing: &[(usize, &BaselineItemSpec)],
    unmatched: &[(usize, &str, &Normalized)],
) -> Vec<(usize, usize)> {
    let mut candidates = Vec::new();
    for (b_index, spec) in missing {
        for (t_index, kind, normalized) in unmatched {
            if *kind != spec.kind {
                continue;
            }
            let score = similarity(&spec.normalized, normalized);
            if score >= RENAME_SIMILARITY {
                candidates.push((score, *b_index, *t_index));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut used_b = BTreeSet::new();
    let mut used_t = BTreeSet::new();
    let mut renames = Vec::new();
    for (_, b, t) in candidates {
        if used_b.contains(&b) || used_t.contains(&t) {
            continue;
        }
        used_b.insert(b);
        used_t.insert(t);
        renames.push((b, t));
    }
    renames
}

/// An item as seen in one capture, for capture-to-capture history.
#[derive(Clone, Debug)]
pub struct ItemRef<'a> {
    pub kind: &'a str,
    pub external_id: &'a str,
    pub name: &'a str,
    /// The item's key in its capture ([`crate::identity::item_keys`]).
    pub key: &'a str,
    pub settings_hash: &'a str,
    pub assignments_hash: &'a str,
}

/// What changed between two captures of a tenant, by item.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CaptureDelta {
    /// Policies of the previous capture that are gone ("ghost policies").
    pub deleted: Vec<Drift>,
    /// (previous index, current index) of items whose settings or assignments changed.
    pub changed: Vec<(usize, usize)>,
}

/// Compares two captures by item identity (kind and Graph id) and normalised hashes.
/// Kinds that failed in the current capture are skipped: their absence says nothing.
pub fn capture_changes(
    previous: &[ItemRef<'_>],
    current: &[ItemRef<'_>],
    failed_kinds: &BTreeSet<String>,
) -> CaptureDelta {
    let current_by_id: HashMap<(&str, &str), usize> = current
        .iter()
        .enumerate()
        .map(|(i, item)| ((item.kind, item.external_id), i))
        .collect();
    let mut delta = CaptureDelta::default();
    for (p_index, before) in previous.iter().enumerate() {
        if failed_kinds.contains(before.kind) {
            continue;
        }
        match current_by_id.get(&(before.kind, before.external_id)) {
            None => delta.deleted.push(Drift {
                kind: DriftKind::Deleted,
                resource_kind: before.kind.to_owned(),
                item_key: before.key.to_owned(),
                tenant_item: None,
                setting_path: String::new(),
                expected: Some(Value::String(before.name.to_owned())),
                actual: None,
                severity: Severity::Medium,
            }),
            Some(c_index) => {
                let after = &current[*c_index];
                if after.settings_hash != before.settings_hash
                    || after.assignments_hash != before.assignments_hash
                {
                    delta.changed.push((p_index, *c_index));
                }
            }
        }
    }
    delta
}

/// The setting-level changes of one item between two captures: every path whose value
/// moved (previous value as `expected`, current as `actual`), and its assignments. `name`
/// is the item's key.
pub fn changed_item_drifts(
    kind: &str,
    name: &str,
    before: &Normalized,
    after: &Normalized,
) -> Vec<Drift> {
    let paths: BTreeSet<&String> = before
        .settings
        .keys()
        .chain(after.settings.keys())
        .collect();
    let drift = |path: &str, expected: Option<Value>, actual: Option<Value>| Drift {
        kind: DriftKind::ChangedSinceLastCapture,
        resource_kind: kind.to_owned(),
        item_key: name.to_owned(),
        tenant_item: Some(name.to_owned()),
        setting_path: path.to_owned(),
        expected,
        actual,
        severity: Severity::Low,
    };
    let mut drifts: Vec<Drift> = paths
        .into_iter()
        .filter_map(|path| {
            let (old, new) = (before.settings.get(path), after.settings.get(path));
            (old != new).then(|| drift(path, old.cloned(), new.cloned()))
        })
        .collect();
    if before.assignments_hash != after.assignments_hash {
        drifts.push(drift(
            "assignments",
            Some(assignments_value(before)),
            Some(assignments_value(after)),
        ));
    }
    drifts
}

#[cfg(test)]
mod tests;

//! What the desktop console shows: the portfolio-wide findings table, a tenant's page
//! and the policy diff.
//!
//! The findings table filters in memory: [`Store::findings_index`] reads every finding
//! once (one packed row, as the review's reads) into a [`FindingsIndex`], which keeps
//! each distinct string once (tenant names, items, settings, titles and timestamps repeat
//! across findings) with the sort orders and filter codes precomputed; a query walks one
//! sort order testing small integer codes (a search word is matched once per distinct
//! string), so filtering 100,000 findings costs milliseconds, no SQL and little memory.
//! [`Store::findings_stamp`] says when the index is stale (every status change writes a
//! transition, every review a review row, every acceptance a row: the three append-only
//! tables' highest rowids change with any write that the table shows).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Row;

use super::{parse_timestamp, Store, StoreError};
use crate::baseline::BaselineOptions;
use crate::drift::{capture_changes, match_items, ItemRef};
use crate::identity::KeyInput;
use crate::model::{CaptureId, TenantId};
use crate::normalize::{canonical_json, normalize, DirectoryIndex, Labels, Normalized};

/// One row of the findings table: what the table shows and filters on, no JSON values.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ConsoleFinding {
    pub id: String,
    pub tenant_id: String,
    pub tenant: String,
    /// drift | lint | history
    pub source: String,
    pub baseline: Option<String>,
    pub rule: Option<String>,
    pub resource_kind: String,
    pub item: String,
    pub setting_path: String,
    pub drift_kind: String,
    /// critical | high | medium | low
    pub severity: String,
    pub title: String,
    /// open | acknowledged | resolved | risk_accepted | false_positive
    pub status: String,
    pub not_assessed: bool,
    pub reopen_count: u32,
    pub first_seen_at: String,
    pub last_seen_at: String,
    pub due_at: Option<String>,
    pub accepted_until: Option<String>,
}

/// Due-date filter of the findings table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum DueFilter {
    /// Active (open or acknowledged) and past its due date.
    Overdue,
    /// Active and due within the next seven days (not overdue).
    NextSevenDays,
    /// Active with a due date more than seven days ahead.
    Later,
}

/// Order of the findings table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FindingSort {
    /// Most severe first, then tenant, item and setting.
    #[default]
    Severity,
    /// Soonest due first (no due date last).
    Due,
    /// Tenant name, then severity.
    Tenant,
    /// Most recently seen first.
    LastSeen,
}

/// A findings table query. Empty lists mean "any".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FindingQuery {
    pub tenant_ids: Vec<String>,
    pub severities: Vec<String>,
    pub statuses: Vec<String>,
    /// Finding sources: drift, lint, history.
    pub kinds: Vec<String>,
    /// Baseline names.
    pub baselines: Vec<String>,
    pub due: Option<DueFilter>,
    /// Case-insensitive words, all of which must occur in the title, item, setting,
    /// tenant, baseline, rule or id.
    pub search: String,
    pub sort: FindingSort,
    pub offset: u32,
    pub limit: u32,
}

/// Matching findings by severity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SeverityCounts {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
}

/// One window of a findings query.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FindingPage {
    /// Findings in the portfolio.
    pub total: u32,
    /// Findings matching the query.
    pub matched: u32,
    pub offset: u32,
    /// `matched` rows from `offset`, at most `limit`.
    pub rows: Vec<ConsoleFinding>,
    pub severity_counts: SeverityCounts,
    /// Every baseline name that findings refer to, for the filter.
    pub baselines: Vec<String>,
    /// Time spent filtering and sorting, in microseconds.
    pub filter_micros: u32,
}

const SEVERITIES: [&str; 4] = ["critical", "high", "medium", "low"];
const STATUSES: [&str; 5] = [
    "open",
    "acknowledged",
    "resolved",
    "risk_accepted",
    "false_positive",
];
const SOURCES: [&str; 3] = ["drift", "lint", "history"];
const NONE: u32 = u32::MAX;

fn code(list: &[&str], value: &str) -> u8 {
    list.iter()
        .position(|v| *v == value)
        .and_then(|p| u8::try_from(p).ok())
        .unwrap_or(u8::MAX)
}

/// A bit set of the codes named in `wanted` (all bits when empty).
fn mask(list: &[&str], wanted: &[String]) -> u32 {
    if wanted.is_empty() {
        return u32::MAX;
    }
    wanted
        .iter()
        .filter_map(|w| list.iter().position(|v| v == w))
        .fold(0, |m, p| m | (1 << p))
}

/// No symbol: an absent optional field.
const ABSENT: u32 = u32::MAX;

/// One finding in the index: its strings as symbols (tenant names, items, settings,
/// titles and timestamps repeat across findings and are kept once).
#[derive(Debug)]
struct IndexedFinding {
    id: Box<str>,
    tenant_id: u32,
    tenant: u32,
    source: u32,
    baseline: u32,
    rule: u32,
    resource_kind: u32,
    item: u32,
    setting_path: u32,
    drift_kind: u32,
    severity: u32,
    title: u32,
    status: u32,
    first_seen_at: u32,
    last_seen_at: u32,
    due_at: u32,
    accepted_until: u32,
    reopen_count: u32,
    not_assessed: bool,
    /// Whether `id` holds upper-case letters (search compares lower case).
    id_mixed_case: bool,
}

/// Collects findings into an index, keeping each distinct string once.
#[derive(Debug, Default)]
struct IndexBuilder {
    symbols: Vec<Box<str>>,
    codes: HashMap<Box<str>, u32>,
    rows: Vec<IndexedFinding>,
}

impl IndexBuilder {
    fn symbol(&mut self, text: String) -> u32 {
        if let Some(code) = self.codes.get(text.as_str()) {
            return *code;
        }
        let code = u32::try_from(self.symbols.len()).unwrap_or(ABSENT);
        let text = text.into_boxed_str();
        self.symbols.push(text.clone());
        self.codes.insert(text, code);
        code
    }

    fn optional(&mut self, text: Option<String>) -> u32 {
        text.map_or(ABSENT, |t| self.symbol(t))
    }

    fn push(&mut self, f: ConsoleFinding) {
        let row = IndexedFinding {
            id_mixed_case: f.id.chars().any(char::is_uppercase),
            id: f.id.into_boxed_str(),
            tenant_id: self.symbol(f.tenant_id),
            tenant: self.symbol(f.tenant),
            source: self.symbol(f.source),
            baseline: self.optional(f.baseline),
            rule: self.optional(f.rule),
            resource_kind: self.symbol(f.resource_kind),
            item: self.symbol(f.item),
            setting_path: self.symbol(f.setting_path),
            drift_kind: self.symbol(f.drift_kind),
            severity: self.symbol(f.severity),
            title: self.symbol(f.title),
            status: self.symbol(f.status),
            first_seen_at: self.symbol(f.first_seen_at),
            last_seen_at: self.symbol(f.last_seen_at),
            due_at: self.optional(f.due_at),
            accepted_until: self.optional(f.accepted_until),
            reopen_count: f.reopen_count,
            not_assessed: f.not_assessed,
        };
        self.rows.push(row);
    }

    fn build(self) -> FindingsIndex {
        let Self {
            symbols,
            codes: _,
            mut rows,
        } = self;
        rows.shrink_to_fit();
        let text = |code: u32| -> &str { symbols.get(code as usize).map_or("", |s| s) };
        let severity: Vec<u8> = rows
            .iter()
            .map(|r| code(&SEVERITIES, text(r.severity)))
            .collect();
        let due: Vec<i64> = rows
            .iter()
            .map(|r| {
                DateTime::parse_from_rfc3339(text(r.due_at))
                    .map_or(i64::MAX, |d| d.timestamp_millis())
            })
            .collect();
        let n = u32::try_from(rows.len()).unwrap_or(NONE);
        let mut by_severity: Vec<u32> = (0..n).collect();
        by_severity.sort_by(|a, b| {
            let (x, y) = (&rows[*a as usize], &rows[*b as usize]);
            (
                severity[*a as usize],
                text(x.tenant),
                text(x.item),
                text(x.setting_path),
            )
                .cmp(&(
                    severity[*b as usize],
                    text(y.tenant),
                    text(y.item),
                    text(y.setting_path),
                ))
        });
        // Stable sorts over the severity order: ties keep it.
        let mut by_due = by_severity.clone();
        by_due.sort_by_key(|i| due[*i as usize]);
        let mut by_tenant = by_severity.clone();
        by_tenant
            .sort_by(|a, b| text(rows[*a as usize].tenant).cmp(text(rows[*b as usize].tenant)));
        let mut by_last_seen = by_severity.clone();
        by_last_seen.sort_by(|a, b| {
            text(rows[*b as usize].last_seen_at).cmp(text(rows[*a as usize].last_seen_at))
        });
        let baseline_names: Vec<String> = rows
            .iter()
            .filter(|r| r.baseline != ABSENT)
            .map(|r| text(r.baseline))
            .collect::<BTreeSet<&str>>()
            .into_iter()
            .map(str::to_owned)
            .collect();
        FindingsIndex {
            status: rows
                .iter()
                .map(|r| code(&STATUSES, text(r.status)))
                .collect(),
            source: rows
                .iter()
                .map(|r| code(&SOURCES, text(r.source)))
                .collect(),
            lower: symbols
                .iter()
                .map(|s| s.to_lowercase().into_boxed_str())
                .collect(),
            severity,
            due,
            baseline_names,
            by_severity,
            by_due,
            by_tenant,
            by_last_seen,
            symbols,
            rows,
        }
    }
}

/// Every finding, ready to filter: see the module documentation.
#[derive(Debug, Default)]
pub struct FindingsIndex {
    rows: Vec<IndexedFinding>,
    /// The distinct strings of the rows, and their lower case (searched).
    symbols: Vec<Box<str>>,
    lower: Vec<Box<str>>,
    severity: Vec<u8>,
    status: Vec<u8>,
    source: Vec<u8>,
    /// Milliseconds since the epoch; `i64::MAX` when there is no due date.
    due: Vec<i64>,
    baseline_names: Vec<String>,
    by_severity: Vec<u32>,
    by_due: Vec<u32>,
    by_tenant: Vec<u32>,
    by_last_seen: Vec<u32>,
}

impl FromIterator<ConsoleFinding> for FindingsIndex {
    fn from_iter<I: IntoIterator<Item = ConsoleFinding>>(rows: I) -> Self {
        let mut builder = IndexBuilder::default();
        for row in rows {
            builder.push(row);
        }
        builder.build()
    }
}

impl FindingsIndex {
    pub fn new(rows: Vec<ConsoleFinding>) -> Self {
        rows.into_iter().collect()
    }

    /// The index of a packed findings array (see [`Store::findings_index`]), built while
    /// reading it: the rows are never all held as separate strings.
    fn from_packed(text: &str) -> Result<Self, serde_json::Error> {
        struct Rows;
        impl<'de> serde::de::Visitor<'de> for Rows {
            type Value = IndexBuilder;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array of packed findings")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<IndexBuilder, A::Error> {
                let mut builder = IndexBuilder::default();
                while let Some(row) = seq.next_element::<PackedFinding>()? {
                    builder.push(row.into());
                }
                Ok(builder)
            }
        }
        let mut reader = serde_json::Deserializer::from_str(text);
        let builder = serde::Deserializer::deserialize_seq(&mut reader, Rows)?;
        reader.end()?;
        Ok(builder.build())
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn text(&self, code: u32) -> &str {
        self.symbols.get(code as usize).map_or("", |s| s)
    }

    fn optional(&self, code: u32) -> Option<String> {
        (code != ABSENT).then(|| self.text(code).to_owned())
    }

    /// The table row of finding `i`.
    fn row(&self, i: usize) -> ConsoleFinding {
        let r = &self.rows[i];
        let text = |code: u32| self.text(code).to_owned();
        ConsoleFinding {
            id: r.id.to_string(),
            tenant_id: text(r.tenant_id),
            tenant: text(r.tenant),
            source: text(r.source),
            baseline: self.optional(r.baseline),
            rule: self.optional(r.rule),
            resource_kind: text(r.resource_kind),
            item: text(r.item),
            setting_path: text(r.setting_path),
            drift_kind: text(r.drift_kind),
            severity: text(r.severity),
            title: text(r.title),
            status: text(r.status),
            not_assessed: r.not_assessed,
            reopen_count: r.reopen_count,
            first_seen_at: text(r.first_seen_at),
            last_seen_at: text(r.last_seen_at),
            due_at: self.optional(r.due_at),
            accepted_until: self.optional(r.accepted_until),
        }
    }

    /// The symbols of `names` present in the index, or `None` for "any" (no names).
    fn wanted(
        &self,
        names: &[String],
        field: impl Fn(&IndexedFinding) -> u32,
    ) -> Option<BTreeSet<u32>> {
        if names.is_empty() {
            return None;
        }
        let names: BTreeSet<&str> = names.iter().map(String::as_str).collect();
        Some(
            self.rows
                .iter()
                .map(field)
                .filter(|c| *c != ABSENT && names.contains(self.text(*c)))
                .collect(),
        )
    }

    /// Whether finding `i` holds `word` (lower case) in a searched field; `hits` marks
    /// the symbols holding it.
    fn holds(&self, i: usize, word: &str, hits: &[bool]) -> bool {
        let r = &self.rows[i];
        let hit = |code: u32| hits.get(code as usize).copied().unwrap_or(false);
        hit(r.title)
            || hit(r.item)
            || hit(r.setting_path)
            || hit(r.tenant)
            || hit(r.baseline)
            || hit(r.rule)
            || if r.id_mixed_case {
                r.id.to_lowercase().contains(word)
            } else {
                r.id.contains(word)
            }
    }

    /// The rows matching `query`, in its order, from its offset.
    pub fn query(&self, query: &FindingQuery, now: DateTime<Utc>) -> FindingPage {
        let started = std::time::Instant::now();
        let severities = mask(&SEVERITIES, &query.severities);
        let statuses = mask(&STATUSES, &query.statuses);
        let sources = mask(&SOURCES, &query.kinds);
        let tenants = self.wanted(&query.tenant_ids, |r| r.tenant_id);
        let baselines = self.wanted(&query.baselines, |r| r.baseline);
        // Each word once against every distinct string, then per finding a lookup.
        let words: Vec<(String, Vec<bool>)> = query
            .search
            .split_whitespace()
            .map(|w| {
                let word = w.to_lowercase();
                let hits = self.lower.iter().map(|s| s.contains(&word)).collect();
                (word, hits)
            })
            .collect();
        let now_ms = now.timestamp_millis();
        let week_ms = now_ms + TimeDelta::days(7).num_milliseconds();
        let active = (1 << code(&STATUSES, "open")) | (1 << code(&STATUSES, "acknowledged"));
        let order = match query.sort {
            FindingSort::Severity => &self.by_severity,
            FindingSort::Due => &self.by_due,
            FindingSort::Tenant => &self.by_tenant,
            FindingSort::LastSeen => &self.by_last_seen,
        };
        let bit = |code: u8| 1u32.checked_shl(u32::from(code)).unwrap_or(0);
        let mut counts = SeverityCounts::default();
        let mut matched = 0u32;
        let mut rows = Vec::new();
        let limit = query.limit.min(2_000) as usize;
        for &i in order {
            let i = i as usize;
            if severities & bit(self.severity[i]) == 0
                || statuses & bit(self.status[i]) == 0
                || sources & bit(self.source[i]) == 0
            {
                continue;
            }
            if tenants
                .as_ref()
                .is_some_and(|t| !t.contains(&self.rows[i].tenant_id))
            {
                continue;
            }
            if baselines
                .as_ref()
                .is_some_and(|b| !b.contains(&self.rows[i].baseline))
            {
                continue;
            }
            if let Some(due) = query.due {
                let is_active = active & bit(self.status[i]) != 0;
                let at = self.due[i];
                let keep = is_active
                    && at != i64::MAX
                    && match due {
                        DueFilter::Overdue => at < now_ms,
                        DueFilter::NextSevenDays => at >= now_ms && at < week_ms,
                        DueFilter::Later => at >= week_ms,
                    };
                if !keep {
                    continue;
                }
            }
            if !words.iter().all(|(word, hits)| self.holds(i, word, hits)) {
                continue;
            }
            match self.severity[i] {
                0 => counts.critical += 1,
                1 => counts.high += 1,
                2 => counts.medium += 1,
                _ => counts.low += 1,
            }
            if matched >= query.offset && rows.len() < limit {
                rows.push(self.row(i));
            }
            matched += 1;
        }
        FindingPage {
            total: u32::try_from(self.rows.len()).unwrap_or(NONE),
            matched,
            offset: query.offset,
            rows,
            severity_counts: counts,
            baselines: self.baseline_names.clone(),
            filter_micros: u32::try_from(started.elapsed().as_micros()).unwrap_or(NONE),
        }
    }
}

/// A risk acceptance of a finding, active or lapsed.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AcceptanceRow {
    pub justification: String,
    /// The accepted value, as JSON text.
    pub accepted_value: Option<String>,
    pub accepted_by: String,
    pub approved_by: Option<String>,
    pub created_at: String,
    pub expires_at: String,
    pub lapsed_at: Option<String>,
    pub lapse_reason: Option<String>,
}

/// A score of one review.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ScorePoint {
    pub at: String,
    pub score: Option<f64>,
    pub capture_id: String,
}

/// A tenant's findings of one baseline (or lint / history), by state.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DriftByBaseline {
    /// The baseline name; "Lint rules" or "Changes between captures" otherwise.
    pub name: String,
    pub source: String,
    pub open: u32,
    pub acknowledged: u32,
    pub risk_accepted: u32,
    pub resolved: u32,
    pub false_positive: u32,
    /// Active (open or acknowledged) by severity.
    pub active: SeverityCounts,
}

/// A policy in a capture comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ChangedPolicy {
    pub kind: String,
    pub name: String,
    pub external_id: String,
    /// For changed policies: the settings changed (not only the assignments).
    pub settings_changed: bool,
    pub assignments_changed: bool,
}

/// What changed between two captures of a tenant.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CaptureComparison {
    pub from_capture: String,
    pub to_capture: String,
    pub added: Vec<ChangedPolicy>,
    /// Gone from the later capture ("ghost policies" when still referenced elsewhere).
    pub removed: Vec<ChangedPolicy>,
    pub changed: Vec<ChangedPolicy>,
    /// Kinds that failed in the later capture: their absence says nothing.
    pub not_compared_kinds: Vec<String>,
}

/// A per-tenant id that no captured directory object names.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct UnresolvedId {
    /// The id as found (`unresolved:<id>` stripped).
    pub id: String,
    pub kind: String,
    pub policy: String,
}

/// One setting in a policy diff.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DiffRow {
    pub path: String,
    pub label: String,
    /// same | changed | missing (in the tenant) | added (only in the tenant)
    pub state: String,
    /// What Microsoft's catalog says the setting does, where known.
    pub description: Option<String>,
    /// Canonical JSON text.
    pub baseline: Option<String>,
    pub tenant: Option<String>,
    /// The values as a person reads them (a choice's option label), where known.
    pub baseline_text: Option<String>,
    pub tenant_text: Option<String>,
}

/// A baseline item and its tenant counterpart side by side.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PolicyDiff {
    pub tenant_id: String,
    pub tenant: String,
    pub resource_kind: String,
    pub baseline: Option<String>,
    pub baseline_version: Option<u32>,
    pub baseline_item: Option<String>,
    pub tenant_item: Option<String>,
    pub capture_id: Option<String>,
    pub settings: Vec<DiffRow>,
    pub assignments: Vec<DiffRow>,
    /// Pretty JSON as stored.
    pub baseline_raw: Option<String>,
    pub tenant_raw: Option<String>,
}

/// The packed form of a findings row: (id, tenant id, tenant, source, baseline, rule,
/// kind, item, setting, drift kind, severity, title, status, not assessed, reopens,
/// first seen, last seen, due, accepted until).
#[derive(Deserialize)]
struct PackedFinding(
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
);

impl From<PackedFinding> for ConsoleFinding {
    fn from(r: PackedFinding) -> Self {
        Self {
            id: r.0,
            tenant_id: r.1,
            tenant: r.2,
            source: r.3,
            baseline: r.4,
            rule: r.5,
            resource_kind: r.6,
            item: r.7,
            setting_path: r.8,
            drift_kind: r.9,
            severity: r.10,
            title: r.11,
            status: r.12,
            not_assessed: r.13 != 0,
            reopen_count: u32::try_from(r.14).unwrap_or(0),
            first_seen_at: r.15,
            last_seen_at: r.16,
            due_at: r.17,
            accepted_until: r.18,
        }
    }
}

fn rows_by_status(d: &mut DriftByBaseline, status: &str, severity: &str, n: u32) {
    match status {
        "open" => d.open += n,
        "acknowledged" => d.acknowledged += n,
        "risk_accepted" => d.risk_accepted += n,
        "resolved" => d.resolved += n,
        _ => d.false_positive += n,
    }
    if matches!(status, "open" | "acknowledged") {
        match severity {
            "critical" => d.active.critical += n,
            "high" => d.active.high += n,
            "medium" => d.active.medium += n,
            _ => d.active.low += n,
        }
    }
}

fn item_refs<'a>(items: &'a [super::ItemMeta], keys: &'a [String]) -> Vec<ItemRef<'a>> {
    items
        .iter()
        .zip(keys)
        .map(|(i, key)| ItemRef {
            kind: &i.kind,
            external_id: &i.external_id,
            name: &i.name,
            key,
            settings_hash: &i.settings_hash,
            assignments_hash: &i.assignments_hash,
        })
        .collect()
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

fn diff_rows(
    kind: &str,
    baseline: Option<&BTreeMap<String, Value>>,
    tenant: Option<&BTreeMap<String, Value>>,
    labels: Option<&Labels<'_>>,
) -> Vec<DiffRow> {
    let empty = BTreeMap::new();
    let (b, t) = (baseline.unwrap_or(&empty), tenant.unwrap_or(&empty));
    let paths: BTreeSet<&String> = b.keys().chain(t.keys()).collect();
    paths
        .into_iter()
        .map(|path| {
            let (x, y) = (b.get(path), t.get(path));
            let state = match (x, y) {
                (Some(x), Some(y)) if x == y => "same",
                (Some(_), Some(_)) => "changed",
                (Some(_), None) => "missing",
                _ => "added",
            };
            DiffRow {
                path: path.clone(),
                label: labels.map_or_else(|| path.clone(), |l| l.setting(kind, path)),
                description: labels.and_then(|l| {
                    let last = crate::normalize::path_definition_ids(path).last()?;
                    l.definition(last)?.description.clone()
                }),
                state: state.to_owned(),
                baseline: x.map(canonical_json),
                tenant: y.map(canonical_json),
                baseline_text: x.and_then(|v| labels.and_then(|l| l.value(v))),
                tenant_text: y.and_then(|v| labels.and_then(|l| l.value(v))),
            }
        })
        .collect()
}

impl Store {
    /// Every finding of the workspace, packed as one JSON array of arrays (see
    /// [`PackedFinding`]); `None` when there are none.
    async fn packed_findings(&self) -> Result<Option<String>, StoreError> {
        // One packed row: sqlx hands each row over with a cross-thread message, which
        // dominates reading 100,000 small rows.
        Ok(sqlx::query_scalar(
            "SELECT json_group_array(json_array(f.id, f.tenant_id, t.display_name, f.source,
                    b.name, f.rule, f.resource_kind, f.item_key, f.setting_path, f.drift_kind,
                    f.severity, f.title, f.status, f.not_assessed, f.reopen_count,
                    f.first_seen_at, f.last_seen_at, f.due_at,
                    (SELECT r.expires_at FROM risk_acceptances r
                     WHERE r.finding_id = f.id AND r.lapsed_at IS NULL)))
             FROM findings f JOIN tenants t ON t.id = f.tenant_id
             LEFT JOIN baselines b ON b.id = f.baseline_id
             WHERE t.workspace_id = ?",
        )
        .bind(self.workspace().to_string())
        .fetch_one(self.pool())
        .await?)
    }

    /// Every finding of the workspace, as table rows.
    pub async fn console_findings(&self) -> Result<Vec<ConsoleFinding>, StoreError> {
        let rows: Vec<PackedFinding> = match self.packed_findings().await? {
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| StoreError::corrupt(format!("findings: {e}")))?,
            None => Vec::new(),
        };
        Ok(rows.into_iter().map(ConsoleFinding::from).collect())
    }

    /// The [`FindingsIndex`] of every finding of the workspace, built on a blocking
    /// thread from one read.
    pub async fn findings_index(&self) -> Result<FindingsIndex, StoreError> {
        let Some(text) = self.packed_findings().await? else {
            return Ok(FindingsIndex::default());
        };
        tokio::task::spawn_blocking(move || FindingsIndex::from_packed(&text))
            .await
            .map_err(|e| StoreError::corrupt(format!("findings index: {e}")))?
            .map_err(|e| StoreError::corrupt(format!("findings: {e}")))
    }

    /// Changes whenever a write changes what [`Store::console_findings`] returns.
    pub async fn findings_stamp(&self) -> Result<String, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT (SELECT COALESCE(MAX(rowid), 0) FROM finding_transitions) || ':' ||
                    (SELECT COALESCE(MAX(rowid), 0) FROM reviews) || ':' ||
                    (SELECT COALESCE(MAX(rowid), 0) FROM risk_acceptances) || ':' ||
                    (SELECT COUNT(*) FROM tenants) || ':' ||
                    (SELECT COALESCE(MAX(value), '') FROM local_settings WHERE key = 'derived.generation')",
        )
        .fetch_one(self.pool())
        .await?)
    }

    /// A finding's risk acceptances, oldest first.
    pub async fn finding_acceptances(&self, id: &str) -> Result<Vec<AcceptanceRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT justification, accepted_value, accepted_by, approved_by, created_at,
                    expires_at, lapsed_at, lapse_reason
             FROM risk_acceptances WHERE finding_id = ? ORDER BY created_at, id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AcceptanceRow {
                    justification: r.try_get("justification")?,
                    accepted_value: r.try_get("accepted_value")?,
                    accepted_by: r.try_get("accepted_by")?,
                    approved_by: r.try_get("approved_by")?,
                    created_at: r.try_get("created_at")?,
                    expires_at: r.try_get("expires_at")?,
                    lapsed_at: r.try_get("lapsed_at")?,
                    lapse_reason: r.try_get("lapse_reason")?,
                })
            })
            .collect()
    }

    /// The tenant's review scores, oldest first.
    pub async fn score_trend(&self, tenant: TenantId) -> Result<Vec<ScorePoint>, StoreError> {
        let rows: Vec<(String, Option<f64>, String)> = sqlx::query_as(
            "SELECT finished_at, score, capture_id FROM reviews WHERE tenant_id = ?
             ORDER BY finished_at, id",
        )
        .bind(tenant.to_string())
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(at, score, capture_id)| ScorePoint {
                at,
                score,
                capture_id,
            })
            .collect())
    }

    /// The tenant's findings by baseline (then lint, then history) and state.
    pub async fn drift_by_baseline(
        &self,
        tenant: TenantId,
    ) -> Result<Vec<DriftByBaseline>, StoreError> {
        let rows: Vec<(String, Option<String>, String, String, i64)> = sqlx::query_as(
            "SELECT f.source, b.name, f.status, f.severity, COUNT(*)
             FROM findings f LEFT JOIN baselines b ON b.id = f.baseline_id
             WHERE f.tenant_id = ? GROUP BY f.source, b.name, f.status, f.severity",
        )
        .bind(tenant.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut groups: BTreeMap<(u8, String), DriftByBaseline> = BTreeMap::new();
        for (source, baseline, status, severity, count) in rows {
            let (rank, name) = match (source.as_str(), baseline) {
                ("drift", Some(name)) => (0, name),
                ("drift", None) => (0, "(deleted baseline)".to_owned()),
                ("lint", _) => (1, "Lint rules".to_owned()),
                _ => (2, "Changes between captures".to_owned()),
            };
            let entry = groups
                .entry((rank, name.clone()))
                .or_insert_with(|| DriftByBaseline {
                    name,
                    source: source.clone(),
                    ..DriftByBaseline::default()
                });
            rows_by_status(entry, &status, &severity, u32::try_from(count).unwrap_or(0));
        }
        Ok(groups.into_values().collect())
    }

    /// What changed between two captures of one tenant (`from` the earlier).
    pub async fn compare_captures(
        &self,
        from: CaptureId,
        to: CaptureId,
    ) -> Result<CaptureComparison, StoreError> {
        let tenant_of = |capture: CaptureId| async move {
            sqlx::query_scalar::<_, String>("SELECT tenant_id FROM captures WHERE id = ?")
                .bind(capture.to_string())
                .fetch_optional(self.pool())
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    what: "capture",
                    name: capture.to_string(),
                })
        };
        if tenant_of(from).await? != tenant_of(to).await? {
            return Err(StoreError::Invalid(
                "the two captures belong to different tenants: compare captures of one tenant"
                    .to_owned(),
            ));
        }
        let (before, after) = (self.item_metas(from).await?, self.item_metas(to).await?);
        let failed: BTreeSet<String> = sqlx::query_scalar(
            "SELECT kind FROM capture_kinds WHERE capture_id = ? AND ok = 0 ORDER BY kind",
        )
        .bind(to.to_string())
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .collect();
        let (before_keys, after_keys) = (
            super::ItemMeta::keys(&before),
            super::ItemMeta::keys(&after),
        );
        let (b, a) = (
            item_refs(&before, &before_keys),
            item_refs(&after, &after_keys),
        );
        let delta = capture_changes(&b, &a, &failed);
        let policy = |i: &super::ItemMeta, settings: bool, assignments: bool| ChangedPolicy {
            kind: i.kind.clone(),
            name: i.name.clone(),
            external_id: i.external_id.clone(),
            settings_changed: settings,
            assignments_changed: assignments,
        };
        let known: BTreeSet<(&str, &str)> = before
            .iter()
            .map(|i| (i.kind.as_str(), i.external_id.as_str()))
            .collect();
        let gone: BTreeSet<(&str, &str)> = {
            let now: BTreeSet<(&str, &str)> = after
                .iter()
                .map(|i| (i.kind.as_str(), i.external_id.as_str()))
                .collect();
            before
                .iter()
                .filter(|i| !failed.contains(&i.kind))
                .map(|i| (i.kind.as_str(), i.external_id.as_str()))
                .filter(|k| !now.contains(k))
                .collect()
        };
        Ok(CaptureComparison {
            from_capture: from.to_string(),
            to_capture: to.to_string(),
            added: after
                .iter()
                .filter(|i| !known.contains(&(i.kind.as_str(), i.external_id.as_str())))
                .map(|i| policy(i, false, false))
                .collect(),
            removed: before
                .iter()
                .filter(|i| gone.contains(&(i.kind.as_str(), i.external_id.as_str())))
                .map(|i| policy(i, false, false))
                .collect(),
            changed: delta
                .changed
                .iter()
                .map(|(p, c)| {
                    let (x, y) = (&before[*p], &after[*c]);
                    policy(
                        y,
                        x.settings_hash != y.settings_hash,
                        x.assignments_hash != y.assignments_hash,
                    )
                })
                .collect(),
            not_compared_kinds: failed.into_iter().collect(),
        })
    }

    /// The per-tenant ids in the capture's policies that no captured directory object
    /// names (groups, filters, …): settings that cannot be compared across tenants.
    pub async fn unresolved_ids(
        &self,
        capture: CaptureId,
    ) -> Result<Vec<UnresolvedId>, StoreError> {
        let directory = DirectoryIndex::new(&self.directory_objects(capture).await?);
        let items = self.capture_items(capture).await?;
        let mut out = Vec::new();
        for item in &items {
            for marker in normalize(&item.kind, &item.raw, &directory).unresolved {
                out.push(UnresolvedId {
                    id: marker
                        .strip_prefix("unresolved:")
                        .unwrap_or(&marker)
                        .to_owned(),
                    kind: item.kind.clone(),
                    policy: item.name.clone(),
                });
            }
        }
        Ok(out)
    }

    /// The finding's baseline item and its counterpart in the tenant's latest capture,
    /// normalised and compared setting by setting.
    pub async fn policy_diff(&self, finding_id: &str) -> Result<PolicyDiff, StoreError> {
        let finding = self.finding(finding_id).await?;
        let tenant = TenantId::from_str(&finding.tenant_id).map_err(StoreError::corrupt)?;
        let capture: Option<String> = sqlx::query_scalar(
            "SELECT id FROM captures WHERE tenant_id = ? ORDER BY taken_at DESC, id DESC LIMIT 1",
        )
        .bind(tenant.to_string())
        .fetch_optional(self.pool())
        .await?;
        let capture = capture
            .map(|c| CaptureId::from_str(&c).map_err(StoreError::corrupt))
            .transpose()?;
        // The baseline version the finding's review compared with.
        let version: Option<String> = sqlx::query_scalar(
            "SELECT COALESCE(a.baseline_version_id,
                      (SELECT v.id FROM baseline_versions v WHERE v.baseline_id = f.baseline_id
                       AND v.status = 'published' ORDER BY v.version DESC, v.published_at DESC, v.id DESC LIMIT 1))
             FROM findings f LEFT JOIN baseline_assignments a
               ON a.baseline_id = f.baseline_id AND a.tenant_id = f.tenant_id
             WHERE f.id = ? AND f.baseline_id IS NOT NULL",
        )
        .bind(&finding.id)
        .fetch_optional(self.pool())
        .await?
        .flatten();
        let kind = finding.resource_kind.clone();
        let mut diff = PolicyDiff {
            tenant_id: finding.tenant_id.clone(),
            tenant: finding.tenant.clone(),
            resource_kind: kind.clone(),
            baseline: finding.baseline.clone(),
            baseline_version: None,
            baseline_item: None,
            tenant_item: None,
            capture_id: capture.map(|c| c.to_string()),
            settings: Vec::new(),
            assignments: Vec::new(),
            baseline_raw: None,
            tenant_raw: None,
        };
        let mut baseline_norm: Option<Normalized> = None;
        let mut options = BaselineOptions::default();
        // The name tenant items are matched by: the baseline item's policy name, else
        // the finding's item (a tenant item's key for extra, history and lint findings).
        let mut match_name = finding.item.clone();
        if let Some(version) = version {
            let loaded = self.load_baseline_version(&version).await?;
            diff.baseline_version = u32::try_from(loaded.version).ok();
            options = loaded.options.clone();
            let directory = DirectoryIndex::new(&loaded.directory);
            // Items are keyed by name (made unique when names repeat): the exact key
            // first, then the name as the review matches it.
            let exact = loaded
                .items
                .iter()
                .position(|i| i.kind == kind && i.name == finding.item);
            let found = exact.or_else(|| {
                let keys: Vec<(&str, &str)> = loaded
                    .items
                    .iter()
                    .map(|i| (i.kind.as_str(), i.name.as_str()))
                    .collect();
                let wanted = [(kind.as_str(), finding.item.as_str())];
                match_items(&wanted, &keys, &options, &|_, _| 0.0)
                    .pairs
                    .first()
                    .map(|(_, index)| *index)
            });
            if let Some(index) = found {
                let item = &loaded.items[index];
                diff.baseline_item = Some(item.name.clone());
                diff.baseline_raw = Some(pretty(&item.raw));
                baseline_norm = Some(normalize(&item.kind, &item.raw, &directory));
                match_name = item.match_name.clone().unwrap_or_else(|| item.name.clone());
            }
        }
        let mut tenant_norm: Option<Normalized> = None;
        if let Some(capture) = capture {
            let items = self.capture_items(capture).await?;
            let directory = DirectoryIndex::new(&self.directory_objects(capture).await?);
            let inputs: Vec<KeyInput<'_>> = items
                .iter()
                .map(|i| KeyInput {
                    kind: &i.kind,
                    name: &i.name,
                    external_id: &i.external_id,
                    content_hash: &i.blob_sha256,
                })
                .collect();
            let item_keys = crate::identity::item_keys(&inputs);
            let exact = items
                .iter()
                .zip(&item_keys)
                .position(|(i, key)| i.kind == kind && *key == finding.item);
            // Same-named tenant items: the one closest to the baseline item, as in a review.
            let found = exact.map(|i| (i, None)).or_else(|| {
                let names: Vec<(&str, &str)> = items
                    .iter()
                    .map(|i| (i.kind.as_str(), i.name.as_str()))
                    .collect();
                let wanted = [(kind.as_str(), match_name.as_str())];
                let candidates: Vec<usize> = (0..items.len())
                    .filter(|t| {
                        !match_items(&wanted, &names[*t..=*t], &options, &|_, _| 0.0)
                            .pairs
                            .is_empty()
                    })
                    .collect();
                let normalized: Vec<(usize, Normalized)> = candidates
                    .into_iter()
                    .map(|t| (t, normalize(&items[t].kind, &items[t].raw, &directory)))
                    .collect();
                normalized
                    .into_iter()
                    .map(|(t, n)| {
                        let score = baseline_norm
                            .as_ref()
                            .map_or(0.0, |b| crate::drift::similarity(b, &n));
                        (score, t, n)
                    })
                    .min_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)))
                    .map(|(_, t, n)| (t, Some(n)))
            });
            if let Some((index, normalized)) = found {
                let item = &items[index];
                diff.tenant_item = Some(item_keys[index].clone());
                diff.tenant_raw = Some(pretty(&item.raw));
                tenant_norm = Some(
                    normalized.unwrap_or_else(|| normalize(&item.kind, &item.raw, &directory)),
                );
            }
        }
        let definitions = self
            .known_definitions(
                baseline_norm
                    .iter()
                    .chain(tenant_norm.iter())
                    .flat_map(|n| n.settings.keys().map(String::as_str)),
            )
            .await?;
        let labels = Labels::new([&definitions]);
        diff.settings = diff_rows(
            &kind,
            baseline_norm.as_ref().map(|n| &n.settings),
            tenant_norm.as_ref().map(|n| &n.settings),
            Some(&labels),
        );
        diff.assignments = diff_rows(
            &kind,
            baseline_norm.as_ref().map(|n| &n.assignments),
            tenant_norm.as_ref().map(|n| &n.assignments),
            None,
        );
        Ok(diff)
    }

    /// When the tenant's latest capture was taken, if any.
    pub async fn latest_capture(
        &self,
        tenant: TenantId,
    ) -> Result<Option<(CaptureId, DateTime<Utc>)>, StoreError> {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT id, taken_at FROM captures WHERE tenant_id = ? ORDER BY taken_at DESC, id DESC LIMIT 1",
        )
        .bind(tenant.to_string())
        .fetch_optional(self.pool())
        .await?;
        row.map(|(id, at)| {
            Ok((
                CaptureId::from_str(&id).map_err(StoreError::corrupt)?,
                parse_timestamp(&at)?,
            ))
        })
        .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(n: usize) -> ConsoleFinding {
        let severity = SEVERITIES[n % 4];
        ConsoleFinding {
            id: format!("{n:08}-0000-7000-8000-000000000000"),
            tenant_id: format!("tenant-{}", n % 1000),
            tenant: format!("Tenant {:04}", n % 1000),
            source: SOURCES[n % 3].to_owned(),
            baseline: n.is_multiple_of(3).then(|| format!("Baseline {}", n % 2)),
            rule: (n % 3 == 1).then(|| "naming".to_owned()),
            resource_kind: "settings_catalog".to_owned(),
            item: format!("Win - Policy {}", n % 200),
            setting_path: format!("setting_{}", n % 37),
            drift_kind: "setting_changed".to_owned(),
            severity: severity.to_owned(),
            title: format!("Policy {} setting {} differs", n % 200, n % 37),
            status: STATUSES[n % 5].to_owned(),
            not_assessed: false,
            reopen_count: 0,
            first_seen_at: "2026-11-01T00:00:00.000Z".to_owned(),
            last_seen_at: format!("2026-11-{:02}T00:00:00.000Z", 1 + n % 28),
            due_at: Some(format!("2026-12-{:02}T00:00:00.000Z", 1 + n % 28)),
            accepted_until: None,
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-10T00:00:00Z")
            .expect("date")
            .with_timezone(&Utc)
    }

    #[test]
    fn filters_combine_and_pages_follow_the_order() {
        let index = FindingsIndex::new((0..1000).map(finding).collect());
        let all = index.query(
            &FindingQuery {
                limit: 10,
                ..FindingQuery::default()
            },
            now(),
        );
        assert_eq!((all.total, all.matched, all.rows.len()), (1000, 1000, 10));
        assert!(all.rows.iter().all(|r| r.severity == "critical"));
        assert_eq!(all.severity_counts.critical, 250);
        assert_eq!(all.baselines, vec!["Baseline 0", "Baseline 1"]);

        let query = FindingQuery {
            severities: vec!["high".into()],
            statuses: vec!["open".into(), "acknowledged".into()],
            kinds: vec!["drift".into()],
            limit: 2000,
            ..FindingQuery::default()
        };
        let page = index.query(&query, now());
        let expected = (0..1000)
            .filter(|n| n % 4 == 1 && n % 5 < 2 && n % 3 == 0)
            .count();
        assert_eq!(page.matched as usize, expected);
        assert!(page.rows.iter().all(|r| r.severity == "high"
            && r.source == "drift"
            && (r.status == "open" || r.status == "acknowledged")));

        let tenant = index.query(
            &FindingQuery {
                tenant_ids: vec!["tenant-7".into()],
                search: "POLICY 7 ".into(),
                limit: 100,
                ..FindingQuery::default()
            },
            now(),
        );
        assert_eq!(tenant.matched, 1);
        assert_eq!(tenant.rows[0].id, finding(7).id);

        let baseline = index.query(
            &FindingQuery {
                baselines: vec!["Baseline 1".into()],
                limit: 0,
                ..FindingQuery::default()
            },
            now(),
        );
        assert_eq!(
            baseline.matched as usize,
            (0..1000).filter(|n| n % 3 == 0 && n % 2 == 1).count()
        );
        assert!(baseline.rows.is_empty(), "limit 0 counts only");

        let overdue = index.query(
            &FindingQuery {
                due: Some(DueFilter::Overdue),
                sort: FindingSort::Due,
                limit: 2000,
                ..FindingQuery::default()
            },
            now(),
        );
        assert!(overdue.matched > 0);
        assert!(overdue
            .rows
            .iter()
            .all(|r| r.due_at.as_deref() < Some("2026-12-10")
                && (r.status == "open" || r.status == "acknowledged")));
        assert!(overdue.rows.windows(2).all(|w| w[0].due_at <= w[1].due_at));

        let second = index.query(
            &FindingQuery {
                offset: 995,
                limit: 10,
                ..FindingQuery::default()
            },
            now(),
        );
        assert_eq!(second.rows.len(), 5);
        assert!(second.rows.iter().all(|r| r.severity == "low"));
    }

    #[test]
    fn search_words_match_any_searched_field_and_rows_come_back_whole() {
        let mut odd = finding(1);
        odd.id = "ABC-Mixed-Case".to_owned();
        odd.rule = Some("NamingRule".to_owned());
        odd.accepted_until = Some("2027-01-01T00:00:00.000Z".to_owned());
        let rows: Vec<ConsoleFinding> = (0..50).map(finding).chain([odd.clone()]).collect();
        let index = FindingsIndex::new(rows.clone());
        let search = |text: &str| {
            let page = index.query(
                &FindingQuery {
                    search: text.into(),
                    limit: 100,
                    ..FindingQuery::default()
                },
                now(),
            );
            page.rows.into_iter().map(|r| r.id).collect::<Vec<_>>()
        };
        // Each word in its own field: the id (any case), the rule, the tenant.
        assert_eq!(search("mixed namingrule tenant 0001"), vec![odd.id.clone()]);
        assert_eq!(search("abc-MIXED"), vec![odd.id.clone()]);
        // A word must occur: none holds "absent".
        assert!(search("namingrule absent").is_empty());
        // Against a plain scan of the searched fields, for several queries.
        let naive = |text: &str| -> Vec<String> {
            let query = FindingQuery {
                search: text.into(),
                ..FindingQuery::default()
            };
            let mut hits: Vec<String> = rows
                .iter()
                .filter(|r| plainly_matches(r, &query))
                .map(|r| r.id.clone())
                .collect();
            hits.sort();
            hits
        };
        for text in [
            "baseline 1 differs",
            "policy 4",
            "SETTING_3 tenant",
            "7000",
            "win -",
        ] {
            let mut found = search(text);
            found.sort();
            assert_eq!(found, naive(text), "search {text:?}");
            assert!(!found.is_empty(), "search {text:?} finds something");
        }
        // Rows come back as they went in, optional fields included.
        let all = index.query(
            &FindingQuery {
                limit: 100,
                ..FindingQuery::default()
            },
            now(),
        );
        let back = all
            .rows
            .iter()
            .find(|r| r.id == odd.id)
            .expect("the odd row");
        assert_eq!(back, &odd);
        for row in &all.rows {
            let original = rows.iter().find(|r| r.id == row.id).expect("known id");
            assert_eq!(row, original);
        }
    }

    /// `query`'s filters applied to one row the plain way (no due filter but overdue).
    fn plainly_matches(r: &ConsoleFinding, q: &FindingQuery) -> bool {
        let any =
            |wanted: &[String], value: &str| wanted.is_empty() || wanted.iter().any(|w| w == value);
        let fields = [
            r.title.as_str(),
            &r.item,
            &r.setting_path,
            &r.tenant,
            r.baseline.as_deref().unwrap_or(""),
            r.rule.as_deref().unwrap_or(""),
            &r.id,
        ]
        .map(str::to_lowercase);
        any(&q.severities, &r.severity)
            && any(&q.statuses, &r.status)
            && any(&q.kinds, &r.source)
            && any(&q.tenant_ids, &r.tenant_id)
            && (q.baselines.is_empty()
                || r.baseline.as_ref().is_some_and(|b| q.baselines.contains(b)))
            && match q.due {
                None => true,
                Some(DueFilter::Overdue) => {
                    (r.status == "open" || r.status == "acknowledged")
                        && r.due_at.as_deref().is_some_and(|d| d < "2026-12-10")
                }
                Some(other) => unreachable!("not used here: {other:?}"),
            }
            && q.search
                .split_whitespace()
                .all(|w| fields.iter().any(|f| f.contains(&w.to_lowercase())))
    }

    /// Checks the filters at scale against [`plainly_matches`] and prints their figures on
    /// 100,000 findings (run with `--nocapture`; release
    /// builds for the quoted figure: `cargo test --release -p plumbline-core
    /// console::tests::figures -- --nocapture`). Not a timed assertion.
    #[test]
    fn figures_for_100k_findings() {
        let rows: Vec<ConsoleFinding> = (0..100_000).map(finding).collect();
        let started = std::time::Instant::now();
        let index = FindingsIndex::new(rows.clone());
        let built = started.elapsed();
        let queries = [
            ("no filter", FindingQuery::default()),
            (
                "severity high+critical, active",
                FindingQuery {
                    severities: vec!["critical".into(), "high".into()],
                    statuses: vec!["open".into(), "acknowledged".into()],
                    ..FindingQuery::default()
                },
            ),
            (
                "search \"policy 42\", sorted by due",
                FindingQuery {
                    search: "policy 42".into(),
                    sort: FindingSort::Due,
                    ..FindingQuery::default()
                },
            ),
            (
                "one tenant + baseline + overdue",
                FindingQuery {
                    tenant_ids: vec!["tenant-5".into()],
                    baselines: vec!["Baseline 1".into()],
                    due: Some(DueFilter::Overdue),
                    ..FindingQuery::default()
                },
            ),
        ];
        println!("findings index of 100,000 built in {built:?}");
        for (name, mut query) in queries {
            query.limit = 200;
            let mut best = u32::MAX;
            for _ in 0..5 {
                best = best.min(index.query(&query, now()).filter_micros);
            }
            let page = index.query(&query, now());
            assert_eq!(
                page.matched as usize,
                rows.iter().filter(|r| plainly_matches(r, &query)).count(),
                "{name}"
            );
            println!(
                "filter {name}: {} matched, best of 5: {:.2} ms",
                page.matched,
                f64::from(best) / 1000.0
            );
        }
    }
}

//! What reports and exports are made from: the facts of one tenant over a period, of
//! the whole portfolio, and the rows of the CSV exports; and the record of a generated
//! report.
//!
//! The structs here mirror `plumbline_reports::data` field by field (core does not depend
//! on the report renderer, which pulls in printpdf): a caller hands them over as JSON
//! (`serde_json::to_value` then `from_value`), and the renderer's types refuse unknown
//! fields, so a mismatch fails the reports' integration tests instead of passing
//! silently. Change both sides together.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::{parse_timestamp, timestamp, Store, StoreError};
use crate::audit::{self, AuditRecord};
use crate::drift::{self, ItemRef};
use crate::kinds;
use crate::model::{CaptureSummary, TenantId};

/// Scores kept per tenant for the portfolio trend.
pub const PORTFOLIO_HISTORY: usize = 12;
/// Rows of "most common findings" in the portfolio report.
pub const PORTFOLIO_TOP_FINDINGS: i64 = 15;

#[derive(Clone, Debug, Serialize)]
pub struct ReportTenant {
    pub id: String,
    pub name: String,
    pub primary_domain: Option<String>,
    pub entra_tenant_id: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportReview {
    pub id: String,
    pub finished_at: DateTime<Utc>,
    pub score: Option<f64>,
    pub assessed_settings: u32,
    pub compliant_settings: u32,
    pub accepted_settings: u32,
    pub not_assessed_kinds: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportTransition {
    pub at: DateTime<Utc>,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor: String,
    pub reason: Option<String>,
    /// A concurrent decision that won over this step (which stays in the history): who
    /// made it, with what, when. Left out when none did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded: Option<super::findings::Supersession>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportFinding {
    pub id: String,
    pub tenant_id: String,
    pub tenant: String,
    pub title: String,
    pub severity: String,
    pub status: String,
    pub source: String,
    pub baseline: Option<String>,
    pub resource_kind: String,
    pub kind_label: String,
    pub item: String,
    pub setting_path: String,
    pub drift_kind: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub reopen_count: i64,
    pub not_assessed: bool,
    pub history: Vec<ReportTransition>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportAcceptance {
    pub id: String,
    pub finding_id: String,
    pub tenant: String,
    pub finding_title: String,
    pub severity: String,
    pub justification: String,
    pub accepted_value: Option<String>,
    pub accepted_by: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub lapsed_at: Option<DateTime<Utc>>,
    pub lapse_reason: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportCapture {
    pub id: String,
    pub taken_at: DateTime<Utc>,
    pub source: String,
    pub item_count: u32,
    pub failed_kinds: Vec<String>,
}

impl From<&CaptureSummary> for ReportCapture {
    fn from(c: &CaptureSummary) -> Self {
        Self {
            id: c.id.to_string(),
            taken_at: c.taken_at,
            source: c.source.as_str().to_owned(),
            item_count: c.item_count,
            failed_kinds: c
                .kind_status
                .iter()
                .filter(|(_, s)| !s.ok)
                .map(|(k, _)| k.clone())
                .collect(),
        }
    }
}

/// `deleted` (a ghost policy), `added` or `modified`.
#[derive(Clone, Debug, Serialize)]
pub struct ReportChange {
    pub change: &'static str,
    pub resource_kind: String,
    pub kind_label: String,
    pub name: String,
    pub external_id: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportBaseline {
    pub id: String,
    pub name: String,
    pub version: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportKindCount {
    pub resource_kind: String,
    pub kind_label: String,
    pub items: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportInventoryItem {
    pub tenant: String,
    pub capture_id: String,
    pub taken_at: DateTime<Utc>,
    pub resource_kind: String,
    pub kind_label: String,
    pub name: String,
    pub external_id: String,
    pub odata_type: Option<String>,
    pub blob_sha256: String,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct ReportPeriod {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// The facts of one tenant over a period (mirrors `plumbline_reports::ExecutiveData`).
#[derive(Clone, Debug, Serialize)]
pub struct ExecutiveSource {
    pub tenant: ReportTenant,
    pub period: ReportPeriod,
    pub reviews: Vec<ReportReview>,
    pub review_before: Option<ReportReview>,
    pub findings: Vec<ReportFinding>,
    pub acceptances: Vec<ReportAcceptance>,
    pub baselines: Vec<ReportBaseline>,
    pub latest_capture: Option<ReportCapture>,
    pub previous_capture: Option<ReportCapture>,
    pub changes: Vec<ReportChange>,
    pub inventory: Vec<ReportKindCount>,
}

#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct ReportSeverityCounts {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
}

impl ReportSeverityCounts {
    fn add(&mut self, severity: &str, n: u32) {
        match severity {
            "critical" => self.critical += n,
            "high" => self.high += n,
            "medium" => self.medium += n,
            _ => self.low += n,
        }
    }
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct ReportScoreSample {
    pub at: DateTime<Utc>,
    pub score: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportPortfolioTenant {
    pub id: String,
    pub name: String,
    pub score: Option<f64>,
    pub previous_score: Option<f64>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub history: Vec<ReportScoreSample>,
    pub open: ReportSeverityCounts,
    pub by_category: BTreeMap<String, ReportSeverityCounts>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportCategory {
    pub key: String,
    pub label: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportCommonFinding {
    pub resource_kind: String,
    pub kind_label: String,
    pub item: String,
    pub setting_path: String,
    pub drift_kind: String,
    pub severity: String,
    pub title: String,
    pub tenants: u32,
    pub findings: u32,
}

/// The facts of the whole portfolio (mirrors `plumbline_reports::PortfolioData`).
#[derive(Clone, Debug, Serialize)]
pub struct PortfolioSource {
    pub workspace: String,
    pub tenants: Vec<ReportPortfolioTenant>,
    pub categories: Vec<ReportCategory>,
    pub top_findings: Vec<ReportCommonFinding>,
}

/// A generated report to record.
#[derive(Clone, Debug)]
pub struct NewReport {
    pub tenant: Option<TenantId>,
    /// `executive`, `portfolio`, `export_findings`, …
    pub kind: String,
    /// `pdf` or `csv`.
    pub format: String,
    pub parameters: Value,
    pub sha256: String,
    pub size: u64,
    pub path: Option<String>,
}

/// A recorded report.
#[derive(Clone, Debug, Serialize)]
pub struct ReportRow {
    pub id: String,
    pub tenant_id: Option<String>,
    pub kind: String,
    pub format: String,
    pub parameters: Value,
    pub created_at: String,
    pub sha256: String,
    pub size: i64,
    pub path: Option<String>,
}

const FINDING_SELECT: &str = "
    SELECT f.id, f.tenant_id, t.display_name AS tenant_name, f.title, f.severity, f.status,
           f.source, b.name AS baseline_name, f.resource_kind, f.item_key, f.setting_path,
           f.drift_kind, f.expected, f.actual, f.first_seen_at, f.last_seen_at, f.resolved_at,
           f.due_at, f.reopen_count, f.not_assessed
    FROM findings f JOIN tenants t ON t.id = f.tenant_id
    LEFT JOIN baselines b ON b.id = f.baseline_id
    WHERE t.workspace_id = ";

const ACCEPTANCE_SELECT: &str = "
    SELECT r.id, r.finding_id, t.display_name AS tenant_name, f.title, f.severity,
           r.justification, r.accepted_value, r.accepted_by, r.approved_by, r.approved_at,
           r.created_at, r.expires_at, r.lapsed_at, r.lapse_reason
    FROM risk_acceptances r JOIN findings f ON f.id = r.finding_id
    JOIN tenants t ON t.id = f.tenant_id
    WHERE t.workspace_id = ";

/// The categories findings are grouped by in the portfolio report (and the console's
/// Portfolio page): the resource kinds in `used`, registry order first, then anything
/// else (unknown kinds) by key.
pub(super) fn report_categories(mut used: BTreeSet<String>) -> Vec<ReportCategory> {
    let mut categories: Vec<ReportCategory> = kinds::KINDS
        .iter()
        .filter(|k| used.remove(k.key))
        .map(|k| ReportCategory {
            key: k.key.to_owned(),
            label: k.label.to_owned(),
        })
        .collect();
    categories.extend(used.into_iter().map(|key| ReportCategory {
        label: kinds::label(&key).to_owned(),
        key,
    }));
    categories
}

fn opt_time(
    row: &sqlx::sqlite::SqliteRow,
    column: &str,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let text: Option<String> = row.try_get(column)?;
    text.as_deref().map(parse_timestamp).transpose()
}

fn time(row: &sqlx::sqlite::SqliteRow, column: &str) -> Result<DateTime<Utc>, StoreError> {
    parse_timestamp(&row.try_get::<String, _>(column)?)
}

fn item_refs<'a>(items: &'a [super::ItemMeta], keys: &'a [String]) -> Vec<ItemRef<'a>> {
    items
        .iter()
        .zip(keys)
        .map(|(m, key)| ItemRef {
            kind: &m.kind,
            external_id: &m.external_id,
            name: &m.name,
            key,
            settings_hash: &m.settings_hash,
            assignments_hash: &m.assignments_hash,
        })
        .collect()
}

fn review_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<ReportReview, StoreError> {
    let detail: String = row.try_get("score_detail")?;
    let detail: Value = serde_json::from_str(&detail).unwrap_or(Value::Null);
    let count = |key: &str| {
        detail
            .get(key)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0)
    };
    Ok(ReportReview {
        id: row.try_get("id")?,
        finished_at: time(row, "finished_at")?,
        score: row.try_get("score")?,
        assessed_settings: count("assessed_settings"),
        compliant_settings: count("compliant_settings"),
        accepted_settings: count("accepted_settings"),
        not_assessed_kinds: detail
            .get("not_assessed_kinds")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

impl Store {
    /// The facts of one tenant's executive report for the period `from..=to`.
    pub async fn executive_source(
        &self,
        tenant: TenantId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<ExecutiveSource, StoreError> {
        let summary = self.tenant(&tenant.to_string()).await?;
        let rows = sqlx::query(
            "SELECT id, finished_at, score, score_detail, capture_id, previous_capture_id
             FROM reviews WHERE tenant_id = ? AND finished_at <= ? ORDER BY finished_at, id",
        )
        .bind(tenant.to_string())
        .bind(timestamp(to))
        .fetch_all(self.pool())
        .await?;
        let mut reviews = Vec::new();
        let mut review_before = None;
        let mut latest_captures: Option<(String, Option<String>)> = None;
        for row in &rows {
            let review = review_from_row(row)?;
            if review.finished_at < from {
                review_before = Some(review);
            } else {
                latest_captures = Some((
                    row.try_get("capture_id")?,
                    row.try_get("previous_capture_id")?,
                ));
                reviews.push(review);
            }
        }

        let findings = self.report_findings(Some(tenant), Some((from, to))).await?;
        let acceptances = self
            .report_acceptances(Some(tenant), Some((from, to)))
            .await?;

        let mut baselines = Vec::new();
        for assignment in self.assignments(tenant).await? {
            let version: Option<i64> = match &assignment.version_id {
                Some(id) => {
                    sqlx::query_scalar("SELECT version FROM baseline_versions WHERE id = ?")
                        .bind(id)
                        .fetch_optional(self.pool())
                        .await?
                }
                None => None,
            };
            baselines.push(ReportBaseline {
                id: assignment.baseline_id,
                name: assignment.baseline_name,
                version,
            });
        }

        // The captures the latest review compared; without a review, the latest two.
        let captures = self.list_captures(tenant).await?;
        let find = |id: &str| captures.iter().find(|c| c.id.to_string() == id);
        let (latest, previous) = match &latest_captures {
            Some((current, previous)) => (find(current), previous.as_deref().and_then(find)),
            None => {
                let in_period: Vec<&CaptureSummary> =
                    captures.iter().filter(|c| c.taken_at <= to).collect();
                (in_period.first().copied(), in_period.get(1).copied())
            }
        };
        let (changes, inventory) = match latest {
            Some(latest) => self.capture_delta(latest, previous).await?,
            None => (Vec::new(), Vec::new()),
        };

        Ok(ExecutiveSource {
            tenant: ReportTenant {
                id: summary.id.to_string(),
                name: summary.name,
                primary_domain: summary.primary_domain,
                entra_tenant_id: summary.entra_tenant_id,
            },
            period: ReportPeriod { from, to },
            reviews,
            review_before,
            findings,
            acceptances,
            baselines,
            latest_capture: latest.map(ReportCapture::from),
            previous_capture: previous.map(ReportCapture::from),
            changes,
            inventory,
        })
    }

    /// Policies added, deleted and modified from `previous` to `latest`, and the item
    /// counts of `latest` by kind.
    async fn capture_delta(
        &self,
        latest: &CaptureSummary,
        previous: Option<&CaptureSummary>,
    ) -> Result<(Vec<ReportChange>, Vec<ReportKindCount>), StoreError> {
        let current = self.item_metas(latest.id).await?;
        let mut by_kind: BTreeMap<&str, u32> = BTreeMap::new();
        for item in &current {
            *by_kind.entry(item.kind.as_str()).or_default() += 1;
        }
        let inventory = by_kind
            .into_iter()
            .map(|(kind, items)| ReportKindCount {
                resource_kind: kind.to_owned(),
                kind_label: kinds::label(kind).to_owned(),
                items,
            })
            .collect();
        let Some(previous) = previous else {
            return Ok((Vec::new(), inventory));
        };
        let before = self.item_metas(previous.id).await?;
        let failed: BTreeSet<String> = latest
            .kind_status
            .iter()
            .filter(|(_, s)| !s.ok)
            .map(|(k, _)| k.clone())
            .collect();
        let (before_keys, current_keys) = (
            super::ItemMeta::keys(&before),
            super::ItemMeta::keys(&current),
        );
        let before_refs = item_refs(&before, &before_keys);
        let current_refs = item_refs(&current, &current_keys);
        let delta = drift::capture_changes(&before_refs, &current_refs, &failed);
        let mut changes = Vec::new();
        let before_ids: HashMap<(&str, &str), usize> = before
            .iter()
            .enumerate()
            .map(|(i, m)| ((m.kind.as_str(), m.external_id.as_str()), i))
            .collect();
        // Ghosts: the engine's deleted items carry the name; find their ids again.
        let current_ids: BTreeSet<(&str, &str)> = current
            .iter()
            .map(|m| (m.kind.as_str(), m.external_id.as_str()))
            .collect();
        for item in &before {
            if failed.contains(&item.kind)
                || current_ids.contains(&(item.kind.as_str(), item.external_id.as_str()))
            {
                continue;
            }
            changes.push(ReportChange {
                change: "deleted",
                resource_kind: item.kind.clone(),
                kind_label: kinds::label(&item.kind).to_owned(),
                name: item.name.clone(),
                external_id: item.external_id.clone(),
            });
        }
        for item in &current {
            if !before_ids.contains_key(&(item.kind.as_str(), item.external_id.as_str())) {
                changes.push(ReportChange {
                    change: "added",
                    resource_kind: item.kind.clone(),
                    kind_label: kinds::label(&item.kind).to_owned(),
                    name: item.name.clone(),
                    external_id: item.external_id.clone(),
                });
            }
        }
        for (_, c) in &delta.changed {
            let item = &current[*c];
            changes.push(ReportChange {
                change: "modified",
                resource_kind: item.kind.clone(),
                kind_label: kinds::label(&item.kind).to_owned(),
                name: item.name.clone(),
                external_id: item.external_id.clone(),
            });
        }
        Ok((changes, inventory))
    }

    /// Findings with their history: of one tenant or all, and when a period is given,
    /// those alive during it (first seen before its end, not resolved before its start).
    /// Most severe first, then by tenant, item and setting.
    pub async fn report_findings(
        &self,
        tenant: Option<TenantId>,
        period: Option<(DateTime<Utc>, DateTime<Utc>)>,
    ) -> Result<Vec<ReportFinding>, StoreError> {
        let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(FINDING_SELECT);
        builder.push_bind(self.workspace().to_string());
        if let Some(tenant) = tenant {
            builder
                .push(" AND f.tenant_id = ")
                .push_bind(tenant.to_string());
        }
        if let Some((from, to)) = period {
            builder
                .push(" AND f.first_seen_at <= ")
                .push_bind(timestamp(to))
                .push(" AND (f.resolved_at IS NULL OR f.resolved_at >= ")
                .push_bind(timestamp(from))
                .push(")");
        }
        builder.push(
            " ORDER BY CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END,
              t.display_name, f.item_key, f.setting_path, f.id",
        );
        let rows = builder.build().fetch_all(self.pool()).await?;
        let mut findings = Vec::with_capacity(rows.len());
        let mut index: HashMap<String, usize> = HashMap::with_capacity(rows.len());
        for row in &rows {
            let kind: String = row.try_get("resource_kind")?;
            let id: String = row.try_get("id")?;
            index.insert(id.clone(), findings.len());
            findings.push(ReportFinding {
                id,
                tenant_id: row.try_get("tenant_id")?,
                tenant: row.try_get("tenant_name")?,
                title: row.try_get("title")?,
                severity: row.try_get("severity")?,
                status: row.try_get("status")?,
                source: row.try_get("source")?,
                baseline: row.try_get("baseline_name")?,
                kind_label: kinds::label(&kind).to_owned(),
                resource_kind: kind,
                item: row.try_get("item_key")?,
                setting_path: row.try_get("setting_path")?,
                drift_kind: row.try_get("drift_kind")?,
                expected: row.try_get("expected")?,
                actual: row.try_get("actual")?,
                first_seen_at: time(row, "first_seen_at")?,
                last_seen_at: time(row, "last_seen_at")?,
                resolved_at: opt_time(row, "resolved_at")?,
                due_at: opt_time(row, "due_at")?,
                reopen_count: row.try_get("reopen_count")?,
                not_assessed: row.try_get("not_assessed")?,
                history: Vec::new(),
            });
        }
        // Histories in one pass over the transitions of the same findings.
        let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT tr.finding_id, tr.at, tr.from_status, tr.to_status, tr.actor, tr.reason,
                    tr.superseded_by, s.actor AS by_actor, s.to_status AS by_status, s.at AS by_at
             FROM finding_transitions tr JOIN findings f ON f.id = tr.finding_id
             JOIN tenants t ON t.id = f.tenant_id
             LEFT JOIN finding_transitions s
               ON s.finding_id = tr.finding_id AND s.decision_id = tr.superseded_by
             WHERE t.workspace_id = ",
        );
        builder.push_bind(self.workspace().to_string());
        if let Some(tenant) = tenant {
            builder
                .push(" AND f.tenant_id = ")
                .push_bind(tenant.to_string());
        }
        builder.push(" ORDER BY tr.finding_id, tr.at, tr.id");
        for row in builder.build().fetch_all(self.pool()).await? {
            let finding: String = row.try_get("finding_id")?;
            let Some(i) = index.get(&finding) else {
                continue;
            };
            let superseded_by: Option<String> = row.try_get("superseded_by")?;
            findings[*i].history.push(ReportTransition {
                at: time(&row, "at")?,
                from_status: row.try_get("from_status")?,
                to_status: row.try_get("to_status")?,
                actor: row.try_get("actor")?,
                reason: row.try_get("reason")?,
                superseded: match superseded_by {
                    Some(decision_id) => Some(super::findings::Supersession {
                        decision_id,
                        actor: row
                            .try_get::<Option<String>, _>("by_actor")?
                            .unwrap_or_default(),
                        to_status: row
                            .try_get::<Option<String>, _>("by_status")?
                            .unwrap_or_default(),
                        at: row
                            .try_get::<Option<String>, _>("by_at")?
                            .unwrap_or_default(),
                    }),
                    None => None,
                },
            });
        }
        Ok(findings)
    }

    /// Risk acceptances (live and lapsed) of one tenant or all; with a period, those in
    /// force at some time during it. By expiry.
    pub async fn report_acceptances(
        &self,
        tenant: Option<TenantId>,
        period: Option<(DateTime<Utc>, DateTime<Utc>)>,
    ) -> Result<Vec<ReportAcceptance>, StoreError> {
        let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(ACCEPTANCE_SELECT);
        builder.push_bind(self.workspace().to_string());
        if let Some(tenant) = tenant {
            builder
                .push(" AND f.tenant_id = ")
                .push_bind(tenant.to_string());
        }
        if let Some((from, to)) = period {
            builder
                .push(" AND r.created_at <= ")
                .push_bind(timestamp(to))
                .push(" AND (r.lapsed_at IS NULL OR r.lapsed_at >= ")
                .push_bind(timestamp(from))
                .push(")");
        }
        builder.push(" ORDER BY r.expires_at, r.id");
        let rows = builder.build().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                Ok(ReportAcceptance {
                    id: row.try_get("id")?,
                    finding_id: row.try_get("finding_id")?,
                    tenant: row.try_get("tenant_name")?,
                    finding_title: row.try_get("title")?,
                    severity: row.try_get("severity")?,
                    justification: row.try_get("justification")?,
                    accepted_value: row.try_get("accepted_value")?,
                    accepted_by: row.try_get("accepted_by")?,
                    approved_by: row.try_get("approved_by")?,
                    approved_at: opt_time(row, "approved_at")?,
                    created_at: time(row, "created_at")?,
                    expires_at: time(row, "expires_at")?,
                    lapsed_at: opt_time(row, "lapsed_at")?,
                    lapse_reason: row.try_get("lapse_reason")?,
                })
            })
            .collect()
    }

    /// The items of each tenant's latest capture (one tenant or all), by tenant, kind and
    /// name.
    pub async fn report_inventory(
        &self,
        tenant: Option<TenantId>,
    ) -> Result<Vec<ReportInventoryItem>, StoreError> {
        let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT t.display_name, c.id AS capture_id, c.taken_at, i.kind, i.name, i.external_id,
                    i.odata_type, i.blob_sha256
             FROM tenants t
             JOIN captures c ON c.id = (SELECT c2.id FROM captures c2 WHERE c2.tenant_id = t.id
                                        ORDER BY c2.taken_at DESC, c2.id DESC LIMIT 1)
             JOIN config_items i ON i.capture_id = c.id
             WHERE t.workspace_id = ",
        );
        builder.push_bind(self.workspace().to_string());
        if let Some(tenant) = tenant {
            builder.push(" AND t.id = ").push_bind(tenant.to_string());
        }
        builder
            .push(" ORDER BY t.display_name COLLATE NOCASE, t.id, i.kind, i.name, i.external_id");
        let rows = builder.build().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                Ok(ReportInventoryItem {
                    tenant: row.try_get("display_name")?,
                    capture_id: row.try_get("capture_id")?,
                    taken_at: time(row, "taken_at")?,
                    kind_label: kinds::label(&kind).to_owned(),
                    resource_kind: kind,
                    name: row.try_get("name")?,
                    external_id: row.try_get("external_id")?,
                    odata_type: row.try_get("odata_type")?,
                    blob_sha256: row.try_get("blob_sha256")?,
                })
            })
            .collect()
    }

    /// The facts of the portfolio report: every tenant with its score history and open
    /// findings by category, and the most common open findings. A handful of queries
    /// whatever the number of tenants.
    pub async fn portfolio_source(&self) -> Result<PortfolioSource, StoreError> {
        let workspace = self.workspace().to_string();
        let name: String = sqlx::query_scalar("SELECT name FROM workspaces WHERE id = ?")
            .bind(&workspace)
            .fetch_one(self.pool())
            .await?;
        let tenants = sqlx::query(
            "SELECT id, display_name FROM tenants WHERE workspace_id = ? ORDER BY display_name COLLATE NOCASE, id",
        )
        .bind(&workspace)
        .fetch_all(self.pool())
        .await?;
        let mut out: Vec<ReportPortfolioTenant> = Vec::with_capacity(tenants.len());
        let mut index: HashMap<String, usize> = HashMap::with_capacity(tenants.len());
        for row in &tenants {
            let id: String = row.try_get("id")?;
            index.insert(id.clone(), out.len());
            out.push(ReportPortfolioTenant {
                id,
                name: row.try_get("display_name")?,
                score: None,
                previous_score: None,
                reviewed_at: None,
                history: Vec::new(),
                open: ReportSeverityCounts::default(),
                by_category: BTreeMap::new(),
            });
        }

        // Reviews oldest first: the last two give the score and its predecessor.
        let reviews = sqlx::query(
            "SELECT r.tenant_id, r.finished_at, r.score FROM reviews r
             JOIN tenants t ON t.id = r.tenant_id WHERE t.workspace_id = ?
             ORDER BY r.tenant_id, r.finished_at, r.id",
        )
        .bind(&workspace)
        .fetch_all(self.pool())
        .await?;
        for row in &reviews {
            let tenant: String = row.try_get("tenant_id")?;
            let Some(i) = index.get(&tenant) else {
                continue;
            };
            let entry = &mut out[*i];
            let at = time(row, "finished_at")?;
            let score: Option<f64> = row.try_get("score")?;
            entry.previous_score = if entry.reviewed_at.is_some() {
                entry.score
            } else {
                None
            };
            entry.score = score;
            entry.reviewed_at = Some(at);
            if let Some(score) = score {
                entry.history.push(ReportScoreSample { at, score });
            }
        }
        for entry in &mut out {
            let excess = entry.history.len().saturating_sub(PORTFOLIO_HISTORY);
            entry.history.drain(..excess);
        }

        let counts = sqlx::query(
            "SELECT f.tenant_id, f.resource_kind, f.severity, COUNT(*) AS n FROM findings f
             JOIN tenants t ON t.id = f.tenant_id
             WHERE t.workspace_id = ? AND f.status IN ('open', 'acknowledged')
             GROUP BY f.tenant_id, f.resource_kind, f.severity",
        )
        .bind(&workspace)
        .fetch_all(self.pool())
        .await?;
        let mut used_kinds: BTreeSet<String> = BTreeSet::new();
        for row in &counts {
            let tenant: String = row.try_get("tenant_id")?;
            let Some(i) = index.get(&tenant) else {
                continue;
            };
            let kind: String = row.try_get("resource_kind")?;
            let severity: String = row.try_get("severity")?;
            let n = u32::try_from(row.try_get::<i64, _>("n")?).unwrap_or(u32::MAX);
            out[*i].open.add(&severity, n);
            out[*i]
                .by_category
                .entry(kind.clone())
                .or_default()
                .add(&severity, n);
            used_kinds.insert(kind);
        }
        let categories = report_categories(used_kinds);

        let top = sqlx::query(
            "SELECT f.resource_kind, f.item_key, f.setting_path, f.drift_kind, f.severity,
                    MIN(f.title) AS title, COUNT(DISTINCT f.tenant_id) AS tenants, COUNT(*) AS n
             FROM findings f JOIN tenants t ON t.id = f.tenant_id
             WHERE t.workspace_id = ? AND f.status IN ('open', 'acknowledged')
             GROUP BY f.resource_kind, f.item_key, f.setting_path, f.drift_kind, f.severity
             ORDER BY CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END,
                      tenants DESC, n DESC, f.item_key, f.setting_path
             LIMIT ?",
        )
        .bind(&workspace)
        .bind(PORTFOLIO_TOP_FINDINGS)
        .fetch_all(self.pool())
        .await?;
        let top_findings = top
            .iter()
            .map(|row| {
                let kind: String = row.try_get("resource_kind")?;
                Ok(ReportCommonFinding {
                    kind_label: kinds::label(&kind).to_owned(),
                    resource_kind: kind,
                    item: row.try_get("item_key")?,
                    setting_path: row.try_get("setting_path")?,
                    drift_kind: row.try_get("drift_kind")?,
                    severity: row.try_get("severity")?,
                    title: row.try_get("title")?,
                    tenants: u32::try_from(row.try_get::<i64, _>("tenants")?).unwrap_or(0),
                    findings: u32::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;

        Ok(PortfolioSource {
            workspace: name,
            tenants: out,
            categories,
            top_findings,
        })
    }

    /// Records a generated report (its parameters and content hash) with its audit event,
    /// in one transaction. Returns the new row's id.
    pub async fn record_report(&self, report: &NewReport) -> Result<String, StoreError> {
        let id = uuid::Uuid::now_v7().to_string();
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO reports (id, tenant_id, kind, format, parameters, created_at, sha256, size, path)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(report.tenant.map(|t| t.to_string()))
        .bind(&report.kind)
        .bind(&report.format)
        .bind(report.parameters.to_string())
        .bind(&now)
        .bind(&report.sha256)
        .bind(i64::try_from(report.size).unwrap_or(i64::MAX))
        .bind(&report.path)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: report.tenant,
                action: "report.generate",
                target: format!("report/{id}"),
                summary: serde_json::json!({
                    "kind": report.kind,
                    "format": report.format,
                    "sha256": report.sha256,
                    "size": report.size,
                    "path": report.path,
                    "parameters": report.parameters,
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Recorded reports, newest first.
    pub async fn list_reports(
        &self,
        tenant: Option<TenantId>,
    ) -> Result<Vec<ReportRow>, StoreError> {
        let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT r.* FROM reports r LEFT JOIN tenants t ON t.id = r.tenant_id
             WHERE (r.tenant_id IS NULL OR t.workspace_id = ",
        );
        builder.push_bind(self.workspace().to_string()).push(")");
        if let Some(tenant) = tenant {
            builder
                .push(" AND r.tenant_id = ")
                .push_bind(tenant.to_string());
        }
        builder.push(" ORDER BY r.created_at DESC, r.id DESC");
        let rows = builder.build().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                let parameters: String = row.try_get("parameters")?;
                Ok(ReportRow {
                    id: row.try_get("id")?,
                    tenant_id: row.try_get("tenant_id")?,
                    kind: row.try_get("kind")?,
                    format: row.try_get("format")?,
                    parameters: serde_json::from_str(&parameters).map_err(StoreError::corrupt)?,
                    created_at: row.try_get("created_at")?,
                    sha256: row.try_get("sha256")?,
                    size: row.try_get("size")?,
                    path: row.try_get("path")?,
                })
            })
            .collect()
    }
}

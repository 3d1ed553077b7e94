//! Findings in the database: what a review needs to reconcile, applying its changes,
//! listing, and people's decisions.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use super::{parse_timestamp, timestamp, Store, StoreError};
use crate::audit::{self, AuditRecord};
use crate::baseline::Severity;
use crate::findings::{self, Acceptance, Action, Change, Source, Status, Stored};
use crate::model::{CaptureId, TenantId};

/// A finding as listed.
#[derive(Clone, Debug, Serialize)]
pub struct FindingRow {
    pub id: String,
    pub tenant_id: String,
    pub tenant: String,
    pub source: String,
    pub baseline: Option<String>,
    /// The lint rule, for lint findings.
    pub rule: Option<String>,
    pub resource_kind: String,
    pub item: String,
    pub setting_path: String,
    pub drift_kind: String,
    pub severity: String,
    pub title: String,
    pub expected: Option<Value>,
    pub actual: Option<Value>,
    pub status: String,
    pub not_assessed: bool,
    pub reopen_count: i64,
    pub first_seen_at: String,
    pub last_seen_at: String,
    pub due_at: Option<String>,
    pub accepted_until: Option<String>,
}

/// One step of a finding's history.
#[derive(Clone, Debug, Serialize)]
pub struct TransitionRow {
    pub at: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor: String,
    pub reason: Option<String>,
}

/// Filters for [`Store::list_findings`].
#[derive(Clone, Debug, Default)]
pub struct FindingFilter {
    pub tenant: Option<TenantId>,
    pub status: Option<Status>,
    pub severity: Option<Severity>,
    pub limit: Option<i64>,
}

/// A review to write: its row, and what it does to findings.
#[derive(Clone, Debug)]
pub struct ReviewWrite {
    pub tenant: TenantId,
    pub capture: CaptureId,
    pub previous_capture: Option<CaptureId>,
    pub inputs_hash: String,
    pub started_at: DateTime<Utc>,
    pub score: Option<f64>,
    pub score_detail: Value,
    pub changes: Vec<Change>,
    /// Human titles by fingerprint.
    pub titles: HashMap<String, String>,
}

/// A baseline version id and the assignment's variables.
pub type VersionWithVariables = (String, BTreeMap<String, Value>);

/// What a review of one tenant would take as input.
#[derive(Debug, Default)]
pub struct TenantInputs {
    pub current: String,
    pub previous: Option<String>,
    /// (baseline version id, assignment variables).
    pub baselines: Vec<VersionWithVariables>,
}

/// What [`Store::review_inputs`] returns.
#[derive(Debug, Default)]
pub struct ReviewInputs {
    /// By tenant id, for tenants with a capture.
    pub tenants: HashMap<String, TenantInputs>,
    /// (capture id, inputs hash) of every review.
    pub reviewed: std::collections::HashSet<(String, String)>,
}

const FINDING_CHUNK: usize = 300;

impl Store {
    /// The tenant's findings as reconciliation sees them, with active risk acceptances.
    pub async fn stored_findings(&self, tenant: TenantId) -> Result<Vec<Stored>, StoreError> {
        let rows = sqlx::query(
            "SELECT f.id, f.fingerprint, f.source, f.resource_kind, f.status,
                    COALESCE(f.baseline_id, f.rule, '') AS scope,
                    r.id AS acceptance_id, r.accepted_value, r.expires_at
             FROM findings f
             LEFT JOIN risk_acceptances r ON r.finding_id = f.id AND r.lapsed_at IS NULL
             WHERE f.tenant_id = ?",
        )
        .bind(tenant.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let status: String = row.try_get("status")?;
                let source: String = row.try_get("source")?;
                let acceptance_id: Option<String> = row.try_get("acceptance_id")?;
                let acceptance = match acceptance_id {
                    Some(id) => {
                        let value: Option<String> = row.try_get("accepted_value")?;
                        let expires: String = row.try_get("expires_at")?;
                        Some(Acceptance {
                            id,
                            accepted_value: value
                                .map(|v| serde_json::from_str(&v).map_err(StoreError::corrupt))
                                .transpose()?,
                            expires_at: parse_timestamp(&expires)?,
                        })
                    }
                    None => None,
                };
                Ok(Stored {
                    id: row.try_get("id")?,
                    fingerprint: row.try_get("fingerprint")?,
                    source: match source.as_str() {
                        "drift" => Source::Drift,
                        "lint" => Source::Lint,
                        _ => Source::History,
                    },
                    scope: row.try_get("scope")?,
                    resource_kind: row.try_get("resource_kind")?,
                    status: Status::parse(&status)
                        .ok_or_else(|| StoreError::corrupt(format!("finding status {status}")))?,
                    acceptance,
                })
            })
            .collect()
    }

    /// Whether a review with these inputs exists for the capture.
    /// For every tenant with a capture: its latest and previous capture and the baseline
    /// versions (with variables) a review would use; and every (capture, inputs hash)
    /// already reviewed. Lets a review run skip unchanged tenants in three queries.
    pub async fn review_inputs(&self) -> Result<ReviewInputs, StoreError> {
        let mut captures: HashMap<String, (String, Option<String>)> = HashMap::new();
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT tenant_id, id, rn FROM (
                 SELECT tenant_id, id, ROW_NUMBER() OVER (
                     PARTITION BY tenant_id ORDER BY taken_at DESC, id DESC) AS rn
                 FROM captures)
             WHERE rn <= 2 ORDER BY tenant_id, rn",
        )
        .fetch_all(self.pool())
        .await?;
        for (tenant, capture, rank) in rows {
            if rank == 1 {
                captures.insert(tenant, (capture, None));
            } else if let Some(entry) = captures.get_mut(&tenant) {
                entry.1 = Some(capture);
            }
        }
        let mut baselines: HashMap<String, Vec<VersionWithVariables>> = HashMap::new();
        let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
            "SELECT a.tenant_id,
                    COALESCE(a.baseline_version_id,
                      (SELECT v.id FROM baseline_versions v WHERE v.baseline_id = a.baseline_id
                       AND v.status = 'published' ORDER BY v.version DESC LIMIT 1)),
                    a.variables
             FROM baseline_assignments a",
        )
        .fetch_all(self.pool())
        .await?;
        for (tenant, version, variables) in rows {
            if let Some(version) = version {
                let variables = serde_json::from_str(&variables).map_err(StoreError::corrupt)?;
                baselines
                    .entry(tenant)
                    .or_default()
                    .push((version, variables));
            }
        }
        let reviewed: Vec<(String, String)> =
            sqlx::query_as("SELECT capture_id, inputs_hash FROM reviews")
                .fetch_all(self.pool())
                .await?;
        Ok(ReviewInputs {
            tenants: captures
                .into_iter()
                .map(|(tenant, (current, previous))| {
                    let inputs = TenantInputs {
                        current,
                        previous,
                        baselines: baselines.remove(&tenant).unwrap_or_default(),
                    };
                    (tenant, inputs)
                })
                .collect(),
            reviewed: reviewed.into_iter().collect(),
        })
    }

    pub async fn review_exists(
        &self,
        capture: CaptureId,
        inputs_hash: &str,
    ) -> Result<bool, StoreError> {
        Ok(
            sqlx::query("SELECT 1 FROM reviews WHERE capture_id = ? AND inputs_hash = ? LIMIT 1")
                .bind(capture.to_string())
                .bind(inputs_hash)
                .fetch_optional(self.pool())
                .await?
                .is_some(),
        )
    }

    /// Writes reviews (of different tenants) and applies their changes to findings, all in
    /// one transaction, with an audit event for each review and one per finding
    /// transition: all or none.
    /// Returns their ids in order. A review run batches what is ready, which saves a
    /// commit (and the rewrite of shared index pages) per tenant.
    pub async fn write_reviews(
        &self,
        reviews: Vec<ReviewWrite>,
    ) -> Result<Vec<String>, StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let mut ids = Vec::with_capacity(reviews.len());
        for review in reviews {
            ids.push(self.write_review_in(&mut tx, review).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }

    async fn write_review_in(
        &self,
        tx: &mut SqliteConnection,
        review: ReviewWrite,
    ) -> Result<String, StoreError> {
        let review_id = uuid::Uuid::now_v7().to_string();
        let now = Utc::now();
        let now_text = timestamp(now);
        let tenant = review.tenant.to_string();
        sqlx::query(
            "INSERT INTO reviews (id, tenant_id, capture_id, previous_capture_id, started_at, finished_at, inputs_hash, score, score_detail)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&review_id)
        .bind(&tenant)
        .bind(review.capture.to_string())
        .bind(review.previous_capture.map(|c| c.to_string()))
        .bind(timestamp(review.started_at))
        .bind(&now_text)
        .bind(&review.inputs_hash)
        .bind(review.score)
        .bind(review.score_detail.to_string())
        .execute(&mut *tx)
        .await?;

        let actor = self.writer().actor.clone();
        let mut creates = Vec::new();
        let mut transitions: Vec<(String, Option<&'static str>, &'static str, String)> = Vec::new();
        let mut audits = Vec::new();
        let mut summary: BTreeMap<&'static str, u32> = BTreeMap::new();
        for change in &review.changes {
            match change {
                Change::Create {
                    observation,
                    due_at,
                } => {
                    let id = uuid::Uuid::now_v7().to_string();
                    let title = review
                        .titles
                        .get(&observation.fingerprint)
                        .cloned()
                        .unwrap_or_else(|| observation.drift.item_key.clone());
                    transitions.push((id.clone(), None, "open", "observed by review".to_owned()));
                    audits.push(finding_audit(
                        review.tenant,
                        &id,
                        "finding.open",
                        &title,
                        None,
                        "open",
                    ));
                    creates.push((id, observation, title, *due_at));
                    *summary.entry("opened").or_default() += 1;
                }
                Change::Seen { id, observation } => {
                    sqlx::query(
                        "UPDATE findings SET last_seen_at = ?, actual = ?, expected = ?, not_assessed = 0, last_review_id = ? WHERE id = ?",
                    )
                    .bind(&now_text)
                    .bind(observation.drift.actual.as_ref().map(Value::to_string))
                    .bind(observation.drift.expected.as_ref().map(Value::to_string))
                    .bind(&review_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    *summary.entry("still_observed").or_default() += 1;
                }
                Change::Reopen { id, observation } => {
                    sqlx::query(
                        "UPDATE findings SET status = 'open', reopen_count = reopen_count + 1, resolved_at = NULL,
                         last_seen_at = ?, actual = ?, not_assessed = 0, last_review_id = ?,
                         due_at = ? WHERE id = ?",
                    )
                    .bind(&now_text)
                    .bind(observation.drift.actual.as_ref().map(Value::to_string))
                    .bind(&review_id)
                    .bind(timestamp(findings::due_at(observation.drift.severity, now)))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    transitions.push((
                        id.clone(),
                        Some("resolved"),
                        "open",
                        "observed again: re-opened".to_owned(),
                    ));
                    audits.push(finding_audit(
                        review.tenant,
                        id,
                        "finding.reopen",
                        "observed again",
                        Some("resolved"),
                        "open",
                    ));
                    *summary.entry("reopened").or_default() += 1;
                }
                Change::AutoResolve { id, from } => {
                    sqlx::query(
                        "UPDATE findings SET status = 'resolved', resolved_at = ?, not_assessed = 0, last_review_id = ? WHERE id = ?",
                    )
                    .bind(&now_text)
                    .bind(&review_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    if *from == Status::RiskAccepted {
                        sqlx::query("UPDATE risk_acceptances SET lapsed_at = ?, lapse_reason = 'revoked' WHERE finding_id = ? AND lapsed_at IS NULL")
                            .bind(&now_text)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    transitions.push((
                        id.clone(),
                        Some(from.as_str()),
                        "resolved",
                        "no longer observed".to_owned(),
                    ));
                    audits.push(finding_audit(
                        review.tenant,
                        id,
                        "finding.auto_resolve",
                        "no longer observed",
                        Some(from.as_str()),
                        "resolved",
                    ));
                    *summary.entry("resolved").or_default() += 1;
                }
                Change::NotAssessed { id } => {
                    sqlx::query(
                        "UPDATE findings SET not_assessed = 1, last_review_id = ? WHERE id = ?",
                    )
                    .bind(&review_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    *summary.entry("not_assessed").or_default() += 1;
                }
                Change::Lapse {
                    id,
                    acceptance_id,
                    reason,
                    observation,
                } => {
                    sqlx::query(
                        "UPDATE risk_acceptances SET lapsed_at = ?, lapse_reason = ? WHERE id = ?",
                    )
                    .bind(&now_text)
                    .bind(reason.as_str())
                    .bind(acceptance_id)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "UPDATE findings SET status = 'open', last_seen_at = ?, actual = ?, last_review_id = ?, due_at = ? WHERE id = ?",
                    )
                    .bind(&now_text)
                    .bind(observation.drift.actual.as_ref().map(Value::to_string))
                    .bind(&review_id)
                    .bind(timestamp(findings::due_at(observation.drift.severity, now)))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    let why = match reason {
                        findings::LapseReason::Expired => "risk acceptance expired",
                        findings::LapseReason::ValueChanged => {
                            "value moved away from the accepted value"
                        }
                    };
                    transitions.push((id.clone(), Some("risk_accepted"), "open", why.to_owned()));
                    audits.push(finding_audit(
                        review.tenant,
                        id,
                        "finding.risk_lapsed",
                        why,
                        Some("risk_accepted"),
                        "open",
                    ));
                    *summary.entry("risk_lapsed").or_default() += 1;
                }
            }
        }

        for chunk in creates.chunks(FINDING_CHUNK) {
            let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO findings (id, tenant_id, fingerprint, source, baseline_id, rule, resource_kind, item_key, setting_path, drift_kind, severity, title, expected, actual, status, first_seen_at, last_seen_at, due_at, last_review_id) ",
            );
            builder.push_values(chunk, |mut b, (id, observation, title, due_at)| {
                let drift = &observation.drift;
                let (baseline, rule) = match observation.source {
                    Source::Drift => (Some(observation.scope.clone()), None),
                    Source::Lint => (None, Some(observation.scope.clone())),
                    Source::History => (None, None),
                };
                b.push_bind(id)
                    .push_bind(&tenant)
                    .push_bind(&observation.fingerprint)
                    .push_bind(observation.source.as_str())
                    .push_bind(baseline)
                    .push_bind(rule)
                    .push_bind(&drift.resource_kind)
                    .push_bind(&drift.item_key)
                    .push_bind(&drift.setting_path)
                    .push_bind(drift.kind.as_str())
                    .push_bind(drift.severity.as_str())
                    .push_bind(title)
                    .push_bind(drift.expected.as_ref().map(Value::to_string))
                    .push_bind(drift.actual.as_ref().map(Value::to_string))
                    .push_bind("open")
                    .push_bind(&now_text)
                    .push_bind(&now_text)
                    .push_bind(timestamp(*due_at))
                    .push_bind(&review_id);
            });
            builder.build().execute(&mut *tx).await?;
        }
        insert_transitions(&mut *tx, &transitions, &now_text, &actor, Some(&review_id)).await?;

        audits.push(AuditRecord {
            tenant: Some(review.tenant),
            action: "review.run",
            target: format!("review/{review_id}"),
            summary: serde_json::json!({
                "capture": review.capture.to_string(),
                "score": review.score,
                "findings": summary,
            }),
        });
        audit::append_many(&mut *tx, self.writer(), audits).await?;
        Ok(review_id)
    }

    /// Findings, most severe and newest first.
    pub async fn list_findings(
        &self,
        filter: &FindingFilter,
    ) -> Result<Vec<FindingRow>, StoreError> {
        let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT f.*, t.display_name AS tenant_name, b.name AS baseline_name,
                    (SELECT r.expires_at FROM risk_acceptances r WHERE r.finding_id = f.id AND r.lapsed_at IS NULL) AS accepted_until
             FROM findings f JOIN tenants t ON t.id = f.tenant_id
             LEFT JOIN baselines b ON b.id = f.baseline_id
             WHERE t.workspace_id = ",
        );
        builder.push_bind(self.workspace().to_string());
        if let Some(tenant) = filter.tenant {
            builder
                .push(" AND f.tenant_id = ")
                .push_bind(tenant.to_string());
        }
        if let Some(status) = filter.status {
            builder.push(" AND f.status = ").push_bind(status.as_str());
        }
        if let Some(severity) = filter.severity {
            builder
                .push(" AND f.severity = ")
                .push_bind(severity.as_str());
        }
        builder.push(
            " ORDER BY CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END,
              t.display_name, f.item_key, f.setting_path",
        );
        if let Some(limit) = filter.limit {
            builder.push(" LIMIT ").push_bind(limit);
        }
        let rows = builder.build().fetch_all(self.pool()).await?;
        rows.iter().map(finding_from_row).collect()
    }

    /// One finding by id (or a unique id prefix of at least 8 characters).
    pub async fn finding(&self, id: &str) -> Result<FindingRow, StoreError> {
        let rows = sqlx::query(
            "SELECT f.*, t.display_name AS tenant_name, b.name AS baseline_name,
                    (SELECT r.expires_at FROM risk_acceptances r WHERE r.finding_id = f.id AND r.lapsed_at IS NULL) AS accepted_until
             FROM findings f JOIN tenants t ON t.id = f.tenant_id LEFT JOIN baselines b ON b.id = f.baseline_id
             WHERE t.workspace_id = ? AND (f.id = ? OR (length(?) >= 8 AND f.id LIKE ? || '%')) LIMIT 2",
        )
        .bind(self.workspace().to_string())
        .bind(id)
        .bind(id)
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        match rows.as_slice() {
            [row] => finding_from_row(row),
            [] => Err(StoreError::NotFound {
                what: "finding",
                name: format!("{id} (list findings with `plumbline findings`)"),
            }),
            _ => Err(StoreError::Conflict(format!(
                "{id} matches several findings: give more of the id"
            ))),
        }
    }

    /// A finding's transitions, oldest first.
    pub async fn finding_history(&self, id: &str) -> Result<Vec<TransitionRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, from_status, to_status, actor, reason FROM finding_transitions WHERE finding_id = ? ORDER BY at, id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TransitionRow {
                    at: r.try_get("at")?,
                    from_status: r.try_get("from_status")?,
                    to_status: r.try_get("to_status")?,
                    actor: r.try_get("actor")?,
                    reason: r.try_get("reason")?,
                })
            })
            .collect()
    }

    /// Each tenant's latest review score and the one before it, best first.
    pub async fn latest_scores(&self) -> Result<Vec<crate::review::TenantScore>, StoreError> {
        let rows = sqlx::query(
            "WITH ranked AS (
                SELECT r.tenant_id, r.score, r.finished_at,
                       ROW_NUMBER() OVER (PARTITION BY r.tenant_id ORDER BY r.finished_at DESC, r.id DESC) AS n
                FROM reviews r)
             SELECT t.id, t.display_name, cur.score, prev.score AS previous, cur.finished_at,
                    (SELECT COUNT(*) FROM findings f WHERE f.tenant_id = t.id AND f.status IN ('open', 'acknowledged')) AS open_findings
             FROM tenants t
             JOIN ranked cur ON cur.tenant_id = t.id AND cur.n = 1
             LEFT JOIN ranked prev ON prev.tenant_id = t.id AND prev.n = 2
             WHERE t.workspace_id = ?
             ORDER BY cur.score IS NULL, cur.score DESC, t.display_name",
        )
        .bind(self.workspace().to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(crate::review::TenantScore {
                    tenant_id: row.try_get("id")?,
                    tenant: row.try_get("display_name")?,
                    score: row.try_get("score")?,
                    previous: row.try_get("previous")?,
                    reviewed_at: row.try_get("finished_at")?,
                    open_findings: row.try_get("open_findings")?,
                })
            })
            .collect()
    }

    /// Whether risk acceptances need a second person.
    pub async fn four_eyes(&self) -> Result<bool, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT four_eyes FROM workspaces WHERE id = ?")
                .bind(self.workspace().to_string())
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Turns the four-eyes rule for risk acceptances on or off.
    pub async fn set_four_eyes(&self, on: bool) -> Result<(), StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("UPDATE workspaces SET four_eyes = ? WHERE id = ?")
            .bind(on)
            .bind(self.workspace().to_string())
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "workspace.four_eyes",
                target: format!("workspace/{}", self.workspace()),
                summary: serde_json::json!({"four_eyes": on}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Applies a person's decision to a finding, with its reason, in one transaction.
    pub async fn decide_finding(
        &self,
        id: &str,
        action: &Action,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<FindingRow, StoreError> {
        let finding = self.finding(id).await?;
        let from = Status::parse(&finding.status)
            .ok_or_else(|| StoreError::corrupt(format!("finding status {}", finding.status)))?;
        let four_eyes = self.four_eyes().await?;
        let to = findings::decide(from, action, four_eyes, now)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let now_text = timestamp(now);
        let resolved_at = (to == Status::Resolved).then(|| now_text.clone());
        sqlx::query("UPDATE findings SET status = ?, resolved_at = ? WHERE id = ?")
            .bind(to.as_str())
            .bind(&resolved_at)
            .bind(&finding.id)
            .execute(&mut *tx)
            .await?;
        if from == Status::RiskAccepted {
            sqlx::query("UPDATE risk_acceptances SET lapsed_at = ?, lapse_reason = 'revoked' WHERE finding_id = ? AND lapsed_at IS NULL")
                .bind(&now_text)
                .bind(&finding.id)
                .execute(&mut *tx)
                .await?;
        }
        let mut summary =
            serde_json::json!({"from": from.as_str(), "to": to.as_str(), "reason": reason});
        if let Action::AcceptRisk(request) = action {
            sqlx::query(
                "INSERT INTO risk_acceptances (id, finding_id, justification, accepted_value, accepted_by, approved_by, approved_at, created_at, expires_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&finding.id)
            .bind(&request.justification)
            .bind(finding.actual.as_ref().map(Value::to_string))
            .bind(&request.accepted_by)
            .bind(&request.approver)
            .bind(request.approver.as_ref().map(|_| now_text.clone()))
            .bind(&now_text)
            .bind(timestamp(request.expires_at))
            .execute(&mut *tx)
            .await?;
            summary["accepted_value"] = finding.actual.clone().unwrap_or(Value::Null);
            summary["expires_at"] = Value::String(timestamp(request.expires_at));
            summary["approver"] = request
                .approver
                .clone()
                .map(Value::String)
                .unwrap_or(Value::Null);
        }
        let reason_text = match action {
            Action::AcceptRisk(request) => Some(request.justification.clone()),
            _ => reason.map(str::to_owned),
        };
        insert_transitions(
            &mut tx,
            &[(
                finding.id.clone(),
                Some(from.as_str()),
                to.as_str(),
                reason_text.unwrap_or_default(),
            )],
            &now_text,
            &self.writer().actor,
            None,
        )
        .await?;
        let tenant = TenantId::from_str(&finding.tenant_id).map_err(StoreError::corrupt)?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: Some(tenant),
                action: match action {
                    Action::Acknowledge => "finding.acknowledge",
                    Action::Resolve => "finding.resolve",
                    Action::AcceptRisk(_) => "finding.accept_risk",
                    Action::FalsePositive => "finding.false_positive",
                    Action::Reopen => "finding.reopen",
                },
                target: format!("finding/{}", finding.id),
                summary,
            },
        )
        .await?;
        tx.commit().await?;
        self.finding(&finding.id).await
    }
}

fn finding_audit(
    tenant: TenantId,
    id: &str,
    action: &'static str,
    what: &str,
    from: Option<&str>,
    to: &str,
) -> AuditRecord<'static> {
    AuditRecord {
        tenant: Some(tenant),
        action,
        target: format!("finding/{id}"),
        summary: serde_json::json!({"from": from, "to": to, "reason": what}),
    }
}

async fn insert_transitions(
    conn: &mut SqliteConnection,
    transitions: &[(String, Option<&str>, &str, String)],
    at: &str,
    actor: &str,
    review: Option<&str>,
) -> Result<(), StoreError> {
    for chunk in transitions.chunks(FINDING_CHUNK) {
        let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO finding_transitions (id, finding_id, from_status, to_status, at, actor, reason, review_id) ",
        );
        builder.push_values(chunk, |mut b, (finding, from, to, reason)| {
            b.push_bind(uuid::Uuid::now_v7().to_string())
                .push_bind(finding)
                .push_bind(*from)
                .push_bind(*to)
                .push_bind(at)
                .push_bind(actor)
                .push_bind(reason)
                .push_bind(review);
        });
        builder.build().execute(&mut *conn).await?;
    }
    Ok(())
}

fn json_column(row: &sqlx::sqlite::SqliteRow, column: &str) -> Result<Option<Value>, StoreError> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|t| serde_json::from_str(&t).map_err(StoreError::corrupt))
        .transpose()
}

fn finding_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<FindingRow, StoreError> {
    Ok(FindingRow {
        id: row.try_get("id")?,
        tenant_id: row.try_get("tenant_id")?,
        tenant: row.try_get("tenant_name")?,
        source: row.try_get("source")?,
        baseline: row.try_get("baseline_name")?,
        rule: row.try_get("rule")?,
        resource_kind: row.try_get("resource_kind")?,
        item: row.try_get("item_key")?,
        setting_path: row.try_get("setting_path")?,
        drift_kind: row.try_get("drift_kind")?,
        severity: row.try_get("severity")?,
        title: row.try_get("title")?,
        expected: json_column(row, "expected")?,
        actual: json_column(row, "actual")?,
        status: row.try_get("status")?,
        not_assessed: row.try_get("not_assessed")?,
        reopen_count: row.try_get("reopen_count")?,
        first_seen_at: row.try_get("first_seen_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        due_at: row.try_get("due_at")?,
        accepted_until: row.try_get("accepted_until")?,
    })
}

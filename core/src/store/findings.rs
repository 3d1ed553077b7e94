//! Findings in the database: what a review needs to reconcile, applying its changes,
//! listing, and people's decisions.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::{timestamp, Store, StoreError};
use crate::audit::{self, AuditRecord};
use crate::baseline::Severity;
use crate::findings::{self, Action, Status};
use crate::model::TenantId;

/// A finding as listed.
#[derive(Clone, Debug, Serialize)]
pub struct FindingRow {
    pub id: String,
    /// The finding's identity everywhere (its id once derived by a review).
    pub fingerprint: String,
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
    /// The person's decision this step records (none for a review's step).
    pub decision_id: Option<String>,
    /// A concurrent decision (made without seeing this one) that won: this step was
    /// undone by it, and stays in the history.
    pub superseded: Option<Supersession>,
}

/// Who superseded a decision, with what, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Supersession {
    pub decision_id: String,
    pub actor: String,
    /// The state the superseding decision led to.
    pub to_status: String,
    pub at: String,
}

/// Filters for [`Store::list_findings`].
#[derive(Clone, Debug, Default)]
pub struct FindingFilter {
    pub tenant: Option<TenantId>,
    pub status: Option<Status>,
    pub severity: Option<Severity>,
    pub limit: Option<i64>,
}

impl Store {
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
            "SELECT t.at, t.from_status, t.to_status, t.actor, t.reason, t.decision_id, t.superseded_by,
                    s.actor AS by_actor, s.to_status AS by_status, s.at AS by_at
             FROM finding_transitions t
             LEFT JOIN finding_transitions s ON s.finding_id = t.finding_id AND s.decision_id = t.superseded_by
             WHERE t.finding_id = ? ORDER BY t.at, t.id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let superseded_by: Option<String> = r.try_get("superseded_by")?;
                Ok(TransitionRow {
                    at: r.try_get("at")?,
                    from_status: r.try_get("from_status")?,
                    to_status: r.try_get("to_status")?,
                    actor: r.try_get("actor")?,
                    reason: r.try_get("reason")?,
                    decision_id: r.try_get("decision_id")?,
                    superseded: match superseded_by {
                        Some(decision_id) => Some(Supersession {
                            decision_id,
                            actor: r
                                .try_get::<Option<String>, _>("by_actor")?
                                .unwrap_or_default(),
                            to_status: r
                                .try_get::<Option<String>, _>("by_status")?
                                .unwrap_or_default(),
                            at: r.try_get::<Option<String>, _>("by_at")?.unwrap_or_default(),
                        }),
                        None => None,
                    },
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
        let mut tx = self.begin_write().await?;
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

    /// Applies a person's decision to a finding, with its reason.
    pub async fn decide_finding(
        &self,
        id: &str,
        action: &Action,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<FindingRow, StoreError> {
        self.decide_findings(&[id.to_owned()], action, reason, now)
            .await?
            .pop()
            .unwrap_or_else(|| Err(StoreError::Corrupt("no decision was made".to_owned())))
    }

    /// Applies a person's decision to each finding: records each as a decision event
    /// (which syncs) with the last decision its author saw on the finding, then folds
    /// each affected tenant once. One answer per finding, in order: a refusal (the
    /// finding's state does not allow the action) is that finding's alone.
    pub async fn decide_findings(
        &self,
        ids: &[String],
        action: &Action,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Result<FindingRow, StoreError>>, StoreError> {
        let four_eyes = self.four_eyes().await?;
        let mut answers: Vec<Result<String, StoreError>> = Vec::with_capacity(ids.len());
        let mut accepted: Vec<(FindingRow, Status, Status)> = Vec::new();
        for id in ids {
            let checked = async {
                let finding = self.finding(id).await?;
                let from = Status::parse(&finding.status).ok_or_else(|| {
                    StoreError::corrupt(format!("finding status {}", finding.status))
                })?;
                let to = findings::decide(from, action, four_eyes, now)
                    .map_err(|e| StoreError::Conflict(e.to_string()))?;
                Ok::<_, StoreError>((finding, from, to))
            }
            .await;
            match checked {
                Ok((finding, from, to)) => {
                    answers.push(Ok(finding.fingerprint.clone()));
                    accepted.push((finding, from, to));
                }
                Err(error) => answers.push(Err(error)),
            }
        }
        let mut tenants: Vec<TenantId> = Vec::new();
        if !accepted.is_empty() {
            let mut tx = self.begin_write().await?;
            let hlc = tx.hlc().to_owned();
            let created = timestamp(Utc::now());
            for (finding, from, to) in &accepted {
                let tenant = TenantId::from_str(&finding.tenant_id).map_err(StoreError::corrupt)?;
                if !tenants.contains(&tenant) {
                    tenants.push(tenant);
                }
                let base: Option<String> = sqlx::query_scalar(
                    "SELECT id FROM decisions WHERE finding = ? AND action NOT IN ('comment', 'approve')
                     ORDER BY hlc DESC, id DESC LIMIT 1",
                )
                .bind(&finding.fingerprint)
                .fetch_optional(&mut *tx)
                .await?;
                let (expires_at, approver) = match action {
                    Action::AcceptRisk(request) => (
                        Some(timestamp(request.expires_at)),
                        request.approver.clone(),
                    ),
                    _ => (None, None),
                };
                let justification = match action {
                    Action::AcceptRisk(request) => Some(request.justification.clone()),
                    _ => reason.map(str::to_owned),
                };
                let accepted_value = matches!(action, Action::AcceptRisk(_))
                    .then(|| finding.actual.as_ref().map(Value::to_string))
                    .flatten();
                sqlx::query(
                    "INSERT INTO decisions (id, tenant_id, finding, action, base, actor, reason, expires_at, accepted_value, approver, approves, hlc, device_id, created_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)",
                )
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(tenant.to_string())
                .bind(&finding.fingerprint)
                .bind(decision_action(action))
                .bind(&base)
                .bind(&self.writer().actor)
                .bind(&justification)
                .bind(&expires_at)
                .bind(&accepted_value)
                .bind(&approver)
                .bind(&hlc)
                .bind(&self.writer().device_id)
                .bind(&created)
                .execute(&mut *tx)
                .await?;
                let mut summary = serde_json::json!({
                    "from": from.as_str(), "to": to.as_str(), "reason": justification,
                });
                if let Action::AcceptRisk(request) = action {
                    summary["accepted_value"] = finding.actual.clone().unwrap_or(Value::Null);
                    summary["expires_at"] = Value::String(timestamp(request.expires_at));
                    summary["approver"] =
                        request.approver.clone().map_or(Value::Null, Value::String);
                }
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
                        target: format!("finding/{}", finding.fingerprint),
                        summary,
                    },
                )
                .await?;
            }
            tx.commit().await?;
        }
        // The decisions are events: each affected tenant's findings are folded again.
        for tenant in tenants {
            crate::review::review_tenant(self, tenant, &crate::review::ReviewOptions::default())
                .await?;
        }
        let mut out = Vec::with_capacity(answers.len());
        for answer in answers {
            out.push(match answer {
                Ok(fingerprint) => self.finding(&fingerprint).await,
                Err(error) => Err(error),
            });
        }
        Ok(out)
    }

    /// A comment on a finding: in its history on every device; changes nothing else.
    pub async fn comment_finding(&self, id: &str, text: &str) -> Result<FindingRow, StoreError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::Invalid("a comment needs text".to_owned()));
        }
        self.note_finding(id, "comment", Some(text), None).await
    }

    /// Approves the risk acceptance in force on a finding (four eyes): the approver is
    /// this device's user, who must not be the one who accepted it (the server checks it
    /// too).
    pub async fn approve_acceptance(
        &self,
        id: &str,
        note: Option<&str>,
    ) -> Result<FindingRow, StoreError> {
        let finding = self.finding(id).await?;
        let accept: Option<(String, String)> = sqlx::query_as(
            "SELECT id, actor FROM decisions WHERE finding = ? AND action = 'accept' ORDER BY hlc DESC, id DESC LIMIT 1",
        )
        .bind(&finding.fingerprint)
        .fetch_optional(self.pool())
        .await?;
        let Some((accept_id, accepter)) = accept.filter(|_| finding.status == "risk_accepted")
        else {
            return Err(StoreError::Conflict(
                "only a finding whose risk is accepted can have its acceptance approved".to_owned(),
            ));
        };
        if accepter == self.writer().actor {
            return Err(StoreError::Conflict(
                "the person who accepted a risk cannot approve it: another reviewer must"
                    .to_owned(),
            ));
        }
        self.note_finding(id, "approve", note, Some(&accept_id))
            .await
    }

    /// Records a comment or an approval as a decision event, then folds the tenant.
    async fn note_finding(
        &self,
        id: &str,
        action: &str,
        text: Option<&str>,
        approves: Option<&str>,
    ) -> Result<FindingRow, StoreError> {
        let finding = self.finding(id).await?;
        let tenant = TenantId::from_str(&finding.tenant_id).map_err(StoreError::corrupt)?;
        let mut tx = self.begin_write().await?;
        let hlc = tx.hlc().to_owned();
        let base: Option<String> = sqlx::query_scalar(
            "SELECT id FROM decisions WHERE finding = ? AND action NOT IN ('comment', 'approve')
             ORDER BY hlc DESC, id DESC LIMIT 1",
        )
        .bind(&finding.fingerprint)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO decisions (id, tenant_id, finding, action, base, actor, reason, expires_at, accepted_value, approver, approves, hlc, device_id, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?, ?, ?, ?)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(tenant.to_string())
        .bind(&finding.fingerprint)
        .bind(action)
        .bind(&base)
        .bind(&self.writer().actor)
        .bind(text)
        .bind(approves)
        .bind(&hlc)
        .bind(&self.writer().device_id)
        .bind(timestamp(Utc::now()))
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: Some(tenant),
                action: if action == "comment" {
                    "finding.comment"
                } else {
                    "finding.approve_risk"
                },
                target: format!("finding/{}", finding.fingerprint),
                summary: serde_json::json!({ "text": text, "approves": approves }),
            },
        )
        .await?;
        tx.commit().await?;
        crate::review::review_tenant(self, tenant, &crate::review::ReviewOptions::default())
            .await?;
        self.finding(&finding.fingerprint).await
    }
}

/// The decision event's action for a person's action.
fn decision_action(action: &Action) -> &'static str {
    match action {
        Action::Acknowledge => "acknowledge",
        Action::Resolve => "resolve",
        Action::AcceptRisk(_) => "accept",
        Action::FalsePositive => "false_positive",
        Action::Reopen => "reopen",
    }
}

fn json_column(row: &sqlx::sqlite::SqliteRow, column: &str) -> Result<Option<Value>, StoreError> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|t| serde_json::from_str(&t).map_err(StoreError::corrupt))
        .transpose()
}

fn finding_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<FindingRow, StoreError> {
    Ok(FindingRow {
        id: row.try_get("id")?,
        fingerprint: row.try_get("fingerprint")?,
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

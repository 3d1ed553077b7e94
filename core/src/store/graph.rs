//! Graph capture bookkeeping: this device's app registration (its secret only in the
//! keychain) and the history of capture runs. Neither syncs.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use super::{parse_timestamp, timestamp, CaptureWrite, Store, StoreError};
use crate::audit::{self, AuditRecord};
use crate::baseline::Severity;
use crate::model::{CaptureId, TenantId};
use crate::schedule::{next_due, ScheduleState, DEFAULT_CADENCE_MINUTES, PARK_AFTER};

/// The workspace's multi-tenant app as this device uses it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GraphAppRecord {
    pub client_id: String,
    /// [`crate::connectors::graph::Cloud::as_text`].
    pub cloud: String,
    /// `secret` or `certificate`.
    pub credential: String,
    /// The certificate's `x5t#S256` thumbprint, when it signs in with one.
    pub certificate_thumbprint: Option<String>,
    /// The certificate (public PEM), when it signs in with one.
    #[serde(skip)]
    pub certificate_pem: Option<String>,
    pub keychain_account: Option<String>,
    pub secret_set_at: Option<String>,
}

/// How a capture run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Every kind read.
    Ok,
    /// Some kinds failed (recorded as not assessed); the rest was recorded.
    Partial,
    /// Nothing recorded.
    Failed,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Partial => "partial",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::Ok, Self::Partial, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// One failed kind of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FailedKind {
    pub kind: String,
    pub error: String,
}

/// A capture run to record.
#[derive(Clone, Debug)]
pub struct CaptureRunWrite {
    pub tenant: TenantId,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub requests: u64,
    pub throttled: u64,
    pub kinds_failed: Vec<FailedKind>,
    pub warnings: Vec<String>,
    /// Why nothing was recorded (a failed run).
    pub error: Option<String>,
}

/// A recorded capture run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaptureRun {
    pub id: String,
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub status: RunStatus,
    pub capture_id: Option<CaptureId>,
    pub duration_ms: i64,
    pub requests: i64,
    pub throttled: i64,
    pub items: i64,
    pub kinds_failed: Vec<FailedKind>,
    pub warnings: Vec<String>,
    pub error: Option<String>,
}

impl Store {
    /// This device's Graph app for the workspace, when one was saved.
    pub async fn graph_app(&self) -> Result<Option<GraphAppRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT client_id, cloud, credential, certificate_pem, keychain_account, secret_set_at
             FROM graph_app WHERE workspace_id = ?",
        )
        .bind(self.workspace().to_string())
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            let certificate_pem: Option<String> = row.try_get("certificate_pem")?;
            Ok(GraphAppRecord {
                client_id: row.try_get("client_id")?,
                cloud: row.try_get("cloud")?,
                credential: row.try_get("credential")?,
                certificate_thumbprint: certificate_pem
                    .as_deref()
                    .and_then(|pem| crate::connectors::graph::assertion::thumbprint(pem).ok()),
                certificate_pem,
                keychain_account: row.try_get("keychain_account")?,
                secret_set_at: row.try_get("secret_set_at")?,
            })
        })
        .transpose()
    }

    /// Saves the app's (checked) client id, cloud and, when it signs in with a
    /// certificate, the certificate (public PEM; `None`: a client secret).
    pub(crate) async fn write_graph_app(
        &self,
        client_id: &str,
        cloud: &str,
        certificate_pem: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO graph_app (workspace_id, client_id, cloud, credential, certificate_pem,
                 updated_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (workspace_id) DO UPDATE SET
                 client_id = excluded.client_id, cloud = excluded.cloud,
                 credential = excluded.credential, certificate_pem = excluded.certificate_pem,
                 updated_at = excluded.updated_at",
        )
        .bind(self.workspace().to_string())
        .bind(client_id)
        .bind(cloud)
        .bind(if certificate_pem.is_some() {
            "certificate"
        } else {
            "secret"
        })
        .bind(certificate_pem)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "graph.app.update",
                target: "graph/app".to_owned(),
                summary: serde_json::json!({
                    "client_id": client_id,
                    "cloud": cloud,
                    "credential": if certificate_pem.is_some() { "certificate" } else { "secret" },
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records where the app's secret is kept (`None`: removed). Names the keychain
    /// account, never the secret.
    pub(crate) async fn write_graph_app_secret_record(
        &self,
        account: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE graph_app SET keychain_account = ?, secret_set_at = ?, updated_at = ?
             WHERE workspace_id = ?",
        )
        .bind(account)
        .bind(account.map(|_| now.clone()))
        .bind(&now)
        .bind(self.workspace().to_string())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "Graph app",
                name: "of this workspace (save its client id first)".to_owned(),
            });
        }
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: if account.is_some() {
                    "graph.app.secret.set"
                } else {
                    "graph.app.secret.remove"
                },
                target: "graph/app".to_owned(),
                summary: serde_json::json!({ "keychain_account": account }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a capture run, with its capture when it read something: one transaction,
    /// so a run never names a capture that is not there and a capture never lacks its run.
    pub async fn record_capture_run(
        &self,
        run: &CaptureRunWrite,
        capture: Option<&CaptureWrite<'_>>,
    ) -> Result<CaptureRun, StoreError> {
        let mut tx = self.begin_write().await?;
        let capture_id = match capture {
            Some(capture) => Some(self.insert_capture(&mut tx, run.tenant, capture).await?),
            None => None,
        };
        let items = capture.map_or(0, |c| c.content.items.len() as i64);
        let status = match (&capture_id, run.kinds_failed.is_empty()) {
            (None, _) => RunStatus::Failed,
            (Some(_), true) => RunStatus::Ok,
            (Some(_), false) => RunStatus::Partial,
        };
        let id = uuid::Uuid::now_v7().to_string();
        let duration_ms = (run.finished_at - run.started_at).num_milliseconds();
        sqlx::query(
            "INSERT INTO capture_runs (id, workspace_id, tenant_id, started_at, finished_at,
                 status, capture_id, duration_ms, requests, throttled, items, kinds_failed,
                 warnings, error)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(self.workspace().to_string())
        .bind(run.tenant.to_string())
        .bind(timestamp(run.started_at))
        .bind(timestamp(run.finished_at))
        .bind(status.as_str())
        .bind(capture_id.map(|c| c.to_string()))
        .bind(duration_ms)
        .bind(run.requests as i64)
        .bind(run.throttled as i64)
        .bind(items)
        .bind(serde_json::to_string(&run.kinds_failed).unwrap_or_else(|_| "[]".to_owned()))
        .bind(serde_json::to_string(&run.warnings).unwrap_or_else(|_| "[]".to_owned()))
        .bind(&run.error)
        .execute(&mut *tx)
        .await?;
        self.update_schedule(&mut tx, run, capture.is_some())
            .await?;
        if capture.is_none() {
            audit::append(
                &mut tx,
                self.writer(),
                AuditRecord {
                    tenant: Some(run.tenant),
                    action: "capture.graph.failed",
                    target: format!("tenant/{}", run.tenant),
                    summary: serde_json::json!({ "run": id, "error": run.error }),
                },
            )
            .await?;
        }
        tx.commit().await?;
        let row = sqlx::query(
            "SELECT r.*, t.display_name FROM capture_runs r
             JOIN tenants t ON t.id = r.tenant_id WHERE r.id = ?",
        )
        .bind(&id)
        .fetch_one(self.pool())
        .await?;
        run_from_row(&row)
    }

    /// Each tenant's newest capture run.
    pub async fn latest_capture_runs(&self) -> Result<Vec<CaptureRun>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM (
                 SELECT r.*, t.display_name, ROW_NUMBER() OVER (
                     PARTITION BY r.tenant_id ORDER BY r.started_at DESC, r.id DESC) AS n
                 FROM capture_runs r JOIN tenants t ON t.id = r.tenant_id
                 WHERE r.workspace_id = ?)
             WHERE n = 1",
        )
        .bind(self.workspace().to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(run_from_row).collect()
    }

    /// Capture runs, newest first (of one tenant, or all).
    pub async fn capture_runs(
        &self,
        tenant: Option<TenantId>,
        limit: u32,
    ) -> Result<Vec<CaptureRun>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.*, t.display_name FROM capture_runs r JOIN tenants t ON t.id = r.tenant_id
             WHERE r.workspace_id = ?1 AND (?2 IS NULL OR r.tenant_id = ?2)
             ORDER BY r.started_at DESC, r.id DESC LIMIT ?3",
        )
        .bind(self.workspace().to_string())
        .bind(tenant.map(|t| t.to_string()))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(run_from_row).collect()
    }
}

fn run_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<CaptureRun, StoreError> {
    let tenant: String = row.try_get("tenant_id")?;
    let capture: Option<String> = row.try_get("capture_id")?;
    let status: String = row.try_get("status")?;
    let kinds: String = row.try_get("kinds_failed")?;
    let warnings: String = row.try_get("warnings")?;
    Ok(CaptureRun {
        id: row.try_get("id")?,
        tenant_id: TenantId::from_str(&tenant).map_err(StoreError::corrupt)?,
        tenant_name: row.try_get("display_name")?,
        started_at: parse_timestamp(&row.try_get::<String, _>("started_at")?)?,
        finished_at: parse_timestamp(&row.try_get::<String, _>("finished_at")?)?,
        status: RunStatus::parse(&status)
            .ok_or_else(|| StoreError::corrupt(format!("run status {status:?}")))?,
        capture_id: capture
            .map(|c| CaptureId::from_str(&c).map_err(StoreError::corrupt))
            .transpose()?,
        duration_ms: row.try_get("duration_ms")?,
        requests: row.try_get("requests")?,
        throttled: row.try_get("throttled")?,
        items: row.try_get("items")?,
        kinds_failed: serde_json::from_str(&kinds).map_err(StoreError::corrupt)?,
        warnings: serde_json::from_str(&warnings).map_err(StoreError::corrupt)?,
        error: row.try_get("error")?,
    })
}

/// One tenant's capture schedule on this device.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScheduleRow {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub is_demo: bool,
    pub entra_tenant_id: Option<String>,
    pub state: ScheduleState,
    /// Why the last run failed, while failures last.
    pub last_error: Option<String>,
    pub parked_at: Option<DateTime<Utc>>,
    /// When it is due next (`None`: not on schedule).
    pub next_due_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Keeps a tenant's schedule with its run: failures counted (parked after
    /// [`PARK_AFTER`] in a row, with an alert), cleared by a run that read something.
    async fn update_schedule(
        &self,
        tx: &mut sqlx::SqliteConnection,
        run: &CaptureRunWrite,
        read_something: bool,
    ) -> Result<(), StoreError> {
        let now = timestamp(run.finished_at);
        sqlx::query(
            "INSERT INTO capture_schedules (tenant_id, workspace_id, cadence_minutes, updated_at)
             VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id) DO NOTHING",
        )
        .bind(run.tenant.to_string())
        .bind(self.workspace().to_string())
        .bind(DEFAULT_CADENCE_MINUTES)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        if read_something {
            sqlx::query(
                "UPDATE capture_schedules SET consecutive_failures = 0, last_run_at = ?1,
                     last_error = NULL, parked_at = NULL, updated_at = ?1
                 WHERE tenant_id = ?2",
            )
            .bind(&now)
            .bind(run.tenant.to_string())
            .execute(&mut *tx)
            .await?;
            return Ok(());
        }
        let (failures, parked): (i64, Option<String>) = sqlx::query_as(
            "UPDATE capture_schedules SET consecutive_failures = consecutive_failures + 1,
                 last_run_at = ?1, last_error = ?2, updated_at = ?1
             WHERE tenant_id = ?3 RETURNING consecutive_failures, parked_at",
        )
        .bind(&now)
        .bind(&run.error)
        .bind(run.tenant.to_string())
        .fetch_one(&mut *tx)
        .await?;
        if failures >= i64::from(PARK_AFTER) && parked.is_none() {
            sqlx::query("UPDATE capture_schedules SET parked_at = ?1 WHERE tenant_id = ?2")
                .bind(&now)
                .bind(run.tenant.to_string())
                .execute(&mut *tx)
                .await?;
            let name: String = sqlx::query_scalar("SELECT display_name FROM tenants WHERE id = ?")
                .bind(run.tenant.to_string())
                .fetch_one(&mut *tx)
                .await?;
            super::alerts::insert_alert(
                tx,
                self,
                &uuid::Uuid::now_v7().to_string(),
                None,
                Some(run.tenant),
                Severity::High,
                &format!("{name} is no longer captured: {failures} captures in a row failed"),
                &format!(
                    "The last one said: {}. Scheduled captures of {name} are paused until the \
                     problem is fixed and the tenant is resumed (Tenants → Resume, or `plumbline \
                     graph schedule \"{name}\" --resume`).",
                    run.error.as_deref().unwrap_or("no reason given")
                ),
                run.finished_at,
            )
            .await?;
        }
        Ok(())
    }

    /// The capture schedules of every tenant with an Entra tenant id, as of `now`.
    pub async fn capture_schedules(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<ScheduleRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT t.id, t.display_name, t.entra_tenant_id, t.is_demo,
                    s.cadence_minutes, s.consecutive_failures, s.last_run_at, s.last_error,
                    s.parked_at,
                    (SELECT MAX(c.taken_at) FROM captures c
                     WHERE c.tenant_id = t.id AND c.source = 'graph') AS last_capture_at
             FROM tenants t LEFT JOIN capture_schedules s ON s.tenant_id = t.id
             WHERE t.workspace_id = ? AND t.entra_tenant_id IS NOT NULL
             ORDER BY t.display_name COLLATE NOCASE, t.id",
        )
        .bind(self.workspace().to_string())
        .fetch_all(self.pool())
        .await?;
        let time = |row: &sqlx::sqlite::SqliteRow,
                    column: &str|
         -> Result<Option<DateTime<Utc>>, StoreError> {
            row.try_get::<Option<String>, _>(column)?
                .map(|t| parse_timestamp(&t))
                .transpose()
        };
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("id")?;
                let cadence: Option<i64> = row.try_get("cadence_minutes")?;
                let parked_at = time(row, "parked_at")?;
                let state = ScheduleState {
                    cadence_minutes: match cadence {
                        None => Some(DEFAULT_CADENCE_MINUTES),
                        Some(0) => None,
                        Some(m) => Some(m),
                    },
                    last_capture_at: time(row, "last_capture_at")?,
                    last_run_at: time(row, "last_run_at")?,
                    consecutive_failures: row
                        .try_get::<Option<i64>, _>("consecutive_failures")?
                        .unwrap_or(0)
                        .max(0) as u32,
                    parked: parked_at.is_some(),
                };
                Ok(ScheduleRow {
                    tenant_id: TenantId::from_str(&id).map_err(StoreError::corrupt)?,
                    tenant_name: row.try_get("display_name")?,
                    is_demo: row.try_get::<i64, _>("is_demo")? != 0,
                    entra_tenant_id: row.try_get("entra_tenant_id")?,
                    next_due_at: next_due(&state, now),
                    state,
                    last_error: row.try_get("last_error")?,
                    parked_at,
                })
            })
            .collect()
    }

    /// Sets a tenant's cadence (`None`: only when asked).
    pub async fn set_capture_cadence(
        &self,
        tenant: TenantId,
        minutes: Option<i64>,
    ) -> Result<(), StoreError> {
        self.tenant_connection(tenant).await?;
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO capture_schedules (tenant_id, workspace_id, cadence_minutes, updated_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (tenant_id) DO UPDATE SET cadence_minutes = ?3, updated_at = ?4",
        )
        .bind(tenant.to_string())
        .bind(self.workspace().to_string())
        .bind(minutes.unwrap_or(0))
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: Some(tenant),
                action: "capture.schedule.update",
                target: format!("tenant/{tenant}"),
                summary: serde_json::json!({ "cadence_minutes": minutes }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Puts a parked tenant back on its schedule (its failures forgotten: due now).
    pub async fn resume_capture_schedule(&self, tenant: TenantId) -> Result<(), StoreError> {
        self.tenant_connection(tenant).await?;
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE capture_schedules SET parked_at = NULL, consecutive_failures = 0,
                 last_error = NULL, updated_at = ? WHERE tenant_id = ?",
        )
        .bind(&now)
        .bind(tenant.to_string())
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: Some(tenant),
                action: "capture.schedule.resume",
                target: format!("tenant/{tenant}"),
                summary: serde_json::json!({}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

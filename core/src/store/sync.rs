//! Sync in the database (SYNC.md; the protocol is `core::sync::engine`): the outbox read
//! as operations, the server's verdicts, other devices' operations applied, access
//! changes, and the checksums and digests `plumbline sync verify` compares.
//!
//! Invariants:
//! - A page of the server's log is applied in one transaction together with the cursor
//!   that follows it: a crash leaves either the page and its cursor or neither.
//! - Applying is idempotent by operation id (`sync_applied`) and by record id (a capture,
//!   a version, a decision or an audit event already here is not written again), so a
//!   page or snapshot applied twice changes nothing.
//! - Registers (tenant fields, assignments, settings, baseline names) take a value only
//!   from a write with a later clock than the one they hold: every device ends with the
//!   same value whatever order it saw the writes in.
//! - Another device's writes are applied with the remote origin: they are not recorded
//!   as this device's operations and do not extend this device's audit chain.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use plumbline_wire::{
    AssignmentRecord, AuditRecord, BaselineItemRecord, BaselineVersionRecord, BlobCodec, BlobFrame,
    CaptureItem, CaptureKind, CaptureRecord, Checksum, DecisionRecord, DirectoryObjectRecord, Hlc,
    OpBody, Operation, Outcome, Sequenced, TenantFields, Verdict,
};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{Row, SqliteConnection};

use super::baselines::insert_item;
use super::baselines::NewBaselineItem;
use super::blobs::{self, ReceivedBlob};
use super::captures::{CaptureMemo, CaptureWrite, RemoteCapture};
use super::{timestamp, Store, StoreError};
use crate::baseline::{SettingRule, Severity};
use crate::model::{
    CaptureContent, CaptureId, CaptureSource, CapturedItem, DirectoryObject, DirectoryObjectKind,
    KindStatus, TenantId,
};

/// An operation of this device waiting for the server, read whole.
#[derive(Clone, Debug)]
pub struct OutboxOp {
    /// Its place in the outbox.
    pub seq: i64,
    pub operation: Operation,
}

/// An operation the server refused, kept with its reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RejectedOp {
    pub op_id: String,
    pub kind: String,
    pub tenant_id: Option<String>,
    pub tenant_name: Option<String>,
    pub reason: String,
    pub message: String,
    /// RFC 3339: when the change was made.
    pub created_at: String,
}

/// Where this workspace's sync stands.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SyncState {
    /// The server's workspace this one syncs with (chosen at the first sync).
    pub server_workspace: Option<String>,
    pub epoch: Option<String>,
    /// The last sequence of the server's log applied.
    pub cursor: i64,
    /// While a first sync is under way: the sequence its snapshots are taken at.
    pub first_sync_up_to: Option<i64>,
    pub backfilled: bool,
    pub last_sync_at: Option<String>,
    pub last_error: Option<String>,
    /// Whether the last comparison of checksums with the server's agreed.
    pub last_checksums_ok: Option<bool>,
    /// Operations waiting to be pushed.
    pub pending: i64,
    /// Operations the server refused.
    pub rejected: i64,
}

/// What applying operations changed, for the derivations to run after it.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    /// Operations applied (not already here).
    pub applied: usize,
    /// Tenants whose synced records changed.
    pub tenants: BTreeSet<TenantId>,
    /// Baselines or settings changed: every tenant's derivation may change.
    pub workspace: bool,
}

impl Applied {
    pub fn merge(&mut self, other: Applied) {
        self.applied += other.applied;
        self.tenants.extend(other.tenants);
        self.workspace |= other.workspace;
    }
}

/// A tenant's (or the workspace's, key `""`) digests for `plumbline sync verify`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TenantDigest {
    /// The tenant's id, or `""` for the workspace's own records.
    pub key: String,
    pub name: String,
    /// The operations of the server's log this device has, as the server counts them.
    pub checksum: Checksum,
    /// SHA-256 of the tenant's synced records (fields, captures, assignments, decisions).
    pub synced: String,
    /// SHA-256 of what this device derived from them (reviews, findings, history,
    /// risk acceptances).
    pub derived: String,
}

/// The SHA-256 digest of an operation id, as the server XORs it into a checksum.
pub fn op_digest(op_id: &str) -> [u8; 32] {
    Sha256::digest(op_id.as_bytes()).into()
}

/// The tenant key of an operation: its tenant, or `""` for the workspace's records.
fn tenant_key(op: &Operation) -> String {
    op.tenant_id.clone().unwrap_or_default()
}

/// An RFC 3339 time from a clock reading (deterministic: the same on every device).
pub(crate) fn hlc_timestamp(hlc: &str) -> String {
    let millis = Hlc::parse_time(hlc).map(Hlc::unix_millis).unwrap_or(0);
    timestamp(DateTime::<Utc>::from_timestamp_millis(millis).unwrap_or_default())
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt(what.to_string())
}

impl Store {
    /// This workspace's sync state (a row is created on first use).
    pub async fn sync_state(&self) -> Result<SyncState, StoreError> {
        let workspace = self.workspace().to_string();
        sqlx::query("INSERT OR IGNORE INTO sync_state (workspace_id) VALUES (?)")
            .bind(&workspace)
            .execute(self.pool())
            .await?;
        let row = sqlx::query(
            "SELECT server_workspace, epoch, cursor, first_sync_up_to, backfilled, last_sync_at,
                    last_error, last_checksums_ok,
                    (SELECT COUNT(*) FROM sync_ops WHERE state = 'pending') AS pending,
                    (SELECT COUNT(*) FROM sync_ops WHERE state = 'rejected') AS rejected
             FROM sync_state WHERE workspace_id = ?",
        )
        .bind(&workspace)
        .fetch_one(self.pool())
        .await?;
        Ok(SyncState {
            server_workspace: row.try_get("server_workspace")?,
            epoch: row.try_get("epoch")?,
            cursor: row.try_get("cursor")?,
            first_sync_up_to: row.try_get("first_sync_up_to")?,
            backfilled: row.try_get::<i64, _>("backfilled")? == 1,
            last_sync_at: row.try_get("last_sync_at")?,
            last_error: row.try_get("last_error")?,
            last_checksums_ok: row
                .try_get::<Option<i64>, _>("last_checksums_ok")?
                .map(|v| v == 1),
            pending: row.try_get("pending")?,
            rejected: row.try_get("rejected")?,
        })
    }

    /// Records the server workspace this one syncs with.
    pub async fn set_sync_workspace(&self, server_workspace: &str) -> Result<(), StoreError> {
        self.sync_state().await?;
        sqlx::query("UPDATE sync_state SET server_workspace = ? WHERE workspace_id = ?")
            .bind(server_workspace)
            .bind(self.workspace().to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Records how a sync ended: its time, and the problem if it failed.
    pub async fn record_sync_outcome(
        &self,
        error: Option<&str>,
        checksums_ok: Option<bool>,
    ) -> Result<(), StoreError> {
        self.sync_state().await?;
        sqlx::query(
            "UPDATE sync_state SET last_sync_at = CASE WHEN ?1 IS NULL THEN ?2 ELSE last_sync_at END,
                    last_error = ?1,
                    last_checksums_ok = COALESCE(?3, last_checksums_ok)
             WHERE workspace_id = ?4",
        )
        .bind(error)
        .bind(timestamp(Utc::now()))
        .bind(checksums_ok.map(i64::from))
        .bind(self.workspace().to_string())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Makes this device's records from before sync existed operations too (once): the
    /// tenants, captures, published baselines, assignments, decisions, settings and
    /// this device's audit events that no operation describes yet.
    pub async fn backfill_outbox(&self) -> Result<usize, StoreError> {
        if self.sync_state().await?.backfilled {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let device = self.writer().device_id.clone();
        let hlc = tx.hlc().to_owned();
        let now = timestamp(Utc::now());
        let mut rows: Vec<(Option<String>, String, Value, Option<String>)> = Vec::new();
        // (tenant, kind, data, op id when the record's id is the op's)
        let tenants = sqlx::query(
            "SELECT id, display_name, entra_tenant_id, primary_domain, tags, is_demo FROM tenants t
             WHERE NOT EXISTS (SELECT 1 FROM sync_ops o WHERE o.kind = 'tenant_set' AND o.tenant_id = t.id)
             ORDER BY created_at, id",
        )
        .fetch_all(&mut *tx)
        .await?;
        for row in &tenants {
            let tags: String = row.try_get("tags")?;
            rows.push((
                Some(row.try_get("id")?),
                "tenant_set".to_owned(),
                serde_json::json!({
                    "display_name": row.try_get::<String, _>("display_name")?,
                    "entra_tenant_id": row.try_get::<Option<String>, _>("entra_tenant_id")?,
                    "primary_domain": row.try_get::<Option<String>, _>("primary_domain")?,
                    "tags": serde_json::from_str::<Value>(&tags).map_err(corrupt)?,
                    "is_demo": row.try_get::<bool, _>("is_demo")?,
                }),
                None,
            ));
        }
        let captures = sqlx::query(
            "SELECT c.id, c.tenant_id FROM captures c
             WHERE NOT EXISTS (SELECT 1 FROM sync_ops o WHERE o.kind = 'capture'
                               AND json_extract(o.data, '$.capture_id') = c.id)
               AND NOT EXISTS (SELECT 1 FROM sync_applied a WHERE a.kind = 'capture'
                               AND a.op_id = 'capture:' || c.id)
             ORDER BY c.taken_at, c.id",
        )
        .fetch_all(&mut *tx)
        .await?;
        for row in &captures {
            let id: String = row.try_get("id")?;
            rows.push((
                Some(row.try_get("tenant_id")?),
                "capture".to_owned(),
                serde_json::json!({ "capture_id": id }),
                None,
            ));
        }
        let versions = sqlx::query(
            "SELECT v.id, v.baseline_id, v.status FROM baseline_versions v
             WHERE v.status <> 'draft'
               AND NOT EXISTS (SELECT 1 FROM sync_ops o WHERE o.kind = 'baseline_publish'
                               AND json_extract(o.data, '$.version_id') = v.id)
             ORDER BY v.published_at, v.id",
        )
        .fetch_all(&mut *tx)
        .await?;
        for row in &versions {
            let id: String = row.try_get("id")?;
            rows.push((
                None,
                "baseline_publish".to_owned(),
                serde_json::json!({ "version_id": id }),
                None,
            ));
            if row.try_get::<String, _>("status")? == "retired" {
                rows.push((
                    None,
                    "baseline_retire".to_owned(),
                    serde_json::json!({
                        "baseline_id": row.try_get::<String, _>("baseline_id")?,
                        "version_id": id,
                    }),
                    None,
                ));
            }
        }
        let assignments = sqlx::query(
            "SELECT a.tenant_id, a.baseline_id, a.baseline_version_id, a.variables FROM baseline_assignments a
             WHERE NOT EXISTS (SELECT 1 FROM sync_ops o WHERE o.kind = 'assignment_set'
                               AND o.tenant_id = a.tenant_id
                               AND json_extract(o.data, '$.baseline_id') = a.baseline_id)",
        )
        .fetch_all(&mut *tx)
        .await?;
        for row in &assignments {
            let variables: String = row.try_get("variables")?;
            rows.push((
                Some(row.try_get("tenant_id")?),
                "assignment_set".to_owned(),
                serde_json::json!({
                    "baseline_id": row.try_get::<String, _>("baseline_id")?,
                    "version_id": row.try_get::<Option<String>, _>("baseline_version_id")?,
                    "variables": serde_json::from_str::<Value>(&variables).map_err(corrupt)?,
                }),
                None,
            ));
        }
        let decisions = sqlx::query(
            "SELECT d.* FROM decisions d
             WHERE d.device_id = ? AND NOT EXISTS (SELECT 1 FROM sync_ops o WHERE o.op_id = d.id)
             ORDER BY d.hlc, d.id",
        )
        .bind(&device)
        .fetch_all(&mut *tx)
        .await?;
        for row in &decisions {
            let value: Option<String> = row.try_get("accepted_value")?;
            rows.push((
                Some(row.try_get("tenant_id")?),
                "decision".to_owned(),
                serde_json::json!({
                    "finding": row.try_get::<String, _>("finding")?,
                    "action": row.try_get::<String, _>("action")?,
                    "base": row.try_get::<Option<String>, _>("base")?,
                    "actor": row.try_get::<String, _>("actor")?,
                    "reason": row.try_get::<Option<String>, _>("reason")?,
                    "expires_at": row.try_get::<Option<String>, _>("expires_at")?,
                    "accepted_value": value.map(|v| serde_json::from_str::<Value>(&v)).transpose().map_err(corrupt)?,
                    "approver": row.try_get::<Option<String>, _>("approver")?,
                    "approves": row.try_get::<Option<String>, _>("approves")?,
                }),
                Some(row.try_get("id")?),
            ));
        }
        let audit = sqlx::query(
            "SELECT e.* FROM audit_events e
             WHERE e.device_id = ? AND NOT EXISTS (SELECT 1 FROM sync_ops o WHERE o.op_id = e.id)
             ORDER BY e.chain_seq",
        )
        .bind(&device)
        .fetch_all(&mut *tx)
        .await?;
        for row in &audit {
            let summary: String = row.try_get("summary")?;
            rows.push((
                row.try_get("tenant_id")?,
                "audit".to_owned(),
                serde_json::json!({
                    "id": row.try_get::<String, _>("id")?,
                    "workspace_id": row.try_get::<String, _>("workspace_id")?,
                    "chain_seq": row.try_get::<i64, _>("chain_seq")?,
                    "at": row.try_get::<String, _>("at")?,
                    "actor": row.try_get::<String, _>("actor")?,
                    "action": row.try_get::<String, _>("action")?,
                    "target": row.try_get::<String, _>("target")?,
                    "summary": serde_json::from_str::<Value>(&summary).map_err(corrupt)?,
                    "prev_hash": row.try_get::<String, _>("prev_hash")?,
                    "hash": row.try_get::<String, _>("hash")?,
                }),
                Some(row.try_get("id")?),
            ));
        }
        let settings = sqlx::query(
            "SELECT msp_name, accent_colour, report_language, logo_sha256, logo_source
             FROM workspace_settings WHERE workspace_id = ?
               AND NOT EXISTS (SELECT 1 FROM sync_ops WHERE kind = 'setting_set')",
        )
        .bind(self.workspace().to_string())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = settings {
            let logo: Option<String> = row.try_get("logo_sha256")?;
            for (key, value) in [
                (
                    "msp_name",
                    Value::from(row.try_get::<String, _>("msp_name")?),
                ),
                (
                    "accent_colour",
                    Value::from(row.try_get::<String, _>("accent_colour")?),
                ),
                (
                    "report_language",
                    Value::from(row.try_get::<String, _>("report_language")?),
                ),
                (
                    "logo",
                    match logo {
                        Some(hash) => serde_json::json!({
                            "blob": hash,
                            "source": row.try_get::<Option<String>, _>("logo_source")?,
                        }),
                        None => Value::Null,
                    },
                ),
            ] {
                rows.push((
                    None,
                    "setting_set".to_owned(),
                    serde_json::json!({ "key": key, "value": value }),
                    None,
                ));
            }
        }
        let count = rows.len();
        for (tenant, kind, data, op_id) in rows {
            let op_id = op_id.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
            sqlx::query(
                "INSERT OR IGNORE INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(&op_id)
            .bind(&hlc)
            .bind(tenant)
            .bind(kind)
            .bind(data.to_string())
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        // The registers of what was written before sync: these writes happen now, so an
        // older write of another device must not take them (devices would disagree).
        sqlx::query(
            "INSERT INTO sync_registers (entity, key, field, hlc)
             SELECT 'setting', json_extract(data, '$.key'), 'value', hlc FROM sync_ops
             WHERE kind = 'setting_set' AND hlc = ?1
             UNION ALL
             SELECT 'tenant', tenant_id, f.name, hlc FROM sync_ops,
                    (SELECT 'display_name' AS name UNION ALL SELECT 'entra_tenant_id'
                     UNION ALL SELECT 'primary_domain' UNION ALL SELECT 'tags'
                     UNION ALL SELECT 'is_demo') f
             WHERE kind = 'tenant_set' AND hlc = ?1
             UNION ALL
             SELECT 'assignment', tenant_id || '/' || json_extract(data, '$.baseline_id'),
                    'assignment', hlc FROM sync_ops
             WHERE kind = 'assignment_set' AND hlc = ?1
             ON CONFLICT (entity, key, field) DO UPDATE SET hlc = max(hlc, excluded.hlc)",
        )
        .bind(&hlc)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE sync_state SET backfilled = 1 WHERE workspace_id = ?")
            .bind(self.workspace().to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(count)
    }

    /// Up to `limit` pending operations, oldest first, read whole.
    pub async fn outbox(&self, limit: usize) -> Result<Vec<OutboxOp>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, op_id, hlc, tenant_id, kind, data FROM sync_ops
             WHERE state = 'pending' ORDER BY seq LIMIT ?",
        )
        .bind(limit as i64)
        .fetch_all(self.pool())
        .await?;
        let mut conn = self.pool().acquire().await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let kind: String = row.try_get("kind")?;
            let data: String = row.try_get("data")?;
            let data: Value = serde_json::from_str(&data).map_err(corrupt)?;
            let body = match kind.as_str() {
                "capture" => {
                    let id = data["capture_id"].as_str().unwrap_or_default();
                    OpBody::Capture(capture_record(&mut conn, id).await?)
                }
                "baseline_publish" => {
                    let id = data["version_id"].as_str().unwrap_or_default();
                    OpBody::BaselinePublish(version_record(&mut conn, id).await?)
                }
                _ => serde_json::from_value(serde_json::json!({ "kind": kind, "data": data }))
                    .map_err(|e| corrupt(format!("outbox operation of kind {kind}: {e}")))?,
            };
            out.push(OutboxOp {
                seq: row.try_get("seq")?,
                operation: Operation {
                    id: row.try_get("op_id")?,
                    hlc: row.try_get("hlc")?,
                    device_id: self.writer().device_id.clone(),
                    tenant_id: row.try_get("tenant_id")?,
                    body,
                },
            });
        }
        Ok(out)
    }

    /// The blobs with these hashes that this device has, as stored (most zstd frames of
    /// their canonical bytes).
    pub async fn blob_payloads(&self, hashes: &[String]) -> Result<Vec<BlobFrame>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let mut out = Vec::with_capacity(hashes.len());
        for hash in hashes {
            let row = sqlx::query("SELECT size, codec, data FROM blobs WHERE sha256 = ?")
                .bind(hash)
                .fetch_optional(&mut *conn)
                .await?;
            if let Some(row) = row {
                // As stored: the server checks it by decoding it.
                let codec: String = row.try_get(1)?;
                out.push(BlobFrame {
                    sha256: hash.clone(),
                    codec: BlobCodec::parse(&codec)
                        .ok_or_else(|| corrupt(format!("blob {hash}: unknown codec {codec}")))?,
                    size: row.try_get::<i64, _>(0)?.max(0) as u64,
                    data: row.try_get(2)?,
                });
                continue;
            }
            let logo: Option<Vec<u8>> =
                sqlx::query_scalar("SELECT logo_png FROM workspace_settings WHERE logo_sha256 = ?")
                    .bind(hash)
                    .fetch_optional(&mut *conn)
                    .await?
                    .flatten();
            if let Some(bytes) = logo {
                out.push(BlobFrame {
                    sha256: hash.clone(),
                    codec: BlobCodec::None,
                    size: bytes.len() as u64,
                    data: bytes,
                });
            }
        }
        Ok(out)
    }

    /// Of these hashes, those this device does not have.
    pub async fn missing_blobs(&self, hashes: &[String]) -> Result<Vec<String>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let mut out = Vec::new();
        for hash in hashes.iter().collect::<BTreeSet<_>>() {
            let present = sqlx::query("SELECT 1 FROM blobs WHERE sha256 = ?")
                .bind(hash)
                .fetch_optional(&mut *conn)
                .await?
                .is_some();
            if !present {
                out.push(hash.clone());
            }
        }
        Ok(out)
    }

    /// Stores blobs received from the server (checked by [`ReceivedBlob::check`]).
    pub async fn store_blobs(&self, received: &[ReceivedBlob]) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        for blob in received {
            blobs::put_received(&mut tx, blob).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records the server's verdicts on pushed operations: accepted and duplicate ones
    /// are pushed (and part of the log this device has), rejected ones are kept with
    /// the reason.
    pub async fn record_verdicts(
        &self,
        pushed: &[OutboxOp],
        verdicts: &[Verdict],
    ) -> Result<usize, StoreError> {
        let by_id: BTreeMap<&str, &OutboxOp> = pushed
            .iter()
            .map(|op| (op.operation.id.as_str(), op))
            .collect();
        let mut tx = self.pool().begin().await?;
        let mut decided = 0;
        for verdict in verdicts {
            let Some(op) = by_id.get(verdict.id.as_str()) else {
                continue;
            };
            decided += 1;
            let operation = &op.operation;
            match &verdict.outcome {
                Outcome::Accepted { seq } | Outcome::Duplicate { seq } => {
                    sqlx::query(
                        "UPDATE sync_ops SET state = 'pushed', server_seq = ?, attempts = attempts + 1 WHERE op_id = ?",
                    )
                    .bind(seq)
                    .bind(&operation.id)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT OR IGNORE INTO sync_applied (op_id, server_seq, tenant_key, kind, hlc) VALUES (?, ?, ?, ?, ?)",
                    )
                    .bind(&operation.id)
                    .bind(seq)
                    .bind(tenant_key(operation))
                    .bind(operation.body.kind())
                    .bind(&operation.hlc)
                    .execute(&mut *tx)
                    .await?;
                }
                Outcome::Rejected { reason, message } => {
                    sqlx::query(
                        "UPDATE sync_ops SET state = 'rejected', reject_reason = ?, reject_message = ?, attempts = attempts + 1
                         WHERE op_id = ?",
                    )
                    .bind(reason.code())
                    .bind(message)
                    .bind(&operation.id)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(decided)
    }

    /// The operations the server refused, newest first.
    pub async fn rejected_operations(&self) -> Result<Vec<RejectedOp>, StoreError> {
        let rows = sqlx::query(
            "SELECT o.op_id, o.kind, o.tenant_id, t.display_name, o.reject_reason, o.reject_message, o.created_at
             FROM sync_ops o LEFT JOIN tenants t ON t.id = o.tenant_id
             WHERE o.state = 'rejected' ORDER BY o.seq DESC",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(RejectedOp {
                    op_id: row.try_get(0)?,
                    kind: row.try_get(1)?,
                    tenant_id: row.try_get(2)?,
                    tenant_name: row.try_get(3)?,
                    reason: row.try_get::<Option<String>, _>(4)?.unwrap_or_default(),
                    message: row.try_get::<Option<String>, _>(5)?.unwrap_or_default(),
                    created_at: row.try_get(6)?,
                })
            })
            .collect()
    }

    /// Applies operations of the server's log (a page, or a snapshot) in one
    /// transaction; with `cursor`, the sync cursor moves to it in the same transaction.
    pub async fn apply_operations(
        &self,
        operations: &[Sequenced],
        cursor: Option<i64>,
    ) -> Result<Applied, StoreError> {
        self.apply_in_one(operations, cursor, None, &[]).await
    }

    /// Applies `operations` in one transaction with the cursor that follows them (when
    /// given) and, during a first sync, the snapshot's key recorded as done.
    async fn apply_in_one(
        &self,
        operations: &[Sequenced],
        cursor: Option<i64>,
        snapshot_done: Option<&str>,
        received: &[ReceivedBlob],
    ) -> Result<Applied, StoreError> {
        let first_hlc = operations
            .first()
            .map(|s| s.operation.hlc.clone())
            .unwrap_or_else(|| self.clock().now().0);
        let mut tx = self.begin_remote(&first_hlc).await?;
        let mut applied = Applied::default();
        let mut memo = ApplyMemo::default();
        // Blobs that came with the operations are stored with them, and their decoded
        // JSON serves the records naming them (not read back from the database).
        for blob in received {
            blobs::put_received(&mut tx, blob).await?;
            if let Some(value) = blob.value() {
                memo.blobs.insert(blob.hash().to_owned(), Arc::clone(value));
            }
        }
        let device = self.writer().device_id.clone();
        for sequenced in operations {
            let op = &sequenced.operation;
            let known = sqlx::query("SELECT 1 FROM sync_applied WHERE op_id = ?")
                .bind(&op.id)
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
            if known {
                continue;
            }
            if let Err(error) = self.clock().observe(&op.hlc) {
                tracing::warn!(%error, op = %op.id, "an operation's clock is far ahead of this computer's");
            }
            tx.set_hlc(&op.hlc).await?;
            // This device's own operation: its change is here already, unless the
            // database was restored from before it (then it is applied like any other).
            let own_pending = op.device_id == device
                && sqlx::query("SELECT 1 FROM sync_ops WHERE op_id = ?")
                    .bind(&op.id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .is_some();
            if own_pending {
                sqlx::query(
                    "UPDATE sync_ops SET state = 'pushed', server_seq = ? WHERE op_id = ? AND state <> 'pushed'",
                )
                .bind(sequenced.seq)
                .bind(&op.id)
                .execute(&mut *tx)
                .await?;
            } else {
                apply_one(&mut tx, self, op, &mut applied, &mut memo).await?;
                applied.applied += 1;
            }
            sqlx::query(
                "INSERT OR IGNORE INTO sync_applied (op_id, server_seq, tenant_key, kind, hlc) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(&op.id)
            .bind(sequenced.seq)
            .bind(tenant_key(op))
            .bind(op.body.kind())
            .bind(&op.hlc)
            .execute(&mut *tx)
            .await?;
        }
        for key in applied
            .tenants
            .iter()
            .map(ToString::to_string)
            .chain(applied.workspace.then(String::new))
        {
            sqlx::query("INSERT OR IGNORE INTO sync_dirty (tenant_key) VALUES (?)")
                .bind(key)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(cursor) = cursor {
            sqlx::query("UPDATE sync_state SET cursor = ? WHERE workspace_id = ?")
                .bind(cursor)
                .bind(self.workspace().to_string())
                .execute(&mut *tx)
                .await?;
        }
        if let Some(key) = snapshot_done {
            sqlx::query("INSERT OR IGNORE INTO sync_snapshots_done (tenant_key) VALUES (?)")
                .bind(key)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(applied)
    }

    /// Starts a first sync at `up_to` with the server's `epoch` (kept if one is under way).
    pub async fn begin_first_sync(&self, epoch: &str, up_to: i64) -> Result<i64, StoreError> {
        let state = self.sync_state().await?;
        if let (Some(at), Some(current)) = (state.first_sync_up_to, state.epoch.as_deref()) {
            if current == epoch {
                return Ok(at);
            }
        }
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM sync_snapshots_done")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE sync_state SET epoch = ?, first_sync_up_to = ?, cursor = 0 WHERE workspace_id = ?",
        )
        .bind(epoch)
        .bind(up_to)
        .bind(self.workspace().to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(up_to)
    }

    /// The snapshots of the first sync under way already applied.
    pub async fn snapshots_done(&self) -> Result<BTreeSet<String>, StoreError> {
        Ok(
            sqlx::query_scalar::<_, String>("SELECT tenant_key FROM sync_snapshots_done")
                .fetch_all(self.pool())
                .await?
                .into_iter()
                .collect(),
        )
    }

    /// Applies one snapshot of a first sync (or of a tenant granted later), recording
    /// it as done in the same transaction when a first sync is under way.
    pub async fn apply_snapshot(
        &self,
        key: &str,
        operations: &[Sequenced],
        first_sync: bool,
        received: &[ReceivedBlob],
    ) -> Result<Applied, StoreError> {
        let done = first_sync.then_some(key);
        self.apply_in_one(operations, None, done, received).await
    }

    /// Ends a first sync: the stream continues after the snapshots' sequence.
    pub async fn finish_first_sync(&self, up_to: i64) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "UPDATE sync_state SET cursor = MAX(cursor, ?), first_sync_up_to = NULL WHERE workspace_id = ?",
        )
        .bind(up_to)
        .bind(self.workspace().to_string())
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sync_snapshots_done")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The server's log was restored or replaced (a new epoch): this device starts over
    /// from its first sequence, keeps what it has, and offers its own operations again.
    pub async fn restart_sync(&self, epoch: &str) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM sync_applied")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sync_snapshots_done")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE sync_ops SET state = 'pending', server_seq = NULL WHERE state = 'pushed'",
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE sync_state SET epoch = ?, cursor = 0, first_sync_up_to = NULL WHERE workspace_id = ?",
        )
        .bind(epoch)
        .bind(self.workspace().to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records the epoch of the server's log this device syncs with.
    pub async fn set_sync_epoch(&self, epoch: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE sync_state SET epoch = ? WHERE workspace_id = ?")
            .bind(epoch)
            .bind(self.workspace().to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The tenants with operations of this device the server has not accepted yet.
    pub async fn tenants_with_pending_operations(
        &self,
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT tenant_id FROM sync_ops WHERE state = 'pending' AND tenant_id IS NOT NULL",
        )
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .collect())
    }

    /// How many of this device's operations on `tenant` the server has not accepted yet.
    pub async fn pending_operations_for(&self, tenant: &str) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM sync_ops WHERE tenant_id = ? AND state = 'pending'",
        )
        .bind(tenant)
        .fetch_one(self.pool())
        .await?)
    }

    /// This device lost access to a tenant: its data goes, in one transaction, and the
    /// device's operations on it that the server has not accepted are listed as rejected.
    pub async fn revoke_tenant(&self, tenant: &str) -> Result<u64, StoreError> {
        let mut tx = self.begin_remote(&self.clock().now().0).await?;
        let rejected = sqlx::query(
            "UPDATE sync_ops SET state = 'rejected', reject_reason = 'revoked',
                    reject_message = 'access to this tenant was withdrawn before the server accepted the change'
             WHERE tenant_id = ? AND state = 'pending'",
        )
        .bind(tenant)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        purge_tenant(&mut tx, tenant).await?;
        sqlx::query("DELETE FROM sync_applied WHERE tenant_key = ?")
            .bind(tenant)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sync_dirty WHERE tenant_key = ?")
            .bind(tenant)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(rejected)
    }

    /// What the applied operations changed and is not derived again yet.
    pub async fn dirty(&self) -> Result<Applied, StoreError> {
        let keys: Vec<String> = sqlx::query_scalar("SELECT tenant_key FROM sync_dirty")
            .fetch_all(self.pool())
            .await?;
        let mut dirty = Applied::default();
        for key in keys {
            if key.is_empty() {
                dirty.workspace = true;
            } else if let Ok(tenant) = TenantId::from_str(&key) {
                dirty.tenants.insert(tenant);
            }
        }
        Ok(dirty)
    }

    /// Marks what [`Store::dirty`] returned as derived.
    pub async fn clear_dirty(&self, done: &Applied) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        for key in done
            .tenants
            .iter()
            .map(ToString::to_string)
            .chain(done.workspace.then(String::new))
        {
            sqlx::query("DELETE FROM sync_dirty WHERE tenant_key = ?")
                .bind(key)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Decisions a concurrent decision superseded in the last `days` days: what the sync
    /// indicator asks people to look at.
    pub async fn recently_superseded(&self, days: i64) -> Result<i64, StoreError> {
        let since = timestamp(Utc::now() - chrono::TimeDelta::days(days.max(0)));
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM finding_transitions WHERE superseded_by IS NOT NULL AND at >= ?",
        )
        .bind(since)
        .fetch_one(self.pool())
        .await?)
    }

    /// Per tenant key: the operations of the server's log this device has.
    pub async fn local_checksums(&self) -> Result<BTreeMap<String, Checksum>, StoreError> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT tenant_key, op_id FROM sync_applied")
                .fetch_all(self.pool())
                .await?;
        let mut sums: BTreeMap<String, (i64, [u8; 32])> = BTreeMap::new();
        for (key, id) in rows {
            let entry = sums.entry(key).or_insert((0, [0u8; 32]));
            entry.0 += 1;
            for (x, y) in entry.1.iter_mut().zip(op_digest(&id)) {
                *x ^= y;
            }
        }
        Ok(sums
            .into_iter()
            .map(|(key, (count, xor))| {
                (
                    key,
                    Checksum {
                        count,
                        xor: hex::encode(xor),
                    },
                )
            })
            .collect())
    }

    /// Per tenant (and `""` for the workspace): digests of synced and derived state.
    pub async fn sync_digests(&self) -> Result<Vec<TenantDigest>, StoreError> {
        let checksums = self.local_checksums().await?;
        let mut conn = self.pool().acquire().await?;
        let tenants: Vec<(String, String)> =
            sqlx::query_as("SELECT id, display_name FROM tenants ORDER BY id")
                .fetch_all(&mut *conn)
                .await?;
        let mut out = Vec::with_capacity(tenants.len() + 1);
        out.push(TenantDigest {
            key: String::new(),
            name: "(workspace)".to_owned(),
            checksum: checksums.get("").cloned().unwrap_or_default(),
            synced: digest_rows(&mut conn, WORKSPACE_SYNCED, None).await?,
            derived: digest_rows(&mut conn, &[], None).await?,
        });
        for (id, name) in tenants {
            out.push(TenantDigest {
                checksum: checksums.get(&id).cloned().unwrap_or_default(),
                synced: digest_rows(&mut conn, TENANT_SYNCED, Some(&id)).await?,
                derived: digest_rows(&mut conn, TENANT_DERIVED, Some(&id)).await?,
                key: id,
                name,
            });
        }
        Ok(out)
    }
}

/// The queries whose rows make the workspace's synced digest.
const WORKSPACE_SYNCED: &[&str] = &[
    "SELECT json_array(b.id, b.name, b.description) FROM baselines b ORDER BY b.id",
    "SELECT json_array(v.id, v.baseline_id, v.version, v.status, v.options, v.created_by, v.published_at,
                       v.definitions_sha256)
     FROM baseline_versions v WHERE v.status <> 'draft' ORDER BY v.id",
    "SELECT json_array(i.baseline_version_id, i.kind, i.name, i.match_name, i.blob_sha256, i.severity)
     FROM baseline_items i JOIN baseline_versions v ON v.id = i.baseline_version_id
     WHERE v.status <> 'draft' ORDER BY i.baseline_version_id, i.kind, i.name",
    "SELECT json_array(w.four_eyes) FROM workspaces w",
    "SELECT json_array(s.msp_name, s.accent_colour, s.report_language, s.logo_sha256) FROM workspace_settings s",
];

/// The queries whose rows make a tenant's synced digest (`?1`: the tenant).
const TENANT_SYNCED: &[&str] = &[
    "SELECT json_array(t.display_name, t.entra_tenant_id, t.primary_domain, t.tags, t.is_demo)
     FROM tenants t WHERE t.id = ?1",
    "SELECT json_array(c.id, c.source, c.taken_at, c.item_count, c.origin, c.definitions_sha256)
     FROM captures c
     WHERE c.tenant_id = ?1 ORDER BY c.id",
    "SELECT json_array(i.capture_id, i.kind, i.external_id, i.name, i.blob_sha256)
     FROM config_items i JOIN captures c ON c.id = i.capture_id
     WHERE c.tenant_id = ?1 ORDER BY i.capture_id, i.kind, i.external_id, i.name, i.blob_sha256",
    "SELECT json_array(a.baseline_id, a.baseline_version_id, a.variables) FROM baseline_assignments a
     WHERE a.tenant_id = ?1 ORDER BY a.baseline_id",
    "SELECT json_array(d.id, d.finding, d.action, d.base, d.actor, d.reason, d.expires_at,
                       d.accepted_value, d.approver, d.approves, d.hlc)
     FROM decisions d WHERE d.tenant_id = ?1 ORDER BY d.id",
];

/// The queries whose rows make a tenant's derived digest (`?1`: the tenant).
const TENANT_DERIVED: &[&str] = &[
    "SELECT json_array(r.id, r.capture_id, r.previous_capture_id, r.started_at, r.finished_at,
                       r.inputs_hash, r.score, r.score_detail)
     FROM reviews r WHERE r.tenant_id = ?1 ORDER BY r.id",
    "SELECT json_array(f.id, f.fingerprint, f.source, f.baseline_id, f.rule, f.resource_kind,
                       f.item_key, f.setting_path, f.drift_kind, f.severity, f.title, f.expected,
                       f.actual, f.status, f.not_assessed, f.reopen_count, f.first_seen_at,
                       f.last_seen_at, f.resolved_at, f.due_at, f.last_review_id)
     FROM findings f WHERE f.tenant_id = ?1 ORDER BY f.id",
    "SELECT json_array(tr.id, tr.finding_id, tr.from_status, tr.to_status, tr.at, tr.actor,
                       tr.reason, tr.review_id, tr.decision_id, tr.superseded_by)
     FROM finding_transitions tr JOIN findings f ON f.id = tr.finding_id
     WHERE f.tenant_id = ?1 ORDER BY tr.id",
    "SELECT json_array(ra.id, ra.finding_id, ra.justification, ra.accepted_value, ra.accepted_by,
                       ra.approved_by, ra.approved_at, ra.created_at, ra.expires_at, ra.lapsed_at,
                       ra.lapse_reason)
     FROM risk_acceptances ra JOIN findings f ON f.id = ra.finding_id
     WHERE f.tenant_id = ?1 ORDER BY ra.id",
];

/// SHA-256 over the rows of `queries`, one JSON array per line.
async fn digest_rows(
    conn: &mut SqliteConnection,
    queries: &[&str],
    tenant: Option<&str>,
) -> Result<String, StoreError> {
    let mut hasher = Sha256::new();
    for (index, query) in queries.iter().enumerate() {
        hasher.update(format!("#{index}\n").as_bytes());
        let mut q = sqlx::query_scalar::<_, String>(query);
        if let Some(tenant) = tenant {
            q = q.bind(tenant);
        }
        for line in q.fetch_all(&mut *conn).await? {
            hasher.update(line.as_bytes());
            hasher.update(b"\n");
        }
    }
    Ok(hex::encode(hasher.finalize()))
}

/// A capture as its record.
async fn capture_record(
    conn: &mut SqliteConnection,
    id: &str,
) -> Result<CaptureRecord, StoreError> {
    let head = sqlx::query(
        "SELECT source, taken_at, origin, definitions_sha256 FROM captures WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| corrupt(format!("the outbox names capture {id}, which is not here")))?;
    let kinds = sqlx::query(
        "SELECT kind, ok, item_count, error FROM capture_kinds WHERE capture_id = ? ORDER BY kind",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| {
        Ok(CaptureKind {
            kind: row.try_get(0)?,
            ok: row.try_get(1)?,
            item_count: row.try_get::<i64, _>(2)?.max(0) as u32,
            error: row.try_get(3)?,
        })
    })
    .collect::<Result<Vec<_>, StoreError>>()?;
    let items = sqlx::query(
        "SELECT kind, odata_type, external_id, name, blob_sha256, source_path FROM config_items
         WHERE capture_id = ? ORDER BY rowid",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| {
        Ok(CaptureItem {
            kind: row.try_get(0)?,
            odata_type: row.try_get(1)?,
            external_id: row.try_get(2)?,
            name: row.try_get(3)?,
            blob: row.try_get(4)?,
            source_path: row.try_get(5)?,
        })
    })
    .collect::<Result<Vec<_>, StoreError>>()?;
    let directory_objects = directory_records(
        conn,
        "SELECT kind, external_id, display_name FROM directory_objects WHERE capture_id = ? ORDER BY kind, external_id",
        id,
    )
    .await?;
    Ok(CaptureRecord {
        capture_id: id.to_owned(),
        source: head.try_get(0)?,
        taken_at: head.try_get(1)?,
        origin: head.try_get(2)?,
        kinds,
        items,
        directory_objects,
        definitions: head.try_get(3)?,
    })
}

async fn directory_records(
    conn: &mut SqliteConnection,
    sql: &str,
    id: &str,
) -> Result<Vec<DirectoryObjectRecord>, StoreError> {
    sqlx::query(sql)
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| {
            Ok(DirectoryObjectRecord {
                kind: row.try_get(0)?,
                external_id: row.try_get(1)?,
                display_name: row.try_get(2)?,
            })
        })
        .collect()
}

/// A published baseline version as its record.
async fn version_record(
    conn: &mut SqliteConnection,
    id: &str,
) -> Result<BaselineVersionRecord, StoreError> {
    let head = sqlx::query(
        "SELECT b.id, b.name, b.description, v.version, v.options, v.created_by, v.published_at,
                v.definitions_sha256
         FROM baseline_versions v JOIN baselines b ON b.id = v.baseline_id WHERE v.id = ?",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| {
        corrupt(format!(
            "the outbox names baseline version {id}, which is not here"
        ))
    })?;
    let item_rows = sqlx::query(
        "SELECT id, kind, name, match_name, blob_sha256, severity FROM baseline_items
         WHERE baseline_version_id = ? ORDER BY kind, name",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut items = Vec::with_capacity(item_rows.len());
    for row in &item_rows {
        let item_id: String = row.try_get("id")?;
        let rules: Vec<(String, String)> = sqlx::query_as(
            "SELECT setting_path, rule FROM baseline_rules WHERE baseline_item_id = ? ORDER BY setting_path",
        )
        .bind(&item_id)
        .fetch_all(&mut *conn)
        .await?;
        items.push(BaselineItemRecord {
            kind: row.try_get("kind")?,
            name: row.try_get("name")?,
            match_name: row.try_get("match_name")?,
            blob: row.try_get("blob_sha256")?,
            severity: row.try_get("severity")?,
            rules: rules
                .into_iter()
                .map(|(path, rule)| Ok((path, serde_json::from_str(&rule).map_err(corrupt)?)))
                .collect::<Result<_, StoreError>>()?,
        });
    }
    let options: String = head.try_get("options")?;
    Ok(BaselineVersionRecord {
        baseline_id: head.try_get("id")?,
        name: head.try_get("name")?,
        description: head.try_get("description")?,
        version_id: id.to_owned(),
        version: head.try_get("version")?,
        options: serde_json::from_str(&options).map_err(corrupt)?,
        created_by: head.try_get("created_by")?,
        published_at: head
            .try_get::<Option<String>, _>("published_at")?
            .unwrap_or_default(),
        items,
        directory_objects: directory_records(
            conn,
            "SELECT kind, external_id, display_name FROM baseline_directory_objects WHERE baseline_version_id = ? ORDER BY kind, external_id",
            id,
        )
        .await?,
        definitions: head.try_get("definitions_sha256")?,
    })
}

/// What applying a page reuses: blobs read, items normalised.
#[derive(Default)]
struct ApplyMemo {
    blobs: std::collections::HashMap<String, Arc<Value>>,
    /// The JSON text size of the blobs read from the database and kept in `blobs` (those
    /// that came with a snapshot are held by it anyway and not counted).
    read_bytes: usize,
    captures: CaptureMemo,
}

impl ApplyMemo {
    /// At most this much JSON text read back from the database is kept decoded (a
    /// decoded `Value` takes several times its text). A page of the log can name the
    /// captures of a thousand tenants, whose blobs repeat only within a tenant: keeping
    /// them all (a limit by count, before) took 3 GB to catch up on a night of captures.
    const READ_BYTES_LIMIT: usize = 16 << 20;

    /// A blob this device must have (fetched before the operation is applied).
    async fn blob(
        &mut self,
        conn: &mut SqliteConnection,
        hash: &str,
    ) -> Result<Arc<Value>, StoreError> {
        if let Some(value) = self.blobs.get(hash) {
            return Ok(Arc::clone(value));
        }
        let (value, size) = needed_blob(conn, hash).await?;
        let value = Arc::new(value);
        if self.read_bytes + size > Self::READ_BYTES_LIMIT {
            self.blobs.clear();
            self.read_bytes = 0;
        }
        self.read_bytes += size;
        self.blobs.insert(hash.to_owned(), Arc::clone(&value));
        Ok(value)
    }
}

/// Whether a write at `hlc` takes the register (`entity`, `key`, `field`): it does when
/// the register holds an older write or none. The register then holds `hlc`.
pub(crate) async fn take_register(
    conn: &mut SqliteConnection,
    entity: &str,
    key: &str,
    field: &str,
    hlc: &str,
) -> Result<bool, StoreError> {
    let held: Option<String> = sqlx::query_scalar(
        "SELECT hlc FROM sync_registers WHERE entity = ? AND key = ? AND field = ?",
    )
    .bind(entity)
    .bind(key)
    .bind(field)
    .fetch_optional(&mut *conn)
    .await?;
    if held.as_deref().is_some_and(|held| held >= hlc) {
        return Ok(false);
    }
    set_register(conn, entity, key, field, hlc).await?;
    Ok(true)
}

async fn set_register(
    conn: &mut SqliteConnection,
    entity: &str,
    key: &str,
    field: &str,
    hlc: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sync_registers (entity, key, field, hlc) VALUES (?, ?, ?, ?)
         ON CONFLICT (entity, key, field) DO UPDATE SET hlc = excluded.hlc",
    )
    .bind(entity)
    .bind(key)
    .bind(field)
    .bind(hlc)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn tenant_exists(conn: &mut SqliteConnection, tenant: &str) -> Result<bool, StoreError> {
    Ok(sqlx::query("SELECT 1 FROM tenants WHERE id = ?")
        .bind(tenant)
        .fetch_optional(&mut *conn)
        .await?
        .is_some())
}

async fn tenant_deleted(conn: &mut SqliteConnection, tenant: &str) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "SELECT 1 FROM sync_registers WHERE entity = 'tenant' AND key = ? AND field = 'deleted'",
    )
    .bind(tenant)
    .fetch_optional(&mut *conn)
    .await?
    .is_some())
}

/// Applies one operation of another device.
async fn apply_one(
    conn: &mut SqliteConnection,
    store: &Store,
    op: &Operation,
    applied: &mut Applied,
    memo: &mut ApplyMemo,
) -> Result<(), StoreError> {
    let tenant = match op.tenant_id.as_deref() {
        Some(id) => Some(
            TenantId::from_str(id)
                .map_err(|_| corrupt(format!("operation {} names tenant {id:?}", op.id)))?,
        ),
        None => None,
    };
    if let Some(id) = op.tenant_id.as_deref() {
        if tenant_deleted(conn, id).await? {
            return Ok(()); // the tenant is gone: later records of it are not kept
        }
        let creates = matches!(op.body, OpBody::TenantSet(_) | OpBody::Audit(_));
        if !creates && !tenant_exists(conn, id).await? {
            // A record of a tenant this device has not got (removed here): kept out.
            tracing::warn!(op = %op.id, tenant = id, "an operation of an unknown tenant was skipped");
            return Ok(());
        }
    }
    match &op.body {
        OpBody::TenantSet(fields) => {
            let id = op.tenant_id.as_deref().unwrap_or_default();
            apply_tenant_set(conn, store, id, fields, &op.hlc).await?;
        }
        OpBody::TenantDelete {} => {
            let id = op.tenant_id.as_deref().unwrap_or_default();
            purge_tenant(conn, id).await?;
            set_register(conn, "tenant", id, "deleted", &op.hlc).await?;
        }
        OpBody::Capture(record) => {
            if let Some(tenant) = tenant {
                apply_capture(conn, store, tenant, record, &op.hlc, memo).await?;
            }
        }
        OpBody::BaselinePublish(record) => {
            apply_publish(conn, store, record, &op.hlc).await?;
            applied.workspace = true;
        }
        OpBody::BaselineRetire { version_id, .. } => {
            sqlx::query(
                "UPDATE baseline_versions SET status = 'retired', retired_at = ? WHERE id = ? AND status = 'published'",
            )
            .bind(hlc_timestamp(&op.hlc))
            .bind(version_id)
            .execute(&mut *conn)
            .await?;
            applied.workspace = true;
        }
        OpBody::AssignmentSet(record) => {
            let id = op.tenant_id.as_deref().unwrap_or_default();
            apply_assignment(conn, store, id, Some(record), &op.hlc).await?;
        }
        OpBody::AssignmentRemove { baseline_id } => {
            let id = op.tenant_id.as_deref().unwrap_or_default();
            if take_register(
                conn,
                "assignment",
                &format!("{id}/{baseline_id}"),
                "assignment",
                &op.hlc,
            )
            .await?
            {
                sqlx::query(
                    "DELETE FROM baseline_assignments WHERE tenant_id = ? AND baseline_id = ?",
                )
                .bind(id)
                .bind(baseline_id)
                .execute(&mut *conn)
                .await?;
            }
        }
        OpBody::Decision(record) => {
            let id = op.tenant_id.as_deref().unwrap_or_default();
            apply_decision(conn, op, id, record).await?;
        }
        OpBody::SettingSet { key, value } => {
            apply_setting(conn, store, key, value, &op.hlc).await?;
            applied.workspace = true;
        }
        OpBody::Audit(record) => {
            apply_audit(conn, op, record).await?;
        }
        OpBody::AlertAck(record) => {
            let id = op.tenant_id.as_deref().unwrap_or_default();
            super::delivery::apply_ack(conn, &op.id, &op.hlc, id, record).await?;
        }
        OpBody::AlertRuleSet(record) => {
            super::alerts::apply_rule_set(conn, store, record, &op.hlc).await?;
        }
        OpBody::AlertRuleRemove { name } => {
            super::alerts::apply_rule_remove(conn, store, name, &op.hlc).await?;
        }
        OpBody::SilenceSet(record) => {
            super::alerts::apply_silence(conn, store, op.tenant_id.as_deref(), record, &op.hlc)
                .await?;
        }
    }
    if let Some(tenant) = tenant {
        // Acknowledgements and silences change no derived state: the tenant need not be
        // derived again.
        if !matches!(
            op.body,
            OpBody::Audit(_) | OpBody::AlertAck(_) | OpBody::SilenceSet(_)
        ) {
            applied.tenants.insert(tenant);
        }
    }
    Ok(())
}

async fn apply_tenant_set(
    conn: &mut SqliteConnection,
    store: &Store,
    id: &str,
    fields: &TenantFields,
    hlc: &str,
) -> Result<(), StoreError> {
    if !tenant_exists(conn, id).await? {
        let at = hlc_timestamp(hlc);
        let tags =
            serde_json::to_string(&fields.tags.clone().unwrap_or_default()).map_err(corrupt)?;
        sqlx::query(
            "INSERT INTO tenants (id, workspace_id, display_name, entra_tenant_id, primary_domain, tags, is_demo, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(store.workspace().to_string())
        .bind(fields.display_name.clone().unwrap_or_else(|| "Unnamed tenant".to_owned()))
        .bind(fields.entra_tenant_id.clone().flatten())
        .bind(fields.primary_domain.clone().flatten())
        .bind(tags)
        .bind(fields.is_demo.unwrap_or(false))
        .bind(&at)
        .bind(&at)
        .execute(&mut *conn)
        .await?;
        // The insert's trigger claimed every field's register: only those set keep it.
        for (field, set) in [
            ("display_name", fields.display_name.is_some()),
            ("entra_tenant_id", fields.entra_tenant_id.is_some()),
            ("primary_domain", fields.primary_domain.is_some()),
            ("tags", fields.tags.is_some()),
            ("is_demo", fields.is_demo.is_some()),
        ] {
            if !set {
                sqlx::query(
                    "DELETE FROM sync_registers WHERE entity = 'tenant' AND key = ? AND field = ?",
                )
                .bind(id)
                .bind(field)
                .execute(&mut *conn)
                .await?;
            }
        }
        return Ok(());
    }
    if let Some(name) = &fields.display_name {
        if take_register(conn, "tenant", id, "display_name", hlc).await? {
            sqlx::query("UPDATE tenants SET display_name = ?, updated_at = ? WHERE id = ?")
                .bind(name)
                .bind(hlc_timestamp(hlc))
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
    }
    if let Some(value) = &fields.entra_tenant_id {
        if take_register(conn, "tenant", id, "entra_tenant_id", hlc).await? {
            sqlx::query("UPDATE tenants SET entra_tenant_id = ? WHERE id = ?")
                .bind(value)
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
    }
    if let Some(value) = &fields.primary_domain {
        if take_register(conn, "tenant", id, "primary_domain", hlc).await? {
            sqlx::query("UPDATE tenants SET primary_domain = ? WHERE id = ?")
                .bind(value)
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
    }
    if let Some(tags) = &fields.tags {
        if take_register(conn, "tenant", id, "tags", hlc).await? {
            sqlx::query("UPDATE tenants SET tags = ? WHERE id = ?")
                .bind(serde_json::to_string(tags).map_err(corrupt)?)
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
    }
    if let Some(demo) = fields.is_demo {
        if take_register(conn, "tenant", id, "is_demo", hlc).await? {
            sqlx::query("UPDATE tenants SET is_demo = ? WHERE id = ?")
                .bind(demo)
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// Reads a blob this device must have (fetched before the operation is applied).
async fn needed_blob(
    conn: &mut SqliteConnection,
    hash: &str,
) -> Result<(Value, usize), StoreError> {
    blobs::get_sized(conn, hash).await.map_err(|e| match e {
        StoreError::NotFound { .. } => StoreError::Invalid(format!(
            "blob {hash} is not here yet: sync again (it is fetched before the records that name it)"
        )),
        other => other,
    })
}

async fn apply_capture(
    conn: &mut SqliteConnection,
    store: &Store,
    tenant: TenantId,
    record: &CaptureRecord,
    hlc: &str,
    memo: &mut ApplyMemo,
) -> Result<(), StoreError> {
    let exists = sqlx::query("SELECT 1 FROM captures WHERE id = ?")
        .bind(&record.capture_id)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    if exists {
        return Ok(());
    }
    let id = CaptureId::from_str(&record.capture_id)
        .map_err(|_| corrupt(format!("capture id {:?}", record.capture_id)))?;
    let mut items = Vec::with_capacity(record.items.len());
    for item in &record.items {
        items.push(CapturedItem {
            kind: item.kind.clone(),
            odata_type: item.odata_type.clone(),
            external_id: item.external_id.clone(),
            name: item.name.clone(),
            raw: memo.blob(conn, &item.blob).await?,
            source_path: item.source_path.clone(),
        });
    }
    let content = CaptureContent {
        items,
        directory_objects: directory_objects(&record.directory_objects)?,
        kind_status: record
            .kinds
            .iter()
            .map(|k| {
                (
                    k.kind.clone(),
                    KindStatus {
                        ok: k.ok,
                        item_count: k.item_count,
                        error: k.error.clone(),
                    },
                )
            })
            .collect(),
        definitions: match &record.definitions {
            Some(hash) => {
                serde_json::from_value(Arc::unwrap_or_clone(memo.blob(conn, hash).await?))
                    .map_err(|e| corrupt(format!("setting definitions {hash}: {e}")))?
            }
            None => Default::default(),
        },
    };
    let taken_at = super::parse_timestamp(&record.taken_at)?;
    let source = CaptureSource::parse(&record.source)
        .ok_or_else(|| corrupt(format!("capture source {:?}", record.source)))?;
    let write = CaptureWrite {
        source,
        taken_at,
        origin: record.origin.clone(),
        content: &content,
    };
    let created_at = hlc_timestamp(hlc);
    let remote = RemoteCapture {
        id,
        created_at: &created_at,
        blob_hashes: record.items.iter().map(|i| i.blob.clone()).collect(),
        definitions: record.definitions.clone(),
    };
    store
        .insert_capture_as(conn, tenant, &write, Some(remote), Some(&mut memo.captures))
        .await?;
    Ok(())
}

fn directory_objects(
    records: &[DirectoryObjectRecord],
) -> Result<Vec<DirectoryObject>, StoreError> {
    records
        .iter()
        .map(|r| {
            Ok(DirectoryObject {
                kind: DirectoryObjectKind::parse(&r.kind)
                    .ok_or_else(|| corrupt(format!("directory object kind {:?}", r.kind)))?,
                external_id: r.external_id.clone(),
                display_name: r.display_name.clone(),
            })
        })
        .collect()
}

async fn apply_publish(
    conn: &mut SqliteConnection,
    store: &Store,
    record: &BaselineVersionRecord,
    hlc: &str,
) -> Result<(), StoreError> {
    let exists = sqlx::query("SELECT 1 FROM baseline_versions WHERE id = ?")
        .bind(&record.version_id)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    if exists {
        return Ok(());
    }
    ensure_baseline(conn, store, &record.baseline_id, hlc).await?;
    if take_register(conn, "baseline", &record.baseline_id, "name", hlc).await? {
        sqlx::query("UPDATE baselines SET name = ?, description = ? WHERE id = ?")
            .bind(&record.name)
            .bind(&record.description)
            .bind(&record.baseline_id)
            .execute(&mut *conn)
            .await?;
    }
    // The items are written while the version is a draft of its own (the unique draft
    // per baseline is this device's draft, so the version is written published and the
    // immutability triggers let the sync write its items).
    sqlx::query(
        "INSERT INTO baseline_versions (id, baseline_id, version, status, options, created_at, created_by, published_at, definitions_sha256)
         VALUES (?, ?, ?, 'published', ?, ?, ?, ?, ?)",
    )
    .bind(&record.version_id)
    .bind(&record.baseline_id)
    .bind(record.version)
    .bind(record.options.to_string())
    .bind(&record.published_at)
    .bind(&record.created_by)
    .bind(&record.published_at)
    .bind(&record.definitions)
    .execute(&mut *conn)
    .await?;
    for item in &record.items {
        let severity = Severity::parse(&item.severity)
            .ok_or_else(|| corrupt(format!("severity {:?}", item.severity)))?;
        let rules = item
            .rules
            .iter()
            .map(|(path, rule)| {
                Ok((
                    path.clone(),
                    serde_json::from_value::<SettingRule>(rule.clone()).map_err(corrupt)?,
                ))
            })
            .collect::<Result<BTreeMap<_, _>, StoreError>>()?;
        let (raw, _) = needed_blob(conn, &item.blob).await?;
        insert_item(
            conn,
            &record.version_id,
            &NewBaselineItem {
                kind: item.kind.clone(),
                name: item.name.clone(),
                match_name: item.match_name.clone(),
                raw,
                severity,
                rules,
            },
        )
        .await?;
    }
    for object in directory_objects(&record.directory_objects)? {
        sqlx::query(
            "INSERT OR IGNORE INTO baseline_directory_objects (baseline_version_id, kind, external_id, display_name) VALUES (?, ?, ?, ?)",
        )
        .bind(&record.version_id)
        .bind(object.kind.as_str())
        .bind(&object.external_id)
        .bind(&object.display_name)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Makes sure the baseline `id` exists (an assignment may arrive before the baseline's
/// first published version: it is named once that arrives).
async fn ensure_baseline(
    conn: &mut SqliteConnection,
    store: &Store,
    id: &str,
    hlc: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT OR IGNORE INTO baselines (id, workspace_id, name, description, created_at) VALUES (?, ?, ?, '', ?)",
    )
    .bind(id)
    .bind(store.workspace().to_string())
    .bind(format!("Baseline {}", &id[..id.len().min(8)]))
    .bind(hlc_timestamp(hlc))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn apply_assignment(
    conn: &mut SqliteConnection,
    store: &Store,
    tenant: &str,
    record: Option<&AssignmentRecord>,
    hlc: &str,
) -> Result<(), StoreError> {
    let Some(record) = record else {
        return Ok(());
    };
    let key = format!("{tenant}/{}", record.baseline_id);
    if !take_register(conn, "assignment", &key, "assignment", hlc).await? {
        return Ok(());
    }
    ensure_baseline(conn, store, &record.baseline_id, hlc).await?;
    let pin = match &record.version_id {
        Some(version) => {
            sqlx::query_scalar::<_, String>("SELECT id FROM baseline_versions WHERE id = ?")
                .bind(version)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => None,
    };
    let variables = serde_json::to_string(&record.variables).map_err(corrupt)?;
    sqlx::query(
        "INSERT INTO baseline_assignments (id, baseline_id, tenant_id, baseline_version_id, variables, created_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (baseline_id, tenant_id) DO UPDATE
         SET baseline_version_id = excluded.baseline_version_id, variables = excluded.variables",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(&record.baseline_id)
    .bind(tenant)
    .bind(pin)
    .bind(variables)
    .bind(hlc_timestamp(hlc))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn apply_decision(
    conn: &mut SqliteConnection,
    op: &Operation,
    tenant: &str,
    record: &DecisionRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT OR IGNORE INTO decisions (id, tenant_id, finding, action, base, actor, reason, expires_at,
                                          accepted_value, approver, approves, hlc, device_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&op.id)
    .bind(tenant)
    .bind(&record.finding)
    .bind(&record.action)
    .bind(&record.base)
    .bind(&record.actor)
    .bind(&record.reason)
    .bind(&record.expires_at)
    .bind(record.accepted_value.as_ref().map(Value::to_string))
    .bind(&record.approver)
    .bind(&record.approves)
    .bind(&op.hlc)
    .bind(&op.device_id)
    .bind(hlc_timestamp(&op.hlc))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn apply_setting(
    conn: &mut SqliteConnection,
    store: &Store,
    key: &str,
    value: &Value,
    hlc: &str,
) -> Result<(), StoreError> {
    if !take_register(conn, "setting", key, "value", hlc).await? {
        return Ok(());
    }
    let workspace = store.workspace().to_string();
    if key == "four_eyes" {
        sqlx::query("UPDATE workspaces SET four_eyes = ? WHERE id = ?")
            .bind(value.as_bool().unwrap_or(false))
            .bind(&workspace)
            .execute(&mut *conn)
            .await?;
        return Ok(());
    }
    sqlx::query(
        "INSERT OR IGNORE INTO workspace_settings (workspace_id, updated_at) VALUES (?, ?)",
    )
    .bind(&workspace)
    .bind(hlc_timestamp(hlc))
    .execute(&mut *conn)
    .await?;
    let text = value.as_str().map(str::to_owned);
    match key {
        "msp_name" | "accent_colour" | "report_language" => {
            let Some(text) = text else {
                return Err(corrupt(format!("setting {key} is not text")));
            };
            let sql = format!(
                "UPDATE workspace_settings SET {key} = ?, updated_at = ? WHERE workspace_id = ?"
            );
            sqlx::query(&sql)
                .bind(text)
                .bind(hlc_timestamp(hlc))
                .bind(&workspace)
                .execute(&mut *conn)
                .await?;
        }
        "logo" => {
            let (png, hash, source) = match value.get("blob").and_then(Value::as_str) {
                Some(hash) => {
                    let row = sqlx::query("SELECT size, codec, data FROM blobs WHERE sha256 = ?")
                        .bind(hash)
                        .fetch_optional(&mut *conn)
                        .await?
                        .ok_or_else(|| {
                            StoreError::Invalid(format!(
                                "the logo's blob {hash} is not here yet: sync again"
                            ))
                        })?;
                    let bytes = blobs::decode_bytes(
                        hash,
                        row.try_get(0)?,
                        &row.try_get::<String, _>(1)?,
                        &row.try_get::<Vec<u8>, _>(2)?,
                    )?;
                    (
                        Some(bytes),
                        Some(hash.to_owned()),
                        value
                            .get("source")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                    )
                }
                None => (None, None, None),
            };
            sqlx::query(
                "UPDATE workspace_settings SET logo_png = ?, logo_sha256 = ?, logo_source = ?, updated_at = ? WHERE workspace_id = ?",
            )
            .bind(png)
            .bind(hash)
            .bind(source)
            .bind(hlc_timestamp(hlc))
            .bind(&workspace)
            .execute(&mut *conn)
            .await?;
        }
        other => {
            tracing::warn!(
                setting = other,
                "a setting this version does not know was skipped"
            );
        }
    }
    Ok(())
}

async fn apply_audit(
    conn: &mut SqliteConnection,
    op: &Operation,
    record: &AuditRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT OR IGNORE INTO audit_events (id, device_id, chain_seq, at, actor, workspace_id, tenant_id, action, target, summary, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&record.id)
    .bind(&op.device_id)
    .bind(record.chain_seq)
    .bind(&record.at)
    .bind(&record.actor)
    .bind(&record.workspace_id)
    .bind(&op.tenant_id)
    .bind(&record.action)
    .bind(&record.target)
    .bind(record.summary.to_string())
    .bind(&record.prev_hash)
    .bind(&record.hash)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deletes everything this device holds about a tenant (its audit events stay: they are
/// links of their devices' chains).
async fn purge_tenant(conn: &mut SqliteConnection, tenant: &str) -> Result<(), StoreError> {
    const STATEMENTS: &[&str] = &[
        "DELETE FROM finding_transitions WHERE finding_id IN (SELECT id FROM findings WHERE tenant_id = ?1)",
        "DELETE FROM finding_transitions WHERE review_id IN (SELECT id FROM reviews WHERE tenant_id = ?1)",
        "DELETE FROM risk_acceptances WHERE finding_id IN (SELECT id FROM findings WHERE tenant_id = ?1)",
        "DELETE FROM alert_deliveries WHERE tenant_id = ?1",
        "DELETE FROM alert_acks WHERE tenant_id = ?1",
        "DELETE FROM alert_silences WHERE tenant_id = ?1",
        "DELETE FROM alerts WHERE tenant_id = ?1",
        "DELETE FROM findings WHERE tenant_id = ?1",
        "DELETE FROM capture_runs WHERE tenant_id = ?1",
        "DELETE FROM capture_schedules WHERE tenant_id = ?1",
        "DELETE FROM reviews WHERE tenant_id = ?1",
        "DELETE FROM decisions WHERE tenant_id = ?1",
        "DELETE FROM derivations WHERE tenant_id = ?1",
        "DELETE FROM observations WHERE capture_id IN (SELECT id FROM captures WHERE tenant_id = ?1)",
        "DELETE FROM capture_lint WHERE capture_id IN (SELECT id FROM captures WHERE tenant_id = ?1)",
        "DELETE FROM capture_kinds WHERE capture_id IN (SELECT id FROM captures WHERE tenant_id = ?1)",
        "DELETE FROM config_items WHERE capture_id IN (SELECT id FROM captures WHERE tenant_id = ?1)",
        "DELETE FROM directory_objects WHERE capture_id IN (SELECT id FROM captures WHERE tenant_id = ?1)",
        "DELETE FROM captures WHERE tenant_id = ?1",
        "DELETE FROM baseline_assignments WHERE tenant_id = ?1",
        "DELETE FROM reports WHERE tenant_id = ?1",
        "DELETE FROM evidence_packs WHERE tenant_id = ?1",
        "DELETE FROM demo_plants WHERE tenant_id = ?1",
        "DELETE FROM tenant_connections WHERE tenant_id = ?1",
        "DELETE FROM sync_registers WHERE (entity = 'tenant' AND key = ?1) OR (entity = 'assignment' AND key LIKE ?1 || '/%')",
        "DELETE FROM tenants WHERE id = ?1",
    ];
    for statement in STATEMENTS {
        sqlx::query(statement)
            .bind(tenant)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

//! The append-only, hash-chained audit log.
//!
//! Every write through the store appends an event in the same transaction as the change.
//! Each device writes its own chain: `hash = SHA-256(prev_hash || canonical event bytes)`,
//! where the canonical bytes are the compact JSON of [`ChainedFields`] (field order fixed
//! by the struct; do *not* reorder or rename its fields — that would break every existing
//! chain). The first event of a chain links to [`GENESIS`]. SQLite triggers refuse
//! updates and deletes of audit rows.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{Row, SqliteConnection};

use crate::model::{TenantId, WorkspaceId};
use crate::store::{timestamp, StoreError};

/// `prev_hash` of the first event of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, as the caller describes it.
#[derive(Debug)]
pub struct AuditRecord<'a> {
    pub tenant: Option<TenantId>,
    pub action: &'a str,
    pub target: String,
    pub summary: serde_json::Value,
}

/// The fields covered by the hash, in their canonical order.
#[derive(Serialize)]
pub struct ChainedFields<'a> {
    pub id: &'a str,
    pub device_id: &'a str,
    pub chain_seq: i64,
    pub at: &'a str,
    pub actor: &'a str,
    pub workspace_id: &'a str,
    pub tenant_id: Option<&'a str>,
    pub action: &'a str,
    pub target: &'a str,
    pub summary: &'a serde_json::Value,
}

/// The hash of one event given its predecessor's hash.
pub fn chain_hash(prev_hash: &str, fields: &ChainedFields<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    // Serialising a struct of strings, integers and a JSON value cannot fail.
    let bytes = serde_json::to_vec(fields).unwrap_or_default();
    hasher.update(&bytes);
    hex::encode(hasher.finalize())
}

/// Who is writing: the identity every audit event carries.
#[derive(Clone, Debug)]
pub struct Writer {
    pub device_id: String,
    pub actor: String,
    pub workspace: WorkspaceId,
}

/// Appends one event to this device's chain inside the caller's transaction.
pub async fn append(
    conn: &mut SqliteConnection,
    writer: &Writer,
    record: AuditRecord<'_>,
) -> Result<(), StoreError> {
    let last = sqlx::query(
        "SELECT chain_seq, hash FROM audit_events WHERE device_id = ? ORDER BY chain_seq DESC LIMIT 1",
    )
    .bind(&writer.device_id)
    .fetch_optional(&mut *conn)
    .await?;
    let (prev_seq, prev_hash): (i64, String) = match last {
        Some(row) => (row.try_get(0)?, row.try_get(1)?),
        None => (0, GENESIS.to_owned()),
    };
    let id = uuid::Uuid::now_v7().to_string();
    let at = timestamp(chrono::Utc::now());
    let workspace = writer.workspace.to_string();
    let tenant = record.tenant.map(|t| t.to_string());
    let fields = ChainedFields {
        id: &id,
        device_id: &writer.device_id,
        chain_seq: prev_seq + 1,
        at: &at,
        actor: &writer.actor,
        workspace_id: &workspace,
        tenant_id: tenant.as_deref(),
        action: record.action,
        target: &record.target,
        summary: &record.summary,
    };
    let hash = chain_hash(&prev_hash, &fields);
    sqlx::query(
        "INSERT INTO audit_events (id, device_id, chain_seq, at, actor, workspace_id, tenant_id, action, target, summary, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(&writer.device_id)
    .bind(prev_seq + 1)
    .bind(&at)
    .bind(&writer.actor)
    .bind(&workspace)
    .bind(&tenant)
    .bind(record.action)
    .bind(&record.target)
    .bind(record.summary.to_string())
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rows per multi-row audit INSERT (12 parameters each).
const AUDIT_CHUNK: usize = 400;

/// Appends many events to this device's chain inside the caller's transaction: one head
/// lookup and multi-row inserts, the same chain as appending them one by one.
pub async fn append_many(
    conn: &mut SqliteConnection,
    writer: &Writer,
    records: Vec<AuditRecord<'_>>,
) -> Result<(), StoreError> {
    if records.is_empty() {
        return Ok(());
    }
    let last = sqlx::query(
        "SELECT chain_seq, hash FROM audit_events WHERE device_id = ? ORDER BY chain_seq DESC LIMIT 1",
    )
    .bind(&writer.device_id)
    .fetch_optional(&mut *conn)
    .await?;
    let (mut seq, mut prev_hash): (i64, String) = match last {
        Some(row) => (row.try_get(0)?, row.try_get(1)?),
        None => (0, GENESIS.to_owned()),
    };
    let at = timestamp(chrono::Utc::now());
    let workspace = writer.workspace.to_string();
    struct Row {
        id: String,
        seq: i64,
        tenant: Option<String>,
        action: String,
        target: String,
        summary: String,
        prev_hash: String,
        hash: String,
    }
    let mut rows = Vec::with_capacity(records.len());
    for record in records {
        seq += 1;
        let id = uuid::Uuid::now_v7().to_string();
        let tenant = record.tenant.map(|t| t.to_string());
        let hash = chain_hash(
            &prev_hash,
            &ChainedFields {
                id: &id,
                device_id: &writer.device_id,
                chain_seq: seq,
                at: &at,
                actor: &writer.actor,
                workspace_id: &workspace,
                tenant_id: tenant.as_deref(),
                action: record.action,
                target: &record.target,
                summary: &record.summary,
            },
        );
        rows.push(Row {
            id,
            seq,
            tenant,
            action: record.action.to_owned(),
            target: record.target,
            summary: record.summary.to_string(),
            prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
            hash,
        });
    }
    for chunk in rows.chunks(AUDIT_CHUNK) {
        let mut builder: sqlx::QueryBuilder<sqlx::Sqlite> = sqlx::QueryBuilder::new(
            "INSERT INTO audit_events (id, device_id, chain_seq, at, actor, workspace_id, tenant_id, action, target, summary, prev_hash, hash) ",
        );
        builder.push_values(chunk, |mut b, row| {
            b.push_bind(&row.id)
                .push_bind(&writer.device_id)
                .push_bind(row.seq)
                .push_bind(&at)
                .push_bind(&writer.actor)
                .push_bind(&workspace)
                .push_bind(&row.tenant)
                .push_bind(&row.action)
                .push_bind(&row.target)
                .push_bind(&row.summary)
                .push_bind(&row.prev_hash)
                .push_bind(&row.hash);
        });
        builder.build().execute(&mut *conn).await?;
    }
    Ok(())
}

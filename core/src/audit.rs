//! The append-only, hash-chained audit log.
//!
//! Every write through the store appends an event in the same transaction as the change.
//! Each device writes its own chain: `hash = SHA-256(prev_hash || canonical event bytes)`,
//! where the canonical bytes are the compact JSON of [`ChainedFields`] (field order fixed
//! by the struct; do *not* reorder or rename its fields — that would break every existing
//! chain). The first event of a chain links to [`GENESIS`]. SQLite triggers refuse
//! updates and deletes of audit rows.

use serde::{Deserialize, Serialize};
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

/// One stored audit event, as read back to list, verify or export it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: String,
    pub device_id: String,
    pub chain_seq: i64,
    pub at: String,
    pub actor: String,
    pub workspace_id: String,
    pub tenant_id: Option<String>,
    pub action: String,
    pub target: String,
    pub summary: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEvent {
    /// The hash this event's fields and `prev_hash` give: equal to `hash` unless the event
    /// was changed after it was written.
    pub fn computed_hash(&self) -> String {
        chain_hash(
            &self.prev_hash,
            &ChainedFields {
                id: &self.id,
                device_id: &self.device_id,
                chain_seq: self.chain_seq,
                at: &self.at,
                actor: &self.actor,
                workspace_id: &self.workspace_id,
                tenant_id: self.tenant_id.as_deref(),
                action: &self.action,
                target: &self.target,
                summary: &self.summary,
            },
        )
    }
}

/// The first broken link of a chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    pub device_id: String,
    pub chain_seq: i64,
    pub event_id: String,
    /// What is wrong, for people.
    pub problem: String,
}

/// One device's chain as verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainSummary {
    pub device_id: String,
    pub events: u64,
    pub first_seq: i64,
    pub head_seq: i64,
    pub head_hash: String,
    /// The first broken link, or `None` when the whole chain holds.
    pub broken: Option<BrokenLink>,
}

/// Walks hash chains event by event. Feed it events ordered by (device, chain sequence).
///
/// `complete` chains (the whole database) must start at sequence 1 from [`GENESIS`] and
/// have no gaps. Partial chains (the events of one tenant in an evidence pack) may have
/// gaps — the events of other tenants — and links are checked only between consecutive
/// sequence numbers. Events whose fields were redacted can be marked so that only their
/// links are checked, not their hash.
#[derive(Debug)]
pub struct ChainVerifier {
    complete: bool,
    chains: Vec<ChainSummary>,
}

impl ChainVerifier {
    /// A verifier for whole chains (`complete`) or excerpts of them.
    pub fn new(complete: bool) -> Self {
        Self {
            complete,
            chains: Vec::new(),
        }
    }

    /// Checks the next event. `check_hash` is false for an event whose fields were
    /// redacted (its hash cannot be recomputed, its links still can).
    pub fn push(&mut self, event: &AuditEvent, check_hash: bool) {
        let new_chain = self
            .chains
            .last()
            .is_none_or(|c| c.device_id != event.device_id);
        if new_chain {
            self.chains.push(ChainSummary {
                device_id: event.device_id.clone(),
                events: 0,
                first_seq: event.chain_seq,
                head_seq: event.chain_seq - 1,
                head_hash: String::new(),
                broken: None,
            });
        }
        let complete = self.complete;
        let Some(chain) = self.chains.last_mut() else {
            return;
        };
        let first = chain.events == 0;
        chain.events += 1;
        if chain.broken.is_none() {
            chain.broken =
                Self::problem(chain, event, first, complete, check_hash).map(|problem| {
                    BrokenLink {
                        device_id: event.device_id.clone(),
                        chain_seq: event.chain_seq,
                        event_id: event.id.clone(),
                        problem,
                    }
                });
        }
        chain.head_seq = event.chain_seq;
        chain.head_hash = event.hash.clone();
    }

    fn problem(
        chain: &ChainSummary,
        event: &AuditEvent,
        first: bool,
        complete: bool,
        check_hash: bool,
    ) -> Option<String> {
        if !first && event.chain_seq <= chain.head_seq {
            return Some(format!(
                "sequence {} comes after {}: events are out of order or repeated",
                event.chain_seq, chain.head_seq
            ));
        }
        if complete {
            if first && event.chain_seq != 1 {
                return Some(format!(
                    "the chain starts at sequence {}: events 1 to {} are missing",
                    event.chain_seq,
                    event.chain_seq - 1
                ));
            }
            if !first && event.chain_seq != chain.head_seq + 1 {
                return Some(format!(
                    "events {} to {} are missing",
                    chain.head_seq + 1,
                    event.chain_seq - 1
                ));
            }
            if first && event.prev_hash != GENESIS {
                return Some("the first event does not link to the chain's start".to_owned());
            }
        }
        if !first && event.chain_seq == chain.head_seq + 1 && event.prev_hash != chain.head_hash {
            return Some(format!(
                "prev_hash does not match the hash of event {}: an event was changed, removed or inserted",
                chain.head_seq
            ));
        }
        if check_hash && event.computed_hash() != event.hash {
            return Some(
                "the event's content does not match its hash: it was changed after it was written"
                    .to_owned(),
            );
        }
        None
    }

    /// The chains seen, in the order fed.
    pub fn finish(self) -> Vec<ChainSummary> {
        self.chains
    }
}

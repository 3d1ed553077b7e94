//! What the audit chain verification and evidence packs read, and the records they
//! write: signing keys (public halves) and built packs.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use serde::Serialize;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::{blobs, timestamp, Store, StoreError};
use crate::audit::{self, AuditEvent, AuditRecord, ChainSummary, ChainVerifier};
use crate::model::TenantId;

/// Filters for [`Store::audit_events`].
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub tenant: Option<TenantId>,
    /// Events at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Events before this time.
    pub until: Option<DateTime<Utc>>,
    pub limit: Option<i64>,
}

/// A workspace signing key as the database knows it: the public half.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SigningKeyRow {
    pub fingerprint: String,
    /// The raw 32-byte Ed25519 public key, hex.
    pub public_key: String,
    pub keychain_account: String,
    pub created_at: String,
    pub retired_at: Option<String>,
}

/// One capture in an evidence pack's period, with what it held.
#[derive(Clone, Debug)]
pub struct EvidenceCapture {
    pub id: String,
    pub taken_at: String,
    pub source: String,
    pub origin: Option<String>,
    pub item_count: i64,
    /// (kind, ok, item count, error).
    pub kinds: Vec<(String, bool, i64, Option<String>)>,
    /// (kind, external id, display name).
    pub directory_objects: Vec<(String, String, String)>,
    pub items: Vec<EvidenceItem>,
}

/// One captured item: its identity and the hash of its stored JSON.
#[derive(Clone, Debug)]
pub struct EvidenceItem {
    pub kind: String,
    pub external_id: String,
    pub name: String,
    pub odata_type: Option<String>,
    pub blob_sha256: String,
}

/// One review in an evidence pack's period.
#[derive(Clone, Debug, Serialize)]
pub struct EvidenceReview {
    pub id: String,
    pub capture_id: String,
    pub previous_capture_id: Option<String>,
    pub started_at: String,
    pub finished_at: String,
    pub inputs_hash: String,
    pub score: Option<f64>,
    pub score_detail: serde_json::Value,
}

/// A built evidence pack to record.
#[derive(Clone, Debug)]
pub struct NewEvidencePack {
    pub pack_id: String,
    pub tenant: TenantId,
    pub period_from: String,
    pub period_to: String,
    pub options: serde_json::Value,
    pub sha256: String,
    pub size: u64,
    pub path: Option<String>,
}

/// A recorded evidence pack.
#[derive(Clone, Debug, Serialize)]
pub struct EvidencePackRow {
    pub id: String,
    pub tenant_id: String,
    pub tenant: String,
    pub period_from: String,
    pub period_to: String,
    pub options: serde_json::Value,
    pub created_at: String,
    pub sha256: String,
    pub size: i64,
    pub path: Option<String>,
}

fn event_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<AuditEvent, StoreError> {
    let summary: String = row.try_get("summary")?;
    Ok(AuditEvent {
        id: row.try_get("id")?,
        device_id: row.try_get("device_id")?,
        chain_seq: row.try_get("chain_seq")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        workspace_id: row.try_get("workspace_id")?,
        tenant_id: row.try_get("tenant_id")?,
        action: row.try_get("action")?,
        target: row.try_get("target")?,
        // A summary that no longer parses is reported by the chain check as a changed
        // event (its text is kept as a string, so the recomputed hash differs).
        summary: serde_json::from_str(&summary).unwrap_or(serde_json::Value::String(summary)),
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

const EVENT_COLUMNS: &str =
    "id, device_id, chain_seq, at, actor, workspace_id, tenant_id, action, target, summary, prev_hash, hash";

impl Store {
    /// The workspace's display name.
    pub async fn workspace_name(&self) -> Result<String, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT name FROM workspaces WHERE id = ?")
                .bind(self.workspace().to_string())
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Audit events, oldest first (by device chain order within the same time).
    pub async fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
        let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE workspace_id = "
        ));
        builder.push_bind(self.workspace().to_string());
        if let Some(tenant) = filter.tenant {
            builder
                .push(" AND tenant_id = ")
                .push_bind(tenant.to_string());
        }
        if let Some(since) = filter.since {
            builder.push(" AND at >= ").push_bind(timestamp(since));
        }
        if let Some(until) = filter.until {
            builder.push(" AND at < ").push_bind(timestamp(until));
        }
        builder.push(" ORDER BY at, device_id, chain_seq");
        if let Some(limit) = filter.limit {
            builder.push(" LIMIT ").push_bind(limit);
        }
        let rows = builder.build().fetch_all(self.pool()).await?;
        rows.iter().map(event_from_row).collect()
    }

    /// Walks every device's whole audit chain in this database.
    pub async fn verify_audit_chains(&self) -> Result<Vec<ChainSummary>, StoreError> {
        let mut verifier = ChainVerifier::new(true);
        let query =
            format!("SELECT {EVENT_COLUMNS} FROM audit_events ORDER BY device_id, chain_seq");
        let mut rows = sqlx::query(&query).fetch(self.pool());
        while let Some(row) = rows.try_next().await? {
            verifier.push(&event_from_row(&row)?, true);
        }
        Ok(verifier.finish())
    }

    /// The workspace's signing keys, the active one first, then newest first.
    pub async fn signing_keys(&self) -> Result<Vec<SigningKeyRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT fingerprint, public_key, keychain_account, created_at, retired_at
             FROM signing_keys WHERE workspace_id = ?
             ORDER BY retired_at IS NOT NULL, created_at DESC",
        )
        .bind(self.workspace().to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SigningKeyRow {
                    fingerprint: row.try_get("fingerprint")?,
                    public_key: row.try_get("public_key")?,
                    keychain_account: row.try_get("keychain_account")?,
                    created_at: row.try_get("created_at")?,
                    retired_at: row.try_get("retired_at")?,
                })
            })
            .collect()
    }

    /// Records a new signing key's public half as the active one with its audit event,
    /// retiring the current one when `retire_active` (a rotation). Without it (a first
    /// key) nothing is written when another writer made the workspace's key meanwhile:
    /// `false` says so, and the caller uses that key.
    pub async fn add_signing_key(
        &self,
        key: &SigningKeyRow,
        retire_active: bool,
    ) -> Result<bool, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        if !retire_active {
            let active: Option<String> = sqlx::query_scalar(
                "SELECT fingerprint FROM signing_keys
                 WHERE workspace_id = ? AND retired_at IS NULL",
            )
            .bind(self.workspace().to_string())
            .fetch_optional(&mut *tx)
            .await?;
            if active.is_some() {
                return Ok(false);
            }
        }
        let retired: Option<String> = sqlx::query_scalar(
            "UPDATE signing_keys SET retired_at = ? WHERE workspace_id = ? AND retired_at IS NULL
             RETURNING fingerprint",
        )
        .bind(&now)
        .bind(self.workspace().to_string())
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO signing_keys (fingerprint, workspace_id, public_key, keychain_account, created_at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&key.fingerprint)
        .bind(self.workspace().to_string())
        .bind(&key.public_key)
        .bind(&key.keychain_account)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "signing_key.create",
                target: format!("signing_key/{}", key.fingerprint),
                summary: serde_json::json!({
                    "fingerprint": key.fingerprint,
                    "public_key": key.public_key,
                    "retired": retired,
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The tenant's captures taken in `[from, to)`, oldest first, with their items.
    pub async fn evidence_captures(
        &self,
        tenant: TenantId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<EvidenceCapture>, StoreError> {
        let (from, to) = (timestamp(from), timestamp(to));
        let rows = sqlx::query(
            "SELECT id, taken_at, source, origin, item_count FROM captures
             WHERE tenant_id = ? AND taken_at >= ? AND taken_at < ? ORDER BY taken_at, id",
        )
        .bind(tenant.to_string())
        .bind(&from)
        .bind(&to)
        .fetch_all(self.pool())
        .await?;
        let mut captures = Vec::with_capacity(rows.len());
        let mut index = HashMap::with_capacity(rows.len());
        for row in &rows {
            let id: String = row.try_get("id")?;
            index.insert(id.clone(), captures.len());
            captures.push(EvidenceCapture {
                id,
                taken_at: row.try_get("taken_at")?,
                source: row.try_get("source")?,
                origin: row.try_get("origin")?,
                item_count: row.try_get("item_count")?,
                kinds: Vec::new(),
                directory_objects: Vec::new(),
                items: Vec::new(),
            });
        }
        const IN_PERIOD: &str =
            "SELECT id FROM captures WHERE tenant_id = ?1 AND taken_at >= ?2 AND taken_at < ?3";
        let kinds = sqlx::query(&format!(
            "SELECT capture_id, kind, ok, item_count, error FROM capture_kinds
             WHERE capture_id IN ({IN_PERIOD}) ORDER BY capture_id, kind"
        ))
        .bind(tenant.to_string())
        .bind(&from)
        .bind(&to)
        .fetch_all(self.pool())
        .await?;
        for row in &kinds {
            if let Some(&i) = index.get(&row.try_get::<String, _>("capture_id")?) {
                captures[i].kinds.push((
                    row.try_get("kind")?,
                    row.try_get::<i64, _>("ok")? != 0,
                    row.try_get("item_count")?,
                    row.try_get("error")?,
                ));
            }
        }
        let objects = sqlx::query(&format!(
            "SELECT capture_id, kind, external_id, display_name FROM directory_objects
             WHERE capture_id IN ({IN_PERIOD}) ORDER BY capture_id, kind, external_id"
        ))
        .bind(tenant.to_string())
        .bind(&from)
        .bind(&to)
        .fetch_all(self.pool())
        .await?;
        for row in &objects {
            if let Some(&i) = index.get(&row.try_get::<String, _>("capture_id")?) {
                captures[i].directory_objects.push((
                    row.try_get("kind")?,
                    row.try_get("external_id")?,
                    row.try_get("display_name")?,
                ));
            }
        }
        // One row per capture with its items packed as JSON: a year of daily captures
        // holds ~75,000 items, and sqlx-sqlite costs a thread hand-off per row.
        let items = sqlx::query(&format!(
            "SELECT capture_id, json_group_array(json_array(kind, external_id, name, odata_type, blob_sha256)) AS items
             FROM (SELECT capture_id, kind, external_id, name, odata_type, blob_sha256 FROM config_items
                   WHERE capture_id IN ({IN_PERIOD}))
             GROUP BY capture_id"
        ))
        .bind(tenant.to_string())
        .bind(&from)
        .bind(&to)
        .fetch_all(self.pool())
        .await?;
        for row in &items {
            if let Some(&i) = index.get(&row.try_get::<String, _>("capture_id")?) {
                let packed: String = row.try_get("items")?;
                let mut packed: Vec<(String, String, String, Option<String>, String)> =
                    serde_json::from_str(&packed).map_err(StoreError::corrupt)?;
                // SQL does not promise an aggregate's input order: sort here.
                packed.sort_by(|a, b| (&a.0, &a.2, &a.1).cmp(&(&b.0, &b.2, &b.1)));
                captures[i].items = packed
                    .into_iter()
                    .map(
                        |(kind, external_id, name, odata_type, blob_sha256)| EvidenceItem {
                            kind,
                            external_id,
                            name,
                            odata_type,
                            blob_sha256,
                        },
                    )
                    .collect();
            }
        }
        Ok(captures)
    }

    /// Stored blobs' canonical bytes (the bytes their hash is of), by hash.
    pub async fn blob_bytes(
        &self,
        hashes: &[&str],
    ) -> Result<BTreeMap<String, Vec<u8>>, StoreError> {
        let mut out = BTreeMap::new();
        for chunk in hashes.chunks(500) {
            let mut builder: QueryBuilder<Sqlite> =
                QueryBuilder::new("SELECT sha256, size, codec, data FROM blobs WHERE sha256 IN (");
            let mut list = builder.separated(", ");
            for hash in chunk {
                list.push_bind(*hash);
            }
            builder.push(")");
            for row in builder.build().fetch_all(self.pool()).await? {
                let hash: String = row.try_get(0)?;
                let bytes = blobs::decode_bytes(
                    &hash,
                    row.try_get(1)?,
                    &row.try_get::<String, _>(2)?,
                    &row.try_get::<Vec<u8>, _>(3)?,
                )?;
                out.insert(hash, bytes);
            }
        }
        Ok(out)
    }

    /// The tenant's reviews finished in `[from, to)`, oldest first.
    pub async fn evidence_reviews(
        &self,
        tenant: TenantId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<EvidenceReview>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, capture_id, previous_capture_id, started_at, finished_at, inputs_hash, score, score_detail
             FROM reviews WHERE tenant_id = ? AND finished_at >= ? AND finished_at < ?
             ORDER BY finished_at, id",
        )
        .bind(tenant.to_string())
        .bind(timestamp(from))
        .bind(timestamp(to))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let detail: String = row.try_get("score_detail")?;
                Ok(EvidenceReview {
                    id: row.try_get("id")?,
                    capture_id: row.try_get("capture_id")?,
                    previous_capture_id: row.try_get("previous_capture_id")?,
                    started_at: row.try_get("started_at")?,
                    finished_at: row.try_get("finished_at")?,
                    inputs_hash: row.try_get("inputs_hash")?,
                    score: row.try_get("score")?,
                    score_detail: serde_json::from_str(&detail).map_err(StoreError::corrupt)?,
                })
            })
            .collect()
    }

    /// Records a built evidence pack with its audit event. Returns the row id.
    pub async fn record_evidence_pack(&self, pack: &NewEvidencePack) -> Result<String, StoreError> {
        let id = uuid::Uuid::now_v7().to_string();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO evidence_packs (id, tenant_id, period_from, period_to, options, created_at, sha256, size, path)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(pack.tenant.to_string())
        .bind(&pack.period_from)
        .bind(&pack.period_to)
        .bind(pack.options.to_string())
        .bind(timestamp(Utc::now()))
        .bind(&pack.sha256)
        .bind(i64::try_from(pack.size).unwrap_or(i64::MAX))
        .bind(&pack.path)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: Some(pack.tenant),
                action: "evidence_pack.create",
                target: format!("evidence_pack/{id}"),
                summary: serde_json::json!({
                    "pack_id": pack.pack_id,
                    "period": [pack.period_from, pack.period_to],
                    "options": pack.options,
                    "sha256": pack.sha256,
                    "size": pack.size,
                    "path": pack.path,
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Recorded evidence packs, newest first.
    pub async fn list_evidence_packs(
        &self,
        tenant: Option<TenantId>,
    ) -> Result<Vec<EvidencePackRow>, StoreError> {
        let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT p.*, t.display_name AS tenant_name FROM evidence_packs p
             JOIN tenants t ON t.id = p.tenant_id WHERE t.workspace_id = ",
        );
        builder.push_bind(self.workspace().to_string());
        if let Some(tenant) = tenant {
            builder
                .push(" AND p.tenant_id = ")
                .push_bind(tenant.to_string());
        }
        builder.push(" ORDER BY p.created_at DESC, p.id DESC");
        let rows = builder.build().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                let options: String = row.try_get("options")?;
                Ok(EvidencePackRow {
                    id: row.try_get("id")?,
                    tenant_id: row.try_get("tenant_id")?,
                    tenant: row.try_get("tenant_name")?,
                    period_from: row.try_get("period_from")?,
                    period_to: row.try_get("period_to")?,
                    options: serde_json::from_str(&options).map_err(StoreError::corrupt)?,
                    created_at: row.try_get("created_at")?,
                    sha256: row.try_get("sha256")?,
                    size: row.try_get("size")?,
                    path: row.try_get("path")?,
                })
            })
            .collect()
    }
}

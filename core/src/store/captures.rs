//! Captures: a tenant's configuration at one time, written whole in one transaction.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use super::{blobs, definitions, parse_timestamp, timestamp, Store, StoreError};
use crate::audit::{self, AuditRecord};
use crate::identity::{item_keys, KeyInput};
use crate::lint::{lint, LintIssue, LintItem, LintOptions, LINT_VERSION};
use crate::model::{
    CaptureContent, CaptureId, CaptureSource, CaptureSummary, ConfigItemId, KindStatus, TenantId,
    TenantProfile,
};
use crate::normalize::{
    normalize, referenced_ids, settings_sketch, sketch_bytes, sketch_from_bytes, DirectoryIndex,
    Normalized, NORMALIZER_VERSION,
};

/// One capture to write.
#[derive(Debug)]
pub struct CaptureWrite<'a> {
    pub source: CaptureSource,
    pub taken_at: DateTime<Utc>,
    /// Where it came from, for people (a folder, a seed).
    pub origin: Option<String>,
    pub content: &'a CaptureContent,
}

/// A stored config item with its JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredItem {
    pub id: ConfigItemId,
    pub kind: String,
    pub odata_type: Option<String>,
    pub external_id: String,
    pub name: String,
    pub blob_sha256: String,
    pub source_path: Option<String>,
    pub raw: serde_json::Value,
}

/// A stored config item without its JSON: what a review matches and hash-compares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemMeta {
    pub kind: String,
    pub external_id: String,
    pub name: String,
    pub blob_sha256: String,
    pub settings_hash: String,
    pub assignments_hash: String,
    pub normalizer_version: u32,
}

impl ItemMeta {
    /// Each item's key in its capture ([`crate::identity`]), in the order given.
    pub fn keys(items: &[ItemMeta]) -> Vec<String> {
        let inputs: Vec<KeyInput<'_>> = items
            .iter()
            .map(|i| KeyInput {
                kind: &i.kind,
                name: &i.name,
                external_id: &i.external_id,
                content_hash: &i.blob_sha256,
            })
            .collect();
        item_keys(&inputs)
    }
}

/// What writing many captures of a tenant at once can reuse (sync applying a tenant's
/// history): an item normalised once against a directory is the same in every capture
/// that holds the same blob with the same directory objects.
#[derive(Debug, Default)]
pub(crate) struct CaptureMemo {
    normalized: std::collections::HashMap<(String, String, String), Normalized>,
    /// Settings hashes whose sketch is stored already.
    sketched: std::collections::HashSet<String>,
}

impl CaptureMemo {
    /// At most this many normalised items are kept: a tenant's history repeats its few
    /// hundred policies, while a page of the log may hold a thousand tenants' captures
    /// that repeat nothing of each other.
    const LIMIT: usize = 10_000;
}

/// A fingerprint of a capture's directory objects (order does not matter): items normalised
/// with directories of one fingerprint normalise alike.
pub fn directory_fingerprint(objects: &[crate::model::DirectoryObject]) -> String {
    use sha2::{Digest, Sha256};
    let mut lines: Vec<String> = objects
        .iter()
        .map(|o| {
            format!(
                "{}\u{1f}{}\u{1f}{}",
                o.kind.as_str(),
                o.external_id,
                o.display_name
            )
        })
        .collect();
    lines.sort();
    hex::encode(Sha256::digest(lines.join("\n").as_bytes()))
}

/// Another device's capture applied by sync: its id, when it was recorded, and the
/// hashes of its items' blobs (already stored).
pub(crate) struct RemoteCapture<'a> {
    pub id: CaptureId,
    pub created_at: &'a str,
    pub blob_hashes: Vec<String>,
    /// The blob of the definitions it was labelled with (already stored).
    pub definitions: Option<String>,
}

/// Rows per multi-row INSERT: 11 parameters each, well under SQLite's 32,766 limit.
const ITEM_CHUNK: usize = 500;

impl Store {
    /// Writes one capture of a tenant, creating the tenant when it does not exist —
    /// all in one transaction. Returns the tenant, the capture, and whether the tenant
    /// was created.
    pub async fn record_capture(
        &self,
        tenant: &TenantProfile,
        capture: &CaptureWrite<'_>,
    ) -> Result<(TenantId, CaptureId, bool), StoreError> {
        let mut tx = self.begin_write().await?;
        let (tenant_id, created) = self.ensure_tenant_in(&mut tx, tenant).await?;
        let capture_id = self.insert_capture(&mut tx, tenant_id, capture).await?;
        tx.commit().await?;
        Ok((tenant_id, capture_id, created))
    }

    /// Writes a tenant with its whole capture history (and, for demo tenants, the record
    /// of planted differences and its baseline assignments) in one transaction. Fails with a conflict when a tenant of
    /// that name already has captures, so re-running never duplicates history.
    pub async fn record_tenant_history(
        &self,
        tenant: &TenantProfile,
        captures: &[CaptureWrite<'_>],
        demo_plants: Option<(u64, u32, &serde_json::Value)>,
        assign_baselines: &[&str],
    ) -> Result<(TenantId, Vec<CaptureId>), StoreError> {
        let mut tx = self.begin_write().await?;
        let (tenant_id, _) = self.ensure_tenant_in(&mut tx, tenant).await?;
        let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM captures WHERE tenant_id = ?")
            .bind(tenant_id.to_string())
            .fetch_one(&mut *tx)
            .await?;
        if existing > 0 {
            return Err(StoreError::Conflict(format!(
                "tenant {} already has {existing} captures",
                tenant.display_name
            )));
        }
        let mut ids = Vec::with_capacity(captures.len());
        for capture in captures {
            ids.push(self.insert_capture(&mut tx, tenant_id, capture).await?);
        }
        if let Some((seed, index, planted)) = demo_plants {
            sqlx::query(
                "INSERT INTO demo_plants (tenant_id, seed, tenant_index, planted) VALUES (?, ?, ?, ?)",
            )
            .bind(tenant_id.to_string())
            .bind(seed as i64)
            .bind(i64::from(index))
            .bind(planted.to_string())
            .execute(&mut *tx)
            .await?;
        }
        for baseline in assign_baselines {
            self.assign_baseline_in(&mut tx, baseline, tenant_id, &Default::default(), None)
                .await?;
        }
        tx.commit().await?;
        Ok((tenant_id, ids))
    }

    pub(super) async fn insert_capture(
        &self,
        conn: &mut SqliteConnection,
        tenant: TenantId,
        capture: &CaptureWrite<'_>,
    ) -> Result<CaptureId, StoreError> {
        self.insert_capture_as(conn, tenant, capture, None, None)
            .await
    }

    /// Writes a capture: this device's own (`remote` is `None`: a new id, an audit event
    /// on this device's chain), or another device's applied by sync with its id and the
    /// time it was recorded (its audit event arrives on its own device's chain).
    pub(super) async fn insert_capture_as(
        &self,
        conn: &mut SqliteConnection,
        tenant: TenantId,
        capture: &CaptureWrite<'_>,
        remote: Option<RemoteCapture<'_>>,
        mut memo: Option<&mut CaptureMemo>,
    ) -> Result<CaptureId, StoreError> {
        let is_remote = remote.is_some();
        let (id, created_at, known_hashes, remote_definitions) = match remote {
            Some(r) => (
                r.id,
                r.created_at.to_owned(),
                Some(r.blob_hashes),
                Some(r.definitions),
            ),
            None => (CaptureId::new(), timestamp(Utc::now()), None, None),
        };
        let content = capture.content;
        sqlx::query(
            "INSERT INTO captures (id, tenant_id, source, taken_at, created_at, item_count, origin)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(tenant.to_string())
        .bind(capture.source.as_str())
        .bind(timestamp(capture.taken_at))
        .bind(&created_at)
        .bind(content.items.len() as i64)
        .bind(&capture.origin)
        .execute(&mut *conn)
        .await?;

        let kinds: Vec<_> = content.kind_status.iter().collect();
        for chunk in kinds.chunks(ITEM_CHUNK) {
            let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO capture_kinds (capture_id, kind, ok, item_count, error) ",
            );
            builder.push_values(chunk, |mut row, (kind, status)| {
                row.push_bind(id.to_string())
                    .push_bind(*kind)
                    .push_bind(status.ok)
                    .push_bind(i64::from(status.item_count))
                    .push_bind(&status.error);
            });
            builder.build().execute(&mut *conn).await?;
        }

        let hashes = match known_hashes {
            // Another device's capture: its blobs were stored (and checked) on arrival.
            Some(hashes) if hashes.len() == content.items.len() => hashes,
            _ => {
                let mut hashes = Vec::with_capacity(content.items.len());
                for item in &content.items {
                    hashes.push(blobs::put(conn, &item.raw).await?);
                }
                hashes
            }
        };
        let directory = DirectoryIndex::new(&content.directory_objects);
        let mut sketches: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        // Normalised once per (kind, blob, directory) when a memo is given (a tenant's
        // history repeats most items), else here; used by reference.
        let mut local: Vec<Normalized> = Vec::new();
        let memo_keys: Vec<(String, String, String)> = match memo.as_deref_mut() {
            Some(memo) => {
                let fingerprint = directory_fingerprint(&content.directory_objects);
                if memo.normalized.len() > CaptureMemo::LIMIT {
                    memo.normalized.clear();
                    memo.sketched.clear();
                }
                content
                    .items
                    .iter()
                    .zip(&hashes)
                    .map(|(item, hash)| {
                        let key = (item.kind.clone(), hash.clone(), fingerprint.clone());
                        memo.normalized
                            .entry(key.clone())
                            .or_insert_with(|| normalize(&item.kind, &item.raw, &directory));
                        key
                    })
                    .collect()
            }
            None => {
                local = content
                    .items
                    .iter()
                    .map(|item| normalize(&item.kind, &item.raw, &directory))
                    .collect();
                Vec::new()
            }
        };
        let full: Vec<&Normalized> = match memo.as_deref() {
            Some(memo) => memo_keys
                .iter()
                .filter_map(|key| memo.normalized.get(key))
                .collect(),
            None => local.iter().collect(),
        };
        for n in &full {
            if memo
                .as_deref()
                .is_some_and(|m| m.sketched.contains(&n.settings_hash))
            {
                continue;
            }
            sketches
                .entry(n.settings_hash.clone())
                .or_insert_with(|| sketch_bytes(&settings_sketch(&n.settings)));
        }
        // The definitions the capture is labelled with: those it brought (Graph's, or an
        // export's), else what this device already knows of the settings it holds. Another
        // device's capture keeps exactly the ones it was recorded with.
        let workspace = self.workspace().to_string();
        let definitions_hash = match &remote_definitions {
            Some(hash) => {
                let seen_at = timestamp(capture.taken_at);
                definitions::remember(conn, &workspace, &content.definitions, &seen_at).await?;
                hash.clone()
            }
            None => {
                let mut labelled = content.definitions.clone();
                // Most workspaces without Graph know no definition: nothing to look up.
                if definitions::any(conn, &workspace).await? {
                    let wanted: BTreeSet<String> = referenced_ids(
                        full.iter()
                            .flat_map(|n| n.settings.keys().map(String::as_str)),
                    )
                    .into_iter()
                    .filter(|id| !labelled.contains_key(id))
                    .collect();
                    labelled.extend(definitions::known(conn, &workspace, &wanted).await?);
                }
                definitions::record(conn, &workspace, &labelled, &timestamp(capture.taken_at))
                    .await?
            }
        };
        if definitions_hash.is_some() {
            sqlx::query("UPDATE captures SET definitions_sha256 = ? WHERE id = ?")
                .bind(&definitions_hash)
                .bind(id.to_string())
                .execute(&mut *conn)
                .await?;
        }
        let issues = lint_content(content, &full, &hashes, capture.taken_at);
        let normalized: Vec<(String, String)> = full
            .iter()
            .map(|n| (n.settings_hash.clone(), n.assignments_hash.clone()))
            .collect();
        drop(full);
        if let Some(memo) = memo {
            // Written below (INSERT OR IGNORE): later captures need not sketch them again.
            memo.sketched.extend(sketches.keys().cloned());
        }
        let sketches: Vec<(String, Vec<u8>)> = sketches.into_iter().collect();
        for chunk in sketches.chunks(ITEM_CHUNK) {
            let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT OR IGNORE INTO settings_sketches (settings_hash, sketch) ",
            );
            builder.push_values(chunk, |mut row, (hash, sketch)| {
                row.push_bind(hash).push_bind(sketch);
            });
            builder.build().execute(&mut *conn).await?;
        }
        let capture_id = id.to_string();
        let rows: Vec<_> = content
            .items
            .iter()
            .zip(hashes.iter().zip(normalized.iter()))
            .collect();
        for chunk in rows.chunks(ITEM_CHUNK) {
            let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO config_items (id, capture_id, kind, odata_type, external_id, name, blob_sha256, source_path, settings_hash, assignments_hash, normalizer_version) ",
            );
            builder.push_values(chunk, |mut row, (item, (hash, (settings, assignments)))| {
                row.push_bind(ConfigItemId::new().to_string())
                    .push_bind(&capture_id)
                    .push_bind(&item.kind)
                    .push_bind(&item.odata_type)
                    .push_bind(&item.external_id)
                    .push_bind(&item.name)
                    .push_bind(*hash)
                    .push_bind(&item.source_path)
                    .push_bind(settings)
                    .push_bind(assignments)
                    .push_bind(i64::from(NORMALIZER_VERSION));
            });
            builder.build().execute(&mut *conn).await?;
        }

        sqlx::query("INSERT INTO capture_lint (capture_id, lint_version, issues) VALUES (?, ?, ?)")
            .bind(&capture_id)
            .bind(i64::from(LINT_VERSION))
            .bind(serde_json::to_string(&issues).map_err(|e| StoreError::corrupt(e.to_string()))?)
            .execute(&mut *conn)
            .await?;

        // Directory objects can repeat across files of an import: keep the first.
        let mut seen = std::collections::BTreeSet::new();
        let objects: Vec<_> = content
            .directory_objects
            .iter()
            .filter(|o| seen.insert((o.kind, o.external_id.as_str())))
            .collect();
        for chunk in objects.chunks(ITEM_CHUNK) {
            let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO directory_objects (capture_id, kind, external_id, display_name) ",
            );
            builder.push_values(chunk, |mut row, object| {
                row.push_bind(&capture_id)
                    .push_bind(object.kind.as_str())
                    .push_bind(&object.external_id)
                    .push_bind(&object.display_name);
            });
            builder.build().execute(&mut *conn).await?;
        }

        if is_remote {
            return Ok(id);
        }
        let failed: Vec<&String> = content
            .kind_status
            .iter()
            .filter(|(_, s)| !s.ok)
            .map(|(k, _)| k)
            .collect();
        audit::append(
            conn,
            self.writer(),
            AuditRecord {
                tenant: Some(tenant),
                action: "capture.record",
                target: format!("capture/{id}"),
                summary: serde_json::json!({
                    "source": capture.source.as_str(),
                    "taken_at": timestamp(capture.taken_at),
                    "items": content.items.len(),
                    "directory_objects": seen.len(),
                    "failed_kinds": failed,
                }),
            },
        )
        .await?;
        Ok(id)
    }

    /// A tenant's captures, newest first.
    pub async fn list_captures(&self, tenant: TenantId) -> Result<Vec<CaptureSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, source, taken_at, item_count FROM captures WHERE tenant_id = ?
             ORDER BY taken_at DESC, id DESC",
        )
        .bind(tenant.to_string())
        .fetch_all(self.pool())
        .await?;
        // Packed into one row: a review lists every tenant's captures.
        let packed: Option<String> = sqlx::query_scalar(
            "SELECT json_group_array(json_array(k.capture_id, k.kind, k.ok, k.item_count, k.error))
             FROM capture_kinds k JOIN captures c ON c.id = k.capture_id WHERE c.tenant_id = ?",
        )
        .bind(tenant.to_string())
        .fetch_one(self.pool())
        .await?;
        type KindRow = (String, String, i64, i64, Option<String>);
        let kinds: Vec<KindRow> = match packed {
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| StoreError::corrupt(format!("capture kinds of {tenant}: {e}")))?,
            None => Vec::new(),
        };
        let mut by_capture: BTreeMap<String, BTreeMap<String, KindStatus>> = BTreeMap::new();
        for (capture, kind, ok, item_count, error) in kinds {
            by_capture.entry(capture).or_default().insert(
                kind,
                KindStatus {
                    ok: ok != 0,
                    item_count: u32::try_from(item_count).unwrap_or(0),
                    error,
                },
            );
        }
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("id")?;
                let source: String = row.try_get("source")?;
                Ok(CaptureSummary {
                    id: CaptureId::from_str(&id).map_err(StoreError::corrupt)?,
                    tenant_id: tenant,
                    source: match source.as_str() {
                        "graph" => CaptureSource::Graph,
                        "import" => CaptureSource::Import,
                        "demo" => CaptureSource::Demo,
                        other => {
                            return Err(StoreError::corrupt(format!("capture source {other}")))
                        }
                    },
                    taken_at: parse_timestamp(&row.try_get::<String, _>("taken_at")?)?,
                    item_count: u32::try_from(row.try_get::<i64, _>("item_count")?).unwrap_or(0),
                    kind_status: by_capture.remove(&id).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// The items of a capture with their JSON, by kind and name.
    pub async fn capture_items(&self, capture: CaptureId) -> Result<Vec<StoredItem>, StoreError> {
        let rows = sqlx::query(
            "SELECT i.id, i.kind, i.odata_type, i.external_id, i.name, i.blob_sha256, i.source_path,
                    b.size, b.codec, b.data
             FROM config_items i JOIN blobs b ON b.sha256 = i.blob_sha256
             WHERE i.capture_id = ? ORDER BY i.kind, i.name, i.external_id",
        )
        .bind(capture.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("id")?;
                let hash: String = row.try_get("blob_sha256")?;
                let raw = blobs::decode(
                    &hash,
                    row.try_get("size")?,
                    &row.try_get::<String, _>("codec")?,
                    &row.try_get::<Vec<u8>, _>("data")?,
                )?;
                Ok(StoredItem {
                    id: ConfigItemId::from_str(&id).map_err(StoreError::corrupt)?,
                    kind: row.try_get("kind")?,
                    odata_type: row.try_get("odata_type")?,
                    external_id: row.try_get("external_id")?,
                    name: row.try_get("name")?,
                    blob_sha256: hash,
                    source_path: row.try_get("source_path")?,
                    raw,
                })
            })
            .collect()
    }

    /// The items of a capture without their JSON, by kind and name.
    pub async fn item_metas(&self, capture: CaptureId) -> Result<Vec<ItemMeta>, StoreError> {
        // One row for the whole capture: a review reads hundreds of thousands of these,
        // and every row sqlx hands over costs a cross-thread message.
        type Row = (String, String, String, String, String, String, i64);
        let packed: Option<String> = sqlx::query_scalar(
            "SELECT json_group_array(json_array(kind, external_id, name, blob_sha256,
                                                settings_hash, assignments_hash, normalizer_version))
             FROM config_items WHERE capture_id = ?",
        )
        .bind(capture.to_string())
        .fetch_one(self.pool())
        .await?;
        let rows: Vec<Row> = match packed {
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| StoreError::corrupt(format!("items of capture {capture}: {e}")))?,
            None => Vec::new(),
        };
        let mut metas: Vec<ItemMeta> = rows
            .into_iter()
            .map(
                |(
                    kind,
                    external_id,
                    name,
                    blob_sha256,
                    settings_hash,
                    assignments_hash,
                    version,
                )| {
                    ItemMeta {
                        kind,
                        external_id,
                        name,
                        blob_sha256,
                        settings_hash,
                        assignments_hash,
                        normalizer_version: u32::try_from(version).unwrap_or(0),
                    }
                },
            )
            .collect();
        metas.sort_by(|a, b| {
            (&a.kind, &a.name, &a.external_id).cmp(&(&b.kind, &b.name, &b.external_id))
        });
        Ok(metas)
    }

    /// The stored lint issues of a capture; `None` when missing or of another lint
    /// version (the caller recomputes them with [`lint_content`]).
    pub async fn capture_lint(
        &self,
        capture: CaptureId,
    ) -> Result<Option<Vec<LintIssue>>, StoreError> {
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT lint_version, issues FROM capture_lint WHERE capture_id = ?")
                .bind(capture.to_string())
                .fetch_optional(self.pool())
                .await?;
        match row {
            Some((version, issues)) if version == i64::from(LINT_VERSION) => {
                Ok(Some(serde_json::from_str(&issues).map_err(|e| {
                    StoreError::corrupt(format!("lint of capture {capture}: {e}"))
                })?))
            }
            _ => Ok(None),
        }
    }

    /// Settings sketches by settings hash (hashes without one are absent).
    pub async fn settings_sketches(
        &self,
        hashes: &[&str],
    ) -> Result<std::collections::HashMap<String, Vec<u64>>, StoreError> {
        let mut out = std::collections::HashMap::with_capacity(hashes.len());
        for chunk in hashes.chunks(500) {
            // One packed row per chunk (hex sketches): a row per sketch would cost a
            // cross-thread message each.
            let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(
                "SELECT json_group_array(json_array(settings_hash, hex(sketch)))
                 FROM settings_sketches WHERE settings_hash IN (",
            );
            let mut list = builder.separated(", ");
            for hash in chunk {
                list.push_bind(*hash);
            }
            builder.push(")");
            let packed: Option<String> =
                builder.build_query_scalar().fetch_one(self.pool()).await?;
            let rows: Vec<(String, String)> = match packed {
                Some(text) => serde_json::from_str(&text)
                    .map_err(|e| StoreError::corrupt(format!("settings sketches: {e}")))?,
                None => Vec::new(),
            };
            for (hash, sketch_hex) in rows {
                let sketch = hex::decode(&sketch_hex)
                    .ok()
                    .and_then(|bytes| sketch_from_bytes(&bytes))
                    .ok_or_else(|| StoreError::corrupt(format!("sketch of {hash}")))?;
                out.insert(hash, sketch);
            }
        }
        Ok(out)
    }

    /// The directory objects captured with a capture.
    pub async fn directory_objects(
        &self,
        capture: CaptureId,
    ) -> Result<Vec<crate::model::DirectoryObject>, StoreError> {
        // Packed into one row, as item_metas: a review reads these for every tenant.
        let packed: Option<String> = sqlx::query_scalar(
            "SELECT json_group_array(json_array(kind, external_id, display_name))
             FROM directory_objects WHERE capture_id = ?",
        )
        .bind(capture.to_string())
        .fetch_one(self.pool())
        .await?;
        let rows: Vec<(String, String, String)> = match packed {
            Some(text) => serde_json::from_str(&text).map_err(|e| {
                StoreError::corrupt(format!("directory objects of capture {capture}: {e}"))
            })?,
            None => Vec::new(),
        };
        rows.into_iter()
            .map(|(kind, external_id, display_name)| {
                Ok(crate::model::DirectoryObject {
                    kind: crate::model::DirectoryObjectKind::parse(&kind)
                        .ok_or_else(|| StoreError::corrupt(format!("directory kind {kind}")))?,
                    external_id,
                    display_name,
                })
            })
            .collect()
    }

    /// Several blobs at once, by hash.
    pub async fn blobs(
        &self,
        hashes: &[&str],
    ) -> Result<std::collections::HashMap<String, serde_json::Value>, StoreError> {
        let mut out = std::collections::HashMap::with_capacity(hashes.len());
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
                let value = blobs::decode(
                    &hash,
                    row.try_get(1)?,
                    &row.try_get::<String, _>(2)?,
                    &row.try_get::<Vec<u8>, _>(3)?,
                )?;
                out.insert(hash, value);
            }
        }
        Ok(out)
    }

    /// Reads one blob by hash.
    pub async fn blob(&self, hash: &str) -> Result<serde_json::Value, StoreError> {
        let mut conn = self.pool().acquire().await?;
        blobs::get(&mut conn, hash).await
    }

    /// Number of distinct blobs stored.
    pub async fn blob_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM blobs")
            .fetch_one(self.pool())
            .await?)
    }

    /// The planted-differences record of a demo tenant, if it is one.
    pub async fn demo_plants(
        &self,
        tenant: TenantId,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        let text: Option<String> =
            sqlx::query_scalar("SELECT planted FROM demo_plants WHERE tenant_id = ?")
                .bind(tenant.to_string())
                .fetch_optional(self.pool())
                .await?;
        text.map(|t| serde_json::from_str(&t).map_err(StoreError::corrupt))
            .transpose()
    }

    /// Indices of the demo tenants already generated with `seed`.
    pub async fn demo_indices(&self, seed: u64) -> Result<Vec<u32>, StoreError> {
        let rows: Vec<i64> = sqlx::query_scalar(
            "SELECT tenant_index FROM demo_plants WHERE seed = ? ORDER BY tenant_index",
        )
        .bind(seed as i64)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|i| u32::try_from(i).ok())
            .collect())
    }
}

/// Lints a capture's items (normalised in the same order) as of the capture's time.
pub fn lint_content(
    content: &CaptureContent,
    normalized: &[&Normalized],
    blob_hashes: &[String],
    taken_at: DateTime<Utc>,
) -> Vec<LintIssue> {
    let inputs: Vec<KeyInput<'_>> = content
        .items
        .iter()
        .zip(blob_hashes)
        .map(|(item, hash)| KeyInput {
            kind: &item.kind,
            name: &item.name,
            external_id: &item.external_id,
            content_hash: hash,
        })
        .collect();
    let keys = item_keys(&inputs);
    let items: Vec<LintItem<'_>> = content
        .items
        .iter()
        .zip(normalized)
        .zip(&keys)
        .map(|((item, n), key)| LintItem {
            kind: &item.kind,
            name: &item.name,
            key,
            raw: &item.raw,
            normalized: n,
        })
        .collect();
    lint(&items, &LintOptions::default(), taken_at)
}

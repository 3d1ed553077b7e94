//! Baselines: versions (draft → published → retired), items with rules, assignments.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::Utc;
use serde::Serialize;
use serde_json::Value;
use sqlx::{Row, SqliteConnection};

use super::{blobs, definitions, timestamp, Store, StoreError};
use crate::audit::{self, AuditRecord};
use crate::baseline::{BaselineOptions, SettingRule, Severity};
use crate::model::{DirectoryObject, DirectoryObjectKind, TenantId};
use crate::normalize::definition_ids_in;

/// An item to put into a draft baseline version.
#[derive(Clone, Debug, PartialEq)]
pub struct NewBaselineItem {
    pub kind: String,
    /// The item's key in its version: the policy's name, made unique when several
    /// policies of the kind share it ([`crate::identity`]).
    pub name: String,
    /// The policy's own name when `name` was made unique; matched against tenant items.
    pub match_name: Option<String>,
    pub raw: Value,
    pub severity: Severity,
    pub rules: BTreeMap<String, SettingRule>,
}

/// A baseline version with everything a review needs.
#[derive(Clone, Debug)]
pub struct LoadedBaseline {
    pub baseline_id: String,
    pub name: String,
    pub version_id: String,
    pub version: i64,
    pub options: BaselineOptions,
    pub items: Vec<NewBaselineItem>,
    /// The source's directory objects, to resolve ids inside the items.
    pub directory: Vec<DirectoryObject>,
}

/// A baseline as listed.
#[derive(Clone, Debug, Serialize)]
pub struct BaselineSummary {
    pub id: String,
    pub name: String,
    pub description: String,
    pub versions: Vec<VersionSummary>,
    pub assigned_tenants: u32,
}

impl BaselineSummary {
    /// The published version reviews use, if any.
    pub fn latest_published(&self) -> Option<&VersionSummary> {
        self.versions
            .iter()
            .filter(|v| v.status == "published")
            .max_by_key(|v| v.version)
    }

    /// The draft being edited, if any (a baseline has at most one).
    pub fn draft(&self) -> Option<&VersionSummary> {
        self.versions.iter().find(|v| v.status == "draft")
    }

    /// The version with this number.
    pub fn version(&self, number: i64) -> Option<&VersionSummary> {
        self.versions.iter().find(|v| v.version == number)
    }

    /// What "the baseline" means when no version is named: the latest published
    /// version, else the draft.
    pub fn current(&self) -> Option<&VersionSummary> {
        self.latest_published().or_else(|| self.draft())
    }
}

/// One version of a baseline.
#[derive(Clone, Debug, Serialize)]
pub struct VersionSummary {
    pub id: String,
    pub version: i64,
    /// draft | published | retired
    pub status: String,
    pub items: u32,
    pub created_at: String,
    pub created_by: String,
    pub published_at: Option<String>,
    pub retired_at: Option<String>,
}

/// A tenant a baseline is assigned to, as the baseline's page lists it.
#[derive(Clone, Debug, Serialize)]
pub struct BaselineAssignment {
    pub tenant_id: TenantId,
    pub tenant: String,
    pub variables: BTreeMap<String, Value>,
    /// The version number the tenant is pinned to; `None` follows the latest published.
    pub pinned_version: Option<i64>,
    pub assigned_at: String,
}

/// A baseline assigned to a tenant, resolved to the version a review uses.
#[derive(Clone, Debug)]
pub struct Assignment {
    pub baseline_id: String,
    pub baseline_name: String,
    /// The pinned version, else the latest published one; `None` when nothing is published.
    pub version_id: Option<String>,
    pub variables: BTreeMap<String, Value>,
}

impl Store {
    /// Creates a baseline (or a new draft version of an existing one) holding `items`.
    /// Returns the version number. Fails when the baseline already has a draft.
    pub async fn create_baseline_version(
        &self,
        name: &str,
        description: &str,
        options: &BaselineOptions,
        items: &[NewBaselineItem],
        directory: &[DirectoryObject],
    ) -> Result<i64, StoreError> {
        self.add_baseline_version(name, description, options, items, directory, false)
            .await
    }

    /// [`Store::create_baseline_version`], and with `publish` also
    /// [`Store::publish_baseline`] of that version, in one transaction: a failed publish
    /// leaves no draft behind.
    pub async fn add_baseline_version(
        &self,
        name: &str,
        description: &str,
        options: &BaselineOptions,
        items: &[NewBaselineItem],
        directory: &[DirectoryObject],
        publish: bool,
    ) -> Result<i64, StoreError> {
        let options = options
            .checked()
            .map_err(|e| StoreError::Invalid(format!("exclusive kinds: {e}")))?;
        let mut tx = self.begin_write().await?;
        let (baseline_id, mut version) = self
            .write_baseline_version(&mut tx, name, description, &options, items, directory)
            .await?;
        if publish {
            version = self.publish_draft(&mut tx, &baseline_id).await?;
        }
        tx.commit().await?;
        Ok(version)
    }

    /// Writes a new draft version; returns the baseline's id and the version number.
    async fn write_baseline_version(
        &self,
        tx: &mut SqliteConnection,
        name: &str,
        description: &str,
        options: &BaselineOptions,
        items: &[NewBaselineItem],
        directory: &[DirectoryObject],
    ) -> Result<(String, i64), StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid(
                "a baseline needs a name: pass --name NAME".to_owned(),
            ));
        }
        let workspace = self.workspace().to_string();
        let existing: Option<String> = match self.baseline_ref(tx, name).await {
            Ok((id, _)) => Some(id),
            Err(StoreError::NotFound { .. }) => None,
            Err(other) => return Err(other),
        };
        let now = timestamp(Utc::now());
        let baseline_id = match existing {
            Some(id) => {
                let draft: Option<i64> = sqlx::query_scalar(
                    "SELECT version FROM baseline_versions WHERE baseline_id = ? AND status = 'draft'",
                )
                .bind(&id)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(draft) = draft {
                    return Err(StoreError::Conflict(format!(
                        "baseline {name} already has a draft version (v{draft}): publish it first \
                         (`plumbline baseline publish \"{name}\"` or Publish in the app)"
                    )));
                }
                id
            }
            None => {
                let id = uuid::Uuid::now_v7().to_string();
                sqlx::query(
                    "INSERT INTO baselines (id, workspace_id, name, description, created_at) VALUES (?, ?, ?, ?, ?)",
                )
                .bind(&id)
                .bind(&workspace)
                .bind(name)
                .bind(description)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        let version: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM baseline_versions WHERE baseline_id = ?",
        )
        .bind(&baseline_id)
        .fetch_one(&mut *tx)
        .await?;
        let version_id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO baseline_versions (id, baseline_id, version, status, options, created_at, created_by)
             VALUES (?, ?, ?, 'draft', ?, ?, ?)",
        )
        .bind(&version_id)
        .bind(&baseline_id)
        .bind(version)
        .bind(serde_json::to_string(options).map_err(StoreError::corrupt)?)
        .bind(&now)
        .bind(&self.writer().actor)
        .execute(&mut *tx)
        .await?;
        let mut seen = std::collections::BTreeSet::new();
        for item in items {
            if !seen.insert((item.kind.as_str(), item.name.to_lowercase())) {
                continue; // same kind and name twice: the first one is the baseline's
            }
            insert_item(&mut *tx, &version_id, item).await?;
        }
        let mut seen_objects = std::collections::BTreeSet::new();
        for object in directory {
            if !seen_objects.insert((object.kind, object.external_id.as_str())) {
                continue;
            }
            sqlx::query(
                "INSERT INTO baseline_directory_objects (baseline_version_id, kind, external_id, display_name) VALUES (?, ?, ?, ?)",
            )
            .bind(&version_id)
            .bind(object.kind.as_str())
            .bind(&object.external_id)
            .bind(&object.display_name)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(
            &mut *tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "baseline.create_version",
                target: format!("baseline/{baseline_id}/v{version}"),
                summary: serde_json::json!({"name": name, "version": version, "items": seen.len()}),
            },
        )
        .await?;
        Ok((baseline_id, version))
    }

    /// Publishes the draft version of a baseline; the version published before it retires.
    pub async fn publish_baseline(&self, name_or_id: &str) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let (baseline_id, _) = self.baseline_ref(&mut tx, name_or_id).await?;
        let version = self.publish_draft(&mut tx, &baseline_id).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Publishes the draft of the baseline `baseline_id`, retiring the published version.
    async fn publish_draft(
        &self,
        tx: &mut SqliteConnection,
        baseline_id: &str,
    ) -> Result<i64, StoreError> {
        let (baseline_id, name) = self.baseline_ref(tx, baseline_id).await?;
        let draft = sqlx::query(
            "SELECT id, version FROM baseline_versions WHERE baseline_id = ? AND status = 'draft'",
        )
        .bind(&baseline_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| {
            StoreError::Conflict(format!("baseline {name} has no draft version to publish"))
        })?;
        let (draft_id, mut version): (String, i64) = (draft.try_get(0)?, draft.try_get(1)?);
        // Another device may have published this number since the draft was started: the
        // draft takes the next free one.
        let taken: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) FROM baseline_versions WHERE baseline_id = ? AND status <> 'draft'",
        )
        .bind(&baseline_id)
        .fetch_one(&mut *tx)
        .await?;
        if taken >= version {
            version = taken + 1;
            sqlx::query("UPDATE baseline_versions SET version = ? WHERE id = ?")
                .bind(version)
                .bind(&draft_id)
                .execute(&mut *tx)
                .await?;
        }
        let now = timestamp(Utc::now());
        sqlx::query(
            "UPDATE baseline_versions SET status = 'retired', retired_at = ? WHERE baseline_id = ? AND status = 'published'",
        )
        .bind(&now)
        .bind(&baseline_id)
        .execute(&mut *tx)
        .await?;
        // Labelled with what this device knows of the settings the items hold, fixed with
        // the version so every device words its findings alike.
        let workspace = self.workspace().to_string();
        let mut labels = None;
        if definitions::any(tx, &workspace).await? {
            let hashes: Vec<String> = sqlx::query_scalar(
                "SELECT blob_sha256 FROM baseline_items WHERE baseline_version_id = ?",
            )
            .bind(&draft_id)
            .fetch_all(&mut *tx)
            .await?;
            let mut ids = std::collections::BTreeSet::new();
            for hash in &hashes {
                definition_ids_in(&blobs::get(tx, hash).await?, &mut ids);
            }
            let labelled = definitions::known(tx, &workspace, &ids).await?;
            labels = definitions::record(tx, &workspace, &labelled, &now).await?;
        }
        sqlx::query(
            "UPDATE baseline_versions SET status = 'published', published_at = ?, definitions_sha256 = ? WHERE id = ?",
        )
        .bind(&now)
        .bind(&labels)
        .bind(&draft_id)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut *tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "baseline.publish",
                target: format!("baseline/{baseline_id}/v{version}"),
                summary: serde_json::json!({"name": name, "version": version}),
            },
        )
        .await?;
        Ok(version)
    }

    /// Assigns a baseline to tenants (replacing the variables and pin of an existing
    /// assignment), all in one transaction. `pin` is a published or retired version
    /// number; `None` follows the latest published version.
    pub async fn assign_baseline(
        &self,
        name_or_id: &str,
        tenants: &[TenantId],
        variables: &BTreeMap<String, Value>,
        pin: Option<i64>,
    ) -> Result<(), StoreError> {
        if let Some(key) = variables
            .keys()
            .find(|k| k.trim().is_empty() || k.trim() != *k)
        {
            return Err(StoreError::Conflict(format!(
                "the variable name {key:?} is empty or has spaces around it: name each variable"
            )));
        }
        let mut tx = self.begin_write().await?;
        for tenant in tenants {
            self.assign_baseline_in(&mut tx, name_or_id, *tenant, variables, pin)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn assign_baseline_in(
        &self,
        conn: &mut SqliteConnection,
        name_or_id: &str,
        tenant: TenantId,
        variables: &BTreeMap<String, Value>,
        pin: Option<i64>,
    ) -> Result<(), StoreError> {
        let (baseline_id, name) = self.baseline_ref(conn, name_or_id).await?;
        let known: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM tenants WHERE id = ? AND workspace_id = ?")
                .bind(tenant.to_string())
                .bind(self.workspace().to_string())
                .fetch_optional(&mut *conn)
                .await?;
        if known.is_none() {
            return Err(StoreError::NotFound {
                what: "tenant",
                name: format!("{tenant} (list tenants with `plumbline tenants`)"),
            });
        }
        let pinned_id = match pin {
            None => None,
            Some(number) => {
                let row: Option<(String, String)> = sqlx::query_as(
                    "SELECT id, status FROM baseline_versions WHERE baseline_id = ? AND version = ?",
                )
                .bind(&baseline_id)
                .bind(number)
                .fetch_optional(&mut *conn)
                .await?;
                match row {
                    None => {
                        return Err(StoreError::NotFound {
                            what: "baseline version",
                            name: format!("{name} v{number}"),
                        })
                    }
                    Some((_, status)) if status == "draft" => {
                        return Err(StoreError::Conflict(format!(
                            "{name} v{number} is a draft: publish it before pinning tenants to it"
                        )))
                    }
                    Some((id, _)) => Some(id),
                }
            }
        };
        let vars = serde_json::to_string(variables).map_err(StoreError::corrupt)?;
        sqlx::query(
            "INSERT INTO baseline_assignments (id, baseline_id, tenant_id, baseline_version_id, variables, created_at)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (baseline_id, tenant_id) DO UPDATE
             SET variables = excluded.variables, baseline_version_id = excluded.baseline_version_id",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&baseline_id)
        .bind(tenant.to_string())
        .bind(&pinned_id)
        .bind(&vars)
        .bind(timestamp(Utc::now()))
        .execute(&mut *conn)
        .await?;
        audit::append(
            conn,
            self.writer(),
            AuditRecord {
                tenant: Some(tenant),
                action: "baseline.assign",
                target: format!("baseline/{baseline_id}"),
                summary: serde_json::json!({"name": name, "variables": variables, "pinned_version": pin}),
            },
        )
        .await?;
        Ok(())
    }

    /// Removes a baseline's assignment to a tenant: its next review no longer compares
    /// with the baseline (existing findings stay, with their history).
    pub async fn unassign_baseline(
        &self,
        name_or_id: &str,
        tenant: TenantId,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let (baseline_id, name) = self.baseline_ref(&mut tx, name_or_id).await?;
        let removed =
            sqlx::query("DELETE FROM baseline_assignments WHERE baseline_id = ? AND tenant_id = ?")
                .bind(&baseline_id)
                .bind(tenant.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if removed == 0 {
            return Err(StoreError::NotFound {
                what: "assignment",
                name: format!("{name} is not assigned to tenant {tenant}"),
            });
        }
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: Some(tenant),
                action: "baseline.unassign",
                target: format!("baseline/{baseline_id}"),
                summary: serde_json::json!({"name": name}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The tenants a baseline is assigned to, by tenant name.
    pub async fn baseline_assignments(
        &self,
        name_or_id: &str,
    ) -> Result<Vec<BaselineAssignment>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let (baseline_id, _) = self.baseline_ref(&mut conn, name_or_id).await?;
        let rows = sqlx::query(
            "SELECT a.tenant_id, t.display_name, a.variables, v.version AS pinned, a.created_at
             FROM baseline_assignments a JOIN tenants t ON t.id = a.tenant_id
             LEFT JOIN baseline_versions v ON v.id = a.baseline_version_id
             WHERE a.baseline_id = ? ORDER BY t.display_name COLLATE NOCASE, t.id",
        )
        .bind(&baseline_id)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|row| {
                let tenant: String = row.try_get("tenant_id")?;
                let vars: String = row.try_get("variables")?;
                Ok(BaselineAssignment {
                    tenant_id: TenantId::from_str(&tenant).map_err(StoreError::corrupt)?,
                    tenant: row.try_get("display_name")?,
                    variables: serde_json::from_str(&vars).map_err(StoreError::corrupt)?,
                    pinned_version: row.try_get("pinned")?,
                    assigned_at: row.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// A baseline's id and name, from its name (case-insensitive) or id.
    pub(super) async fn baseline_ref(
        &self,
        conn: &mut SqliteConnection,
        name_or_id: &str,
    ) -> Result<(String, String), StoreError> {
        let mut found: Vec<(String, String)> =
            sqlx::query_as("SELECT id, name FROM baselines WHERE workspace_id = ? AND id = ?")
                .bind(self.workspace().to_string())
                .bind(name_or_id)
                .fetch_all(&mut *conn)
                .await?;
        if found.is_empty() {
            found = sqlx::query_as(
                "SELECT id, name FROM baselines WHERE workspace_id = ? AND name = ? COLLATE NOCASE ORDER BY id",
            )
            .bind(self.workspace().to_string())
            .bind(name_or_id)
            .fetch_all(&mut *conn)
            .await?;
        }
        if found.len() > 1 {
            let ids: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
            return Err(StoreError::Conflict(format!(
                "{} baselines are named {name_or_id:?} (created on different devices): name one by its id ({})",
                found.len(),
                ids.join(", ")
            )));
        }
        found.pop().ok_or_else(|| StoreError::NotFound {
            what: "baseline",
            name: format!("{name_or_id} (list baselines with `plumbline baseline list`)"),
        })
    }

    /// The baselines assigned to a tenant.
    pub async fn assignments(&self, tenant: TenantId) -> Result<Vec<Assignment>, StoreError> {
        let rows = sqlx::query(
            "SELECT b.id, b.name, a.variables,
                    COALESCE(a.baseline_version_id,
                      (SELECT v.id FROM baseline_versions v WHERE v.baseline_id = b.id AND v.status = 'published'
                       ORDER BY v.version DESC, v.published_at DESC, v.id DESC LIMIT 1)) AS version_id
             FROM baseline_assignments a JOIN baselines b ON b.id = a.baseline_id
             WHERE a.tenant_id = ? ORDER BY b.name",
        )
        .bind(tenant.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let vars: String = row.try_get("variables")?;
                Ok(Assignment {
                    baseline_id: row.try_get("id")?,
                    baseline_name: row.try_get("name")?,
                    version_id: row.try_get("version_id")?,
                    variables: serde_json::from_str(&vars).map_err(StoreError::corrupt)?,
                })
            })
            .collect()
    }

    /// Loads a baseline version with its items and rules.
    pub async fn load_baseline_version(
        &self,
        version_id: &str,
    ) -> Result<LoadedBaseline, StoreError> {
        let head = sqlx::query(
            "SELECT b.id, b.name, v.version, v.options FROM baseline_versions v
             JOIN baselines b ON b.id = v.baseline_id WHERE v.id = ?",
        )
        .bind(version_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "baseline version",
            name: version_id.to_owned(),
        })?;
        let options: String = head.try_get("options")?;
        let rows = sqlx::query(
            "SELECT i.id, i.kind, i.name, i.match_name, i.severity, i.blob_sha256, b.size, b.codec, b.data
             FROM baseline_items i JOIN blobs b ON b.sha256 = i.blob_sha256
             WHERE i.baseline_version_id = ? ORDER BY i.kind, i.name",
        )
        .bind(version_id)
        .fetch_all(self.pool())
        .await?;
        let rule_rows = sqlx::query(
            "SELECT r.baseline_item_id, r.setting_path, r.rule, r.severity FROM baseline_rules r
             JOIN baseline_items i ON i.id = r.baseline_item_id WHERE i.baseline_version_id = ?",
        )
        .bind(version_id)
        .fetch_all(self.pool())
        .await?;
        let mut rules: BTreeMap<String, BTreeMap<String, SettingRule>> = BTreeMap::new();
        for row in rule_rows {
            let text: String = row.try_get("rule")?;
            let rule: SettingRule = serde_json::from_str(&text).map_err(StoreError::corrupt)?;
            rules
                .entry(row.try_get("baseline_item_id")?)
                .or_default()
                .insert(row.try_get("setting_path")?, rule);
        }
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: String = row.try_get("id")?;
            let hash: String = row.try_get("blob_sha256")?;
            let severity: String = row.try_get("severity")?;
            items.push(NewBaselineItem {
                kind: row.try_get("kind")?,
                name: row.try_get("name")?,
                match_name: row.try_get("match_name")?,
                raw: blobs::decode(
                    &hash,
                    row.try_get("size")?,
                    &row.try_get::<String, _>("codec")?,
                    &row.try_get::<Vec<u8>, _>("data")?,
                )?,
                severity: Severity::parse(&severity)
                    .ok_or_else(|| StoreError::corrupt(format!("severity {severity}")))?,
                rules: rules.remove(&id).unwrap_or_default(),
            });
        }
        let directory = sqlx::query(
            "SELECT kind, external_id, display_name FROM baseline_directory_objects WHERE baseline_version_id = ?",
        )
        .bind(version_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            let kind: String = row.try_get(0)?;
            Ok(DirectoryObject {
                kind: DirectoryObjectKind::parse(&kind)
                    .ok_or_else(|| StoreError::corrupt(format!("directory kind {kind}")))?,
                external_id: row.try_get(1)?,
                display_name: row.try_get(2)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(LoadedBaseline {
            directory,
            baseline_id: head.try_get("id")?,
            name: head.try_get("name")?,
            version_id: version_id.to_owned(),
            version: head.try_get("version")?,
            options: serde_json::from_str(&options).map_err(StoreError::corrupt)?,
            items,
        })
    }

    /// Every baseline with its versions.
    pub async fn list_baselines(&self) -> Result<Vec<BaselineSummary>, StoreError> {
        self.baseline_summaries(None).await
    }

    /// One baseline (by name or id) with its versions.
    pub async fn baseline(&self, name_or_id: &str) -> Result<BaselineSummary, StoreError> {
        self.baseline_summaries(Some(name_or_id))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::NotFound {
                what: "baseline",
                name: format!("{name_or_id} (list baselines with `plumbline baseline list`)"),
            })
    }

    async fn baseline_summaries(
        &self,
        only: Option<&str>,
    ) -> Result<Vec<BaselineSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT b.id, b.name, b.description,
                    (SELECT COUNT(*) FROM baseline_assignments a WHERE a.baseline_id = b.id) AS assigned
             FROM baselines b WHERE b.workspace_id = ?
               AND (?2 IS NULL OR b.name = ?2 COLLATE NOCASE OR b.id = ?2)
             ORDER BY b.name COLLATE NOCASE",
        )
        .bind(self.workspace().to_string())
        .bind(only)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let id: String = row.try_get("id")?;
            let versions = sqlx::query(
                "SELECT v.id, v.version, v.status, v.created_at, v.created_by, v.published_at, v.retired_at,
                        (SELECT COUNT(*) FROM baseline_items i WHERE i.baseline_version_id = v.id) AS items
                 FROM baseline_versions v WHERE v.baseline_id = ? ORDER BY v.version DESC",
            )
            .bind(&id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|v| {
                Ok(VersionSummary {
                    id: v.try_get("id")?,
                    version: v.try_get("version")?,
                    status: v.try_get("status")?,
                    items: u32::try_from(v.try_get::<i64, _>("items")?).unwrap_or(0),
                    created_at: v.try_get("created_at")?,
                    created_by: v.try_get("created_by")?,
                    published_at: v.try_get("published_at")?,
                    retired_at: v.try_get("retired_at")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
            out.push(BaselineSummary {
                id,
                name: row.try_get("name")?,
                description: row.try_get("description")?,
                versions,
                assigned_tenants: u32::try_from(row.try_get::<i64, _>("assigned")?).unwrap_or(0),
            });
        }
        Ok(out)
    }
}

pub(super) async fn insert_item(
    conn: &mut SqliteConnection,
    version_id: &str,
    item: &NewBaselineItem,
) -> Result<(), StoreError> {
    let hash = blobs::put(conn, &item.raw).await?;
    let item_id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO baseline_items (id, baseline_version_id, kind, name, match_name, blob_sha256, severity) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&item_id)
    .bind(version_id)
    .bind(&item.kind)
    .bind(&item.name)
    .bind(&item.match_name)
    .bind(&hash)
    .bind(item.severity.as_str())
    .execute(&mut *conn)
    .await?;
    for (path, rule) in &item.rules {
        sqlx::query(
            "INSERT INTO baseline_rules (baseline_item_id, setting_path, rule, severity) VALUES (?, ?, ?, ?)",
        )
        .bind(&item_id)
        .bind(path)
        .bind(serde_json::to_string(rule).map_err(StoreError::corrupt)?)
        .bind(rule.severity.map(Severity::as_str))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

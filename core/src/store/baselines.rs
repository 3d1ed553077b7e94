//! Baselines: versions (draft → published → retired), items with rules, assignments.

use std::collections::BTreeMap;

use chrono::Utc;
use serde::Serialize;
use serde_json::Value;
use sqlx::{Row, SqliteConnection};

use super::{blobs, timestamp, Store, StoreError};
use crate::audit::{self, AuditRecord};
use crate::baseline::{BaselineOptions, SettingRule, Severity};
use crate::model::{DirectoryObject, DirectoryObjectKind, TenantId};

/// An item to put into a draft baseline version.
#[derive(Clone, Debug)]
pub struct NewBaselineItem {
    pub kind: String,
    pub name: String,
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

/// One version of a baseline.
#[derive(Clone, Debug, Serialize)]
pub struct VersionSummary {
    pub id: String,
    pub version: i64,
    pub status: String,
    pub items: u32,
    pub created_at: String,
    pub published_at: Option<String>,
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
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Conflict(
                "a baseline needs a name: pass --name NAME".to_owned(),
            ));
        }
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let workspace = self.workspace().to_string();
        let existing: Option<String> = sqlx::query_scalar(
            "SELECT id FROM baselines WHERE workspace_id = ? AND name = ? COLLATE NOCASE",
        )
        .bind(&workspace)
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
        let now = timestamp(Utc::now());
        let baseline_id = match existing {
            Some(id) => {
                let drafts: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM baseline_versions WHERE baseline_id = ? AND status = 'draft'",
                )
                .bind(&id)
                .fetch_one(&mut *tx)
                .await?;
                if drafts > 0 {
                    return Err(StoreError::Conflict(format!(
                        "baseline {name} already has a draft version: publish it with `plumbline baseline publish \"{name}\"` first"
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
            insert_item(&mut tx, &version_id, item).await?;
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
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "baseline.create_version",
                target: format!("baseline/{baseline_id}/v{version}"),
                summary: serde_json::json!({"name": name, "version": version, "items": seen.len()}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Publishes the draft version of a baseline; the version published before it retires.
    pub async fn publish_baseline(&self, name: &str) -> Result<i64, StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let baseline_id = self.baseline_id(&mut tx, name).await?;
        let draft = sqlx::query(
            "SELECT id, version FROM baseline_versions WHERE baseline_id = ? AND status = 'draft'",
        )
        .bind(&baseline_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| {
            StoreError::Conflict(format!("baseline {name} has no draft version to publish"))
        })?;
        let (draft_id, version): (String, i64) = (draft.try_get(0)?, draft.try_get(1)?);
        let now = timestamp(Utc::now());
        sqlx::query(
            "UPDATE baseline_versions SET status = 'retired', retired_at = ? WHERE baseline_id = ? AND status = 'published'",
        )
        .bind(&now)
        .bind(&baseline_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE baseline_versions SET status = 'published', published_at = ? WHERE id = ?",
        )
        .bind(&now)
        .bind(&draft_id)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "baseline.publish",
                target: format!("baseline/{baseline_id}/v{version}"),
                summary: serde_json::json!({"name": name, "version": version}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Assigns a baseline to a tenant (replacing the variables of an existing assignment).
    pub async fn assign_baseline(
        &self,
        name: &str,
        tenant: TenantId,
        variables: &BTreeMap<String, Value>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        self.assign_baseline_in(&mut tx, name, tenant, variables)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn assign_baseline_in(
        &self,
        conn: &mut SqliteConnection,
        name: &str,
        tenant: TenantId,
        variables: &BTreeMap<String, Value>,
    ) -> Result<(), StoreError> {
        let baseline_id = self.baseline_id(conn, name).await?;
        let vars = serde_json::to_string(variables).map_err(StoreError::corrupt)?;
        sqlx::query(
            "INSERT INTO baseline_assignments (id, baseline_id, tenant_id, variables, created_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (baseline_id, tenant_id) DO UPDATE SET variables = excluded.variables",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&baseline_id)
        .bind(tenant.to_string())
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
                summary: serde_json::json!({"name": name, "variables": variables}),
            },
        )
        .await?;
        Ok(())
    }

    async fn baseline_id(
        &self,
        conn: &mut SqliteConnection,
        name: &str,
    ) -> Result<String, StoreError> {
        sqlx::query_scalar(
            "SELECT id FROM baselines WHERE workspace_id = ? AND (name = ? COLLATE NOCASE OR id = ?)",
        )
        .bind(self.workspace().to_string())
        .bind(name)
        .bind(name)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "baseline",
            name: format!("{name} (list baselines with `plumbline baseline list`)"),
        })
    }

    /// The baselines assigned to a tenant.
    pub async fn assignments(&self, tenant: TenantId) -> Result<Vec<Assignment>, StoreError> {
        let rows = sqlx::query(
            "SELECT b.id, b.name, a.variables,
                    COALESCE(a.baseline_version_id,
                      (SELECT v.id FROM baseline_versions v WHERE v.baseline_id = b.id AND v.status = 'published'
                       ORDER BY v.version DESC LIMIT 1)) AS version_id
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
            "SELECT i.id, i.kind, i.name, i.severity, i.blob_sha256, b.size, b.codec, b.data
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

    /// Sets (or replaces) the rule of one setting in a baseline's draft version.
    pub async fn set_baseline_rule(
        &self,
        baseline: &str,
        item_name: &str,
        setting_path: &str,
        rule: &SettingRule,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let baseline_id = self.baseline_id(&mut tx, baseline).await?;
        let item_id: String = sqlx::query_scalar(
            "SELECT i.id FROM baseline_items i JOIN baseline_versions v ON v.id = i.baseline_version_id
             WHERE v.baseline_id = ? AND v.status = 'draft' AND i.name = ? COLLATE NOCASE",
        )
        .bind(&baseline_id)
        .bind(item_name)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "item in the draft version",
            name: format!("{item_name} (rules can only change in a draft: create one first)"),
        })?;
        sqlx::query(
            "INSERT INTO baseline_rules (baseline_item_id, setting_path, rule, severity) VALUES (?, ?, ?, ?)
             ON CONFLICT (baseline_item_id, setting_path) DO UPDATE SET rule = excluded.rule, severity = excluded.severity",
        )
        .bind(&item_id)
        .bind(setting_path)
        .bind(serde_json::to_string(rule).map_err(StoreError::corrupt)?)
        .bind(rule.severity.map(Severity::as_str))
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "baseline.set_rule",
                target: format!("baseline/{baseline_id}"),
                summary: serde_json::json!({"item": item_name, "path": setting_path, "rule": rule}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every baseline with its versions.
    pub async fn list_baselines(&self) -> Result<Vec<BaselineSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT b.id, b.name, b.description,
                    (SELECT COUNT(*) FROM baseline_assignments a WHERE a.baseline_id = b.id) AS assigned
             FROM baselines b WHERE b.workspace_id = ? ORDER BY b.name COLLATE NOCASE",
        )
        .bind(self.workspace().to_string())
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let id: String = row.try_get("id")?;
            let versions = sqlx::query(
                "SELECT v.id, v.version, v.status, v.created_at, v.published_at,
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
                    published_at: v.try_get("published_at")?,
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

async fn insert_item(
    conn: &mut SqliteConnection,
    version_id: &str,
    item: &NewBaselineItem,
) -> Result<(), StoreError> {
    let hash = blobs::put(conn, &item.raw).await?;
    let item_id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO baseline_items (id, baseline_version_id, kind, name, blob_sha256, severity) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&item_id)
    .bind(version_id)
    .bind(&item.kind)
    .bind(&item.name)
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

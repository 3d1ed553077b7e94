//! What the Baselines screen reads: a version's items with their rule counts, one item
//! with its policy and rules, and the per-tenant variables a version's rules need.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use sqlx::Row;

use super::{blobs, Store, StoreError};
use crate::baseline::{Rule, SettingRule, Severity};
use crate::model::{DirectoryObject, DirectoryObjectKind};

/// One item of a baseline version, as listed.
#[derive(Clone, Debug, PartialEq)]
pub struct BaselineItemRow {
    pub id: String,
    pub kind: String,
    pub name: String,
    /// The default severity of the item's settings.
    pub severity: Severity,
    /// Settings with a rule of their own.
    pub rules: u32,
}

/// One item with everything needed to show its settings and rules.
#[derive(Clone, Debug, PartialEq)]
pub struct BaselineItemDetail {
    pub id: String,
    pub baseline_id: String,
    pub baseline: String,
    pub version_id: String,
    pub version: i64,
    /// draft | published | retired
    pub status: String,
    pub kind: String,
    pub name: String,
    pub severity: Severity,
    /// The policy's JSON as stored.
    pub raw: Value,
    pub rules: BTreeMap<String, SettingRule>,
    /// The version's directory objects, to resolve ids in the policy to names.
    pub directory: Vec<DirectoryObject>,
}

fn severity(text: &str) -> Result<Severity, StoreError> {
    Severity::parse(text).ok_or_else(|| StoreError::corrupt(format!("severity {text}")))
}

impl Store {
    /// The items of a baseline version, by kind and name.
    pub async fn baseline_items(
        &self,
        version_id: &str,
    ) -> Result<Vec<BaselineItemRow>, StoreError> {
        let known: Option<String> = sqlx::query_scalar(
            "SELECT v.id FROM baseline_versions v JOIN baselines b ON b.id = v.baseline_id
             WHERE v.id = ? AND b.workspace_id = ?",
        )
        .bind(version_id)
        .bind(self.workspace().to_string())
        .fetch_optional(self.pool())
        .await?;
        if known.is_none() {
            return Err(StoreError::NotFound {
                what: "baseline version",
                name: version_id.to_owned(),
            });
        }
        sqlx::query(
            "SELECT i.id, i.kind, i.name, i.severity,
                    (SELECT COUNT(*) FROM baseline_rules r WHERE r.baseline_item_id = i.id) AS rules
             FROM baseline_items i WHERE i.baseline_version_id = ?
             ORDER BY i.kind, i.name COLLATE NOCASE",
        )
        .bind(version_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(BaselineItemRow {
                id: row.try_get("id")?,
                kind: row.try_get("kind")?,
                name: row.try_get("name")?,
                severity: severity(&row.try_get::<String, _>("severity")?)?,
                rules: u32::try_from(row.try_get::<i64, _>("rules")?).unwrap_or(0),
            })
        })
        .collect()
    }

    /// One baseline item with its policy, rules and the version's directory objects.
    pub async fn baseline_item(&self, item_id: &str) -> Result<BaselineItemDetail, StoreError> {
        let row = sqlx::query(
            "SELECT i.id, i.kind, i.name, i.severity, i.blob_sha256, bl.size, bl.codec, bl.data,
                    v.id AS version_id, v.version, v.status, b.id AS baseline_id, b.name AS baseline
             FROM baseline_items i JOIN blobs bl ON bl.sha256 = i.blob_sha256
             JOIN baseline_versions v ON v.id = i.baseline_version_id
             JOIN baselines b ON b.id = v.baseline_id
             WHERE i.id = ? AND b.workspace_id = ?",
        )
        .bind(item_id)
        .bind(self.workspace().to_string())
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "baseline item",
            name: item_id.to_owned(),
        })?;
        let hash: String = row.try_get("blob_sha256")?;
        let raw = blobs::decode(
            &hash,
            row.try_get("size")?,
            &row.try_get::<String, _>("codec")?,
            &row.try_get::<Vec<u8>, _>("data")?,
        )?;
        let mut rules = BTreeMap::new();
        for rule in
            sqlx::query("SELECT setting_path, rule FROM baseline_rules WHERE baseline_item_id = ?")
                .bind(item_id)
                .fetch_all(self.pool())
                .await?
        {
            let text: String = rule.try_get("rule")?;
            rules.insert(
                rule.try_get("setting_path")?,
                serde_json::from_str(&text).map_err(StoreError::corrupt)?,
            );
        }
        let version_id: String = row.try_get("version_id")?;
        let directory = sqlx::query_as::<_, (String, String, String)>(
            "SELECT kind, external_id, display_name FROM baseline_directory_objects
             WHERE baseline_version_id = ?",
        )
        .bind(&version_id)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|(kind, external_id, display_name)| {
            Ok(DirectoryObject {
                kind: DirectoryObjectKind::parse(&kind)
                    .ok_or_else(|| StoreError::corrupt(format!("directory kind {kind}")))?,
                external_id,
                display_name,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(BaselineItemDetail {
            id: row.try_get("id")?,
            baseline_id: row.try_get("baseline_id")?,
            baseline: row.try_get("baseline")?,
            version_id,
            version: row.try_get("version")?,
            status: row.try_get("status")?,
            kind: row.try_get("kind")?,
            name: row.try_get("name")?,
            severity: severity(&row.try_get::<String, _>("severity")?)?,
            raw,
            rules,
            directory,
        })
    }

    /// The per-tenant variables the `tenant_value` rules of a version read: what each
    /// assignment should define.
    pub async fn tenant_value_variables(
        &self,
        version_id: &str,
    ) -> Result<BTreeSet<String>, StoreError> {
        // Rules are JSON tagged by name; the LIKE only narrows what is parsed.
        let rules: Vec<String> = sqlx::query_scalar(
            "SELECT r.rule FROM baseline_rules r JOIN baseline_items i ON i.id = r.baseline_item_id
             WHERE i.baseline_version_id = ? AND r.rule LIKE '%tenant_value%'",
        )
        .bind(version_id)
        .fetch_all(self.pool())
        .await?;
        let mut out = BTreeSet::new();
        for text in rules {
            let rule: SettingRule = serde_json::from_str(&text).map_err(StoreError::corrupt)?;
            if let Rule::TenantValue { variable } = rule.rule {
                out.insert(variable);
            }
        }
        Ok(out)
    }
}

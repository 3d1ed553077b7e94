//! Editing a baseline: a new draft from the published version, and the draft's rules
//! and severities.
//!
//! Only a draft changes. Each edit first reads the item's version status inside its
//! `BEGIN IMMEDIATE` transaction and refuses a published or retired version with a
//! [`StoreError::Conflict`] that says to start a draft; the database's triggers refuse
//! the same writes underneath, and their refusal is reported the same way.

use chrono::Utc;
use sqlx::{Row, SqliteConnection};

use super::{timestamp, Store, StoreError};
use crate::audit::{self, AuditRecord};
use crate::baseline::{SettingRule, Severity};

/// The message of the triggers that keep published versions immutable
/// (`migrations/local/20261123000001_initial.sql`).
const IMMUTABLE_TRIGGER: &str = "a published baseline version is immutable";

/// A draft item an edit applies to.
struct DraftItem {
    id: String,
    name: String,
    baseline_id: String,
    baseline: String,
    version: i64,
}

/// Turns the immutability triggers' refusal into the conflict it is; other errors stay.
fn refused_by_trigger(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.message().contains(IMMUTABLE_TRIGGER) => {
            StoreError::Conflict(format!(
                "{}: start a new draft from it and edit the draft",
                db.message()
            ))
        }
        _ => StoreError::Sql(error),
    }
}

fn not_a_draft(baseline: &str, version: i64, status: &str) -> StoreError {
    StoreError::Conflict(format!(
        "{baseline} v{version} is {status} and can no longer change: start a new draft from \
         the latest published version and edit that"
    ))
}

impl Store {
    /// Starts a new draft version of a baseline as a copy of its latest published version:
    /// the same items, rules, severities, options and directory objects. Returns the new
    /// version number. Refused when the baseline already has a draft or has never been
    /// published.
    pub async fn start_baseline_draft(&self, name_or_id: &str) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let (baseline_id, name) = self.baseline_ref(&mut tx, name_or_id).await?;
        let draft: Option<i64> = sqlx::query_scalar(
            "SELECT version FROM baseline_versions WHERE baseline_id = ? AND status = 'draft'",
        )
        .bind(&baseline_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(draft) = draft {
            return Err(StoreError::Conflict(format!(
                "{name} already has a draft (v{draft}): edit it, or publish it before starting another"
            )));
        }
        let source: (String, i64, String) = sqlx::query_as(
            "SELECT id, version, options FROM baseline_versions
             WHERE baseline_id = ? AND status = 'published' ORDER BY version DESC, published_at DESC, id DESC LIMIT 1",
        )
        .bind(&baseline_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| {
            StoreError::Conflict(format!(
                "{name} has no published version to start a draft from: create one from a tenant or a folder"
            ))
        })?;
        let (source_id, source_version, options) = source;
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
        .bind(&options)
        .bind(timestamp(Utc::now()))
        .bind(&self.writer().actor)
        .execute(&mut *tx)
        .await?;
        type ItemRow = (String, String, String, Option<String>, String, String);
        let items: Vec<ItemRow> = sqlx::query_as(
            "SELECT id, kind, name, match_name, blob_sha256, severity FROM baseline_items WHERE baseline_version_id = ?",
        )
        .bind(&source_id)
        .fetch_all(&mut *tx)
        .await?;
        for (old_id, kind, item_name, match_name, blob, severity) in &items {
            // The policy JSON is content-addressed: the copy points at the same blob.
            let new_id = uuid::Uuid::now_v7().to_string();
            sqlx::query(
                "INSERT INTO baseline_items (id, baseline_version_id, kind, name, match_name, blob_sha256, severity)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&new_id)
            .bind(&version_id)
            .bind(kind)
            .bind(item_name)
            .bind(match_name)
            .bind(blob)
            .bind(severity)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO baseline_rules (baseline_item_id, setting_path, rule, severity)
                 SELECT ?, setting_path, rule, severity FROM baseline_rules WHERE baseline_item_id = ?",
            )
            .bind(&new_id)
            .bind(old_id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO baseline_directory_objects (baseline_version_id, kind, external_id, display_name)
             SELECT ?, kind, external_id, display_name FROM baseline_directory_objects WHERE baseline_version_id = ?",
        )
        .bind(&version_id)
        .bind(&source_id)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "baseline.start_draft",
                target: format!("baseline/{baseline_id}/v{version}"),
                summary: serde_json::json!({
                    "name": name, "version": version, "from_version": source_version, "items": items.len(),
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Sets (or replaces) the rule of one setting of an item, named by baseline and item
    /// name, in the baseline's draft version.
    pub async fn set_baseline_rule(
        &self,
        baseline: &str,
        item_name: &str,
        setting_path: &str,
        rule: &SettingRule,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let (baseline_id, _) = self.baseline_ref(&mut tx, baseline).await?;
        let item_id: String = sqlx::query_scalar(
            "SELECT i.id FROM baseline_items i JOIN baseline_versions v ON v.id = i.baseline_version_id
             WHERE v.baseline_id = ? AND v.status = 'draft' AND i.name = ? COLLATE NOCASE
             ORDER BY i.kind LIMIT 1",
        )
        .bind(&baseline_id)
        .bind(item_name)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "item in the draft version",
            name: format!("{item_name} (rules can only change in a draft: create one first)"),
        })?;
        let item = self.draft_item(&mut tx, &item_id).await?;
        write_rule(&mut tx, self, &item, setting_path, rule).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets (or replaces) the rule of one setting of a draft item.
    pub async fn set_item_rule(
        &self,
        item_id: &str,
        setting_path: &str,
        rule: &SettingRule,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let item = self.draft_item(&mut tx, item_id).await?;
        write_rule(&mut tx, self, &item, setting_path, rule).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes the rule of one setting of a draft item: the setting is judged `exact`
    /// with the item's severity again.
    pub async fn remove_item_rule(
        &self,
        item_id: &str,
        setting_path: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let item = self.draft_item(&mut tx, item_id).await?;
        let removed = sqlx::query(
            "DELETE FROM baseline_rules WHERE baseline_item_id = ? AND setting_path = ?",
        )
        .bind(&item.id)
        .bind(setting_path)
        .execute(&mut *tx)
        .await
        .map_err(refused_by_trigger)?
        .rows_affected();
        if removed == 0 {
            return Err(StoreError::NotFound {
                what: "rule",
                name: format!("{setting_path} of {} has no rule to remove", item.name),
            });
        }
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "baseline.remove_rule",
                target: format!("baseline/{}/v{}", item.baseline_id, item.version),
                summary: serde_json::json!({
                    "name": item.baseline, "item": item.name, "path": setting_path,
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes the default severity of a draft item's settings (a setting's own rule
    /// severity still wins).
    pub async fn set_item_severity(
        &self,
        item_id: &str,
        severity: Severity,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let item = self.draft_item(&mut tx, item_id).await?;
        sqlx::query("UPDATE baseline_items SET severity = ? WHERE id = ?")
            .bind(severity.as_str())
            .bind(&item.id)
            .execute(&mut *tx)
            .await
            .map_err(refused_by_trigger)?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "baseline.set_item_severity",
                target: format!("baseline/{}/v{}", item.baseline_id, item.version),
                summary: serde_json::json!({
                    "name": item.baseline, "item": item.name, "severity": severity,
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The item, when it belongs to a draft of this workspace; a published or retired
    /// version is a conflict that says to start a draft.
    async fn draft_item(
        &self,
        conn: &mut SqliteConnection,
        item_id: &str,
    ) -> Result<DraftItem, StoreError> {
        let row = sqlx::query(
            "SELECT i.id, i.name, v.version, v.status, b.id AS baseline_id, b.name AS baseline
             FROM baseline_items i JOIN baseline_versions v ON v.id = i.baseline_version_id
             JOIN baselines b ON b.id = v.baseline_id
             WHERE i.id = ? AND b.workspace_id = ?",
        )
        .bind(item_id)
        .bind(self.workspace().to_string())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "baseline item",
            name: item_id.to_owned(),
        })?;
        let status: String = row.try_get("status")?;
        let item = DraftItem {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            baseline_id: row.try_get("baseline_id")?,
            baseline: row.try_get("baseline")?,
            version: row.try_get("version")?,
        };
        if status != "draft" {
            return Err(not_a_draft(&item.baseline, item.version, &status));
        }
        Ok(item)
    }
}

async fn write_rule(
    conn: &mut SqliteConnection,
    store: &Store,
    item: &DraftItem,
    setting_path: &str,
    rule: &SettingRule,
) -> Result<(), StoreError> {
    if setting_path.trim().is_empty() {
        return Err(StoreError::Invalid(
            "a rule needs the setting path it applies to".to_owned(),
        ));
    }
    if let Some(problem) = rule.rule.problem() {
        return Err(StoreError::Invalid(problem));
    }
    sqlx::query(
        "INSERT INTO baseline_rules (baseline_item_id, setting_path, rule, severity) VALUES (?, ?, ?, ?)
         ON CONFLICT (baseline_item_id, setting_path) DO UPDATE SET rule = excluded.rule, severity = excluded.severity",
    )
    .bind(&item.id)
    .bind(setting_path)
    .bind(serde_json::to_string(rule).map_err(StoreError::corrupt)?)
    .bind(rule.severity.map(Severity::as_str))
    .execute(&mut *conn)
    .await
    .map_err(refused_by_trigger)?;
    audit::append(
        conn,
        store.writer(),
        AuditRecord {
            tenant: None,
            action: "baseline.set_rule",
            target: format!("baseline/{}/v{}", item.baseline_id, item.version),
            summary: serde_json::json!({
                "name": item.baseline, "item": item.name, "path": setting_path, "rule": rule,
            }),
        },
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::baseline::{BaselineOptions, Rule};
    use crate::model::{DirectoryObject, DirectoryObjectKind};
    use crate::store::NewBaselineItem;

    fn item(name: &str, length: i64) -> NewBaselineItem {
        NewBaselineItem {
            kind: "compliance_policy".to_owned(),
            name: name.to_owned(),
            match_name: None,
            raw: json!({"displayName": name, "passwordMinimumLength": length}),
            severity: Severity::Medium,
            rules: BTreeMap::new(),
        }
    }

    async fn store_with_baseline() -> Store {
        let store = Store::open_in_memory().await.expect("store");
        store
            .create_baseline_version(
                "MSP Standard",
                "",
                &BaselineOptions {
                    ignore_version_suffix: true,
                    exclusive_kinds: vec![],
                },
                &[item("Win - Password", 14), item("Mac - Password", 12)],
                &[DirectoryObject {
                    kind: DirectoryObjectKind::Group,
                    external_id: "g1".to_owned(),
                    display_name: "Pilot".to_owned(),
                }],
            )
            .await
            .expect("create");
        store
    }

    async fn item_id(store: &Store, version: i64, name: &str) -> String {
        sqlx::query_scalar(
            "SELECT i.id FROM baseline_items i JOIN baseline_versions v ON v.id = i.baseline_version_id
             WHERE v.version = ? AND i.name = ?",
        )
        .bind(version)
        .bind(name)
        .fetch_one(store.pool())
        .await
        .expect("item")
    }

    fn at_least(n: f64) -> SettingRule {
        SettingRule {
            rule: Rule::AtLeast { value: n },
            severity: Some(Severity::High),
        }
    }

    #[tokio::test]
    async fn a_draft_is_edited_then_published_and_never_changes_again() {
        let store = store_with_baseline().await;
        let v1 = item_id(&store, 1, "Win - Password").await;
        store
            .set_item_rule(&v1, "passwordMinimumLength", &at_least(14.0))
            .await
            .expect("rule");
        store
            .set_item_severity(&v1, Severity::Critical)
            .await
            .expect("severity");
        store
            .set_item_rule(&v1, "passwordRequired", &at_least(1.0))
            .await
            .expect("second rule");
        store
            .remove_item_rule(&v1, "passwordRequired")
            .await
            .expect("remove");
        let missing = store
            .remove_item_rule(&v1, "passwordRequired")
            .await
            .expect_err("nothing to remove");
        assert!(matches!(missing, StoreError::NotFound { .. }), "{missing}");
        let bad = store
            .set_item_rule(
                &v1,
                "x",
                &SettingRule {
                    rule: Rule::OneOf { values: vec![] },
                    severity: None,
                },
            )
            .await
            .expect_err("empty one_of");
        assert!(bad.to_string().contains("at least one value"), "{bad}");

        assert_eq!(
            store
                .publish_baseline("MSP Standard")
                .await
                .expect("publish"),
            1
        );
        for refused in [
            store
                .set_item_rule(&v1, "passwordMinimumLength", &at_least(8.0))
                .await,
            store.remove_item_rule(&v1, "passwordMinimumLength").await,
            store.set_item_severity(&v1, Severity::Low).await,
            store
                .set_baseline_rule("MSP Standard", "Win - Password", "p", &at_least(1.0))
                .await,
        ] {
            let error = refused.expect_err("published is immutable");
            assert!(
                matches!(error, StoreError::Conflict(_) | StoreError::NotFound { .. }),
                "{error}"
            );
            assert!(error.to_string().contains("draft"), "{error}");
        }
        let loaded = store
            .load_baseline_version(&store.baseline("MSP Standard").await.expect("b").versions[0].id)
            .await
            .expect("load");
        let win = loaded
            .items
            .iter()
            .find(|i| i.name == "Win - Password")
            .expect("item");
        assert_eq!(win.severity, Severity::Critical);
        assert_eq!(
            win.rules.keys().collect::<Vec<_>>(),
            vec!["passwordMinimumLength"]
        );
    }

    #[tokio::test]
    async fn a_new_draft_copies_the_published_version_with_its_rules() {
        let store = store_with_baseline().await;
        let refused = store
            .start_baseline_draft("MSP Standard")
            .await
            .expect_err("a draft exists");
        assert!(
            refused.to_string().contains("already has a draft (v1)"),
            "{refused}"
        );
        let v1 = item_id(&store, 1, "Win - Password").await;
        store
            .set_item_rule(&v1, "passwordMinimumLength", &at_least(14.0))
            .await
            .expect("rule");
        store
            .publish_baseline("MSP Standard")
            .await
            .expect("publish");
        let before = store.audit_event_count().await.expect("count");

        assert_eq!(
            store
                .start_baseline_draft("msp standard")
                .await
                .expect("draft"),
            2
        );
        assert_eq!(store.audit_event_count().await.expect("count"), before + 1);
        let summary = store.baseline("MSP Standard").await.expect("summary");
        let (draft, published) = (
            summary.draft().expect("draft"),
            summary.latest_published().expect("published"),
        );
        assert_eq!((draft.version, published.version), (2, 1));
        let old = store
            .load_baseline_version(&published.id)
            .await
            .expect("v1");
        let new = store.load_baseline_version(&draft.id).await.expect("v2");
        assert_eq!(new.options, old.options);
        assert_eq!(new.directory, old.directory);
        assert_eq!(new.items.len(), 2);
        for (a, b) in old.items.iter().zip(&new.items) {
            assert_eq!(
                (&a.name, &a.raw, &a.rules, a.severity),
                (&b.name, &b.raw, &b.rules, b.severity)
            );
        }

        // Editing the draft leaves the published version as it was.
        let v2 = item_id(&store, 2, "Win - Password").await;
        store
            .set_item_rule(&v2, "passwordMinimumLength", &at_least(16.0))
            .await
            .expect("edit the draft");
        let old_again = store
            .load_baseline_version(&published.id)
            .await
            .expect("v1");
        assert_eq!(old_again.items, old.items);
    }

    #[tokio::test]
    async fn the_triggers_refusal_reads_as_a_conflict() {
        let store = store_with_baseline().await;
        let v1 = item_id(&store, 1, "Win - Password").await;
        store
            .publish_baseline("MSP Standard")
            .await
            .expect("publish");
        // Straight past the store's own check, as a second writer racing it would be.
        let error = sqlx::query("UPDATE baseline_items SET severity = 'low' WHERE id = ?")
            .bind(&v1)
            .execute(store.pool())
            .await
            .map_err(refused_by_trigger)
            .expect_err("the trigger refuses");
        assert!(matches!(error, StoreError::Conflict(_)), "{error}");
        assert!(error.to_string().contains("start a new draft"), "{error}");
    }
}

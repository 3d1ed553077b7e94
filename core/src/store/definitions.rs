//! Setting definitions kept for labels ([`crate::normalize::definitions`]): the blob each
//! capture and published baseline version carries, and this device's catalog of every
//! definition it has met.

use std::collections::BTreeSet;

use sqlx::{Row, SqliteConnection};

use super::{blobs, Store, StoreError};
use crate::normalize::{SettingDefinition, SettingDefinitions};

/// Ids looked up per query (one parameter each).
const LOOKUP_CHUNK: usize = 500;

/// Stores `definitions` as a blob and folds them into the device's catalog (a newer
/// sighting replaces an older one). `None` when there are none.
pub(super) async fn record(
    conn: &mut SqliteConnection,
    workspace: &str,
    definitions: &SettingDefinitions,
    seen_at: &str,
) -> Result<Option<String>, StoreError> {
    if definitions.is_empty() {
        return Ok(None);
    }
    let value = serde_json::to_value(definitions).map_err(StoreError::corrupt)?;
    let hash = blobs::put(conn, &value).await?;
    remember(conn, workspace, definitions, seen_at).await?;
    Ok(Some(hash))
}

/// Folds definitions into the catalog, keeping each id's newest sighting.
pub(super) async fn remember(
    conn: &mut SqliteConnection,
    workspace: &str,
    definitions: &SettingDefinitions,
    seen_at: &str,
) -> Result<(), StoreError> {
    for (id, definition) in definitions {
        let text = serde_json::to_string(definition).map_err(StoreError::corrupt)?;
        sqlx::query(
            "INSERT INTO setting_definitions (workspace_id, definition_id, definition, seen_at)
             VALUES (?, ?, ?, ?)
             ON CONFLICT (workspace_id, definition_id) DO UPDATE
             SET definition = excluded.definition, seen_at = excluded.seen_at
             WHERE excluded.seen_at >= setting_definitions.seen_at",
        )
        .bind(workspace)
        .bind(id)
        .bind(text)
        .bind(seen_at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Whether the catalog knows any definition (most workspaces without Graph know none).
pub(super) async fn any(conn: &mut SqliteConnection, workspace: &str) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("SELECT 1 FROM setting_definitions WHERE workspace_id = ? LIMIT 1")
            .bind(workspace)
            .fetch_optional(&mut *conn)
            .await?
            .is_some(),
    )
}

/// The catalog's definitions of `ids` (those it knows).
pub(super) async fn known(
    conn: &mut SqliteConnection,
    workspace: &str,
    ids: &BTreeSet<String>,
) -> Result<SettingDefinitions, StoreError> {
    let mut out = SettingDefinitions::new();
    let ids: Vec<&String> = ids.iter().collect();
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let sql = format!(
            "SELECT definition_id, definition FROM setting_definitions
             WHERE workspace_id = ? AND definition_id IN ({marks})"
        );
        let mut query = sqlx::query(&sql).bind(workspace);
        for id in chunk {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&mut *conn).await? {
            let id: String = row.try_get(0)?;
            let text: String = row.try_get(1)?;
            let definition: SettingDefinition =
                serde_json::from_str(&text).map_err(StoreError::corrupt)?;
            out.insert(id, definition);
        }
    }
    Ok(out)
}

/// The definitions stored as blob `hash` (none for `None`).
pub(super) async fn load(
    conn: &mut SqliteConnection,
    hash: Option<&str>,
) -> Result<SettingDefinitions, StoreError> {
    let Some(hash) = hash else {
        return Ok(SettingDefinitions::new());
    };
    let value = blobs::get(conn, hash).await?;
    serde_json::from_value(value)
        .map_err(|e| StoreError::corrupt(format!("setting definitions {hash}: {e}")))
}

impl Store {
    /// The definitions a capture was labelled with.
    pub async fn capture_definitions(
        &self,
        capture: crate::model::CaptureId,
    ) -> Result<SettingDefinitions, StoreError> {
        self.definitions_of(
            "SELECT definitions_sha256 FROM captures WHERE id = ?",
            &capture.to_string(),
        )
        .await
    }

    /// The definitions a baseline version was published with.
    pub async fn version_definitions(
        &self,
        version_id: &str,
    ) -> Result<SettingDefinitions, StoreError> {
        self.definitions_of(
            "SELECT definitions_sha256 FROM baseline_versions WHERE id = ?",
            version_id,
        )
        .await
    }

    /// The definitions of the record `sql` (selecting its blob hash by `id`) names.
    async fn definitions_of(&self, sql: &str, id: &str) -> Result<SettingDefinitions, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let hash: Option<String> = sqlx::query_scalar(sql)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .flatten();
        load(&mut conn, hash.as_deref()).await
    }

    /// What this device knows of the definitions the paths name (for displays that are
    /// not part of a review: the policy diff, a baseline's settings).
    pub async fn known_definitions<'a>(
        &self,
        paths: impl IntoIterator<Item = &'a str>,
    ) -> Result<SettingDefinitions, StoreError> {
        let ids = crate::normalize::referenced_ids(paths);
        if ids.is_empty() {
            return Ok(SettingDefinitions::new());
        }
        let mut conn = self.pool().acquire().await?;
        known(&mut conn, &self.workspace().to_string(), &ids).await
    }

    /// How many definitions this device knows.
    pub async fn definition_count(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM setting_definitions WHERE workspace_id = ?")
                .bind(self.workspace().to_string())
                .fetch_one(self.pool())
                .await?,
        )
    }
}

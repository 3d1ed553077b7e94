//! Tenants: create, find, list with their latest capture.

use std::str::FromStr;

use chrono::Utc;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::{parse_timestamp, timestamp, Store, StoreError};
use crate::audit::{self, AuditRecord};
use crate::model::{TenantId, TenantProfile, TenantSummary};

const SUMMARY_SELECT: &str = "
    SELECT t.id, t.display_name, t.primary_domain, t.entra_tenant_id, t.tags, t.is_demo,
           (SELECT COUNT(*) FROM captures c WHERE c.tenant_id = t.id) AS capture_count,
           lc.taken_at, COALESCE(lc.item_count, 0) AS item_count,
           (SELECT group_concat(k.kind, ',') FROM capture_kinds k
             WHERE k.capture_id = lc.id AND k.ok = 0) AS failed_kinds
    FROM tenants t
    LEFT JOIN captures lc ON lc.id = (
        SELECT c.id FROM captures c WHERE c.tenant_id = t.id
        ORDER BY c.taken_at DESC, c.id DESC LIMIT 1)
    WHERE t.workspace_id = ?";

impl Store {
    /// Every tenant of the workspace with its latest capture, by name.
    pub async fn list_tenants(&self) -> Result<Vec<TenantSummary>, StoreError> {
        let sql = format!("{SUMMARY_SELECT} ORDER BY t.display_name COLLATE NOCASE, t.id");
        sqlx::query(&sql)
            .bind(self.workspace().to_string())
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(summary_from_row)
            .collect()
    }

    /// A tenant by display name (case-insensitive) or id. Two tenants may share a name
    /// (added on two devices while offline): a name that is ambiguous is an error that
    /// lists their ids, which always work.
    pub async fn find_tenant(&self, name_or_id: &str) -> Result<Option<TenantSummary>, StoreError> {
        let by_id = format!("{SUMMARY_SELECT} AND t.id = ?");
        if let Some(row) = sqlx::query(&by_id)
            .bind(self.workspace().to_string())
            .bind(name_or_id)
            .fetch_optional(self.pool())
            .await?
        {
            return summary_from_row(&row).map(Some);
        }
        let by_name =
            format!("{SUMMARY_SELECT} AND t.display_name = ? COLLATE NOCASE ORDER BY t.id");
        let mut rows = sqlx::query(&by_name)
            .bind(self.workspace().to_string())
            .bind(name_or_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(summary_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        match rows.len() {
            0 => Ok(None),
            1 => Ok(rows.pop()),
            _ => Err(ambiguous_name(
                name_or_id,
                rows.iter().map(|t| t.id.to_string()),
            )),
        }
    }

    /// Like [`Store::find_tenant`], but a missing tenant is an error that says what to do.
    pub async fn tenant(&self, name_or_id: &str) -> Result<TenantSummary, StoreError> {
        self.find_tenant(name_or_id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "tenant",
                name: format!("{name_or_id} (list tenants with `plumbline tenants`)"),
            })
    }

    /// Number of tenants in the workspace.
    pub async fn tenant_count(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM tenants WHERE workspace_id = ?")
                .bind(self.workspace().to_string())
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Replaces a tenant's tags (trimmed, duplicates dropped ignoring case, in the order
    /// given); a register that syncs. Returns the tags as stored.
    pub async fn set_tenant_tags(
        &self,
        tenant: TenantId,
        tags: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let tags = clean_tags(tags)?;
        let text = serde_json::to_string(&tags).map_err(StoreError::corrupt)?;
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE tenants SET tags = ?, updated_at = ? WHERE id = ? AND workspace_id = ?",
        )
        .bind(&text)
        .bind(timestamp(Utc::now()))
        .bind(tenant.to_string())
        .bind(self.workspace().to_string())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "tenant",
                name: tenant.to_string(),
            });
        }
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: Some(tenant),
                action: "tenant.tags.update",
                target: format!("tenant/{tenant}"),
                summary: serde_json::json!({ "tags": tags }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(tags)
    }

    /// Creates a tenant, or returns the existing one of the same name.
    pub async fn ensure_tenant(
        &self,
        profile: &TenantProfile,
    ) -> Result<(TenantId, bool), StoreError> {
        let mut tx = self.begin_write().await?;
        let result = self.ensure_tenant_in(&mut tx, profile).await?;
        tx.commit().await?;
        Ok(result)
    }

    pub(crate) async fn ensure_tenant_in(
        &self,
        conn: &mut SqliteConnection,
        profile: &TenantProfile,
    ) -> Result<(TenantId, bool), StoreError> {
        let name = profile.display_name.trim();
        if name.is_empty() {
            return Err(StoreError::Conflict(
                "a tenant needs a name: pass --tenant NAME".to_owned(),
            ));
        }
        let mut existing: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM tenants WHERE workspace_id = ? AND (display_name = ? COLLATE NOCASE OR id = ?) ORDER BY id",
        )
        .bind(self.workspace().to_string())
        .bind(name)
        .bind(name)
        .fetch_all(&mut *conn)
        .await?;
        if existing.len() > 1 {
            return Err(ambiguous_name(name, existing));
        }
        if let Some(id) = existing.pop() {
            return Ok((TenantId::from_str(&id).map_err(StoreError::corrupt)?, false));
        }
        let id = TenantId::new();
        let now = timestamp(Utc::now());
        let tags = serde_json::to_string(&profile.tags).map_err(StoreError::corrupt)?;
        sqlx::query(
            "INSERT INTO tenants (id, workspace_id, display_name, entra_tenant_id, primary_domain, tags, is_demo, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(self.workspace().to_string())
        .bind(name)
        .bind(&profile.entra_tenant_id)
        .bind(&profile.primary_domain)
        .bind(tags)
        .bind(profile.is_demo)
        .bind(&now)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
        audit::append(
            conn,
            self.writer(),
            AuditRecord {
                tenant: Some(id),
                action: "tenant.create",
                target: format!("tenant/{id}"),
                summary: serde_json::json!({
                    "name": name,
                    "primary_domain": profile.primary_domain,
                    "is_demo": profile.is_demo,
                }),
            },
        )
        .await?;
        Ok((id, true))
    }
}

fn summary_from_row(row: &SqliteRow) -> Result<TenantSummary, StoreError> {
    let id: String = row.try_get("id")?;
    let tags: String = row.try_get("tags")?;
    let last: Option<String> = row.try_get("taken_at")?;
    let failed: Option<String> = row.try_get("failed_kinds")?;
    let mut failed_kinds: Vec<String> = failed
        .map(|f| f.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    failed_kinds.sort();
    Ok(TenantSummary {
        id: TenantId::from_str(&id).map_err(StoreError::corrupt)?,
        name: row.try_get("display_name")?,
        primary_domain: row.try_get("primary_domain")?,
        entra_tenant_id: row.try_get("entra_tenant_id")?,
        tags: serde_json::from_str(&tags).map_err(StoreError::corrupt)?,
        is_demo: row.try_get("is_demo")?,
        capture_count: u32::try_from(row.try_get::<i64, _>("capture_count")?).unwrap_or(u32::MAX),
        last_capture_at: last.as_deref().map(parse_timestamp).transpose()?,
        item_count: u32::try_from(row.try_get::<i64, _>("item_count")?).unwrap_or(u32::MAX),
        failed_kinds,
    })
}

/// Two or more tenants have this name: say which ids to use instead.
fn ambiguous_name(name: &str, ids: impl IntoIterator<Item = String>) -> StoreError {
    let ids: Vec<String> = ids.into_iter().collect();
    StoreError::Conflict(format!(
        "{} tenants are named {name:?} (added on different devices): name one by its id ({})",
        ids.len(),
        ids.join(", ")
    ))
}

/// At most this many tags per tenant, each at most this many characters.
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 40;

/// Tags as stored: trimmed, empty ones and repeats (ignoring case) dropped.
fn clean_tags(tags: &[String]) -> Result<Vec<String>, StoreError> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.trim();
        if tag.is_empty() || out.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
            continue;
        }
        if tag.chars().count() > MAX_TAG_CHARS {
            return Err(StoreError::Invalid(format!(
                "the tag \"{tag}\" is longer than {MAX_TAG_CHARS} characters: shorten it"
            )));
        }
        out.push(tag.to_owned());
    }
    if out.len() > MAX_TAGS {
        return Err(StoreError::Invalid(format!(
            "{} tags are more than the {MAX_TAGS} a tenant can have: keep the ones you filter by",
            out.len()
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tag_tests {
    use super::*;

    #[test]
    fn tags_are_trimmed_deduplicated_and_bounded() {
        let tags: Vec<String> = [" Gold ", "gold", "", "EU", "Pilot", "Ärzte", "ärzte"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(
            clean_tags(&tags).expect("valid tags"),
            ["Gold", "EU", "Pilot", "Ärzte"]
        );
        assert!(clean_tags(&["x".repeat(41)]).is_err());
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        assert!(clean_tags(&many).is_err());
    }
}

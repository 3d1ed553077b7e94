//! Workspace settings (report branding, default report language) and tenant
//! connections: reads, and the writes `crate::settings` makes after checking the values.
//! Each write is one transaction with its audit event; no secret ever reaches this file.

use std::str::FromStr;

use chrono::Utc;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::{blob_hash, timestamp, Store, StoreError};
use crate::audit::{self, AuditRecord};
use crate::model::TenantId;
use crate::settings::{
    LogoChange, ReportLanguage, ReportSettings, StoredLogo, TenantConnection, ValidBranding,
    DEFAULT_ACCENT_COLOUR,
};

const CONNECTION_SELECT: &str = "
    SELECT t.id, t.display_name, t.entra_tenant_id,
           c.graph_app_id, c.keychain_account, c.secret_set_at
    FROM tenants t
    LEFT JOIN tenant_connections c ON c.tenant_id = t.id
    WHERE t.workspace_id = ?";

impl Store {
    /// The workspace's report settings, or the defaults when they were never saved.
    pub async fn report_settings(&self) -> Result<ReportSettings, StoreError> {
        let row = sqlx::query(
            "SELECT msp_name, accent_colour, logo_png, logo_sha256, logo_source, report_language, updated_at
             FROM workspace_settings WHERE workspace_id = ?",
        )
        .bind(self.workspace().to_string())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(ReportSettings::default());
        };
        let language: String = row.try_get("report_language")?;
        let png: Option<Vec<u8>> = row.try_get("logo_png")?;
        let logo = match png {
            Some(png) => Some(StoredLogo {
                png,
                sha256: row
                    .try_get::<Option<String>, _>("logo_sha256")?
                    .unwrap_or_default(),
                source: row
                    .try_get::<Option<String>, _>("logo_source")?
                    .unwrap_or_default(),
            }),
            None => None,
        };
        Ok(ReportSettings {
            msp_name: row.try_get("msp_name")?,
            accent_colour: row.try_get("accent_colour")?,
            logo,
            language: ReportLanguage::parse(&language).ok_or_else(|| {
                StoreError::corrupt(format!("unknown report language {language:?}"))
            })?,
            updated_at: Some(row.try_get("updated_at")?),
        })
    }

    /// Writes checked branding (see `crate::settings::save_branding`).
    pub(crate) async fn write_branding(&self, branding: &ValidBranding) -> Result<(), StoreError> {
        let now = timestamp(Utc::now());
        let workspace = self.workspace().to_string();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO workspace_settings (workspace_id, msp_name, accent_colour, updated_at)
             VALUES (?, ?, ?, ?)
             ON CONFLICT (workspace_id) DO UPDATE SET
                 msp_name = excluded.msp_name,
                 accent_colour = excluded.accent_colour,
                 updated_at = excluded.updated_at",
        )
        .bind(&workspace)
        .bind(&branding.msp_name)
        .bind(&branding.accent_colour)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        let logo = match &branding.logo {
            LogoChange::Keep => serde_json::json!("kept"),
            LogoChange::Remove => {
                sqlx::query(
                    "UPDATE workspace_settings SET logo_png = NULL, logo_sha256 = NULL, logo_source = NULL
                     WHERE workspace_id = ?",
                )
                .bind(&workspace)
                .execute(&mut *tx)
                .await?;
                serde_json::json!("removed")
            }
            LogoChange::Replace { png, source } => {
                let sha256 = blob_hash(png);
                sqlx::query(
                    "UPDATE workspace_settings SET logo_png = ?, logo_sha256 = ?, logo_source = ?
                     WHERE workspace_id = ?",
                )
                .bind(png.as_slice())
                .bind(&sha256)
                .bind(source)
                .bind(&workspace)
                .execute(&mut *tx)
                .await?;
                serde_json::json!({ "sha256": sha256, "bytes": png.len(), "source": source })
            }
        };
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "settings.branding.update",
                target: format!("workspace/{workspace}/settings"),
                summary: serde_json::json!({
                    "msp_name": branding.msp_name,
                    "accent_colour": branding.accent_colour,
                    "logo": logo,
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes the default report language.
    pub(crate) async fn write_report_language(
        &self,
        language: ReportLanguage,
    ) -> Result<(), StoreError> {
        let now = timestamp(Utc::now());
        let workspace = self.workspace().to_string();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO workspace_settings (workspace_id, accent_colour, report_language, updated_at)
             VALUES (?, ?, ?, ?)
             ON CONFLICT (workspace_id) DO UPDATE SET
                 report_language = excluded.report_language,
                 updated_at = excluded.updated_at",
        )
        .bind(&workspace)
        .bind(DEFAULT_ACCENT_COLOUR)
        .bind(language.code())
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "settings.report_language.update",
                target: format!("workspace/{workspace}/settings"),
                summary: serde_json::json!({ "report_language": language.code() }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every tenant of the workspace with its Graph connection, by name.
    pub async fn tenant_connections(&self) -> Result<Vec<TenantConnection>, StoreError> {
        let sql = format!("{CONNECTION_SELECT} ORDER BY t.display_name COLLATE NOCASE, t.id");
        sqlx::query(&sql)
            .bind(self.workspace().to_string())
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(connection_from_row)
            .collect()
    }

    /// One tenant's Graph connection.
    pub async fn tenant_connection(
        &self,
        tenant: TenantId,
    ) -> Result<TenantConnection, StoreError> {
        let sql = format!("{CONNECTION_SELECT} AND t.id = ?");
        let row = sqlx::query(&sql)
            .bind(self.workspace().to_string())
            .bind(tenant.to_string())
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "tenant",
                name: tenant.to_string(),
            })?;
        connection_from_row(&row)
    }

    /// Writes a tenant's checked Entra tenant id and Graph application id. An Entra tenant
    /// id already given to another tenant is refused: each customer tenant is one
    /// directory.
    pub(crate) async fn write_tenant_connection(
        &self,
        tenant: TenantId,
        entra_tenant_id: Option<&str>,
        graph_app_id: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        if let Some(entra) = entra_tenant_id {
            let other: Option<String> = sqlx::query_scalar(
                "SELECT display_name FROM tenants
                 WHERE workspace_id = ? AND lower(entra_tenant_id) = ? AND id <> ?",
            )
            .bind(self.workspace().to_string())
            .bind(entra)
            .bind(tenant.to_string())
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(other) = other {
                return Err(StoreError::Conflict(format!(
                    "{other} already has the Entra tenant id {entra}: each customer tenant has its \
                     own; check which tenant this id belongs to"
                )));
            }
        }
        let updated = sqlx::query(
            "UPDATE tenants SET entra_tenant_id = ?, updated_at = ? WHERE id = ? AND workspace_id = ?",
        )
        .bind(entra_tenant_id)
        .bind(&now)
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
        sqlx::query(
            "INSERT INTO tenant_connections (tenant_id, graph_app_id, updated_at) VALUES (?, ?, ?)
             ON CONFLICT (tenant_id) DO UPDATE SET
                 graph_app_id = excluded.graph_app_id,
                 updated_at = excluded.updated_at",
        )
        .bind(tenant.to_string())
        .bind(graph_app_id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: Some(tenant),
                action: "tenant.connection.update",
                target: format!("tenant/{tenant}"),
                summary: serde_json::json!({
                    "entra_tenant_id": entra_tenant_id,
                    "graph_app_id": graph_app_id,
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that a tenant's client secret was stored in the keychain under `account`
    /// (`replaced` when one was there before), or with `None` that it was removed. The
    /// audit event names the keychain account, never the secret.
    pub(crate) async fn write_client_secret_record(
        &self,
        tenant: TenantId,
        account: Option<&str>,
        replaced: bool,
    ) -> Result<(), StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let set_at = account.map(|_| now.clone());
        sqlx::query(
            "INSERT INTO tenant_connections (tenant_id, keychain_account, secret_set_at, updated_at)
             VALUES (?, ?, ?, ?)
             ON CONFLICT (tenant_id) DO UPDATE SET
                 keychain_account = excluded.keychain_account,
                 secret_set_at = excluded.secret_set_at,
                 updated_at = excluded.updated_at",
        )
        .bind(tenant.to_string())
        .bind(account)
        .bind(&set_at)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        let (action, summary) = match account {
            Some(account) => (
                "tenant.secret.set",
                serde_json::json!({ "keychain_account": account, "replaced": replaced }),
            ),
            None => ("tenant.secret.remove", serde_json::json!({})),
        };
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: Some(tenant),
                action,
                target: format!("tenant/{tenant}/graph-client-secret"),
                summary,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn connection_from_row(row: &SqliteRow) -> Result<TenantConnection, StoreError> {
    let id: String = row.try_get("id")?;
    Ok(TenantConnection {
        tenant_id: TenantId::from_str(&id).map_err(StoreError::corrupt)?,
        tenant_name: row.try_get("display_name")?,
        entra_tenant_id: row.try_get("entra_tenant_id")?,
        graph_app_id: row.try_get("graph_app_id")?,
        keychain_account: row.try_get("keychain_account")?,
        secret_set_at: row.try_get("secret_set_at")?,
    })
}

//! The workspace's Plumbline server connection (`crate::sync::connection` decides what to
//! record): one row per workspace, written with its audit event in one transaction. The
//! device token never reaches this file; the row names its keychain account.

use chrono::Utc;
use sqlx::Row;

use super::{timestamp, Store, StoreError};
use crate::audit::{self, AuditRecord};
use crate::sync::api::{ServerInfo, WorkspaceRole};
use crate::sync::connection::{StoredConnection, StoredStatus};

impl Store {
    /// The workspace's server connection, or `None` before the first sign-in.
    pub async fn server_connection(&self) -> Result<Option<StoredConnection>, StoreError> {
        let row = sqlx::query(
            "SELECT url, status, user_id, user_email, user_name, device_id, device_name,
                    keychain_account, workspaces, server_name, server_version, server_api,
                    signed_in_at, checked_at, problem
             FROM server_connections WHERE workspace_id = ?",
        )
        .bind(self.workspace().to_string())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let status: String = row.try_get("status")?;
        let workspaces: String = row.try_get("workspaces")?;
        let server_name: Option<String> = row.try_get("server_name")?;
        let server_version: Option<String> = row.try_get("server_version")?;
        let server_api: Option<i64> = row.try_get("server_api")?;
        let server = match (server_name, server_version, server_api) {
            (Some(name), Some(version), Some(api)) => Some(ServerInfo {
                name,
                version,
                api: u32::try_from(api)
                    .map_err(|_| StoreError::corrupt(format!("server API version {api}")))?,
            }),
            _ => None,
        };
        Ok(Some(StoredConnection {
            url: row.try_get("url")?,
            status: StoredStatus::parse(&status).ok_or_else(|| {
                StoreError::corrupt(format!("unknown server connection status {status:?}"))
            })?,
            user_id: row.try_get("user_id")?,
            user_email: row.try_get("user_email")?,
            user_name: row.try_get("user_name")?,
            device_id: row.try_get("device_id")?,
            device_name: row.try_get("device_name")?,
            keychain_account: row.try_get("keychain_account")?,
            workspaces: serde_json::from_str::<Vec<WorkspaceRole>>(&workspaces)
                .map_err(|e| StoreError::corrupt(format!("server workspaces: {e}")))?,
            server,
            signed_in_at: row.try_get("signed_in_at")?,
            checked_at: row.try_get("checked_at")?,
            problem: row.try_get("problem")?,
        }))
    }

    /// Records the connection as `connection` says, with the audit event `action` whose
    /// summary the caller wrote (and keeps free of secrets).
    pub(crate) async fn write_server_connection(
        &self,
        connection: &StoredConnection,
        action: &str,
        summary: serde_json::Value,
    ) -> Result<(), StoreError> {
        let now = timestamp(Utc::now());
        let workspace = self.workspace().to_string();
        let workspaces = serde_json::to_string(&connection.workspaces)
            .map_err(|e| StoreError::Invalid(format!("server workspaces: {e}")))?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO server_connections (
                 workspace_id, url, status, user_id, user_email, user_name, device_id, device_name,
                 keychain_account, workspaces, server_name, server_version, server_api,
                 signed_in_at, checked_at, problem, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (workspace_id) DO UPDATE SET
                 url = excluded.url,
                 status = excluded.status,
                 user_id = excluded.user_id,
                 user_email = excluded.user_email,
                 user_name = excluded.user_name,
                 device_id = excluded.device_id,
                 device_name = excluded.device_name,
                 keychain_account = excluded.keychain_account,
                 workspaces = excluded.workspaces,
                 server_name = excluded.server_name,
                 server_version = excluded.server_version,
                 server_api = excluded.server_api,
                 signed_in_at = excluded.signed_in_at,
                 checked_at = excluded.checked_at,
                 problem = excluded.problem,
                 updated_at = excluded.updated_at",
        )
        .bind(&workspace)
        .bind(&connection.url)
        .bind(connection.status.code())
        .bind(&connection.user_id)
        .bind(&connection.user_email)
        .bind(&connection.user_name)
        .bind(&connection.device_id)
        .bind(&connection.device_name)
        .bind(&connection.keychain_account)
        .bind(&workspaces)
        .bind(connection.server.as_ref().map(|s| s.name.as_str()))
        .bind(connection.server.as_ref().map(|s| s.version.as_str()))
        .bind(connection.server.as_ref().map(|s| i64::from(s.api)))
        .bind(&connection.signed_in_at)
        .bind(&connection.checked_at)
        .bind(&connection.problem)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action,
                target: format!("workspace/{workspace}/server"),
                summary,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

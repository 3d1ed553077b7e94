//! Tenant connections: each tenant's Entra tenant id, the Graph app registration's
//! application (client) id, and its client secret. The secret crosses this boundary
//! once, inbound, into the keychain; no command ever returns it.

use plumbline_core::model::TenantId;
use plumbline_core::settings::{self as core_settings, TenantConnection};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::error::CommandError;
use crate::state::AppState;

/// One tenant's connection as the UI shows it: ids, and *when* a secret was stored.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TenantConnectionView {
    pub tenant_id: String,
    pub tenant_name: String,
    pub entra_tenant_id: Option<String>,
    pub graph_app_id: Option<String>,
    /// RFC 3339, UTC; `None` when no client secret is stored.
    pub secret_set_at: Option<String>,
}

/// Every tenant's connection, and where secrets are kept.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TenantConnections {
    /// The keychain client secrets go to ("Secret Service", "macOS Keychain", …).
    pub keychain: String,
    pub tenants: Vec<TenantConnectionView>,
}

/// The ids of one tenant's connection; an empty or missing id clears it.
#[derive(Clone, Debug, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SaveConnectionRequest {
    pub tenant_id: String,
    pub entra_tenant_id: Option<String>,
    pub graph_app_id: Option<String>,
}

fn view(connection: TenantConnection) -> TenantConnectionView {
    TenantConnectionView {
        tenant_id: connection.tenant_id.to_string(),
        tenant_name: connection.tenant_name,
        entra_tenant_id: connection.entra_tenant_id,
        graph_app_id: connection.graph_app_id,
        secret_set_at: connection.secret_set_at,
    }
}

async fn find_tenant(state: &AppState, tenant: &str) -> Result<TenantId, CommandError> {
    Ok(state.store()?.tenant(tenant).await?.id)
}

#[tauri::command]
#[specta::specta]
pub async fn tenant_connections(
    state: State<'_, AppState>,
) -> Result<TenantConnections, CommandError> {
    let tenants = state.store()?.tenant_connections().await?;
    Ok(TenantConnections {
        keychain: state.keychain().describe(),
        tenants: tenants.into_iter().map(view).collect(),
    })
}

#[tauri::command]
#[specta::specta]
pub async fn save_tenant_connection(
    state: State<'_, AppState>,
    request: SaveConnectionRequest,
) -> Result<TenantConnectionView, CommandError> {
    let tenant = find_tenant(&state, &request.tenant_id).await?;
    let saved = core_settings::save_tenant_connection(
        state.store()?,
        state.keychain().as_ref(),
        tenant,
        request.entra_tenant_id.as_deref(),
        request.graph_app_id.as_deref(),
    )
    .await?;
    Ok(view(saved))
}

/// Stores (or replaces) the tenant's client secret in the keychain.
#[tauri::command]
#[specta::specta]
pub async fn set_tenant_secret(
    state: State<'_, AppState>,
    tenant_id: String,
    secret: String,
) -> Result<TenantConnectionView, CommandError> {
    let tenant = find_tenant(&state, &tenant_id).await?;
    let saved = core_settings::set_client_secret(
        state.store()?,
        state.keychain().as_ref(),
        tenant,
        &secret,
    )
    .await?;
    Ok(view(saved))
}

/// Removes the tenant's client secret from the keychain.
#[tauri::command]
#[specta::specta]
pub async fn remove_tenant_secret(
    state: State<'_, AppState>,
    tenant_id: String,
) -> Result<TenantConnectionView, CommandError> {
    let tenant = find_tenant(&state, &tenant_id).await?;
    let saved =
        core_settings::remove_client_secret(state.store()?, state.keychain().as_ref(), tenant)
            .await?;
    Ok(view(saved))
}

//! The commands the UI calls. Each is a few lines over `plumbline-core`; types crossing
//! the boundary are DTOs exported to TypeScript with tauri-specta.

use serde::Serialize;
use specta::Type;
use tauri::State;

use crate::error::CommandError;
use crate::state::AppState;

/// About this installation, for the shell and the demo banner.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub db_path: String,
    /// True when any tenant in the portfolio is demo data.
    pub is_demo_data: bool,
    /// True when this start created the demo portfolio (the database was empty).
    pub demo_created_now: bool,
}

/// One row of the Portfolio page.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TenantRow {
    pub id: String,
    pub name: String,
    pub primary_domain: Option<String>,
    pub entra_tenant_id: Option<String>,
    pub tags: Vec<String>,
    pub is_demo: bool,
    pub capture_count: u32,
    /// RFC 3339, UTC.
    pub last_capture_at: Option<String>,
    pub item_count: u32,
    pub failed_kinds: Vec<String>,
}

#[tauri::command]
#[specta::specta]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, CommandError> {
    let store = state.store()?;
    let tenants = store.list_tenants().await?;
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        db_path: state.db_path().display().to_string(),
        is_demo_data: tenants.iter().any(|t| t.is_demo),
        demo_created_now: state.demo_created_now(),
    })
}

#[tauri::command]
#[specta::specta]
pub async fn list_tenants(state: State<'_, AppState>) -> Result<Vec<TenantRow>, CommandError> {
    let tenants = state.store()?.list_tenants().await?;
    Ok(tenants.into_iter().map(tenant_row).collect())
}

pub fn tenant_row(t: plumbline_core::model::TenantSummary) -> TenantRow {
    TenantRow {
        id: t.id.to_string(),
        name: t.name,
        primary_domain: t.primary_domain,
        entra_tenant_id: t.entra_tenant_id,
        tags: t.tags,
        is_demo: t.is_demo,
        capture_count: t.capture_count,
        last_capture_at: t.last_capture_at.map(plumbline_core::store::timestamp),
        item_count: t.item_count,
        failed_kinds: t.failed_kinds,
    }
}

/// Startup, as the app measured it: milliseconds from the process start to the first
/// page showing its data (`None` until the UI said so).
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StartupTiming {
    pub interactive_ms: Option<u32>,
}

fn timing(state: &AppState) -> StartupTiming {
    StartupTiming {
        interactive_ms: state
            .interactive_after()
            .map(|d| u32::try_from(d.as_millis()).unwrap_or(u32::MAX)),
    }
}

/// The UI calls this once its first page shows data; the first call counts.
#[tauri::command]
#[specta::specta]
pub async fn report_interactive(state: State<'_, AppState>) -> Result<StartupTiming, CommandError> {
    state.mark_interactive();
    Ok(timing(&state))
}

/// How long the app took to become interactive (for benchmarks and diagnostics).
#[tauri::command]
#[specta::specta]
pub async fn startup_timing(state: State<'_, AppState>) -> Result<StartupTiming, CommandError> {
    Ok(timing(&state))
}

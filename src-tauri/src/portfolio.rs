//! The Portfolio page's command: a few lines over `Store::portfolio_overview`.

use chrono::Utc;
use plumbline_core::store::PortfolioOverview;
use tauri::State;

use crate::error::CommandError;
use crate::state::AppState;

/// Every tenant with its score and trend, open findings by severity and category, last
/// capture and baselines; the tenant × category matrix's columns.
#[tauri::command]
#[specta::specta]
pub async fn portfolio_overview(
    state: State<'_, AppState>,
) -> Result<PortfolioOverview, CommandError> {
    Ok(state.store()?.portfolio_overview(Utc::now()).await?)
}

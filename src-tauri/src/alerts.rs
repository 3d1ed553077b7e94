//! The alerts inbox: list, acknowledge and snooze (a few lines each over the store).

use chrono::{DateTime, TimeDelta, Utc};
use plumbline_core::store::{AlertRow, AlertView};
use tauri::State;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

/// Alerts in one view of the inbox, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_alerts(
    state: State<'_, AppState>,
    view: AlertView,
) -> Result<Vec<AlertRow>, CommandError> {
    Ok(state.store()?.list_alerts(view).await?)
}

/// How many alerts are open (the inbox badge).
#[tauri::command]
#[specta::specta]
pub async fn open_alert_count(state: State<'_, AppState>) -> Result<u32, CommandError> {
    Ok(state.store()?.open_alert_count().await?)
}

/// Acknowledges alerts; returns how many changed.
#[tauri::command]
#[specta::specta]
pub async fn acknowledge_alerts(
    state: State<'_, AppState>,
    ids: Vec<String>,
) -> Result<u32, CommandError> {
    Ok(state.store()?.acknowledge_alerts(&ids).await?)
}

/// Snoozes alerts for `hours`, or until `until` (RFC 3339); returns how many changed.
#[tauri::command]
#[specta::specta]
pub async fn snooze_alerts(
    state: State<'_, AppState>,
    ids: Vec<String>,
    hours: Option<u32>,
    until: Option<String>,
) -> Result<u32, CommandError> {
    let until = match (hours, until.as_deref().map(str::trim)) {
        (_, Some(text)) if !text.is_empty() => DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                CommandError::new(
                    ErrorCode::InvalidInput,
                    format!("“{text}” is not a time: pick a date and time in the future."),
                )
            })?,
        (Some(hours), _) if hours > 0 => TimeDelta::try_hours(i64::from(hours))
            .and_then(|span| Utc::now().checked_add_signed(span))
            .ok_or_else(|| {
                CommandError::new(
                    ErrorCode::InvalidInput,
                    format!("{hours} hours is too long a snooze: choose a date instead."),
                )
            })?,
        _ => {
            return Err(CommandError::new(
                ErrorCode::InvalidInput,
                "Say how long to snooze: a number of hours or a time.",
            ))
        }
    };
    Ok(state.store()?.snooze_alerts(&ids, until).await?)
}

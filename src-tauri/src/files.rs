//! The system's file and folder pickers: the UI never asks for a typed path.
//!
//! The dialogs are GTK's (or the platform's) through tauri-plugin-dialog, opened from a
//! blocking thread as the plugin requires; `None` when the person cancels. The picker is
//! handed to the state when the window system starts ([`DialogPicker`]), so the commands
//! stay independent of the runtime (the IPC tests run without one).

use std::path::PathBuf;

use serde::Deserialize;
use specta::Type;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

/// What to pick.
#[derive(Clone, Copy, Debug, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum PickKind {
    /// A folder (an export, a baseline folder).
    Folder,
    /// A PNG image (the report logo).
    PngImage,
}

/// Something that asks a person for a path.
pub trait PathPicker: Send + Sync {
    /// Blocks until the person chose (`Some`) or cancelled (`None`).
    fn pick(&self, kind: PickKind, title: &str) -> Option<PathBuf>;
}

/// The platform's dialogs through tauri-plugin-dialog.
pub struct DialogPicker<R: tauri::Runtime>(pub AppHandle<R>);

impl<R: tauri::Runtime> PathPicker for DialogPicker<R> {
    fn pick(&self, kind: PickKind, title: &str) -> Option<PathBuf> {
        let dialog = self.0.dialog().file().set_title(title);
        let picked = match kind {
            PickKind::Folder => dialog.blocking_pick_folder(),
            PickKind::PngImage => dialog
                .add_filter("PNG image", &["png", "PNG"])
                .blocking_pick_file(),
        };
        picked.and_then(|path| path.into_path().ok())
    }
}

/// Opens the system's picker; the chosen path, or `None` when cancelled.
#[tauri::command]
#[specta::specta]
pub async fn choose_path(
    state: State<'_, AppState>,
    kind: PickKind,
    title: String,
) -> Result<Option<String>, CommandError> {
    let picker = state.picker().ok_or_else(|| {
        CommandError::new(
            ErrorCode::Internal,
            "No file picker is available in this session.",
        )
    })?;
    let picked = tauri::async_runtime::spawn_blocking(move || picker.pick(kind, &title))
        .await
        .map_err(|e| CommandError::new(ErrorCode::Internal, format!("the picker failed: {e}")))?;
    Ok(picked.map(|p| p.display().to_string()))
}

//! Importing a tenant's configuration export from a folder, in the background.

use std::path::PathBuf;

use plumbline_core::capture::{import_folder, CaptureError, FolderImport};
use plumbline_core::connectors::import::{BadFilePolicy, ImportOptions};
use serde::Deserialize;
use specta::Type;
use tauri::State;

use crate::error::{CommandError, ErrorCode};
use crate::jobs::{Done, Job, JobKind, JobResult};
use crate::state::AppState;

/// What to import.
#[derive(Clone, Debug, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportRequest {
    /// The tenant's name (created when no tenant has it) — or an existing tenant's id.
    pub tenant: String,
    /// The export folder (IntuneManagement layout or plain Graph JSON files).
    pub folder: String,
    /// Skip malformed files and list them, instead of importing nothing.
    pub skip_bad_files: bool,
}

impl From<CaptureError> for CommandError {
    fn from(error: CaptureError) -> Self {
        match error {
            CaptureError::Store(store) => store.into(),
            CaptureError::Import(import) => {
                CommandError::new(ErrorCode::InvalidInput, import.to_string())
            }
            CaptureError::Worker(message) => CommandError::new(ErrorCode::Internal, message),
        }
    }
}

/// Imports a folder as a new capture in the background; the job's result names the
/// capture. All or nothing: a bad file aborts it unless `skip_bad_files`.
#[tauri::command]
#[specta::specta]
pub async fn import_capture(
    state: State<'_, AppState>,
    request: ImportRequest,
) -> Result<Job, CommandError> {
    let store = state.store()?.clone();
    let named = request.tenant.trim();
    if named.is_empty() {
        return Err(CommandError::new(
            ErrorCode::InvalidInput,
            "Name the tenant the export belongs to.",
        ));
    }
    let folder = PathBuf::from(request.folder.trim());
    if !folder.is_dir() {
        return Err(CommandError::new(
            ErrorCode::InvalidInput,
            format!(
                "{} is not a folder: choose the folder the export was saved to.",
                folder.display()
            ),
        ));
    }
    // An existing tenant by id or name keeps its name; anything else is a new tenant.
    let existing = store.find_tenant(named).await?;
    let tenant_name = existing
        .as_ref()
        .map_or(named.to_owned(), |t| t.name.clone());
    let import = FolderImport {
        tenant: tenant_name.clone(),
        primary_domain: None,
        dir: folder.clone(),
        options: ImportOptions {
            on_bad_file: if request.skip_bad_files {
                BadFilePolicy::Skip
            } else {
                BadFilePolicy::Abort
            },
            ..ImportOptions::default()
        },
        taken_at: None,
    };
    state.jobs().start(
        JobKind::Import,
        format!("Import into {tenant_name}"),
        existing.as_ref().map(|t| t.id.to_string()),
        format!("import:{}", tenant_name.to_lowercase()),
        "An import into this tenant is already running: wait for it to finish.",
        move |progress| async move {
            progress.set(&format!("Reading {}", folder.display()), None);
            let imported = import_folder(&store, &import).await?;
            let items = u32::try_from(imported.report.content.items.len()).unwrap_or(u32::MAX);
            let skipped: Vec<String> = imported
                .report
                .skipped
                .iter()
                .map(|s| format!("{}: {}", s.path, s.reason))
                .collect();
            let summary = format!(
                "{items} items from {} files imported into {}{}{}",
                imported.report.files_read,
                import.tenant,
                if imported.tenant_created {
                    " (new tenant)"
                } else {
                    ""
                },
                if skipped.is_empty() {
                    ".".to_owned()
                } else {
                    format!("; {} bad files skipped.", skipped.len())
                }
            );
            Ok(Done {
                result: JobResult::Import {
                    tenant_id: imported.tenant_id.to_string(),
                    tenant: import.tenant.clone(),
                    capture_id: imported.capture_id.to_string(),
                    items,
                    tenant_created: imported.tenant_created,
                    skipped,
                },
                summary,
            })
        },
    )
}

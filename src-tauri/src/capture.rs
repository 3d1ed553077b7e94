//! Importing a tenant's configuration export from a folder, in the background.

use std::path::PathBuf;

use plumbline_core::capture::{import_folder, preview_folder, CaptureError, FolderImport};
use plumbline_core::connectors::import::{BadFilePolicy, FileOutcome, ImportOptions};
use serde::{Deserialize, Serialize};
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
            CaptureError::NotConnected(message) => {
                CommandError::new(ErrorCode::InvalidInput, message)
            }
            CaptureError::Keychain(error) => {
                CommandError::new(ErrorCode::Internal, format!("OS keychain: {error}"))
            }
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

/// A folder to preview before importing it.
#[derive(Clone, Debug, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PreviewImportRequest {
    /// The tenant the export is for (name or id), when known: its Entra tenant id reads
    /// as IntuneManagement's `%OrganizationId%`, as in the import.
    pub tenant: Option<String>,
    pub folder: String,
}

/// What an import of a folder would take in, file by file. Nothing is written.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    pub folder: String,
    /// Policies that would be imported.
    pub items: u32,
    pub directory_objects: u32,
    pub by_kind: Vec<KindCount>,
    /// The exporters' layouts recognised, with how many files each.
    pub formats: Vec<String>,
    /// Files that cannot be read (bad JSON or YAML): the import skips them only when
    /// asked to, else it stops.
    pub unreadable: u32,
    /// Files that are no policy (scripts, payloads, reports, READMEs).
    pub not_policies: u32,
    pub files: Vec<PreviewFile>,
}

/// Policies of one kind in a preview.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KindCount {
    pub kind: String,
    pub label: String,
    pub count: u32,
}

/// One file of a preview.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PreviewFile {
    pub path: String,
    /// policies, directory, companion, not_a_policy or unreadable.
    pub outcome: String,
    /// What the file holds and how it was recognised, in a sentence.
    pub summary: String,
    pub notes: Vec<String>,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Reads a folder as the import would (bad files listed, not fatal) and says what it
/// found; writes nothing.
#[tauri::command]
#[specta::specta]
pub async fn preview_import(
    state: State<'_, AppState>,
    request: PreviewImportRequest,
) -> Result<ImportPreview, CommandError> {
    let store = state.store()?.clone();
    let folder = PathBuf::from(request.folder.trim());
    if request.folder.trim().is_empty() || !folder.is_dir() {
        return Err(CommandError::new(
            ErrorCode::InvalidInput,
            format!(
                "{} is not a folder: choose the folder the export was saved to.",
                folder.display()
            ),
        ));
    }
    let options = ImportOptions {
        on_bad_file: BadFilePolicy::Skip,
        ..ImportOptions::default()
    };
    let report = preview_folder(&store, request.tenant.as_deref(), &folder, &options).await?;
    let label = plumbline_core::kinds::label;
    let files: Vec<PreviewFile> = report
        .files
        .iter()
        .map(|file| {
            let (outcome, summary) = match &file.outcome {
                FileOutcome::Policies { items } => (
                    "policies",
                    items
                        .iter()
                        .map(|i| format!("{} \"{}\", by {}", label(&i.kind), i.name, i.how))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                FileOutcome::Directory { objects } => (
                    "directory",
                    format!("{objects} directory objects (groups, filters, …) to resolve ids"),
                ),
                FileOutcome::Companion { policy, what } => {
                    ("companion", format!("{what}: {policy}"))
                }
                FileOutcome::NotAPolicy { what } => {
                    ("not_a_policy", format!("not a policy: {what}"))
                }
                FileOutcome::Skipped { reason } => ("unreadable", reason.clone()),
            };
            PreviewFile {
                path: file.path.clone(),
                outcome: outcome.to_owned(),
                summary,
                notes: file.notes.clone(),
            }
        })
        .collect();
    let outcomes = |name: &str| count(files.iter().filter(|f| f.outcome == name).count());
    Ok(ImportPreview {
        folder: folder.display().to_string(),
        items: count(report.content.items.len()),
        directory_objects: count(report.content.directory_objects.len()),
        by_kind: report
            .content
            .kind_status
            .iter()
            .map(|(kind, status)| KindCount {
                kind: kind.clone(),
                label: label(kind).to_owned(),
                count: status.item_count,
            })
            .collect(),
        formats: report
            .formats()
            .iter()
            .map(|(format, n)| format!("{} ({n})", format.label()))
            .collect(),
        unreadable: outcomes("unreadable"),
        not_policies: outcomes("not_a_policy"),
        files,
    })
}

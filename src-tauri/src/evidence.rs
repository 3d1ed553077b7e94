//! The Evidence page's commands: create a signed pack in the background, list the packs
//! made here, and verify a pack file someone sent (a few lines each over
//! `plumbline_core::evidence`).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use plumbline_core::evidence::{
    create_pack, default_pack_file_name, verify_pack, EvidenceError, PackRequest,
};
use plumbline_reports::generate::generation_time;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::error::{CommandError, ErrorCode};
use crate::jobs::{Done, Job, JobKind, JobResult};
use crate::state::AppState;

fn invalid(message: impl Into<String>) -> CommandError {
    CommandError::new(ErrorCode::InvalidInput, message)
}

/// What an evidence failure means to the UI (one mapping for every command).
impl From<EvidenceError> for CommandError {
    fn from(error: EvidenceError) -> Self {
        let code = match error {
            EvidenceError::Store(store) => return store.into(),
            // The request or the path the person chose: they can change it.
            EvidenceError::BadRequest(_) | EvidenceError::Write { .. } => ErrorCode::InvalidInput,
            EvidenceError::KeyMissing { .. } => ErrorCode::Conflict,
            EvidenceError::Keychain(_) | EvidenceError::Io(_) => ErrorCode::Io,
            EvidenceError::Zip(_) => ErrorCode::Internal,
        };
        CommandError::new(code, error.to_string())
    }
}

/// What the Evidence page asks for.
#[derive(Clone, Debug, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CreatePackRequest {
    pub tenant_id: String,
    /// First day, YYYY-MM-DD (UTC, inclusive).
    pub from: String,
    /// Last day, YYYY-MM-DD (UTC, inclusive).
    pub to: String,
    pub redact: bool,
    pub include_reports: bool,
    /// Where to write the ZIP. Default: the `evidence` folder next to the database,
    /// named after the tenant and period. A relative path is taken inside that folder.
    pub output_path: Option<String>,
}

fn day(text: &str, label: &str) -> Result<NaiveDate, CommandError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        invalid(format!(
            "{label}: enter a day as YYYY-MM-DD (got “{text}”)."
        ))
    })
}

/// Builds a pack in the background: the job's result names the file and its SHA-256.
#[tauri::command]
#[specta::specta]
pub async fn create_evidence_pack(
    state: State<'_, AppState>,
    request: CreatePackRequest,
) -> Result<Job, CommandError> {
    let store = state.store()?.clone();
    let tenant = store.tenant(&request.tenant_id).await?;
    let pack = PackRequest {
        tenant: tenant.id.to_string(),
        from: day(&request.from, "From")?,
        to: day(&request.to, "To")?,
        redact: request.redact,
        include_reports: request.include_reports,
        created_at: generation_time().map_err(|e| invalid(e.to_string()))?,
    };
    if pack.to < pack.from {
        return Err(invalid(
            "The period ends before it starts: swap From and To.",
        ));
    }
    if pack.redact && pack.include_reports {
        return Err(invalid(
            "Reports are PDFs that Plumbline cannot redact: turn off either redaction or including reports.",
        ));
    }
    let default_dir = state.evidence_dir();
    let out = match request.output_path.as_deref().map(str::trim) {
        Some(path) if !path.is_empty() => {
            let path = Path::new(path);
            if path.is_absolute() {
                path.to_path_buf()
            } else {
                default_dir.join(path)
            }
        }
        _ => default_dir.join(default_pack_file_name(&tenant.name, &pack, pack.created_at)),
    };
    if out.file_name().is_none() || out.extension().is_none_or(|e| e != "zip") {
        return Err(invalid(format!(
            "{}: name a .zip file for the pack.",
            out.display()
        )));
    }
    if out.starts_with(&default_dir) {
        std::fs::create_dir_all(&default_dir).map_err(|e| {
            CommandError::new(
                ErrorCode::Io,
                format!("cannot create {}: {e}", default_dir.display()),
            )
        })?;
    }
    let keychain = state.keychain();
    let title = format!(
        "Evidence pack of {}, {} to {}",
        tenant.name, pack.from, pack.to
    );
    state.jobs().start(
        JobKind::EvidencePack,
        title,
        Some(tenant.id.to_string()),
        format!("pack:{}", out.display()),
        "A pack is already being written to that file: wait for it, or choose another name.",
        move |progress| async move {
            let created = create_pack(&store, keychain.as_ref(), &pack, &out, &mut |stage, f| {
                progress.set(stage, Some(f));
            })
            .await?;
            let manifest = &created.manifest;
            let summary = format!(
                "{} written: {} files, {} audit events, signed by key {}…",
                created.path.display(),
                manifest.files.len() + 3,
                manifest.audit.events,
                &manifest.signer.fingerprint[..16.min(manifest.signer.fingerprint.len())]
            );
            Ok(Done {
                result: JobResult::EvidencePack {
                    path: created.path.display().to_string(),
                    sha256: created.sha256.clone(),
                    size: created.size as f64,
                    fingerprint: manifest.signer.fingerprint.clone(),
                    files: u32::try_from(manifest.files.len() + 3).unwrap_or(u32::MAX),
                    audit_events: u32::try_from(manifest.audit.events).unwrap_or(u32::MAX),
                    omitted: manifest.omitted.clone(),
                },
                summary,
            })
        },
    )
}

/// A pack made on this machine.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct EvidencePackView {
    pub id: String,
    pub tenant_id: String,
    pub tenant: String,
    pub period_from: String,
    pub period_to: String,
    pub redacted: bool,
    pub include_reports: bool,
    pub created_at: String,
    pub sha256: String,
    pub size: f64,
    pub path: Option<String>,
    /// Whether the file is still where it was written.
    pub file_exists: bool,
}

/// Packs recorded in the database, newest first (one tenant's with `tenant_id`).
#[tauri::command]
#[specta::specta]
pub async fn list_evidence_packs(
    state: State<'_, AppState>,
    tenant_id: Option<String>,
) -> Result<Vec<EvidencePackView>, CommandError> {
    let store = state.store()?;
    let tenant = match tenant_id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => Some(store.tenant(id).await?.id),
        _ => None,
    };
    let rows = store.list_evidence_packs(tenant).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let flag = |name: &str| row.options.get(name).and_then(|v| v.as_bool()) == Some(true);
            EvidencePackView {
                redacted: flag("redact"),
                include_reports: flag("include_reports"),
                file_exists: row.path.as_deref().is_some_and(|p| Path::new(p).is_file()),
                id: row.id,
                tenant_id: row.tenant_id,
                tenant: row.tenant,
                period_from: row.period_from,
                period_to: row.period_to,
                created_at: row.created_at,
                sha256: row.sha256,
                size: row.size as f64,
                path: row.path,
            }
        })
        .collect())
}

/// What verifying a pack found.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PackVerdict {
    /// True only when every check passed.
    pub ok: bool,
    pub path: String,
    /// SHA-256 of the file, to compare with what the sender published.
    pub sha256: String,
    pub fingerprint: Option<String>,
    pub tenant: Option<String>,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    pub files_checked: u32,
    pub audit_events_checked: u32,
    pub passed: Vec<String>,
    /// Each names the file or event and what is wrong.
    pub failures: Vec<String>,
    /// Whether the signing key is one of this workspace's keys.
    pub signed_by_this_workspace: bool,
}

/// Verifies a pack file: every hash, the signature and the audit chain links. With
/// `trusted_fingerprint`, the signing key must be that one.
#[tauri::command]
#[specta::specta]
pub async fn verify_evidence_pack(
    state: State<'_, AppState>,
    path: String,
    trusted_fingerprint: Option<String>,
) -> Result<PackVerdict, CommandError> {
    let path = PathBuf::from(path.trim());
    if path.as_os_str().is_empty() {
        return Err(invalid("Enter the path of the pack's .zip file."));
    }
    let bytes = std::fs::read(&path).map_err(|e| {
        invalid(format!(
            "cannot read {}: {e}. Check the path and that the file is readable.",
            path.display()
        ))
    })?;
    let trusted = trusted_fingerprint
        .map(|f| f.trim().to_lowercase())
        .filter(|f| !f.is_empty());
    let sha256 = plumbline_core::store::blob_hash(&bytes);
    let verdict = tokio::task::spawn_blocking(move || verify_pack(&bytes, trusted.as_deref()))
        .await
        .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))?;
    let ours = match state.store() {
        Ok(store) => store
            .signing_keys()
            .await?
            .into_iter()
            .any(|k| Some(&k.fingerprint) == verdict.fingerprint.as_ref()),
        Err(_) => false,
    };
    let (period_from, period_to) = verdict.period.clone().unzip();
    Ok(PackVerdict {
        ok: verdict.ok,
        path: path.display().to_string(),
        sha256,
        fingerprint: verdict.fingerprint,
        tenant: verdict.tenant,
        period_from,
        period_to,
        files_checked: u32::try_from(verdict.files_checked).unwrap_or(u32::MAX),
        audit_events_checked: u32::try_from(verdict.audit_events_checked).unwrap_or(u32::MAX),
        passed: verdict.passed,
        failures: verdict.failures,
        signed_by_this_workspace: ours,
    })
}

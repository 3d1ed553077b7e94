//! Taking a capture in: read a folder with the import connector and record it as a new
//! capture of a tenant (created when it does not exist), in one transaction. Shared by
//! `plumbline import` and the desktop's import.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::connectors::import::{import_dir, ImportError, ImportOptions, ImportReport};
use crate::model::{CaptureId, CaptureSource, TenantId, TenantProfile};
use crate::store::{CaptureWrite, Store, StoreError};

/// What to import where.
#[derive(Clone, Debug)]
pub struct FolderImport {
    /// The tenant's display name (created when it does not exist).
    pub tenant: String,
    /// Recorded when the tenant is created.
    pub primary_domain: Option<String>,
    pub dir: PathBuf,
    pub options: ImportOptions,
    /// When the configuration was exported; default now.
    pub taken_at: Option<DateTime<Utc>>,
}

/// A recorded capture.
#[derive(Clone, Debug)]
pub struct ImportedCapture {
    pub tenant_id: TenantId,
    pub capture_id: CaptureId,
    pub tenant_created: bool,
    pub report: ImportReport,
}

/// Why a folder could not be taken in.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The folder could not be read as a capture (the message names the file).
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The capture could not be recorded.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The reading thread failed.
    #[error("the import stopped unexpectedly: {0}")]
    Worker(String),
}

/// Reads a folder as [`import_folder`] would, without writing anything: what each file
/// is and how it was recognised, for a preview. `tenant` (name or id), when it names an
/// existing tenant, lends its Entra tenant id as the import would.
pub async fn preview_folder(
    store: &Store,
    tenant: Option<&str>,
    dir: &Path,
    options: &ImportOptions,
) -> Result<ImportReport, CaptureError> {
    let options = with_organization(store, tenant, options).await?;
    let dir = dir.to_path_buf();
    Ok(
        tokio::task::spawn_blocking(move || import_dir(&dir, &options))
            .await
            .map_err(|e| CaptureError::Worker(e.to_string()))??,
    )
}

/// The options with the tenant's Entra tenant id, when the tenant exists and has one and
/// the caller gave none.
async fn with_organization(
    store: &Store,
    tenant: Option<&str>,
    options: &ImportOptions,
) -> Result<ImportOptions, CaptureError> {
    let mut options = options.clone();
    if options.organization_id.is_none() {
        if let Some(name) = tenant.map(str::trim).filter(|t| !t.is_empty()) {
            options.organization_id = store
                .find_tenant(name)
                .await?
                .and_then(|t| t.entra_tenant_id);
        }
    }
    Ok(options)
}

/// Reads `request.dir` (off the async threads) and records it as a new capture.
pub async fn import_folder(
    store: &Store,
    request: &FolderImport,
) -> Result<ImportedCapture, CaptureError> {
    let options = with_organization(store, Some(&request.tenant), &request.options).await?;
    let dir = request.dir.clone();
    let report = tokio::task::spawn_blocking(move || import_dir(&dir, &options))
        .await
        .map_err(|e| CaptureError::Worker(e.to_string()))??;
    let profile = TenantProfile {
        display_name: request.tenant.trim().to_owned(),
        primary_domain: request.primary_domain.clone(),
        ..TenantProfile::default()
    };
    let origin = std::fs::canonicalize(&request.dir)
        .unwrap_or_else(|_| request.dir.clone())
        .display()
        .to_string();
    let (tenant_id, capture_id, tenant_created) = store
        .record_capture(
            &profile,
            &CaptureWrite {
                source: CaptureSource::Import,
                taken_at: request.taken_at.unwrap_or_else(Utc::now),
                origin: Some(origin),
                content: &report.content,
            },
        )
        .await?;
    Ok(ImportedCapture {
        tenant_id,
        capture_id,
        tenant_created,
        report,
    })
}

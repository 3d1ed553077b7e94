//! Taking a capture in: read a folder with the import connector and record it as a new
//! capture of a tenant (created when it does not exist), in one transaction. Shared by
//! `plumbline import` and the desktop's import.

use std::path::PathBuf;

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

/// Reads `request.dir` (off the async threads) and records it as a new capture.
pub async fn import_folder(
    store: &Store,
    request: &FolderImport,
) -> Result<ImportedCapture, CaptureError> {
    let (dir, options) = (request.dir.clone(), request.options.clone());
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

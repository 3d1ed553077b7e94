//! Creating a pack end to end, as the CLI and the desktop app both do it: load the
//! workspace key, build, write the file atomically, record it with its audit event.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::keys::workspace_key;
use super::pack::{build_pack, slug, Manifest, PackRequest, Progress};
use super::EvidenceError;
use crate::keychain::Keychain;
use crate::store::{NewEvidencePack, Store};

/// A pack written to disk and recorded in the database.
#[derive(Clone, Debug)]
pub struct CreatedPack {
    pub path: PathBuf,
    /// The database record's id.
    pub record_id: String,
    /// SHA-256 (hex) of the ZIP file.
    pub sha256: String,
    pub size: u64,
    pub manifest: Manifest,
}

/// Builds the pack of `request`, signs it with the workspace key from `keychain`, writes
/// it to `out` (never half: a hidden file renamed into place once recorded) and records
/// it. Nothing is recorded when writing fails, and no file is left when recording fails.
pub async fn create_pack(
    store: &Store,
    keychain: &dyn Keychain,
    request: &PackRequest,
    out: &Path,
    progress: Progress<'_>,
) -> Result<CreatedPack, EvidenceError> {
    let tenant = store.tenant(&request.tenant).await?;
    let (key, _) = workspace_key(store, keychain).await?;
    let built = build_pack(store, &key, request, progress).await?;
    progress("Writing the pack", 0.97);
    let write_error = |source| EvidenceError::Write {
        path: out.to_path_buf(),
        source,
    };
    // Written under a hidden name, recorded, then renamed into place: a job cancelled or
    // failing in between leaves neither a file nor a record.
    let pending = crate::paths::PendingFile::write(out, &built.bytes).map_err(write_error)?;
    let size = built.bytes.len() as u64;
    let record_id = store
        .record_evidence_pack(&NewEvidencePack {
            pack_id: built.manifest.pack_id.clone(),
            tenant: tenant.id,
            period_from: built.manifest.period.from.clone(),
            period_to: built.manifest.period.to.clone(),
            options: serde_json::json!({
                "redact": request.redact,
                "include_reports": request.include_reports,
            }),
            sha256: built.sha256.clone(),
            size,
            path: Some(out.display().to_string()),
        })
        .await?;
    pending.persist().map_err(write_error)?;
    progress("Done", 1.0);
    Ok(CreatedPack {
        path: out.to_path_buf(),
        record_id,
        sha256: built.sha256,
        size,
        manifest: built.manifest,
    })
}

/// A file name that says what the pack holds:
/// `evidence-contoso-2026-01-01-2026-03-31-redacted-20260401T120000Z.zip`.
pub fn default_pack_file_name(
    tenant_name: &str,
    request: &PackRequest,
    created_at: DateTime<Utc>,
) -> String {
    format!(
        "evidence-{}-{}-{}{}-{}.zip",
        slug(tenant_name),
        request.from.format("%Y-%m-%d"),
        request.to.format("%Y-%m-%d"),
        if request.redact { "-redacted" } else { "" },
        created_at.format("%Y%m%dT%H%M%SZ")
    )
}

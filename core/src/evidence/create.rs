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
/// it to `out` (never half: a temporary file renamed into place) and records it. Nothing
/// is recorded when writing fails, and no file is left when recording fails.
pub async fn create_pack(
    store: &Store,
    keychain: &dyn Keychain,
    request: &PackRequest,
    out: &Path,
    progress: Progress<'_>,
) -> Result<CreatedPack, EvidenceError> {
    let (key, _) = workspace_key(store, keychain).await?;
    let built = build_pack(store, &key, request, progress).await?;
    progress("Writing the pack", 0.97);
    crate::paths::write_atomically(out, &built.bytes).map_err(|source| EvidenceError::Write {
        path: out.to_path_buf(),
        source,
    })?;
    let tenant = store.tenant(&built.manifest.tenant.id).await?;
    let size = built.bytes.len() as u64;
    let recorded = store
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
        .await;
    let record_id = match recorded {
        Ok(id) => id,
        Err(e) => {
            // The database does not know the pack, so the disk should not have it either.
            let _ = std::fs::remove_file(out);
            return Err(e.into());
        }
    };
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

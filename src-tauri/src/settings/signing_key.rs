//! The workspace's evidence-signing key: its fingerprint and where its private half is
//! kept, exporting the public key (PEM, as `plumbline key export` writes it) and
//! rotating the key. The same core functions serve `plumbline key`.

use plumbline_core::evidence::{self, KeyStatus};
use serde::Serialize;
use specta::Type;
use tauri::State;

use crate::error::{CommandError, ErrorCode};
use crate::reports::output_path;
use crate::state::AppState;

/// A key used before; packs it signed still verify.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RetiredKey {
    pub fingerprint: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub retired_at: String,
}

/// The workspace's signing key as Settings shows it.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SigningKeyView {
    /// SHA-256 (hex) of the public key, as `openssl … | sha256sum` prints it.
    pub fingerprint: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The keychain that holds the private half.
    pub keychain: String,
    /// True when this view made the key: the workspace had none.
    pub created_now: bool,
    /// Set when the keychain lost the private half: what happened and what to do.
    pub missing: Option<String>,
    /// Newest first.
    pub retired: Vec<RetiredKey>,
    /// A file name for the exported public key.
    pub suggested_file_name: String,
}

/// A public key written to a file.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ExportedKey {
    pub path: String,
    pub fingerprint: String,
}

fn view(status: KeyStatus) -> SigningKeyView {
    let short = status
        .active
        .fingerprint
        .chars()
        .take(16)
        .collect::<String>();
    SigningKeyView {
        suggested_file_name: format!("plumbline-signer-{short}.pub"),
        fingerprint: status.active.fingerprint,
        created_at: status.active.created_at,
        keychain: status.keychain,
        created_now: status.created_now,
        missing: status.missing,
        retired: status
            .retired
            .into_iter()
            .map(|k| RetiredKey {
                fingerprint: k.fingerprint,
                created_at: k.created_at,
                retired_at: k.retired_at.unwrap_or_default(),
            })
            .collect(),
    }
}

/// The active key (made now when the workspace has none), or why it cannot sign.
#[tauri::command]
#[specta::specta]
pub async fn signing_key(state: State<'_, AppState>) -> Result<SigningKeyView, CommandError> {
    let status = evidence::key_status(state.store()?, state.keychain().as_ref())
        .await
        .map_err(CommandError::from)?;
    Ok(view(status))
}

/// Writes the public key as PEM. A relative path is taken inside the evidence folder
/// next to the database; a folder gets the suggested file name.
#[tauri::command]
#[specta::specta]
pub async fn export_public_key(
    state: State<'_, AppState>,
    path: String,
) -> Result<ExportedKey, CommandError> {
    let store = state.store()?;
    let status = evidence::key_status(store, state.keychain().as_ref())
        .await
        .map_err(CommandError::from)?;
    if let Some(missing) = status.missing {
        return Err(CommandError::new(ErrorCode::Conflict, missing));
    }
    let given = path.trim();
    let default_name = view(status).suggested_file_name;
    let out = output_path(
        &state.evidence_dir(),
        Some(given).filter(|g| !g.is_empty()),
        &default_name,
    )?;
    let row = evidence::export_public_key(store, state.keychain().as_ref(), &out)
        .await
        .map_err(CommandError::from)?;
    Ok(ExportedKey {
        path: out.display().to_string(),
        fingerprint: row.fingerprint,
    })
}

/// Makes a new signing key and retires the current one (packs it signed still verify).
#[tauri::command]
#[specta::specta]
pub async fn rotate_signing_key(
    state: State<'_, AppState>,
) -> Result<SigningKeyView, CommandError> {
    let store = state.store()?;
    evidence::rotate_key(store, state.keychain().as_ref())
        .await
        .map_err(CommandError::from)?;
    let status = evidence::key_status(store, state.keychain().as_ref())
        .await
        .map_err(CommandError::from)?;
    Ok(view(status))
}

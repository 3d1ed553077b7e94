//! The Settings page's commands: report branding and the default report language (kept
//! in the database through `plumbline_core::settings`), the data directory, and in the
//! submodules the tenants' Graph connections, the Plumbline server connection and the
//! evidence-signing key.
//!
//! A logo is checked with the report renderer's own PNG decoder
//! (`plumbline_reports::Logo::from_png`) before its bytes are stored, so a logo Settings
//! accepts is one every report can draw.

pub mod connections;
pub mod server;
pub mod signing_key;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use plumbline_core::settings::{
    self as core_settings, BrandingUpdate, LogoChange, ReportSettings, SettingsError,
    MAX_LOGO_BYTES,
};
use plumbline_reports::{Logo, RenderError};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::error::{CommandError, ErrorCode};
use crate::reports::ReportLanguage;
use crate::state::AppState;

impl From<SettingsError> for CommandError {
    fn from(error: SettingsError) -> Self {
        match error {
            SettingsError::Invalid(message) => CommandError::new(ErrorCode::InvalidInput, message),
            SettingsError::Store(store) => store.into(),
            // The keychain is the machine's, like its disk: locked, absent or refusing.
            SettingsError::Keychain(_) => CommandError::new(ErrorCode::Io, error.to_string()),
        }
    }
}

impl From<core_settings::ReportLanguage> for ReportLanguage {
    fn from(language: core_settings::ReportLanguage) -> Self {
        match language {
            core_settings::ReportLanguage::En => Self::En,
            core_settings::ReportLanguage::De => Self::De,
        }
    }
}

impl From<ReportLanguage> for core_settings::ReportLanguage {
    fn from(language: ReportLanguage) -> Self {
        match language {
            ReportLanguage::En => Self::En,
            ReportLanguage::De => Self::De,
        }
    }
}

/// The saved logo, ready to preview.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LogoView {
    /// `data:image/png;base64,…`, for an `<img>`.
    pub data_url: String,
    /// Lower-case hex SHA-256 of the PNG (what reports record).
    pub sha256: String,
    /// Bytes.
    pub size: u32,
    /// Pixels.
    pub width: u32,
    pub height: u32,
    /// The file it was read from (it may have moved since; reports do not need it).
    pub source: String,
}

/// Report branding and the default report language, as saved.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReportSettingsView {
    /// Empty until saved.
    pub msp_name: String,
    /// `#RRGGBB`.
    pub accent_colour: String,
    pub logo: Option<LogoView>,
    pub language: ReportLanguage,
    /// RFC 3339, UTC; `None` when the settings were never saved (all defaults).
    pub saved_at: Option<String>,
}

/// A change to the branding.
#[derive(Clone, Debug, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SaveBrandingRequest {
    pub msp_name: String,
    /// `#RRGGBB`.
    pub accent_colour: String,
    /// A PNG file to read as the new logo (its bytes are stored); empty keeps the logo.
    pub logo_path: Option<String>,
    /// Remove the saved logo (ignored when `logo_path` is given).
    pub remove_logo: bool,
}

/// The data directory and what is in it.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DataDirectory {
    /// The folder the database is in.
    pub data_dir: String,
    pub db_path: String,
    /// The database on disk in KiB (rounded up): the file, its write-ahead log and
    /// shared-memory file.
    pub database_kib: u32,
    /// Where generated reports go by default.
    pub reports_dir: String,
    /// Where evidence packs and exported public keys go by default.
    pub evidence_dir: String,
}

fn invalid(message: impl Into<String>) -> CommandError {
    CommandError::new(ErrorCode::InvalidInput, message)
}

pub(crate) fn settings_view(settings: ReportSettings) -> ReportSettingsView {
    let logo = settings.logo.map(|logo| {
        // Stored logos were decoded when saved; a damaged one still previews as bytes.
        let (width, height) = Logo::from_png(&logo.png)
            .map(|l| (l.width, l.height))
            .unwrap_or((0, 0));
        LogoView {
            data_url: format!(
                "data:image/png;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(&logo.png)
            ),
            sha256: logo.sha256,
            size: u32::try_from(logo.png.len()).unwrap_or(u32::MAX),
            width: u32::try_from(width).unwrap_or(u32::MAX),
            height: u32::try_from(height).unwrap_or(u32::MAX),
            source: logo.source,
        }
    });
    ReportSettingsView {
        msp_name: settings.msp_name,
        accent_colour: settings.accent_colour,
        logo,
        language: settings.language.into(),
        saved_at: settings.updated_at,
    }
}

/// Reads a logo file and checks it the way the report renderer will read it.
fn read_logo(text: &str) -> Result<(Vec<u8>, String), CommandError> {
    let path = PathBuf::from(text);
    if !path.is_absolute() {
        return Err(invalid(format!(
            "{text} is not a full path: enter the PNG file's full path, for example \
             /home/you/Pictures/logo.png"
        )));
    }
    let metadata = std::fs::metadata(&path).map_err(|e| {
        invalid(format!(
            "cannot read the logo {} ({e}): check the path",
            path.display()
        ))
    })?;
    if !metadata.is_file() {
        return Err(invalid(format!(
            "{} is a folder: choose the PNG file inside it",
            path.display()
        )));
    }
    if metadata.len() > MAX_LOGO_BYTES as u64 {
        return Err(invalid(format!(
            "the logo {} is {} KiB; logos up to {} KiB are kept: export a smaller PNG",
            path.display(),
            metadata.len() / 1024,
            MAX_LOGO_BYTES / 1024
        )));
    }
    let bytes = std::fs::read(&path).map_err(|e| {
        invalid(format!(
            "cannot read the logo {} ({e}): check that you may read it",
            path.display()
        ))
    })?;
    Logo::from_png(&bytes).map_err(|error| match error {
        RenderError::Logo(detail) => invalid(format!(
            "{} is not a PNG image reports can use ({detail}): save the logo as PNG and choose \
             that file",
            path.display()
        )),
        other => CommandError::new(ErrorCode::Internal, other.to_string()),
    })?;
    Ok((bytes, path.display().to_string()))
}

#[tauri::command]
#[specta::specta]
pub async fn report_settings(
    state: State<'_, AppState>,
) -> Result<ReportSettingsView, CommandError> {
    Ok(settings_view(state.store()?.report_settings().await?))
}

#[tauri::command]
#[specta::specta]
pub async fn save_branding(
    state: State<'_, AppState>,
    request: SaveBrandingRequest,
) -> Result<ReportSettingsView, CommandError> {
    let store = state.store()?;
    let logo = match request.logo_path.as_deref().map(str::trim) {
        Some(path) if !path.is_empty() => {
            let (png, source) = read_logo(path)?;
            LogoChange::Replace { png, source }
        }
        _ if request.remove_logo => LogoChange::Remove,
        _ => LogoChange::Keep,
    };
    let update = BrandingUpdate {
        msp_name: request.msp_name,
        accent_colour: request.accent_colour,
        logo,
    };
    Ok(settings_view(
        core_settings::save_branding(store, &update).await?,
    ))
}

#[tauri::command]
#[specta::specta]
pub async fn set_report_language(
    state: State<'_, AppState>,
    language: ReportLanguage,
) -> Result<ReportSettingsView, CommandError> {
    let store = state.store()?;
    Ok(settings_view(
        core_settings::set_report_language(store, language.into()).await?,
    ))
}

/// The database file with its `-wal` and `-shm` companions, in bytes.
fn database_bytes(db_path: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| {
            let mut name = db_path.as_os_str().to_owned();
            name.push(suffix);
            std::fs::metadata(PathBuf::from(name))
                .map(|m| m.len())
                .unwrap_or(0)
        })
        .sum()
}

#[tauri::command]
#[specta::specta]
pub async fn data_directory(state: State<'_, AppState>) -> Result<DataDirectory, CommandError> {
    Ok(DataDirectory {
        data_dir: state.data_dir().display().to_string(),
        db_path: state.db_path().display().to_string(),
        database_kib: u32::try_from(database_bytes(state.db_path()).div_ceil(1024))
            .unwrap_or(u32::MAX),
        reports_dir: state.reports_dir().display().to_string(),
        evidence_dir: state.evidence_dir().display().to_string(),
    })
}

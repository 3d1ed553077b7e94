//! The Reports page's commands: generate an executive or portfolio PDF, list the reports
//! recorded in the database, and open a file (or the data folder) with the system's
//! default app.
//!
//! Branding and language default to what Settings saved (`plumbline_core::settings`), as
//! for `plumbline report`; the saved logo is drawn from its stored bytes.
//!
//! Generation is the CLI's (`plumbline report`) through the shared
//! `plumbline_reports::generate`: the same request gives the same report id, parameters
//! and bytes. The database is read on the async runtime; fonts, rendering and the file
//! write run on a blocking thread so the UI stays responsive.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use plumbline_core::settings::ReportSettings;
use plumbline_core::store::NewReport;
use plumbline_reports::generate::{self, ExecutiveScope, ReportRequest};
use plumbline_reports::{BrandingSettings, Fonts, Language, RenderError};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

/// Which report to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum ReportKind {
    /// One tenant, one period.
    Executive,
    /// All tenants.
    Portfolio,
}

impl ReportKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Executive => "executive",
            Self::Portfolio => "portfolio",
        }
    }
}

/// The language of the report's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum ReportLanguage {
    En,
    De,
}

impl From<ReportLanguage> for Language {
    fn from(language: ReportLanguage) -> Self {
        match language {
            ReportLanguage::En => Language::En,
            ReportLanguage::De => Language::De,
        }
    }
}

/// The MSP's branding on the cover and in the running header.
#[derive(Clone, Debug, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Branding {
    pub msp_name: String,
    /// `#RRGGBB`.
    pub accent_colour: String,
    /// A PNG file for the cover.
    pub logo_path: Option<String>,
    /// Draw the logo saved in Settings (when `logo_path` is empty).
    #[serde(default)]
    pub use_saved_logo: bool,
}

/// What the Reports page asks for.
#[derive(Clone, Debug, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct GenerateReportRequest {
    pub kind: ReportKind,
    /// The tenant (id or name); required for an executive report.
    pub tenant_id: Option<String>,
    /// First day of the period, `YYYY-MM-DD` (default: 90 days before `to`).
    pub from: Option<String>,
    /// Last day of the period, `YYYY-MM-DD`, through its end (default: now).
    pub to: Option<String>,
    /// `None`: the default language saved in Settings.
    pub language: Option<ReportLanguage>,
    /// `None`: the branding saved in Settings, logo included.
    pub branding: Option<Branding>,
    /// Where to write the PDF. Default: the `reports` folder next to the database, with
    /// a name that says what the report is. A relative path is taken inside that folder.
    pub output_path: Option<String>,
}

/// A generated and recorded report.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct GeneratedReport {
    /// The id printed in the report (`PL-XXXX-XXXX-XXXX`).
    pub report_id: String,
    /// The database record's id.
    pub record_id: String,
    pub kind: ReportKind,
    pub tenant_name: Option<String>,
    pub path: String,
    /// Lower-case hex SHA-256 of the file.
    pub sha256: String,
    /// Bytes.
    pub size: u32,
    pub pages: u32,
    /// RFC 3339, UTC.
    pub generated_at: String,
    /// Set when the report's fonts were missing and the PDF base fonts were used.
    pub font_warning: Option<String>,
}

/// One report recorded in the database (PDF reports and CSV exports).
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReportSummary {
    pub id: String,
    /// `executive`, `portfolio`, `export_findings`, …
    pub kind: String,
    /// `pdf` or `csv`.
    pub format: String,
    pub tenant_id: Option<String>,
    pub tenant_name: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub sha256: String,
    pub size: u32,
    pub path: Option<String>,
    /// The id printed in the report, when it has one.
    pub report_id: Option<String>,
    pub pages: Option<u32>,
    pub language: Option<String>,
}

fn invalid(message: impl Into<String>) -> CommandError {
    CommandError::new(ErrorCode::InvalidInput, message)
}

/// A branding or period problem is the user's to fix; a failed write is the disk's; the
/// rest is a bug.
fn render_error(error: RenderError, input: bool) -> CommandError {
    let code = match &error {
        RenderError::Logo(_) | RenderError::Accent(_) => ErrorCode::InvalidInput,
        RenderError::Io { .. } if input => ErrorCode::InvalidInput,
        RenderError::Io { .. } => ErrorCode::Io,
        _ => ErrorCode::Internal,
    };
    CommandError::new(code, error.to_string())
}

/// The request's branding, or the saved one. The saved logo comes back as its stored
/// bytes (its file may have moved since); a logo path in the request stays a path, read
/// by [`ReportRequest::new`].
fn branding_settings<'a>(
    branding: Option<&Branding>,
    saved: &'a ReportSettings,
) -> Result<(BrandingSettings, Option<&'a [u8]>), CommandError> {
    let saved_logo = || match &saved.logo {
        Some(logo) => (Some(PathBuf::from(&logo.source)), Some(logo.png.as_slice())),
        None => (None, None),
    };
    let (msp_name, accent, (logo_path, saved_png)) = match branding {
        Some(b) => (
            b.msp_name.trim().to_owned(),
            b.accent_colour.trim().to_owned(),
            match non_empty(&b.logo_path) {
                Some(path) => (Some(PathBuf::from(path)), None),
                None if b.use_saved_logo => saved_logo(),
                None => (None, None),
            },
        ),
        None => (
            saved.msp_name.trim().to_owned(),
            saved.accent_colour.clone(),
            saved_logo(),
        ),
    };
    if msp_name.is_empty() {
        return Err(invalid(
            "Enter the MSP name: it is printed on the cover and in every page's header (save \
             it once in Settings, under Report branding).",
        ));
    }
    let settings = BrandingSettings {
        msp_name,
        accent,
        logo_path,
    };
    Ok((settings, saved_png))
}

fn non_empty(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// Where the PDF goes: the given path (inside the reports folder when relative, with
/// the default name when it is a folder), else the reports folder.
pub(crate) fn output_path(
    reports_dir: &Path,
    given: Option<&str>,
    default_name: &str,
) -> Result<PathBuf, CommandError> {
    let path = match given {
        Some(text) => {
            let path = reports_dir.join(text);
            if path.is_dir() {
                path.join(default_name)
            } else {
                path
            }
        }
        None => reports_dir.join(default_name),
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            CommandError::new(
                ErrorCode::Io,
                format!(
                    "cannot create the folder {} for the report: {e}",
                    parent.display()
                ),
            )
        })?;
    }
    Ok(path)
}

#[tauri::command]
#[specta::specta]
pub async fn generate_report(
    state: State<'_, AppState>,
    request: GenerateReportRequest,
) -> Result<GeneratedReport, CommandError> {
    let store = state.store()?;
    let generated_at = generate::generation_time().map_err(|e| invalid(e.to_string()))?;
    let saved = store.report_settings().await?;
    let language = request.language.unwrap_or_else(|| saved.language.into());
    let (settings, saved_logo) = branding_settings(request.branding.as_ref(), &saved)?;
    let report_request = match saved_logo {
        Some(png) => {
            ReportRequest::with_logo_png(language.into(), settings, Some(png), generated_at)
        }
        // Reads the logo file named in the request, if any.
        None => ReportRequest::new(language.into(), settings, generated_at),
    }
    .map_err(|e| render_error(e, true))?;

    // Gather on the async runtime (the store is async), render on a blocking thread.
    enum Source {
        Executive(
            Box<plumbline_core::store::ExecutiveSource>,
            ExecutiveScope,
            plumbline_core::model::TenantId,
        ),
        Portfolio(Box<plumbline_core::store::PortfolioSource>),
    }
    let source = match request.kind {
        ReportKind::Executive => {
            let tenant = non_empty(&request.tenant_id)
                .ok_or_else(|| invalid("Choose a tenant for the executive report."))?;
            let tenant = store.tenant(tenant).await?;
            let (from, to) = generate::period(
                non_empty(&request.from),
                non_empty(&request.to),
                generated_at,
                |is_to| if is_to { "To" } else { "From" }.to_owned(),
            )
            .map_err(|e| invalid(e.to_string()))?;
            let source = store.executive_source(tenant.id, from, to).await?;
            let scope = ExecutiveScope {
                tenant_name: tenant.name,
                tenant_id: tenant.id.to_string(),
                from,
                to,
            };
            Source::Executive(Box::new(source), scope, tenant.id)
        }
        ReportKind::Portfolio => Source::Portfolio(Box::new(store.portfolio_source().await?)),
    };
    let (scope, tenant) = match &source {
        Source::Executive(_, scope, id) => (Some(scope.clone()), Some(*id)),
        Source::Portfolio(_) => (None, None),
    };
    let default_name = generate::default_file_name(
        request.kind.as_str(),
        scope.as_ref(),
        report_request.language,
        generated_at,
    );
    let path = output_path(
        &state.reports_dir(),
        non_empty(&request.output_path),
        &default_name,
    )?;

    let write_to = path.clone();
    let (report, font_warning) = tauri::async_runtime::spawn_blocking(move || {
        let (fonts, warning) = Fonts::system();
        let report = match &source {
            Source::Executive(source, scope, _) => {
                generate::executive(source.as_ref(), scope, &report_request, &fonts)
            }
            Source::Portfolio(source) => {
                generate::portfolio(source.as_ref(), &report_request, &fonts)
            }
        }
        .map_err(|e| render_error(e, false))?;
        generate::write_file(&write_to, &report.pdf.bytes).map_err(|e| render_error(e, false))?;
        Ok::<_, CommandError>((report, warning))
    })
    .await
    .map_err(|e| {
        CommandError::new(
            ErrorCode::Internal,
            format!("report generation stopped: {e}"),
        )
    })??;

    let path = path.display().to_string();
    let size = report.pdf.bytes.len() as u64;
    let record_id = store
        .record_report(&NewReport {
            tenant,
            kind: request.kind.as_str().to_owned(),
            format: "pdf".to_owned(),
            parameters: report.parameters,
            sha256: report.pdf.sha256.clone(),
            size,
            path: Some(path.clone()),
        })
        .await?;
    Ok(GeneratedReport {
        report_id: report.report_id,
        record_id,
        kind: request.kind,
        tenant_name: scope.map(|s| s.tenant_name),
        path,
        sha256: report.pdf.sha256,
        size: u32::try_from(size).unwrap_or(u32::MAX),
        pages: u32::try_from(report.pdf.pages).unwrap_or(u32::MAX),
        generated_at: plumbline_core::store::timestamp(generated_at),
        font_warning,
    })
}

#[tauri::command]
#[specta::specta]
pub async fn list_reports(state: State<'_, AppState>) -> Result<Vec<ReportSummary>, CommandError> {
    let store = state.store()?;
    let rows = store.list_reports(None).await?;
    let names: HashMap<String, String> = store
        .list_tenants()
        .await?
        .into_iter()
        .map(|t| (t.id.to_string(), t.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let text = |key: &str| row.parameters[key].as_str().map(str::to_owned);
            let tenant_name = text("tenant")
                .or_else(|| row.tenant_id.as_ref().and_then(|id| names.get(id).cloned()));
            ReportSummary {
                report_id: text("report_id"),
                language: text("language"),
                pages: row.parameters["pages"]
                    .as_u64()
                    .map(|p| u32::try_from(p).unwrap_or(u32::MAX)),
                id: row.id,
                kind: row.kind,
                format: row.format,
                tenant_id: row.tenant_id,
                tenant_name,
                created_at: row.created_at,
                sha256: row.sha256,
                size: u32::try_from(row.size).unwrap_or(u32::MAX),
                path: row.path,
            }
        })
        .collect())
}

/// Opens a generated report (a PDF or CSV file) with the system's default app, or the
/// data folder in the file manager.
#[tauri::command]
#[specta::specta]
pub async fn open_path(state: State<'_, AppState>, path: String) -> Result<(), CommandError> {
    let path = check_openable(&PathBuf::from(path), &state.data_dir())?;
    launch(&path).map_err(|e| {
        CommandError::new(
            ErrorCode::Io,
            format!(
                "cannot open {} with the default app ({e}); open it from your file manager",
                path.display()
            ),
        )
    })
}

/// Only existing PDF and CSV files, and the data folder itself: this command opens
/// reports and that one folder, not anything a page might pass (an executable or a
/// `.desktop` file would run; any other folder is not the app's to show). Returns what
/// to open: the file, or the data folder's canonical path.
fn check_openable(path: &Path, data_dir: &Path) -> Result<PathBuf, CommandError> {
    if path.is_dir() {
        // Compared canonically, so `..`, a trailing slash or a symlink can neither sneak
        // another folder in nor lock the data folder out; the folder checked is the one
        // opened.
        if let (Ok(asked), Ok(data)) = (path.canonicalize(), data_dir.canonicalize()) {
            if asked == data {
                return Ok(data);
            }
        }
        return Err(invalid(format!(
            "{} is a folder: only the data folder ({}) is opened as a folder",
            path.display(),
            data_dir.display()
        )));
    }
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !matches!(extension.as_deref(), Some("pdf" | "csv")) {
        return Err(invalid(format!(
            "{} is not a report: only PDF and CSV files are opened",
            path.display()
        )));
    }
    if !path.is_file() {
        return Err(CommandError::new(
            ErrorCode::NotFound,
            format!(
                "{} does not exist any more: it was moved or deleted; generate the report again",
                path.display()
            ),
        ));
    }
    Ok(path.to_path_buf())
}

/// Starts the platform's opener, detached; a thread reaps it.
fn launch(path: &Path) -> std::io::Result<()> {
    use std::process::{Command, Stdio};
    let mut command = if cfg!(target_os = "windows") {
        let mut c = Command::new("cmd");
        c.args(["/C", "start", ""]).arg(path);
        c
    } else if cfg!(target_os = "macos") {
        let mut c = Command::new("open");
        c.arg(path);
        c
    } else {
        let mut c = Command::new("xdg-open");
        c.arg(path);
        c
    };
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_existing_pdf_and_csv_files_are_opened() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        std::fs::create_dir(&data).expect("mkdir");
        let script = dir.path().join("run.sh");
        std::fs::write(&script, "#!/bin/sh\n").expect("write");
        assert_eq!(
            check_openable(&script, &data).expect_err("script").code,
            ErrorCode::InvalidInput
        );
        let missing = dir.path().join("gone.pdf");
        assert_eq!(
            check_openable(&missing, &data).expect_err("missing").code,
            ErrorCode::NotFound
        );
        let pdf = dir.path().join("r.PDF");
        std::fs::write(&pdf, "%PDF").expect("write");
        assert_eq!(check_openable(&pdf, &data).expect("a PDF"), pdf);
    }

    #[test]
    fn the_data_folder_is_the_only_folder_opened() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        std::fs::create_dir_all(data.join("reports")).expect("mkdir");
        let canonical = data.canonicalize().expect("canonical");
        assert_eq!(
            check_openable(&data, &data).expect("data folder"),
            canonical
        );
        // The same folder spelled differently is still the data folder.
        assert_eq!(
            check_openable(&data.join("reports/.."), &data).expect("same folder"),
            canonical,
            "the folder opened is the one checked"
        );
        for other in [
            dir.path().to_path_buf(),
            data.join("reports"),
            data.join(".."),
            PathBuf::from("/"),
        ] {
            let error = check_openable(&other, &data).expect_err("another folder");
            assert_eq!(error.code, ErrorCode::InvalidInput, "{}", other.display());
            assert!(error.message.contains("only the data folder"), "{error}");
        }
        // A folder named like a report is still a folder.
        let disguised = data.join("reports/trap.pdf");
        std::fs::create_dir(&disguised).expect("mkdir");
        assert_eq!(
            check_openable(&disguised, &data).expect_err("folder").code,
            ErrorCode::InvalidInput
        );
        #[cfg(unix)]
        {
            let link = dir.path().join("link-to-data");
            std::os::unix::fs::symlink(&data, &link).expect("symlink");
            assert_eq!(
                check_openable(&link, &data).expect("a link to it"),
                canonical
            );
        }
    }

    #[test]
    fn relative_output_paths_land_in_the_reports_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let reports = dir.path().join("reports");
        assert_eq!(
            output_path(&reports, None, "a.pdf").expect("default"),
            reports.join("a.pdf")
        );
        assert_eq!(
            output_path(&reports, Some("q1/b.pdf"), "a.pdf").expect("relative"),
            reports.join("q1/b.pdf")
        );
        assert!(reports.join("q1").is_dir());
        let absolute = dir.path().join("elsewhere");
        std::fs::create_dir(&absolute).expect("mkdir");
        assert_eq!(
            output_path(&reports, absolute.to_str(), "a.pdf").expect("folder"),
            absolute.join("a.pdf")
        );
    }
}

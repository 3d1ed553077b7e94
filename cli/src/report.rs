//! `plumbline report executive|portfolio`: branded PDF reports, recorded in the database
//! with their parameters and SHA-256.
//!
//! The generation time is `SOURCE_DATE_EPOCH` when set (as reproducible-build tools do),
//! else now; with the same data and generation time the PDF is byte-identical.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Utc};
use plumbline_core::model::TenantId;
use plumbline_core::store::{NewReport, Store};
use plumbline_reports::generate::{self, ExecutiveScope, ReportRequest};
use plumbline_reports::{BrandingSettings, Fonts, Language, RenderError, DEFAULT_ACCENT};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::output::{human_bytes, print_json};
use crate::{Failure, Outcome};

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// The executive report of one tenant for a period (PDF).
    Executive(ExecutiveArgs),
    /// The portfolio report of all tenants (PDF).
    Portfolio(CommonArgs),
}

#[derive(clap::Args, Debug)]
pub struct ExecutiveArgs {
    /// The tenant (name or id).
    #[arg(long)]
    tenant: String,
    /// First day of the period (YYYY-MM-DD or RFC 3339; default: 90 days before --to).
    #[arg(long)]
    from: Option<String>,
    /// Last day of the period (YYYY-MM-DD, through the end of that day UTC, or RFC 3339;
    /// default: the generation time).
    #[arg(long)]
    to: Option<String>,
    #[command(flatten)]
    common: CommonArgs,
}

/// Options every report takes. Branding comes from these flags until there is a
/// settings store; [`BrandingSettings`] is the shape it will keep.
#[derive(clap::Args, Debug)]
pub struct CommonArgs {
    /// Where to write the PDF.
    #[arg(long, value_name = "FILE.pdf")]
    out: PathBuf,
    /// Report language: en or de.
    #[arg(long, default_value = "en")]
    lang: String,
    /// The MSP's name on the cover and in the running header.
    #[arg(long, env = "PLUMBLINE_MSP_NAME", default_value = "Plumbline")]
    msp_name: String,
    /// A PNG logo for the cover.
    #[arg(long, value_name = "PNG")]
    logo: Option<PathBuf>,
    /// Accent colour, #RRGGBB.
    #[arg(long, default_value = DEFAULT_ACCENT)]
    accent: String,
}

#[derive(Serialize)]
struct Generated {
    report_id: String,
    record_id: String,
    kind: &'static str,
    tenant: Option<String>,
    path: String,
    pages: usize,
    bytes: u64,
    sha256: String,
    generated_at: DateTime<Utc>,
    language: Language,
    font_fallback: bool,
    gather_ms: f64,
    render_ms: f64,
    total_ms: f64,
}

pub async fn run(store: &Store, command: &Command, json: bool) -> Outcome {
    let started = Instant::now();
    let generated_at = generation_time()?;
    let (fonts, warning) = Fonts::system();
    if let Some(warning) = warning {
        eprintln!("warning: {warning}");
    }
    let generated = match command {
        Command::Executive(args) => executive(store, args, generated_at, &fonts, started).await?,
        Command::Portfolio(args) => portfolio(store, args, generated_at, &fonts, started).await?,
    };
    if json {
        print_json(&generated)?;
    } else {
        println!(
            "Wrote {} ({} pages, {}), report {}, sha256 {}",
            generated.path,
            generated.pages,
            human_bytes(generated.bytes),
            generated.report_id,
            generated.sha256
        );
        println!(
            "Took {:.0} ms: {:.0} ms reading the database, {:.0} ms rendering.",
            generated.total_ms, generated.gather_ms, generated.render_ms
        );
    }
    Ok(())
}

async fn executive(
    store: &Store,
    args: &ExecutiveArgs,
    generated_at: DateTime<Utc>,
    fonts: &Fonts,
    started: Instant,
) -> Result<Generated, Failure> {
    let request = request(&args.common, generated_at)?;
    let tenant = store.tenant(&args.tenant).await?;
    let (from, to) = generate::period(
        args.from.as_deref(),
        args.to.as_deref(),
        generated_at,
        |is_to| if is_to { "--to" } else { "--from" }.to_owned(),
    )
    .map_err(|e| Failure::usage(e.to_string()))?;
    let source = store.executive_source(tenant.id, from, to).await?;
    let gathered = Instant::now();
    let scope = ExecutiveScope {
        tenant_name: tenant.name.clone(),
        tenant_id: tenant.id.to_string(),
        from,
        to,
    };
    let report = generate::executive(&source, &scope, &request, fonts).map_err(render_failure)?;
    let rendered = Instant::now();
    finish(
        store,
        "executive",
        Some((tenant.id, tenant.name)),
        report,
        &args.common.out,
        &request,
        fonts,
        [started, gathered, rendered],
    )
    .await
}

async fn portfolio(
    store: &Store,
    args: &CommonArgs,
    generated_at: DateTime<Utc>,
    fonts: &Fonts,
    started: Instant,
) -> Result<Generated, Failure> {
    let request = request(args, generated_at)?;
    let source = store.portfolio_source().await?;
    let gathered = Instant::now();
    let report = generate::portfolio(&source, &request, fonts).map_err(render_failure)?;
    let rendered = Instant::now();
    finish(
        store,
        "portfolio",
        None,
        report,
        &args.out,
        &request,
        fonts,
        [started, gathered, rendered],
    )
    .await
}

/// Writes the PDF and records it with its parameters and SHA-256.
#[allow(clippy::too_many_arguments)]
async fn finish(
    store: &Store,
    kind: &'static str,
    tenant: Option<(TenantId, String)>,
    report: generate::Generated,
    out: &Path,
    request: &ReportRequest,
    fonts: &Fonts,
    [started, gathered, rendered]: [Instant; 3],
) -> Result<Generated, Failure> {
    generate::write_file(out, &report.pdf.bytes).map_err(render_failure)?;
    let path = out.display().to_string();
    let bytes = report.pdf.bytes.len() as u64;
    let record_id = store
        .record_report(&NewReport {
            tenant: tenant.as_ref().map(|(id, _)| *id),
            kind: kind.to_owned(),
            format: "pdf".to_owned(),
            parameters: report.parameters,
            sha256: report.pdf.sha256.clone(),
            size: bytes,
            path: Some(path.clone()),
        })
        .await?;
    Ok(Generated {
        report_id: report.report_id,
        record_id,
        kind,
        tenant: tenant.map(|(_, name)| name),
        path,
        pages: report.pdf.pages,
        bytes,
        sha256: report.pdf.sha256,
        generated_at: request.generated_at,
        language: request.language,
        font_fallback: fonts.is_fallback(),
        gather_ms: ms(gathered - started),
        render_ms: ms(rendered - gathered),
        total_ms: ms(started.elapsed()),
    })
}

fn ms(duration: std::time::Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Branding comes from the flags until there is a settings store; the logo is read and
/// the colour checked here, before the database is.
fn request(args: &CommonArgs, generated_at: DateTime<Utc>) -> Result<ReportRequest, Failure> {
    let settings = BrandingSettings {
        msp_name: args.msp_name.clone(),
        accent: args.accent.clone(),
        logo_path: args.logo.clone(),
    };
    ReportRequest::new(language(&args.lang)?, settings, generated_at).map_err(render_failure)
}

pub(crate) fn language(text: &str) -> Result<Language, Failure> {
    Language::parse(text).ok_or_else(|| Failure::usage(format!("--lang {text}: use en or de")))
}

/// `SOURCE_DATE_EPOCH` (seconds since 1970) when set, else now, to the second.
pub(crate) fn generation_time() -> Result<DateTime<Utc>, Failure> {
    generate::generation_time().map_err(|e| Failure::usage(e.to_string()))
}

/// Hands core's facts to the renderer's types (same shape, see core's `reporting`).
pub(crate) fn to_report_data<T: DeserializeOwned>(source: &impl Serialize) -> Result<T, Failure> {
    generate::to_report_data(source).map_err(render_failure)
}

pub(crate) fn render_failure(error: RenderError) -> Failure {
    match error {
        RenderError::Logo(_) | RenderError::Accent(_) => Failure::usage(error.to_string()),
        RenderError::Io { .. } => Failure::usage(error.to_string()),
        other => Failure::from(anyhow::Error::from(other)),
    }
}

/// Writes next to the target and renames, so a reader never sees half a file.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<String, Failure> {
    if path.file_name().is_none() {
        return Err(Failure::usage(format!(
            "--out {}: name a file",
            path.display()
        )));
    }
    generate::write_file(path, bytes).map_err(render_failure)?;
    Ok(path.display().to_string())
}

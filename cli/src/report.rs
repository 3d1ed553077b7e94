//! `plumbline report executive|portfolio`: branded PDF reports, recorded in the database
//! with their parameters and SHA-256.
//!
//! The generation time is `SOURCE_DATE_EPOCH` when set (as reproducible-build tools do),
//! else now; with the same data and generation time the PDF is byte-identical.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use plumbline_core::store::{NewReport, Store};
use plumbline_reports::{
    derive_report_id, render_executive, render_portfolio, BrandingSettings, ExecutiveData, Fonts,
    Language, PortfolioData, RenderError, ReportOptions, DEFAULT_ACCENT,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::output::{human_bytes, print_json};
use crate::{Failure, Outcome};

/// Default length of an executive report's period: a quarter.
const DEFAULT_PERIOD_DAYS: i64 = 90;

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
    let language = language(&args.common.lang)?;
    let branding_settings = branding(&args.common);
    let branding = branding_settings.load().map_err(render_failure)?;
    let tenant = store.tenant(&args.tenant).await?;
    let to = match &args.to {
        Some(text) => parse_day(text, "--to", true)?,
        // Through the end of the generation second: it is truncated to whole seconds,
        // and what happened earlier in that second belongs in the report.
        None => generated_at + TimeDelta::milliseconds(999),
    };
    let from = match &args.from {
        Some(text) => parse_day(text, "--from", false)?,
        None => to - TimeDelta::days(DEFAULT_PERIOD_DAYS),
    };
    if from > to {
        return Err(Failure::usage(format!(
            "--from {} is after --to {}: give a period that starts before it ends",
            from.format("%Y-%m-%d"),
            to.format("%Y-%m-%d")
        )));
    }
    let source = store.executive_source(tenant.id, from, to).await?;
    let data: ExecutiveData = to_report_data(&source)?;
    let gathered = Instant::now();
    let mut parameters = serde_json::json!({
        "tenant": tenant.name,
        "tenant_id": tenant.id.to_string(),
        "from": from,
        "to": to,
        "language": language,
        "generated_at": generated_at,
    });
    merge(&mut parameters, &branding_settings);
    let report_id = derive_report_id("executive", &parameters, &data, generated_at);
    let options = ReportOptions {
        language,
        branding,
        generated_at,
        report_id: report_id.clone(),
    };
    let pdf = render_executive(&data, &options, fonts).map_err(render_failure)?;
    let rendered = Instant::now();
    parameters["report_id"] = serde_json::Value::String(report_id.clone());
    parameters["pages"] = serde_json::json!(pdf.pages);
    let path = write_file(&args.common.out, &pdf.bytes)?;
    let record_id = store
        .record_report(&NewReport {
            tenant: Some(tenant.id),
            kind: "executive".to_owned(),
            format: "pdf".to_owned(),
            parameters,
            sha256: pdf.sha256.clone(),
            size: pdf.bytes.len() as u64,
            path: Some(path.clone()),
        })
        .await?;
    Ok(Generated {
        report_id,
        record_id,
        kind: "executive",
        tenant: Some(tenant.name),
        path,
        pages: pdf.pages,
        bytes: pdf.bytes.len() as u64,
        sha256: pdf.sha256,
        generated_at,
        language,
        font_fallback: fonts.is_fallback(),
        gather_ms: ms(gathered - started),
        render_ms: ms(rendered - gathered),
        total_ms: ms(started.elapsed()),
    })
}

async fn portfolio(
    store: &Store,
    args: &CommonArgs,
    generated_at: DateTime<Utc>,
    fonts: &Fonts,
    started: Instant,
) -> Result<Generated, Failure> {
    let language = language(&args.lang)?;
    let branding_settings = branding(args);
    let branding = branding_settings.load().map_err(render_failure)?;
    let source = store.portfolio_source().await?;
    let data: PortfolioData = to_report_data(&source)?;
    let gathered = Instant::now();
    let mut parameters = serde_json::json!({
        "language": language,
        "generated_at": generated_at,
        "tenants": data.tenants.len(),
    });
    merge(&mut parameters, &branding_settings);
    let report_id = derive_report_id("portfolio", &parameters, &data, generated_at);
    let options = ReportOptions {
        language,
        branding,
        generated_at,
        report_id: report_id.clone(),
    };
    let pdf = render_portfolio(&data, &options, fonts).map_err(render_failure)?;
    let rendered = Instant::now();
    parameters["report_id"] = serde_json::Value::String(report_id.clone());
    parameters["pages"] = serde_json::json!(pdf.pages);
    let path = write_file(&args.out, &pdf.bytes)?;
    let record_id = store
        .record_report(&NewReport {
            tenant: None,
            kind: "portfolio".to_owned(),
            format: "pdf".to_owned(),
            parameters,
            sha256: pdf.sha256.clone(),
            size: pdf.bytes.len() as u64,
            path: Some(path.clone()),
        })
        .await?;
    Ok(Generated {
        report_id,
        record_id,
        kind: "portfolio",
        tenant: None,
        path,
        pages: pdf.pages,
        bytes: pdf.bytes.len() as u64,
        sha256: pdf.sha256,
        generated_at,
        language,
        font_fallback: fonts.is_fallback(),
        gather_ms: ms(gathered - started),
        render_ms: ms(rendered - gathered),
        total_ms: ms(started.elapsed()),
    })
}

fn ms(duration: std::time::Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn branding(args: &CommonArgs) -> BrandingSettings {
    BrandingSettings {
        msp_name: args.msp_name.clone(),
        accent: args.accent.clone(),
        logo_path: args.logo.clone(),
    }
}

fn merge(parameters: &mut serde_json::Value, branding: &BrandingSettings) {
    parameters["branding"] = serde_json::json!({
        "msp_name": branding.msp_name,
        "accent": branding.accent,
        "logo": branding.logo_path.as_ref().map(|p| p.display().to_string()),
    });
}

pub(crate) fn language(text: &str) -> Result<Language, Failure> {
    Language::parse(text).ok_or_else(|| Failure::usage(format!("--lang {text}: use en or de")))
}

/// `SOURCE_DATE_EPOCH` (seconds since 1970) when set, else now, to the second.
pub(crate) fn generation_time() -> Result<DateTime<Utc>, Failure> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .ok_or_else(|| {
                Failure::usage(format!(
                    "SOURCE_DATE_EPOCH={text} is not a number of seconds since 1970-01-01"
                ))
            }),
        _ => {
            let now = Utc::now();
            Ok(DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now))
        }
    }
}

/// A day (its start, or with `end_of_day` its last second) or an RFC 3339 time.
fn parse_day(text: &str, flag: &str, end_of_day: bool) -> Result<DateTime<Utc>, Failure> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| {
            if end_of_day {
                d.and_hms_opt(23, 59, 59)
            } else {
                d.and_hms_opt(0, 0, 0)
            }
        })
        .map(|d| d.and_utc())
        .ok_or_else(|| Failure::usage(format!("{flag} {text}: use YYYY-MM-DD or an RFC 3339 time")))
}

/// Hands core's facts to the renderer's types (same shape, see core's `reporting`).
pub(crate) fn to_report_data<T: DeserializeOwned>(source: &impl Serialize) -> Result<T, Failure> {
    let value = serde_json::to_value(source)?;
    serde_json::from_value(value).map_err(|e| {
        Failure::from(anyhow::anyhow!(
            "the report data from the database does not match the renderer's format (a bug): {e}"
        ))
    })
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
    let file_name = path
        .file_name()
        .ok_or_else(|| Failure::usage(format!("--out {}: name a file", path.display())))?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(file_name);
    temp_name.push(".part");
    let temp = path.with_file_name(temp_name);
    let what = |e: std::io::Error| {
        Failure::from(anyhow::anyhow!(
            "cannot write {}: {e}; check that the folder exists and is writable",
            path.display()
        ))
    };
    std::fs::write(&temp, bytes).map_err(what)?;
    std::fs::rename(&temp, path).map_err(what)?;
    Ok(path.display().to_string())
}

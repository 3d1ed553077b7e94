//! `plumbline report executive|portfolio`: branded PDF reports, recorded in the database
//! with their parameters and SHA-256.
//!
//! The generation time is `SOURCE_DATE_EPOCH` when set (as reproducible-build tools do),
//! else now; with the same data and generation time the PDF is byte-identical.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Utc};
use plumbline_core::model::TenantId;
use plumbline_core::settings::ReportSettings;
use plumbline_core::store::{NewReport, Store};
use plumbline_reports::generate::{self, ExecutiveScope, ReportRequest};
use plumbline_reports::{BrandingSettings, Fonts, Language, RenderError};
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

/// Options every report takes. Branding and language default to what is saved in the
/// desktop app's Settings (the same database); each flag given overrides its part.
#[derive(clap::Args, Debug)]
pub struct CommonArgs {
    /// Where to write the PDF.
    #[arg(long, value_name = "FILE.pdf")]
    out: PathBuf,
    /// Report language: en or de (default: the one saved in Settings, else en).
    #[arg(long)]
    lang: Option<String>,
    /// The MSP's name on the cover and in the running header (default: the one saved in
    /// Settings, else "Plumbline").
    #[arg(long, env = "PLUMBLINE_MSP_NAME")]
    msp_name: Option<String>,
    /// A PNG logo for the cover (default: the logo saved in Settings, if any).
    #[arg(long, value_name = "PNG", conflicts_with = "no_logo")]
    logo: Option<PathBuf>,
    /// Leave out the logo saved in Settings.
    #[arg(long)]
    no_logo: bool,
    /// Accent colour, #RRGGBB (default: the one saved in Settings, else #1F4E79).
    #[arg(long)]
    accent: Option<String>,
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
    let request = request(store, &args.common, generated_at).await?;
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
    let request = request(store, args, generated_at).await?;
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

/// The flags over the branding and language saved in Settings; the logo is read (or the
/// saved one decoded) and the colour checked here, before the report's data is.
async fn request(
    store: &Store,
    args: &CommonArgs,
    generated_at: DateTime<Utc>,
) -> Result<ReportRequest, Failure> {
    let saved = store.report_settings().await?;
    let (settings, saved_logo, language) = resolve(args, &saved)?;
    match saved_logo {
        Some(png) => ReportRequest::with_logo_png(language, settings, Some(png), generated_at),
        None => ReportRequest::new(language, settings, generated_at),
    }
    .map_err(render_failure)
}

/// Each part from its flag, else from Settings, else the built-in default. The saved logo
/// is returned as bytes (its file may have moved since); `--logo` or `--no-logo` replace
/// it.
fn resolve<'a>(
    args: &CommonArgs,
    saved: &'a ReportSettings,
) -> Result<(BrandingSettings, Option<&'a [u8]>, Language), Failure> {
    let defaults = BrandingSettings::default();
    let saved_text = |text: &str| Some(text.to_owned()).filter(|t| !t.trim().is_empty());
    let msp_name = args
        .msp_name
        .clone()
        .or_else(|| saved_text(&saved.msp_name))
        .unwrap_or(defaults.msp_name);
    let accent = args
        .accent
        .clone()
        .or_else(|| saved_text(&saved.accent_colour))
        .unwrap_or(defaults.accent);
    let (logo_path, saved_logo) = match (&args.logo, &saved.logo) {
        (Some(path), _) => (Some(path.clone()), None),
        (None, Some(logo)) if !args.no_logo => {
            (Some(PathBuf::from(&logo.source)), Some(logo.png.as_slice()))
        }
        (None, _) => (None, None),
    };
    let language = match &args.lang {
        Some(text) => language(text)?,
        None => Language::parse(saved.language.code()).unwrap_or(Language::En),
    };
    let settings = BrandingSettings {
        msp_name,
        accent,
        logo_path,
    };
    Ok((settings, saved_logo, language))
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

#[cfg(test)]
mod tests {
    use clap::Parser;
    use plumbline_core::settings::{self, BrandingUpdate, LogoChange, ReportLanguage};

    use super::*;

    #[derive(clap::Parser)]
    struct Harness {
        #[command(subcommand)]
        command: Command,
    }

    fn parse(args: &[&str]) -> Command {
        let mut argv = vec!["plumbline"];
        argv.extend_from_slice(args);
        Harness::try_parse_from(argv).expect("arguments").command
    }

    fn common(command: &Command) -> &CommonArgs {
        match command {
            Command::Executive(args) => &args.common,
            Command::Portfolio(args) => args,
        }
    }

    fn png() -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, 1, 1);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("png header");
        writer.write_image_data(&[10, 20, 30]).expect("png data");
        drop(writer);
        bytes
    }

    fn saved() -> ReportSettings {
        ReportSettings {
            msp_name: "Saved MSP".into(),
            accent_colour: "#AA3300".into(),
            logo: Some(settings::StoredLogo {
                png: png(),
                sha256: String::new(),
                source: "/moved/away/logo.png".into(),
            }),
            language: ReportLanguage::De,
            updated_at: Some("2026-12-01T00:00:00.000Z".into()),
        }
    }

    #[test]
    fn without_flags_the_saved_branding_and_language_are_used() {
        let saved = saved();
        let command = parse(&["portfolio", "--out", "p.pdf"]);
        let (branding, logo, language) = resolve(common(&command), &saved).expect("resolve");
        assert_eq!(branding.msp_name, "Saved MSP");
        assert_eq!(branding.accent, "#AA3300");
        assert_eq!(
            branding.logo_path,
            Some(PathBuf::from("/moved/away/logo.png"))
        );
        assert_eq!(logo, Some(png().as_slice()));
        assert_eq!(language, Language::De);

        // Nothing saved: the built-in defaults.
        let nothing = ReportSettings::default();
        let (branding, logo, language) = resolve(common(&command), &nothing).expect("defaults");
        assert_eq!(branding, BrandingSettings::default());
        assert_eq!((logo, language), (None, Language::En));
    }

    #[test]
    fn each_flag_overrides_its_part_of_the_saved_branding() {
        let saved = saved();
        let command = parse(&[
            "executive",
            "--tenant",
            "Contoso",
            "--out",
            "e.pdf",
            "--msp-name",
            "Flag MSP",
            "--lang",
            "en",
        ]);
        let (branding, logo, language) = resolve(common(&command), &saved).expect("resolve");
        assert_eq!(branding.msp_name, "Flag MSP");
        assert_eq!(branding.accent, "#AA3300", "not given: saved");
        assert!(logo.is_some(), "not given: saved");
        assert_eq!(language, Language::En);

        let command = parse(&["portfolio", "--out", "p.pdf", "--logo", "/new.png"]);
        let (branding, logo, _) = resolve(common(&command), &saved).expect("resolve");
        assert_eq!(branding.logo_path, Some(PathBuf::from("/new.png")));
        assert_eq!(logo, None, "the file given is read instead");

        let command = parse(&["portfolio", "--out", "p.pdf", "--no-logo"]);
        let (branding, logo, _) = resolve(common(&command), &saved).expect("resolve");
        assert_eq!((branding.logo_path, logo), (None, None));

        let both = Harness::try_parse_from([
            "plumbline",
            "portfolio",
            "--out",
            "p.pdf",
            "--no-logo",
            "--logo",
            "/x.png",
        ]);
        assert!(both.is_err(), "--logo and --no-logo conflict");
    }

    /// `plumbline report` on a database whose Settings hold branding, with no branding
    /// flags: the recorded report carries the saved name, colour, language and logo,
    /// whose file no longer exists.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_report_without_flags_is_branded_from_settings() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("plumbline.db"))
            .await
            .expect("store");
        store
            .ensure_tenant(&plumbline_core::model::TenantProfile {
                display_name: "Contoso".into(),
                ..Default::default()
            })
            .await
            .expect("tenant");
        let logo = png();
        settings::save_branding(
            &store,
            &BrandingUpdate {
                msp_name: "Saved MSP".into(),
                accent_colour: "#aa3300".into(),
                logo: LogoChange::Replace {
                    png: logo.clone(),
                    source: dir.path().join("gone.png").display().to_string(),
                },
            },
        )
        .await
        .expect("save branding");
        settings::set_report_language(&store, ReportLanguage::De)
            .await
            .expect("language");

        let out = dir.path().join("portfolio.pdf");
        let out_text = out.display().to_string();
        run(&store, &parse(&["portfolio", "--out", &out_text]), true)
            .await
            .expect("report");
        assert!(std::fs::read(&out).expect("pdf").starts_with(b"%PDF"));
        let reports = store.list_reports(None).await.expect("reports");
        let parameters = &reports[0].parameters;
        assert_eq!(parameters["branding"]["msp_name"], "Saved MSP");
        assert_eq!(parameters["branding"]["accent"], "#AA3300");
        assert_eq!(
            parameters["branding"]["logo_sha256"],
            plumbline_reports::sha256_hex(&logo)
        );
        assert_eq!(parameters["language"], "de");
    }
}

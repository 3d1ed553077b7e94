//! From the store's facts to a finished PDF: the glue the CLI (`plumbline report`) and the
//! desktop's Reports page share, so both make the same report (same id, same parameters,
//! same bytes) from the same request.
//!
//! It stays store-agnostic: the caller reads `plumbline-core`'s `ExecutiveSource` or
//! `PortfolioSource` and passes it in as anything serialisable of the renderer's shape
//! ([`crate::data`]); the caller also records the result (`Store::record_report`) with the
//! [`Generated::parameters`] built here.

use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{
    derive_report_id, render_executive, render_portfolio, Branding, BrandingSettings,
    ExecutiveData, Fonts, Language, PortfolioData, RenderError, RenderedPdf, ReportOptions,
};

/// Default length of an executive report's period: a quarter.
pub const DEFAULT_PERIOD_DAYS: i64 = 90;

/// What every report is asked with: language, branding and generation time.
#[derive(Clone, Debug)]
pub struct ReportRequest {
    pub language: Language,
    /// As given, recorded in the report's parameters.
    pub branding_settings: BrandingSettings,
    /// Loaded (logo read, colour checked) by [`ReportRequest::new`], so a bad logo fails
    /// before the database is read.
    pub branding: Branding,
    /// SHA-256 (hex) of the logo's PNG bytes, recorded with the report: it names the
    /// logo exactly, wherever it was read from.
    pub logo_sha256: Option<String>,
    pub generated_at: DateTime<Utc>,
}

impl ReportRequest {
    pub fn new(
        language: Language,
        branding_settings: BrandingSettings,
        generated_at: DateTime<Utc>,
    ) -> Result<Self, RenderError> {
        let png = branding_settings.read_logo()?;
        Self::with_logo_png(language, branding_settings, png.as_deref(), generated_at)
    }

    /// Like [`ReportRequest::new`], with the logo given as PNG bytes (as a settings store
    /// keeps it) instead of read from `branding_settings.logo_path`, which is then only
    /// recorded as where the logo came from.
    pub fn with_logo_png(
        language: Language,
        branding_settings: BrandingSettings,
        logo_png: Option<&[u8]>,
        generated_at: DateTime<Utc>,
    ) -> Result<Self, RenderError> {
        let branding = branding_settings.load_with_png(logo_png)?;
        Ok(Self {
            language,
            branding_settings,
            branding,
            logo_sha256: logo_png.map(crate::sha256_hex),
            generated_at,
        })
    }

    fn options(&self, report_id: String) -> ReportOptions {
        ReportOptions {
            language: self.language,
            branding: self.branding.clone(),
            generated_at: self.generated_at,
            report_id,
        }
    }

    fn merge_branding(&self, parameters: &mut serde_json::Value) {
        let branding = &self.branding_settings;
        parameters["branding"] = serde_json::json!({
            "msp_name": branding.msp_name,
            "accent": branding.accent,
            "logo": branding.logo_path.as_ref().map(|p| p.display().to_string()),
        });
        if let Some(sha256) = &self.logo_sha256 {
            parameters["branding"]["logo_sha256"] = serde_json::Value::String(sha256.clone());
        }
    }
}

/// The tenant and period of an executive report.
#[derive(Clone, Debug)]
pub struct ExecutiveScope {
    pub tenant_name: String,
    pub tenant_id: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// A rendered report and the parameters to record it with.
#[derive(Clone, Debug)]
pub struct Generated {
    pub report_id: String,
    pub pdf: RenderedPdf,
    /// What the report was made from (tenant, period, language, branding, generation
    /// time, report id, pages): stored with the report.
    pub parameters: serde_json::Value,
    /// Tenants in a portfolio report (1 for an executive report).
    pub tenants: usize,
}

/// Renders the executive report from core's `ExecutiveSource`.
pub fn executive(
    source: &impl Serialize,
    scope: &ExecutiveScope,
    request: &ReportRequest,
    fonts: &Fonts,
) -> Result<Generated, RenderError> {
    let data: ExecutiveData = to_report_data(source)?;
    let mut parameters = serde_json::json!({
        "tenant": scope.tenant_name,
        "tenant_id": scope.tenant_id,
        "from": scope.from,
        "to": scope.to,
        "language": request.language,
        "generated_at": request.generated_at,
    });
    request.merge_branding(&mut parameters);
    let report_id = derive_report_id("executive", &parameters, &data, request.generated_at);
    let pdf = render_executive(&data, &request.options(report_id.clone()), fonts)?;
    Ok(finish(report_id, pdf, parameters, 1))
}

/// Renders the portfolio report from core's `PortfolioSource`.
pub fn portfolio(
    source: &impl Serialize,
    request: &ReportRequest,
    fonts: &Fonts,
) -> Result<Generated, RenderError> {
    let data: PortfolioData = to_report_data(source)?;
    let mut parameters = serde_json::json!({
        "language": request.language,
        "generated_at": request.generated_at,
        "tenants": data.tenants.len(),
    });
    request.merge_branding(&mut parameters);
    let report_id = derive_report_id("portfolio", &parameters, &data, request.generated_at);
    let pdf = render_portfolio(&data, &request.options(report_id.clone()), fonts)?;
    Ok(finish(report_id, pdf, parameters, data.tenants.len()))
}

fn finish(
    report_id: String,
    pdf: RenderedPdf,
    mut parameters: serde_json::Value,
    tenants: usize,
) -> Generated {
    parameters["report_id"] = serde_json::Value::String(report_id.clone());
    parameters["pages"] = serde_json::json!(pdf.pages);
    Generated {
        report_id,
        pdf,
        parameters,
        tenants,
    }
}

/// Hands core's facts to the renderer's types (same shape, see core's `reporting`).
pub fn to_report_data<T: DeserializeOwned>(source: &impl Serialize) -> Result<T, RenderError> {
    serde_json::to_value(source)
        .and_then(serde_json::from_value)
        .map_err(|e| RenderError::Data(e.to_string()))
}

/// Why a period or generation time given as text was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("{0}: use YYYY-MM-DD or an RFC 3339 time")]
    Date(String),
    #[error("the period starts on {from} after it ends on {to}: give a period that starts before it ends")]
    Reversed { from: String, to: String },
    #[error("SOURCE_DATE_EPOCH={0} is not a number of seconds since 1970-01-01")]
    SourceDateEpoch(String),
}

/// `SOURCE_DATE_EPOCH` (seconds since 1970) when set, else now, to the second.
pub fn generation_time() -> Result<DateTime<Utc>, PeriodError> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .ok_or(PeriodError::SourceDateEpoch(text)),
        _ => {
            let now = Utc::now();
            Ok(DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now))
        }
    }
}

/// A day (its start, or with `end_of_day` its last second) or an RFC 3339 time.
pub fn parse_day(text: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
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
}

/// The executive report's period from optional `from`/`to` texts: `to` defaults to the
/// generation time, `from` to [`DEFAULT_PERIOD_DAYS`] before `to`. Errors name the text
/// with `label(is_to)` (the CLI says `--from`, the desktop "From").
pub fn period(
    from: Option<&str>,
    to: Option<&str>,
    generated_at: DateTime<Utc>,
    label: impl Fn(bool) -> String,
) -> Result<(DateTime<Utc>, DateTime<Utc>), PeriodError> {
    let to = match to {
        Some(text) => parse_day(text, true)
            .ok_or_else(|| PeriodError::Date(format!("{} {text}", label(true))))?,
        // Through the end of the generation second: it is truncated to whole seconds,
        // and what happened earlier in that second belongs in the report.
        None => generated_at + TimeDelta::milliseconds(999),
    };
    let from = match from {
        Some(text) => parse_day(text, false)
            .ok_or_else(|| PeriodError::Date(format!("{} {text}", label(false))))?,
        None => to - TimeDelta::days(DEFAULT_PERIOD_DAYS),
    };
    if from > to {
        return Err(PeriodError::Reversed {
            from: from.format("%Y-%m-%d").to_string(),
            to: to.format("%Y-%m-%d").to_string(),
        });
    }
    Ok((from, to))
}

/// Writes next to the target and renames, so a reader never sees half a file. The error
/// says which file and what to check.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), RenderError> {
    let what = || {
        format!(
            "cannot write {} (check that the folder exists and is writable)",
            path.display()
        )
    };
    let file_name = path.file_name().ok_or_else(|| RenderError::Io {
        what: what(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"),
    })?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(file_name);
    temp_name.push(".part");
    let temp = path.with_file_name(temp_name);
    std::fs::write(&temp, bytes)
        .and_then(|()| std::fs::rename(&temp, path))
        .map_err(|source| {
            let _ = std::fs::remove_file(&temp);
            RenderError::Io {
                what: what(),
                source,
            }
        })
}

/// A file name that says what the report is: `executive-contoso-ltd-2025-01-01-2025-03-31-en-20250401T120000Z.pdf`.
pub fn default_file_name(
    kind: &str,
    scope: Option<&ExecutiveScope>,
    language: Language,
    generated_at: DateTime<Utc>,
) -> String {
    let mut name = kind.to_owned();
    if let Some(scope) = scope {
        let slug = slug(&scope.tenant_name);
        if !slug.is_empty() {
            name.push('-');
            name.push_str(&slug);
        }
        name.push_str(&format!(
            "-{}-{}",
            scope.from.format("%Y-%m-%d"),
            scope.to.format("%Y-%m-%d")
        ));
    }
    format!(
        "{name}-{}-{}.pdf",
        language.code(),
        generated_at.format("%Y%m%dT%H%M%SZ")
    )
}

/// Lower-case ASCII letters and digits, runs of anything else as one `-` (umlauts and
/// other letters are kept as their ASCII base where obvious, else dropped).
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        let mapped: &str = match c {
            'ä' => "ae",
            'ö' => "oe",
            'ü' => "ue",
            'ß' => "ss",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "-",
        };
        if mapped == "-" {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push_str(mapped);
        }
    }
    let trimmed = out.trim_end_matches('-');
    trimmed
        .chars()
        .take(48)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("time")
            .with_timezone(&Utc)
    }

    fn png_2x1() -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, 2, 1);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("png header");
        writer
            .write_image_data(&[255, 0, 0, 0, 0, 255])
            .expect("png data");
        drop(writer);
        bytes
    }

    #[test]
    fn a_logo_given_as_bytes_draws_and_records_like_one_read_from_its_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("logo.png");
        let png = png_2x1();
        std::fs::write(&path, &png).expect("write");
        let settings = BrandingSettings {
            msp_name: "Acme".into(),
            accent: "#AA3300".into(),
            logo_path: Some(path.clone()),
        };
        let now = at("2026-04-01T12:00:00Z");
        let from_file = ReportRequest::new(Language::En, settings.clone(), now).expect("file");
        // The file is gone: the bytes alone are enough.
        std::fs::remove_file(&path).expect("remove");
        assert!(ReportRequest::new(Language::En, settings.clone(), now).is_err());
        let from_bytes =
            ReportRequest::with_logo_png(Language::En, settings, Some(&png), now).expect("bytes");
        let logo = |r: &ReportRequest| r.branding.logo.as_ref().map(|l| l.rgb.clone());
        assert_eq!(logo(&from_bytes), Some(vec![255, 0, 0, 0, 0, 255]));
        assert_eq!(logo(&from_file), logo(&from_bytes));
        assert_eq!(from_bytes.logo_sha256, Some(crate::sha256_hex(&png)));
        let (mut a, mut b) = (serde_json::json!({}), serde_json::json!({}));
        from_file.merge_branding(&mut a);
        from_bytes.merge_branding(&mut b);
        assert_eq!(a, b);
        assert_eq!(a["branding"]["logo_sha256"], crate::sha256_hex(&png));

        let not_png = ReportRequest::with_logo_png(
            Language::En,
            BrandingSettings::default(),
            Some(b"GIF89a"),
            now,
        )
        .expect_err("not a PNG");
        assert!(matches!(not_png, RenderError::Logo(_)), "{not_png}");
    }

    #[test]
    fn the_default_period_is_the_quarter_through_the_generation_second() {
        let now = at("2026-04-01T12:00:00Z");
        let (from, to) = period(None, None, now, |_| String::new()).expect("period");
        assert_eq!(to, now + TimeDelta::milliseconds(999));
        assert_eq!(to - from, TimeDelta::days(DEFAULT_PERIOD_DAYS));
    }

    #[test]
    fn days_cover_whole_days_and_a_reversed_period_is_refused() {
        let now = at("2026-04-01T12:00:00Z");
        let (from, to) = period(Some("2026-01-01"), Some("2026-03-31"), now, |_| {
            String::new()
        })
        .expect("period");
        assert_eq!(from, at("2026-01-01T00:00:00Z"));
        assert_eq!(to, at("2026-03-31T23:59:59Z"));
        let label = |is_to: bool| if is_to { "To" } else { "From" }.to_owned();
        assert_eq!(
            period(Some("2026-02-30"), None, now, label),
            Err(PeriodError::Date("From 2026-02-30".into()))
        );
        assert!(matches!(
            period(Some("2026-03-31"), Some("2026-01-01"), now, label),
            Err(PeriodError::Reversed { .. })
        ));
    }

    #[test]
    fn file_names_say_what_the_report_is() {
        let scope = ExecutiveScope {
            tenant_name: "Müller & Söhne GmbH".into(),
            tenant_id: "t".into(),
            from: at("2026-01-01T00:00:00Z"),
            to: at("2026-03-31T23:59:59Z"),
        };
        let generated = at("2026-04-01T12:00:00Z");
        assert_eq!(
            default_file_name("executive", Some(&scope), Language::De, generated),
            "executive-mueller-soehne-gmbh-2026-01-01-2026-03-31-de-20260401T120000Z.pdf"
        );
        assert_eq!(
            default_file_name("portfolio", None, Language::En, generated),
            "portfolio-en-20260401T120000Z.pdf"
        );
    }

    #[test]
    fn write_file_replaces_atomically_and_names_the_file_on_failure() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("r.pdf");
        write_file(&path, b"one").expect("write");
        write_file(&path, b"two").expect("rewrite");
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        let missing = dir.path().join("no-such-dir").join("r.pdf");
        let error = write_file(&missing, b"x").expect_err("no folder");
        assert!(error.to_string().contains("no-such-dir"), "{error}");
    }
}

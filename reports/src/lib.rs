//! Plumbline's report rendering: the executive report (one tenant, one period), the
//! portfolio report (all tenants) as PDF, and the CSV exports.
//!
//! The crate takes the plain data of [`data`] and knows nothing about databases, Tauri or
//! the network; `plumbline-core`'s store gathers that data.
//!
//! # Guarantees
//!
//! - **Real text.** Every word is text in an embedded font (extractable with `pdftotext`,
//!   selectable, searchable); charts are vector paths.
//! - **Fonts.** DejaVu Sans from the OS package `fonts-dejavu-core`
//!   (`/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf` and `DejaVuSans-Bold.ttf`, or the
//!   directory in `PLUMBLINE_FONT_DIR`), embedded as a subset of the glyphs used. It covers
//!   all European Latin scripts. No font file is committed. When the files are missing,
//!   [`Fonts::system`] returns the PDF base fonts Helvetica/Helvetica-Bold with a warning,
//!   characters outside Windows-1252 print as `?`, and the report's cover says so.
//! - **Deterministic.** The same data, options and generation time give byte-identical
//!   PDFs: no clock is read, resource names are fixed, the PDF dates are the generation
//!   time and the trailer id is derived from the content (see `pdf.rs`).
//! - **Layout.** Text is wrapped with widths measured from the font's glyph advances;
//!   tables break between rows and repeat their header; every page but the cover has a
//!   running header and footer with the report id, the generation time and "page X of Y".
//!
//! Branding (MSP name, logo, accent colour) comes in through [`Branding`], whose
//! serialisable form [`BrandingSettings`] is what a settings store keeps.

pub mod data;
pub mod export;
pub mod generate;

mod charts;
mod common;
mod executive;
mod font;
mod layout;
mod pdf;
mod portfolio;
mod text;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use data::{ExecutiveData, PortfolioData};
pub use font::{FontError, FontSource, Fonts, DEJAVU_DIR};
pub use pdf::Logo;
pub use text::Language;

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The fonts could not be prepared for embedding.
    #[error(transparent)]
    Font(#[from] FontError),
    /// The logo is not a PNG this renderer reads.
    #[error("the logo is not a readable PNG image: {0}; pass a PNG file with --logo")]
    Logo(String),
    /// The accent colour is not `#RRGGBB`.
    #[error("the accent colour {0:?} is not of the form #RRGGBB (for example #1F4E79)")]
    Accent(String),
    /// Writing the PDF failed (a bug).
    #[error("cannot write the PDF: {0}")]
    Pdf(String),
    /// Writing a CSV export failed.
    #[error("cannot write the CSV: {0}")]
    Csv(#[from] csv::Error),
    /// The store's facts do not fit the renderer's data types (a bug).
    #[error("the report data from the database does not match the renderer's format (a bug): {0}")]
    Data(String),
    /// Reading or writing a file failed.
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

/// The default accent: a dark blue that prints well in colour and in greyscale.
pub const DEFAULT_ACCENT: &str = "#1F4E79";

/// Branding as a settings store keeps it: plain, serialisable, with the logo as a path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandingSettings {
    /// The MSP's name, on the cover and in the running header.
    pub msp_name: String,
    /// `#RRGGBB`.
    pub accent: String,
    /// A PNG logo for the cover.
    pub logo_path: Option<PathBuf>,
}

impl Default for BrandingSettings {
    fn default() -> Self {
        Self {
            msp_name: "Plumbline".to_owned(),
            accent: DEFAULT_ACCENT.to_owned(),
            logo_path: None,
        }
    }
}

impl BrandingSettings {
    /// Reads the logo and checks the colour.
    pub fn load(&self) -> Result<Branding, RenderError> {
        let png = self.read_logo()?;
        self.load_with_png(png.as_deref())
    }

    /// The logo file's bytes, when there is a logo.
    pub fn read_logo(&self) -> Result<Option<Vec<u8>>, RenderError> {
        self.logo_path
            .as_ref()
            .map(|path| {
                std::fs::read(path).map_err(|source| RenderError::Io {
                    what: format!("cannot read the logo {}", path.display()),
                    source,
                })
            })
            .transpose()
    }

    /// Checks the colour and decodes `png` as the logo, without reading `logo_path`: for
    /// a logo a settings store keeps as bytes (the path then only says where it came
    /// from, and may be gone).
    pub fn load_with_png(&self, png: Option<&[u8]>) -> Result<Branding, RenderError> {
        Ok(Branding {
            msp_name: self.msp_name.clone(),
            accent: parse_accent(&self.accent)?,
            logo: png.map(Logo::from_png).transpose()?,
        })
    }
}

/// Branding ready to draw.
#[derive(Clone, Debug)]
pub struct Branding {
    pub msp_name: String,
    pub accent: [u8; 3],
    pub logo: Option<Logo>,
}

impl Default for Branding {
    fn default() -> Self {
        Self {
            msp_name: "Plumbline".to_owned(),
            accent: [0x1f, 0x4e, 0x79],
            logo: None,
        }
    }
}

/// Parses `#RRGGBB` (the `#` is optional).
pub fn parse_accent(text: &str) -> Result<[u8; 3], RenderError> {
    let hex_digits = text.trim().trim_start_matches('#');
    let bad = || RenderError::Accent(text.to_owned());
    if hex_digits.len() != 6 || !hex_digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let bytes = hex::decode(hex_digits).map_err(|_| bad())?;
    Ok([bytes[0], bytes[1], bytes[2]])
}

/// How to render one report.
#[derive(Clone, Debug)]
pub struct ReportOptions {
    pub language: Language,
    pub branding: Branding,
    /// The report's generation time: printed on every page and written as the PDF's
    /// dates. Rendering never reads the clock.
    pub generated_at: DateTime<Utc>,
    /// Printed in the running header and footer, and the PDF's identifier.
    pub report_id: String,
}

/// A rendered PDF.
#[derive(Clone, Debug)]
pub struct RenderedPdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
    /// Lower-case hex SHA-256 of `bytes`.
    pub sha256: String,
}

impl RenderedPdf {
    fn new(bytes: Vec<u8>, pages: usize) -> Self {
        let sha256 = hex::encode(Sha256::digest(&bytes));
        Self {
            bytes,
            pages,
            sha256,
        }
    }
}

/// Renders the executive report of one tenant and one period.
pub fn render_executive(
    data: &ExecutiveData,
    options: &ReportOptions,
    fonts: &Fonts,
) -> Result<RenderedPdf, RenderError> {
    executive::render(data, options, fonts)
}

/// Renders the portfolio report of all tenants.
pub fn render_portfolio(
    data: &PortfolioData,
    options: &ReportOptions,
    fonts: &Fonts,
) -> Result<RenderedPdf, RenderError> {
    portfolio::render(data, options, fonts)
}

/// A report id derived from what the report is made of: the kind, its parameters, its
/// data and its generation time. The same inputs give the same id (and so the same
/// bytes); anything different gives another. Shaped `PL-XXXX-XXXX-XXXX` for people.
pub fn derive_report_id(
    kind: &str,
    parameters: &serde_json::Value,
    data: &impl Serialize,
    generated_at: DateTime<Utc>,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(kind.as_bytes());
    hasher.update([0x1f]);
    hasher.update(parameters.to_string().as_bytes());
    hasher.update([0x1f]);
    // Serialising plain data structs cannot fail; an empty body would still be stable.
    hasher.update(serde_json::to_vec(data).unwrap_or_default());
    hasher.update([0x1f]);
    hasher.update(generated_at.timestamp().to_be_bytes());
    let digest = hex::encode_upper(hasher.finalize());
    format!("PL-{}-{}-{}", &digest[0..4], &digest[4..8], &digest[8..12])
}

/// The score as reports print it ("87.5" / "87,5"): for tests and callers that look
/// for it in the extracted text.
pub fn format_score(score: f64, language: Language) -> String {
    language.decimal(score)
}

/// Lower-case hex SHA-256 of `bytes` (what reports and exports are recorded with).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

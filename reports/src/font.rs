//! Fonts: where they come from, how wide text is, and what is embedded.
//!
//! Reports use DejaVu Sans (regular and bold) from the OS package `fonts-dejavu-core`
//! (`/usr/share/fonts/truetype/dejavu/`, or the directory named by `PLUMBLINE_FONT_DIR`).
//! It covers every European Latin script (German umlauts and ß, Polish, Czech, …). No font
//! file is part of the repository. Each PDF embeds a subset holding only the glyphs it
//! uses, made here with allsorts (printpdf subsets only with its HTML layout feature).
//!
//! When the files are missing, [`Fonts::system`] falls back to the PDF base fonts
//! Helvetica and Helvetica-Bold, which every reader has but which only cover Windows-1252:
//! other characters are printed as `?`, and the report says so on its cover.
//!
//! Text is measured from the font's own glyph advances (`hmtx`), so wrapping and column
//! fitting match what a reader draws.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use printpdf::{BuiltinFont, ParsedFont};

/// The directory Debian and Ubuntu's `fonts-dejavu-core` installs to.
pub const DEJAVU_DIR: &str = "/usr/share/fonts/truetype/dejavu";
const REGULAR_FILE: &str = "DejaVuSans.ttf";
const BOLD_FILE: &str = "DejaVuSans-Bold.ttf";

/// Regular or bold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weight {
    Regular,
    Bold,
}

/// Why a font could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    /// The file could not be read.
    #[error("cannot read the font {}: {source}; install fonts-dejavu-core (scripts/install-deps.sh) or set PLUMBLINE_FONT_DIR", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not a usable TrueType font.
    #[error("{} is not a usable TrueType font", path.display())]
    Parse { path: PathBuf },
    /// Subsetting the font for embedding failed.
    #[error("cannot subset the font for embedding: {0}")]
    Subset(String),
}

/// Where the report fonts come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FontSource {
    /// TrueType files, embedded as subsets.
    Embedded { regular: PathBuf, bold: PathBuf },
    /// The PDF base fonts Helvetica / Helvetica-Bold (Windows-1252 only), not embedded.
    Builtin,
}

/// Advance widths of one face, for measuring.
#[derive(Debug)]
struct Metrics {
    units_per_em: f32,
    /// Advance (font units) of the code points below `DIRECT`; `u16::MAX` when the font
    /// has no glyph for it.
    direct: Vec<u16>,
    other: HashMap<char, u16>,
    missing_advance: u16,
}

const DIRECT: usize = 0x0800;

impl Metrics {
    fn new(font: &ParsedFont) -> Self {
        let mut direct = vec![u16::MAX; DIRECT];
        let mut other = HashMap::new();
        for (codepoint, gid) in &font.codepoint_to_glyph {
            let advance = font.glyph_widths.get(gid).copied().unwrap_or(0);
            match usize::try_from(*codepoint) {
                Ok(cp) if cp < DIRECT => direct[cp] = advance,
                _ => {
                    if let Some(c) = char::from_u32(*codepoint) {
                        other.insert(c, advance);
                    }
                }
            }
        }
        Self {
            units_per_em: f32::from(font.units_per_em.max(1)),
            direct,
            other,
            missing_advance: font.glyph_widths.get(&0).copied().unwrap_or(0),
        }
    }

    fn advance(&self, c: char) -> Option<u16> {
        let cp = c as usize;
        if cp < DIRECT {
            let a = self.direct[cp];
            (a != u16::MAX).then_some(a)
        } else {
            self.other.get(&c).copied()
        }
    }
}

#[derive(Debug)]
enum Program {
    TrueType(ParsedFont),
    Builtin(BuiltinFont),
}

#[derive(Debug)]
struct Face {
    metrics: Metrics,
    program: Program,
}

/// The regular and bold faces of a report, loaded once and shared by every render.
#[derive(Clone, Debug)]
pub struct Fonts {
    faces: Arc<[Face; 2]>,
    source: FontSource,
}

impl Fonts {
    /// DejaVu Sans from `PLUMBLINE_FONT_DIR` or the system font directory; the PDF base
    /// fonts when those files are missing, with a warning saying what to install.
    pub fn system() -> (Self, Option<String>) {
        let dir = std::env::var_os("PLUMBLINE_FONT_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEJAVU_DIR));
        match Self::from_files(&dir.join(REGULAR_FILE), &dir.join(BOLD_FILE)) {
            Ok(fonts) => (fonts, None),
            Err(error) => {
                let warning = format!(
                    "{error}. Falling back to the PDF base font Helvetica, which cannot show \
                     characters outside Windows-1252 (they print as ?)"
                );
                tracing::warn!("{warning}");
                (Self::builtin(), Some(warning))
            }
        }
    }

    /// Two TrueType files (regular, bold).
    pub fn from_files(regular: &Path, bold: &Path) -> Result<Self, FontError> {
        let load = |path: &Path| -> Result<Face, FontError> {
            let bytes = std::fs::read(path).map_err(|source| FontError::Read {
                path: path.to_path_buf(),
                source,
            })?;
            let font = ParsedFont::from_bytes(&bytes, 0, &mut Vec::new()).ok_or_else(|| {
                FontError::Parse {
                    path: path.to_path_buf(),
                }
            })?;
            if font.codepoint_to_glyph.is_empty() {
                return Err(FontError::Parse {
                    path: path.to_path_buf(),
                });
            }
            Ok(Face {
                metrics: Metrics::new(&font),
                program: Program::TrueType(font),
            })
        };
        Ok(Self {
            faces: Arc::new([load(regular)?, load(bold)?]),
            source: FontSource::Embedded {
                regular: regular.to_path_buf(),
                bold: bold.to_path_buf(),
            },
        })
    }

    /// The PDF base fonts Helvetica and Helvetica-Bold (measured from printpdf's copies of
    /// their metrics; nothing is embedded).
    pub fn builtin() -> Self {
        let face = |font: BuiltinFont| {
            let metrics = font
                .get_parsed_font()
                .map(|parsed| Metrics::new(&parsed))
                .unwrap_or_else(|| Metrics {
                    units_per_em: 1000.0,
                    direct: vec![556; DIRECT],
                    other: HashMap::new(),
                    missing_advance: 556,
                });
            Face {
                metrics,
                program: Program::Builtin(font),
            }
        };
        Self {
            faces: Arc::new([
                face(BuiltinFont::Helvetica),
                face(BuiltinFont::HelveticaBold),
            ]),
            source: FontSource::Builtin,
        }
    }

    pub fn source(&self) -> &FontSource {
        &self.source
    }

    /// True when the base-font fallback is in use.
    pub fn is_fallback(&self) -> bool {
        self.source == FontSource::Builtin
    }

    fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.faces[0],
            Weight::Bold => &self.faces[1],
        }
    }

    /// Width of `text` in points at `size`.
    pub fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        let metrics = &self.face(weight).metrics;
        let units: u32 = text
            .chars()
            .map(|c| u32::from(metrics.advance(c).unwrap_or(metrics.missing_advance)))
            .sum();
        units as f32 * size / metrics.units_per_em
    }

    /// Whether the face can draw `c`.
    pub fn covers(&self, c: char, weight: Weight) -> bool {
        self.face(weight).metrics.advance(c).is_some()
    }

    /// `text` with every character the face cannot draw replaced by `?` (a no-op for
    /// DejaVu with European text; the base-font fallback needs it).
    pub fn printable(&self, text: &str, weight: Weight) -> String {
        text.chars()
            .map(|c| {
                if c == '\u{a0}' || self.covers(c, weight) {
                    c
                } else if c.is_whitespace() {
                    ' '
                } else {
                    '?'
                }
            })
            .collect()
    }

    /// The font programs to embed for the characters used, keyed by weight: subsets of
    /// the TrueType faces; `None` for base fonts.
    pub(crate) fn embed(
        &self,
        used: &BTreeMap<Weight, BTreeSet<char>>,
    ) -> Result<BTreeMap<Weight, Embedded>, FontError> {
        let mut out = BTreeMap::new();
        for (weight, chars) in used {
            let embedded = match &self.face(*weight).program {
                Program::Builtin(font) => Embedded::Builtin(*font),
                Program::TrueType(font) => Embedded::Subset(subset(font, chars)?),
            };
            out.insert(*weight, embedded);
        }
        Ok(out)
    }
}

/// What a page refers to for one weight.
#[derive(Debug)]
pub(crate) enum Embedded {
    Subset(ParsedFont),
    Builtin(BuiltinFont),
}

/// A subset of `font` holding `.notdef` and the glyphs of `chars`, parsed back so that
/// printpdf writes its widths and ToUnicode map.
fn subset(font: &ParsedFont, chars: &BTreeSet<char>) -> Result<ParsedFont, FontError> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{CmapTarget, SubsetProfile};

    let glyphs: BTreeSet<u16> = chars
        .iter()
        .filter_map(|c| font.codepoint_to_glyph.get(&(*c as u32)).copied())
        .filter(|gid| *gid != 0)
        .collect();
    // allsorts wants .notdef first and no duplicates.
    let ids: Vec<u16> = std::iter::once(0).chain(glyphs).collect();
    let data = ReadScope::new(&font.original_bytes)
        .read::<FontData<'_>>()
        .map_err(|e| FontError::Subset(e.to_string()))?;
    let provider = data
        .table_provider(font.font_index as usize)
        .map_err(|e| FontError::Subset(e.to_string()))?;
    let bytes = allsorts::subset::subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode)
        .map_err(|e| FontError::Subset(e.to_string()))?;
    let mut parsed = ParsedFont::from_bytes(&bytes, 0, &mut Vec::new())
        .ok_or_else(|| FontError::Subset("the subset font does not parse".to_owned()))?;
    // The subset keeps the face's vertical metrics for the font descriptor.
    parsed.pdf_font_metrics = font.pdf_font_metrics.clone();
    parsed.font_name = Some("DejaVuSans".to_owned());
    Ok(parsed)
}

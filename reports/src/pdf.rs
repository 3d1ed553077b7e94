//! Writing laid-out pages as a PDF, byte for byte the same for the same input.
//!
//! printpdf draws the pages; three things are pinned here because printpdf would make
//! them vary: resource names (fonts `FR`/`FB`, the logo `Logo`, bookmark ids) are fixed
//! instead of random, the document dates are the report's generation time, and the
//! trailer `/ID` — random in printpdf — is the first 16 bytes of the SHA-256 of the file
//! written with an all-zero id, patched in place (same length, so offsets hold).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use printpdf::{
    Color as PdfColor, FontId, LineDashPattern, LinePoint, Op, PageAnnotId, PageAnnotation,
    PaintMode, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, PdfWarnMsg, Point, Pt,
    RawImage, RawImageData, RawImageFormat, Rect, Rgb, TextItem, TextMatrix, WindingOrder, XObject,
    XObjectId, XObjectTransform,
};
use sha2::{Digest, Sha256};

use crate::font::{Embedded, Fonts, Weight};
use crate::layout::{Color, Page, Shape, TocEntry, PAGE_H, PAGE_W};
use crate::RenderError;

/// Document properties written to the PDF's info dictionary.
#[derive(Clone, Debug)]
pub struct DocumentInfo {
    pub title: String,
    pub subject: String,
    pub author: String,
    pub report_id: String,
    pub generated_at: DateTime<Utc>,
    pub keywords: Vec<String>,
}

/// A decoded logo, ready to embed.
#[derive(Clone, Debug)]
pub struct Logo {
    pub width: usize,
    pub height: usize,
    /// RGB, 8 bits per channel, transparency composited over white.
    pub rgb: Vec<u8>,
}

impl Logo {
    /// Decodes a PNG (any colour type and bit depth the `png` crate reads).
    pub fn from_png(bytes: &[u8]) -> Result<Self, RenderError> {
        let bad = |e: String| RenderError::Logo(e);
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info().map_err(|e| bad(e.to_string()))?;
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| bad("the image is too large".to_owned()))?;
        if size > 64 * 1024 * 1024 {
            return Err(bad("the image is larger than 64 MiB decoded".to_owned()));
        }
        let mut buffer = vec![0; size];
        let info = reader
            .next_frame(&mut buffer)
            .map_err(|e| bad(e.to_string()))?;
        let pixels = &buffer[..info.buffer_size()];
        let (width, height) = (info.width as usize, info.height as usize);
        let over_white = |c: u8, a: u8| -> u8 {
            ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a)) + 127) / 255) as u8
        };
        let rgb: Vec<u8> = match info.color_type {
            png::ColorType::Rgb => pixels.to_vec(),
            png::ColorType::Rgba => pixels
                .chunks_exact(4)
                .flat_map(|p| {
                    [
                        over_white(p[0], p[3]),
                        over_white(p[1], p[3]),
                        over_white(p[2], p[3]),
                    ]
                })
                .collect(),
            png::ColorType::Grayscale => pixels.iter().flat_map(|g| [*g, *g, *g]).collect(),
            png::ColorType::GrayscaleAlpha => pixels
                .chunks_exact(2)
                .flat_map(|p| {
                    let g = over_white(p[0], p[1]);
                    [g, g, g]
                })
                .collect(),
            png::ColorType::Indexed => {
                return Err(bad("indexed colour was not expanded".to_owned()))
            }
        };
        if width == 0 || height == 0 || rgb.len() != width * height * 3 {
            return Err(bad("unexpected pixel layout".to_owned()));
        }
        Ok(Self { width, height, rgb })
    }
}

const FONT_REGULAR: &str = "FR";
const FONT_BOLD: &str = "FB";
const LOGO_ID: &str = "Logo";

/// Writes the pages as a PDF.
pub fn write(
    pages: &[Page],
    fonts: &Fonts,
    logo: Option<&Logo>,
    info: &DocumentInfo,
    outline: &[TocEntry],
) -> Result<Vec<u8>, RenderError> {
    let mut used: BTreeMap<Weight, BTreeSet<char>> = BTreeMap::new();
    for page in pages {
        for shape in &page.shapes {
            if let Shape::Text { weight, text, .. } = shape {
                used.entry(*weight).or_default().extend(text.chars());
            }
        }
    }
    let embedded = fonts.embed(&used)?;

    let mut doc = PdfDocument::new(&info.title);
    let mut handles: BTreeMap<Weight, PdfFontHandle> = BTreeMap::new();
    for (weight, font) in embedded {
        let handle = match font {
            Embedded::Builtin(builtin) => PdfFontHandle::Builtin(builtin),
            Embedded::Subset(mut parsed) => {
                let (id, name) = match weight {
                    Weight::Regular => (FONT_REGULAR, "DejaVuSans"),
                    Weight::Bold => (FONT_BOLD, "DejaVuSans-Bold"),
                };
                // ISO 32000-1 9.6.4: a subset font's name carries a six-letter tag.
                let chars: String = used.get(&weight).into_iter().flatten().collect();
                let digest = Sha256::digest(chars.as_bytes());
                let tag: String = digest[..6]
                    .iter()
                    .map(|b| char::from(b'A' + b % 26))
                    .collect();
                parsed.font_name = Some(format!("{tag}+{name}"));
                let font_id = FontId(id.to_owned());
                doc.resources
                    .fonts
                    .map
                    .insert(font_id.clone(), printpdf::PdfFont::new(parsed));
                PdfFontHandle::External(font_id)
            }
        };
        handles.insert(weight, handle);
    }
    if let Some(logo) = logo {
        doc.resources.xobjects.map.insert(
            XObjectId(LOGO_ID.to_owned()),
            XObject::Image(RawImage {
                pixels: RawImageData::U8(logo.rgb.clone()),
                width: logo.width,
                height: logo.height,
                data_format: RawImageFormat::RGB8,
                tag: Vec::new(),
            }),
        );
    }

    let mut pdf_pages = Vec::with_capacity(pages.len());
    for page in pages {
        pdf_pages.push(PdfPage::new(
            Pt(PAGE_W).into(),
            Pt(PAGE_H).into(),
            page_ops(page, &handles, logo),
        ));
    }
    doc.pages = pdf_pages;
    for (index, entry) in outline.iter().enumerate() {
        doc.bookmarks.map.insert(
            PageAnnotId(format!("B{index:04}")),
            PageAnnotation {
                name: entry.title.clone(),
                page: entry.page,
            },
        );
    }

    let when = pdf_time(info.generated_at);
    let meta = &mut doc.metadata.info;
    meta.creation_date = when;
    meta.modification_date = when;
    meta.metadata_date = when;
    meta.author = info.author.clone();
    meta.creator = "Plumbline".to_owned();
    meta.producer = "Plumbline (printpdf)".to_owned();
    meta.subject = info.subject.clone();
    meta.identifier = info.report_id.clone();
    meta.keywords = info.keywords.clone();

    let options = PdfSaveOptions {
        optimize: true,
        subset_fonts: false,
        secure: true,
        image_optimization: None,
    };
    let mut warnings: Vec<PdfWarnMsg> = Vec::new();
    let mut lopdf_doc = printpdf::serialize::to_lopdf_doc(&doc, &options, &mut warnings);
    lopdf_doc.compress();
    let zero = vec![0u8; 16];
    lopdf_doc.trailer.set(
        "ID",
        lopdf::Object::Array(vec![
            lopdf::Object::String(zero.clone(), lopdf::StringFormat::Hexadecimal),
            lopdf::Object::String(zero, lopdf::StringFormat::Hexadecimal),
        ]),
    );
    let mut bytes = Vec::new();
    lopdf_doc
        .save_to(&mut bytes)
        .map_err(|e| RenderError::Pdf(e.to_string()))?;
    for warning in warnings
        .iter()
        .filter(|w| w.severity == printpdf::PdfParseErrorSeverity::Error)
    {
        tracing::warn!("printpdf: {}", warning.msg);
    }
    patch_id(&mut bytes)?;
    Ok(bytes)
}

/// Replaces the all-zero trailer id with one derived from the file's content.
fn patch_id(bytes: &mut [u8]) -> Result<(), RenderError> {
    let placeholder = b"<00000000000000000000000000000000>";
    let position = bytes
        .windows(placeholder.len())
        .rposition(|w| w == placeholder)
        .ok_or_else(|| RenderError::Pdf("the trailer id was not written".to_owned()))?;
    let digest = Sha256::digest(&*bytes);
    let id = format!("<{}>", hex::encode_upper(&digest[..16]));
    // Both entries of /ID: the placeholder appears twice in a row (maybe with a space).
    let first = bytes[..position]
        .windows(placeholder.len())
        .rposition(|w| w == placeholder);
    bytes[position..position + placeholder.len()].copy_from_slice(id.as_bytes());
    if let Some(first) = first.filter(|f| position - f <= placeholder.len() + 2) {
        bytes[first..first + placeholder.len()].copy_from_slice(id.as_bytes());
    }
    Ok(())
}

fn pdf_time(at: DateTime<Utc>) -> printpdf::OffsetDateTime {
    printpdf::OffsetDateTime::from_unix_timestamp(at.timestamp())
        .unwrap_or_else(|_| printpdf::PdfDocumentInfo::default().creation_date)
}

fn rgb(color: Color) -> PdfColor {
    PdfColor::Rgb(Rgb::new(color.0, color.1, color.2, None))
}

fn point(x: f32, y: f32) -> LinePoint {
    LinePoint {
        p: Point {
            x: Pt(x),
            y: Pt(PAGE_H - y),
        },
        bezier: false,
    }
}

/// Graphics first (backgrounds, rules, charts), then all text in one text object.
fn page_ops(page: &Page, fonts: &BTreeMap<Weight, PdfFontHandle>, logo: Option<&Logo>) -> Vec<Op> {
    let mut ops = Vec::with_capacity(page.shapes.len() * 4);
    let mut fill: Option<Color> = None;
    let mut stroke: Option<Color> = None;
    let mut line_width: Option<f32> = None;
    let mut dashed = false;
    for shape in &page.shapes {
        match shape {
            Shape::Text { .. } => {}
            Shape::Rect {
                x,
                y,
                w,
                h,
                fill: fill_color,
                stroke: stroke_color,
            } => {
                let mode = match (fill_color, stroke_color) {
                    (Some(_), Some(_)) => PaintMode::FillStroke,
                    (Some(_), None) => PaintMode::Fill,
                    (None, Some(_)) => PaintMode::Stroke,
                    (None, None) => continue,
                };
                if let Some(c) = fill_color.filter(|c| fill != Some(*c)) {
                    ops.push(Op::SetFillColor { col: rgb(c) });
                    fill = Some(c);
                }
                if let Some((c, width)) = stroke_color {
                    set_stroke(&mut ops, &mut stroke, &mut line_width, *c, *width);
                    if dashed {
                        ops.push(Op::SetLineDashPattern {
                            dash: LineDashPattern::default(),
                        });
                        dashed = false;
                    }
                }
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(*x),
                        y: Pt(PAGE_H - y - h),
                        width: Pt(*w),
                        height: Pt(*h),
                        mode: Some(mode),
                        winding_order: Some(WindingOrder::NonZero),
                    },
                });
            }
            Shape::Line {
                points,
                color,
                width,
                dashed: want_dash,
            } => {
                if points.len() < 2 {
                    continue;
                }
                set_stroke(&mut ops, &mut stroke, &mut line_width, *color, *width);
                if *want_dash != dashed {
                    ops.push(Op::SetLineDashPattern {
                        dash: if *want_dash {
                            LineDashPattern::new(0.0, &[2.0, 2.0])
                        } else {
                            LineDashPattern::default()
                        },
                    });
                    dashed = *want_dash;
                }
                ops.push(Op::DrawLine {
                    line: printpdf::Line {
                        points: points.iter().map(|(x, y)| point(*x, *y)).collect(),
                        is_closed: false,
                    },
                });
            }
            Shape::Logo { x, y, w, h } => {
                let Some(logo) = logo else { continue };
                ops.push(Op::UseXobject {
                    id: XObjectId(LOGO_ID.to_owned()),
                    transform: XObjectTransform {
                        translate_x: Some(Pt(*x)),
                        translate_y: Some(Pt(PAGE_H - y - h)),
                        rotate: None,
                        scale_x: Some(*w / logo.width as f32),
                        scale_y: Some(*h / logo.height as f32),
                        dpi: Some(72.0),
                        ..XObjectTransform::default()
                    },
                });
            }
        }
    }

    let mut in_text = false;
    let mut font: Option<(Weight, f32)> = None;
    for shape in &page.shapes {
        let Shape::Text {
            x,
            y,
            weight,
            size,
            color,
            text,
        } = shape
        else {
            continue;
        };
        let Some(handle) = fonts.get(weight) else {
            continue;
        };
        if !in_text {
            ops.push(Op::StartTextSection);
            in_text = true;
        }
        if font != Some((*weight, *size)) {
            ops.push(Op::SetFont {
                font: handle.clone(),
                size: Pt(*size),
            });
            font = Some((*weight, *size));
        }
        if fill != Some(*color) {
            ops.push(Op::SetFillColor { col: rgb(*color) });
            fill = Some(*color);
        }
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(Pt(*x), Pt(PAGE_H - y)),
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::Text(text.clone())],
        });
    }
    if in_text {
        ops.push(Op::EndTextSection);
    }
    ops
}

fn set_stroke(
    ops: &mut Vec<Op>,
    current: &mut Option<Color>,
    current_width: &mut Option<f32>,
    color: Color,
    width: f32,
) {
    if *current != Some(color) {
        ops.push(Op::SetOutlineColor { col: rgb(color) });
        *current = Some(color);
    }
    if *current_width != Some(width) {
        ops.push(Op::SetOutlineThickness { pt: Pt(width) });
        *current_width = Some(width);
    }
}

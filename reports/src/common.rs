//! What every report shares: the cover, the table of contents, the running header and
//! footer, and writing the result.

use crate::font::{Fonts, Weight};
use crate::layout::{
    Align, Color, Layout, Page, Shape, BODY_BOTTOM, BODY_TOP, BODY_W, MARGIN_X, PAGE_H, PAGE_W,
};
use crate::pdf::{self, DocumentInfo};
use crate::text::{Language, Texts};
use crate::{RenderError, RenderedPdf, ReportOptions};

/// The cover's facts, in the order printed under the title.
pub(crate) struct Cover<'a> {
    pub title: &'a str,
    pub subject: &'a str,
    pub subtitle: Option<String>,
    pub facts: Vec<(&'a str, String)>,
    /// A big number to show (the score), with its label.
    pub headline: Option<(String, String)>,
}

pub(crate) fn accent(options: &ReportOptions) -> Color {
    let [r, g, b] = options.branding.accent;
    Color::from_rgb8(r, g, b)
}

pub(crate) fn texts(options: &ReportOptions) -> &'static Texts {
    options.language.t()
}

/// Page 1: the cover (no running header); page 2 is reserved for the contents.
pub(crate) fn cover(layout: &mut Layout<'_>, options: &ReportOptions, cover: &Cover<'_>) {
    let t = texts(options);
    let accent = layout.accent;
    layout.new_page();
    layout.pages[0].bare = true;
    let band_h = 150.0;
    layout.push(Shape::Rect {
        x: 0.0,
        y: 0.0,
        w: PAGE_W,
        h: band_h,
        fill: Some(accent),
        stroke: None,
    });
    let on_accent = accent.text_on();
    let mut name_x = MARGIN_X;
    if let Some(logo) = &options.branding.logo {
        // Fit the logo in a 90 × 60 pt box on a white tile, keeping its aspect ratio.
        let (bw, bh) = (90.0f32, 60.0f32);
        let scale = (bw / logo.width as f32).min(bh / logo.height as f32);
        let (w, h) = (logo.width as f32 * scale, logo.height as f32 * scale);
        layout.push(Shape::Rect {
            x: MARGIN_X - 6.0,
            y: 45.0 - 6.0,
            w: w + 12.0,
            h: h + 12.0,
            fill: Some(Color::WHITE),
            stroke: None,
        });
        layout.push(Shape::Logo {
            x: MARGIN_X,
            y: 45.0,
            w,
            h,
        });
        name_x = MARGIN_X + w + 24.0;
    }
    let msp = options.branding.msp_name.clone();
    for (i, line) in layout
        .wrap(&msp, Weight::Bold, 20.0, PAGE_W - MARGIN_X - name_x)
        .iter()
        .take(2)
        .enumerate()
    {
        layout.text(
            name_x,
            72.0 + i as f32 * 24.0,
            line,
            Weight::Bold,
            20.0,
            on_accent,
        );
    }
    layout.text(
        name_x,
        126.0,
        &format!("{} {}", t.prepared_by, msp),
        Weight::Regular,
        9.0,
        on_accent,
    );

    layout.y = 230.0;
    layout.paragraph(cover.title, 14.0, Weight::Regular, Color::MUTED);
    layout.gap(4.0);
    layout.paragraph(cover.subject, 28.0, Weight::Bold, Color::TEXT);
    if let Some(subtitle) = &cover.subtitle {
        layout.paragraph(subtitle, 11.0, Weight::Regular, Color::MUTED);
    }
    layout.gap(18.0);
    for (label, value) in &cover.facts {
        layout.ensure(16.0);
        layout.y += 16.0;
        let y = layout.y;
        layout.text(MARGIN_X, y, label, Weight::Bold, 10.0, Color::MUTED);
        layout.text_in(
            MARGIN_X + 120.0,
            y,
            BODY_W - 120.0,
            Align::Left,
            value,
            Weight::Regular,
            10.0,
            Color::TEXT,
        );
    }
    if let Some((number, label)) = &cover.headline {
        let y = 600.0_f32.max(layout.y + 40.0);
        layout.push(Shape::Rect {
            x: MARGIN_X,
            y,
            w: 200.0,
            h: 90.0,
            fill: None,
            stroke: Some((accent, 1.5)),
        });
        layout.text(
            MARGIN_X + 14.0,
            y + 22.0,
            label,
            Weight::Bold,
            10.0,
            Color::MUTED,
        );
        layout.text(
            MARGIN_X + 14.0,
            y + 70.0,
            number,
            Weight::Bold,
            40.0,
            crate::charts::ink(accent),
        );
        layout.text(
            MARGIN_X + 14.0 + layout.fonts.width(number, Weight::Bold, 40.0) + 6.0,
            y + 70.0,
            "/ 100",
            Weight::Regular,
            14.0,
            Color::MUTED,
        );
    }
    if layout.fonts.is_fallback() {
        layout.y = 720.0;
        layout.paragraph(t.font_fallback_note, 8.0, Weight::Regular, Color::MUTED);
    }
    // Page 2: the contents, filled in by `contents` once the page numbers are known;
    // the body starts on page 3.
    layout.new_page();
    layout.new_page();
}

/// Fills page 2 with the table of contents.
pub(crate) fn contents(layout: &mut Layout<'_>, options: &ReportOptions) {
    let t = texts(options);
    let entries = layout.toc.clone();
    let mut page = Page::default();
    std::mem::swap(&mut page, &mut layout.pages[1]);
    let saved_pages = std::mem::take(&mut layout.pages);
    // Draw onto a scratch layout state, then put the page back in place.
    layout.pages = vec![page];
    layout.y = BODY_TOP;
    layout.heading_untracked(t.contents);
    for entry in &entries {
        let (size, weight, indent) = if entry.level == 1 {
            (11.0, Weight::Bold, 0.0)
        } else {
            (9.5, Weight::Regular, 16.0)
        };
        let gap = if entry.level == 1 { 10.0 } else { 4.0 };
        layout.y += size + gap;
        let y = layout.y;
        if y > BODY_BOTTOM {
            break;
        }
        let number = entry.page.to_string();
        let number_w = layout.fonts.width(&number, weight, size);
        let title_w = BODY_W - indent - number_w - 24.0;
        let title = layout.fit(&entry.title, weight, size, title_w);
        let drawn_w = layout.fonts.width(&title, weight, size);
        layout.text(MARGIN_X + indent, y, &title, weight, size, Color::TEXT);
        // Dot leader between the title and its page number.
        let from = MARGIN_X + indent + drawn_w + 6.0;
        let to = MARGIN_X + BODY_W - number_w - 6.0;
        if to > from {
            layout.push(Shape::Line {
                points: vec![(from, y), (to, y)],
                color: Color::RULE,
                width: 0.6,
                dashed: true,
            });
        }
        layout.text(
            MARGIN_X + BODY_W - number_w,
            y,
            &number,
            weight,
            size,
            Color::TEXT,
        );
    }
    let page = layout.pages.pop().unwrap_or_default();
    layout.pages = saved_pages;
    layout.pages[1] = page;
}

impl Layout<'_> {
    /// A level-1 heading that is not listed in the contents (the contents' own title).
    pub(crate) fn heading_untracked(&mut self, title: &str) {
        let before = self.toc.len();
        self.heading(title, 1);
        self.toc.truncate(before);
    }
}

/// Running header and footer on every page but the cover.
pub(crate) fn decorate(layout: &mut Layout<'_>, options: &ReportOptions, header_left: &str) {
    let t = texts(options);
    let lang: Language = options.language;
    let total = layout.pages.len();
    let id = format!("{} {}", t.report_id, options.report_id);
    let generated = format!("{} {}", t.generated, lang.date_time(options.generated_at));
    let fonts: &Fonts = layout.fonts;
    for index in 0..total {
        if layout.pages[index].bare {
            continue;
        }
        let page_label = format!("{} {} {} {}", t.page, index + 1, t.of, total);
        let mut shapes = Vec::new();
        let mut put = |x: f32, y: f32, text: &str, weight: Weight, color: Color| {
            shapes.push(Shape::Text {
                x,
                y,
                weight,
                size: 7.5,
                color,
                text: fonts.printable(text, weight),
            });
        };
        let id_w = fonts.width(&id, Weight::Regular, 7.5);
        let left_room = BODY_W - id_w - 16.0;
        let header = fit(fonts, header_left, Weight::Bold, 7.5, left_room);
        put(MARGIN_X, 40.0, &header, Weight::Bold, Color::MUTED);
        put(
            MARGIN_X + BODY_W - id_w,
            40.0,
            &id,
            Weight::Regular,
            Color::MUTED,
        );
        let page_w = fonts.width(&page_label, Weight::Regular, 7.5);
        put(
            MARGIN_X,
            PAGE_H - 30.0,
            &generated,
            Weight::Regular,
            Color::MUTED,
        );
        put(
            MARGIN_X + BODY_W - page_w,
            PAGE_H - 30.0,
            &page_label,
            Weight::Regular,
            Color::MUTED,
        );
        shapes.push(Shape::Line {
            points: vec![(MARGIN_X, 47.0), (MARGIN_X + BODY_W, 47.0)],
            color: layout.accent,
            width: 0.6,
            dashed: false,
        });
        shapes.push(Shape::Line {
            points: vec![
                (MARGIN_X, PAGE_H - 42.0),
                (MARGIN_X + BODY_W, PAGE_H - 42.0),
            ],
            color: Color::RULE,
            width: 0.5,
            dashed: false,
        });
        layout.pages[index].shapes.extend(shapes);
    }
}

fn fit(fonts: &Fonts, text: &str, weight: Weight, size: f32, width: f32) -> String {
    if fonts.width(text, weight, size) <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        if fonts.width(&out, weight, size) + fonts.width("…", weight, size) > width {
            out.pop();
            break;
        }
    }
    out.push('…');
    out
}

/// Finishes a report: contents, header and footer, PDF.
pub(crate) fn finish(
    mut layout: Layout<'_>,
    options: &ReportOptions,
    header_left: &str,
    title: &str,
    subject: &str,
) -> Result<RenderedPdf, RenderError> {
    contents(&mut layout, options);
    decorate(&mut layout, options, header_left);
    let info = DocumentInfo {
        title: title.to_owned(),
        subject: subject.to_owned(),
        author: options.branding.msp_name.clone(),
        report_id: options.report_id.clone(),
        generated_at: options.generated_at,
        keywords: vec!["Plumbline".to_owned(), options.language.code().to_owned()],
    };
    let outline: Vec<_> = layout
        .toc
        .iter()
        .filter(|e| e.level == 1)
        .cloned()
        .collect();
    let bytes = pdf::write(
        &layout.pages,
        layout.fonts,
        options.branding.logo.as_ref(),
        &info,
        &outline,
    )?;
    Ok(RenderedPdf::new(bytes, layout.pages.len()))
}

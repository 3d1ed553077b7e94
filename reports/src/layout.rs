//! Page layout: a flow of headings, paragraphs and tables onto A4 pages.
//!
//! Coordinates are points from the page's top-left corner (y grows downwards); the PDF
//! writer flips them. Text is wrapped with widths measured from the font's glyph
//! advances, so nothing runs past a margin or a column; words longer than a line are
//! broken at punctuation (`_ . / - ,`) or, failing that, between characters. Tables
//! break between rows and repeat their header row on every page.

use crate::font::{Fonts, Weight};

pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
pub const MARGIN_X: f32 = 48.0;
pub const BODY_TOP: f32 = 74.0;
pub const BODY_BOTTOM: f32 = 786.0;
pub const BODY_W: f32 = PAGE_W - 2.0 * MARGIN_X;

/// An RGB colour, components 0–1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Color(pub f32, pub f32, pub f32);

impl Color {
    pub const BLACK: Color = Color(0.0, 0.0, 0.0);
    pub const WHITE: Color = Color(1.0, 1.0, 1.0);
    pub const TEXT: Color = Color(0.13, 0.13, 0.15);
    pub const MUTED: Color = Color(0.40, 0.40, 0.44);
    pub const RULE: Color = Color(0.78, 0.78, 0.80);
    pub const ZEBRA: Color = Color(0.955, 0.955, 0.965);
    pub const HEADER_FILL: Color = Color(0.90, 0.90, 0.92);

    pub fn from_rgb8(r: u8, g: u8, b: u8) -> Self {
        Color(
            f32::from(r) / 255.0,
            f32::from(g) / 255.0,
            f32::from(b) / 255.0,
        )
    }

    /// Relative luminance (Rec. 709 weights): what a greyscale print shows.
    pub fn luminance(self) -> f32 {
        0.2126 * self.0 + 0.7152 * self.1 + 0.0722 * self.2
    }

    /// Black or white, whichever reads better on this colour.
    pub fn text_on(self) -> Color {
        if self.luminance() < 0.55 {
            Color::WHITE
        } else {
            Color::BLACK
        }
    }

    /// Mixes towards white by `t` (0 = unchanged, 1 = white).
    pub fn tint(self, t: f32) -> Color {
        Color(
            self.0 + (1.0 - self.0) * t,
            self.1 + (1.0 - self.1) * t,
            self.2 + (1.0 - self.2) * t,
        )
    }
}

/// Something drawn on a page.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// Text with its baseline at `y`.
    Text {
        x: f32,
        y: f32,
        weight: Weight,
        size: f32,
        color: Color,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Color>,
        stroke: Option<(Color, f32)>,
    },
    Line {
        points: Vec<(f32, f32)>,
        color: Color,
        width: f32,
        dashed: bool,
    },
    /// The branding logo.
    Logo { x: f32, y: f32, w: f32, h: f32 },
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    pub shapes: Vec<Shape>,
    /// Pages without running header and footer (the cover).
    pub bare: bool,
}

/// An entry of the table of contents.
#[derive(Clone, Debug, PartialEq)]
pub struct TocEntry {
    pub title: String,
    /// 1-based page number.
    pub page: usize,
    pub level: u8,
}

/// Horizontal alignment in a table column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
    Center,
}

/// A table column: title, share of the table width, alignment.
#[derive(Clone, Debug)]
pub struct Column {
    pub title: String,
    pub width: f32,
    pub align: Align,
}

impl Column {
    pub fn new(title: impl Into<String>, width: f32, align: Align) -> Self {
        Self {
            title: title.into(),
            width,
            align,
        }
    }
}

/// What a table cell shows.
#[derive(Clone, Debug)]
pub enum Cell {
    Text(String),
    Bold(String),
    /// Text on a coloured background filling the cell (severity badges, heatmap cells).
    Filled(String, Color),
    /// A small line chart of the values (a trend).
    Spark(Vec<f64>),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Self {
        Cell::Text(s.into())
    }
}

/// Text style for the table body.
#[derive(Clone, Copy, Debug)]
pub struct TableStyle {
    pub size: f32,
    pub header_size: f32,
    pub padding: f32,
    pub zebra: bool,
}

impl Default for TableStyle {
    fn default() -> Self {
        Self {
            size: 8.0,
            header_size: 7.5,
            padding: 3.5,
            zebra: true,
        }
    }
}

/// Lays content out onto pages.
#[derive(Debug)]
pub struct Layout<'f> {
    pub fonts: &'f Fonts,
    pub pages: Vec<Page>,
    /// Cursor: where the next block starts, from the top.
    pub y: f32,
    pub toc: Vec<TocEntry>,
    pub accent: Color,
}

impl<'f> Layout<'f> {
    pub fn new(fonts: &'f Fonts, accent: Color) -> Self {
        Self {
            fonts,
            pages: Vec::new(),
            y: BODY_TOP,
            toc: Vec::new(),
            accent,
        }
    }

    /// Starts a new page; the cursor goes to the top of the body.
    pub fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = BODY_TOP;
    }

    /// 1-based number of the current page.
    pub fn page_number(&self) -> usize {
        self.pages.len()
    }

    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub fn push(&mut self, shape: Shape) {
        self.page().shapes.push(shape);
    }

    /// Space left on the current page.
    pub fn remaining(&self) -> f32 {
        BODY_BOTTOM - self.y
    }

    /// Breaks the page when less than `height` is left.
    pub fn ensure(&mut self, height: f32) {
        if self.pages.is_empty() || self.remaining() < height {
            self.new_page();
        }
    }

    pub fn gap(&mut self, height: f32) {
        self.y += height;
    }

    /// Text at a position (baseline), exactly as given: the caller made it fit.
    pub fn text(&mut self, x: f32, y: f32, text: &str, weight: Weight, size: f32, color: Color) {
        if text.is_empty() {
            return;
        }
        let text = self.fonts.printable(text, weight);
        self.push(Shape::Text {
            x,
            y,
            weight,
            size,
            color,
            text,
        });
    }

    /// Text aligned within `[x, x + width]`, shrunk to one line with an ellipsis when it
    /// does not fit.
    #[allow(clippy::too_many_arguments)]
    pub fn text_in(
        &mut self,
        x: f32,
        y: f32,
        width: f32,
        align: Align,
        text: &str,
        weight: Weight,
        size: f32,
        color: Color,
    ) {
        let text = self.fit(text, weight, size, width);
        let w = self.fonts.width(&text, weight, size);
        let x = match align {
            Align::Left => x,
            Align::Right => x + width - w,
            Align::Center => x + (width - w) / 2.0,
        };
        self.text(x, y, &text, weight, size, color);
    }

    /// `text` cut to `width` with an ellipsis.
    pub fn fit(&self, text: &str, weight: Weight, size: f32, width: f32) -> String {
        if self.fonts.width(text, weight, size) <= width {
            return text.to_owned();
        }
        let mut out = String::new();
        for c in text.chars() {
            out.push(c);
            if self.fonts.width(&out, weight, size) + self.fonts.width("…", weight, size) > width
            {
                out.pop();
                break;
            }
        }
        out.push('…');
        out
    }

    /// Wraps `text` into lines no wider than `width` (explicit newlines are kept).
    pub fn wrap(&self, text: &str, weight: Weight, size: f32, width: f32) -> Vec<String> {
        wrap(self.fonts, text, weight, size, width)
    }

    /// A section heading, recorded in the table of contents. Level 1 starts a new page
    /// when less than a third of the page is left.
    pub fn heading(&mut self, title: &str, level: u8) {
        let (size, before, after) = match level {
            1 => (16.0, 6.0, 10.0),
            _ => (11.5, 10.0, 6.0),
        };
        let keep = if level == 1 { 240.0 } else { 90.0 };
        if self.pages.is_empty() || self.remaining() < keep {
            self.new_page();
        } else if self.y > BODY_TOP {
            self.y += before;
        }
        let lines = self.wrap(title, Weight::Bold, size, BODY_W);
        let color = if level == 1 { self.accent } else { Color::TEXT };
        for line in &lines {
            self.y += size * 1.2;
            self.text(MARGIN_X, self.y, line, Weight::Bold, size, color);
        }
        if level == 1 {
            self.y += 5.0;
            let y = self.y;
            self.push(Shape::Line {
                points: vec![(MARGIN_X, y), (MARGIN_X + BODY_W, y)],
                color: self.accent,
                width: 1.2,
                dashed: false,
            });
        }
        self.y += after;
        let page = self.page_number();
        self.toc.push(TocEntry {
            title: title.to_owned(),
            page,
            level,
        });
    }

    /// A wrapped paragraph over the body width.
    pub fn paragraph(&mut self, text: &str, size: f32, weight: Weight, color: Color) {
        self.paragraph_at(MARGIN_X, BODY_W, text, size, weight, color);
    }

    /// A wrapped paragraph in a column; breaks pages between lines.
    pub fn paragraph_at(
        &mut self,
        x: f32,
        width: f32,
        text: &str,
        size: f32,
        weight: Weight,
        color: Color,
    ) {
        let leading = size * 1.38;
        for line in self.wrap(text, weight, size, width) {
            self.ensure(leading);
            self.y += leading;
            self.text(x, self.y - leading * 0.25, &line, weight, size, color);
        }
        self.y += size * 0.5;
    }

    /// A bulleted item.
    pub fn bullet(&mut self, text: &str, size: f32) {
        let leading = size * 1.38;
        let indent = 12.0;
        let lines = self.wrap(text, Weight::Regular, size, BODY_W - indent);
        self.ensure(leading * lines.len().min(3) as f32);
        for (i, line) in lines.iter().enumerate() {
            self.ensure(leading);
            self.y += leading;
            let base = self.y - leading * 0.25;
            if i == 0 {
                let accent = self.accent;
                self.push(Shape::Rect {
                    x: MARGIN_X + 2.0,
                    y: base - size * 0.42,
                    w: 3.2,
                    h: 3.2,
                    fill: Some(accent),
                    stroke: None,
                });
            }
            self.text(
                MARGIN_X + indent,
                base,
                line,
                Weight::Regular,
                size,
                Color::TEXT,
            );
        }
        self.y += size * 0.35;
    }

    /// A table over the body width; rows never split, the header repeats on each page.
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<Cell>], style: TableStyle) {
        let total: f32 = columns
            .iter()
            .map(|c| c.width)
            .sum::<f32>()
            .max(f32::EPSILON);
        let widths: Vec<f32> = columns.iter().map(|c| c.width / total * BODY_W).collect();
        let header_lines: Vec<Vec<String>> = columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                self.wrap(
                    &c.title,
                    Weight::Bold,
                    style.header_size,
                    w - 2.0 * style.padding,
                )
            })
            .collect();
        let header_leading = style.header_size * 1.25;
        let header_h = header_lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * header_leading
            + 2.0 * style.padding;
        let leading = style.size * 1.3;

        let draw_header = |layout: &mut Layout<'_>| {
            let y0 = layout.y;
            layout.push(Shape::Rect {
                x: MARGIN_X,
                y: y0,
                w: BODY_W,
                h: header_h,
                fill: Some(Color::HEADER_FILL),
                stroke: None,
            });
            let mut x = MARGIN_X;
            for ((column, lines), w) in columns.iter().zip(&header_lines).zip(&widths) {
                for (i, line) in lines.iter().enumerate() {
                    let base = y0 + style.padding + (i as f32 + 1.0) * header_leading
                        - header_leading * 0.22;
                    layout.text_in(
                        x + style.padding,
                        base,
                        w - 2.0 * style.padding,
                        column.align,
                        line,
                        Weight::Bold,
                        style.header_size,
                        Color::TEXT,
                    );
                }
                x += w;
            }
            layout.y = y0 + header_h;
            let y = layout.y;
            let accent = layout.accent;
            layout.push(Shape::Line {
                points: vec![(MARGIN_X, y), (MARGIN_X + BODY_W, y)],
                color: accent,
                width: 0.8,
                dashed: false,
            });
        };

        // Header plus at least one row on the same page.
        self.ensure(header_h + leading + 2.0 * style.padding + 4.0);
        draw_header(self);
        for (index, row) in rows.iter().enumerate() {
            let cells: Vec<(Vec<String>, Weight)> = row
                .iter()
                .zip(&widths)
                .map(|(cell, w)| {
                    let inner = w - 2.0 * style.padding;
                    match cell {
                        Cell::Text(t) => (
                            self.wrap(t, Weight::Regular, style.size, inner),
                            Weight::Regular,
                        ),
                        Cell::Bold(t) => {
                            (self.wrap(t, Weight::Bold, style.size, inner), Weight::Bold)
                        }
                        Cell::Filled(t, _) => {
                            (self.wrap(t, Weight::Bold, style.size, inner), Weight::Bold)
                        }
                        Cell::Spark(_) => (vec![String::new()], Weight::Regular),
                    }
                })
                .collect();
            let lines = cells.iter().map(|(l, _)| l.len()).max().unwrap_or(1).max(1);
            let row_h = lines as f32 * leading + 2.0 * style.padding;
            if self.y + row_h > BODY_BOTTOM {
                self.new_page();
                draw_header(self);
            }
            let y0 = self.y;
            if style.zebra && index % 2 == 1 {
                self.push(Shape::Rect {
                    x: MARGIN_X,
                    y: y0,
                    w: BODY_W,
                    h: row_h,
                    fill: Some(Color::ZEBRA),
                    stroke: None,
                });
            }
            let mut x = MARGIN_X;
            for (((cell, (lines, weight)), w), column) in
                row.iter().zip(&cells).zip(&widths).zip(columns)
            {
                let mut color = Color::TEXT;
                match cell {
                    Cell::Filled(_, fill) => {
                        self.push(Shape::Rect {
                            x: x + 0.6,
                            y: y0 + 0.6,
                            w: w - 1.2,
                            h: row_h - 1.2,
                            fill: Some(*fill),
                            stroke: None,
                        });
                        color = fill.text_on();
                    }
                    Cell::Spark(values) => {
                        crate::charts::sparkline(
                            self,
                            x + style.padding,
                            y0 + style.padding,
                            w - 2.0 * style.padding,
                            row_h - 2.0 * style.padding,
                            values,
                        );
                    }
                    Cell::Text(_) | Cell::Bold(_) => {}
                }
                for (i, line) in lines.iter().enumerate() {
                    let base = y0 + style.padding + (i as f32 + 1.0) * leading - leading * 0.24;
                    self.text_in(
                        x + style.padding,
                        base,
                        w - 2.0 * style.padding,
                        column.align,
                        line,
                        *weight,
                        style.size,
                        color,
                    );
                }
                x += w;
            }
            self.y = y0 + row_h;
            let y = self.y;
            self.push(Shape::Line {
                points: vec![(MARGIN_X, y), (MARGIN_X + BODY_W, y)],
                color: Color::RULE,
                width: 0.3,
                dashed: false,
            });
        }
        self.y += 10.0;
    }
}

/// Wraps `text` into lines no wider than `width`.
pub fn wrap(fonts: &Fonts, text: &str, weight: Weight, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let space = fonts.width(" ", weight, size);
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut line_w = 0.0;
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let word_w = fonts.width(word, weight, size);
            let extra = if line.is_empty() { 0.0 } else { space };
            if line_w + extra + word_w <= width {
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
                line_w += extra + word_w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_w = 0.0;
            }
            if word_w <= width {
                line.push_str(word);
                line_w = word_w;
                continue;
            }
            // A word longer than the line: break it.
            for piece in break_word(fonts, word, weight, size, width) {
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                line_w = fonts.width(&piece, weight, size);
                line = piece;
            }
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Splits a long word into pieces that fit `width`, preferring breaks after `_ . / - ,`.
fn break_word(fonts: &Fonts, word: &str, weight: Weight, size: f32, width: f32) -> Vec<String> {
    let mut pieces = Vec::new();
    let chars: Vec<char> = word.chars().collect();
    let mut start = 0;
    while start < chars.len() {
        let mut end = start;
        let mut w = 0.0;
        let mut last_break = None;
        while end < chars.len() {
            let cw = fonts.width(chars[end].encode_utf8(&mut [0; 4]), weight, size);
            if w + cw > width && end > start {
                break;
            }
            w += cw;
            if matches!(chars[end], '_' | '.' | '/' | '-' | ',' | '\\' | ':') {
                last_break = Some(end + 1);
            }
            end += 1;
        }
        let cut = if end < chars.len() {
            last_break
                .filter(|b| *b > start + (end - start) / 3)
                .unwrap_or(end)
        } else {
            end
        };
        pieces.push(chars[start..cut].iter().collect());
        start = cut;
    }
    pieces
}

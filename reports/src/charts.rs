//! Vector charts: score trend, sparklines, horizontal bars, histogram, heatmap colours.
//!
//! Every chart stays readable in greyscale: series colours differ in lightness, not only
//! in hue, values are written next to bars and points, and lines carry markers.

use chrono::{DateTime, Utc};

use crate::data::Severity;
use crate::font::Weight;
use crate::layout::{Align, Color, Layout, Shape};
use crate::text::Language;

/// Severity colours, darkest for the most severe (distinct in greyscale).
pub fn severity_color(severity: Severity) -> Color {
    match severity {
        Severity::Critical => Color::from_rgb8(0x4c, 0x05, 0x19),
        Severity::High => Color::from_rgb8(0xb9, 0x1c, 0x1c),
        Severity::Medium => Color::from_rgb8(0xd9, 0x77, 0x06),
        Severity::Low => Color::from_rgb8(0xcb, 0xd5, 0xe1),
    }
}

/// A colour dark enough to draw lines and markers with, whatever the brand accent is.
pub fn ink(accent: Color) -> Color {
    let mut c = accent;
    while c.luminance() > 0.45 {
        c = Color(c.0 * 0.85, c.1 * 0.85, c.2 * 0.85);
    }
    c
}

/// Heatmap colour for an intensity 0–1: a single-hue ramp from near-white to dark, so
/// lightness alone tells the value.
pub fn heat(intensity: f32) -> Color {
    let t = intensity.clamp(0.0, 1.0);
    let light = Color::from_rgb8(0xfe, 0xf3, 0xe2);
    let dark = Color::from_rgb8(0x7a, 0x1f, 0x0c);
    Color(
        light.0 + (dark.0 - light.0) * t,
        light.1 + (dark.1 - light.1) * t,
        light.2 + (dark.2 - light.2) * t,
    )
}

fn frame_line(layout: &mut Layout<'_>, points: Vec<(f32, f32)>, color: Color, width: f32) {
    layout.push(Shape::Line {
        points,
        color,
        width,
        dashed: false,
    });
}

/// A small trend line inside a table cell: the values scaled to the box, last point
/// marked.
pub fn sparkline(layout: &mut Layout<'_>, x: f32, y: f32, w: f32, h: f32, values: &[f64]) {
    if values.is_empty() || w <= 2.0 || h <= 2.0 {
        return;
    }
    let (lo, hi) = values
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let span = (hi - lo).max(1.0);
    let mid = (hi + lo) / 2.0;
    let lo = mid - span / 2.0;
    let color = ink(layout.accent);
    let step = if values.len() > 1 {
        w / (values.len() - 1) as f32
    } else {
        0.0
    };
    let points: Vec<(f32, f32)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let px = if values.len() > 1 {
                x + i as f32 * step
            } else {
                x + w / 2.0
            };
            (px, y + h - ((v - lo) / span) as f32 * h)
        })
        .collect();
    if points.len() > 1 {
        frame_line(layout, points.clone(), color, 0.9);
    }
    if let Some((px, py)) = points.last() {
        layout.push(Shape::Rect {
            x: px - 1.5,
            y: py - 1.5,
            w: 3.0,
            h: 3.0,
            fill: Some(color),
            stroke: None,
        });
    }
}

/// The alignment score over time: dated points on a 0–100 scale (zoomed to the data when
/// every value is high), with grid lines, axis labels and the values written.
pub fn score_trend(
    layout: &mut Layout<'_>,
    (x, y, w, h): (f32, f32, f32, f32),
    points: &[(DateTime<Utc>, f64)],
    lang: Language,
) {
    let label_w = 24.0;
    let (plot_x, plot_y, plot_w, plot_h) = (x + label_w, y + 6.0, w - label_w - 8.0, h - 22.0);
    let min = points.iter().map(|(_, s)| *s).fold(100.0, f64::min);
    // Zoom in on high scores so small movements show, in steps of 10.
    let floor = ((min - 5.0) / 10.0).floor().clamp(0.0, 9.0) * 10.0;
    let to_y = |score: f64| plot_y + plot_h - ((score - floor) / (100.0 - floor)) as f32 * plot_h;
    let steps = 5;
    for i in 0..=steps {
        let value = floor + (100.0 - floor) * f64::from(i) / f64::from(steps);
        let gy = to_y(value);
        layout.push(Shape::Line {
            points: vec![(plot_x, gy), (plot_x + plot_w, gy)],
            color: Color::RULE,
            width: 0.4,
            dashed: i != 0,
        });
        layout.text_in(
            x,
            gy + 2.5,
            label_w - 4.0,
            Align::Right,
            &format!("{value:.0}"),
            Weight::Regular,
            7.0,
            Color::MUTED,
        );
    }
    if points.is_empty() {
        return;
    }
    let (start, end) = (points[0].0, points[points.len() - 1].0);
    let span = (end - start).num_seconds().max(1) as f32;
    let to_x = |at: DateTime<Utc>| {
        if points.len() == 1 {
            plot_x + plot_w / 2.0
        } else {
            plot_x + (at - start).num_seconds() as f32 / span * plot_w
        }
    };
    let color = ink(layout.accent);
    let line: Vec<(f32, f32)> = points.iter().map(|(at, s)| (to_x(*at), to_y(*s))).collect();
    if line.len() > 1 {
        frame_line(layout, line.clone(), color, 1.6);
    }
    let label_every = (points.len() / 6).max(1);
    for (i, ((px, py), (_, score))) in line.iter().zip(points).enumerate() {
        layout.push(Shape::Rect {
            x: px - 2.4,
            y: py - 2.4,
            w: 4.8,
            h: 4.8,
            fill: Some(Color::WHITE),
            stroke: Some((color, 1.2)),
        });
        let last = i == points.len() - 1;
        if last || i % label_every == 0 {
            let text = lang.decimal(*score);
            let tw = layout.fonts.width(&text, Weight::Bold, 7.0);
            let tx = (px - tw / 2.0).clamp(plot_x, plot_x + plot_w - tw);
            let ty = if *py - 6.0 < plot_y + 6.0 {
                py + 11.0
            } else {
                py - 5.0
            };
            layout.text(tx, ty, &text, Weight::Bold, 7.0, Color::TEXT);
        }
    }
    // Date labels: first, last, and the middle one when there is room.
    let mut labels = vec![(line[0].0, points[0].0)];
    if points.len() > 2 {
        let m = points.len() / 2;
        labels.push((line[m].0, points[m].0));
    }
    if points.len() > 1 {
        labels.push((line[line.len() - 1].0, end));
    }
    let mut right_edge = f32::MIN;
    for (px, at) in labels {
        let text = lang.short_date(at);
        let tw = layout.fonts.width(&text, Weight::Regular, 7.0);
        let tx = (px - tw / 2.0).clamp(plot_x - 4.0, plot_x + plot_w - tw + 4.0);
        if tx < right_edge + 6.0 {
            continue;
        }
        right_edge = tx + tw;
        layout.text(
            tx,
            plot_y + plot_h + 12.0,
            &text,
            Weight::Regular,
            7.0,
            Color::MUTED,
        );
    }
}

/// Horizontal bars with labels on the left and values on the right.
pub fn bars(
    layout: &mut Layout<'_>,
    (x, y, w): (f32, f32, f32),
    rows: &[(String, f64, Color)],
    label_w: f32,
    value_text: impl Fn(f64) -> String,
) -> f32 {
    let bar_h = 11.0;
    let gap = 5.0;
    let value_w = 34.0;
    let max = rows.iter().map(|r| r.1).fold(0.0, f64::max).max(1.0);
    let track = w - label_w - value_w;
    let mut cy = y;
    for (label, value, color) in rows {
        layout.text_in(
            x,
            cy + 8.5,
            label_w - 6.0,
            Align::Left,
            label,
            Weight::Regular,
            8.0,
            Color::TEXT,
        );
        let bw = (value / max) as f32 * track;
        layout.push(Shape::Rect {
            x: x + label_w,
            y: cy,
            w: track,
            h: bar_h,
            fill: Some(Color::ZEBRA),
            stroke: None,
        });
        if bw > 0.0 {
            layout.push(Shape::Rect {
                x: x + label_w,
                y: cy,
                w: bw.max(1.5),
                h: bar_h,
                fill: Some(*color),
                stroke: Some((Color::TEXT, 0.3)),
            });
        }
        layout.text(
            x + label_w + track + 5.0,
            cy + 8.5,
            &value_text(*value),
            Weight::Bold,
            8.0,
            Color::TEXT,
        );
        cy += bar_h + gap;
    }
    cy - y
}

/// A histogram: one column per band with its count on top and its label below.
pub fn histogram(
    layout: &mut Layout<'_>,
    (x, y, w, h): (f32, f32, f32, f32),
    bands: &[(String, u32)],
) {
    if bands.is_empty() {
        return;
    }
    let (plot_y, plot_h) = (y + 12.0, h - 30.0);
    let max = bands.iter().map(|b| b.1).max().unwrap_or(1).max(1);
    let slot = w / bands.len() as f32;
    let color = ink(layout.accent);
    layout.push(Shape::Line {
        points: vec![(x, plot_y + plot_h), (x + w, plot_y + plot_h)],
        color: Color::MUTED,
        width: 0.6,
        dashed: false,
    });
    for (i, (label, count)) in bands.iter().enumerate() {
        let bh = *count as f32 / max as f32 * plot_h;
        let bx = x + i as f32 * slot + slot * 0.15;
        let bw = slot * 0.7;
        if *count > 0 {
            layout.push(Shape::Rect {
                x: bx,
                y: plot_y + plot_h - bh,
                w: bw,
                h: bh,
                fill: Some(color),
                stroke: None,
            });
        }
        layout.text_in(
            bx - 4.0,
            plot_y + plot_h - bh - 3.0,
            bw + 8.0,
            Align::Center,
            &count.to_string(),
            Weight::Bold,
            7.5,
            Color::TEXT,
        );
        layout.text_in(
            x + i as f32 * slot,
            plot_y + plot_h + 11.0,
            slot,
            Align::Center,
            label,
            Weight::Regular,
            6.5,
            Color::MUTED,
        );
    }
}

//! The portfolio report: every tenant ranked, compared by category, and the deviations
//! they share.

use crate::charts::{self, heat, severity_color};
use crate::common::{self, Cover};
use crate::data::{PortfolioData, PortfolioTenant, Severity, SeverityCounts};
use crate::font::{Fonts, Weight};
use crate::layout::{Align, Cell, Color, Column, Layout, TableStyle, BODY_W, MARGIN_X};
use crate::text::Language;
use crate::{RenderError, RenderedPdf, ReportOptions};

/// Tenants listed under "worst movers".
const MOVERS: usize = 10;

pub(crate) fn render(
    data: &PortfolioData,
    options: &ReportOptions,
    fonts: &Fonts,
) -> Result<RenderedPdf, RenderError> {
    let lang = options.language;
    let t = lang.t();
    let de = lang == Language::De;
    let mut layout = Layout::new(fonts, common::accent(options));
    let ranked = ranked(&data.tenants);
    let scored: Vec<f64> = ranked.iter().filter_map(|t| t.score).collect();
    let average = (!scored.is_empty()).then(|| scored.iter().sum::<f64>() / scored.len() as f64);

    common::cover(
        &mut layout,
        options,
        &Cover {
            title: t.portfolio_title,
            subject: &options.branding.msp_name,
            subtitle: Some(format!(
                "{} {} · {}",
                data.tenants.len(),
                t.tenants_word,
                data.workspace
            )),
            facts: vec![
                (t.workspace, data.workspace.clone()),
                (t.generated, lang.date_time(options.generated_at)),
                (t.report_id, options.report_id.clone()),
            ],
            headline: average.map(|a| {
                (
                    lang.decimal(a),
                    if de {
                        "Durchschnittlicher Wert"
                    } else {
                        "Average score"
                    }
                    .to_owned(),
                )
            }),
        },
    );

    // Summary.
    layout.heading(t.portfolio_summary, 1);
    let mut open = SeverityCounts::default();
    for tenant in &data.tenants {
        for s in Severity::ALL {
            open.add(s, tenant.open.get(s));
        }
    }
    let unscored = data.tenants.len() - scored.len();
    let text = match average {
        Some(avg) => {
            let (min, max) = scored
                .iter()
                .fold((f64::MAX, f64::MIN), |(lo, hi), s| (lo.min(*s), hi.max(*s)));
            if de {
                format!(
                    "{} Tenants, davon {} bewertet. Der durchschnittliche Konformitätswert ist {} (von {} bis {}). Offen sind {} Feststellungen: {} kritisch, {} hoch, {} mittel, {} niedrig.{}",
                    data.tenants.len(), scored.len(), lang.decimal(avg), lang.decimal(min), lang.decimal(max),
                    open.total(), open.critical, open.high, open.medium, open.low,
                    if unscored > 0 { format!(" {unscored} Tenants haben noch keinen Wert.") } else { String::new() }
                )
            } else {
                format!(
                    "{} tenants, {} of them scored. The average alignment score is {} (from {} to {}). {} findings are open: {} critical, {} high, {} medium and {} low.{}",
                    data.tenants.len(), scored.len(), lang.decimal(avg), lang.decimal(min), lang.decimal(max),
                    open.total(), open.critical, open.high, open.medium, open.low,
                    if unscored > 0 { format!(" {unscored} tenants have no score yet.") } else { String::new() }
                )
            }
        }
        None => {
            if de {
                "Noch kein Tenant wurde geprüft.".to_owned()
            } else {
                "No tenant has been reviewed yet.".to_owned()
            }
        }
    };
    layout.paragraph(&text, 10.0, Weight::Regular, Color::TEXT);

    // Distribution.
    layout.heading(t.distribution, 2);
    layout.paragraph(t.distribution_note, 8.5, Weight::Regular, Color::MUTED);
    let bands = distribution(&scored, lang);
    layout.ensure(150.0);
    let y = layout.y;
    charts::histogram(&mut layout, (MARGIN_X, y, BODY_W, 140.0), &bands);
    layout.y = y + 146.0;

    // Open findings by severity across the portfolio.
    layout.heading(t.by_severity, 2);
    let rows: Vec<(String, f64, Color)> = Severity::ALL
        .iter()
        .map(|s| {
            (
                lang.severity(*s).to_owned(),
                f64::from(open.get(*s)),
                severity_color(*s),
            )
        })
        .collect();
    layout.ensure(70.0);
    let y = layout.y;
    let used = charts::bars(
        &mut layout,
        (MARGIN_X, y, BODY_W * 0.75),
        &rows,
        90.0,
        |v| format!("{v:.0}"),
    );
    layout.y = y + used + 8.0;

    worst_movers(&mut layout, &ranked, lang);
    top_findings(&mut layout, data, lang);
    ranking(&mut layout, &ranked, lang);
    heatmap(&mut layout, data, &ranked, lang);

    let header = format!("{} · {}", options.branding.msp_name, t.portfolio_title);
    common::finish(layout, options, &header, t.portfolio_title, &data.workspace)
}

/// Best score first; unscored tenants last, by name.
fn ranked(tenants: &[PortfolioTenant]) -> Vec<&PortfolioTenant> {
    let mut out: Vec<&PortfolioTenant> = tenants.iter().collect();
    out.sort_by(|a, b| match (a.score, b.score) {
        (Some(x), Some(y)) => y
            .total_cmp(&x)
            .then(a.name.cmp(&b.name))
            .then(a.id.cmp(&b.id)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.name.cmp(&b.name).then(a.id.cmp(&b.id)),
    });
    out
}

/// Ten equal score bands from a round floor below the lowest score up to 100.
fn distribution(scores: &[f64], lang: Language) -> Vec<(String, u32)> {
    if scores.is_empty() {
        return Vec::new();
    }
    let min = scores.iter().copied().fold(100.0, f64::min);
    let floor = if min >= 90.0 {
        90.0
    } else if min >= 50.0 {
        (min / 10.0).floor() * 10.0
    } else {
        0.0
    };
    let bands = 10usize;
    let width = (100.0 - floor) / bands as f64;
    let mut counts = vec![0u32; bands];
    for s in scores {
        let i = (((s - floor) / width).floor().max(0.0) as usize).min(bands - 1);
        counts[i] += 1;
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            let lo = floor + width * i as f64;
            let label = if width >= 1.0 && (width.fract() == 0.0) {
                format!("{:.0}–{:.0}", lo, lo + width)
            } else {
                format!("{}–{}", lang.decimal(lo), lang.decimal(lo + width))
            };
            (label, n)
        })
        .collect()
}

fn worst_movers(layout: &mut Layout<'_>, ranked: &[&PortfolioTenant], lang: Language) {
    let t = lang.t();
    layout.heading(t.worst_movers, 1);
    let mut movers: Vec<(&PortfolioTenant, f64)> = ranked
        .iter()
        .filter_map(|tenant| match (tenant.score, tenant.previous_score) {
            (Some(s), Some(p)) if s < p => Some((*tenant, s - p)),
            _ => None,
        })
        .collect();
    movers.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.name.cmp(&b.0.name)));
    movers.truncate(MOVERS);
    if movers.is_empty() {
        layout.paragraph(t.no_movers, 9.5, Weight::Regular, Color::TEXT);
        return;
    }
    let columns = [
        Column::new(t.col_tenant, 4.0, Align::Left),
        Column::new(t.col_score, 1.0, Align::Right),
        Column::new(t.col_change_score, 1.0, Align::Right),
        Column::new(t.col_trend, 1.6, Align::Left),
        Column::new(t.col_open, 1.0, Align::Right),
    ];
    let rows: Vec<Vec<Cell>> = movers
        .iter()
        .map(|(tenant, delta)| {
            vec![
                Cell::Bold(tenant.name.clone()),
                Cell::text(tenant.score.map(|s| lang.decimal(s)).unwrap_or_default()),
                Cell::Bold(lang.delta(*delta)),
                Cell::Spark(tenant.history.iter().map(|h| h.score).collect()),
                Cell::text(tenant.open.total().to_string()),
            ]
        })
        .collect();
    layout.table(&columns, &rows, TableStyle::default());
}

fn top_findings(layout: &mut Layout<'_>, data: &PortfolioData, lang: Language) {
    let t = lang.t();
    layout.heading(t.top_findings, 1);
    if data.top_findings.is_empty() {
        layout.paragraph(t.no_findings, 9.5, Weight::Regular, Color::TEXT);
        return;
    }
    let columns = [
        Column::new(t.col_severity, 1.5, Align::Center),
        Column::new(t.col_finding, 5.7, Align::Left),
        Column::new(t.col_category, 1.8, Align::Left),
        Column::new(t.col_tenants, 1.0, Align::Right),
    ];
    let rows: Vec<Vec<Cell>> = data
        .top_findings
        .iter()
        .map(|f| {
            vec![
                Cell::Filled(
                    lang.severity(f.severity).to_owned(),
                    severity_color(f.severity),
                ),
                Cell::text(&f.title),
                Cell::text(lang.category(&f.resource_kind, &f.kind_label)),
                Cell::text(f.tenants.to_string()),
            ]
        })
        .collect();
    layout.table(&columns, &rows, TableStyle::default());
}

fn ranking(layout: &mut Layout<'_>, ranked: &[&PortfolioTenant], lang: Language) {
    let t = lang.t();
    layout.heading(t.ranking, 1);
    let columns = [
        Column::new(t.col_rank, 0.6, Align::Right),
        Column::new(t.col_tenant, 4.2, Align::Left),
        Column::new(t.col_score, 1.0, Align::Right),
        Column::new(t.col_change_score, 1.0, Align::Right),
        Column::new(t.col_trend, 1.6, Align::Left),
        Column::new(t.critical, 0.9, Align::Right),
        Column::new(t.high, 0.9, Align::Right),
        Column::new(t.medium, 0.9, Align::Right),
        Column::new(t.low, 0.9, Align::Right),
    ];
    let rows: Vec<Vec<Cell>> = ranked
        .iter()
        .enumerate()
        .map(|(i, tenant)| {
            let delta = match (tenant.score, tenant.previous_score) {
                (Some(s), Some(p)) => lang.delta(s - p),
                _ => t.none.to_owned(),
            };
            let mut row = vec![
                Cell::text((i + 1).to_string()),
                Cell::text(&tenant.name),
                Cell::Bold(
                    tenant
                        .score
                        .map(|s| lang.decimal(s))
                        .unwrap_or_else(|| t.not_scored.to_owned()),
                ),
                Cell::text(delta),
                Cell::Spark(tenant.history.iter().map(|h| h.score).collect()),
            ];
            row.extend(
                Severity::ALL
                    .iter()
                    .map(|s| Cell::text(tenant.open.get(*s).to_string())),
            );
            row
        })
        .collect();
    layout.table(
        &columns,
        &rows,
        TableStyle {
            size: 7.5,
            padding: 2.6,
            ..TableStyle::default()
        },
    );
}

fn heatmap(
    layout: &mut Layout<'_>,
    data: &PortfolioData,
    ranked: &[&PortfolioTenant],
    lang: Language,
) {
    let t = lang.t();
    layout.heading(t.heatmap, 1);
    layout.paragraph(t.heatmap_note, 8.5, Weight::Regular, Color::MUTED);
    if data.categories.is_empty() {
        layout.paragraph(t.none, 9.0, Weight::Regular, Color::TEXT);
        return;
    }
    // Legend: the ramp with its weights.
    let max = ranked
        .iter()
        .flat_map(|tenant| tenant.by_category.values().map(SeverityCounts::weight))
        .fold(0.0, f64::max)
        .max(1.0);
    layout.ensure(30.0);
    let y = layout.y + 4.0;
    for step in 0..=5 {
        let value = max * f64::from(step) / 5.0;
        let x = MARGIN_X + step as f32 * 44.0;
        let fill = heat(intensity(value, max));
        layout.push(crate::layout::Shape::Rect {
            x,
            y,
            w: 40.0,
            h: 12.0,
            fill: Some(fill),
            stroke: Some((Color::RULE, 0.3)),
        });
        layout.text_in(
            x,
            y + 9.0,
            40.0,
            Align::Center,
            &format!("{value:.0}"),
            Weight::Bold,
            7.0,
            fill.text_on(),
        );
    }
    layout.text(
        MARGIN_X + 6.0 * 44.0 + 4.0,
        y + 9.0,
        if lang == Language::De {
            "gewichtete offene Feststellungen"
        } else {
            "weighted open findings"
        },
        Weight::Regular,
        7.5,
        Color::MUTED,
    );
    layout.y = y + 22.0;

    let mut columns = vec![Column::new(t.col_tenant, 3.2, Align::Left)];
    columns.extend(
        data.categories
            .iter()
            .map(|c| Column::new(lang.category(&c.key, &c.label), 1.0, Align::Center)),
    );
    let rows: Vec<Vec<Cell>> = ranked
        .iter()
        .map(|tenant| {
            let mut row = vec![Cell::text(&tenant.name)];
            for category in &data.categories {
                let counts = tenant
                    .by_category
                    .get(&category.key)
                    .copied()
                    .unwrap_or_default();
                if counts.total() == 0 {
                    row.push(Cell::text(""));
                } else {
                    row.push(Cell::Filled(
                        counts.total().to_string(),
                        heat(intensity(counts.weight(), max)),
                    ));
                }
            }
            row
        })
        .collect();
    layout.table(
        &columns,
        &rows,
        TableStyle {
            size: 7.0,
            header_size: 6.5,
            padding: 2.4,
            zebra: false,
        },
    );
}

/// Square-root scaling keeps single findings visible next to heavy cells.
fn intensity(weight: f64, max: f64) -> f32 {
    if weight <= 0.0 {
        return 0.0;
    }
    (0.12 + 0.88 * (weight / max).sqrt()).min(1.0) as f32
}

//! The executive report: one tenant, one period, for the customer's management.

use chrono::{DateTime, TimeDelta, Utc};

use crate::charts::{self, severity_color};
use crate::common::{self, Cover};
use crate::data::{
    ChangeKind, ExecutiveData, Finding, RiskAcceptance, Severity, SeverityCounts, Status,
};
use crate::font::{Fonts, Weight};
use crate::layout::{Align, Cell, Color, Column, Layout, Shape, TableStyle, BODY_W, MARGIN_X};
use crate::text::Language;
use crate::{RenderError, RenderedPdf, ReportOptions};

/// Acceptances expiring within this many days are called out.
const EXPIRING_DAYS: i64 = 30;

pub(crate) fn render(
    data: &ExecutiveData,
    options: &ReportOptions,
    fonts: &Fonts,
) -> Result<RenderedPdf, RenderError> {
    let lang = options.language;
    let t = lang.t();
    let mut layout = Layout::new(fonts, common::accent(options));
    let latest = data.latest_review();
    let score = latest.and_then(|r| r.score);
    let period = format!(
        "{} – {}",
        lang.date(data.period.from),
        lang.date(data.period.to)
    );

    let mut facts = vec![(t.period, period.clone())];
    if let Some(domain) = &data.tenant.primary_domain {
        facts.push(("Domain", domain.clone()));
    }
    if let Some(review) = latest {
        facts.push((t.last_review, lang.date(review.finished_at)));
    }
    facts.push((t.generated, lang.date_time(options.generated_at)));
    facts.push((t.report_id, options.report_id.clone()));
    common::cover(
        &mut layout,
        options,
        &Cover {
            title: t.executive_title,
            subject: &data.tenant.name,
            subtitle: Some(format!("{} {}", t.prepared_for, data.tenant.name)),
            facts,
            headline: score.map(|s| (lang.decimal(s), t.alignment_score.to_owned())),
        },
    );

    let active: Vec<&Finding> = sorted(data.findings.iter().filter(|f| f.status.is_active()));
    summary(&mut layout, data, options, &active);
    changes(&mut layout, data, lang);
    drift_by_baseline(&mut layout, data, lang);
    findings_table(&mut layout, &active, lang);
    accepted_risks(&mut layout, data, options);
    recommendations(&mut layout, data, options, &active);
    appendix(&mut layout, data, lang);

    let header = format!(
        "{} · {} · {}",
        options.branding.msp_name, t.executive_title, data.tenant.name
    );
    common::finish(
        layout,
        options,
        &header,
        t.executive_title,
        &data.tenant.name,
    )
}

/// Most severe first, then the oldest.
fn sorted<'a>(findings: impl Iterator<Item = &'a Finding>) -> Vec<&'a Finding> {
    let mut out: Vec<&Finding> = findings.collect();
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.first_seen_at.cmp(&b.first_seen_at))
            .then(a.title.cmp(&b.title))
            .then(a.id.cmp(&b.id))
    });
    out
}

fn counts(findings: &[&Finding]) -> SeverityCounts {
    let mut counts = SeverityCounts::default();
    for f in findings {
        counts.add(f.severity, 1);
    }
    counts
}

fn severity_cell(lang: Language, severity: Severity) -> Cell {
    Cell::Filled(lang.severity(severity).to_owned(), severity_color(severity))
}

fn summary(
    layout: &mut Layout<'_>,
    data: &ExecutiveData,
    options: &ReportOptions,
    active: &[&Finding],
) {
    let lang = options.language;
    let t = lang.t();
    layout.heading(t.summary, 1);
    let latest = data.latest_review();
    let before = if data.reviews.len() > 1 {
        data.reviews.get(data.reviews.len() - 2)
    } else {
        data.review_before.as_ref()
    };
    let counts = counts(active);
    let resolved_in_period = data
        .findings
        .iter()
        .filter(|f| f.status == Status::Resolved)
        .filter(|f| {
            f.resolved_at
                .is_some_and(|at| at >= data.period.from && at <= data.period.to)
        })
        .count();
    let live_acceptances = data
        .acceptances
        .iter()
        .filter(|a| a.is_live(options.generated_at))
        .count();

    let de = lang == Language::De;
    let mut text = match latest.and_then(|r| r.score.map(|s| (r, s))) {
        Some((review, score)) => {
            let mut s = if de {
                format!(
                    "Am {} entsprach die Konfiguration von {} ihren Baselines mit einem Konformitätswert von {} von 100.",
                    lang.date(review.finished_at),
                    data.tenant.name,
                    lang.decimal(score)
                )
            } else {
                format!(
                    "On {}, {}'s configuration matched its baselines with an alignment score of {} out of 100.",
                    lang.date(review.finished_at),
                    data.tenant.name,
                    lang.decimal(score)
                )
            };
            if let Some(previous) = before.and_then(|b| b.score.map(|p| (b, p))) {
                let delta = score - previous.1;
                s.push(' ');
                s.push_str(&if de {
                    format!(
                        "Das sind {} Punkte gegenüber der Prüfung vom {} ({}).",
                        lang.delta(delta),
                        lang.date(previous.0.finished_at),
                        lang.decimal(previous.1)
                    )
                } else {
                    format!(
                        "That is {} points compared with the review of {} ({}).",
                        lang.delta(delta),
                        lang.date(previous.0.finished_at),
                        lang.decimal(previous.1)
                    )
                });
            }
            if review.assessed_settings > 0 {
                s.push(' ');
                s.push_str(&if de {
                    format!(
                        "Geprüft wurden {} Einstellungen, davon {} konform.",
                        review.assessed_settings, review.compliant_settings
                    )
                } else {
                    format!(
                        "{} settings were assessed; {} of them comply.",
                        review.assessed_settings, review.compliant_settings
                    )
                });
            }
            s
        }
        None => t.not_reviewed.to_owned(),
    };
    text.push(' ');
    text.push_str(&if counts.total() == 0 {
        t.no_findings.to_owned()
    } else if de {
        format!(
            "{} Feststellungen sind offen: {} kritisch, {} hoch, {} mittel, {} niedrig.",
            counts.total(),
            counts.critical,
            counts.high,
            counts.medium,
            counts.low
        )
    } else {
        format!(
            "{} findings are open: {} critical, {} high, {} medium and {} low.",
            counts.total(),
            counts.critical,
            counts.high,
            counts.medium,
            counts.low
        )
    });
    text.push(' ');
    text.push_str(&if de {
        format!(
            "Im Zeitraum wurden {resolved_in_period} Feststellungen behoben; {live_acceptances} Risiken sind derzeit akzeptiert."
        )
    } else {
        format!(
            "{resolved_in_period} findings were resolved during the period; {live_acceptances} risks are currently accepted."
        )
    });
    layout.paragraph(&text, 10.0, Weight::Regular, Color::TEXT);
    layout.gap(6.0);

    // Score box and trend chart side by side.
    let block_h = 150.0;
    layout.ensure(block_h + 20.0);
    let y = layout.y;
    let box_w = 130.0;
    let accent = layout.accent;
    layout.push(Shape::Rect {
        x: MARGIN_X,
        y,
        w: box_w,
        h: block_h,
        fill: Some(accent.tint(0.9)),
        stroke: Some((accent, 1.0)),
    });
    layout.text_in(
        MARGIN_X + 8.0,
        y + 20.0,
        box_w - 16.0,
        Align::Left,
        t.alignment_score,
        Weight::Bold,
        9.0,
        Color::TEXT,
    );
    let score_text = latest
        .and_then(|r| r.score)
        .map(|s| lang.decimal(s))
        .unwrap_or_else(|| t.none.to_owned());
    layout.text_in(
        MARGIN_X + 8.0,
        y + 78.0,
        box_w - 16.0,
        Align::Left,
        &score_text,
        Weight::Bold,
        34.0,
        charts::ink(accent),
    );
    layout.text_in(
        MARGIN_X + 8.0,
        y + 96.0,
        box_w - 16.0,
        Align::Left,
        "/ 100",
        Weight::Regular,
        10.0,
        Color::MUTED,
    );
    if let (Some(score), Some(previous)) =
        (latest.and_then(|r| r.score), before.and_then(|b| b.score))
    {
        layout.text_in(
            MARGIN_X + 8.0,
            y + 124.0,
            box_w - 16.0,
            Align::Left,
            &lang.delta(score - previous),
            Weight::Bold,
            12.0,
            Color::TEXT,
        );
    }

    let chart_x = MARGIN_X + box_w + 16.0;
    let chart_w = BODY_W - box_w - 16.0;
    layout.text(
        chart_x,
        y + 10.0,
        t.score_trend,
        Weight::Bold,
        9.0,
        Color::TEXT,
    );
    let mut points: Vec<(DateTime<Utc>, f64)> = Vec::new();
    if let Some(before) = &data.review_before {
        if let Some(s) = before.score {
            points.push((before.finished_at, s));
        }
    }
    points.extend(
        data.reviews
            .iter()
            .filter_map(|r| r.score.map(|s| (r.finished_at, s))),
    );
    charts::score_trend(
        layout,
        (chart_x, y + 16.0, chart_w, block_h - 16.0),
        &points,
        lang,
    );
    if points.len() == 1 {
        layout.text(
            chart_x + 24.0,
            y + block_h - 24.0,
            t.first_review,
            Weight::Regular,
            7.5,
            Color::MUTED,
        );
    }
    layout.y = y + block_h + 16.0;

    // Counts by severity.
    layout.heading(t.by_severity, 2);
    let rows: Vec<(String, f64, Color)> = Severity::ALL
        .iter()
        .map(|s| {
            (
                lang.severity(*s).to_owned(),
                f64::from(counts.get(*s)),
                severity_color(*s),
            )
        })
        .collect();
    layout.ensure(70.0);
    let y = layout.y;
    let used = charts::bars(layout, (MARGIN_X, y, BODY_W * 0.75), &rows, 90.0, |v| {
        format!("{v:.0}")
    });
    layout.y = y + used + 8.0;

    // The three most important risks.
    layout.heading(t.top_risks, 2);
    if active.is_empty() {
        layout.paragraph(t.no_findings, 9.5, Weight::Regular, Color::TEXT);
    }
    for (index, finding) in active.iter().take(3).enumerate() {
        layout.ensure(60.0);
        let y = layout.y;
        let color = severity_color(finding.severity);
        layout.push(Shape::Rect {
            x: MARGIN_X,
            y: y + 2.0,
            w: 4.0,
            h: 40.0,
            fill: Some(color),
            stroke: None,
        });
        let x = MARGIN_X + 12.0;
        let width = BODY_W - 12.0;
        layout.paragraph_at(
            x,
            width,
            &format!("{}. {}", index + 1, finding.title),
            10.0,
            Weight::Bold,
            Color::TEXT,
        );
        let meta = format!(
            "{} · {} · {} {}",
            lang.severity(finding.severity),
            lang.category(&finding.resource_kind, &finding.kind_label),
            t.col_since,
            lang.date(finding.first_seen_at)
        );
        layout.paragraph_at(x, width, &meta, 8.0, Weight::Regular, Color::MUTED);
        layout.paragraph_at(
            x,
            width,
            &format!(
                "{}: {}",
                t.what_to_do,
                lang.advice(&finding.drift_kind, &finding.item)
            ),
            9.0,
            Weight::Regular,
            Color::TEXT,
        );
        layout.y = layout.y.max(y + 46.0);
        layout.gap(4.0);
    }
}

fn changes(layout: &mut Layout<'_>, data: &ExecutiveData, lang: Language) {
    let t = lang.t();
    layout.heading(t.changes, 1);
    let de = lang == Language::De;
    if let (Some(latest), Some(previous)) = (&data.latest_capture, &data.previous_capture) {
        let text = if de {
            format!(
                "Verglichen wurden die Erfassung vom {} ({} Objekte) mit der vom {} ({} Objekte).",
                lang.date(latest.taken_at),
                latest.item_count,
                lang.date(previous.taken_at),
                previous.item_count
            )
        } else {
            format!(
                "The capture of {} ({} items) was compared with the capture of {} ({} items).",
                lang.date(latest.taken_at),
                latest.item_count,
                lang.date(previous.taken_at),
                previous.item_count
            )
        };
        layout.paragraph(&text, 9.5, Weight::Regular, Color::TEXT);
    }
    if data.changes.is_empty() {
        layout.paragraph(t.no_changes, 9.5, Weight::Regular, Color::TEXT);
        return;
    }
    let mut counts = [0usize; 3];
    for change in &data.changes {
        counts[change.change as usize] += 1;
    }
    let text = if de {
        format!(
            "{} Richtlinien gelöscht, {} hinzugefügt, {} geändert.",
            counts[ChangeKind::Deleted as usize],
            counts[ChangeKind::Added as usize],
            counts[ChangeKind::Modified as usize]
        )
    } else {
        format!(
            "{} policies deleted, {} added, {} modified.",
            counts[ChangeKind::Deleted as usize],
            counts[ChangeKind::Added as usize],
            counts[ChangeKind::Modified as usize]
        )
    };
    layout.paragraph(&text, 9.5, Weight::Bold, Color::TEXT);
    if counts[ChangeKind::Deleted as usize] > 0 {
        layout.paragraph(t.ghost_note, 9.0, Weight::Regular, Color::MUTED);
    }
    let mut changes: Vec<_> = data.changes.iter().collect();
    changes.sort_by(|a, b| {
        a.change
            .cmp(&b.change)
            .then(a.kind_label.cmp(&b.kind_label))
            .then(a.name.cmp(&b.name))
    });
    let columns = [
        Column::new(t.col_change, 1.3, Align::Left),
        Column::new(t.col_kind, 1.6, Align::Left),
        Column::new(t.col_policy, 5.0, Align::Left),
    ];
    let rows: Vec<Vec<Cell>> = changes
        .iter()
        .map(|c| {
            let change = match c.change {
                ChangeKind::Deleted => Cell::Filled(
                    lang.change(c.change).to_owned(),
                    Color::from_rgb8(0x37, 0x41, 0x51),
                ),
                _ => Cell::text(lang.change(c.change)),
            };
            vec![
                change,
                Cell::text(lang.category(&c.resource_kind, &c.kind_label)),
                Cell::text(&c.name),
            ]
        })
        .collect();
    layout.table(&columns, &rows, TableStyle::default());
}

fn drift_by_baseline(layout: &mut Layout<'_>, data: &ExecutiveData, lang: Language) {
    let t = lang.t();
    layout.heading(t.drift_by_baseline, 1);
    let de = lang == Language::De;
    layout.paragraph(
        if de {
            "Offene Feststellungen je zugewiesener Baseline, nach Schweregrad; dazu behobene und akzeptierte. „Zwischen Erfassungen“ sind Änderungen, die keine Baseline betreffen."
        } else {
            "Open findings per assigned baseline by severity, with resolved and accepted ones. “Between captures” are changes outside any baseline."
        },
        9.0,
        Weight::Regular,
        Color::MUTED,
    );
    let between = if de {
        "Zwischen Erfassungen"
    } else {
        "Between captures"
    };
    let mut groups: Vec<(String, String)> = data
        .baselines
        .iter()
        .map(|b| {
            (
                b.name.clone(),
                b.version
                    .map(|v| format!("v{v}"))
                    .unwrap_or_else(|| t.none.to_owned()),
            )
        })
        .collect();
    for f in &data.findings {
        let name = f.baseline.clone().unwrap_or_else(|| between.to_owned());
        if !groups.iter().any(|(n, _)| *n == name) {
            groups.push((name, t.none.to_owned()));
        }
    }
    let columns = [
        Column::new(t.col_baseline, 4.0, Align::Left),
        Column::new(t.col_version, 1.0, Align::Center),
        Column::new(t.critical, 1.0, Align::Right),
        Column::new(t.high, 1.0, Align::Right),
        Column::new(t.medium, 1.0, Align::Right),
        Column::new(t.low, 1.0, Align::Right),
        Column::new(t.col_resolved, 1.1, Align::Right),
        Column::new(t.col_accepted, 1.1, Align::Right),
    ];
    let mut bars = Vec::new();
    let rows: Vec<Vec<Cell>> = groups
        .iter()
        .map(|(name, version)| {
            let mine: Vec<&Finding> = data
                .findings
                .iter()
                .filter(|f| f.baseline.as_deref().unwrap_or(between) == name)
                .collect();
            let mut open = SeverityCounts::default();
            for f in mine.iter().filter(|f| f.status.is_active()) {
                open.add(f.severity, 1);
            }
            let resolved = mine.iter().filter(|f| f.status == Status::Resolved).count();
            let accepted = mine
                .iter()
                .filter(|f| f.status == Status::RiskAccepted)
                .count();
            bars.push((name.clone(), open.weight(), layout.accent));
            let mut row = vec![Cell::Bold(name.clone()), Cell::text(version)];
            row.extend(
                Severity::ALL
                    .iter()
                    .map(|s| Cell::text(open.get(*s).to_string())),
            );
            row.push(Cell::text(resolved.to_string()));
            row.push(Cell::text(accepted.to_string()));
            row
        })
        .collect();
    layout.table(&columns, &rows, TableStyle::default());
    if !bars.is_empty() {
        layout.paragraph(
            if de {
                "Gewichtete offene Abweichung je Baseline (kritisch ×8, hoch ×4, mittel ×2, niedrig ×1):"
            } else {
                "Weighted open drift per baseline (critical ×8, high ×4, medium ×2, low ×1):"
            },
            9.0,
            Weight::Regular,
            Color::MUTED,
        );
        let bar_color = charts::ink(layout.accent);
        for bar in &mut bars {
            bar.2 = bar_color;
        }
        layout.ensure(bars.len() as f32 * 16.0 + 10.0);
        let y = layout.y;
        let used = charts::bars(layout, (MARGIN_X, y, BODY_W), &bars, 150.0, |v| {
            format!("{v:.0}")
        });
        layout.y = y + used + 6.0;
    }
}

fn findings_table(layout: &mut Layout<'_>, active: &[&Finding], lang: Language) {
    let t = lang.t();
    layout.heading(t.findings_that_matter, 1);
    if active.is_empty() {
        layout.paragraph(t.no_findings, 9.5, Weight::Regular, Color::TEXT);
        return;
    }
    let columns = [
        Column::new(t.col_severity, 1.5, Align::Center),
        Column::new(t.col_finding, 5.6, Align::Left),
        Column::new(t.col_status, 1.6, Align::Left),
        Column::new(t.col_since, 1.55, Align::Left),
        Column::new(t.col_due, 1.55, Align::Left),
    ];
    let rows: Vec<Vec<Cell>> = active
        .iter()
        .map(|f| {
            vec![
                severity_cell(lang, f.severity),
                Cell::text(&f.title),
                Cell::text(lang.status(f.status)),
                Cell::text(lang.date(f.first_seen_at)),
                Cell::text(
                    f.due_at
                        .map(|d| lang.date(d))
                        .unwrap_or_else(|| t.none.to_owned()),
                ),
            ]
        })
        .collect();
    layout.table(&columns, &rows, TableStyle::default());
}

fn accepted_risks(layout: &mut Layout<'_>, data: &ExecutiveData, options: &ReportOptions) {
    let lang = options.language;
    let t = lang.t();
    layout.heading(t.accepted_risks, 1);
    if data.acceptances.is_empty() {
        layout.paragraph(t.no_acceptances, 9.5, Weight::Regular, Color::TEXT);
        return;
    }
    let now = options.generated_at;
    let mut acceptances: Vec<&RiskAcceptance> = data.acceptances.iter().collect();
    acceptances.sort_by(|a, b| a.expires_at.cmp(&b.expires_at).then(a.id.cmp(&b.id)));
    let columns = [
        Column::new(t.col_finding, 3.4, Align::Left),
        Column::new(t.col_justification, 3.2, Align::Left),
        Column::new(t.col_approver, 2.0, Align::Left),
        Column::new(t.col_expires, 1.5, Align::Left),
    ];
    let row = |a: &RiskAcceptance| {
        let approver = match &a.approved_by {
            Some(approver) => format!("{} / {}", a.accepted_by, approver),
            None => format!("{} ({})", a.accepted_by, t.approved_none),
        };
        let state = if a.is_live(now) { t.live } else { t.lapsed };
        vec![
            Cell::text(format!(
                "{} [{}]",
                a.finding_title,
                lang.severity(a.severity)
            )),
            Cell::text(&a.justification),
            Cell::text(approver),
            Cell::text(format!("{}\n{}", lang.date(a.expires_at), state)),
        ]
    };
    let rows: Vec<Vec<Cell>> = acceptances.iter().map(|a| row(a)).collect();
    layout.table(&columns, &rows, TableStyle::default());

    layout.heading(t.expiring_soon, 2);
    let soon: Vec<&&RiskAcceptance> = acceptances
        .iter()
        .filter(|a| a.is_live(now) && a.expires_at <= now + TimeDelta::days(EXPIRING_DAYS))
        .collect();
    if soon.is_empty() {
        layout.paragraph(t.none, 9.5, Weight::Regular, Color::TEXT);
    } else {
        let rows: Vec<Vec<Cell>> = soon.iter().map(|a| row(a)).collect();
        layout.table(&columns, &rows, TableStyle::default());
    }
}

fn recommendations(
    layout: &mut Layout<'_>,
    data: &ExecutiveData,
    options: &ReportOptions,
    active: &[&Finding],
) {
    let lang = options.language;
    let t = lang.t();
    let de = lang == Language::De;
    layout.heading(t.recommendations, 1);
    let now = options.generated_at;
    let mut items: Vec<String> = Vec::new();
    let count = |kinds: &[&str]| {
        active
            .iter()
            .filter(|f| kinds.contains(&f.drift_kind.as_str()))
            .count()
    };
    let critical_high = active
        .iter()
        .filter(|f| f.severity >= Severity::High)
        .count();
    if critical_high > 0 {
        items.push(if de {
            format!("Die {critical_high} kritischen und hohen Feststellungen zuerst beheben; sie bestimmen den Wert am stärksten.")
        } else {
            format!("Fix the {critical_high} critical and high findings first: they weigh most on the score.")
        });
    }
    let overdue = active
        .iter()
        .filter(|f| f.due_at.is_some_and(|d| d < now))
        .count();
    if overdue > 0 {
        items.push(if de {
            format!("{overdue} Feststellungen sind überfällig: Verantwortliche und neue Termine festlegen.")
        } else {
            format!("{overdue} findings are past their due date: name an owner and a new date for each.")
        });
    }
    let n = count(&["missing"]);
    if n > 0 {
        items.push(if de {
            format!("{n} Baseline-Richtlinien fehlen im Tenant: bereitstellen oder bewusst ausnehmen.")
        } else {
            format!("{n} baseline policies are missing from the tenant: deploy them, or exclude them on purpose.")
        });
    }
    let n = count(&["setting_changed", "setting_missing", "setting_added"]);
    if n > 0 {
        items.push(if de {
            format!("{n} Einstellungen weichen von der Baseline ab: auf Baseline-Werte zurücksetzen oder die Abweichung als Risiko akzeptieren.")
        } else {
            format!("{n} settings differ from the baseline: restore the baseline values, or accept the deviation as a risk with a justification.")
        });
    }
    let n = count(&["deleted"]);
    if n > 0 {
        items.push(if de {
            format!("{n} Richtlinien wurden seit der vorigen Erfassung gelöscht: jede Löschung bestätigen oder rückgängig machen.")
        } else {
            format!("{n} policies were deleted since the previous capture: confirm or undo each deletion.")
        });
    }
    let n = count(&[
        "changed_since_last_capture",
        "renamed",
        "assignment_changed",
    ]);
    if n > 0 {
        items.push(if de {
            format!("{n} Richtlinien wurden geändert, umbenannt oder anders zugewiesen: Änderungen über das Change-Management bestätigen.")
        } else {
            format!("{n} policies were changed, renamed or reassigned: confirm these changes through change management.")
        });
    }
    let expiring = data
        .acceptances
        .iter()
        .filter(|a| a.is_live(now) && a.expires_at <= now + TimeDelta::days(EXPIRING_DAYS))
        .count();
    if expiring > 0 {
        items.push(if de {
            format!("{expiring} Risikoakzeptanzen laufen in den nächsten 30 Tagen ab: erneut prüfen und verlängern oder beheben.")
        } else {
            format!("{expiring} risk acceptances expire within 30 days: review them, then renew or fix.")
        });
    }
    let not_assessed: Vec<String> = data
        .latest_review()
        .map(|r| r.not_assessed_kinds.clone())
        .unwrap_or_default();
    if !not_assessed.is_empty() {
        items.push(if de {
            format!("Diese Bereiche konnten nicht erfasst werden und sind ungeprüft: {}. Berechtigungen der Erfassung prüfen.", not_assessed.join(", "))
        } else {
            format!("These areas could not be captured and are not assessed: {}. Check the capture's permissions.", not_assessed.join(", "))
        });
    }
    if items.is_empty() {
        items.push(if de {
            "Keine Maßnahmen nötig: die Konfiguration weiter regelmäßig prüfen.".to_owned()
        } else {
            "Nothing to fix: keep reviewing the configuration regularly.".to_owned()
        });
    }
    for item in &items {
        layout.bullet(item, 10.0);
    }
}

fn appendix(layout: &mut Layout<'_>, data: &ExecutiveData, lang: Language) {
    let t = lang.t();
    let de = lang == Language::De;
    layout.heading(t.appendix, 1);
    layout.heading(t.method, 2);
    let method = if de {
        [
            "Plumbline erfasst die Konfiguration des Tenants (Intune- und Entra-Richtlinien) und vergleicht jede Erfassung mit den zugewiesenen Baselines und mit der vorigen Erfassung. Flüchtige Felder (IDs, Zeitstempel, Versionen), die Reihenfolge von Listen und tenantspezifische IDs werden vor dem Vergleich normalisiert, damit nur echte Abweichungen zählen.",
            "Jede Abweichung wird zu einer Feststellung mit stabilem Fingerabdruck und Lebenszyklus: offen, zur Kenntnis genommen, behoben, Risiko akzeptiert (mit Begründung, Genehmigung und Ablaufdatum) oder Fehlalarm. Akzeptierte Risiken erlöschen beim Ablauf oder wenn sich der Wert ändert.",
            "Der Konformitätswert ist der nach Schweregrad gewichtete Anteil der geprüften Einstellungen, die der Baseline entsprechen (kritisch ×8, hoch ×4, mittel ×2, niedrig ×1), von 0 bis 100. Akzeptierte Risiken und Fehlalarme zählen als konform; nicht erfasste Bereiche werden nicht bewertet.",
        ]
    } else {
        [
            "Plumbline captures the tenant's configuration (Intune and Entra policies) and compares each capture with the assigned baselines and with the previous capture. Volatile fields (ids, timestamps, versions), the order of lists and per-tenant ids are normalised before comparing, so that only real deviations count.",
            "Each deviation becomes a finding with a stable fingerprint and a lifecycle: open, acknowledged, resolved, risk accepted (with justification, approver and expiry) or false positive. An accepted risk lapses when it expires or when the value moves away from the accepted one.",
            "The alignment score is the severity-weighted share of assessed settings that match the baseline (critical ×8, high ×4, medium ×2, low ×1), from 0 to 100. Accepted risks and false positives count as aligned; areas that failed to capture are not assessed.",
        ]
    };
    for paragraph in method {
        layout.paragraph(paragraph, 9.0, Weight::Regular, Color::TEXT);
    }

    if !data.inventory.is_empty() {
        layout.heading(t.inventory, 2);
        let columns = [
            Column::new(t.col_category, 5.0, Align::Left),
            Column::new(t.col_items, 1.0, Align::Right),
        ];
        let rows: Vec<Vec<Cell>> = data
            .inventory
            .iter()
            .map(|k| {
                vec![
                    Cell::text(lang.category(&k.resource_kind, &k.kind_label)),
                    Cell::text(k.items.to_string()),
                ]
            })
            .collect();
        layout.table(&columns, &rows, TableStyle::default());
    }

    layout.heading(t.all_findings, 2);
    let all = sorted(data.findings.iter());
    if all.is_empty() {
        layout.paragraph(t.none, 9.0, Weight::Regular, Color::TEXT);
    }
    // A list rather than a table: every title in full, in reading order.
    for (index, finding) in all.iter().enumerate() {
        layout.ensure(34.0);
        let y = layout.y;
        let color = severity_color(finding.severity);
        layout.paragraph_at(
            MARGIN_X + 10.0,
            BODY_W - 10.0,
            &format!("{}. {}", index + 1, finding.title),
            8.5,
            Weight::Bold,
            Color::TEXT,
        );
        let mut meta = format!(
            "{} · {} · {} · {} {} · {} {}",
            lang.severity(finding.severity),
            lang.status(finding.status),
            finding.baseline.as_deref().unwrap_or(t.none),
            t.col_since,
            lang.date(finding.first_seen_at),
            if de { "zuletzt" } else { "last seen" },
            lang.date(finding.last_seen_at),
        );
        if finding.reopen_count > 0 {
            meta.push_str(&if de {
                format!(" · {}× wieder geöffnet", finding.reopen_count)
            } else {
                format!(" · re-opened {}×", finding.reopen_count)
            });
        }
        layout.paragraph_at(
            MARGIN_X + 10.0,
            BODY_W - 10.0,
            &meta,
            7.5,
            Weight::Regular,
            Color::MUTED,
        );
        let bottom = layout.y;
        // A severity mark left of the entry (on the page the entry started on).
        if bottom > y {
            layout.push(Shape::Rect {
                x: MARGIN_X,
                y: y + 3.0,
                w: 3.0,
                h: (bottom - y - 6.0).max(4.0),
                fill: Some(color),
                stroke: None,
            });
        }
        layout.gap(2.0);
    }
}

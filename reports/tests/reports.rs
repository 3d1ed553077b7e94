//! The reports end to end: a demo portfolio made and reviewed by the real engine in a
//! SQLite file, its facts gathered by the store's reporting queries, handed over as JSON
//! (the contract between core and this crate), rendered, and checked with the tools a
//! person would use: `qpdf --check` for structure, `pdftotext` for the words.
//!
//! `qpdf` and `pdftotext` (poppler-utils) are installed by `scripts/install-deps.sh`; a
//! test that needs one fails with a message saying so when it is missing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use plumbline_core::findings::{Action, RiskRequest};
use plumbline_core::portfolio::{add_demo_tenants, DemoRequest};
use plumbline_core::review::{review_all, ReviewOptions};
use plumbline_core::store::Store;
use plumbline_reports::data::{
    ExecutiveData, Finding, PortfolioData, ReviewPoint, Severity, Status, TenantInfo, Transition,
};
use plumbline_reports::export::{self, CsvOptions, FindingRecord, BOM};
use plumbline_reports::{
    format_score, render_executive, render_portfolio, Branding, Fonts, Language, Logo,
    ReportOptions,
};

/// What the database held, gathered once for every test of this binary.
struct Fixture {
    executives: Vec<ExecutiveData>,
    portfolio: PortfolioData,
    /// `list_findings` titles per tenant name: what "the database holds".
    titles: Vec<(String, Vec<String>)>,
    all_findings: Vec<Finding>,
    _dir: tempfile::TempDir,
}

fn generated_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0)
        .single()
        .expect("valid time")
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(build_fixture())
    })
}

async fn build_fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("reports.db"))
        .await
        .expect("store")
        .with_actor("auditor@example.com");
    let anchor = Utc
        .with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
        .single()
        .expect("date");
    add_demo_tenants(
        &store,
        &DemoRequest {
            seed: 42,
            tenants: 3,
            anchor,
        },
        |_, _| {},
    )
    .await
    .expect("demo");
    review_all(&store, &ReviewOptions::default(), |_, _| {})
        .await
        .expect("review");

    // People's decisions, so the report has acknowledged findings and accepted risks.
    let tenants = store.list_tenants().await.expect("tenants");
    let first = store
        .list_findings(&plumbline_core::store::FindingFilter {
            tenant: Some(tenants[0].id),
            status: Some(plumbline_core::findings::Status::Open),
            ..Default::default()
        })
        .await
        .expect("findings");
    assert!(
        first.len() >= 2,
        "the demo plants open findings in every tenant"
    );
    let now = Utc::now();
    store
        .decide_finding(
            &first[0].id,
            &Action::AcceptRisk(RiskRequest {
                justification: "Legacy app needs it until the Q1 migration; Müller approved"
                    .to_owned(),
                expires_at: now + TimeDelta::days(20),
                accepted_by: "auditor@example.com".to_owned(),
                approver: Some("ciso@example.com".to_owned()),
            }),
            Some("accepted"),
            now,
        )
        .await
        .expect("accept");
    store
        .decide_finding(&first[1].id, &Action::Acknowledge, Some("on it"), now)
        .await
        .expect("acknowledge");

    let mut executives = Vec::new();
    let mut titles = Vec::new();
    let from = anchor - TimeDelta::days(365);
    let to = Utc::now() + TimeDelta::days(1);
    for tenant in &tenants {
        let source = store
            .executive_source(tenant.id, from, to)
            .await
            .expect("executive source");
        executives.push(to_data(&source));
        let listed = store
            .list_findings(&plumbline_core::store::FindingFilter {
                tenant: Some(tenant.id),
                ..Default::default()
            })
            .await
            .expect("findings");
        titles.push((
            tenant.name.clone(),
            listed.into_iter().map(|f| f.title).collect(),
        ));
    }
    let portfolio = to_data(&store.portfolio_source().await.expect("portfolio"));
    let all_findings = to_data(&store.report_findings(None, None).await.expect("all"));
    store.close().await;
    Fixture {
        executives,
        portfolio,
        titles,
        all_findings,
        _dir: dir,
    }
}

/// Core's facts into the renderer's types, through JSON, as the CLI does.
fn to_data<T: serde::de::DeserializeOwned>(source: &impl serde::Serialize) -> T {
    let value = serde_json::to_value(source).expect("serialise");
    serde_json::from_value(value).expect("core's reporting structs match plumbline_reports::data")
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let (fonts, warning) = Fonts::system();
        assert!(
            warning.is_none(),
            "DejaVu Sans is missing ({warning:?}): install fonts-dejavu-core (scripts/install-deps.sh)"
        );
        fonts
    })
}

fn options(language: Language) -> ReportOptions {
    ReportOptions {
        language,
        branding: Branding {
            msp_name: "Nordlicht IT-Service GmbH".to_owned(),
            accent: [0x1f, 0x4e, 0x79],
            logo: None,
        },
        generated_at: generated_at(),
        report_id: "PL-TEST-0000-0001".to_owned(),
    }
}

/// Fails with what to install when a tool is missing.
fn tool(name: &str, package: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|path| path.is_file())
    });
    found.unwrap_or_else(|| {
        panic!("`{name}` is not installed: install the Debian package {package} (scripts/install-deps.sh does)")
    })
}

fn write_pdf(bytes: &[u8], name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write pdf");
    (dir, path)
}

fn qpdf_check(path: &Path) {
    let output = Command::new(tool("qpdf", "qpdf"))
        .arg("--check")
        .arg(path)
        .output()
        .expect("run qpdf");
    assert!(
        output.status.success(),
        "qpdf --check failed on {}:\n{}{}",
        path.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The page's (or document's) text in reading order, followed by the same text in
/// content-stream order (`-raw`): table cells that wrap are read whole in the latter.
fn pdftotext(path: &Path, page: Option<usize>) -> String {
    format!(
        "{}\n{}",
        pdftotext_mode(path, page, false),
        pdftotext_mode(path, page, true)
    )
}

fn pdftotext_mode(path: &Path, page: Option<usize>, raw: bool) -> String {
    let mut command = Command::new(tool("pdftotext", "poppler-utils"));
    if raw {
        command.arg("-raw");
    }
    if let Some(page) = page {
        command.args(["-f", &page.to_string(), "-l", &page.to_string()]);
    }
    let output = command.arg(path).arg("-").output().expect("run pdftotext");
    assert!(output.status.success(), "pdftotext failed");
    String::from_utf8(output.stdout).expect("pdftotext prints UTF-8")
}

/// Text compared without line breaks, spaces or hyphens, which wrapping moves around.
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '\u{ad}')
        .collect()
}

fn assert_contains_all(text: &str, needles: &[String], what: &str) {
    let haystack = squash(text);
    let missing: Vec<&String> = needles
        .iter()
        .filter(|n| !haystack.contains(&squash(n)))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} {what} are not in the PDF's text, e.g. {:?}",
        missing.len(),
        needles.len(),
        missing.iter().take(3).collect::<Vec<_>>()
    );
}

#[test]
fn executive_reports_hold_the_tenant_score_and_every_finding() {
    let fixture = fixture();
    for (data, (name, titles)) in fixture.executives.iter().zip(&fixture.titles) {
        assert_eq!(&data.tenant.name, name);
        assert!(!titles.is_empty(), "{name} has findings in the database");
        let score = data
            .latest_review()
            .and_then(|r| r.score)
            .expect("every demo tenant was reviewed and scored");
        for language in [Language::En, Language::De] {
            let pdf = render_executive(data, &options(language), fonts()).expect("render");
            assert!(
                pdf.pages >= 5,
                "cover, contents and sections: {}",
                pdf.pages
            );
            let (_dir, path) = write_pdf(&pdf.bytes, "executive.pdf");
            qpdf_check(&path);
            let text = pdftotext(&path, None);
            assert!(
                text.contains(name.as_str()),
                "tenant name {name} in the text"
            );
            let score_text = format_score(score, language);
            assert!(text.contains(&score_text), "score {score_text} in the text");
            assert_contains_all(&text, titles, "finding titles");
            let (contents, summary) = match language {
                Language::En => ("Contents", "Executive summary"),
                Language::De => ("Inhalt", "Zusammenfassung für die Geschäftsleitung"),
            };
            assert!(
                text.contains(contents) && text.contains(summary),
                "{language:?} text"
            );
            // Running footer: report id, generation time, page X of Y, on every page
            // after the cover.
            let last = pdftotext(&path, Some(pdf.pages));
            assert!(
                last.contains("PL-TEST-0000-0001"),
                "report id in the footer"
            );
            let page_label = match language {
                Language::En => format!("Page {} of {}", pdf.pages, pdf.pages),
                Language::De => format!("Seite {} von {}", pdf.pages, pdf.pages),
            };
            assert!(last.contains(&page_label), "{page_label} on the last page");
        }
    }
}

#[test]
fn executive_report_shows_accepted_risks_ghosts_and_changes() {
    let fixture = fixture();
    let data = &fixture.executives[0];
    assert_eq!(data.acceptances.len(), 1, "the accepted risk is gathered");
    let pdf = render_executive(data, &options(Language::En), fonts()).expect("render");
    let (_dir, path) = write_pdf(&pdf.bytes, "executive.pdf");
    let text = pdftotext(&path, None);
    let squashed = squash(&text);
    assert!(squashed.contains(&squash(
        "Legacy app needs it until the Q1 migration; Müller approved"
    )));
    assert!(text.contains("ciso@example.com"), "the approver is named");
    assert!(text.contains("Expiring within 30 days"));
    for change in &data.changes {
        assert!(
            squashed.contains(&squash(&change.name)),
            "change {} listed",
            change.name
        );
    }
    // A ghost stays a finding until someone triages it; the capture changes list only
    // what the latest review compared. So a ghost the latest review saw is a deleted
    // change, and one from an earlier deletion is not.
    let latest = data.latest_capture.as_ref().expect("a latest capture");
    let ghosts: Vec<&Finding> = data
        .findings
        .iter()
        .filter(|f| f.drift_kind == "deleted")
        .collect();
    assert!(!ghosts.is_empty(), "the demo deletes policies");
    for ghost in &ghosts {
        let listed = data.changes.iter().any(|c| {
            c.name == ghost.item && c.change == plumbline_reports::data::ChangeKind::Deleted
        });
        assert_eq!(
            listed,
            ghost.last_seen_at >= latest.taken_at,
            "the deleted policy {} (last seen {}) against the changes to the capture of {}",
            ghost.item,
            ghost.last_seen_at,
            latest.taken_at
        );
    }
}

#[test]
fn portfolio_report_ranks_every_tenant() {
    let fixture = fixture();
    let data = &fixture.portfolio;
    assert_eq!(data.tenants.len(), 3);
    assert!(
        !data.categories.is_empty(),
        "open findings fall into categories"
    );
    for language in [Language::En, Language::De] {
        let pdf = render_portfolio(data, &options(language), fonts()).expect("render");
        let (_dir, path) = write_pdf(&pdf.bytes, "portfolio.pdf");
        qpdf_check(&path);
        let text = pdftotext(&path, None);
        let names: Vec<String> = data.tenants.iter().map(|t| t.name.clone()).collect();
        assert_contains_all(&text, &names, "tenant names");
        let titles: Vec<String> = data.top_findings.iter().map(|f| f.title.clone()).collect();
        assert_contains_all(&text, &titles, "top finding titles");
        for tenant in &data.tenants {
            let score = format_score(tenant.score.expect("scored"), language);
            assert!(text.contains(&score), "score {score} of {}", tenant.name);
        }
    }
}

#[test]
fn same_data_and_time_give_the_same_bytes() {
    let fixture = fixture();
    let data = &fixture.executives[1];
    let a = render_executive(data, &options(Language::En), fonts()).expect("render");
    let b = render_executive(data, &options(Language::En), fonts()).expect("render");
    assert!(a.bytes == b.bytes, "two renders differ");
    assert_eq!(a.sha256, b.sha256);
    let mut later = options(Language::En);
    later.generated_at += TimeDelta::seconds(1);
    let c = render_executive(data, &later, fonts()).expect("render");
    assert_ne!(
        a.sha256, c.sha256,
        "the generation time is part of the document"
    );

    let p = render_portfolio(&fixture.portfolio, &options(Language::De), fonts()).expect("render");
    let q = render_portfolio(&fixture.portfolio, &options(Language::De), fonts()).expect("render");
    assert!(p.bytes == q.bytes, "two portfolio renders differ");
    // No wall-clock time sneaks into the file: its dates are the generation time.
    let raw = String::from_utf8_lossy(&a.bytes);
    assert!(
        raw.contains("D:20261123093000"),
        "PDF dates are the generation time"
    );
}

/// Synthetic data for what the demo does not exercise: every European Latin script, long
/// tables over several pages, a logo.
fn synthetic(findings: usize) -> ExecutiveData {
    let at = generated_at() - TimeDelta::days(10);
    let name = "Zażółć gęślą jaźń – Müller & Söhne GmbH – Příliš žluťoučký kůň – Ærøskøbing Åland";
    let findings = (0..findings)
        .map(|i| Finding {
            id: format!("f{i:04}"),
            tenant_id: "t1".to_owned(),
            tenant: name.to_owned(),
            title: format!(
                "Setting {i}: Straße schließen, Łódź, Škoda, Brno — device_vendor_msft_policy_config_a_very_long_identifier_without_spaces_{i}"
            ),
            severity: Severity::ALL[i % 4],
            status: if i % 7 == 0 { Status::Resolved } else { Status::Open },
            source: "drift".to_owned(),
            baseline: Some("Grundschutz".to_owned()),
            resource_kind: "settings_catalog".to_owned(),
            kind_label: "Settings catalog".to_owned(),
            item: format!("Policy {i}"),
            setting_path: format!("path/{i}"),
            drift_kind: "setting_changed".to_owned(),
            expected: Some("1".to_owned()),
            actual: Some("0".to_owned()),
            first_seen_at: at,
            last_seen_at: at,
            resolved_at: (i % 7 == 0).then_some(at),
            due_at: Some(at + TimeDelta::days(30)),
            reopen_count: 0,
            not_assessed: false,
            history: vec![Transition {
                at,
                from_status: None,
                to_status: Status::Open,
                actor: "review".to_owned(),
                reason: Some("observed by review".to_owned()),
                superseded: None,
            }],
        })
        .collect();
    let review = |days: i64, score: f64| ReviewPoint {
        id: format!("r{days}"),
        finished_at: generated_at() - TimeDelta::days(days),
        score: Some(score),
        assessed_settings: 1000,
        compliant_settings: 900,
        accepted_settings: 3,
        not_assessed_kinds: Vec::new(),
    };
    ExecutiveData {
        tenant: TenantInfo {
            id: "t1".to_owned(),
            name: name.to_owned(),
            primary_domain: Some("zazolc.onmicrosoft.com".to_owned()),
            entra_tenant_id: None,
        },
        period: plumbline_reports::data::Period {
            from: generated_at() - TimeDelta::days(90),
            to: generated_at(),
        },
        reviews: vec![
            review(80, 71.5),
            review(60, 78.0),
            review(40, 76.2),
            review(20, 84.9),
            review(1, 88.3),
        ],
        review_before: Some(review(100, 64.0)),
        findings,
        acceptances: Vec::new(),
        baselines: Vec::new(),
        latest_capture: None,
        previous_capture: None,
        changes: Vec::new(),
        inventory: Vec::new(),
    }
}

#[test]
fn european_scripts_survive_and_long_tables_repeat_their_header() {
    let data = synthetic(120);
    let mut options = options(Language::De);
    // A 3 × 2 pixel RGBA logo, made here.
    let mut png_bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png_bytes, 3, 2);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("png header");
        writer
            .write_image_data(&[
                255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 0, 0, 0, 0, 255, 255, 255, 128, 10,
                20, 30, 255,
            ])
            .expect("png data");
    }
    options.branding.logo = Some(Logo::from_png(&png_bytes).expect("logo"));
    let pdf = render_executive(&data, &options, fonts()).expect("render");
    let (_dir, path) = write_pdf(&pdf.bytes, "synthetic.pdf");
    qpdf_check(&path);
    let text = pdftotext(&path, None);
    assert!(
        squash(&text).contains(&squash(&data.tenant.name)),
        "every European Latin character round-trips"
    );
    assert!(text.contains("Příliš žluťoučký kůň"), "Czech on one line");
    let titles: Vec<String> = data.findings.iter().map(|f| f.title.clone()).collect();
    assert_contains_all(&text, &titles, "synthetic titles");
    assert!(text.contains(&format_score(88.3, Language::De)));
    // The findings table spans pages; each of them starts with the header row.
    let header_pages = (1..=pdf.pages)
        .filter(|page| {
            let text = squash(&pdftotext(&path, Some(*page)));
            text.contains("Schweregrad") && text.contains("Feststellung") && text.contains("Fällig")
        })
        .count();
    assert!(
        header_pages >= 3,
        "the findings table header repeats: {header_pages} pages"
    );
}

#[test]
fn base_font_fallback_still_makes_a_valid_pdf_and_says_so() {
    let data = synthetic(5);
    let pdf = render_executive(&data, &options(Language::En), &Fonts::builtin()).expect("render");
    let (_dir, path) = write_pdf(&pdf.bytes, "fallback.pdf");
    qpdf_check(&path);
    let text = pdftotext(&path, None);
    assert!(
        text.contains("Font note"),
        "the cover explains the fallback"
    );
    assert!(
        text.contains("Müller & Söhne GmbH"),
        "Windows-1252 characters still print"
    );
    assert!(
        text.contains("Za?"),
        "characters outside Windows-1252 print as ?"
    );
}

#[test]
fn csv_exports_round_trip() {
    let fixture = fixture();
    let records = export::finding_records(&fixture.all_findings);
    assert!(
        records.iter().any(|r| r.history_count > 0),
        "history columns are filled"
    );
    assert!(
        records
            .iter()
            .any(|r| r.status == "risk_accepted" && r.history_count >= 2),
        "the accepted finding carries its decision in its history"
    );
    let mut plain = Vec::new();
    export::write_records(&mut plain, &records, CsvOptions::default()).expect("csv");
    assert!(!plain.starts_with(BOM));
    assert!(plain.windows(2).any(|w| w == b"\r\n"), "RFC 4180 line ends");
    let parsed: Vec<FindingRecord> = csv::Reader::from_reader(plain.as_slice())
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("parse back");
    assert_eq!(parsed, records);

    let mut excel = Vec::new();
    export::write_records(&mut excel, &records, CsvOptions { excel: true }).expect("csv");
    assert!(
        excel.starts_with(BOM),
        "Excel variant starts with a UTF-8 BOM"
    );
    let parsed: Vec<FindingRecord> = csv::Reader::from_reader(&excel[BOM.len()..])
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("parse back");
    let neutralised: Vec<FindingRecord> = records
        .iter()
        .cloned()
        .map(|mut r| {
            r.title = export::neutralise(r.title);
            r.expected = export::neutralise(r.expected);
            r.actual = export::neutralise(r.actual);
            r.history = export::neutralise(r.history);
            r.last_change_reason = export::neutralise(r.last_change_reason);
            r
        })
        .collect();
    assert_eq!(parsed, neutralised);

    // Quotes, commas and line breaks survive; a formula is neutralised for Excel only.
    let tricky = vec![FindingRecord {
        title: "=HYPERLINK(\"x\"), with \"quotes\",\ncommas and a break".to_owned(),
        ..FindingRecord::default()
    }];
    let mut out = Vec::new();
    export::write_records(&mut out, &tricky, CsvOptions::default()).expect("csv");
    let back: Vec<FindingRecord> = csv::Reader::from_reader(out.as_slice())
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("parse");
    assert_eq!(back, tricky);
    let mut out = Vec::new();
    export::write_records(&mut out, &tricky, CsvOptions { excel: true }).expect("csv");
    let back: Vec<FindingRecord> = csv::Reader::from_reader(&out[BOM.len()..])
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("parse");
    assert!(
        back[0].title.starts_with("'="),
        "formula neutralised: {}",
        back[0].title
    );

    // An empty export still names its columns.
    let mut empty = Vec::new();
    export::write_records::<_, FindingRecord>(&mut empty, &[], CsvOptions::default()).expect("csv");
    assert!(String::from_utf8(empty)
        .expect("utf-8")
        .starts_with("tenant,finding_id,severity"));
}

#[test]
fn a_superseded_decision_is_marked_in_the_csv_history() {
    let fixture = fixture();
    let mut finding = fixture.all_findings[0].clone();
    // The shape the store serialises (core's ReportTransition with its Supersession).
    let step: Transition = serde_json::from_value(serde_json::json!({
        "at": "2026-11-02T10:00:00.000Z",
        "from_status": "open",
        "to_status": "risk_accepted",
        "actor": "Alice",
        "reason": "vendor limitation",
        "superseded": {
            "decision_id": "0193-b",
            "actor": "Bob",
            "to_status": "resolved",
            "at": "2026-11-02T10:05:00.000Z"
        }
    }))
    .expect("a superseded step reads");
    finding.history.push(step);
    let records = export::finding_records(&[finding]);
    assert!(
        records[0].history.ends_with(
            "2026-11-02 10:00:00 open→risk_accepted by Alice: vendor limitation [superseded by Bob → resolved at 2026-11-02 10:05:00]"
        ),
        "{}",
        records[0].history
    );
}

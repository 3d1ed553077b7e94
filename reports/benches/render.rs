//! Rendering speed without a database: a 1,000-tenant portfolio and an executive report
//! with 60 findings, from synthetic data shaped like the demo's. Prints the median of
//! several runs; `cargo bench -p plumbline-reports`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{TimeDelta, TimeZone, Utc};
use plumbline_reports::data::{
    Category, CommonFinding, ExecutiveData, Finding, Period, PortfolioData, PortfolioTenant,
    ReviewPoint, ScoreSample, Severity, SeverityCounts, Status, TenantInfo,
};
use plumbline_reports::{
    render_executive, render_portfolio, Branding, Fonts, Language, ReportOptions,
};

const KINDS: [&str; 6] = [
    "settings_catalog",
    "windows_update_ring",
    "windows_driver_update",
    "compliance_policy",
    "device_configuration",
    "app_protection",
];

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    let (fonts, warning) = Fonts::system();
    if let Some(warning) = warning {
        eprintln!("warning: {warning}");
    }
    let now = Utc
        .with_ymd_and_hms(2026, 11, 23, 9, 0, 0)
        .single()
        .expect("time");
    let options = ReportOptions {
        language: Language::En,
        branding: Branding::default(),
        generated_at: now,
        report_id: "PL-BENCH".to_owned(),
    };

    let tenants: Vec<PortfolioTenant> = (0..1000u32)
        .map(|i| {
            let score = 80.0 + f64::from((i * 37) % 200) / 10.0;
            let mut by_category = BTreeMap::new();
            let mut open = SeverityCounts::default();
            for (k, kind) in KINDS.iter().enumerate() {
                let n = (i as usize * (k + 3)) % 9;
                if n > 0 {
                    let mut counts = SeverityCounts::default();
                    counts.add(Severity::ALL[(i as usize + k) % 4], n as u32);
                    open.add(Severity::ALL[(i as usize + k) % 4], n as u32);
                    by_category.insert((*kind).to_owned(), counts);
                }
            }
            PortfolioTenant {
                id: format!("t{i}"),
                name: format!("Tenant {i:04} Holdings GmbH"),
                score: Some(score),
                previous_score: Some(score + f64::from(i % 5) - 2.0),
                reviewed_at: Some(now),
                history: (0..8)
                    .map(|d| ScoreSample {
                        at: now - TimeDelta::days(30 * (8 - d)),
                        score: score - f64::from((d as u32 * 7 + i) % 5),
                    })
                    .collect(),
                open,
                by_category,
            }
        })
        .collect();
    let portfolio = PortfolioData {
        workspace: "Bench".to_owned(),
        tenants,
        categories: KINDS
            .iter()
            .map(|k| Category {
                key: (*k).to_owned(),
                label: (*k).to_owned(),
            })
            .collect(),
        top_findings: (0..15)
            .map(|i| CommonFinding {
                resource_kind: KINDS[i % KINDS.len()].to_owned(),
                kind_label: "Settings catalog".to_owned(),
                item: format!("Policy {i}"),
                setting_path: format!("path/{i}"),
                drift_kind: "setting_changed".to_owned(),
                severity: Severity::ALL[i % 4],
                title: format!("Defender: tamper protection {i}: device_vendor_msft_defender_configuration_tamperprotection_options_1 instead of _0 (Win - OIB - ES - Defender Antivirus - D - Security Experience - v3.3)"),
                tenants: 40 - i as u32,
                findings: 40 - i as u32,
            })
            .collect(),
    };

    let at = now - TimeDelta::days(3);
    let executive = ExecutiveData {
        tenant: TenantInfo {
            id: "t1".to_owned(),
            name: "Stonecrest Capital GmbH".to_owned(),
            primary_domain: Some("stonecrest.onmicrosoft.com".to_owned()),
            entra_tenant_id: None,
        },
        period: Period {
            from: now - TimeDelta::days(90),
            to: now,
        },
        reviews: (0..6)
            .map(|i| ReviewPoint {
                id: format!("r{i}"),
                finished_at: now - TimeDelta::days(15 * (6 - i)),
                score: Some(90.0 + f64::from(i as u32)),
                assessed_settings: 2266,
                compliant_settings: 2209,
                accepted_settings: 0,
                not_assessed_kinds: Vec::new(),
            })
            .collect(),
        review_before: None,
        findings: (0..60)
            .map(|i| Finding {
                id: format!("f{i}"),
                tenant_id: "t1".to_owned(),
                tenant: "Stonecrest Capital GmbH".to_owned(),
                title: format!("Audit: Object access audit filtering platform connection set to device_vendor_msft_policy_config_audit_objectaccess_{i} beyond the baseline (Win - OIB - ES - Defender Antivirus - D - AV Configuration - v3.3)"),
                severity: Severity::ALL[i % 4],
                status: Status::Open,
                source: "drift".to_owned(),
                baseline: Some("OpenIntuneBaseline".to_owned()),
                resource_kind: "settings_catalog".to_owned(),
                kind_label: "Settings catalog".to_owned(),
                item: format!("Policy {i}"),
                setting_path: format!("p{i}"),
                drift_kind: "setting_added".to_owned(),
                expected: None,
                actual: Some("1".to_owned()),
                first_seen_at: at,
                last_seen_at: at,
                resolved_at: None,
                due_at: Some(at + TimeDelta::days(30)),
                reopen_count: 0,
                not_assessed: false,
                history: Vec::new(),
            })
            .collect(),
        acceptances: Vec::new(),
        baselines: Vec::new(),
        latest_capture: None,
        previous_capture: None,
        changes: Vec::new(),
        inventory: Vec::new(),
    };

    let runs = 9;
    let mut times = Vec::new();
    let mut pages = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let pdf = render_executive(&executive, &options, &fonts).expect("render");
        times.push(started.elapsed());
        pages = pdf.pages;
    }
    println!(
        "render_executive (60 findings, {pages} pages): median {:.1} ms over {runs} runs",
        median(times).as_secs_f64() * 1000.0
    );
    let mut times = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let pdf = render_portfolio(&portfolio, &options, &fonts).expect("render");
        times.push(started.elapsed());
        pages = pdf.pages;
    }
    println!(
        "render_portfolio (1,000 tenants, {pages} pages): median {:.1} ms over {runs} runs",
        median(times).as_secs_f64() * 1000.0
    );
}

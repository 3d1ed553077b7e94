//! `plumbline bench pack`: building and verifying the evidence pack of one demo tenant
//! over a year of daily captures, each reviewed (findings, transitions, audit events).
//!
//! The year is made once per run in a scratch database (not measured): demo tenant 0's
//! history, then one capture a day for `--days` days that steps through the tenant's
//! historic states (so policies change, drift opens and resolves), each followed by a
//! review. Then the pack of the whole period is built and verified `--rounds` times; the
//! best and median times are reported. The key lives in an in-memory keychain: a
//! benchmark must not write to the machine's keychain.

use std::time::Instant;

use anyhow::{anyhow, Context};
use chrono::{TimeDelta, Utc};
use plumbline_core::demo::DemoGenerator;
use plumbline_core::evidence::{build_pack, verify_pack, workspace_key, PackRequest};
use plumbline_core::keychain::MemoryKeychain;
use plumbline_core::model::CaptureSource;
use plumbline_core::portfolio::{add_demo_tenants, DemoRequest};
use plumbline_core::review::{review_tenant, ReviewOptions};
use plumbline_core::store::{CaptureWrite, Store};
use serde::Serialize;

use crate::output::{human_bytes, print_json, progress};
use crate::Outcome;

#[derive(clap::Args, Debug)]
pub struct PackArgs {
    /// Days of daily captures (each reviewed) in the pack's period.
    #[arg(long, default_value_t = 365)]
    days: u32,
    /// Seed of the demo generator.
    #[arg(long, default_value_t = plumbline_core::portfolio::DEFAULT_SEED)]
    seed: u64,
    /// How many times to build and to verify the pack.
    #[arg(long, default_value_t = 5)]
    rounds: u32,
}

#[derive(Debug, Serialize)]
struct Timing {
    best_seconds: f64,
    median_seconds: f64,
}

#[derive(Debug, Serialize)]
struct Figures {
    days: u32,
    captures: usize,
    setup_seconds: f64,
    pack_bytes: u64,
    pack_files: usize,
    audit_events: u64,
    build: Timing,
    /// Seconds spent in each stage of the first build.
    build_stages: Vec<(String, f64)>,
    build_redacted: Timing,
    verify: Timing,
}

pub async fn run(args: &PackArgs, json: bool) -> Outcome {
    let scratch = tempfile::tempdir().context("cannot create a scratch directory")?;
    let store = Store::open(&scratch.path().join("pack-bench.db")).await?;
    let started = Instant::now();
    let (tenant, captures) = make_year(&store, args).await?;
    let setup_seconds = started.elapsed().as_secs_f64();

    let keychain = MemoryKeychain::default();
    let (key, _) = workspace_key(&store, &keychain).await?;
    let today = Utc::now().date_naive();
    let request = |redact: bool| PackRequest {
        tenant: tenant.clone(),
        from: today - TimeDelta::days(i64::from(args.days) + 200),
        to: today,
        redact,
        include_reports: false,
        created_at: Utc::now(),
    };

    let rounds = args.rounds.max(1);
    let mut build = Vec::new();
    let mut built = None;
    let mut stages: Vec<(String, f64)> = Vec::new();
    for round in 0..rounds {
        let started = Instant::now();
        let mut marks: Vec<(String, f64)> = Vec::new();
        let pack = build_pack(&store, &key, &request(false), &mut |stage, _| {
            marks.push((stage.to_owned(), started.elapsed().as_secs_f64()));
        })
        .await?;
        build.push(started.elapsed().as_secs_f64());
        built = Some(pack);
        marks.push(("end".to_owned(), started.elapsed().as_secs_f64()));
        if round == 0 {
            // The time from each stage's start to the next one's.
            stages = marks
                .iter()
                .zip(marks.iter().skip(1))
                .map(|((stage, at), (_, next))| (stage.clone(), next - at))
                .collect();
        }
    }
    let built = built.ok_or_else(|| anyhow!("no pack was built"))?;
    let mut build_redacted = Vec::new();
    for _ in 0..rounds {
        let started = Instant::now();
        build_pack(&store, &key, &request(true), &mut |_, _| {}).await?;
        build_redacted.push(started.elapsed().as_secs_f64());
    }
    let mut verify = Vec::new();
    for _ in 0..rounds {
        let bytes = built.bytes.clone();
        let started = Instant::now();
        let verdict = tokio::task::spawn_blocking(move || verify_pack(&bytes, None)).await?;
        verify.push(started.elapsed().as_secs_f64());
        if !verdict.ok {
            return Err(anyhow!("the pack failed verification: {:?}", verdict.failures).into());
        }
    }

    let figures = Figures {
        days: args.days,
        captures,
        setup_seconds,
        pack_bytes: built.bytes.len() as u64,
        pack_files: built.manifest.files.len() + 3,
        audit_events: built.manifest.audit.events,
        build: timing(build),
        build_stages: stages,
        build_redacted: timing(build_redacted),
        verify: timing(verify),
    };
    store.close().await;
    if json {
        print_json(&figures)?;
        return Ok(());
    }
    println!(
        "Evidence pack of one demo tenant: {} captures over {} days (made and reviewed in {:.1} s, not measured)",
        figures.captures, figures.days, figures.setup_seconds
    );
    println!(
        "Pack: {}, {} files, {} audit events",
        human_bytes(figures.pack_bytes),
        figures.pack_files,
        figures.audit_events
    );
    for (label, t) in [
        ("Build          ", &figures.build),
        ("Build, redacted", &figures.build_redacted),
        ("Verify         ", &figures.verify),
    ] {
        println!(
            "{label}: best {:.3} s, median {:.3} s ({} rounds)",
            t.best_seconds, t.median_seconds, rounds
        );
    }
    let stages: Vec<String> = figures
        .build_stages
        .iter()
        .map(|(stage, seconds)| format!("{stage} {seconds:.3} s"))
        .collect();
    println!("First build by stage: {}", stages.join(", "));
    Ok(())
}

fn timing(mut seconds: Vec<f64>) -> Timing {
    seconds.sort_by(f64::total_cmp);
    Timing {
        best_seconds: seconds.first().copied().unwrap_or(0.0),
        median_seconds: seconds.get(seconds.len() / 2).copied().unwrap_or(0.0),
    }
}

/// Demo tenant 0 with its history, then a reviewed capture a day. Returns the tenant's
/// name and how many captures it has.
async fn make_year(store: &Store, args: &PackArgs) -> anyhow::Result<(String, usize)> {
    let now = Utc::now();
    let start = now - TimeDelta::days(i64::from(args.days));
    add_demo_tenants(
        store,
        &DemoRequest {
            seed: args.seed,
            tenants: 1,
            anchor: start,
        },
        |_, _| {},
    )
    .await?;
    let generator = DemoGenerator::new(args.seed)?;
    let profile = generator.profile(0);
    let states = generator.tenant_history(0, start).history.into_captures();
    let tenant = store.tenant(&profile.display_name).await?;
    let options = ReviewOptions::default();
    review_tenant(store, tenant.id, &options).await?;
    let bar = progress(u64::from(args.days), "days of captures");
    for day in 1..=args.days {
        // Step through the tenant's historic states over the year, so that policies
        // change (and drift opens and resolves) a few times, as in a real tenant.
        let state = (day as usize * states.len() / (args.days as usize + 1)) % states.len();
        let content = &states
            .get(state)
            .ok_or_else(|| anyhow!("demo tenant without captures"))?
            .content;
        store
            .record_capture(
                &profile,
                &CaptureWrite {
                    source: CaptureSource::Demo,
                    taken_at: start + TimeDelta::days(i64::from(day)),
                    origin: Some(format!("bench pack, day {day}")),
                    content,
                },
            )
            .await?;
        review_tenant(store, tenant.id, &options).await?;
        bar.set_position(u64::from(day));
    }
    bar.finish_and_clear();
    let captures = store.list_captures(tenant.id).await?.len();
    Ok((profile.display_name, captures))
}

//! `plumbline bench portfolio`: how long the Portfolio page's query takes
//! (`Store::portfolio_overview`, what the desktop's `portfolio_overview` command returns).
//!
//! 1. The template demo portfolio of `plumbline bench review` (1,000 tenants by default;
//!    generated once into the cache directory, reused after) is copied to a scratch
//!    database.
//! 2. `plumbline review` runs on it in a child process, so that there are scores and
//!    findings (one review per tenant: each trend has one point).
//! 3. A fresh store opens the reviewed copy and runs the query `--runs` times: the first
//!    run (new connections, empty SQLite page cache; the operating system's file cache
//!    is whatever the copy and the review left) and the median and best of all runs, plus
//!    the size of the answer as the UI receives it (JSON).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use plumbline_core::portfolio::DEFAULT_SEED;
use plumbline_core::store::Store;
use serde::Serialize;

use super::{ensure_template, review_child, tempfile_dir, template_path};
use crate::output::{human_bytes, print_json};
use crate::Outcome;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Tenants in the benchmark portfolio.
    #[arg(long, default_value_t = 1000)]
    tenants: u32,
    /// Seed of the demo generator.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Where the template portfolio is kept (default: the per-user cache directory).
    #[arg(long, value_name = "PATH")]
    template: Option<PathBuf>,
    /// Generate the template again even when it exists.
    #[arg(long)]
    regenerate: bool,
    /// Times the query runs.
    #[arg(long, default_value_t = 20)]
    runs: u32,
}

#[derive(Debug, Serialize)]
struct Figures {
    tenants: usize,
    template: PathBuf,
    /// Present when this run generated the template.
    generation_seconds: Option<f64>,
    review_seconds: f64,
    open_findings: u64,
    categories: usize,
    trend_points: usize,
    runs: u32,
    first_ms: f64,
    median_ms: f64,
    best_ms: f64,
    /// The answer serialised as JSON, as the command sends it to the UI.
    json_bytes: usize,
    json_ms: f64,
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub async fn run(args: &Args, json: bool) -> Outcome {
    let template = template_path(args.template.as_deref(), args.tenants, args.seed);
    let generation_seconds =
        ensure_template(&template, args.tenants, args.seed, args.regenerate).await?;
    let scratch = tempfile_dir(&template)?;
    let db = scratch.join("portfolio.db");
    let measured = async {
        std::fs::copy(&template, &db)
            .with_context(|| format!("cannot copy {} to {}", template.display(), db.display()))?;
        eprintln!("reviewing {} tenants (child process)…", args.tenants);
        let review = review_child(&db)?;
        eprintln!("timing the portfolio overview ({} runs)…", args.runs);
        measure(&db, args.runs.max(1)).await.map(|f| (review, f))
    }
    .await;
    std::fs::remove_dir_all(&scratch).ok();
    let (review, mut figures) = measured?;
    figures.template = template;
    figures.generation_seconds = generation_seconds;
    figures.review_seconds = review.seconds;
    if json {
        print_json(&figures)?;
    } else {
        print_figures(&figures);
    }
    Ok(())
}

async fn measure(db: &std::path::Path, runs: u32) -> anyhow::Result<Figures> {
    let store = Store::open(db).await?;
    let now = chrono::Utc::now();
    let mut times = Vec::with_capacity(runs as usize);
    let mut overview = None;
    for _ in 0..runs {
        let started = Instant::now();
        let answer = store.portfolio_overview(now).await?;
        times.push(started.elapsed());
        overview = Some(answer);
    }
    let Some(overview) = overview else {
        bail!("the overview never ran");
    };
    let started = Instant::now();
    let json = serde_json::to_vec(&overview)?;
    let json_ms = millis(started.elapsed());
    store.close().await;
    let first = times[0];
    times.sort();
    Ok(Figures {
        tenants: overview.tenants.len(),
        template: PathBuf::new(),
        generation_seconds: None,
        review_seconds: 0.0,
        open_findings: overview
            .tenants
            .iter()
            .map(|t| u64::from(t.open.critical + t.open.high + t.open.medium + t.open.low))
            .sum(),
        categories: overview.categories.len(),
        trend_points: overview.tenants.iter().map(|t| t.trend.len()).sum(),
        runs,
        first_ms: millis(first),
        median_ms: millis(times[times.len() / 2]),
        best_ms: millis(times[0]),
        json_bytes: json.len(),
        json_ms,
    })
}

fn print_figures(f: &Figures) {
    println!(
        "Benchmark portfolio: {} tenants ({}){}; reviewed in {:.1} s",
        f.tenants,
        f.template.display(),
        f.generation_seconds
            .map(|s| format!(", generated in {s:.1} s"))
            .unwrap_or_default(),
        f.review_seconds
    );
    println!(
        "Answer: {} open findings in {} categories, {} trend points; {} as JSON (serialised in {:.1} ms)",
        f.open_findings,
        f.categories,
        f.trend_points,
        human_bytes(f.json_bytes as u64),
        f.json_ms
    );
    println!(
        "Portfolio overview query: first {:.1} ms, median {:.1} ms, best {:.1} ms ({} runs)",
        f.first_ms, f.median_ms, f.best_ms, f.runs
    );
}

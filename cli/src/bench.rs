//! `plumbline bench review`: the drift engine's benchmark, with figures you can quote
//! (and `plumbline bench portfolio`, the Portfolio page's query: see [`portfolio`]).
//!
//! 1. A demo portfolio of `--tenants` tenants (default 1,000 × ~200 policies, ~6
//!    captures each) is generated once into a template database in the cache directory
//!    (minutes; reused by later runs, `--regenerate` forces it).
//! 2. The template is copied to a scratch database, and `plumbline review` runs on it in
//!    a child process, twice: the full first review (local database to persisted
//!    findings) and a second one with no new captures. Wall time and the child's peak
//!    resident memory (`getrusage`) are what is reported.
//! 3. A per-pair figure: normalising a baseline policy and its tenant counterpart from
//!    raw Graph JSON and diffing them, over every corpus policy pair of a demo tenant.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use plumbline_core::baseline::Severity;
use plumbline_core::demo::DemoGenerator;
use plumbline_core::drift::{diff_item, BaselineItemSpec};
use plumbline_core::normalize::{normalize, DirectoryIndex, NORMALIZER_VERSION};
use plumbline_core::portfolio::{add_demo_tenants, DemoRequest, DEFAULT_SEED};
use plumbline_core::store::Store;
use serde::Serialize;
use serde_json::Value;

use crate::output::{human_bytes, print_json, progress};
use crate::Outcome;

mod import;
mod pack;
mod portfolio;

/// Bumped when the template database's content or schema must be regenerated.
const TEMPLATE_FORMAT: u32 = 2;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Full review of a demo portfolio, a second review with nothing new, and the
    /// per-policy-pair cost of normalising and diffing.
    Review(ReviewArgs),
    /// Build and verify the evidence pack of one demo tenant over a year of reviewed
    /// daily captures.
    Pack(pack::PackArgs),
    /// The Portfolio page's query (every tenant's score, trend, open findings by
    /// severity and category, last capture, baselines) on the reviewed demo portfolio.
    Portfolio(portfolio::Args),
    /// Import throughput on a generated export of 1,000 files in the common exporters'
    /// layouts: files per second and peak memory of `plumbline import`.
    Import(import::ImportArgs),
    /// Prints the path of the template demo portfolio (unreviewed), generating it first
    /// when it does not exist: other benchmarks (`bench-desktop`) start from it.
    Template(TemplateArgs),
}

#[derive(clap::Args, Debug)]
pub struct TemplateArgs {
    /// Tenants in the benchmark portfolio.
    #[arg(long, default_value_t = 1000)]
    tenants: u32,
    /// Seed of the demo generator.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

#[derive(clap::Args, Debug)]
pub struct ReviewArgs {
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
    /// Rounds over the corpus pairs for the per-pair figure.
    #[arg(long, default_value_t = 20)]
    rounds: u32,
}

#[derive(Debug, Serialize)]
struct Run {
    seconds: f64,
    peak_rss_bytes: Option<u64>,
    tenants_reviewed: u64,
    policies_compared: u64,
    policies_normalized: u64,
}

#[derive(Debug, Serialize)]
struct Figures {
    tenants: u32,
    template: PathBuf,
    template_bytes: u64,
    /// Present when this run generated the template.
    generation_seconds: Option<f64>,
    first_review: Run,
    second_review: Run,
    pair_micros: f64,
    pairs_measured: usize,
}

pub async fn run(command: &Command, json: bool) -> Outcome {
    match command {
        Command::Review(args) => review(args, json).await,
        Command::Pack(args) => pack::run(args, json).await,
        Command::Portfolio(args) => portfolio::run(args, json).await,
        Command::Import(args) => import::run(args, json).await,
        Command::Template(args) => {
            let template = template_path(None, args.tenants, args.seed);
            let generated = ensure_template(&template, args.tenants, args.seed, false).await?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "template": template, "generation_seconds": generated })
                );
            } else {
                println!("{}", template.display());
            }
            Ok(())
        }
    }
}

/// Where the template portfolio of `tenants` tenants of `seed` is kept by default.
fn template_path(template: Option<&Path>, tenants: u32, seed: u64) -> PathBuf {
    template.map(Path::to_path_buf).unwrap_or_else(|| {
        default_cache_dir().join(format!(
            "bench-{tenants}t-seed{seed}-f{TEMPLATE_FORMAT}-n{NORMALIZER_VERSION}.db"
        ))
    })
}

/// Generates the template unless it exists (or `regenerate`); the seconds it took.
async fn ensure_template(
    template: &Path,
    tenants: u32,
    seed: u64,
    regenerate: bool,
) -> anyhow::Result<Option<f64>> {
    Ok(if regenerate || !template.exists() {
        Some(generate(template, tenants, seed).await?)
    } else {
        None
    })
}

async fn review(args: &ReviewArgs, json: bool) -> Outcome {
    let template = template_path(args.template.as_deref(), args.tenants, args.seed);
    let generation_seconds =
        ensure_template(&template, args.tenants, args.seed, args.regenerate).await?;
    let scratch = tempfile_dir(&template)?;
    let db = scratch.join("review.db");
    std::fs::copy(&template, &db)
        .with_context(|| format!("cannot copy {} to {}", template.display(), db.display()))?;
    // Flush the copy now, so that its write-back does not run during the measurement.
    std::fs::File::open(&db)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot flush {}", db.display()))?;

    eprintln!("first review of {} tenants (child process)…", args.tenants);
    let first = review_child(&db)?;
    eprintln!("second review, nothing new…");
    let second = review_child(&db)?;
    let (pair_micros, pairs_measured) = tokio::task::spawn_blocking({
        let (seed, rounds) = (args.seed, args.rounds);
        move || pair_benchmark(seed, rounds)
    })
    .await
    .map_err(|e| anyhow!("pair benchmark failed: {e}"))??;
    std::fs::remove_dir_all(&scratch).ok();

    let figures = Figures {
        tenants: args.tenants,
        template_bytes: std::fs::metadata(&template).map(|m| m.len()).unwrap_or(0),
        template,
        generation_seconds,
        first_review: first,
        second_review: second,
        pair_micros,
        pairs_measured,
    };
    if json {
        print_json(&figures)?;
    } else {
        print_figures(&figures);
    }
    Ok(())
}

fn print_figures(f: &Figures) {
    let rss = |r: &Run| {
        r.peak_rss_bytes
            .map(human_bytes)
            .unwrap_or_else(|| "n/a".to_owned())
    };
    println!(
        "Benchmark portfolio: {} tenants, {} ({}){}",
        f.tenants,
        human_bytes(f.template_bytes),
        f.template.display(),
        f.generation_seconds
            .map(|s| format!(", generated in {s:.1} s"))
            .unwrap_or_default()
    );
    for (label, run) in [
        ("First review ", &f.first_review),
        ("Second review", &f.second_review),
    ] {
        println!(
            "{label}: {:>7.2} s wall, peak RSS {:>10}; {} tenants reviewed, {} policy pairs compared, {} read and normalised",
            run.seconds,
            rss(run),
            run.tenants_reviewed,
            run.policies_compared,
            run.policies_normalized
        );
    }
    if f.first_review.policies_compared > 0 {
        println!(
            "First review per policy pair (normalise, match, diff, persist findings): {:.1} µs",
            f.first_review.seconds * 1e6 / f.first_review.policies_compared as f64
        );
    }
    println!(
        "Normalise both sides from raw JSON and diff, per corpus pair: {:.1} µs ({} pairs)",
        f.pair_micros, f.pairs_measured
    );
}

fn default_cache_dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("plumbline")
}

/// A scratch directory next to the template (same filesystem: the copy is large).
fn tempfile_dir(template: &Path) -> anyhow::Result<PathBuf> {
    let parent = template.parent().unwrap_or(Path::new("."));
    let dir = parent.join(format!("bench-scratch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

async fn generate(template: &Path, tenants: u32, seed: u64) -> anyhow::Result<f64> {
    if let Some(parent) = template.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    // Written under another name and renamed when complete: an interrupted generation
    // must not leave a file that later runs take for the whole template.
    let partial = PathBuf::from(format!("{}.partial", template.display()));
    for base in [template, partial.as_path()] {
        for suffix in ["", "-wal", "-shm"] {
            let path = PathBuf::from(format!("{}{suffix}", base.display()));
            if path.exists() {
                std::fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
            }
        }
    }
    eprintln!(
        "generating the benchmark portfolio ({} tenants) into {} — once; later runs reuse it",
        tenants,
        template.display()
    );
    let started = Instant::now();
    let store = Store::open(&partial).await?;
    let bar = progress(u64::from(tenants), "demo tenants");
    add_demo_tenants(&store, &DemoRequest::now(seed, tenants), |done, total| {
        bar.set_length(u64::from(total));
        bar.set_position(u64::from(done));
    })
    .await?;
    bar.finish_and_clear();
    // Fold the WAL into the file so that a plain copy is the whole database.
    store.checkpoint().await?;
    store.close().await;
    std::fs::rename(&partial, template).with_context(|| {
        format!(
            "cannot rename {} to {}",
            partial.display(),
            template.display()
        )
    })?;
    Ok(started.elapsed().as_secs_f64())
}

/// Runs `plumbline --db DB --json review` as a child and measures it.
fn review_child(db: &Path) -> anyhow::Result<Run> {
    let exe = std::env::current_exe().context("cannot find the plumbline executable")?;
    let started = Instant::now();
    let peak_file = db.with_extension("peak-rss");
    let child = std::process::Command::new(exe)
        .env(PEAK_RSS_FILE_ENV, &peak_file)
        .arg("--db")
        .arg(db)
        .args(["--json", "review"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .context("cannot start the review")?;
    let output = child.wait_with_output()?;
    let seconds = started.elapsed().as_secs_f64();
    let peak = std::fs::read_to_string(&peak_file)
        .ok()
        .and_then(|text| text.trim().parse().ok());
    std::fs::remove_file(&peak_file).ok();
    if !output.status.success() {
        bail!("the review failed ({})", output.status);
    }
    let report: Value = serde_json::from_slice(&output.stdout).context("review output")?;
    let tenants = report["tenants"]
        .as_array()
        .ok_or_else(|| anyhow!("review output has no tenants"))?;
    let sum = |field: &str| {
        tenants
            .iter()
            .map(|t| t[field].as_u64().unwrap_or(0))
            .sum::<u64>()
    };
    Ok(Run {
        seconds,
        peak_rss_bytes: peak,
        tenants_reviewed: tenants
            .iter()
            .filter(|t| t["reviewed"].as_bool() == Some(true))
            .count() as u64,
        policies_compared: sum("items_compared"),
        policies_normalized: sum("items_normalized"),
    })
}

/// When set, `plumbline` writes its peak resident set size (bytes) to this file as it
/// exits: how the benchmark measures its review children.
pub const PEAK_RSS_FILE_ENV: &str = "PLUMBLINE_PEAK_RSS_FILE";

/// This process's peak resident set size so far (Linux: VmHWM), in bytes.
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Writes [`peak_rss`] to the file named by [`PEAK_RSS_FILE_ENV`], if set.
pub fn record_peak_rss() {
    if let (Some(path), Some(peak)) = (std::env::var_os(PEAK_RSS_FILE_ENV), peak_rss()) {
        if let Err(error) = std::fs::write(&path, peak.to_string()) {
            eprintln!("warning: cannot write the peak memory figure: {error}");
        }
    }
}

/// Normalise-and-diff cost per policy pair: the corpus baseline against demo tenant 0's
/// latest capture, every pair matched by kind and name.
fn pair_benchmark(seed: u64, rounds: u32) -> anyhow::Result<(f64, usize)> {
    let generator = DemoGenerator::new(seed)?;
    let baseline = generator.baseline();
    let tenant = generator.tenant(0, chrono::Utc::now());
    let latest = tenant
        .captures
        .last()
        .ok_or_else(|| anyhow!("demo tenant without captures"))?;
    let baseline_directory = DirectoryIndex::new(&baseline.directory_objects);
    let tenant_directory = DirectoryIndex::new(&latest.content.directory_objects);
    let pairs: Vec<(
        &plumbline_core::model::CapturedItem,
        &plumbline_core::model::CapturedItem,
    )> = baseline
        .items
        .iter()
        .filter_map(|b| {
            latest
                .content
                .items
                .iter()
                .find(|t| t.kind == b.kind && t.name == b.name)
                .map(|t| (b, t))
        })
        .collect();
    if pairs.is_empty() {
        bail!("no baseline policy has a counterpart in the demo tenant");
    }
    let variables = Default::default();
    let mut findings = 0usize;
    let started = Instant::now();
    for _ in 0..rounds.max(1) {
        for (b, t) in &pairs {
            let spec = BaselineItemSpec {
                kind: b.kind.clone(),
                name: b.name.clone(),
                normalized: normalize(&b.kind, &b.raw, &baseline_directory),
                rules: Default::default(),
                severity: Severity::Medium,
            };
            let tenant = normalize(&t.kind, &t.raw, &tenant_directory);
            findings += diff_item(&spec, &t.name, &tenant, &variables).0.len();
        }
    }
    let elapsed: Duration = started.elapsed();
    std::hint::black_box(findings);
    let measured = pairs.len() * rounds.max(1) as usize;
    Ok((elapsed.as_secs_f64() * 1e6 / measured as f64, pairs.len()))
}

//! `plumbline`: the command line over `plumbline-core`, for automation, demos and
//! benchmarks. Each subcommand is a few lines over the core API.
//!
//! Exit codes (stable, for scripts):
//! - 0 success
//! - 1 unexpected failure
//! - 2 usage error (bad arguments)
//! - 3 something named does not exist (tenant, folder)
//! - 4 bad input data (a malformed import file, nothing to import)
//! - 5 database problem (cannot open, newer schema, damaged)
//! - 6 verification failed (an evidence pack or the audit chain)
//! - 7 the Plumbline server could not be reached, refused, or no longer knows this device

mod agent;
mod alerts;
mod baseline;
mod bench;
mod demo;
mod evidence;
mod export;
mod findings;
mod graph;
mod import;
mod output;
mod report;
mod review;
mod server;
mod sync;
mod tenants;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use plumbline_core::connectors::import::ImportError;
use plumbline_core::store::{Store, StoreError};

#[derive(Parser, Debug)]
#[command(
    name = "plumbline",
    version,
    about = "Plumbline: governance console for Microsoft 365 / Intune tenants (command line)",
    after_help = "Exit codes: 0 ok, 1 unexpected failure, 2 usage, 3 not found, 4 bad input data, 5 database problem, 6 verification failed, 7 server unreachable or refused."
)]
struct Cli {
    /// The local database (default: the desktop app's, in the per-user data directory;
    /// PLUMBLINE_DATA_DIR moves that directory).
    #[arg(long, global = true, env = "PLUMBLINE_DB", value_name = "PATH")]
    db: Option<PathBuf>,
    /// Print machine-readable JSON on stdout instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create or extend the demo portfolio (deterministic from the seed).
    Demo(demo::Args),
    /// Import a folder of exported Graph JSON as a new capture of a tenant.
    Import(import::Args),
    /// List tenants with their last capture and item counts.
    Tenants,
    /// Baselines: create, publish, assign, rules.
    #[command(subcommand)]
    Baseline(baseline::Command),
    /// Review tenants against their baselines and previous captures.
    Review(review::Args),
    /// List findings, or decide on them (ack, resolve, accept, false-positive, reopen).
    Findings(findings::Args),
    /// Tenants ranked by their latest alignment score.
    Score,
    /// The alerts inbox: list, or `alerts ack|snooze ID…`.
    Alerts(alerts::Args),
    /// Branded PDF reports: executive (one tenant, a period) and portfolio.
    #[command(subcommand)]
    Report(report::Command),
    /// CSV exports: findings, drift items, inventory, risk acceptances.
    Export(export::Args),
    /// The hash-chained audit log: list events, or `audit verify` the chains.
    Audit(evidence::AuditArgs),
    /// Signed evidence packs: create, verify, list.
    #[command(subcommand)]
    Pack(evidence::PackCommand),
    /// The workspace's evidence signing key: show, export, rotate.
    #[command(subcommand)]
    Key(evidence::KeyCommand),
    /// The Plumbline server: connect (sign in), status [--check], disconnect.
    #[command(subcommand)]
    Server(server::Command),
    /// Microsoft Graph: the app registration (`graph app`), tenants' connections
    /// (`graph connect`), connection tests (`graph test`), capture history (`graph runs`).
    #[command(subcommand)]
    Graph(graph::Command),
    /// Capture tenants from Microsoft Graph now (`--tenant NAME`… or `--all`), for cron
    /// and systemd timers; exit code 8 when some were not captured whole.
    Capture(graph::CaptureArgs),
    /// Sync this workspace with its Plumbline server: `sync [--once]`, `sync status`,
    /// `sync verify`.
    Sync(sync::Args),
    /// Run as an agent: a headless device with a service identity that syncs, captures due
    /// tenants from Graph (sharing the work with other agents through the server's
    /// leases), reviews them and delivers their alerts, until stopped (SIGTERM).
    Agent(agent::Args),
    /// Benchmarks with figures to quote (they make their own databases; --db is unused).
    #[command(subcommand)]
    Bench(bench::Command),
}

/// A failure with the exit code scripts see.
#[derive(Debug)]
pub struct Failure {
    code: u8,
    error: anyhow::Error,
}

impl Failure {
    /// Bad input data (exit code 4), with a message that names the file and the fix.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self {
            code: 4,
            error: anyhow::anyhow!(message.into()),
        }
    }

    /// A failed verification (exit code 6): a pack or the audit chain does not hold.
    pub fn verification(message: impl Into<String>) -> Self {
        Self {
            code: 6,
            error: anyhow::anyhow!(message.into()),
        }
    }

    /// The Plumbline server could not be reached, refused, or no longer knows this device
    /// (exit code 7); the message says what to do.
    pub fn server(message: impl Into<String>) -> Self {
        Self {
            code: 7,
            error: anyhow::anyhow!(message.into()),
        }
    }

    /// Part of a run failed (exit code 8): the rest was done, and the output lists what
    /// failed with its error.
    pub fn partial(message: impl Into<String>) -> Self {
        Self {
            code: 8,
            error: anyhow::anyhow!(message.into()),
        }
    }

    /// A usage error (exit code 2) with a message that says what to pass instead.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            error: anyhow::anyhow!(message.into()),
        }
    }
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(error: E) -> Self {
        let error = error.into();
        let code = if let Some(store) = error.downcast_ref::<StoreError>() {
            match store {
                StoreError::NotFound { .. } => 3,
                StoreError::Conflict(_) => 4,
                StoreError::Invalid(_) => 2,
                _ => 5,
            }
        } else if let Some(import) = error.downcast_ref::<ImportError>() {
            match import {
                ImportError::NotADirectory(_) => 3,
                ImportError::Io { .. } => 1,
                _ => 4,
            }
        } else {
            1
        };
        Self { code, error }
    }
}

pub type Outcome = Result<(), Failure>;

async fn open_store(cli: &Cli) -> Result<Store, Failure> {
    let path = cli
        .db
        .clone()
        .unwrap_or_else(plumbline_core::paths::default_database);
    Ok(Store::open(&path).await?)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Warnings from the engine go to stderr (not sqlx's notes on statements slower than a
    // second: a large export has them and nothing is wrong); RUST_LOG shows more, for
    // example `RUST_LOG=sqlx::query=debug`: every statement with its time.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sqlx::query=error"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // An agent runs under a service manager: its log is JSON lines, like its own events.
    if matches!(cli.command, Command::Agent(_)) {
        logs.json().flatten_event(true).init();
    } else {
        logs.init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start: {error}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        if let Command::Bench(command) = &cli.command {
            return bench::run(command, cli.json).await;
        }
        let store = open_store(&cli).await?;
        let outcome = match &cli.command {
            Command::Demo(args) => demo::run(&store, args, cli.json).await,
            Command::Import(args) => import::run(&store, args, cli.json).await,
            Command::Tenants => tenants::run(&store, cli.json).await,
            Command::Baseline(command) => baseline::run(&store, command, cli.json).await,
            Command::Review(args) => review::run(&store, args, cli.json).await,
            Command::Findings(args) => findings::run(&store, args, cli.json).await,
            Command::Score => review::score(&store, cli.json).await,
            Command::Alerts(args) => alerts::run(&store, args, cli.json).await,
            Command::Report(command) => report::run(&store, command, cli.json).await,
            Command::Export(args) => export::run(&store, args, cli.json).await,
            Command::Audit(args) => evidence::audit(&store, args, cli.json).await,
            Command::Pack(command) => evidence::pack(&store, command, cli.json).await,
            Command::Key(command) => evidence::key(&store, command, cli.json).await,
            Command::Server(command) => server::run(&store, command, cli.json).await,
            Command::Sync(args) => sync::run(&store, args, cli.json).await,
            Command::Graph(command) => graph::run(&store, command, cli.json).await,
            Command::Capture(args) => graph::capture(&store, args, cli.json).await,
            Command::Agent(args) => agent::run(&store, args).await,
            Command::Bench(_) => unreachable!("handled before the database is opened"),
        };
        store.close().await;
        outcome
    });
    bench::record_peak_rss();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {:#}", failure.error);
            ExitCode::from(failure.code)
        }
    }
}

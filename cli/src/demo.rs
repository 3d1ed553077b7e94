//! `plumbline demo`

use std::time::Instant;

use plumbline_core::portfolio::{add_demo_tenants, DemoOutcome, DemoRequest, DEFAULT_SEED};
use plumbline_core::store::Store;
use serde::Serialize;

use crate::output::{human_bytes, print_json, progress};
use crate::Outcome;

#[derive(clap::Args, Debug)]
#[command(long_about = "Create or extend the demo portfolio.\n\n\
Tenants are generated deterministically from the seed out of the real OpenIntuneBaseline corpus, \
with realistic drift (changed values, missing, extra and renamed policies, assignment changes), \
noise that must not count as drift (reordering, volatile fields, per-tenant ids) and a history \
of captures over the past months. Running it again with more tenants adds only the missing ones. \
What was planted is recorded per tenant in the database (table demo_plants).")]
pub struct Args {
    /// Portfolio size wanted (tenants 0..N of the seed).
    #[arg(long, default_value_t = 5)]
    tenants: u32,
    /// Seed of the generator.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

#[derive(Serialize)]
struct Report {
    #[serde(flatten)]
    outcome: DemoOutcome,
    tenants_in_database: i64,
    blobs_in_database: i64,
    database_bytes: Option<u64>,
    seconds: f64,
}

pub async fn run(store: &Store, args: &Args, json: bool) -> Outcome {
    let started = Instant::now();
    let bar = progress(u64::from(args.tenants), "demo tenants");
    let request = DemoRequest::now(args.seed, args.tenants);
    let outcome = add_demo_tenants(store, &request, |done, total| {
        bar.set_length(u64::from(total));
        bar.set_position(u64::from(done));
    })
    .await
    .map_err(|e| match e {
        plumbline_core::portfolio::PortfolioError::Store(store) => anyhow::Error::from(store),
        other => anyhow::Error::from(other),
    })?;
    bar.finish_and_clear();
    let report = Report {
        tenants_in_database: store.tenant_count().await?,
        blobs_in_database: store.blob_count().await?,
        database_bytes: store.path().and_then(database_size),
        seconds: started.elapsed().as_secs_f64(),
        outcome,
    };
    if json {
        print_json(&report)?;
        return Ok(());
    }
    let o = &report.outcome;
    println!(
        "Demo portfolio (seed {}): created {} tenants ({} already there) with {} captures and {} items; {} planted differences recorded.",
        o.seed, o.created, o.existing, o.captures, o.items, o.planted_differences
    );
    println!(
        "Database: {} tenants, {} distinct policy blobs{}; took {:.1} s.",
        report.tenants_in_database,
        report.blobs_in_database,
        report
            .database_bytes
            .map(|b| format!(", {} on disk", human_bytes(b)))
            .unwrap_or_default(),
        report.seconds
    );
    Ok(())
}

/// The database file plus its WAL.
fn database_size(path: &std::path::Path) -> Option<u64> {
    let main = std::fs::metadata(path).ok()?.len();
    let wal = std::fs::metadata(path.with_extension("db-wal"))
        .map(|m| m.len())
        .unwrap_or(0);
    Some(main + wal)
}

//! bench-graph: figures for capturing tenants from Microsoft Graph, against the fake Graph
//! (`plumbline-fake-graph`, a process of its own) answering every request after a delay.
//!
//! 1. One tenant of `--policies` policies: wall time and HTTP requests (targets for 200
//!    policies at 50 ms a request: ≤ 10 s and ≤ 60 requests).
//! 2. `--tenants` such tenants captured the way `plumbline capture --all` does (the same
//!    core calls: the connector, normalisation, one transaction per capture in a real
//!    SQLite file), inside Intune's per-tenant budget which the fake enforces: wall time
//!    (target for 100 tenants ≤ 2 min), requests, throttled answers, and this process's
//!    peak memory (the fake's is not counted).
//!
//! `cargo run --release -p plumbline-e2e --bin bench-graph` (build the fake first:
//! `cargo build --release -p plumbline-fake-graph`).

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use plumbline_core::capture::capture_from_graph;
use plumbline_core::connectors::graph::{GraphClient, Limits, RetryPolicy};
use plumbline_core::keychain::MemoryKeychain;
use plumbline_core::model::TenantProfile;
use plumbline_core::settings::{save_graph_app, save_tenant_connection};
use plumbline_core::store::{RunStatus, Store};
use plumbline_e2e::graph::{FakeGraphProcess, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};

struct Args {
    tenants: u32,
    policies: usize,
    latency_ms: u64,
    parallel: usize,
}

fn args() -> anyhow::Result<Args> {
    let mut args = Args {
        tenants: 100,
        policies: 200,
        latency_ms: 50,
        parallel: 8,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().context("a value after the flag");
        match flag.as_str() {
            "--tenants" => args.tenants = value()?.parse()?,
            "--policies" => args.policies = value()?.parse()?,
            "--latency-ms" => args.latency_ms = value()?.parse()?,
            "--parallel" => args.parallel = value()?.parse()?,
            other => anyhow::bail!(
                "unknown flag {other}: use --tenants N --policies N --latency-ms N --parallel N"
            ),
        }
    }
    Ok(args)
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// A fresh database with the fake's app and `count` tenants connected.
async fn workspace(
    dir: &std::path::Path,
    name: &str,
    fake: &FakeGraphProcess,
    keychain: &MemoryKeychain,
    count: usize,
) -> anyhow::Result<(Store, Vec<plumbline_core::model::TenantId>)> {
    let store = Store::open(&dir.join(format!("{name}.db"))).await?;
    save_graph_app(
        &store,
        keychain,
        DEFAULT_CLIENT_ID,
        &fake.url,
        Some(DEFAULT_CLIENT_SECRET),
    )
    .await?;
    let mut ids = Vec::new();
    for tenant in fake.tenants().await?.iter().take(count) {
        let (id, _) = store
            .ensure_tenant(&TenantProfile {
                display_name: tenant["display_name"].as_str().unwrap_or("?").to_owned(),
                ..TenantProfile::default()
            })
            .await?;
        save_tenant_connection(
            &store,
            keychain,
            id,
            tenant["entra_tenant_id"].as_str(),
            None,
        )
        .await?;
        ids.push(id);
    }
    Ok((store, ids))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let fake = FakeGraphProcess::start(&[
        "--tenants",
        &args.tenants.to_string(),
        "--policies",
        &args.policies.to_string(),
        "--latency-ms",
        &args.latency_ms.to_string(),
    ])?;
    let dir = tempfile::tempdir()?;
    let keychain = MemoryKeychain::default();
    let reset = || async {
        reqwest::Client::new()
            .post(format!("{}/_fake/log/reset", fake.url))
            .send()
            .await
    };
    println!(
        "bench-graph: fake Graph at {} answering after {} ms; tenants of {} policies",
        fake.url, args.latency_ms, args.policies
    );

    // 1. One tenant.
    let (store, ids) = workspace(dir.path(), "one", &fake, &keychain, 1).await?;
    let client = GraphClient::new(Limits::default(), RetryPolicy::default())?;
    reset().await?;
    let started = Instant::now();
    let run = capture_from_graph(&store, &keychain, &client, ids[0]).await?;
    let wall = started.elapsed();
    let log = fake.log().await?;
    anyhow::ensure!(run.status == RunStatus::Ok, "the capture failed: {run:?}");
    let tokens = log["entries"].as_array().map_or(0, |e| {
        e.iter()
            .filter(|e| e["url"].as_str().is_some_and(|u| u.ends_with("/token")))
            .count()
    });
    println!(
        "one tenant: {} items in {:.2} s; {} HTTP requests to Graph (+{} token), {} Graph requests counted by Intune (batched sub-requests), {} throttled",
        run.items,
        wall.as_secs_f64(),
        run.requests,
        tokens,
        log["graph_requests"].as_u64().unwrap_or(0),
        run.throttled,
    );
    store.close().await;

    // 2. Every tenant, as `plumbline capture --all` does.
    let count = args.tenants as usize;
    let (store, ids) = workspace(dir.path(), "all", &fake, &keychain, count).await?;
    let client = GraphClient::new(Limits::default(), RetryPolicy::default())?;
    let keychain = Arc::new(keychain);
    reset().await?;
    let gate = Arc::new(tokio::sync::Semaphore::new(args.parallel));
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for id in ids {
        let (store, client, keychain, gate) = (
            store.clone(),
            client.clone(),
            Arc::clone(&keychain),
            Arc::clone(&gate),
        );
        set.spawn(async move {
            let _permit = gate.acquire().await;
            capture_from_graph(&store, keychain.as_ref(), &client, id).await
        });
    }
    let mut items = 0i64;
    let mut requests = 0i64;
    let mut throttled = 0i64;
    let mut not_ok = 0;
    while let Some(joined) = set.join_next().await {
        let run = joined??;
        items += run.items;
        requests += run.requests;
        throttled += run.throttled;
        if run.status != RunStatus::Ok {
            not_ok += 1;
        }
    }
    let wall = started.elapsed();
    let log = fake.log().await?;
    let per_tenant_peak = log["max_in_flight_per_tenant"]
        .as_object()
        .and_then(|m| m.values().filter_map(|v| v.as_u64()).max())
        .unwrap_or(0);
    println!(
        "{count} tenants ({} side by side): {items} items in {:.1} s ({:.1} tenants/s); {requests} HTTP requests ({:.0}/s over all tenants; Graph allows 130,000 per 10 s per app), {} Graph requests counted by Intune, {throttled} throttled, {not_ok} not ok; at most {} requests in flight, {per_tenant_peak} per tenant; peak RSS of this process {:.0} MiB",
        args.parallel,
        wall.as_secs_f64(),
        count as f64 / wall.as_secs_f64(),
        requests as f64 / wall.as_secs_f64(),
        log["graph_requests"].as_u64().unwrap_or(0),
        log["max_in_flight"].as_u64().unwrap_or(0),
        peak_rss_mib(),
    );
    store.close().await;
    Ok(())
}

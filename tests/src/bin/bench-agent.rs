//! `bench-agent`: a portfolio captured by agents sharing the work through leases.
//!
//! The release binaries next to this one: `plumbline-server` (Postgres by default), the
//! fake Graph serving N + 1 demo tenants, and two `plumbline agent` processes. An admin's
//! device connects N tenants and syncs; the agents capture every one of them once (what
//! a one-hour cadence asks of them every hour), and the figures are: the time of the
//! pass and its throughput, what the leases cost (requests and server time per capture),
//! that no tenant was captured twice, the agents' peak memory; then the time from a
//! change in the fake to the webhook: the last tenant, its policy changed against its
//! golden master, connected at that moment (so its capture is due at once — with a
//! cadence, add the wait for the schedule).
//!
//! `cargo build --release -p plumbline-cli -p plumbline-server -p plumbline-e2e -p plumbline-fake-graph`
//! `target/release/bench-agent [--tenants 1000] [--agents 2] [--parallel 4] [--engine sqlite]`

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};
use chrono::{DateTime, Utc};
use plumbline_core::demo::DemoGenerator;
use plumbline_core::keychain::MemoryKeychain;
use plumbline_core::model::TenantProfile;
use plumbline_core::store::Store;
use plumbline_e2e::agent::Agent;
use plumbline_e2e::graph::{
    device_with_app, write_export, FakeGraphProcess, DEFAULT_CLIENT_SECRET,
};
use plumbline_e2e::receiver::Receiver;
use plumbline_e2e::team::{Engine, Server};
use serde_json::Value;

const SEED: u64 = 20_261_201;
const ANCHOR: &str = "2026-11-30T12:00:00Z";
const WORKSPACE: &str = "MSP";
const RULE: &str = "New critical or high findings";

struct Options {
    dir: PathBuf,
    tenants: u32,
    agents: usize,
    parallel: usize,
    engine: Engine,
}

fn options() -> anyhow::Result<Options> {
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .context("the benchmark binary has no folder")?
        .to_path_buf();
    let mut options = Options {
        dir,
        tenants: 1000,
        agents: 2,
        parallel: 4,
        engine: Engine::Postgres,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| anyhow!("{arg} needs a value"));
        match arg.as_str() {
            "--tenants" => options.tenants = value()?.parse()?,
            "--agents" => options.agents = value()?.parse()?,
            "--parallel" => options.parallel = value()?.parse()?,
            "--engine" => {
                options.engine = match value()?.as_str() {
                    "sqlite" => Engine::Sqlite,
                    "postgres" => Engine::Postgres,
                    other => bail!("--engine sqlite|postgres, not {other}"),
                }
            }
            other => bail!("unknown argument {other}; see the file's header"),
        }
    }
    Ok(options)
}

fn anchor() -> DateTime<Utc> {
    ANCHOR.parse().expect("a valid anchor")
}

/// The demo tenant `index`'s name and Entra id.
fn demo_tenant(generator: &DemoGenerator, index: u32) -> anyhow::Result<(String, String)> {
    let profile = generator.tenant_history(index, anchor()).profile;
    Ok((
        profile.display_name,
        profile
            .entra_tenant_id
            .context("a demo tenant has an Entra id")?,
    ))
}

/// The sum and count of a histogram's series in a Prometheus exposition, for routes
/// starting with `prefix`.
fn route_seconds(metrics: &str, prefix: &str) -> (f64, f64) {
    let mut sum = 0.0;
    let mut count = 0.0;
    for line in metrics.lines() {
        let Some(rest) = line.strip_prefix("plumbline_http_request_duration_seconds_") else {
            continue;
        };
        if !rest.contains(&format!("route=\"{prefix}")) {
            continue;
        }
        let value: f64 = line
            .rsplit(' ')
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        if rest.starts_with("sum") {
            sum += value;
        } else if rest.starts_with("count") {
            count += value;
        }
    }
    (sum, count)
}

/// Captures per tenant, from the server's log.
async fn captures_per_tenant(server: &Server) -> anyhow::Result<BTreeMap<String, i64>> {
    let sql =
        "SELECT tenant_key, COUNT(*) FROM sync_log WHERE kind = 'capture' GROUP BY tenant_key";
    let rows: Vec<(String, i64)> = if server.database.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(&server.database).await?;
        let rows = sqlx::query_as(sql).fetch_all(&pool).await?;
        pool.close().await;
        rows
    } else {
        let pool = sqlx::SqlitePool::connect(&server.database).await?;
        let rows = sqlx::query_as(sql).fetch_all(&pool).await?;
        pool.close().await;
        rows
    };
    Ok(rows.into_iter().collect())
}

/// The peak resident memory of a process, in MiB.
fn peak_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = options()?;
    std::env::set_var("PLUMBLINE_CLI_BINARY", options.dir.join("plumbline"));
    std::env::set_var(
        "PLUMBLINE_SERVER_BINARY",
        options.dir.join("plumbline-server"),
    );
    std::env::set_var(
        "PLUMBLINE_FAKE_GRAPH_BINARY",
        options.dir.join("plumbline-fake-graph"),
    );
    let n = options.tenants;
    let started = Instant::now();
    let fake = FakeGraphProcess::start_within(
        &[
            "--tenants",
            &(n + 1).to_string(),
            "--seed",
            &SEED.to_string(),
            "--anchor",
            ANCHOR,
        ],
        Duration::from_secs(1_800),
    )?;
    eprintln!(
        "the fake Graph serves {} tenants ({:.0} s to generate)",
        n + 1,
        started.elapsed().as_secs_f64()
    );
    let scratch = tempfile::tempdir()?;
    let secret = scratch.path().join("graph-secret");
    std::fs::write(&secret, format!("{DEFAULT_CLIENT_SECRET}\n"))?;
    let receiver = Receiver::start().await?;
    let server = Server::start(options.engine).await?;
    server.add_user("admin@msp.example", "admin", WORKSPACE, &[])?;
    server.add_user("agent@msp.example", "operator", WORKSPACE, &[])?;

    // The admin connects N tenants (in process: a thousand CLI runs would measure process
    // starts) and syncs them to the server.
    let mut admin = device_with_app("admin", &fake, &secret)?;
    admin.connect(&server, "admin@msp.example")?;
    let generator = DemoGenerator::new(SEED)?;
    let started = Instant::now();
    {
        let store = Store::open(&admin.database()).await?;
        let keychain = MemoryKeychain::default();
        for index in 0..n {
            let (name, entra) = demo_tenant(&generator, index)?;
            let (id, _) = store
                .ensure_tenant(&TenantProfile {
                    display_name: name,
                    ..TenantProfile::default()
                })
                .await?;
            plumbline_core::settings::save_tenant_connection(
                &store,
                &keychain,
                id,
                Some(&entra),
                None,
            )
            .await
            .map_err(|e| anyhow!("{e}"))?;
        }
        store.close().await;
    }
    admin.sync(&[])?;
    eprintln!(
        "{n} tenants connected and synced in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // The golden master of the last tenant, connected only at the end.
    let export = scratch.path().join("export");
    let items = write_export(&export, SEED, anchor(), n)?;
    admin.ok(&[
        "baseline",
        "create",
        "--name",
        "Gold",
        "--from-dir",
        export.to_str().context("utf-8")?,
        "--publish",
    ])?;

    let mut agents = Vec::new();
    for k in 0..options.agents {
        let host = device_with_app(&format!("agent-{}", k + 1), &fake, &secret)?;
        host.ok(&[
            "alerts",
            "destination",
            "add",
            "ops",
            "--kind",
            "webhook",
            "--url",
            &receiver.url("ops"),
            "--allow-private",
        ])?;
        host.ok(&["alerts", "route", RULE, "--to", "ops"])?;
        host.ok(&["alerts", "escalation", "use", RULE, "--group-wait", "0"])?;
        agents.push(host);
    }
    let parallel = options.parallel.to_string();
    let mut running = Vec::new();
    let started = Instant::now();
    for host in &agents {
        running.push(Agent::start(
            host,
            &server,
            "agent@msp.example",
            scratch.path(),
            &secret,
            &[
                "--parallel",
                &parallel,
                "--lease-seconds",
                "60",
                "--tick-seconds",
                "2",
            ],
        )?);
    }
    let mut last_report = Instant::now();
    let (captured, failed) = loop {
        let captured: u64 = running
            .iter()
            .map(|a| a.health()["captured"].as_u64().unwrap_or(0))
            .sum();
        let failed: u64 = running
            .iter()
            .map(|a| a.health()["capture_failures"].as_u64().unwrap_or(0))
            .sum();
        if captured + failed >= u64::from(n) {
            break (captured, failed);
        }
        let stalled = captured + failed == 0 && started.elapsed() > Duration::from_secs(120);
        if stalled || started.elapsed() > Duration::from_secs(3_600) {
            let logs: Vec<String> = running
                .iter()
                .map(|a| {
                    let log = a.log();
                    let tail: Vec<&str> = log.lines().rev().take(15).collect();
                    format!(
                        "{}:\n{}",
                        a.name,
                        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                    )
                })
                .collect();
            bail!(
                "the pass stalled or took over an hour: {captured} captured, {failed} failed\n{}",
                logs.join("\n")
            );
        }
        if last_report.elapsed() > Duration::from_secs(30) {
            eprintln!(
                "  {captured} captured after {:.0} s",
                started.elapsed().as_secs_f64()
            );
            last_report = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let pass = started.elapsed().as_secs_f64();
    let per_agent: Vec<u64> = running
        .iter()
        .map(|a| a.health()["captured"].as_u64().unwrap_or(0))
        .collect();
    // Everything pushed before counting on the server.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let metrics = reqwest::get(format!("{}/metrics", server.url))
        .await?
        .text()
        .await?;
    let (lease_seconds, lease_requests) = route_seconds(&metrics, "/api/v1/leases/");
    let per_tenant = captures_per_tenant(&server).await?;
    let twice = per_tenant.values().filter(|c| **c > 1).count();
    let missing = n as usize - per_tenant.len().min(n as usize);

    // The admin catches up first (it pulls every capture the agents made: the first-sync
    // cost of issue 14, not part of this figure).
    let started = Instant::now();
    admin.sync(&[])?;
    let catch_up = started.elapsed().as_secs_f64();

    // A change in the fake: the last tenant's compliance policy stops requiring BitLocker;
    // the tenant is connected (and assigned its golden master) at that moment.
    let (_, policy) = items
        .iter()
        .find(|(kind, raw)| kind == "compliance_policy" && raw["bitLockerEnabled"] == true)
        .context("the last tenant has a compliance policy requiring BitLocker")?;
    let (name, entra) = demo_tenant(&generator, n)?;
    let changed = Instant::now();
    let patched = reqwest::Client::new()
        .patch(format!(
            "{}/_fake/tenants/{entra}/policies/{}",
            fake.url,
            policy["id"].as_str().context("policy id")?
        ))
        .json(&serde_json::json!({ "bitLockerEnabled": false }))
        .send()
        .await?;
    anyhow::ensure!(patched.status().is_success(), "PATCH: {}", patched.status());
    admin.ok(&[
        "graph",
        "connect",
        &name,
        "--entra-tenant-id",
        &entra,
        "--create",
    ])?;
    admin.ok(&["baseline", "assign", "Gold", "--tenant", &name])?;
    admin.sync(&[])?;
    // (The admin's sync above also pulls every capture the agents made: the figure is
    // taken from when the webhook arrived, not from when this loop sees it.)
    let webhook = loop {
        let hit = receiver
            .accepted()
            .into_iter()
            .find(|r| r.json()["data"]["tenant"] == Value::String(name.clone()));
        if let Some(hit) = hit {
            break hit.at.duration_since(changed).as_secs_f64();
        }
        if changed.elapsed() > Duration::from_secs(900) {
            bail!("no webhook for {name} within 15 minutes");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let peaks: Vec<String> = running
        .iter()
        .map(|a| peak_mib(a.pid()).map_or_else(|| "?".to_owned(), |m| format!("{m:.0}")))
        .collect();
    let stop_started = Instant::now();
    for agent in &mut running {
        agent.stop(Duration::from_secs(120))?;
    }
    let stop = stop_started.elapsed().as_secs_f64();

    println!(
        "bench-agent: {n} tenants, {} agents × {} captures at once, {:?} server",
        options.agents, options.parallel, options.engine
    );
    println!("  pass                 {pass:.1} s ({:.1} tenants/s, {:.0} tenants/min); per agent {per_agent:?}", f64::from(n) / pass, f64::from(n) * 60.0 / pass);
    println!("  captured             {captured} ok, {failed} failed; on the server: {} tenants, {twice} captured twice, {missing} missing", per_tenant.len());
    println!(
        "  leases               {lease_requests:.0} requests ({:.2} per capture), {:.1} ms of server time each, {:.1} ms per capture ({:.2} % of the pass's agent time)",
        lease_requests / f64::from(n),
        1000.0 * lease_seconds / lease_requests.max(1.0),
        1000.0 * lease_seconds / f64::from(n),
        100.0 * lease_seconds / (pass * options.agents as f64)
    );
    println!("  change → webhook     {webhook:.1} s (the tenant's capture due at once; with a cadence, add the wait for its slot)");
    println!("  admin catching up    {catch_up:.1} s to pull the {n} captures the agents made");
    println!(
        "  agents' peak memory  {} MiB; graceful stop of both {stop:.1} s",
        peaks.join(" / ")
    );
    Ok(())
}

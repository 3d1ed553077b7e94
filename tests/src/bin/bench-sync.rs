//! `bench-sync`: team sync's figures, measured on the real server and devices over
//! loopback (release builds).
//!
//! 1. First sync: the benchmarks' 1,000-tenant demo portfolio (`plumbline bench
//!    template`) is pushed by one device, then a device with an empty data directory
//!    runs `plumbline sync --once` (snapshots, blobs, apply, derive). Wall time and the
//!    child's peak resident memory.
//! 2. A sync round with nothing new (push nothing, pull up to date, checksums): median
//!    and worst of 20, in process.
//! 3. Live mode: a decision made on one device, visible in the other's database while
//!    its background sync waits for news: median and worst of 10.
//! 4. Push throughput on Postgres: 1, 8 and 64 devices pushing batches of 1,000
//!    operations at once; accepted operations per second.
//!
//! Run: `cargo build --release --workspace && target/release/bench-sync`
//! (`--tenants N` for a smaller portfolio, `--skip-first-sync`, `--engine sqlite`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use plumbline_core::findings::Action;
use plumbline_core::keychain::OsKeychain;
use plumbline_core::store::Store;
use plumbline_core::sync::api::{DecisionRecord, OpBody, Operation, SignInBody, TenantFields};
use plumbline_core::sync::client::{Client, ServerUrl};
use plumbline_core::sync::engine::{self, Cancel, SyncOptions};
use plumbline_e2e::team::{Device, Engine, Server, PASSWORD};

const WORKSPACE: &str = "Bench MSP";

struct Options {
    dir: PathBuf,
    tenants: u32,
    engine: Engine,
    first_sync: bool,
    /// Only the first sync (`--first-sync-only`).
    only_first_sync: bool,
    /// Record the first sync's device with `perf record` into this file (`--perf FILE`).
    perf: Option<PathBuf>,
    devices: Vec<usize>,
    batches: usize,
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
        engine: Engine::Postgres,
        first_sync: true,
        only_first_sync: false,
        perf: None,
        devices: vec![1, 8, 64],
        batches: 4,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| anyhow!("{arg} needs a value"));
        match arg.as_str() {
            "--tenants" => options.tenants = value()?.parse()?,
            "--engine" => {
                options.engine = match value()?.as_str() {
                    "sqlite" => Engine::Sqlite,
                    "postgres" => Engine::Postgres,
                    other => bail!("--engine sqlite|postgres, not {other}"),
                }
            }
            "--skip-first-sync" => options.first_sync = false,
            "--first-sync-only" => options.only_first_sync = true,
            "--perf" => options.perf = Some(PathBuf::from(value()?)),
            "--batches" => options.batches = value()?.parse()?,
            other => bail!("unknown argument {other}"),
        }
    }
    Ok(options)
}

fn median(mut values: Vec<Duration>) -> (Duration, Duration) {
    values.sort();
    let worst = values.last().copied().unwrap_or_default();
    (values[values.len() / 2], worst)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// The template portfolio's database, from the release CLI.
fn template(options: &Options) -> anyhow::Result<PathBuf> {
    let output = std::process::Command::new(options.dir.join("plumbline"))
        .args([
            "bench",
            "template",
            "--tenants",
            &options.tenants.to_string(),
        ])
        .stderr(std::process::Stdio::inherit())
        .output()?;
    if !output.status.success() {
        bail!("plumbline bench template failed");
    }
    Ok(PathBuf::from(
        String::from_utf8_lossy(&output.stdout).trim().to_owned(),
    ))
}

async fn first_sync(server: &Server, options: &Options) -> anyhow::Result<()> {
    let template = template(options)?;
    let mut a = Device::new("pusher")?;
    std::fs::create_dir_all(a.data_dir())?;
    std::fs::copy(&template, a.database()).context("copy the template")?;
    a.connect(server, "alice@example.com")?;
    let started = Instant::now();
    let pushed = a.sync(&[])?;
    eprintln!(
        "pushed the {}-tenant portfolio: {} operations, {} blobs in {:.1} s",
        options.tenants,
        pushed["pushed"],
        pushed["blobs_uploaded"],
        started.elapsed().as_secs_f64()
    );
    let mut b = Device::new("empty")?;
    b.connect(server, "bob@example.com")?;
    let peak_file = b.data_dir().join("peak-rss");
    let started = Instant::now();
    let mut command = b.command(&["--json", "sync", "--once"])?;
    command.env("PLUMBLINE_PEAK_RSS_FILE", &peak_file);
    if let Some(perf) = &options.perf {
        // The same command under `perf record` (call graphs, for a flame graph).
        let mut wrapped = std::process::Command::new("perf");
        wrapped
            .args(["record", "-F", "199", "--call-graph", "dwarf,32768", "-o"])
            .arg(perf)
            .arg("--")
            .arg(command.get_program())
            .args(command.get_args())
            .stdin(std::process::Stdio::null());
        for (key, value) in command.get_envs() {
            match value {
                Some(value) => wrapped.env(key, value),
                None => wrapped.env_remove(key),
            };
        }
        command = wrapped;
    }
    let output = command.output()?;
    let took = started.elapsed();
    if !output.status.success() {
        bail!(
            "first sync failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let peak: u64 = std::fs::read_to_string(&peak_file)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    println!(
        "first sync of {} tenants into an empty device: {:.1} s, peak RSS {} MiB \
         ({} operations received, {} blobs downloaded, {} tenants derived)",
        options.tenants,
        took.as_secs_f64(),
        peak / (1024 * 1024),
        report["pulled"],
        report["blobs_downloaded"],
        report["derived"]
    );
    println!("  where the time went (ms): {}", report["timings_ms"]);
    Ok(())
}

/// Round trips with nothing new, and a decision seen live on another device.
async fn round_trips(server: &Server) -> anyhow::Result<()> {
    let mut a = Device::new("alice")?;
    let mut b = Device::new("bob")?;
    a.connect(server, "alice@example.com")?;
    b.connect(server, "bob@example.com")?;
    a.ok(&["demo", "--tenants", "3"])?;
    a.ok(&["review"])?;
    a.sync(&[])?;
    b.sync(&[])?;
    a.sync(&[])?;
    let keychain = OsKeychain::detect();
    let store_a = Store::open(&a.database()).await?;
    let store_b = Store::open(&b.database()).await?;
    let options = SyncOptions::default();
    let cancel = Cancel::default();
    let mut times = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let report = engine::sync_once(&store_b, &keychain, &options, &cancel, &mut |_| {}).await?;
        times.push(started.elapsed());
        if report.applied > 0 || report.pushed > 0 {
            bail!("the no-change round changed something: {report:?}");
        }
    }
    let (median_time, worst) = median(times);
    println!(
        "sync round with nothing new: median {}, worst {} (20 rounds)",
        ms(median_time),
        ms(worst)
    );

    // Bob's background sync waits for news; Alice decides and syncs.
    let stop = Cancel::default();
    let wake = Arc::new(tokio::sync::Notify::new());
    let live = {
        let (store, stop, wake) = (store_b.clone(), stop.clone(), wake.clone());
        tokio::spawn(async move {
            let keychain = OsKeychain::detect();
            let _ = engine::run(
                &store,
                &keychain,
                &SyncOptions::default(),
                &stop,
                &wake,
                |_| {},
            )
            .await;
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    let open = store_a
        .list_findings(&plumbline_core::store::FindingFilter {
            status: Some(plumbline_core::findings::Status::Open),
            ..Default::default()
        })
        .await?;
    let mut latencies = Vec::new();
    for finding in open.iter().take(10) {
        let started = Instant::now();
        store_a
            .decide_finding(
                &finding.id,
                &Action::Acknowledge,
                Some("live"),
                chrono::Utc::now(),
            )
            .await?;
        engine::sync_once(&store_a, &keychain, &options, &cancel, &mut |_| {}).await?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let seen = store_b.finding(&finding.id).await?;
            if seen.status == "acknowledged" {
                break;
            }
            if Instant::now() > deadline {
                bail!("the decision did not arrive within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        latencies.push(started.elapsed());
    }
    stop.cancel();
    wake.notify_one();
    let _ = tokio::time::timeout(Duration::from_secs(30), live).await;
    let (median_latency, worst) = median(latencies);
    println!(
        "a decision on one device shown on another (live mode, decision to derived state): median {}, worst {} (10 decisions)",
        ms(median_latency),
        ms(worst)
    );
    Ok(())
}

/// Devices pushing synthetic decisions concurrently.
async fn push_throughput(server: &Server, options: &Options) -> anyhow::Result<()> {
    let base = ServerUrl::parse(&server.url)?;
    let client = Client::new(base.clone())?;
    let most = options.devices.iter().copied().max().unwrap_or(1);
    let mut sessions = Vec::new();
    for index in 0..most {
        let (token, identity) = client
            .sign_in(&SignInBody {
                email: "alice@example.com".to_owned(),
                password: PASSWORD.to_owned(),
                device_name: format!("bench device {index}"),
            })
            .await?;
        let workspace = identity
            .workspaces
            .first()
            .map(|w| w.id.clone())
            .context("a workspace")?;
        sessions.push((token, workspace, uuid::Uuid::now_v7().to_string()));
    }
    let tenant = uuid::Uuid::now_v7().to_string();
    let (token, workspace, device) = &sessions[0];
    let clock = plumbline_core::store::Clock::new(device);
    let hello = Operation {
        id: uuid::Uuid::now_v7().to_string(),
        hlc: clock.now().0,
        device_id: device.clone(),
        tenant_id: Some(tenant.clone()),
        body: OpBody::TenantSet(TenantFields {
            display_name: Some("Throughput".to_owned()),
            ..TenantFields::default()
        }),
    };
    client.push(token, workspace, vec![hello]).await?;
    for &devices in &options.devices {
        let batches = options.batches;
        // Operations made before the clock starts: what is measured is the server.
        let mut work = Vec::new();
        for (token, workspace, device) in sessions.iter().take(devices) {
            let clock = plumbline_core::store::Clock::new(device);
            let mut device_batches = Vec::new();
            for _ in 0..batches {
                let batch: Vec<Operation> = (0..1_000)
                    .map(|i| Operation {
                        id: uuid::Uuid::now_v7().to_string(),
                        hlc: clock.now().0,
                        device_id: device.clone(),
                        tenant_id: Some(tenant.clone()),
                        body: OpBody::Decision(DecisionRecord {
                            finding: format!("{:064x}", i),
                            action: "comment".to_owned(),
                            base: None,
                            actor: "alice@example.com".to_owned(),
                            reason: Some("throughput".to_owned()),
                            expires_at: None,
                            accepted_value: None,
                            approver: None,
                            approves: None,
                        }),
                    })
                    .collect();
                device_batches.push(batch);
            }
            work.push((token.clone(), workspace.clone(), device_batches));
        }
        let total = devices * batches * 1_000;
        let started = Instant::now();
        let mut tasks = Vec::new();
        for (token, workspace, device_batches) in work {
            let client = Client::new(base.clone())?;
            tasks.push(tokio::spawn(async move {
                let mut accepted = 0usize;
                for batch in device_batches {
                    let answer = client.push(&token, &workspace, batch).await?;
                    accepted += answer
                        .verdicts
                        .iter()
                        .filter(|v| {
                            matches!(
                                v.outcome,
                                plumbline_core::sync::api::Outcome::Accepted { .. }
                            )
                        })
                        .count();
                }
                Ok::<usize, anyhow::Error>(accepted)
            }));
        }
        let mut accepted = 0;
        for task in tasks {
            accepted += task.await??;
        }
        let took = started.elapsed();
        if accepted != total {
            bail!("{accepted} of {total} operations accepted");
        }
        println!(
            "push throughput, {devices} device{} × {batches} batches of 1,000: {:.0} operations/s ({total} in {:.2} s)",
            if devices == 1 { "" } else { "s" },
            total as f64 / took.as_secs_f64(),
            took.as_secs_f64()
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = options()?;
    // The devices and the server are the release binaries next to this one.
    std::env::set_var("PLUMBLINE_CLI_BINARY", options.dir.join("plumbline"));
    std::env::set_var(
        "PLUMBLINE_SERVER_BINARY",
        options.dir.join("plumbline-server"),
    );
    let server = Server::start(options.engine).await?;
    server.add_user("alice@example.com", "owner", WORKSPACE, &[])?;
    server.add_user("bob@example.com", "operator", WORKSPACE, &[])?;
    if options.first_sync {
        first_sync(&server, &options).await?;
    }
    if options.only_first_sync {
        return Ok(());
    }
    drop(server);
    let server = Server::start(options.engine).await?;
    server.add_user("alice@example.com", "owner", WORKSPACE, &[])?;
    server.add_user("bob@example.com", "operator", WORKSPACE, &[])?;
    round_trips(&server).await?;
    if options.engine == Engine::Postgres {
        push_throughput(&server, &options).await?;
    }
    Ok(())
}

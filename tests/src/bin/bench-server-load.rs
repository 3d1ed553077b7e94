//! `bench-server-load`: the sync server under load (issue 17), a bounded run on
//! loopback: two `plumbline-server` instances on one Postgres database, and devices (64
//! by default) that each push a batch of decisions, then pull a page of the log from
//! their own cursor, over and over until the deadline (60 s by default). Devices
//! alternate between the instances, so both take pushes and pulls at once.
//!
//! It prints, for the loaded period: requests per second (pushes, pulls), operations
//! accepted and delivered per second, p50/p95/p99/max latency of pushes and of pulls,
//! every error by kind (transport errors, answers other than 200, verdicts other than
//! accepted, pages that do not follow on; the target is 0), each instance's resident
//! memory (idle, peak during the load and after it, final; sampled every second from
//! `/proc`) and the requests its `/metrics` counted, where the CPU went (instances,
//! Postgres, the benchmark), and how many of the database's sessions waited for a lock
//! (sampled from `pg_stat_activity`). After the deadline every device pulls to the
//! head, and each must have received exactly the operations the log holds: the
//! sequences 1..=head once each, and per tenant the count and XOR of id digests that
//! the pushes' verdicts and the server's checksums say. Anything else fails the run, and
//! so does any error.
//!
//! Run it on release builds with PostgreSQL on 127.0.0.1:5432 (`scripts/postgres.sh`;
//! `PLUMBLINE_TEST_POSTGRES` points elsewhere): `cargo build --release -p
//! plumbline-server -p plumbline-e2e && target/release/bench-server-load` (with
//! `CARGO_TARGET_DIR` set, the binary is under it; the server it starts is the
//! `plumbline-server` next to it). `--devices N` (64), `--seconds S` (60), `--batch N`
//! operations per push (50), `--tenants N` the devices push for (8). A run takes about
//! twice `--seconds` plus a minute (the catch-up pulls every operation to every device).
//! The benchmark, both instances and Postgres share the machine: on a small one the
//! figures are the whole system's, not the server's alone (the CPU line says who used
//! what). The devices push and pull back to back with no pause, so latency is mostly
//! queueing: about devices ÷ requests per second.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use plumbline_core::store::{op_digest, Clock};
use plumbline_core::sync::api::{
    Checksum, Control, DecisionRecord, OpBody, Operation, Outcome, PullResponse, SignInBody,
    TenantFields, MAX_PULL_LIMIT, MAX_PUSH_OPERATIONS,
};
use plumbline_core::sync::client::{Client, ClientError, DeviceToken, ServerUrl};
use plumbline_e2e::team::{Engine, Server, PASSWORD};
use sqlx::Connection as _;

const WORKSPACE: &str = "Load MSP";
/// The operators the devices sign in as (device i as operator i mod this).
const OPERATORS: usize = 4;
/// A page of a pull while the load runs.
const PULL_LIMIT: u32 = 1_000;
/// The longest the catch-up after the deadline may take.
const CATCH_UP_BOUND: Duration = Duration::from_secs(900);
/// Failed catch-up pulls in a row after which a device gives up.
const CATCH_UP_TRIES: u32 = 20;
/// The pause of a device after a failed request.
const ERROR_PAUSE: Duration = Duration::from_millis(100);
/// Clock ticks per second of `/proc/*/stat` (USER_HZ, 100 on Linux).
const TICKS: f64 = 100.0;

struct Options {
    devices: usize,
    seconds: u64,
    batch: usize,
    tenants: usize,
}

fn options() -> anyhow::Result<Options> {
    let mut options = Options {
        devices: 64,
        seconds: 60,
        batch: 50,
        tenants: 8,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| anyhow!("{arg} needs a value"));
        match arg.as_str() {
            "--devices" => options.devices = value()?.parse()?,
            "--seconds" => options.seconds = value()?.parse()?,
            "--batch" => options.batch = value()?.parse()?,
            "--tenants" => options.tenants = value()?.parse()?,
            other => {
                bail!("unknown argument {other} (--devices N, --seconds S, --batch N, --tenants N)")
            }
        }
    }
    if options.devices == 0 || options.seconds == 0 || options.tenants == 0 {
        bail!("--devices, --seconds and --tenants are at least 1");
    }
    if !(1..=MAX_PUSH_OPERATIONS).contains(&options.batch) {
        bail!("--batch is 1 to {MAX_PUSH_OPERATIONS}");
    }
    Ok(options)
}

/// A count and the XOR of the operations' id digests: what the server's checksums hold.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Sum {
    count: i64,
    xor: [u8; 32],
}

impl Sum {
    fn add(&mut self, op_id: &str) {
        self.count += 1;
        for (x, y) in self.xor.iter_mut().zip(op_digest(op_id)) {
            *x ^= y;
        }
    }

    fn hex(&self) -> String {
        self.xor.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn matches(&self, checksum: &Checksum) -> bool {
        self.count == checksum.count && self.hex() == checksum.xor
    }
}

impl std::fmt::Display for Sum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} operations, xor {}", self.count, &self.hex()[..12])
    }
}

/// Errors by kind, each with how many and the first message.
#[derive(Default)]
struct Errors(BTreeMap<String, (u64, String)>);

impl Errors {
    fn add(&mut self, kind: String, example: String) {
        let entry = self.0.entry(kind).or_insert((0, example));
        entry.0 += 1;
    }

    fn client(&mut self, what: &str, error: &ClientError) {
        let kind = match error {
            ClientError::Refused { status, code, .. } => format!("{what}: HTTP {status} {code}"),
            ClientError::Unreachable { detail, .. } => format!("{what}: transport ({detail})"),
            other => format!("{what}: {}", other.code()),
        };
        self.add(kind, error.to_string());
    }

    fn merge(&mut self, other: Errors) {
        for (kind, (count, example)) in other.0 {
            let entry = self.0.entry(kind).or_insert((0, example));
            entry.0 += count;
        }
    }

    fn total(&self) -> u64 {
        self.0.values().map(|(count, _)| count).sum()
    }

    fn print(&self, indent: &str) {
        for (kind, (count, example)) in &self.0 {
            println!("{indent}{count} × {kind} — first: {example}");
        }
    }
}

/// A device signed in to one of the instances.
struct Session {
    client: Client,
    token: DeviceToken,
    workspace: String,
    /// The device id its operations carry.
    origin: String,
    instance: usize,
}

/// What a device received: where it is, and what it has seen so far.
#[derive(Default)]
struct Received {
    cursor: i64,
    /// The newest sequence received (each must follow the one before).
    last_seq: i64,
    operations: u64,
    by_tenant: BTreeMap<String, Sum>,
}

impl Received {
    /// Takes a page of the log: every operation must follow the one before (a device
    /// that may see every tenant receives the sequences 1, 2, 3, … once each), and no
    /// control may ask for a snapshot or a resync.
    fn take(&mut self, page: &PullResponse, epoch: &str, limit: u32, errors: &mut Errors) -> usize {
        if page.epoch != epoch {
            errors.add(
                "pull: another epoch".to_owned(),
                format!("{} instead of {epoch}", page.epoch),
            );
        }
        for control in &page.controls {
            let kind = match control {
                Control::UpToDate { .. } => continue,
                Control::GrantTenant { .. } => "grant_tenant",
                Control::RevokeTenant { .. } => "revoke_tenant",
                Control::MustResync { .. } => "must_resync",
            };
            errors.add(
                format!("pull: unexpected control {kind}"),
                format!("after {}: {control:?}", self.cursor),
            );
        }
        for sequenced in &page.operations {
            if sequenced.seq != self.last_seq + 1 {
                errors.add(
                    "pull: a sequence out of order (gap or repeat)".to_owned(),
                    format!("{} after {}", sequenced.seq, self.last_seq),
                );
            }
            self.last_seq = self.last_seq.max(sequenced.seq);
            self.operations += 1;
            let key = sequenced.operation.tenant_id.clone().unwrap_or_default();
            self.by_tenant
                .entry(key)
                .or_default()
                .add(&sequenced.operation.id);
        }
        let last_op = page.operations.last().map_or(self.cursor, |o| o.seq);
        let short = page.operations.len() < limit as usize;
        if page.last_seq < last_op
            || page.last_seq < self.cursor
            || (short && page.last_seq != page.head)
        {
            errors.add(
                "pull: last_seq does not fit the page".to_owned(),
                format!(
                    "after {}: {} operations up to {last_op}, last_seq {}, head {}",
                    self.cursor,
                    page.operations.len(),
                    page.last_seq,
                    page.head
                ),
            );
        }
        self.cursor = self.cursor.max(page.last_seq);
        page.operations.len()
    }
}

/// What one device did while the load ran.
#[derive(Default)]
struct Outcomes {
    push_latency: Vec<Duration>,
    pull_latency: Vec<Duration>,
    pushes_ok: u64,
    pulls_ok: u64,
    accepted: u64,
    delivered: u64,
    /// The accepted operations by tenant key, as the verdicts said.
    pushed: BTreeMap<String, Sum>,
    /// Batches whose fate is unknown (the push failed): pushed again after the load.
    uncertain: Vec<Vec<Operation>>,
    errors: Errors,
}

fn decision(origin: &str, clock: &Clock, tenant: &str, finding: u64) -> Operation {
    Operation {
        id: uuid::Uuid::now_v7().to_string(),
        hlc: clock.now().0,
        device_id: origin.to_owned(),
        tenant_id: Some(tenant.to_owned()),
        body: OpBody::Decision(DecisionRecord {
            finding: format!("{finding:064x}"),
            action: "comment".to_owned(),
            base: None,
            actor: "load".to_owned(),
            reason: Some("load test".to_owned()),
            expires_at: None,
            accepted_value: None,
            approver: None,
            approves: None,
        }),
    }
}

/// Counts a push's verdicts; `settling`: a batch pushed again, whose duplicates are the
/// operations the failed push did store.
fn count_verdicts(
    batch: &[Operation],
    verdicts: &[plumbline_core::sync::api::Verdict],
    settling: bool,
    outcomes: &mut Outcomes,
) {
    if verdicts.len() != batch.len() {
        outcomes.errors.add(
            "push: verdicts do not match the operations".to_owned(),
            format!("{} verdicts for {} operations", verdicts.len(), batch.len()),
        );
    }
    for (op, verdict) in batch.iter().zip(verdicts) {
        if verdict.id != op.id {
            outcomes.errors.add(
                "push: a verdict for another operation".to_owned(),
                format!("{} for {}", verdict.id, op.id),
            );
            continue;
        }
        match &verdict.outcome {
            Outcome::Accepted { .. } => {}
            Outcome::Duplicate { .. } if settling => {}
            Outcome::Duplicate { seq } => {
                outcomes.errors.add(
                    "push verdict: duplicate".to_owned(),
                    format!("{} at {seq}", op.id),
                );
                continue;
            }
            Outcome::Rejected { reason, message } => {
                outcomes.errors.add(
                    format!("push verdict: rejected ({})", reason.code()),
                    message.clone(),
                );
                continue;
            }
        }
        outcomes.accepted += 1;
        outcomes
            .pushed
            .entry(op.tenant_id.clone().unwrap_or_default())
            .or_default()
            .add(&op.id);
    }
}

/// One device until the deadline: push a batch, pull a page, again.
async fn run_device(
    session: Arc<Session>,
    received: Arc<Mutex<Received>>,
    index: usize,
    tenants: Arc<Vec<String>>,
    epoch: Arc<String>,
    batch: usize,
    deadline: Instant,
) -> Outcomes {
    let mut outcomes = Outcomes::default();
    let clock = Clock::new(&session.origin);
    let mut finding = 0u64;
    let mut round = 0usize;
    while Instant::now() < deadline {
        let tenant = &tenants[(index + round) % tenants.len()];
        round += 1;
        let operations: Vec<Operation> = (0..batch)
            .map(|_| {
                finding += 1;
                decision(&session.origin, &clock, tenant, finding)
            })
            .collect();
        let started = Instant::now();
        let answer = session
            .client
            .push(&session.token, &session.workspace, operations.clone())
            .await;
        outcomes.push_latency.push(started.elapsed());
        match answer {
            Ok(answer) => {
                outcomes.pushes_ok += 1;
                count_verdicts(&operations, &answer.verdicts, false, &mut outcomes);
            }
            Err(error) => {
                outcomes.errors.client("push", &error);
                outcomes.uncertain.push(operations);
                // As a device would: a moment before trying again.
                tokio::time::sleep(ERROR_PAUSE).await;
            }
        }
        if Instant::now() >= deadline {
            break;
        }
        let after = lock(&received).cursor;
        let started = Instant::now();
        let answer = session
            .client
            .pull(
                &session.token,
                &session.workspace,
                after,
                PULL_LIMIT,
                0,
                Some(&epoch),
            )
            .await;
        outcomes.pull_latency.push(started.elapsed());
        match answer {
            Ok(page) => {
                outcomes.pulls_ok += 1;
                let taken = lock(&received).take(&page, &epoch, PULL_LIMIT, &mut outcomes.errors);
                outcomes.delivered += taken as u64;
            }
            Err(error) => {
                outcomes.errors.client("pull", &error);
                tokio::time::sleep(ERROR_PAUSE).await;
            }
        }
    }
    outcomes
}

/// After the load: a device pulls (big pages) until it has everything up to `head`.
async fn catch_up(
    session: Arc<Session>,
    received: Arc<Mutex<Received>>,
    epoch: Arc<String>,
    head: i64,
) -> (u64, u64, Errors) {
    let mut errors = Errors::default();
    let (mut pulls, mut delivered, mut failures) = (0u64, 0u64, 0u32);
    loop {
        let after = lock(&received).cursor;
        if after >= head || failures >= CATCH_UP_TRIES {
            break;
        }
        match session
            .client
            .pull(
                &session.token,
                &session.workspace,
                after,
                MAX_PULL_LIMIT,
                0,
                Some(&epoch),
            )
            .await
        {
            Ok(page) => {
                failures = 0;
                pulls += 1;
                delivered +=
                    lock(&received).take(&page, &epoch, MAX_PULL_LIMIT, &mut errors) as u64;
            }
            Err(error) => {
                failures += 1;
                errors.client("catch-up pull", &error);
                tokio::time::sleep(ERROR_PAUSE).await;
            }
        }
    }
    (pulls, delivered, errors)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The resident memory of a process, in bytes (`VmRSS`).
fn rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// CPU time a process used so far (user + system), in seconds.
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command's name (which may hold spaces) in parentheses.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let user: f64 = fields.get(11)?.parse().ok()?;
    let system: f64 = fields.get(12)?.parse().ok()?;
    Some((user + system) / TICKS)
}

/// The machine's busy and total CPU time so far, in seconds (`/proc/stat`).
fn host_cpu() -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?;
    let values: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let total: f64 = values.iter().take(8).sum();
    let idle = values.get(3)? + values.get(4)?;
    Some(((total - idle) / TICKS, total / TICKS))
}

/// CPU seconds used so far: by each instance, this benchmark, Postgres (by pid), and
/// the machine (busy, in all).
struct Cpu {
    instances: Vec<f64>,
    bench: f64,
    postgres: BTreeMap<u32, f64>,
    host: (f64, f64),
}

impl Cpu {
    fn now(pids: &[u32]) -> Self {
        Self {
            instances: pids
                .iter()
                .map(|pid| cpu_seconds(&pid.to_string()).unwrap_or(0.0))
                .collect(),
            bench: cpu_seconds("self").unwrap_or(0.0),
            postgres: postgres_cpu(),
            host: host_cpu().unwrap_or((0.0, 0.0)),
        }
    }
}

/// What an instance's `/metrics` says.
#[derive(Default)]
struct Scrape {
    /// Requests by route (the scrapes themselves left out).
    requests: BTreeMap<String, f64>,
    /// Answers with a status of 400 or more, by "route status".
    failures: BTreeMap<String, f64>,
    accepted: f64,
    pulled: f64,
    resident: Option<f64>,
    /// The most database connections the instance opens.
    pool_max: f64,
}

async fn scrape(url: &str) -> anyhow::Result<Scrape> {
    let base = ServerUrl::parse(url)?;
    let text = reqwest::Client::new()
        .get(format!("{}metrics", base.as_str()))
        .timeout(Duration::from_secs(15))
        .send()
        .await?
        .error_for_status()?
        .text()
        .await?;
    let mut out = Scrape::default();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some((name, value)) = line.rsplit_once(' ') else {
            continue;
        };
        let Ok(value) = value.parse::<f64>() else {
            continue;
        };
        let label = |key: &str| {
            let start = name.find(&format!("{key}=\""))? + key.len() + 2;
            let end = start + name[start..].find('"')?;
            Some(name[start..end].to_owned())
        };
        if name.starts_with("plumbline_http_requests_total{") {
            let route = label("route").unwrap_or_default();
            if route == "/metrics" {
                continue;
            }
            let status = label("status").unwrap_or_default();
            if status.parse::<u16>().is_ok_and(|s| s >= 400) {
                *out.failures.entry(format!("{route} {status}")).or_default() += value;
            }
            *out.requests.entry(route).or_default() += value;
        } else if name == "plumbline_sync_pushed_operations_total{verdict=\"accepted\"}" {
            out.accepted = value;
        } else if name == "plumbline_sync_pulled_operations_total" {
            out.pulled = value;
        } else if name == "plumbline_database_connections{state=\"max\"}" {
            out.pool_max = value;
        } else if name == "process_resident_memory_bytes" {
            out.resident = Some(value);
        }
    }
    Ok(out)
}

/// One sample of the instances' memory and of the database's sessions.
#[derive(Clone)]
struct Sample {
    at: Duration,
    rss: [u64; 2],
    /// Sessions of this database waiting for a lock, by statement (none: not sampled).
    waiting: Option<BTreeMap<String, i64>>,
}

/// The sessions of the connection's database that wait for a lock, by the start of
/// their statement.
async fn lock_waits(connection: &mut sqlx::PgConnection) -> BTreeMap<String, i64> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 60), count(*) FROM pg_stat_activity \
         WHERE datname = current_database() AND wait_event_type = 'Lock' GROUP BY 1",
    )
    .fetch_all(connection)
    .await
    .unwrap_or_default();
    rows.into_iter().collect()
}

/// CPU seconds used so far by each process of Postgres on this machine, by pid.
fn postgres_cpu() -> BTreeMap<u32, f64> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return BTreeMap::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "postgres")
        })
        .filter_map(|pid| Some((pid, cpu_seconds(&pid.to_string())?)))
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn latency_line(what: &str, mut values: Vec<Duration>) -> String {
    values.sort();
    let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1e3);
    format!(
        "{what} latency (ms, {} requests): p50 {}, p95 {}, p99 {}, max {}",
        values.len(),
        ms(percentile(&values, 50.0)),
        ms(percentile(&values, 95.0)),
        ms(percentile(&values, 99.0)),
        ms(values.last().copied().unwrap_or_default())
    )
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

async fn sign_in(
    url: &str,
    email: &str,
    device: usize,
    instance: usize,
) -> anyhow::Result<Session> {
    let client = Client::new(ServerUrl::parse(url)?)?;
    let (token, identity) = client
        .sign_in(&SignInBody {
            email: email.to_owned(),
            password: PASSWORD.to_owned(),
            device_name: format!("load device {device}"),
        })
        .await
        .with_context(|| format!("device {device} signing in as {email}"))?;
    let workspace = identity
        .workspaces
        .first()
        .map(|w| w.id.clone())
        .context("a workspace")?;
    Ok(Session {
        client,
        token,
        workspace,
        origin: uuid::Uuid::now_v7().to_string(),
        instance,
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // The server is the binary next to this one (plumbline_e2e::driver finds it).
    let options = options()?;
    let server = Server::start(Engine::Postgres).await?;
    for operator in 0..OPERATORS {
        server.add_user(
            &format!("operator{operator}@load.example"),
            "operator",
            WORKSPACE,
            &[],
        )?;
    }
    let second = server.another_instance()?;
    let result = load(&server, &second, &options).await;
    // The second instance first: dropping the server drops the database.
    drop(second);
    drop(server);
    result
}

async fn load(
    server: &Server,
    second: &plumbline_e2e::team::Instance,
    options: &Options,
) -> anyhow::Result<()> {
    let urls = [server.url.clone(), second.url.clone()];
    let pids = [
        server.pid().context("the first instance runs")?,
        second.pid(),
    ];
    println!(
        "server load: {} devices, 2 instances on Postgres ({} and {}), {} s, {} operations a push, {} tenants",
        options.devices, urls[0], urls[1], options.seconds, options.batch, options.tenants
    );

    let idle_rss = [rss(pids[0]).unwrap_or(0), rss(pids[1]).unwrap_or(0)];
    // Sign-ins and the tenants, before the clock starts.
    let started = Instant::now();
    let mut sessions = Vec::new();
    for device in 0..options.devices {
        let instance = device % 2;
        let email = format!("operator{}@load.example", device % OPERATORS);
        sessions.push(Arc::new(
            sign_in(&urls[instance], &email, device, instance).await?,
        ));
    }
    eprintln!(
        "{} devices signed in in {:.1} s",
        sessions.len(),
        started.elapsed().as_secs_f64()
    );
    let first = &sessions[0];
    let clock = Clock::new(&first.origin);
    let mut expected: BTreeMap<String, Sum> = BTreeMap::new();
    let mut tenants = Vec::new();
    let mut creations = Vec::new();
    for index in 0..options.tenants {
        let tenant = uuid::Uuid::now_v7().to_string();
        creations.push(Operation {
            id: uuid::Uuid::now_v7().to_string(),
            hlc: clock.now().0,
            device_id: first.origin.clone(),
            tenant_id: Some(tenant.clone()),
            body: OpBody::TenantSet(TenantFields {
                display_name: Some(format!("Load tenant {index}")),
                ..TenantFields::default()
            }),
        });
        tenants.push(tenant);
    }
    let answer = first
        .client
        .push(&first.token, &first.workspace, creations.clone())
        .await
        .context("creating the tenants")?;
    for (op, verdict) in creations.iter().zip(&answer.verdicts) {
        if !matches!(verdict.outcome, Outcome::Accepted { .. }) {
            bail!("creating a tenant: {:?}", verdict.outcome);
        }
        expected
            .entry(op.tenant_id.clone().unwrap_or_default())
            .or_default()
            .add(&op.id);
    }
    let setup_ops = creations.len() as u64;
    let epoch = Arc::new(
        first
            .client
            .sync_head(&first.token, &first.workspace, false)
            .await?
            .epoch,
    );
    let tenants = Arc::new(tenants);
    let before: Vec<Scrape> = vec![scrape(&urls[0]).await?, scrape(&urls[1]).await?];

    // Memory, and the database's sessions waiting for a lock, every second until told
    // to stop.
    let samples: Arc<Mutex<Vec<Sample>>> = Arc::default();
    let stop = Arc::new(tokio::sync::Notify::new());
    let origin = Instant::now();
    let mut watcher = sqlx::PgConnection::connect(&server.database).await.ok();
    let sampler = {
        let (samples, stop) = (samples.clone(), stop.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    () = stop.notified() => break,
                }
                let rss = [rss(pids[0]).unwrap_or(0), rss(pids[1]).unwrap_or(0)];
                let waiting = match watcher.as_mut() {
                    Some(connection) => Some(lock_waits(connection).await),
                    None => None,
                };
                lock(&samples).push(Sample {
                    at: origin.elapsed(),
                    rss,
                    waiting,
                });
            }
        })
    };

    // The load.
    let received: Vec<Arc<Mutex<Received>>> =
        (0..options.devices).map(|_| Arc::default()).collect();
    let cpu_before = Cpu::now(&pids);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(options.seconds);
    let mut tasks = Vec::new();
    for (index, session) in sessions.iter().enumerate() {
        tasks.push(tokio::spawn(run_device(
            session.clone(),
            received[index].clone(),
            index,
            tenants.clone(),
            epoch.clone(),
            options.batch,
            deadline,
        )));
    }
    let mut all = Outcomes::default();
    let mut per_instance_requests = [0u64; 2];
    let mut uncertain = Vec::new();
    for (index, task) in tasks.into_iter().enumerate() {
        let outcomes = task.await.context("a device's task")?;
        per_instance_requests[sessions[index].instance] +=
            (outcomes.push_latency.len() + outcomes.pull_latency.len()) as u64;
        all.push_latency.extend(outcomes.push_latency);
        all.pull_latency.extend(outcomes.pull_latency);
        all.pushes_ok += outcomes.pushes_ok;
        all.pulls_ok += outcomes.pulls_ok;
        all.accepted += outcomes.accepted;
        all.delivered += outcomes.delivered;
        for (key, sum) in outcomes.pushed {
            let entry = expected.entry(key).or_default();
            entry.count += sum.count;
            for (x, y) in entry.xor.iter_mut().zip(sum.xor) {
                *x ^= y;
            }
        }
        uncertain.extend(outcomes.uncertain.into_iter().map(|batch| (index, batch)));
        all.errors.merge(outcomes.errors);
    }
    let loaded = started.elapsed();
    let loaded_until = origin.elapsed();
    let cpu_after = Cpu::now(&pids);
    let after_load: Vec<Scrape> = vec![scrape(&urls[0]).await?, scrape(&urls[1]).await?];

    // Batches whose push failed: pushed again (by the same device) to learn what the
    // log holds.
    let mut settle = Outcomes::default();
    for (index, batch) in uncertain {
        let session = &sessions[index];
        let answer = session
            .client
            .push(&session.token, &session.workspace, batch.clone())
            .await;
        match answer {
            Ok(answer) => count_verdicts(&batch, &answer.verdicts, true, &mut settle),
            Err(error) => settle.errors.client("settling push", &error),
        }
    }
    for (key, sum) in settle.pushed {
        let entry = expected.entry(key).or_default();
        entry.count += sum.count;
        for (x, y) in entry.xor.iter_mut().zip(sum.xor) {
            *x ^= y;
        }
    }

    // Catch-up: every device pulls to the head.
    let head = first
        .client
        .sync_head(&first.token, &first.workspace, false)
        .await
        .context("the log's head after the load")?;
    let catch_up_started = Instant::now();
    let mut tasks = Vec::new();
    for (index, session) in sessions.iter().enumerate() {
        tasks.push(tokio::spawn(catch_up(
            session.clone(),
            received[index].clone(),
            epoch.clone(),
            head.head,
        )));
    }
    let joined = tokio::time::timeout(CATCH_UP_BOUND, async {
        let mut out = Vec::new();
        for task in tasks {
            out.push(task.await);
        }
        out
    })
    .await
    .map_err(|_| anyhow!("the devices did not catch up within {CATCH_UP_BOUND:?}"))?;
    let mut catch_up_errors = Errors::default();
    let (mut catch_up_pulls, mut catch_up_delivered) = (0u64, 0u64);
    for result in joined {
        let (pulls, delivered, errors) = result.context("a device's catch-up")?;
        catch_up_pulls += pulls;
        catch_up_delivered += delivered;
        catch_up_errors.merge(errors);
    }
    let caught_up = catch_up_started.elapsed();
    stop.notify_one();
    let _ = tokio::time::timeout(Duration::from_secs(5), sampler).await;
    let final_rss = [rss(pids[0]).unwrap_or(0), rss(pids[1]).unwrap_or(0)];
    let end: Vec<Scrape> = vec![scrape(&urls[0]).await?, scrape(&urls[1]).await?];

    // Convergence: the log holds the tenants and what was accepted, and every device
    // received exactly that.
    let mut wrong = Vec::new();
    let logged = setup_ops + all.accepted + settle.accepted;
    if head.head != logged as i64 {
        wrong.push(format!(
            "the log's head is {} but {logged} operations were accepted ({setup_ops} tenants, {} during the load, {} settled after)",
            head.head, all.accepted, settle.accepted
        ));
    }
    for (key, sum) in &expected {
        match head.tenants.get(key) {
            Some(checksum) if sum.matches(checksum) => {}
            other => wrong.push(format!(
                "tenant {key}: the verdicts say {sum}, the server's checksum {other:?}"
            )),
        }
    }
    for (key, checksum) in &head.tenants {
        if checksum.count > 0 && !expected.contains_key(key) {
            wrong.push(format!(
                "the server counts operations of tenant {key:?}, which nobody pushed: {checksum:?}"
            ));
        }
    }
    for (index, received) in received.iter().enumerate() {
        let received = lock(received);
        if received.cursor != head.head
            || received.last_seq != head.head
            || received.operations != head.head as u64
        {
            wrong.push(format!(
                "device {index}: cursor {}, last sequence {}, {} operations received; the head is {}",
                received.cursor, received.last_seq, received.operations, head.head
            ));
        }
        if received.by_tenant != expected {
            let differ: Vec<String> = expected
                .iter()
                .filter(|(key, sum)| received.by_tenant.get(*key) != Some(*sum))
                .map(|(key, sum)| {
                    format!(
                        "tenant {key}: expected {sum}, received {}",
                        received
                            .by_tenant
                            .get(key)
                            .map_or("nothing".to_owned(), Sum::to_string)
                    )
                })
                .collect();
            wrong.push(format!("device {index}: {}", differ.join("; ")));
        }
    }

    // The figures.
    let samples = lock(&samples).clone();
    let peak = |from: Duration, to: Duration, instance: usize| {
        samples
            .iter()
            .filter(|s| s.at >= from && s.at <= to)
            .map(|s| s.rss[instance])
            .max()
            .unwrap_or(0)
    };
    let seconds = loaded.as_secs_f64();
    println!();
    println!(
        "duration: {:.1} s of load ({} s asked, then the requests under way answered), {} devices, 2 instances, {} operations a push, {} tenants",
        seconds, options.seconds, options.devices, options.batch, options.tenants
    );
    println!(
        "requests: {:.1} pushes/s ({} answered 200), {:.1} pulls/s ({} answered 200); devices on instance A {} requests, on B {}",
        all.push_latency.len() as f64 / seconds,
        all.pushes_ok,
        all.pull_latency.len() as f64 / seconds,
        all.pulls_ok,
        per_instance_requests[0],
        per_instance_requests[1]
    );
    println!(
        "operations: {:.0} accepted/s ({} in all), {:.0} delivered by pulls/s ({} in all; a pull's page is at most {PULL_LIMIT})",
        all.accepted as f64 / seconds,
        all.accepted,
        all.delivered as f64 / seconds,
        all.delivered
    );
    println!("{}", latency_line("push", all.push_latency.clone()));
    println!("{}", latency_line("pull", all.pull_latency.clone()));
    println!("errors during the load: {} (target 0)", all.errors.total());
    all.errors.print("  ");
    if settle.errors.total() > 0 || settle.accepted > 0 {
        println!(
            "failed pushes pushed again after the load: {} operations now stored, {} errors",
            settle.accepted,
            settle.errors.total()
        );
        settle.errors.print("  ");
    }
    for (instance, name) in ["A", "B"].iter().enumerate() {
        let requests: f64 = end[instance].requests.values().sum();
        let during: f64 = after_load[instance].requests.values().sum::<f64>()
            - before[instance].requests.values().sum::<f64>();
        let routes: Vec<String> = end[instance]
            .requests
            .iter()
            .map(|(route, count)| format!("{route} {count}"))
            .collect();
        println!(
            "instance {name} (pid {}): RSS {} idle, {} after the sign-ins, peak {} during the load, {} after it (catch-up), final {} (/metrics says {}); plumbline_http_requests_total {} ({} during the load; {})",
            pids[instance],
            mib(idle_rss[instance]),
            mib(samples.first().map_or(0, |s| s.rss[instance])),
            mib(peak(Duration::ZERO, loaded_until, instance)),
            mib(peak(loaded_until, Duration::MAX, instance).max(final_rss[instance])),
            mib(final_rss[instance]),
            end[instance].resident.map_or("nothing".to_owned(), |b| mib(b as u64)),
            requests,
            during,
            routes.join(", ")
        );
        println!(
            "  its counters: {} operations accepted, {} sent by pulls; answers of 400 or more: {}",
            end[instance].accepted,
            end[instance].pulled,
            if end[instance].failures.is_empty() {
                "none".to_owned()
            } else {
                format!("{:?}", end[instance].failures)
            }
        );
    }
    let busy = cpu_after.host.0 - cpu_before.host.0;
    let total = cpu_after.host.1 - cpu_before.host.1;
    let instances: Vec<f64> = cpu_after
        .instances
        .iter()
        .zip(&cpu_before.instances)
        .map(|(after, before)| after - before)
        .collect();
    let bench = cpu_after.bench - cpu_before.bench;
    // Postgres processes started during the load count from 0.
    let postgres: f64 = cpu_after
        .postgres
        .iter()
        .map(|(pid, after)| after - cpu_before.postgres.get(pid).copied().unwrap_or(0.0))
        .sum();
    println!(
        "CPU during the load: machine busy {:.0}% of {:.0} core-seconds; instance A {:.1} s, B {:.1} s, Postgres {:.1} s, this benchmark {:.1} s, other {:.1} s",
        100.0 * busy / total.max(f64::EPSILON),
        total,
        instances[0],
        instances[1],
        postgres,
        bench,
        (busy - instances.iter().sum::<f64>() - postgres - bench).max(0.0)
    );
    let waits: Vec<&BTreeMap<String, i64>> = samples
        .iter()
        .filter(|s| s.at <= loaded_until)
        .filter_map(|s| s.waiting.as_ref())
        .collect();
    if waits.is_empty() {
        println!("Postgres lock waits: not sampled (no connection to the database)");
    } else {
        let mut by_statement: BTreeMap<&str, i64> = BTreeMap::new();
        for sample in &waits {
            for (statement, count) in *sample {
                *by_statement.entry(statement.as_str()).or_default() += count;
            }
        }
        let mut by_statement: Vec<(&str, i64)> = by_statement.into_iter().collect();
        by_statement.sort_by_key(|(_, count)| -count);
        let listed: Vec<String> = by_statement
            .iter()
            .map(|(statement, count)| {
                format!("{:.1} at {statement}…", *count as f64 / waits.len() as f64)
            })
            .collect();
        println!(
            "Postgres sessions waiting for a lock during the load (mean of {} samples; the instances have {} connections between them): {}",
            waits.len(),
            end.iter().map(|s| s.pool_max).sum::<f64>(),
            if listed.is_empty() { "none".to_owned() } else { listed.join("; ") }
        );
    }
    println!(
        "catch-up after the load: {} devices to the head {} in {:.1} s, {} pulls of up to {MAX_PULL_LIMIT}, {:.0} operations delivered/s; errors {}",
        options.devices,
        head.head,
        caught_up.as_secs_f64(),
        catch_up_pulls,
        catch_up_delivered as f64 / caught_up.as_secs_f64().max(f64::EPSILON),
        catch_up_errors.total()
    );
    catch_up_errors.print("  ");
    if wrong.is_empty() {
        println!(
            "convergence: every device received exactly the {} operations of the log (sequences 1..={} once each; per tenant the count and XOR of id digests the verdicts and the server's checksums say)",
            head.head, head.head
        );
    } else {
        println!("convergence FAILED:");
        for line in wrong.iter().take(20) {
            println!("  {line}");
        }
        if wrong.len() > 20 {
            println!("  … and {} more", wrong.len() - 20);
        }
        bail!("the devices did not converge on the log");
    }
    let errors = all.errors.total() + settle.errors.total() + catch_up_errors.total();
    if errors > 0 {
        bail!("{errors} errors (the target is 0): see above");
    }
    Ok(())
}

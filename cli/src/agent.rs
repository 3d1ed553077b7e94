//! `plumbline agent`: a headless device with a service identity (SYNC.md). It signs in
//! with a password read from a file (or the service manager's credential), syncs
//! continuously, and shares the workspace's work with other agents through the server's
//! leases: each due tenant is captured from Graph by one agent at a time, reviewed, its
//! alerts raised and delivered (each delivery by one agent), and the results pushed.
//!
//! Logs are JSON lines on stderr; `--health-file` is rewritten after every round with
//! what the agent is doing. SIGTERM or Ctrl+C: no new work is claimed, captures running
//! get [`STOP_GRACE`] to finish (else their leases are given back), the device signs out.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use plumbline_core::capture::{capture_from_graph, due_tenants};
use plumbline_core::connectors::graph::GraphClient;
use plumbline_core::delivery::outbox::{self, RoundReport, ServerLeases};
use plumbline_core::keychain::{Keychain, KeychainError, OsKeychain};
use plumbline_core::model::TenantId;
use plumbline_core::review::{review_tenant, ReviewOptions};
use plumbline_core::store::Store;
use plumbline_core::sync::api::{
    capture_key, ClaimRequest, CompleteRequest, LeaseItem, LeaseRef, RenewRequest,
};
use plumbline_core::sync::connection::{self, token_account};
use plumbline_core::sync::engine::{self, Cancel, RunEvent, SyncOptions};
use serde::Serialize;
use tokio::sync::Notify;

use crate::{Failure, Outcome};

/// How long captures running at a stop may take to finish.
pub const STOP_GRACE: Duration = Duration::from_secs(30);

/// The credential a service manager passes (systemd `LoadCredential=`).
const CREDENTIAL_NAME: &str = "plumbline-agent-password";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The Plumbline server (https://…).
    #[arg(long, env = "PLUMBLINE_AGENT_SERVER", value_name = "URL")]
    server: String,
    /// The service identity's e-mail address (an operator or admin of the workspace).
    #[arg(long, env = "PLUMBLINE_AGENT_EMAIL", value_name = "EMAIL")]
    email: String,
    /// A file holding the service identity's password (default: the service manager's
    /// credential `plumbline-agent-password` in $CREDENTIALS_DIRECTORY).
    #[arg(long, env = "PLUMBLINE_AGENT_PASSWORD_FILE", value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// This agent's device name on the server (default: "agent on HOSTNAME").
    #[arg(long, env = "PLUMBLINE_AGENT_NAME", value_name = "NAME")]
    name: Option<String>,
    /// The server workspace (name or id) when the identity is a member of several.
    #[arg(long, value_name = "NAME")]
    workspace: Option<String>,
    /// How long a claimed piece of work is held before another agent may take it over
    /// (renewed while the work runs).
    #[arg(long, default_value_t = 120, value_name = "SECONDS")]
    lease_seconds: u32,
    /// Seconds between rounds (due captures, deliveries, health).
    #[arg(long, default_value_t = 15, value_name = "SECONDS")]
    tick_seconds: u64,
    /// Tenants captured at once by this agent.
    #[arg(long, default_value_t = 4)]
    parallel: usize,
    /// Concurrent Graph requests per tenant, and in all.
    #[arg(long, default_value_t = 4)]
    per_tenant_requests: usize,
    #[arg(long, default_value_t = 16)]
    global_requests: usize,
    /// Rewritten after every round with the agent's state (JSON).
    #[arg(long, env = "PLUMBLINE_AGENT_HEALTH_FILE", value_name = "FILE")]
    health_file: Option<PathBuf>,
}

/// The keychain of an agent: its device token lives in memory only (it signs in at each
/// start with its service identity); every other secret (Graph, destinations) comes from
/// the OS keychain.
struct AgentKeychain {
    os: OsKeychain,
    token_account: String,
    memory: Mutex<HashMap<String, String>>,
}

impl AgentKeychain {
    fn memory(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        match self.memory.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

impl Keychain for AgentKeychain {
    fn get(&self, account: &str) -> Result<Option<String>, KeychainError> {
        if account == self.token_account {
            return Ok(self.memory().get(account).cloned());
        }
        self.os.get(account)
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), KeychainError> {
        if account == self.token_account {
            self.memory().insert(account.to_owned(), secret.to_owned());
            return Ok(());
        }
        self.os.set(account, secret)
    }

    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        if account == self.token_account {
            self.memory().remove(account);
            return Ok(());
        }
        self.os.delete(account)
    }

    fn describe(&self) -> String {
        self.os.describe()
    }
}

/// One JSON log line on stderr.
fn log(event: &str, fields: serde_json::Value) {
    // The shape of the engine's own JSON lines (tracing's), plus the event's name.
    let level =
        if event.ends_with("failed") || event.ends_with("lost") || event.ends_with("abandoned") {
            "WARN"
        } else {
            "INFO"
        };
    let mut line = serde_json::json!({
        "timestamp": plumbline_core::store::timestamp(Utc::now()),
        "level": level,
        "target": "plumbline::agent",
        "event": event,
    });
    if let (Some(line), serde_json::Value::Object(fields)) = (line.as_object_mut(), fields) {
        line.extend(fields);
    }
    eprintln!("{line}");
}

fn read_password(args: &Args) -> Result<String, Failure> {
    let path = match &args.password_file {
        Some(path) => path.clone(),
        None => match std::env::var_os("CREDENTIALS_DIRECTORY") {
            Some(dir) => Path::new(&dir).join(CREDENTIAL_NAME),
            None => {
                return Err(Failure::usage(
                    "give the service identity's password in a file: --password-file FILE \
                     (or PLUMBLINE_AGENT_PASSWORD_FILE, or systemd's LoadCredential=plumbline-agent-password:FILE)",
                ))
            }
        },
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Failure::usage(format!(
            "cannot read the password file {}: {e}",
            path.display()
        ))
    })?;
    let password = text.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err(Failure::usage(format!(
            "the password file {} is empty",
            path.display()
        )));
    }
    Ok(password)
}

fn device_name(args: &Args) -> String {
    args.name.clone().unwrap_or_else(|| {
        let host = std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "this host".to_owned());
        format!("agent on {host}")
    })
}

/// What the health file says.
#[derive(Debug, Default, Serialize, Clone)]
struct Health {
    status: &'static str,
    device: String,
    server: String,
    updated_at: String,
    last_sync_at: Option<String>,
    last_sync_error: Option<String>,
    captures_running: Vec<String>,
    captured: u64,
    capture_failures: u64,
    /// Times another agent held or had just done a due tenant.
    captures_left_to_others: u64,
    deliveries: RoundReport,
}

fn write_health(path: Option<&Path>, health: &Health) {
    let Some(path) = path else { return };
    let Ok(text) = serde_json::to_vec_pretty(health) else {
        return;
    };
    let temporary = path.with_extension("tmp");
    let written = std::fs::write(&temporary, text).and_then(|()| std::fs::rename(&temporary, path));
    if let Err(error) = written {
        log(
            "health_file_failed",
            serde_json::json!({ "path": path.display().to_string(), "error": error.to_string() }),
        );
    }
}

/// A capture running under a lease.
struct Running {
    lease_id: String,
    task: tokio::task::JoinHandle<()>,
}

struct Shared {
    store: Store,
    keychain: Arc<AgentKeychain>,
    options: SyncOptions,
    graph: GraphClient,
    wake: Arc<Notify>,
    health: Mutex<Health>,
    lease_seconds: u32,
}

impl Shared {
    fn health(&self) -> std::sync::MutexGuard<'_, Health> {
        match self.health.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

pub async fn run(store: &Store, args: &Args) -> Outcome {
    let password = read_password(args)?;
    let name = device_name(args);
    let keychain = Arc::new(AgentKeychain {
        os: OsKeychain::detect(),
        token_account: token_account(store.workspace()),
        memory: Mutex::new(HashMap::new()),
    });
    let signed_in = connection::sign_in(
        store,
        keychain.as_ref(),
        &args.server,
        &args.email,
        &password,
        &name,
    )
    .await
    .map_err(|e| Failure::server(e.to_string()))?;
    drop(password);
    log(
        "signed_in",
        serde_json::json!({
            "server": args.server,
            "device": name,
            "device_id": signed_in.device_id,
        }),
    );
    let graph = crate::graph::client(args.per_tenant_requests.max(1), args.global_requests.max(1))?;
    let shared = Arc::new(Shared {
        store: store.clone(),
        keychain,
        options: SyncOptions {
            workspace: args.workspace.clone(),
            ..SyncOptions::default()
        },
        graph,
        wake: Arc::new(Notify::new()),
        health: Mutex::new(Health {
            status: "starting",
            device: name,
            server: args.server.clone(),
            ..Health::default()
        }),
        lease_seconds: args
            .lease_seconds
            .clamp(plumbline_core::sync::api::MIN_LEASE_SECONDS, 3_600),
    });

    let cancel = Cancel::default();
    let stop = Arc::new(Notify::new());
    {
        let cancel = cancel.clone();
        let stop = stop.clone();
        let wake = shared.wake.clone();
        tokio::spawn(async move {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(term) => term,
                    Err(error) => {
                        log(
                            "no_sigterm",
                            serde_json::json!({ "error": error.to_string() }),
                        );
                        let _ = tokio::signal::ctrl_c().await;
                        cancel.cancel();
                        stop.notify_waiters();
                        wake.notify_waiters();
                        return;
                    }
                };
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            log("stopping", serde_json::json!({}));
            cancel.cancel();
            stop.notify_waiters();
            wake.notify_waiters();
        });
    }

    // Sync runs on its own, live; the work loop wakes it after each capture.
    let sync_task = {
        let shared = shared.clone();
        let cancel = cancel.clone();
        tokio::spawn(async move {
            let result = engine::run(
                &shared.store,
                shared.keychain.as_ref(),
                &shared.options,
                &cancel,
                &shared.wake,
                |event| match event {
                    RunEvent::Synced(report) => {
                        {
                            let mut health = shared.health();
                            health.last_sync_at =
                                Some(plumbline_core::store::timestamp(Utc::now()));
                            health.last_sync_error = None;
                        }
                        if report.pushed + report.pulled + report.rejected > 0 || report.first_sync
                        {
                            log("synced", serde_json::to_value(&report).unwrap_or_default());
                        }
                    }
                    RunEvent::Failed { error, retry_in } => {
                        shared.health().last_sync_error = Some(error.clone());
                        log(
                            "sync_failed",
                            serde_json::json!({ "error": error, "retry_in_s": retry_in.as_secs() }),
                        );
                    }
                },
            )
            .await;
            if let Err(error) = result {
                log(
                    "sync_stopped",
                    serde_json::json!({ "error": error.to_string() }),
                );
            }
        })
    };

    let mut running: BTreeMap<TenantId, Running> = BTreeMap::new();
    let tick = Duration::from_secs(args.tick_seconds.max(1));
    shared.health().status = "running";
    let result = loop {
        if cancel.is_cancelled() {
            break Ok(());
        }
        if let Err(error) = round(&shared, &mut running, args.parallel.max(1)).await {
            log("round_failed", serde_json::json!({ "error": error }));
        }
        {
            let mut health = shared.health();
            health.updated_at = plumbline_core::store::timestamp(Utc::now());
            health.captures_running = running.keys().map(ToString::to_string).collect();
            write_health(args.health_file.as_deref(), &health);
        }
        tokio::select! {
            () = tokio::time::sleep(tick) => {}
            () = stop.notified() => {}
        }
    };

    // Stopping: captures running get the grace, then their leases go back to the pool.
    shared.health().status = "stopping";
    write_health(args.health_file.as_deref(), &shared.health());
    let deadline = tokio::time::Instant::now() + STOP_GRACE;
    for (tenant, job) in std::mem::take(&mut running) {
        let mut task = job.task;
        if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
            task.abort();
            log(
                "capture_abandoned",
                serde_json::json!({ "tenant": tenant.to_string() }),
            );
            if let Ok(session) =
                engine::session(&shared.store, shared.keychain.as_ref(), &shared.options).await
            {
                let _ = session
                    .client
                    .complete_lease(
                        &session.token,
                        &session.workspace,
                        &CompleteRequest {
                            key: capture_key(&tenant.to_string()),
                            lease_id: job.lease_id,
                            rest_seconds: 0,
                        },
                    )
                    .await;
            }
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(10), sync_task).await;
    // A last push of what the captures made, then the device's token is revoked.
    let _ = tokio::time::timeout(
        Duration::from_secs(20),
        engine::sync_once(
            &shared.store,
            shared.keychain.as_ref(),
            &shared.options,
            &Cancel::default(),
            &mut |_| {},
        ),
    )
    .await;
    if let Err(error) = connection::sign_out(&shared.store, shared.keychain.as_ref()).await {
        log(
            "sign_out_failed",
            serde_json::json!({ "error": error.to_string() }),
        );
    }
    shared.health().status = "stopped";
    write_health(args.health_file.as_deref(), &shared.health());
    log("stopped", serde_json::json!({}));
    result
}

/// One round: finished captures reaped, due tenants claimed and started, alerts raised,
/// due deliveries sent.
async fn round(
    shared: &Arc<Shared>,
    running: &mut BTreeMap<TenantId, Running>,
    parallel: usize,
) -> Result<(), String> {
    running.retain(|_, job| !job.task.is_finished());
    let session = engine::session(&shared.store, shared.keychain.as_ref(), &shared.options)
        .await
        .map_err(|e| e.to_string())?;
    // Leases of captures still running are renewed; a lost one stops its capture.
    if !running.is_empty() {
        let request = RenewRequest {
            leases: running
                .iter()
                .map(|(tenant, job)| LeaseRef {
                    key: capture_key(&tenant.to_string()),
                    lease_id: job.lease_id.clone(),
                })
                .collect(),
            ttl_seconds: shared.lease_seconds,
        };
        match session
            .client
            .renew_leases(&session.token, &session.workspace, &request)
            .await
        {
            Ok(answer) => {
                for key in answer.lost {
                    if let Some(tenant) = key
                        .strip_prefix("capture:")
                        .and_then(|t| t.parse::<TenantId>().ok())
                    {
                        if let Some(job) = running.remove(&tenant) {
                            job.task.abort();
                            log(
                                "capture_lease_lost",
                                serde_json::json!({ "tenant": tenant.to_string() }),
                            );
                        }
                    }
                }
            }
            Err(error) => log(
                "renew_failed",
                serde_json::json!({ "error": error.to_string() }),
            ),
        }
    }

    let now = Utc::now();
    let free = parallel.saturating_sub(running.len());
    if free > 0 {
        let due: Vec<TenantId> = due_tenants(&shared.store, now)
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .filter(|t| !running.contains_key(t))
            .take(free * 4)
            .collect();
        if !due.is_empty() {
            let request = ClaimRequest {
                items: due
                    .iter()
                    .map(|t| LeaseItem {
                        key: capture_key(&t.to_string()),
                        tenant_id: Some(t.to_string()),
                    })
                    .collect(),
                ttl_seconds: shared.lease_seconds,
            };
            let answer = session
                .client
                .claim_leases(&session.token, &session.workspace, &request)
                .await
                .map_err(|e| e.to_string())?;
            shared.health().captures_left_to_others += answer.refused.len() as u64;
            let mut granted = answer.granted;
            // Give back what this agent has no room for (most overdue first were asked).
            let keep: Vec<_> = granted.drain(..granted.len().min(free)).collect();
            for lease in granted {
                let _ = session
                    .client
                    .complete_lease(
                        &session.token,
                        &session.workspace,
                        &CompleteRequest {
                            key: lease.key,
                            lease_id: lease.lease_id,
                            rest_seconds: 0,
                        },
                    )
                    .await;
            }
            for lease in keep {
                let Some(tenant) = lease
                    .key
                    .strip_prefix("capture:")
                    .and_then(|t| t.parse::<TenantId>().ok())
                else {
                    continue;
                };
                let task =
                    tokio::spawn(capture_one(shared.clone(), tenant, lease.lease_id.clone()));
                running.insert(
                    tenant,
                    Running {
                        lease_id: lease.lease_id,
                        task,
                    },
                );
            }
        }
    }

    // Alerts from reviews derived since the last round (this agent's captures and other
    // devices' synced ones), then deliveries.
    shared
        .store
        .raise_alerts()
        .await
        .map_err(|e| e.to_string())?;
    let escalation = shared
        .store
        .escalate(Utc::now())
        .await
        .map_err(|e| e.to_string())?;
    if escalation != plumbline_core::store::EscalationReport::default() {
        log(
            "escalated",
            serde_json::to_value(&escalation).unwrap_or_default(),
        );
    }
    // A delivery's lease outlasts its longest attempt: it is not renewed while sending.
    let leases = ServerLeases {
        session: &session,
        ttl: outbox::delivery_lease_seconds(shared.lease_seconds),
    };
    let report = outbox::deliver_due(&shared.store, shared.keychain.as_ref(), &leases, Utc::now())
        .await
        .map_err(|e| e.to_string())?;
    if report != RoundReport::default() {
        log(
            "delivered",
            serde_json::to_value(&report).unwrap_or_default(),
        );
        let mut health = shared.health();
        health.deliveries.sent += report.sent;
        health.deliveries.retried += report.retried;
        health.deliveries.dead += report.dead;
        health.deliveries.skipped += report.skipped;
        health.deliveries.busy += report.busy;
        health.deliveries.disabled.extend(report.disabled);
    }
    Ok(())
}

/// How long a finished capture waits for sync to push it before its lease is completed.
const PUSH_WAIT: Duration = Duration::from_secs(60);

/// Wakes sync until the server has every operation this device made on `tenant` (true),
/// or [`PUSH_WAIT`] passed (false). The capture's lease is renewed meanwhile: it is still
/// one of the running captures.
async fn pushed(shared: &Shared, tenant: TenantId) -> bool {
    let deadline = tokio::time::Instant::now() + PUSH_WAIT;
    let key = tenant.to_string();
    loop {
        match shared.store.pending_operations_for(&key).await {
            Ok(0) => return true,
            Ok(_) => {}
            Err(error) => log(
                "pending_unknown",
                serde_json::json!({ "tenant": key, "error": error.to_string() }),
            ),
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        shared.wake.notify_one();
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Captures one tenant under its lease, reviews it, raises its alerts, has sync push the
/// results, and completes the lease resting until the tenant is due again.
async fn capture_one(shared: Arc<Shared>, tenant: TenantId, lease_id: String) {
    log(
        "capture_started",
        serde_json::json!({ "tenant": tenant.to_string() }),
    );
    let outcome = capture_from_graph(
        &shared.store,
        shared.keychain.as_ref(),
        &shared.graph,
        tenant,
    )
    .await;
    let (ok, detail) = match &outcome {
        Ok(run) => (
            run.error.is_none(),
            serde_json::json!({
                "status": serde_json::to_value(run.status).unwrap_or_default(),
                "requests": run.requests,
                "error": run.error,
            }),
        ),
        Err(error) => (false, serde_json::json!({ "error": error.to_string() })),
    };
    if ok {
        if let Err(error) = review_tenant(&shared.store, tenant, &ReviewOptions::default()).await {
            log(
                "review_failed",
                serde_json::json!({ "tenant": tenant.to_string(), "error": error.to_string() }),
            );
        }
        if let Err(error) = shared.store.raise_alerts().await {
            log(
                "alerts_failed",
                serde_json::json!({ "error": error.to_string() }),
            );
        }
    }
    {
        let mut health = shared.health();
        if ok {
            health.captured += 1;
        } else {
            health.capture_failures += 1;
        }
    }
    log(
        "captured",
        serde_json::json!({ "tenant": tenant.to_string(), "ok": ok, "run": detail }),
    );
    // The capture must reach the server before the lease says it is done: an agent
    // killed in between would otherwise leave the tenant resting with its capture (and
    // the alerts it raises on other devices) on this host only. Not pushed in time: the
    // lease is left to expire, and another agent captures the tenant again.
    if !pushed(&shared, tenant).await {
        log(
            "capture_not_pushed",
            serde_json::json!({ "tenant": tenant.to_string(), "waited_s": PUSH_WAIT.as_secs() }),
        );
        return;
    }
    // Rest until this tenant is due again by its schedule (after a failure: its backoff).
    let rest = plumbline_core::capture::rest_seconds(&shared.store, tenant, Utc::now()).await;
    match engine::session(&shared.store, shared.keychain.as_ref(), &shared.options).await {
        Ok(session) => {
            let done = session
                .client
                .complete_lease(
                    &session.token,
                    &session.workspace,
                    &CompleteRequest {
                        key: capture_key(&tenant.to_string()),
                        lease_id,
                        rest_seconds: rest,
                    },
                )
                .await;
            if let Err(error) = done {
                log(
                    "complete_failed",
                    serde_json::json!({ "tenant": tenant.to_string(), "error": error.to_string() }),
                );
            }
        }
        Err(error) => log(
            "complete_failed",
            serde_json::json!({ "error": error.to_string() }),
        ),
    }
}

//! The Tenants page's commands: tenant management over Microsoft Graph (the MSP's app,
//! adding a tenant by domain or tenant id, testing its connection, capturing now as a job,
//! cadence, resuming a parked tenant, run history), and the scheduler that captures due
//! tenants while the app runs.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use plumbline_core::capture::{capture_from_graph, test_graph_connection};
use plumbline_core::connectors::graph::diagnose::ConnectionTest;
use plumbline_core::connectors::graph::{Cloud, GraphClient, Limits, RetryPolicy};
use plumbline_core::model::{TenantId, TenantProfile};
use plumbline_core::settings::{
    save_graph_app as save_app, save_graph_app_certificate as save_app_certificate,
    save_tenant_connection,
};
use plumbline_core::store::{CaptureRun, GraphAppRecord, RunStatus, Store};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::error::{CommandError, ErrorCode};
use crate::jobs::{Done, Job, JobKind, JobResult};
use crate::state::AppState;

/// The MSP's Graph app on this device (its secret only in the keychain).
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct GraphAppView {
    pub client_id: String,
    /// `global`, `usgov-high`, `usgov-dod`, `china`, or a test Graph's URL.
    pub cloud: String,
    /// When the client secret (or the certificate's private key) was stored; `None`: not
    /// yet.
    pub secret_set_at: Option<String>,
    /// `secret`, or `certificate` (set up with `plumbline graph app --certificate`).
    pub credential: String,
    /// The certificate's `x5t#S256` thumbprint, when it signs in with one.
    pub certificate_thumbprint: Option<String>,
}

/// The app to save; `secret` empty keeps the stored one.
#[derive(Clone, Debug, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SaveGraphAppRequest {
    pub client_id: String,
    pub cloud: String,
    /// A new client secret (`None` or empty: keep what is stored).
    pub secret: Option<String>,
    /// Sign in with a certificate instead: the certificate (PEM) and its private key (PEM,
    /// kept in the keychain only). Both or neither.
    #[serde(default)]
    pub certificate_pem: Option<String>,
    #[serde(default)]
    pub private_key_pem: Option<String>,
}

/// One failed kind of a run.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FailedKindView {
    pub kind: String,
    pub label: String,
    pub error: String,
}

/// A capture run.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CaptureRunView {
    pub id: String,
    pub started_at: String,
    /// `ok`, `partial` or `failed`.
    pub status: String,
    pub duration_ms: f64,
    pub requests: u32,
    pub throttled: u32,
    pub items: u32,
    pub kinds_failed: Vec<FailedKindView>,
    pub warnings: Vec<String>,
    pub error: Option<String>,
}

/// A tenant as the Tenants page manages it.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ManagedTenant {
    pub id: String,
    pub name: String,
    pub primary_domain: Option<String>,
    pub entra_tenant_id: Option<String>,
    pub is_demo: bool,
    pub tags: Vec<String>,
    /// `None`: captured only when asked.
    pub cadence_minutes: Option<u32>,
    /// When the next scheduled capture is due; `None`: not on schedule.
    pub next_due_at: Option<String>,
    pub parked_at: Option<String>,
    /// Why the last run failed, while failures last.
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    /// The newest capture from any source.
    pub last_capture_at: Option<String>,
    pub last_run: Option<CaptureRunView>,
}

/// A tenant to add: its name, and its domain or Entra tenant id.
#[derive(Clone, Debug, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AddTenantRequest {
    pub name: String,
    /// `contoso.onmicrosoft.com`, a verified domain, or the tenant id.
    pub domain_or_tenant_id: String,
}

/// How one kind can be read.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KindAccessView {
    pub kind: String,
    pub label: String,
    pub readable: bool,
    pub problem: Option<String>,
}

/// The answer of "Test connection".
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionTestView {
    pub ok: bool,
    pub summary: String,
    pub signed_in: bool,
    pub permissions: Vec<String>,
    pub kinds: Vec<KindAccessView>,
    pub admin_consent_url: Option<String>,
}

fn app_view(record: GraphAppRecord) -> GraphAppView {
    GraphAppView {
        client_id: record.client_id,
        cloud: record.cloud,
        secret_set_at: record.secret_set_at,
        credential: record.credential,
        certificate_thumbprint: record.certificate_thumbprint,
    }
}

fn label(kind: &str) -> String {
    plumbline_core::kinds::by_key(kind).map_or_else(|| kind.to_owned(), |k| k.label.to_owned())
}

fn clamp(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

pub(crate) fn run_view(run: CaptureRun) -> CaptureRunView {
    CaptureRunView {
        id: run.id,
        started_at: plumbline_core::store::timestamp(run.started_at),
        status: run.status.as_str().to_owned(),
        duration_ms: run.duration_ms as f64,
        requests: clamp(run.requests),
        throttled: clamp(run.throttled),
        items: clamp(run.items),
        kinds_failed: run
            .kinds_failed
            .into_iter()
            .map(|k| FailedKindView {
                label: label(&k.kind),
                kind: k.kind,
                error: k.error,
            })
            .collect(),
        warnings: run.warnings,
        error: run.error,
    }
}

fn test_view(test: ConnectionTest) -> ConnectionTestView {
    ConnectionTestView {
        ok: test.ok,
        summary: test.summary,
        signed_in: test.signed_in,
        permissions: test.permissions,
        kinds: test
            .kinds
            .into_iter()
            .map(|k| KindAccessView {
                kind: k.kind,
                label: k.label,
                readable: k.readable,
                problem: k.problem,
            })
            .collect(),
        admin_consent_url: test.admin_consent_url,
    }
}

fn parse_tenant(id: &str) -> Result<TenantId, CommandError> {
    id.parse().map_err(|_| {
        CommandError::new(
            ErrorCode::InvalidInput,
            format!("{id:?} is not a tenant id"),
        )
    })
}

fn client() -> Result<GraphClient, CommandError> {
    GraphClient::new(Limits::default(), RetryPolicy::default())
        .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))
}

/// Every tenant with its connection, schedule and last run.
pub(crate) async fn managed(store: &Store) -> Result<Vec<ManagedTenant>, CommandError> {
    let now = Utc::now();
    let tenants = store.list_tenants().await?;
    let schedules = store.capture_schedules(now).await?;
    let runs = store.latest_capture_runs().await?;
    Ok(tenants
        .into_iter()
        .map(|t| {
            let schedule = schedules.iter().find(|s| s.tenant_id == t.id);
            let run = runs.iter().find(|r| r.tenant_id == t.id).cloned();
            ManagedTenant {
                id: t.id.to_string(),
                name: t.name,
                primary_domain: t.primary_domain,
                entra_tenant_id: t.entra_tenant_id,
                is_demo: t.is_demo,
                tags: t.tags,
                cadence_minutes: schedule.and_then(|s| s.state.cadence_minutes).map(clamp),
                next_due_at: schedule
                    .and_then(|s| s.next_due_at)
                    .map(plumbline_core::store::timestamp),
                parked_at: schedule
                    .and_then(|s| s.parked_at)
                    .map(plumbline_core::store::timestamp),
                last_error: schedule.and_then(|s| s.last_error.clone()),
                consecutive_failures: schedule.map_or(0, |s| s.state.consecutive_failures),
                last_capture_at: t.last_capture_at.map(plumbline_core::store::timestamp),
                last_run: run.map(run_view),
            }
        })
        .collect())
}

async fn one(store: &Store, id: TenantId) -> Result<ManagedTenant, CommandError> {
    managed(store)
        .await?
        .into_iter()
        .find(|t| t.id == id.to_string())
        .ok_or_else(|| CommandError::new(ErrorCode::NotFound, "That tenant no longer exists."))
}

/// The Graph app of this device, when one was saved.
#[tauri::command]
#[specta::specta]
pub async fn graph_app(state: State<'_, AppState>) -> Result<Option<GraphAppView>, CommandError> {
    Ok(state.store()?.graph_app().await?.map(app_view))
}

/// Saves the Graph app (a new secret to the keychain only).
#[tauri::command]
#[specta::specta]
pub async fn save_graph_app(
    state: State<'_, AppState>,
    request: SaveGraphAppRequest,
) -> Result<GraphAppView, CommandError> {
    let given = |text: &Option<String>| text.clone().filter(|s| !s.trim().is_empty());
    let record = match (
        given(&request.certificate_pem),
        given(&request.private_key_pem),
    ) {
        (Some(certificate), Some(key)) => {
            save_app_certificate(
                state.store()?,
                state.keychain().as_ref(),
                &request.client_id,
                &request.cloud,
                &certificate,
                &key,
            )
            .await?
        }
        (None, None) => {
            let secret = request.secret.as_deref().filter(|s| !s.trim().is_empty());
            save_app(
                state.store()?,
                state.keychain().as_ref(),
                &request.client_id,
                &request.cloud,
                secret,
            )
            .await?
        }
        _ => {
            return Err(CommandError::new(
                ErrorCode::InvalidInput,
                "A certificate sign-in needs both the certificate and its private key (PEM): add the one that is missing.",
            ))
        }
    };
    Ok(app_view(record))
}

/// Every tenant with its connection, schedule and last capture run.
#[tauri::command]
#[specta::specta]
pub async fn managed_tenants(
    state: State<'_, AppState>,
) -> Result<Vec<ManagedTenant>, CommandError> {
    managed(state.store()?).await
}

/// Adds a tenant by domain (its tenant id looked up in the app's cloud) or tenant id.
#[tauri::command]
#[specta::specta]
pub async fn add_tenant(
    state: State<'_, AppState>,
    request: AddTenantRequest,
) -> Result<ManagedTenant, CommandError> {
    let store = state.store()?;
    let name = request.name.trim();
    if name.is_empty() {
        return Err(CommandError::new(
            ErrorCode::InvalidInput,
            "Name the tenant as your team calls the customer.",
        ));
    }
    if store.find_tenant(name).await?.is_some() {
        return Err(CommandError::new(
            ErrorCode::Conflict,
            format!(
                "A tenant named {name} exists already: choose another name, or connect that one."
            ),
        ));
    }
    let cloud = match store.graph_app().await? {
        Some(app) => {
            Cloud::parse(&app.cloud).map_err(|e| CommandError::new(ErrorCode::InvalidInput, e))?
        }
        None => Cloud::Global,
    };
    let given = request.domain_or_tenant_id.trim();
    let entra = client()?
        .resolve_tenant(&cloud, given)
        .await
        .map_err(|e| CommandError::new(ErrorCode::InvalidInput, e.to_string()))?;
    let domain = (!given.eq_ignore_ascii_case(&entra)).then(|| given.to_ascii_lowercase());
    let (id, _) = store
        .ensure_tenant(&TenantProfile {
            display_name: name.to_owned(),
            primary_domain: domain,
            ..TenantProfile::default()
        })
        .await?;
    save_tenant_connection(store, state.keychain().as_ref(), id, Some(&entra), None).await?;
    one(store, id).await
}

/// Tests a tenant's connection: sign-in, permissions, which kinds can be read.
#[tauri::command]
#[specta::specta]
pub async fn test_tenant_connection(
    state: State<'_, AppState>,
    tenant_id: String,
) -> Result<ConnectionTestView, CommandError> {
    let id = parse_tenant(&tenant_id)?;
    let test =
        test_graph_connection(state.store()?, state.keychain().as_ref(), &client()?, id).await?;
    Ok(test_view(test))
}

/// Captures tenants from Graph now, one job for all of them (cancel keeps the tenants
/// already captured: each capture is its own transaction).
#[tauri::command]
#[specta::specta]
pub async fn capture_tenants(
    state: State<'_, AppState>,
    tenant_ids: Vec<String>,
) -> Result<Job, CommandError> {
    let store = state.store()?.clone();
    let ids = tenant_ids
        .iter()
        .map(|id| parse_tenant(id))
        .collect::<Result<Vec<_>, _>>()?;
    if ids.is_empty() {
        return Err(CommandError::new(
            ErrorCode::InvalidInput,
            "Choose the tenants to capture.",
        ));
    }
    let managed = managed(&store).await?;
    let names: Vec<String> = ids
        .iter()
        .map(|id| {
            managed
                .iter()
                .find(|t| t.id == id.to_string())
                .map_or_else(|| id.to_string(), |t| t.name.clone())
        })
        .collect();
    let title = match names.as_slice() {
        [one] => format!("Capture of {one} from Microsoft Graph"),
        many => format!("Capture of {} tenants from Microsoft Graph", many.len()),
    };
    let keychain = state.keychain();
    let single = (ids.len() == 1).then(|| ids[0].to_string());
    state.jobs().start(
        JobKind::Capture,
        title,
        single,
        "capture".to_owned(),
        "A capture is already running: wait for it to finish or cancel it.",
        move |progress| async move {
            let client = client()?;
            let total = ids.len();
            let (mut ok, mut partial, mut failed) = (0u32, 0u32, Vec::new());
            let mut items = 0u32;
            for (n, (id, name)) in ids.into_iter().zip(names).enumerate() {
                progress.set(
                    &format!("Reading {name} ({} of {total})", n + 1),
                    Some(n as f64 / total as f64),
                );
                match capture_from_graph(&store, keychain.as_ref(), &client, id).await {
                    Ok(run) => {
                        items = items.saturating_add(clamp(run.items));
                        match run.status {
                            RunStatus::Ok => ok += 1,
                            RunStatus::Partial => partial += 1,
                            RunStatus::Failed => {
                                failed.push(format!("{name}: {}", run.error.unwrap_or_default()))
                            }
                        }
                    }
                    Err(error) => failed.push(format!("{name}: {error}")),
                }
            }
            let summary = format!(
                "{ok} of {total} tenants captured whole{}{}; {items} items.",
                if partial > 0 {
                    format!(", {partial} with some kinds not read")
                } else {
                    String::new()
                },
                if failed.is_empty() {
                    String::new()
                } else {
                    format!(", {} failed", failed.len())
                }
            );
            Ok(Done {
                result: JobResult::Capture {
                    tenants: u32::try_from(total).unwrap_or(u32::MAX),
                    captured: ok,
                    partial,
                    items,
                    failures: failed,
                },
                summary,
            })
        },
    )
}

/// Sets a tenant's cadence (`None`: captured only when asked).
#[tauri::command]
#[specta::specta]
pub async fn set_capture_cadence(
    state: State<'_, AppState>,
    tenant_id: String,
    cadence_minutes: Option<u32>,
) -> Result<ManagedTenant, CommandError> {
    let id = parse_tenant(&tenant_id)?;
    if let Some(minutes) = cadence_minutes {
        if !(15..=7 * 24 * 60).contains(&minutes) {
            return Err(CommandError::new(
                ErrorCode::InvalidInput,
                "A cadence is between 15 minutes and 7 days.",
            ));
        }
    }
    let store = state.store()?;
    store
        .set_capture_cadence(id, cadence_minutes.map(i64::from))
        .await?;
    one(store, id).await
}

/// Replaces a tenant's tags (they sync to the team).
#[tauri::command]
#[specta::specta]
pub async fn set_tenant_tags(
    state: State<'_, AppState>,
    tenant_id: String,
    tags: Vec<String>,
) -> Result<ManagedTenant, CommandError> {
    let id = parse_tenant(&tenant_id)?;
    let store = state.store()?;
    store.set_tenant_tags(id, &tags).await?;
    one(store, id).await
}

/// Puts a parked tenant back on its schedule.
#[tauri::command]
#[specta::specta]
pub async fn resume_capture(
    state: State<'_, AppState>,
    tenant_id: String,
) -> Result<ManagedTenant, CommandError> {
    let id = parse_tenant(&tenant_id)?;
    let store = state.store()?;
    store.resume_capture_schedule(id).await?;
    one(store, id).await
}

/// A tenant's capture runs, newest first.
#[tauri::command]
#[specta::specta]
pub async fn capture_runs(
    state: State<'_, AppState>,
    tenant_id: String,
) -> Result<Vec<CaptureRunView>, CommandError> {
    let id = parse_tenant(&tenant_id)?;
    Ok(state
        .store()?
        .capture_runs(Some(id), 50)
        .await?
        .into_iter()
        .map(run_view)
        .collect())
}

/// How often the scheduler looks for due tenants.
const SCHEDULER_TICK: Duration = Duration::from_secs(60);

/// One look at the schedules: captures every tenant due now (nothing until a Graph app is
/// set up); the tenants it captured (their runs are in their history, failed or not).
pub async fn capture_due(
    store: &Store,
    keychain: &dyn plumbline_core::keychain::Keychain,
    client: &GraphClient,
) -> Vec<TenantId> {
    if !matches!(store.graph_app().await, Ok(Some(_))) {
        return Vec::new();
    }
    // Under the server's leases when signed in: the workspace's agents and this desktop
    // never capture a tenant twice in one cadence.
    match plumbline_core::capture::capture_due_shared(store, keychain, client).await {
        Ok(captured) => captured,
        Err(error) => {
            tracing::warn!(%error, "cannot read the capture schedules");
            Vec::new()
        }
    }
}

/// Captures due tenants while the app runs, quietly: a run's outcome is in the tenant's
/// history, and a tenant that keeps failing is parked with an alert.
pub fn start_scheduler(store: Store, keychain: Arc<dyn plumbline_core::keychain::Keychain>) {
    tauri::async_runtime::spawn(async move {
        let Ok(client) = client() else { return };
        // Let the window come up first.
        tokio::time::sleep(Duration::from_secs(20)).await;
        loop {
            capture_due(&store, keychain.as_ref(), &client).await;
            tokio::time::sleep(SCHEDULER_TICK).await;
        }
    });
}

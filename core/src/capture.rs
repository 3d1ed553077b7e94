//! Taking a capture in: read a folder with the import connector, or a tenant from
//! Microsoft Graph, and record it as a new capture of a tenant in one transaction. Shared
//! by the CLI (`plumbline import`, `plumbline capture`) and the desktop.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::connectors::graph::diagnose::ConnectionTest;
use crate::connectors::graph::{self, AppCredentials, Cloud, Credential, GraphClient, Target};
use crate::connectors::import::{import_dir, ImportError, ImportOptions, ImportReport};
use crate::model::{CaptureId, CaptureSource, TenantId, TenantProfile};
use crate::store::{CaptureRun, CaptureRunWrite, CaptureWrite, FailedKind, Store, StoreError};

/// What to import where.
#[derive(Clone, Debug)]
pub struct FolderImport {
    /// The tenant's display name (created when it does not exist).
    pub tenant: String,
    /// Recorded when the tenant is created.
    pub primary_domain: Option<String>,
    pub dir: PathBuf,
    pub options: ImportOptions,
    /// When the configuration was exported; default now.
    pub taken_at: Option<DateTime<Utc>>,
}

/// A recorded capture.
#[derive(Clone, Debug)]
pub struct ImportedCapture {
    pub tenant_id: TenantId,
    pub capture_id: CaptureId,
    pub tenant_created: bool,
    pub report: ImportReport,
}

/// Why a folder could not be taken in.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The folder could not be read as a capture (the message names the file).
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The capture could not be recorded.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The reading thread failed.
    #[error("the import stopped unexpectedly: {0}")]
    Worker(String),
    /// The tenant cannot be read from Graph yet: what is missing and how to add it.
    #[error("{0}")]
    NotConnected(String),
    /// The OS keychain failed.
    #[error("OS keychain: {0}")]
    Keychain(#[from] crate::keychain::KeychainError),
}

/// Reads a folder as [`import_folder`] would, without writing anything: what each file
/// is and how it was recognised, for a preview. `tenant` (name or id), when it names an
/// existing tenant, lends its Entra tenant id as the import would.
pub async fn preview_folder(
    store: &Store,
    tenant: Option<&str>,
    dir: &Path,
    options: &ImportOptions,
) -> Result<ImportReport, CaptureError> {
    let options = with_organization(store, tenant, options).await?;
    let dir = dir.to_path_buf();
    Ok(
        tokio::task::spawn_blocking(move || import_dir(&dir, &options))
            .await
            .map_err(|e| CaptureError::Worker(e.to_string()))??,
    )
}

/// The options with the tenant's Entra tenant id, when the tenant exists and has one and
/// the caller gave none.
async fn with_organization(
    store: &Store,
    tenant: Option<&str>,
    options: &ImportOptions,
) -> Result<ImportOptions, CaptureError> {
    let mut options = options.clone();
    if options.organization_id.is_none() {
        if let Some(name) = tenant.map(str::trim).filter(|t| !t.is_empty()) {
            options.organization_id = store
                .find_tenant(name)
                .await?
                .and_then(|t| t.entra_tenant_id);
        }
    }
    Ok(options)
}

/// Reads `request.dir` (off the async threads) and records it as a new capture.
pub async fn import_folder(
    store: &Store,
    request: &FolderImport,
) -> Result<ImportedCapture, CaptureError> {
    let options = with_organization(store, Some(&request.tenant), &request.options).await?;
    let dir = request.dir.clone();
    let report = tokio::task::spawn_blocking(move || import_dir(&dir, &options))
        .await
        .map_err(|e| CaptureError::Worker(e.to_string()))??;
    let profile = TenantProfile {
        display_name: request.tenant.trim().to_owned(),
        primary_domain: request.primary_domain.clone(),
        ..TenantProfile::default()
    };
    let origin = std::fs::canonicalize(&request.dir)
        .unwrap_or_else(|_| request.dir.clone())
        .display()
        .to_string();
    let (tenant_id, capture_id, tenant_created) = store
        .record_capture(
            &profile,
            &CaptureWrite {
                source: CaptureSource::Import,
                taken_at: request.taken_at.unwrap_or_else(Utc::now),
                origin: Some(origin),
                content: &report.content,
            },
        )
        .await?;
    Ok(ImportedCapture {
        tenant_id,
        capture_id,
        tenant_created,
        report,
    })
}

/// Where a headless process (the agent, a systemd timer) finds the Graph app's client
/// secret instead of the keychain: a file (`…_FILE`, as container platforms provide), or
/// systemd's credential `graph-client-secret` under `$CREDENTIALS_DIRECTORY`.
pub const GRAPH_SECRET_FILE_ENV: &str = "PLUMBLINE_GRAPH_CLIENT_SECRET_FILE";

/// Where a headless process finds the private key of the Graph app's certificate instead
/// of the keychain (PKCS#8 PEM).
pub const GRAPH_KEY_FILE_ENV: &str = "PLUMBLINE_GRAPH_PRIVATE_KEY_FILE";

fn key_from_file() -> Result<Option<String>, CaptureError> {
    let Some(path) = std::env::var_os(GRAPH_KEY_FILE_ENV).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let path = PathBuf::from(path);
    std::fs::read_to_string(&path).map(Some).map_err(|e| {
        CaptureError::NotConnected(format!(
            "cannot read the Graph app's private key from {}: {e}",
            path.display()
        ))
    })
}

fn secret_from_file() -> Result<Option<String>, CaptureError> {
    let path = match std::env::var_os(GRAPH_SECRET_FILE_ENV).filter(|p| !p.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => match std::env::var_os("CREDENTIALS_DIRECTORY").filter(|p| !p.is_empty()) {
            Some(dir) => {
                let path = PathBuf::from(dir).join("graph-client-secret");
                if !path.exists() {
                    return Ok(None);
                }
                path
            }
            None => return Ok(None),
        },
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        CaptureError::NotConnected(format!(
            "cannot read the Graph client secret from {}: {e}",
            path.display()
        ))
    })?;
    let secret = text.trim().to_owned();
    if secret.is_empty() {
        return Err(CaptureError::NotConnected(format!(
            "{} is empty: it must hold the Graph app's client secret",
            path.display()
        )));
    }
    Ok(Some(secret))
}

/// How to read `tenant` from Graph: its Entra tenant id, and its own app when it has one
/// with a secret, else the workspace's app (secret from the keychain, or from a file for
/// headless runs).
pub async fn graph_target(
    store: &Store,
    keychain: &dyn crate::keychain::Keychain,
    tenant: TenantId,
) -> Result<Target, CaptureError> {
    let connection = store.tenant_connection(tenant).await?;
    let Some(entra) = connection.entra_tenant_id.clone() else {
        return Err(CaptureError::NotConnected(format!(
            "{} has no Entra tenant id: add it (Tenants → Connect, or `plumbline graph connect`)",
            connection.tenant_name
        )));
    };
    let app = store.graph_app().await?;
    let cloud = match &app {
        Some(app) => Cloud::parse(&app.cloud).map_err(CaptureError::NotConnected)?,
        None => Cloud::Global,
    };
    if let (Some(client_id), Some(account)) = (
        connection.graph_app_id.clone(),
        connection.keychain_account.clone(),
    ) {
        let secret = keychain.get(&account)?.ok_or_else(|| {
            CaptureError::NotConnected(format!(
                "the client secret of {}'s own app is not in this device's keychain: save it again",
                connection.tenant_name
            ))
        })?;
        return Ok(Target {
            tenant: entra,
            app: AppCredentials {
                client_id,
                credential: Credential::Secret(secret),
            },
            cloud,
        });
    }
    let Some(app) = app else {
        return Err(CaptureError::NotConnected(
            "no Graph app is set up on this device: save the MSP's app registration (Settings → \
             Microsoft Graph, or `plumbline graph app --client-id ID --secret-stdin`)"
                .to_owned(),
        ));
    };
    let account = app
        .keychain_account
        .clone()
        .unwrap_or_else(|| crate::settings::graph_app_secret_account(store.workspace()));
    if let Some(certificate_pem) = app.certificate_pem.clone() {
        let private_key_pem = match key_from_file()? {
            Some(key) => key,
            None => keychain.get(&account)?.ok_or_else(|| {
                CaptureError::NotConnected(format!(
                    "the private key of the Graph app's certificate is not in this device's keychain: save it (`plumbline graph app --client-id {} --certificate CERT.pem --private-key KEY.pem`) or give a file in {GRAPH_KEY_FILE_ENV}",
                    app.client_id
                ))
            })?,
        };
        return Ok(Target {
            tenant: entra,
            app: AppCredentials {
                client_id: app.client_id,
                credential: Credential::Certificate(
                    crate::connectors::graph::assertion::CertificateCredential {
                        certificate_pem,
                        private_key_pem,
                    },
                ),
            },
            cloud,
        });
    }
    let secret = match secret_from_file()? {
        Some(secret) => secret,
        None => keychain.get(&account)?.ok_or_else(|| {
            CaptureError::NotConnected(format!(
                "the Graph app's client secret is not in this device's keychain: save it \
                 (`plumbline graph app --client-id {} --secret-stdin`) or give a file in {GRAPH_SECRET_FILE_ENV}",
                app.client_id
            ))
        })?,
    };
    Ok(Target {
        tenant: entra,
        app: AppCredentials {
            client_id: app.client_id,
            credential: Credential::Secret(secret),
        },
        cloud,
    })
}

/// Captures `tenant` from Graph and records the run (and the capture, when anything was
/// read) in one transaction. A run that read nothing is recorded as failed with its
/// reason, and returned (not an error): the history shows it.
pub async fn capture_from_graph(
    store: &Store,
    keychain: &dyn crate::keychain::Keychain,
    client: &GraphClient,
    tenant: TenantId,
) -> Result<CaptureRun, CaptureError> {
    let target = graph_target(store, keychain, tenant).await?;
    let origin = format!("{} tenant {}", target.cloud.graph_base(), target.tenant);
    let session = client.session(target);
    let started_at = Utc::now();
    let outcome = graph::capture::capture_tenant(&session).await;
    let finished_at = Utc::now();
    let mut run = CaptureRunWrite {
        tenant,
        started_at,
        finished_at,
        requests: session.requests(),
        throttled: session.throttled(),
        kinds_failed: Vec::new(),
        warnings: Vec::new(),
        error: None,
    };
    match outcome {
        Ok(capture) => {
            run.kinds_failed = capture
                .failed_kinds()
                .into_iter()
                .map(|(kind, error)| FailedKind { kind, error })
                .collect();
            run.warnings = capture.warnings.clone();
            let write = CaptureWrite {
                source: CaptureSource::Graph,
                taken_at: finished_at,
                origin: Some(origin),
                content: &capture.content,
            };
            Ok(store.record_capture_run(&run, Some(&write)).await?)
        }
        Err(error) => {
            run.error = Some(error.to_string());
            Ok(store.record_capture_run(&run, None).await?)
        }
    }
}

/// "Test connection" for `tenant`.
pub async fn test_graph_connection(
    store: &Store,
    keychain: &dyn crate::keychain::Keychain,
    client: &GraphClient,
    tenant: TenantId,
) -> Result<ConnectionTest, CaptureError> {
    let target = graph_target(store, keychain, tenant).await?;
    Ok(graph::diagnose::test_connection(&client.session(target)).await)
}

/// The tenants due for a scheduled capture now, most overdue first. Demo tenants (their
/// Entra ids are made up) are scheduled only while the Graph app points at a test Graph.
pub async fn due_tenants(store: &Store, now: DateTime<Utc>) -> Result<Vec<TenantId>, StoreError> {
    let test_graph = store
        .graph_app()
        .await?
        .and_then(|app| Cloud::parse(&app.cloud).ok())
        .is_some_and(|cloud| matches!(cloud, Cloud::Custom { .. }));
    let mut due: Vec<(DateTime<Utc>, TenantId)> = store
        .capture_schedules(now)
        .await?
        .into_iter()
        .filter(|row| test_graph || !row.is_demo)
        .filter_map(|row| {
            row.next_due_at
                .filter(|at| *at <= now)
                .map(|at| (at, row.tenant_id))
        })
        .collect();
    due.sort();
    Ok(due.into_iter().map(|(_, id)| id).collect())
}

/// Seconds until `tenant` is next due by its schedule, as of `now` (0 when unknown): how
/// long a completed capture's lease rests, so that no device captures it again sooner.
pub async fn rest_seconds(store: &Store, tenant: TenantId, now: DateTime<Utc>) -> u64 {
    let Ok(schedules) = store.capture_schedules(now).await else {
        return 0;
    };
    schedules
        .into_iter()
        .find(|s| s.tenant_id == tenant)
        .and_then(|s| s.next_due_at)
        .map(|due| u64::try_from((due - now).num_seconds()).unwrap_or(0))
        .unwrap_or(0)
}

/// How long a device capturing on its own schedule (the desktop) holds a tenant: longer
/// than any capture takes (it does not renew).
const SHARED_CAPTURE_LEASE_SECONDS: u32 = 1_800;

/// Captures the tenants due now, one at a time. When the workspace is signed in to a
/// server, each only under a lease the server grants (completed resting until the tenant
/// is due again), so a desktop and the workspace's agents never capture a tenant twice in
/// one cadence; without a server, all of them. The tenants captured.
pub async fn capture_due_shared(
    store: &Store,
    keychain: &dyn crate::keychain::Keychain,
    client: &GraphClient,
) -> Result<Vec<TenantId>, StoreError> {
    use crate::sync::api::{capture_key, ClaimRequest, CompleteRequest, LeaseItem};
    use crate::sync::engine::{self, SyncOptions};
    let due = due_tenants(store, Utc::now()).await?;
    let session = match store.server_connection().await? {
        Some(_) => match engine::session(store, keychain, &SyncOptions::default()).await {
            Ok(session) => Some(session),
            // Signed in, but the server cannot be asked: an agent may be capturing.
            Err(error) => {
                tracing::debug!(%error, "scheduled captures wait for the server");
                return Ok(Vec::new());
            }
        },
        None => None,
    };
    let mut captured = Vec::new();
    for tenant in due {
        let key = capture_key(&tenant.to_string());
        let lease = match &session {
            None => None,
            Some(session) => {
                let request = ClaimRequest {
                    items: vec![LeaseItem {
                        key: key.clone(),
                        tenant_id: Some(tenant.to_string()),
                    }],
                    ttl_seconds: SHARED_CAPTURE_LEASE_SECONDS,
                };
                match session
                    .client
                    .claim_leases(&session.token, &session.workspace, &request)
                    .await
                {
                    Ok(answer) => match answer.granted.into_iter().next() {
                        Some(lease) => Some(lease.lease_id),
                        None => continue, // another device has it, or just did it
                    },
                    Err(error) => {
                        tracing::debug!(%error, "cannot claim a scheduled capture");
                        return Ok(captured);
                    }
                }
            }
        };
        match capture_from_graph(store, keychain, client, tenant).await {
            Ok(_) => captured.push(tenant),
            Err(error) => tracing::debug!(%error, %tenant, "scheduled capture not started"),
        }
        if let (Some(session), Some(lease_id)) = (&session, lease) {
            let rest = rest_seconds(store, tenant, Utc::now()).await;
            let completed = session
                .client
                .complete_lease(
                    &session.token,
                    &session.workspace,
                    &CompleteRequest {
                        key,
                        lease_id,
                        rest_seconds: rest,
                    },
                )
                .await;
            if let Err(error) = completed {
                tracing::warn!(%error, %tenant, "cannot complete a capture's lease");
            }
        }
    }
    Ok(captured)
}

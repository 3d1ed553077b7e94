//! `plumbline graph …` (the Graph app, tenants' connections, connection tests, run
//! history) and `plumbline capture` (read tenants from Graph, for cron and systemd timers).

use std::io::{IsTerminal as _, Read as _};
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args as ClapArgs, Subcommand};
use plumbline_core::capture::{capture_from_graph, test_graph_connection, CaptureError};
use plumbline_core::connectors::graph::{GraphClient, Limits, RetryPolicy};
use plumbline_core::keychain::OsKeychain;
use plumbline_core::model::{TenantId, TenantProfile};
use plumbline_core::settings::{save_graph_app, save_tenant_connection, SettingsError};
use plumbline_core::store::{timestamp, CaptureRun, RunStatus, Store};
use serde::Serialize;

use crate::output::print_json;
use crate::{Failure, Outcome};

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Show or set the MSP's multi-tenant app registration on this device (client id,
    /// cloud, client secret to the OS keychain).
    App(AppArgs),
    /// Give a tenant its Entra tenant id (with --create, add the tenant first).
    Connect(ConnectArgs),
    /// Test a tenant's connection: sign-in, permissions, and which kinds can be read.
    Test {
        /// Tenant name or id.
        tenant: String,
    },
    /// Capture schedules: list them, or set a tenant's cadence (`--every 6h`, `--every
    /// manual`) or resume a parked tenant (`--resume`).
    Schedule {
        /// Tenant name or id (none: list every schedule).
        tenant: Option<String>,
        /// 30m, 6h, 1d (15 minutes to 7 days), or manual.
        #[arg(long)]
        every: Option<String>,
        /// Put a parked tenant back on its schedule.
        #[arg(long)]
        resume: bool,
    },
    /// The capture runs of a tenant (or all), newest first.
    Runs {
        #[arg(long)]
        tenant: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

#[derive(ClapArgs, Debug)]
pub struct AppArgs {
    /// The app registration's application (client) id.
    #[arg(long)]
    client_id: Option<String>,
    /// global (also GCC), usgov-high, usgov-dod, china, or the base URL of a test Graph
    /// (`plumbline-fake-graph`).
    #[arg(long, default_value = "global")]
    cloud: String,
    /// Read the client secret from standard input (one line) into the OS keychain.
    #[arg(long, conflicts_with = "secret_file")]
    secret_stdin: bool,
    /// Read the client secret from this file into the OS keychain.
    #[arg(long)]
    secret_file: Option<PathBuf>,
    /// Sign in with this certificate (PEM, as uploaded to the app registration) instead
    /// of a secret; its private key is --private-key.
    #[arg(long, requires = "private_key", conflicts_with_all = ["secret_stdin", "secret_file"])]
    certificate: Option<PathBuf>,
    /// The certificate's private key (unencrypted PKCS#8 PEM), read into the OS keychain.
    #[arg(long, requires = "certificate")]
    private_key: Option<PathBuf>,
}

#[derive(ClapArgs, Debug)]
pub struct ConnectArgs {
    /// Tenant name or id.
    tenant: String,
    /// The customer's Entra tenant id (Overview page of the Entra admin centre).
    #[arg(long, required_unless_present = "domain")]
    entra_tenant_id: Option<String>,
    /// Add the tenant when no tenant has this name.
    #[arg(long)]
    create: bool,
    /// The tenant's domain (contoso.onmicrosoft.com or a verified one): recorded when the
    /// tenant is created, and without --entra-tenant-id its tenant id is looked up in the
    /// Graph app's cloud.
    #[arg(long)]
    domain: Option<String>,
}

#[derive(ClapArgs, Debug)]
pub struct CaptureArgs {
    /// Tenant name or id (repeatable).
    #[arg(long = "tenant", required_unless_present_any = ["all", "due"])]
    tenants: Vec<String>,
    /// Every tenant with an Entra tenant id.
    #[arg(long, conflicts_with_all = ["tenants", "due"])]
    all: bool,
    /// The tenants whose cadence says they are due (for cron and systemd timers);
    /// parked tenants are left out.
    #[arg(long, conflicts_with = "tenants")]
    due: bool,
    /// Tenants captured side by side.
    #[arg(long, default_value_t = 8)]
    parallel: usize,
    /// Requests in flight per tenant, and over all tenants.
    #[arg(long, default_value_t = 4)]
    per_tenant_requests: usize,
    #[arg(long, default_value_t = 32)]
    global_requests: usize,
}

fn read_secret(args: &AppArgs) -> Result<Option<String>, Failure> {
    if let Some(path) = &args.secret_file {
        return std::fs::read_to_string(path)
            .map(Some)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())));
    }
    if !args.secret_stdin {
        return Ok(None);
    }
    if std::io::stdin().is_terminal() {
        eprint!("Client secret (the Value under Certificates & secrets): ");
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Failure::usage(format!("cannot read the secret from stdin: {e}")))?;
    Ok(Some(text.lines().next().unwrap_or("").to_owned()))
}

fn settings_failure(error: SettingsError) -> Failure {
    match error {
        SettingsError::Invalid(message) => Failure::usage(message),
        other => Failure::from(other),
    }
}

fn capture_failure(error: CaptureError) -> Failure {
    match error {
        CaptureError::NotConnected(message) => Failure::usage(message),
        other => Failure::from(other),
    }
}

async fn tenant_id(store: &Store, name: &str) -> Result<TenantId, Failure> {
    store
        .find_tenant(name)
        .await?
        .map(|t| t.id)
        .ok_or_else(|| Failure {
            code: 3,
            error: anyhow::anyhow!(
                "no tenant named {name:?}: list them with `plumbline tenants`, or add it with `plumbline graph connect NAME --entra-tenant-id ID --create`"
            ),
        })
}

pub(crate) fn client(per_tenant: usize, global: usize) -> Result<GraphClient, Failure> {
    GraphClient::new(
        Limits {
            per_tenant,
            global,
            ..Limits::default()
        },
        RetryPolicy::default(),
    )
    .map_err(|e| Failure::from(anyhow::anyhow!(e)))
}

pub async fn run(store: &Store, command: &Command, json: bool) -> Outcome {
    let keychain = OsKeychain::detect();
    match command {
        Command::App(args) => {
            let record = match &args.client_id {
                Some(client_id) if args.certificate.is_some() => {
                    let read = |path: &Option<PathBuf>| -> Result<String, Failure> {
                        let path = path.as_ref().ok_or_else(|| {
                            Failure::usage("pass --certificate and --private-key together")
                        })?;
                        std::fs::read_to_string(path).map_err(|e| {
                            Failure::usage(format!("cannot read {}: {e}", path.display()))
                        })
                    };
                    plumbline_core::settings::save_graph_app_certificate(
                        store,
                        &keychain,
                        client_id,
                        &args.cloud,
                        &read(&args.certificate)?,
                        &read(&args.private_key)?,
                    )
                    .await
                    .map_err(settings_failure)?
                }
                Some(client_id) => {
                    let secret = read_secret(args)?;
                    save_graph_app(store, &keychain, client_id, &args.cloud, secret.as_deref())
                        .await
                        .map_err(settings_failure)?
                }
                None => match store.graph_app().await? {
                    Some(record) => record,
                    None => {
                        return Err(Failure::usage(
                            "no Graph app is set up on this device: pass --client-id (and \
                             --secret-stdin) to save the MSP's app registration",
                        ))
                    }
                },
            };
            if json {
                print_json(&record)?;
            } else {
                println!("Client id  {}", record.client_id);
                println!("Cloud      {}", record.cloud);
                if let Some(thumbprint) = &record.certificate_thumbprint {
                    println!("Signs in   with a certificate (x5t#S256 {thumbprint})");
                    match &record.secret_set_at {
                        Some(at) => {
                            println!("Key        in the {} (set {at})", keychain_name())
                        }
                        None => println!("Key        not set: pass --private-key"),
                    }
                } else {
                    match &record.secret_set_at {
                        Some(at) => println!("Secret     in the {} (set {at})", keychain_name()),
                        None => println!("Secret     not set: pass --secret-stdin"),
                    }
                }
            }
            Ok(())
        }
        Command::Connect(args) => {
            // The tenant id first: a domain nobody uses adds no tenant.
            let entra = match (&args.entra_tenant_id, &args.domain) {
                (Some(entra), _) => entra.clone(),
                (None, Some(domain)) => {
                    let cloud = store
                        .graph_app()
                        .await?
                        .map(|app| app.cloud)
                        .unwrap_or_else(|| "global".to_owned());
                    let cloud = plumbline_core::connectors::graph::Cloud::parse(&cloud)
                        .map_err(Failure::usage)?;
                    client(1, 1)?
                        .resolve_tenant(&cloud, domain)
                        .await
                        .map_err(|e| Failure::usage(e.to_string()))?
                }
                (None, None) => return Err(Failure::usage("pass --entra-tenant-id or --domain")),
            };
            let id = match store.find_tenant(&args.tenant).await? {
                Some(tenant) => tenant.id,
                None if args.create => {
                    store
                        .ensure_tenant(&TenantProfile {
                            display_name: args.tenant.trim().to_owned(),
                            primary_domain: args.domain.clone(),
                            ..TenantProfile::default()
                        })
                        .await?
                        .0
                }
                None => tenant_id(store, &args.tenant).await?,
            };
            let current = store.tenant_connection(id).await?;
            let connection = save_tenant_connection(
                store,
                &keychain,
                id,
                Some(&entra),
                current.graph_app_id.as_deref(),
            )
            .await
            .map_err(settings_failure)?;
            if json {
                print_json(&connection)?;
            } else {
                println!(
                    "{} is connected to Entra tenant {}",
                    connection.tenant_name,
                    connection.entra_tenant_id.unwrap_or_default()
                );
            }
            Ok(())
        }
        Command::Test { tenant } => {
            let id = tenant_id(store, tenant).await?;
            let client = client(4, 32)?;
            let test = test_graph_connection(store, &keychain, &client, id)
                .await
                .map_err(capture_failure)?;
            if json {
                print_json(&test)?;
            } else {
                println!("{}", test.summary);
                if let Some(url) = &test.admin_consent_url {
                    println!("Admin consent: {url}");
                }
                if !test.permissions.is_empty() {
                    println!("Permissions: {}", test.permissions.join(", "));
                }
                for kind in &test.kinds {
                    match &kind.problem {
                        None => println!("  ok      {}", kind.label),
                        Some(problem) => println!("  cannot  {}: {problem}", kind.label),
                    }
                }
            }
            if test.ok {
                Ok(())
            } else {
                Err(Failure::server(test.summary))
            }
        }
        Command::Schedule {
            tenant,
            every,
            resume,
        } => {
            if let Some(name) = tenant {
                let id = tenant_id(store, name).await?;
                if let Some(every) = every {
                    let minutes =
                        plumbline_core::schedule::parse_cadence(every).map_err(Failure::usage)?;
                    store.set_capture_cadence(id, minutes).await?;
                }
                if *resume {
                    store.resume_capture_schedule(id).await?;
                }
            } else if every.is_some() || *resume {
                return Err(Failure::usage(
                    "name the tenant: graph schedule TENANT --every 6h",
                ));
            }
            let now = chrono::Utc::now();
            let rows: Vec<_> = store
                .capture_schedules(now)
                .await?
                .into_iter()
                .filter(|r| {
                    tenant.as_deref().is_none_or(|t| {
                        r.tenant_name.eq_ignore_ascii_case(t) || r.tenant_id.to_string() == t
                    })
                })
                .collect();
            if json {
                print_json(&rows)?;
            } else {
                for row in &rows {
                    let cadence = match row.state.cadence_minutes {
                        None => "manual".to_owned(),
                        Some(m) if m % 1440 == 0 => format!("every {}d", m / 1440),
                        Some(m) if m % 60 == 0 => format!("every {}h", m / 60),
                        Some(m) => format!("every {m}m"),
                    };
                    let next = match (&row.parked_at, row.next_due_at) {
                        (Some(at), _) => format!("PARKED since {}", timestamp(*at)),
                        (None, Some(due)) if due <= now => "due now".to_owned(),
                        (None, Some(due)) => format!("next {}", timestamp(due)),
                        (None, None) => "not scheduled".to_owned(),
                    };
                    println!("{:<32}  {cadence:<10}  {next}", row.tenant_name);
                    if let Some(error) = &row.last_error {
                        println!(
                            "      {} failure(s) in a row; last: {error}",
                            row.state.consecutive_failures
                        );
                    }
                }
            }
            Ok(())
        }
        Command::Runs { tenant, limit } => {
            let id = match tenant {
                Some(name) => Some(tenant_id(store, name).await?),
                None => None,
            };
            let runs = store.capture_runs(id, *limit).await?;
            if json {
                print_json(&runs)?;
            } else if runs.is_empty() {
                println!(
                    "No capture runs yet: `plumbline capture --tenant NAME` reads one from Graph."
                );
            } else {
                for run in &runs {
                    print_run(run);
                }
            }
            Ok(())
        }
    }
}

fn keychain_name() -> String {
    use plumbline_core::keychain::Keychain as _;
    OsKeychain::detect().describe()
}

fn print_run(run: &CaptureRun) {
    let what = match run.status {
        RunStatus::Ok => "ok     ",
        RunStatus::Partial => "partial",
        RunStatus::Failed => "FAILED ",
    };
    println!(
        "{}  {what}  {:<32}  {:>5} items  {:>4} requests  {:>3} throttled  {:.1} s",
        timestamp(run.started_at),
        run.tenant_name,
        run.items,
        run.requests,
        run.throttled,
        run.duration_ms as f64 / 1000.0
    );
    for failed in &run.kinds_failed {
        println!("      {} not read: {}", failed.kind, failed.error);
    }
    for warning in &run.warnings {
        println!("      note: {warning}");
    }
    if let Some(error) = &run.error {
        println!("      {error}");
    }
}

#[derive(Serialize)]
struct CaptureSummary {
    runs: Vec<CaptureRun>,
    /// Tenants that could not be captured at all before any request (not connected).
    not_connected: Vec<NotConnected>,
}

#[derive(Serialize)]
struct NotConnected {
    tenant: String,
    error: String,
}

/// `plumbline capture`: reads tenants from Graph and records each run.
pub async fn capture(store: &Store, args: &CaptureArgs, json: bool) -> Outcome {
    let mut ids = Vec::new();
    if args.due {
        ids = plumbline_core::capture::due_tenants(store, chrono::Utc::now()).await?;
        if ids.is_empty() {
            if json {
                print_json(&CaptureSummary {
                    runs: Vec::new(),
                    not_connected: Vec::new(),
                })?;
            } else {
                println!("No tenant is due.");
            }
            return Ok(());
        }
    } else if args.all {
        for connection in store.tenant_connections().await? {
            if connection.entra_tenant_id.is_some() {
                ids.push(connection.tenant_id);
            }
        }
        if ids.is_empty() {
            return Err(Failure::usage(
                "no tenant has an Entra tenant id yet: `plumbline graph connect NAME --entra-tenant-id ID`",
            ));
        }
    } else {
        for name in &args.tenants {
            ids.push(tenant_id(store, name).await?);
        }
    }
    let client = client(args.per_tenant_requests.max(1), args.global_requests.max(1))?;
    let keychain: Arc<OsKeychain> = Arc::new(OsKeychain::detect());
    let gate = Arc::new(tokio::sync::Semaphore::new(args.parallel.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for (index, id) in ids.iter().copied().enumerate() {
        let store = store.clone();
        let client = client.clone();
        let keychain = Arc::clone(&keychain);
        let gate = Arc::clone(&gate);
        set.spawn(async move {
            let _permit = gate.acquire().await;
            (
                index,
                id,
                capture_from_graph(&store, keychain.as_ref(), &client, id).await,
            )
        });
    }
    let mut outcomes = Vec::new();
    while let Some(joined) = set.join_next().await {
        outcomes.push(joined.map_err(|e| Failure::from(anyhow::anyhow!(e)))?);
    }
    outcomes.sort_by_key(|(index, ..)| *index);
    let mut summary = CaptureSummary {
        runs: Vec::new(),
        not_connected: Vec::new(),
    };
    for (_, id, outcome) in outcomes {
        match outcome {
            Ok(run) => summary.runs.push(run),
            Err(CaptureError::NotConnected(error)) => {
                let name = store
                    .tenant_connection(id)
                    .await
                    .map(|c| c.tenant_name)
                    .unwrap_or_else(|_| id.to_string());
                summary.not_connected.push(NotConnected {
                    tenant: name,
                    error,
                });
            }
            Err(other) => return Err(Failure::from(other)),
        }
    }
    if json {
        print_json(&summary)?;
    } else {
        for run in &summary.runs {
            print_run(run);
        }
        for problem in &summary.not_connected {
            println!("not captured  {}: {}", problem.tenant, problem.error);
        }
    }
    let failed = summary
        .runs
        .iter()
        .filter(|r| r.status != RunStatus::Ok)
        .count()
        + summary.not_connected.len();
    if failed > 0 {
        return Err(Failure::partial(format!(
            "{failed} of {} tenants were not captured whole (see above; `plumbline graph runs` keeps the history)",
            ids.len()
        )));
    }
    Ok(())
}

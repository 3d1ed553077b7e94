//! `plumbline-server`: serve the API, and administer users and device tokens on the
//! server's own machine. Each subcommand is a few lines over the library.
//!
//! Exit codes (stable, for scripts):
//! - 0 success
//! - 1 unexpected failure
//! - 2 usage error (bad arguments, a refused password)
//! - 3 something named does not exist (user, device)
//! - 5 database problem (cannot connect, newer schema)

use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use plumbline_server::accounts::{Device, MembershipChange};
use plumbline_server::admin::{self, AdminError, NewMember};
use plumbline_server::config::{self, ConfigError, LogFormat, Settings};
use plumbline_server::credentials::CredentialError;
use plumbline_server::{Auth, Database, DatabaseError, HttpOptions};
use plumbline_wire::Role;

/// The environment variable `user add` reads a new user's password from.
const PASSWORD_ENV: &str = "PLUMBLINE_SERVER_PASSWORD";

#[derive(Parser, Debug)]
#[command(
    name = "plumbline-server",
    version,
    about = "Plumbline's self-hosted sync server (Postgres or SQLite)",
    after_help = "Exit codes: 0 ok, 1 unexpected failure, 2 usage, 3 not found, 5 database problem."
)]
struct Cli {
    /// TOML configuration file (default: PLUMBLINE_SERVER_CONFIG, else none). Flags beat
    /// environment variables, which beat the file; `config --table` lists every setting.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug, Clone)]
struct DatabaseArg {
    /// postgres://USER@HOST[:PORT]/DATABASE, sqlite://PATH or sqlite::memory: (default:
    /// PLUMBLINE_SERVER_DATABASE, else the configuration file's database.url)
    #[arg(long, value_name = "URL")]
    database: Option<String>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the API (runs the database migrations first).
    Serve {
        #[command(flatten)]
        database: DatabaseArg,
        /// Address and port to listen on; port 0 picks a free one (default:
        /// PLUMBLINE_SERVER_LISTEN, else the file's listen, else 127.0.0.1:8787).
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
    /// Print the effective configuration (secrets as ***) and where each value comes from.
    Config {
        /// Print the table of every setting instead (Markdown, as docs/server.md has it).
        #[arg(long)]
        table: bool,
    },
    /// Print the API's OpenAPI document (also served at /api/v1/openapi.json).
    Openapi,
    /// After restoring the database from a backup: give every workspace's log a new
    /// epoch, so every device syncs again from the start and pushes back its own work
    /// that the backup lacks. Run it before starting the restored server.
    AfterRestore {
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Users: add one to a workspace.
    #[command(subcommand)]
    User(UserCommand),
    /// Device tokens: list, revoke.
    #[command(subcommand)]
    Device(DeviceCommand),
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Add a user to a workspace, creating both when missing. A new user's password is
    /// read from PLUMBLINE_SERVER_PASSWORD, else asked on the terminal (not echoed), else
    /// from the first line of standard input (at least 12 characters); an existing user
    /// keeps theirs.
    Add {
        #[command(flatten)]
        database: DatabaseArg,
        #[arg(long)]
        email: String,
        /// The person's name, as the desktop shows it.
        #[arg(long)]
        name: String,
        /// The workspace's name.
        #[arg(long)]
        workspace: String,
        #[arg(long, value_enum, default_value = "operator")]
        role: RoleArg,
        /// Limit the membership to this tenant (repeat for several); default: all.
        #[arg(long = "tenant", value_name = "TENANT_ID")]
        tenants: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
enum DeviceCommand {
    /// List a user's devices and whether their tokens are active.
    List {
        #[command(flatten)]
        database: DatabaseArg,
        #[arg(long)]
        email: String,
    },
    /// Revoke a user's device tokens: all of them, or those of one device name.
    Revoke {
        #[command(flatten)]
        database: DatabaseArg,
        #[arg(long)]
        email: String,
        /// Only the devices with this name (as `device list` shows it).
        #[arg(long, value_name = "NAME")]
        device: Option<String>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum RoleArg {
    Owner,
    Admin,
    Operator,
    Reviewer,
    Viewer,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Owner => Role::Owner,
            RoleArg::Admin => Role::Admin,
            RoleArg::Operator => Role::Operator,
            RoleArg::Reviewer => Role::Reviewer,
            RoleArg::Viewer => Role::Viewer,
        }
    }
}

/// A failure with the exit code scripts see.
struct Failure {
    code: u8,
    error: anyhow::Error,
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(error: E) -> Self {
        let error = error.into();
        let code = if error.downcast_ref::<ConfigError>().is_some() {
            2
        } else if let Some(admin) = error.downcast_ref::<AdminError>() {
            match admin {
                AdminError::Invalid(_)
                | AdminError::Credential(CredentialError::WeakPassword(_)) => 2,
                AdminError::NotFound(_) => 3,
                AdminError::Account(_) => 5,
                AdminError::Credential(_) => 1,
            }
        } else if error.downcast_ref::<DatabaseError>().is_some() {
            5
        } else {
            1
        };
        Self { code, error }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let flags = flags(&cli.command);
    let settings = match Settings::load(
        cli.config.as_deref(),
        &|name| std::env::var(name).ok(),
        &flags,
    ) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let serving = matches!(cli.command, Command::Serve { .. });
    if let Err(error) = init_logging(&settings, serving) {
        eprintln!("error: {error}");
        return ExitCode::from(2);
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
    match runtime.block_on(run(cli.command, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            tracing::error!(error = %causes(&failure.error), "stopped");
            eprintln!("error: {}", causes(&failure.error));
            ExitCode::from(failure.code)
        }
    }
}

/// The settings the command line gives.
fn flags(command: &Command) -> Vec<(&'static str, String)> {
    let mut flags = Vec::new();
    let database = match command {
        Command::Serve { database, listen } => {
            if let Some(listen) = listen {
                flags.push(("listen", listen.to_string()));
            }
            Some(database)
        }
        Command::User(UserCommand::Add { database, .. })
        | Command::Device(DeviceCommand::List { database, .. })
        | Command::Device(DeviceCommand::Revoke { database, .. })
        | Command::AfterRestore { database } => Some(database),
        Command::Config { .. } | Command::Openapi => None,
    };
    if let Some(url) = database.and_then(|d| d.database.clone()) {
        flags.push(("database.url", url));
    }
    flags
}

/// Log lines to standard error: JSON (one object a line, with the request's span fields)
/// or text, as configured; administration commands only say what went wrong.
fn init_logging(settings: &Settings, serving: bool) -> Result<(), String> {
    let filter = if serving {
        settings.log_filter.as_str()
    } else {
        "warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_new(filter).map_err(|error| {
        format!("log.filter (PLUMBLINE_SERVER_LOG) {filter:?} is not a filter: {error}")
    })?;
    let terminal = std::io::stderr().is_terminal();
    let json = match settings.log_format {
        LogFormat::Json => true,
        LogFormat::Text => false,
        LogFormat::Auto => !terminal,
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json && serving {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .flatten_event(true)
            .init();
    } else {
        builder.with_ansi(terminal).init();
    }
    Ok(())
}

async fn run(command: Command, settings: Settings) -> Result<(), Failure> {
    let database_settings = settings.database.clone();
    let open = || async move {
        database_settings.require_url()?;
        Ok::<_, Failure>(Database::open_with(&database_settings).await?)
    };
    match command {
        Command::Serve { .. } => serve(settings).await,
        Command::Config { table } => {
            if table {
                print!("{}", config::markdown_table());
            } else {
                print!("{}", settings.render());
            }
            Ok(())
        }
        Command::Openapi => {
            print!("{}", plumbline_server::openapi::document_json());
            Ok(())
        }
        Command::AfterRestore { database: _ } => {
            let database = open().await?;
            let result = admin::new_epochs(&database).await;
            database.close().await;
            let renewed = result?;
            if renewed.is_empty() {
                println!("no workspace has synced yet: nothing to do");
            }
            for (workspace, epoch) in renewed {
                println!("{workspace}: new log epoch {epoch}; its devices will sync again from the start");
            }
            Ok(())
        }
        Command::User(UserCommand::Add {
            database: _,
            email,
            name,
            workspace,
            role,
            tenants,
        }) => {
            let member = NewMember {
                email,
                name,
                workspace,
                role: role.into(),
                tenants: (!tenants.is_empty()).then_some(tenants),
            };
            let database = open().await?;
            let result = admin::add_user(&database, &member, || read_password(&member.email)).await;
            database.close().await;
            let added = result?;
            let user = &added.user;
            if added.user_created {
                println!("created user {} ({})", user.email, user.name);
            } else {
                println!("user {} exists; name and password unchanged", user.email);
            }
            if added.workspace_created {
                println!("created workspace {}", member.workspace.trim());
            }
            let role = member.role.code();
            let workspace = member.workspace.trim();
            match added.membership {
                MembershipChange::Created => {
                    println!("{} is now {role} of {workspace}", user.email)
                }
                MembershipChange::Updated { previous } => println!(
                    "{} is now {role} of {workspace} (was {})",
                    user.email,
                    previous.code()
                ),
                MembershipChange::Unchanged => {
                    println!("{} was already {role} of {workspace}", user.email)
                }
            }
            Ok(())
        }
        Command::Device(DeviceCommand::List { database: _, email }) => {
            let database = open().await?;
            let result = admin::list_devices(&database, &email).await;
            database.close().await;
            let (user, devices) = result?;
            if devices.is_empty() {
                println!("{} has not signed in from any device", user.email);
            }
            for device in &devices {
                println!("{}", describe(device));
            }
            Ok(())
        }
        Command::Device(DeviceCommand::Revoke {
            database: _,
            email,
            device,
        }) => {
            let database = open().await?;
            let result = admin::revoke_devices(&database, &email, device.as_deref()).await;
            database.close().await;
            let (user, revoked) = result?;
            for device in &revoked {
                println!("revoked {} of {}", describe(device), user.email);
            }
            Ok(())
        }
    }
}

async fn serve(settings: Settings) -> Result<(), Failure> {
    settings.database.require_url()?;
    let database = Database::open_with(&settings.database).await?;
    let engine = database.engine();
    let auth = Auth::new(database.clone())?;
    let listen = settings.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, engine, "serving");
    // Scripts and tests wait for this exact line.
    println!("plumbline-server listening on http://{address}");
    std::io::stdout().flush()?;
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let options = HttpOptions {
        metrics_token: settings.metrics_token.clone(),
        trusted_proxies: settings.trusted_proxies.clone(),
        stopping: stopping.clone(),
    };
    // The peer's address reaches the sign-in rate limit.
    let app =
        plumbline_server::router(auth, options).into_make_service_with_connect_info::<SocketAddr>();
    let mut stopped = stopping.clone();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown_signal().await;
        // /readyz fails and long polls end; pushes in flight finish.
        let _ = stop.send(true);
    });
    let grace = settings.shutdown_grace;
    tokio::select! {
        result = server => result.context("the HTTP server stopped")?,
        () = async move {
            let _ = stopped.wait_for(|stopping| *stopping).await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!(grace_seconds = grace.as_secs(), "requests still in flight after the shutdown grace: stopping anyway");
        }
    }
    // Requests cut off by the grace may still hold connections: do not wait for them.
    if tokio::time::timeout(std::time::Duration::from_secs(5), database.close())
        .await
        .is_err()
    {
        tracing::warn!("the database pool did not close within 5 s");
    }
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM (what a service manager or container runtime sends).
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("stopping: finishing the requests in flight");
}

/// The error and its causes, `outer: inner`, leaving out a cause its parent's message
/// already ends with (sqlx repeats its source in its own message).
fn causes(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let message = cause.to_string();
        if !text.ends_with(&message) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&message);
        }
    }
    text
}

/// A new user's password: PLUMBLINE_SERVER_PASSWORD, else asked on the terminal without
/// echo, else standard input's first line.
fn read_password(email: &str) -> Result<String, AdminError> {
    if let Ok(password) = std::env::var(PASSWORD_ENV) {
        return Ok(password);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return rpassword::prompt_password(format!(
            "password for {} (at least 12 characters): ",
            email.trim()
        ))
        .map_err(|error| {
            AdminError::Invalid(format!(
                "cannot read the password from the terminal: {error}; set {PASSWORD_ENV} or pipe it"
            ))
        });
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line).map_err(|error| {
        AdminError::Invalid(format!(
            "cannot read the password from standard input: {error}"
        ))
    })?;
    if read == 0 {
        return Err(AdminError::Invalid(format!(
            "no password: set {PASSWORD_ENV} or pass it as the first line of standard input"
        )));
    }
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    Ok(password.to_owned())
}

fn describe(device: &Device) -> String {
    let last_used = device.last_used_at.map_or_else(
        || "never used".to_owned(),
        |at| format!("last used {}", at.rfc3339()),
    );
    let state = match device.revoked_at {
        Some(at) => format!("revoked {}", at.rfc3339()),
        None => "active".to_owned(),
    };
    format!(
        "{:?}  id {}  signed in {}  {last_used}  {state}",
        device.name,
        device.id,
        device.created_at.rfc3339()
    )
}

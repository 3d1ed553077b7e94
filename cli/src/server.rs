//! `plumbline server connect|status|disconnect`: this workspace's connection to a
//! Plumbline server. The password comes from `PLUMBLINE_SERVER_PASSWORD` or a prompt,
//! never from the command line (where `ps` and the shell's history would keep it); the
//! device token goes to the OS keychain.

use std::io::{BufRead, IsTerminal};

use plumbline_core::keychain::OsKeychain;
use plumbline_core::store::Store;
use plumbline_core::sync::client::ClientError;
use plumbline_core::sync::connection::{self, ConnectionError, ConnectionStatus, ServerConnection};

use crate::output::print_json;
use crate::{Failure, Outcome};

/// Where `connect` reads the password from when it is set.
pub const PASSWORD_VARIABLE: &str = "PLUMBLINE_SERVER_PASSWORD";

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Sign in to a Plumbline server from this computer. The password comes from
    /// PLUMBLINE_SERVER_PASSWORD or is asked for; the device token goes to the OS keychain.
    Connect(ConnectArgs),
    /// The server connection as last recorded (asks no server unless --check).
    Status {
        /// Ask the server whether it still knows this device (exit code 7 unless it does).
        #[arg(long)]
        check: bool,
    },
    /// Sign this computer out: the server revokes the device token (when it can be
    /// reached) and the token is deleted here in any case.
    Disconnect,
}

#[derive(clap::Args, Debug)]
pub struct ConnectArgs {
    /// The server's address, for example https://plumbline.example.com
    url: String,
    /// The e-mail address of your account on the server.
    #[arg(long)]
    email: String,
    /// How this computer is named in the server's list of devices ("Alice's laptop").
    #[arg(long, value_name = "NAME")]
    device: String,
}

fn failure(error: ConnectionError) -> Failure {
    match error {
        ConnectionError::Invalid(message) => Failure::usage(message),
        ConnectionError::Server(ClientError::InvalidUrl(message)) => Failure::usage(message),
        ConnectionError::Server(error) => Failure::server(error.to_string()),
        ConnectionError::Store(error) => Failure::from(error),
        other => Failure::from(anyhow::Error::from(other)),
    }
}

/// The password: from the environment, else asked on the terminal (without echo), else
/// the first line of standard input (`… | plumbline server connect …`).
fn password(url: &str, email: &str) -> Result<String, Failure> {
    if let Some(password) = std::env::var_os(PASSWORD_VARIABLE) {
        return password
            .into_string()
            .map_err(|_| Failure::usage(format!("{PASSWORD_VARIABLE} is not valid UTF-8")));
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(format!("Password for {email} at {url}: ")).map_err(
            |e| {
                Failure::from(anyhow::anyhow!(
                    "cannot read the password from the terminal: {e}"
                ))
            },
        );
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::from(anyhow::anyhow!("cannot read the password from stdin: {e}")))?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err(Failure::usage(format!(
            "no password: set {PASSWORD_VARIABLE}, run in a terminal to be asked, or pipe it on \
             standard input"
        )));
    }
    Ok(password)
}

pub async fn run(store: &Store, command: &Command, json: bool) -> Outcome {
    let keychain = OsKeychain::detect();
    match command {
        Command::Connect(args) => {
            // What can be wrong without a password is said before asking for one.
            let (url, email, _) =
                connection::check_sign_in(&args.url, &args.email, &args.device).map_err(failure)?;
            let password = password(url.as_str(), &email)?;
            let view = connection::sign_in(
                store,
                &keychain,
                &args.url,
                &args.email,
                &password,
                &args.device,
            )
            .await
            .map_err(failure)?;
            if json {
                print_json(&view)?;
            } else {
                let user = view.user.as_ref().map(|u| u.name.as_str()).unwrap_or("");
                println!(
                    "Signed in to {} as {user} from \"{}\".",
                    view.url.as_deref().unwrap_or_default(),
                    view.device_name.as_deref().unwrap_or_default()
                );
                print_text(&view);
            }
            Ok(())
        }
        Command::Status { check } => {
            let view = if *check {
                connection::check(store, &keychain).await
            } else {
                connection::status(store, &keychain).await
            }
            .map_err(failure)?;
            if json {
                print_json(&view)?;
            } else {
                print_text(&view);
            }
            if *check && view.status != ConnectionStatus::Connected {
                return Err(Failure::server(match view.status {
                    ConnectionStatus::None => {
                        "not connected to a server: sign in with `plumbline server connect URL \
                         --email E --device NAME`"
                            .to_owned()
                    }
                    _ => view
                        .problem
                        .unwrap_or_else(|| "not connected to the server".to_owned()),
                }));
            }
            Ok(())
        }
        Command::Disconnect => {
            let view = connection::sign_out(store, &keychain)
                .await
                .map_err(failure)?;
            if json {
                print_json(&view)?;
            } else if view.status == ConnectionStatus::None {
                println!("Not connected to a server: nothing to sign out of.");
            } else {
                println!(
                    "Signed out of {}: the device token is deleted from the {}.",
                    view.url.as_deref().unwrap_or_default(),
                    view.keychain
                );
                if let Some(problem) = &view.problem {
                    println!("{problem}.");
                }
            }
            Ok(())
        }
    }
}

fn print_text(view: &ServerConnection) {
    if view.status == ConnectionStatus::None {
        println!(
            "Not connected to a Plumbline server. Sign in with `plumbline server connect URL \
             --email E --device NAME`."
        );
        return;
    }
    let line = |label: &str, value: &str| println!("{label:<11} {value}");
    line("Server", view.url.as_deref().unwrap_or_default());
    line(
        "Status",
        match view.status {
            ConnectionStatus::None => "not connected",
            ConnectionStatus::Connected => "connected",
            ConnectionStatus::Failed => "failed (signed in, the server did not answer)",
            ConnectionStatus::SignedOut => "signed out",
        },
    );
    if let Some(user) = &view.user {
        line("User", &format!("{} <{}>", user.name, user.email));
    }
    if let Some(device) = &view.device_name {
        line("Device", device);
    }
    if !view.workspaces.is_empty() {
        let workspaces: Vec<String> = view
            .workspaces
            .iter()
            .map(|w| match &w.tenants {
                Some(tenants) => format!(
                    "{} ({}, {} tenant{})",
                    w.name,
                    w.role.code(),
                    tenants.len(),
                    if tenants.len() == 1 { "" } else { "s" }
                ),
                None => format!("{} ({})", w.name, w.role.code()),
            })
            .collect();
        line("Workspaces", &workspaces.join(", "));
    }
    if let Some(server) = &view.server {
        line("Version", &format!("{} {}", server.name, server.version));
    }
    if let Some(checked) = &view.checked_at {
        line("Checked", checked);
    }
    if matches!(
        view.status,
        ConnectionStatus::Connected | ConnectionStatus::Failed
    ) {
        line("Token", &format!("in the {}", view.keychain));
    }
    if let Some(problem) = &view.problem {
        line("Problem", problem);
    }
}

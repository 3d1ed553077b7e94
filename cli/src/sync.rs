//! `plumbline sync [--once]`, `sync status`, `sync verify`: this workspace shared through
//! its Plumbline server (SYNC.md).

use std::io::Write as _;

use plumbline_core::keychain::OsKeychain;
use plumbline_core::store::{Store, SyncState, TenantDigest};
use plumbline_core::sync::api::Checksum;
use plumbline_core::sync::engine::{self, Cancel, RunEvent, SyncError, SyncOptions, SyncReport};
use serde::Serialize;

use crate::output::print_json;
use crate::{Failure, Outcome};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// One round (push, pull, apply, derive) and exit; without it, sync until stopped
    /// (Ctrl+C), live: news from other devices arrives within seconds.
    #[arg(long)]
    once: bool,
    /// The server workspace (name or id) when the account is a member of several.
    #[arg(long, value_name = "NAME")]
    workspace: Option<String>,
    /// Operations per pulled page (tests of page boundaries).
    #[arg(long, default_value_t = engine::PULL_PAGE, hide = true)]
    page: u32,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// What is waiting to be pushed, what the server refused (and why), the last sync.
    Status,
    /// Per-tenant digests of synced and derived state, and the checksums compared with
    /// the server's (exit code 6 when they disagree).
    Verify {
        /// Compare with the digests of another device (`sync verify --json` output).
        #[arg(long, value_name = "FILE")]
        against: Option<std::path::PathBuf>,
    },
}

fn failure(error: SyncError) -> Failure {
    match error {
        SyncError::Client(error) => Failure::server(error.to_string()),
        SyncError::NotConnected(message) => Failure::server(message),
        SyncError::Workspace(message) => Failure::usage(message),
        SyncError::Store(error) => Failure::from(error),
        other => Failure::from(anyhow::Error::from(other)),
    }
}

pub async fn run(store: &Store, args: &Args, json: bool) -> Outcome {
    match &args.command {
        Some(Command::Status) => status(store, json).await,
        Some(Command::Verify { against }) => verify(store, against.as_deref(), json).await,
        None => sync(store, args, json).await,
    }
}

fn print_report(report: &SyncReport) {
    let mut line = format!(
        "Synced with workspace {}: pushed {}, received {} ({} new), derived {} tenant{}",
        report.workspace,
        report.pushed,
        report.pulled,
        report.applied,
        report.derived,
        if report.derived == 1 { "" } else { "s" }
    );
    if report.first_sync {
        line.push_str(" (first sync)");
    }
    if report.rejected > 0 {
        line.push_str(&format!(
            "; {} refused by the server (see `plumbline sync status`)",
            report.rejected
        ));
    }
    println!("{line}.");
    for tenant in &report.granted {
        println!("Access granted to tenant {tenant}: its records were fetched.");
    }
    for tenant in &report.revoked {
        println!(
            "Access to tenant {tenant} was withdrawn: its data was removed from this computer."
        );
    }
    if report.restarted {
        println!(
            "The server's log was restored or replaced: this device synced again from its start."
        );
    }
    if report.checksums_ok == Some(false) {
        println!(
            "Checksums still disagree with the server's for: {} (run `plumbline sync verify`).",
            report.mismatched.join(", ")
        );
    }
}

async fn sync(store: &Store, args: &Args, json: bool) -> Outcome {
    let keychain = OsKeychain::detect();
    let options = SyncOptions {
        workspace: args.workspace.clone(),
        page: args.page.clamp(1, 5_000),
        ..SyncOptions::default()
    };
    let cancel = Cancel::default();
    if args.once {
        let mut last_phase = "";
        let report = engine::sync_once(store, &keychain, &options, &cancel, &mut |p| {
            if !json && p.phase != last_phase && p.total > 0 {
                last_phase = p.phase;
                eprintln!("{}…", p.phase);
            }
        })
        .await
        .map_err(failure)?;
        if json {
            print_json(&report)?;
        } else {
            print_report(&report);
        }
        return Ok(());
    }
    let stopper = cancel.clone();
    let wake = std::sync::Arc::new(tokio::sync::Notify::new());
    let waker = wake.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stopper.cancel();
            waker.notify_one();
        }
    });
    engine::run(
        store,
        &keychain,
        &options,
        &cancel,
        &wake,
        |event| match event {
            RunEvent::Synced(report) => {
                if json {
                    if let Ok(text) = serde_json::to_string(&report) {
                        println!("{text}");
                    }
                } else if report.pushed + report.pulled + report.rejected > 0 || report.first_sync {
                    print_report(&report);
                }
                let _ = std::io::stdout().flush();
            }
            RunEvent::Failed { error, retry_in } => {
                eprintln!(
                    "sync failed: {error}; trying again in {} s",
                    retry_in.as_secs().max(1)
                );
            }
        },
    )
    .await
    .map_err(failure)
}

#[derive(Serialize)]
struct StatusView<'a> {
    #[serde(flatten)]
    state: &'a SyncState,
    rejected_operations: Vec<plumbline_core::store::RejectedOp>,
}

async fn status(store: &Store, json: bool) -> Outcome {
    let state = store.sync_state().await?;
    let rejected = store.rejected_operations().await?;
    if json {
        print_json(&StatusView {
            state: &state,
            rejected_operations: rejected,
        })?;
        return Ok(());
    }
    let line = |label: &str, value: &str| println!("{label:<15} {value}");
    line(
        "Workspace",
        state
            .server_workspace
            .as_deref()
            .unwrap_or("not synced yet (`plumbline sync --once`)"),
    );
    line(
        "Last sync",
        state.last_sync_at.as_deref().unwrap_or("never"),
    );
    line("Log position", &state.cursor.to_string());
    line("Pending", &format!("{} operations", state.pending));
    line("Rejected", &format!("{} operations", state.rejected));
    if let Some(ok) = state.last_checksums_ok {
        line(
            "Checksums",
            if ok {
                "agree with the server"
            } else {
                "disagree with the server (`plumbline sync verify`)"
            },
        );
    }
    if let Some(error) = &state.last_error {
        line("Last error", error);
    }
    for op in &rejected {
        println!(
            "  refused {} {} ({}): {}: {}",
            op.kind,
            op.tenant_name
                .as_deref()
                .or(op.tenant_id.as_deref())
                .unwrap_or("workspace"),
            op.created_at,
            op.reason,
            op.message
        );
    }
    Ok(())
}

#[derive(Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
struct DigestLine {
    key: String,
    name: String,
    count: i64,
    checksum: String,
    synced: String,
    derived: String,
    /// Whether the server's checksum for the key agrees (None: not asked).
    server_agrees: Option<bool>,
}

fn line_of(digest: &TenantDigest, server: Option<&Checksum>) -> DigestLine {
    DigestLine {
        key: digest.key.clone(),
        name: digest.name.clone(),
        count: digest.checksum.count,
        checksum: digest.checksum.xor.clone(),
        synced: digest.synced.clone(),
        derived: digest.derived.clone(),
        server_agrees: server.map(|s| *s == digest.checksum),
    }
}

async fn verify(store: &Store, against: Option<&std::path::Path>, json: bool) -> Outcome {
    let keychain = OsKeychain::detect();
    let server = engine::server_checksums(store, &keychain, &SyncOptions::default())
        .await
        .map_err(failure)?;
    let digests = store.sync_digests().await?;
    let lines: Vec<DigestLine> = digests
        .iter()
        .map(|d| line_of(d, Some(server.get(&d.key).unwrap_or(&Checksum::default()))))
        .collect();
    let mut problems: Vec<String> = lines
        .iter()
        .filter(|l| l.server_agrees == Some(false))
        .map(|l| {
            let theirs = server.get(&l.key).map_or(0, |c| c.count);
            if l.count < theirs {
                format!(
                    "{}: this device has {} of the server's {theirs} records (run `plumbline sync --once` first)",
                    l.name, l.count
                )
            } else {
                format!("{} ({}): checksum differs from the server's", l.name, l.key)
            }
        })
        .collect();
    for key in server.keys() {
        if !lines.iter().any(|l| l.key == *key) {
            problems.push(format!("tenant {key} is on the server but not here"));
        }
    }
    if let Some(path) = against {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
        let other: Vec<DigestLine> = serde_json::from_str(&text).map_err(|e| {
            Failure::bad_input(format!(
                "{} is not the output of `plumbline sync verify --json`: {e}",
                path.display()
            ))
        })?;
        for theirs in &other {
            match lines.iter().find(|l| l.key == theirs.key) {
                None => problems.push(format!(
                    "{} ({}) is only on the other device",
                    theirs.name, theirs.key
                )),
                Some(ours) => {
                    if ours.synced != theirs.synced {
                        problems.push(format!("{}: synced state differs", ours.name));
                    }
                    if ours.derived != theirs.derived {
                        problems.push(format!("{}: derived state differs", ours.name));
                    }
                }
            }
        }
        for ours in &lines {
            if !other.iter().any(|t| t.key == ours.key) {
                problems.push(format!(
                    "{} ({}) is only on this device",
                    ours.name, ours.key
                ));
            }
        }
    }
    if json {
        print_json(&lines)?;
    } else {
        println!(
            "{:<36}  {:>7}  {:<12}  {:<12}  {:<12}  server",
            "tenant", "records", "checksum", "synced", "derived"
        );
        for l in &lines {
            println!(
                "{:<36}  {:>7}  {:<12}  {:<12}  {:<12}  {}",
                l.name,
                l.count,
                &l.checksum.get(..12).unwrap_or(&l.checksum),
                &l.synced[..12],
                &l.derived[..12],
                match l.server_agrees {
                    Some(true) => "agrees",
                    Some(false) => "DIFFERS",
                    None => "-",
                }
            );
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::verification(problems.join("; ")))
    }
}

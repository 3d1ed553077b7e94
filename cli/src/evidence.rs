//! `plumbline audit`, `plumbline pack` and `plumbline key`: the hash-chained audit log,
//! signed evidence packs, and the workspace signing key.

use std::path::PathBuf;
use std::time::Instant;

use chrono::NaiveDate;
use plumbline_core::evidence::{self, create_pack, verify_pack, EvidenceError, PackRequest};
use plumbline_core::keychain::{Keychain, OsKeychain};
use plumbline_core::store::{AuditFilter, Store};
use plumbline_reports::generate::parse_day;
use serde::Serialize;

use crate::output::{human_bytes, print_json};
use crate::report::generation_time;
use crate::{Failure, Outcome};

#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: Option<AuditCommand>,
    /// Only this tenant's events (name or id).
    #[arg(long)]
    tenant: Option<String>,
    /// Only events at or after this day (YYYY-MM-DD) or time (RFC 3339).
    #[arg(long)]
    since: Option<String>,
    /// At most this many events (the oldest first).
    #[arg(long)]
    limit: Option<i64>,
}

#[derive(clap::Subcommand, Debug)]
pub enum AuditCommand {
    /// Walk every device's hash chain and name the first broken link (exit code 6 when
    /// one is broken).
    Verify,
}

#[derive(clap::Subcommand, Debug)]
pub enum PackCommand {
    /// Build a signed evidence pack of one tenant for a period.
    Create(CreateArgs),
    /// Verify a pack: every file's hash, the signature, the audit chain links (exit code
    /// 0 only when all hold, 6 when something failed).
    Verify(VerifyArgs),
    /// Packs built on this machine, newest first.
    List {
        /// Only this tenant's packs.
        #[arg(long)]
        tenant: Option<String>,
    },
}

#[derive(clap::Args, Debug)]
pub struct CreateArgs {
    /// The tenant (name or id).
    #[arg(long)]
    tenant: String,
    /// First day of the period (YYYY-MM-DD, UTC).
    #[arg(long)]
    from: String,
    /// Last day of the period (YYYY-MM-DD, UTC, inclusive).
    #[arg(long)]
    to: String,
    /// Replace user principal names, e-mail addresses and person names by pseudonyms.
    #[arg(long)]
    redact: bool,
    /// Include the tenant's reports generated in the period.
    #[arg(long)]
    include_reports: bool,
    /// Where to write the pack.
    #[arg(long, value_name = "FILE.zip")]
    out: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// The pack to verify.
    file: PathBuf,
    /// The fingerprint the signer must have (what `plumbline key show` printed on the
    /// MSP's machine).
    #[arg(long, value_name = "FINGERPRINT")]
    key: Option<String>,
}

#[derive(clap::Subcommand, Debug)]
pub enum KeyCommand {
    /// The workspace's signing key: fingerprint, keychain, creation time (creates the key
    /// on first use).
    Show,
    /// Write the public key (PEM) for customers and auditors.
    Export {
        #[arg(long, value_name = "FILE.pub")]
        out: PathBuf,
    },
    /// Make a new signing key; the old one is retired (its packs still verify).
    Rotate,
}

fn evidence_failure(error: EvidenceError) -> Failure {
    match error {
        EvidenceError::Store(e) => Failure::from(e),
        EvidenceError::BadRequest(message) => Failure::bad_input(message),
        EvidenceError::Write { .. } => Failure::usage(error.to_string()),
        other => Failure::from(anyhow::Error::from(other)),
    }
}

fn day(text: &str, flag: &str) -> Result<NaiveDate, Failure> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| Failure::usage(format!("{flag} {text}: use a day as YYYY-MM-DD")))
}

pub async fn audit(store: &Store, args: &AuditArgs, json: bool) -> Outcome {
    if let Some(AuditCommand::Verify) = args.command {
        return audit_verify(store, json).await;
    }
    let tenant = match &args.tenant {
        Some(name) => Some(store.tenant(name).await?.id),
        None => None,
    };
    let since = match &args.since {
        Some(text) => Some(parse_day(text, false).ok_or_else(|| {
            Failure::usage(format!(
                "--since {text}: use YYYY-MM-DD or an RFC 3339 time"
            ))
        })?),
        None => None,
    };
    let events = store
        .audit_events(&AuditFilter {
            tenant,
            since,
            until: None,
            limit: args.limit,
        })
        .await?;
    if json {
        print_json(&events)?;
        return Ok(());
    }
    if events.is_empty() {
        println!("No audit events match.");
        return Ok(());
    }
    for event in &events {
        println!(
            "{}  {:<24} {:<28} {}  by {}",
            event.at, event.action, event.target, event.summary, event.actor
        );
    }
    println!("{} events.", events.len());
    Ok(())
}

async fn audit_verify(store: &Store, json: bool) -> Outcome {
    let started = Instant::now();
    let chains = store.verify_audit_chains().await?;
    let broken: Vec<_> = chains.iter().filter_map(|c| c.broken.as_ref()).collect();
    if json {
        print_json(&serde_json::json!({ "ok": broken.is_empty(), "chains": chains }))?;
    } else {
        for chain in &chains {
            match &chain.broken {
                None => println!(
                    "ok      device {}: {} events, head {} at sequence {}",
                    chain.device_id, chain.events, chain.head_hash, chain.head_seq
                ),
                Some(b) => println!(
                    "BROKEN  device {}: first broken link at sequence {} (event {}): {}",
                    chain.device_id, b.chain_seq, b.event_id, b.problem
                ),
            }
        }
        if chains.is_empty() {
            println!("The audit log is empty.");
        }
        eprintln!("Checked in {:.2} s.", started.elapsed().as_secs_f64());
    }
    if broken.is_empty() {
        Ok(())
    } else {
        Err(Failure::verification(format!(
            "{} of {} audit chains are broken",
            broken.len(),
            chains.len()
        )))
    }
}

pub async fn pack(store: &Store, command: &PackCommand, json: bool) -> Outcome {
    match command {
        PackCommand::Create(args) => create(store, args, json).await,
        PackCommand::Verify(args) => verify(args, json).await,
        PackCommand::List { tenant } => {
            let tenant = match tenant {
                Some(name) => Some(store.tenant(name).await?.id),
                None => None,
            };
            let packs = store.list_evidence_packs(tenant).await?;
            if json {
                print_json(&packs)?;
            } else if packs.is_empty() {
                println!("No evidence packs yet: create one with `plumbline pack create`.");
            } else {
                for p in &packs {
                    println!(
                        "{}  {:<28} {} to {}  {}  {}  {}",
                        p.created_at,
                        p.tenant,
                        p.period_from,
                        p.period_to,
                        human_bytes(u64::try_from(p.size).unwrap_or(0)),
                        p.sha256,
                        p.path.as_deref().unwrap_or("")
                    );
                }
            }
            Ok(())
        }
    }
}

#[derive(Serialize)]
struct Created {
    path: String,
    sha256: String,
    size: u64,
    pack_id: String,
    files: usize,
    audit_events: u64,
    fingerprint: String,
    seconds: f64,
}

async fn create(store: &Store, args: &CreateArgs, json: bool) -> Outcome {
    let started = Instant::now();
    let request = PackRequest {
        tenant: args.tenant.clone(),
        from: day(&args.from, "--from")?,
        to: day(&args.to, "--to")?,
        redact: args.redact,
        include_reports: args.include_reports,
        created_at: generation_time()?,
    };
    if args.out.file_name().is_none() {
        return Err(Failure::usage(format!(
            "--out {}: name a file",
            args.out.display()
        )));
    }
    let created = create_pack(
        store,
        &OsKeychain::detect(),
        &request,
        &args.out,
        &mut |_, _| {},
    )
    .await
    .map_err(evidence_failure)?;
    let out = Created {
        path: created.path.display().to_string(),
        sha256: created.sha256,
        size: created.size,
        pack_id: created.manifest.pack_id.clone(),
        files: created.manifest.files.len() + 3,
        audit_events: created.manifest.audit.events,
        fingerprint: created.manifest.signer.fingerprint.clone(),
        seconds: started.elapsed().as_secs_f64(),
    };
    if json {
        print_json(&out)?;
        return Ok(());
    }
    println!(
        "Wrote {} ({}, {} files, {} audit events{}) in {:.2} s.",
        out.path,
        human_bytes(out.size),
        out.files,
        out.audit_events,
        if args.redact { ", redacted" } else { "" },
        out.seconds
    );
    println!("SHA-256 {}", out.sha256);
    println!("Signed by key {}", out.fingerprint);
    for omitted in &created.manifest.omitted {
        println!("Not included: {omitted}");
    }
    Ok(())
}

async fn verify(args: &VerifyArgs, json: bool) -> Outcome {
    let bytes = std::fs::read(&args.file)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", args.file.display())))?;
    let path = args.file.clone();
    let trusted = args.key.clone();
    let verdict =
        tokio::task::spawn_blocking(move || verify_pack(&bytes, trusted.as_deref())).await?;
    if json {
        print_json(&verdict)?;
    } else {
        if let (Some(tenant), Some((from, to))) = (&verdict.tenant, &verdict.period) {
            println!("Pack of {tenant}, {from} to {to}.");
        }
        if let Some(fp) = &verdict.fingerprint {
            println!("Signed by key {fp}: compare it with the fingerprint your MSP published.");
        }
        for passed in &verdict.passed {
            println!("ok    {passed}");
        }
        for failure in &verdict.failures {
            println!("FAIL  {failure}");
        }
    }
    if verdict.ok {
        if !json {
            println!("{}: verified.", path.display());
        }
        Ok(())
    } else {
        Err(Failure::verification(format!(
            "{} failed verification ({} problems)",
            path.display(),
            verdict.failures.len()
        )))
    }
}

#[derive(Serialize)]
struct KeyInfo {
    fingerprint: String,
    public_key: String,
    keychain: String,
    created_at: String,
    retired: Vec<String>,
}

pub async fn key(store: &Store, command: &KeyCommand, json: bool) -> Outcome {
    let keychain = OsKeychain::detect();
    match command {
        KeyCommand::Show => {
            let status = evidence::key_status(store, &keychain)
                .await
                .map_err(evidence_failure)?;
            if let Some(missing) = status.missing {
                return Err(Failure::from(anyhow::anyhow!(missing)));
            }
            let info = KeyInfo {
                fingerprint: status.active.fingerprint,
                public_key: status.active.public_key,
                keychain: status.keychain,
                created_at: status.active.created_at,
                retired: status.retired.into_iter().map(|k| k.fingerprint).collect(),
            };
            if json {
                print_json(&info)?;
            } else {
                if status.created_now {
                    println!("This workspace had no signing key: made one now.");
                }
                println!("Fingerprint  {}", info.fingerprint);
                println!("Created      {}", info.created_at);
                println!("Private key  in the {}", info.keychain);
                for old in &info.retired {
                    println!("Retired      {old}");
                }
            }
            Ok(())
        }
        KeyCommand::Export { out } => {
            let row = evidence::export_public_key(store, &keychain, out)
                .await
                .map_err(|error| match error {
                    // A bad --out is a usage error (exit code 2), as for every --out.
                    EvidenceError::BadRequest(message) => {
                        Failure::usage(format!("--out {message}"))
                    }
                    other => evidence_failure(other),
                })?;
            let path = out.display().to_string();
            if json {
                print_json(&serde_json::json!({ "path": path, "fingerprint": row.fingerprint }))?;
            } else {
                println!(
                    "Wrote the public key to {path} (fingerprint {}).",
                    row.fingerprint
                );
            }
            Ok(())
        }
        KeyCommand::Rotate => {
            let row = evidence::rotate_key(store, &keychain)
                .await
                .map_err(evidence_failure)?;
            if json {
                print_json(&row)?;
            } else {
                println!(
                    "New signing key {} (private key in the {}).",
                    row.fingerprint,
                    keychain.describe()
                );
            }
            Ok(())
        }
    }
}

//! `plumbline findings …`

use chrono::{DateTime, NaiveDate, Utc};
use plumbline_core::baseline::Severity;
use plumbline_core::findings::{Action, RiskRequest, Status};
use plumbline_core::store::{FindingFilter, FindingRow, Store};

use crate::output::print_json;
use crate::{Failure, Outcome};

#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    list: ListArgs,
}

#[derive(clap::Args, Debug, Default)]
pub struct ListArgs {
    /// Only this tenant.
    #[arg(long)]
    tenant: Option<String>,
    /// open | acknowledged | resolved | risk_accepted | false_positive
    #[arg(long)]
    status: Option<String>,
    /// low | medium | high | critical
    #[arg(long)]
    severity: Option<String>,
    /// At most this many rows.
    #[arg(long)]
    limit: Option<i64>,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// A finding with its full history.
    Show { id: String },
    /// Acknowledge findings (seen, being handled).
    Ack(Decision),
    /// Mark findings resolved (a later review re-opens them if the deviation is still there).
    Resolve(Decision),
    /// Mark findings as false positives.
    FalsePositive(Decision),
    /// Re-open findings.
    Reopen(Decision),
    /// Comment on a finding (kept in its history, synced to the team).
    Comment {
        id: String,
        /// The comment.
        #[arg(long)]
        text: String,
    },
    /// Approve the risk acceptance of a finding (four eyes: not by its accepter).
    Approve {
        id: String,
        /// A note with the approval.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Accept the risk of findings until a date, with a justification.
    Accept {
        #[arg(required = true)]
        ids: Vec<String>,
        /// Why the risk is acceptable.
        #[arg(long)]
        reason: String,
        /// Expiry date (YYYY-MM-DD, end of day UTC, or RFC 3339).
        #[arg(long)]
        until: String,
        /// The second person who approves (required when the workspace asks for four eyes).
        #[arg(long)]
        approver: Option<String>,
    },
}

#[derive(clap::Args, Debug)]
struct Decision {
    #[arg(required = true)]
    ids: Vec<String>,
    /// Why (recorded in the finding's history and the audit log).
    #[arg(long)]
    reason: Option<String>,
}

pub async fn run(store: &Store, args: &Args, json: bool) -> Outcome {
    let now = Utc::now();
    let (ids, action, reason): (&[String], Action, Option<&str>) = match &args.command {
        None => return list(store, &args.list, json).await,
        Some(Command::Show { id }) => return show(store, id, json).await,
        Some(Command::Comment { id, text }) => {
            let row = store.comment_finding(id, text).await?;
            return show(store, &row.id, json).await;
        }
        Some(Command::Approve { id, reason }) => {
            let row = store.approve_acceptance(id, reason.as_deref()).await?;
            return show(store, &row.id, json).await;
        }
        Some(Command::Ack(d)) => (&d.ids, Action::Acknowledge, d.reason.as_deref()),
        Some(Command::Resolve(d)) => (&d.ids, Action::Resolve, d.reason.as_deref()),
        Some(Command::FalsePositive(d)) => (&d.ids, Action::FalsePositive, d.reason.as_deref()),
        Some(Command::Reopen(d)) => (&d.ids, Action::Reopen, d.reason.as_deref()),
        Some(Command::Accept {
            ids,
            reason,
            until,
            approver,
        }) => (
            ids,
            Action::AcceptRisk(RiskRequest {
                justification: reason.clone(),
                expires_at: parse_until(until)?,
                accepted_by: store.writer().actor.clone(),
                approver: approver.clone(),
            }),
            Some(reason.as_str()),
        ),
    };
    let mut updated = Vec::with_capacity(ids.len());
    for answer in store.decide_findings(ids, &action, reason, now).await? {
        updated.push(answer?);
    }
    if json {
        print_json(&updated)?;
    } else {
        for f in &updated {
            println!("{}  {:<14} {}", short(&f.id), f.status, f.title);
        }
    }
    Ok(())
}

fn parse_until(text: &str) -> Result<DateTime<Utc>, Failure> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .map(|d| d.and_utc())
        .ok_or_else(|| {
            Failure::usage(format!(
                "--until {text}: use YYYY-MM-DD or an RFC 3339 time"
            ))
        })
}

fn short(id: &str) -> &str {
    id.get(..13).unwrap_or(id)
}

async fn list(store: &Store, args: &ListArgs, json: bool) -> Outcome {
    let tenant = match &args.tenant {
        Some(name) => Some(store.tenant(name).await?.id),
        None => None,
    };
    let status = args
        .status
        .as_deref()
        .map(|s| {
            Status::parse(s).ok_or_else(|| {
                Failure::usage(format!(
                    "--status {s}: use open, acknowledged, resolved, risk_accepted or false_positive"
                ))
            })
        })
        .transpose()?;
    let severity = args
        .severity
        .as_deref()
        .map(|s| {
            Severity::parse(s).ok_or_else(|| {
                Failure::usage(format!("--severity {s}: use low, medium, high or critical"))
            })
        })
        .transpose()?;
    let rows = store
        .list_findings(&FindingFilter {
            tenant,
            status,
            severity,
            limit: args.limit,
        })
        .await?;
    if json {
        print_json(&rows)?;
        return Ok(());
    }
    if rows.is_empty() {
        println!("No findings match. Run `plumbline review` after assigning a baseline.");
        return Ok(());
    }
    println!(
        "{:<13}  {:<8} {:<14} {:<28} TITLE",
        "ID", "SEVERITY", "STATUS", "TENANT"
    );
    for f in &rows {
        println!(
            "{:<13}  {:<8} {:<14} {:<28} {}",
            short(&f.id),
            f.severity,
            f.status,
            f.tenant.chars().take(28).collect::<String>(),
            f.title
        );
    }
    println!("{} findings", rows.len());
    Ok(())
}

async fn show(store: &Store, id: &str, json: bool) -> Outcome {
    let finding: FindingRow = store.finding(id).await?;
    let history = store.finding_history(&finding.id).await?;
    if json {
        print_json(&serde_json::json!({"finding": finding, "history": history}))?;
        return Ok(());
    }
    println!(
        "{}\n  id {}\n  tenant {}  baseline {}",
        finding.title,
        finding.id,
        finding.tenant,
        finding.baseline.as_deref().unwrap_or("—")
    );
    println!(
        "  {} / {} / {}",
        finding.resource_kind, finding.item, finding.setting_path
    );
    println!(
        "  expected {}  actual {}",
        finding
            .expected
            .as_ref()
            .map(|v| v.to_string())
            .unwrap_or_else(|| "not set".into()),
        finding
            .actual
            .as_ref()
            .map(|v| v.to_string())
            .unwrap_or_else(|| "not set".into())
    );
    println!(
        "  {} {}  re-opened {} times  due {}",
        finding.severity,
        finding.status,
        finding.reopen_count,
        finding.due_at.as_deref().unwrap_or("—")
    );
    for t in history {
        println!(
            "  {}  {} → {}  by {}{}",
            t.at,
            t.from_status.as_deref().unwrap_or("—"),
            t.to_status,
            t.actor,
            t.reason.map(|r| format!(": {r}")).unwrap_or_default()
        );
        if let Some(s) = t.superseded {
            println!(
                "      superseded by {} ({} → {}) at {}: both decided without seeing the other",
                s.actor,
                t.from_status.as_deref().unwrap_or("—"),
                s.to_status,
                s.at
            );
        }
    }
    Ok(())
}

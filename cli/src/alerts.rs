//! `plumbline alerts`: the inbox of alerts reviews raised, acknowledged or snoozed from
//! the command line (the desktop app shows the same inbox).

use chrono::{TimeDelta, Utc};
use plumbline_core::store::{AlertRow, AlertView, Store};
use plumbline_reports::generate::parse_day;

use crate::output::print_json;
use crate::{Failure, Outcome};

#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<AlertCommand>,
    /// Which alerts to list.
    #[arg(long, value_enum, default_value_t = Which::Open)]
    show: Which,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Which {
    Open,
    Snoozed,
    Acknowledged,
    All,
}

#[derive(clap::Subcommand, Debug)]
enum AlertCommand {
    /// Acknowledge alerts: they leave the inbox.
    Ack {
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Hide alerts until a time; they come back then.
    Snooze {
        #[arg(required = true)]
        ids: Vec<String>,
        /// Until this day (YYYY-MM-DD, start of day UTC) or RFC 3339 time.
        #[arg(long, conflicts_with = "hours")]
        until: Option<String>,
        /// For this many hours.
        #[arg(long)]
        hours: Option<i64>,
    },
}

pub async fn run(store: &Store, args: &Args, json: bool) -> Outcome {
    match &args.command {
        None => list(store, args.show, json).await,
        Some(AlertCommand::Ack { ids }) => {
            let changed = store.acknowledge_alerts(ids).await?;
            report(json, "acknowledged", changed)
        }
        Some(AlertCommand::Snooze { ids, until, hours }) => {
            let until = match (until, hours) {
                (Some(text), _) => parse_day(text, false).ok_or_else(|| {
                    Failure::usage(format!(
                        "--until {text}: use YYYY-MM-DD or an RFC 3339 time"
                    ))
                })?,
                (None, Some(hours)) if *hours > 0 => Utc::now() + TimeDelta::hours(*hours),
                _ => {
                    return Err(Failure::usage(
                        "say how long: --until YYYY-MM-DD or --hours N (N > 0)",
                    ))
                }
            };
            let changed = store.snooze_alerts(ids, until).await?;
            report(json, "snoozed", changed)
        }
    }
}

fn report(json: bool, what: &str, changed: u32) -> Outcome {
    if json {
        print_json(&serde_json::json!({ what: changed }))?;
    } else {
        println!("{changed} alerts {what}.");
    }
    Ok(())
}

async fn list(store: &Store, which: Which, json: bool) -> Outcome {
    let view = match which {
        Which::Open => AlertView::Open,
        Which::Snoozed => AlertView::Snoozed,
        Which::Acknowledged => AlertView::Acknowledged,
        Which::All => AlertView::All,
    };
    let alerts = store.list_alerts(view).await?;
    if json {
        print_json(&alerts)?;
        return Ok(());
    }
    if alerts.is_empty() {
        println!("No alerts here. Reviews raise them (`plumbline review`).");
        return Ok(());
    }
    for alert in &alerts {
        print_alert(alert);
    }
    Ok(())
}

/// One alert as a few lines of text.
pub fn print_alert(alert: &AlertRow) {
    println!(
        "{}  {:<8} {}  [{}]",
        &alert.raised_at[..16.min(alert.raised_at.len())],
        alert.severity,
        alert.title,
        alert.id
    );
    for line in alert.body.lines() {
        println!("      {line}");
    }
}

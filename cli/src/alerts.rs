//! `plumbline alerts`: the inbox of alerts reviews raised, acknowledged or snoozed from
//! the command line (the desktop app shows the same inbox); where alerts go besides the
//! inbox (destinations, routes from rules), the delivery log, dead letters and replays.

use std::path::PathBuf;

use chrono::{TimeDelta, Utc};
use plumbline_core::alerts::{Condition, TenantFilter};
use plumbline_core::delivery::email::{EmailSettings, SmtpSecurity};
use plumbline_core::delivery::manage::{self, NewDestination};
use plumbline_core::delivery::outbox;
use plumbline_core::delivery::send::DestinationKind;
use plumbline_core::escalation::{Policy, Step};
use plumbline_core::keychain::OsKeychain;
use plumbline_core::store::{AlertRow, AlertView, DestinationRow, Store, StoreError};
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
    /// Those whose condition cleared.
    Resolved,
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
    /// List where alerts go besides the inbox (never their URLs or secrets).
    Destinations,
    /// Add, test, rotate, enable, disable or remove a destination (admins only when this
    /// workspace syncs with a server).
    #[command(subcommand)]
    Destination(DestinationCommand),
    /// Send a rule's alerts to a destination (`--remove`: stop).
    Route {
        /// The rule's name or id (`plumbline alerts rules` lists them).
        rule: String,
        /// The destination's name.
        #[arg(long = "to")]
        destination: String,
        #[arg(long)]
        remove: bool,
    },
    /// The alert rules, with their destinations.
    Rules,
    /// Add, remove, enable or disable a rule.
    #[command(subcommand)]
    Rule(RuleCommand),
    /// The delivery log: newest first (`--state dead`: the dead letters).
    Deliveries {
        #[arg(long)]
        destination: Option<String>,
        #[arg(long, value_parser = ["pending", "sent", "dead", "skipped"])]
        state: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Every attempt of one delivery.
    Attempts { delivery: String },
    /// Put a dead-lettered delivery back in the outbox.
    Replay {
        #[arg(required = true)]
        deliveries: Vec<String>,
    },
    /// Send what is due now, once, escalations included (an agent does this continuously).
    Deliver,
    /// Escalation policies: steps "after N minutes, notify these destinations", stopped
    /// by an acknowledgement.
    #[command(subcommand)]
    Escalation(EscalationCommand),
    /// Silences: alerts of a rule and/or tenant reach the inbox but notify nobody until
    /// the silence ends.
    #[command(subcommand)]
    Silence(SilenceCommand),
}

/// The tenants a rule watches; none given: every tenant.
#[derive(clap::Args, Debug, Default)]
struct TenantArgs {
    /// Only this tenant (name or id; repeat for more).
    #[arg(long)]
    tenant: Vec<String>,
    /// Only tenants with this tag (repeat: any of them).
    #[arg(long)]
    tag: Vec<String>,
    /// Never this tenant (name or id; repeat for more).
    #[arg(long)]
    except: Vec<String>,
}

impl TenantArgs {
    fn given(&self) -> bool {
        !(self.tenant.is_empty() && self.tag.is_empty() && self.except.is_empty())
    }

    /// The filter, tenants named by name or id resolved to ids.
    async fn filter(&self, store: &Store) -> Result<TenantFilter, Failure> {
        Ok(TenantFilter {
            tenants: tenant_ids(store, &self.tenant).await?,
            tags: self.tag.clone(),
            exclude: tenant_ids(store, &self.except).await?,
        })
    }
}

/// Tenants named by name or id, as ids.
async fn tenant_ids(store: &Store, names: &[String]) -> Result<Vec<String>, Failure> {
    let mut ids = Vec::new();
    for name in names {
        let tenant = store
            .find_tenant(name)
            .await?
            .ok_or_else(|| Failure::usage(format!("no tenant {name:?} (`plumbline tenants`)")))?;
        ids.push(tenant.id.to_string());
    }
    Ok(ids)
}

#[derive(clap::Subcommand, Debug)]
enum RuleCommand {
    /// A new rule: `--when new-findings:high`, `lapsed`, `score-drop:10`, `expiring:14`
    /// (days), `capture-failed`, `not-captured:3` (days) or `ghost-policy`.
    Add {
        name: String,
        #[arg(long)]
        when: String,
        /// No second alert of the rule for a tenant within this long (30m, 6h, 1d).
        #[arg(long, default_value = "1d")]
        cooldown: String,
        #[command(flatten)]
        tenants: TenantArgs,
    },
    /// Which tenants a rule watches: a list, a tag, exclusions (`--all`: every tenant).
    Tenants {
        name: String,
        #[command(flatten)]
        tenants: TenantArgs,
        /// Every tenant again.
        #[arg(long, conflicts_with_all = ["tenant", "tag", "except"])]
        all: bool,
    },
    Remove {
        name: String,
    },
    Enable {
        name: String,
    },
    Disable {
        name: String,
    },
}

/// The rule named `name` (or with that id), or a usage error that says where to look.
async fn rule_named(
    store: &Store,
    name: &str,
) -> Result<plumbline_core::alerts::AlertRule, Failure> {
    store.alert_rule(name).await.map_err(|error| match error {
        StoreError::NotFound { .. } => {
            Failure::usage(format!("no alert rule {name:?} (`plumbline alerts rules`)"))
        }
        other => Failure::from(other),
    })
}

/// A rule's tenants for people.
fn describe_filter(filter: &TenantFilter) -> String {
    if filter.is_all() {
        return "every tenant".to_owned();
    }
    let mut parts = Vec::new();
    if !filter.tenants.is_empty() {
        parts.push(format!("tenants {}", filter.tenants.join(", ")));
    }
    if !filter.tags.is_empty() {
        parts.push(format!("tenants tagged {}", filter.tags.join(" or ")));
    }
    if !filter.exclude.is_empty() {
        parts.push(format!("never {}", filter.exclude.join(", ")));
    }
    parts.join("; ")
}

/// A condition as `plumbline alerts rule add --when` takes it.
fn parse_condition(text: &str) -> Result<Condition, Failure> {
    Condition::parse_spec(text).map_err(|e| Failure::usage(format!("--when {e}")))
}

async fn rule(store: &Store, command: &RuleCommand, json: bool) -> Outcome {
    may_change_destinations(store).await?;
    match command {
        RuleCommand::Add {
            name,
            when,
            cooldown,
            tenants,
        } => {
            let condition = parse_condition(when)?;
            let cooldown = parse_after(cooldown).ok_or_else(|| {
                Failure::usage(format!("--cooldown {cooldown}: write 30m, 6h or 1d"))
            })?;
            let filter = tenants.filter(store).await?;
            let mut added = store
                .add_alert_rule(name, condition, i64::from(cooldown))
                .await?;
            if tenants.given() {
                added = store.set_rule_tenants(&added.id, &filter).await?;
            }
            if json {
                print_json(&added)?;
            } else {
                println!(
                    "Rule {} added; route it: `plumbline alerts route \"{}\" --to DESTINATION`.",
                    added.name, added.name
                );
            }
        }
        RuleCommand::Tenants { name, tenants, all } => {
            if !all && !tenants.given() {
                return Err(Failure::usage(
                    "say which tenants: --tenant, --tag, --except, or --all",
                ));
            }
            let filter = tenants.filter(store).await?;
            let rule = rule_named(store, name).await?;
            let changed = store.set_rule_tenants(&rule.id, &filter).await?;
            if json {
                print_json(&changed)?;
            } else {
                println!(
                    "Rule {} watches {}.",
                    changed.name,
                    describe_filter(&changed.tenant_filter)
                );
            }
        }
        RuleCommand::Remove { name } => {
            store.remove_alert_rule(name).await?;
            if !json {
                println!("Rule {name} removed.");
            }
        }
        RuleCommand::Enable { name } | RuleCommand::Disable { name } => {
            let rule = rule_named(store, name).await?;
            let on = matches!(command, RuleCommand::Enable { .. });
            store.set_alert_rule_enabled(&rule.id, on).await?;
            if !json {
                println!(
                    "Rule {} {}.",
                    rule.name,
                    if on { "enabled" } else { "disabled" }
                );
            }
        }
    }
    Ok(())
}

#[derive(clap::Subcommand, Debug)]
enum EscalationCommand {
    /// List the policies and the rules using them.
    List,
    /// A new policy: `--step 15m:on-call --step 45m:manager,pager [--repeat 2 --repeat-after 1h]`.
    Add {
        name: String,
        /// AFTER:DESTINATION[,DESTINATION…]: how long after the alert was raised (30s,
        /// 15m, 1h; a bare number is minutes), and where.
        #[arg(long = "step", required = true)]
        steps: Vec<String>,
        /// Run the whole sequence again this many times while nobody acknowledges.
        #[arg(long, default_value_t = 0)]
        repeat: u32,
        /// From the last step to the next round (at least 1m).
        #[arg(long, default_value = "1h")]
        repeat_after: String,
    },
    Remove {
        name: String,
    },
    /// Escalate a rule's alerts with a policy (`--none`: only its routes), and set how
    /// long its first notification waits to group (seconds).
    Use {
        rule: String,
        #[arg(long, conflicts_with = "none")]
        policy: Option<String>,
        #[arg(long)]
        none: bool,
        #[arg(long)]
        group_wait: Option<i64>,
    },
}

#[derive(clap::Subcommand, Debug)]
enum SilenceCommand {
    /// List the silences (active first).
    List,
    /// Silence a rule's alerts, a tenant's, or a rule's for a tenant.
    Add {
        /// The rule's name or id.
        #[arg(long)]
        rule: Option<String>,
        /// The tenant's name or id.
        #[arg(long)]
        tenant: Option<String>,
        /// For this many hours.
        #[arg(long, conflicts_with = "until")]
        hours: Option<i64>,
        /// Until this day (YYYY-MM-DD) or RFC 3339 time.
        #[arg(long)]
        until: Option<String>,
        /// Why (colleagues will ask).
        #[arg(long)]
        comment: String,
    },
    /// End a silence now.
    Expire { id: String },
}

#[derive(clap::Args, Debug)]
struct AddDestination {
    name: String,
    #[arg(long, value_parser = ["webhook", "teams", "slack", "pagerduty", "email"])]
    kind: String,
    /// The URL (a Slack or Teams URL is itself a secret: prefer --url-file). E-mail:
    /// the relay, smtp://relay.example:587 (STARTTLS) or smtps://relay.example:465.
    #[arg(long, conflicts_with = "url_file")]
    url: Option<String>,
    /// A file holding the URL.
    #[arg(long)]
    url_file: Option<PathBuf>,
    /// Webhooks: a file holding the signing secret (whsec_…); without it, one is made.
    #[arg(long)]
    signing_secret_file: Option<PathBuf>,
    /// PagerDuty: a file holding the Events API v2 routing key.
    #[arg(long)]
    routing_key_file: Option<PathBuf>,
    /// E-mail: the sender (`alerts@msp.example` or `Plumbline <alerts@msp.example>`).
    #[arg(long)]
    from: Option<String>,
    /// E-mail: a recipient (repeat for more).
    #[arg(long)]
    to: Vec<String>,
    /// E-mail: the SMTP user name, when the relay wants one.
    #[arg(long, requires = "smtp_password_file")]
    smtp_user: Option<String>,
    /// E-mail: a file holding the SMTP password.
    #[arg(long, requires = "smtp_user")]
    smtp_password_file: Option<PathBuf>,
    /// E-mail: starttls (the default; refused when the relay does not offer it), tls
    /// (implied by smtps://), or none (only with --allow-private: a relay on your own
    /// network).
    #[arg(long, value_parser = ["starttls", "tls", "none"], default_value = "starttls")]
    smtp_security: String,
    /// E-mail: a PEM file with a private CA the relay's certificate chains to.
    #[arg(long)]
    ca_file: Option<PathBuf>,
    /// Allow a private, loopback or link-local address (and plain http or SMTP there).
    #[arg(long)]
    allow_private: bool,
}

#[derive(clap::Subcommand, Debug)]
enum DestinationCommand {
    /// A new destination. Its URL and secrets go to the OS keychain and are never shown
    /// again, except a webhook's new signing secret, shown once for the receiver.
    Add(Box<AddDestination>),
    /// Webhooks: a new signing secret, shown once; the old one keeps signing alongside
    /// until `--finish` (receivers switch in between).
    RotateSecret {
        name: String,
        /// End the overlap: only the newest secret signs.
        #[arg(long)]
        finish: bool,
    },
    /// Put a test alert in the outbox and send it now.
    Test {
        name: String,
    },
    Enable {
        name: String,
    },
    Disable {
        name: String,
    },
    Remove {
        name: String,
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
        Some(AlertCommand::Destinations) => {
            let destinations = store.destinations().await?;
            if json {
                print_json(&destinations)?;
            } else if destinations.is_empty() {
                println!("No destinations: alerts stay in the inbox (`plumbline alerts destination add`).");
            } else {
                for d in &destinations {
                    print_destination(d);
                }
            }
            Ok(())
        }
        Some(AlertCommand::Destination(command)) => destination(store, command, json).await,
        Some(AlertCommand::Route {
            rule,
            destination,
            remove,
        }) => {
            may_change_destinations(store).await?;
            store.route_rule(rule, destination, !remove).await?;
            if !json {
                println!(
                    "Alerts of {rule:?} {} {destination}.",
                    if *remove {
                        "no longer go to"
                    } else {
                        "now go to"
                    }
                );
            }
            Ok(())
        }
        Some(AlertCommand::Rules) => {
            let rules = store.alert_rules().await?;
            let destinations = store.destinations().await?;
            let view: Vec<serde_json::Value> = rules
                .iter()
                .map(|r| {
                    let to: Vec<&str> = destinations
                        .iter()
                        .filter(|d| d.rules.contains(&r.name))
                        .map(|d| d.name.as_str())
                        .collect();
                    serde_json::json!({
                        "id": r.id, "name": r.name, "condition": r.condition,
                        "tenants": r.tenant_filter,
                        "enabled": r.enabled, "cooldown_secs": r.cooldown_secs,
                        "destinations": to,
                    })
                })
                .collect();
            if json {
                print_json(&view)?;
            } else {
                for (rule, v) in rules.iter().zip(&view) {
                    println!(
                        "{:<40} {}  {}  → {}",
                        rule.name,
                        if rule.enabled { "on " } else { "off" },
                        describe_filter(&rule.tenant_filter),
                        v["destinations"]
                            .as_array()
                            .filter(|a| !a.is_empty())
                            .map(|a| a
                                .iter()
                                .filter_map(|d| d.as_str())
                                .collect::<Vec<_>>()
                                .join(", "))
                            .unwrap_or_else(|| "inbox only".to_owned())
                    );
                }
            }
            Ok(())
        }
        Some(AlertCommand::Deliveries {
            destination,
            state,
            limit,
        }) => {
            let rows = store
                .deliveries(destination.as_deref(), state.as_deref(), *limit)
                .await?;
            if json {
                print_json(&rows)?;
            } else if rows.is_empty() {
                println!("No deliveries.");
            } else {
                for d in &rows {
                    println!(
                        "{}  {:<8} {:<20} {}  attempts {}{}  [{}]",
                        &d.created_at[..16.min(d.created_at.len())],
                        d.state,
                        d.destination,
                        d.title,
                        d.attempts,
                        d.last_error
                            .as_deref()
                            .map(|e| format!(", last: {e}"))
                            .unwrap_or_default(),
                        d.id
                    );
                }
            }
            Ok(())
        }
        Some(AlertCommand::Attempts { delivery }) => {
            let attempts = store.delivery_attempts(delivery).await?;
            if json {
                print_json(&attempts)?;
            } else {
                for a in &attempts {
                    println!(
                        "{}  {:<6} {:>4} {:>6} ms  {}",
                        a.at,
                        a.outcome,
                        a.status
                            .map(|s| s.to_string())
                            .unwrap_or_else(|| "-".into()),
                        a.latency_ms,
                        a.error.as_deref().unwrap_or("")
                    );
                }
            }
            Ok(())
        }
        Some(AlertCommand::Replay { deliveries }) => {
            let mut replayed = Vec::new();
            for id in deliveries {
                replayed.push(store.replay_delivery(id).await?);
            }
            if json {
                print_json(&replayed)?;
            } else {
                println!("{} deliveries are back in the outbox.", replayed.len());
            }
            Ok(())
        }
        Some(AlertCommand::Deliver) => {
            let keychain = OsKeychain::detect();
            let round = outbox::deliver_round(
                store,
                &keychain,
                &plumbline_core::sync::engine::SyncOptions::default(),
                Utc::now(),
            )
            .await?;
            if json {
                print_json(&round)?;
            } else {
                println!(
                    "Escalated {}, sent {}, to retry {}, dead-lettered {}.",
                    round.escalation.escalated,
                    round.delivery.sent,
                    round.delivery.retried,
                    round.delivery.dead
                );
            }
            Ok(())
        }
        Some(AlertCommand::Rule(command)) => rule(store, command, json).await,
        Some(AlertCommand::Escalation(command)) => escalation(store, command, json).await,
        Some(AlertCommand::Silence(command)) => silence(store, command, json).await,
    }
}

/// `30s`, `15m`, `2h` or a bare number of minutes, in seconds.
fn parse_after(text: &str) -> Option<u32> {
    plumbline_core::escalation::parse_duration(text)
}

fn parse_step(text: &str) -> Result<Step, Failure> {
    Step::parse(text).map_err(|e| Failure::usage(format!("--step {e}")))
}

async fn escalation(store: &Store, command: &EscalationCommand, json: bool) -> Outcome {
    match command {
        EscalationCommand::List => {
            let policies = store.escalation_policies().await?;
            if json {
                print_json(&policies)?;
            } else if policies.is_empty() {
                println!("No escalation policies (`plumbline alerts escalation add`).");
            } else {
                for p in &policies {
                    let steps: Vec<String> = p
                        .policy
                        .steps
                        .iter()
                        .map(|s| format!("+{} s → {}", s.after_seconds, s.destinations.join(", ")))
                        .collect();
                    println!(
                        "{:<24} {}{}{}",
                        p.name,
                        steps.join("; "),
                        if p.policy.repeats > 0 {
                            format!(
                                "; again {}× after {} s",
                                p.policy.repeats, p.policy.repeat_after_seconds
                            )
                        } else {
                            String::new()
                        },
                        if p.rules.is_empty() {
                            String::new()
                        } else {
                            format!("  ← {}", p.rules.join(", "))
                        }
                    );
                }
            }
            Ok(())
        }
        EscalationCommand::Add {
            name,
            steps,
            repeat,
            repeat_after,
        } => {
            may_change_destinations(store).await?;
            let policy = Policy {
                steps: steps
                    .iter()
                    .map(|s| parse_step(s))
                    .collect::<Result<_, _>>()?,
                repeats: *repeat,
                repeat_after_seconds: parse_after(repeat_after).ok_or_else(|| {
                    Failure::usage(format!(
                        "--repeat-after {repeat_after}: write 30m, 1h or 90s"
                    ))
                })?,
            };
            let row = store.add_escalation_policy(name, &policy).await?;
            if json {
                print_json(&row)?;
            } else {
                println!(
                    "Policy {} added; use it: `plumbline alerts escalation use RULE --policy {}`.",
                    row.name, row.name
                );
            }
            Ok(())
        }
        EscalationCommand::Remove { name } => {
            may_change_destinations(store).await?;
            store.remove_escalation_policy(name).await?;
            if !json {
                println!("Removed {name}.");
            }
            Ok(())
        }
        EscalationCommand::Use {
            rule,
            policy,
            none,
            group_wait,
        } => {
            may_change_destinations(store).await?;
            if policy.is_none() && !none && group_wait.is_none() {
                return Err(Failure::usage(
                    "say what to change: --policy NAME, --none or --group-wait SECONDS",
                ));
            }
            let current = if policy.is_none() && !none {
                store
                    .alert_rule(rule)
                    .await
                    .ok()
                    .and_then(|r| r.escalation_policy_id)
            } else {
                policy.clone()
            };
            store
                .set_rule_escalation(rule, current.as_deref(), *group_wait)
                .await?;
            if !json {
                println!("Rule {rule:?} updated.");
            }
            Ok(())
        }
    }
}

async fn silence(store: &Store, command: &SilenceCommand, json: bool) -> Outcome {
    match command {
        SilenceCommand::List => {
            let now = Utc::now();
            let mut silences = store.silences().await?;
            silences.sort_by_key(|s| (s.ends_at <= now, std::cmp::Reverse(s.ends_at)));
            if json {
                print_json(&silences)?;
            } else if silences.is_empty() {
                println!("No silences.");
            } else {
                for s in &silences {
                    println!(
                        "{}  {} until {}  rule {}  tenant {}  — {}",
                        s.id,
                        if s.ends_at > now {
                            "ACTIVE "
                        } else {
                            "expired"
                        },
                        s.ends_at.format("%Y-%m-%d %H:%M UTC"),
                        s.rule_id.as_deref().unwrap_or("any"),
                        s.tenant_id.as_deref().unwrap_or("any"),
                        s.comment
                    );
                }
            }
            Ok(())
        }
        SilenceCommand::Add {
            rule,
            tenant,
            hours,
            until,
            comment,
        } => {
            if rule.is_none() && tenant.is_none() {
                return Err(Failure::usage(
                    "a silence names a rule (--rule), a tenant (--tenant) or both: silencing everything hides what matters",
                ));
            }
            let ends_at = match (until, hours) {
                (Some(text), _) => parse_day(text, false).ok_or_else(|| {
                    Failure::usage(format!(
                        "--until {text}: use YYYY-MM-DD or an RFC 3339 time"
                    ))
                })?,
                (None, Some(hours)) if *hours > 0 => Utc::now() + TimeDelta::hours(*hours),
                _ => {
                    return Err(Failure::usage(
                        "say how long: --hours N or --until YYYY-MM-DD",
                    ))
                }
            };
            let rule_id = match rule {
                Some(name) => Some(rule_named(store, name).await?.id),
                None => None,
            };
            let tenant_id = match tenant {
                Some(name) => Some(
                    store
                        .find_tenant(name)
                        .await?
                        .ok_or_else(|| {
                            Failure::usage(format!("no tenant {name:?} (`plumbline tenants`)"))
                        })?
                        .id
                        .to_string(),
                ),
                None => None,
            };
            let silence = store
                .add_silence(rule_id.as_deref(), tenant_id.as_deref(), ends_at, comment)
                .await?;
            if json {
                print_json(&silence)?;
            } else {
                println!(
                    "Silenced until {} [{}].",
                    silence.ends_at.format("%Y-%m-%d %H:%M UTC"),
                    silence.id
                );
            }
            Ok(())
        }
        SilenceCommand::Expire { id } => {
            store.expire_silence(id).await?;
            if !json {
                println!("Silence {id} ended.");
            }
            Ok(())
        }
    }
}

fn print_destination(d: &DestinationRow) {
    let state = if d.enabled {
        match &d.failing_since {
            Some(since) => format!("failing since {since}"),
            None => "enabled".to_owned(),
        }
    } else {
        format!(
            "DISABLED: {}",
            d.disabled_reason.as_deref().unwrap_or("by an admin")
        )
    };
    println!(
        "{:<24} {:<9} {:<32} {}{}",
        d.name,
        d.kind,
        d.target,
        state,
        if d.rules.is_empty() {
            String::new()
        } else {
            format!("  ← {}", d.rules.join(", "))
        }
    );
}

/// Destinations change only by admins (and owners) of the server workspace, when this
/// workspace syncs with one.
async fn may_change_destinations(store: &Store) -> Result<(), Failure> {
    manage::check_admin(store)
        .await
        .map_err(|e| Failure::usage(e.to_string()))
}

fn read_file(path: &PathBuf, what: &str) -> Result<String, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read {what} from {}: {e}", path.display())))?;
    let text = text.trim().to_owned();
    if text.is_empty() {
        return Err(Failure::usage(format!("{} is empty", path.display())));
    }
    Ok(text)
}

async fn destination(store: &Store, command: &DestinationCommand, json: bool) -> Outcome {
    let keychain = OsKeychain::detect();
    match command {
        DestinationCommand::Add(add) => {
            let AddDestination {
                name,
                kind,
                url,
                url_file,
                signing_secret_file,
                routing_key_file,
                from,
                to,
                smtp_user,
                smtp_password_file,
                smtp_security,
                ca_file,
                allow_private,
            } = add.as_ref();
            may_change_destinations(store).await?;
            let email = (kind == "email")
                .then(|| -> Result<EmailSettings, Failure> {
                    Ok(EmailSettings {
                        from: from.clone().unwrap_or_default(),
                        to: to.clone(),
                        username: smtp_user.clone(),
                        password: smtp_password_file
                            .as_ref()
                            .map(|path| read_file(path, "the SMTP password"))
                            .transpose()?,
                        security: SmtpSecurity::parse(smtp_security).unwrap_or_default(),
                        ca_pem: ca_file
                            .as_ref()
                            .map(|path| read_file(path, "the CA certificate"))
                            .transpose()?,
                    })
                })
                .transpose()?;
            let url = match (url, url_file) {
                (Some(url), _) => url.clone(),
                (None, Some(path)) => read_file(path, "the URL")?,
                (None, None) => String::new(),
            };
            let added = manage::add_destination(
                store,
                &keychain,
                NewDestination {
                    name: name.clone(),
                    kind: DestinationKind::parse(kind),
                    url,
                    signing_secret: signing_secret_file
                        .as_ref()
                        .map(|path| read_file(path, "the signing secret"))
                        .transpose()?,
                    routing_key: routing_key_file
                        .as_ref()
                        .map(|path| read_file(path, "the routing key"))
                        .transpose()?,
                    email,
                    allow_private: *allow_private,
                },
            )
            .await
            .map_err(|e| match e {
                StoreError::Invalid(message) => Failure::usage(message),
                other => Failure::from(other),
            })?;
            if json {
                print_json(&added)?;
            } else {
                print_destination(&added.destination);
                if let Some(secret) = &added.signing_secret {
                    println!("Signing secret (shown once; give it to the receiver to verify signatures):\n{secret}");
                }
                let name = &added.destination.name;
                println!("Route rules to it: `plumbline alerts route RULE --to {name}`; try it: `plumbline alerts destination test {name}`.");
            }
            Ok(())
        }
        DestinationCommand::RotateSecret { name, finish } => {
            may_change_destinations(store).await?;
            if *finish {
                manage::finish_rotation(store, &keychain, name).await?;
                if json {
                    print_json(&serde_json::json!({ "signing_secret": null }))?;
                } else {
                    println!("Only the newest signing secret signs now.");
                }
            } else {
                let new = manage::rotate_secret(store, &keychain, name).await?;
                if json {
                    print_json(&serde_json::json!({ "signing_secret": new }))?;
                } else {
                    println!("New signing secret (shown once); messages carry both signatures until `--finish`:\n{new}");
                }
            }
            Ok(())
        }
        DestinationCommand::Test { name } => {
            let outcome = manage::send_test(store, &keychain, name).await?;
            let after = &outcome.delivery;
            if json {
                print_json(&outcome)?;
            } else if after.state == "sent" {
                println!(
                    "The test alert reached {} ({}).",
                    after.destination,
                    after.last_status.map(|s| s.to_string()).unwrap_or_default()
                );
            } else {
                println!(
                    "The test alert did not reach {}: {} (state {}).",
                    after.destination,
                    after.last_error.as_deref().unwrap_or("not sent yet"),
                    after.state
                );
            }
            if after.state == "sent" {
                Ok(())
            } else {
                Err(Failure::server(format!(
                    "the test alert was not delivered: {}",
                    after.last_error.clone().unwrap_or_default()
                )))
            }
        }
        DestinationCommand::Enable { name } | DestinationCommand::Disable { name } => {
            may_change_destinations(store).await?;
            let enable = matches!(command, DestinationCommand::Enable { .. });
            let row = store
                .set_destination_enabled(name, enable, Some("disabled by an admin"))
                .await?;
            if json {
                print_json(&row)?;
            } else {
                print_destination(&row);
            }
            Ok(())
        }
        DestinationCommand::Remove { name } => {
            let row = manage::remove_destination(store, &keychain, name).await?;
            if !json {
                println!("Removed {} and its deliveries.", row.name);
            }
            Ok(())
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
        Which::Resolved => AlertView::Resolved,
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
    if let Some(at) = &alert.resolved_at {
        println!("      resolved {}", &at[..16.min(at.len())]);
    }
}

//! The alerts inbox (list, acknowledge, snooze) and where alerts go: rules and their
//! routes, destinations, the delivery log and its dead letters, silences, escalation
//! policies (a few lines each over the store and `plumbline_core::delivery::manage`).

use chrono::{DateTime, TimeDelta, Utc};
use plumbline_core::alerts::{Condition, TenantFilter};
use plumbline_core::delivery::email::{EmailSettings, SmtpSecurity};
use plumbline_core::delivery::manage::{self, AddedDestination, NewDestination, TestOutcome};
use plumbline_core::delivery::send::DestinationKind;
use plumbline_core::escalation::{parse_duration, Policy, Step};
use plumbline_core::store::{
    timestamp, AlertRow, AlertView, AttemptRow, DeliveryRow, DestinationRow, PolicyRow,
};
use tauri::State;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

/// Alerts in one view of the inbox, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_alerts(
    state: State<'_, AppState>,
    view: AlertView,
) -> Result<Vec<AlertRow>, CommandError> {
    Ok(state.store()?.list_alerts(view).await?)
}

/// How many alerts are open (the inbox badge).
#[tauri::command]
#[specta::specta]
pub async fn open_alert_count(state: State<'_, AppState>) -> Result<u32, CommandError> {
    Ok(state.store()?.open_alert_count().await?)
}

/// Acknowledges alerts; returns how many changed.
#[tauri::command]
#[specta::specta]
pub async fn acknowledge_alerts(
    state: State<'_, AppState>,
    ids: Vec<String>,
) -> Result<u32, CommandError> {
    Ok(state.store()?.acknowledge_alerts(&ids).await?)
}

/// Snoozes alerts for `hours`, or until `until` (RFC 3339); returns how many changed.
#[tauri::command]
#[specta::specta]
pub async fn snooze_alerts(
    state: State<'_, AppState>,
    ids: Vec<String>,
    hours: Option<u32>,
    until: Option<String>,
) -> Result<u32, CommandError> {
    let until = match (hours, until.as_deref().map(str::trim)) {
        (_, Some(text)) if !text.is_empty() => DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                CommandError::new(
                    ErrorCode::InvalidInput,
                    format!("“{text}” is not a time: pick a date and time in the future."),
                )
            })?,
        (Some(hours), _) if hours > 0 => TimeDelta::try_hours(i64::from(hours))
            .and_then(|span| Utc::now().checked_add_signed(span))
            .ok_or_else(|| {
                CommandError::new(
                    ErrorCode::InvalidInput,
                    format!("{hours} hours is too long a snooze: choose a date instead."),
                )
            })?,
        _ => {
            return Err(CommandError::new(
                ErrorCode::InvalidInput,
                "Say how long to snooze: a number of hours or a time.",
            ))
        }
    };
    Ok(state.store()?.snooze_alerts(&ids, until).await?)
}

// ---- Where alerts go: destinations, the delivery log, silences, escalation policies.

/// A silence as the console shows it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SilenceRow {
    pub id: String,
    /// The rule's name (`None`: any rule).
    pub rule: Option<String>,
    /// The tenant's name (`None`: any tenant).
    pub tenant: Option<String>,
    pub starts_at: String,
    pub ends_at: String,
    pub comment: String,
    pub active: bool,
}

/// What the console's "Add destination" form sends.
#[derive(Clone, Debug, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DestinationInput {
    pub name: String,
    /// webhook | teams | slack | pagerduty | email
    pub kind: String,
    /// E-mail: the relay, `smtp://…:587` or `smtps://…:465`.
    pub url: String,
    pub routing_key: Option<String>,
    /// E-mail: the sender.
    pub from: Option<String>,
    /// E-mail: recipients, comma-separated.
    pub to: Option<String>,
    pub smtp_user: Option<String>,
    pub smtp_password: Option<String>,
    /// starttls | tls | none
    pub smtp_security: Option<String>,
    pub allow_private: bool,
}

/// Every destination (never their URLs or secrets).
#[tauri::command]
#[specta::specta]
pub async fn list_destinations(
    state: State<'_, AppState>,
) -> Result<Vec<DestinationRow>, CommandError> {
    Ok(state.store()?.destinations().await?)
}

/// Adds a destination; a webhook's signing secret comes back this once.
#[tauri::command]
#[specta::specta]
pub async fn add_destination(
    state: State<'_, AppState>,
    input: DestinationInput,
) -> Result<AddedDestination, CommandError> {
    let store = state.store()?;
    let keychain = state.keychain();
    Ok(manage::add_destination(
        store,
        keychain.as_ref(),
        NewDestination {
            name: input.name,
            kind: DestinationKind::parse(&input.kind),
            url: input.url,
            signing_secret: None,
            routing_key: input.routing_key,
            email: (input.kind == "email").then(|| EmailSettings {
                from: input.from.unwrap_or_default(),
                to: input.to.into_iter().collect(),
                username: input.smtp_user,
                password: input.smtp_password,
                security: input
                    .smtp_security
                    .as_deref()
                    .and_then(SmtpSecurity::parse)
                    .unwrap_or_default(),
                ca_pem: None,
            }),
            allow_private: input.allow_private,
        },
    )
    .await?)
}

/// Sends a test alert to the destination now; its delivery and attempts.
#[tauri::command]
#[specta::specta]
pub async fn test_destination(
    state: State<'_, AppState>,
    name: String,
) -> Result<TestOutcome, CommandError> {
    let keychain = state.keychain();
    Ok(manage::send_test(state.store()?, keychain.as_ref(), &name).await?)
}

/// Enables a destination again (its failures forgotten) or disables it.
#[tauri::command]
#[specta::specta]
pub async fn set_destination_enabled(
    state: State<'_, AppState>,
    name: String,
    enabled: bool,
) -> Result<DestinationRow, CommandError> {
    let store = state.store()?;
    manage::check_admin(store).await?;
    Ok(store
        .set_destination_enabled(&name, enabled, Some("disabled by an admin"))
        .await?)
}

/// Removes a destination, its deliveries and its secret.
#[tauri::command]
#[specta::specta]
pub async fn remove_destination(
    state: State<'_, AppState>,
    name: String,
) -> Result<(), CommandError> {
    let keychain = state.keychain();
    manage::remove_destination(state.store()?, keychain.as_ref(), &name).await?;
    Ok(())
}

/// The delivery log, newest first: all, or one state (`dead`: the dead letters).
#[tauri::command]
#[specta::specta]
pub async fn list_deliveries(
    state: State<'_, AppState>,
    delivery_state: Option<String>,
) -> Result<Vec<DeliveryRow>, CommandError> {
    Ok(state
        .store()?
        .deliveries(None, delivery_state.as_deref(), 200)
        .await?)
}

/// Every attempt of a delivery.
#[tauri::command]
#[specta::specta]
pub async fn delivery_attempts(
    state: State<'_, AppState>,
    id: String,
) -> Result<Vec<AttemptRow>, CommandError> {
    Ok(state.store()?.delivery_attempts(&id).await?)
}

/// Puts a dead letter back in the outbox.
#[tauri::command]
#[specta::specta]
pub async fn replay_delivery(
    state: State<'_, AppState>,
    id: String,
) -> Result<DeliveryRow, CommandError> {
    Ok(state.store()?.replay_delivery(&id).await?)
}

/// The silences, active first.
#[tauri::command]
#[specta::specta]
pub async fn list_silences(state: State<'_, AppState>) -> Result<Vec<SilenceRow>, CommandError> {
    let store = state.store()?;
    let rules = store.alert_rules().await?;
    let now = Utc::now();
    let mut rows = Vec::new();
    for silence in store.silences().await? {
        let tenant = match &silence.tenant_id {
            Some(id) => Some(
                store
                    .find_tenant(id)
                    .await?
                    .map_or_else(|| id.clone(), |t| t.name),
            ),
            None => None,
        };
        rows.push(SilenceRow {
            rule: silence.rule_id.as_ref().map(|id| {
                rules.iter().find(|r| r.id == *id).map_or_else(
                    // A removed rule's silence keeps its name.
                    || id.strip_prefix("rule-name:").unwrap_or(id).to_owned(),
                    |r| r.name.clone(),
                )
            }),
            tenant,
            starts_at: timestamp(silence.starts_at),
            ends_at: timestamp(silence.ends_at),
            active: silence.starts_at <= now && now < silence.ends_at,
            comment: silence.comment,
            id: silence.id,
        });
    }
    rows.sort_by(|a, b| b.active.cmp(&a.active).then(b.ends_at.cmp(&a.ends_at)));
    Ok(rows)
}

/// Silences a tenant's alerts (or every tenant's) of one rule (or every rule) for `hours`.
#[tauri::command]
#[specta::specta]
pub async fn add_silence(
    state: State<'_, AppState>,
    rule_id: Option<String>,
    tenant_id: Option<String>,
    hours: u32,
    comment: String,
) -> Result<(), CommandError> {
    if rule_id.is_none() && tenant_id.is_none() {
        return Err(CommandError::new(
            ErrorCode::InvalidInput,
            "Choose a rule, a tenant or both: silencing everything would hide what matters.",
        ));
    }
    let ends = TimeDelta::try_hours(i64::from(hours.clamp(1, 24 * 90)))
        .and_then(|span| Utc::now().checked_add_signed(span))
        .ok_or_else(|| CommandError::new(ErrorCode::InvalidInput, "Choose a shorter silence."))?;
    state
        .store()?
        .add_silence(rule_id.as_deref(), tenant_id.as_deref(), ends, &comment)
        .await?;
    Ok(())
}

/// Ends a silence now.
#[tauri::command]
#[specta::specta]
pub async fn expire_silence(state: State<'_, AppState>, id: String) -> Result<(), CommandError> {
    Ok(state.store()?.expire_silence(&id).await?)
}

/// The escalation policies and the rules that use them.
#[tauri::command]
#[specta::specta]
pub async fn list_escalation_policies(
    state: State<'_, AppState>,
) -> Result<Vec<PolicyRow>, CommandError> {
    Ok(state.store()?.escalation_policies().await?)
}

/// An alert rule as the console lists it.
#[derive(Clone, Debug, serde::Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RuleRow {
    pub id: String,
    pub name: String,
    /// The condition as `plumbline alerts rule add --when` writes it (`new-findings:high`).
    pub when: String,
    pub enabled: bool,
    pub cooldown_secs: u32,
    pub group_wait_secs: u32,
    /// The escalation policy's name.
    pub policy: Option<String>,
    /// The destinations it is routed to (names).
    pub destinations: Vec<String>,
    /// Only these tenants (names); empty: every tenant.
    pub tenants: Vec<String>,
    /// Only tenants with one of these tags.
    pub tags: Vec<String>,
    /// Never these tenants (names).
    pub except: Vec<String>,
    /// The ids of `tenants` and `except`, in the same order (to edit the rule's tenants).
    pub tenant_ids: Vec<String>,
    pub except_ids: Vec<String>,
}

fn invalid(message: String) -> CommandError {
    CommandError::new(ErrorCode::InvalidInput, message)
}

fn seconds_u32(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

/// Every alert rule with its routes and escalation policy.
#[tauri::command]
#[specta::specta]
pub async fn list_alert_rules(state: State<'_, AppState>) -> Result<Vec<RuleRow>, CommandError> {
    let store = state.store()?;
    let destinations = store.destinations().await?;
    let policies = store.escalation_policies().await?;
    let known = store.list_tenants().await?;
    let names = |ids: &[String]| -> Vec<String> {
        ids.iter()
            .map(|id| {
                known
                    .iter()
                    .find(|t| t.id.to_string() == *id)
                    .map_or_else(|| id.clone(), |t| t.name.clone())
            })
            .collect()
    };
    Ok(store
        .alert_rules()
        .await?
        .into_iter()
        .map(|rule| RuleRow {
            tenants: names(&rule.tenant_filter.tenants),
            tags: rule.tenant_filter.tags.clone(),
            except: names(&rule.tenant_filter.exclude),
            tenant_ids: rule.tenant_filter.tenants.clone(),
            except_ids: rule.tenant_filter.exclude.clone(),
            when: rule.condition.spec(),
            enabled: rule.enabled,
            cooldown_secs: seconds_u32(rule.cooldown_secs),
            group_wait_secs: seconds_u32(rule.group_wait_secs),
            policy: rule.escalation_policy_id.as_ref().map(|id| {
                policies
                    .iter()
                    .find(|p| p.id == *id)
                    .map_or_else(|| id.clone(), |p| p.name.clone())
            }),
            destinations: destinations
                .iter()
                .filter(|d| d.rules.contains(&rule.name))
                .map(|d| d.name.clone())
                .collect(),
            id: rule.id,
            name: rule.name,
        })
        .collect())
}

/// A new rule: `when` as the CLI's `--when`, `cooldown` as `30m`, `6h`, `1d`; it watches
/// tenants with one of `tags` (none: every tenant) except those in `except` (ids).
#[tauri::command]
#[specta::specta]
pub async fn add_alert_rule(
    state: State<'_, AppState>,
    name: String,
    when: String,
    cooldown: String,
    tags: Vec<String>,
    except: Vec<String>,
) -> Result<(), CommandError> {
    let store = state.store()?;
    manage::check_admin(store).await?;
    let condition = Condition::parse_spec(&when).map_err(invalid)?;
    let cooldown = parse_duration(&cooldown).ok_or_else(|| {
        invalid(format!(
            "{cooldown:?}: write the repeat interval as 30m, 6h or 1d"
        ))
    })?;
    let filter = TenantFilter {
        tenants: Vec::new(),
        tags,
        exclude: except,
    };
    let added = store
        .add_alert_rule(&name, condition, i64::from(cooldown))
        .await?;
    if !filter.tidy().is_all() {
        store.set_rule_tenants(&added.id, &filter).await?;
    }
    Ok(())
}

/// Changes which tenants a rule watches: only `tenants` (ids; none: every tenant), only
/// those with one of `tags`, never those in `except` (ids). It syncs with the rule.
#[tauri::command]
#[specta::specta]
pub async fn set_alert_rule_tenants(
    state: State<'_, AppState>,
    rule: String,
    tenants: Vec<String>,
    tags: Vec<String>,
    except: Vec<String>,
) -> Result<(), CommandError> {
    let store = state.store()?;
    manage::check_admin(store).await?;
    let known = store.list_tenants().await?;
    if let Some(unknown) = tenants
        .iter()
        .chain(&except)
        .find(|id| !known.iter().any(|t| t.id.to_string() == **id))
    {
        return Err(invalid(format!(
            "no tenant {unknown} in this workspace: reload the page and choose again"
        )));
    }
    let rule = store.alert_rule(&rule).await?;
    let filter = TenantFilter {
        tenants,
        tags,
        exclude: except,
    };
    store.set_rule_tenants(&rule.id, &filter).await?;
    Ok(())
}

/// Turns a rule on or off (by name or id).
#[tauri::command]
#[specta::specta]
pub async fn set_alert_rule_enabled(
    state: State<'_, AppState>,
    rule: String,
    enabled: bool,
) -> Result<(), CommandError> {
    let store = state.store()?;
    manage::check_admin(store).await?;
    let rule = store.alert_rule(&rule).await?;
    Ok(store.set_alert_rule_enabled(&rule.id, enabled).await?)
}

/// Removes a rule (its alerts stay in the inbox).
#[tauri::command]
#[specta::specta]
pub async fn remove_alert_rule(
    state: State<'_, AppState>,
    rule: String,
) -> Result<(), CommandError> {
    let store = state.store()?;
    manage::check_admin(store).await?;
    Ok(store.remove_alert_rule(&rule).await?)
}

/// Sends a rule's alerts to a destination (`on`) or stops it.
#[tauri::command]
#[specta::specta]
pub async fn route_alert_rule(
    state: State<'_, AppState>,
    rule: String,
    destination: String,
    on: bool,
) -> Result<(), CommandError> {
    let store = state.store()?;
    manage::check_admin(store).await?;
    Ok(store.route_rule(&rule, &destination, on).await?)
}

/// Sets (or clears) a rule's escalation policy, keeping its group wait.
#[tauri::command]
#[specta::specta]
pub async fn set_rule_policy(
    state: State<'_, AppState>,
    rule: String,
    policy: Option<String>,
) -> Result<(), CommandError> {
    let store = state.store()?;
    manage::check_admin(store).await?;
    Ok(store
        .set_rule_escalation(&rule, policy.as_deref(), None)
        .await?)
}

/// A new escalation policy: steps as `15m:on-call`, `45m:manager,pager`.
#[tauri::command]
#[specta::specta]
pub async fn add_escalation_policy(
    state: State<'_, AppState>,
    name: String,
    steps: Vec<String>,
    repeats: u32,
    repeat_after: String,
) -> Result<PolicyRow, CommandError> {
    let store = state.store()?;
    manage::check_admin(store).await?;
    let steps = steps
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| Step::parse(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(invalid)?;
    let repeat_after_seconds = match (repeats, repeat_after.trim()) {
        (0, "") => 0,
        (_, text) => parse_duration(text).ok_or_else(|| {
            invalid(format!(
                "{text:?}: write the time between rounds as 30m or 1h"
            ))
        })?,
    };
    Ok(store
        .add_escalation_policy(
            &name,
            &Policy {
                steps,
                repeats,
                repeat_after_seconds,
            },
        )
        .await?)
}

/// Removes an escalation policy (rules using it escalate no more).
#[tauri::command]
#[specta::specta]
pub async fn remove_escalation_policy(
    state: State<'_, AppState>,
    name: String,
) -> Result<(), CommandError> {
    let store = state.store()?;
    manage::check_admin(store).await?;
    Ok(store.remove_escalation_policy(&name).await?)
}

/// How often the desktop escalates and sends what is due.
const DELIVERY_TICK: std::time::Duration = std::time::Duration::from_secs(30);

/// Escalates and delivers while the app runs: under the server's leases when signed in
/// (the team's agents and desktops send each delivery once), alone otherwise.
pub fn start_delivery(
    store: plumbline_core::store::Store,
    keychain: std::sync::Arc<dyn plumbline_core::keychain::Keychain>,
) {
    tauri::async_runtime::spawn(async move {
        // Let the window come up first.
        tokio::time::sleep(std::time::Duration::from_secs(20)).await;
        loop {
            let round = plumbline_core::delivery::outbox::deliver_round(
                &store,
                keychain.as_ref(),
                &plumbline_core::sync::engine::SyncOptions::default(),
                Utc::now(),
            )
            .await;
            match round {
                Ok(round) if round != Default::default() => {
                    tracing::info!(?round, "alert delivery round");
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "alert delivery round failed"),
            }
            tokio::time::sleep(DELIVERY_TICK).await;
        }
    });
}

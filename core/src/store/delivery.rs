//! Alert delivery in the database (ALERTS.md): destinations (their secrets are in the
//! keychain, see `crate::delivery::outbox`), routes from rules to destinations, the outbox
//! written in the alert's transaction, and the log of every attempt.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use sqlx::{Row, SqliteConnection};

use super::{parse_timestamp, timestamp, Store, StoreError};
use crate::alerts::{AlertRule, NewAlert};
use crate::audit::{self, AuditRecord};
use crate::delivery::send::{AttemptOutcome, DestinationKind};
use crate::delivery::{AlertAction, AlertMessage};
use crate::escalation::{self, AlertTimes, Policy, Silence};

/// A destination as the console lists it (never its URL or secrets).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DestinationRow {
    pub id: String,
    pub name: String,
    /// webhook | teams | slack | pagerduty | email
    pub kind: String,
    /// The host alerts go to.
    pub target: String,
    pub allow_private: bool,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub failing_since: Option<String>,
    pub secret_set_at: String,
    /// The rules routed to it (names).
    pub rules: Vec<String>,
}

/// A delivery as the log lists it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRow {
    pub id: String,
    pub destination_id: String,
    pub destination: String,
    pub tenant_id: Option<String>,
    pub title: String,
    /// The event id (`webhook-id`).
    pub event_id: String,
    /// pending | sent | dead | skipped
    pub state: String,
    pub attempts: u32,
    pub replays: u32,
    pub next_attempt_at: String,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub done_at: Option<String>,
}

/// A delivery due to be sent, with what sending needs.
#[derive(Clone, Debug, PartialEq)]
pub struct DueDelivery {
    pub id: String,
    pub destination_id: String,
    pub destination_name: String,
    pub kind: DestinationKind,
    pub allow_private: bool,
    pub tenant_id: Option<String>,
    pub message: AlertMessage,
    pub attempts: u32,
    pub replays: u32,
    pub created_at: DateTime<Utc>,
}

impl DueDelivery {
    /// The key its lease is taken under: the same on every agent holding it, a new one
    /// after each replay from the dead letters.
    pub fn lease_id(&self) -> String {
        if self.replays == 0 {
            self.id.clone()
        } else {
            format!("{}.{}", self.id, self.replays)
        }
    }
}

/// One attempt, as the delivery log shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AttemptRow {
    pub delivery_id: String,
    pub at: String,
    /// sent | retry | failed | gone
    pub outcome: String,
    pub status: Option<u16>,
    pub latency_ms: u32,
    pub error: Option<String>,
}

/// What to record after an attempt.
#[derive(Clone, Debug, PartialEq)]
pub struct AttemptRecord {
    pub outcome: AttemptOutcome,
    pub status: Option<u16>,
    pub latency_ms: u32,
    pub error: Option<String>,
    /// For a retry: when the next attempt is due; `None` gives up (dead letter).
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// The keychain account of a destination's secret.
pub fn destination_account(id: &str) -> String {
    format!("alert-destination/{id}")
}

/// A delivery's id: the alert's event and the destination's name, so every device that
/// raised the same alert names the delivery alike.
pub fn delivery_id(event_id: &str, destination_name: &str) -> String {
    use sha2::Digest as _;
    let hash = sha2::Sha256::digest(format!("{event_id}\n{destination_name}").as_bytes());
    hex::encode(&hash[..16])
}

/// Writes the alert's identity and one delivery per enabled destination its rule is
/// routed to, in the alert's transaction, due after the rule's group wait. An alert
/// another device's person already acknowledged (same event) is acknowledged here too
/// and notifies nobody; one a silence covers notifies nobody while it lasts.
pub(super) async fn enqueue(
    tx: &mut SqliteConnection,
    store: &Store,
    alert_id: &str,
    rule: &AlertRule,
    alert: &NewAlert,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE alerts SET fingerprint = ?, event_id = ?, subjects = ?, score_before = ?
         WHERE id = ?",
    )
    .bind(&alert.fingerprint)
    .bind(&alert.event_id)
    .bind(serde_json::json!(alert.subjects).to_string())
    .bind(alert.score_before)
    .bind(alert_id)
    .execute(&mut *tx)
    .await?;
    let acked: Option<String> =
        sqlx::query_scalar("SELECT acknowledged_at FROM alert_acks WHERE event_id = ?")
            .bind(&alert.event_id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(at) = acked {
        sqlx::query("UPDATE alerts SET acknowledged_at = ? WHERE id = ?")
            .bind(at)
            .bind(alert_id)
            .execute(&mut *tx)
            .await?;
        return Ok(());
    }
    let silences = read_silences(tx, store).await?;
    if escalation::silenced(&silences, Some(&rule.id), Some(&alert.tenant_id), now) {
        return Ok(());
    }
    let due = now + TimeDelta::seconds(rule.group_wait_secs.max(0));
    let tenant_name: Option<String> =
        sqlx::query_scalar("SELECT display_name FROM tenants WHERE id = ?")
            .bind(&alert.tenant_id)
            .fetch_optional(&mut *tx)
            .await?;
    let message = AlertMessage {
        event_id: alert.event_id.clone(),
        fingerprint: alert.fingerprint.clone(),
        action: AlertAction::Trigger,
        rule: rule.name.clone(),
        tenant_id: Some(alert.tenant_id.clone()),
        tenant: tenant_name,
        severity: alert.severity.as_str().to_owned(),
        title: alert.title.clone(),
        body: alert.body.clone(),
        raised_at: timestamp(now),
        test: false,
    };
    let destinations = sqlx::query(
        "SELECT d.id, d.name FROM alert_routes r JOIN alert_destinations d ON d.id = r.destination_id
         WHERE r.rule_id = ? AND d.enabled = 1 AND d.workspace_id = ?",
    )
    .bind(&rule.id)
    .bind(store.workspace().to_string())
    .fetch_all(&mut *tx)
    .await?;
    for row in destinations {
        let destination_id: String = row.try_get("id")?;
        let name: String = row.try_get("name")?;
        insert_delivery(
            tx,
            &delivery_id(&alert.event_id, &name),
            Some(alert_id),
            &destination_id,
            &message,
            due,
        )
        .await?;
    }
    Ok(())
}

/// A destination told of an alert's trigger: sent by this device, or by another agent
/// (this device then skipped its copy).
const TOLD: &str =
    "(o.state = 'sent' OR (o.state = 'skipped' AND o.last_error = 'sent by another agent'))";

/// Once every alert of `fingerprint` is resolved (at `now`): tells the destinations that
/// follow an alert's life (PagerDuty: `resolve` on the incident; generic webhooks:
/// `alert.resolved`) and were told of a trigger since the fingerprint last resolved.
/// Chat and e-mail are not told: a message that something went away is noise there. The
/// delivery's id names the newest alert's event, so every device resolving alike names
/// it alike (one agent sends it).
pub(super) async fn enqueue_resolution(
    tx: &mut SqliteConnection,
    store: &Store,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let at = timestamp(now);
    let open: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM alerts WHERE fingerprint = ? AND resolved_at IS NULL)",
    )
    .bind(fingerprint)
    .fetch_one(&mut *tx)
    .await?;
    if open {
        return Ok(());
    }
    let Some(message) = resolution_message(tx, fingerprint, &at).await? else {
        return Ok(());
    };
    let previous: Option<String> = sqlx::query_scalar(
        "SELECT MAX(resolved_at) FROM alerts WHERE fingerprint = ? AND resolved_at < ?",
    )
    .bind(fingerprint)
    .bind(&at)
    .fetch_one(&mut *tx)
    .await?;
    let told = sqlx::query(&format!(
        "SELECT DISTINCT d.id, d.name FROM alert_deliveries o
         JOIN alert_destinations d ON d.id = o.destination_id
         JOIN alerts a ON a.id = o.alert_id
         WHERE a.fingerprint = ?1 AND (?2 IS NULL OR a.raised_at > ?2) AND {TOLD}
           AND json_extract(o.message, '$.action') = 'trigger'
           AND d.kind IN ('pagerduty', 'webhook') AND d.enabled = 1 AND d.workspace_id = ?3
         ORDER BY d.name"
    ))
    .bind(fingerprint)
    .bind(&previous)
    .bind(store.workspace().to_string())
    .fetch_all(&mut *tx)
    .await?;
    for row in &told {
        queue_resolve(
            tx,
            &message,
            &row.try_get::<String, _>("id")?,
            &row.try_get::<String, _>("name")?,
            now,
        )
        .await?;
    }
    Ok(())
}

/// Queues `message` (a resolve) for one destination, under the id it has everywhere.
async fn queue_resolve(
    tx: &mut SqliteConnection,
    message: &AlertMessage,
    destination_id: &str,
    destination_name: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    insert_delivery(
        tx,
        &delivery_id(&message.event_id, destination_name),
        None,
        destination_id,
        message,
        now,
    )
    .await?;
    Ok(())
}

/// The message resolving `fingerprint`, whose alerts resolved at `at`: named after the
/// newest of them (`None` when none resolved then).
async fn resolution_message(
    tx: &mut SqliteConnection,
    fingerprint: &str,
    at: &str,
) -> Result<Option<AlertMessage>, StoreError> {
    let Some(latest) = sqlx::query(
        "SELECT a.event_id, a.tenant_id, a.severity, a.title, r.name AS rule_name,
                t.display_name AS tenant_name
         FROM alerts a JOIN alert_rules r ON r.id = a.rule_id
         LEFT JOIN tenants t ON t.id = a.tenant_id
         WHERE a.fingerprint = ? AND a.resolved_at = ? AND a.event_id IS NOT NULL
         ORDER BY a.raised_at DESC, a.id DESC LIMIT 1",
    )
    .bind(fingerprint)
    .bind(at)
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    let event: String = latest.try_get("event_id")?;
    let title: String = latest.try_get("title")?;
    Ok(Some(AlertMessage {
        event_id: format!("{event}/resolve"),
        fingerprint: fingerprint.to_owned(),
        action: AlertAction::Resolve,
        rule: latest.try_get("rule_name")?,
        tenant_id: latest.try_get("tenant_id")?,
        tenant: latest.try_get("tenant_name")?,
        severity: latest.try_get("severity")?,
        body: format!("Resolved: what raised \"{title}\" no longer holds."),
        title,
        raised_at: at.to_owned(),
        test: false,
    }))
}

/// A trigger that reached a destination following an alert's life (PagerDuty, generic
/// webhook) after its alert had resolved — the request was under way when the condition
/// cleared, so the resolve went without it: the destination is told of the resolve now,
/// under the id the resolve has everywhere (once, whichever way it was queued).
async fn resolve_late_trigger(
    tx: &mut SqliteConnection,
    delivery: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(row) = sqlx::query(
        "SELECT a.fingerprint, d.id AS destination_id, d.name,
                (SELECT MAX(b.resolved_at) FROM alerts b WHERE b.fingerprint = a.fingerprint)
                    AS resolved_at
         FROM alert_deliveries o
         JOIN alerts a ON a.id = o.alert_id
         JOIN alert_destinations d ON d.id = o.destination_id
         WHERE o.id = ? AND a.resolved_at IS NOT NULL
           AND json_extract(o.message, '$.action') = 'trigger'
           AND d.kind IN ('pagerduty', 'webhook')
           AND NOT EXISTS (SELECT 1 FROM alerts b
                           WHERE b.fingerprint = a.fingerprint AND b.resolved_at IS NULL)",
    )
    .bind(delivery)
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(());
    };
    let fingerprint: String = row.try_get("fingerprint")?;
    let resolved_at: String = row.try_get("resolved_at")?;
    let Some(message) = resolution_message(tx, &fingerprint, &resolved_at).await? else {
        return Ok(());
    };
    let name: String = row.try_get("name")?;
    let destination_id: String = row.try_get("destination_id")?;
    queue_resolve(tx, &message, &destination_id, &name, now).await
}

/// Records an acknowledgement another device made (an `alert_ack` operation).
pub(super) async fn apply_ack(
    conn: &mut SqliteConnection,
    op_id: &str,
    hlc: &str,
    tenant: &str,
    record: &plumbline_wire::AlertAckRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT OR IGNORE INTO alert_acks (event_id, tenant_id, fingerprint, acknowledged_at,
             actor, op_id, hlc)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&record.event_id)
    .bind(tenant)
    .bind(&record.fingerprint)
    .bind(&record.acknowledged_at)
    .bind(&record.actor)
    .bind(op_id)
    .bind(hlc)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE alerts SET acknowledged_at = ? WHERE event_id = ? AND acknowledged_at IS NULL",
    )
    .bind(&record.acknowledged_at)
    .bind(&record.event_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn read_silences(
    conn: &mut SqliteConnection,
    store: &Store,
) -> Result<Vec<Silence>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, rule_id, tenant_id, starts_at, ends_at, comment FROM alert_silences
         WHERE workspace_id = ? ORDER BY starts_at, id",
    )
    .bind(store.workspace().to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Silence {
                id: row.try_get("id")?,
                rule_id: row.try_get("rule_id")?,
                tenant_id: row.try_get("tenant_id")?,
                starts_at: parse_timestamp(&row.try_get::<String, _>("starts_at")?)?,
                ends_at: parse_timestamp(&row.try_get::<String, _>("ends_at")?)?,
                comment: row.try_get("comment")?,
            })
        })
        .collect()
}

/// An escalation policy with its name.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PolicyRow {
    pub id: String,
    pub name: String,
    pub policy: Policy,
    /// The rules that use it (names).
    pub rules: Vec<String>,
}

/// What a round of escalation did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EscalationReport {
    /// Notifications of escalation steps put in the outbox.
    pub escalated: u32,
    /// Deliveries not sent because their alert was acknowledged meanwhile.
    pub stopped: u32,
    /// PagerDuty incidents told of an acknowledgement.
    pub acknowledged: u32,
}

/// Alerts older than this are not escalated any more.
const ESCALATE_WITHIN: TimeDelta = TimeDelta::days(7);

async fn insert_delivery(
    tx: &mut SqliteConnection,
    id: &str,
    alert_id: Option<&str>,
    destination_id: &str,
    message: &AlertMessage,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let json = serde_json::to_string(message).map_err(StoreError::corrupt)?;
    // The same event raised again on this device (a re-derived review) is one delivery.
    let inserted = sqlx::query(
        "INSERT INTO alert_deliveries (id, alert_id, destination_id, tenant_id, message, state,
             next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(alert_id)
    .bind(destination_id)
    .bind(&message.tenant_id)
    .bind(json)
    .bind(timestamp(now))
    .bind(timestamp(now))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

fn destination_row(row: &sqlx::sqlite::SqliteRow) -> Result<DestinationRow, StoreError> {
    let rules: Option<String> = row.try_get("rules")?;
    Ok(DestinationRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        kind: row.try_get("kind")?,
        target: row.try_get("target")?,
        allow_private: row.try_get::<i64, _>("allow_private")? != 0,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        disabled_reason: row.try_get("disabled_reason")?,
        failing_since: row.try_get("failing_since")?,
        secret_set_at: row.try_get("secret_set_at")?,
        rules: rules
            .map(|r| serde_json::from_str(&r).map_err(StoreError::corrupt))
            .transpose()?
            .unwrap_or_default(),
    })
}

fn delivery_row(row: &sqlx::sqlite::SqliteRow) -> Result<DeliveryRow, StoreError> {
    let message: String = row.try_get("message")?;
    let message: AlertMessage = serde_json::from_str(&message).map_err(StoreError::corrupt)?;
    Ok(DeliveryRow {
        id: row.try_get("id")?,
        destination_id: row.try_get("destination_id")?,
        destination: row.try_get("destination")?,
        tenant_id: row.try_get("tenant_id")?,
        title: message.title,
        event_id: message.event_id,
        state: row.try_get("state")?,
        attempts: row.try_get::<i64, _>("attempts")?.max(0) as u32,
        replays: row.try_get::<i64, _>("replays")?.max(0) as u32,
        next_attempt_at: row.try_get("next_attempt_at")?,
        last_status: row
            .try_get::<Option<i64>, _>("last_status")?
            .and_then(|s| u16::try_from(s).ok()),
        last_error: row.try_get("last_error")?,
        created_at: row.try_get("created_at")?,
        done_at: row.try_get("done_at")?,
    })
}

const SELECT_DESTINATIONS: &str =
    "SELECT d.*, (SELECT json_group_array(r.name) FROM alert_routes ar
         JOIN alert_rules r ON r.id = ar.rule_id WHERE ar.destination_id = d.id) AS rules
     FROM alert_destinations d WHERE d.workspace_id = ?";

impl Store {
    /// Records a destination whose secret the caller has put in the keychain under
    /// [`destination_account`]`(id)`.
    pub async fn add_destination(
        &self,
        id: &str,
        name: &str,
        kind: DestinationKind,
        target: &str,
        allow_private: bool,
    ) -> Result<DestinationRow, StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid(
                "name the destination (it is how rules and the log refer to it)".to_owned(),
            ));
        }
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let taken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM alert_destinations WHERE workspace_id = ? AND name = ?",
        )
        .bind(self.workspace().to_string())
        .bind(name)
        .fetch_one(&mut *tx)
        .await?;
        if taken > 0 {
            return Err(StoreError::Conflict(format!(
                "a destination named {name:?} exists: remove it first or choose another name"
            )));
        }
        sqlx::query(
            "INSERT INTO alert_destinations (id, workspace_id, name, kind, target, allow_private,
                 secret_set_at, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(self.workspace().to_string())
        .bind(name)
        .bind(kind.as_str())
        .bind(target)
        .bind(i64::from(allow_private))
        .bind(&now)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "alert_destination.create",
                target: format!("alert_destination/{id}"),
                summary: serde_json::json!({
                    "name": name, "kind": kind.as_str(), "target": target,
                    "allow_private": allow_private,
                }),
            },
        )
        .await?;
        tx.commit().await?;
        self.destination(name).await
    }

    /// Every destination of the workspace, by name.
    pub async fn destinations(&self) -> Result<Vec<DestinationRow>, StoreError> {
        let rows = sqlx::query(&format!("{SELECT_DESTINATIONS} ORDER BY d.name"))
            .bind(self.workspace().to_string())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(destination_row).collect()
    }

    /// The destination named `name` (or with that id).
    pub async fn destination(&self, name: &str) -> Result<DestinationRow, StoreError> {
        let row = sqlx::query(&format!(
            "{SELECT_DESTINATIONS} AND (d.name = ?2 OR d.id = ?2)"
        ))
        .bind(self.workspace().to_string())
        .bind(name.trim())
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "alert destination",
            name: name.to_owned(),
        })?;
        destination_row(&row)
    }

    /// Removes a destination, its routes and its deliveries (the caller deletes its
    /// keychain entry).
    pub async fn remove_destination(&self, name: &str) -> Result<DestinationRow, StoreError> {
        let destination = self.destination(name).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM alert_destinations WHERE id = ?")
            .bind(&destination.id)
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "alert_destination.delete",
                target: format!("alert_destination/{}", destination.id),
                summary: serde_json::json!({ "name": destination.name }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(destination)
    }

    /// Enables a destination again (its failures forgotten) or disables it with a reason.
    pub async fn set_destination_enabled(
        &self,
        name: &str,
        enabled: bool,
        reason: Option<&str>,
    ) -> Result<DestinationRow, StoreError> {
        let destination = self.destination(name).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE alert_destinations SET enabled = ?, disabled_reason = ?, failing_since = NULL
             WHERE id = ?",
        )
        .bind(i64::from(enabled))
        .bind(if enabled { None } else { reason })
        .bind(&destination.id)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: if enabled {
                    "alert_destination.enable"
                } else {
                    "alert_destination.disable"
                },
                target: format!("alert_destination/{}", destination.id),
                summary: serde_json::json!({ "name": destination.name, "reason": reason }),
            },
        )
        .await?;
        tx.commit().await?;
        self.destination(&destination.id).await
    }

    /// Routes a rule's alerts to a destination (`on`), or stops routing them.
    pub async fn route_rule(
        &self,
        rule: &str,
        destination: &str,
        on: bool,
    ) -> Result<(), StoreError> {
        let rule = self.alert_rule(rule).await?;
        let destination = self.destination(destination).await?;
        let mut tx = self.begin_write().await?;
        let sql = if on {
            "INSERT INTO alert_routes (rule_id, destination_id) VALUES (?, ?) ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM alert_routes WHERE rule_id = ? AND destination_id = ?"
        };
        sqlx::query(sql)
            .bind(&rule.id)
            .bind(&destination.id)
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: if on {
                    "alert_route.add"
                } else {
                    "alert_route.remove"
                },
                target: format!("alert_rule/{}", rule.id),
                summary: serde_json::json!({ "rule": rule.name, "destination": destination.name }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Puts a test message for `destination` in the outbox (sent like any other).
    pub async fn enqueue_test_delivery(
        &self,
        destination: &str,
    ) -> Result<DeliveryRow, StoreError> {
        let destination = self.destination(destination).await?;
        let now = Utc::now();
        let event_id = uuid::Uuid::now_v7().simple().to_string();
        let message = AlertMessage {
            event_id: event_id.clone(),
            fingerprint: format!("test-{}", destination.id),
            action: AlertAction::Trigger,
            rule: "Test alert".to_owned(),
            tenant_id: None,
            tenant: None,
            severity: "low".to_owned(),
            title: format!("Plumbline test alert for {}", destination.name),
            body: "If you can read this, alerts reach this destination.".to_owned(),
            raised_at: timestamp(now),
            test: true,
        };
        let id = delivery_id(&event_id, &destination.name);
        let mut tx = self.begin_write().await?;
        insert_delivery(&mut tx, &id, None, &destination.id, &message, now).await?;
        tx.commit().await?;
        self.delivery(&id).await
    }

    /// Puts a notice (a destination was disabled) in the outbox of every enabled
    /// destination but `except`, routed or not: admins hear about it on another channel.
    pub async fn enqueue_notice_deliveries(
        &self,
        except: &str,
        title: &str,
        body: &str,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let event_id = uuid::Uuid::now_v7().simple().to_string();
        let message = AlertMessage {
            event_id: event_id.clone(),
            fingerprint: format!("destination-disabled-{except}"),
            action: AlertAction::Trigger,
            rule: "Plumbline".to_owned(),
            tenant_id: None,
            tenant: None,
            severity: "high".to_owned(),
            title: title.to_owned(),
            body: body.to_owned(),
            raised_at: timestamp(now),
            test: false,
        };
        let mut tx = self.begin_write().await?;
        for destination in self.destinations().await? {
            if destination.enabled && destination.name != except {
                let id = delivery_id(&event_id, &destination.name);
                insert_delivery(&mut tx, &id, None, &destination.id, &message, now).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// One round of escalation at `now`: deliveries of acknowledged alerts stopped,
    /// escalation steps that came due put in the outbox (once each: their ids name the
    /// round and step), PagerDuty told of acknowledgements.
    pub async fn escalate(&self, now: DateTime<Utc>) -> Result<EscalationReport, StoreError> {
        let mut report = EscalationReport::default();
        let at = timestamp(now);
        // Most rounds have nothing to do: find out without a write transaction.
        let work: i64 = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM alert_deliveries o JOIN alerts a ON a.id = o.alert_id
                            WHERE o.state = 'pending' AND a.acknowledged_at IS NOT NULL)
                 OR EXISTS (SELECT 1 FROM alerts a JOIN alert_rules r ON r.id = a.rule_id
                            WHERE r.escalation_policy_id IS NOT NULL
                              AND a.acknowledged_at IS NULL AND a.resolved_at IS NULL
                              AND a.raised_at > ?)
                 OR EXISTS (SELECT 1 FROM alert_destinations WHERE kind = 'pagerduty')",
        )
        .bind(timestamp(now - ESCALATE_WITHIN))
        .fetch_one(self.pool())
        .await?;
        if work == 0 {
            return Ok(report);
        }
        let mut tx = self.begin_write().await?;
        report.stopped = sqlx::query(
            "UPDATE alert_deliveries SET state = 'skipped', last_error = 'acknowledged', done_at = ?
             WHERE state = 'pending' AND json_extract(message, '$.action') = 'trigger'
               AND alert_id IN (SELECT id FROM alerts WHERE acknowledged_at IS NOT NULL)",
        )
        .bind(&at)
        .execute(&mut *tx)
        .await?
        .rows_affected() as u32;
        let silences = read_silences(&mut tx, self).await?;
        let destinations: Vec<(String, String, bool)> = sqlx::query_as(
            "SELECT id, name, enabled FROM alert_destinations WHERE workspace_id = ?",
        )
        .bind(self.workspace().to_string())
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|(id, name, enabled): (String, String, i64)| (id, name, enabled != 0))
        .collect();
        let rows = sqlx::query(
            "SELECT a.id, a.rule_id, a.tenant_id, a.event_id, a.fingerprint, a.raised_at,
                    a.severity, a.title, a.body, r.name AS rule_name, r.group_wait_secs,
                    p.policy, t.display_name AS tenant_name
             FROM alerts a
             JOIN alert_rules r ON r.id = a.rule_id
             JOIN escalation_policies p ON p.id = r.escalation_policy_id
             LEFT JOIN tenants t ON t.id = a.tenant_id
             WHERE a.acknowledged_at IS NULL AND a.resolved_at IS NULL
               AND a.event_id IS NOT NULL AND a.raised_at > ? AND r.workspace_id = ?",
        )
        .bind(timestamp(now - ESCALATE_WITHIN))
        .bind(self.workspace().to_string())
        .fetch_all(&mut *tx)
        .await?;
        for row in &rows {
            let rule_id: String = row.try_get("rule_id")?;
            let tenant_id: Option<String> = row.try_get("tenant_id")?;
            if escalation::silenced(&silences, Some(&rule_id), tenant_id.as_deref(), now) {
                continue;
            }
            let policy: String = row.try_get("policy")?;
            let policy: Policy = serde_json::from_str(&policy).map_err(StoreError::corrupt)?;
            let raised_at = parse_timestamp(&row.try_get::<String, _>("raised_at")?)?;
            let times = AlertTimes {
                raised_at,
                stopped_at: None,
            };
            let event_id: String = row.try_get("event_id")?;
            let alert_id: String = row.try_get("id")?;
            for notification in escalation::due(&[], TimeDelta::zero(), Some(&policy), &times, now)
            {
                let key = notification.key(&event_id);
                let message = AlertMessage {
                    event_id: key.clone(),
                    fingerprint: row.try_get("fingerprint")?,
                    action: AlertAction::Trigger,
                    rule: row.try_get("rule_name")?,
                    tenant_id: tenant_id.clone(),
                    tenant: row.try_get("tenant_name")?,
                    severity: row.try_get("severity")?,
                    title: row.try_get("title")?,
                    body: row.try_get("body")?,
                    raised_at: timestamp(raised_at),
                    test: false,
                };
                for name in &notification.destinations {
                    let Some((destination_id, _, true)) =
                        destinations.iter().find(|(_, n, _)| n == name)
                    else {
                        continue;
                    };
                    if insert_delivery(
                        &mut tx,
                        &delivery_id(&key, name),
                        Some(&alert_id),
                        destination_id,
                        &message,
                        now,
                    )
                    .await?
                    {
                        report.escalated += 1;
                    }
                }
            }
        }
        // PagerDuty: an incident whose alert was acknowledged is acknowledged there too.
        // A resolved one is resolved there instead (`enqueue_resolution`).
        let acked = sqlx::query(&format!(
            "SELECT o.destination_id, d.name, o.message FROM alert_deliveries o
             JOIN alert_destinations d ON d.id = o.destination_id
             JOIN alerts a ON a.id = o.alert_id
             WHERE d.kind = 'pagerduty' AND {TOLD} AND a.acknowledged_at IS NOT NULL
               AND a.resolved_at IS NULL
               AND json_extract(o.message, '$.action') = 'trigger' AND d.workspace_id = ?"
        ))
        .bind(self.workspace().to_string())
        .fetch_all(&mut *tx)
        .await?;
        for row in &acked {
            let message: String = row.try_get("message")?;
            let mut message: AlertMessage =
                serde_json::from_str(&message).map_err(StoreError::corrupt)?;
            // Named by the trigger's event: an incident opened again after a resolve is
            // acknowledged again.
            message.event_id = format!("{}/ack", message.event_id);
            message.action = AlertAction::Acknowledge;
            let name: String = row.try_get("name")?;
            let destination_id: String = row.try_get("destination_id")?;
            if insert_delivery(
                &mut tx,
                &delivery_id(&message.event_id, &name),
                None,
                &destination_id,
                &message,
                now,
            )
            .await?
            {
                report.acknowledged += 1;
            }
        }
        tx.commit().await?;
        Ok(report)
    }

    /// Adds an escalation policy (its steps name destinations that must exist).
    pub async fn add_escalation_policy(
        &self,
        name: &str,
        policy: &Policy,
    ) -> Result<PolicyRow, StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("name the policy".to_owned()));
        }
        policy.check().map_err(StoreError::Invalid)?;
        let known: Vec<String> = self
            .destinations()
            .await?
            .into_iter()
            .map(|d| d.name)
            .collect();
        for step in &policy.steps {
            for destination in &step.destinations {
                if !known.contains(destination) {
                    return Err(StoreError::NotFound {
                        what: "alert destination",
                        name: destination.clone(),
                    });
                }
            }
        }
        let id = uuid::Uuid::now_v7().to_string();
        let json = serde_json::to_string(policy).map_err(StoreError::corrupt)?;
        let mut tx = self.begin_write().await?;
        let taken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM escalation_policies WHERE workspace_id = ? AND name = ?",
        )
        .bind(self.workspace().to_string())
        .bind(name)
        .fetch_one(&mut *tx)
        .await?;
        if taken > 0 {
            return Err(StoreError::Conflict(format!(
                "an escalation policy named {name:?} exists: remove it first or choose another name"
            )));
        }
        sqlx::query(
            "INSERT INTO escalation_policies (id, workspace_id, name, policy, created_at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(self.workspace().to_string())
        .bind(name)
        .bind(&json)
        .bind(timestamp(Utc::now()))
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "escalation_policy.create",
                target: format!("escalation_policy/{id}"),
                summary: serde_json::json!({ "name": name, "policy": policy }),
            },
        )
        .await?;
        tx.commit().await?;
        self.escalation_policy(name).await
    }

    /// Every escalation policy, by name.
    pub async fn escalation_policies(&self) -> Result<Vec<PolicyRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.id, p.name, p.policy,
                    (SELECT json_group_array(r.name) FROM alert_rules r
                     WHERE r.escalation_policy_id = p.id) AS rules
             FROM escalation_policies p WHERE p.workspace_id = ? ORDER BY p.name",
        )
        .bind(self.workspace().to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let policy: String = row.try_get("policy")?;
                let rules: String = row.try_get("rules")?;
                Ok(PolicyRow {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    policy: serde_json::from_str(&policy).map_err(StoreError::corrupt)?,
                    rules: serde_json::from_str(&rules).map_err(StoreError::corrupt)?,
                })
            })
            .collect()
    }

    /// The policy named `name` (or with that id).
    pub async fn escalation_policy(&self, name: &str) -> Result<PolicyRow, StoreError> {
        self.escalation_policies()
            .await?
            .into_iter()
            .find(|p| p.name == name.trim() || p.id == name.trim())
            .ok_or_else(|| StoreError::NotFound {
                what: "escalation policy",
                name: name.to_owned(),
            })
    }

    /// Removes a policy; rules that used it only notify their routes.
    pub async fn remove_escalation_policy(&self, name: &str) -> Result<(), StoreError> {
        let policy = self.escalation_policy(name).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE alert_rules SET escalation_policy_id = NULL WHERE escalation_policy_id = ?",
        )
        .bind(&policy.id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM escalation_policies WHERE id = ?")
            .bind(&policy.id)
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "escalation_policy.delete",
                target: format!("escalation_policy/{}", policy.id),
                summary: serde_json::json!({ "name": policy.name }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets (or with `None` clears) a rule's escalation policy and, given, its group wait.
    pub async fn set_rule_escalation(
        &self,
        rule: &str,
        policy: Option<&str>,
        group_wait_secs: Option<i64>,
    ) -> Result<(), StoreError> {
        let rule = self.alert_rule(rule).await?;
        let policy = match policy {
            Some(name) => Some(self.escalation_policy(name).await?),
            None => None,
        };
        if group_wait_secs.is_some_and(|s| !(0..=86_400).contains(&s)) {
            return Err(StoreError::Invalid(
                "the group wait is between 0 and 86,400 seconds".to_owned(),
            ));
        }
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE alert_rules SET escalation_policy_id = ?,
                 group_wait_secs = COALESCE(?, group_wait_secs) WHERE id = ?",
        )
        .bind(policy.as_ref().map(|p| p.id.clone()))
        .bind(group_wait_secs)
        .bind(&rule.id)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "alert_rule.escalation",
                target: format!("alert_rule/{}", rule.id),
                summary: serde_json::json!({
                    "rule": rule.name,
                    "policy": policy.as_ref().map(|p| p.name.clone()),
                    "group_wait_secs": group_wait_secs,
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Silences alerts of a rule and/or a tenant (ids) from now until `ends_at`.
    pub async fn add_silence(
        &self,
        rule_id: Option<&str>,
        tenant_id: Option<&str>,
        ends_at: DateTime<Utc>,
        comment: &str,
    ) -> Result<Silence, StoreError> {
        let now = Utc::now();
        if ends_at <= now {
            return Err(StoreError::Invalid(
                "a silence ends in the future: pick a later time".to_owned(),
            ));
        }
        if comment.trim().is_empty() {
            return Err(StoreError::Invalid(
                "say why alerts are silenced (--comment): colleagues will ask".to_owned(),
            ));
        }
        let silence = Silence {
            id: uuid::Uuid::now_v7().to_string(),
            rule_id: rule_id.map(str::to_owned),
            tenant_id: tenant_id.map(str::to_owned),
            starts_at: now,
            ends_at,
            comment: comment.trim().to_owned(),
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO alert_silences (id, workspace_id, rule_id, tenant_id, starts_at, ends_at,
                 comment, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&silence.id)
        .bind(self.workspace().to_string())
        .bind(&silence.rule_id)
        .bind(&silence.tenant_id)
        .bind(timestamp(silence.starts_at))
        .bind(timestamp(silence.ends_at))
        .bind(&silence.comment)
        .bind(timestamp(now))
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "alert_silence.create",
                target: format!("alert_silence/{}", silence.id),
                summary: serde_json::json!({
                    "rule": rule_id, "tenant": tenant_id,
                    "ends_at": timestamp(ends_at), "comment": silence.comment,
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(silence)
    }

    /// Every silence (expired ones too), oldest first.
    pub async fn silences(&self) -> Result<Vec<Silence>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        read_silences(&mut conn, self).await
    }

    /// Ends a silence now.
    pub async fn expire_silence(&self, id: &str) -> Result<(), StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE alert_silences SET ends_at = ? WHERE id = ? AND workspace_id = ? AND ends_at > ?",
        )
        .bind(&now)
        .bind(id)
        .bind(self.workspace().to_string())
        .bind(&now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: "active silence",
                name: id.to_owned(),
            });
        }
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "alert_silence.expire",
                target: format!("alert_silence/{id}"),
                summary: serde_json::json!({}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deliveries due at `now` to enabled destinations, oldest first.
    pub async fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let rows = sqlx::query(
            "SELECT o.id, o.destination_id, d.name, d.kind, d.allow_private, o.tenant_id,
                    o.message, o.attempts, o.replays, o.created_at
             FROM alert_deliveries o JOIN alert_destinations d ON d.id = o.destination_id
             WHERE o.state = 'pending' AND o.next_attempt_at <= ? AND d.enabled = 1
               AND d.workspace_id = ?
             ORDER BY o.next_attempt_at, o.created_at, o.id LIMIT ?",
        )
        .bind(timestamp(now))
        .bind(self.workspace().to_string())
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                let message: String = row.try_get("message")?;
                Ok(DueDelivery {
                    id: row.try_get("id")?,
                    destination_id: row.try_get("destination_id")?,
                    destination_name: row.try_get("name")?,
                    kind: DestinationKind::parse(&kind)
                        .ok_or_else(|| StoreError::corrupt(format!("destination kind {kind}")))?,
                    allow_private: row.try_get::<i64, _>("allow_private")? != 0,
                    tenant_id: row.try_get("tenant_id")?,
                    message: serde_json::from_str(&message).map_err(StoreError::corrupt)?,
                    attempts: row.try_get::<i64, _>("attempts")?.max(0) as u32,
                    replays: row.try_get::<i64, _>("replays")?.max(0) as u32,
                    created_at: parse_timestamp(&row.try_get::<String, _>("created_at")?)?,
                })
            })
            .collect()
    }

    /// Records an attempt and moves the delivery on: sent, retried at its next time, or
    /// dead-lettered; a destination answering 410 is disabled. Returns the destination's
    /// name when this attempt disabled it.
    pub async fn record_attempt(
        &self,
        delivery: &DueDelivery,
        attempt: &AttemptRecord,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let at = timestamp(now);
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO delivery_attempts (delivery_id, destination_id, at, outcome, status,
                 latency_ms, error)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&delivery.id)
        .bind(&delivery.destination_id)
        .bind(&at)
        .bind(attempt.outcome.as_str())
        .bind(attempt.status.map(i64::from))
        .bind(i64::from(attempt.latency_ms))
        .bind(&attempt.error)
        .execute(&mut *tx)
        .await?;
        let (state, next, done) = match (attempt.outcome, attempt.next_attempt_at) {
            (AttemptOutcome::Sent, _) => ("sent", at.clone(), Some(at.clone())),
            (AttemptOutcome::Retry, Some(next)) => ("pending", timestamp(next), None),
            _ => ("dead", at.clone(), Some(at.clone())),
        };
        sqlx::query(
            "UPDATE alert_deliveries SET state = ?, attempts = attempts + 1, next_attempt_at = ?,
                 last_status = ?, last_error = ?, done_at = ?
             WHERE id = ?",
        )
        .bind(state)
        .bind(&next)
        .bind(attempt.status.map(i64::from))
        .bind(&attempt.error)
        .bind(&done)
        .bind(&delivery.id)
        .execute(&mut *tx)
        .await?;
        let mut disabled = None;
        match attempt.outcome {
            AttemptOutcome::Sent => {
                sqlx::query("UPDATE alert_destinations SET failing_since = NULL WHERE id = ?")
                    .bind(&delivery.destination_id)
                    .execute(&mut *tx)
                    .await?;
                resolve_late_trigger(&mut tx, &delivery.id, now).await?;
            }
            outcome => {
                sqlx::query(
                    "UPDATE alert_destinations SET failing_since = COALESCE(failing_since, ?)
                     WHERE id = ?",
                )
                .bind(&at)
                .bind(&delivery.destination_id)
                .execute(&mut *tx)
                .await?;
                let failing_since: Option<String> = sqlx::query_scalar(
                    "SELECT failing_since FROM alert_destinations WHERE id = ? AND enabled = 1",
                )
                .bind(&delivery.destination_id)
                .fetch_optional(&mut *tx)
                .await?
                .flatten();
                let failing_for = failing_since
                    .map(|since| parse_timestamp(&since))
                    .transpose()?
                    .map(|since| now - since);
                let reason = if outcome == AttemptOutcome::Gone {
                    Some(format!(
                        "the destination answered 410 Gone on {at}: it no longer exists; \
                         set it up again and enable it"
                    ))
                } else if failing_for.is_some_and(|d| d >= DISABLE_AFTER) {
                    Some(format!(
                        "every attempt failed for {} hours (last: {}); check the destination, \
                         then enable it",
                        DISABLE_AFTER.num_hours(),
                        attempt.error.as_deref().unwrap_or("no answer")
                    ))
                } else {
                    None
                };
                if let Some(reason) = reason {
                    sqlx::query(
                        "UPDATE alert_destinations SET enabled = 0, disabled_reason = ?
                         WHERE id = ? AND enabled = 1",
                    )
                    .bind(&reason)
                    .bind(&delivery.destination_id)
                    .execute(&mut *tx)
                    .await?;
                    audit::append(
                        &mut tx,
                        self.writer(),
                        AuditRecord {
                            tenant: None,
                            action: "alert_destination.disable",
                            target: format!("alert_destination/{}", delivery.destination_id),
                            summary: serde_json::json!({
                                "name": delivery.destination_name, "reason": reason,
                            }),
                        },
                    )
                    .await?;
                    disabled = Some(reason);
                }
            }
        }
        tx.commit().await?;
        Ok(disabled)
    }

    /// Marks a delivery another agent sent (its lease rests): not sent again here.
    pub async fn skip_delivery(&self, id: &str, why: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE alert_deliveries SET state = 'skipped', last_error = ?, done_at = ?
             WHERE id = ? AND state = 'pending'",
        )
        .bind(why)
        .bind(timestamp(Utc::now()))
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Puts a dead-lettered delivery back in the outbox, due now.
    pub async fn replay_delivery(&self, id: &str) -> Result<DeliveryRow, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let replayed = sqlx::query(
            "UPDATE alert_deliveries SET state = 'pending', attempts = 0, replays = replays + 1,
                 next_attempt_at = ?, done_at = NULL
             WHERE id = ? AND state = 'dead'",
        )
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if replayed == 0 {
            return Err(StoreError::NotFound {
                what: "dead-lettered delivery",
                name: id.to_owned(),
            });
        }
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "alert_delivery.replay",
                target: format!("alert_delivery/{id}"),
                summary: serde_json::json!({}),
            },
        )
        .await?;
        tx.commit().await?;
        self.delivery(id).await
    }

    /// One delivery.
    pub async fn delivery(&self, id: &str) -> Result<DeliveryRow, StoreError> {
        let row = sqlx::query(
            "SELECT o.*, d.name AS destination FROM alert_deliveries o
             JOIN alert_destinations d ON d.id = o.destination_id WHERE o.id = ?",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "delivery",
            name: id.to_owned(),
        })?;
        delivery_row(&row)
    }

    /// The delivery log: newest first, of one destination or all, in one state or any.
    pub async fn deliveries(
        &self,
        destination: Option<&str>,
        state: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        let destination = match destination {
            Some(name) => Some(self.destination(name).await?.id),
            None => None,
        };
        let rows = sqlx::query(
            "SELECT o.*, d.name AS destination FROM alert_deliveries o
             JOIN alert_destinations d ON d.id = o.destination_id
             WHERE d.workspace_id = ?1 AND (?2 IS NULL OR o.destination_id = ?2)
               AND (?3 IS NULL OR o.state = ?3)
             ORDER BY o.created_at DESC, o.id DESC LIMIT ?4",
        )
        .bind(self.workspace().to_string())
        .bind(destination)
        .bind(state)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(delivery_row).collect()
    }

    /// Every attempt of a delivery, oldest first.
    pub async fn delivery_attempts(&self, id: &str) -> Result<Vec<AttemptRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT delivery_id, at, outcome, status, latency_ms, error FROM delivery_attempts
             WHERE delivery_id = ? ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AttemptRow {
                    delivery_id: row.try_get("delivery_id")?,
                    at: row.try_get("at")?,
                    outcome: row.try_get("outcome")?,
                    status: row
                        .try_get::<Option<i64>, _>("status")?
                        .and_then(|s| u16::try_from(s).ok()),
                    latency_ms: row
                        .try_get::<i64, _>("latency_ms")?
                        .clamp(0, i64::from(u32::MAX)) as u32,
                    error: row.try_get("error")?,
                })
            })
            .collect()
    }
}

/// A destination whose every attempt failed for this long is disabled.
pub const DISABLE_AFTER: TimeDelta = TimeDelta::hours(24);

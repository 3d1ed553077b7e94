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

/// A destination as the console lists it (never its URL or secrets).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DestinationRow {
    pub id: String,
    pub name: String,
    /// webhook | teams | slack | pagerduty
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
/// routed to, in the alert's transaction.
pub(super) async fn enqueue(
    tx: &mut SqliteConnection,
    store: &Store,
    alert_id: &str,
    rule: &AlertRule,
    alert: &NewAlert,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE alerts SET fingerprint = ?, event_id = ? WHERE id = ?")
        .bind(&alert.fingerprint)
        .bind(&alert.event_id)
        .bind(alert_id)
        .execute(&mut *tx)
        .await?;
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
            now,
        )
        .await?;
    }
    Ok(())
}

async fn insert_delivery(
    tx: &mut SqliteConnection,
    id: &str,
    alert_id: Option<&str>,
    destination_id: &str,
    message: &AlertMessage,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(message).map_err(StoreError::corrupt)?;
    // The same event raised again on this device (a re-derived review) is one delivery.
    sqlx::query(
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
    .await?;
    Ok(())
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
        let rules = self.alert_rules().await?;
        let rule = rules
            .iter()
            .find(|r| r.id == rule || r.name.eq_ignore_ascii_case(rule.trim()))
            .ok_or_else(|| StoreError::NotFound {
                what: "alert rule",
                name: rule.to_owned(),
            })?;
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

//! The delivery worker: sends what the outbox holds (ALERTS.md, "Delivery guarantees").
//!
//! At least once, never silently lost: each due delivery is leased (several agents: one
//! sends, see [`Leases`]), sent, and its attempt recorded; a retryable failure comes back
//! after a full-jitter backoff (or the destination's `Retry-After`), and only after
//! [`DEAD_AFTER`] of failures is it dead-lettered, to be replayed by a person. A receiver
//! that is down for an hour therefore gets every alert afterwards, each with the same
//! `webhook-id` it would have had.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use rand::Rng as _;
use serde::Serialize;

use super::send::{self, AttemptOutcome, DestinationSecret};
use crate::keychain::Keychain;
use crate::store::{
    destination_account, AttemptRecord, DueDelivery, EscalationReport, Notice, Store, StoreError,
};
use crate::sync::api::{ClaimRequest, CompleteRequest, LeaseItem, Refusal};
use crate::sync::engine::{self, Session, SyncOptions};

/// A delivery still failing after this long is dead-lettered.
pub const DEAD_AFTER: TimeDelta = TimeDelta::hours(24);

/// Deliveries handled per round.
pub const BATCH: u32 = 50;

/// How long a sent delivery's lease rests: for good (a year).
pub const SENT_REST_SECONDS: u64 = 366 * 24 * 3_600;

/// What the lease arbiter said about one delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This device sends it; the token completes the lease.
    Granted(String),
    /// Another device sent it (the lease rests): not sent again here.
    Done,
    /// Another device is sending it now: ask again later.
    Busy,
}

/// Who may send which delivery: the server's leases for agents, [`Alone`] for a device
/// that delivers by itself.
pub trait Leases: Sync {
    /// Claims `keys` (with their tenants), one answer per key in order.
    fn claim(
        &self,
        keys: &[(String, Option<String>)],
    ) -> impl Future<Output = Result<Vec<Claim>, String>> + Send;
    /// Gives the lease back, resting for `rest_seconds`.
    fn complete(
        &self,
        key: &str,
        token: &str,
        rest_seconds: u64,
    ) -> impl Future<Output = Result<(), String>> + Send;
    /// Whether other devices share the work: then an alert is sent only once what raised
    /// it (the tenant's captures and decisions made here) is on the server, so that any
    /// of them can take the delivery over under the same ids if this one dies mid-send.
    fn shared(&self) -> bool {
        false
    }
}

/// A device delivering by itself: every claim is granted.
pub struct Alone;

impl Leases for Alone {
    async fn claim(&self, keys: &[(String, Option<String>)]) -> Result<Vec<Claim>, String> {
        Ok(keys.iter().map(|_| Claim::Granted(String::new())).collect())
    }

    async fn complete(&self, _: &str, _: &str, _: u64) -> Result<(), String> {
        Ok(())
    }
}

/// The server's leases: a device signed in to a server (an agent, a desktop) sends a
/// delivery only when the server grants it, so the workspace's devices send each once.
pub struct ServerLeases<'a> {
    pub session: &'a Session,
    /// Seconds a lease lasts: longer than the longest attempt (leases are not renewed
    /// while sending).
    pub ttl: u32,
}

impl Leases for ServerLeases<'_> {
    fn shared(&self) -> bool {
        true
    }

    async fn claim(&self, keys: &[(String, Option<String>)]) -> Result<Vec<Claim>, String> {
        let request = ClaimRequest {
            items: keys
                .iter()
                .map(|(key, tenant)| LeaseItem {
                    key: key.clone(),
                    tenant_id: tenant.clone(),
                })
                .collect(),
            ttl_seconds: self.ttl,
        };
        let answer = self
            .session
            .client
            .claim_leases(&self.session.token, &self.session.workspace, &request)
            .await
            .map_err(|e| e.to_string())?;
        Ok(keys
            .iter()
            .map(|(key, _)| {
                if let Some(lease) = answer.granted.iter().find(|l| l.key == *key) {
                    Claim::Granted(lease.lease_id.clone())
                } else if answer
                    .refused
                    .iter()
                    .any(|r| r.key == *key && r.reason == Refusal::Resting)
                {
                    Claim::Done
                } else {
                    Claim::Busy
                }
            })
            .collect())
    }

    async fn complete(&self, key: &str, token: &str, rest_seconds: u64) -> Result<(), String> {
        self.session
            .client
            .complete_lease(
                &self.session.token,
                &self.session.workspace,
                &CompleteRequest {
                    key: key.to_owned(),
                    lease_id: token.to_owned(),
                    rest_seconds,
                },
            )
            .await
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

/// The shortest lease a delivery takes: its longest attempt, twice.
pub fn delivery_lease_seconds(wanted: u32) -> u32 {
    wanted.max(send::ATTEMPT_TIMEOUT.as_secs() as u32 * 2)
}

/// What a round of escalation and delivery did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryRound {
    pub escalation: EscalationReport,
    pub delivery: RoundReport,
}

/// One round at `now`: escalation, then what is due — under the server's leases when the
/// workspace is signed in to one (so the team's devices and agents send each delivery
/// once), alone otherwise.
pub async fn deliver_round(
    store: &Store,
    keychain: &dyn Keychain,
    options: &SyncOptions,
    now: DateTime<Utc>,
) -> Result<DeliveryRound, StoreError> {
    let escalation = store.escalate(now).await?;
    let delivery = match store.server_connection().await? {
        Some(_) => match engine::session(store, keychain, options).await {
            Ok(session) => {
                let leases = ServerLeases {
                    session: &session,
                    ttl: delivery_lease_seconds(0),
                };
                deliver_due(store, keychain, &leases, now).await?
            }
            Err(error) => {
                // Signed in but the server cannot be asked now: nothing is sent twice for
                // want of it; the deliveries wait.
                tracing::debug!(%error, "deliveries wait for the server");
                RoundReport::default()
            }
        },
        None => deliver_due(store, keychain, &Alone, now).await?,
    };
    Ok(DeliveryRound {
        escalation,
        delivery,
    })
}

/// What a round did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RoundReport {
    pub sent: u32,
    pub retried: u32,
    pub dead: u32,
    /// Sent by another device (its lease rested).
    pub skipped: u32,
    /// Held by another device at the moment.
    pub busy: u32,
    /// Held back until what raised them is pushed to the server.
    pub unpushed: u32,
    /// Destinations this round disabled (410, or failing for a day).
    pub disabled: Vec<String>,
}

/// The lease key of a delivery.
pub fn lease_key(delivery: &DueDelivery) -> String {
    plumbline_wire::delivery_key(&delivery.lease_id())
}

/// When a failed delivery is tried next, or `None` to dead-letter it.
pub fn next_attempt(
    delivery: &DueDelivery,
    outcome: AttemptOutcome,
    retry_after: Option<Duration>,
    now: DateTime<Utc>,
    unit: f64,
) -> Option<DateTime<Utc>> {
    if outcome != AttemptOutcome::Retry || now - delivery.created_at >= DEAD_AFTER {
        return None;
    }
    let wait = send::backoff(delivery.attempts + 1, retry_after, unit);
    Some(now + TimeDelta::from_std(wait).unwrap_or(TimeDelta::hours(1)))
}

/// Reads a destination's secret from the keychain.
pub fn destination_secret(
    keychain: &dyn Keychain,
    destination_id: &str,
) -> Result<DestinationSecret, String> {
    let account = destination_account(destination_id);
    let text = keychain
        .get(&account)
        .map_err(|e| format!("cannot read the destination's secret: {e}"))?
        .ok_or_else(|| {
            format!(
                "the destination's secret is not in this computer's {}: set the destination up \
                 again here",
                keychain.describe()
            )
        })?;
    serde_json::from_str(&text).map_err(|_| "the destination's secret is damaged".to_owned())
}

/// Stores a destination's secret in the keychain.
pub fn save_destination_secret(
    keychain: &dyn Keychain,
    destination_id: &str,
    secret: &DestinationSecret,
) -> Result<(), String> {
    let text = serde_json::to_string(secret).map_err(|e| e.to_string())?;
    keychain
        .set(&destination_account(destination_id), &text)
        .map_err(|e| e.to_string())
}

/// Sends the deliveries due at `now` (at most [`BATCH`]).
pub async fn deliver_due(
    store: &Store,
    keychain: &dyn Keychain,
    leases: &impl Leases,
    now: DateTime<Utc>,
) -> Result<RoundReport, StoreError> {
    let mut due = store.due_deliveries(now, BATCH).await?;
    let mut report = RoundReport::default();
    if leases.shared() {
        // Held back until this device's changes to the tenant are on the server (the
        // next sync pushes them; a later round sends).
        let pending = store.tenants_with_pending_operations().await?;
        let before = due.len();
        due.retain(|d| d.tenant_id.as_ref().is_none_or(|t| !pending.contains(t)));
        report.unpushed = u32::try_from(before - due.len()).unwrap_or(u32::MAX);
    }
    if due.is_empty() {
        return Ok(report);
    }
    let keys: Vec<(String, Option<String>)> = due
        .iter()
        .map(|d| (lease_key(d), d.tenant_id.clone()))
        .collect();
    let claims = match leases.claim(&keys).await {
        Ok(claims) => claims,
        Err(error) => {
            // The arbiter cannot be asked: nothing is sent twice for want of it; the
            // deliveries stay due.
            tracing::warn!(%error, "cannot claim deliveries");
            report.busy = due.len() as u32;
            return Ok(report);
        }
    };
    for (delivery, claim) in due.iter().zip(claims) {
        let token = match claim {
            Claim::Granted(token) => token,
            Claim::Done => {
                store
                    .skip_delivery(&delivery.id, "sent by another agent")
                    .await?;
                report.skipped += 1;
                continue;
            }
            Claim::Busy => {
                report.busy += 1;
                continue;
            }
        };
        let attempt = match destination_secret(keychain, &delivery.destination_id) {
            Ok(secret) => {
                send::send(
                    delivery.kind,
                    &secret,
                    delivery.allow_private,
                    &delivery.message,
                    now.timestamp(),
                )
                .await
            }
            Err(error) => send::Attempt {
                outcome: AttemptOutcome::Failed,
                status: None,
                latency: Duration::ZERO,
                error: Some(error),
                retry_after: None,
            },
        };
        let unit: f64 = rand::thread_rng().gen();
        let next = next_attempt(delivery, attempt.outcome, attempt.retry_after, now, unit);
        let record = AttemptRecord {
            outcome: attempt.outcome,
            status: attempt.status,
            latency_ms: u32::try_from(attempt.latency.as_millis()).unwrap_or(u32::MAX),
            error: attempt.error.clone(),
            next_attempt_at: next,
        };
        tracing::info!(
            delivery = %delivery.id,
            destination = %delivery.destination_name,
            event = %delivery.message.event_id,
            outcome = attempt.outcome.as_str(),
            status = attempt.status,
            latency_ms = record.latency_ms,
            error = attempt.error.as_deref().unwrap_or(""),
            "delivery attempt"
        );
        let disabled = store.record_attempt(delivery, &record, now).await?;
        let rest = match attempt.outcome {
            AttemptOutcome::Sent => SENT_REST_SECONDS,
            _ => 0,
        };
        if let Err(error) = leases.complete(&lease_key(delivery), &token, rest).await {
            tracing::warn!(%error, delivery = %delivery.id, "cannot complete the delivery's lease");
        }
        match (attempt.outcome, next) {
            (AttemptOutcome::Sent, _) => report.sent += 1,
            (AttemptOutcome::Retry, Some(_)) => report.retried += 1,
            _ => report.dead += 1,
        }
        if let Some(reason) = disabled {
            tell_admins(store, &delivery.destination_name, &reason).await?;
            report.disabled.push(delivery.destination_name.clone());
        }
    }
    Ok(report)
}

/// A destination was disabled: the inbox says so, and so does every other enabled
/// destination (an admin hears about it on another channel).
async fn tell_admins(store: &Store, name: &str, reason: &str) -> Result<(), StoreError> {
    let title = format!("Alert destination {name} was disabled");
    store
        .record_notice(&Notice {
            tenant: None,
            severity: crate::baseline::Severity::High,
            title: title.clone(),
            body: reason.to_owned(),
        })
        .await?;
    store.enqueue_notice_deliveries(name, &title, reason).await
}

//! Alert delivery (ALERTS.md): what an alert looks like on the wire for each destination,
//! and how it gets there.
//!
//! - [`format`] and [`signing`] are pure: the request bodies of each kind of destination
//!   and, for generic webhooks, the Standard Webhooks signature headers. Every destination
//!   is rendered from one [`AlertMessage`], so a Teams card, a Slack message, a PagerDuty
//!   event and an e-mail all say the same thing.
//! - [`email`]: alert e-mail over SMTP, TLS required by default.
//! - [`send`]: one attempt over HTTP — SSRF checks, the answer classified (sent, retry,
//!   failed, gone), backoff with full jitter and `Retry-After`.
//! - [`outbox`]: the worker that sends what the outbox holds, under leases when several
//!   agents share the work, with the delivery log and dead letters in the store.

use serde::{Deserialize, Serialize};

pub mod email;
pub mod format;
pub mod manage;
pub mod outbox;
pub mod send;
pub mod signing;

/// What happened to an alert, as told to a destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertAction {
    /// The alert was raised (or is repeated while still open).
    Trigger,
    /// Someone acknowledged the alert: repeats and escalation stop.
    Acknowledge,
    /// The condition cleared, or someone resolved the alert.
    Resolve,
}

/// One alert event, ready to be rendered for any destination.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertMessage {
    /// Stable per event (the same on every retry): the `webhook-id`, for receivers'
    /// deduplication.
    pub event_id: String,
    /// Stable per alert (rule, tenant and condition key, never a timestamp): PagerDuty's
    /// `dedup_key`, so trigger, acknowledge and resolve land on one incident.
    pub fingerprint: String,
    /// Whether the alert is raised, acknowledged or resolved.
    pub action: AlertAction,
    /// The rule's name.
    pub rule: String,
    /// The tenant's id, when the alert is about one tenant.
    pub tenant_id: Option<String>,
    /// The tenant's display name, when the alert is about one tenant.
    pub tenant: Option<String>,
    /// `low`, `medium`, `high` or `critical`.
    pub severity: String,
    /// A one-line title.
    pub title: String,
    /// The details, one item a line (newline-separated).
    pub body: String,
    /// When the alert was raised (RFC 3339).
    pub raised_at: String,
    /// A test alert sent from a destination's "send a test alert" button.
    pub test: bool,
}

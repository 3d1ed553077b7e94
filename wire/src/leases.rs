//! Leases (SYNC.md, "Leases"): agents sharing a workspace's work through the server.
//!
//! The work itself is decided on the devices (the engine says which tenant is due, which
//! alert needs delivering); the server only arbitrates who does it, and when it may be
//! done again:
//!
//! - `POST /api/v1/leases/claim` [`ClaimRequest`] → 200 [`ClaimResponse`]: of the items
//!   the agent asks for, those nobody holds and that are not resting are granted to it
//!   for `ttl_seconds`, each with a new lease id. An item is granted to one holder at a
//!   time; a lease that is not renewed expires and the item returns to the pool.
//! - `POST /api/v1/leases/renew` [`RenewRequest`] → 200 [`RenewResponse`]: extends the
//!   leases the caller still holds; the ones it lost (expired and taken by another) are
//!   listed as lost: stop that work.
//! - `POST /api/v1/leases/complete` [`CompleteRequest`] → 200 [`CompleteResponse`]: gives
//!   the item back, resting until `rest_seconds` from now (a capture: until the tenant is
//!   due again; a delivery that was sent: for good). A lease the caller no longer holds is
//!   answered `completed: false` — another holder may have done the work too, which is why
//!   deliveries carry stable ids (`webhook-id`, `dedup_key`).
//!
//! Keys are `capture:{tenant id}` and `delivery:{delivery id}`; every item names its
//! tenant (or none for workspace-wide work) and the caller must be an operator or above
//! with that tenant in its membership.

use serde::{Deserialize, Serialize};

pub const LEASE_CLAIM_PATH: &str = "/api/v1/leases/claim";
pub const LEASE_RENEW_PATH: &str = "/api/v1/leases/renew";
pub const LEASE_COMPLETE_PATH: &str = "/api/v1/leases/complete";

/// At most this many items per claim, renewal or completion.
pub const MAX_LEASE_ITEMS: usize = 500;
/// Leases last between these many seconds.
pub const MIN_LEASE_SECONDS: u32 = 5;
pub const MAX_LEASE_SECONDS: u32 = 3_600;
/// The longest an item may rest after completion (a year: "done for good").
pub const MAX_REST_SECONDS: u64 = 366 * 24 * 3_600;
/// The longest a lease key may be.
pub const MAX_LEASE_KEY_LEN: usize = 200;

/// An item an agent would like to work on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LeaseItem {
    /// `capture:{tenant id}` or `delivery:{delivery id}`.
    pub key: String,
    /// The tenant the work is about; `None` for the workspace's own work.
    #[serde(default)]
    pub tenant_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ClaimRequest {
    pub items: Vec<LeaseItem>,
    /// How long the granted leases last unless renewed.
    pub ttl_seconds: u32,
}

/// A lease held by the caller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Lease {
    pub key: String,
    /// This grant's id: renewals and the completion name it.
    pub lease_id: String,
    /// RFC 3339: the lease ends then unless renewed.
    pub expires_at: String,
    /// How many times the item was granted before (a holder died or gave up).
    pub attempts: u32,
}

/// Why an item was not granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Another holder's lease has not expired.
    Held,
    /// The item was completed and rests until `until`.
    Resting,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Refused {
    pub key: String,
    pub reason: Refusal,
    /// RFC 3339: when the item may be granted again (the lease's end, or the rest's).
    pub until: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ClaimResponse {
    pub granted: Vec<Lease>,
    pub refused: Vec<Refused>,
}

/// A lease named by its key and grant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LeaseRef {
    pub key: String,
    pub lease_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RenewRequest {
    pub leases: Vec<LeaseRef>,
    pub ttl_seconds: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RenewResponse {
    pub renewed: Vec<Lease>,
    /// Keys of leases the caller no longer holds: stop that work.
    pub lost: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CompleteRequest {
    pub key: String,
    pub lease_id: String,
    /// The item is not granted again for this many seconds (0: it may be claimed again at
    /// once, as after giving up).
    #[serde(default)]
    pub rest_seconds: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CompleteResponse {
    /// False when the caller no longer held the lease (it expired and may have been
    /// granted to another): nothing changed.
    pub completed: bool,
}

/// The lease key of a tenant's scheduled capture.
pub fn capture_key(tenant_id: &str) -> String {
    format!("capture:{tenant_id}")
}

/// The lease key of a delivery.
pub fn delivery_key(delivery_id: &str) -> String {
    format!("delivery:{delivery_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_shapes_are_stable() {
        let claim: ClaimRequest = serde_json::from_str(
            r#"{"items":[{"key":"capture:t1","tenant_id":"t1"},{"key":"delivery:d"}],"ttl_seconds":60}"#,
        )
        .expect("claim");
        assert_eq!(claim.items[1].tenant_id, None);
        let refused = serde_json::to_string(&Refused {
            key: "capture:t1".into(),
            reason: Refusal::Resting,
            until: "2026-12-07T00:00:00.000Z".into(),
        })
        .expect("json");
        assert_eq!(
            refused,
            r#"{"key":"capture:t1","reason":"resting","until":"2026-12-07T00:00:00.000Z"}"#
        );
        let complete: CompleteRequest =
            serde_json::from_str(r#"{"key":"k","lease_id":"l"}"#).expect("complete");
        assert_eq!(complete.rest_seconds, 0);
        assert_eq!(capture_key("t1"), "capture:t1");
        assert_eq!(delivery_key("d1"), "delivery:d1");
    }
}

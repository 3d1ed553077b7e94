//! Leases (SYNC.md, "Leases"): one holder at a time for each piece of a workspace's work.
//!
//! A claim is one statement per item, `INSERT … ON CONFLICT DO UPDATE … WHERE` the
//! current grant has expired and the item is not resting: in Postgres the conflicting
//! row is locked and the condition re-checked against its newest version, so of two
//! agents claiming at once exactly one gets a row back; SQLite has one writer. Each item
//! is its own statement (no transaction across items): claims never wait on each other's
//! row locks in a different order, so they cannot deadlock.
//!
//! The caller's role and tenants come from its membership: an operator or above, and
//! only items of tenants it may see. A capture's key names its tenant
//! ([`plumbline_wire::capture_key`]); an item keeps the tenant it was first claimed with,
//! so a member of one tenant cannot take another tenant's delivery by naming its own.

use chrono::{Duration, Utc};
use plumbline_wire::{
    ClaimRequest, ClaimResponse, CompleteRequest, Lease, LeaseItem, LeaseRef, Refusal, Refused,
    RenewRequest, RenewResponse, Role, MAX_LEASE_ITEMS, MAX_LEASE_KEY_LEN, MAX_LEASE_SECONDS,
    MAX_REST_SECONDS, MIN_LEASE_SECONDS,
};

use crate::database::{on_pool, Database, DbId, DbTime};
use crate::sync::{Member, SyncError};

/// What a claim, renewal or completion did, for the metrics.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LeaseCounts {
    pub granted: u64,
    pub refused: u64,
    pub renewed: u64,
    pub lost: u64,
    pub completed: u64,
}

fn check_role(member: &Member) -> Result<(), SyncError> {
    if member.role <= Role::Operator {
        Ok(())
    } else {
        Err(SyncError::Forbidden(format!(
            "a {} may not take work: agents sign in with an operator or admin account",
            member.role.code()
        )))
    }
}

fn check_ttl(ttl: u32) -> Result<Duration, SyncError> {
    if (MIN_LEASE_SECONDS..=MAX_LEASE_SECONDS).contains(&ttl) {
        Ok(Duration::seconds(i64::from(ttl)))
    } else {
        Err(SyncError::BadRequest(format!(
            "ttl_seconds must be between {MIN_LEASE_SECONDS} and {MAX_LEASE_SECONDS}"
        )))
    }
}

fn check_count(count: usize) -> Result<(), SyncError> {
    if count > MAX_LEASE_ITEMS {
        return Err(SyncError::BadRequest(format!(
            "at most {MAX_LEASE_ITEMS} leases per request: send the rest in another"
        )));
    }
    Ok(())
}

/// The item's tenant key (`""`: the workspace's), checked against the caller's scope and
/// the key's form.
fn tenant_key(member: &Member, item: &LeaseItem) -> Result<String, SyncError> {
    let key = item.key.as_str();
    if key.is_empty() || key.len() > MAX_LEASE_KEY_LEN || key.chars().any(char::is_control) {
        return Err(SyncError::BadRequest(format!(
            "lease keys are 1 to {MAX_LEASE_KEY_LEN} printable characters"
        )));
    }
    let tenant = item.tenant_id.as_deref().unwrap_or("").trim().to_owned();
    match key.split_once(':') {
        Some(("capture", of)) if !of.is_empty() => {
            if of != tenant {
                return Err(SyncError::BadRequest(format!(
                    "the capture lease {key:?} names tenant {of:?}: send it with that tenant_id"
                )));
            }
        }
        Some(("delivery", id)) if !id.is_empty() => {}
        _ => {
            return Err(SyncError::BadRequest(format!(
                "{key:?} is not a lease key: use capture:TENANT or delivery:ID"
            )))
        }
    }
    if tenant.is_empty() && member.tenants.is_some() {
        return Err(SyncError::Forbidden(
            "a membership limited to some tenants cannot take the workspace's own work".to_owned(),
        ));
    }
    if !member.may_see(&tenant) {
        return Err(SyncError::Forbidden(format!(
            "this membership does not include tenant {tenant}"
        )));
    }
    Ok(tenant)
}

type LeaseRow = (DbId, i64, DbTime);

impl Database {
    /// Grants the caller those of `request.items` nobody holds and that are not resting.
    pub async fn claim_leases(
        &self,
        member: &Member,
        request: &ClaimRequest,
    ) -> Result<(ClaimResponse, LeaseCounts), SyncError> {
        check_role(member)?;
        check_count(request.items.len())?;
        let ttl = check_ttl(request.ttl_seconds)?;
        let mut items = Vec::with_capacity(request.items.len());
        for item in &request.items {
            items.push((item.key.as_str(), tenant_key(member, item)?));
        }
        items.sort();
        items.dedup_by(|a, b| a.0 == b.0);
        let mut answer = ClaimResponse::default();
        let mut counts = LeaseCounts::default();
        for (key, tenant) in items {
            let now = DbTime::now();
            let expires = DbTime::from(now.0 + ttl);
            let lease_id = DbId::new();
            let granted: Option<LeaseRow> = on_pool!(self, pool => {
                sqlx::query_as(
                    "INSERT INTO leases (workspace_id, lease_key, tenant_key, lease_id, holder, \
                         granted_at, expires_at, rests_until, grants) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, 1) \
                     ON CONFLICT (workspace_id, lease_key) DO UPDATE SET \
                         lease_id = excluded.lease_id, holder = excluded.holder, \
                         granted_at = excluded.granted_at, expires_at = excluded.expires_at, \
                         rests_until = NULL, grants = leases.grants + 1 \
                     WHERE leases.expires_at <= $6 \
                       AND (leases.rests_until IS NULL OR leases.rests_until <= $6) \
                       AND leases.tenant_key = excluded.tenant_key \
                     RETURNING lease_id, grants, expires_at",
                )
                .bind(member.workspace)
                .bind(key)
                .bind(&tenant)
                .bind(lease_id)
                .bind(member.device)
                .bind(now)
                .bind(expires)
                .fetch_optional(pool)
                .await
            })?;
            match granted {
                Some((id, grants, expires_at)) if id == lease_id => {
                    counts.granted += 1;
                    answer.granted.push(Lease {
                        key: key.to_owned(),
                        lease_id: id.to_string(),
                        expires_at: expires_at.rfc3339(),
                        attempts: u32::try_from(grants - 1).unwrap_or(u32::MAX),
                    });
                }
                _ => {
                    counts.refused += 1;
                    answer.refused.push(self.refusal(member, key).await?);
                }
            }
        }
        Ok((answer, counts))
    }

    /// Why `key` was not granted, as of now.
    async fn refusal(&self, member: &Member, key: &str) -> Result<Refused, SyncError> {
        let row: Option<(DbTime, Option<DbTime>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT expires_at, rests_until FROM leases \
                 WHERE workspace_id = $1 AND lease_key = $2",
            )
            .bind(member.workspace)
            .bind(key)
            .fetch_optional(pool)
            .await
        })?;
        let now = DbTime::now();
        let (reason, until) = match row {
            Some((_, Some(rest))) if rest.0 > now.0 => (Refusal::Resting, rest),
            Some((expires, _)) => (Refusal::Held, expires),
            // Claimed under another tenant and since deleted: try again.
            None => (Refusal::Held, now),
        };
        Ok(Refused {
            key: key.to_owned(),
            reason,
            until: until.rfc3339(),
        })
    }

    /// Extends the caller's unexpired leases; the others are lost.
    pub async fn renew_leases(
        &self,
        member: &Member,
        request: &RenewRequest,
    ) -> Result<(RenewResponse, LeaseCounts), SyncError> {
        check_role(member)?;
        check_count(request.leases.len())?;
        let ttl = check_ttl(request.ttl_seconds)?;
        let mut answer = RenewResponse::default();
        let mut counts = LeaseCounts::default();
        for LeaseRef { key, lease_id } in &request.leases {
            let Ok(id) = uuid::Uuid::parse_str(lease_id) else {
                answer.lost.push(key.clone());
                counts.lost += 1;
                continue;
            };
            let now = DbTime::now();
            let renewed: Option<(i64, DbTime)> = on_pool!(self, pool => {
                sqlx::query_as(
                    "UPDATE leases SET expires_at = $5 \
                     WHERE workspace_id = $1 AND lease_key = $2 AND lease_id = $3 \
                       AND holder = $4 AND expires_at > $6 \
                     RETURNING grants, expires_at",
                )
                .bind(member.workspace)
                .bind(key)
                .bind(DbId(id))
                .bind(member.device)
                .bind(DbTime::from(now.0 + ttl))
                .bind(now)
                .fetch_optional(pool)
                .await
            })?;
            match renewed {
                Some((grants, expires_at)) => {
                    counts.renewed += 1;
                    answer.renewed.push(Lease {
                        key: key.clone(),
                        lease_id: lease_id.clone(),
                        expires_at: expires_at.rfc3339(),
                        attempts: u32::try_from(grants - 1).unwrap_or(u32::MAX),
                    });
                }
                None => {
                    counts.lost += 1;
                    answer.lost.push(key.clone());
                }
            }
        }
        Ok((answer, counts))
    }

    /// Gives the item back, resting for `rest_seconds`; false when the caller's grant is
    /// no longer the item's (it expired and another holder took it).
    pub async fn complete_lease(
        &self,
        member: &Member,
        request: &CompleteRequest,
    ) -> Result<bool, SyncError> {
        check_role(member)?;
        if request.rest_seconds > MAX_REST_SECONDS {
            return Err(SyncError::BadRequest(format!(
                "rest_seconds is at most {MAX_REST_SECONDS} (a year)"
            )));
        }
        let Ok(id) = uuid::Uuid::parse_str(&request.lease_id) else {
            return Ok(false);
        };
        let now = Utc::now();
        let rest = (request.rest_seconds > 0).then(|| {
            DbTime::from(now + Duration::seconds(request.rest_seconds.min(MAX_REST_SECONDS) as i64))
        });
        let done = on_pool!(self, pool => {
            sqlx::query(
                "UPDATE leases SET expires_at = $5, rests_until = $6 \
                 WHERE workspace_id = $1 AND lease_key = $2 AND lease_id = $3 AND holder = $4",
            )
            .bind(member.workspace)
            .bind(&request.key)
            .bind(DbId(id))
            .bind(member.device)
            .bind(DbTime::from(now))
            .bind(rest)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(done == 1)
    }
}

//! Derived state in the database (core::derive): the observations cache, decisions as
//! the fold reads them, and writing a tenant's fold.
//!
//! Invariants:
//! - A tenant's derived rows (reviews, findings, transitions, risk acceptances) are
//!   replaced by its fold in one transaction: rows whose id the fold still has are
//!   updated in place (so what was alerted stays alerted), the others go, new ones come.
//! - Derived writes are audited on the device's derived chain (`<device>:derived`): every
//!   device derives them, so they are not the device's own doing and do not sync.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use super::{parse_timestamp, timestamp, Store, StoreError};
use crate::audit::{self, AuditRecord, Writer};
use crate::derive::{Decision, Derived, Observed};
use crate::model::TenantId;

/// A tenant's fold, ready to write.
#[derive(Clone, Debug)]
pub struct DerivedWrite {
    pub tenant: TenantId,
    /// The inputs the fold read (see `review::derivation_hash`).
    pub inputs_hash: String,
    pub derived: Derived,
    /// Observations made for this fold, to cache.
    pub observed: Vec<Observed>,
}

/// Rows per multi-row INSERT.
const CHUNK: usize = 200;

impl Store {
    /// The writer of derived state: this device's derived chain.
    pub fn derived_writer(&self) -> Writer {
        Writer {
            device_id: format!("{}:derived", self.writer().device_id),
            actor: "review".to_owned(),
            workspace: self.workspace(),
        }
    }

    /// Every decision on the tenant's findings, in HLC order.
    pub async fn tenant_decisions(&self, tenant: TenantId) -> Result<Vec<Decision>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, finding, action, base, actor, reason, expires_at, accepted_value, approver, approves, hlc
             FROM decisions WHERE tenant_id = ? ORDER BY hlc, id",
        )
        .bind(tenant.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let hlc: String = row.try_get("hlc")?;
                let at = hlc_time(&hlc)?;
                let expires: Option<String> = row.try_get("expires_at")?;
                let value: Option<String> = row.try_get("accepted_value")?;
                Ok(Decision {
                    id: row.try_get("id")?,
                    finding: row.try_get("finding")?,
                    action: row.try_get("action")?,
                    base: row.try_get("base")?,
                    actor: row.try_get("actor")?,
                    reason: row.try_get("reason")?,
                    expires_at: expires.as_deref().map(parse_timestamp).transpose()?,
                    accepted_value: value
                        .map(|v| serde_json::from_str(&v).map_err(StoreError::corrupt))
                        .transpose()?,
                    approver: row.try_get("approver")?,
                    approves: row.try_get("approves")?,
                    hlc,
                    at,
                })
            })
            .collect()
    }

    /// The inputs of the tenant's last fold, if any.
    pub async fn derivation_hash(&self, tenant: TenantId) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT inputs_hash FROM derivations WHERE tenant_id = ?")
                .bind(tenant.to_string())
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Cached observations of `(capture, inputs)` pairs.
    pub async fn cached_observations(
        &self,
        keys: &[(String, String)],
    ) -> Result<HashMap<(String, String), Observed>, StoreError> {
        let mut out = HashMap::with_capacity(keys.len());
        for (capture, inputs) in keys {
            let data: Option<Vec<u8>> = sqlx::query_scalar(
                "SELECT data FROM observations WHERE capture_id = ? AND inputs_hash = ?",
            )
            .bind(capture)
            .bind(inputs)
            .fetch_optional(self.pool())
            .await?;
            let Some(data) = data else { continue };
            let json = zstd::bulk::decompress(&data, 256 << 20)
                .map_err(|e| StoreError::corrupt(format!("observations of {capture}: {e}")))?;
            match serde_json::from_slice::<Observed>(&json) {
                Ok(observed) => {
                    out.insert((capture.clone(), inputs.clone()), observed);
                }
                // An older engine's cache: observed again.
                Err(error) => tracing::debug!(%error, capture, "cached observations unreadable"),
            }
        }
        Ok(out)
    }

    /// Writes folds, each tenant's in full, in one transaction.
    pub async fn write_derived(&self, writes: Vec<DerivedWrite>) -> Result<(), StoreError> {
        let writer = self.derived_writer();
        let mut tx = self.begin_derived().await?;
        for write in &writes {
            write_one(&mut tx, &writer, write).await?;
        }
        sqlx::query(
            "UPDATE local_settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'derived.generation'",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The physical time of an HLC reading.
pub(crate) fn hlc_time(hlc: &str) -> Result<DateTime<Utc>, StoreError> {
    let ntp = plumbline_wire::Hlc::parse_time(hlc)
        .ok_or_else(|| StoreError::corrupt(format!("a clock reading {hlc:?}")))?;
    DateTime::from_timestamp_millis(plumbline_wire::Hlc::unix_millis(ntp))
        .ok_or_else(|| StoreError::corrupt(format!("a clock reading {hlc:?}")))
}

fn opt_time(at: Option<DateTime<Utc>>) -> Option<String> {
    at.map(timestamp)
}

fn json_text(value: &Option<Value>) -> Option<String> {
    value.as_ref().map(Value::to_string)
}

async fn ids(
    conn: &mut SqliteConnection,
    sql: &str,
    tenant: &str,
) -> Result<BTreeSet<String>, StoreError> {
    let rows: Vec<String> = sqlx::query_scalar(sql)
        .bind(tenant)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().collect())
}

async fn delete_ids(
    conn: &mut SqliteConnection,
    table: &str,
    ids: &[&String],
) -> Result<(), StoreError> {
    for chunk in ids.chunks(CHUNK) {
        let mut builder: QueryBuilder<Sqlite> =
            QueryBuilder::new(format!("DELETE FROM {table} WHERE id IN ("));
        let mut separated = builder.separated(", ");
        for id in chunk {
            separated.push_bind(*id);
        }
        separated.push_unseparated(")");
        builder.build().execute(&mut *conn).await?;
    }
    Ok(())
}

async fn write_one(
    tx: &mut SqliteConnection,
    writer: &Writer,
    write: &DerivedWrite,
) -> Result<(), StoreError> {
    let tenant = write.tenant.to_string();
    let derived = &write.derived;
    let now = timestamp(Utc::now());

    for observed in &write.observed {
        let json = serde_json::to_vec(observed).map_err(StoreError::corrupt)?;
        let data = zstd::bulk::compress(&json, 3)
            .map_err(|e| StoreError::corrupt(format!("cannot compress observations: {e}")))?;
        // The capture's observations under other inputs are stale now.
        sqlx::query("DELETE FROM observations WHERE capture_id = ? AND inputs_hash <> ?")
            .bind(&observed.capture_id)
            .bind(&observed.inputs_hash)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT OR REPLACE INTO observations (capture_id, inputs_hash, data) VALUES (?, ?, ?)",
        )
        .bind(&observed.capture_id)
        .bind(&observed.inputs_hash)
        .bind(data)
        .execute(&mut *tx)
        .await?;
    }

    // What goes: rows the fold no longer has (findings by their old ids included).
    let new_transitions: BTreeSet<&String> = derived.transitions.iter().map(|t| &t.id).collect();
    let new_acceptances: BTreeSet<&String> = derived.acceptances.iter().map(|a| &a.id).collect();
    let new_findings: BTreeSet<&String> = derived.findings.keys().collect();
    let new_reviews: BTreeSet<&String> = derived.reviews.iter().map(|r| &r.id).collect();
    let old_transitions = ids(
        tx,
        "SELECT tr.id FROM finding_transitions tr JOIN findings f ON f.id = tr.finding_id WHERE f.tenant_id = ?",
        &tenant,
    )
    .await?;
    let old_acceptances = ids(
        tx,
        "SELECT ra.id FROM risk_acceptances ra JOIN findings f ON f.id = ra.finding_id WHERE f.tenant_id = ?",
        &tenant,
    )
    .await?;
    let old_findings = ids(tx, "SELECT id FROM findings WHERE tenant_id = ?", &tenant).await?;
    let old_reviews = ids(tx, "SELECT id FROM reviews WHERE tenant_id = ?", &tenant).await?;
    let gone: Vec<&String> = old_transitions
        .iter()
        .filter(|id| !new_transitions.contains(id))
        .collect();
    delete_ids(tx, "finding_transitions", &gone).await?;
    let gone: Vec<&String> = old_acceptances
        .iter()
        .filter(|id| !new_acceptances.contains(id))
        .collect();
    delete_ids(tx, "risk_acceptances", &gone).await?;
    let gone: Vec<&String> = old_findings
        .iter()
        .filter(|id| !new_findings.contains(id))
        .collect();
    delete_ids(tx, "findings", &gone).await?;

    for review in &derived.reviews {
        let detail = serde_json::to_string(&review.score_detail).map_err(StoreError::corrupt)?;
        let at = timestamp(review.at);
        sqlx::query(
            "INSERT INTO reviews (id, tenant_id, capture_id, previous_capture_id, started_at, finished_at, inputs_hash, score, score_detail)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET score = excluded.score, score_detail = excluded.score_detail",
        )
        .bind(&review.id)
        .bind(&tenant)
        .bind(&review.capture_id)
        .bind(&review.previous_capture_id)
        .bind(&at)
        .bind(&at)
        .bind(&review.inputs_hash)
        .bind(review.score)
        .bind(detail)
        .execute(&mut *tx)
        .await?;
    }

    let findings: Vec<_> = derived.findings.values().collect();
    for chunk in findings.chunks(CHUNK) {
        let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO findings (id, tenant_id, fingerprint, source, baseline_id, rule, resource_kind, item_key, setting_path, drift_kind, severity, title, expected, actual, status, not_assessed, reopen_count, first_seen_at, last_seen_at, resolved_at, due_at, last_review_id) ",
        );
        builder.push_values(chunk, |mut b, f| {
            let drift = &f.observation.drift;
            let (baseline, rule) = match f.source {
                crate::findings::Source::Drift => (Some(f.scope.clone()), None),
                crate::findings::Source::Lint => (None, Some(f.scope.clone())),
                crate::findings::Source::History => (None, None),
            };
            b.push_bind(&f.id)
                .push_bind(&tenant)
                .push_bind(&f.id)
                .push_bind(f.source.as_str())
                .push_bind(baseline)
                .push_bind(rule)
                .push_bind(&drift.resource_kind)
                .push_bind(&drift.item_key)
                .push_bind(&drift.setting_path)
                .push_bind(drift.kind.as_str())
                .push_bind(drift.severity.as_str())
                .push_bind(&f.title)
                .push_bind(json_text(&drift.expected))
                .push_bind(json_text(&drift.actual))
                .push_bind(f.status.as_str())
                .push_bind(f.not_assessed)
                .push_bind(f.reopen_count)
                .push_bind(timestamp(f.first_seen_at))
                .push_bind(timestamp(f.last_seen_at))
                .push_bind(opt_time(f.resolved_at))
                .push_bind(opt_time(f.due_at))
                .push_bind(&f.last_review_id);
        });
        builder.push(
            " ON CONFLICT (id) DO UPDATE SET severity = excluded.severity, title = excluded.title,
              expected = excluded.expected, actual = excluded.actual, status = excluded.status,
              not_assessed = excluded.not_assessed, reopen_count = excluded.reopen_count,
              first_seen_at = excluded.first_seen_at, last_seen_at = excluded.last_seen_at,
              resolved_at = excluded.resolved_at, due_at = excluded.due_at,
              last_review_id = excluded.last_review_id",
        );
        builder.build().execute(&mut *tx).await?;
    }

    for chunk in derived.transitions.chunks(CHUNK) {
        let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO finding_transitions (id, finding_id, from_status, to_status, at, actor, reason, review_id, decision_id, superseded_by) ",
        );
        builder.push_values(chunk, |mut b, t| {
            b.push_bind(&t.id)
                .push_bind(&t.finding)
                .push_bind(t.from.map(|s| s.as_str()))
                .push_bind(t.to.as_str())
                .push_bind(timestamp(t.at))
                .push_bind(&t.actor)
                .push_bind(&t.reason)
                .push_bind(&t.review_id)
                .push_bind(&t.decision_id)
                .push_bind(&t.superseded_by);
        });
        builder.push(
            " ON CONFLICT (id) DO UPDATE SET from_status = excluded.from_status, to_status = excluded.to_status,
              reason = excluded.reason, superseded_by = excluded.superseded_by",
        );
        builder.build().execute(&mut *tx).await?;
    }

    for chunk in derived.acceptances.chunks(CHUNK) {
        let mut builder: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO risk_acceptances (id, finding_id, justification, accepted_value, accepted_by, approved_by, approved_at, created_at, expires_at, lapsed_at, lapse_reason) ",
        );
        builder.push_values(chunk, |mut b, a| {
            b.push_bind(&a.id)
                .push_bind(&a.finding)
                .push_bind(&a.justification)
                .push_bind(json_text(&a.accepted_value))
                .push_bind(&a.accepted_by)
                .push_bind(&a.approved_by)
                .push_bind(opt_time(a.approved_at))
                .push_bind(timestamp(a.created_at))
                .push_bind(timestamp(a.expires_at))
                .push_bind(opt_time(a.lapsed_at))
                .push_bind(&a.lapse_reason);
        });
        builder.push(
            " ON CONFLICT (id) DO UPDATE SET approved_by = excluded.approved_by, approved_at = excluded.approved_at,
              lapsed_at = excluded.lapsed_at, lapse_reason = excluded.lapse_reason",
        );
        builder.build().execute(&mut *tx).await?;
    }

    let gone: Vec<&String> = old_reviews
        .iter()
        .filter(|id| !new_reviews.contains(id))
        .collect();
    delete_ids(tx, "reviews", &gone).await?;
    sqlx::query(
        "INSERT INTO derivations (tenant_id, inputs_hash, derived_at) VALUES (?, ?, ?)
         ON CONFLICT (tenant_id) DO UPDATE SET inputs_hash = excluded.inputs_hash, derived_at = excluded.derived_at",
    )
    .bind(&tenant)
    .bind(&write.inputs_hash)
    .bind(&now)
    .execute(&mut *tx)
    .await?;

    let latest = derived.reviews.last();
    let open = derived
        .findings
        .values()
        .filter(|f| f.status.is_active())
        .count();
    audit::append(
        tx,
        writer,
        AuditRecord {
            tenant: Some(write.tenant),
            action: "review.run",
            target: format!("review/{}", latest.map_or("none", |r| r.id.as_str())),
            summary: serde_json::json!({
                "reviews": derived.reviews.len(),
                "score": latest.and_then(|r| r.score),
                "findings": derived.findings.len(),
                "active": open,
                "opened": latest.map_or(0, |r| r.opened),
                "resolved": latest.map_or(0, |r| r.resolved),
                "reopened": latest.map_or(0, |r| r.reopened),
            }),
        },
    )
    .await?;
    Ok(())
}

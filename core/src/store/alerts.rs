//! Alerts in the database: the rules (seeded with [`default_rules`] on first use), the
//! facts reviews produced since alerts were last raised (a watermark), raising alerts
//! with cooldowns, and the inbox's reads and decisions (acknowledge, snooze). Every write
//! carries its audit event.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use super::sync::take_register;
use super::{parse_timestamp, timestamp, Store, StoreError};
use crate::alerts::{
    default_rules, evaluate, AlertRule, Channel, Condition, ExpiringAcceptance, FailedRun,
    LapsedAcceptance, OpenedFinding, ReviewFacts, TenantFacts, TenantFilter,
};
use crate::audit::{self, AuditRecord};
use crate::baseline::Severity;
use crate::model::TenantId;

/// Where an alert stands in the inbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// Not acknowledged and not snoozed (or its snooze has ended).
    Open,
    Snoozed,
    Acknowledged,
    /// Its condition no longer holds (the findings were decided, the capture read
    /// everything, the score came back): nothing to do.
    Resolved,
}

/// One alert as the inbox shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AlertRow {
    pub id: String,
    /// The rule that raised it; `None` for notices (a finished background job that no
    /// desktop notification could announce).
    pub rule: Option<String>,
    pub tenant_id: Option<String>,
    pub tenant: Option<String>,
    /// low | medium | high | critical
    pub severity: String,
    pub title: String,
    pub body: String,
    pub raised_at: String,
    pub acknowledged_at: Option<String>,
    pub snoozed_until: Option<String>,
    /// When its condition was found to no longer hold.
    pub resolved_at: Option<String>,
    pub state: AlertState,
    /// Whether the rule asks for a desktop notification.
    pub notify: bool,
}

/// Which alerts to list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AlertView {
    /// Open ones (the inbox).
    #[default]
    Open,
    Snoozed,
    Acknowledged,
    /// Those whose condition cleared.
    Resolved,
    All,
}

/// A notice for the inbox (no rule, no cooldown).
#[derive(Clone, Debug)]
pub struct Notice {
    pub tenant: Option<TenantId>,
    pub severity: Severity,
    pub title: String,
    pub body: String,
}

/// At most this many alerts are listed at once (newest first).
const LIST_LIMIT: i64 = 1000;

/// Before a rule goes: its alerts keep no rule, and silences of it keep its name (so they
/// never widen to every rule, and hold again if a rule of that name comes back).
pub(crate) async fn forget_rule(
    conn: &mut sqlx::SqliteConnection,
    id: &str,
    name: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE alerts SET rule_id = NULL WHERE rule_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE alert_silences SET rule_id = 'rule-name:' || lower(?) WHERE rule_id = ?")
        .bind(name)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// The workspace's alert rules; the defaults are created on first use. The defaults
    /// are derived (every device seeds the same ones from the code) and not recorded for
    /// sync: a device joining a team must not undo what an admin changed in them. A
    /// device that ever held a synced rule seeds nothing (the team's rules are its).
    pub async fn alert_rules(&self) -> Result<Vec<AlertRule>, StoreError> {
        let rules = self.read_alert_rules().await?;
        if !rules.is_empty() {
            return Ok(rules);
        }
        let mut tx = self.begin_derived().await?;
        // Another writer may have seeded them since the read above.
        let existing: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM alert_rules WHERE workspace_id = ?)
                  + (SELECT COUNT(*) FROM sync_registers WHERE entity = 'alert_rule')",
        )
        .bind(self.workspace().to_string())
        .fetch_one(&mut *tx)
        .await?;
        if existing == 0 {
            let now = timestamp(Utc::now());
            for (name, condition, channels, cooldown) in default_rules() {
                let id = uuid::Uuid::now_v7().to_string();
                let condition = serde_json::to_string(&condition).map_err(StoreError::corrupt)?;
                let channels = serde_json::to_string(&channels).map_err(StoreError::corrupt)?;
                sqlx::query(
                    "INSERT INTO alert_rules (id, workspace_id, name, condition, channels, cooldown_secs, enabled, created_at)
                     VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
                )
                .bind(&id)
                .bind(self.workspace().to_string())
                .bind(&name)
                .bind(&condition)
                .bind(&channels)
                .bind(cooldown)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        self.read_alert_rules().await
    }

    async fn read_alert_rules(&self) -> Result<Vec<AlertRule>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, condition, tenant_filter, channels, cooldown_secs, enabled,
                    group_wait_secs, escalation_policy_id
             FROM alert_rules WHERE workspace_id = ? ORDER BY created_at, id",
        )
        .bind(self.workspace().to_string())
        .fetch_all(self.pool())
        .await?;
        let mut rules = Vec::new();
        for row in &rows {
            let name: String = row.try_get("name")?;
            let condition: String = row.try_get("condition")?;
            let filter: String = row.try_get("tenant_filter")?;
            // A rule synced from a newer version (a condition or filter this one does not
            // know) raises nothing here rather than stopping every rule.
            let (Ok(condition), Ok(tenant_filter)) = (
                serde_json::from_str::<Condition>(&condition),
                serde_json::from_str::<TenantFilter>(&filter),
            ) else {
                tracing::warn!(rule = %name, "an alert rule this version cannot read is skipped");
                continue;
            };
            let channels: String = row.try_get("channels")?;
            rules.push(AlertRule {
                id: row.try_get("id")?,
                name,
                condition,
                tenant_filter,
                channels: serde_json::from_str::<Vec<Channel>>(&channels)
                    .map_err(StoreError::corrupt)?,
                cooldown_secs: row.try_get("cooldown_secs")?,
                enabled: row.try_get::<i64, _>("enabled")? != 0,
                group_wait_secs: row.try_get("group_wait_secs")?,
                escalation_policy_id: row.try_get("escalation_policy_id")?,
            });
        }
        Ok(rules)
    }

    /// Sets which tenants a rule watches.
    pub async fn set_rule_tenants(
        &self,
        rule: &str,
        filter: &TenantFilter,
    ) -> Result<AlertRule, StoreError> {
        let rule = self.alert_rule(rule).await?;
        let json = serde_json::to_string(&filter.tidy()).map_err(StoreError::corrupt)?;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE alert_rules SET tenant_filter = ? WHERE id = ?")
            .bind(&json)
            .bind(&rule.id)
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "alert_rule.tenants",
                target: format!("alert_rule/{}", rule.id),
                summary: serde_json::json!({ "name": rule.name, "tenants": filter }),
            },
        )
        .await?;
        tx.commit().await?;
        self.alert_rule(&rule.id).await
    }

    /// Adds a rule (its name unique in the workspace).
    pub async fn add_alert_rule(
        &self,
        name: &str,
        condition: Condition,
        cooldown_secs: i64,
    ) -> Result<AlertRule, StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("name the rule".to_owned()));
        }
        if !(0..=30 * 86_400).contains(&cooldown_secs) {
            return Err(StoreError::Invalid(
                "the cooldown is between 0 and 30 days".to_owned(),
            ));
        }
        let rules = self.alert_rules().await?;
        if rules.iter().any(|r| r.name.eq_ignore_ascii_case(name)) {
            return Err(StoreError::Conflict(format!(
                "a rule named {name:?} exists: remove it first or choose another name"
            )));
        }
        let id = uuid::Uuid::now_v7().to_string();
        let json = serde_json::to_string(&condition).map_err(StoreError::corrupt)?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO alert_rules (id, workspace_id, name, condition, channels, cooldown_secs, enabled, created_at)
             VALUES (?, ?, ?, ?, '[]', ?, 1, ?)",
        )
        .bind(&id)
        .bind(self.workspace().to_string())
        .bind(name)
        .bind(&json)
        .bind(cooldown_secs)
        .bind(timestamp(Utc::now()))
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "alert_rule.create",
                target: format!("alert_rule/{id}"),
                summary: serde_json::json!({ "name": name, "condition": json }),
            },
        )
        .await?;
        tx.commit().await?;
        self.read_alert_rules()
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| StoreError::Corrupt("the new rule vanished".to_owned()))
    }

    /// The rule with this id, or this name (case aside).
    pub async fn alert_rule(&self, name_or_id: &str) -> Result<AlertRule, StoreError> {
        self.alert_rules()
            .await?
            .into_iter()
            .find(|r| r.id == name_or_id || r.name.eq_ignore_ascii_case(name_or_id.trim()))
            .ok_or_else(|| StoreError::NotFound {
                what: "alert rule",
                name: name_or_id.to_owned(),
            })
    }

    /// Removes a rule; its alerts stay in the inbox, its routes go.
    pub async fn remove_alert_rule(&self, name: &str) -> Result<(), StoreError> {
        let rule = self.alert_rule(name).await?;
        let mut tx = self.begin_write().await?;
        forget_rule(&mut tx, &rule.id, &rule.name).await?;
        sqlx::query("DELETE FROM alert_rules WHERE id = ?")
            .bind(&rule.id)
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: "alert_rule.delete",
                target: format!("alert_rule/{}", rule.id),
                summary: serde_json::json!({ "name": rule.name }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Turns a rule on or off.
    pub async fn set_alert_rule_enabled(&self, id: &str, enabled: bool) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let changed =
            sqlx::query("UPDATE alert_rules SET enabled = ? WHERE id = ? AND workspace_id = ?")
                .bind(i64::from(enabled))
                .bind(id)
                .bind(self.workspace().to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: "alert rule",
                name: id.to_owned(),
            });
        }
        audit::append(
            &mut tx,
            self.writer(),
            AuditRecord {
                tenant: None,
                action: if enabled {
                    "alert_rule.enable"
                } else {
                    "alert_rule.disable"
                },
                target: format!("alert_rule/{id}"),
                summary: serde_json::json!({ "enabled": enabled }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Evaluates the enabled rules over what reviews changed since alerts were last
    /// raised, skips what a rule already raised for the same tenant within its cooldown,
    /// and records the rest. Returns the new alerts.
    ///
    /// "Since last raised" is a watermark kept in the database and moved in the same
    /// transaction as the alerts it produced: a review that was cancelled or crashed
    /// before raising has its findings alerted by the next raise, and two processes
    /// reviewing at once never alert the same change twice.
    pub async fn raise_alerts(&self) -> Result<Vec<AlertRow>, StoreError> {
        let rules = self.alert_rules().await?;
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        let mark = read_watermark(&mut tx).await?;
        let (facts, next) = review_facts(&mut tx, self, &rules, &mark, now).await?;
        let mut ids = Vec::new();
        for alert in evaluate(&rules, &facts) {
            let Some(rule) = rules.iter().find(|r| r.id == alert.rule_id) else {
                continue;
            };
            let quiet_since = timestamp(now - TimeDelta::seconds(rule.cooldown_secs.max(0)));
            let recent: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM alerts WHERE rule_id = ? AND tenant_id = ? AND raised_at > ?",
            )
            .bind(&rule.id)
            .bind(&alert.tenant_id)
            .bind(&quiet_since)
            .fetch_one(&mut *tx)
            .await?;
            if recent > 0 {
                continue;
            }
            let id = uuid::Uuid::now_v7().to_string();
            let tenant = alert
                .tenant_id
                .parse::<TenantId>()
                .ok()
                .ok_or_else(|| StoreError::Corrupt(format!("tenant id {}", alert.tenant_id)))?;
            insert_alert(
                &mut tx,
                self,
                &id,
                Some(&rule.id),
                Some(tenant),
                alert.severity,
                &alert.title,
                &alert.body,
                now,
            )
            .await?;
            super::delivery::enqueue(&mut tx, self, &id, rule, &alert, now).await?;
            ids.push(id);
        }
        let resolved = resolve_cleared(&mut tx, self, &rules, &mark, &next, now).await?;
        if resolved > 0 {
            tracing::info!(resolved, "alerts whose condition cleared were resolved");
        }
        write_watermark(&mut tx, &next).await?;
        tx.commit().await?;
        self.alerts_by_id(&ids).await
    }

    /// Puts a notice in the inbox (a finished job no notification could announce).
    pub async fn record_notice(&self, notice: &Notice) -> Result<AlertRow, StoreError> {
        let id = uuid::Uuid::now_v7().to_string();
        let mut tx = self.begin_write().await?;
        insert_alert(
            &mut tx,
            self,
            &id,
            None,
            notice.tenant,
            notice.severity,
            &notice.title,
            &notice.body,
            Utc::now(),
        )
        .await?;
        tx.commit().await?;
        self.alerts_by_id(std::slice::from_ref(&id))
            .await?
            .pop()
            .ok_or(StoreError::NotFound {
                what: "alert",
                name: id,
            })
    }

    /// The inbox: alerts in `view`, newest first (at most 1,000).
    pub async fn list_alerts(&self, view: AlertView) -> Result<Vec<AlertRow>, StoreError> {
        let now = timestamp(Utc::now());
        let mut query = select_alerts(self);
        match view {
            AlertView::Open => {
                query
                    .push(" AND a.acknowledged_at IS NULL AND a.resolved_at IS NULL")
                    .push(" AND (a.snoozed_until IS NULL OR a.snoozed_until <= ")
                    .push_bind(now)
                    .push(")");
            }
            AlertView::Snoozed => {
                query
                    .push(" AND a.acknowledged_at IS NULL AND a.resolved_at IS NULL")
                    .push(" AND a.snoozed_until > ")
                    .push_bind(now);
            }
            AlertView::Acknowledged => {
                query.push(" AND a.acknowledged_at IS NOT NULL AND a.resolved_at IS NULL");
            }
            AlertView::Resolved => {
                query.push(" AND a.resolved_at IS NOT NULL");
            }
            AlertView::All => {}
        }
        query
            .push(" ORDER BY a.raised_at DESC, a.id DESC LIMIT ")
            .push_bind(LIST_LIMIT);
        let rows = query.build().fetch_all(self.pool()).await?;
        rows.iter().map(alert_row).collect()
    }

    /// How many alerts the inbox's Open view holds (not capped as the list is).
    pub async fn open_alert_count(&self) -> Result<u32, StoreError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM alerts a LEFT JOIN tenants t ON t.id = a.tenant_id
             WHERE (t.workspace_id IS NULL OR t.workspace_id = ?)
               AND a.acknowledged_at IS NULL AND a.resolved_at IS NULL
               AND (a.snoozed_until IS NULL OR a.snoozed_until <= ?)",
        )
        .bind(self.workspace().to_string())
        .bind(timestamp(Utc::now()))
        .fetch_one(self.pool())
        .await?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    async fn alerts_by_id(&self, ids: &[String]) -> Result<Vec<AlertRow>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut query = select_alerts(self);
        query.push(" AND a.id IN (");
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(id.clone());
        }
        query.push(") ORDER BY a.raised_at DESC, a.id DESC");
        let rows = query.build().fetch_all(self.pool()).await?;
        rows.iter().map(alert_row).collect()
    }

    /// Acknowledges alerts (already acknowledged ones are left as they are).
    pub async fn acknowledge_alerts(&self, ids: &[String]) -> Result<u32, StoreError> {
        self.decide_alerts(ids, "alert.acknowledge", None).await
    }

    /// Hides alerts from the inbox until `until`; they come back then.
    pub async fn snooze_alerts(
        &self,
        ids: &[String],
        until: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        if until <= Utc::now() {
            return Err(StoreError::Invalid(
                "a snooze must end in the future: pick a later time".to_owned(),
            ));
        }
        self.decide_alerts(ids, "alert.snooze", Some(until)).await
    }

    async fn decide_alerts(
        &self,
        ids: &[String],
        action: &'static str,
        snooze_until: Option<DateTime<Utc>>,
    ) -> Result<u32, StoreError> {
        let now = timestamp(Utc::now());
        let mut tx = self.begin_write().await?;
        let mut changed = 0u32;
        for id in ids {
            let row = sqlx::query("SELECT tenant_id, acknowledged_at FROM alerts WHERE id = ?")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    what: "alert",
                    name: id.clone(),
                })?;
            if row
                .try_get::<Option<String>, _>("acknowledged_at")?
                .is_some()
            {
                continue;
            }
            let tenant = row
                .try_get::<Option<String>, _>("tenant_id")?
                .and_then(|t| t.parse::<TenantId>().ok());
            let summary = match snooze_until {
                Some(until) => {
                    let until = timestamp(until);
                    sqlx::query("UPDATE alerts SET snoozed_until = ? WHERE id = ?")
                        .bind(&until)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    serde_json::json!({ "snoozed_until": until })
                }
                None => {
                    sqlx::query("UPDATE alerts SET acknowledged_at = ? WHERE id = ?")
                        .bind(&now)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    // Every device's copy of the alert (same event) stops notifying.
                    let event: Option<(Option<String>, Option<String>)> =
                        sqlx::query_as("SELECT event_id, fingerprint FROM alerts WHERE id = ?")
                            .bind(id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if let (Some((Some(event_id), Some(fingerprint))), Some(tenant)) =
                        (event, tenant)
                    {
                        let hlc = tx.hlc().to_owned();
                        sqlx::query(
                            "INSERT OR IGNORE INTO alert_acks (event_id, tenant_id, fingerprint,
                                 acknowledged_at, actor, op_id, hlc)
                             VALUES (?, ?, ?, ?, ?, ?, ?)",
                        )
                        .bind(&event_id)
                        .bind(tenant.to_string())
                        .bind(&fingerprint)
                        .bind(&now)
                        .bind(&self.writer().actor)
                        .bind(uuid::Uuid::now_v7().to_string())
                        .bind(&hlc)
                        .execute(&mut *tx)
                        .await?;
                    }
                    serde_json::json!({})
                }
            };
            audit::append(
                &mut tx,
                self.writer(),
                AuditRecord {
                    tenant,
                    action,
                    target: format!("alert/{id}"),
                    summary,
                },
            )
            .await?;
            changed += 1;
        }
        tx.commit().await?;
        Ok(changed)
    }
}

/// How far alerts have been raised: the newest finding transition and review already
/// looked at (by rowid, which only grows), and the time up to which lapsed risk
/// acceptances were. Kept in `local_settings`; migration 14 starts it at the database's
/// state then, so an upgraded database does not alert its whole history.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Watermark {
    transition_rowid: i64,
    review_rowid: i64,
    lapsed_at: String,
    /// The newest capture run looked at; absent (a watermark from before capture rules):
    /// the runs there are now, so that an upgrade does not alert old failures.
    #[serde(default)]
    capture_rowid: Option<i64>,
}

const WATERMARK_KEY: &str = "alerts.watermark";

async fn read_watermark(tx: &mut SqliteConnection) -> Result<Watermark, StoreError> {
    let text: Option<String> = sqlx::query_scalar("SELECT value FROM local_settings WHERE key = ?")
        .bind(WATERMARK_KEY)
        .fetch_optional(&mut *tx)
        .await?;
    match text {
        Some(text) => serde_json::from_str(&text).map_err(StoreError::corrupt),
        None => Ok(Watermark::default()),
    }
}

async fn write_watermark(tx: &mut SqliteConnection, mark: &Watermark) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO local_settings (key, value) VALUES (?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(WATERMARK_KEY)
    .bind(serde_json::to_string(mark).map_err(StoreError::corrupt)?)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// What reviews changed after `mark` (up to `now`): findings they opened or re-opened,
/// acceptances that lapsed, and each reviewed tenant's score before and after. Returns
/// the facts and the watermark that covers them.
async fn review_facts(
    tx: &mut SqliteConnection,
    store: &Store,
    rules: &[AlertRule],
    mark: &Watermark,
    now: DateTime<Utc>,
) -> Result<(ReviewFacts, Watermark), StoreError> {
    let workspace = store.workspace().to_string();
    let next = Watermark {
        transition_rowid: sqlx::query_scalar(
            "SELECT COALESCE(MAX(rowid), 0) FROM finding_transitions",
        )
        .fetch_one(&mut *tx)
        .await?,
        review_rowid: sqlx::query_scalar("SELECT COALESCE(MAX(rowid), 0) FROM reviews")
            .fetch_one(&mut *tx)
            .await?,
        lapsed_at: timestamp(now),
        capture_rowid: Some(
            sqlx::query_scalar("SELECT COALESCE(MAX(rowid), 0) FROM capture_runs")
                .fetch_one(&mut *tx)
                .await?,
        ),
    };
    let mut facts: ReviewFacts = BTreeMap::new();
    // Only findings an enabled rule can fire on are read: a first review of a large
    // portfolio opens tens of thousands, most of them below every rule's severity.
    let least_severity = rules
        .iter()
        .filter(|rule| rule.enabled)
        .filter_map(|rule| match rule.condition {
            Condition::NewFindings { min_severity } => Some(min_severity),
            _ => None,
        })
        .min();
    // Ghost policies (a policy of the previous capture gone) of any severity, when a rule
    // asks about them.
    let ghosts = rules
        .iter()
        .any(|rule| rule.enabled && matches!(rule.condition, Condition::GhostPolicy));
    let opened = match least_severity.or(ghosts.then_some(Severity::Critical)) {
        None => Vec::new(),
        Some(least) => {
            let wanted = at_least(least);
            sqlx::query(
                "SELECT f.tenant_id, t.display_name, f.severity, f.title, tr.from_status,
                        f.id AS finding_id, tr.review_id, f.drift_kind
                 FROM finding_transitions tr
                 JOIN findings f ON f.id = tr.finding_id
                 JOIN tenants t ON t.id = f.tenant_id
                 WHERE tr.rowid > ? AND tr.rowid <= ? AND tr.review_id IS NOT NULL
                   AND tr.to_status = 'open' AND t.workspace_id = ?
                   AND (f.severity IN (SELECT value FROM json_each(?))
                        OR (? AND f.drift_kind = 'deleted'))
                 ORDER BY tr.rowid",
            )
            .bind(mark.transition_rowid)
            .bind(next.transition_rowid)
            .bind(&workspace)
            .bind(serde_json::json!(wanted).to_string())
            .bind(ghosts)
            .fetch_all(&mut *tx)
            .await?
        }
    };
    for row in &opened {
        let severity: String = row.try_get("severity")?;
        tenant_facts(&mut facts, row)?.opened.push(OpenedFinding {
            severity: Severity::parse(&severity)
                .ok_or_else(|| StoreError::Corrupt(format!("severity {severity}")))?,
            title: row.try_get("title")?,
            reopened: row.try_get::<Option<String>, _>("from_status")?.is_some(),
            ghost: row.try_get::<String, _>("drift_kind")? == "deleted",
            key: format!(
                "{}@{}",
                row.try_get::<String, _>("finding_id")?,
                row.try_get::<Option<String>, _>("review_id")?
                    .unwrap_or_default()
            ),
        });
    }
    let lapsed = sqlx::query(
        "SELECT f.tenant_id, t.display_name, f.title, ra.lapse_reason, ra.id AS acceptance_id
         FROM risk_acceptances ra
         JOIN findings f ON f.id = ra.finding_id
         JOIN tenants t ON t.id = f.tenant_id
         WHERE ra.lapsed_at > ? AND ra.lapsed_at <= ?
           AND ra.lapse_reason IN ('expired', 'value_changed') AND t.workspace_id = ?
         ORDER BY ra.lapsed_at, ra.id",
    )
    .bind(&mark.lapsed_at)
    .bind(&next.lapsed_at)
    .bind(&workspace)
    .fetch_all(&mut *tx)
    .await?;
    for row in &lapsed {
        tenant_facts(&mut facts, row)?.lapsed.push({
            let reason = row
                .try_get::<Option<String>, _>("lapse_reason")?
                .unwrap_or_default();
            LapsedAcceptance {
                finding_title: row.try_get("title")?,
                key: format!("{}@{reason}", row.try_get::<String, _>("acceptance_id")?),
                reason,
            }
        });
    }
    // Each tenant reviewed since the mark: its newest score, and its newest one before.
    let scores = sqlx::query(
        "SELECT r.tenant_id, t.display_name, r.score AS after, r.id AS review_id,
                (SELECT p.score FROM reviews p
                 WHERE p.tenant_id = r.tenant_id AND p.rowid <= ?1
                 ORDER BY p.rowid DESC LIMIT 1) AS before
         FROM reviews r JOIN tenants t ON t.id = r.tenant_id
         WHERE r.rowid > ?1 AND r.rowid <= ?2 AND t.workspace_id = ?3
           AND r.rowid = (SELECT MAX(n.rowid) FROM reviews n
                          WHERE n.tenant_id = r.tenant_id AND n.rowid <= ?2)",
    )
    .bind(mark.review_rowid)
    .bind(next.review_rowid)
    .bind(&workspace)
    .fetch_all(&mut *tx)
    .await?;
    for row in &scores {
        let before: Option<f64> = row.try_get("before")?;
        let after: Option<f64> = row.try_get("after")?;
        if let (Some(before), Some(after)) = (before, after) {
            let tenant_id: String = row.try_get("tenant_id")?;
            let latest_run: Option<String> = sqlx::query_scalar(
                "SELECT status FROM capture_runs WHERE tenant_id = ?
                 ORDER BY finished_at DESC LIMIT 1",
            )
            .bind(&tenant_id)
            .fetch_optional(&mut *tx)
            .await?;
            let tenant = tenant_facts(&mut facts, row)?;
            tenant.score = Some((before, after));
            tenant.score_key = row.try_get("review_id")?;
            tenant.capture_incomplete = latest_run.is_some_and(|status| status != "ok");
        }
    }
    tenant_states(tx, store, rules, mark, &next, now, &mut facts).await?;
    // Each tenant's tags, for rules that watch tenants by tag.
    let tagged: Vec<(String, String)> =
        sqlx::query_as("SELECT id, tags FROM tenants WHERE workspace_id = ?")
            .bind(&workspace)
            .fetch_all(&mut *tx)
            .await?;
    for (id, tags) in tagged {
        if let Some(tenant) = facts.get_mut(&id) {
            tenant.tags = serde_json::from_str(&tags).unwrap_or_default();
        }
    }
    Ok((facts, next))
}

/// The facts about where tenants stand rather than what a review changed: capture runs
/// that failed since the mark, risk acceptances ending soon, tenants connected to Graph
/// whose newest capture is old. Read only when an enabled rule asks about them.
async fn tenant_states(
    tx: &mut SqliteConnection,
    store: &Store,
    rules: &[AlertRule],
    mark: &Watermark,
    next: &Watermark,
    now: DateTime<Utc>,
    facts: &mut ReviewFacts,
) -> Result<(), StoreError> {
    let workspace = store.workspace().to_string();
    let enabled = || rules.iter().filter(|rule| rule.enabled);
    if enabled().any(|rule| rule.condition == Condition::CaptureFailed) {
        let runs = sqlx::query(
            "SELECT r.id, r.tenant_id, t.display_name, r.status, r.error
             FROM capture_runs r JOIN tenants t ON t.id = r.tenant_id
             WHERE r.rowid > ? AND r.rowid <= ? AND r.status <> 'ok' AND t.workspace_id = ?
             ORDER BY r.rowid",
        )
        .bind(mark.capture_rowid.or(next.capture_rowid).unwrap_or(0))
        .bind(next.capture_rowid.unwrap_or(0))
        .bind(&workspace)
        .fetch_all(&mut *tx)
        .await?;
        for row in &runs {
            tenant_facts(facts, row)?.failed_runs.push(FailedRun {
                status: row.try_get("status")?,
                error: row.try_get("error")?,
                key: row.try_get("id")?,
            });
        }
    }
    let window = enabled()
        .filter_map(|rule| match rule.condition {
            Condition::AcceptanceExpiring { days } => Some(days),
            _ => None,
        })
        .max();
    if let Some(days) = window {
        let until = now + TimeDelta::days(i64::from(days));
        let expiring = sqlx::query(
            "SELECT f.tenant_id, t.display_name, f.title, ra.id AS acceptance_id, ra.expires_at
             FROM risk_acceptances ra
             JOIN findings f ON f.id = ra.finding_id
             JOIN tenants t ON t.id = f.tenant_id
             WHERE ra.lapsed_at IS NULL AND ra.expires_at > ? AND ra.expires_at <= ?
               AND t.workspace_id = ?
             ORDER BY ra.expires_at, ra.id",
        )
        .bind(timestamp(now))
        .bind(timestamp(until))
        .bind(&workspace)
        .fetch_all(&mut *tx)
        .await?;
        for row in &expiring {
            let expires: String = row.try_get("expires_at")?;
            let left = parse_timestamp(&expires)? - now;
            tenant_facts(facts, row)?.expiring.push(ExpiringAcceptance {
                finding_title: row.try_get("title")?,
                days_left: left.num_seconds() as f64 / 86_400.0,
                key: format!("{}@{expires}", row.try_get::<String, _>("acceptance_id")?),
            });
        }
    }
    if enabled().any(|rule| matches!(rule.condition, Condition::NotCaptured { .. })) {
        // Real tenants connected to Graph (not the demo's), by their newest capture of
        // any source.
        let stale = sqlx::query(
            "SELECT t.id AS tenant_id, t.display_name,
                    (SELECT MAX(c.taken_at) FROM captures c WHERE c.tenant_id = t.id) AS last
             FROM tenants t
             WHERE t.workspace_id = ? AND t.entra_tenant_id IS NOT NULL AND t.is_demo = 0",
        )
        .bind(&workspace)
        .fetch_all(&mut *tx)
        .await?;
        for row in &stale {
            let Some(last) = row.try_get::<Option<String>, _>("last")? else {
                continue;
            };
            let age = now - parse_timestamp(&last)?;
            tenant_facts(facts, row)?.stale = Some((age.num_seconds() as f64 / 86_400.0, last));
        }
    }
    Ok(())
}

/// The severities at or above `least`, as the database spells them.
fn at_least(least: Severity) -> Vec<&'static str> {
    [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ]
    .into_iter()
    .filter(|severity| *severity >= least)
    .map(Severity::as_str)
    .collect()
}

/// Findings an alert is about still needing a decision: open, or acknowledged but not
/// yet fixed, accepted or dismissed.
const UNDECIDED: &str = "('open', 'acknowledged')";

/// Resolves the alerts (of the workspace's rules) whose condition no longer holds for
/// their tenant, at `now`: their pending notifications are not sent, and once every
/// alert of a fingerprint is resolved, the PagerDuty and webhook destinations that were
/// told of it are told it resolved. Returns how many alerts were resolved.
///
/// Only what can have changed is asked: alerts of tenants whose findings, reviews or
/// capture runs changed between the watermarks `mark` and `next`, and the alerts of
/// conditions that time alone clears (an acceptance ending, a tenant not captured).
async fn resolve_cleared(
    tx: &mut SqliteConnection,
    store: &Store,
    rules: &[AlertRule],
    mark: &Watermark,
    next: &Watermark,
    now: DateTime<Utc>,
) -> Result<u32, StoreError> {
    let rows = sqlx::query(
        "SELECT a.id, a.rule_id, a.tenant_id, a.fingerprint, a.subjects, a.score_before
         FROM alerts a JOIN tenants t ON t.id = a.tenant_id
         JOIN alert_rules r ON r.id = a.rule_id
         WHERE a.resolved_at IS NULL AND t.workspace_id = ?1
           AND (json_extract(r.condition, '$.type') IN ('acceptance_expiring', 'not_captured')
                OR a.tenant_id IN (SELECT f.tenant_id FROM finding_transitions tr
                                   JOIN findings f ON f.id = tr.finding_id
                                   WHERE tr.rowid > ?2 AND tr.rowid <= ?3)
                OR a.tenant_id IN (SELECT tenant_id FROM reviews WHERE rowid > ?4 AND rowid <= ?5)
                OR a.tenant_id IN (SELECT tenant_id FROM capture_runs
                                   WHERE rowid > ?6 AND rowid <= ?7))
         ORDER BY a.raised_at, a.id",
    )
    .bind(store.workspace().to_string())
    .bind(mark.transition_rowid)
    .bind(next.transition_rowid)
    .bind(mark.review_rowid)
    .bind(next.review_rowid)
    .bind(mark.capture_rowid.or(next.capture_rowid).unwrap_or(0))
    .bind(next.capture_rowid.unwrap_or(0))
    .fetch_all(&mut *tx)
    .await?;
    let mut cleared: Vec<String> = Vec::new();
    let mut fingerprints: Vec<String> = Vec::new();
    for row in &rows {
        let rule_id: String = row.try_get("rule_id")?;
        let Some(rule) = rules.iter().find(|r| r.id == rule_id) else {
            continue;
        };
        let tenant: String = row.try_get("tenant_id")?;
        let subjects: Vec<String> = match row.try_get::<Option<String>, _>("subjects")? {
            Some(text) => serde_json::from_str(&text).map_err(StoreError::corrupt)?,
            None => Vec::new(),
        };
        let score_before: Option<f64> = row.try_get("score_before")?;
        if condition_holds(tx, &rule.condition, &tenant, &subjects, score_before, now).await? {
            continue;
        }
        cleared.push(row.try_get("id")?);
        if let Some(fingerprint) = row.try_get::<Option<String>, _>("fingerprint")? {
            if !fingerprints.contains(&fingerprint) {
                fingerprints.push(fingerprint);
            }
        }
    }
    if cleared.is_empty() {
        return Ok(0);
    }
    let at = timestamp(now);
    let ids = serde_json::json!(cleared).to_string();
    sqlx::query("UPDATE alerts SET resolved_at = ? WHERE id IN (SELECT value FROM json_each(?))")
        .bind(&at)
        .bind(&ids)
        .execute(&mut *tx)
        .await?;
    // What was not sent yet need not be: the condition is gone.
    sqlx::query(
        "UPDATE alert_deliveries SET state = 'skipped', last_error = 'resolved', done_at = ?
         WHERE state = 'pending' AND json_extract(message, '$.action') = 'trigger'
           AND alert_id IN (SELECT value FROM json_each(?))",
    )
    .bind(&at)
    .bind(&ids)
    .execute(&mut *tx)
    .await?;
    for fingerprint in &fingerprints {
        super::delivery::enqueue_resolution(tx, store, fingerprint, now).await?;
    }
    for id in &cleared {
        audit::append(
            tx,
            store.writer(),
            AuditRecord {
                tenant: None,
                action: "alert.resolve",
                target: format!("alert/{id}"),
                summary: serde_json::json!({ "resolved_at": at }),
            },
        )
        .await?;
    }
    Ok(u32::try_from(cleared.len()).unwrap_or(u32::MAX))
}

/// Whether `condition` still holds for `tenant` at `now`, asked of what the alert was
/// about (`subjects`, the keys of its event): the findings it named still undecided, the
/// acceptances it named still ending, the tenant's newest capture run still incomplete,
/// its score still below where it was, its newest capture still old. An alert recorded
/// before alerts named their subjects is asked of the whole tenant.
async fn condition_holds(
    tx: &mut SqliteConnection,
    condition: &Condition,
    tenant: &str,
    subjects: &[String],
    score_before: Option<f64>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    // Finding and acceptance keys are `ID@WHAT`.
    let ids = serde_json::json!(subjects
        .iter()
        .map(|k| k.split('@').next().unwrap_or_default())
        .collect::<Vec<_>>())
    .to_string();
    let holds: bool = match condition {
        Condition::NewFindings { min_severity } => {
            let wanted = at_least(*min_severity);
            if subjects.is_empty() {
                sqlx::query_scalar(&format!(
                    "SELECT EXISTS (SELECT 1 FROM findings
                     WHERE tenant_id = ? AND status IN {UNDECIDED}
                       AND severity IN (SELECT value FROM json_each(?)))"
                ))
                .bind(tenant)
                .bind(serde_json::json!(wanted).to_string())
                .fetch_one(&mut *tx)
                .await?
            } else {
                undecided_findings(tx, &ids).await?
            }
        }
        Condition::GhostPolicy => {
            if subjects.is_empty() {
                sqlx::query_scalar(&format!(
                    "SELECT EXISTS (SELECT 1 FROM findings
                     WHERE tenant_id = ? AND status IN {UNDECIDED}
                       AND drift_kind = 'deleted')"
                ))
                .bind(tenant)
                .fetch_one(&mut *tx)
                .await?
            } else {
                undecided_findings(tx, &ids).await?
            }
        }
        Condition::AcceptanceLapsed => {
            sqlx::query_scalar(&format!(
                "SELECT EXISTS (SELECT 1 FROM risk_acceptances ra
                 JOIN findings f ON f.id = ra.finding_id
                 WHERE f.status IN {UNDECIDED}
                   AND CASE WHEN ?1 THEN f.tenant_id = ?2
                                         AND ra.lapse_reason IN ('expired', 'value_changed')
                            ELSE ra.id IN (SELECT value FROM json_each(?3)) END)"
            ))
            .bind(subjects.is_empty())
            .bind(tenant)
            .bind(&ids)
            .fetch_one(&mut *tx)
            .await?
        }
        Condition::AcceptanceExpiring { days } => {
            let until = timestamp(now + TimeDelta::days(i64::from(*days)));
            sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM risk_acceptances ra
                 JOIN findings f ON f.id = ra.finding_id
                 WHERE ra.lapsed_at IS NULL AND ra.expires_at <= ?1 AND f.status = 'risk_accepted'
                   AND CASE WHEN ?2 THEN f.tenant_id = ?3
                            ELSE ra.id IN (SELECT value FROM json_each(?4)) END)",
            )
            .bind(until)
            .bind(subjects.is_empty())
            .bind(tenant)
            .bind(&ids)
            .fetch_one(&mut *tx)
            .await?
        }
        Condition::CaptureFailed => {
            let latest: Option<String> = sqlx::query_scalar(
                "SELECT status FROM capture_runs WHERE tenant_id = ?
                 ORDER BY finished_at DESC, rowid DESC LIMIT 1",
            )
            .bind(tenant)
            .fetch_optional(&mut *tx)
            .await?;
            latest.is_none_or(|status| status != "ok")
        }
        Condition::ScoreDrop { .. } => {
            let latest: Option<Option<f64>> = sqlx::query_scalar(
                "SELECT score FROM reviews WHERE tenant_id = ? ORDER BY rowid DESC LIMIT 1",
            )
            .bind(tenant)
            .fetch_optional(&mut *tx)
            .await?;
            match (score_before, latest.flatten()) {
                (Some(before), Some(score)) => score + 1e-9 < before,
                _ => true,
            }
        }
        Condition::NotCaptured { days } => {
            let row: Option<(Option<String>, bool)> = sqlx::query_as(
                "SELECT (SELECT MAX(c.taken_at) FROM captures c WHERE c.tenant_id = t.id),
                        t.entra_tenant_id IS NOT NULL
                 FROM tenants t WHERE t.id = ?",
            )
            .bind(tenant)
            .fetch_optional(&mut *tx)
            .await?;
            match row {
                Some((Some(last), true)) => {
                    now - parse_timestamp(&last)? >= TimeDelta::days(i64::from(*days))
                }
                // Disconnected from Graph (or gone): nothing to capture any more.
                Some((None, true)) => true,
                _ => false,
            }
        }
    };
    Ok(holds)
}

/// Whether any of the findings (ids, a JSON array) still needs a decision.
async fn undecided_findings(tx: &mut SqliteConnection, ids: &str) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT EXISTS (SELECT 1 FROM findings WHERE id IN (SELECT value FROM json_each(?))
           AND status IN {UNDECIDED})"
    ))
    .bind(ids)
    .fetch_one(&mut *tx)
    .await?)
}

fn tenant_facts<'a>(
    facts: &'a mut ReviewFacts,
    row: &sqlx::sqlite::SqliteRow,
) -> Result<&'a mut TenantFacts, StoreError> {
    let tenant_id: String = row.try_get("tenant_id")?;
    let name: String = row.try_get("display_name")?;
    Ok(facts.entry(tenant_id).or_insert_with(|| TenantFacts {
        tenant_name: name,
        ..TenantFacts::default()
    }))
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn insert_alert(
    tx: &mut sqlx::SqliteConnection,
    store: &Store,
    id: &str,
    rule_id: Option<&str>,
    tenant: Option<TenantId>,
    severity: Severity,
    title: &str,
    body: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO alerts (id, rule_id, tenant_id, severity, title, body, raised_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(rule_id)
    .bind(tenant.map(|t| t.to_string()))
    .bind(severity.as_str())
    .bind(title)
    .bind(body)
    .bind(timestamp(at))
    .execute(&mut *tx)
    .await?;
    audit::append(
        tx,
        store.writer(),
        AuditRecord {
            tenant,
            action: "alert.raise",
            target: format!("alert/{id}"),
            summary: serde_json::json!({
                "rule": rule_id,
                "severity": severity.as_str(),
                "title": title,
            }),
        },
    )
    .await?;
    Ok(())
}

fn select_alerts(store: &Store) -> QueryBuilder<'static, Sqlite> {
    let mut query = QueryBuilder::new(
        "SELECT a.id, a.rule_id, r.name AS rule_name, r.channels, a.tenant_id,
                t.display_name AS tenant_name, a.severity, a.title, a.body, a.raised_at,
                a.acknowledged_at, a.snoozed_until, a.resolved_at
         FROM alerts a
         LEFT JOIN alert_rules r ON r.id = a.rule_id
         LEFT JOIN tenants t ON t.id = a.tenant_id
         WHERE (t.workspace_id IS NULL OR t.workspace_id = ",
    );
    query.push_bind(store.workspace().to_string()).push(")");
    query
}

fn alert_row(row: &sqlx::sqlite::SqliteRow) -> Result<AlertRow, StoreError> {
    let acknowledged_at: Option<String> = row.try_get("acknowledged_at")?;
    let snoozed_until: Option<String> = row.try_get("snoozed_until")?;
    let snoozed = match &snoozed_until {
        Some(until) => parse_timestamp(until)? > Utc::now(),
        None => false,
    };
    let resolved_at: Option<String> = row.try_get("resolved_at")?;
    let state = if resolved_at.is_some() {
        AlertState::Resolved
    } else if acknowledged_at.is_some() {
        AlertState::Acknowledged
    } else if snoozed {
        AlertState::Snoozed
    } else {
        AlertState::Open
    };
    let channels: Option<String> = row.try_get("channels")?;
    let notify = channels
        .map(|c| serde_json::from_str::<Vec<Channel>>(&c).map_err(StoreError::corrupt))
        .transpose()?
        .is_some_and(|c| c.contains(&Channel::Desktop));
    Ok(AlertRow {
        id: row.try_get("id")?,
        rule: row.try_get("rule_name")?,
        tenant_id: row.try_get("tenant_id")?,
        tenant: row.try_get("tenant_name")?,
        severity: row.try_get("severity")?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        raised_at: row.try_get("raised_at")?,
        acknowledged_at,
        snoozed_until,
        resolved_at,
        state,
        notify,
    })
}

/// Applies another device's alert rule (`alert_rule_set`): by name, case folded.
pub(crate) async fn apply_rule_set(
    conn: &mut SqliteConnection,
    store: &Store,
    record: &plumbline_wire::AlertRuleRecord,
    hlc: &str,
) -> Result<(), StoreError> {
    let key = record.name.trim().to_lowercase();
    if !take_register(conn, "alert_rule", &key, "rule", hlc).await? {
        return Ok(());
    }
    // A condition this version does not know is kept as it came (it raises nothing here).
    let condition = serde_json::to_string(&record.condition).map_err(StoreError::corrupt)?;
    let filter = match &record.tenant_filter {
        serde_json::Value::Null => "{}".to_owned(),
        other => serde_json::to_string(other).map_err(StoreError::corrupt)?,
    };
    let workspace = store.workspace().to_string();
    let updated = sqlx::query(
        "UPDATE alert_rules SET name = ?, condition = ?, tenant_filter = ?, cooldown_secs = ?,
             enabled = ?
         WHERE workspace_id = ? AND lower(name) = ?",
    )
    .bind(record.name.trim())
    .bind(&condition)
    .bind(&filter)
    .bind(record.cooldown_secs)
    .bind(i64::from(record.enabled))
    .bind(&workspace)
    .bind(&key)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if updated == 0 {
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO alert_rules (id, workspace_id, name, condition, tenant_filter, channels,
                 cooldown_secs, enabled, created_at)
             VALUES (?, ?, ?, ?, ?, '[]', ?, ?, ?)",
        )
        .bind(&id)
        .bind(&workspace)
        .bind(record.name.trim())
        .bind(&condition)
        .bind(&filter)
        .bind(record.cooldown_secs)
        .bind(i64::from(record.enabled))
        .bind(super::sync::hlc_timestamp(hlc))
        .execute(&mut *conn)
        .await?;
        // Silences made for this rule before it arrived hold from now on.
        sqlx::query("UPDATE alert_silences SET rule_id = ? WHERE rule_id = 'rule-name:' || ?")
            .bind(&id)
            .bind(&key)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Applies another device's removal of a rule (`alert_rule_remove`).
pub(crate) async fn apply_rule_remove(
    conn: &mut SqliteConnection,
    store: &Store,
    name: &str,
    hlc: &str,
) -> Result<(), StoreError> {
    let key = name.trim().to_lowercase();
    if !take_register(conn, "alert_rule", &key, "rule", hlc).await? {
        return Ok(());
    }
    let found: Option<(String, String)> = sqlx::query_as(
        "SELECT id, name FROM alert_rules WHERE workspace_id = ? AND lower(name) = ?",
    )
    .bind(store.workspace().to_string())
    .bind(&key)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((id, name)) = found {
        forget_rule(conn, &id, &name).await?;
        sqlx::query("DELETE FROM alert_rules WHERE id = ?")
            .bind(&id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Applies another device's silence (`silence_set`): made, or ended early.
pub(crate) async fn apply_silence(
    conn: &mut SqliteConnection,
    store: &Store,
    tenant: Option<&str>,
    record: &plumbline_wire::SilenceRecord,
    hlc: &str,
) -> Result<(), StoreError> {
    if !take_register(conn, "silence", &record.id, "silence", hlc).await? {
        return Ok(());
    }
    for at in [&record.starts_at, &record.ends_at] {
        parse_timestamp(at)?;
    }
    let rule_id = match &record.rule {
        None => None,
        Some(name) => {
            let key = name.trim().to_lowercase();
            let id: Option<String> = sqlx::query_scalar(
                "SELECT id FROM alert_rules WHERE workspace_id = ? AND lower(name) = ?",
            )
            .bind(store.workspace().to_string())
            .bind(&key)
            .fetch_optional(&mut *conn)
            .await?;
            Some(id.unwrap_or_else(|| format!("rule-name:{key}")))
        }
    };
    sqlx::query(
        "INSERT INTO alert_silences (id, workspace_id, rule_id, tenant_id, starts_at, ends_at,
             comment, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET ends_at = excluded.ends_at, comment = excluded.comment",
    )
    .bind(&record.id)
    .bind(store.workspace().to_string())
    .bind(&rule_id)
    .bind(tenant)
    .bind(&record.starts_at)
    .bind(&record.ends_at)
    .bind(&record.comment)
    .bind(super::sync::hlc_timestamp(hlc))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;
    use crate::portfolio::{add_demo_tenants, DemoRequest, DEFAULT_SEED};

    async fn ops_of(store: &Store, kind: &str) -> Vec<String> {
        sqlx::query_scalar("SELECT data FROM sync_ops WHERE kind = ? ORDER BY seq")
            .bind(kind)
            .fetch_all(store.pool())
            .await
            .expect("ops")
    }

    /// Rules and silences sync: a change outside a store write is refused (no write path
    /// can forget its operation), the seeded defaults record nothing, a person's changes
    /// record what other devices need (rules by name, silences with their rule's name).
    #[tokio::test]
    async fn rules_and_silences_change_only_through_recorded_store_writes() {
        let store = Store::open_in_memory().await.expect("store");
        let rules = store.alert_rules().await.expect("seed");
        assert_eq!(rules.len(), 3);
        assert!(
            ops_of(&store, "alert_rule_set").await.is_empty(),
            "seeds are derived"
        );
        for sql in [
            "UPDATE alert_rules SET enabled = 0",
            "DELETE FROM alert_rules",
            "INSERT INTO alert_silences (id, workspace_id, rule_id, tenant_id, starts_at, ends_at, comment, created_at)
             SELECT 'x', id, NULL, NULL, 'a', 'b', 'c', 'd' FROM workspaces",
        ] {
            let refused = sqlx::query(sql).execute(store.pool()).await;
            assert!(
                refused
                    .as_ref()
                    .is_err_and(|e| e.to_string().contains("only through a store write")),
                "{sql}: {refused:?}"
            );
        }
        let rule = store
            .add_alert_rule("Nightly failures", Condition::CaptureFailed, 3600)
            .await
            .expect("add");
        store
            .set_alert_rule_enabled(&rule.id, false)
            .await
            .expect("disable");
        let sets = ops_of(&store, "alert_rule_set").await;
        assert_eq!(sets.len(), 2, "{sets:?}");
        let last: serde_json::Value = serde_json::from_str(&sets[1]).expect("json");
        assert_eq!(last["name"], "Nightly failures");
        assert_eq!(last["enabled"], false);
        store
            .add_silence(
                Some(&rule.id),
                None,
                Utc::now() + TimeDelta::hours(2),
                "patching",
            )
            .await
            .expect("silence");
        store.remove_alert_rule(&rule.id).await.expect("remove");
        let silences = ops_of(&store, "silence_set").await;
        let silence: serde_json::Value = serde_json::from_str(&silences[0]).expect("json");
        assert_eq!(silence["rule"], "Nightly failures");
        assert_eq!(ops_of(&store, "alert_rule_remove").await.len(), 1);
        // The silence outlives its rule without widening to every rule.
        let kept = store.silences().await.expect("silences");
        assert_eq!(
            kept[0].rule_id.as_deref(),
            Some("rule-name:nightly failures")
        );
    }
    use crate::review::{review_all, ReviewOptions};

    async fn reviewed_portfolio() -> (tempfile::TempDir, Store, ()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("alerts.db"))
            .await
            .expect("open");
        add_demo_tenants(&store, &DemoRequest::now(DEFAULT_SEED, 3), |_, _| {})
            .await
            .expect("demo");
        review_all(&store, &ReviewOptions::default(), |_, _| {})
            .await
            .expect("review");
        (dir, store, ())
    }

    /// Tenants whose reviews opened a high or critical finding, by SQL written
    /// independently of `review_facts`. (Every review of the fixture is new: derived
    /// times are the captures', so they tell nothing about when a review ran.)
    async fn tenants_with_new_high(store: &Store) -> Vec<String> {
        tenants_with_new(store, "'high', 'critical'").await
    }

    /// Tenants whose reviews opened a finding of one of `severities` (an SQL list).
    async fn tenants_with_new(store: &Store, severities: &str) -> Vec<String> {
        sqlx::query_scalar(&format!(
            "SELECT DISTINCT t.display_name FROM finding_transitions tr
             JOIN findings f ON f.id = tr.finding_id JOIN tenants t ON t.id = f.tenant_id
             WHERE tr.to_status = 'open' AND tr.review_id IS NOT NULL AND f.severity IN ({severities})
             ORDER BY t.display_name"
        ))
        .fetch_all(store.pool())
        .await
        .expect("query")
    }

    /// The facts read for new findings follow the rules: a rule lowered to medium sees
    /// medium findings, and with no enabled new-findings rule none is raised.
    #[tokio::test]
    async fn new_findings_rules_see_every_severity_they_ask_for() {
        let (_dir, store, ()) = reviewed_portfolio().await;
        let rules = store.alert_rules().await.expect("seed the rules");
        let rule = rules
            .iter()
            .find(|r| matches!(r.condition, Condition::NewFindings { .. }))
            .expect("a new-findings rule");
        // A store write (a raw UPDATE is refused: rules sync, every change is recorded).
        let mut tx = store.begin_write().await.expect("write");
        sqlx::query("UPDATE alert_rules SET condition = ? WHERE id = ?")
            .bind(r#"{"type":"new_findings","min_severity":"medium"}"#)
            .bind(&rule.id)
            .execute(&mut *tx)
            .await
            .expect("lower the rule to medium");
        tx.commit().await.expect("commit");
        let expected = tenants_with_new(&store, "'medium', 'high', 'critical'").await;
        assert!(!expected.is_empty(), "the demo plants findings");
        let raised = store.raise_alerts().await.expect("raise");
        let mine: Vec<&AlertRow> = raised
            .iter()
            .filter(|a| a.rule.as_deref() == Some(rule.name.as_str()))
            .collect();
        let mut tenants: Vec<String> = mine.iter().filter_map(|a| a.tenant.clone()).collect();
        tenants.sort();
        assert_eq!(tenants, expected);
        assert!(
            mine.iter().any(|a| a.body.contains("[medium]")),
            "medium findings are listed"
        );

        // Every new-findings rule off: the next review's findings raise nothing.
        store
            .set_alert_rule_enabled(&rule.id, false)
            .await
            .expect("disable");
        sqlx::query("DELETE FROM alerts")
            .execute(store.pool())
            .await
            .expect("clear the cooldowns");
        sqlx::query("DELETE FROM local_settings WHERE key = 'alerts.watermark'")
            .execute(store.pool())
            .await
            .expect("reset the watermark");
        let raised = store.raise_alerts().await.expect("raise");
        assert!(
            raised
                .iter()
                .all(|a| a.rule.as_deref() != Some(rule.name.as_str())),
            "a disabled rule raises nothing"
        );
    }

    /// A ghost-policy rule raises for every tenant whose review opened a `deleted`
    /// finding (the demo plants them), whatever the finding's severity, and names the
    /// deleted policies.
    #[tokio::test]
    async fn a_ghost_policy_rule_raises_for_deleted_policies() {
        let (_dir, store, ()) = reviewed_portfolio().await;
        let expected: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT t.display_name FROM finding_transitions tr
             JOIN findings f ON f.id = tr.finding_id JOIN tenants t ON t.id = f.tenant_id
             WHERE tr.to_status = 'open' AND tr.review_id IS NOT NULL
               AND f.drift_kind = 'deleted'
             ORDER BY t.display_name",
        )
        .fetch_all(store.pool())
        .await
        .expect("query");
        assert!(!expected.is_empty(), "the demo plants deleted policies");
        for rule in store.alert_rules().await.expect("rules") {
            store
                .set_alert_rule_enabled(&rule.id, false)
                .await
                .expect("only the ghost rule");
        }
        store
            .add_alert_rule("Ghosts", Condition::GhostPolicy, 3600)
            .await
            .expect("add");
        let raised = store.raise_alerts().await.expect("raise");
        let mut tenants: Vec<String> = raised.iter().filter_map(|a| a.tenant.clone()).collect();
        tenants.sort();
        assert_eq!(tenants, expected);
        assert!(raised.iter().all(|a| a.rule.as_deref() == Some("Ghosts")));
        assert!(
            raised.iter().all(|a| a.title.contains("deleted")),
            "{raised:?}"
        );
    }

    /// A rule watching tenants by tag raises only for the tagged tenant (tags read from
    /// the tenants, as the review's facts carry them); an exclusion keeps one out.
    #[tokio::test]
    async fn a_rule_raises_only_for_the_tenants_it_watches() {
        let (_dir, store, ()) = reviewed_portfolio().await;
        let expected = tenants_with_new_high(&store).await;
        assert!(
            expected.len() >= 2,
            "two tenants with new high findings: {expected:?}"
        );
        let tenants = store.list_tenants().await.expect("tenants");
        let vip = tenants
            .iter()
            .find(|t| t.name == expected[0])
            .expect("tenant");
        store
            .set_tenant_tags(vip.id, &["VIP".to_owned()])
            .await
            .expect("tag");
        let high = "New critical or high findings";
        store
            .set_rule_tenants(
                high,
                &TenantFilter {
                    tags: vec!["vip".to_owned()],
                    ..TenantFilter::default()
                },
            )
            .await
            .expect("watch vip");
        let raised = store.raise_alerts().await.expect("raise");
        let mine: Vec<String> = raised
            .iter()
            .filter(|a| a.rule.as_deref() == Some(high))
            .filter_map(|a| a.tenant.clone())
            .collect();
        assert_eq!(mine, [expected[0].clone()]);
        let synced: Vec<String> = sqlx::query_scalar(
            "SELECT json_extract(data, '$.tenant_filter.tags[0]') FROM sync_ops
             WHERE kind = 'alert_rule_set'",
        )
        .fetch_all(store.pool())
        .await
        .expect("ops");
        assert_eq!(synced, ["vip"], "the filter travels with the rule");
    }

    #[tokio::test]
    async fn a_review_raises_one_alert_per_tenant_with_new_high_findings_then_cools_down() {
        let (_dir, store, ()) = reviewed_portfolio().await;
        let expected = tenants_with_new_high(&store).await;
        assert!(!expected.is_empty(), "the demo plants high findings");

        let raised = store.raise_alerts().await.expect("raise");
        let mut tenants: Vec<String> = raised
            .iter()
            .filter(|a| a.rule.as_deref() == Some("New critical or high findings"))
            .map(|a| a.tenant.clone().expect("tenant"))
            .collect();
        tenants.sort();
        assert_eq!(tenants, expected);
        // Alerts whose findings a later capture of the history already fixed are resolved
        // at once; the rest are open.
        let open_now = raised
            .iter()
            .filter(|a| a.state == AlertState::Open)
            .count();
        assert!(open_now > 0);
        for alert in &raised {
            assert!(
                matches!(alert.state, AlertState::Open | AlertState::Resolved),
                "{alert:?}"
            );
            assert!(alert.notify, "the default rules notify the desktop");
            assert!(matches!(
                alert.severity.as_str(),
                "high" | "critical" | "medium"
            ));
        }
        let audited: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'alert.raise'")
                .fetch_one(store.pool())
                .await
                .expect("count");
        assert_eq!(audited, raised.len() as i64);

        // Nothing new since: the watermark moved with the alerts.
        assert!(store.raise_alerts().await.expect("raise").is_empty());
        // The same facts again (the watermark put back): every rule is in its cooldown.
        sqlx::query("DELETE FROM local_settings WHERE key = 'alerts.watermark'")
            .execute(store.pool())
            .await
            .expect("reset the watermark");
        assert!(store.raise_alerts().await.expect("raise").is_empty());
        assert_eq!(
            store
                .list_alerts(AlertView::Open)
                .await
                .expect("list")
                .len(),
            open_now
        );
    }

    /// A review whose alerts were never raised (cancelled, crashed) is alerted by the
    /// next raise; a later review's changes are added to it, not lost.
    #[tokio::test]
    async fn unraised_reviews_are_alerted_by_the_next_raise() {
        let (_dir, store, ()) = reviewed_portfolio().await;
        let first = tenants_with_new_high(&store).await;
        // A second portfolio review opens nothing new (same captures), and a raise after
        // it still finds the first review's findings.
        review_all(&store, &ReviewOptions { force: true }, |_, _| {})
            .await
            .expect("review again");
        let mut tenants: Vec<String> = store
            .raise_alerts()
            .await
            .expect("raise")
            .into_iter()
            .filter(|a| a.rule.as_deref() == Some("New critical or high findings"))
            .filter_map(|a| a.tenant)
            .collect();
        tenants.sort();
        assert_eq!(tenants, first);
    }

    #[tokio::test]
    async fn the_inbox_acknowledges_and_snoozes() {
        let (_dir, store, _) = reviewed_portfolio().await;
        let mut raised = store.raise_alerts().await.expect("raise");
        assert!(!raised.is_empty(), "the demo's first review alerts");
        raised.push(
            store
                .record_notice(&Notice {
                    tenant: None,
                    severity: Severity::Low,
                    title: "Pack ready".to_owned(),
                    body: String::new(),
                })
                .await
                .expect("notice"),
        );
        let unresolved: Vec<String> = raised
            .iter()
            .filter(|a| a.state == AlertState::Open)
            .map(|a| a.id.clone())
            .collect();
        let (first, second) = (unresolved[0].clone(), unresolved[1].clone());

        assert_eq!(
            store
                .acknowledge_alerts(std::slice::from_ref(&first))
                .await
                .expect("ack"),
            1
        );
        assert_eq!(
            store
                .acknowledge_alerts(std::slice::from_ref(&first))
                .await
                .expect("again"),
            0,
            "acknowledging twice changes nothing"
        );
        let until = Utc::now() + TimeDelta::hours(4);
        store
            .snooze_alerts(std::slice::from_ref(&second), until)
            .await
            .expect("snooze");
        let refused = store
            .snooze_alerts(
                std::slice::from_ref(&second),
                Utc::now() - TimeDelta::hours(1),
            )
            .await;
        assert!(matches!(refused, Err(StoreError::Invalid(_))));

        let ids = |rows: Vec<AlertRow>| rows.into_iter().map(|a| a.id).collect::<Vec<_>>();
        let open = ids(store.list_alerts(AlertView::Open).await.expect("open"));
        assert!(!open.contains(&first) && !open.contains(&second));
        assert_eq!(open.len(), unresolved.len() - 2);
        assert_eq!(
            ids(store
                .list_alerts(AlertView::Acknowledged)
                .await
                .expect("acked")),
            vec![first.clone()]
        );
        let snoozed = store
            .list_alerts(AlertView::Snoozed)
            .await
            .expect("snoozed");
        assert_eq!(snoozed.len(), 1);
        assert_eq!(snoozed[0].state, AlertState::Snoozed);
        assert_eq!(
            snoozed[0].snoozed_until.as_deref(),
            Some(timestamp(until).as_str())
        );
        assert_eq!(
            store.list_alerts(AlertView::All).await.expect("all").len(),
            raised.len()
        );

        let missing = store.acknowledge_alerts(&["nope".to_owned()]).await;
        assert!(matches!(missing, Err(StoreError::NotFound { .. })));
    }

    #[tokio::test]
    async fn a_score_drop_alert_resolves_once_the_score_is_back_where_it_was() {
        use crate::model::{CaptureContent, CaptureSource, TenantProfile};
        use crate::store::CaptureWrite;
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("alerts.db"))
            .await
            .expect("open");
        let content = CaptureContent::default();
        let (tenant, capture, _) = store
            .record_capture(
                &TenantProfile {
                    display_name: "Contoso".into(),
                    ..TenantProfile::default()
                },
                &CaptureWrite {
                    source: CaptureSource::Import,
                    taken_at: Utc::now(),
                    origin: None,
                    content: &content,
                },
            )
            .await
            .expect("capture");
        store
            .add_alert_rule("Drop", Condition::ScoreDrop { points: 10.0 }, 0)
            .await
            .expect("rule");
        // Reviews with the scores given, as a review would record them.
        let review = |score: f64| {
            let store = store.clone();
            async move {
                let at = timestamp(Utc::now());
                sqlx::query(
                    "INSERT INTO reviews (id, tenant_id, capture_id, started_at, finished_at,
                         inputs_hash, score)
                     VALUES (?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(tenant.to_string())
                .bind(capture.to_string())
                .bind(&at)
                .bind(&at)
                .bind(format!("{score}"))
                .bind(score)
                .execute(store.pool())
                .await
                .expect("review");
                store.raise_alerts().await.expect("raise")
            }
        };
        let mine = |alerts: Vec<AlertRow>| {
            alerts
                .into_iter()
                .filter(|a| a.rule.as_deref() == Some("Drop"))
                .collect::<Vec<_>>()
        };
        let state = || async {
            let alerts = store.list_alerts(AlertView::All).await.expect("alerts");
            mine(alerts).iter().map(|a| a.state).collect::<Vec<_>>()
        };
        assert!(
            mine(review(90.0).await).is_empty(),
            "nothing to compare with"
        );
        assert_eq!(mine(review(70.0).await).len(), 1, "fell 20 points");
        assert_eq!(state().await, vec![AlertState::Open]);
        review(85.0).await;
        assert_eq!(
            state().await,
            vec![AlertState::Open],
            "85 is still below the 90 it fell from"
        );
        review(90.0).await;
        assert_eq!(state().await, vec![AlertState::Resolved], "back at 90");
    }

    #[tokio::test]
    async fn failed_captures_and_tenants_left_uncaptured_alert_by_their_rules() {
        use crate::model::{CaptureContent, CaptureSource, TenantProfile};
        use crate::store::{CaptureRunWrite, CaptureWrite};
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("alerts.db"))
            .await
            .expect("open");
        let (tenant, _) = store
            .ensure_tenant(&TenantProfile {
                display_name: "Contoso".into(),
                ..TenantProfile::default()
            })
            .await
            .expect("tenant");
        crate::settings::save_tenant_connection(
            &store,
            &crate::keychain::MemoryKeychain::default(),
            tenant,
            Some("6c2c3b4f-0b0e-4b0a-9d3e-5f1a2b3c4d5e"),
            None,
        )
        .await
        .expect("connect");
        // A capture five days old, then a run that failed.
        let old = Utc::now() - TimeDelta::days(5);
        let run = |error: Option<&str>| CaptureRunWrite {
            tenant,
            started_at: old,
            finished_at: old,
            requests: 3,
            throttled: 0,
            kinds_failed: Vec::new(),
            warnings: Vec::new(),
            error: error.map(str::to_owned),
        };
        let content = CaptureContent::default();
        store
            .record_capture_run(
                &run(None),
                Some(&CaptureWrite {
                    source: CaptureSource::Graph,
                    taken_at: old,
                    origin: None,
                    content: &content,
                }),
            )
            .await
            .expect("capture");
        store
            .add_alert_rule("Capture failed", Condition::CaptureFailed, 0)
            .await
            .expect("rule");
        store
            .add_alert_rule("Stale", Condition::NotCaptured { days: 3 }, 3600)
            .await
            .expect("rule");
        assert!(
            store
                .add_alert_rule("stale", Condition::NotCaptured { days: 1 }, 0)
                .await
                .is_err(),
            "names are unique"
        );
        store
            .record_capture_run(&run(Some("AADSTS7000222: the client secret expired")), None)
            .await
            .expect("failed run");
        let raised = store.raise_alerts().await.expect("raise");
        let titles: Vec<&str> = raised.iter().map(|a| a.title.as_str()).collect();
        assert!(
            titles.contains(&"Contoso: a capture from Graph failed"),
            "{titles:?}"
        );
        assert!(
            titles.contains(&"Contoso: not captured for 5 days"),
            "{titles:?}"
        );
        // The same run is not alerted twice; the stale tenant waits for its cooldown.
        assert!(store.raise_alerts().await.expect("raise").is_empty());
        assert_eq!(
            store
                .list_alerts(AlertView::Open)
                .await
                .expect("open")
                .len(),
            2,
            "both conditions still hold"
        );
        // A later capture reads the whole tenant: both alerts resolve.
        let now = Utc::now();
        store
            .record_capture_run(
                &CaptureRunWrite {
                    started_at: now,
                    finished_at: now,
                    ..run(None)
                },
                Some(&CaptureWrite {
                    source: CaptureSource::Graph,
                    taken_at: now,
                    origin: None,
                    content: &content,
                }),
            )
            .await
            .expect("capture");
        assert!(store.raise_alerts().await.expect("raise").is_empty());
        assert!(store
            .list_alerts(AlertView::Open)
            .await
            .expect("open")
            .is_empty());
        let resolved = store
            .list_alerts(AlertView::Resolved)
            .await
            .expect("resolved");
        assert_eq!(resolved.len(), 2);
        assert!(resolved.iter().all(|a| a.state == AlertState::Resolved));
        store.remove_alert_rule("Stale").await.expect("remove");
        assert!(store
            .alert_rules()
            .await
            .expect("rules")
            .iter()
            .all(|r| r.name != "Stale"));
    }

    #[tokio::test]
    async fn notices_and_disabled_rules() {
        let (_dir, store, _) = reviewed_portfolio().await;
        for rule in store.alert_rules().await.expect("rules") {
            store
                .set_alert_rule_enabled(&rule.id, false)
                .await
                .expect("disable");
        }
        assert!(store.raise_alerts().await.expect("raise").is_empty());
        assert_eq!(
            store.alert_rules().await.expect("rules").len(),
            3,
            "not seeded twice"
        );

        let notice = store
            .record_notice(&Notice {
                tenant: None,
                severity: Severity::Low,
                title: "Review finished".to_owned(),
                body: "3 tenants reviewed".to_owned(),
            })
            .await
            .expect("notice");
        assert_eq!(notice.rule, None);
        assert!(!notice.notify);
        assert_eq!(
            store.list_alerts(AlertView::Open).await.expect("open"),
            vec![notice]
        );
    }
}

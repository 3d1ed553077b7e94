//! What the console's Portfolio page shows: every tenant with its score and trend, its
//! open findings by severity and by category, its last capture and its baselines.
//!
//! The whole portfolio is read in four set-based queries, run concurrently on the pool's
//! connections, whatever the number of tenants (none is a query per tenant):
//! 1. tenants with their latest capture, capture count, failed kinds and latest review;
//! 2. the last [`PORTFOLIO_HISTORY`] scored reviews of every tenant (the sparkline);
//! 3. open findings grouped by tenant, resource kind and severity, with the overdue ones;
//! 4. baseline assignments by name.
//!
//! "Open" means not yet dealt with: `open` or `acknowledged`, as in the portfolio report.
//! The categories of the tenant × category matrix are the portfolio report's
//! ([`super::reporting`]): resource kinds, registry order first.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::reporting::{report_categories, PORTFOLIO_HISTORY};
use super::{timestamp, SeverityCounts, Store, StoreError};

/// One column of the tenant × category matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PortfolioCategory {
    /// The resource kind key (`settings_catalog`, …).
    pub key: String,
    pub label: String,
}

/// One review's score, for the trend sparkline.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TrendPoint {
    /// RFC 3339, UTC.
    pub at: String,
    pub score: f64,
}

/// One cell of a tenant's row in the matrix: its open findings of one category.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CategoryCounts {
    /// A [`PortfolioCategory::key`].
    pub category: String,
    pub open: SeverityCounts,
}

/// A tenant as the Portfolio page shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PortfolioTenant {
    pub id: String,
    pub name: String,
    pub primary_domain: Option<String>,
    pub tags: Vec<String>,
    pub is_demo: bool,
    /// The latest review's score (0–100); `None` before a review, or when the latest
    /// review had nothing to score.
    pub score: Option<f64>,
    /// When the latest review finished (RFC 3339, UTC).
    pub reviewed_at: Option<String>,
    /// The last scored reviews, oldest first, at most [`PORTFOLIO_HISTORY`].
    pub trend: Vec<TrendPoint>,
    /// Open (or acknowledged) findings by severity.
    pub open: SeverityCounts,
    /// Open findings past their due date.
    pub overdue: u32,
    pub capture_count: u32,
    /// RFC 3339, UTC.
    pub last_capture_at: Option<String>,
    /// Items in the last capture.
    pub item_count: u32,
    /// Kinds that failed in the last capture, by key.
    pub failed_kinds: Vec<String>,
    /// Assigned baselines, by name.
    pub baselines: Vec<String>,
    /// Open findings by category, in the order of [`PortfolioOverview::categories`];
    /// categories without open findings are left out.
    pub by_category: Vec<CategoryCounts>,
}

/// The Portfolio page's data.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PortfolioOverview {
    /// By name.
    pub tenants: Vec<PortfolioTenant>,
    /// The matrix's columns: every category with an open finding in some tenant.
    pub categories: Vec<PortfolioCategory>,
    /// The time overdue is measured against (RFC 3339, UTC).
    pub as_of: String,
}

// Each query answers one row: a JSON array of arrays, decoded by serde_json into the
// tuple structs below. sqlx hands every result row over with a message between threads,
// which costs more than the query itself for the ~10,000 rows of 1,000 tenants (the same
// packing as `Store::console_findings`).

/// (id, name, primary domain, tags as JSON text, is demo, capture count, last capture
/// time, items in it, its failed kinds comma-separated, latest review time, its score).
#[derive(Deserialize)]
struct PackedTenant(
    String,
    String,
    Option<String>,
    String,
    i64,
    i64,
    Option<String>,
    i64,
    Option<String>,
    Option<String>,
    Option<f64>,
);

/// (tenant id, finished at, score).
#[derive(Deserialize)]
struct PackedScore(String, String, f64);

/// (tenant id, resource kind, open critical, high, medium, low, overdue).
#[derive(Deserialize)]
struct PackedCell(String, String, u32, u32, u32, u32, u32);

/// (tenant id, baseline name).
#[derive(Deserialize)]
struct PackedAssignment(String, String);

// The latest capture and review of each tenant come from index seeks on
// `captures_by_tenant_time` and `reviews_by_tenant_time` walked backwards; the rowid
// breaks ties of equal times (rowids grow with inserts, as the UUIDv7 ids do).
const TENANTS_SQL: &str = "
    SELECT json_group_array(json_array(
               t.id, t.display_name, t.primary_domain, t.tags, t.is_demo,
               (SELECT COUNT(*) FROM captures c WHERE c.tenant_id = t.id),
               lc.taken_at, COALESCE(lc.item_count, 0),
               (SELECT group_concat(k.kind, ',') FROM capture_kinds k
                WHERE k.capture_id = lc.id AND k.ok = 0),
               lr.finished_at, lr.score)
           ORDER BY t.display_name COLLATE NOCASE, t.id)
    FROM tenants t
    LEFT JOIN captures lc ON lc.rowid = (
        SELECT c.rowid FROM captures c WHERE c.tenant_id = t.id
        ORDER BY c.taken_at DESC, c.rowid DESC LIMIT 1)
    LEFT JOIN reviews lr ON lr.rowid = (
        SELECT r.rowid FROM reviews r WHERE r.tenant_id = t.id
        ORDER BY r.finished_at DESC, r.rowid DESC LIMIT 1)
    WHERE t.workspace_id = ?";

// Per tenant, the newest scored reviews by an index seek: the cost grows with tenants ×
// PORTFOLIO_HISTORY, not with the length of the review history.
const TREND_SQL: &str = "
    SELECT json_group_array(json_array(r.tenant_id, r.finished_at, r.score)
           ORDER BY r.tenant_id, r.finished_at, r.rowid)
    FROM tenants t JOIN reviews r ON r.rowid IN (
        SELECT r2.rowid FROM reviews r2
        WHERE r2.tenant_id = t.id AND r2.score IS NOT NULL
        ORDER BY r2.finished_at DESC, r2.rowid DESC LIMIT ?)
    WHERE t.workspace_id = ?";

// Tenants are not joined: rows of other workspaces' tenants are dropped by the caller,
// which knows this workspace's tenants already. The partial index
// `findings_open_by_tenant_kind` holds exactly these rows in this order with every
// column read, so the grouping reads that index alone.
const OPEN_FINDINGS_SQL: &str = "
    SELECT json_group_array(json_array(tenant_id, resource_kind, critical, high, medium, low,
                                       overdue))
    FROM (SELECT tenant_id, resource_kind,
                 SUM(severity = 'critical') AS critical, SUM(severity = 'high') AS high,
                 SUM(severity = 'medium') AS medium,
                 SUM(severity NOT IN ('critical', 'high', 'medium')) AS low,
                 SUM(due_at IS NOT NULL AND due_at < ?) AS overdue
          FROM findings
          WHERE status IN ('open', 'acknowledged')
          GROUP BY tenant_id, resource_kind)";

const BASELINES_SQL: &str = "
    SELECT json_group_array(json_array(a.tenant_id, b.name)
           ORDER BY a.tenant_id, b.name COLLATE NOCASE, b.name)
    FROM baseline_assignments a JOIN baselines b ON b.id = a.baseline_id
    WHERE b.workspace_id = ?";

fn unpack<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<Vec<T>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::corrupt(format!("{what}: {e}")))
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Store {
    /// Everything the Portfolio page shows, for every tenant of the workspace: see the
    /// module documentation. `now` is what overdue is measured against.
    pub async fn portfolio_overview(
        &self,
        now: DateTime<Utc>,
    ) -> Result<PortfolioOverview, StoreError> {
        let workspace = self.workspace().to_string();
        let as_of = timestamp(now);
        let history = i64::try_from(PORTFOLIO_HISTORY).unwrap_or(i64::MAX);
        // Four reads on up to four pooled connections at once: SQLite runs each
        // connection on its own thread.
        let (tenant_rows, trend_rows, cell_rows, assignment_rows): (
            String,
            String,
            String,
            String,
        ) = tokio::try_join!(
            sqlx::query_scalar(TENANTS_SQL)
                .bind(&workspace)
                .fetch_one(self.pool()),
            sqlx::query_scalar(TREND_SQL)
                .bind(history)
                .bind(&workspace)
                .fetch_one(self.pool()),
            sqlx::query_scalar(OPEN_FINDINGS_SQL)
                .bind(&as_of)
                .fetch_one(self.pool()),
            sqlx::query_scalar(BASELINES_SQL)
                .bind(&workspace)
                .fetch_one(self.pool()),
        )?;

        let packed: Vec<PackedTenant> = unpack("tenants", &tenant_rows)?;
        let mut tenants: Vec<PortfolioTenant> = Vec::with_capacity(packed.len());
        let mut index: HashMap<String, usize> = HashMap::with_capacity(packed.len());
        for t in packed {
            let mut failed_kinds: Vec<String> =
                t.8.map(|f| f.split(',').map(str::to_owned).collect())
                    .unwrap_or_default();
            failed_kinds.sort();
            index.insert(t.0.clone(), tenants.len());
            tenants.push(PortfolioTenant {
                tags: serde_json::from_str(&t.3).map_err(StoreError::corrupt)?,
                id: t.0,
                name: t.1,
                primary_domain: t.2,
                is_demo: t.4 != 0,
                score: t.10,
                reviewed_at: t.9,
                trend: Vec::new(),
                open: SeverityCounts::default(),
                overdue: 0,
                capture_count: count(t.5),
                last_capture_at: t.6,
                item_count: count(t.7),
                failed_kinds,
                baselines: Vec::new(),
                by_category: Vec::new(),
            });
        }

        for PackedScore(tenant, at, score) in unpack("trend", &trend_rows)? {
            if let Some(&i) = index.get(&tenant) {
                tenants[i].trend.push(TrendPoint { at, score });
            }
        }

        let mut cells: Vec<(usize, CategoryCounts)> = Vec::new();
        let mut used_kinds: BTreeSet<String> = BTreeSet::new();
        for cell in unpack::<PackedCell>("open findings", &cell_rows)? {
            let PackedCell(tenant, kind, critical, high, medium, low, overdue) = cell;
            let Some(&i) = index.get(&tenant) else {
                continue;
            };
            let open = &mut tenants[i].open;
            open.critical += critical;
            open.high += high;
            open.medium += medium;
            open.low += low;
            tenants[i].overdue += overdue;
            used_kinds.insert(kind.clone());
            cells.push((
                i,
                CategoryCounts {
                    category: kind,
                    open: SeverityCounts {
                        critical,
                        high,
                        medium,
                        low,
                    },
                },
            ));
        }
        let categories: Vec<PortfolioCategory> = report_categories(used_kinds)
            .into_iter()
            .map(|c| PortfolioCategory {
                key: c.key,
                label: c.label,
            })
            .collect();
        let order: HashMap<&str, usize> = categories
            .iter()
            .enumerate()
            .map(|(n, c)| (c.key.as_str(), n))
            .collect();
        // Each tenant's cells in category order.
        cells.sort_by_key(|(i, c)| (*i, order.get(c.category.as_str()).copied()));
        for (i, cell) in cells {
            tenants[i].by_category.push(cell);
        }

        for PackedAssignment(tenant, name) in unpack("baselines", &assignment_rows)? {
            if let Some(&i) = index.get(&tenant) {
                tenants[i].baselines.push(name);
            }
        }

        Ok(PortfolioOverview {
            tenants,
            categories,
            as_of,
        })
    }
}

#[cfg(test)]
mod tests;

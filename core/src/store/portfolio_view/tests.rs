use std::collections::BTreeMap;

use chrono::TimeZone;

use super::*;
use crate::kinds;
use crate::portfolio::{add_demo_tenants, DemoRequest, DEMO_BASELINE};
use crate::review::{review_all, ReviewOptions};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("time")
        .with_timezone(&Utc)
}

/// Writes a synthetic portfolio straight into the tables (a few statements, whatever its
/// size): `tenants` tenants named `Tenant 00000`…, each with `captures` captures (the
/// newest on 2026-11-01 minus the tenant's index mod 5 days), `reviews` reviews one day
/// apart (every seventh unscored), and `findings` findings spread over eight categories
/// (seven registry kinds and one unknown kind), four severities and five statuses.
/// Every tenth tenant's latest capture failed `conditional_access_policy`; every tenant
/// is assigned "MSP Standard", every third also "Finance".
async fn fill(store: &Store, tenants: i64, captures: i64, reviews: i64, findings: i64) {
    let workspace = store.workspace().to_string();
    let mut kinds: Vec<&str> = kinds::KINDS.iter().take(7).map(|k| k.key).collect();
    kinds.push("mystery_kind");
    let kinds = serde_json::to_string(&kinds).expect("json");
    // The numbers 0..count (none for 0).
    let numbers = |count: i64| {
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 WHERE 0 < {count} UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {count})"
        )
    };
    let (c, r, f) = (captures, reviews, findings);
    let statements = [
        format!(
            "{} INSERT INTO tenants (id, workspace_id, display_name, primary_domain, tags, is_demo, created_at, updated_at)
             SELECT printf('t-%05d', i), ?1, printf('Tenant %05d', i), printf('tenant%d.example', i),
                    '[\"synthetic\"]', i % 2, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'
             FROM n",
            numbers(tenants)
        ),
        format!(
            "{} INSERT INTO captures (id, tenant_id, source, taken_at, created_at, item_count)
             SELECT printf('c-%05d-%02d', i / {c}, i % {c}), printf('t-%05d', i / {c}), 'demo',
                    strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-01',
                             printf('-%d days', (i % {c}) * 7 + (i / {c}) % 5)),
                    '2026-11-01T00:00:00.000Z', 200 + (i / {c}) % 13
             FROM n",
            numbers(tenants * c)
        ),
        "INSERT INTO capture_kinds (capture_id, kind, ok, item_count, error)
         SELECT id, 'settings_catalog', 1, 100, NULL FROM captures
         UNION ALL
         SELECT id, 'conditional_access_policy', 0, 0, 'Forbidden' FROM captures
         WHERE id LIKE 'c-%-00' AND CAST(substr(tenant_id, 3) AS INTEGER) % 10 = 0"
            .to_owned(),
        format!(
            "{} INSERT INTO reviews (id, tenant_id, capture_id, started_at, finished_at, inputs_hash, score)
             SELECT printf('r-%05d-%03d', i / {r}, i % {r}), printf('t-%05d', i / {r}),
                    printf('c-%05d-00', i / {r}), '2026-11-01T00:00:00.000Z',
                    strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-02', printf('-%d days', i % {r})),
                    'synthetic',
                    CASE WHEN i % {r} % 7 = 3 THEN NULL ELSE 40 + ((i / {r}) * 7 + (i % {r}) * 3) % 60 END
             FROM n",
            numbers(tenants * r)
        ),
        format!(
            "{} INSERT INTO findings (id, tenant_id, fingerprint, source, resource_kind, item_key,
                                      drift_kind, severity, title, status, first_seen_at, last_seen_at, due_at)
             SELECT printf('f-%05d-%04d', i / {f}, i % {f}), printf('t-%05d', i / {f}),
                    printf('fp-%05d-%04d', i / {f}, i % {f}), 'drift',
                    json_extract('{kinds}', printf('$[%d]', (i / 4) % 8)),
                    printf('Policy %d', i % 50), 'setting_changed',
                    CASE (i / 3) % 4 WHEN 0 THEN 'critical' WHEN 1 THEN 'high' WHEN 2 THEN 'medium' ELSE 'low' END,
                    printf('Finding %d', i),
                    CASE i % 5 WHEN 0 THEN 'open' WHEN 1 THEN 'acknowledged' WHEN 2 THEN 'resolved'
                               WHEN 3 THEN 'risk_accepted' ELSE 'false_positive' END,
                    '2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z',
                    CASE WHEN i % 3 = 0 THEN NULL
                         ELSE strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-15', printf('%+d days', i % 61 - 30)) END
             FROM n",
            numbers(tenants * f)
        ),
        "INSERT INTO baselines (id, workspace_id, name, created_at)
         VALUES ('b-standard', ?1, 'MSP Standard', '2026-01-01T00:00:00.000Z'),
                ('b-finance', ?1, 'Finance', '2026-01-01T00:00:00.000Z')"
            .to_owned(),
        "INSERT INTO baseline_assignments (id, baseline_id, tenant_id, created_at)
         SELECT 'a-s-' || id, 'b-standard', id, '2026-01-01T00:00:00.000Z' FROM tenants
         WHERE id LIKE 't-%'
         UNION ALL
         SELECT 'a-f-' || id, 'b-finance', id, '2026-01-01T00:00:00.000Z' FROM tenants
         WHERE id LIKE 't-%' AND CAST(substr(id, 3) AS INTEGER) % 3 = 0"
            .to_owned(),
    ];
    // Synthetic derived state: written as derived (no operations).
    let mut tx = store.begin_derived().await.expect("begin");
    for sql in &statements {
        // ?1 is the workspace; the kinds (snake_case keys) are written into the SQL.
        let mut query = sqlx::query(sql);
        if sql.contains("?1") {
            query = query.bind(&workspace);
        }
        query.execute(&mut *tx).await.expect(sql);
    }
    tx.commit().await.expect("commit");
}

async fn scalar(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .expect(sql)
}

fn total(c: &SeverityCounts) -> u32 {
    c.critical + c.high + c.medium + c.low
}

#[tokio::test]
async fn agrees_with_the_portfolio_report_and_the_tenant_list_after_reviews() {
    let store = Store::open_in_memory().await.expect("store");
    let request = DemoRequest {
        seed: 11,
        tenants: 2,
        anchor: Utc
            .with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
            .single()
            .expect("date"),
    };
    add_demo_tenants(&store, &request, |_, _| {})
        .await
        .expect("demo");
    // Reviewed twice (the second with nothing new): a trend of one point per capture.
    for _ in 0..2 {
        review_all(&store, &ReviewOptions { force: true }, |_, _| {})
            .await
            .expect("review");
    }
    let now = Utc::now();
    let overview = store.portfolio_overview(now).await.expect("overview");
    let listed = store.list_tenants().await.expect("tenants");
    let report = store.portfolio_source().await.expect("report");
    let findings = store.console_findings().await.expect("findings");

    assert_eq!(overview.tenants.len(), 2);
    assert_eq!(
        overview.categories,
        report
            .categories
            .iter()
            .map(|c| PortfolioCategory {
                key: c.key.clone(),
                label: c.label.clone()
            })
            .collect::<Vec<_>>()
    );
    assert!(
        !overview.categories.is_empty(),
        "the demo review finds drift"
    );
    for (tenant, summary) in overview.tenants.iter().zip(&listed) {
        assert_eq!(tenant.id, summary.id.to_string());
        assert_eq!(tenant.name, summary.name);
        assert_eq!(tenant.primary_domain, summary.primary_domain);
        assert_eq!(tenant.tags, summary.tags);
        assert!(tenant.is_demo);
        assert_eq!(tenant.capture_count, summary.capture_count);
        assert!(tenant.capture_count >= 2);
        assert_eq!(
            tenant.last_capture_at,
            summary.last_capture_at.map(timestamp)
        );
        assert_eq!(tenant.item_count, summary.item_count);
        assert_eq!(tenant.failed_kinds, summary.failed_kinds);
        assert_eq!(tenant.baselines, vec![DEMO_BASELINE.to_owned()]);

        let source = report
            .tenants
            .iter()
            .find(|t| t.id == tenant.id)
            .expect("in the report");
        assert_eq!(tenant.score, source.score);
        assert!(tenant.score.is_some());
        assert_eq!(tenant.reviewed_at, source.reviewed_at.map(timestamp));
        assert_eq!(
            tenant.trend,
            source
                .history
                .iter()
                .map(|s| TrendPoint {
                    at: timestamp(s.at),
                    score: s.score
                })
                .collect::<Vec<_>>()
        );
        assert_eq!(tenant.trend.len(), tenant.capture_count as usize);
        assert_eq!(
            (
                tenant.open.critical,
                tenant.open.high,
                tenant.open.medium,
                tenant.open.low
            ),
            (
                source.open.critical,
                source.open.high,
                source.open.medium,
                source.open.low
            )
        );
        let cells: BTreeMap<&str, (u32, u32, u32, u32)> = tenant
            .by_category
            .iter()
            .map(|c| {
                let o = &c.open;
                (c.category.as_str(), (o.critical, o.high, o.medium, o.low))
            })
            .collect();
        let expected: BTreeMap<&str, (u32, u32, u32, u32)> = source
            .by_category
            .iter()
            .map(|(k, o)| (k.as_str(), (o.critical, o.high, o.medium, o.low)))
            .collect();
        assert_eq!(cells, expected);
        let positions: Vec<usize> = tenant
            .by_category
            .iter()
            .map(|c| {
                overview
                    .categories
                    .iter()
                    .position(|k| k.key == c.category)
                    .expect("a known category")
            })
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "category order");

        // And against the findings themselves.
        let active: Vec<_> = findings
            .iter()
            .filter(|f| {
                f.tenant_id == tenant.id && matches!(f.status.as_str(), "open" | "acknowledged")
            })
            .collect();
        assert!(!active.is_empty());
        assert_eq!(total(&tenant.open) as usize, active.len());
        let overdue = active
            .iter()
            .filter(|f| f.due_at.as_deref().is_some_and(|d| at(d) < now))
            .count();
        assert_eq!(tenant.overdue as usize, overdue);
    }
}

#[tokio::test]
async fn keeps_the_last_scored_reviews_counts_overdue_and_stays_in_its_workspace() {
    let store = Store::open_in_memory().await.expect("store");
    fill(&store, 12, 3, 15, 40).await;
    // A tenant of another workspace, with a finding and a review: never shown.
    for sql in [
        "INSERT INTO workspaces (id, name, created_at) VALUES ('w-other', 'Other', '2026-01-01T00:00:00.000Z')",
        "INSERT INTO tenants (id, workspace_id, display_name, created_at, updated_at)
         VALUES ('x-1', 'w-other', 'Elsewhere', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
        "INSERT INTO findings (id, tenant_id, fingerprint, source, resource_kind, item_key, drift_kind,
                               severity, title, status, first_seen_at, last_seen_at)
         VALUES ('x-f', 'x-1', 'x-fp', 'drift', 'elsewhere_kind', 'P', 'setting_changed', 'critical',
                 'T', 'open', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
        // A tenant never captured nor reviewed.
        "INSERT INTO tenants (id, workspace_id, display_name, created_at, updated_at)
         SELECT 't-new', workspace_id, 'Zeta New', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'
         FROM tenants WHERE id = 't-00000'",
    ] {
        let mut tx = store.begin_derived().await.expect("begin");
        sqlx::query(sql).execute(&mut *tx).await.expect(sql);
        tx.commit().await.expect("commit");
    }
    let now = at("2026-11-15T12:00:00Z");
    let overview = store.portfolio_overview(now).await.expect("overview");
    assert_eq!(overview.as_of, "2026-11-15T12:00:00.000Z");
    assert_eq!(overview.tenants.len(), 13);
    assert!(overview.tenants.iter().all(|t| t.id != "x-1"));
    assert!(overview
        .categories
        .iter()
        .all(|c| c.key != "elsewhere_kind"));
    // Seven registry kinds and the unknown one, registry order first.
    assert_eq!(overview.categories.len(), 8);
    assert_eq!(
        overview.categories.last().map(|c| c.key.as_str()),
        Some("mystery_kind")
    );
    assert_eq!(overview.categories[0].key, kinds::KINDS[0].key);
    assert_eq!(overview.categories[0].label, kinds::KINDS[0].label);

    let first = &overview.tenants[0];
    assert_eq!(first.name, "Tenant 00000");
    assert_eq!(first.primary_domain.as_deref(), Some("tenant0.example"));
    assert_eq!(first.tags, vec!["synthetic"]);
    assert!(!first.is_demo);
    assert_eq!(first.capture_count, 3);
    assert_eq!(
        first.last_capture_at.as_deref(),
        Some("2026-11-01T00:00:00.000Z")
    );
    assert_eq!(first.item_count, 200);
    assert_eq!(first.failed_kinds, vec!["conditional_access_policy"]);
    assert_eq!(first.baselines, vec!["Finance", "MSP Standard"]);
    assert_eq!(overview.tenants[1].failed_kinds, Vec::<String>::new());
    assert_eq!(overview.tenants[1].baselines, vec!["MSP Standard"]);

    // Reviews 0..15 finish on 2026-11-02 minus their number of days; numbers 3 and 10 are
    // unscored. The latest is number 0; the trend is the twelve newest scored ones
    // (0, 1, 2, 4, …, 9, 11, 12, 13), oldest first.
    assert_eq!(
        first.reviewed_at.as_deref(),
        Some("2026-11-02T00:00:00.000Z")
    );
    assert_eq!(first.score, Some(40.0));
    let newest = at("2026-11-02T00:00:00Z");
    let days: Vec<i64> = first
        .trend
        .iter()
        .map(|p| (newest - at(&p.at)).num_days())
        .collect();
    assert_eq!(days, vec![13, 12, 11, 9, 8, 7, 6, 5, 4, 2, 1, 0]);
    assert_eq!(
        first.trend.iter().map(|p| p.score).collect::<Vec<_>>(),
        [13, 12, 11, 9, 8, 7, 6, 5, 4, 2, 1, 0]
            .iter()
            .map(|k: &i64| (40 + (k * 3) % 60) as f64)
            .collect::<Vec<_>>()
    );
    let zeta = overview.tenants.last().expect("tenant");
    assert_eq!(zeta.name, "Zeta New");
    assert_eq!(
        (zeta.capture_count, zeta.last_capture_at.as_deref()),
        (0, None)
    );
    assert_eq!((zeta.score, zeta.reviewed_at.as_deref()), (None, None));
    assert!(zeta.trend.is_empty() && zeta.baselines.is_empty() && zeta.by_category.is_empty());

    // Findings: the counts against plain SQL over the same rows.
    for tenant in overview.tenants.iter().filter(|t| t.id.starts_with("t-0")) {
        let id = &tenant.id;
        let active = scalar(
            &store,
            &format!("SELECT COUNT(*) FROM findings WHERE tenant_id = '{id}' AND status IN ('open', 'acknowledged')"),
        )
        .await;
        assert_eq!(i64::from(total(&tenant.open)), active, "{id}");
        let critical = scalar(
            &store,
            &format!("SELECT COUNT(*) FROM findings WHERE tenant_id = '{id}' AND status IN ('open', 'acknowledged') AND severity = 'critical'"),
        )
        .await;
        assert_eq!(i64::from(tenant.open.critical), critical);
        let overdue = scalar(
            &store,
            &format!("SELECT COUNT(*) FROM findings WHERE tenant_id = '{id}' AND status IN ('open', 'acknowledged') AND due_at < '2026-11-15T12:00:00.000Z'"),
        )
        .await;
        assert!(overdue > 0);
        assert_eq!(i64::from(tenant.overdue), overdue);
        let cells: u32 = tenant.by_category.iter().map(|c| total(&c.open)).sum();
        assert_eq!(cells, total(&tenant.open));
        assert!(tenant.by_category.iter().all(|c| total(&c.open) > 0));
    }
}

#[tokio::test]
async fn an_unscored_latest_review_leaves_the_score_empty_but_keeps_the_trend() {
    let store = Store::open_in_memory().await.expect("store");
    fill(&store, 1, 1, 4, 0).await;
    sqlx::query("UPDATE reviews SET score = NULL WHERE id = 'r-00000-000'")
        .execute(store.pool())
        .await
        .expect("update");
    let overview = store
        .portfolio_overview(at("2026-11-15T00:00:00Z"))
        .await
        .expect("overview");
    let tenant = &overview.tenants[0];
    assert_eq!(tenant.score, None);
    assert_eq!(
        tenant.reviewed_at.as_deref(),
        Some("2026-11-02T00:00:00.000Z")
    );
    // Reviews 1 and 2 are scored; 3 is unscored by `fill`.
    assert_eq!(tenant.trend.len(), 2);
    assert_eq!(overview.categories, Vec::new());
    assert_eq!(tenant.open, SeverityCounts::default());
}

/// Prints how long the overview takes for 1,000 synthetic tenants (6 captures, 15
/// reviews and 100 findings each: 100,000 findings, 40,000 open), run with
/// `--nocapture`; release builds for the quoted figure: `cargo test --release
/// --workspace -- portfolio_view::tests::figures --nocapture`. Not a timed assertion.
/// `plumbline bench portfolio` measures the same query on the demo portfolio.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_for_1000_tenants() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("figures.db"))
        .await
        .expect("store");
    let started = std::time::Instant::now();
    fill(&store, 1000, 6, 15, 100).await;
    println!(
        "synthetic portfolio of 1,000 tenants written in {:?}",
        started.elapsed()
    );
    let now = at("2026-11-15T12:00:00Z");
    let mut times = Vec::new();
    let mut overview = None;
    for _ in 0..7 {
        let started = std::time::Instant::now();
        overview = Some(store.portfolio_overview(now).await.expect("overview"));
        times.push(started.elapsed());
    }
    let overview = overview.expect("ran");
    assert_eq!(overview.tenants.len(), 1000);
    let open: u32 = overview.tenants.iter().map(|t| total(&t.open)).sum();
    assert_eq!(open, 40_000);
    assert!(overview
        .tenants
        .iter()
        .all(|t| t.trend.len() == PORTFOLIO_HISTORY));
    let first = times[0];
    times.sort();
    println!(
        "portfolio overview of 1,000 tenants: first {first:?}, median {:?}, best {:?} (7 runs)",
        times[times.len() / 2],
        times[0]
    );
}

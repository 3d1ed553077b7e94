//! Portfolio-level operations that compose the engine and the store: creating and
//! extending the demo portfolio.
//!
//! Demo tenants are generated on a blocking thread one at a time and written by the
//! async side as they come (a bounded channel of two), so a 1,000-tenant portfolio never
//! sits in memory whole and generation overlaps the database writes.

use std::ops::Range;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde::Serialize;

use crate::baseline::BaselineOptions;
use crate::demo::{DemoError, DemoGenerator, DemoTenant};
use crate::model::CaptureContent;
use crate::store::{CaptureWrite, NewBaselineItem, Store, StoreError};

/// The seed of the portfolio created on first start and by `plumbline demo` by default.
pub const DEFAULT_SEED: u64 = 20_261_123;
/// Tenants in the first-start portfolio.
pub const FIRST_START_TENANTS: u32 = 5;
/// The baseline every demo tenant is assigned: the OpenIntuneBaseline corpus.
pub const DEMO_BASELINE: &str = "OpenIntuneBaseline";

/// Why a portfolio operation failed.
#[derive(Debug, thiserror::Error)]
pub enum PortfolioError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the demo generator failed: {0}")]
    Demo(#[from] DemoError),
    #[error("the demo generator stopped unexpectedly: {0}")]
    Worker(String),
}

/// What to create.
#[derive(Clone, Debug)]
pub struct DemoRequest {
    pub seed: u64,
    /// The portfolio size wanted: tenants `0..tenants` of this seed.
    pub tenants: u32,
    /// The "now" of the generated history (captures lie in the months before it).
    pub anchor: DateTime<Utc>,
}

impl DemoRequest {
    /// A request anchored at the current hour.
    pub fn now(seed: u64, tenants: u32) -> Self {
        let now = Utc::now();
        Self {
            seed,
            tenants,
            anchor: now.duration_trunc(TimeDelta::hours(1)).unwrap_or(now),
        }
    }
}

/// What was created.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DemoOutcome {
    pub seed: u64,
    /// Tenants created by this call.
    pub created: u32,
    /// Tenants of this seed that already existed and were left alone.
    pub existing: u32,
    pub captures: u64,
    pub items: u64,
    pub planted_differences: u64,
}

/// Creates the demo tenants `0..request.tenants` of the seed that do not exist yet.
/// Each tenant and its whole history is written in one transaction. `progress` is
/// called with (tenants done, tenants to do) after each tenant.
pub async fn add_demo_tenants(
    store: &Store,
    request: &DemoRequest,
    mut progress: impl FnMut(u32, u32),
) -> Result<DemoOutcome, PortfolioError> {
    let existing = store.demo_indices(request.seed).await?;
    let todo: Vec<u32> = missing_indices(0..request.tenants, &existing);
    let mut outcome = DemoOutcome {
        seed: request.seed,
        existing: request.tenants - todo.len() as u32,
        ..DemoOutcome::default()
    };
    if todo.is_empty() {
        return Ok(outcome);
    }
    let total = todo.len() as u32;
    let need_baseline = !store
        .list_baselines()
        .await?
        .iter()
        .any(|b| b.name.eq_ignore_ascii_case(DEMO_BASELINE));
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Result<Generated, DemoError>>(2);
    let seed = request.seed;
    let anchor = request.anchor;
    let worker = tokio::task::spawn_blocking(move || {
        let generator = match DemoGenerator::new(seed) {
            Ok(generator) => generator,
            Err(error) => {
                // The receiver reports the error; if it is gone there is no one to tell.
                let _ = sender.blocking_send(Err(error));
                return;
            }
        };
        if need_baseline
            && sender
                .blocking_send(Ok(Generated::Baseline(generator.baseline())))
                .is_err()
        {
            return;
        }
        for index in todo {
            let tenant = generator.tenant(index, anchor);
            if sender
                .blocking_send(Ok(Generated::Tenant(index, tenant)))
                .is_err()
            {
                return; // the writer stopped (an error): stop generating
            }
        }
    });
    while let Some(next) = receiver.recv().await {
        let (index, tenant) = match next? {
            Generated::Baseline(content) => {
                create_demo_baseline(store, &content).await?;
                continue;
            }
            Generated::Tenant(index, tenant) => (index, tenant),
        };
        let captures: Vec<CaptureWrite<'_>> = tenant
            .captures
            .iter()
            .map(|capture| CaptureWrite {
                source: crate::model::CaptureSource::Demo,
                taken_at: capture.taken_at,
                origin: Some(format!("demo seed {seed}, tenant {index}")),
                content: &capture.content,
            })
            .collect();
        let planted = serde_json::to_value(&tenant.planted).map_err(|e| {
            PortfolioError::Worker(format!("cannot record planted differences: {e}"))
        })?;
        store
            .record_tenant_history(
                &tenant.profile,
                &captures,
                Some((seed, index, &planted)),
                &[DEMO_BASELINE],
            )
            .await?;
        outcome.created += 1;
        outcome.captures += captures.len() as u64;
        outcome.items += tenant
            .captures
            .iter()
            .map(|c| c.content.items.len() as u64)
            .sum::<u64>();
        outcome.planted_differences += tenant.planted.len() as u64;
        progress(outcome.created, total);
    }
    worker
        .await
        .map_err(|e| PortfolioError::Worker(e.to_string()))?;
    Ok(outcome)
}

enum Generated {
    Baseline(CaptureContent),
    Tenant(u32, DemoTenant),
}

/// The demo baseline: the corpus policies as the generator's reference tenant has them,
/// published, matched by exact name (a version bump is a rename the demo plants).
async fn create_demo_baseline(store: &Store, content: &CaptureContent) -> Result<(), StoreError> {
    let items: Vec<NewBaselineItem> = crate::baseline::author::new_items(
        content
            .items
            .iter()
            .map(|item| crate::baseline::author::SourcePolicy {
                kind: item.kind.clone(),
                name: item.name.clone(),
                external_id: item.external_id.clone(),
                raw: (*item.raw).clone(),
            })
            .collect(),
    );
    store
        .create_baseline_version(
            DEMO_BASELINE,
            "The OpenIntuneBaseline project's policies (demo data)",
            &BaselineOptions::default(),
            &items,
            &content.directory_objects,
        )
        .await?;
    store.publish_baseline(DEMO_BASELINE).await?;
    Ok(())
}

/// The small demo portfolio of a first start.
pub async fn create_first_start_demo(store: &Store) -> Result<DemoOutcome, PortfolioError> {
    add_demo_tenants(
        store,
        &DemoRequest::now(DEFAULT_SEED, FIRST_START_TENANTS),
        |_, _| {},
    )
    .await
}

fn missing_indices(wanted: Range<u32>, existing: &[u32]) -> Vec<u32> {
    wanted
        .filter(|i| existing.binary_search(i).is_err())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn request(tenants: u32) -> DemoRequest {
        DemoRequest {
            seed: 7,
            tenants,
            anchor: Utc
                .with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
                .single()
                .expect("date"),
        }
    }

    #[tokio::test]
    async fn creates_then_extends_without_duplicates() {
        let store = Store::open_in_memory().await.expect("store");
        let mut calls = Vec::new();
        let first = add_demo_tenants(&store, &request(2), |done, total| calls.push((done, total)))
            .await
            .expect("demo");
        assert_eq!((first.created, first.existing), (2, 0));
        assert_eq!(calls, vec![(1, 2), (2, 2)]);
        assert!(first.captures >= 4);
        assert!(first.planted_differences > 0);

        let second = add_demo_tenants(&store, &request(3), |_, _| {})
            .await
            .expect("extend");
        assert_eq!((second.created, second.existing), (1, 2));
        assert_eq!(store.tenant_count().await.expect("count"), 3);
        assert_eq!(store.demo_indices(7).await.expect("indices"), vec![0, 1, 2]);
        let tenants = store.list_tenants().await.expect("list");
        assert!(tenants.iter().all(|t| t.is_demo && t.capture_count >= 2));
        let baselines = store.list_baselines().await.expect("baselines");
        assert_eq!(baselines.len(), 1, "one demo baseline, created once");
        assert_eq!(baselines[0].name, DEMO_BASELINE);
        assert_eq!(baselines[0].assigned_tenants, 3);
        assert_eq!(baselines[0].versions[0].status, "published");
        for tenant in &tenants {
            let plants = store
                .demo_plants(tenant.id)
                .await
                .expect("plants")
                .expect("recorded");
            assert!(plants.as_array().is_some_and(|a| !a.is_empty()));
        }
    }

    #[test]
    fn missing_indices_skips_existing() {
        assert_eq!(missing_indices(0..5, &[1, 3]), vec![0, 2, 4]);
        assert_eq!(missing_indices(0..2, &[0, 1, 2]), Vec::<u32>::new());
    }
}

//! Reviews: what each capture of a tenant shows against its baselines and the capture
//! before it ([`observe`]), folded with people's decisions into the tenant's findings,
//! history, risk acceptances and scores ([`crate::derive`]).
//!
//! Derived state is the same on every device: every capture of a tenant is observed, in
//! capture order, against the tenant's current baselines, and the fold takes its times
//! and ids from its inputs. The work is proportional to what changed: observations are
//! cached per capture and inputs, items whose normalised settings hash equals the
//! baseline item's are compliant without reading their JSON, baseline versions are
//! normalised once per run, and a tenant whose inputs (captures, baseline versions,
//! variables, decisions, engine versions) were already folded is skipped.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::Utc;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use crate::baseline::{default_severity, Severity};
use crate::derive::Observed;
use crate::drift::{self, Assessment, BaselineItemSpec, Drift, DriftKind, ItemRef};
use crate::findings::{self, Observation, Source};
use crate::lint::{lint, LintIssue, LintItem, LintOptions, LINT_VERSION};
use crate::model::{DirectoryObject, TenantId};
use crate::normalize::{
    self, DirectoryIndex, Labels, Normalized, SettingDefinitions, NORMALIZER_VERSION,
};
use crate::store::{DerivedWrite, ItemMeta, LoadedBaseline, Store, StoreError};

/// A baseline version prepared for comparison, shared by every tenant of a run.
#[derive(Debug)]
pub struct PreparedBaseline {
    pub baseline_id: String,
    pub name: String,
    pub version_id: String,
    pub options: crate::baseline::BaselineOptions,
    /// Items by key (`name`: unique per kind within the version).
    pub items: Vec<BaselineItemSpec>,
    /// The policy name each item is matched by (its key unless names repeat).
    pub match_names: Vec<String>,
    /// What each item contributes to the score when it complies.
    pub compliant: Vec<Assessment>,
    /// Each item's settings sketch, for rename detection.
    pub sketches: Vec<Vec<u64>>,
    /// The setting definitions the version was published with (labels only).
    pub definitions: SettingDefinitions,
}

impl PreparedBaseline {
    pub fn new(loaded: LoadedBaseline) -> Self {
        // Ids inside baseline items resolve through the baseline source's own directory.
        let directory = DirectoryIndex::new(&loaded.directory);
        let match_names = loaded
            .items
            .iter()
            .map(|item| item.match_name.clone().unwrap_or_else(|| item.name.clone()))
            .collect();
        let items: Vec<BaselineItemSpec> = loaded
            .items
            .into_iter()
            .map(|item| BaselineItemSpec {
                normalized: normalize::normalize(&item.kind, &item.raw, &directory),
                kind: item.kind,
                name: item.name,
                rules: item.rules,
                severity: item.severity,
            })
            .collect();
        let compliant = items
            .iter()
            .map(BaselineItemSpec::assessed_when_compliant)
            .collect();
        let sketches = items
            .iter()
            .map(|item| normalize::settings_sketch(&item.normalized.settings))
            .collect();
        Self {
            baseline_id: loaded.baseline_id,
            name: loaded.name,
            version_id: loaded.version_id,
            options: loaded.options,
            items,
            match_names,
            compliant,
            sketches,
            definitions: SettingDefinitions::new(),
        }
    }
}

/// Baselines prepared so far in this run, by version id. Each version is loaded and
/// prepared once: the reviews that ask for it while it is being prepared wait for it
/// (the first wave of concurrent reviews would otherwise each decode the whole baseline).
#[derive(Debug, Default)]
pub struct BaselineCache {
    prepared: std::sync::Mutex<HashMap<String, Arc<OnceCell<Arc<PreparedBaseline>>>>>,
}

impl BaselineCache {
    async fn get(
        &self,
        store: &Store,
        version_id: &str,
    ) -> Result<Arc<PreparedBaseline>, StoreError> {
        let cell = Arc::clone(self.lock().entry(version_id.to_owned()).or_default());
        let prepared = cell
            .get_or_try_init(|| async {
                let loaded = store.load_baseline_version(version_id).await?;
                let definitions = store.version_definitions(version_id).await?;
                tokio::task::spawn_blocking(move || PreparedBaseline {
                    definitions,
                    ..PreparedBaseline::new(loaded)
                })
                .await
                .map(Arc::new)
                .map_err(|e| StoreError::Corrupt(format!("baseline preparation failed: {e}")))
            })
            .await?;
        Ok(Arc::clone(prepared))
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, Arc<OnceCell<Arc<PreparedBaseline>>>>> {
        // The map holds cells only; a panic elsewhere cannot leave it torn.
        self.prepared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Options of a review run.
#[derive(Clone, Debug, Default)]
pub struct ReviewOptions {
    /// Review even when the same inputs were reviewed before.
    pub force: bool,
}

/// What a review of one tenant did.
#[derive(Clone, Debug, Serialize)]
pub struct TenantReview {
    pub tenant_id: String,
    pub tenant: String,
    /// False when skipped: nothing new since the last review, or nothing to review.
    pub reviewed: bool,
    pub skipped_reason: Option<String>,
    /// The review of the latest capture.
    pub review_id: Option<String>,
    pub score: Option<f64>,
    pub drifts: usize,
    /// Findings the review of the latest capture opened, resolved, re-opened.
    pub opened: usize,
    pub resolved: usize,
    pub reopened: usize,
    pub not_assessed_kinds: Vec<String>,
    /// Policies the review could not judge, each with the reason.
    pub not_assessed: Vec<NotAssessed>,
    /// Items compared: by hash alone, or read and normalised because their hash differed.
    pub items_compared: usize,
    pub items_normalized: usize,
    /// Why this tenant's review failed. A failure of one tenant never stops the others:
    /// the run goes on and lists it here.
    pub error: Option<String>,
}

pub use crate::derive::{NotAssessed, ScoreDetail};

impl TenantReview {
    fn skipped(tenant: &crate::model::TenantSummary, reason: &str) -> Self {
        Self {
            tenant_id: tenant.id.to_string(),
            tenant: tenant.name.clone(),
            reviewed: false,
            skipped_reason: Some(reason.to_owned()),
            review_id: None,
            score: None,
            drifts: 0,
            opened: 0,
            resolved: 0,
            reopened: 0,
            not_assessed_kinds: Vec::new(),
            not_assessed: Vec::new(),
            items_compared: 0,
            items_normalized: 0,
            error: None,
        }
    }

    fn failed(tenant: &crate::model::TenantSummary, error: String) -> Self {
        Self {
            error: Some(error),
            ..Self::skipped(tenant, "the review failed")
        }
    }
}

const ALREADY_REVIEWED: &str = "already reviewed: nothing changed since";

/// How many tenants are read and compared ahead of the single writer.
const REVIEWS_IN_FLIGHT: usize = 16;

/// At most this many tenants' reviews are written in one transaction.
const WRITE_BATCH: usize = 32;

/// Reviews every tenant of the workspace. `progress` gets (done, total).
///
/// Reading, comparing and folding (read-only) runs for several tenants at once on the
/// runtime's worker threads; the results are written in tenant order by a single
/// writer, a batch of ready tenants per transaction, so a failure leaves every earlier
/// batch complete and nothing half-written. One tenant's failure (its data, a panic in
/// the engine, a write the database refuses) is that tenant's: the others are reviewed
/// and written, and the failed one is listed with its error ([`TenantReview::error`]).
/// Only a store that cannot list the tenants fails the run.
pub async fn review_all(
    store: &Store,
    options: &ReviewOptions,
    mut progress: impl FnMut(usize, usize),
) -> Result<Vec<TenantReview>, StoreError> {
    let tenants = store.list_tenants().await?;
    let cache = Arc::new(BaselineCache::default());
    let total = tenants.len();
    let mut out = Vec::with_capacity(total);
    let mut pending = std::collections::VecDeque::with_capacity(REVIEWS_IN_FLIGHT);
    let mut queue = tenants.into_iter();
    loop {
        while pending.len() < REVIEWS_IN_FLIGHT {
            let Some(tenant) = queue.next() else { break };
            let (store, options, cache) = (store.clone(), options.clone(), Arc::clone(&cache));
            let summary = tenant.clone();
            let task = tokio::spawn(async move {
                compare_tenant(&store, &summary, &options, &cache)
                    .await
                    .unwrap_or_else(|e| {
                        Compared::Skipped(Box::new(TenantReview::failed(&summary, e.to_string())))
                    })
            });
            pending.push_back((tenant, task));
        }
        let Some(next) = pending.pop_front() else {
            break;
        };
        // Write the next tenant and those after it that are ready, in order and in one
        // transaction, while the tenants after them are being compared.
        let mut batch = vec![joined(next).await];
        while batch.len() < WRITE_BATCH && pending.front().is_some_and(|(_, t)| t.is_finished()) {
            if let Some(next) = pending.pop_front() {
                batch.push(joined(next).await);
            }
        }
        out.extend(write_isolated(store, batch).await);
        progress(out.len(), total);
    }
    Ok(out)
}

/// A tenant's comparison, finished: a panic in it is that tenant's failure.
async fn joined(
    (tenant, task): (
        crate::model::TenantSummary,
        tokio::task::JoinHandle<Compared>,
    ),
) -> Compared {
    task.await.unwrap_or_else(|e| {
        Compared::Skipped(Box::new(TenantReview::failed(
            &tenant,
            format!("the review stopped unexpectedly: {e}"),
        )))
    })
}

/// Writes a batch in one transaction; when the database refuses it, each tenant alone,
/// so a tenant whose review cannot be written fails without taking the batch with it.
async fn write_isolated(store: &Store, outcomes: Vec<Compared>) -> Vec<TenantReview> {
    let writes = outcomes
        .iter()
        .filter(|o| matches!(o, Compared::Ready(_)))
        .count();
    if writes <= 1 {
        return write_one_by_one(store, outcomes).await;
    }
    let copy = outcomes.clone();
    match write_outcomes(store, outcomes).await {
        Ok(reviews) => reviews,
        Err(error) => {
            tracing::warn!(%error, "a batch of reviews could not be written; writing them one by one");
            write_one_by_one(store, copy).await
        }
    }
}

async fn write_one_by_one(store: &Store, outcomes: Vec<Compared>) -> Vec<TenantReview> {
    let mut out = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        let failed = match &outcome {
            Compared::Ready(ready) => Some(TenantReview {
                reviewed: false,
                skipped_reason: Some("the review failed".to_owned()),
                score: None,
                ..ready.1.clone()
            }),
            Compared::Skipped(_) => None,
        };
        match write_outcomes(store, vec![outcome]).await {
            Ok(reviews) => out.extend(reviews),
            Err(error) => {
                tracing::warn!(%error, "a tenant's review could not be written");
                if let Some(mut review) = failed {
                    review.error = Some(format!("the review could not be written: {error}"));
                    out.push(review);
                }
            }
        }
    }
    out
}

/// Writes compared tenants in one transaction, keeping their order.
async fn write_outcomes(
    store: &Store,
    outcomes: Vec<Compared>,
) -> Result<Vec<TenantReview>, StoreError> {
    let mut writes = Vec::new();
    let mut reviews = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        match outcome {
            Compared::Skipped(review) => reviews.push(*review),
            Compared::Ready(ready) => {
                let (write, review) = *ready;
                writes.push(write);
                reviews.push(review);
            }
        }
    }
    if !writes.is_empty() {
        store.write_derived(writes).await?;
    }
    Ok(reviews)
}

/// Reviews one tenant.
pub async fn review_tenant(
    store: &Store,
    tenant: TenantId,
    options: &ReviewOptions,
) -> Result<TenantReview, StoreError> {
    let summary = store.tenant(&tenant.to_string()).await?;
    let outcome = compare_tenant(store, &summary, options, &BaselineCache::default()).await?;
    write_outcomes(store, vec![outcome])
        .await?
        .pop()
        .ok_or_else(|| StoreError::Corrupt("the review wrote nothing".to_owned()))
}

/// A tenant compared but not yet written.
#[derive(Clone)]
enum Compared {
    /// Nothing to write: skipped, or failed with its error.
    Skipped(Box<TenantReview>),
    Ready(Box<(DerivedWrite, TenantReview)>),
}

/// The tenant's baselines as assigned now, prepared.
async fn tenant_baselines(
    store: &Store,
    tenant: TenantId,
    cache: &BaselineCache,
) -> Result<Vec<(Arc<PreparedBaseline>, BTreeMap<String, Value>)>, StoreError> {
    let mut baselines = Vec::new();
    for assignment in store.assignments(tenant).await? {
        if let Some(version) = &assignment.version_id {
            baselines.push((
                cache.get(store, version).await?,
                assignment.variables.clone(),
            ));
        }
    }
    Ok(baselines)
}

/// Observes every capture of a tenant (from the cache where its inputs were observed
/// before) and folds them with the tenant's decisions.
async fn compare_tenant(
    store: &Store,
    tenant: &crate::model::TenantSummary,
    options: &ReviewOptions,
    cache: &BaselineCache,
) -> Result<Compared, StoreError> {
    let tenant_id = tenant.id;
    let mut captures = store.list_captures(tenant_id).await?;
    if captures.is_empty() {
        return Ok(Compared::Skipped(Box::new(TenantReview::skipped(
            tenant,
            "no capture yet",
        ))));
    }
    // Oldest first: the order the fold reads them in.
    captures.reverse();
    let baselines = tenant_baselines(store, tenant_id, cache).await?;
    let decisions = store.tenant_decisions(tenant_id).await?;
    let keys: Vec<(String, String)> = captures
        .iter()
        .enumerate()
        .map(|(i, capture)| {
            let previous = i.checked_sub(1).map(|p| captures[p].id.to_string());
            let hash = inputs_hash(
                &capture.id.to_string(),
                previous.as_deref(),
                baselines
                    .iter()
                    .map(|(b, vars)| (b.version_id.as_str(), vars)),
            );
            (capture.id.to_string(), hash)
        })
        .collect();
    let derivation = derivation_hash(&keys, &decisions);
    if !options.force && store.derivation_hash(tenant_id).await?.as_deref() == Some(&derivation) {
        return Ok(Compared::Skipped(Box::new(TenantReview::skipped(
            tenant,
            ALREADY_REVIEWED,
        ))));
    }
    let mut cached = store.cached_observations(&keys).await?;
    let mut observed = Vec::with_capacity(captures.len());
    let mut fresh = Vec::new();
    let mut memo = ObserveMemo::default();
    for (i, capture) in captures.iter().enumerate() {
        let key = &keys[i];
        match cached.remove(key) {
            Some(o) => observed.push(o),
            None => {
                let previous = i.checked_sub(1).map(|p| &captures[p]);
                let o = observe_with(
                    store, tenant, capture, previous, &baselines, &key.1, &mut memo,
                )
                .await?;
                fresh.push(o.clone());
                observed.push(o);
            }
        }
    }
    let derived = crate::derive::fold(&tenant_id.to_string(), &observed, &decisions);
    let latest_observed = observed.last();
    let latest = derived.reviews.last();
    let review = TenantReview {
        tenant_id: tenant_id.to_string(),
        tenant: tenant.name.clone(),
        reviewed: true,
        skipped_reason: None,
        review_id: latest.map(|r| r.id.clone()),
        score: latest.and_then(|r| r.score),
        drifts: latest_observed.map_or(0, |o| o.observations.len()),
        opened: latest.map_or(0, |r| r.opened),
        resolved: latest.map_or(0, |r| r.resolved),
        reopened: latest.map_or(0, |r| r.reopened),
        not_assessed_kinds: latest_observed
            .map(|o| o.failed_kinds.iter().cloned().collect())
            .unwrap_or_default(),
        not_assessed: latest_observed
            .map(|o| o.not_assessed.clone())
            .unwrap_or_default(),
        items_compared: fresh.iter().map(|o| o.items_compared).sum(),
        items_normalized: fresh.iter().map(|o| o.items_normalized).sum(),
        error: None,
    };
    let write = DerivedWrite {
        tenant: tenant_id,
        inputs_hash: derivation,
        derived,
        observed: fresh,
    };
    Ok(Compared::Ready(Box::new((write, review))))
}

/// The inputs of a tenant's derivation: its captures' inputs and its decisions.
fn derivation_hash(keys: &[(String, String)], decisions: &[crate::derive::Decision]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(format!("derive:{DERIVE_VERSION}"));
    for (capture, inputs) in keys {
        hasher.update(format!(";{capture}={inputs}"));
    }
    let mut ids: Vec<&str> = decisions.iter().map(|d| d.id.as_str()).collect();
    ids.sort_unstable();
    for id in ids {
        hasher.update(format!(";d:{id}"));
    }
    hex::encode(hasher.finalize())
}

/// Bumped when the fold changes what it derives from the same inputs.
pub const DERIVE_VERSION: u32 = 1;

/// A capture's items and directory objects, as an observation reads them.
type CaptureParts = (Arc<Vec<ItemMeta>>, Arc<Vec<DirectoryObject>>);

/// What the observations of one tenant's captures share, oldest to newest: a capture's
/// items and directory objects (the next capture's previous ones), and the normalised
/// policies (a tenant's history repeats most of them, and the same policy drifts from
/// its baseline in every capture until it is fixed). Bounded by [`ObserveMemo::LIMIT`].
#[derive(Default)]
struct ObserveMemo {
    /// The last capture observed: its id, items and directory objects.
    last: Option<(crate::model::CaptureId, CaptureParts)>,
    /// (kind, blob, directory fingerprint) → the item normalised.
    normalized: HashMap<(String, String, String), Arc<Normalized>>,
}

impl ObserveMemo {
    const LIMIT: usize = 5_000;

    /// The normalised items of `wanted` (indices into `items`), reading and normalising
    /// only those not seen before with the same directory; returns how many were
    /// normalised here.
    async fn normalize(
        &mut self,
        store: &Store,
        items: &[ItemMeta],
        wanted: impl IntoIterator<Item = usize>,
        directory: &[DirectoryObject],
        fingerprint: &str,
    ) -> Result<(HashMap<usize, Arc<Normalized>>, usize), StoreError> {
        let key = |item: &ItemMeta| {
            (
                item.kind.clone(),
                item.blob_sha256.clone(),
                fingerprint.to_owned(),
            )
        };
        let wanted: Vec<usize> = wanted.into_iter().collect();
        let missing: BTreeSet<&str> = wanted
            .iter()
            .map(|i| &items[*i])
            .filter(|item| !self.normalized.contains_key(&key(item)))
            .map(|item| item.blob_sha256.as_str())
            .collect();
        let mut done = 0;
        if !missing.is_empty() {
            let hashes: Vec<&str> = missing.into_iter().collect();
            let raw = store.blobs(&hashes).await?;
            let index = DirectoryIndex::new(directory);
            for i in &wanted {
                let item = &items[*i];
                let k = key(item);
                if self.normalized.contains_key(&k) {
                    continue;
                }
                if let Some(value) = raw.get(&item.blob_sha256) {
                    let n = normalize::normalize(&item.kind, value, &index);
                    self.normalized.insert(k, Arc::new(n));
                    done += 1;
                }
            }
        }
        let out = wanted
            .into_iter()
            .filter_map(|i| {
                self.normalized
                    .get(&key(&items[i]))
                    .map(|n| (i, Arc::clone(n)))
            })
            .collect();
        Ok((out, done))
    }

    /// A capture's items and directory objects, from the memo when it was the last one
    /// observed.
    async fn capture(
        &self,
        store: &Store,
        capture: crate::model::CaptureId,
    ) -> Result<CaptureParts, StoreError> {
        if let Some((id, (items, directory))) = &self.last {
            if *id == capture {
                return Ok((Arc::clone(items), Arc::clone(directory)));
            }
        }
        Ok((
            Arc::new(store.item_metas(capture).await?),
            Arc::new(store.directory_objects(capture).await?),
        ))
    }
}

/// What one capture shows against the tenant's baselines and the capture before it.
pub async fn observe(
    store: &Store,
    tenant: &crate::model::TenantSummary,
    current: &crate::model::CaptureSummary,
    previous: Option<&crate::model::CaptureSummary>,
    baselines: &[(Arc<PreparedBaseline>, BTreeMap<String, Value>)],
    inputs_hash: &str,
) -> Result<Observed, StoreError> {
    let mut memo = ObserveMemo::default();
    observe_with(
        store,
        tenant,
        current,
        previous,
        baselines,
        inputs_hash,
        &mut memo,
    )
    .await
}

async fn observe_with(
    store: &Store,
    tenant: &crate::model::TenantSummary,
    current: &crate::model::CaptureSummary,
    previous: Option<&crate::model::CaptureSummary>,
    baselines: &[(Arc<PreparedBaseline>, BTreeMap<String, Value>)],
    inputs_hash: &str,
    memo: &mut ObserveMemo,
) -> Result<Observed, StoreError> {
    let tenant_id = tenant.id;
    let failed_kinds: BTreeSet<String> = current
        .kind_status
        .iter()
        .filter(|(_, s)| !s.ok)
        .map(|(k, _)| k.clone())
        .collect();
    let (items, directory) = memo.capture(store, current.id).await?;
    let (previous_items, previous_directory) = match previous {
        Some(p) => memo.capture(store, p.id).await?,
        None => (Arc::new(Vec::new()), Arc::new(Vec::new())),
    };
    memo.last = Some((current.id, (Arc::clone(&items), Arc::clone(&directory))));
    if memo.normalized.len() > ObserveMemo::LIMIT {
        memo.normalized.clear();
    }
    let fingerprint = crate::store::directory_fingerprint(&directory);

    // Names are not unique: each item is known by its key in the capture.
    let keys = ItemMeta::keys(&items);
    let previous_keys = ItemMeta::keys(&previous_items);
    // What no rule can judge is said, not silently passed over.
    let not_assessed: Vec<NotAssessed> = items
        .iter()
        .zip(&keys)
        .filter(|(item, _)| crate::kinds::by_key(&item.kind).is_none())
        .map(|(item, key)| NotAssessed {
            kind: item.kind.clone(),
            item: key.clone(),
            reason: "its kind was not recognised when it was imported, so no baseline or \
                     hygiene rule applies to it"
                .to_owned(),
        })
        .collect();

    // Phase 1: match and decide which tenant items need their JSON. Where names repeat,
    // a baseline item meets the same-named tenant item whose settings are closest.
    let ambiguous: BTreeSet<&str> = baselines
        .iter()
        .flat_map(|(baseline, _)| ambiguous_items(baseline, &items))
        .map(|t| items[t].settings_hash.as_str())
        .collect();
    let ambiguous_sketches = if ambiguous.is_empty() {
        HashMap::new()
    } else {
        let hashes: Vec<&str> = ambiguous.into_iter().collect();
        store.settings_sketches(&hashes).await?
    };
    let mut plans: Vec<Plan> = baselines
        .iter()
        .map(|(baseline, _)| plan_baseline(baseline, &items, &failed_kinds, &ambiguous_sketches))
        .collect();
    // Rename candidates are read only when their sketch says they may be alike enough.
    let candidates: BTreeSet<&str> = plans
        .iter()
        .flat_map(|plan| plan.renamable())
        .map(|t| items[t].settings_hash.as_str())
        .collect();
    if !candidates.is_empty() {
        let hashes: Vec<&str> = candidates.into_iter().collect();
        let sketches = store.settings_sketches(&hashes).await?;
        for ((baseline, _), plan) in baselines.iter().zip(plans.iter_mut()) {
            plan.keep_plausible_renames(baseline, &items, &sketches);
        }
    }
    let mut needed: BTreeSet<usize> = BTreeSet::new();
    for plan in &plans {
        needed.extend(plan.needs_json());
    }
    let stale = items
        .iter()
        .any(|i| i.normalizer_version != NORMALIZER_VERSION)
        || previous_items
            .iter()
            .any(|i| i.normalizer_version != NORMALIZER_VERSION);

    // Phase 2: read and normalise only what differs (and was not normalised for an
    // earlier capture of the tenant).
    let items_compared = plans.iter().map(|p| p.pairs.len()).sum::<usize>();
    let (normalized, mut items_normalized) = memo
        .normalize(
            store,
            &items,
            needed.iter().copied(),
            &directory,
            &fingerprint,
        )
        .await?;

    let mut drifts: Vec<(Source, String, Drift)> = Vec::new();
    let mut assessment = Assessment::default();
    for ((baseline, variables), plan) in baselines.iter().zip(&plans) {
        let (found, assessed) = run_plan(baseline, plan, &items, &keys, &normalized, variables);
        assessment.merge(&assessed);
        drifts.extend(
            found
                .into_iter()
                .map(|d| (Source::Drift, baseline.baseline_id.clone(), d)),
        );
    }

    // Capture to capture: ghost policies, and each setting that moved. When the engine
    // version changed since the previous capture was hashed, hashes are not comparable.
    if !stale {
        let delta = drift::capture_changes(
            &item_refs(&previous_items, &previous_keys),
            &item_refs(&items, &keys),
            &failed_kinds,
        );
        drifts.extend(
            delta
                .deleted
                .into_iter()
                .map(|d| (Source::History, String::new(), d)),
        );
        if !delta.changed.is_empty() {
            let previous_fingerprint = crate::store::directory_fingerprint(&previous_directory);
            let (before, done_before) = memo
                .normalize(
                    store,
                    &previous_items,
                    delta.changed.iter().map(|(p, _)| *p),
                    &previous_directory,
                    &previous_fingerprint,
                )
                .await?;
            let (after, done_after) = memo
                .normalize(
                    store,
                    &items,
                    delta.changed.iter().map(|(_, c)| *c),
                    &directory,
                    &fingerprint,
                )
                .await?;
            items_normalized += done_before + done_after;
            for (p, c) in delta.changed {
                let (Some(old), Some(new)) = (before.get(&p), after.get(&c)) else {
                    continue;
                };
                for drift in drift::changed_item_drifts(&items[c].kind, &keys[c], old, new) {
                    drifts.push((Source::History, String::new(), drift));
                }
            }
        }
    }

    // Hygiene of the current capture, without a baseline.
    let issues = match store.capture_lint(current.id).await? {
        Some(issues) => issues,
        None => {
            items_normalized += items.len();
            lint_items(store, &items, &keys, &directory, current.taken_at).await?
        }
    };
    let mut lint_titles = Vec::with_capacity(issues.len());
    for issue in issues {
        lint_titles.push(issue.title());
        drifts.push((
            Source::Lint,
            issue.rule.as_str().to_owned(),
            Drift {
                kind: DriftKind::Lint,
                resource_kind: issue.resource_kind,
                tenant_item: Some(issue.item_key.clone()),
                item_key: issue.item_key,
                setting_path: issue.setting_path,
                expected: issue.expected,
                actual: issue.actual,
                severity: issue.severity,
            },
        ));
    }
    let mut lint_titles = lint_titles.into_iter();

    // Titles use the definitions the inputs carry (the capture's, then the baselines'):
    // every device words a finding alike. Read only when there is something to word.
    let capture_definitions = if drifts.is_empty() {
        SettingDefinitions::new()
    } else {
        store.capture_definitions(current.id).await?
    };
    let labels = Labels::new(
        std::iter::once(&capture_definitions).chain(baselines.iter().map(|(b, _)| &b.definitions)),
    );
    let tenant_key = tenant_id.to_string();
    let mut titles = HashMap::with_capacity(drifts.len());
    let mut fingerprints: BTreeSet<String> = BTreeSet::new();
    let mut repeated = 0usize;
    let observations: Vec<Observation> = drifts
        .into_iter()
        .filter_map(|(source, scope, drift)| {
            let fingerprint = findings::fingerprint(
                &tenant_key,
                source,
                &scope,
                &format!("{}/{}", drift.resource_kind, drift.item_key),
                &drift.setting_path,
                drift.kind.as_str(),
            );
            let text = match source {
                Source::Lint => lint_titles
                    .next()
                    .unwrap_or_else(|| labelled_title(&drift, &labels)),
                _ => labelled_title(&drift, &labels),
            };
            // Keys make every deviation's fingerprint unique; should two observations
            // still share one, they are the same finding: it is recorded once rather
            // than failing the review on the database's uniqueness.
            if !fingerprints.insert(fingerprint.clone()) {
                repeated += 1;
                return None;
            }
            titles.insert(fingerprint.clone(), text);
            Some(Observation {
                fingerprint,
                source,
                scope,
                drift,
            })
        })
        .collect();
    if repeated > 0 {
        tracing::warn!(
            tenant = %tenant.name,
            repeated,
            "observations with a repeated fingerprint were recorded once"
        );
    }
    Ok(Observed {
        capture_id: current.id.to_string(),
        previous_capture_id: previous.map(|p| p.id.to_string()),
        taken_at: current.taken_at,
        inputs_hash: inputs_hash.to_owned(),
        observations,
        titles: titles.into_iter().collect(),
        assessment,
        failed_kinds,
        not_assessed,
        items_compared,
        items_normalized,
    })
}

/// Lints a capture from its stored items (captures written before lint was stored, or
/// by another lint version).
async fn lint_items(
    store: &Store,
    items: &[ItemMeta],
    keys: &[String],
    directory: &[crate::model::DirectoryObject],
    taken_at: chrono::DateTime<Utc>,
) -> Result<Vec<LintIssue>, StoreError> {
    let hashes: Vec<&str> = items.iter().map(|i| i.blob_sha256.as_str()).collect();
    let raw = store.blobs(&hashes).await?;
    let directory = DirectoryIndex::new(directory);
    let present: Vec<(&ItemMeta, &String, &Value)> = items
        .iter()
        .zip(keys)
        .filter_map(|(i, key)| raw.get(&i.blob_sha256).map(|r| (i, key, r)))
        .collect();
    let normalized: Vec<Normalized> = present
        .iter()
        .map(|(i, _, r)| normalize::normalize(&i.kind, r, &directory))
        .collect();
    let lint_items: Vec<LintItem<'_>> = present
        .iter()
        .zip(&normalized)
        .map(|((i, key, r), n)| LintItem {
            kind: &i.kind,
            name: &i.name,
            key,
            raw: r,
            normalized: n,
        })
        .collect();
    Ok(lint(&lint_items, &LintOptions::default(), taken_at))
}

fn item_refs<'a>(metas: &'a [ItemMeta], keys: &'a [String]) -> Vec<ItemRef<'a>> {
    metas
        .iter()
        .zip(keys)
        .map(|(m, key)| ItemRef {
            kind: &m.kind,
            external_id: &m.external_id,
            name: &m.name,
            key,
            settings_hash: &m.settings_hash,
            assignments_hash: &m.assignments_hash,
        })
        .collect()
}

/// How one baseline applies to one tenant's items.
#[derive(Debug, Default)]
struct Plan {
    /// (baseline item, tenant item, equal by hash).
    pairs: Vec<(usize, usize, bool)>,
    missing: Vec<usize>,
    unmatched: Vec<usize>,
    /// For each unmatched item: whether an item of its kind is missing.
    unmatched_renamable: Vec<bool>,
}

impl Plan {
    /// Unmatched tenant items that may be a missing item renamed.
    fn renamable(&self) -> impl Iterator<Item = usize> + '_ {
        self.unmatched
            .iter()
            .zip(&self.unmatched_renamable)
            .filter(|(_, renamable)| **renamable)
            .map(|(t, _)| *t)
    }

    /// Drops rename candidates whose sketch is too unlike every missing item of their
    /// kind. Items without a sketch stay candidates (their JSON decides).
    fn keep_plausible_renames(
        &mut self,
        baseline: &PreparedBaseline,
        items: &[ItemMeta],
        sketches: &HashMap<String, Vec<u64>>,
    ) {
        for (t, renamable) in self
            .unmatched
            .iter()
            .zip(self.unmatched_renamable.iter_mut())
        {
            if !*renamable {
                continue;
            }
            let item = &items[*t];
            let Some(sketch) = sketches.get(&item.settings_hash) else {
                continue;
            };
            *renamable = self.missing.iter().any(|b| {
                baseline.items[*b].kind == item.kind
                    && drift::sketch_similarity(&baseline.sketches[*b], sketch)
                        >= drift::RENAME_SIMILARITY
            });
        }
    }

    fn needs_json(&self) -> impl Iterator<Item = usize> + '_ {
        let pairs = self
            .pairs
            .iter()
            .filter(|(_, _, equal)| !equal)
            .map(|(_, t, _)| *t);
        // Unmatched items are only read for rename detection.
        pairs.chain(self.renamable())
    }
}

/// Tenant items whose name another baseline or tenant item shares.
fn ambiguous_items(baseline: &PreparedBaseline, items: &[ItemMeta]) -> Vec<usize> {
    let b_names: Vec<(&str, &str)> = baseline
        .items
        .iter()
        .zip(&baseline.match_names)
        .map(|(spec, name)| (spec.kind.as_str(), name.as_str()))
        .collect();
    let t_names: Vec<(&str, &str)> = items
        .iter()
        .map(|i| (i.kind.as_str(), i.name.as_str()))
        .collect();
    drift::ambiguous_tenant_items(&b_names, &t_names, &baseline.options)
}

fn plan_baseline(
    baseline: &PreparedBaseline,
    items: &[ItemMeta],
    failed: &BTreeSet<String>,
    sketches: &HashMap<String, Vec<u64>>,
) -> Plan {
    // Baseline items of kinds that failed to capture are not assessed at all.
    let assessed_specs: Vec<usize> = (0..baseline.items.len())
        .filter(|i| !failed.contains(&baseline.items[*i].kind))
        .collect();
    let b_names: Vec<(&str, &str)> = assessed_specs
        .iter()
        .map(|i| {
            (
                baseline.items[*i].kind.as_str(),
                baseline.match_names[*i].as_str(),
            )
        })
        .collect();
    let t_names: Vec<(&str, &str)> = items
        .iter()
        .map(|i| (i.kind.as_str(), i.name.as_str()))
        .collect();
    // Equal settings first (equal assignments too, better), then the most alike.
    let affinity = |b: usize, t: usize| {
        let spec = &baseline.items[assessed_specs[b]];
        let item = &items[t];
        if spec.normalized.settings_hash == item.settings_hash {
            let assignments = spec.normalized.assignments_hash == item.assignments_hash;
            return if assignments { 3.0 } else { 2.0 };
        }
        sketches.get(&item.settings_hash).map_or(0.0, |sketch| {
            drift::sketch_similarity(&baseline.sketches[assessed_specs[b]], sketch)
        })
    };
    let matching = drift::match_items(&b_names, &t_names, &baseline.options, &affinity);
    let pairs = matching
        .pairs
        .iter()
        .map(|(b, t)| {
            let spec = &baseline.items[assessed_specs[*b]];
            let item = &items[*t];
            let equal = item.normalizer_version == NORMALIZER_VERSION
                && spec.hash_shortcut()
                && spec.normalized.settings_hash == item.settings_hash
                // A baseline item without assignments does not judge them (as diff_item).
                && (spec.normalized.assignments.is_empty()
                    || spec.normalized.assignments_hash == item.assignments_hash);
            (assessed_specs[*b], *t, equal)
        })
        .collect();
    let missing: Vec<usize> = matching
        .missing
        .iter()
        .map(|b| assessed_specs[*b])
        .collect();
    let missing_kinds: BTreeSet<&str> = missing
        .iter()
        .map(|b| baseline.items[*b].kind.as_str())
        .collect();
    let unmatched_renamable = matching
        .unmatched
        .iter()
        .map(|t| missing_kinds.contains(items[*t].kind.as_str()))
        .collect();
    Plan {
        pairs,
        missing,
        unmatched: matching.unmatched,
        unmatched_renamable,
    }
}

fn run_plan(
    baseline: &PreparedBaseline,
    plan: &Plan,
    items: &[ItemMeta],
    keys: &[String],
    normalized: &HashMap<usize, Arc<Normalized>>,
    variables: &BTreeMap<String, Value>,
) -> (Vec<Drift>, Assessment) {
    let mut drifts = Vec::new();
    let mut assessment = Assessment::default();
    for (b, t, equal) in &plan.pairs {
        let spec = &baseline.items[*b];
        if *equal {
            assessment.merge(&baseline.compliant[*b]);
            continue;
        }
        if let Some(tenant) = normalized.get(t) {
            let (found, assessed) = drift::diff_item(spec, &keys[*t], tenant, variables);
            drifts.extend(found);
            assessment.merge(&assessed);
        }
    }

    let missing: Vec<(usize, &BaselineItemSpec)> = plan
        .missing
        .iter()
        .map(|b| (*b, &baseline.items[*b]))
        .collect();
    let unmatched: Vec<(usize, &str, &Normalized)> = plan
        .unmatched
        .iter()
        .filter_map(|t| {
            normalized
                .get(t)
                .map(|n| (*t, items[*t].kind.as_str(), &**n))
        })
        .collect();
    let renames = drift::detect_renames(&missing, &unmatched);
    let renamed_b: BTreeSet<usize> = renames.iter().map(|(b, _)| *b).collect();
    let renamed_t: BTreeSet<usize> = renames.iter().map(|(_, t)| *t).collect();
    for (b, t) in &renames {
        let spec = &baseline.items[*b];
        let item = &items[*t];
        drifts.push(Drift {
            kind: DriftKind::Renamed,
            resource_kind: spec.kind.clone(),
            item_key: spec.name.clone(),
            tenant_item: Some(keys[*t].clone()),
            setting_path: String::new(),
            expected: Some(Value::String(baseline.match_names[*b].clone())),
            actual: Some(Value::String(item.name.clone())),
            severity: Severity::Low,
        });
        if let Some(tenant) = normalized.get(t) {
            let (found, assessed) = drift::diff_item(spec, &keys[*t], tenant, variables);
            drifts.extend(found);
            assessment.merge(&assessed);
        }
    }
    for b in plan.missing.iter().filter(|b| !renamed_b.contains(b)) {
        let spec = &baseline.items[*b];
        drifts.push(Drift {
            kind: DriftKind::Missing,
            resource_kind: spec.kind.clone(),
            item_key: spec.name.clone(),
            tenant_item: None,
            setting_path: String::new(),
            expected: Some(Value::String(baseline.match_names[*b].clone())),
            actual: None,
            severity: spec.severity.max(default_severity(&spec.kind)),
        });
        // Every setting of a missing policy is missing.
        let whole = baseline.compliant[*b];
        assessment.merge(&Assessment {
            compliant: 0,
            compliant_weight: 0.0,
            ..whole
        });
    }
    let exclusive: BTreeSet<&str> = baseline
        .options
        .exclusive_kinds
        .iter()
        .map(String::as_str)
        .collect();
    for t in plan.unmatched.iter().filter(|t| !renamed_t.contains(t)) {
        let item = &items[*t];
        if exclusive.contains(item.kind.as_str()) {
            drifts.push(Drift {
                kind: DriftKind::Extra,
                resource_kind: item.kind.clone(),
                item_key: keys[*t].clone(),
                tenant_item: Some(keys[*t].clone()),
                setting_path: String::new(),
                expected: None,
                actual: Some(Value::String(item.name.clone())),
                severity: Severity::Medium,
            });
        }
    }
    (drifts, assessment)
}

fn inputs_hash<'a>(
    current: &str,
    previous: Option<&str>,
    baselines: impl IntoIterator<Item = (&'a str, &'a BTreeMap<String, Value>)>,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(format!(
        "engine:{NORMALIZER_VERSION};lint:{LINT_VERSION};capture:{current}"
    ));
    if let Some(p) = previous {
        hasher.update(format!(";previous:{p}"));
    }
    let mut parts: Vec<String> = baselines
        .into_iter()
        .map(|(version_id, vars)| {
            format!(
                "{version_id}={}",
                serde_json::to_string(vars).unwrap_or_default()
            )
        })
        .collect();
    parts.sort();
    for part in parts {
        hasher.update(b";");
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// The human title of a finding, with labels derived from setting paths alone.
pub fn title(drift: &Drift) -> String {
    labelled_title(drift, &Labels::default())
}

/// The human title of a finding: "Default Outbound Action: Block instead of Allow
/// (Firewall)" where the definitions are known, path-derived labels where not.
pub fn labelled_title(drift: &Drift, labels: &Labels<'_>) -> String {
    let show = |v: &Option<Value>| {
        let Some(value) = v else {
            return "not set".to_owned();
        };
        let text = match (labels.value(value), value) {
            (Some(label), _) => label,
            (None, Value::String(s)) => return s.clone(),
            (None, other) => other.to_string(),
        };
        if text.chars().count() > 60 {
            format!("{}…", text.chars().take(60).collect::<String>())
        } else {
            text
        }
    };
    let label = || labels.setting(&drift.resource_kind, &drift.setting_path);
    match drift.kind {
        DriftKind::Missing => format!("Policy missing: {}", drift.item_key),
        DriftKind::Extra => format!("Policy not in the baseline: {}", drift.item_key),
        DriftKind::Renamed => format!(
            "Policy renamed: {} → {}",
            drift.item_key,
            drift.tenant_item.as_deref().unwrap_or("?")
        ),
        DriftKind::SettingChanged => format!(
            "{}: {} instead of {} ({})",
            label(),
            show(&drift.actual),
            show(&drift.expected),
            drift.item_key
        ),
        DriftKind::SettingMissing => format!("{} not configured ({})", label(), drift.item_key),
        DriftKind::SettingAdded => format!(
            "{} set to {} beyond the baseline ({})",
            label(),
            show(&drift.actual),
            drift.item_key
        ),
        DriftKind::AssignmentChanged => format!("Assignments differ: {}", drift.item_key),
        DriftKind::Deleted => format!("Policy deleted since the last capture: {}", drift.item_key),
        DriftKind::ChangedSinceLastCapture if drift.setting_path == "assignments" => format!(
            "Assignments changed since the last capture ({})",
            drift.item_key
        ),
        DriftKind::ChangedSinceLastCapture if !drift.setting_path.is_empty() => format!(
            "{} changed since the last capture: {} (was {}) ({})",
            label(),
            show(&drift.actual),
            show(&drift.expected),
            drift.item_key
        ),
        DriftKind::ChangedSinceLastCapture => {
            format!("Policy changed since the last capture: {}", drift.item_key)
        }
        DriftKind::Lint => format!("Hygiene: {} ({})", drift.item_key, label()),
    }
}

/// The latest score of each tenant, best first, with the one before it for the trend.
#[derive(Clone, Debug, Serialize)]
pub struct TenantScore {
    pub tenant_id: String,
    pub tenant: String,
    pub score: Option<f64>,
    pub previous: Option<f64>,
    pub reviewed_at: String,
    pub open_findings: i64,
}

/// Ranks tenants by their latest review score.
pub async fn ranking(store: &Store) -> Result<Vec<TenantScore>, StoreError> {
    store.latest_scores().await
}

#[cfg(test)]
mod title_tests {
    use super::*;
    use crate::baseline::Severity;
    use crate::normalize::{SettingDefinition, SettingDefinitions};
    use serde_json::json;

    const ID: &str = "vendor_msft_firewall_mdmstore_domainprofile_defaultoutboundaction";

    fn drift(kind: DriftKind, path: &str) -> Drift {
        Drift {
            kind,
            resource_kind: "settings_catalog".to_owned(),
            item_key: "Firewall".to_owned(),
            tenant_item: Some("Firewall".to_owned()),
            setting_path: path.to_owned(),
            expected: Some(json!(format!("{ID}_0"))),
            actual: Some(json!(format!("{ID}_1"))),
            severity: Severity::High,
        }
    }

    #[test]
    fn titles_use_the_definitions_the_inputs_carry() {
        let definitions: SettingDefinitions = [(
            ID.to_owned(),
            SettingDefinition {
                name: "Default Outbound Action".to_owned(),
                description: None,
                options: [
                    (format!("{ID}_0"), "Allow".to_owned()),
                    (format!("{ID}_1"), "Block".to_owned()),
                ]
                .into(),
            },
        )]
        .into();
        let labels = Labels::new([&definitions]);
        let path = format!("vendor_msft_firewall_mdmstore_domainprofile/{ID}");
        assert_eq!(
            labelled_title(&drift(DriftKind::SettingChanged, &path), &labels),
            "Default Outbound Action: Block instead of Allow (Firewall)"
        );
        assert_eq!(
            labelled_title(&drift(DriftKind::ChangedSinceLastCapture, &path), &labels),
            "Default Outbound Action changed since the last capture: Block (was Allow) (Firewall)"
        );
        // Without definitions: the path-derived label and the option ids, as before.
        let plain = title(&drift(DriftKind::SettingChanged, &path));
        assert!(
            plain.contains(&format!("{ID}_1 instead of {ID}_0")),
            "{plain}"
        );
        assert_eq!(
            title(&drift(DriftKind::ChangedSinceLastCapture, "assignments")),
            "Assignments changed since the last capture (Firewall)"
        );
    }
}

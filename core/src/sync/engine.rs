//! Sync with the workspace's Plumbline server (SYNC.md): push this device's operations,
//! pull everyone else's, apply them, derive what changed.
//!
//! One round ([`sync_once`]):
//! 1. A first sync (no epoch yet, or one under way) reads the log's head and applies a
//!    compressed snapshot per tenant (and one of the workspace's own records) taken at
//!    that head; each applied snapshot is recorded, so an interrupted first sync resumes
//!    with the next one. The stream continues after the head.
//! 2. Push: pending operations in batches bounded in count and bytes, the blobs they
//!    reference uploaded first (only those the server lacks); each verdict is recorded.
//!    Rejected operations stay, with the server's reason, in the rejected list.
//! 3. Pull: pages after the cursor, each applied in one transaction with the cursor that
//!    follows it; the blobs a page names are fetched (and checked) before it. Control
//!    messages: `must_resync` starts over from 0 keeping what is here, `revoke_tenant`
//!    removes a tenant, `grant_tenant` fetches the tenant's snapshot, `up_to_date`
//!    compares per-tenant checksums (a tenant that disagrees is fetched again whole).
//! 4. Derive: the tenants whose records changed are reviewed again (the fold is skipped
//!    when its inputs are the same).
//!
//! [`run`] repeats rounds: after one, it waits for news in live mode (a long poll) or a
//! local change; a failure that may pass (the server unreachable, a rate limit, a server
//! error) is retried with exponential backoff and jitter; one that cannot pass without
//! someone doing something (signed out, no access) stops it with the reason recorded.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::api::{BlobFrame, Checksum, Control, Operation, Outcome, Sequenced};
use super::client::{Client, ClientError, DeviceToken, ServerUrl};
use super::connection::token_account;
use crate::keychain::{Keychain, KeychainError};
use crate::model::TenantId;
use crate::review::{review_all, review_tenant, ReviewOptions};
use crate::store::{Applied, OutboxOp, ReceivedBlob, Store, StoreError};

/// Operations per pushed batch, at most.
pub const PUSH_BATCH: usize = 500;
/// Bytes of operations' JSON per pushed batch, about (the server takes 64 MiB).
pub const PUSH_BATCH_BYTES: usize = 8 * 1024 * 1024;
/// Operations per pulled page.
pub const PULL_PAGE: u32 = 1_000;
/// Blob bytes per upload or download, about.
const BLOB_BATCH_BYTES: usize = 16 * 1024 * 1024;
/// Hashes per blob request.
const BLOB_BATCH_HASHES: usize = 2_000;
/// How long a live pull waits for news.
pub const LIVE_WAIT_SECONDS: u32 = 20;

/// Why a sync round failed. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Not signed in to a server (or signed out): sign in first.
    #[error("{0}")]
    NotConnected(String),
    /// Which workspace of the server to sync with is not clear.
    #[error("{0}")]
    Workspace(String),
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("OS keychain: {0}")]
    Keychain(#[from] KeychainError),
    /// Cancelled by the user; what was applied stays, the next sync resumes.
    #[error("sync cancelled; the next sync resumes where this one stopped")]
    Cancelled,
    /// The server kept answering something this device cannot use.
    #[error("{0}")]
    Protocol(String),
}

impl SyncError {
    /// True when trying again later may help without anyone doing anything.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Client(error) => !error.is_permanent(),
            Self::Store(StoreError::Sql(_)) => true,
            _ => false,
        }
    }
}

/// What a sync round did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// The server workspace synced with.
    pub workspace: String,
    pub first_sync: bool,
    pub pushed: usize,
    pub rejected: usize,
    /// Operations received (pages and snapshots).
    pub pulled: usize,
    /// Operations received that changed something here.
    pub applied: usize,
    pub blobs_uploaded: usize,
    pub blobs_downloaded: usize,
    /// Tenants derived again.
    pub derived: usize,
    pub granted: Vec<String>,
    pub revoked: Vec<String>,
    pub restarted: bool,
    /// The last sequence of the server's log applied.
    pub cursor: i64,
    /// Whether every tenant's checksum agreed with the server's.
    pub checksums_ok: Option<bool>,
    /// Tenant keys whose checksums still disagree.
    pub mismatched: Vec<String>,
    /// Where the round's time went, in milliseconds: `snapshots` (asking the server for
    /// them), `blobs` (fetching what they name), `apply`, `push`, `pull`, `derive`. A
    /// first sync downloads the next tenant while it applies one, so `snapshots` and
    /// `blobs` overlap `apply`; `waiting` is the time it waited for a download.
    pub timings_ms: BTreeMap<&'static str, u64>,
}

impl SyncReport {
    fn took(&mut self, phase: &'static str, started: Instant) {
        *self.timings_ms.entry(phase).or_default() += started.elapsed().as_millis() as u64;
    }
}

/// Where a round is, for a progress bar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyncProgress {
    /// snapshot, push, pull or derive.
    pub phase: &'static str,
    pub done: u64,
    pub total: u64,
}

/// Options of a round.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// The server workspace (id or name) when the account is a member of several.
    pub workspace: Option<String>,
    pub page: u32,
    pub push_batch: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            workspace: None,
            page: PULL_PAGE,
            push_batch: PUSH_BATCH,
        }
    }
}

/// A flag to cancel a sync between two steps.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    fn check(&self) -> Result<(), SyncError> {
        if self.is_cancelled() {
            Err(SyncError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// The server, the token and the workspace of a round.
#[derive(Clone)]
pub struct Session {
    pub client: Client,
    pub token: DeviceToken,
    pub workspace: String,
}

/// Reads the connection: the server, the token from the keychain, the workspace.
pub async fn session(
    store: &Store,
    keychain: &dyn Keychain,
    options: &SyncOptions,
) -> Result<Session, SyncError> {
    let not_connected = || {
        SyncError::NotConnected(
            "this workspace is not signed in to a Plumbline server: sign in first \
             (`plumbline server sign-in URL` or Settings → Server)"
                .to_owned(),
        )
    };
    let stored = store.server_connection().await?.ok_or_else(not_connected)?;
    let account = stored
        .keychain_account
        .clone()
        .unwrap_or_else(|| token_account(store.workspace()));
    let Some(token) = keychain.get(&account)? else {
        return Err(not_connected());
    };
    let state = store.sync_state().await?;
    let workspace = match (&state.server_workspace, &options.workspace) {
        (Some(chosen), None) => chosen.clone(),
        (chosen, wanted) => {
            let candidates: Vec<_> = match wanted {
                Some(wanted) => stored
                    .workspaces
                    .iter()
                    .filter(|w| w.id == *wanted || w.name.eq_ignore_ascii_case(wanted))
                    .collect(),
                None => stored.workspaces.iter().collect(),
            };
            let picked = match candidates.as_slice() {
                [one] => one.id.clone(),
                [] => {
                    return Err(SyncError::Workspace(match wanted {
                        Some(wanted) => format!(
                            "this account is not a member of a workspace {wanted:?} on the server: \
                             check the name (`plumbline server status` lists the workspaces)"
                        ),
                        None => "this account is a member of no workspace on the server: ask an \
                                 administrator of the server to add it to one"
                            .to_owned(),
                    }))
                }
                several => {
                    let names: Vec<&str> = several.iter().map(|w| w.name.as_str()).collect();
                    return Err(SyncError::Workspace(format!(
                        "this account is a member of several workspaces ({}): choose one with \
                         `plumbline sync --workspace NAME`",
                        names.join(", ")
                    )));
                }
            };
            if let Some(chosen) = chosen {
                if *chosen != picked {
                    return Err(SyncError::Workspace(format!(
                        "this workspace syncs with server workspace {chosen}; a workspace syncs \
                         with one server workspace only (use another data directory for {picked})"
                    )));
                }
            }
            store.set_sync_workspace(&picked).await?;
            picked
        }
    };
    Ok(Session {
        client: Client::new(ServerUrl::parse(&stored.url)?)?,
        token: DeviceToken::new(token),
        workspace,
    })
}

/// One sync round: first sync if needed, push, pull, derive.
pub async fn sync_once(
    store: &Store,
    keychain: &dyn Keychain,
    options: &SyncOptions,
    cancel: &Cancel,
    progress: &mut (dyn FnMut(SyncProgress) + Send),
) -> Result<SyncReport, SyncError> {
    let result = round(store, keychain, options, cancel, progress).await;
    match &result {
        Ok(report) => {
            store.record_sync_outcome(None, report.checksums_ok).await?;
        }
        Err(SyncError::Cancelled) => {}
        Err(error) => {
            store
                .record_sync_outcome(Some(&error.to_string()), None)
                .await?;
        }
    }
    result
}

async fn round(
    store: &Store,
    keychain: &dyn Keychain,
    options: &SyncOptions,
    cancel: &Cancel,
    progress: &mut (dyn FnMut(SyncProgress) + Send),
) -> Result<SyncReport, SyncError> {
    let session = session(store, keychain, options).await?;
    let mut report = SyncReport {
        workspace: session.workspace.clone(),
        ..SyncReport::default()
    };
    let mut changed = Applied::default();
    store.backfill_outbox().await?;
    // A restart (a new epoch) runs the round again once, from the start.
    for _ in 0..2 {
        let state = store.sync_state().await?;
        if state.epoch.is_none() || state.first_sync_up_to.is_some() {
            report.first_sync = true;
            first_sync(store, &session, cancel, progress, &mut report, &mut changed).await?;
        }
        let started = Instant::now();
        push(store, &session, options, cancel, progress, &mut report).await?;
        report.took("push", started);
        let started = Instant::now();
        let pulled = pull(
            store,
            &session,
            options,
            cancel,
            progress,
            &mut report,
            &mut changed,
        )
        .await?;
        report.took("pull", started);
        match pulled {
            Pulled::Done => break,
            Pulled::Restart => {
                report.restarted = true;
                continue;
            }
        }
    }
    let started = Instant::now();
    derive(store, &changed, progress, &mut report).await?;
    report.took("derive", started);
    report.cursor = store.sync_state().await?.cursor;
    Ok(report)
}

/// Snapshots at the log's head, one per tenant key; resumable. The next tenants'
/// snapshots and blobs are downloaded, checked and decoded while the current one is
/// applied (the server's work, the network and this device's decoding overlap the
/// database writes); [`PREFETCH_AHEAD`] tenants ahead at most, so memory stays bounded by
/// that many tenants' records and one more.
async fn first_sync(
    store: &Store,
    session: &Session,
    cancel: &Cancel,
    progress: &mut (dyn FnMut(SyncProgress) + Send),
    report: &mut SyncReport,
    changed: &mut Applied,
) -> Result<(), SyncError> {
    let head = session
        .client
        .sync_head(&session.token, &session.workspace, true)
        .await?;
    let up_to = store.begin_first_sync(&head.epoch, head.head).await?;
    let done = store.snapshots_done().await?;
    let total = head.tenants.len() as u64;
    let mut applied_count = head.tenants.keys().filter(|k| done.contains(*k)).count() as u64;
    let mut todo = head
        .tenants
        .keys()
        .filter(|k| !done.contains(*k))
        .cloned()
        .collect::<Vec<_>>()
        .into_iter();
    let prefetch = |key: String| {
        let (store, session, epoch) = (store.clone(), session.clone(), head.epoch.clone());
        Prefetch(tokio::spawn(async move {
            fetch_snapshot(&store, &session, key, up_to, &epoch).await
        }))
    };
    progress(SyncProgress {
        phase: "snapshot",
        done: applied_count,
        total,
    });
    let mut ahead: std::collections::VecDeque<Prefetch> =
        todo.by_ref().take(PREFETCH_AHEAD).map(prefetch).collect();
    // Tenants are derived as their snapshots land, beside the next ones' apply (the
    // machine's other core is otherwise idle while this one writes); what is not derived
    // by the end, or failed, is derived after the first sync as always.
    let (derive_next, tenants_applied) = tokio::sync::mpsc::unbounded_channel();
    let deriving = DeriveBehind(tokio::spawn(derive_behind(store.clone(), tenants_applied)));
    while let Some(pending) = ahead.pop_front() {
        let started = Instant::now();
        let fetched = pending.wait().await?;
        report.took("waiting", started);
        cancel.check()?;
        ahead.extend(todo.next().map(prefetch));
        report.pulled += fetched.operations.len();
        report.blobs_downloaded += fetched.blobs.len();
        *report.timings_ms.entry("snapshots").or_default() += fetched.snapshot_ms;
        *report.timings_ms.entry("blobs").or_default() += fetched.blobs_ms;
        let started = Instant::now();
        let applied = store
            .apply_snapshot(&fetched.key, &fetched.operations, true, &fetched.blobs)
            .await?;
        report.took("apply", started);
        report.applied += applied.applied;
        if !applied.workspace {
            for tenant in &applied.tenants {
                // The receiver lives until `deriving` is dropped below.
                let _ = derive_next.send(*tenant);
            }
        }
        changed.merge(applied);
        applied_count += 1;
        progress(SyncProgress {
            phase: "snapshot",
            done: applied_count,
            total,
        });
    }
    // What was not derived yet is derived with every core at once afterwards.
    drop(deriving);
    store.finish_first_sync(up_to).await?;
    Ok(())
}

/// Derives each tenant sent, one after the other, until the sender is gone or the task
/// is stopped (a review stopped halfway writes nothing: its transaction rolls back).
async fn derive_behind(store: Store, mut tenants: tokio::sync::mpsc::UnboundedReceiver<TenantId>) {
    let options = ReviewOptions::default();
    while let Some(tenant) = tenants.recv().await {
        if let Err(error) = review_tenant(&store, tenant, &options).await {
            tracing::debug!(%error, %tenant, "deriving beside the first sync failed: derived after it");
        }
    }
}

/// The derive running beside a first sync's apply; stopped when dropped.
struct DeriveBehind(tokio::task::JoinHandle<()>);

impl Drop for DeriveBehind {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// How many tenants' snapshots a first sync fetches ahead of the one it applies: two
/// smooth out tenants whose download takes longer than the one before's apply.
const PREFETCH_AHEAD: usize = 2;

/// A download running beside the apply; stopped when the first sync stops early.
struct Prefetch(tokio::task::JoinHandle<Result<FetchedSnapshot, SyncError>>);

impl Prefetch {
    async fn wait(mut self) -> Result<FetchedSnapshot, SyncError> {
        match (&mut self.0).await {
            Ok(result) => result,
            Err(error) => Err(SyncError::Protocol(format!(
                "downloading a snapshot stopped: {error}"
            ))),
        }
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One tenant's snapshot with the blobs it names that this device lacks, ready to apply.
struct FetchedSnapshot {
    key: String,
    operations: Vec<Sequenced>,
    blobs: Vec<ReceivedBlob>,
    snapshot_ms: u64,
    blobs_ms: u64,
}

async fn fetch_snapshot(
    store: &Store,
    session: &Session,
    key: String,
    up_to: i64,
    epoch: &str,
) -> Result<FetchedSnapshot, SyncError> {
    let tenant = (!key.is_empty()).then_some(key.as_str());
    let started = Instant::now();
    let snapshot = session
        .client
        .snapshot(&session.token, &session.workspace, tenant, up_to)
        .await?;
    let snapshot_ms = started.elapsed().as_millis() as u64;
    if snapshot.epoch != epoch {
        return Err(SyncError::Protocol(
            "the server's log was replaced during the first sync: sync again".to_owned(),
        ));
    }
    let started = Instant::now();
    let blobs = download_blobs(store, session, &snapshot.operations).await?;
    Ok(FetchedSnapshot {
        key,
        operations: snapshot.operations,
        blobs,
        snapshot_ms,
        blobs_ms: started.elapsed().as_millis() as u64,
    })
}

/// Splits operations into batches bounded in count and JSON bytes.
fn batches(ops: Vec<OutboxOp>, max: usize) -> Vec<Vec<OutboxOp>> {
    let mut out: Vec<Vec<OutboxOp>> = Vec::new();
    let mut bytes = 0usize;
    for op in ops {
        let size = serde_json::to_vec(&op.operation).map_or(0, |v| v.len());
        let full = out
            .last()
            .is_none_or(|b| b.len() >= max || (bytes + size > PUSH_BATCH_BYTES && !b.is_empty()));
        if full {
            out.push(Vec::new());
            bytes = 0;
        }
        bytes += size;
        if let Some(last) = out.last_mut() {
            last.push(op);
        }
    }
    out
}

/// Pushes every pending operation, blobs first.
async fn push(
    store: &Store,
    session: &Session,
    options: &SyncOptions,
    cancel: &Cancel,
    progress: &mut (dyn FnMut(SyncProgress) + Send),
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let total = store.sync_state().await?.pending.max(0) as u64;
    let mut done = 0u64;
    loop {
        cancel.check()?;
        let ops = store.outbox(options.push_batch.max(1)).await?;
        if ops.is_empty() {
            return Ok(());
        }
        let mut decided = 0usize;
        for batch in batches(ops, options.push_batch.max(1)) {
            cancel.check()?;
            upload_blobs(store, session, &batch, report).await?;
            let operations: Vec<Operation> = batch.iter().map(|o| o.operation.clone()).collect();
            let answer = session
                .client
                .push(&session.token, &session.workspace, operations)
                .await?;
            for verdict in &answer.verdicts {
                match verdict.outcome {
                    Outcome::Accepted { .. } | Outcome::Duplicate { .. } => report.pushed += 1,
                    Outcome::Rejected { .. } => report.rejected += 1,
                }
            }
            decided += store.record_verdicts(&batch, &answer.verdicts).await?;
            done += batch.len() as u64;
            progress(SyncProgress {
                phase: "push",
                done,
                total: total.max(done),
            });
        }
        // Each round must decide something, or the loop would not end.
        if decided == 0 {
            return Err(SyncError::Protocol(
                "the server gave no verdict on the pushed operations: check that it runs the same version as this app"
                    .to_owned(),
            ));
        }
    }
}

/// Uploads the blobs of `batch` the server lacks.
async fn upload_blobs(
    store: &Store,
    session: &Session,
    batch: &[OutboxOp],
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let mut hashes: Vec<String> = batch
        .iter()
        .flat_map(|o| o.operation.body.blobs())
        .map(str::to_owned)
        .collect();
    hashes.sort();
    hashes.dedup();
    for chunk in hashes.chunks(BLOB_BATCH_HASHES) {
        let missing = session
            .client
            .missing_blobs(&session.token, &session.workspace, chunk.to_vec())
            .await?;
        if missing.is_empty() {
            continue;
        }
        let payloads = store.blob_payloads(&missing).await?;
        let mut part: Vec<BlobFrame> = Vec::new();
        let mut bytes = 0usize;
        for payload in payloads {
            bytes += payload.data.len();
            part.push(payload);
            if bytes >= BLOB_BATCH_BYTES {
                session
                    .client
                    .upload_blobs(&session.token, &session.workspace, &part)
                    .await?;
                report.blobs_uploaded += part.len();
                part.clear();
                bytes = 0;
            }
        }
        if !part.is_empty() {
            session
                .client
                .upload_blobs(&session.token, &session.workspace, &part)
                .await?;
            report.blobs_uploaded += part.len();
        }
    }
    Ok(())
}

/// Fetches and stores the blobs `operations` name that this device lacks (a request's
/// worth at a time: a page can name many).
async fn fetch_blobs(
    store: &Store,
    session: &Session,
    operations: &[Sequenced],
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let missing = missing_blobs(store, operations).await?;
    for chunk in missing.chunks(BLOB_BATCH_HASHES) {
        let received = download(session, chunk.to_vec(), false).await?;
        report.blobs_downloaded += received.len();
        store.store_blobs(&received).await?;
    }
    Ok(())
}

/// Downloads the blobs `operations` name that this device lacks, checked and decoded
/// (one snapshot's worth: kept in memory until applied with it).
async fn download_blobs(
    store: &Store,
    session: &Session,
    operations: &[Sequenced],
) -> Result<Vec<ReceivedBlob>, SyncError> {
    let missing = missing_blobs(store, operations).await?;
    let mut out = Vec::with_capacity(missing.len());
    for chunk in missing.chunks(BLOB_BATCH_HASHES) {
        out.extend(download(session, chunk.to_vec(), true).await?);
    }
    Ok(out)
}

async fn missing_blobs(store: &Store, operations: &[Sequenced]) -> Result<Vec<String>, SyncError> {
    let hashes: Vec<String> = operations
        .iter()
        .flat_map(|s| s.operation.body.blobs())
        .map(str::to_owned)
        .collect();
    if hashes.is_empty() {
        return Ok(Vec::new());
    }
    Ok(store.missing_blobs(&hashes).await?)
}

/// One request's blobs, checked (and decoded when `keep_values`) on a
/// blocking thread (CPU work that would otherwise hold up the runtime's threads).
async fn download(
    session: &Session,
    hashes: Vec<String>,
    keep_values: bool,
) -> Result<Vec<ReceivedBlob>, SyncError> {
    let received = session
        .client
        .fetch_blobs(&session.token, &session.workspace, hashes)
        .await?;
    let checked = tokio::task::spawn_blocking(move || {
        received
            .into_iter()
            .map(|frame| ReceivedBlob::check(frame, keep_values))
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| SyncError::Protocol(format!("checking downloaded blobs stopped: {e}")))??;
    Ok(checked)
}

enum Pulled {
    Done,
    Restart,
}

/// Pulls and applies pages until the device has the log's head.
async fn pull(
    store: &Store,
    session: &Session,
    options: &SyncOptions,
    cancel: &Cancel,
    progress: &mut (dyn FnMut(SyncProgress) + Send),
    report: &mut SyncReport,
    changed: &mut Applied,
) -> Result<Pulled, SyncError> {
    // Bounded: a page always moves the cursor or ends the loop.
    let mut guard = 0u64;
    loop {
        cancel.check()?;
        guard += 1;
        let state = store.sync_state().await?;
        let cursor = state.cursor;
        let page = session
            .client
            .pull(
                &session.token,
                &session.workspace,
                cursor,
                options.page,
                0,
                state.epoch.as_deref(),
            )
            .await?;
        let mut up_to_date: Option<BTreeMap<String, Checksum>> = None;
        for control in &page.controls {
            match control {
                Control::MustResync { epoch } => {
                    store.restart_sync(epoch).await?;
                    return Ok(Pulled::Restart);
                }
                Control::RevokeTenant { tenant_id } => {
                    store.revoke_tenant(tenant_id).await?;
                    report.revoked.push(tenant_id.clone());
                }
                Control::GrantTenant { tenant_id } => {
                    let snapshot = session
                        .client
                        .snapshot(&session.token, &session.workspace, Some(tenant_id), cursor)
                        .await?;
                    let blobs = download_blobs(store, session, &snapshot.operations).await?;
                    report.blobs_downloaded += blobs.len();
                    report.pulled += snapshot.operations.len();
                    let applied = store
                        .apply_snapshot(tenant_id, &snapshot.operations, false, &blobs)
                        .await?;
                    report.applied += applied.applied;
                    changed.merge(applied);
                    report.granted.push(tenant_id.clone());
                }
                Control::UpToDate { checksums, .. } => up_to_date = Some(checksums.clone()),
            }
        }
        fetch_blobs(store, session, &page.operations, report).await?;
        report.pulled += page.operations.len();
        let applied = store
            .apply_operations(&page.operations, Some(page.last_seq.max(cursor)))
            .await?;
        report.applied += applied.applied;
        changed.merge(applied);
        progress(SyncProgress {
            phase: "pull",
            done: page.last_seq.max(0) as u64,
            total: page.head.max(0) as u64,
        });
        if let Some(checksums) = up_to_date {
            compare_checksums(store, session, &checksums, report, changed).await?;
            return Ok(Pulled::Done);
        }
        if page.last_seq <= cursor && page.operations.is_empty() {
            if guard > 3 {
                return Err(SyncError::Protocol(
                    "the server's log does not move past this device's cursor: check that it runs the same version as this app"
                        .to_owned(),
                ));
            }
            continue;
        }
    }
}

/// Compares per-tenant checksums with the server's; a tenant that disagrees is fetched
/// again whole (applying is idempotent), then compared once more.
async fn compare_checksums(
    store: &Store,
    session: &Session,
    server: &BTreeMap<String, Checksum>,
    report: &mut SyncReport,
    changed: &mut Applied,
) -> Result<(), SyncError> {
    let local = store.local_checksums().await?;
    let disagree = |local: &BTreeMap<String, Checksum>| -> Vec<String> {
        server
            .iter()
            .filter(|(key, sum)| local.get(*key).cloned().unwrap_or_default() != **sum)
            .map(|(key, _)| key.clone())
            .collect()
    };
    let mismatched = disagree(&local);
    if mismatched.is_empty() {
        report.checksums_ok = Some(true);
        report.mismatched.clear();
        return Ok(());
    }
    let cursor = store.sync_state().await?.cursor;
    for key in &mismatched {
        let tenant = (!key.is_empty()).then_some(key.as_str());
        let snapshot = session
            .client
            .snapshot(&session.token, &session.workspace, tenant, cursor)
            .await?;
        let blobs = download_blobs(store, session, &snapshot.operations).await?;
        report.blobs_downloaded += blobs.len();
        let applied = store
            .apply_snapshot(key, &snapshot.operations, false, &blobs)
            .await?;
        report.applied += applied.applied;
        changed.merge(applied);
    }
    let still = disagree(&store.local_checksums().await?);
    report.checksums_ok = Some(still.is_empty());
    report.mismatched = still;
    Ok(())
}

/// Derives the tenants whose records changed (all of them when baselines or settings
/// did): those this round applied and those an interrupted round left (recorded with the
/// pages they came in), then marks them derived.
async fn derive(
    store: &Store,
    changed: &Applied,
    progress: &mut (dyn FnMut(SyncProgress) + Send),
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let mut dirty = store.dirty().await?;
    dirty.merge(changed.clone());
    let options = ReviewOptions::default();
    if dirty.workspace {
        let reviews = review_all(store, &options, |done, total| {
            progress(SyncProgress {
                phase: "derive",
                done: done as u64,
                total: total as u64,
            })
        })
        .await?;
        report.derived = reviews.len();
    } else {
        let total = dirty.tenants.len() as u64;
        for (index, tenant) in dirty.tenants.iter().enumerate() {
            match review_tenant(store, *tenant, &options).await {
                Ok(_) | Err(StoreError::NotFound { .. }) => {}
                Err(error) => return Err(error.into()),
            }
            progress(SyncProgress {
                phase: "derive",
                done: index as u64 + 1,
                total,
            });
        }
        report.derived = dirty.tenants.len();
    }
    store.clear_dirty(&dirty).await?;
    Ok(())
}

/// Backoff before retry `attempt` (0-based): 1 s doubling to a minute, ±20 % jitter.
pub fn backoff(attempt: u32) -> Duration {
    let base = 1_000u64.saturating_mul(1 << attempt.min(6)).min(60_000);
    let jitter = (rand_unit() * 0.4 - 0.2) * base as f64;
    Duration::from_millis((base as f64 + jitter).max(100.0) as u64)
}

/// A number in [0, 1) from the OS's randomness.
fn rand_unit() -> f64 {
    let mut bytes = [0u8; 4];
    if getrandom::getrandom(&mut bytes).is_err() {
        return 0.5;
    }
    f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0)
}

/// The server's checksums of the tenants this device may see (for `sync verify`).
pub async fn server_checksums(
    store: &Store,
    keychain: &dyn Keychain,
    options: &SyncOptions,
) -> Result<BTreeMap<String, Checksum>, SyncError> {
    let session = session(store, keychain, options).await?;
    let head = session
        .client
        .sync_head(&session.token, &session.workspace, false)
        .await?;
    Ok(head.tenants)
}

/// What [`run`] reports after each round.
#[derive(Clone, Debug)]
pub enum RunEvent {
    Synced(SyncReport),
    /// A failure that may pass; the next try is after `retry_in`.
    Failed {
        error: String,
        retry_in: Duration,
    },
}

/// Waits for news from the server (live mode): true when the log moved past the
/// cursor, false after the wait with nothing new.
pub async fn wait_for_news(
    store: &Store,
    keychain: &dyn Keychain,
    options: &SyncOptions,
    wait: u32,
) -> Result<bool, SyncError> {
    let session = session(store, keychain, options).await?;
    let state = store.sync_state().await?;
    let page = session
        .client
        .pull(
            &session.token,
            &session.workspace,
            state.cursor,
            1,
            wait,
            state.epoch.as_deref(),
        )
        .await?;
    Ok(!page.operations.is_empty()
        || page.head > state.cursor
        || page
            .controls
            .iter()
            .any(|c| !matches!(c, Control::UpToDate { .. })))
}

/// Syncs until cancelled: a round, then a live wait for news or a local change
/// (`wake`), again. Retryable failures back off; a permanent one ends the run with it.
pub async fn run(
    store: &Store,
    keychain: &dyn Keychain,
    options: &SyncOptions,
    cancel: &Cancel,
    wake: &tokio::sync::Notify,
    mut events: impl FnMut(RunEvent) + Send,
) -> Result<(), SyncError> {
    let mut attempt = 0u32;
    loop {
        if cancel.is_cancelled() {
            return Ok(());
        }
        match sync_once(store, keychain, options, cancel, &mut |_| {}).await {
            Ok(report) => {
                attempt = 0;
                events(RunEvent::Synced(report));
                tokio::select! {
                    news = wait_for_news(store, keychain, options, LIVE_WAIT_SECONDS) => {
                        if let Err(error) = news {
                            if !error.is_retryable() {
                                return Err(error);
                            }
                            tokio::time::sleep(backoff(0)).await;
                        }
                    }
                    () = wake.notified() => {}
                }
            }
            Err(SyncError::Cancelled) => return Ok(()),
            Err(error) if error.is_retryable() => {
                let retry_in = backoff(attempt);
                attempt = attempt.saturating_add(1);
                events(RunEvent::Failed {
                    error: error.to_string(),
                    retry_in,
                });
                tokio::select! {
                    () = tokio::time::sleep(retry_in) => {}
                    () = wake.notified() => {}
                }
            }
            Err(error) => return Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_a_minute_with_jitter() {
        for attempt in 0..20 {
            let wait = backoff(attempt).as_millis() as f64;
            let base = (1_000u64 << attempt.min(6)).min(60_000) as f64;
            assert!(
                wait >= base * 0.8 - 1.0 && wait <= base * 1.2 + 1.0,
                "{attempt}: {wait}"
            );
        }
        let waits: std::collections::BTreeSet<u128> =
            (0..20).map(|_| backoff(3).as_millis()).collect();
        assert!(waits.len() > 1, "jitter varies the wait");
    }
}

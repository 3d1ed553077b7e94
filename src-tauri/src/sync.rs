//! Team sync in the desktop: a background loop that syncs while signed in to a server
//! (`plumbline_core::sync::engine` does the work), and what the top bar's sync indicator
//! shows: last sync, pending and refused operations, errors, decisions a teammate's
//! concurrent decision superseded, a first sync's progress (with Cancel), Sync now.
//!
//! Everything works without a server: the loop only reads and writes through the same
//! store as every other command, and a failure is a state the indicator shows, retried
//! with backoff when it may pass.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use plumbline_core::keychain::Keychain;
use plumbline_core::store::{RejectedOp, Store};
use plumbline_core::sync::engine::{self, Cancel, SyncError, SyncOptions};
use serde::Serialize;
use specta::Type;
use tauri::State;
use tokio::sync::Notify;

use crate::error::CommandError;
use crate::state::AppState;

/// What sync is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum SyncPhase {
    /// Not signed in to a server: nothing to show.
    Off,
    /// Synced; waiting for news.
    Idle,
    Syncing,
    /// The server cannot be reached: work goes on here, and is pushed later.
    Offline,
    /// Sync stopped on a problem someone must fix (see the error).
    Error,
    /// The first sync was cancelled; Sync now resumes it.
    Paused,
}

/// A round's progress (a first sync's snapshots, pushes, pulls, derivations).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgressView {
    /// snapshot, push, pull or derive.
    pub phase: String,
    pub done: u32,
    pub total: u32,
}

/// The sync indicator's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncView {
    pub phase: SyncPhase,
    /// The server's address, when signed in.
    pub server: Option<String>,
    /// RFC 3339: the last sync that ended well.
    pub last_sync_at: Option<String>,
    /// Changes made here the server does not have yet.
    pub pending: u32,
    /// Changes the server refused (kept, with the reason: see the list).
    pub rejected: u32,
    /// What went wrong, and what to do.
    pub error: Option<String>,
    /// The next try, in seconds, while offline.
    pub retry_in_seconds: Option<u32>,
    pub first_sync: bool,
    pub progress: Option<SyncProgressView>,
    /// Changes from teammates applied by the last round.
    pub last_received: u32,
    /// Decisions superseded by a teammate's concurrent decision in the last 30 days.
    pub superseded: u32,
}

/// A refused change, for the rejected list.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RejectedView {
    pub kind: String,
    pub tenant: Option<String>,
    pub reason: String,
    pub message: String,
    pub created_at: String,
}

impl From<RejectedOp> for RejectedView {
    fn from(op: RejectedOp) -> Self {
        Self {
            kind: op.kind,
            tenant: op.tenant_name.or(op.tenant_id),
            reason: op.reason,
            message: op.message,
            created_at: op.created_at,
        }
    }
}

/// What the loop knows that the database does not.
#[derive(Debug, Default)]
struct Live {
    phase: Option<SyncPhase>,
    error: Option<String>,
    retry_in: Option<Duration>,
    first_sync: bool,
    progress: Option<SyncProgressView>,
    last_received: u32,
}

/// The background sync of the app's workspace.
#[derive(Debug, Default)]
pub struct SyncService {
    live: Mutex<Live>,
    wake: Notify,
    round: Mutex<Option<Cancel>>,
    running: AtomicBool,
    paused: AtomicBool,
}

impl SyncService {
    fn update(&self, change: impl FnOnce(&mut Live)) {
        if let Ok(mut live) = self.live.lock() {
            change(&mut live);
        }
    }

    /// Starts the loop (once): it syncs while the workspace is signed in.
    pub fn start(self: &Arc<Self>, store: Store, keychain: Arc<dyn Keychain>) {
        if self.running.swap(true, Ordering::SeqCst) {
            self.wake.notify_one();
            return;
        }
        let service = Arc::clone(self);
        tauri::async_runtime::spawn(async move {
            service.run(store, keychain).await;
        });
    }

    /// Syncs now (and resumes a paused first sync).
    pub fn sync_now(&self) {
        self.paused.store(false, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// A local change was made: push it soon.
    pub fn changed(&self) {
        self.wake.notify_one();
    }

    /// Cancels the round under way (a first sync pauses until Sync now).
    pub fn cancel(&self) {
        if let Ok(round) = self.round.lock() {
            if let Some(cancel) = round.as_ref() {
                cancel.cancel();
            }
        }
    }

    async fn signed_in(store: &Store, keychain: &dyn Keychain) -> bool {
        let Ok(Some(stored)) = store.server_connection().await else {
            return false;
        };
        let account = stored
            .keychain_account
            .clone()
            .unwrap_or_else(|| plumbline_core::sync::connection::token_account(store.workspace()));
        matches!(keychain.get(&account), Ok(Some(_)))
    }

    async fn run(self: Arc<Self>, store: Store, keychain: Arc<dyn Keychain>) {
        let options = SyncOptions::default();
        let mut attempt = 0u32;
        loop {
            if !Self::signed_in(&store, keychain.as_ref()).await {
                self.update(|live| *live = Live::default());
                let _ = tokio::time::timeout(Duration::from_secs(30), self.wake.notified()).await;
                continue;
            }
            if self.paused.load(Ordering::SeqCst) {
                self.update(|live| live.phase = Some(SyncPhase::Paused));
                self.wake.notified().await;
                continue;
            }
            let first = store
                .sync_state()
                .await
                .map(|s| s.epoch.is_none() || s.first_sync_up_to.is_some())
                .unwrap_or(false);
            let cancel = Cancel::default();
            if let Ok(mut round) = self.round.lock() {
                *round = Some(cancel.clone());
            }
            self.update(|live| {
                live.phase = Some(SyncPhase::Syncing);
                live.first_sync = first;
                live.progress = None;
            });
            let service = Arc::clone(&self);
            let mut progress = move |p: engine::SyncProgress| {
                service.update(|live| {
                    live.progress = Some(SyncProgressView {
                        phase: p.phase.to_owned(),
                        done: p.done.min(u64::from(u32::MAX)) as u32,
                        total: p.total.min(u64::from(u32::MAX)) as u32,
                    })
                });
            };
            let result =
                engine::sync_once(&store, keychain.as_ref(), &options, &cancel, &mut progress)
                    .await;
            if let Ok(mut round) = self.round.lock() {
                *round = None;
            }
            match result {
                Ok(report) => {
                    attempt = 0;
                    self.update(|live| {
                        live.phase = Some(SyncPhase::Idle);
                        live.error = None;
                        live.retry_in = None;
                        live.first_sync = false;
                        live.progress = None;
                        live.last_received = report.applied.min(u32::MAX as usize) as u32;
                    });
                    tokio::select! {
                        news = engine::wait_for_news(&store, keychain.as_ref(), &options, engine::LIVE_WAIT_SECONDS) => {
                            if news.is_err() {
                                tokio::time::sleep(Duration::from_secs(1)).await;
                            }
                        }
                        () = self.wake.notified() => {}
                    }
                }
                Err(SyncError::Cancelled) => {
                    self.paused.store(true, Ordering::SeqCst);
                    self.update(|live| {
                        live.phase = Some(SyncPhase::Paused);
                        live.progress = None;
                    });
                }
                Err(error) if error.is_retryable() => {
                    let wait = engine::backoff(attempt);
                    attempt = attempt.saturating_add(1);
                    let message = error.to_string();
                    self.update(|live| {
                        live.phase = Some(SyncPhase::Offline);
                        live.error = Some(message);
                        live.retry_in = Some(wait);
                        live.progress = None;
                    });
                    let _ = tokio::time::timeout(wait, self.wake.notified()).await;
                }
                Err(error) => {
                    let message = error.to_string();
                    self.update(|live| {
                        live.phase = Some(SyncPhase::Error);
                        live.error = Some(message);
                        live.retry_in = None;
                        live.progress = None;
                    });
                    let _ =
                        tokio::time::timeout(Duration::from_secs(60), self.wake.notified()).await;
                }
            }
        }
    }

    /// The indicator's view: the loop's state and the database's counts.
    pub async fn view(
        &self,
        store: &Store,
        keychain: &dyn Keychain,
    ) -> Result<SyncView, CommandError> {
        let signed_in = Self::signed_in(store, keychain).await;
        let state = store.sync_state().await?;
        let server = store.server_connection().await?.map(|c| c.url);
        let superseded = store.recently_superseded(30).await?;
        let live = self
            .live
            .lock()
            .map(|l| {
                (
                    l.phase,
                    l.error.clone(),
                    l.retry_in,
                    l.first_sync,
                    l.progress.clone(),
                    l.last_received,
                )
            })
            .unwrap_or_default();
        let (phase, error, retry_in, first_sync, progress, last_received) = live;
        let phase = if signed_in {
            phase.unwrap_or(SyncPhase::Idle)
        } else {
            SyncPhase::Off
        };
        Ok(SyncView {
            phase,
            server: signed_in.then_some(server).flatten(),
            last_sync_at: state.last_sync_at,
            pending: state.pending.clamp(0, i64::from(u32::MAX)) as u32,
            rejected: state.rejected.clamp(0, i64::from(u32::MAX)) as u32,
            error: error.or(if phase == SyncPhase::Idle {
                None
            } else {
                state.last_error
            }),
            retry_in_seconds: retry_in.map(|d| d.as_secs().max(1).min(u64::from(u32::MAX)) as u32),
            first_sync,
            progress,
            last_received,
            superseded: superseded.clamp(0, i64::from(u32::MAX)) as u32,
        })
    }
}

/// The sync indicator's state.
#[tauri::command]
#[specta::specta]
pub async fn sync_status(state: State<'_, AppState>) -> Result<SyncView, CommandError> {
    let store = state.store()?;
    state.sync().view(store, state.keychain().as_ref()).await
}

/// Syncs now (starting the background sync if it is not running; resuming a paused one).
#[tauri::command]
#[specta::specta]
pub async fn sync_now(state: State<'_, AppState>) -> Result<SyncView, CommandError> {
    let store = state.store()?;
    state.sync().start(store.clone(), state.keychain());
    state.sync().sync_now();
    state.sync().view(store, state.keychain().as_ref()).await
}

/// Cancels the sync under way (a first sync pauses until Sync now).
#[tauri::command]
#[specta::specta]
pub async fn cancel_sync(state: State<'_, AppState>) -> Result<SyncView, CommandError> {
    let store = state.store()?;
    state.sync().cancel();
    state.sync().view(store, state.keychain().as_ref()).await
}

/// Changes the server refused, newest first.
#[tauri::command]
#[specta::specta]
pub async fn rejected_changes(
    state: State<'_, AppState>,
) -> Result<Vec<RejectedView>, CommandError> {
    let store = state.store()?;
    Ok(store
        .rejected_operations()
        .await?
        .into_iter()
        .map(RejectedView::from)
        .collect())
}

//! What the app holds while it runs: the open store (or why it could not open), the
//! background jobs, notifications and the keychain.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use plumbline_core::keychain::Keychain;
use plumbline_core::store::{FindingsIndex, Store};
use tokio::sync::Mutex;

use crate::error::{CommandError, ErrorCode};
use crate::jobs::Jobs;
use crate::notify::{Messenger, Notifier};

/// The findings index and the database stamp it was built at.
pub type FindingsCache = Mutex<Option<(String, Arc<FindingsIndex>)>>;

/// Managed Tauri state.
pub struct AppState {
    store: Result<Store, CommandError>,
    db_path: PathBuf,
    demo_created_now: bool,
    findings: FindingsCache,
    jobs: Arc<Jobs>,
    messenger: Messenger,
    keychain: Arc<dyn Keychain>,
    /// When this process started (as near as `run` can tell), and how long after it the
    /// UI first showed data an operator can act on.
    started: std::time::Instant,
    interactive: std::sync::OnceLock<std::time::Duration>,
    /// The system's file and folder pickers, set when the app's window system starts.
    picker: std::sync::OnceLock<Arc<dyn crate::files::PathPicker>>,
    /// Team sync in the background.
    sync: Arc<crate::sync::SyncService>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("db_path", &self.db_path)
            .field("keychain", &self.keychain.describe())
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// The state with the given notification service and keychain (tests use their own).
    pub fn with_services(
        store: Result<Store, CommandError>,
        db_path: PathBuf,
        demo_created_now: bool,
        notifier: Arc<dyn Notifier>,
        keychain: Arc<dyn Keychain>,
    ) -> Self {
        let messenger = Messenger::new(notifier, store.as_ref().ok().cloned());
        Self {
            jobs: Jobs::new(Arc::new(messenger.clone())),
            store,
            db_path,
            demo_created_now,
            findings: Mutex::new(None),
            messenger,
            keychain,
            started: std::time::Instant::now(),
            interactive: std::sync::OnceLock::new(),
            picker: std::sync::OnceLock::new(),
            sync: Arc::default(),
        }
    }

    /// Team sync in the background.
    pub fn sync(&self) -> &Arc<crate::sync::SyncService> {
        &self.sync
    }

    /// Starts background sync (it waits while the workspace is not signed in).
    pub fn start_sync(&self) {
        if let Ok(store) = self.store.as_ref() {
            self.sync.start(store.clone(), self.keychain());
        }
    }

    /// Captures due tenants from Graph in the background (once a Graph app is set up),
    /// and escalates and delivers alerts.
    pub fn start_scheduled_captures(&self) {
        if let Ok(store) = self.store.as_ref() {
            crate::graph::start_scheduler(store.clone(), self.keychain());
            crate::alerts::start_delivery(store.clone(), self.keychain());
        }
    }

    /// Gives the commands the system's pickers (once; later calls change nothing).
    pub fn set_picker(&self, picker: Arc<dyn crate::files::PathPicker>) {
        // A second window system would bring the same pickers.
        let _ = self.picker.set(picker);
    }

    /// The system's pickers, when the app runs with a window system.
    pub fn picker(&self) -> Option<Arc<dyn crate::files::PathPicker>> {
        self.picker.get().cloned()
    }

    /// Counts startup from `started` (the top of `run`) instead of this state's creation.
    pub fn started_at(mut self, started: std::time::Instant) -> Self {
        self.started = started;
        self
    }

    /// Records that the UI became interactive (the first time only); how long after start.
    pub fn mark_interactive(&self) -> std::time::Duration {
        *self.interactive.get_or_init(|| {
            let elapsed = self.started.elapsed();
            tracing::info!(
                ms = elapsed.as_millis() as u64,
                "interactive: the first page shows its data"
            );
            elapsed
        })
    }

    /// How long after start the UI became interactive, once it has.
    pub fn interactive_after(&self) -> Option<std::time::Duration> {
        self.interactive.get().copied()
    }

    /// Background jobs (reviews, imports, packs).
    pub fn jobs(&self) -> &Arc<Jobs> {
        &self.jobs
    }

    /// Desktop notifications, with the inbox as fallback.
    pub fn messenger(&self) -> &Messenger {
        &self.messenger
    }

    /// Where secrets live (the OS keychain in the app).
    pub fn keychain(&self) -> Arc<dyn Keychain> {
        Arc::clone(&self.keychain)
    }

    /// The findings table's in-memory index (see `plumbline_core::store::console`).
    pub fn findings_cache(&self) -> &FindingsCache {
        &self.findings
    }

    /// The store, or the error that kept it from opening (shown by the UI).
    pub fn store(&self) -> Result<&Store, CommandError> {
        self.store
            .as_ref()
            .map_err(|e| CommandError::new(e.code, e.message.clone()))
    }

    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// Where generated reports go by default: `reports` next to the database (in the
    /// per-user data directory).
    pub fn reports_dir(&self) -> PathBuf {
        self.data_dir().join("reports")
    }

    /// Where evidence packs and exported public keys go by default: `evidence` next to
    /// the database.
    pub fn evidence_dir(&self) -> PathBuf {
        self.data_dir().join("evidence")
    }

    /// The folder the database is in: the per-user data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.db_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| Path::new("."))
            .to_path_buf()
    }

    pub fn demo_created_now(&self) -> bool {
        self.demo_created_now
    }
}

impl From<anyhow::Error> for CommandError {
    fn from(error: anyhow::Error) -> Self {
        CommandError::new(ErrorCode::Internal, format!("{error:#}"))
    }
}

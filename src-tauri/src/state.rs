//! What the app holds while it runs: the open store (or why it could not open), and the
//! keychain secrets go to.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use plumbline_core::keychain::Keychain;
use plumbline_core::store::{FindingsIndex, Store};
use serde::Serialize;
use specta::Type;
use tokio::sync::Mutex;

use crate::error::{CommandError, ErrorCode};

/// A background review: running, or how the last one ended.
#[derive(Clone, Debug, Default, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReviewJob {
    pub running: bool,
    /// The one tenant reviewed; `None` for the whole portfolio (or no review yet).
    pub tenant_id: Option<String>,
    pub tenant: Option<String>,
    /// Tenants done of `total` (0 of 0 before the run knows its size).
    pub done: u32,
    pub total: u32,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// Tenants actually reviewed (the others had nothing new).
    pub reviewed: u32,
    pub opened: u32,
    pub resolved: u32,
    pub reopened: u32,
    pub error: Option<String>,
}

/// The findings index and the database stamp it was built at.
pub type FindingsCache = Mutex<Option<(String, Arc<FindingsIndex>)>>;

/// Managed Tauri state.
pub struct AppState {
    store: Result<Store, CommandError>,
    db_path: PathBuf,
    demo_created_now: bool,
    findings: FindingsCache,
    review: Arc<Mutex<ReviewJob>>,
    /// The OS keychain in the app; an in-memory one in tests, so they never touch the
    /// machine's.
    keychain: Arc<dyn Keychain>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store)
            .field("db_path", &self.db_path)
            .field("demo_created_now", &self.demo_created_now)
            .field("keychain", &self.keychain.describe())
            .finish_non_exhaustive()
    }
}

impl AppState {
    pub fn new(
        store: Result<Store, CommandError>,
        db_path: PathBuf,
        demo_created_now: bool,
        keychain: Arc<dyn Keychain>,
    ) -> Self {
        Self {
            store,
            db_path,
            demo_created_now,
            findings: Mutex::new(None),
            review: Arc::new(Mutex::new(ReviewJob::default())),
            keychain,
        }
    }

    /// Where secrets go (Graph client secrets, the evidence-signing key).
    pub fn keychain(&self) -> &dyn Keychain {
        self.keychain.as_ref()
    }

    /// The findings table's in-memory index (see `plumbline_core::store::console`).
    pub fn findings_cache(&self) -> &FindingsCache {
        &self.findings
    }

    /// The background review, shared with the task that runs it.
    pub fn review_job(&self) -> Arc<Mutex<ReviewJob>> {
        Arc::clone(&self.review)
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

    /// The folder the database is in: the per-user data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.db_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| Path::new("."))
            .to_path_buf()
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

    pub fn demo_created_now(&self) -> bool {
        self.demo_created_now
    }
}

impl From<anyhow::Error> for CommandError {
    fn from(error: anyhow::Error) -> Self {
        CommandError::new(ErrorCode::Internal, format!("{error:#}"))
    }
}

//! What the app holds while it runs: the open store (or why it could not open).

use std::path::{Path, PathBuf};
use std::sync::Arc;

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
#[derive(Debug)]
pub struct AppState {
    store: Result<Store, CommandError>,
    db_path: PathBuf,
    demo_created_now: bool,
    findings: FindingsCache,
    review: Arc<Mutex<ReviewJob>>,
}

impl AppState {
    pub fn new(
        store: Result<Store, CommandError>,
        db_path: PathBuf,
        demo_created_now: bool,
    ) -> Self {
        Self {
            store,
            db_path,
            demo_created_now,
            findings: Mutex::new(None),
            review: Arc::new(Mutex::new(ReviewJob::default())),
        }
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

    /// Where generated reports go by default: `reports` next to the database (in the
    /// per-user data directory).
    pub fn reports_dir(&self) -> PathBuf {
        self.db_path
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .join("reports")
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

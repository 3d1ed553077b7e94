//! What the app holds while it runs: the open store (or why it could not open).

use std::path::{Path, PathBuf};

use plumbline_core::store::Store;

use crate::error::{CommandError, ErrorCode};

/// Managed Tauri state.
#[derive(Debug)]
pub struct AppState {
    store: Result<Store, CommandError>,
    db_path: PathBuf,
    demo_created_now: bool,
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
        }
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

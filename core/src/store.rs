//! The local SQLite database.
//!
//! Invariants:
//! - WAL mode, foreign keys on, migrations from `migrations/local/` embedded in the binary.
//! - A database written by a newer Plumbline is refused with [`StoreError::NewerSchema`]
//!   before anything touches it.
//! - Every write goes through this API inside one `BEGIN IMMEDIATE` transaction that also
//!   appends its audit event: a capture is stored whole or not at all, and two writers
//!   (the app and the CLI) never interleave inside one change.
//! - Times are stored as UTC RFC 3339 text with millisecond precision ([`timestamp`]).

mod alerts;
mod baseline_drafts;
mod baseline_views;
mod baselines;
mod blobs;
mod captures;
mod console;
mod definitions;
mod delivery;
mod derived;
mod evidence;
mod findings;
mod graph;
mod portfolio_view;
mod reporting;
mod server;
mod settings;
mod sync;
mod tenants;
mod write;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use crate::audit::Writer;
use crate::model::WorkspaceId;

pub use alerts::{AlertRow, AlertState, AlertView, Notice};
pub use baseline_views::{BaselineItemDetail, BaselineItemRow};
pub use baselines::{
    Assignment, BaselineAssignment, BaselineSummary, LoadedBaseline, NewBaselineItem,
    VersionSummary,
};
pub(crate) use blobs::decode_bytes;
pub use blobs::{blob_hash, canonical_bytes, ReceivedBlob};
pub use captures::{directory_fingerprint, CaptureWrite, ItemMeta, StoredItem};
pub use console::*;
pub use delivery::{
    delivery_id, destination_account, AttemptRecord, AttemptRow, DeliveryRow, DestinationRow,
    DueDelivery, EscalationReport, PolicyRow, DISABLE_AFTER,
};
pub use derived::DerivedWrite;
pub use evidence::{
    AuditFilter, EvidenceCapture, EvidenceItem, EvidencePackRow, EvidenceReview, NewEvidencePack,
    SigningKeyRow,
};
pub use findings::{FindingFilter, FindingRow, Supersession, TransitionRow};
pub use graph::{CaptureRun, CaptureRunWrite, FailedKind, GraphAppRecord, RunStatus, ScheduleRow};
pub use portfolio_view::{
    CategoryCounts, PortfolioCategory, PortfolioOverview, PortfolioTenant, TrendPoint,
};
pub use reporting::*;
pub use sync::{op_digest, Applied, OutboxOp, RejectedOp, SyncState, TenantDigest};
pub use write::{Clock, Origin, WriteTx, MAX_CLOCK_DRIFT};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/local");

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be created or opened.
    #[error("cannot open the database at {}: {source}; check that the folder exists and is writable", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
    /// The database was written by a newer Plumbline.
    #[error("the database at {} has schema version {found}, but this Plumbline knows only up to {known}: update Plumbline, or open another database with --db", path.display())]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    /// Applying the schema migrations failed.
    #[error("cannot update the database schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A query failed.
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    /// Something named by the caller does not exist.
    #[error("{what} not found: {name}")]
    NotFound { what: &'static str, name: String },
    /// The request conflicts with what is stored.
    #[error("{0}")]
    Conflict(String),
    /// The request itself is malformed (an empty name, a rule that cannot hold, a time
    /// in the past): the message says what to pass instead.
    #[error("{0}")]
    Invalid(String),
    /// Stored data could not be decoded (a damaged database or a bug).
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
}

impl StoreError {
    fn corrupt(what: impl std::fmt::Display) -> Self {
        Self::Corrupt(what.to_string())
    }
}

/// Formats a time the way the database stores it.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses a stored time.
pub fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::corrupt(format!("bad timestamp {text:?}: {e}")))
}

/// The local database and the identity writing to it.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    writer: Writer,
    path: Option<PathBuf>,
    /// The device's hybrid logical clock, shared by every clone of the store.
    clock: std::sync::Arc<write::Clock>,
}

impl Store {
    /// Opens (creating when absent) the database at `path`, refusing newer schemas and
    /// applying pending migrations.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Open {
                path: path.to_path_buf(),
                source: sqlx::Error::Io(e),
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            // A review reads every tenant's item list and some blobs: a 64 MiB page cache
            // per connection. (Memory-mapped reads measured no faster on the 1,000-tenant
            // benchmark, and count the mapped file as resident memory.)
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory")
            // The write-ahead log is copied into the database every 40 MiB of changes
            // rather than every 4 MiB (SQLite's default): a first sync writes far more
            // than 4 MiB per tenant, and copied the pages every tenant's snapshot touches
            // (and synced the file) once per tenant. The log file is cut back to 64 MiB.
            .pragma("wal_autocheckpoint", "10000")
            .pragma("journal_size_limit", "67108864");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            // A SQLite connection cannot go stale: pinging it (a round trip to its worker
            // thread) before every query only cost time.
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        Self::init(pool, Some(path.to_path_buf())).await
    }

    /// A private in-memory database (tests and dry runs).
    pub async fn open_in_memory() -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        // One connection: every connection to `:memory:` is its own database.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        Self::init(pool, None).await
    }

    async fn init(pool: SqlitePool, path: Option<PathBuf>) -> Result<Self, StoreError> {
        let known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        let has_table: bool = sqlx::query_scalar(
            "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_one(&pool)
        .await?;
        if has_table {
            let found: Option<i64> =
                sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                    .fetch_one(&pool)
                    .await?;
            if let Some(found) = found.filter(|f| *f > known) {
                return Err(StoreError::NewerSchema {
                    path: path.unwrap_or_else(|| PathBuf::from(":memory:")),
                    found,
                    known,
                });
            }
        }
        // Migrations run on one connection with foreign key enforcement off, as SQLite's
        // procedure for rebuilding a table requires; every foreign key is checked before
        // enforcement is back on.
        {
            let mut conn = pool.acquire().await?;
            sqlx::query("PRAGMA foreign_keys = OFF")
                .execute(&mut *conn)
                .await?;
            let migrated = MIGRATOR.run(&mut *conn).await;
            let broken: Vec<(String,)> =
                sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                    .fetch_all(&mut *conn)
                    .await?;
            sqlx::query("PRAGMA foreign_keys = ON")
                .execute(&mut *conn)
                .await?;
            migrated?;
            if let Some((table,)) = broken.first() {
                return Err(StoreError::corrupt(format!(
                    "after updating the schema, rows of {table} refer to rows that do not exist"
                )));
            }
        }
        let writer = Self::load_identity(&pool).await?;
        let clock = std::sync::Arc::new(write::Clock::new(&writer.device_id));
        let store = Self {
            pool,
            writer,
            path,
            clock,
        };
        store.restore_clock().await?;
        Ok(store)
    }

    /// Reads this database's device id and workspace, creating them on first open.
    async fn load_identity(pool: &SqlitePool) -> Result<Writer, StoreError> {
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        let device_id = match setting(&mut tx, "device_id").await? {
            Some(id) => id,
            None => {
                let id = uuid::Uuid::now_v7().to_string();
                put_setting(&mut tx, "device_id", &id).await?;
                id
            }
        };
        let workspace = match setting(&mut tx, "workspace_id").await? {
            Some(id) => WorkspaceId::from_str(&id).map_err(StoreError::corrupt)?,
            None => {
                let id = WorkspaceId::new();
                sqlx::query("INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)")
                    .bind(id.to_string())
                    .bind("My workspace")
                    .bind(timestamp(Utc::now()))
                    .execute(&mut *tx)
                    .await?;
                put_setting(&mut tx, "workspace_id", &id.to_string()).await?;
                id
            }
        };
        // Signed in to a server, a person is named as the server knows them (the same on
        // every device of the team); otherwise by the operating system's user name.
        let signed_in: Option<String> = sqlx::query_scalar(
            "SELECT user_email FROM server_connections
             WHERE workspace_id = ? AND status IN ('connected', 'failed') AND user_email <> ''",
        )
        .bind(workspace.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Writer {
            device_id,
            actor: signed_in.unwrap_or_else(current_actor),
            workspace,
        })
    }

    /// The schema version of the open database.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// The database file, or `None` for an in-memory database.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The workspace this database writes to.
    pub fn workspace(&self) -> WorkspaceId {
        self.writer.workspace
    }

    /// Who writes: used on every audit event.
    pub fn writer(&self) -> &Writer {
        &self.writer
    }

    /// Sets the actor recorded on audit events (defaults to the OS user name).
    pub fn with_actor(mut self, actor: impl Into<String>) -> Self {
        self.writer.actor = actor.into();
        self
    }

    /// The connection pool, for read-only queries of other modules of this crate.
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Counts the audit events (all devices).
    pub async fn audit_event_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Folds the write-ahead log into the database file, so that copying the file alone
    /// copies the whole database.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Closes the pool, checkpointing the WAL.
    pub async fn close(self) {
        self.pool.close().await;
    }
}

async fn setting(
    conn: &mut sqlx::SqliteConnection,
    key: &str,
) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query("SELECT value FROM local_settings WHERE key = ?")
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?
            .map(|row| row.try_get::<String, _>(0))
            .transpose()?,
    )
}

async fn put_setting(
    conn: &mut sqlx::SqliteConnection,
    key: &str,
    value: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO local_settings (key, value) VALUES (?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn current_actor() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "local".to_owned())
}

#[cfg(test)]
mod tests;

//! The server's database: Postgres for production, SQLite for evaluation and small
//! installs, behind one type.
//!
//! Invariants:
//! - Every query is written once, with `$1`-style placeholders that both engines accept,
//!   and runs on either pool through [`on_pool!`]; the only per-engine text is the schema
//!   (`migrations/server/postgres/`, `migrations/server/sqlite/`).
//! - Ids and times go through [`DbId`] and [`DbTime`]: native `UUID` and `TIMESTAMPTZ` in
//!   Postgres, text in SQLite (times as fixed-width UTC RFC 3339 with milliseconds, so
//!   text order is time order and range queries work the same on both).
//! - Migrations run at every connect; a database written by a newer server is refused.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{
    PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgSslMode, PgTypeInfo, PgValueRef,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous, SqliteTypeInfo, SqliteValueRef,
};
use sqlx::{Connection, Decode, Encode, Postgres, Sqlite, Type};
use uuid::Uuid;

use crate::config::{DatabaseSettings, SslMode};

static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/server/postgres");
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/server/sqlite");

/// Runs `$body` with `$pool` bound to whichever pool `$database` holds. The body is
/// compiled once per engine, so it must only use types both engines encode and decode
/// (strings, integers, [`DbId`], [`DbTime`], and `Option`s of them).
macro_rules! on_pool {
    ($database:expr, $pool:ident => $body:expr) => {
        match $database {
            $crate::database::Database::Postgres($pool) => $body,
            $crate::database::Database::Sqlite($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Why the database could not be opened or prepared.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    /// The `--database` value is neither a Postgres nor a SQLite URL.
    #[error("unsupported database URL {0:?}: use postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, sqlite://PATH or sqlite::memory:")]
    BadUrl(String),
    /// Connecting failed (server down, wrong credentials, unwritable SQLite folder, a
    /// certificate that does not verify).
    #[error("cannot open the database {url}{hint}")]
    Connect {
        /// The URL with any password replaced by `***`.
        url: String,
        /// What to check, for the failures that have a usual cause; else empty.
        hint: &'static str,
        #[source]
        source: sqlx::Error,
    },
    /// A database setting cannot be used as given.
    #[error("{0}")]
    Config(String),
    /// The database holds migrations this server does not know.
    #[error("the database has schema version {0}, which this plumbline-server does not know: it was written by a newer server; update plumbline-server")]
    NewerSchema(i64),
    /// Applying the schema migrations failed.
    #[error("cannot update the database schema")]
    Migrate(#[source] MigrateError),
}

/// A connection pool to one of the two engines.
#[derive(Clone, Debug)]
pub enum Database {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

impl Database {
    /// Opens the database at `url` with the default pool settings (creating a SQLite
    /// file if missing) and brings its schema up to date.
    pub async fn open(url: &str) -> Result<Self, DatabaseError> {
        Self::open_with(&DatabaseSettings::for_url(url)).await
    }

    /// Opens the database `settings` name (creating a SQLite file if missing) and brings
    /// its schema up to date. On Postgres, several servers starting together take turns
    /// (sqlx holds an advisory lock while it migrates): each migration runs once.
    pub async fn open_with(settings: &DatabaseSettings) -> Result<Self, DatabaseError> {
        let url = settings
            .url
            .as_deref()
            .ok_or_else(|| DatabaseError::Config("no database URL given".to_owned()))?;
        let connect = |source: sqlx::Error| DatabaseError::Connect {
            url: redact(url),
            hint: hint(&source),
            source,
        };
        // One connection first, outside the pool: the pool retries a refused connection
        // until its timeout and then reports only the timeout, not why.
        let database = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let mut options = PgConnectOptions::from_str(url).map_err(connect)?;
            if let Some(password) = &settings.password {
                options = options.password(password);
            }
            if let Some(mode) = settings.ssl_mode {
                options = options.ssl_mode(match mode {
                    SslMode::Disable => PgSslMode::Disable,
                    SslMode::Prefer => PgSslMode::Prefer,
                    SslMode::Require => PgSslMode::Require,
                    SslMode::VerifyCa => PgSslMode::VerifyCa,
                    SslMode::VerifyFull => PgSslMode::VerifyFull,
                });
            }
            if let Some(root) = &settings.ssl_root_cert {
                if !root.is_file() {
                    return Err(DatabaseError::Config(format!(
                        "database.ssl_root_cert names {}, which is not a readable file: give the PEM file of the CA that signed the Postgres server's certificate",
                        root.display()
                    )));
                }
                options = options.ssl_root_cert(root);
            }
            PgConnection::connect_with(&options)
                .await
                .map_err(connect)?
                .close()
                .await
                .map_err(connect)?;
            let pool = PgPoolOptions::new()
                .max_connections(settings.max_connections)
                .min_connections(settings.min_connections)
                // A database that does not answer makes /readyz fail fast instead of
                // hanging the load balancer's probe.
                .acquire_timeout(settings.acquire_timeout)
                .connect_with(options)
                .await
                .map_err(connect)?;
            Database::Postgres(pool)
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(connect)?
                .create_if_missing(true)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let pool = if in_memory {
                // One connection that never closes: the database lives as long as it.
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .connect_with(options)
                    .await
            } else {
                let options = options
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal);
                SqliteConnection::connect_with(&options)
                    .await
                    .map_err(connect)?
                    .close()
                    .await
                    .map_err(connect)?;
                // SQLite has one writer: more than a few connections only wait on it.
                SqlitePoolOptions::new()
                    .max_connections(settings.max_connections.min(8))
                    .min_connections(settings.min_connections.min(8))
                    .acquire_timeout(settings.acquire_timeout)
                    .connect_with(options)
                    .await
            }
            .map_err(connect)?;
            Database::Sqlite(pool)
        } else {
            return Err(DatabaseError::BadUrl(redact(url)));
        };
        database.migrate().await?;
        Ok(database)
    }

    async fn migrate(&self) -> Result<(), DatabaseError> {
        let result = match self {
            Database::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
            Database::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
        };
        result.map_err(|error| match error {
            MigrateError::VersionMissing(version) => DatabaseError::NewerSchema(version),
            other => DatabaseError::Migrate(other),
        })
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
    }

    /// Whether every migration this server knows is applied (a second instance may still
    /// be migrating, or the database was restored from an older backup).
    pub async fn schema_current(&self) -> Result<bool, sqlx::Error> {
        let (migrator, applied): (&Migrator, Option<i64>) = match self {
            Database::Postgres(pool) => (
                &POSTGRES_MIGRATIONS,
                sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                    .fetch_one(pool)
                    .await?,
            ),
            Database::Sqlite(pool) => (
                &SQLITE_MIGRATIONS,
                sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                    .fetch_one(pool)
                    .await?,
            ),
        };
        let latest = migrator.iter().map(|m| m.version).max();
        Ok(applied >= latest)
    }

    /// The pool's connections now.
    pub fn pool_state(&self) -> crate::metrics::PoolState {
        on_pool!(self, pool => crate::metrics::PoolState {
            open: pool.size(),
            idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
            max: pool.options().get_max_connections(),
        })
    }

    /// Waits for the pool's connections to finish and closes them.
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }

    /// `postgres` or `sqlite`, for logs.
    pub fn engine(&self) -> &'static str {
        match self {
            Database::Postgres(_) => "postgres",
            Database::Sqlite(_) => "sqlite",
        }
    }
}

/// What to check when connecting failed with `error`, as a suffix of the message.
fn hint(error: &sqlx::Error) -> &'static str {
    let text = error.to_string().to_ascii_lowercase();
    if text.contains("certificate")
        || text.contains("unknownissuer")
        || text.contains("notvalidforname")
    {
        " (the Postgres server's TLS certificate was not accepted: set database.ssl_root_cert to the CA that signed it, and connect by a host name the certificate names)"
    } else if text.contains("password authentication failed") {
        " (wrong user or password: check the URL's user and database.password)"
    } else {
        ""
    }
}

/// `url` with the password (between `user:` and `@`) replaced by `***`, for messages
/// and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    match rest[..at].split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***{}", &rest[at..]),
        None => url.to_owned(),
    }
}

/// An id: UUIDv7, `UUID` in Postgres and hyphenated text in SQLite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DbId(pub Uuid);

impl DbId {
    /// A new time-ordered id.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for DbId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for DbId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Type<Postgres> for DbId {
    fn type_info() -> PgTypeInfo {
        <Uuid as Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for DbId {
    fn encode_by_ref(
        &self,
        buf: &mut <Postgres as sqlx::Database>::ArgumentBuffer<'_>,
    ) -> Result<IsNull, BoxDynError> {
        <Uuid as Encode<Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for DbId {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        <Uuid as Decode<Postgres>>::decode(value).map(Self)
    }
}

impl Type<Sqlite> for DbId {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <String as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for DbId {
    fn encode_by_ref(
        &self,
        buf: &mut <Sqlite as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError> {
        <String as Encode<Sqlite>>::encode(self.0.hyphenated().to_string(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for DbId {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        Ok(Self(Uuid::parse_str(text)?))
    }
}

/// A time: `TIMESTAMPTZ` in Postgres, `2026-01-31T09:30:00.000Z` text in SQLite. Kept to
/// millisecond precision so a value reads back equal from either engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DbTime(pub DateTime<Utc>);

impl DbTime {
    pub fn now() -> Self {
        Self::from(Utc::now())
    }

    /// RFC 3339 with milliseconds, for the API.
    pub fn rfc3339(self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

impl From<DateTime<Utc>> for DbTime {
    fn from(at: DateTime<Utc>) -> Self {
        Self(at.trunc_subsecs(3))
    }
}

impl Type<Postgres> for DbTime {
    fn type_info() -> PgTypeInfo {
        <DateTime<Utc> as Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for DbTime {
    fn encode_by_ref(
        &self,
        buf: &mut <Postgres as sqlx::Database>::ArgumentBuffer<'_>,
    ) -> Result<IsNull, BoxDynError> {
        <DateTime<Utc> as Encode<Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for DbTime {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        <DateTime<Utc> as Decode<Postgres>>::decode(value).map(Self)
    }
}

impl Type<Sqlite> for DbTime {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <String as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for DbTime {
    fn encode_by_ref(
        &self,
        buf: &mut <Sqlite as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError> {
        <String as Encode<Sqlite>>::encode(self.rfc3339(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for DbTime {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        Ok(Self(
            DateTime::parse_from_rfc3339(text)?.with_timezone(&Utc),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(
            redact("postgres://app:s3cret@db.example:5432/plumbline"),
            "postgres://app:***@db.example:5432/plumbline"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(redact("sqlite:///var/lib/x.db"), "sqlite:///var/lib/x.db");
        // An '@' in the path is not a user name.
        assert_eq!(redact("sqlite:///tmp/a@b.db"), "sqlite:///tmp/a@b.db");
    }

    #[test]
    fn sqlite_times_sort_as_text_in_time_order() {
        let parse = |text: &str| {
            DbTime::from(
                DateTime::parse_from_rfc3339(text)
                    .expect("a valid time")
                    .with_timezone(&Utc),
            )
        };
        let earlier = parse("2026-01-31T09:30:00.5Z");
        let later = parse("2026-01-31T09:30:01.0004Z");
        assert_eq!(earlier.rfc3339(), "2026-01-31T09:30:00.500Z");
        assert_eq!(later.rfc3339(), "2026-01-31T09:30:01.000Z");
        assert!(earlier.rfc3339() < later.rfc3339());
    }
}

//! The real things the tests drive: a fresh database on each engine, the
//! `plumbline-server` binary as a process on a free loopback port, and its
//! administration subcommands.

use std::process::Stdio;
use std::time::Duration;

use plumbline_server::Database;
use serde_json::Value;
use sqlx::{Connection, Executor, PgConnection};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

const BINARY: &str = env!("CARGO_BIN_EXE_plumbline-server");
const POSTGRES_ENV: &str = "PLUMBLINE_TEST_POSTGRES";
const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";
pub const PASSWORD: &str = "correct horse battery staple";

/// A database of its own for one test, removed afterwards.
pub struct Backend {
    pub url: String,
    /// Postgres: the server URL to drop the test database through, and its name.
    postgres: Option<(String, String)>,
    _folder: Option<tempfile::TempDir>,
}

impl Backend {
    /// A new, empty Postgres database on the test server (PLUMBLINE_TEST_POSTGRES).
    pub async fn postgres() -> Self {
        let admin = std::env::var(POSTGRES_ENV).unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned());
        let mut connection = match tokio::time::timeout(
            Duration::from_secs(10),
            PgConnection::connect(&admin),
        )
        .await
        {
            Ok(Ok(connection)) => connection,
            Ok(Err(error)) => panic!("{}", unreachable_postgres(&admin, &error.to_string())),
            Err(_) => panic!("{}", unreachable_postgres(&admin, "no answer within 10 s")),
        };
        let name = format!("plumbline_test_{}", uuid::Uuid::now_v7().simple());
        connection
            .execute(format!("CREATE DATABASE \"{name}\"").as_str())
            .await
            .unwrap_or_else(|error| {
                panic!("cannot create a test database on {admin}: {error}; the user needs CREATEDB")
            });
        connection.close().await.ok();
        Self {
            url: with_database(&admin, &name),
            postgres: Some((admin, name)),
            _folder: None,
        }
    }

    /// A new SQLite file in a temporary folder.
    pub fn sqlite() -> Self {
        let folder = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}", folder.path().join("server.db").display());
        Self {
            url,
            postgres: None,
            _folder: Some(folder),
        }
    }

    /// The test's own connection to the database (migrated).
    pub async fn database(&self) -> Database {
        Database::open(&self.url)
            .await
            .expect("open the test database")
    }

    /// Starts a server on this database.
    pub async fn serve(&self) -> Server {
        Server::start(&self.url).await
    }

    /// Runs `plumbline-server ARGS --database URL` with the given password in the
    /// environment and text on standard input.
    pub async fn cli(&self, args: &[&str], password: Option<&str>, stdin: &str) -> Cli {
        let mut command = Command::new(BINARY);
        command
            .args(args)
            .args(["--database", &self.url])
            .env_remove("PLUMBLINE_SERVER_PASSWORD")
            .env_remove("PLUMBLINE_SERVER_DATABASE")
            .env("RUST_LOG", "error")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(password) = password {
            command.env("PLUMBLINE_SERVER_PASSWORD", password);
        }
        let mut child = command.spawn().expect("start plumbline-server");
        let mut input = child.stdin.take().expect("stdin");
        input
            .write_all(stdin.as_bytes())
            .await
            .expect("write stdin");
        drop(input);
        let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("plumbline-server finishes within 60 s")
            .expect("plumbline-server runs");
        Cli {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// `user add` with the test password, expecting success.
    pub async fn add_user(&self, email: &str, workspace: &str, role: &str) {
        let cli = self
            .cli(
                &[
                    "user",
                    "add",
                    "--email",
                    email,
                    "--name",
                    "Test Person",
                    "--workspace",
                    workspace,
                    "--role",
                    role,
                ],
                Some(PASSWORD),
                "",
            )
            .await;
        cli.assert_success();
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        let Some((admin, name)) = self.postgres.take() else {
            return;
        };
        // Drop may run inside the test's runtime, which cannot block on itself.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut connection = PgConnection::connect(&admin).await?;
                connection
                    .execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
                    .await?;
                connection.close().await?;
                Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
            })
        })
        .join();
        if let Ok(Err(error)) = dropped {
            eprintln!("warning: cannot drop a test database: {error}");
        }
    }
}

fn unreachable_postgres(url: &str, error: &str) -> String {
    format!(
        "the server tests need a PostgreSQL server, and {url} does not answer ({error}). \
         Start one with `scripts/postgres.sh` (it installs and starts Debian's PostgreSQL with a \
         `test` database on 127.0.0.1:5432), or point {POSTGRES_ENV} at a server where this \
         user may CREATE DATABASE."
    )
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let (scheme, rest) = base.split_once("://").expect("a postgres:// URL");
    let authority = rest
        .split_once('/')
        .map_or(rest, |(authority, _)| authority);
    match query {
        Some(query) => format!("{scheme}://{authority}/{name}?{query}"),
        None => format!("{scheme}://{authority}/{name}"),
    }
}

/// What a `plumbline-server` subcommand did.
#[derive(Debug)]
pub struct Cli {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Cli {
    pub fn assert_success(&self) {
        assert_eq!(self.code, Some(0), "plumbline-server failed: {self:#?}");
    }
}

/// A running `plumbline-server serve`, killed when dropped.
pub struct Server {
    pub base: String,
    /// Held so that the process is killed when the test ends.
    _child: Child,
    http: reqwest::Client,
}

impl Server {
    async fn start(url: &str) -> Self {
        let mut child = Command::new(BINARY)
            .args(["serve", "--database", url, "--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "error")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start plumbline-server serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("plumbline-server prints its address within 60 s")
            .expect("read plumbline-server's output");
        let Some(line) = line else {
            let status = child.wait().await;
            panic!("plumbline-server serve stopped before listening: {status:?}");
        };
        let base = line
            .strip_prefix("plumbline-server listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        assert!(
            !base.ends_with(":0"),
            "the line shows the real port: {base}"
        );
        // Keep reading so that the server never writes into a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            base,
            _child: child,
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// POSTs a sign-in and returns the status, the Retry-After header and the body.
    pub async fn sign_in(&self, email: &str, password: &str, device: &str) -> Answer {
        let response = self
            .http
            .post(self.url("/api/v1/auth/sign-in"))
            .json(&serde_json::json!({
                "email": email,
                "password": password,
                "device_name": device,
            }))
            .send()
            .await
            .expect("sign-in request");
        Answer::read(response).await
    }

    /// Signs in with the test password, expecting success; returns the token.
    pub async fn token(&self, email: &str, device: &str) -> String {
        let answer = self.sign_in(email, PASSWORD, device).await;
        assert_eq!(answer.status, 200, "{answer:#?}");
        answer.body["token"].as_str().expect("a token").to_owned()
    }

    /// GET /api/v1/me with `token`.
    pub async fn me(&self, token: &str) -> Answer {
        let response = self
            .http
            .get(self.url("/api/v1/me"))
            .bearer_auth(token)
            .send()
            .await
            .expect("me request");
        Answer::read(response).await
    }
}

/// An HTTP answer: status, Retry-After, Cache-Control, body as JSON (`Value::Null` when empty or not
/// JSON), and the raw text.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub cache_control: Option<String>,
    pub body: Value,
    pub text: String,
}

impl Answer {
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|value| value.to_str().expect("ASCII header").to_owned())
        };
        let retry_after = header("retry-after");
        let cache_control = header("cache-control");
        let text = response.text().await.expect("response body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self {
            status,
            retry_after,
            cache_control,
            body,
            text,
        }
    }

    /// Asserts an `ApiError` answer with `status` and `code`; returns its message.
    pub fn assert_error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status, status, "{self:#?}");
        let error: plumbline_wire::ApiError = serde_json::from_value(self.body.clone())
            .unwrap_or_else(|error| panic!("not an ApiError ({error}): {self:#?}"));
        assert_eq!(error.error.code, code, "{self:#?}");
        assert!(!error.error.message.is_empty());
        error.error.message
    }
}

/// Runs a query that answers one integer, on either engine.
pub async fn count(database: &Database, sql: &str, text: &str) -> i64 {
    let result = match database {
        Database::Postgres(pool) => sqlx::query_scalar(sql).bind(text).fetch_one(pool).await,
        Database::Sqlite(pool) => sqlx::query_scalar(sql).bind(text).fetch_one(pool).await,
    };
    result.unwrap_or_else(|error| panic!("{sql}: {error}"))
}

/// The number of audit rows with `action`.
pub async fn audit_rows(database: &Database, action: &str) -> i64 {
    count(
        database,
        "SELECT count(*) FROM server_audit WHERE action = $1",
        action,
    )
    .await
}

/// Records a schema migration this server does not know, as a newer server would.
pub async fn record_future_migration(database: &Database) {
    let sql =
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
               VALUES (9999, 'from the future', TRUE, {checksum}, 0)";
    let result = match database {
        Database::Postgres(pool) => sqlx::query(&sql.replace("{checksum}", "decode('00', 'hex')"))
            .execute(pool)
            .await
            .map(|_| ()),
        Database::Sqlite(pool) => sqlx::query(&sql.replace("{checksum}", "X'00'"))
            .execute(pool)
            .await
            .map(|_| ()),
    };
    result.expect("record a future migration");
}

/// Moves every failed sign-in `minutes` into the past, as if that time had passed.
pub async fn age_failed_sign_ins(database: &Database, minutes: u32) {
    let result = match database {
        Database::Postgres(pool) => {
            sqlx::query(&format!(
                "UPDATE server_audit SET at = at - interval '{minutes} minutes' \
                 WHERE action = 'sign_in_failed'"
            ))
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        }
        Database::Sqlite(pool) => {
            sqlx::query(&format!(
                "UPDATE server_audit SET at = strftime('%Y-%m-%dT%H:%M:%fZ', at, '-{minutes} minutes') \
                 WHERE action = 'sign_in_failed'"
            ))
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        }
    };
    assert!(result.expect("age the failed sign-ins") > 0);
}

/// Every table's rows as text, one line per row, `table: row`: what someone reading
/// the database (a backup, a replica) would see.
pub async fn every_table_as_text(database: &Database) -> String {
    let mut text = String::new();
    match database {
        Database::Postgres(pool) => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1",
            )
            .fetch_all(pool)
            .await
            .expect("list tables");
            assert!(tables.len() >= 6, "{tables:?}");
            for table in tables {
                let rows: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT t::text FROM \"{table}\" t"))
                        .fetch_all(pool)
                        .await
                        .expect("read a table");
                for row in rows {
                    text.push_str(&format!("{table}: {row}\n"));
                }
            }
        }
        Database::Sqlite(pool) => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1",
            )
            .fetch_all(pool)
            .await
            .expect("list tables");
            assert!(tables.len() >= 6, "{tables:?}");
            for table in tables {
                let columns: Vec<String> =
                    sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
                        .bind(&table)
                        .fetch_all(pool)
                        .await
                        .expect("list columns");
                let row = columns
                    .iter()
                    .map(|column| {
                        format!(
                            "CASE typeof(\"{column}\") WHEN 'null' THEN 'NULL' \
                             WHEN 'blob' THEN hex(\"{column}\") \
                             ELSE CAST(\"{column}\" AS TEXT) END"
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" || ',' || ");
                let rows: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT {row} FROM \"{table}\""))
                        .fetch_all(pool)
                        .await
                        .expect("read a table");
                for row in rows {
                    text.push_str(&format!("{table}: {row}\n"));
                }
            }
        }
    }
    text
}

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
            .env("PLUMBLINE_SERVER_LOG", "error")
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
        let server = match serve_with(&["--database", url, "--listen", "127.0.0.1:0"], &[]).await {
            Serve::Listening(server) => server,
            Serve::Exited(cli) => {
                panic!("plumbline-server serve stopped before listening: {cli:#?}")
            }
        };
        assert!(
            server.base.starts_with("http://127.0.0.1:"),
            "{}",
            server.base
        );
        assert!(
            !server.base.ends_with(":0"),
            "the line shows the real port: {}",
            server.base
        );
        server
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

/// A private PostgreSQL cluster for one test that accepts TLS connections only: its own
/// folder, port and certificates (made here with the `openssl` command), stopped and
/// removed when dropped, even when the test panics.
///
/// The server certificate is signed by [`TlsPostgres::ca`]; [`TlsPostgres::other_ca`] is a
/// second, unrelated CA that signed nothing here. `pg_hba.conf` rejects every connection
/// without TLS (`hostnossl … reject`) and trusts TLS ones from 127.0.0.1, so a connection
/// that works is a TLS one.
pub struct TlsPostgres {
    pub port: u16,
    /// The CA that signed the server's certificate (PEM).
    pub ca: std::path::PathBuf,
    /// A CA that signed nothing the cluster shows (PEM).
    pub other_ca: std::path::PathBuf,
    /// The postmaster, a child of the test; `None` until started and after stopping.
    postmaster: Option<std::process::Child>,
    log: std::path::PathBuf,
    /// Dropped after the postmaster has stopped (the field order of `Drop` does not matter:
    /// `drop` stops it first).
    _folder: tempfile::TempDir,
}

/// The names the cluster's server certificate is valid for.
#[derive(Clone, Copy, Debug)]
pub enum CertificateNames {
    /// DNS `localhost` and IP 127.0.0.1.
    LocalhostAndLoopbackIp,
    /// DNS `localhost` only: connecting to 127.0.0.1 is a name mismatch.
    LocalhostOnly,
}

/// The OS user a cluster runs as when the tests run as root (initdb refuses root).
const POSTGRES_USER: &str = "postgres";
/// How long a private cluster may take to accept connections, and to stop.
const CLUSTER_START: Duration = Duration::from_secs(60);
const CLUSTER_STOP: Duration = Duration::from_secs(10);

impl TlsPostgres {
    /// Makes the certificates, runs initdb and starts the cluster (blocking work, done on a
    /// blocking thread).
    pub async fn start(names: CertificateNames) -> Self {
        tokio::task::spawn_blocking(move || Self::start_blocking(names))
            .await
            .unwrap_or_else(|error| std::panic::resume_unwind(error.into_panic()))
    }

    /// `postgres://postgres@HOST:PORT/postgres?QUERY`.
    pub fn url(&self, host: &str, query: &str) -> String {
        let port = self.port;
        if query.is_empty() {
            format!("postgres://postgres@{host}:{port}/postgres")
        } else {
            format!("postgres://postgres@{host}:{port}/postgres?{query}")
        }
    }

    /// The cluster's log so far, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn start_blocking(names: CertificateNames) -> Self {
        use std::os::unix::fs::PermissionsExt;
        use std::os::unix::process::CommandExt;

        let bin = postgres_binaries();
        // initdb and postgres refuse to run as root: then they run as `postgres`.
        let owner = running_as_root().then(postgres_user_ids);
        // As root, in /tmp: the `postgres` user must reach it (a root TMPDIR may be private).
        let parent = if owner.is_some() {
            std::path::PathBuf::from("/tmp")
        } else {
            std::env::temp_dir()
        };
        let folder = tempfile::Builder::new()
            .prefix("plumbline-tls-postgres-")
            .tempdir_in(parent)
            .expect("temporary folder");
        let dir = folder.path().to_path_buf();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
            .expect("chmod the cluster folder");

        make_certificates(&dir, names);
        let data = dir.join("data");
        let log = dir.join("postgres.log");
        if let Some((uid, gid)) = owner {
            for name in ["", "server.pem", "server.key"] {
                std::os::unix::fs::chown(dir.join(name), Some(uid), Some(gid))
                    .unwrap_or_else(|error| panic!("chown {name} to {POSTGRES_USER}: {error}"));
            }
        }
        std::fs::set_permissions(
            dir.join("server.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .expect("chmod the server key");

        let as_owner = |program: &str| {
            let mut command = std::process::Command::new(bin.join(program));
            command
                .current_dir(&dir)
                .env_remove("PGDATA")
                .env_remove("PGHOST")
                .env_remove("PGPORT");
            if let Some((uid, gid)) = owner {
                command.uid(uid).gid(gid);
            }
            command
        };
        let output = as_owner("initdb")
            .arg("--pgdata")
            .arg(&data)
            .args([
                "--username=postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ])
            .output()
            .unwrap_or_else(|error| panic!("run {}/initdb: {error}", bin.display()));
        assert!(
            output.status.success(),
            "initdb failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );

        // Only TLS from loopback: a connection without TLS is turned away by name.
        std::fs::write(
            data.join("pg_hba.conf"),
            "hostnossl all all all reject\nhostssl all all 127.0.0.1/32 trust\n",
        )
        .expect("write pg_hba.conf");
        let settings = format!(
            "\n# plumbline TLS test (the port is given on the command line)\n\
             listen_addresses = '127.0.0.1'\n\
             unix_socket_directories = '{dir}'\n\
             ssl = on\n\
             ssl_cert_file = '{dir}/server.pem'\n\
             ssl_key_file = '{dir}/server.key'\n\
             fsync = off\n\
             max_connections = 50\n\
             shared_buffers = 16MB\n",
            dir = dir.display()
        );
        let mut conf = std::fs::OpenOptions::new()
            .append(true)
            .open(data.join("postgresql.conf"))
            .expect("open postgresql.conf");
        std::io::Write::write_all(&mut conf, settings.as_bytes()).expect("write postgresql.conf");
        drop(conf);

        let mut cluster = Self {
            port: 0,
            ca: dir.join("ca.pem"),
            other_ca: dir.join("other-ca.pem"),
            postmaster: None,
            log: log.clone(),
            _folder: folder,
        };
        // A free port may be taken by someone else before the postmaster binds it: then
        // another one, a few times.
        for attempt in 1..=3 {
            cluster.port = free_port();
            let log_file = std::fs::File::create(&log).expect("create the cluster log");
            let postmaster = as_owner("postgres")
                .arg("-D")
                .arg(&data)
                .args(["-p", &cluster.port.to_string()])
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().expect("log file"))
                .stderr(log_file)
                .spawn()
                .unwrap_or_else(|error| panic!("start {}/postgres: {error}", bin.display()));
            // From here on, a panic stops the postmaster through Drop.
            cluster.postmaster = Some(postmaster);
            match cluster.wait_until_ready(&data.join("postmaster.pid")) {
                Ok(()) => return cluster,
                Err(log) if attempt < 3 && log.contains("could not bind") => continue,
                Err(log) => panic!("the private PostgreSQL stopped while starting:\n{log}"),
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    /// Waits for the postmaster to say "ready" in postmaster.pid (its eighth line); its
    /// exit status and log if it stops first; panics after CLUSTER_START.
    fn wait_until_ready(&mut self, pid_file: &std::path::Path) -> Result<(), String> {
        let started = std::time::Instant::now();
        loop {
            let ready = std::fs::read_to_string(pid_file)
                .map(|text| text.lines().nth(7).map(str::trim) == Some("ready"))
                .unwrap_or(false);
            if ready {
                return Ok(());
            }
            let postmaster = self.postmaster.as_mut().expect("started");
            if let Ok(Some(status)) = postmaster.try_wait() {
                self.postmaster = None;
                return Err(format!("({status})\n{}", self.log()));
            }
            assert!(
                started.elapsed() < CLUSTER_START,
                "the private PostgreSQL did not accept connections within {CLUSTER_START:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for TlsPostgres {
    fn drop(&mut self) {
        let Some(mut postmaster) = self.postmaster.take() else {
            return;
        };
        // SIGINT is Postgres's fast shutdown (SIGTERM would wait for clients to leave);
        // `sh`'s own `kill` needs no extra package.
        let _ = std::process::Command::new("sh")
            .args(["-c", &format!("kill -INT {}", postmaster.id())])
            .stderr(Stdio::null())
            .status();
        let asked = std::time::Instant::now();
        while asked.elapsed() < CLUSTER_STOP {
            match postmaster.try_wait() {
                Ok(Some(_)) | Err(_) => return,
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        eprintln!(
            "warning: the private PostgreSQL ignored SIGINT for {CLUSTER_STOP:?}; killing it"
        );
        let _ = postmaster.kill();
        let _ = postmaster.wait();
    }
}

/// The newest PostgreSQL server binaries Debian's packages installed.
fn postgres_binaries() -> std::path::PathBuf {
    let mut found: Vec<(u32, std::path::PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("postgres").is_file())
                .then_some((version, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "the TLS tests start a private PostgreSQL and need its server binaries \
             (initdb, postgres) in /usr/lib/postgresql/VERSION/bin, and there are none: \
             install Debian's `postgresql` package (`scripts/postgres.sh` does)"
        ),
    }
}

fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(0)
        == 0
}

/// The uid and gid of the `postgres` OS user.
fn postgres_user_ids() -> (u32, u32) {
    let id = |flag: &str| -> u32 {
        let output = std::process::Command::new("id")
            .args([flag, POSTGRES_USER])
            .output()
            .expect("run id");
        assert!(
            output.status.success(),
            "running as root, the TLS tests start PostgreSQL as the OS user \
             `{POSTGRES_USER}`, which does not exist: install Debian's `postgresql` package \
             (`scripts/postgres.sh` does)"
        );
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .expect("a numeric id")
    };
    (id("-u"), id("-g"))
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Writes into `dir`: ca.pem (with ca.key), server.pem and server.key signed by it for
/// `names`, and other-ca.pem, an unrelated CA. EC P-256 keys: quick to make.
fn make_certificates(dir: &std::path::Path, names: CertificateNames) {
    let alt_names = match names {
        CertificateNames::LocalhostAndLoopbackIp => "DNS:localhost, IP:127.0.0.1",
        CertificateNames::LocalhostOnly => "DNS:localhost",
    };
    std::fs::write(
        dir.join("openssl.cnf"),
        format!(
            "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = unused\n\
             [ca]\nbasicConstraints = critical, CA:TRUE\n\
             keyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\n\
             [server]\nbasicConstraints = critical, CA:FALSE\n\
             keyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\n\
             subjectAltName = {alt_names}\nsubjectKeyIdentifier = hash\n\
             authorityKeyIdentifier = keyid\n"
        ),
    )
    .expect("write openssl.cnf");
    let openssl = |args: &[&str]| {
        let output = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap_or_else(|error| {
                panic!("the TLS tests make certificates with the `openssl` command: {error}")
            });
        assert!(
            output.status.success(),
            "openssl {args:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let new_key = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-noenc",
    ];
    for (name, subject) in [
        ("ca", "/CN=Plumbline test CA"),
        ("other-ca", "/CN=Plumbline unrelated test CA"),
    ] {
        let (key, cert) = (format!("{name}.key"), format!("{name}.pem"));
        let mut args = vec!["req", "-x509", "-new", "-config", "openssl.cnf"];
        args.extend(["-extensions", "ca", "-days", "2", "-subj", subject]);
        args.extend(new_key);
        args.extend(["-keyout", &key, "-out", &cert]);
        openssl(&args);
    }
    let mut args = vec![
        "req",
        "-new",
        "-config",
        "openssl.cnf",
        "-subj",
        "/CN=localhost",
    ];
    args.extend(new_key);
    args.extend(["-keyout", "server.key", "-out", "server.csr"]);
    openssl(&args);
    let serial = format!("0x{}", uuid::Uuid::now_v7().simple());
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-set_serial",
        &serial,
        "-days",
        "2",
        "-extfile",
        "openssl.cnf",
        "-extensions",
        "server",
        "-out",
        "server.pem",
    ]);
}

/// What `plumbline-server serve` did: it listens, or it stopped first.
pub enum Serve {
    Listening(Server),
    Exited(Cli),
}

/// Starts `plumbline-server serve ARGS` with `env` added to an environment cleared of
/// every PLUMBLINE_SERVER_* variable (and logging errors only), and waits (at most 60 s) until it listens or stops.
pub async fn serve_with(args: &[&str], env: &[(&str, &str)]) -> Serve {
    let mut command = Command::new(BINARY);
    command.arg("serve").args(args);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PLUMBLINE_SERVER_") {
            command.env_remove(name);
        }
    }
    let mut child = command
        .env("PLUMBLINE_SERVER_LOG", "error")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start plumbline-server serve");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let stderr = child.stderr.take().expect("stderr");
    // Read standard error all along, so that the server never writes into a full pipe.
    let stderr = tokio::spawn(async move {
        let mut text = String::new();
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    let first = tokio::time::timeout(Duration::from_secs(60), stdout.next_line())
        .await
        .expect("plumbline-server serve listens or stops within 60 s")
        .expect("read plumbline-server's output");
    match first {
        Some(line) => {
            let base = line
                .strip_prefix("plumbline-server listening on ")
                .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
                .to_owned();
            tokio::spawn(async move { while let Ok(Some(_)) = stdout.next_line().await {} });
            Serve::Listening(Server {
                base,
                _child: child,
                http: reqwest::Client::new(),
            })
        }
        None => {
            let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
                .await
                .expect("plumbline-server exits within 30 s of closing its output")
                .expect("wait for plumbline-server");
            let stderr = tokio::time::timeout(Duration::from_secs(10), stderr)
                .await
                .expect("plumbline-server's standard error closes")
                .expect("read standard error");
            Serve::Exited(Cli {
                code: status.code(),
                stdout: String::new(),
                stderr,
            })
        }
    }
}

impl Backend {
    /// A backend on an existing database that the test owns (nothing is dropped after).
    pub fn existing(url: String) -> Self {
        Self {
            url,
            postgres: None,
            _folder: None,
        }
    }
}

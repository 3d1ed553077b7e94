//! A team on loopback: a real `plumbline-server` (on Postgres or SQLite) and devices that
//! are the real `plumbline` CLI, each with its own data directory — what the sync tests
//! drive. Everything started is stopped (by its pid) when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use anyhow::{bail, Context as _};
use serde_json::Value;
use sqlx::{Connection as _, Executor as _};

use crate::driver::{cli_binary, server_binary, spawn_listening};

/// Passwords of the users the tests make.
pub const PASSWORD: &str = "correct horse battery staple";
const POSTGRES_ENV: &str = "PLUMBLINE_TEST_POSTGRES";
const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Which database the server keeps its state in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A `plumbline-server` process and its database (a Postgres database of its own, or a
/// SQLite file), removed when dropped.
pub struct Server {
    child: Option<Child>,
    pub url: String,
    pub database: String,
    port: u16,
    postgres: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Server {
    /// A server on a free loopback port with an empty database.
    pub async fn start(engine: Engine) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let (database, postgres) = match engine {
            Engine::Sqlite => (
                format!("sqlite://{}", dir.path().join("server.db").display()),
                None,
            ),
            Engine::Postgres => {
                let admin =
                    std::env::var(POSTGRES_ENV).unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned());
                let mut connection = tokio::time::timeout(
                    Duration::from_secs(10),
                    sqlx::PgConnection::connect(&admin),
                )
                .await
                .context("Postgres did not answer within 10 s")?
                .with_context(|| {
                    format!(
                        "the sync tests need PostgreSQL at {admin} (scripts/postgres.sh starts one; \
                         {POSTGRES_ENV} points elsewhere)"
                    )
                })?;
                let name = format!("plumbline_e2e_{}", uuid::Uuid::now_v7().simple());
                connection
                    .execute(format!("CREATE DATABASE \"{name}\"").as_str())
                    .await?;
                connection.close().await.ok();
                (with_database(&admin, &name), Some((admin, name)))
            }
        };
        let mut server = Self {
            child: None,
            url: String::new(),
            database,
            port: 0,
            postgres,
            _dir: dir,
        };
        server.serve(0)?;
        Ok(server)
    }

    /// Starts `plumbline-server serve` on this database and `port` (0: a free one).
    fn spawn_serve(&self, port: u16) -> anyhow::Result<(Child, String)> {
        let mut command = Command::new(server_binary()?);
        command
            .args(["serve", "--database", &self.database, "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .env("PLUMBLINE_SERVER_LOG", "warn");
        spawn_listening(
            command,
            "plumbline-server listening on ",
            Duration::from_secs(30),
        )
    }

    fn serve(&mut self, port: u16) -> anyhow::Result<()> {
        let (child, url) = self.spawn_serve(port)?;
        self.port = url
            .rsplit(':')
            .next()
            .and_then(|p| p.trim_end_matches('/').parse().ok())
            .context("a port in the address")?;
        self.url = url;
        self.child = Some(child);
        Ok(())
    }

    /// Kills the server with SIGKILL (a crash).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and database.
    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.kill();
        let port = self.port;
        // The port may take a moment to be free again.
        for _ in 0..50 {
            match self.serve(port) {
                Ok(()) => return Ok(()),
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
        self.serve(port)
    }

    /// The server process's id (none while it is killed).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Another `plumbline-server serve` on this server's database, on a free loopback
    /// port of its own: a second (third…) instance behind a load balancer. Drop it
    /// before the server (dropping the server drops a Postgres database).
    pub fn another_instance(&self) -> anyhow::Result<Instance> {
        let (child, url) = self.spawn_serve(0)?;
        Ok(Instance { child, url })
    }

    /// Runs an administration subcommand of `plumbline-server` on this database.
    pub fn admin(&self, args: &[&str]) -> anyhow::Result<String> {
        let mut command = Command::new(server_binary()?);
        command.args(&args[..2.min(args.len())]);
        command.args(["--database", &self.database]);
        command.args(&args[2.min(args.len())..]);
        let output = command
            .env("PLUMBLINE_SERVER_PASSWORD", PASSWORD)
            .stdin(Stdio::null())
            .output()?;
        if !output.status.success() {
            bail!(
                "plumbline-server {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Adds a user to the workspace `workspace` with a role (and, given, tenants).
    pub fn add_user(
        &self,
        email: &str,
        role: &str,
        workspace: &str,
        tenants: &[&str],
    ) -> anyhow::Result<()> {
        let name = email.split('@').next().unwrap_or(email);
        let mut args = vec![
            "user",
            "add",
            "--email",
            email,
            "--name",
            name,
            "--workspace",
            workspace,
            "--role",
            role,
        ];
        for tenant in tenants {
            args.push("--tenant");
            args.push(tenant);
        }
        self.admin(&args)?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        let Some((admin, name)) = self.postgres.take() else {
            return;
        };
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut connection = sqlx::PgConnection::connect(&admin).await?;
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

/// One more `plumbline-server serve` process on a [`Server`]'s database
/// ([`Server::another_instance`]), killed (by its pid) when dropped.
pub struct Instance {
    child: Child,
    pub url: String,
}

impl Instance {
    /// The process's id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let (scheme, rest) = base.split_once("://").unwrap_or(("postgres", base));
    let authority = rest.split_once('/').map_or(rest, |(a, _)| a);
    match query {
        Some(query) => format!("{scheme}://{authority}/{name}?{query}"),
        None => format!("{scheme}://{authority}/{name}"),
    }
}

/// A device: the `plumbline` CLI on a data directory of its own. Signed out (its token
/// removed from the keychain) when dropped.
pub struct Device {
    pub name: String,
    dir: tempfile::TempDir,
    connected: bool,
    /// The vault key file, when this device keeps its secrets in a sealed vault (a
    /// headless host) rather than the OS keychain.
    vault_key: Option<PathBuf>,
}

impl Device {
    pub fn new(name: &str) -> anyhow::Result<Self> {
        Ok(Self {
            name: name.to_owned(),
            dir: tempfile::tempdir()?,
            connected: false,
            vault_key: None,
        })
    }

    /// From now on this device keeps its secrets in a vault sealed with a fresh random
    /// key (as an agent's host does with its systemd credential); the key file's path.
    pub fn use_vault(&mut self) -> anyhow::Result<PathBuf> {
        use std::io::Read as _;
        let mut key = [0u8; 32];
        std::fs::File::open("/dev/urandom")?.read_exact(&mut key)?;
        let path = self.dir.path().join("vault-key");
        std::fs::write(&path, key)?;
        self.vault_key = Some(path.clone());
        Ok(path)
    }

    /// The sealed vault's file (present once a secret was stored in it).
    pub fn vault_file(&self) -> PathBuf {
        self.dir
            .path()
            .join(plumbline_core::keychain::vault::FILE_NAME)
    }

    /// The device's database file.
    pub fn database(&self) -> PathBuf {
        self.dir.path().join("plumbline.db")
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// A `plumbline` command on this device, not yet started.
    pub fn command(&self, args: &[&str]) -> anyhow::Result<Command> {
        let mut command = Command::new(cli_binary()?);
        command
            .args(args)
            .env("PLUMBLINE_DATA_DIR", self.dir.path())
            .env_remove("PLUMBLINE_DB")
            .env("PLUMBLINE_SERVER_PASSWORD", PASSWORD)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null());
        match &self.vault_key {
            Some(key) => command.env(plumbline_core::keychain::vault::KEY_FILE_ENV, key),
            None => command.env_remove(plumbline_core::keychain::vault::KEY_FILE_ENV),
        };
        Ok(command)
    }

    /// Runs `plumbline ARGS` to the end.
    pub fn run(&self, args: &[&str]) -> anyhow::Result<Output> {
        Ok(self.command(args)?.output()?)
    }

    /// Runs `plumbline ARGS`, which must succeed; its standard output.
    pub fn ok(&self, args: &[&str]) -> anyhow::Result<String> {
        let output = self.run(args)?;
        if !output.status.success() {
            bail!(
                "{}: plumbline {} exited with {:?}: {}{}",
                self.name,
                args.join(" "),
                output.status.code(),
                String::from_utf8_lossy(&output.stderr),
                String::from_utf8_lossy(&output.stdout)
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Runs `plumbline --json ARGS`, which must succeed; its JSON.
    pub fn json(&self, args: &[&str]) -> anyhow::Result<Value> {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let text = self.ok(&all)?;
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON: {text}", self.name))
    }

    /// Signs in to `server` as `email`.
    pub fn connect(&mut self, server: &Server, email: &str) -> anyhow::Result<()> {
        self.ok(&[
            "server",
            "connect",
            &server.url,
            "--email",
            email,
            "--device",
            &self.name,
        ])?;
        self.connected = true;
        Ok(())
    }

    /// One sync round; its report.
    pub fn sync(&self, extra: &[&str]) -> anyhow::Result<Value> {
        let mut args = vec!["sync", "--once"];
        args.extend_from_slice(extra);
        self.json(&args)
    }

    /// `sync verify --json`: per-tenant digests (must agree with the server's).
    pub fn verify(&self) -> anyhow::Result<Vec<Value>> {
        let value = self.json(&["sync", "verify"])?;
        Ok(value.as_array().cloned().unwrap_or_default())
    }

    /// `PRAGMA integrity_check` of the device's database.
    pub async fn integrity(&self) -> anyhow::Result<String> {
        let url = format!("sqlite://{}?mode=ro", self.database().display());
        let mut connection = sqlx::SqliteConnection::connect(&url).await?;
        let answer: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut connection)
            .await?;
        connection.close().await.ok();
        Ok(answer)
    }

    /// A query of the device's database (read-only), each row's first column as text.
    pub async fn query(&self, sql: &str) -> anyhow::Result<Vec<String>> {
        let url = format!("sqlite://{}?mode=ro", self.database().display());
        let mut connection = sqlx::SqliteConnection::connect(&url).await?;
        let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(&mut connection).await?;
        connection.close().await.ok();
        Ok(rows)
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        if self.connected {
            // Deletes the device token from the keychain (and revokes it when it can).
            let _ = self.run(&["server", "disconnect"]);
        }
    }
}

/// One tenant's (key, synced digest, derived digest, records) as `sync verify` says.
pub type Digest = (String, String, String, i64);

/// The digests of `verify` without the server's verdict, by tenant key: what two devices
/// must agree on.
pub fn digests(verify: &[Value]) -> Vec<Digest> {
    let mut out: Vec<Digest> = verify
        .iter()
        .map(|line| {
            (
                line["key"].as_str().unwrap_or_default().to_owned(),
                line["synced"].as_str().unwrap_or_default().to_owned(),
                line["derived"].as_str().unwrap_or_default().to_owned(),
                line["count"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

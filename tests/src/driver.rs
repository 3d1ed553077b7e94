//! Starting and stopping tauri-driver for one test.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// A running tauri-driver, stopped with SIGTERM on drop so that it stops its
/// WebKitWebDriver too (SIGKILL would orphan it on its port).
#[derive(Debug)]
pub struct Driver {
    child: Child,
    pub url: String,
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Driver {
    /// Starts tauri-driver on free ports with the given environment for the app.
    pub fn start(envs: &[(&str, &Path)]) -> anyhow::Result<Self> {
        let port = free_port()?;
        let native_port = free_port()?;
        let mut command = Command::new("tauri-driver");
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        // The tests read the English interface: a German desktop would otherwise make the
        // app (following the system's language) speak German.
        command
            .env("LANG", "C.UTF-8")
            .env("LC_ALL", "C.UTF-8")
            .env_remove("LANGUAGE");
        for (key, value) in envs {
            command.env(key, value);
        }
        let child = command
            .spawn()
            .context("cannot start tauri-driver: install it with `cargo install tauri-driver --locked` (scripts/install-deps.sh does)")?;
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(20) {
                bail!("tauri-driver did not listen on port {port} within 20 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(driver)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let stopped = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .is_ok_and(|s| s.success());
        if stopped {
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if matches!(self.child.try_wait(), Ok(Some(_))) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        // Last resort; nothing more can be done in drop if this fails.
        if self.child.kill().is_ok() {
            let _ = self.child.wait();
        }
    }
}

/// The built desktop binary, next to this test binary's `deps/` folder, or the one
/// `PLUMBLINE_DESKTOP_BINARY` names (when several checkouts share a target directory).
pub fn desktop_binary() -> anyhow::Result<PathBuf> {
    workspace_binary("plumbline-desktop", "PLUMBLINE_DESKTOP_BINARY")
}

/// The built `plumbline` CLI, found the same way (`PLUMBLINE_CLI_BINARY`).
pub fn cli_binary() -> anyhow::Result<PathBuf> {
    workspace_binary("plumbline", "PLUMBLINE_CLI_BINARY")
}

/// The built `plumbline-server`, found the same way (`PLUMBLINE_SERVER_BINARY`).
pub fn server_binary() -> anyhow::Result<PathBuf> {
    workspace_binary("plumbline-server", "PLUMBLINE_SERVER_BINARY")
}

/// The built `plumbline-fake-graph`, found the same way (`PLUMBLINE_FAKE_GRAPH_BINARY`).
pub fn fake_graph_binary() -> anyhow::Result<PathBuf> {
    workspace_binary("plumbline-fake-graph", "PLUMBLINE_FAKE_GRAPH_BINARY")
}

fn workspace_binary(name: &str, variable: &str) -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os(variable).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    // Tests run from `target/<profile>/deps/`, the bench commands from `target/<profile>/`.
    let exe = std::env::current_exe()?;
    let dir = exe.parent().context("test binary has no directory")?;
    let profile_dir = if dir.file_name().is_some_and(|n| n == "deps") {
        dir.parent()
            .context("test binary has no profile directory")?
    } else {
        dir
    };
    let binary = profile_dir.join(name);
    if !binary.exists() {
        bail!(
            "{} does not exist: run `cargo build --workspace` first",
            binary.display()
        );
    }
    Ok(binary)
}

/// The processes running `binary` now (matched by their executable).
pub fn processes_of(binary: &Path) -> Vec<u32> {
    let Ok(binary) = std::fs::canonicalize(binary) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == binary))
        .collect()
}

/// Waits until no process runs `binary` (an app still exiting from the previous test
/// makes WebKitWebDriver drop the next new-session request). Gives up after `timeout`.
pub async fn wait_until_gone(binary: &Path, timeout: Duration) {
    let started = Instant::now();
    while !processes_of(binary).is_empty() && started.elapsed() < timeout {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Starts `command` with its standard output piped and waits (at most `timeout`) for its
/// first line, which must be `prefix` followed by the address it listens on; the rest of
/// its output is drained so it never blocks on a full pipe. The child and the address;
/// the child is killed when it does not say where it listens.
pub fn spawn_listening(
    mut command: std::process::Command,
    prefix: &str,
    timeout: Duration,
) -> anyhow::Result<(Child, String)> {
    use std::io::BufRead as _;
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdout = child.stdout.take().context("piped stdout")?;
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = std::io::BufReader::new(stdout);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = sender.send(line);
        let mut sink = String::new();
        while reader.read_line(&mut sink).is_ok_and(|n| n > 0) {
            sink.clear();
        }
    });
    let line = receiver.recv_timeout(timeout).unwrap_or_default();
    match line.trim().strip_prefix(prefix) {
        Some(address) => Ok((child, address.trim().to_owned())),
        None => {
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "{} did not say where it listens within {timeout:?}",
                prefix.trim()
            );
        }
    }
}

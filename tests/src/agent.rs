//! `plumbline agent` as a process for the tests and benchmarks: started on a device's
//! data directory with its password and Graph secret in files (as a service manager
//! hands them over), its health file and log at hand, killed (by its pid) when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::Value;

use crate::team::{Device, Server, PASSWORD};

const SECRET_ENV: &str = plumbline_core::capture::GRAPH_SECRET_FILE_ENV;

/// A running `plumbline agent`, killed when dropped.
pub struct Agent {
    pub name: String,
    child: Child,
    health: PathBuf,
    log: PathBuf,
}

impl Agent {
    /// Starts `plumbline agent` on `device` as `email` (the test password), ticking every
    /// second with 5 s leases unless `extra` sets them, the Graph secret read from
    /// `secret`; `extra` arguments follow.
    pub fn start(
        device: &Device,
        server: &Server,
        email: &str,
        scratch: &Path,
        secret: &Path,
        extra: &[&str],
    ) -> anyhow::Result<Self> {
        let password = scratch.join(format!("{}-password", device.name));
        std::fs::write(&password, format!("{PASSWORD}\n"))?;
        let health = scratch.join(format!("{}-health.json", device.name));
        let log = scratch.join(format!("{}.log", device.name));
        let mut args = vec![
            "agent",
            "--server",
            &server.url,
            "--email",
            email,
            "--password-file",
            password.to_str().context("utf-8")?,
            "--name",
            &device.name,
            "--health-file",
            health.to_str().context("utf-8")?,
        ];
        // Quick rounds and short leases, unless `extra` says otherwise.
        for (flag, value) in [("--tick-seconds", "1"), ("--lease-seconds", "5")] {
            if !extra.contains(&flag) {
                args.extend([flag, value]);
            }
        }
        args.extend_from_slice(extra);
        let child = device
            .command(&args)?
            .env(SECRET_ENV, secret)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()?;
        Ok(Self {
            name: device.name.clone(),
            child,
            health,
            log,
        })
    }

    /// The health file's JSON (`Null` before the first round).
    pub fn health(&self) -> Value {
        std::fs::read_to_string(&self.health)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null)
    }

    /// Tenant ids being captured now.
    pub fn running(&self) -> Vec<String> {
        self.health()["captures_running"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What the agent logged so far (JSON lines).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, and wait for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM; the exit status within `bound`.
    pub fn stop(&mut self, bound: Duration) -> anyhow::Result<std::process::ExitStatus> {
        let pid = self.child.id().to_string();
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()?;
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            anyhow::ensure!(
                started.elapsed() < bound,
                "{} did not stop within {bound:?}",
                self.name
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        self.kill();
    }
}

//! The fake Microsoft Graph (`plumbline-fake-graph`) as a process on loopback, stopped by
//! its pid when dropped.

use std::io::BufRead as _;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context as _};
use serde_json::Value;

use crate::driver::fake_graph_binary;

pub use plumbline_fake_graph::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};

/// A running `plumbline-fake-graph`.
pub struct FakeGraphProcess {
    child: Child,
    pub url: String,
}

impl FakeGraphProcess {
    /// Starts the fake with `args` (see `plumbline-fake-graph --help`) on a free port.
    pub fn start(args: &[&str]) -> anyhow::Result<Self> {
        let mut child = Command::new(fake_graph_binary()?)
            .args(args)
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
        let line = receiver
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_default();
        let Some(url) = line
            .trim()
            .strip_prefix("plumbline-fake-graph listening on ")
            .map(str::to_owned)
        else {
            let _ = child.kill();
            let _ = child.wait();
            bail!("plumbline-fake-graph did not say where it listens within 60 s");
        };
        Ok(Self { child, url })
    }

    /// `GET /_fake/tenants`: the tenants served (Entra id, name, domain, policies).
    pub async fn tenants(&self) -> anyhow::Result<Vec<Value>> {
        let list: Vec<Value> = reqwest::get(format!("{}/_fake/tenants", self.url))
            .await?
            .json()
            .await?;
        Ok(list)
    }

    /// `GET /_fake/log`.
    pub async fn log(&self) -> anyhow::Result<Value> {
        Ok(reqwest::get(format!("{}/_fake/log", self.url))
            .await?
            .json()
            .await?)
    }
}

impl Drop for FakeGraphProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! The fake Microsoft Graph (`plumbline-fake-graph`) as a process on loopback, stopped by
//! its pid when dropped.

use std::process::{Child, Command};
use std::time::Duration;

use serde_json::Value;

use crate::driver::{fake_graph_binary, spawn_listening};

pub use plumbline_fake_graph::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};

/// A running `plumbline-fake-graph`.
pub struct FakeGraphProcess {
    child: Child,
    pub url: String,
}

impl FakeGraphProcess {
    /// Starts the fake with `args` (see `plumbline-fake-graph --help`) on a free port.
    pub fn start(args: &[&str]) -> anyhow::Result<Self> {
        let mut command = Command::new(fake_graph_binary()?);
        command.args(args);
        let (child, url) = spawn_listening(
            command,
            "plumbline-fake-graph listening on ",
            Duration::from_secs(60),
        )?;
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

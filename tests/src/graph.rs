//! The fake Microsoft Graph (`plumbline-fake-graph`) as a process on loopback, stopped by
//! its pid when dropped.

use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use plumbline_core::demo::DemoGenerator;
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
        Self::start_within(args, Duration::from_secs(60))
    }

    /// As [`Self::start`], waiting up to `bound` for it to listen (a thousand tenants
    /// take a while to generate).
    pub fn start_within(args: &[&str], bound: Duration) -> anyhow::Result<Self> {
        let mut command = Command::new(fake_graph_binary()?);
        command.args(args);
        let (child, url) = spawn_listening(command, "plumbline-fake-graph listening on ", bound)?;
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

/// Writes demo tenant `index`'s latest capture (of the generator with `seed`, as of
/// `anchor`: what the fake serves for it) as an export: one file per policy in its kind's
/// folder, directory objects as Graph pages. Returns each policy's kind and JSON.
pub fn write_export(
    dir: &Path,
    seed: u64,
    anchor: DateTime<Utc>,
    index: u32,
) -> anyhow::Result<Vec<(String, Value)>> {
    let generator = DemoGenerator::new(seed)?;
    let mut history = generator.tenant_history(index, anchor);
    let mut last = None;
    while let Some(capture) = history.history.next_capture() {
        last = Some(capture.content.clone());
    }
    let content = last.context("a demo tenant has captures")?;
    for (i, item) in content.items.iter().enumerate() {
        let folder = plumbline_core::kinds::by_key(&item.kind)
            .and_then(|k| k.folders.first().copied())
            .unwrap_or("Other");
        std::fs::create_dir_all(dir.join(folder))?;
        std::fs::write(
            dir.join(folder).join(format!("policy-{i:04}.json")),
            serde_json::to_vec_pretty(&item.raw)?,
        )?;
    }
    let groups: Vec<Value> = content
        .directory_objects
        .iter()
        .filter(|o| o.kind == plumbline_core::model::DirectoryObjectKind::Group)
        .map(|o| serde_json::json!({"id": o.external_id, "displayName": o.display_name}))
        .collect();
    std::fs::create_dir_all(dir.join("Groups"))?;
    std::fs::write(
        dir.join("Groups").join("groups.json"),
        serde_json::to_vec(&serde_json::json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups",
            "value": groups
        }))?,
    )?;
    Ok(content
        .items
        .iter()
        .map(|item| (item.kind.clone(), (*item.raw).clone()))
        .collect())
}

/// A device whose Graph app is `fake`'s, its client secret read from the file `secret` (as
/// a headless service gets it).
pub fn device_with_app(
    name: &str,
    fake: &FakeGraphProcess,
    secret: &Path,
) -> anyhow::Result<crate::team::Device> {
    let device = crate::team::Device::new(name)?;
    let output = device
        .command(&[
            "graph",
            "app",
            "--client-id",
            DEFAULT_CLIENT_ID,
            "--cloud",
            &fake.url,
        ])?
        .env(plumbline_core::capture::GRAPH_SECRET_FILE_ENV, secret)
        .output()?;
    anyhow::ensure!(
        output.status.success(),
        "graph app: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(device)
}

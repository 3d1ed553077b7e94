//! `plumbline agent` end to end: a real `plumbline-server` on loopback, the fake Graph as
//! a process, an admin's device driven through the CLI, and two agent processes with
//! their own data directories sharing the workspace's work through leases. Every due
//! tenant is captured exactly once; an agent killed (SIGKILL) in the middle of a capture
//! loses it to the other once its lease expires, and nothing it half did is anywhere.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use plumbline_e2e::graph::{FakeGraphProcess, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use plumbline_e2e::team::{Device, Engine, Server, PASSWORD};
use serde_json::Value;

const SECRET_ENV: &str = plumbline_core::capture::GRAPH_SECRET_FILE_ENV;
const WORKSPACE: &str = "MSP";

/// A running `plumbline agent`, killed when dropped.
struct Agent {
    name: String,
    child: Child,
    health: PathBuf,
    log: PathBuf,
}

impl Agent {
    fn start(
        device: &Device,
        server: &Server,
        scratch: &Path,
        secret: &Path,
    ) -> anyhow::Result<Self> {
        let password = scratch.join(format!("{}-password", device.name));
        std::fs::write(&password, format!("{PASSWORD}\n"))?;
        let health = scratch.join(format!("{}-health.json", device.name));
        let log = scratch.join(format!("{}.log", device.name));
        let child = device
            .command(&[
                "agent",
                "--server",
                &server.url,
                "--email",
                "agent@msp.example",
                "--password-file",
                password.to_str().context("utf-8")?,
                "--name",
                &device.name,
                "--tick-seconds",
                "1",
                "--lease-seconds",
                "5",
                "--health-file",
                health.to_str().context("utf-8")?,
            ])?
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

    fn health(&self) -> Value {
        std::fs::read_to_string(&self.health)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null)
    }

    fn running(&self) -> Vec<String> {
        self.health()["captures_running"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL, and wait for it.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM; the exit status within `bound`.
    fn stop(&mut self, bound: Duration) -> anyhow::Result<std::process::ExitStatus> {
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

/// A device with the fake's Graph app (its secret from a file, as a service gets it).
fn with_app(name: &str, fake: &FakeGraphProcess, secret: &Path) -> anyhow::Result<Device> {
    let device = Device::new(name)?;
    let output = device
        .command(&[
            "graph",
            "app",
            "--client-id",
            DEFAULT_CLIENT_ID,
            "--cloud",
            &fake.url,
        ])?
        .env(SECRET_ENV, secret)
        .output()?;
    anyhow::ensure!(
        output.status.success(),
        "graph app: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(device)
}

/// Graph captures per tenant name, as the admin's device sees them after a sync.
async fn captures(admin: &Device) -> anyhow::Result<BTreeMap<String, usize>> {
    admin.sync(&[])?;
    let rows = admin
        .query(
            "SELECT t.display_name || '|' || COUNT(c.id) FROM tenants t
             LEFT JOIN captures c ON c.tenant_id = t.id AND c.source = 'graph'
             GROUP BY t.id",
        )
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.rsplit_once('|'))
        .map(|(name, n)| (name.to_owned(), n.parse().unwrap_or(0)))
        .collect())
}

/// Waits (bounded) until `done` holds of the admin's view of the captures.
async fn wait_for(
    admin: &Device,
    bound: Duration,
    what: &str,
    done: impl Fn(&BTreeMap<String, usize>) -> bool,
    agents: &[&Agent],
) -> anyhow::Result<BTreeMap<String, usize>> {
    let started = Instant::now();
    loop {
        let seen = captures(admin).await?;
        if done(&seen) {
            return Ok(seen);
        }
        if started.elapsed() > bound {
            let logs: Vec<String> = agents
                .iter()
                .map(|a| format!("{}:\n{}", a.name, a.log()))
                .collect();
            anyhow::bail!(
                "{what}: not within {bound:?}; captures {seen:?}\n{}",
                logs.join("\n")
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_agents_capture_each_due_tenant_once_and_take_over_a_killed_ones_work(
) -> anyhow::Result<()> {
    let fake = FakeGraphProcess::start(&["--tenants", "7", "--latency-ms", "20"])?;
    let tenants = fake.tenants().await?;
    let scratch = tempfile::tempdir()?;
    let secret = scratch.path().join("graph-secret");
    std::fs::write(&secret, format!("{DEFAULT_CLIENT_SECRET}\n"))?;

    let server = Server::start(Engine::Sqlite).await?;
    server.add_user("admin@msp.example", "admin", WORKSPACE, &[])?;
    server.add_user("agent@msp.example", "operator", WORKSPACE, &[])?;
    let mut admin = with_app("admin", &fake, &secret)?;
    admin.connect(&server, "admin@msp.example")?;
    // Six tenants connected now, the seventh later.
    let entra = |i: usize| -> anyhow::Result<String> {
        Ok(tenants[i]["entra_tenant_id"]
            .as_str()
            .context("entra id")?
            .to_owned())
    };
    for i in 0..6 {
        admin.ok(&[
            "graph",
            "connect",
            &format!("T{i}"),
            "--entra-tenant-id",
            &entra(i)?,
            "--create",
        ])?;
    }
    admin.sync(&[])?;

    let first = with_app("agent-1", &fake, &secret)?;
    let second = with_app("agent-2", &fake, &secret)?;
    let mut one = Agent::start(&first, &server, scratch.path(), &secret)?;
    let mut two = Agent::start(&second, &server, scratch.path(), &secret)?;

    let seen = wait_for(
        &admin,
        Duration::from_secs(120),
        "every tenant captured",
        |seen| (0..6).all(|i| seen.get(&format!("T{i}")).copied().unwrap_or(0) >= 1),
        &[&one, &two],
    )
    .await?;
    // A few more rounds: nobody captures a tenant that is not due again.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let seen_later = captures(&admin).await?;
    for i in 0..6 {
        assert_eq!(
            seen_later[&format!("T{i}")],
            1,
            "T{i} once: {seen:?} then {seen_later:?}"
        );
    }
    let captured = |agent: &Agent| agent.health()["captured"].as_u64().unwrap_or(0);
    assert_eq!(
        captured(&one) + captured(&two),
        6,
        "{} / {}",
        one.log(),
        two.log()
    );

    // The seventh tenant is slow to read: the agent capturing it is killed mid-capture;
    // the other takes it over once the lease expires, and it is captured once.
    let slow = serde_json::json!({ "latency_ms": 1500 });
    let response = reqwest::Client::new()
        .put(format!(
            "{}/_fake/tenants/{}/behaviour",
            fake.url,
            entra(6)?
        ))
        .json(&slow)
        .send()
        .await?;
    assert!(response.status().is_success(), "{}", response.status());
    admin.ok(&[
        "graph",
        "connect",
        "T6",
        "--entra-tenant-id",
        &entra(6)?,
        "--create",
    ])?;
    admin.sync(&[])?;
    let t6: String = admin
        .query("SELECT id FROM tenants WHERE display_name = 'T6'")
        .await?
        .pop()
        .context("T6")?;
    let started = Instant::now();
    let holder = loop {
        if one.running().contains(&t6) {
            break 1;
        }
        if two.running().contains(&t6) {
            break 2;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(60),
            "no agent started T6:\n{}\n{}",
            one.log(),
            two.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let (killed, survivor) = if holder == 1 {
        (&mut one, &two)
    } else {
        (&mut two, &one)
    };
    // Let it get some way into the capture, then SIGKILL.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    killed.kill();
    let killed_name = killed.name.clone();
    let seen = wait_for(
        &admin,
        Duration::from_secs(120),
        "T6 captured by the surviving agent",
        |seen| seen.get("T6").copied().unwrap_or(0) >= 1,
        &[survivor],
    )
    .await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let seen_later = captures(&admin).await?;
    assert_eq!(seen_later["T6"], 1, "{seen:?} then {seen_later:?}");
    assert!(
        survivor.log().contains(&format!("\"tenant\":\"{t6}\"")),
        "{} captured T6 after {killed_name} died:\n{}",
        survivor.name,
        survivor.log()
    );
    // The survivor's log is JSON lines, its own and the engine's alike.
    let mut events = 0;
    for line in survivor.log().lines().filter(|l| !l.trim().is_empty()) {
        let value: Value =
            serde_json::from_str(line).with_context(|| format!("not JSON: {line}"))?;
        assert!(
            value["timestamp"].as_str().is_some() && value["level"].as_str().is_some(),
            "{line}"
        );
        events += usize::from(value["event"].as_str().is_some());
    }
    assert!(events >= 3, "{}", survivor.log());

    // SIGTERM: a graceful stop, exit 0, the device signed out on the server.
    let survivor = if holder == 1 { &mut two } else { &mut one };
    let status = survivor.stop(Duration::from_secs(60))?;
    assert!(status.success(), "{status:?}: {}", survivor.log());
    assert_eq!(survivor.health()["status"], "stopped");
    assert!(survivor.log().contains("\"event\":\"stopped\""));
    Ok(())
}

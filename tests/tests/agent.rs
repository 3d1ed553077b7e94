//! `plumbline agent` end to end: a real `plumbline-server` on loopback, the fake Graph as
//! a process, an admin's device driven through the CLI, and two agent processes with
//! their own data directories sharing the workspace's work through leases. Every due
//! tenant is captured exactly once; an agent killed (SIGKILL) in the middle of a capture
//! loses it to the other once its lease expires, and nothing it half did is anywhere.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use plumbline_e2e::agent::Agent;
use plumbline_e2e::graph::{
    device_with_app, write_export, FakeGraphProcess, DEFAULT_CLIENT_SECRET,
};
use plumbline_e2e::receiver::{Mode, Receiver};
use plumbline_e2e::team::{Device, Engine, Server};
use serde_json::Value;

const WORKSPACE: &str = "MSP";

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
    let mut admin = device_with_app("admin", &fake, &secret)?;
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

    let first = device_with_app("agent-1", &fake, &secret)?;
    let second = device_with_app("agent-2", &fake, &secret)?;
    let mut one = Agent::start(
        &first,
        &server,
        "agent@msp.example",
        scratch.path(),
        &secret,
        &[],
    )?;
    let mut two = Agent::start(
        &second,
        &server,
        "agent@msp.example",
        scratch.path(),
        &secret,
        &[],
    )?;

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

const SEED: u64 = 20_261_201;
const ANCHOR: &str = "2026-11-30T12:00:00Z";
const RULE: &str = "New critical or high findings";

/// One tenant, Contoso, with its golden master (the tenant as exported) assigned and never
/// read from Graph; a server with an admin, an agent account and an operator; a webhook
/// receiver.
struct Alerting {
    fake: FakeGraphProcess,
    scratch: tempfile::TempDir,
    secret: std::path::PathBuf,
    receiver: Receiver,
    server: Server,
    _admin: Device,
    entra: String,
    /// A compliance policy of the tenant that requires BitLocker.
    policy_id: String,
}

impl Alerting {
    async fn setup() -> anyhow::Result<Self> {
        let fake = FakeGraphProcess::start(&[
            "--tenants",
            "1",
            "--seed",
            &SEED.to_string(),
            "--anchor",
            ANCHOR,
        ])?;
        let entra = fake.tenants().await?[0]["entra_tenant_id"]
            .as_str()
            .context("entra id")?
            .to_owned();
        let scratch = tempfile::tempdir()?;
        let secret = scratch.path().join("graph-secret");
        std::fs::write(&secret, format!("{DEFAULT_CLIENT_SECRET}\n"))?;
        let receiver = Receiver::start().await?;
        let server = Server::start(Engine::Sqlite).await?;
        server.add_user("admin@msp.example", "admin", WORKSPACE, &[])?;
        server.add_user("agent@msp.example", "operator", WORKSPACE, &[])?;
        server.add_user("ops@msp.example", "operator", WORKSPACE, &[])?;
        let mut admin = device_with_app("admin", &fake, &secret)?;
        admin.connect(&server, "admin@msp.example")?;
        let export = scratch.path().join("export");
        let items = write_export(&export, SEED, ANCHOR.parse()?, 0)?;
        admin.ok(&[
            "graph",
            "connect",
            "Contoso",
            "--entra-tenant-id",
            &entra,
            "--create",
        ])?;
        admin.ok(&[
            "baseline",
            "create",
            "--name",
            "Gold",
            "--from-dir",
            export.to_str().context("utf-8")?,
            "--publish",
        ])?;
        admin.ok(&["baseline", "assign", "Gold", "--tenant", "Contoso"])?;
        admin.sync(&[])?;
        let (_, policy) = items
            .iter()
            .find(|(kind, raw)| kind == "compliance_policy" && raw["bitLockerEnabled"] == true)
            .context("a compliance policy requiring BitLocker")?;
        let policy_id = policy["id"].as_str().context("policy id")?.to_owned();
        Ok(Self {
            fake,
            scratch,
            secret,
            receiver,
            server,
            _admin: admin,
            entra,
            policy_id,
        })
    }

    /// In the tenant, someone turns BitLocker off in the compliance policy.
    async fn turn_bitlocker_off(&self) -> anyhow::Result<()> {
        let patched = reqwest::Client::new()
            .patch(format!(
                "{}/_fake/tenants/{}/policies/{}",
                self.fake.url, self.entra, self.policy_id
            ))
            .json(&serde_json::json!({ "bitLockerEnabled": false }))
            .send()
            .await?;
        anyhow::ensure!(patched.status().is_success(), "PATCH: {}", patched.status());
        Ok(())
    }

    /// An agent's host: destinations `ops` (at `ops_path` of the receiver), `on-call` and
    /// `manager`, the rule routed to `ops`; the signing secrets shown at creation.
    fn host(
        &self,
        name: &str,
        ops_path: &str,
    ) -> anyhow::Result<(Device, BTreeMap<String, String>)> {
        let mut host = device_with_app(name, &self.fake, &self.secret)?;
        // A headless host keeps its destinations' secrets in a sealed vault (they would
        // not survive a reboot in the kernel keyring): the agent reads them from there.
        host.use_vault()?;
        let mut secrets = BTreeMap::new();
        for (destination, path) in [
            ("ops", ops_path),
            ("on-call", "on-call"),
            ("manager", "manager"),
        ] {
            let added = host.json(&[
                "alerts",
                "destination",
                "add",
                destination,
                "--kind",
                "webhook",
                "--url",
                &self.receiver.url(path),
                "--allow-private",
            ])?;
            secrets.insert(
                destination.to_owned(),
                added["signingSecret"]
                    .as_str()
                    .context("secret shown once")?
                    .to_owned(),
            );
        }
        host.ok(&["alerts", "route", RULE, "--to", "ops"])?;
        // Sealed: neither the signing secrets nor the URLs are in the vault's file.
        let sealed = std::fs::read_to_string(host.vault_file()).context("the vault")?;
        for secret in secrets.values() {
            anyhow::ensure!(
                !sealed.contains(secret.as_str()),
                "a signing secret in clear"
            );
        }
        anyhow::ensure!(!sealed.contains("127.0.0.1"), "a destination URL in clear");
        Ok((host, secrets))
    }

    fn agent(&self, host: &Device) -> anyhow::Result<Agent> {
        Agent::start(
            host,
            &self.server,
            "agent@msp.example",
            self.scratch.path(),
            &self.secret,
            &[],
        )
    }
}

/// The end-to-end run: the fake Graph changes a tenant's policy, the agent's
/// scheduled capture sees it, the review raises a high finding, the webhook gets it
/// (BitLocker no longer required) within the rule's group wait, nobody acknowledges and
/// the escalation reaches the on-call destination; an operator acknowledges on their own
/// device, and the next step (the manager) is never notified; the findings resolved on
/// that device, the alert resolves and the webhooks told of it hear so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_policy_alerts_escalates_and_stops_when_acknowledged_elsewhere(
) -> anyhow::Result<()> {
    let setup = Alerting::setup().await?;
    setup.turn_bitlocker_off().await?;
    let (host, secrets) = setup.host("agent-1", "ops")?;
    let (receiver, server) = (&setup.receiver, &setup.server);
    let rule = RULE;
    host.ok(&[
        "alerts",
        "escalation",
        "add",
        "night",
        "--step",
        "20s:on-call",
        "--step",
        "90s:manager",
    ])?;
    host.ok(&[
        "alerts",
        "escalation",
        "use",
        rule,
        "--policy",
        "night",
        "--group-wait",
        "2",
    ])?;
    let agent = setup.agent(&host)?;

    let reached = |path: &str| -> Vec<plumbline_e2e::receiver::Received> {
        receiver
            .received()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    };
    let wait = |path: &'static str, bound: Duration| {
        let started = Instant::now();
        let reached = &reached;
        let agent = &agent;
        async move {
            loop {
                if let Some(first) = reached(path).into_iter().next() {
                    return Ok::<_, anyhow::Error>((first, Instant::now()));
                }
                anyhow::ensure!(
                    started.elapsed() < bound,
                    "nothing reached {path} within {bound:?}:\n{}",
                    agent.log()
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    };
    let (alert, ops_at) = wait("/ops", Duration::from_secs(120)).await?;
    let body = alert.json();
    assert_eq!(body["type"], "alert.triggered", "{body:#}");
    assert!(
        ["high", "critical"].contains(&body["data"]["severity"].as_str().unwrap_or("")),
        "{body:#}"
    );
    assert!(
        body["data"]["body"]
            .as_str()
            .is_some_and(|b| b.to_lowercase().contains("bitlocker")),
        "{body:#}"
    );
    assert_eq!(body["data"]["tenant"], "Contoso");
    let ops_secret = plumbline_core::delivery::signing::WebhookSecret::parse(&secrets["ops"])?;
    let timestamp: i64 = alert
        .header("webhook-timestamp")
        .context("timestamp")?
        .parse()?;
    plumbline_core::delivery::signing::verify(
        &ops_secret,
        &alert.header("webhook-id").context("id")?,
        timestamp,
        &alert.body,
        &alert.header("webhook-signature").context("signature")?,
        timestamp,
        300,
    )
    .map_err(|e| anyhow::anyhow!("signature: {e}"))?;

    // Nobody acknowledges: twenty seconds after the alert, on-call hears of it.
    let (escalated, on_call_at) = wait("/on-call", Duration::from_secs(90)).await?;
    assert_eq!(
        escalated.json()["data"]["fingerprint"],
        body["data"]["fingerprint"]
    );
    assert!(
        on_call_at.duration_since(ops_at) >= Duration::from_secs(10),
        "the step waited: {:?}",
        on_call_at.duration_since(ops_at)
    );

    // An operator acknowledges on their own device.
    let mut ops = Device::new("ops")?;
    ops.connect(server, "ops@msp.example")?;
    ops.sync(&[])?;
    ops.ok(&["review"])?;
    let inbox = ops.json(&["alerts"])?;
    let id = inbox
        .as_array()
        .context("a list")?
        .iter()
        .find(|a| a["rule"] == rule && a["tenant"] == "Contoso")
        .and_then(|a| a["id"].as_str())
        .with_context(|| format!("the alert is in the operator's inbox: {inbox:#}"))?
        .to_owned();
    ops.ok(&["alerts", "ack", &id])?;
    ops.sync(&[])?;
    let acked_at = Instant::now();

    // The agent learns of it and the manager (90 s after the alert) is never notified.
    let manager_due = ops_at + Duration::from_secs(90);
    let deadline = manager_due.max(acked_at) + Duration::from_secs(15);
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(
        acked_at < manager_due,
        "the acknowledgement came too late for the test to tell anything"
    );
    assert!(
        reached("/manager").is_empty(),
        "escalation stopped:\n{}",
        agent.log()
    );
    assert_eq!(reached("/ops").len(), 1, "one alert, once");
    assert_eq!(reached("/on-call").len(), 1);
    let acked: Vec<String> = host
        .query("SELECT CAST(COUNT(*) AS TEXT) FROM alerts WHERE acknowledged_at IS NOT NULL AND event_id IS NOT NULL")
        .await?;
    assert_eq!(
        acked,
        ["1"],
        "the agent's copy of the alert is acknowledged"
    );

    // The operator has BitLocker turned back on and resolves the findings on their device:
    // the alert resolves on the agent, and the webhooks told of it (ops and on-call)
    // hear `alert.resolved` for the same fingerprint; the manager still hears nothing.
    let open = ops.json(&["findings", "--status", "open"])?;
    let ids: Vec<String> = open
        .as_array()
        .context("a list")?
        .iter()
        .filter(|f| f["tenant"] == "Contoso")
        .filter_map(|f| f["id"].as_str().map(str::to_owned))
        .collect();
    anyhow::ensure!(!ids.is_empty(), "Contoso has open findings: {open:#}");
    for id in &ids {
        ops.ok(&["findings", "resolve", id])?;
    }
    ops.sync(&[])?;
    let resolved = |path: &str| -> Vec<serde_json::Value> {
        reached(path)
            .into_iter()
            .map(|r| r.json())
            .filter(|b| b["type"] == "alert.resolved")
            .collect()
    };
    let started = Instant::now();
    while resolved("/ops").is_empty() || resolved("/on-call").is_empty() {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(90),
            "no alert.resolved reached ops and on-call:\n{}",
            agent.log()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    for path in ["/ops", "/on-call"] {
        let told = resolved(path);
        assert_eq!(told.len(), 1, "{path} told once: {told:#?}");
        assert_eq!(told[0]["data"]["fingerprint"], body["data"]["fingerprint"]);
    }
    assert!(reached("/manager").is_empty());
    let unresolved: Vec<String> = host
        .query("SELECT CAST(COUNT(*) AS TEXT) FROM alerts WHERE resolved_at IS NULL AND event_id IS NOT NULL")
        .await?;
    assert_eq!(unresolved, ["0"], "the agent's alert is resolved");
    Ok(())
}

/// An agent killed while sending a delivery (the receiver holds the request unanswered):
/// the other agent, holding the same alert (derived from the synced capture), sends it
/// once the dead agent's lease expires — the same `webhook-id`, so the receiver can tell
/// the duplicate (at least once, never lost).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_killed_mid_delivery_leaves_the_alert_to_the_other() -> anyhow::Result<()> {
    let setup = Alerting::setup().await?;
    setup.turn_bitlocker_off().await?;
    setup.receiver.set(Mode::Hang(Duration::from_secs(300)));
    let mut agents = Vec::new();
    for n in 1..=2 {
        let (host, _) = setup.host(&format!("agent-{n}"), &format!("ops-{n}"))?;
        host.ok(&["alerts", "escalation", "use", RULE, "--group-wait", "0"])?;
        agents.push((host, n));
    }
    let mut running: Vec<Agent> = agents
        .iter()
        .map(|(host, _)| setup.agent(host))
        .collect::<anyhow::Result<_>>()?;
    let paths = ["/ops-1", "/ops-2"];
    let started = Instant::now();
    let first = loop {
        if let Some(first) = setup
            .receiver
            .received()
            .into_iter()
            .find(|r| paths.contains(&r.path.as_str()))
        {
            break first;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(120),
            "no delivery started:\n{}\n{}",
            running[0].log(),
            running[1].log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let sender = if first.path == "/ops-1" { 0 } else { 1 };
    running[sender].kill();
    setup.receiver.set(Mode::Up(200));
    let other = &running[1 - sender];
    let other_path = paths[1 - sender];
    let started = Instant::now();
    let taken_over = loop {
        if let Some(sent) = setup
            .receiver
            .accepted()
            .into_iter()
            .find(|r| r.path == other_path)
        {
            break sent;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(120),
            "the other agent did not send it:\n{}",
            other.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(taken_over.header("webhook-id"), first.header("webhook-id"));
    // A few more rounds: nothing more is sent.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let ops: Vec<_> = setup
        .receiver
        .received()
        .into_iter()
        .filter(|r| paths.contains(&r.path.as_str()))
        .collect();
    let ids: std::collections::BTreeSet<_> =
        ops.iter().filter_map(|r| r.header("webhook-id")).collect();
    assert_eq!(ids.len(), 1, "one alert");
    assert_eq!(
        ops.len(),
        2,
        "the unanswered attempt and the one that arrived: {ops:#?}"
    );
    assert_eq!(setup.receiver.accepted().len(), 1, "delivered once");
    Ok(())
}

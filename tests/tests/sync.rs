//! Team sync end to end (SYNC.md): a real `plumbline-server` on loopback, on Postgres and
//! on SQLite, and devices that are the real `plumbline` CLI with data directories of their
//! own. Offline edits on each device, syncs in different orders, then every device must
//! hold the same synced and derived state (`sync verify` digests), agree with the
//! server's checksums, and have every decision in every history. Crash tests kill a
//! device (and the server) with SIGKILL at random points and check what is on disk.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use plumbline_e2e::team::{digests, Device, Digest, Engine, Server};
use serde_json::Value;

const WORKSPACE: &str = "Contoso MSP";

/// A small deterministic generator (the seed is printed, so a failure can be replayed).
struct Lcg(u64);

impl Lcg {
    fn from_time() -> Self {
        let seed = std::env::var("PLUMBLINE_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            });
        eprintln!("random seed {seed} (PLUMBLINE_TEST_SEED replays it)");
        Self(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

fn corpus(folder: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../core/demo-data/openintunebaseline")
        .join(folder)
}

/// Ids of open findings on a device, most severe first.
fn open_findings(device: &Device, limit: usize) -> anyhow::Result<Vec<(String, String)>> {
    let list = device.json(&["findings", "--status", "open"])?;
    Ok(list
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .take(limit)
        .map(|f| {
            (
                f["id"].as_str().unwrap_or_default().to_owned(),
                f["tenant_id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect())
}

/// Every device agrees with the server and with the others, once each has synced after
/// the last change (a sync pushes the device's own changes: one more round settles).
fn assert_converged(devices: &[&Device]) -> anyhow::Result<Vec<Digest>> {
    for device in devices
        .iter()
        .chain(&devices[..devices.len().saturating_sub(1)])
    {
        device.sync(&[])?;
    }
    let mut first: Option<(String, Vec<Digest>)> = None;
    for device in devices {
        let verify = device.verify()?;
        for line in &verify {
            assert_eq!(
                line["server_agrees"],
                Value::Bool(true),
                "{}: {line} disagrees with the server",
                device.name
            );
        }
        let ours = digests(&verify);
        match &first {
            None => first = Some((device.name.clone(), ours)),
            Some((name, theirs)) => assert_eq!(
                &ours, theirs,
                "{} and {name} hold different state",
                device.name
            ),
        }
    }
    Ok(first.map(|(_, d)| d).unwrap_or_default())
}

async fn decisions(device: &Device) -> anyhow::Result<BTreeSet<String>> {
    Ok(device
        .query("SELECT id FROM decisions")
        .await?
        .into_iter()
        .collect())
}

async fn team_works_offline_and_converges(engine: Engine) -> anyhow::Result<()> {
    let server = Server::start(engine).await?;
    server.add_user("alice@example.com", "owner", WORKSPACE, &[])?;
    server.add_user("bob@example.com", "operator", WORKSPACE, &[])?;
    server.add_user("carol@example.com", "reviewer", WORKSPACE, &[])?;
    let mut a = Device::new("Alice's laptop")?;
    let mut b = Device::new("Bob's desktop")?;
    let mut c = Device::new("Carol's laptop")?;
    a.connect(&server, "alice@example.com")?;
    b.connect(&server, "bob@example.com")?;
    c.connect(&server, "carol@example.com")?;

    // Alice brings the portfolio; everyone's first sync takes it (page sizes differ).
    a.ok(&["demo", "--tenants", "2"])?;
    a.ok(&["review"])?;
    let first = a.sync(&[])?;
    assert!(first["pushed"].as_u64().unwrap_or(0) > 10, "{first}");
    let report = b.sync(&["--page", "7"])?;
    assert_eq!(report["first_sync"], Value::Bool(true), "{report}");
    c.sync(&["--page", "1"])?;
    assert_converged(&[&a, &b, &c])?;

    let open = open_findings(&a, 6)?;
    assert!(open.len() >= 6, "the demo plants open findings: {open:?}");
    let (f1, f2, f3, f4) = (&open[0].0, &open[1].0, &open[2].0, &open[3].0);

    // Offline: each works on their own copy.
    a.ok(&[
        "findings",
        "accept",
        f1,
        "--reason",
        "compensating control until the Q1 migration",
        "--until",
        "2027-06-30",
    ])?;
    a.ok(&["findings", "comment", f2, "--text", "Alice: looking at it"])?;
    a.ok(&[
        "findings",
        "accept",
        f4,
        "--reason",
        "vendor limitation",
        "--until",
        "2027-03-31",
        "--approver",
        "carol@example.com",
    ])?;
    let folder = corpus("WINDOWS365/IntuneManagement");
    a.ok(&[
        "import",
        "--tenant",
        "Fabrikam",
        folder.to_str().unwrap_or_default(),
    ])?;
    b.ok(&["findings", "resolve", f1, "--reason", "fixed in the tenant"])?;
    b.ok(&["findings", "ack", f2])?;
    let tenant_name = b.json(&["tenants"])?[0]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    b.ok(&[
        "baseline",
        "create",
        "--name",
        "Team baseline",
        "--from-tenant",
        &tenant_name,
        "--publish",
    ])?;
    c.ok(&["findings", "comment", f1, "--text", "Carol: saw both"])?;
    c.ok(&["findings", "ack", f3])?;

    // Back online, in different orders, twice round.
    for device in [&c, &a, &b, &a, &c, &b] {
        device.sync(&[])?;
    }
    // Carol approves Alice's acceptance of f4 (four eyes), once she has it.
    c.ok(&["findings", "approve", f4, "--reason", "ok until March"])?;
    for device in [&c, &b, &a] {
        device.sync(&[])?;
    }

    let agreed = assert_converged(&[&a, &b, &c])?;
    assert!(
        agreed.len() >= 4,
        "the workspace, two demo tenants and Fabrikam: {agreed:?}"
    );
    // Every decision is in every history: the same decision events everywhere, made on
    // all three devices.
    let on_a = decisions(&a).await?;
    assert_eq!(on_a, decisions(&b).await?);
    assert_eq!(on_a, decisions(&c).await?);
    let makers = a.query("SELECT DISTINCT device_id FROM decisions").await?;
    assert_eq!(makers.len(), 3, "decisions from each device: {makers:?}");
    // The concurrent accept and resolve of f1: one superseded the other, shown the same
    // everywhere, and both stay in the history.
    for device in [&a, &b, &c] {
        let shown = device.json(&["findings", "show", f1])?;
        let history = shown["history"].as_array().cloned().unwrap_or_default();
        let superseded: Vec<&Value> = history
            .iter()
            .filter(|s| !s["superseded"].is_null())
            .collect();
        assert_eq!(superseded.len(), 1, "{}: {history:?}", device.name);
        let steps: Vec<&str> = history
            .iter()
            .filter_map(|s| s["to_status"].as_str())
            .collect();
        assert!(
            steps.contains(&"risk_accepted") && steps.contains(&"resolved"),
            "{}: {steps:?}",
            device.name
        );
        let approved = device.json(&["findings", "show", f4])?;
        let text = approved["history"].to_string();
        assert!(
            text.contains("risk acceptance approved"),
            "{}: {text}",
            device.name
        );
    }

    // Exports and the evidence pack carry the superseded decision too, with who superseded
    // it, with what and when.
    let csv = b.data_dir().join("findings.csv");
    b.ok(&[
        "export",
        "findings",
        "--out",
        csv.to_str().unwrap_or_default(),
    ])?;
    let exported = std::fs::read_to_string(&csv)?;
    let row = exported
        .lines()
        .find(|line| line.contains(f1.as_str()))
        .unwrap_or_default();
    assert!(row.contains("[superseded by "), "{row}");
    let tenant = &open[0].1;
    let pack = b.data_dir().join("pack.zip");
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    b.ok(&[
        "pack",
        "create",
        "--tenant",
        tenant,
        "--from",
        "2026-01-01",
        "--to",
        &today,
        "--out",
        pack.to_str().unwrap_or_default(),
    ])?;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&pack)?)?;
    let mut read = |name: &str| -> anyhow::Result<String> {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut archive.by_name(name)?, &mut text)?;
        Ok(text)
    };
    let pack_csv = read("findings.csv")?;
    let row = pack_csv
        .lines()
        .find(|line| line.contains(f1.as_str()))
        .unwrap_or_default();
    assert!(row.contains("[superseded by "), "{row}");
    let pack_json: Value = serde_json::from_str(&read("findings.json")?)?;
    let finding = pack_json
        .as_array()
        .and_then(|all| all.iter().find(|f| f["id"] == Value::String(f1.clone())))
        .cloned()
        .unwrap_or_default();
    let steps = finding["history"].as_array().cloned().unwrap_or_default();
    assert!(
        steps.iter().any(|s| s["superseded"]["actor"].is_string()
            && s["superseded"]["to_status"].is_string()
            && s["superseded"]["at"].is_string()),
        "{finding}"
    );
    assert!(
        steps.len() >= 3,
        "both decisions stay in the pack's history: {finding}"
    );

    // A full re-sync into an empty data directory reproduces the same digests.
    let mut d = Device::new("Alice's new laptop")?;
    d.connect(&server, "alice@example.com")?;
    d.sync(&[])?;
    // (Its sign-in is one more audit event: counts move, state does not.)
    let states = |all: &[Digest]| -> Vec<(String, String, String)> {
        all.iter()
            .map(|(k, s, d, _)| (k.clone(), s.clone(), d.clone()))
            .collect()
    };
    assert_eq!(states(&assert_converged(&[&a, &d])?), states(&agreed));

    // Bob loses access to all but one tenant. What he did on another one offline is
    // refused and listed; the tenant's data leaves his computer.
    let keep = open[0].1.clone();
    let tenants = b.json(&["tenants"])?;
    let other = tenants
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .find(|t| t["id"].as_str() != Some(keep.as_str()))
        .map(|t| t["id"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    let other_finding = b
        .json(&["findings", "--tenant", &other])?
        .as_array()
        .and_then(|f| f.first().cloned())
        .map(|f| f["id"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    b.ok(&[
        "findings",
        "comment",
        &other_finding,
        "--text",
        "offline note",
    ])?;
    server.add_user("bob@example.com", "operator", WORKSPACE, &[&keep])?;
    let report = b.sync(&[])?;
    assert_eq!(
        report["revoked"].as_array().map(Vec::len).unwrap_or(0),
        2,
        "{report}"
    );
    let left: Vec<String> = b
        .json(&["tenants"])?
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|t| t["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        left,
        vec![keep.clone()],
        "only the tenant Bob may see stays"
    );
    let gone = b
        .query(&format!(
            "SELECT COUNT(*) || '' FROM captures WHERE tenant_id = '{other}'"
        ))
        .await?;
    assert_eq!(gone, vec!["0".to_owned()]);
    let status = b.json(&["sync", "status"])?;
    let rejected = status["rejected_operations"].to_string();
    assert!(
        rejected.contains("forbidden_tenant") || rejected.contains("revoked"),
        "{status}"
    );
    assert_eq!(b.integrity().await?, "ok");
    // What Bob may still see agrees with the server.
    for line in b.verify()? {
        assert_eq!(line["server_agrees"], Value::Bool(true), "{line}");
    }
    Ok(())
}

#[tokio::test]
async fn a_team_works_offline_and_converges_on_sqlite() -> anyhow::Result<()> {
    team_works_offline_and_converges(Engine::Sqlite).await
}

#[tokio::test]
async fn a_team_works_offline_and_converges_on_postgres() -> anyhow::Result<()> {
    team_works_offline_and_converges(Engine::Postgres).await
}

/// Kills `device`'s `args` run with SIGKILL after `after`: `None` when it was killed,
/// else how long it took to finish on its own.
fn run_and_kill(
    device: &Device,
    args: &[&str],
    after: Duration,
) -> anyhow::Result<Option<Duration>> {
    let mut child = device
        .command(args)?
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let started = Instant::now();
    while started.elapsed() < after {
        if child.try_wait()?.is_some() {
            return Ok(Some(started.elapsed()));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill()?; // SIGKILL
    child.wait()?;
    Ok(None)
}

#[tokio::test]
async fn a_device_killed_at_random_points_of_sync_loses_nothing() -> anyhow::Result<()> {
    const TRIALS: usize = 50;
    let mut random = Lcg::from_time();
    let server = Server::start(Engine::Sqlite).await?;
    server.add_user("alice@example.com", "owner", WORKSPACE, &[])?;
    server.add_user("bob@example.com", "operator", WORKSPACE, &[])?;
    let mut a = Device::new("A")?;
    let mut b = Device::new("B")?;
    a.connect(&server, "alice@example.com")?;
    b.connect(&server, "bob@example.com")?;
    a.ok(&["demo", "--tenants", "2"])?;
    a.ok(&["review"])?;
    a.sync(&[])?;
    let open = open_findings(&a, 4)?;
    let mut killed = 0;
    let mut made_by_b = 0;
    let mut typical = Duration::from_secs(4);
    for trial in 0..TRIALS {
        // Work on both sides: Alice's to pull, Bob's to push.
        if trial % 5 == 4 {
            a.ok(&[
                "findings",
                "comment",
                &open[0].0,
                "--text",
                &format!("A {trial}"),
            ])?;
            a.sync(&[])?;
        }
        if trial == 8 {
            // Bob's first sync completes (it resumed after each kill) before his own work.
            b.sync(&[])?;
            typical = Duration::from_millis(800);
        }
        if trial >= 8 {
            let target = &open[trial % open.len()].0;
            b.ok(&[
                "findings",
                "comment",
                target,
                "--text",
                &format!("B {trial}"),
            ])?;
            made_by_b += 1;
        }
        // A random point within the time a round takes (learnt from rounds that ended
        // on their own): the first trials fall in Bob's first sync (snapshots, apply,
        // derive), later ones in push, pull and derive of small rounds.
        let after = Duration::from_millis(random.below(typical.as_millis() as u64));
        match run_and_kill(&b, &["sync", "--once", "--page", "3"], after)? {
            None => killed += 1,
            Some(took) => typical = took,
        }
        assert_eq!(b.integrity().await?, "ok", "trial {trial}");
    }
    eprintln!("{killed} of {TRIALS} syncs killed");
    assert!(
        killed >= TRIALS / 3,
        "most syncs should be killed mid-way: {killed}"
    );
    // After restarts: nothing lost, nothing twice, no gap.
    b.sync(&[])?;
    a.sync(&[])?;
    assert_converged(&[&a, &b])?;
    let pending = b.json(&["sync", "status"])?;
    assert_eq!(pending["pending"], 0, "{pending}");
    assert_eq!(pending["rejected"], 0, "{pending}");
    let from_b = a
        .query(
            "SELECT COUNT(*) || '' FROM decisions d WHERE d.action = 'comment' AND d.reason LIKE 'B %'",
        )
        .await?;
    assert_eq!(
        from_b,
        vec![made_by_b.to_string()],
        "every comment of B, once"
    );
    assert_eq!(a.integrity().await?, "ok");
    Ok(())
}

async fn server_killed_mid_push_loses_nothing(engine: Engine) -> anyhow::Result<()> {
    let mut random = Lcg::from_time();
    let mut server = Server::start(engine).await?;
    server.add_user("alice@example.com", "owner", WORKSPACE, &[])?;
    server.add_user("bob@example.com", "operator", WORKSPACE, &[])?;
    let mut a = Device::new("A")?;
    let mut b = Device::new("B")?;
    a.connect(&server, "alice@example.com")?;
    b.connect(&server, "bob@example.com")?;
    a.ok(&["demo", "--tenants", "1"])?;
    a.ok(&["review"])?;
    a.sync(&[])?;
    b.sync(&[])?;
    let ids: Vec<String> = open_findings(&b, 200)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert!(ids.len() >= 20, "{}", ids.len());
    for trial in 0..4 {
        // Many operations to push: every open finding acknowledged, resolved, re-opened.
        let mut args = vec!["findings", "ack"];
        args.extend(ids.iter().map(String::as_str));
        b.ok(&args)?;
        args[1] = "resolve";
        b.ok(&args)?;
        args[1] = "reopen";
        b.ok(&args)?;
        let mut child = b
            .command(&["sync", "--once"])?
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()?;
        std::thread::sleep(Duration::from_millis(10 + random.below(300)));
        server.kill();
        let _ = child.wait()?;
        server.restart()?;
        b.sync(&[])?;
        a.sync(&[])?;
        assert_converged(&[&a, &b]).map_err(|e| e.context(format!("trial {trial}")))?;
    }
    let status = b.json(&["sync", "status"])?;
    assert_eq!(status["pending"], 0, "{status}");
    Ok(())
}

#[tokio::test]
async fn the_server_killed_mid_push_loses_nothing_on_sqlite() -> anyhow::Result<()> {
    server_killed_mid_push_loses_nothing(Engine::Sqlite).await
}

#[tokio::test]
async fn the_server_killed_mid_push_loses_nothing_on_postgres() -> anyhow::Result<()> {
    server_killed_mid_push_loses_nothing(Engine::Postgres).await
}

/// The rule named `name` in `plumbline alerts rules --json` of `device`.
fn rule_on(device: &Device, name: &str) -> anyhow::Result<Option<Value>> {
    let rules = device.json(&["alerts", "rules"])?;
    Ok(rules
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["name"] == name)
        .cloned())
}

/// Alert rules and silences are the team's (SYNC.md: registers): an admin's new rule, a
/// default turned off and a silence reach the agent's host; the defaults a device seeds on
/// its own push nothing; an operator may end a silence but not change rules; a removed rule
/// goes everywhere.
#[tokio::test]
async fn alert_rules_and_silences_reach_every_device() -> anyhow::Result<()> {
    const HIGH: &str = "New critical or high findings";
    const SCORE: &str = "Score dropped by 10 points or more";
    let server = Server::start(Engine::Sqlite).await?;
    server.add_user("alice@example.com", "owner", WORKSPACE, &[])?;
    server.add_user("bob@example.com", "operator", WORKSPACE, &[])?;
    let mut a = Device::new("Alice's laptop")?;
    let mut b = Device::new("agent host")?;
    a.connect(&server, "alice@example.com")?;
    b.connect(&server, "bob@example.com")?;
    a.ok(&["demo", "--tenants", "1"])?;
    a.ok(&["review"])?;
    a.sync(&[])?;
    b.sync(&[])?;
    // Both hold the default rules, each seeded on its own: nothing of them was pushed.
    assert!(rule_on(&b, HIGH)?.is_some());
    let pushed_rules = b
        .query("SELECT CAST(COUNT(*) AS TEXT) FROM sync_ops WHERE kind LIKE 'alert_rule%'")
        .await?;
    assert_eq!(pushed_rules, ["0"]);

    let tenants = a.json(&["tenants"])?;
    let tenant = tenants[0]["id"].as_str().expect("a tenant").to_owned();
    a.ok(&[
        "alerts",
        "rule",
        "add",
        "Expiring soon",
        "--when",
        "expiring:14",
        "--tag",
        "vip",
    ])?;
    a.ok(&["alerts", "rule", "disable", SCORE])?;
    a.ok(&[
        "alerts",
        "silence",
        "add",
        "--rule",
        HIGH,
        "--tenant",
        &tenant,
        "--hours",
        "4",
        "--comment",
        "migration weekend",
    ])?;
    a.sync(&[])?;
    b.sync(&[])?;

    let expiring = rule_on(&b, "Expiring soon")?.expect("the new rule reached b");
    assert_eq!(expiring["condition"]["days"], 14, "{expiring}");
    assert_eq!(expiring["tenants"]["tags"][0], "vip", "{expiring}");
    assert_eq!(rule_on(&b, SCORE)?.expect("score rule")["enabled"], false);
    let high_on_b = rule_on(&b, HIGH)?.expect("high rule");
    let silences = b.json(&["alerts", "silence", "list"])?;
    let silence = &silences[0];
    assert_eq!(silence["ruleId"], high_on_b["id"], "{silence}");
    assert_eq!(silence["tenantId"], tenant.as_str());
    assert_eq!(silence["comment"], "migration weekend");

    // Bob is an operator: rules are not his to change, a silence is his to end.
    let refused = b.run(&["alerts", "rule", "remove", "Expiring soon"])?;
    assert!(!refused.status.success());
    let id = silence["id"].as_str().expect("id").to_owned();
    b.ok(&["alerts", "silence", "expire", &id])?;
    b.sync(&[])?;
    a.sync(&[])?;
    let on_a = a.json(&["alerts", "silence", "list"])?;
    let ends: chrono::DateTime<chrono::Utc> =
        on_a[0]["endsAt"].as_str().expect("endsAt").parse()?;
    assert!(
        ends <= chrono::Utc::now(),
        "ended on Alice's device too: {on_a}"
    );

    a.ok(&["alerts", "rule", "remove", "Expiring soon"])?;
    a.sync(&[])?;
    b.sync(&[])?;
    assert!(rule_on(&b, "Expiring soon")?.is_none());
    assert_converged(&[&a, &b])?;
    Ok(())
}

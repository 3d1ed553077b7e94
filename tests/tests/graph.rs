//! Capturing tenants from Microsoft Graph, against the fake Graph: as a process of its own
//! driven through the real `plumbline` CLI (exports and captures normalise alike, every
//! error case says what to do, no secret lands anywhere), and in process for the
//! connector's behaviour under paging, throttling, expiring tokens and failing kinds
//! (still a real HTTP server on loopback).

use std::collections::BTreeSet;
use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use plumbline_core::connectors::graph::capture::{capture_tenant, GraphCapture};
use plumbline_core::connectors::graph::{
    AppCredentials, Cloud, Credential, GraphClient, Limits, RetryPolicy, Target,
};
use plumbline_e2e::graph::{
    write_export, FakeGraphProcess, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET,
};
use plumbline_e2e::team::{Device, Engine, Server};
use plumbline_fake_graph::{tenants, Behaviour, Config, FakeTenant};
use serde_json::Value;

const SEED: u64 = 20_261_201;
const ANCHOR: &str = "2026-11-30T12:00:00Z";

fn anchor() -> DateTime<Utc> {
    ANCHOR.parse().expect("anchor")
}

const SECRET_ENV: &str = plumbline_core::capture::GRAPH_SECRET_FILE_ENV;

/// `plumbline ARGS` on `device` with the Graph secret in `secret_file` (as a headless
/// service gets it), to the end.
fn run(device: &Device, secret_file: &Path, args: &[&str]) -> anyhow::Result<Output> {
    Ok(device
        .command(args)?
        .env(SECRET_ENV, secret_file)
        .output()?)
}

fn ok(device: &Device, secret_file: &Path, args: &[&str]) -> anyhow::Result<String> {
    let output = run(device, secret_file, args)?;
    anyhow::ensure!(
        output.status.success(),
        "plumbline {} exited with {:?}: {}{}",
        args.join(" "),
        output.status.code(),
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A device whose Graph app is the fake's, signing in with the secret in a file of
/// `scratch` (as a headless service gets it): the device and that file.
fn device_with_app(
    name: &str,
    fake: &FakeGraphProcess,
    scratch: &Path,
) -> anyhow::Result<(Device, std::path::PathBuf)> {
    let device = Device::new(name)?;
    let secret = scratch.join("secret");
    std::fs::write(&secret, format!("{DEFAULT_CLIENT_SECRET}\n"))?;
    ok(
        &device,
        &secret,
        &[
            "graph",
            "app",
            "--client-id",
            DEFAULT_CLIENT_ID,
            "--cloud",
            &fake.url,
        ],
    )?;
    Ok((device, secret))
}

/// (kind, external id, settings hash, assignments hash) of a tenant's latest capture.
async fn hashes(device: &Device, tenant: &str) -> anyhow::Result<BTreeSet<String>> {
    let rows = device
        .query(&format!(
            "SELECT kind || '|' || external_id || '|' || settings_hash || '|' || assignments_hash
             FROM config_items WHERE capture_id = (
                 SELECT c.id FROM captures c JOIN tenants t ON t.id = c.tenant_id
                 WHERE t.display_name = '{tenant}' ORDER BY c.taken_at DESC LIMIT 1)"
        ))
        .await?;
    Ok(rows.into_iter().collect())
}

#[tokio::test]
async fn a_tenant_read_from_graph_normalises_like_its_export() -> anyhow::Result<()> {
    let fake = FakeGraphProcess::start(&[
        "--tenants",
        "1",
        "--seed",
        &SEED.to_string(),
        "--anchor",
        ANCHOR,
    ])?;
    let tenant = fake.tenants().await?.remove(0);
    let entra = tenant["entra_tenant_id"].as_str().context("entra id")?;
    let scratch = tempfile::tempdir()?;
    let (device, secret) = device_with_app("graph", &fake, scratch.path())?;
    let export = scratch.path().join("export");
    let exported = write_export(&export, SEED, anchor(), 0)?.len();
    ok(
        &device,
        &secret,
        &[
            "import",
            "--tenant",
            "Exported",
            export.to_str().context("utf-8")?,
        ],
    )?;
    ok(
        &device,
        &secret,
        &[
            "graph",
            "connect",
            "Captured",
            "--entra-tenant-id",
            entra,
            "--create",
        ],
    )?;
    let summary: Value = serde_json::from_str(&ok(
        &device,
        &secret,
        &["--json", "capture", "--tenant", "Captured"],
    )?)?;
    let run = &summary["runs"][0];
    assert_eq!(run["status"], "ok", "{summary:#}");
    assert_eq!(run["items"].as_u64(), Some(exported as u64));
    assert_eq!(
        tenant["policies"].as_u64(),
        Some(exported as u64),
        "the fake serves every policy of the tenant"
    );
    let from_files = hashes(&device, "Exported").await?;
    let from_graph = hashes(&device, "Captured").await?;
    assert_eq!(from_files.len(), exported);
    let only_files: Vec<_> = from_files.difference(&from_graph).take(5).collect();
    let only_graph: Vec<_> = from_graph.difference(&from_files).take(5).collect();
    assert!(
        only_files.is_empty() && only_graph.is_empty(),
        "normalised hashes differ:\nexport only {only_files:#?}\ngraph only {only_graph:#?}"
    );
    // The run is in the history, with the requests it took.
    let runs: Value = serde_json::from_str(&ok(
        &device,
        &secret,
        &["--json", "graph", "runs", "--tenant", "Captured"],
    )?)?;
    assert_eq!(runs.as_array().map(Vec::len), Some(1));
    assert!(runs[0]["requests"].as_u64().unwrap_or(0) > 0);
    Ok(())
}

#[tokio::test]
async fn every_error_says_what_to_do() -> anyhow::Result<()> {
    let scratch = tempfile::tempdir()?;
    // Tenants 0..7 of the seed; which is which is decided by the scenario.
    let probe = tenants::demo_tenants(SEED, 7, Some(20), anchor())?;
    let id = |i: usize| probe[i].entra_id.clone();
    let scenario = serde_json::json!({
        "tenants": {
            id(0): {"consent_missing": true},
            id(1): {"secret_expired": true},
            id(2): {"intune_not_licensed": true},
            id(3): {"denied_permissions": ["DeviceManagementApps.Read.All"]},
            id(4): {"no_roles": true},
            id(5): {"malformed": ["deviceManagement/deviceCompliancePolicies"]},
        }
    });
    let scenario_file = scratch.path().join("scenario.json");
    std::fs::write(&scenario_file, serde_json::to_vec(&scenario)?)?;
    let fake = FakeGraphProcess::start(&[
        "--tenants",
        "7",
        "--seed",
        &SEED.to_string(),
        "--anchor",
        ANCHOR,
        "--mean-policies",
        "20",
        "--scenario",
        scenario_file.to_str().context("utf-8")?,
    ])?;
    let (device, secret) = device_with_app("errors", &fake, scratch.path())?;
    for i in 0..7 {
        ok(
            &device,
            &secret,
            &[
                "graph",
                "connect",
                &format!("T{i}"),
                "--entra-tenant-id",
                &id(i),
                "--create",
            ],
        )?;
    }
    let test = |i: usize| run(&device, &secret, &["graph", "test", &format!("T{i}")]);
    let capture = |i: usize| -> anyhow::Result<(Output, Value)> {
        let output = run(
            &device,
            &secret,
            &["--json", "capture", "--tenant", &format!("T{i}")],
        )?;
        let json = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
        Ok((output, json))
    };
    let failed_kinds = |run: &Value| -> Vec<(String, String)> {
        run["kinds_failed"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|k| {
                        (
                            k["kind"].as_str().unwrap_or("").to_owned(),
                            k["error"].as_str().unwrap_or("").to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };

    // Consent missing: the admin-consent link for that tenant.
    let output = test(0)?;
    assert_eq!(output.status.code(), Some(7), "{}", text(&output));
    let said = text(&output);
    assert!(said.contains("not consented"), "{said}");
    assert!(
        said.contains(&format!(
            "{}/{}/adminconsent?client_id={DEFAULT_CLIENT_ID}",
            fake.url,
            id(0)
        )),
        "{said}"
    );
    let (output, json) = capture(0)?;
    assert_eq!(output.status.code(), Some(8), "{}", text(&output));
    assert_eq!(json["runs"][0]["status"], "failed");
    assert!(
        json["runs"][0]["error"]
            .as_str()
            .unwrap_or("")
            .contains("AADSTS700016"),
        "{json:#}"
    );

    // Expired secret.
    let said = text(&test(1)?);
    assert!(
        said.contains("client secret has expired (AADSTS7000222)"),
        "{said}"
    );

    // No Intune: the Intune kinds are not available, Conditional Access is read.
    let said = text(&test(2)?);
    assert!(said.contains("Intune is not available"), "{said}");
    let (_, json) = capture(2)?;
    assert_eq!(json["runs"][0]["status"], "partial", "{json:#}");
    let failed = failed_kinds(&json["runs"][0]);
    assert!(
        failed
            .iter()
            .any(|(k, e)| k == "settings_catalog" && e.contains("Intune is not available")),
        "{failed:?}"
    );
    assert!(
        !failed.iter().any(|(k, _)| k == "conditional_access"),
        "{failed:?}"
    );

    // A permission missing: that kind names it, the others are read.
    let said = text(&test(3)?);
    assert!(said.contains("DeviceManagementApps.Read.All"), "{said}");
    let (_, json) = capture(3)?;
    assert_eq!(json["runs"][0]["status"], "partial");
    let failed = failed_kinds(&json["runs"][0]);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].0, "app_protection");
    assert!(
        failed[0]
            .1
            .contains("permission missing: the app needs DeviceManagementApps.Read.All"),
        "{failed:?}"
    );

    // Consented without application permissions.
    let said = text(&test(4)?);
    assert!(said.contains("no application permissions"), "{said}");
    let (_, json) = capture(4)?;
    assert_eq!(json["runs"][0]["status"], "failed");
    assert!(json["runs"][0]["error"]
        .as_str()
        .unwrap_or("")
        .contains("no application permissions"));

    // A malformed page fails its kind only.
    let (_, json) = capture(5)?;
    assert_eq!(json["runs"][0]["status"], "partial");
    let failed = failed_kinds(&json["runs"][0]);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].0, "compliance_policy");
    assert!(failed[0].1.contains("cannot be read"), "{failed:?}");

    // A wrong secret.
    let wrong = scratch.path().join("wrong");
    std::fs::write(&wrong, "not~the~secret~0123456789abcdefghijklmno")?;
    let said = text(&run(&device, &wrong, &["graph", "test", "T6"])?);
    assert!(
        said.contains("client secret is wrong (AADSTS7000215)"),
        "{said}"
    );
    assert!(said.contains("Value, not its ID"), "{said}");

    // The wrong cloud: a token for another cloud's Graph.
    ok(
        &device,
        &secret,
        &[
            "graph",
            "app",
            "--client-id",
            DEFAULT_CLIENT_ID,
            "--cloud",
            &format!("{} https://graph.microsoft.us", fake.url),
        ],
    )?;
    let said = text(&test(6)?);
    assert!(
        said.contains("not known in this cloud (AADSTS500011)"),
        "{said}"
    );

    // A tenant that does not exist (or is in another cloud).
    ok(
        &device,
        &secret,
        &[
            "graph",
            "app",
            "--client-id",
            DEFAULT_CLIENT_ID,
            "--cloud",
            &fake.url,
        ],
    )?;
    ok(
        &device,
        &secret,
        &[
            "graph",
            "connect",
            "Nowhere",
            "--entra-tenant-id",
            "00000000-1111-2222-3333-444444444444",
            "--create",
        ],
    )?;
    let said = text(&run(&device, &secret, &["graph", "test", "Nowhere"])?);
    assert!(
        said.contains("tenant was not found (AADSTS90002)"),
        "{said}"
    );

    // Not connected at all: says how to connect.
    ok(
        &device,
        &secret,
        &["graph", "connect", "T6", "--entra-tenant-id", &id(6)],
    )?;
    let output = device
        .command(&["capture", "--tenant", "T6"])?
        .env(SECRET_ENV, scratch.path().join("missing-file"))
        .output()?;
    assert!(!output.status.success());
    assert!(
        text(&output).contains("cannot read the Graph client secret"),
        "{}",
        text(&output)
    );
    Ok(())
}

#[tokio::test]
async fn no_secret_reaches_the_database_logs_exports_or_packs() -> anyhow::Result<()> {
    let fake = FakeGraphProcess::start(&[
        "--tenants",
        "1",
        "--seed",
        &SEED.to_string(),
        "--anchor",
        ANCHOR,
        "--mean-policies",
        "30",
    ])?;
    let entra = fake.tenants().await?[0]["entra_tenant_id"]
        .as_str()
        .context("entra id")?
        .to_owned();
    let device = Device::new("secrets")?;
    let scratch = tempfile::tempdir()?;
    let mut logs = String::new();
    let mut step = |args: &[&str], stdin: Option<&str>| -> anyhow::Result<()> {
        let mut child = device
            .command(args)?
            .env("RUST_LOG", "debug")
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .context("stdin")?
                .write_all(input.as_bytes())?;
        }
        let output = child.wait_with_output()?;
        logs.push_str(&text(&output));
        anyhow::ensure!(
            output.status.success(),
            "plumbline {}: {}",
            args.join(" "),
            text(&output)
        );
        Ok(())
    };
    // The secret goes in the way a person gives it: on standard input, to the keychain.
    step(
        &[
            "graph",
            "app",
            "--client-id",
            DEFAULT_CLIENT_ID,
            "--cloud",
            &fake.url,
            "--secret-stdin",
        ],
        Some(&format!("{DEFAULT_CLIENT_SECRET}\n")),
    )?;
    step(
        &[
            "graph",
            "connect",
            "Acme",
            "--entra-tenant-id",
            &entra,
            "--create",
        ],
        None,
    )?;
    step(&["graph", "test", "Acme"], None)?;
    step(&["capture", "--tenant", "Acme"], None)?;
    step(&["capture", "--all"], None)?;
    step(&["graph", "runs"], None)?;
    step(&["review"], None)?;
    let csv = scratch.path().join("inventory.csv");
    step(
        &[
            "export",
            "inventory",
            "--out",
            csv.to_str().context("utf-8")?,
        ],
        None,
    )?;
    let pack = scratch.path().join("pack.zip");
    let today = Utc::now().format("%Y-%m-%d").to_string();
    step(
        &[
            "pack",
            "create",
            "--tenant",
            "Acme",
            "--from",
            "2026-01-01",
            "--to",
            &today,
            "--out",
            pack.to_str().context("utf-8")?,
        ],
        None,
    )?;
    let secret = DEFAULT_CLIENT_SECRET.as_bytes();
    let contains = |bytes: &[u8]| bytes.windows(secret.len()).any(|w| w == secret);
    // The test would be empty if the secret never reached the fake: it did (a capture).
    assert!(fake.log().await?["graph_requests"].as_u64().unwrap_or(0) > 10);
    assert!(
        !contains(logs.as_bytes()),
        "a log or output line holds the secret"
    );
    for entry in std::fs::read_dir(device.data_dir())? {
        let path = entry?.path();
        if path.is_file() {
            assert!(
                !contains(&std::fs::read(&path)?),
                "{} holds the secret",
                path.display()
            );
        }
    }
    assert!(
        !contains(&std::fs::read(&csv)?),
        "the export holds the secret"
    );
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&pack)?)?;
    assert!(archive.len() > 1);
    for i in 0..archive.len() {
        let mut file = archive.by_index(i)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        assert!(
            !contains(&bytes),
            "{:?} in the pack holds the secret",
            file.name()
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The connector in process, against the fake on loopback.

fn demo(count: u32, mean: u32) -> Vec<FakeTenant> {
    tenants::demo_tenants(SEED, count, Some(mean), anchor()).expect("demo tenants")
}

fn target(url: &str, tenant: &FakeTenant) -> Target {
    Target {
        tenant: tenant.entra_id.clone(),
        app: AppCredentials {
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            credential: Credential::Secret(DEFAULT_CLIENT_SECRET.to_owned()),
        },
        cloud: Cloud::Custom {
            login: url.to_owned(),
            graph: url.to_owned(),
        },
    }
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        attempts: 10,
        base: Duration::from_millis(50),
        cap: Duration::from_millis(400),
        max_retry_after: Duration::from_secs(5),
    }
}

async fn capture_with(
    list: Vec<FakeTenant>,
    behaviour: Behaviour,
    limits: Limits,
) -> anyhow::Result<(GraphCapture, plumbline_fake_graph::LogSummary)> {
    capture_in(
        Config {
            tenants: list,
            default_behaviour: behaviour,
            ..Config::default()
        },
        limits,
    )
    .await
}

/// Captures the first tenant of `config` from a fake started for it.
async fn capture_in(
    config: Config,
    limits: Limits,
) -> anyhow::Result<(GraphCapture, plumbline_fake_graph::LogSummary)> {
    let tenant = config.tenants[0].clone();
    let fake = plumbline_fake_graph::start(config, "127.0.0.1:0".parse()?).await?;
    let client = GraphClient::new(limits, fast_retries())?;
    let session = client.session(target(&fake.url, &tenant));
    let capture = capture_tenant(&session).await?;
    Ok((capture, fake.log()))
}

/// Items as (kind, id, raw JSON): what two captures of one tenant must agree on.
fn items(capture: &GraphCapture) -> BTreeSet<(String, String, String)> {
    capture
        .content
        .items
        .iter()
        .map(|i| (i.kind.clone(), i.external_id.clone(), i.raw.to_string()))
        .collect()
}

#[tokio::test]
async fn paging_loses_nothing_in_a_large_tenant() -> anyhow::Result<()> {
    let mut list = demo(1, 40);
    tenants::add_large_catalog_policy(&mut list[0], "Large catalog policy", 300);
    tenants::pad_policies(&mut list[0], 2_500);
    let policies = list[0].policies.len();
    assert_eq!(policies, 2_500);
    // Without Intune's per-tenant budget: 5,000 sub-requests would otherwise take Intune's
    // 50 s (the budget is the throttling test's).
    let config = Config {
        tenants: list,
        tenant_budget: None,
        ..Config::default()
    };
    let (capture, log) = capture_in(config, Limits::default()).await?;
    assert!(
        capture.failed_kinds().is_empty(),
        "{:?}",
        capture.failed_kinds()
    );
    assert_eq!(capture.content.items.len(), policies);
    let large = capture
        .content
        .items
        .iter()
        .find(|i| i.name == "Large catalog policy")
        .context("the large policy")?;
    assert_eq!(large.raw["settings"].as_array().map(Vec::len), Some(300));
    // Pages of 25: the catalog list took 100 pages, the large policy's settings 12.
    let skips = log
        .entries
        .iter()
        .filter(|e| e.url.contains("$skiptoken=skip%253D") || e.url.contains("$skiptoken=skip%3D"))
        .count();
    assert!(skips >= 99 + 11, "{skips} next links followed");
    assert_eq!(log.throttled, 0);
    Ok(())
}

#[tokio::test]
async fn throttling_is_honoured_within_the_concurrency_limits() -> anyhow::Result<()> {
    let limits = Limits {
        global: 3,
        per_tenant: 2,
        deadline: Duration::from_secs(30),
    };
    let (calm, _) = capture_with(demo(1, 120), Behaviour::default(), limits.clone()).await?;
    // A storm with Retry-After, then every 5th request throttled without one, and a few
    // 503/504 in between.
    let stormy = Behaviour {
        storm: 12,
        retry_after_s: Some(1),
        unavailable: 4,
        ..Behaviour::default()
    };
    let started = std::time::Instant::now();
    let (stormed, log) = capture_with(demo(1, 120), stormy, limits.clone()).await?;
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was not waited for"
    );
    assert!(log.throttled >= 12);
    assert!(
        stormed.failed_kinds().is_empty(),
        "{:?}",
        stormed.failed_kinds()
    );
    assert_eq!(
        items(&calm),
        items(&stormed),
        "a throttled capture reads the same tenant"
    );
    assert!(log.max_in_flight <= 3, "{} in flight", log.max_in_flight);
    assert!(log.max_in_flight_per_tenant.values().all(|n| *n <= 2));

    let without_header = Behaviour {
        throttle_every: Some(5),
        retry_after_s: None,
        ..Behaviour::default()
    };
    let (throttled, log) = capture_with(demo(1, 120), without_header, limits).await?;
    assert!(log.throttled > 5);
    assert_eq!(items(&calm), items(&throttled));
    assert!(
        throttled.throttled > 0,
        "the session counts what it was refused"
    );
    Ok(())
}

#[tokio::test]
async fn an_expired_token_is_renewed() -> anyhow::Result<()> {
    let behaviour = Behaviour {
        token_lifetime_s: Some(1),
        latency_ms: 100,
        ..Behaviour::default()
    };
    let limits = Limits {
        per_tenant: 1,
        ..Limits::default()
    };
    let (capture, log) = capture_with(demo(1, 150), behaviour, limits).await?;
    assert!(
        capture.failed_kinds().is_empty(),
        "{:?}",
        capture.failed_kinds()
    );
    assert!(capture.elapsed > Duration::from_secs(2));
    assert!(
        capture.token_requests >= 2,
        "{} tokens",
        capture.token_requests
    );
    let token_requests = log
        .entries
        .iter()
        .filter(|e| e.url.ends_with("/token"))
        .count();
    assert_eq!(token_requests as u64, capture.token_requests);
    Ok(())
}

#[tokio::test]
async fn a_failing_kind_leaves_the_others_captured() -> anyhow::Result<()> {
    let (whole, _) = capture_with(demo(1, 80), Behaviour::default(), Limits::default()).await?;
    let failing = Behaviour {
        failing: vec!["deviceManagement/deviceCompliancePolicies".to_owned()],
        ..Behaviour::default()
    };
    let (partial, _) = capture_with(demo(1, 80), failing, Limits::default()).await?;
    let failed = partial.failed_kinds();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].0, "compliance_policy");
    assert!(failed[0].1.contains("500"), "{failed:?}");
    let expected: BTreeSet<_> = items(&whole)
        .into_iter()
        .filter(|(kind, ..)| kind != "compliance_policy")
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(items(&partial), expected);
    Ok(())
}

#[tokio::test]
async fn batch_answers_in_any_order_are_matched_to_their_requests() -> anyhow::Result<()> {
    let (reversed, _) = capture_with(demo(1, 80), Behaviour::default(), Limits::default()).await?;
    let in_order = Behaviour {
        batch_in_order: true,
        ..Behaviour::default()
    };
    let (ordered, log) = capture_with(demo(1, 80), in_order, Limits::default()).await?;
    assert_eq!(items(&reversed), items(&ordered));
    assert!(
        log.entries.iter().any(|e| e.batch.is_some()),
        "sub-requests went through $batch"
    );
    Ok(())
}

#[tokio::test]
async fn the_fake_refuses_a_next_link_that_was_decoded() -> anyhow::Result<()> {
    // The fake is only faithful if a client that re-encodes the skip token fails, as
    // tools that lost settings did.
    let list = demo(1, 200);
    let tenant = list[0].clone();
    let fake = plumbline_fake_graph::start(
        Config {
            tenants: list,
            ..Config::default()
        },
        "127.0.0.1:0".parse()?,
    )
    .await?;
    let client = GraphClient::new(Limits::default(), fast_retries())?;
    let session = client.session(target(&fake.url, &tenant));
    let token = session.token().await?;
    let http = reqwest::Client::new();
    let first: Value = http
        .get(format!(
            "{}/beta/deviceManagement/configurationPolicies",
            fake.url
        ))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let next = first["@odata.nextLink"].as_str().context("a next link")?;
    assert!(next.contains("%253D"), "{next}");
    let verbatim = http.get(next).bearer_auth(&token).send().await?;
    assert_eq!(verbatim.status(), 200);
    let decoded = http
        .get(next.replace("%253D", "%3D"))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(decoded.status(), 400);
    Ok(())
}

#[tokio::test]
async fn due_tenants_are_captured_and_one_that_keeps_failing_is_parked() -> anyhow::Result<()> {
    let scratch = tempfile::tempdir()?;
    let probe = tenants::demo_tenants(SEED, 2, Some(10), anchor())?;
    let scenario = serde_json::json!({
        "tenants": { probe[1].entra_id.clone(): {"consent_missing": true} }
    });
    let scenario_file = scratch.path().join("scenario.json");
    std::fs::write(&scenario_file, serde_json::to_vec(&scenario)?)?;
    let fake = FakeGraphProcess::start(&[
        "--tenants",
        "2",
        "--seed",
        &SEED.to_string(),
        "--anchor",
        ANCHOR,
        "--mean-policies",
        "10",
        "--scenario",
        scenario_file.to_str().context("utf-8")?,
    ])?;
    let (device, secret) = device_with_app("schedule", &fake, scratch.path())?;
    ok(
        &device,
        &secret,
        &[
            "graph",
            "connect",
            "Healthy",
            "--entra-tenant-id",
            &probe[0].entra_id,
            "--create",
        ],
    )?;
    ok(
        &device,
        &secret,
        &[
            "graph",
            "connect",
            "Broken",
            "--entra-tenant-id",
            &probe[1].entra_id,
            "--create",
        ],
    )?;
    ok(
        &device,
        &secret,
        &[
            "graph",
            "connect",
            "Manual",
            "--entra-tenant-id",
            "0f0f0f0f-0000-4000-8000-000000000001",
            "--create",
        ],
    )?;
    ok(
        &device,
        &secret,
        &["graph", "schedule", "Manual", "--every", "manual"],
    )?;
    let due = |device: &Device| -> anyhow::Result<Vec<String>> {
        let output = run(device, &secret, &["--json", "capture", "--due"])?;
        let json: Value = serde_json::from_slice(&output.stdout).with_context(|| text(&output))?;
        Ok(json["runs"]
            .as_array()
            .map(|runs| {
                runs.iter()
                    .map(|r| r["tenant_name"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default())
    };
    // Never captured: both scheduled tenants are due; the manual one is not.
    let mut first = due(&device)?;
    first.sort();
    assert_eq!(first, ["Broken", "Healthy"]);
    // Healthy was captured: not due for a day. Broken failed: due again after its backoff
    // (not at once).
    assert!(due(&device)?.is_empty());
    // Failures until it is parked (each run forced, as `capture --tenant` does).
    for _ in 0..4 {
        let output = run(&device, &secret, &["capture", "--tenant", "Broken"])?;
        assert_eq!(output.status.code(), Some(8));
    }
    let schedules: Value =
        serde_json::from_str(&ok(&device, &secret, &["--json", "graph", "schedule"])?)?;
    let broken = schedules
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["tenant_name"] == "Broken"))
        .context("Broken's schedule")?;
    assert!(broken["parked_at"].is_string(), "{broken:#}");
    assert_eq!(broken["state"]["consecutive_failures"], 5);
    assert!(broken["last_error"]
        .as_str()
        .unwrap_or("")
        .contains("AADSTS700016"));
    let alerts: Value = serde_json::from_str(&ok(&device, &secret, &["--json", "alerts"])?)?;
    let parked_alerts: Vec<&Value> = alerts
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|x| {
                    x["title"]
                        .as_str()
                        .unwrap_or("")
                        .contains("Broken is no longer captured")
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(parked_alerts.len(), 1, "{alerts:#}");
    // A sixth failure raises no second alert.
    let _ = run(&device, &secret, &["capture", "--tenant", "Broken"])?;
    let alerts: Value = serde_json::from_str(&ok(&device, &secret, &["--json", "alerts"])?)?;
    assert_eq!(
        alerts.as_array().map(|a| a
            .iter()
            .filter(|x| x["title"].as_str().unwrap_or("").contains("Broken"))
            .count()),
        Some(1)
    );
    // Fixed and resumed: due at once, captured, no longer parked.
    reqwest::Client::new()
        .put(format!(
            "{}/_fake/tenants/{}/behaviour",
            fake.url, probe[1].entra_id
        ))
        .json(&serde_json::json!({}))
        .send()
        .await?
        .error_for_status()?;
    ok(
        &device,
        &secret,
        &["graph", "schedule", "Broken", "--resume"],
    )?;
    assert_eq!(due(&device)?, ["Broken"]);
    let schedules: Value = serde_json::from_str(&ok(
        &device,
        &secret,
        &["--json", "graph", "schedule", "Broken"],
    )?)?;
    assert!(schedules[0]["parked_at"].is_null(), "{schedules:#}");
    assert_eq!(schedules[0]["state"]["consecutive_failures"], 0);
    Ok(())
}

/// A self-signed certificate and its private key (PKCS#8 PEM), made by the system's
/// `openssl` in `dir`: (certificate path, key path).
fn make_certificate(
    dir: &Path,
    name: &str,
) -> anyhow::Result<(std::path::PathBuf, std::path::PathBuf)> {
    let certificate = dir.join(format!("{name}.crt"));
    let key = dir.join(format!("{name}.key"));
    let output = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
        ])
        .arg(format!("/CN={name}"))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&certificate)
        .output()
        .context("the certificate tests need the openssl command (Debian: openssl)")?;
    anyhow::ensure!(output.status.success(), "openssl: {}", text(&output));
    Ok((certificate, key))
}

#[tokio::test]
async fn an_app_signs_in_with_its_certificate() -> anyhow::Result<()> {
    let scratch = tempfile::tempdir()?;
    let (certificate, key) = make_certificate(scratch.path(), "plumbline-app")?;
    let (_, other_key) = make_certificate(scratch.path(), "someone-else")?;
    let list = demo(1, 20);
    let tenant = list[0].clone();
    let fake = plumbline_fake_graph::start(
        Config {
            tenants: list,
            client_certificate: Some(std::fs::read_to_string(&certificate)?),
            ..Config::default()
        },
        "127.0.0.1:0".parse()?,
    )
    .await?;
    let client = GraphClient::new(Limits::default(), fast_retries())?;
    let with_key = |key: &Path| -> anyhow::Result<Target> {
        let mut target = target(&fake.url, &tenant);
        target.app.credential = Credential::Certificate(
            plumbline_core::connectors::graph::assertion::CertificateCredential {
                certificate_pem: std::fs::read_to_string(&certificate)?,
                private_key_pem: std::fs::read_to_string(key)?,
            },
        );
        Ok(target)
    };
    let captured = capture_tenant(&client.session(with_key(&key)?)).await?;
    assert!(captured.failed_kinds().is_empty());
    assert!(!captured.content.items.is_empty());
    // The assertion is what signed in (no secret was sent): a certificate's key that is
    // not registered is refused. A new client: tokens are cached per tenant and app.
    let other = GraphClient::new(Limits::default(), fast_retries())?;
    match capture_tenant(&other.session(with_key(&other_key)?)).await {
        Ok(_) => panic!("another key's signature was accepted"),
        Err(refused) => assert!(refused.to_string().contains("AADSTS700027"), "{refused}"),
    }

    // Through the CLI: the private key goes to the keychain, the certificate to the
    // database (public); a capture signs in with them.
    let process = FakeGraphProcess::start(&[
        "--tenants",
        "1",
        "--seed",
        &SEED.to_string(),
        "--anchor",
        ANCHOR,
        "--mean-policies",
        "10",
        "--client-certificate",
        certificate.to_str().context("utf-8")?,
    ])?;
    let entra = process.tenants().await?[0]["entra_tenant_id"]
        .as_str()
        .context("id")?
        .to_owned();
    let device = Device::new("certificate")?;
    let shown = device.ok(&[
        "graph",
        "app",
        "--client-id",
        DEFAULT_CLIENT_ID,
        "--cloud",
        &process.url,
        "--certificate",
        certificate.to_str().context("utf-8")?,
        "--private-key",
        key.to_str().context("utf-8")?,
    ])?;
    assert!(shown.contains("x5t#S256"), "{shown}");
    device.ok(&[
        "graph",
        "connect",
        "Acme",
        "--entra-tenant-id",
        &entra,
        "--create",
    ])?;
    let summary: Value =
        serde_json::from_str(&device.ok(&["--json", "capture", "--tenant", "Acme"])?)?;
    assert_eq!(summary["runs"][0]["status"], "ok", "{summary:#}");
    let stored = device
        .query("SELECT credential || '|' || (certificate_pem IS NOT NULL) FROM graph_app")
        .await?;
    assert_eq!(stored, ["certificate|1"]);
    let private_key = std::fs::read_to_string(&key)?;
    let marker = private_key.lines().nth(1).context("a key line")?;
    assert!(!std::fs::read(device.database())?
        .windows(marker.len())
        .any(|w| w == marker.as_bytes()));
    Ok(())
}

/// The first catalog policy of `tenant` with a top-level choice setting whose value has an
/// on/off sibling (`…_0`/`…_1`, `…_false`/`…_true`): (policy id, name, setting index,
/// definition id, current value, the other value).
fn flippable_choice(
    tenant: &FakeTenant,
) -> Option<(String, String, usize, String, String, String)> {
    tenant
        .policies
        .iter()
        .filter(|p| p.collection == "deviceManagement/configurationPolicies")
        .find_map(|policy| {
            let settings = policy.object.get("settings")?.as_array()?;
            settings.iter().enumerate().find_map(|(index, setting)| {
                let instance = &setting["settingInstance"];
                let id = instance["settingDefinitionId"].as_str()?;
                let value = instance["choiceSettingValue"]["value"].as_str()?;
                let other = match value.strip_prefix(id)? {
                    "_0" => format!("{id}_1"),
                    "_1" => format!("{id}_0"),
                    "_true" => format!("{id}_false"),
                    "_false" => format!("{id}_true"),
                    _ => return None,
                };
                Some((
                    policy.id().to_owned(),
                    policy.object.get("name")?.as_str()?.to_owned(),
                    index,
                    id.to_owned(),
                    value.to_owned(),
                    other,
                ))
            })
        })
}

/// The titles of a device's findings.
fn finding_titles(device: &Device, secret: &Path) -> anyhow::Result<BTreeSet<String>> {
    let findings: Value = serde_json::from_str(&ok(device, secret, &["--json", "findings"])?)?;
    Ok(findings
        .as_array()
        .context("findings")?
        .iter()
        .filter_map(|f| f["title"].as_str().map(str::to_owned))
        .collect())
}

#[tokio::test]
async fn findings_read_in_the_catalogs_words_on_every_device() -> anyhow::Result<()> {
    let probe = tenants::demo_tenants(SEED, 1, Some(12), anchor())?;
    let (policy_id, policy_name, index, definition, before, after) =
        flippable_choice(&probe[0]).context("a demo tenant has an on/off choice setting")?;
    let fake = FakeGraphProcess::start(&[
        "--tenants",
        "1",
        "--seed",
        &SEED.to_string(),
        "--anchor",
        ANCHOR,
        "--mean-policies",
        "12",
    ])?;
    let scratch = tempfile::tempdir()?;
    let server = Server::start(Engine::Sqlite).await?;
    server.add_user("alice@example.com", "owner", "Contoso MSP", &[])?;
    server.add_user("bob@example.com", "operator", "Contoso MSP", &[])?;
    let (mut device, secret) = device_with_app("labels", &fake, scratch.path())?;
    device.connect(&server, "alice@example.com")?;
    ok(
        &device,
        &secret,
        &[
            "graph",
            "connect",
            "Contoso",
            "--entra-tenant-id",
            &probe[0].entra_id,
            "--create",
        ],
    )?;
    ok(&device, &secret, &["capture", "--tenant", "Contoso"])?;
    // The capture carries its definitions; the policies do not.
    let labelled = device
        .query("SELECT CAST(COUNT(*) AS TEXT) FROM captures WHERE definitions_sha256 IS NOT NULL")
        .await?;
    assert_eq!(labelled, ["1"]);
    let known = device
        .query(&format!(
            "SELECT definition FROM setting_definitions WHERE definition_id = '{definition}'"
        ))
        .await?;
    let known: Value = serde_json::from_str(known.first().context("the definition is known")?)?;
    ok(
        &device,
        &secret,
        &[
            "baseline",
            "create",
            "--name",
            "Gold",
            "--from-tenant",
            "Contoso",
            "--publish",
        ],
    )?;
    ok(
        &device,
        &secret,
        &["baseline", "assign", "Gold", "--tenant", "Contoso"],
    )?;

    // The tenant changes the setting; the next capture's review says so in words.
    let setting = probe[0]
        .policies
        .iter()
        .find(|p| p.id() == policy_id)
        .and_then(|p| p.object.get("settings"))
        .cloned()
        .context("the policy's settings")?;
    let mut settings = setting;
    settings[index]["settingInstance"]["choiceSettingValue"]["value"] =
        Value::String(after.clone());
    reqwest::Client::new()
        .patch(format!(
            "{}/_fake/tenants/{}/policies/{policy_id}",
            fake.url, probe[0].entra_id
        ))
        .json(&serde_json::json!({ "settings": settings }))
        .send()
        .await?
        .error_for_status()?;
    ok(&device, &secret, &["capture", "--tenant", "Contoso"])?;
    ok(&device, &secret, &["review"])?;
    let findings: Value = serde_json::from_str(&ok(
        &device,
        &secret,
        &["--json", "findings", "--tenant", "Contoso"],
    )?)?;
    let titles: Vec<&str> = findings
        .as_array()
        .context("findings")?
        .iter()
        .filter_map(|f| f["title"].as_str())
        .collect();
    let name = known["name"].as_str().context("a display name")?;
    let label = |option: &str| known["options"][option].as_str().map(str::to_owned);
    let expected = format!(
        "{name}: {} instead of {} ({policy_name})",
        label(&after).context("the new option's label")?,
        label(&before).context("the old option's label")?
    );
    assert!(
        titles.contains(&expected.as_str()),
        "expected {expected:?} among {titles:#?}"
    );
    assert!(
        titles.iter().all(|t| !t.contains(&after)),
        "no finding names an option by its id: {titles:#?}"
    );

    // The definitions are workspace data: a colleague's device gets them with the
    // captures and words every finding alike, without ever reading Graph.
    device.sync(&[])?;
    let mut colleague = Device::new("colleague")?;
    colleague.connect(&server, "bob@example.com")?;
    colleague.sync(&[])?;
    device.sync(&[])?;
    assert_eq!(
        colleague
            .query(
                "SELECT CAST(COUNT(*) AS TEXT) FROM captures WHERE definitions_sha256 IS NOT NULL"
            )
            .await?,
        ["2"]
    );
    let theirs = finding_titles(&colleague, &secret)?;
    assert!(theirs.contains(&expected), "{theirs:#?}");
    assert_eq!(theirs, finding_titles(&device, &secret)?);
    assert_eq!(
        plumbline_e2e::team::digests(&colleague.verify()?),
        plumbline_e2e::team::digests(&device.verify()?),
        "both devices hold the same synced and derived state"
    );

    // Files imported offline are labelled with what the workspace knows (on the colleague's
    // device: what arrived by sync); a device that never met the definitions keeps the
    // path-derived labels.
    let export = scratch.path().join("export");
    write_export(&export, SEED, anchor(), 0)?;
    ok(
        &colleague,
        &secret,
        &[
            "import",
            "--tenant",
            "Offline",
            export.to_str().context("utf-8")?,
        ],
    )?;
    let offline = colleague
        .query(
            "SELECT c.definitions_sha256 FROM captures c JOIN tenants t ON t.id = c.tenant_id
             WHERE t.display_name = 'Offline' AND c.definitions_sha256 IS NOT NULL",
        )
        .await?;
    assert_eq!(offline.len(), 1, "the offline import is labelled");
    let (stranger, stranger_secret) = device_with_app("stranger", &fake, scratch.path())?;
    ok(
        &stranger,
        &stranger_secret,
        &[
            "import",
            "--tenant",
            "Offline",
            export.to_str().context("utf-8")?,
        ],
    )?;
    assert_eq!(
        stranger
            .query(
                "SELECT CAST(COUNT(*) AS TEXT) FROM captures WHERE definitions_sha256 IS NOT NULL"
            )
            .await?,
        ["0"]
    );
    Ok(())
}

#[tokio::test]
async fn encrypted_oma_values_are_read_in_plain_text_where_permitted() -> anyhow::Result<()> {
    use plumbline_core::normalize::{normalize, DirectoryIndex};
    let values = [
        (
            "./Device/Vendor/MSFT/Policy/Config/Browser/AllowDoNotTrack",
            "1",
        ),
        (
            "./Device/Vendor/MSFT/Policy/Config/Start/StartLayout",
            "<LayoutModificationTemplate Version=\"1\"/>",
        ),
    ];
    let mut list = demo(1, 5);
    tenants::add_custom_oma_policy(&mut list[0], "Win - Custom OMA-URI", &values);
    let custom = |capture: &GraphCapture| {
        capture
            .content
            .items
            .iter()
            .find(|i| i.name == "Win - Custom OMA-URI")
            .cloned()
            .context("the custom profile was captured")
    };
    let compared = |raw: &Value| -> Vec<String> {
        normalize("device_configuration", raw, &DirectoryIndex::default())
            .settings
            .keys()
            .filter(|k| k.starts_with("omaSettings[") && k.ends_with("/value"))
            .cloned()
            .collect()
    };

    let (capture, _) = capture_with(list.clone(), Behaviour::default(), Limits::default()).await?;
    let item = custom(&capture)?;
    assert_eq!(item.kind, "device_configuration");
    let settings = item.raw["omaSettings"].as_array().context("omaSettings")?;
    for (setting, (uri, value)) in settings.iter().zip(values) {
        assert_eq!(setting["omaUri"], uri);
        assert_eq!(setting["value"], value, "read in plain text");
        assert_eq!(setting["isEncrypted"], false);
        assert!(setting.get("secretReferenceValueId").is_none());
    }
    assert!(capture.warnings.is_empty(), "{:?}", capture.warnings);
    assert_eq!(compared(&item.raw).len(), 2, "plain values are compared");
    assert!(
        !item.raw.to_string().contains("@fake"),
        "the fake's plain-text store is never served"
    );

    // Not permitted: recorded masked, left out of the comparison, and said.
    let denied = Behaviour {
        oma_decrypt_denied: true,
        ..Behaviour::default()
    };
    let (capture, _) = capture_with(list, denied, Limits::default()).await?;
    let item = custom(&capture)?;
    assert!(item.raw["omaSettings"]
        .as_array()
        .context("omaSettings")?
        .iter()
        .all(|s| s["value"] == "****" && s["isEncrypted"] == true));
    assert!(
        compared(&item.raw).is_empty(),
        "masked values are not compared"
    );
    let warning = capture.warnings.join("\n");
    assert!(
        warning.contains("2 custom OMA-URI values could not be read in plain text")
            && warning.contains("DeviceManagementConfiguration.ReadWrite.All"),
        "{warning}"
    );
    assert!(
        capture.failed_kinds().is_empty(),
        "the profile itself was read: {:?}",
        capture.failed_kinds()
    );
    Ok(())
}

//! Running the server in production (issue 17): configuration from a file, the
//! environment and secret files; metrics; request ids in logs and error bodies; a graceful
//! stop; trusted proxies; several instances on one Postgres (migrating once, sharing live
//! updates, losing nothing when one is killed mid-push).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use plumbline_wire::{
    Hlc, OpBody, Operation, Outcome, PullResponse, PushResponse, TenantFields, METRICS_PATH,
    PULL_PATH, PUSH_PATH, READY_PATH, REQUEST_ID_HEADER, SIGN_IN_PATH,
};
use serde_json::{json, Value};

use crate::instance::{Instance, Launch};
use crate::support::{Backend, PASSWORD};

async fn sign_in(
    instance: &Instance,
    email: &str,
    password: &str,
    forwarded: Option<&str>,
) -> (u16, Value) {
    let mut request = instance
        .http()
        .post(instance.url(SIGN_IN_PATH))
        .json(&json!({
            "email": email, "password": password, "device_name": "ops test",
        }));
    if let Some(forwarded) = forwarded {
        request = request.header("x-forwarded-for", forwarded);
    }
    let response = request.send().await.expect("sign-in");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn token(instance: &Instance, email: &str) -> String {
    let (status, body) = sign_in(instance, email, PASSWORD, None).await;
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().expect("token").to_owned()
}

/// Operations of one device: tenant names, numbered.
struct Writer {
    origin: String,
    next: u64,
}

impl Writer {
    fn new() -> Self {
        Self {
            origin: format!("dev-{}", uuid::Uuid::now_v7().simple()),
            next: 0,
        }
    }

    fn ops(&mut self, count: usize) -> Vec<Operation> {
        (0..count)
            .map(|_| {
                self.next += 1;
                Operation {
                    id: uuid::Uuid::now_v7().to_string(),
                    hlc: Hlc::format(0x0000_0001_0000_0000 + self.next, &self.origin),
                    device_id: self.origin.clone(),
                    tenant_id: Some(format!("t{}", self.next % 7)),
                    body: OpBody::TenantSet(TenantFields {
                        display_name: Some(format!("Tenant {}", self.next)),
                        ..TenantFields::default()
                    }),
                }
            })
            .collect()
    }
}

async fn push(instance: &Instance, token: &str, ops: &[Operation]) -> Result<PushResponse, String> {
    let response = instance
        .http()
        .post(instance.url(PUSH_PATH))
        .bearer_auth(token)
        .json(&json!({ "operations": ops }))
        .send()
        .await
        .map_err(|error| error.to_string())?;
    if response.status() != 200 {
        return Err(format!("status {}", response.status()));
    }
    response.json().await.map_err(|error| error.to_string())
}

async fn pull(instance: &Instance, token: &str, query: &str) -> (u16, Value) {
    let response = instance
        .http()
        .get(instance.url(&format!("{PULL_PATH}?{query}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("pull");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Every operation the workspace's log holds, in order, as (seq, id).
async fn log_of(instance: &Instance, token: &str) -> Vec<(i64, String)> {
    let mut after = 0;
    let mut all = Vec::new();
    for _ in 0..1_000 {
        let (status, body) = pull(instance, token, &format!("after={after}&limit=5000")).await;
        assert_eq!(status, 200, "{body}");
        let answer: PullResponse = serde_json::from_value(body).expect("a pull answer");
        all.extend(
            answer
                .operations
                .iter()
                .map(|op| (op.seq, op.operation.id.clone())),
        );
        if answer.last_seq <= after || answer.last_seq >= answer.head {
            return all;
        }
        after = answer.last_seq;
    }
    panic!("the log did not end within 1,000 pages");
}

/// A sample's value from the exposition text.
fn sample(metrics: &str, name_and_labels: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(name_and_labels)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no sample {name_and_labels} in\n{metrics}"))
        .parse()
        .expect("a number")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_move_after_a_sync_and_logs_carry_the_request_id() {
    let backend = Backend::sqlite();
    backend.add_user("ops@example.com", "MSP", "operator").await;
    let folder = tempfile::tempdir().expect("dir");
    let token_file = folder.path().join("metrics-token");
    std::fs::write(&token_file, "scrape-secret\n").expect("write the token file");
    let instance = Instance::start(
        Launch::database(&backend.url)
            .env("PLUMBLINE_SERVER_LOG_FORMAT", "json")
            .env("PLUMBLINE_SERVER_LOG", "info")
            .env(
                "PLUMBLINE_SERVER_METRICS_TOKEN_FILE",
                token_file.to_str().expect("utf-8"),
            ),
    )
    .await;

    // The token guards /metrics.
    let (status, _) = instance.get(METRICS_PATH, None).await;
    assert_eq!(status, 401);
    let (status, _) = instance.get(METRICS_PATH, Some("wrong")).await;
    assert_eq!(status, 401);
    let (status, before) = instance.get(METRICS_PATH, Some("scrape-secret")).await;
    assert_eq!(status, 200, "{before}");
    assert_eq!(
        sample(
            &before,
            "plumbline_sync_pushed_operations_total{verdict=\"accepted\"}"
        ),
        0.0
    );

    // A sync: sign in, push three operations (one twice), pull them.
    let device = token(&instance, "ops@example.com").await;
    let mut writer = Writer::new();
    let ops = writer.ops(3);
    push(&instance, &device, &ops).await.expect("push");
    push(&instance, &device, &ops[..1])
        .await
        .expect("push again");
    let (status, _) = pull(&instance, &device, "after=0").await;
    assert_eq!(status, 200);

    let (_, after) = instance.get(METRICS_PATH, Some("scrape-secret")).await;
    assert_eq!(
        sample(
            &after,
            "plumbline_sync_pushed_operations_total{verdict=\"accepted\"}"
        ),
        3.0
    );
    assert_eq!(
        sample(
            &after,
            "plumbline_sync_pushed_operations_total{verdict=\"duplicate\"}"
        ),
        1.0
    );
    assert_eq!(
        sample(&after, "plumbline_sync_pulled_operations_total"),
        3.0
    );
    assert_eq!(sample(&after, "plumbline_sign_ins_total"), 1.0);
    assert_eq!(
        sample(&after, "plumbline_http_requests_total{method=\"POST\",route=\"/api/v1/sync/push\",status=\"200\"}"),
        2.0
    );
    assert_eq!(
        sample(
            &after,
            "plumbline_http_request_duration_seconds_count{route=\"/api/v1/sync/pull\"}"
        ),
        1.0
    );
    assert_eq!(
        sample(
            &after,
            "plumbline_sync_pull_lag_operations_bucket{le=\"10\"}"
        ),
        1.0
    );
    assert_eq!(sample(&after, "plumbline_ready"), 1.0);
    assert!(sample(&after, "process_resident_memory_bytes") > 1_000_000.0);
    assert!(sample(&after, "plumbline_database_connections{state=\"max\"}") >= 1.0);

    // A failed sign-in counts.
    let (status, _) = sign_in(&instance, "ops@example.com", "not the password", None).await;
    assert_eq!(status, 401);
    let (_, later) = instance.get(METRICS_PATH, Some("scrape-secret")).await;
    assert_eq!(
        sample(
            &later,
            "plumbline_sign_in_failures_total{reason=\"bad_credentials\"}"
        ),
        1.0
    );

    // An error answer names its request id; the log line about it carries the same id.
    let response = instance
        .http()
        .post(instance.url(PUSH_PATH))
        .bearer_auth(&device)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("bad push");
    assert_eq!(response.status(), 400);
    let header = response
        .headers()
        .get(REQUEST_ID_HEADER)
        .expect("an id header")
        .to_str()
        .expect("ascii")
        .to_owned();
    let body: Value = response.json().await.expect("an error body");
    assert_eq!(body["error"]["request_id"], json!(header), "{body}");
    assert_eq!(body["error"]["code"], "bad_request");
    // A caller's (or proxy's) plain id is kept; a strange one is replaced.
    let response = instance
        .http()
        .get(instance.url("/api/v1/nowhere"))
        .header(REQUEST_ID_HEADER, "edge-7f3a.42")
        .send()
        .await
        .expect("unknown path");
    assert_eq!(response.headers()[REQUEST_ID_HEADER], "edge-7f3a.42");
    let body: Value = response.json().await.expect("an error body");
    assert_eq!(body["error"]["request_id"], "edge-7f3a.42");
    let response = instance
        .http()
        .get(instance.url(READY_PATH))
        .header(REQUEST_ID_HEADER, "has spaces and \"quotes\"")
        .send()
        .await
        .expect("ready");
    assert_ne!(
        response.headers()[REQUEST_ID_HEADER],
        "has spaces and \"quotes\""
    );

    // Log lines are JSON objects; every line written while answering a request carries
    // the request's span (id, method, route); the one about the bad push has its status.
    let deadline = Instant::now() + Duration::from_secs(10);
    let line = loop {
        let found = instance.log().into_iter().find_map(|line| {
            let value: Value = serde_json::from_str(&line)
                .unwrap_or_else(|_| panic!("a log line that is not JSON: {line}"));
            (value["span"]["request_id"] == json!(header) && value["status"] == json!(400))
                .then_some(value)
        });
        if let Some(line) = found {
            break line;
        }
        assert!(
            Instant::now() < deadline,
            "no log line with {header}: {:?}",
            instance.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(line["span"]["route"], PUSH_PATH, "{line}");
    assert_eq!(line["span"]["method"], "POST", "{line}");
    assert!(
        line["timestamp"].is_string() && line["level"].is_string(),
        "{line}"
    );
    // No secret reaches the log.
    let log = instance.log().join("\n");
    assert!(!log.contains("scrape-secret") && !log.contains(&device) && !log.contains(PASSWORD));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_long_polls_and_the_server_exits_cleanly() {
    let backend = Backend::sqlite();
    backend.add_user("ops@example.com", "MSP", "operator").await;
    let mut instance = Instance::start(
        Launch::database(&backend.url).env("PLUMBLINE_SERVER_SHUTDOWN_GRACE_SECONDS", "20"),
    )
    .await;
    let device = token(&instance, "ops@example.com").await;
    let (_, body) = pull(&instance, &device, "after=0").await;
    let head = body["last_seq"].as_i64().expect("last_seq");
    let waiting = {
        let url = instance.url(&format!("{PULL_PATH}?after={head}&wait=60"));
        let http = instance.http().clone();
        let device = device.clone();
        tokio::spawn(async move {
            let response = http
                .get(url)
                .bearer_auth(device)
                .send()
                .await
                .expect("long poll");
            let status = response.status().as_u16();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stopped_at = Instant::now();
    instance.terminate();
    let (status, body) = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("the long poll ends when the server stops")
        .expect("task");
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "unavailable", "{body}");
    assert_eq!(instance.exit_code(Duration::from_secs(15)).await, Some(0));
    assert!(
        stopped_at.elapsed() < Duration::from_secs(10),
        "stopping took {:?}: the long poll held it",
        stopped_at.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configuration_file_and_secret_files_configure_the_server() {
    let backend = Backend::sqlite();
    let folder = tempfile::tempdir().expect("dir");
    let secret = folder.path().join("metrics-token");
    std::fs::write(&secret, "from-a-credential\n").expect("write");
    let config = folder.path().join("server.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:1\"  # replaced by the test's --listen flag\n\
             [database]\nurl = \"{}\"\nmax_connections = 3\n\
             [log]\nformat = \"text\"\n\
             [shutdown]\ngrace_seconds = 5\n",
            backend.url
        ),
    )
    .expect("write the configuration");
    let instance = Instance::start(
        Launch::default()
            .arg("--config")
            .arg(config.to_str().expect("utf-8"))
            .env(
                "PLUMBLINE_SERVER_METRICS_TOKEN_FILE",
                secret.to_str().expect("utf-8"),
            ),
    )
    .await;
    let (status, _) = instance.get(READY_PATH, None).await;
    assert_eq!(status, 200);
    let (status, _) = instance.get(METRICS_PATH, None).await;
    assert_eq!(status, 401, "the token from the file guards /metrics");
    let (status, metrics) = instance.get(METRICS_PATH, Some("from-a-credential")).await;
    assert_eq!(status, 200);
    assert_eq!(
        sample(&metrics, "plumbline_database_connections{state=\"max\"}"),
        3.0
    );

    // `config` shows the effective settings and where they come from, never a secret.
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_plumbline-server"))
        .args(["config", "--config", config.to_str().expect("utf-8")])
        .env("PLUMBLINE_SERVER_METRICS_TOKEN_FILE", &secret)
        .env_remove("PLUMBLINE_SERVER_DATABASE")
        .output()
        .await
        .expect("run config");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(
        text.contains("max_connections = 3  # configuration file"),
        "{text}"
    );
    assert!(text.contains("token = \"***\"  # environment"), "{text}");
    assert!(!text.contains("from-a-credential"), "{text}");

    // A typo in the file stops the server at once, saying what is wrong.
    std::fs::write(
        &config,
        "[database]\nurl = \"sqlite::memory:\"\nmax_conections = 3\n",
    )
    .expect("write");
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_plumbline-server"))
        .args([
            "serve",
            "--config",
            config.to_str().expect("utf-8"),
            "--listen",
            "127.0.0.1:0",
        ])
        .env_remove("PLUMBLINE_SERVER_DATABASE")
        .output()
        .await
        .expect("run serve");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unknown setting `database.max_conections`"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trusted_proxy_names_the_client_and_no_one_else_can() {
    let backend = Backend::sqlite();
    backend.add_user("ops@example.com", "MSP", "operator").await;
    let behind_proxy = Instance::start(
        Launch::database(&backend.url).env("PLUMBLINE_SERVER_TRUSTED_PROXIES", "127.0.0.1, ::1"),
    )
    .await;
    // A stranger at 203.0.113.5 (as the proxy says) fails five times...
    for _ in 0..5 {
        let (status, _) = sign_in(
            &behind_proxy,
            "ops@example.com",
            "wrong password!",
            Some("203.0.113.5"),
        )
        .await;
        assert_eq!(status, 401);
    }
    let (status, _) = sign_in(
        &behind_proxy,
        "ops@example.com",
        PASSWORD,
        Some("203.0.113.5"),
    )
    .await;
    assert_eq!(status, 429, "the stranger's address is limited");
    // ...and the real user, elsewhere behind the same proxy, still signs in. A client
    // cannot dodge the limit by writing its own X-Forwarded-For in front of the proxy's.
    let (status, _) = sign_in(
        &behind_proxy,
        "ops@example.com",
        PASSWORD,
        Some("198.51.100.7"),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = sign_in(
        &behind_proxy,
        "ops@example.com",
        PASSWORD,
        Some("198.51.100.7, 203.0.113.5"),
    )
    .await;
    assert_eq!(status, 429, "the entry the proxy added is the one believed");
    drop(behind_proxy);

    // Without trusted proxies the header is ignored: it cannot spread failures around.
    let backend = Backend::sqlite();
    backend.add_user("ops@example.com", "MSP", "operator").await;
    let direct = Instance::start(Launch::database(&backend.url)).await;
    for n in 0..5 {
        let forged = format!("192.0.2.{n}");
        let (status, _) =
            sign_in(&direct, "ops@example.com", "wrong password!", Some(&forged)).await;
        assert_eq!(status, 401);
    }
    let (status, _) = sign_in(&direct, "ops@example.com", PASSWORD, Some("192.0.2.200")).await;
    assert_eq!(status, 429, "every failure counted against the real peer");
}

/// The migrations of the Postgres schema this server carries.
fn postgres_migrations() -> usize {
    std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../migrations/server/postgres"
    ))
    .expect("the migrations folder")
    .filter(|entry| {
        entry
            .as_ref()
            .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
    })
    .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_started_together_migrate_once_and_are_all_ready() {
    let backend = Backend::postgres().await;
    let starts: Vec<_> = (0..4)
        .map(|_| tokio::spawn(Instance::start(Launch::database(&backend.url))))
        .collect();
    let mut instances = Vec::new();
    for start in starts {
        instances.push(start.await.expect("an instance starts"));
    }
    for instance in &instances {
        let (status, text) = instance.get(READY_PATH, None).await;
        assert_eq!(status, 200, "{text}");
    }
    let database = backend.database().await;
    let plumbline_server::Database::Postgres(pool) = &database else {
        panic!("a Postgres backend");
    };
    let (rows, distinct): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT version) FROM _sqlx_migrations WHERE success",
    )
    .fetch_one(pool)
    .await
    .expect("count migrations");
    assert_eq!(rows as usize, postgres_migrations());
    assert_eq!(rows, distinct);
    for instance in &instances {
        let errors: Vec<String> = instance
            .log()
            .into_iter()
            .filter(|line| line.contains("ERROR") || line.contains("\"level\":\"ERROR\""))
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_behave_as_one_server() {
    let backend = Backend::postgres().await;
    backend.add_user("a@example.com", "MSP", "operator").await;
    backend.add_user("b@example.com", "MSP", "operator").await;
    let mut first = Instance::start(Launch::database(&backend.url)).await;
    let second = Instance::start(Launch::database(&backend.url)).await;
    let a = token(&first, "a@example.com").await;
    let b = token(&second, "b@example.com").await;

    // Live mode across instances: a waits on the first, b pushes on the second.
    let (_, body) = pull(&first, &a, "after=0").await;
    let head = body["last_seq"].as_i64().expect("last_seq");
    let waiting = {
        let url = first.url(&format!("{PULL_PATH}?after={head}&wait=20"));
        let http = first.http().clone();
        let a = a.clone();
        tokio::spawn(async move {
            let answer: PullResponse = http
                .get(url)
                .bearer_auth(a)
                .send()
                .await
                .expect("long poll")
                .json()
                .await
                .expect("a pull answer");
            (answer, Instant::now())
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut writer = Writer::new();
    let op = writer.ops(1);
    let pushed_at = Instant::now();
    push(&second, &b, &op)
        .await
        .expect("push on the second instance");
    let (answer, seen_at) = tokio::time::timeout(Duration::from_secs(20), waiting)
        .await
        .expect("the long poll answers")
        .expect("task");
    assert_eq!(answer.operations.len(), 1);
    assert_eq!(answer.operations[0].operation.id, op[0].id);
    let latency = seen_at.duration_since(pushed_at);
    assert!(
        latency < Duration::from_secs(2),
        "live update took {latency:?}"
    );

    // b pushes batches to the first instance, which is killed mid-push; b then sends
    // every batch again to the second, as its outbox would. Nothing is lost, nothing is
    // doubled, and the sequence has no gap.
    // Enough batches that the kill (at most a second in) always comes mid-stream: a warm
    // server answers one in about 30 ms.
    let batches: Vec<Vec<Operation>> = (0..150).map(|_| writer.ops(200)).collect();
    let pushing = {
        let url = first.url(PUSH_PATH);
        let http = first.http().clone();
        let b = b.clone();
        let batches = batches.clone();
        tokio::spawn(async move {
            let mut answered = 0;
            for batch in batches {
                let sent = http
                    .post(&url)
                    .bearer_auth(&b)
                    .json(&json!({ "operations": batch }))
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status() == 200 => answered += 1,
                    _ => break,
                }
            }
            answered
        })
    };
    tokio::time::sleep(Duration::from_millis(100 + u64::from(rand_millis()))).await;
    first.kill().await;
    let answered_before_kill = pushing.await.expect("task");
    assert!(
        answered_before_kill < batches.len(),
        "the kill came after every push: make the batches larger"
    );
    let mut verdicts: BTreeMap<&str, usize> = BTreeMap::new();
    for batch in &batches {
        let answer = push(&second, &b, batch)
            .await
            .expect("push on the second instance");
        for verdict in answer.verdicts {
            *verdicts
                .entry(match verdict.outcome {
                    Outcome::Accepted { .. } => "accepted",
                    Outcome::Duplicate { .. } => "duplicate",
                    Outcome::Rejected { .. } => "rejected",
                })
                .or_default() += 1;
        }
    }
    assert_eq!(verdicts.get("rejected"), None, "{verdicts:?}");
    assert!(
        verdicts.get("duplicate").copied().unwrap_or(0) >= answered_before_kill * 200,
        "what the first instance accepted is known to the second: {verdicts:?}"
    );
    let log = log_of(&second, &a).await;
    let expected = 1 + batches.len() * 200;
    assert_eq!(log.len(), expected, "every operation once");
    let ids: std::collections::BTreeSet<&str> = log.iter().map(|(_, id)| id.as_str()).collect();
    assert_eq!(ids.len(), expected, "no duplicate");
    for batch in &batches {
        for op in batch {
            assert!(ids.contains(op.id.as_str()), "lost {}", op.id);
        }
    }
    let seqs: Vec<i64> = log.iter().map(|(seq, _)| *seq).collect();
    let first_seq = seqs[0];
    assert!(
        seqs.iter()
            .enumerate()
            .all(|(n, seq)| *seq == first_seq + n as i64),
        "the sequence has a gap: {:?}",
        &seqs[..seqs.len().min(20)]
    );
}

/// 0 to 700 ms, different each run: where in the pushes the kill lands.
fn rand_millis() -> u16 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    (nanos % 700) as u16
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_restore_devices_are_told_to_sync_again_and_nothing_is_lost() {
    let backend = Backend::sqlite();
    backend.add_user("ops@example.com", "MSP", "operator").await;
    let file = backend
        .url
        .strip_prefix("sqlite://")
        .expect("a SQLite file URL")
        .to_owned();
    let mut instance = Instance::start(Launch::database(&backend.url)).await;
    let device = token(&instance, "ops@example.com").await;
    let mut writer = Writer::new();
    let before_backup = writer.ops(5);
    push(&instance, &device, &before_backup)
        .await
        .expect("push");
    let (_, body) = pull(&instance, &device, "after=0").await;
    let epoch = body["epoch"].as_str().expect("epoch").to_owned();

    // The backup: the database file of a stopped server.
    instance.terminate();
    assert_eq!(instance.exit_code(Duration::from_secs(15)).await, Some(0));
    let backup = format!("{file}.backup");
    std::fs::copy(&file, &backup).expect("back up");
    let mut instance = Instance::start(Launch::database(&backend.url)).await;
    let after_backup = writer.ops(3);
    push(&instance, &device, &after_backup).await.expect("push");
    instance.terminate();
    assert_eq!(instance.exit_code(Duration::from_secs(15)).await, Some(0));

    // The disaster and the restore.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{file}{suffix}"));
    }
    std::fs::copy(&backup, &file).expect("restore");
    let cli = backend.cli(&["after-restore"], None, "").await;
    cli.assert_success();
    assert!(cli.stdout.contains("MSP: new log epoch"), "{cli:?}");
    let instance = Instance::start(Launch::database(&backend.url)).await;

    // The device, still at its old epoch, is told to start again...
    let (status, body) = pull(&instance, &device, &format!("after=8&epoch={epoch}")).await;
    assert_eq!(status, 200, "{body}");
    let answer: PullResponse = serde_json::from_value(body).expect("a pull answer");
    assert_ne!(answer.epoch, epoch);
    assert!(
        answer
            .controls
            .iter()
            .any(|c| matches!(c, plumbline_wire::Control::MustResync { .. })),
        "{answer:?}"
    );
    // ...and pushes its operations again, as its store does on must_resync: what the
    // backup lacked is accepted, the rest is known.
    let all: Vec<Operation> = before_backup.iter().chain(&after_backup).cloned().collect();
    let answer = push(&instance, &device, &all).await.expect("push again");
    let outcomes: Vec<&str> = answer
        .verdicts
        .iter()
        .map(|v| match v.outcome {
            Outcome::Accepted { .. } => "accepted",
            Outcome::Duplicate { .. } => "duplicate",
            Outcome::Rejected { .. } => "rejected",
        })
        .collect();
    assert_eq!(
        outcomes,
        [["duplicate"; 5].as_slice(), &["accepted"; 3]].concat()
    );
    assert_eq!(log_of(&instance, &device).await.len(), 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_is_served_and_names_exactly_the_routes_served() {
    let backend = Backend::sqlite();
    let instance = Instance::start(Launch::database(&backend.url)).await;
    let (status, text) = instance.get(plumbline_wire::OPENAPI_PATH, None).await;
    assert_eq!(status, 200);
    let served: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(served, plumbline_server::openapi::document());
    let paths = served["paths"].as_object().expect("paths");
    let mut operations = 0;
    for (path, methods) in paths {
        let concrete = path.replace("{sha256}", &"0".repeat(64));
        for method in methods.as_object().expect("methods").keys() {
            operations += 1;
            let method =
                reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method");
            let response = instance
                .http()
                .request(method.clone(), instance.url(&concrete))
                .send()
                .await
                .expect("request");
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            assert!(
                status != 404 && status != 405 || body.contains("no blob"),
                "{method} {path} is in the document but not served: {status} {body}"
            );
        }
        // A method the document does not list is not served.
        if !methods.as_object().expect("methods").contains_key("delete") {
            let response = instance
                .http()
                .delete(instance.url(&concrete))
                .send()
                .await
                .expect("request");
            assert_eq!(response.status().as_u16(), 405, "DELETE {path}");
        }
    }
    assert_eq!(operations, plumbline_server::openapi::routes().len());
}

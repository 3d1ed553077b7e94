//! Sync over HTTP (SYNC.md): push and pull with their page boundaries and checksums,
//! blobs, snapshots, live mode, the log's epoch, grants and revocations, four eyes, and
//! the authorisation matrix: every endpoint × every role × own tenant / another tenant of
//! the same workspace / another workspace / a revoked device.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use plumbline_wire::{
    decode_blob_frames, encode_blob_frames, BlobBundle, BlobCodec, BlobFrame, CaptureItem,
    CaptureRecord, Checksum, Control, DecisionRecord, Hlc, OpBody, Operation, Outcome,
    PullResponse, PushResponse, Snapshot, TenantFields, BLOBS_FETCH_PATH, BLOBS_MISSING_PATH,
    BLOBS_UPLOAD_PATH, BLOB_FRAMES_TYPE, BLOB_PATH, HEAD_PATH, PULL_PATH, PUSH_PATH, SNAPSHOT_PATH,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::support::{Backend, Server};

/// A device of the test: its token and the id it writes its operations under.
struct Device {
    token: String,
    origin: String,
    counter: std::cell::Cell<u64>,
}

impl Device {
    async fn sign_in(server: &Server, email: &str) -> Self {
        let token = server.token(email, "test device").await;
        Self {
            token,
            origin: format!("dev-{}", uuid::Uuid::now_v7().simple()),
            counter: std::cell::Cell::new(0),
        }
    }

    fn op(&self, tenant: Option<&str>, body: OpBody) -> Operation {
        let n = self.counter.get() + 1;
        self.counter.set(n);
        Operation {
            id: uuid::Uuid::now_v7().to_string(),
            hlc: Hlc::format(0x0000_0001_0000_0000 + n, &self.origin),
            device_id: self.origin.clone(),
            tenant_id: tenant.map(str::to_owned),
            body,
        }
    }
}

fn sha(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn tenant_set(name: &str) -> OpBody {
    OpBody::TenantSet(TenantFields {
        display_name: Some(name.to_owned()),
        ..TenantFields::default()
    })
}

fn capture(blob: &str) -> OpBody {
    OpBody::Capture(CaptureRecord {
        capture_id: uuid::Uuid::now_v7().to_string(),
        source: "import".to_owned(),
        taken_at: "2026-11-01T00:00:00.000Z".to_owned(),
        origin: None,
        kinds: vec![],
        items: vec![CaptureItem {
            kind: "compliance_policy".to_owned(),
            odata_type: None,
            external_id: "p1".to_owned(),
            name: "Win - Password".to_owned(),
            blob: blob.to_owned(),
            source_path: None,
        }],
        directory_objects: vec![],
        definitions: None,
    })
}

fn decision(action: &str, approves: Option<&str>) -> OpBody {
    OpBody::Decision(DecisionRecord {
        finding: "f".repeat(64),
        action: action.to_owned(),
        base: None,
        actor: "Test Person".to_owned(),
        reason: Some("because".to_owned()),
        expires_at: (action == "accept").then(|| "2027-01-01T00:00:00.000Z".to_owned()),
        accepted_value: None,
        approver: None,
        approves: approves.map(str::to_owned),
    })
}

async fn push(server: &Server, device: &Device, ops: &[Operation]) -> (u16, Value) {
    let response = server
        .http()
        .post(server.url(PUSH_PATH))
        .bearer_auth(&device.token)
        .json(&json!({ "operations": ops }))
        .send()
        .await
        .expect("push");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn push_ok(server: &Server, device: &Device, ops: &[Operation]) -> Vec<Outcome> {
    let (status, body) = push(server, device, ops).await;
    assert_eq!(status, 200, "{body}");
    let answer: PushResponse = serde_json::from_value(body).expect("a push answer");
    answer.verdicts.into_iter().map(|v| v.outcome).collect()
}

async fn pull_as(server: &Server, token: &str, query: &str) -> (u16, Value) {
    let response = server
        .http()
        .get(server.url(&format!("{PULL_PATH}?{query}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("pull");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn pull(server: &Server, device: &Device, query: &str) -> PullResponse {
    let (status, body) = pull_as(server, &device.token, query).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).expect("a pull answer")
}

async fn put_blob(server: &Server, device: &Device, data: &[u8]) -> u16 {
    server
        .http()
        .put(server.url(&format!("{BLOB_PATH}/{}", sha(data))))
        .bearer_auth(&device.token)
        .body(data.to_vec())
        .send()
        .await
        .expect("put blob")
        .status()
        .as_u16()
}

async fn get_blob(server: &Server, device: &Device, hash: &str) -> (u16, Vec<u8>) {
    let response = server
        .http()
        .get(server.url(&format!("{BLOB_PATH}/{hash}")))
        .bearer_auth(&device.token)
        .send()
        .await
        .expect("get blob");
    let status = response.status().as_u16();
    (status, response.bytes().await.expect("bytes").to_vec())
}

async fn post_json(server: &Server, device: &Device, path: &str, body: Value) -> (u16, Vec<u8>) {
    let response = server
        .http()
        .post(server.url(path))
        .bearer_auth(&device.token)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.bytes().await.expect("bytes").to_vec())
}

fn checksum_of(ids: &[&str]) -> Checksum {
    let mut xor = [0u8; 32];
    for id in ids {
        for (x, y) in xor.iter_mut().zip(Sha256::digest(id.as_bytes())) {
            *x ^= y;
        }
    }
    Checksum {
        count: ids.len() as i64,
        xor: hex::encode(xor),
    }
}

fn up_to_date(answer: &PullResponse) -> Option<(i64, BTreeMap<String, Checksum>)> {
    answer.controls.iter().find_map(|c| match c {
        Control::UpToDate { seq, checksums } => Some((*seq, checksums.clone())),
        _ => None,
    })
}

pub async fn push_and_pull_keep_order_pages_and_checksums(backend: &Backend) {
    backend.add_user("admin@example.com", "MSP", "admin").await;
    let server = backend.serve().await;
    let device = Device::sign_in(&server, "admin@example.com").await;

    // An empty log: up to date at 0.
    let empty = pull(&server, &device, "after=0").await;
    assert!(empty.operations.is_empty());
    assert_eq!(empty.last_seq, 0);
    assert_eq!(up_to_date(&empty).map(|u| u.0), Some(0));

    let policy = br#"{"displayName":"Win - Password","passwordMinimumLength":14}"#;
    // The capture references a blob not uploaded yet: refused until it is.
    let tenant = device.op(Some("t1"), tenant_set("Contoso"));
    let early = device.op(Some("t1"), capture(&sha(policy)));
    let verdicts = push_ok(&server, &device, &[tenant.clone(), early.clone()]).await;
    assert_eq!(verdicts[0], Outcome::Accepted { seq: 1 });
    assert!(
        matches!(&verdicts[1], Outcome::Rejected { reason, .. } if reason.code() == "missing_blob"),
        "{verdicts:?}"
    );
    assert_eq!(put_blob(&server, &device, policy).await, 204);
    // A blob whose bytes do not match its name is refused.
    let wrong = server
        .http()
        .put(server.url(&format!("{BLOB_PATH}/{}", sha(b"other"))))
        .bearer_auth(&device.token)
        .body(policy.to_vec())
        .send()
        .await
        .expect("put");
    crate::support::Answer::read(wrong)
        .await
        .assert_error(400, "hash_mismatch");

    let second = device.op(Some("t1"), capture(&sha(policy)));
    let settings = device.op(
        None,
        OpBody::SettingSet {
            key: "four_eyes".to_owned(),
            value: json!(true),
        },
    );
    let verdicts = push_ok(
        &server,
        &device,
        &[tenant.clone(), second.clone(), settings.clone()],
    )
    .await;
    // Idempotent by id: the tenant again is a duplicate with its first sequence.
    assert_eq!(
        verdicts,
        vec![
            Outcome::Duplicate { seq: 1 },
            Outcome::Accepted { seq: 2 },
            Outcome::Accepted { seq: 3 }
        ]
    );

    // Page boundaries: exactly one page, a page and one more, empty after the end.
    let all = pull(&server, &device, "after=0&limit=3").await;
    assert_eq!(
        all.operations.iter().map(|o| o.seq).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(all.operations[1].operation, second);
    assert_eq!(all.last_seq, 3);
    let (seq, checksums) = up_to_date(&all).expect("up to date after the last page");
    assert_eq!(seq, 3);
    assert_eq!(checksums["t1"], checksum_of(&[&tenant.id, &second.id]));
    assert_eq!(checksums[""], checksum_of(&[&settings.id]));
    let first = pull(&server, &device, "after=0&limit=2").await;
    assert_eq!(first.operations.len(), 2);
    assert_eq!(first.last_seq, 2);
    assert!(
        up_to_date(&first).is_none(),
        "not up to date with a page left"
    );
    let rest = pull(&server, &device, "after=2&limit=2").await;
    assert_eq!(
        rest.operations.iter().map(|o| o.seq).collect::<Vec<_>>(),
        [3]
    );
    assert!(up_to_date(&rest).is_some());
    let after_end = pull(&server, &device, "after=3&limit=2").await;
    assert!(after_end.operations.is_empty());
    assert_eq!(after_end.last_seq, 3);

    // The blob is readable now that a record references it, checked by its hash.
    let (status, bytes) = get_blob(&server, &device, &sha(policy)).await;
    assert_eq!(status, 200);
    assert_eq!(sha(&bytes), sha(policy));

    // A snapshot of the tenant up to a sequence, compressed.
    let response = server
        .http()
        .get(server.url(&format!("{SNAPSHOT_PATH}?tenant=t1&up_to=2")))
        .bearer_auth(&device.token)
        .send()
        .await
        .expect("snapshot");
    assert_eq!(response.status().as_u16(), 200);
    let compressed = response.bytes().await.expect("bytes");
    let snapshot: Snapshot =
        serde_json::from_slice(&zstd::bulk::decompress(&compressed, 1 << 24).expect("zstd"))
            .expect("a snapshot");
    assert_eq!(snapshot.up_to, 2);
    assert_eq!(
        snapshot
            .operations
            .iter()
            .map(|o| o.seq)
            .collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(snapshot.epoch, all.epoch);

    // Another epoch (a restored log): start again.
    let stale = pull(
        &server,
        &device,
        "after=3&epoch=00000000-0000-7000-8000-000000000000",
    )
    .await;
    assert!(
        matches!(stale.controls.as_slice(), [Control::MustResync { epoch }] if *epoch == all.epoch),
        "{stale:?}"
    );
    assert!(stale.operations.is_empty());

    // A bad body is an API error, not a crash.
    let (status, body) = post_json(&server, &device, PUSH_PATH, json!({"operations": "no"})).await;
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
}

pub async fn live_pull_wakes_when_another_device_pushes(backend: &Backend) {
    backend.add_user("a@example.com", "MSP", "operator").await;
    backend.add_user("b@example.com", "MSP", "operator").await;
    let server = backend.serve().await;
    let a = Device::sign_in(&server, "a@example.com").await;
    let b = Device::sign_in(&server, "b@example.com").await;
    let head = pull(&server, &a, "after=0").await.last_seq;
    let waiting = {
        let server_url = server.url(&format!("{PULL_PATH}?after={head}&wait=20"));
        let token = a.token.clone();
        let http = server.http().clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let answer: PullResponse = http
                .get(server_url)
                .bearer_auth(token)
                .send()
                .await
                .expect("pull")
                .json()
                .await
                .expect("json");
            (answer, started)
        })
    };
    tokio::time::sleep(Duration::from_millis(600)).await;
    let pushed_at = Instant::now();
    let op = b.op(Some("t9"), tenant_set("Fabrikam"));
    push_ok(&server, &b, std::slice::from_ref(&op)).await;
    let (answer, started) = tokio::time::timeout(Duration::from_secs(20), waiting)
        .await
        .expect("the live pull answers")
        .expect("task");
    assert_eq!(answer.operations.len(), 1, "{answer:?}");
    assert_eq!(answer.operations[0].operation.id, op.id);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "it did not wait for the timeout"
    );
    let latency = pushed_at.elapsed();
    assert!(latency < Duration::from_secs(2), "live latency {latency:?}");
}

/// Adds a user with a password, to a workspace with a role, limited to `tenants`.
pub(crate) async fn member(
    backend: &Backend,
    email: &str,
    workspace: &str,
    role: &str,
    tenants: &[&str],
) {
    let mut args = vec![
        "user",
        "add",
        "--email",
        email,
        "--name",
        email,
        "--workspace",
        workspace,
        "--role",
        role,
    ];
    for tenant in tenants {
        args.extend(["--tenant", tenant]);
    }
    backend
        .cli(&args, Some(crate::support::PASSWORD), "")
        .await
        .assert_success();
}

pub async fn the_authorisation_matrix_holds_on_every_endpoint(backend: &Backend) {
    for (email, role) in [
        ("owner@a.example", "owner"),
        ("admin@a.example", "admin"),
        ("operator@a.example", "operator"),
        ("reviewer@a.example", "reviewer"),
        ("viewer@a.example", "viewer"),
    ] {
        member(backend, email, "A", role, &[]).await;
    }
    member(backend, "limited@a.example", "A", "operator", &["own"]).await;
    member(backend, "stranger@b.example", "B", "owner", &[]).await;
    member(backend, "revoked@a.example", "A", "admin", &[]).await;
    let server = backend.serve().await;

    // The owner sets up two tenants with a policy each.
    let owner = Device::sign_in(&server, "owner@a.example").await;
    let own_policy = b"{\"displayName\":\"own\"}".to_vec();
    let other_policy = b"{\"displayName\":\"other\"}".to_vec();
    put_blob(&server, &owner, &own_policy).await;
    put_blob(&server, &owner, &other_policy).await;
    let accept = owner.op(Some("own"), decision("accept", None));
    let setup = vec![
        owner.op(Some("own"), tenant_set("Own")),
        owner.op(Some("other"), tenant_set("Other")),
        owner.op(Some("own"), capture(&sha(&own_policy))),
        owner.op(Some("other"), capture(&sha(&other_policy))),
        accept.clone(),
    ];
    assert!(push_ok(&server, &owner, &setup)
        .await
        .iter()
        .all(|o| matches!(o, Outcome::Accepted { .. })));

    let revoked = Device::sign_in(&server, "revoked@a.example").await;
    backend
        .cli(
            &["device", "revoke", "--email", "revoked@a.example"],
            None,
            "",
        )
        .await
        .assert_success();

    // What each role may push, on its own tenant, on another, on the workspace.
    let expect = |role: &str, kind: &str| -> &'static str {
        match (role, kind) {
            (_, "audit") => "accepted",
            ("viewer", _) => "forbidden_role",
            ("reviewer", "decision" | "alert_ack") => "accepted",
            ("reviewer", _) => "forbidden_role",
            ("operator", "setting" | "alert_rule") => "forbidden_role",
            ("operator", _) => "accepted",
            _ => "accepted",
        }
    };
    for (email, role) in [
        ("owner@a.example", "owner"),
        ("admin@a.example", "admin"),
        ("operator@a.example", "operator"),
        ("reviewer@a.example", "reviewer"),
        ("viewer@a.example", "viewer"),
    ] {
        let device = Device::sign_in(&server, email).await;
        let audit = OpBody::Audit(plumbline_wire::AuditRecord {
            workspace_id: "w1".to_owned(),
            id: uuid::Uuid::now_v7().to_string(),
            chain_seq: 1,
            at: "2026-11-01T00:00:00.000Z".to_owned(),
            actor: role.to_owned(),
            action: "test".to_owned(),
            target: "x".to_owned(),
            summary: json!({}),
            prev_hash: "0".repeat(64),
            hash: "1".repeat(64),
        });
        let cases = [
            (
                "decision",
                device.op(Some("own"), decision("acknowledge", None)),
            ),
            (
                "capture",
                device.op(Some("own"), capture(&sha(&own_policy))),
            ),
            (
                "setting",
                device.op(
                    None,
                    OpBody::SettingSet {
                        key: "msp_name".to_owned(),
                        value: json!(role),
                    },
                ),
            ),
            ("audit", device.op(None, audit)),
            (
                "alert_ack",
                device.op(
                    Some("own"),
                    OpBody::AlertAck(plumbline_wire::AlertAckRecord {
                        event_id: format!("event-{role}"),
                        fingerprint: "fp".to_owned(),
                        acknowledged_at: "2026-11-01T00:00:00.000Z".to_owned(),
                        actor: role.to_owned(),
                    }),
                ),
            ),
            (
                "alert_rule",
                device.op(
                    None,
                    OpBody::AlertRuleSet(plumbline_wire::AlertRuleRecord {
                        name: format!("rule of {role}"),
                        condition: json!({"kind": "acceptance_lapsed"}),
                        cooldown_secs: 3600,
                        enabled: true,
                        tenant_filter: json!({"tags": ["vip"]}),
                    }),
                ),
            ),
            (
                "silence",
                device.op(
                    Some("own"),
                    OpBody::SilenceSet(plumbline_wire::SilenceRecord {
                        id: uuid::Uuid::now_v7().to_string(),
                        rule: None,
                        starts_at: "2026-11-01T00:00:00.000Z".to_owned(),
                        ends_at: "2026-11-02T00:00:00.000Z".to_owned(),
                        comment: "maintenance".to_owned(),
                    }),
                ),
            ),
        ];
        let ops: Vec<Operation> = cases.iter().map(|(_, op)| op.clone()).collect();
        let verdicts = push_ok(&server, &device, &ops).await;
        for ((kind, _), verdict) in cases.iter().zip(&verdicts) {
            let got = match verdict {
                Outcome::Accepted { .. } => "accepted",
                Outcome::Rejected { reason, .. } => reason.code(),
                Outcome::Duplicate { .. } => "duplicate",
            };
            assert_eq!(got, expect(role, kind), "{role} pushing a {kind}");
        }
        // Everyone in the workspace sees both tenants (no limit) and their blobs.
        let answer = pull(&server, &device, "after=0").await;
        assert!(answer
            .operations
            .iter()
            .any(|o| o.operation.tenant_id.as_deref() == Some("other")));
        assert_eq!(
            get_blob(&server, &device, &sha(&other_policy)).await.0,
            200,
            "{role}"
        );
    }

    // A membership limited to one tenant: nothing of the other.
    let limited = Device::sign_in(&server, "limited@a.example").await;
    let answer = pull(&server, &limited, "after=0").await;
    assert!(!answer.operations.is_empty());
    assert!(
        answer.operations.iter().all(|o| o
            .operation
            .tenant_id
            .as_deref()
            .is_none_or(|t| t == "own")),
        "{answer:?}"
    );
    let (_, checksums) = up_to_date(&answer).expect("up to date");
    assert!(
        !checksums.contains_key("other"),
        "no checksum of another tenant"
    );
    let verdicts = push_ok(
        &server,
        &limited,
        &[
            limited.op(Some("own"), decision("acknowledge", None)),
            limited.op(Some("other"), decision("acknowledge", None)),
            limited.op(
                None,
                OpBody::BaselineRetire {
                    baseline_id: "b".to_owned(),
                    version_id: "v".to_owned(),
                },
            ),
        ],
    )
    .await;
    assert!(matches!(verdicts[0], Outcome::Accepted { .. }));
    assert!(
        matches!(&verdicts[1], Outcome::Rejected { reason, .. } if reason.code() == "forbidden_tenant")
    );
    assert!(
        matches!(&verdicts[2], Outcome::Rejected { reason, .. } if reason.code() == "forbidden_tenant")
    );
    // Its blobs: its own tenant's readable; the other's neither readable nor probeable.
    assert_eq!(get_blob(&server, &limited, &sha(&own_policy)).await.0, 200);
    assert_eq!(
        get_blob(&server, &limited, &sha(&other_policy)).await.0,
        404
    );
    let never = sha(b"never uploaded");
    assert_eq!(
        get_blob(&server, &limited, &never).await.0,
        404,
        "absent and foreign look the same"
    );
    let head = |hash: String| {
        let request = server
            .http()
            .head(server.url(&format!("{BLOB_PATH}/{hash}")))
            .bearer_auth(&limited.token)
            .send();
        async move { request.await.expect("head").status().as_u16() }
    };
    assert_eq!(head(sha(&other_policy)).await, 404);
    assert_eq!(head(sha(&own_policy)).await, 200);
    let (status, body) = post_json(
        &server,
        &limited,
        BLOBS_MISSING_PATH,
        json!({"hashes": [sha(&own_policy), sha(&other_policy), never.clone()]}),
    )
    .await;
    assert_eq!(status, 200);
    let missing: Value = serde_json::from_slice(&body).expect("json");
    let mut expected = vec![sha(&other_policy), never.clone()];
    expected.sort();
    let mut got: Vec<String> = serde_json::from_value(missing["hashes"].clone()).expect("list");
    got.sort();
    assert_eq!(got, expected, "a foreign blob answers as missing");
    let (status, body) = post_json(
        &server,
        &limited,
        BLOBS_FETCH_PATH,
        json!({"hashes": [sha(&own_policy), sha(&other_policy)]}),
    )
    .await;
    assert_eq!(status, 200);
    let bundle: BlobBundle =
        serde_json::from_slice(&zstd::bulk::decompress(&body, 1 << 24).expect("zstd"))
            .expect("bundle");
    assert_eq!(
        bundle
            .blobs
            .iter()
            .map(|b| b.sha256.clone())
            .collect::<Vec<_>>(),
        [sha(&own_policy)]
    );
    let snapshot = server
        .http()
        .get(server.url(&format!("{SNAPSHOT_PATH}?tenant=other&up_to=100")))
        .bearer_auth(&limited.token)
        .send()
        .await
        .expect("snapshot");
    crate::support::Answer::read(snapshot)
        .await
        .assert_error(403, "forbidden");
    // Its head lists the workspace and its own tenant, no other.
    let head = head_of(&server, &limited.token).await;
    assert_eq!(
        head.tenants.keys().cloned().collect::<Vec<_>>(),
        ["".to_owned(), "own".to_owned()]
    );
    // …with the same checksums a pull from the start ends with.
    let (seq, checksums) =
        up_to_date(&pull(&server, &limited, "after=0").await).expect("up to date");
    assert_eq!(head.head, seq);
    assert_eq!(head.tenants["own"], checksums["own"], "{head:?}");
    assert!(head.tenants["own"].count > 0);

    // Another workspace sees nothing of this one and reads none of its blobs.
    let stranger = Device::sign_in(&server, "stranger@b.example").await;
    let answer = pull(&server, &stranger, "after=0").await;
    assert!(answer.operations.is_empty(), "{answer:?}");
    let head = head_of(&server, &stranger.token).await;
    assert!(
        !head.tenants.contains_key("own") && !head.tenants.contains_key("other"),
        "{head:?}"
    );
    assert_eq!(get_blob(&server, &stranger, &sha(&own_policy)).await.0, 404);
    // Its operations on a tenant id of workspace A land in its own workspace.
    push_ok(
        &server,
        &stranger,
        &[stranger.op(Some("own"), tenant_set("Mine"))],
    )
    .await;
    let owner_view = pull(&server, &owner, "after=0").await;
    assert!(owner_view
        .operations
        .iter()
        .all(|o| o.operation.device_id != stranger.origin));

    // A device may not write into another device's operations (its audit chain).
    let admin = Device::sign_in(&server, "admin@a.example").await;
    let mut forged = admin.op(Some("own"), decision("comment", None));
    forged.device_id = owner.origin.clone();
    let verdicts = push_ok(&server, &admin, &[forged]).await;
    assert!(
        matches!(&verdicts[0], Outcome::Rejected { reason, .. } if reason.code() == "wrong_device")
    );

    // Four eyes: the accepter cannot approve; a reviewer can.
    let verdicts = push_ok(
        &server,
        &owner,
        &[owner.op(Some("own"), decision("approve", Some(&accept.id)))],
    )
    .await;
    assert!(
        matches!(&verdicts[0], Outcome::Rejected { reason, .. } if reason.code() == "same_approver")
    );
    let reviewer = Device::sign_in(&server, "reviewer@a.example").await;
    let verdicts = push_ok(
        &server,
        &reviewer,
        &[reviewer.op(Some("own"), decision("approve", Some(&accept.id)))],
    )
    .await;
    assert!(
        matches!(verdicts[0], Outcome::Accepted { .. }),
        "{verdicts:?}"
    );
    let verdicts = push_ok(
        &server,
        &reviewer,
        &[reviewer.op(Some("own"), decision("approve", Some("no-such-op")))],
    )
    .await;
    assert!(matches!(&verdicts[0], Outcome::Rejected { reason, .. } if reason.code() == "invalid"));

    // A revoked device reaches nothing.
    for path in [
        format!("{PULL_PATH}?after=0"),
        HEAD_PATH.to_owned(),
        format!("{SNAPSHOT_PATH}?tenant=own&up_to=1"),
        format!("{BLOB_PATH}/{}", sha(&own_policy)),
    ] {
        let response = server
            .http()
            .get(server.url(&path))
            .bearer_auth(&revoked.token)
            .send()
            .await
            .expect("request");
        crate::support::Answer::read(response)
            .await
            .assert_error(401, "revoked");
    }
    let (status, _) = push(
        &server,
        &revoked,
        &[revoked.op(Some("own"), tenant_set("x"))],
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = pull_as(&server, "not-a-token", "after=0").await;
    assert_eq!(status, 401);
}

/// The caller's head of the log (the tenants it may see, with their checksums).
async fn post_frames(server: &Server, device: &Device, frames: &[BlobFrame]) -> (u16, Value) {
    post_bytes(server, device, encode_blob_frames(frames).expect("frames")).await
}

async fn post_bytes(server: &Server, device: &Device, body: Vec<u8>) -> (u16, Value) {
    let response = server
        .http()
        .post(server.url(BLOBS_UPLOAD_PATH))
        .bearer_auth(&device.token)
        .header("content-type", BLOB_FRAMES_TYPE)
        .body(body)
        .send()
        .await
        .expect("upload");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn zstd_frame(data: &[u8]) -> BlobFrame {
    BlobFrame {
        sha256: sha(data),
        codec: BlobCodec::Zstd,
        size: data.len() as u64,
        data: zstd::bulk::compress(data, 3).expect("zstd"),
    }
}

/// Blob frames: a zstd frame is kept and served exactly as the device sent it, a plain
/// one is compressed once on arrival, and every blob decodes to its bytes however it is
/// asked for (frames, a JSON bundle, one by one). A frame that does not decode to its
/// size and hash, or a cut stream, refuses the whole upload: nothing of it is kept.
pub async fn blob_frames_are_kept_as_sent_and_checked(backend: &Backend) {
    member(backend, "owner@a.example", "A", "owner", &[]).await;
    let server = backend.serve().await;
    let owner = Device::sign_in(&server, "owner@a.example").await;
    let packed = br#"{"displayName":"packed","omaSettings":[1,2,3]}"#.to_vec();
    let plain = br#"{"displayName":"plain"}"#.to_vec();
    let sent = zstd_frame(&packed);
    let (status, body) = post_frames(
        &server,
        &owner,
        &[
            sent.clone(),
            BlobFrame {
                sha256: sha(&plain),
                codec: BlobCodec::None,
                size: plain.len() as u64,
                data: plain.clone(),
            },
        ],
    )
    .await;
    assert_eq!(status, 204, "{body}");
    push_ok(
        &server,
        &owner,
        &[
            owner.op(Some("t1"), tenant_set("T1")),
            owner.op(Some("t1"), capture(&sha(&packed))),
            owner.op(Some("t1"), capture(&sha(&plain))),
        ],
    )
    .await;

    let response = server
        .http()
        .post(server.url(BLOBS_FETCH_PATH))
        .bearer_auth(&owner.token)
        .header("accept", BLOB_FRAMES_TYPE)
        .json(&json!({"hashes": [sha(&packed), sha(&plain)]}))
        .send()
        .await
        .expect("fetch");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().expect("type"),
        BLOB_FRAMES_TYPE
    );
    let mut got = decode_blob_frames(&response.bytes().await.expect("bytes")).expect("frames");
    got.sort_by(|a, b| a.sha256.cmp(&b.sha256));
    assert_eq!(got.len(), 2);
    let got_packed = got
        .iter()
        .find(|f| f.sha256 == sha(&packed))
        .expect("packed");
    assert_eq!(got_packed, &sent, "a zstd frame comes back as it was sent");
    let got_plain = got.iter().find(|f| f.sha256 == sha(&plain)).expect("plain");
    assert_eq!(got_plain.codec, BlobCodec::Zstd, "compressed on arrival");
    assert_eq!(got_plain.size, plain.len() as u64);
    assert_eq!(
        zstd::bulk::decompress(&got_plain.data, plain.len()).expect("zstd"),
        plain
    );

    // Without the media type: the compressed JSON bundle, every blob decoded.
    let (status, body) = post_json(
        &server,
        &owner,
        BLOBS_FETCH_PATH,
        json!({"hashes": [sha(&packed), sha(&plain)]}),
    )
    .await;
    assert_eq!(status, 200);
    let bundle: BlobBundle =
        serde_json::from_slice(&zstd::bulk::decompress(&body, 1 << 24).expect("zstd"))
            .expect("bundle");
    let engine = base64::engine::general_purpose::STANDARD;
    let mut decoded: Vec<Vec<u8>> = bundle
        .blobs
        .iter()
        .map(|b| base64::Engine::decode(&engine, &b.data).expect("base64"))
        .collect();
    decoded.sort();
    let mut expected = vec![packed.clone(), plain.clone()];
    expected.sort();
    assert_eq!(decoded, expected);
    assert_eq!(
        get_blob(&server, &owner, &sha(&packed)).await,
        (200, packed.clone())
    );

    // Damaged uploads, each beside a good blob: refused whole, with what is wrong.
    let good = br#"{"displayName":"good"}"#.to_vec();
    let other = br#"{"displayName":"other"}"#.to_vec();
    let mut wrong_hash = zstd_frame(&other);
    wrong_hash.sha256 = sha(&packed[..10]);
    let mut wrong_size = zstd_frame(&other);
    wrong_size.size -= 1;
    let mut too_large = zstd_frame(&other);
    too_large.size = 1 << 40;
    let not_zstd = BlobFrame {
        data: other.clone(),
        ..zstd_frame(&other)
    };
    // A skippable zstd frame (magic 0x184D2A50, length, payload) after the blob's frame:
    // it decodes alike, but would be kept and served with it.
    let mut padded = zstd_frame(&other);
    padded.data.extend_from_slice(&0x184D_2A50u32.to_le_bytes());
    padded.data.extend_from_slice(&4096u32.to_le_bytes());
    padded.data.extend_from_slice(&[0u8; 4096]);
    for (what, bad) in [
        ("a frame padded with a skippable frame", padded),
        ("a frame of other bytes", wrong_hash),
        ("a frame shorter than it says", wrong_size),
        ("a frame claiming a terabyte", too_large),
        ("plain bytes called zstd", not_zstd),
    ] {
        let (status, body) = post_frames(&server, &owner, &[zstd_frame(&good), bad]).await;
        assert_eq!(status, 400, "{what}: {body}");
        assert_eq!(body["error"]["code"], "hash_mismatch", "{what}: {body}");
    }
    let stream = encode_blob_frames(&[zstd_frame(&good)]).expect("frames");
    let (status, body) = post_bytes(&server, &owner, stream[..stream.len() - 1].to_vec()).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "bad_request", "{body}");
    let (status, body) = post_json(
        &server,
        &owner,
        BLOBS_MISSING_PATH,
        json!({"hashes": [sha(&good)]}),
    )
    .await;
    assert_eq!(status, 200);
    let missing: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(
        missing["hashes"],
        json!([sha(&good)]),
        "nothing of a refused upload is kept"
    );
}

async fn head_of(server: &Server, token: &str) -> plumbline_wire::SyncHead {
    let response = server
        .http()
        .get(server.url(HEAD_PATH))
        .bearer_auth(token)
        .send()
        .await
        .expect("head");
    assert_eq!(response.status(), 200);
    response.json().await.expect("a head")
}

pub async fn changing_a_membership_grants_and_revokes_tenants(backend: &Backend) {
    member(backend, "owner@a.example", "A", "owner", &[]).await;
    member(backend, "limited@a.example", "A", "operator", &["t1"]).await;
    let server = backend.serve().await;
    let owner = Device::sign_in(&server, "owner@a.example").await;
    push_ok(
        &server,
        &owner,
        &[
            owner.op(Some("t1"), tenant_set("One")),
            owner.op(Some("t2"), tenant_set("Two")),
        ],
    )
    .await;
    let limited = Device::sign_in(&server, "limited@a.example").await;
    let first = pull(&server, &limited, "after=0").await;
    assert_eq!(first.operations.len(), 1);
    assert!(!first.controls.iter().any(|c| matches!(
        c,
        Control::GrantTenant { .. } | Control::RevokeTenant { .. }
    )));
    let cursor = first.last_seq;

    // Now limited to t2 only: t1 is revoked, t2 granted (its earlier records come from
    // a snapshot).
    member(backend, "limited@a.example", "A", "operator", &["t2"]).await;
    let changed = pull(&server, &limited, &format!("after={cursor}")).await;
    assert!(
        changed.controls.contains(&Control::RevokeTenant {
            tenant_id: "t1".to_owned()
        }),
        "{changed:?}"
    );
    assert!(
        changed.controls.contains(&Control::GrantTenant {
            tenant_id: "t2".to_owned()
        }),
        "{changed:?}"
    );
    // Said once.
    let again = pull(&server, &limited, &format!("after={}", changed.last_seq)).await;
    assert!(!again.controls.iter().any(|c| matches!(
        c,
        Control::GrantTenant { .. } | Control::RevokeTenant { .. }
    )));
    let verdicts = push_ok(
        &server,
        &limited,
        &[limited.op(Some("t1"), tenant_set("x"))],
    )
    .await;
    assert!(
        matches!(&verdicts[0], Outcome::Rejected { reason, .. } if reason.code() == "forbidden_tenant")
    );
}

pub async fn a_stranger_cannot_lock_the_real_user_out(backend: &Backend) {
    backend
        .add_user("alice@example.com", "MSP", "operator")
        .await;
    let server = backend.serve().await;
    // Five wrong passwords from 127.0.0.2 lock that address out for alice...
    let stranger = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .expect("client");
    let attempt = |client: reqwest::Client, password: &'static str| {
        let url = server.url("/api/v1/auth/sign-in");
        async move {
            let response = client
                .post(url)
                .json(&json!({"email": "alice@example.com", "password": password, "device_name": "x"}))
                .send()
                .await
                .expect("sign-in");
            response.status().as_u16()
        }
    };
    for _ in 0..5 {
        assert_eq!(attempt(stranger.clone(), "wrong password!").await, 401);
    }
    assert_eq!(
        attempt(stranger.clone(), crate::support::PASSWORD).await,
        429
    );
    // ...but alice, from her own address, signs in.
    let alice = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 1]))
        .build()
        .expect("client");
    assert_eq!(attempt(alice, crate::support::PASSWORD).await, 200);
}

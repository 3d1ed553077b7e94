//! Leases (SYNC.md): one holder at a time per work item, expiry returns the item to the
//! pool, completion rests it, and the caller's role, tenants and workspace bound what it
//! may take.

use std::collections::BTreeMap;
use std::time::Duration;

use plumbline_wire::{
    ClaimResponse, RenewResponse, LEASE_CLAIM_PATH, LEASE_COMPLETE_PATH, LEASE_RENEW_PATH,
};
use serde_json::{json, Value};

use crate::support::{Answer, Backend, Server};
use crate::sync::member;

async fn post(server: &Server, token: &str, path: &str, body: Value) -> Answer {
    let response = server
        .http()
        .post(server.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("lease request");
    Answer::read(response).await
}

async fn claim(
    server: &Server,
    token: &str,
    items: &[(&str, Option<&str>)],
    ttl: u32,
) -> ClaimResponse {
    let items: Vec<Value> = items
        .iter()
        .map(|(key, tenant)| json!({ "key": key, "tenant_id": tenant }))
        .collect();
    let answer = post(
        server,
        token,
        LEASE_CLAIM_PATH,
        json!({ "items": items, "ttl_seconds": ttl }),
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:#?}");
    serde_json::from_value(answer.body).expect("a claim response")
}

fn granted(answer: &ClaimResponse) -> Vec<&str> {
    answer.granted.iter().map(|l| l.key.as_str()).collect()
}

fn refused(answer: &ClaimResponse) -> Vec<(&str, String)> {
    answer
        .refused
        .iter()
        .map(|r| {
            (
                r.key.as_str(),
                serde_json::to_value(r.reason)
                    .expect("json")
                    .as_str()
                    .expect("a string")
                    .to_owned(),
            )
        })
        .collect()
}

async fn complete(server: &Server, token: &str, key: &str, lease_id: &str, rest: u64) -> bool {
    let answer = post(
        server,
        token,
        LEASE_COMPLETE_PATH,
        json!({ "key": key, "lease_id": lease_id, "rest_seconds": rest }),
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:#?}");
    answer.body["completed"].as_bool().expect("completed")
}

async fn renew(server: &Server, token: &str, key: &str, lease_id: &str) -> RenewResponse {
    let answer = post(
        server,
        token,
        LEASE_RENEW_PATH,
        json!({ "leases": [{ "key": key, "lease_id": lease_id }], "ttl_seconds": 60 }),
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:#?}");
    serde_json::from_value(answer.body).expect("a renew response")
}

fn lease_id<'a>(answer: &'a ClaimResponse, key: &str) -> &'a str {
    &answer
        .granted
        .iter()
        .find(|l| l.key == key)
        .unwrap_or_else(|| panic!("{key} was not granted: {answer:#?}"))
        .lease_id
}

pub async fn leases_have_one_holder_expire_rest_and_keep_to_the_membership(backend: &Backend) {
    member(backend, "agent@a.example", "A", "operator", &[]).await;
    member(backend, "admin@a.example", "A", "admin", &[]).await;
    member(backend, "reviewer@a.example", "A", "reviewer", &[]).await;
    member(backend, "viewer@a.example", "A", "viewer", &[]).await;
    member(backend, "limited@a.example", "A", "operator", &["own"]).await;
    member(backend, "stranger@b.example", "B", "owner", &[]).await;
    let server = backend.serve().await;
    // Two agents of one service account: two devices.
    let first = server.token("agent@a.example", "agent 1").await;
    let second = server.token("agent@a.example", "agent 2").await;

    let own = ("capture:own", Some("own"));
    let other = ("capture:other", Some("other"));
    let a = claim(&server, &first, &[own, other, own], 60).await;
    assert_eq!(
        granted(&a),
        ["capture:other", "capture:own"],
        "a repeated item counts once"
    );
    assert!(a.granted.iter().all(|l| l.attempts == 0));
    let b = claim(&server, &second, &[own, other], 60).await;
    assert!(b.granted.is_empty(), "{b:#?}");
    assert_eq!(
        refused(&b),
        [
            ("capture:other", "held".to_owned()),
            ("capture:own", "held".to_owned())
        ]
    );

    // Another device cannot renew or complete a lease it does not hold.
    let stolen = renew(&server, &second, "capture:own", lease_id(&a, "capture:own")).await;
    assert_eq!(stolen.lost, ["capture:own"]);
    assert!(
        !complete(
            &server,
            &second,
            "capture:own",
            lease_id(&a, "capture:own"),
            0
        )
        .await
    );
    let kept = renew(&server, &first, "capture:own", lease_id(&a, "capture:own")).await;
    assert_eq!(kept.renewed.len(), 1, "{kept:#?}");

    // Completed with a rest: nobody gets it until then; without one: free at once.
    assert!(
        complete(
            &server,
            &first,
            "capture:own",
            lease_id(&a, "capture:own"),
            3_600
        )
        .await
    );
    assert!(
        complete(
            &server,
            &first,
            "capture:other",
            lease_id(&a, "capture:other"),
            0
        )
        .await
    );
    let c = claim(&server, &second, &[own, other], 60).await;
    assert_eq!(granted(&c), ["capture:other"]);
    assert_eq!(c.granted[0].attempts, 1, "granted once before");
    assert_eq!(refused(&c), [("capture:own", "resting".to_owned())]);

    // A lease that is not renewed expires and the item returns to the pool; the late
    // holder's renewal and completion then change nothing.
    let d = claim(&server, &first, &[("delivery:d1", Some("own"))], 5).await;
    assert_eq!(granted(&d), ["delivery:d1"]);
    let held = claim(&server, &second, &[("delivery:d1", Some("own"))], 60).await;
    assert_eq!(refused(&held), [("delivery:d1", "held".to_owned())]);
    tokio::time::sleep(Duration::from_millis(5_300)).await;
    let e = claim(&server, &second, &[("delivery:d1", Some("own"))], 60).await;
    assert_eq!(granted(&e), ["delivery:d1"], "{e:#?}");
    assert_eq!(e.granted[0].attempts, 1);
    assert_eq!(
        renew(&server, &first, "delivery:d1", lease_id(&d, "delivery:d1"))
            .await
            .lost,
        ["delivery:d1"]
    );
    assert!(
        !complete(
            &server,
            &first,
            "delivery:d1",
            lease_id(&d, "delivery:d1"),
            0
        )
        .await
    );
    assert!(
        complete(
            &server,
            &second,
            "delivery:d1",
            lease_id(&e, "delivery:d1"),
            0
        )
        .await
    );

    // An item keeps its tenant: a member of "own" cannot take "other"'s delivery by
    // naming its own tenant.
    let admin = server.token("admin@a.example", "admin").await;
    let f = claim(&server, &admin, &[("delivery:d2", Some("other"))], 60).await;
    assert!(
        complete(
            &server,
            &admin,
            "delivery:d2",
            lease_id(&f, "delivery:d2"),
            0
        )
        .await
    );
    let limited = server.token("limited@a.example", "limited").await;
    let g = claim(&server, &limited, &[("delivery:d2", Some("own"))], 60).await;
    assert!(g.granted.is_empty(), "{g:#?}");
    let h = claim(&server, &limited, &[("delivery:d1", Some("own"))], 60).await;
    assert_eq!(
        granted(&h),
        ["delivery:d1"],
        "its own tenant's work it may take"
    );

    // Role, tenant and form are checked before anything is granted.
    for (token, items, status, code) in [
        (
            &limited,
            json!([{ "key": "capture:other", "tenant_id": "other" }]),
            403,
            "forbidden",
        ),
        (&limited, json!([{ "key": "delivery:w" }]), 403, "forbidden"),
        (
            &first,
            json!([{ "key": "capture:own", "tenant_id": "other" }]),
            400,
            "bad_request",
        ),
        (
            &first,
            json!([{ "key": "report:own", "tenant_id": "own" }]),
            400,
            "bad_request",
        ),
        (
            &first,
            json!([{ "key": "capture:", "tenant_id": "" }]),
            400,
            "bad_request",
        ),
    ] {
        let answer = post(
            &server,
            token,
            LEASE_CLAIM_PATH,
            json!({ "items": items, "ttl_seconds": 60 }),
        )
        .await;
        answer.assert_error(status, code);
    }
    for email in ["reviewer@a.example", "viewer@a.example"] {
        let token = server.token(email, "not an agent").await;
        let message = post(
            &server,
            &token,
            LEASE_CLAIM_PATH,
            json!({ "items": [{ "key": "capture:own", "tenant_id": "own" }], "ttl_seconds": 60 }),
        )
        .await
        .assert_error(403, "forbidden");
        assert!(message.contains("operator"), "{message}");
    }
    let too_short = post(
        &server,
        &first,
        LEASE_CLAIM_PATH,
        json!({ "items": [], "ttl_seconds": 1 }),
    )
    .await;
    too_short.assert_error(400, "bad_request");
    let many: Vec<Value> = (0..501)
        .map(|i| json!({ "key": format!("delivery:{i}"), "tenant_id": "own" }))
        .collect();
    post(
        &server,
        &first,
        LEASE_CLAIM_PATH,
        json!({ "items": many, "ttl_seconds": 60 }),
    )
    .await
    .assert_error(400, "bad_request");
    let unauthenticated = server
        .http()
        .post(server.url(LEASE_CLAIM_PATH))
        .json(&json!({ "items": [], "ttl_seconds": 60 }))
        .send()
        .await
        .expect("request");
    assert_eq!(unauthenticated.status().as_u16(), 401);

    // Workspaces do not share items: B's capture of a tenant with the same id is B's.
    let stranger = server.token("stranger@b.example", "b's agent").await;
    let b_claim = claim(&server, &stranger, &[other], 60).await;
    assert_eq!(granted(&b_claim), ["capture:other"]);

    let metrics = server
        .http()
        .get(server.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    for outcome in ["granted", "refused", "renewed", "lost", "completed"] {
        let line = metrics
            .lines()
            .find(|l| l.starts_with(&format!("plumbline_leases_total{{outcome=\"{outcome}\"}}")))
            .unwrap_or_else(|| panic!("no {outcome} line in {metrics}"));
        let value: u64 = line
            .rsplit(' ')
            .next()
            .and_then(|v| v.parse().ok())
            .expect("a count");
        assert!(value > 0, "{line}");
    }
}

pub async fn concurrent_claims_grant_each_item_once(backend: &Backend) {
    member(backend, "agent@a.example", "A", "operator", &[]).await;
    let server = std::sync::Arc::new(backend.serve().await);
    let mut tokens = Vec::new();
    for n in 0..8 {
        tokens.push(server.token("agent@a.example", &format!("agent {n}")).await);
    }
    let items: Vec<Value> = (0..60)
        .map(|i| json!({ "key": format!("capture:t{i}"), "tenant_id": format!("t{i}") }))
        .collect();
    let mut set = tokio::task::JoinSet::new();
    for (n, token) in tokens.into_iter().enumerate() {
        let server = server.clone();
        let mut items = items.clone();
        // Each agent asks in its own order.
        let shift = (n * 7) % items.len();
        items.rotate_left(shift);
        set.spawn(async move {
            let mut won = Vec::new();
            for chunk in items.chunks(20) {
                let answer = post(
                    &server,
                    &token,
                    LEASE_CLAIM_PATH,
                    json!({ "items": chunk, "ttl_seconds": 60 }),
                )
                .await;
                assert_eq!(answer.status, 200, "{answer:#?}");
                let answer: ClaimResponse = serde_json::from_value(answer.body).expect("claim");
                won.extend(answer.granted.into_iter().map(|l| l.key));
            }
            won
        });
    }
    let mut holders: BTreeMap<String, u32> = BTreeMap::new();
    while let Some(won) = set.join_next().await {
        for key in won.expect("agent task") {
            *holders.entry(key).or_default() += 1;
        }
    }
    assert_eq!(holders.len(), 60, "every item granted: {holders:?}");
    assert!(holders.values().all(|n| *n == 1), "each once: {holders:?}");
}

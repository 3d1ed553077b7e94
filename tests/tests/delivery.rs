//! Alert delivery against real receivers on loopback (ALERTS.md): Standard Webhooks
//! signatures (and a rotation), the documented shapes of Teams, Slack and PagerDuty,
//! e-mail through a real SMTP relay on loopback (STARTTLS and smtps with the relay's own
//! CA, nothing in clear text unless allowed, 4xx retried and 5xx not),
//! retries on 5xx and 429 (with and without `Retry-After`) and none on 400, dead letters
//! and replays, a receiver down for an hour getting every alert once afterwards,
//! destinations disabled on 410 or after a day of failures (with admins told on another
//! channel), SSRF refusals, and alerts from reviews queued once per routed destination
//! under ids every device computes alike. Time is the test's: each round is given its
//! "now".

use std::collections::BTreeSet;

use chrono::{DateTime, TimeDelta, Utc};
use plumbline_core::delivery::email::{EmailSettings, SmtpSecurity};
use plumbline_core::delivery::outbox::{deliver_due, save_destination_secret, Alone, RoundReport};
use plumbline_core::delivery::send::{DestinationKind, DestinationSecret};
use plumbline_core::delivery::signing::{verify, WebhookSecret};
use plumbline_core::keychain::MemoryKeychain;
use plumbline_core::portfolio::{add_demo_tenants, DemoRequest, DEFAULT_SEED};
use plumbline_core::review::{review_all, ReviewOptions};
use plumbline_core::store::{DeliveryRow, Store};
use plumbline_e2e::receiver::{Mode, Receiver};
use plumbline_e2e::smtp::{Answer, Relay, Security};

struct Bench {
    _dir: tempfile::TempDir,
    store: Store,
    keychain: MemoryKeychain,
}

impl Bench {
    async fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("delivery.db"))
            .await
            .expect("open");
        Self {
            _dir: dir,
            store,
            keychain: MemoryKeychain::default(),
        }
    }

    /// A destination on loopback (allowed private), with its secret in the keychain.
    async fn destination(&self, name: &str, kind: DestinationKind, secret: DestinationSecret) {
        let id = uuid::Uuid::now_v7().to_string();
        save_destination_secret(&self.keychain, &id, &secret).expect("keychain");
        self.store
            .add_destination(&id, name, kind, "127.0.0.1", true)
            .await
            .expect("add destination");
    }

    async fn round(&self, now: DateTime<Utc>) -> RoundReport {
        deliver_due(&self.store, &self.keychain, &Alone, now)
            .await
            .expect("deliver")
    }

    async fn delivery(&self, id: &str) -> DeliveryRow {
        self.store.delivery(id).await.expect("delivery")
    }
}

fn webhook(url: String, secrets: &[&WebhookSecret]) -> DestinationSecret {
    DestinationSecret {
        url,
        signing_secrets: secrets.iter().map(|s| s.expose()).collect(),
        routing_key: None,
        email: None,
    }
}

/// A destination at `path` of `receiver` without signing secrets (Teams, Slack,
/// PagerDuty), with a routing key for PagerDuty.
fn unsigned(receiver: &Receiver, path: &str) -> DestinationSecret {
    DestinationSecret {
        url: receiver.url(path),
        signing_secrets: Vec::new(),
        routing_key: Some("R0UTINGKEY0000000000000000000000".to_owned()),
        email: None,
    }
}

fn new_secret() -> WebhookSecret {
    WebhookSecret::generate().expect("secret")
}

/// Checks the Standard Webhooks headers of `request` with `secret`.
fn signed_by(request: &plumbline_e2e::receiver::Received, secret: &WebhookSecret) -> bool {
    let id = request.header("webhook-id").expect("webhook-id");
    let timestamp: i64 = request
        .header("webhook-timestamp")
        .expect("webhook-timestamp")
        .parse()
        .expect("a number");
    let signature = request
        .header("webhook-signature")
        .expect("webhook-signature");
    verify(
        secret,
        &id,
        timestamp,
        &request.body,
        &signature,
        timestamp,
        300,
    )
    .is_ok()
}

#[tokio::test]
async fn webhooks_are_signed_per_the_standard_and_a_rotation_signs_twice() {
    let bench = Bench::new().await;
    let receiver = Receiver::start().await.expect("receiver");
    let old = new_secret();
    bench
        .destination(
            "ops",
            DestinationKind::Webhook,
            webhook(receiver.url("hook"), &[&old]),
        )
        .await;
    let first = bench
        .store
        .enqueue_test_delivery("ops")
        .await
        .expect("test");
    assert_eq!(bench.round(Utc::now()).await.sent, 1);
    let got = receiver.accepted();
    assert_eq!(got.len(), 1);
    assert!(signed_by(&got[0], &old));
    assert!(
        !signed_by(&got[0], &new_secret()),
        "a foreign secret does not verify"
    );
    assert_eq!(
        got[0].header("webhook-id").as_deref(),
        Some(first.event_id.as_str())
    );
    let body = got[0].json();
    assert_eq!(body["type"], "alert.test");
    assert_eq!(body["data"]["event_id"], first.event_id.as_str());
    assert!(body["timestamp"].as_str().is_some());
    assert_eq!(bench.delivery(&first.id).await.state, "sent");

    // Rotation: the new secret first, the old one kept; receivers verify with either.
    let new = new_secret();
    let row = bench.store.destination("ops").await.expect("row");
    save_destination_secret(
        &bench.keychain,
        &row.id,
        &webhook(receiver.url("hook"), &[&new, &old]),
    )
    .expect("rotate");
    bench
        .store
        .enqueue_test_delivery("ops")
        .await
        .expect("test");
    assert_eq!(bench.round(Utc::now()).await.sent, 1);
    let second = receiver.accepted().pop().expect("second");
    let signatures = second.header("webhook-signature").expect("signature");
    assert_eq!(
        signatures
            .split(' ')
            .filter(|s| s.starts_with("v1,"))
            .count(),
        2,
        "{signatures}"
    );
    assert!(signed_by(&second, &old) && signed_by(&second, &new));
}

#[tokio::test]
async fn teams_slack_and_pagerduty_get_their_documented_shapes() {
    let bench = Bench::new().await;
    let receiver = Receiver::start().await.expect("receiver");
    receiver.set(Mode::Up(202));
    let plain = |path: &str| unsigned(&receiver, path);
    bench
        .destination("teams", DestinationKind::Teams, plain("teams"))
        .await;
    bench
        .destination("slack", DestinationKind::Slack, plain("slack"))
        .await;
    bench
        .destination("pager", DestinationKind::Pagerduty, plain("pager"))
        .await;
    let mut fingerprints = Vec::new();
    for name in ["teams", "slack", "pager"] {
        let row = bench.store.enqueue_test_delivery(name).await.expect("test");
        fingerprints.push(row);
    }
    assert_eq!(bench.round(Utc::now()).await.sent, 3, "202 is success");
    let got = receiver.accepted();
    assert_eq!(got.len(), 3);
    let at = |path: &str| {
        got.iter()
            .find(|r| r.path == path)
            .unwrap_or_else(|| panic!("nothing reached {path}"))
    };
    let teams = at("/teams").json();
    assert_eq!(teams["type"], "message");
    let attachment = &teams["attachments"][0];
    assert_eq!(
        attachment["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(attachment["content"]["type"], "AdaptiveCard");
    assert_eq!(attachment["content"]["version"], "1.5");
    assert!(at("/teams").body.len() < 28 * 1024);
    let slack = at("/slack").json();
    assert!(slack["text"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(slack["blocks"][0]["type"], "header");
    let pager = at("/pager").json();
    assert_eq!(pager["routing_key"], "R0UTINGKEY0000000000000000000000");
    assert_eq!(pager["event_action"], "trigger");
    assert!(pager["dedup_key"].as_str().is_some_and(|k| !k.is_empty()));
    assert_eq!(
        pager["payload"]["severity"], "info",
        "a test alert is low: info"
    );
    assert!(pager["payload"]["summary"].as_str().is_some());
    assert!(pager["payload"]["source"].as_str().is_some());
    for request in &got {
        assert!(
            request.header("webhook-signature").is_none(),
            "only webhooks are signed"
        );
    }
}

#[tokio::test]
async fn retries_follow_the_answer_and_dead_letters_replay() {
    let bench = Bench::new().await;
    let receiver = Receiver::start().await.expect("receiver");
    bench
        .destination(
            "ops",
            DestinationKind::Webhook,
            webhook(receiver.url("hook"), &[&new_secret()]),
        )
        .await;
    // 503: retried within the first backoff (full jitter up to 30 s).
    receiver.set(Mode::Down);
    let a = bench
        .store
        .enqueue_test_delivery("ops")
        .await
        .expect("test");
    let now = Utc::now();
    assert_eq!(bench.round(now).await.retried, 1);
    let row = bench.delivery(&a.id).await;
    assert_eq!(
        (row.state.as_str(), row.attempts, row.last_status),
        ("pending", 1, Some(503))
    );
    let next: DateTime<Utc> = row.next_attempt_at.parse().expect("time");
    assert!(
        next > now && next <= now + TimeDelta::seconds(30),
        "{next} vs {now}"
    );
    // Not due before its time: nothing is sent.
    assert_eq!(bench.round(now).await, RoundReport::default());

    // 429 with Retry-After: exactly then.
    receiver.set(Mode::Throttling(Some(120)));
    let t = next;
    assert_eq!(bench.round(t).await.retried, 1);
    let row = bench.delivery(&a.id).await;
    assert_eq!(row.last_status, Some(429));
    assert_eq!(
        row.next_attempt_at.parse::<DateTime<Utc>>().expect("time"),
        t + TimeDelta::seconds(120)
    );
    // 429 without: the backoff before the fourth attempt (up to 30 s × 2², two minutes).
    receiver.set(Mode::Throttling(None));
    let t = t + TimeDelta::seconds(120);
    assert_eq!(bench.round(t).await.retried, 1);
    let next: DateTime<Utc> = bench
        .delivery(&a.id)
        .await
        .next_attempt_at
        .parse()
        .expect("time");
    assert!(
        next > t && next <= t + TimeDelta::seconds(120),
        "{next} vs {t}"
    );
    receiver.set(Mode::Up(200));
    assert_eq!(bench.round(next).await.sent, 1);
    assert_eq!(bench.delivery(&a.id).await.attempts, 4);
    let attempts = bench
        .store
        .delivery_attempts(&a.id)
        .await
        .expect("attempts");
    let outcomes: Vec<(&str, Option<u16>)> = attempts
        .iter()
        .map(|a| (a.outcome.as_str(), a.status))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("retry", Some(503)),
            ("retry", Some(429)),
            ("retry", Some(429)),
            ("sent", Some(200))
        ]
    );

    // 400: dead at once, never retried; a replay sends it again (same webhook-id).
    receiver.set(Mode::Refusing);
    let b = bench
        .store
        .enqueue_test_delivery("ops")
        .await
        .expect("test");
    let t = next + TimeDelta::seconds(1);
    assert_eq!(bench.round(t).await.dead, 1);
    let row = bench.delivery(&b.id).await;
    assert_eq!((row.state.as_str(), row.attempts), ("dead", 1));
    assert!(
        row.last_error.as_deref().is_some_and(|e| e.contains("400")),
        "{row:?}"
    );
    let before = receiver.received().len();
    bench.round(t + TimeDelta::hours(2)).await;
    assert_eq!(
        receiver.received().len(),
        before,
        "a dead letter is not retried"
    );
    let dead = bench
        .store
        .deliveries(None, Some("dead"), 10)
        .await
        .expect("dead");
    assert_eq!(dead.len(), 1);
    receiver.set(Mode::Up(200));
    bench.store.replay_delivery(&b.id).await.expect("replay");
    assert_eq!(
        bench.round(Utc::now() + TimeDelta::seconds(1)).await.sent,
        1
    );
    let replayed = receiver.accepted().pop().expect("replayed");
    assert_eq!(
        replayed.header("webhook-id").as_deref(),
        Some(b.event_id.as_str())
    );
    assert!(
        bench.store.replay_delivery(&b.id).await.is_err(),
        "only dead letters replay"
    );
}

#[tokio::test]
async fn a_receiver_down_for_an_hour_gets_every_alert_once_afterwards() {
    let bench = Bench::new().await;
    let receiver = Receiver::start().await.expect("receiver");
    bench
        .destination(
            "ops",
            DestinationKind::Webhook,
            webhook(receiver.url("hook"), &[&new_secret()]),
        )
        .await;
    receiver.set(Mode::Down);
    let mut ids = BTreeSet::new();
    for _ in 0..5 {
        ids.insert(
            bench
                .store
                .enqueue_test_delivery("ops")
                .await
                .expect("test")
                .event_id,
        );
    }
    let start = Utc::now();
    let mut t = start;
    while t < start + TimeDelta::hours(1) {
        let round = bench.round(t).await;
        assert_eq!((round.sent, round.dead), (0, 0));
        t += TimeDelta::minutes(1);
    }
    assert!(
        receiver.received().len() >= 10,
        "it kept trying: {}",
        receiver.received().len()
    );
    receiver.set(Mode::Up(200));
    // Back up: within the longest backoff (an hour) everything arrives.
    let up = t;
    while receiver.accepted().len() < 5 && t < up + TimeDelta::hours(2) {
        bench.round(t).await;
        t += TimeDelta::minutes(1);
    }
    let accepted = receiver.accepted();
    let delivered: BTreeSet<String> = accepted
        .iter()
        .map(|r| r.header("webhook-id").expect("id"))
        .collect();
    assert_eq!(delivered, ids, "every alert, by its webhook-id");
    assert_eq!(accepted.len(), 5, "each once");
    let sent = bench
        .store
        .deliveries(None, Some("sent"), 10)
        .await
        .expect("sent");
    assert_eq!(sent.len(), 5);
    assert!(bench
        .store
        .destination("ops")
        .await
        .expect("row")
        .failing_since
        .is_none());
}

#[tokio::test]
async fn a_destination_gone_or_failing_for_a_day_is_disabled_and_admins_hear_elsewhere() {
    let bench = Bench::new().await;
    let gone = Receiver::start().await.expect("receiver");
    let other = Receiver::start().await.expect("receiver");
    let failing = Receiver::start().await.expect("receiver");
    gone.set(Mode::Gone);
    failing.set(Mode::Down);
    for (name, receiver) in [("gone", &gone), ("other", &other), ("failing", &failing)] {
        bench
            .destination(
                name,
                DestinationKind::Webhook,
                webhook(receiver.url("hook"), &[&new_secret()]),
            )
            .await;
    }
    bench
        .store
        .enqueue_test_delivery("gone")
        .await
        .expect("test");
    let now = Utc::now();
    let round = bench.round(now).await;
    assert_eq!(round.disabled, ["gone"]);
    let row = bench.store.destination("gone").await.expect("row");
    assert!(!row.enabled);
    assert!(
        row.disabled_reason
            .as_deref()
            .is_some_and(|r| r.contains("410")),
        "{row:?}"
    );
    // The admins hear of it on the other enabled destinations, and in the inbox.
    bench.round(now + TimeDelta::seconds(1)).await;
    let told = other.accepted();
    assert_eq!(told.len(), 1);
    assert!(told[0].json()["data"]["title"]
        .as_str()
        .is_some_and(|t| t.contains("gone")));
    let inbox = bench
        .store
        .list_alerts(plumbline_core::store::AlertView::Open)
        .await
        .expect("inbox");
    assert!(inbox
        .iter()
        .any(|a| a.title == "Alert destination gone was disabled"));
    // The notice to "failing" keeps failing; after a day of it, "failing" is disabled
    // and its deliveries are dead letters.
    let mut t = now + TimeDelta::seconds(2);
    let mut disabled = Vec::new();
    while t < now + TimeDelta::hours(26) && disabled.is_empty() {
        disabled = bench.round(t).await.disabled;
        t += TimeDelta::minutes(10);
    }
    assert_eq!(disabled, ["failing"]);
    let row = bench.store.destination("failing").await.expect("row");
    assert!(
        !row.enabled
            && row
                .disabled_reason
                .as_deref()
                .is_some_and(|r| r.contains("24 hours"))
    );
    assert_eq!(
        bench
            .store
            .deliveries(Some("failing"), Some("dead"), 10)
            .await
            .expect("dead")
            .len(),
        1
    );
    // Enabling it again forgets the failures.
    let row = bench
        .store
        .set_destination_enabled("failing", true, None)
        .await
        .expect("enable");
    assert!(row.enabled && row.failing_since.is_none() && row.disabled_reason.is_none());
}

#[tokio::test]
async fn private_targets_are_refused_unless_allowed() {
    let bench = Bench::new().await;
    let receiver = Receiver::start().await.expect("receiver");
    // "localhost" resolves to loopback: refused at send time, before connecting.
    let port = receiver
        .url("")
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .expect("port")
        .to_owned();
    let id = uuid::Uuid::now_v7().to_string();
    let secret = webhook(format!("https://localhost:{port}/hook"), &[&new_secret()]);
    save_destination_secret(&bench.keychain, &id, &secret).expect("keychain");
    bench
        .store
        .add_destination(&id, "sneaky", DestinationKind::Webhook, "localhost", false)
        .await
        .expect("add");
    let queued = bench
        .store
        .enqueue_test_delivery("sneaky")
        .await
        .expect("test");
    assert_eq!(bench.round(Utc::now()).await.dead, 1);
    let row = bench.delivery(&queued.id).await;
    assert!(
        row.last_error
            .as_deref()
            .is_some_and(|e| e.contains("private")),
        "{row:?}"
    );
    assert!(
        receiver.received().is_empty(),
        "nothing reached the address"
    );
    let check = plumbline_core::delivery::send::check_destination(
        DestinationKind::Webhook,
        &webhook(receiver.url("hook"), &[&new_secret()]),
        false,
    );
    assert!(
        check.is_err(),
        "plain http to loopback is refused when storing it too"
    );
}

/// A store with the demo portfolio at a fixed anchor and its rule for high findings
/// routed to a webhook on `receiver`, not yet reviewed.
async fn prepared(receiver: &Receiver) -> Bench {
    prepared_with(receiver, 4).await
}

/// [`prepared`] with `tenants` demo tenants.
async fn prepared_with(receiver: &Receiver, tenants: u32) -> Bench {
    let bench = Bench::new().await;
    let request = DemoRequest {
        seed: DEFAULT_SEED,
        tenants,
        anchor: "2026-11-30T12:00:00Z".parse().expect("anchor"),
    };
    add_demo_tenants(&bench.store, &request, |_, _| {})
        .await
        .expect("demo");
    bench
        .destination(
            "ops",
            DestinationKind::Webhook,
            webhook(receiver.url("hook"), &[&new_secret()]),
        )
        .await;
    bench
        .store
        .route_rule("New critical or high findings", "ops", true)
        .await
        .expect("route");
    bench
}

/// Another device with the same inputs: a copy of `bench`'s database (and keychain).
async fn copy_of(bench: &Bench) -> Bench {
    bench.store.checkpoint().await.expect("checkpoint");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("delivery.db");
    std::fs::copy(bench.store.path().expect("a file"), &path).expect("copy");
    let keychain = MemoryKeychain::default();
    for destination in bench.store.destinations().await.expect("destinations") {
        let account = plumbline_core::store::destination_account(&destination.id);
        let secret = plumbline_core::keychain::Keychain::get(&bench.keychain, &account)
            .expect("keychain")
            .expect("a secret");
        plumbline_core::keychain::Keychain::set(&keychain, &account, &secret).expect("keychain");
    }
    Bench {
        store: Store::open(&path).await.expect("open"),
        _dir: dir,
        keychain,
    }
}

/// Reviews and raises alerts; the deliveries queued.
async fn raise(bench: &Bench) -> Vec<DeliveryRow> {
    review_all(&bench.store, &ReviewOptions::default(), |_, _| {})
        .await
        .expect("review");
    let alerts = bench.store.raise_alerts().await.expect("raise");
    assert!(!alerts.is_empty(), "the demo portfolio has high findings");
    bench
        .store
        .deliveries(None, None, 100)
        .await
        .expect("deliveries")
}

#[tokio::test]
async fn alerts_from_reviews_are_queued_once_per_routed_destination_under_shared_ids() {
    let receiver = Receiver::start().await.expect("receiver");
    let first = prepared(&receiver).await;
    let second = copy_of(&first).await;
    let queued = raise(&first).await;
    let new_findings_alerts = first
        .store
        .list_alerts(plumbline_core::store::AlertView::All)
        .await
        .expect("alerts")
        .into_iter()
        .filter(|a| a.rule.as_deref() == Some("New critical or high findings"))
        .count();
    assert_eq!(
        queued.len(),
        new_findings_alerts,
        "one delivery per alert of the routed rule"
    );
    assert!(queued.iter().all(|d| d.tenant_id.is_some()));
    // Alerts for findings a later capture already fixed resolved at once: theirs are
    // held back; the others wait to be sent.
    let resolved = first
        .store
        .list_alerts(plumbline_core::store::AlertView::Resolved)
        .await
        .expect("resolved")
        .into_iter()
        .filter(|a| a.rule.as_deref() == Some("New critical or high findings"))
        .count();
    let pending = queued.iter().filter(|d| d.state == "pending").count();
    assert!(pending > 0);
    assert_eq!(pending, new_findings_alerts - resolved);
    assert!(queued.iter().all(|d| d.state == "pending"
        || (d.state == "skipped" && d.last_error.as_deref() == Some("resolved"))));
    // Raising again finds nothing new: nothing more is queued.
    assert!(first.store.raise_alerts().await.expect("raise").is_empty());
    assert_eq!(
        first
            .store
            .deliveries(None, None, 100)
            .await
            .expect("d")
            .len(),
        queued.len()
    );

    // Another device deriving the same reviews names the same deliveries: an agent that
    // takes over sends what the first would have, under the same ids.
    let again = raise(&second).await;
    let ids = |rows: &[DeliveryRow]| -> BTreeSet<(String, String)> {
        rows.iter()
            .map(|d| (d.id.clone(), d.event_id.clone()))
            .collect()
    };
    assert_eq!(ids(&queued), ids(&again));

    // They wait for the rule's group wait (30 s), then go.
    assert_eq!(first.round(Utc::now()).await, RoundReport::default());
    let round = first.round(Utc::now() + TimeDelta::seconds(31)).await;
    assert_eq!(round.sent as usize, pending);
    let got = receiver.accepted();
    let body = got[0].json();
    assert_eq!(body["type"], "alert.triggered");
    assert!(["high", "critical"].contains(&body["data"]["severity"].as_str().expect("severity")));
    assert!(body["data"]["tenant"].as_str().is_some());
}

#[tokio::test]
async fn escalation_steps_come_due_in_order_and_an_acknowledgement_stops_them() {
    let receiver = Receiver::start().await.expect("receiver");
    let bench = prepared_with(&receiver, 8).await;
    bench
        .destination(
            "on-call",
            DestinationKind::Webhook,
            webhook(receiver.url("on-call"), &[&new_secret()]),
        )
        .await;
    let policy = plumbline_core::escalation::Policy {
        steps: vec![plumbline_core::escalation::Step {
            after_seconds: 15 * 60,
            destinations: vec!["on-call".into()],
        }],
        repeats: 1,
        repeat_after_seconds: 30 * 60,
    };
    bench
        .store
        .add_escalation_policy("night", &policy)
        .await
        .expect("policy");
    bench
        .store
        .set_rule_escalation("New critical or high findings", Some("night"), Some(60))
        .await
        .expect("use");
    let queued = raise(&bench).await;
    // Alerts that resolved at once (their findings fixed by a later capture) are neither
    // notified nor escalated.
    let alerts = queued.iter().filter(|d| d.state == "pending").count();
    // The alerts' own time: every step counts from it.
    let t0: DateTime<Utc> = bench
        .store
        .list_alerts(plumbline_core::store::AlertView::All)
        .await
        .expect("alerts")
        .iter()
        .map(|a| a.raised_at.parse::<DateTime<Utc>>().expect("time"))
        .min()
        .expect("an alert");
    assert!(alerts >= 2, "the demo raises several alerts: {alerts}");
    // The group wait (60 s) holds the first notifications.
    assert_eq!(
        bench
            .store
            .escalate(t0 + TimeDelta::seconds(30))
            .await
            .expect("escalate")
            .escalated,
        0
    );
    assert_eq!(bench.round(t0 + TimeDelta::seconds(30)).await.sent, 0);
    assert_eq!(
        bench.round(t0 + TimeDelta::seconds(61)).await.sent as usize,
        alerts
    );
    // Fifteen minutes in, nobody acknowledged: the on-call destination hears of each.
    let step = bench
        .store
        .escalate(t0 + TimeDelta::minutes(15) + TimeDelta::seconds(1))
        .await
        .expect("escalate");
    assert_eq!(step.escalated as usize, alerts);
    assert_eq!(
        bench.round(t0 + TimeDelta::minutes(16)).await.sent as usize,
        alerts
    );
    // Asking again does not notify again.
    assert_eq!(
        bench
            .store
            .escalate(t0 + TimeDelta::minutes(17))
            .await
            .expect("escalate")
            .escalated,
        0
    );
    // Someone acknowledges one alert; the next round (at 15 + 45 = 60 minutes) reaches
    // only the others, and the repeats are bounded.
    let open = bench
        .store
        .list_alerts(plumbline_core::store::AlertView::Open)
        .await
        .expect("open");
    let acked = open
        .iter()
        .find(|a| a.rule.as_deref() == Some("New critical or high findings"))
        .expect("an alert")
        .id
        .clone();
    bench
        .store
        .acknowledge_alerts(std::slice::from_ref(&acked))
        .await
        .expect("ack");
    let later = bench
        .store
        .escalate(t0 + TimeDelta::minutes(61))
        .await
        .expect("escalate");
    assert_eq!(later.escalated as usize, alerts - 1, "{later:?}");
    let much_later = bench
        .store
        .escalate(t0 + TimeDelta::days(2))
        .await
        .expect("escalate");
    assert_eq!(much_later.escalated, 0, "one repeat only");
    let sent_for_acked: Vec<DeliveryRow> = bench
        .store
        .deliveries(Some("on-call"), None, 100)
        .await
        .expect("log")
        .into_iter()
        .filter(|d| d.event_id.contains('/'))
        .collect();
    assert_eq!(sent_for_acked.len(), alerts + alerts - 1);
    // Each escalation notification has its own webhook-id (a receiver does not drop it
    // as a duplicate of the first).
    let ids: BTreeSet<String> = sent_for_acked.iter().map(|d| d.event_id.clone()).collect();
    assert_eq!(ids.len(), sent_for_acked.len());
}

#[tokio::test]
async fn silences_keep_alerts_in_the_inbox_and_off_the_destinations() {
    let receiver = Receiver::start().await.expect("receiver");
    let bench = prepared(&receiver).await;
    let rule = bench
        .store
        .alert_rules()
        .await
        .expect("rules")
        .into_iter()
        .find(|r| r.name == "New critical or high findings")
        .expect("rule");
    let silence = bench
        .store
        .add_silence(
            Some(&rule.id),
            None,
            Utc::now() + TimeDelta::hours(2),
            "maintenance window",
        )
        .await
        .expect("silence");
    review_all(&bench.store, &ReviewOptions::default(), |_, _| {})
        .await
        .expect("review");
    let alerts = bench.store.raise_alerts().await.expect("raise");
    assert!(
        alerts
            .iter()
            .any(|a| a.rule.as_deref() == Some(rule.name.as_str())),
        "in the inbox"
    );
    assert!(
        bench
            .store
            .deliveries(None, None, 100)
            .await
            .expect("log")
            .is_empty(),
        "nobody notified"
    );
    assert!(bench
        .store
        .add_silence(None, None, Utc::now() - TimeDelta::hours(1), "past")
        .await
        .is_err());
    assert!(bench
        .store
        .add_silence(Some(&rule.id), None, Utc::now() + TimeDelta::hours(1), " ")
        .await
        .is_err());
    bench
        .store
        .expire_silence(&silence.id)
        .await
        .expect("expire");
    assert!(
        bench.store.expire_silence(&silence.id).await.is_err(),
        "already ended"
    );
}

fn mail_to(relay: &Relay, scheme: &str, security: SmtpSecurity, trust: bool) -> DestinationSecret {
    DestinationSecret {
        url: format!("{scheme}://localhost:{}", relay.port()),
        signing_secrets: Vec::new(),
        routing_key: None,
        email: Some(EmailSettings {
            from: "Plumbline <alerts@msp.example>".to_owned(),
            to: vec![
                "oncall@msp.example".to_owned(),
                "Service Desk <desk@msp.example>".to_owned(),
            ],
            username: Some("plumbline".to_owned()),
            password: Some("relay-password".to_owned()),
            security,
            ca_pem: trust.then(|| relay.ca_pem.clone()),
        }),
    }
}

#[tokio::test]
async fn email_goes_over_starttls_with_credentials_only_after_the_handshake() {
    let bench = Bench::new().await;
    let relay = Relay::start(Security::StartTls).await.expect("relay");
    bench
        .destination(
            "mail",
            DestinationKind::Email,
            mail_to(&relay, "smtp", SmtpSecurity::Starttls, true),
        )
        .await;
    let queued = bench
        .store
        .enqueue_test_delivery("mail")
        .await
        .expect("test");
    assert_eq!(bench.round(Utc::now()).await.sent, 1);
    let row = bench.delivery(&queued.id).await;
    assert_eq!((row.state.as_str(), row.last_status), ("sent", Some(250)));

    let mails = relay.mails();
    assert_eq!(mails.len(), 1, "{:?}", relay.commands());
    let mail = &mails[0];
    assert!(mail.tls, "the message went over TLS");
    assert_eq!(
        mail.auth,
        Some(("plumbline".to_owned(), "relay-password".to_owned()))
    );
    assert_eq!(mail.from, "alerts@msp.example");
    assert_eq!(mail.to, ["oncall@msp.example", "desk@msp.example"]);
    let message_id = mail.header("Message-ID").expect("Message-ID");
    assert!(
        message_id.contains(&row.event_id),
        "{message_id} vs {}",
        row.event_id
    );
    assert_eq!(mail.header("X-Plumbline-Event"), Some(row.event_id.clone()));
    let subject = mail.header("Subject").expect("Subject");
    assert!(subject.contains("[Test]"), "{subject}");
    assert!(mail.data.contains("This is a test alert"));

    // STARTTLS came first; credentials and addresses only inside TLS.
    let commands = relay.commands();
    let position = |prefix: &str| {
        commands
            .iter()
            .position(|c| c.to_ascii_uppercase().starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix} in {commands:?}"))
    };
    assert!(position("STARTTLS") < position("AUTH"), "{commands:?}");
    assert!(position("STARTTLS") < position("MAIL FROM"), "{commands:?}");
}

#[tokio::test]
async fn smtps_is_tls_from_the_first_byte_and_an_untrusted_relay_is_retried() {
    let bench = Bench::new().await;
    let relay = Relay::start(Security::Implicit).await.expect("relay");
    bench
        .destination(
            "smtps",
            DestinationKind::Email,
            mail_to(&relay, "smtps", SmtpSecurity::Starttls, true),
        )
        .await;
    bench
        .destination(
            "untrusted",
            DestinationKind::Email,
            mail_to(&relay, "smtps", SmtpSecurity::Tls, false),
        )
        .await;
    let good = bench
        .store
        .enqueue_test_delivery("smtps")
        .await
        .expect("test");
    let bad = bench
        .store
        .enqueue_test_delivery("untrusted")
        .await
        .expect("test");
    let report = bench.round(Utc::now()).await;
    assert_eq!((report.sent, report.retried), (1, 1), "{report:?}");
    assert_eq!(bench.delivery(&good.id).await.state, "sent");
    let row = bench.delivery(&bad.id).await;
    assert_eq!(row.state, "pending");
    assert!(
        row.last_error.as_deref().is_some_and(|e| e.contains("TLS")),
        "{row:?}"
    );
    let mails = relay.mails();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].tls);
    assert_eq!(
        mails[0].header("X-Plumbline-Event"),
        Some(bench.delivery(&good.id).await.event_id)
    );
}

#[tokio::test]
async fn a_relay_without_starttls_gets_nothing_in_clear_text_unless_allowed() {
    let bench = Bench::new().await;
    let relay = Relay::start(Security::Plain).await.expect("relay");
    bench
        .destination(
            "required",
            DestinationKind::Email,
            mail_to(&relay, "smtp", SmtpSecurity::Starttls, false),
        )
        .await;
    let refused = bench
        .store
        .enqueue_test_delivery("required")
        .await
        .expect("test");
    assert_eq!(bench.round(Utc::now()).await.dead, 1);
    let row = bench.delivery(&refused.id).await;
    assert!(
        row.last_error
            .as_deref()
            .is_some_and(|e| e.contains("does not offer STARTTLS")),
        "{row:?}"
    );
    let commands = relay.commands();
    assert!(
        !commands
            .iter()
            .any(|c| c.starts_with("AUTH") || c.starts_with("MAIL")),
        "nothing but EHLO went in clear text: {commands:?}"
    );
    assert!(relay.mails().is_empty());

    // Plain SMTP: refused when stored without --allow-private, sent when allowed (a relay
    // on the operator's own network).
    let plain = mail_to(&relay, "smtp", SmtpSecurity::None, false);
    let check =
        plumbline_core::delivery::send::check_destination(DestinationKind::Email, &plain, false);
    assert!(
        check.as_ref().is_err_and(|e| e.0.contains("clear text")),
        "{check:?}"
    );
    bench
        .destination("plain", DestinationKind::Email, plain)
        .await;
    bench
        .store
        .enqueue_test_delivery("plain")
        .await
        .expect("test");
    assert_eq!(bench.round(Utc::now()).await.sent, 1);
    let mails = relay.mails();
    assert_eq!(mails.len(), 1);
    assert!(!mails[0].tls);

    // Loopback without the admin's allowance: refused before connecting.
    let id = uuid::Uuid::now_v7().to_string();
    save_destination_secret(
        &bench.keychain,
        &id,
        &mail_to(&relay, "smtp", SmtpSecurity::Starttls, true),
    )
    .expect("keychain");
    bench
        .store
        .add_destination(&id, "sneaky", DestinationKind::Email, "localhost", false)
        .await
        .expect("add");
    let before = relay.commands().len();
    let sneaky = bench
        .store
        .enqueue_test_delivery("sneaky")
        .await
        .expect("test");
    assert_eq!(bench.round(Utc::now()).await.dead, 1);
    assert!(bench
        .delivery(&sneaky.id)
        .await
        .last_error
        .is_some_and(|e| e.contains("private")));
    assert_eq!(relay.commands().len(), before, "no connection was made");
}

#[tokio::test]
async fn a_relay_answering_4xx_is_retried_and_5xx_is_not() {
    let bench = Bench::new().await;
    let relay = Relay::start(Security::StartTls).await.expect("relay");
    bench
        .destination(
            "mail",
            DestinationKind::Email,
            mail_to(&relay, "smtp", SmtpSecurity::Starttls, true),
        )
        .await;
    relay.set(Answer::TempFail);
    let queued = bench
        .store
        .enqueue_test_delivery("mail")
        .await
        .expect("test");
    let now = Utc::now();
    assert_eq!(bench.round(now).await.retried, 1);
    let row = bench.delivery(&queued.id).await;
    assert_eq!(
        (row.state.as_str(), row.last_status),
        ("pending", Some(451))
    );
    relay.set(Answer::Accept);
    let next: DateTime<Utc> = row.next_attempt_at.parse().expect("time");
    assert_eq!(bench.round(next).await.sent, 1);
    assert_eq!(relay.mails().len(), 1);

    relay.set(Answer::Reject);
    let refused = bench
        .store
        .enqueue_test_delivery("mail")
        .await
        .expect("test");
    assert_eq!(bench.round(next).await.dead, 1);
    let row = bench.delivery(&refused.id).await;
    assert_eq!(row.last_status, Some(550));
    assert!(
        row.last_error
            .as_deref()
            .is_some_and(|e| e.contains("550") && !e.contains("relay-password")),
        "{row:?}"
    );
    assert_eq!(relay.mails().len(), 1, "nothing more was accepted");
}

// Multi-threaded: the relay answers while this thread waits for the CLI process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_adds_an_email_destination_keeps_its_password_out_of_the_database_and_tests_it() {
    let relay = Relay::start(Security::StartTls).await.expect("relay");
    let device = plumbline_e2e::team::Device::new("mail-admin").expect("device");
    let password = device.data_dir().join("smtp-password");
    std::fs::write(&password, "relay-password-7f3a\n").expect("password file");
    let ca = device.data_dir().join("relay-ca.pem");
    std::fs::write(&ca, &relay.ca_pem).expect("ca file");
    let url = format!("smtp://localhost:{}", relay.port());
    let (password, ca) = (password.display().to_string(), ca.display().to_string());

    // Plain SMTP without the admin's allowance is refused, with what to do.
    let refused = device
        .run(&[
            "alerts",
            "destination",
            "add",
            "plain",
            "--kind",
            "email",
            "--url",
            &url,
            "--from",
            "alerts@msp.example",
            "--to",
            "oncall@msp.example",
            "--smtp-security",
            "none",
        ])
        .expect("run");
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("clear text") && said.contains("--allow-private"),
        "{said}"
    );

    let added = device
        .json(&[
            "alerts",
            "destination",
            "add",
            "mail",
            "--kind",
            "email",
            "--url",
            &url,
            "--from",
            "Plumbline <alerts@msp.example>",
            "--to",
            "oncall@msp.example",
            "--to",
            "desk@msp.example",
            "--smtp-user",
            "plumbline",
            "--smtp-password-file",
            &password,
            "--ca-file",
            &ca,
            "--allow-private",
        ])
        .expect("add");
    assert_eq!(added["destination"]["kind"], "email");
    assert_eq!(added["destination"]["target"], "localhost");
    assert!(added["signingSecret"].is_null());

    let tested = device
        .json(&["alerts", "destination", "test", "mail"])
        .expect("test");
    assert_eq!(tested["delivery"]["state"], "sent", "{tested}");
    let mails = relay.mails();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].tls);
    assert_eq!(
        mails[0].auth,
        Some(("plumbline".to_owned(), "relay-password-7f3a".to_owned()))
    );
    assert_eq!(mails[0].to, ["oncall@msp.example", "desk@msp.example"]);

    // The password and the recipients are in the keychain, not in the database.
    for file in ["plumbline.db", "plumbline.db-wal"] {
        let path = device.data_dir().join(file);
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("relay-password-7f3a"),
            "{file} holds the password"
        );
        assert!(
            !text.contains("oncall@msp.example"),
            "{file} holds a recipient"
        );
    }
}

/// Decides every finding of `tenant` still needing a decision as a false positive.
async fn dismiss_findings_of(bench: &Bench, tenant: &str) {
    let mut ids: Vec<String> = Vec::new();
    for status in [
        plumbline_core::findings::Status::Open,
        plumbline_core::findings::Status::Acknowledged,
    ] {
        let filter = plumbline_core::store::FindingFilter {
            tenant: Some(tenant.parse().expect("tenant id")),
            status: Some(status),
            ..Default::default()
        };
        ids.extend(
            bench
                .store
                .list_findings(&filter)
                .await
                .expect("findings")
                .into_iter()
                .map(|f| f.id),
        );
    }
    assert!(!ids.is_empty(), "the tenant has findings to decide");
    let answers = bench
        .store
        .decide_findings(
            &ids,
            &plumbline_core::findings::Action::FalsePositive,
            Some("checked with the customer"),
            Utc::now(),
        )
        .await
        .expect("decide");
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
}

#[tokio::test]
async fn an_alert_whose_findings_are_decided_resolves_and_only_pagerduty_and_webhooks_hear_it() {
    let receiver = Receiver::start().await.expect("receiver");
    let bench = prepared_with(&receiver, 8).await;
    let plain = |path: &str| unsigned(&receiver, path);
    bench
        .destination("pager", DestinationKind::Pagerduty, plain("pager"))
        .await;
    bench
        .destination("chat", DestinationKind::Slack, plain("chat"))
        .await;
    for name in ["pager", "chat"] {
        bench
            .store
            .route_rule("New critical or high findings", name, true)
            .await
            .expect("route");
    }
    raise(&bench).await;
    let store = &bench.store;
    let list = |view| async move {
        store
            .list_alerts(view)
            .await
            .expect("alerts")
            .into_iter()
            .filter(|a| a.rule.as_deref() == Some("New critical or high findings"))
            .collect::<Vec<_>>()
    };
    use plumbline_core::store::AlertView;
    // Alerts for findings a later capture of the same history fixed resolve at once.
    let resolved_at_once = list(AlertView::Resolved).await;
    for alert in &resolved_at_once {
        assert_eq!(alert.state, plumbline_core::store::AlertState::Resolved);
    }
    let alerts = list(AlertView::Open).await;
    assert!(alerts.len() >= 2, "several tenants alert: {}", alerts.len());
    let early = alerts[0].clone();
    let later = alerts[1].clone();
    let tenant_of =
        |alert: &plumbline_core::store::AlertRow| alert.tenant_id.clone().expect("a tenant");

    // One tenant's findings are decided before its alert went anywhere (within the group
    // wait): the alert resolves and nobody is told anything of it.
    dismiss_findings_of(&bench, &tenant_of(&early)).await;
    assert!(bench.store.raise_alerts().await.expect("raise").is_empty());
    let resolved: Vec<_> = list(AlertView::Resolved)
        .await
        .into_iter()
        .filter(|a| !resolved_at_once.iter().any(|b| b.id == a.id))
        .collect();
    assert_eq!(
        resolved.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        vec![early.id.as_str()],
        "{resolved:#?}"
    );
    assert_eq!(
        resolved[0].state,
        plumbline_core::store::AlertState::Resolved
    );
    assert!(resolved[0].resolved_at.is_some());
    let open = list(AlertView::Open).await;
    assert!(open.iter().all(|a| a.id != early.id));
    assert_eq!(open.len(), alerts.len() - 1, "the others stay open");

    let now = Utc::now() + TimeDelta::seconds(31);
    let round = bench.round(now).await;
    let log = bench.store.deliveries(None, None, 100).await.expect("log");
    let of_early: Vec<&DeliveryRow> = log
        .iter()
        .filter(|d| d.tenant_id.as_deref() == Some(tenant_of(&early).as_str()))
        .collect();
    assert_eq!(
        of_early.len(),
        3,
        "webhook, PagerDuty and Slack: {of_early:?}"
    );
    assert!(
        of_early
            .iter()
            .all(|d| d.state == "skipped" && d.last_error.as_deref() == Some("resolved")),
        "the resolved alert's notifications were held back: {of_early:?}"
    );
    assert_eq!(
        round.sent as usize,
        (alerts.len() - 1) * 3,
        "the others went to all three"
    );
    let before = receiver.accepted().len();

    // The other tenant's findings are decided after its alert went out: PagerDuty's
    // incident is resolved (same dedup_key as the trigger) and the webhook hears
    // `alert.resolved`; Slack is not told.
    dismiss_findings_of(&bench, &tenant_of(&later)).await;
    bench.store.raise_alerts().await.expect("raise");
    assert_eq!(
        list(AlertView::Resolved).await.len(),
        resolved_at_once.len() + 2
    );
    let queued: Vec<DeliveryRow> = bench
        .store
        .deliveries(None, None, 100)
        .await
        .expect("log")
        .into_iter()
        .filter(|d| d.state == "pending")
        .collect();
    let mut to: Vec<&str> = queued.iter().map(|d| d.destination.as_str()).collect();
    to.sort();
    assert_eq!(to, vec!["ops", "pager"], "{queued:?}");
    assert!(queued.iter().all(|d| d.event_id.ends_with("/resolve")));
    assert_eq!(bench.round(now + TimeDelta::seconds(1)).await.sent, 2);
    let got = receiver.accepted();
    let new: Vec<_> = got[before..].to_vec();
    assert_eq!(new.len(), 2);
    let pager_trigger = got[..before]
        .iter()
        .filter(|r| r.path == "/pager")
        .map(|r| r.json())
        .find(|b| {
            b["payload"]["custom_details"]["tenant_id"] == later.tenant_id.as_deref().expect("t")
        })
        .expect("the trigger reached PagerDuty");
    let pager = new
        .iter()
        .find(|r| r.path == "/pager")
        .expect("pager")
        .json();
    assert_eq!(pager["event_action"], "resolve");
    assert_eq!(pager["dedup_key"], pager_trigger["dedup_key"]);
    assert!(
        pager.get("payload").is_none(),
        "a resolve carries no payload"
    );
    let hook = new
        .iter()
        .find(|r| r.path == "/hook")
        .expect("webhook")
        .json();
    assert_eq!(hook["type"], "alert.resolved");
    assert_eq!(
        hook["data"]["tenant_id"],
        later.tenant_id.as_deref().expect("t")
    );

    // Nothing changes: nothing more is resolved or sent.
    bench.store.raise_alerts().await.expect("raise");
    assert_eq!(bench.round(now + TimeDelta::seconds(2)).await.sent, 0);
}

/// The trigger's request was under way (claimed by a round, not yet answered) when the
/// alert resolved: the resolve went without it. Once the trigger is recorded as sent,
/// PagerDuty and the webhook are told of the resolve, once each, with the ids the resolve
/// has everywhere.
#[tokio::test]
async fn a_trigger_answered_after_its_alert_resolved_is_followed_by_the_resolve() {
    use plumbline_core::delivery::send::AttemptOutcome;
    use plumbline_core::store::{AlertView, AttemptRecord};
    let receiver = Receiver::start().await.expect("receiver");
    let bench = prepared_with(&receiver, 8).await;
    bench
        .destination(
            "pager",
            DestinationKind::Pagerduty,
            unsigned(&receiver, "pager"),
        )
        .await;
    bench
        .store
        .route_rule("New critical or high findings", "pager", true)
        .await
        .expect("route");
    raise(&bench).await;
    let alert = bench
        .store
        .list_alerts(AlertView::Open)
        .await
        .expect("alerts")
        .into_iter()
        .find(|a| a.rule.as_deref() == Some("New critical or high findings"))
        .expect("an open alert");
    let tenant = alert.tenant_id.clone().expect("a tenant");

    // A round claims the tenant's triggers after the group wait ...
    let now = Utc::now() + TimeDelta::seconds(31);
    let in_flight: Vec<_> = bench
        .store
        .due_deliveries(now, 100)
        .await
        .expect("due")
        .into_iter()
        .filter(|d| d.tenant_id.as_deref() == Some(tenant.as_str()))
        .collect();
    let mut to: Vec<&str> = in_flight
        .iter()
        .map(|d| d.destination_name.as_str())
        .collect();
    to.sort();
    assert_eq!(to, vec!["ops", "pager"]);
    // ... and while its requests are under way, the findings are decided: the alert
    // resolves, and as nobody was told of it yet, no resolve is queued.
    dismiss_findings_of(&bench, &tenant).await;
    bench.store.raise_alerts().await.expect("raise");
    let pending_resolves = |store: &Store| {
        let store = store.clone();
        async move {
            store
                .deliveries(None, None, 200)
                .await
                .expect("log")
                .into_iter()
                .filter(|d| d.state == "pending" && d.event_id.ends_with("/resolve"))
                .collect::<Vec<DeliveryRow>>()
        }
    };
    assert!(pending_resolves(&bench.store).await.is_empty());

    // The receivers answer: both triggers are recorded as sent, and each is followed by
    // the resolve (recording an answer twice queues nothing more).
    let sent = AttemptRecord {
        outcome: AttemptOutcome::Sent,
        status: Some(202),
        latency_ms: 40,
        error: None,
        next_attempt_at: None,
    };
    for delivery in in_flight.iter().chain(&in_flight) {
        bench
            .store
            .record_attempt(delivery, &sent, now)
            .await
            .expect("recorded");
    }
    let queued = pending_resolves(&bench.store).await;
    let mut to: Vec<&str> = queued.iter().map(|d| d.destination.as_str()).collect();
    to.sort();
    assert_eq!(to, vec!["ops", "pager"], "{queued:?}");
    assert!(queued
        .iter()
        .all(|d| d.tenant_id.as_deref() == Some(tenant.as_str())));

    // The round also sends the other tenants' triggers, due at the same time.
    let before = receiver.accepted().len();
    bench.round(now + TimeDelta::seconds(1)).await;
    let new: Vec<serde_json::Value> = receiver.accepted()[before..]
        .iter()
        .map(|r| r.json())
        .collect();
    let resolves: Vec<&serde_json::Value> = new
        .iter()
        .filter(|b| b["event_action"] == "resolve")
        .collect();
    assert_eq!(
        resolves.len(),
        1,
        "PagerDuty hears the resolve once: {new:#?}"
    );
    let resolved: Vec<&serde_json::Value> = new
        .iter()
        .filter(|b| b["type"] == "alert.resolved")
        .collect();
    assert_eq!(resolved.len(), 1, "the webhook hears it once: {new:#?}");
    assert_eq!(resolved[0]["data"]["tenant_id"], tenant.as_str());
    assert!(pending_resolves(&bench.store).await.is_empty());
}

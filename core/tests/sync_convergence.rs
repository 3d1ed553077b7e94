//! Convergence of sync (SYNC.md), as a property: several devices (real SQLite stores)
//! decide on the same findings while a simulated server orders their pushes into one
//! log; pulls come in random pages, some delivered twice, some devices stay partitioned
//! for a while, one loses access to a tenant. Whatever the interleaving, once everyone
//! has synced: every device holds exactly the fold of the server's log for the tenants
//! it may see (the same synced and derived digests as a fresh device that applied the
//! whole log), nothing a device did is lost or applied twice, and a revoked tenant's
//! data is gone from the device that lost it.
//!
//! The simulated server keeps the real server's rules that matter here: idempotence by
//! operation id, a sequence per accepted operation, tenant scope on push and pull.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::TimeZone;
use plumbline_core::findings::{Action, RiskRequest};
use plumbline_core::portfolio::{add_demo_tenants, DemoRequest};
use plumbline_core::review::{review_all, ReviewOptions};
use plumbline_core::store::{FindingFilter, ReceivedBlob, Store};
use plumbline_core::sync::api::{BlobFrame, Outcome, RejectReason, Sequenced, Verdict};
use proptest::prelude::*;

/// The server: one log, blobs by hash, each device's lost tenants.
#[derive(Default)]
struct Sim {
    log: Vec<Sequenced>,
    seqs: HashMap<String, i64>,
    blobs: HashMap<String, BlobFrame>,
    revoked: HashMap<usize, BTreeSet<String>>,
}

impl Sim {
    fn visible(&self, device: usize, tenant: Option<&str>) -> bool {
        match tenant {
            None => true,
            Some(t) => !self.revoked.get(&device).is_some_and(|r| r.contains(t)),
        }
    }

    async fn push(&mut self, device: usize, store: &Store, limit: usize) {
        let ops = store.outbox(limit).await.expect("outbox");
        let hashes: Vec<String> = ops
            .iter()
            .flat_map(|o| o.operation.body.blobs())
            .map(str::to_owned)
            .collect();
        for frame in store.blob_payloads(&hashes).await.expect("blobs") {
            self.blobs.insert(frame.sha256.clone(), frame);
        }
        let mut verdicts = Vec::new();
        for op in &ops {
            let operation = &op.operation;
            let outcome = if let Some(seq) = self.seqs.get(&operation.id) {
                Outcome::Duplicate { seq: *seq }
            } else if !self.visible(device, operation.tenant_id.as_deref()) {
                Outcome::Rejected {
                    reason: RejectReason::ForbiddenTenant,
                    message: "this membership does not include the tenant".to_owned(),
                }
            } else {
                let seq = self.log.len() as i64 + 1;
                self.seqs.insert(operation.id.clone(), seq);
                self.log.push(Sequenced {
                    seq,
                    user_id: format!("user-{device}"),
                    operation: operation.clone(),
                });
                Outcome::Accepted { seq }
            };
            verdicts.push(Verdict {
                id: operation.id.clone(),
                outcome,
            });
        }
        store
            .record_verdicts(&ops, &verdicts)
            .await
            .expect("verdicts");
    }

    /// One page after the device's cursor (and, with `twice`, the same page again).
    async fn pull(&self, device: usize, store: &Store, page: usize, twice: bool) -> bool {
        let cursor = store.sync_state().await.expect("state").cursor;
        let next: Vec<Sequenced> = self
            .log
            .iter()
            .filter(|s| s.seq > cursor)
            .take(page)
            .cloned()
            .collect();
        let last = next.last().map_or(cursor, |s| s.seq);
        let visible: Vec<Sequenced> = next
            .into_iter()
            .filter(|s| self.visible(device, s.operation.tenant_id.as_deref()))
            .collect();
        self.deliver(store, &visible).await;
        store
            .apply_operations(&visible, Some(last))
            .await
            .expect("apply");
        if twice {
            store
                .apply_operations(&visible, Some(last))
                .await
                .expect("apply again");
        }
        last < self.log.len() as i64
    }

    async fn deliver(&self, store: &Store, ops: &[Sequenced]) {
        let hashes: Vec<String> = ops
            .iter()
            .flat_map(|s| s.operation.body.blobs())
            .map(str::to_owned)
            .collect();
        let missing = store.missing_blobs(&hashes).await.expect("missing");
        let received: Vec<ReceivedBlob> = missing
            .into_iter()
            .filter_map(|h| self.blobs.get(&h).cloned())
            .map(|frame| ReceivedBlob::check(frame, false).expect("a blob of the log"))
            .collect();
        store.store_blobs(&received).await.expect("store blobs");
    }

    /// Pushes and pulls until the device has everything (bounded).
    async fn settle(&mut self, device: usize, store: &Store) {
        for _ in 0..1_000 {
            if store.sync_state().await.expect("state").pending == 0 {
                break;
            }
            self.push(device, store, 100).await;
        }
        for _ in 0..10_000 {
            if !self.pull(device, store, 50, false).await {
                break;
            }
        }
        derive(store).await;
    }
}

async fn derive(store: &Store) {
    let dirty = store.dirty().await.expect("dirty");
    review_all(store, &ReviewOptions::default(), |_, _| {})
        .await
        .expect("derive");
    store.clear_dirty(&dirty).await.expect("clear");
}

/// One step of a schedule.
#[derive(Clone, Debug)]
enum Step {
    Decide {
        device: usize,
        finding: usize,
        action: u8,
    },
    Push {
        device: usize,
        limit: usize,
    },
    Pull {
        device: usize,
        page: usize,
        twice: bool,
    },
    FourEyes {
        device: usize,
        on: bool,
    },
    Revoke {
        device: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..3usize, 0..6usize, 0..6u8).prop_map(|(device, finding, action)| Step::Decide {
            device,
            finding,
            action
        }),
        3 => (0..3usize, 1..40usize).prop_map(|(device, limit)| Step::Push { device, limit }),
        3 => (0..3usize, 1..30usize, any::<bool>())
            .prop_map(|(device, page, twice)| Step::Pull { device, page, twice }),
        1 => (0..3usize, any::<bool>()).prop_map(|(device, on)| Step::FourEyes { device, on }),
        1 => (0..3usize).prop_map(|device| Step::Revoke { device }),
    ]
}

/// The synced and derived digests a device holds, by tenant key.
async fn digests(store: &Store) -> BTreeMap<String, (String, String)> {
    store
        .sync_digests()
        .await
        .expect("digests")
        .into_iter()
        .map(|d| (d.key, (d.synced, d.derived)))
        .collect()
}

async fn run(schedule: Vec<Step>) {
    let dir = tempfile::tempdir().expect("tempdir");
    // The portfolio, made on device 0 and pushed before anything else.
    let mut sim = Sim::default();
    let mut devices = Vec::new();
    for index in 0..3 {
        devices.push(
            Store::open(&dir.path().join(format!("device-{index}.db")))
                .await
                .expect("store")
                .with_actor(format!("person-{index}@example.com")),
        );
    }
    add_demo_tenants(
        &devices[0],
        &DemoRequest {
            seed: 11,
            tenants: 2,
            anchor: chrono::Utc
                .with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
                .single()
                .expect("date"),
        },
        |_, _| {},
    )
    .await
    .expect("demo");
    for (index, store) in devices.iter().enumerate() {
        sim.settle(index, store).await;
    }
    let tenants: Vec<String> = devices[0]
        .list_tenants()
        .await
        .expect("tenants")
        .iter()
        .map(|t| t.id.to_string())
        .collect();
    let findings: Vec<String> = devices[0]
        .list_findings(&FindingFilter::default())
        .await
        .expect("findings")
        .into_iter()
        .take(6)
        .map(|f| f.id)
        .collect();
    assert!(findings.len() >= 3, "the demo has findings");

    let mut made: BTreeMap<usize, usize> = BTreeMap::new();
    for step in schedule {
        match step {
            Step::Decide {
                device,
                finding,
                action,
            } => {
                let store = &devices[device];
                let id = &findings[finding % findings.len()];
                // Only findings the device holds (a revoked tenant's are gone).
                if store.finding(id).await.is_err() {
                    continue;
                }
                let now = chrono::Utc::now();
                let decided = match action {
                    0 => store
                        .decide_finding(id, &Action::Acknowledge, None, now)
                        .await
                        .map(drop),
                    1 => store
                        .decide_finding(id, &Action::Resolve, Some("fixed"), now)
                        .await
                        .map(drop),
                    2 => store
                        .decide_finding(id, &Action::Reopen, None, now)
                        .await
                        .map(drop),
                    3 => store
                        .decide_finding(
                            id,
                            &Action::AcceptRisk(RiskRequest {
                                justification: "compensating control".to_owned(),
                                expires_at: now + chrono::TimeDelta::days(30),
                                accepted_by: format!("person-{device}@example.com"),
                                approver: Some("ciso@example.com".to_owned()),
                            }),
                            None,
                            now,
                        )
                        .await
                        .map(drop),
                    4 => store
                        .comment_finding(id, &format!("note from {device}"))
                        .await
                        .map(drop),
                    _ => store
                        .decide_finding(id, &Action::FalsePositive, None, now)
                        .await
                        .map(drop),
                };
                // A decision the finding's state does not allow is refused here, and
                // nothing is recorded.
                if decided.is_ok() {
                    *made.entry(device).or_default() += 1;
                }
            }
            Step::Push { device, limit } => sim.push(device, &devices[device], limit).await,
            Step::Pull {
                device,
                page,
                twice,
            } => {
                sim.pull(device, &devices[device], page, twice).await;
                derive(&devices[device]).await;
            }
            Step::FourEyes { device, on } => {
                devices[device].set_four_eyes(on).await.expect("four eyes");
            }
            Step::Revoke { device } => {
                // Device 2 loses the second tenant (once).
                if device == 2 && !sim.revoked.contains_key(&2) {
                    let tenant = tenants[1].clone();
                    sim.revoked.entry(2).or_default().insert(tenant.clone());
                    devices[2].revoke_tenant(&tenant).await.expect("revoke");
                }
            }
        }
    }
    // Everyone back online, twice round (a later push is pulled by the earlier ones).
    for _ in 0..2 {
        for (index, store) in devices.iter().enumerate() {
            sim.settle(index, store).await;
        }
    }

    // The fold of the server's log: a fresh device that applied all of it.
    let oracle = Store::open(&dir.path().join("oracle.db"))
        .await
        .expect("oracle");
    sim.deliver(&oracle, &sim.log).await;
    for page in sim.log.chunks(97) {
        oracle
            .apply_operations(page, page.last().map(|s| s.seq))
            .await
            .expect("oracle apply");
    }
    derive(&oracle).await;
    let truth = digests(&oracle).await;

    let ids: BTreeSet<&str> = sim.log.iter().map(|s| s.operation.id.as_str()).collect();
    assert_eq!(ids.len(), sim.log.len(), "no operation twice in the log");
    for (index, store) in devices.iter().enumerate() {
        let state = store.sync_state().await.expect("state");
        assert_eq!(state.pending, 0, "device {index} pushed everything");
        let held = digests(store).await;
        if let Some(keep) = std::env::var_os("PLUMBLINE_KEEP_FAILED") {
            if held.iter().any(|(k, d)| truth.get(k) != Some(d)) {
                let keep = std::path::PathBuf::from(keep);
                std::fs::create_dir_all(&keep).expect("keep dir");
                for name in ["oracle.db".to_owned(), format!("device-{index}.db")] {
                    for suffix in ["", "-wal", "-shm"] {
                        let file = format!("{name}{suffix}");
                        if dir.path().join(&file).exists() {
                            std::fs::copy(dir.path().join(&file), keep.join(&file)).expect("keep");
                        }
                    }
                }
            }
        }
        for (key, digest) in &held {
            assert_eq!(
                Some(digest),
                truth.get(key),
                "device {index} holds the fold of the log for {key:?}"
            );
        }
        let revoked = sim.revoked.get(&index).cloned().unwrap_or_default();
        for key in truth.keys() {
            let expected = !revoked.contains(key);
            assert_eq!(
                held.contains_key(key),
                expected,
                "device {index}: tenant {key:?} present = {expected}"
            );
        }
        // Nothing lost: each decision the device made is in the log, unless refused
        // because the device lost the tenant (then it is in its rejected list).
        let rejected = store.rejected_operations().await.expect("rejected");
        for op in &rejected {
            assert!(
                op.tenant_id.as_ref().is_some_and(|t| revoked.contains(t)),
                "device {index}: only operations on a revoked tenant are refused: {op:?}"
            );
        }
    }
    // Every decision the devices made reached the log (or was refused after revocation).
    let decisions_in_log = sim
        .log
        .iter()
        .filter(|s| s.operation.body.kind() == "decision")
        .count();
    let refused: usize = {
        let mut n = 0;
        for store in &devices {
            n += store
                .rejected_operations()
                .await
                .expect("rejected")
                .iter()
                .filter(|r| r.kind == "decision")
                .count();
        }
        n
    };
    let made_total: usize = made.values().sum();
    assert_eq!(
        decisions_in_log + refused,
        made_total,
        "every decision made is in the log once, or refused"
    );
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 6,
        max_shrink_iters: 8,
        ..ProptestConfig::default()
    })]

    #[test]
    fn devices_converge_to_the_fold_of_the_log(schedule in prop::collection::vec(step(), 20..60)) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(run(schedule));
    }
}

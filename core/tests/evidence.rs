//! Evidence packs and the audit chain against a real database: packs verify, any changed
//! byte fails, redaction leaves no address behind, the private key is nowhere but the
//! keychain, the format is pinned, and the README's standard-tool steps work.

use std::collections::{BTreeSet, HashMap};

use base64::Engine as _;
use chrono::{NaiveDate, TimeDelta, TimeZone, Utc};
use plumbline_core::connectors::import::{import_files, ImportOptions};
use plumbline_core::evidence::{
    self, build_pack, manifest_bytes, read_zip, redact::email_spans, verify_pack, write_zip,
    EvidenceError, Manifest, ManifestAudit, ManifestChain, ManifestFile, ManifestPeriod,
    ManifestRedaction, ManifestSigner, ManifestTenant, ManifestWorkspace, PackRequest,
    WorkspaceKey,
};
use plumbline_core::findings::{Action, RiskRequest};
use plumbline_core::keychain::{Keychain, MemoryKeychain};
use plumbline_core::model::{CaptureSource, TenantProfile};
use plumbline_core::portfolio::{add_demo_tenants, DemoRequest};
use plumbline_core::review::{review_all, ReviewOptions};
use plumbline_core::store::{CaptureWrite, FindingFilter, Store};

const ALICE: &str = "alice.example@contoso-demo.com";
const BOB: &str = "Bob.Sample@Contoso-Demo.com";

struct Fixture {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    store: Store,
    tenant: String,
    keychain: MemoryKeychain,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("evidence.db");
    let store = Store::open(&db)
        .await
        .expect("store")
        .with_actor("Carol Operator");
    let anchor = Utc
        .with_ymd_and_hms(2026, 6, 1, 0, 0, 0)
        .single()
        .expect("date");
    add_demo_tenants(
        &store,
        &DemoRequest {
            seed: 11,
            tenants: 2,
            anchor,
        },
        |_, _| {},
    )
    .await
    .expect("demo");
    let tenant = store.list_tenants().await.expect("tenants")[0].name.clone();
    // A capture with personal data in it: a CA policy naming people, and a user object.
    let policy = serde_json::json!({
        "@odata.type": "#microsoft.graph.conditionalAccessPolicy",
        "id": "5f2a0f8e-0000-4000-8000-000000000001",
        "displayName": "CA - Break glass exclusion",
        "description": format!("Owner: {ALICE}; escalate to {BOB}"),
        "state": "enabled",
        "conditions": {"users": {"includeUsers": ["All"], "excludeUsers": [ALICE]}},
        "createdBy": {"user": {"displayName": "Alice Example", "userPrincipalName": ALICE}},
    });
    let content = import_files(
        [(
            "ConditionalAccess/break-glass.json",
            serde_json::to_vec(&policy).expect("json"),
        )],
        &ImportOptions::default(),
    )
    .expect("import")
    .content;
    store
        .record_capture(
            &TenantProfile {
                display_name: tenant.clone(),
                ..TenantProfile::default()
            },
            &CaptureWrite {
                source: CaptureSource::Import,
                taken_at: anchor + TimeDelta::days(1),
                origin: Some("test".to_owned()),
                content: &content,
            },
        )
        .await
        .expect("capture");
    review_all(&store, &ReviewOptions::default(), |_, _| {})
        .await
        .expect("review");
    let tenant_id = store.tenant(&tenant).await.expect("tenant").id;
    let findings = store
        .list_findings(&FindingFilter {
            tenant: Some(tenant_id),
            ..FindingFilter::default()
        })
        .await
        .expect("findings");
    let now = Utc::now();
    store
        .decide_finding(
            &findings[0].id,
            &Action::AcceptRisk(RiskRequest {
                justification: format!("Agreed with Alice Example ({ALICE}) until the migration"),
                expires_at: now + TimeDelta::days(30),
                accepted_by: "Carol Operator".to_owned(),
                approver: Some("Dave Approver".to_owned()),
            }),
            None,
            now,
        )
        .await
        .expect("accept");
    Fixture {
        _dir: dir,
        db,
        store,
        tenant,
        keychain: MemoryKeychain::default(),
    }
}

fn request(fixture: &Fixture, redact: bool) -> PackRequest {
    PackRequest {
        tenant: fixture.tenant.clone(),
        from: NaiveDate::from_ymd_opt(2025, 1, 1).expect("date"),
        to: Utc::now().date_naive(),
        redact,
        include_reports: false,
        created_at: Utc
            .with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
            .single()
            .expect("date"),
    }
}

async fn pack(fixture: &Fixture, redact: bool) -> Vec<u8> {
    let (key, _) = evidence::workspace_key(&fixture.store, &fixture.keychain)
        .await
        .expect("key");
    build_pack(
        &fixture.store,
        &key,
        &request(fixture, redact),
        &mut |_, _| {},
    )
    .await
    .expect("pack")
    .bytes
}

fn assert_fails(bytes: &[u8], what: &str) {
    let verdict = verify_pack(bytes, None);
    assert!(!verdict.ok, "{what}: verification must fail");
    assert!(!verdict.failures.is_empty(), "{what}: a failure is named");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn packs_verify_are_deterministic_and_any_change_fails() {
    let fixture = fixture().await;
    let bytes = pack(&fixture, false).await;
    let verdict = verify_pack(&bytes, None);
    assert!(verdict.ok, "{:?}", verdict.failures);
    assert!(verdict.audit_events_checked > 10, "{verdict:?}");
    assert_eq!(bytes, pack(&fixture, false).await, "same data, same bytes");

    let entries = read_zip(&bytes).expect("zip");
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "manifest.json",
        "manifest.sig",
        "signer.pub",
        "README.txt",
        "SHA256SUMS",
        "findings.json",
        "findings.csv",
        "risk-acceptances.json",
        "audit-log.jsonl",
        "drift/reviews.json",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    assert!(names.iter().any(|n| n.starts_with("captures/objects/")));
    assert!(names.iter().any(|n| n.starts_with("drift/baseline-")));

    // A changed byte anywhere in any entry fails: first, last and spread positions.
    for (index, (name, content)) in entries.iter().enumerate() {
        let len = content.len();
        // Every entry, at a position that moves through the file from entry to entry,
        // plus the first and last byte of the signed and structural files.
        let mut positions: BTreeSet<usize> = [(index * 7919) % len.max(1)].into();
        if !name.starts_with("captures/") {
            positions.extend([0, len.saturating_sub(1)]);
        }
        for position in positions.into_iter().filter(|p| *p < len) {
            let mut changed = entries.clone();
            changed[index].1[position] ^= 0x01;
            assert_fails(
                &write_zip(&changed).expect("zip"),
                &format!("{name} byte {position}"),
            );
        }
        let mut removed = entries.clone();
        removed.remove(index);
        assert_fails(
            &write_zip(&removed).expect("zip"),
            &format!("without {name}"),
        );
    }
    let mut added = entries.clone();
    added.push(("captures/extra.json".to_owned(), b"{}".to_vec()));
    assert_fails(&write_zip(&added).expect("zip"), "an added entry");
    // Any changed byte of the ZIP file itself fails, even where no reader looks (a
    // timestamp, the version fields, padding bits after a compressed stream): every byte
    // of the first local header, of the last central directory entries and of the end
    // record, the first and last byte of every entry's compressed data, and bytes spread
    // through the whole file. Low and high bits alternate.
    let mut offsets: BTreeSet<usize> = (0..100)
        .chain(bytes.len().saturating_sub(400)..bytes.len())
        .chain((0..bytes.len()).step_by(bytes.len() / 100 + 1))
        .collect();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("zip");
    for index in 0..archive.len() {
        let file = archive.by_index_raw(index).expect("entry");
        let data = usize::try_from(file.data_start().expect("data start")).expect("offset");
        let size = usize::try_from(file.compressed_size()).expect("size");
        offsets.extend([data, data + size.saturating_sub(1)]);
    }
    for (n, offset) in offsets.into_iter().enumerate() {
        let mut damaged = bytes.clone();
        damaged[offset] ^= if n % 2 == 0 { 0x01 } else { 0x80 };
        assert_fails(&damaged, &format!("zip byte {offset}"));
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_fails(&longer, "a byte appended to the ZIP file");
    // Reordering the entries changes nothing.
    let mut reordered = entries.clone();
    reordered.reverse();
    let verdict = verify_pack(&write_zip(&reordered).expect("zip"), None);
    assert!(verdict.ok, "reordered: {:?}", verdict.failures);
    // A trusted fingerprint that is not the signer's fails.
    assert!(!verify_pack(&bytes, Some(&"0".repeat(64))).ok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redaction_leaves_no_address_and_is_consistent() {
    let fixture = fixture().await;
    let plain = read_zip(&pack(&fixture, false).await).expect("zip");
    // Every address in the unredacted pack is source data.
    let mut addresses = BTreeSet::new();
    for (_, content) in &plain {
        let text = String::from_utf8_lossy(content);
        for (start, end) in email_spans(&text) {
            addresses.insert(text[start..end].to_lowercase());
        }
    }
    assert!(addresses.contains(ALICE), "{addresses:?}");
    assert!(addresses.contains(&BOB.to_lowercase()), "{addresses:?}");

    let bytes = pack(&fixture, true).await;
    let verdict = verify_pack(&bytes, None);
    assert!(verdict.ok, "{:?}", verdict.failures);
    let redacted = read_zip(&bytes).expect("zip");
    let mut pseudonym_files: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (name, content) in &redacted {
        let text = String::from_utf8_lossy(content).to_lowercase();
        for address in &addresses {
            assert!(!text.contains(address.as_str()), "{address} in {name}");
        }
        for person in [
            "alice example",
            "bob sample",
            "carol operator",
            "dave approver",
        ] {
            assert!(!text.contains(person), "{person} in {name}");
        }
        let original = String::from_utf8_lossy(content);
        for (start, end) in email_spans(&original) {
            pseudonym_files
                .entry(original[start..end].to_owned())
                .or_default()
                .insert(name.clone());
        }
    }
    // Alice's pseudonym is the same in the captured policy and the risk acceptance.
    let shared = pseudonym_files.values().any(|files| {
        files.iter().any(|f| f.starts_with("captures/objects/"))
            && files.contains("risk-acceptances.json")
    });
    assert!(shared, "{pseudonym_files:?}");
    let manifest: Manifest = serde_json::from_slice(
        &redacted
            .iter()
            .find(|(n, _)| n == "manifest.json")
            .expect("manifest")
            .1,
    )
    .expect("manifest json");
    assert!(manifest.redaction.applied);
    assert!(manifest.redaction.distinct_addresses >= 2);
    assert!(!manifest.redaction.covered.is_empty());
    assert!(manifest.audit.redacted_events > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_private_key_is_only_in_the_keychain() {
    let fixture = fixture().await;
    let bytes = pack(&fixture, true).await;
    let plain = pack(&fixture, false).await;
    let secrets: Vec<String> = fixture
        .keychain
        .accounts()
        .iter()
        .filter_map(|account| fixture.keychain.get(account).expect("get"))
        .collect();
    assert_eq!(secrets.len(), 1, "one key was created");
    let seed = hex::decode(&secrets[0]).expect("hex seed");
    let needles: Vec<Vec<u8>> = vec![
        secrets[0].as_bytes().to_vec(),
        secrets[0].to_uppercase().into_bytes(),
        seed.clone(),
        base64::engine::general_purpose::STANDARD
            .encode(&seed)
            .into_bytes(),
    ];
    fixture.store.checkpoint().await.expect("checkpoint");
    let mut haystacks: Vec<(String, Vec<u8>)> = vec![
        ("redacted pack".to_owned(), bytes.clone()),
        ("pack".to_owned(), plain.clone()),
    ];
    for pack in [&bytes, &plain] {
        haystacks.extend(read_zip(pack).expect("zip"));
    }
    for entry in std::fs::read_dir(fixture.db.parent().expect("dir")).expect("dir") {
        let path = entry.expect("entry").path();
        haystacks.push((
            path.display().to_string(),
            std::fs::read(&path).expect("read"),
        ));
    }
    for (name, haystack) in &haystacks {
        for needle in &needles {
            assert!(
                !haystack
                    .windows(needle.len())
                    .any(|w| w == needle.as_slice()),
                "the private key is in {name}"
            );
        }
    }
    // Debug output of the key does not show it either.
    let (key, _) = evidence::workspace_key(&fixture.store, &fixture.keychain)
        .await
        .expect("key");
    assert!(!format!("{key:?}").contains(&secrets[0]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_keychain_entry_is_reported_not_replaced() {
    let fixture = fixture().await;
    let (_, row) = evidence::workspace_key(&fixture.store, &fixture.keychain)
        .await
        .expect("key");
    fixture
        .keychain
        .delete(&row.keychain_account)
        .expect("delete");
    let error = evidence::workspace_key(&fixture.store, &fixture.keychain)
        .await
        .expect_err("missing key");
    assert!(matches!(error, EvidenceError::KeyMissing { .. }), "{error}");
    assert!(error.to_string().contains(&row.fingerprint));
    let rotated = evidence::rotate_key(&fixture.store, &fixture.keychain)
        .await
        .expect("rotate");
    assert_ne!(rotated.fingerprint, row.fingerprint);
    let keys = fixture.store.signing_keys().await.expect("keys");
    assert_eq!(keys.len(), 2);
    assert!(keys
        .iter()
        .any(|k| k.fingerprint == row.fingerprint && k.retired_at.is_some()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_names_the_first_broken_link() {
    let fixture = fixture().await;
    let chains = fixture.store.verify_audit_chains().await.expect("verify");
    // The device's own chain and its derived chain (reviews every device makes).
    assert_eq!(chains.len(), 2, "{chains:?}");
    assert!(chains.iter().all(|c| c.broken.is_none()), "{chains:?}");
    let device = fixture.store.writer().device_id.clone();
    let own = |chains: &[plumbline_core::audit::ChainSummary]| {
        chains
            .iter()
            .find(|c| c.device_id == device)
            .cloned()
            .expect("the device's chain")
    };
    assert!(own(&chains).events >= 12, "{chains:?}");

    // The database refuses to change an event…
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", fixture.db.display()))
        .await
        .expect("pool");
    let refused = sqlx::query("UPDATE audit_events SET actor = 'mallory' WHERE chain_seq = 5")
        .execute(&pool)
        .await;
    assert!(refused.is_err(), "the trigger refuses updates");
    assert!(sqlx::query("DELETE FROM audit_events WHERE chain_seq = 5")
        .execute(&pool)
        .await
        .is_err());
    // …so someone with the file drops the trigger and edits one anyway.
    sqlx::query("DROP TRIGGER audit_events_no_update")
        .execute(&pool)
        .await
        .expect("drop trigger");
    sqlx::query("UPDATE audit_events SET summary = '{\"forged\":true}' WHERE chain_seq = 11 AND device_id = ?")
        .bind(&device)
        .execute(&pool)
        .await
        .expect("forge");
    pool.close().await;
    let chains = fixture.store.verify_audit_chains().await.expect("verify");
    let own_chain = own(&chains);
    let broken = own_chain.broken.as_ref().expect("broken");
    assert_eq!(broken.chain_seq, 11, "{broken:?}");
    assert!(broken.problem.contains("changed"), "{broken:?}");
    // A pack of that tenant refuses to certify the broken chain when it covers it.
    let (key, _) = evidence::workspace_key(&fixture.store, &fixture.keychain)
        .await
        .expect("key");
    let built = build_pack(
        &fixture.store,
        &key,
        &request(&fixture, false),
        &mut |_, _| {},
    )
    .await;
    if let Err(error) = built {
        assert!(error.to_string().contains("audit chain"), "{error}");
    }
}

/// Pins the manifest and signature format byte for byte: a change here breaks every
/// auditor's tooling and must be a new format version.
#[test]
fn manifest_and_signature_format_is_pinned() {
    let key = WorkspaceKey::from_seed([7; 32]);
    let manifest = Manifest {
        format: evidence::FORMAT.to_owned(),
        pack_id: "0123456789abcdef0123456789abcdef".to_owned(),
        workspace: ManifestWorkspace {
            id: "0190f2a8-0000-7000-8000-000000000001".to_owned(),
            name: "Contoso MSP".to_owned(),
        },
        tenant: ManifestTenant {
            id: "0190f2a8-0000-7000-8000-000000000002".to_owned(),
            name: "Fabrikam".to_owned(),
            entra_tenant_id: Some("3f0c1c5e-0000-4000-8000-000000000003".to_owned()),
            primary_domain: Some("fabrikam.onmicrosoft.com".to_owned()),
        },
        period: ManifestPeriod {
            from: "2026-01-01".to_owned(),
            to: "2026-03-31".to_owned(),
        },
        created_at: "2026-04-01T08:00:00.000Z".to_owned(),
        created_by: "operator".to_owned(),
        app_version: "0.1.0".to_owned(),
        redaction: ManifestRedaction {
            applied: false,
            method: None,
            covered: Vec::new(),
            distinct_addresses: 0,
            distinct_names: 0,
        },
        signer: ManifestSigner {
            algorithm: "Ed25519".to_owned(),
            public_key_file: "signer.pub".to_owned(),
            signature_file: "manifest.sig".to_owned(),
            fingerprint: evidence::fingerprint(&key.public()),
        },
        audit: ManifestAudit {
            file: "audit-log.jsonl".to_owned(),
            events: 2,
            redacted_events: 0,
            chains: vec![ManifestChain {
                device_id: "0190f2a8-0000-7000-8000-000000000004".to_owned(),
                events: 2,
                first_seq: 7,
                last_seq: 9,
                last_hash: "ab".repeat(32),
            }],
        },
        omitted: Vec::new(),
        files: vec![ManifestFile {
            path: "findings.json".to_owned(),
            size: 3,
            sha256: "cd".repeat(32),
            kind: "findings".to_owned(),
        }],
    };
    let bytes = manifest_bytes(&manifest);
    if std::env::var_os("PLUMBLINE_BLESS").is_some() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
        std::fs::write(dir.join("evidence-manifest.json"), &bytes).expect("bless");
        std::fs::write(
            dir.join("evidence-manifest.sig.hex"),
            hex::encode(key.sign(&bytes)) + "\n",
        )
        .expect("bless");
        std::fs::write(
            dir.join("evidence-signer.pub"),
            evidence::public_key_pem(&key.public()),
        )
        .expect("bless");
        return;
    }
    let golden = include_str!("golden/evidence-manifest.json");
    assert_eq!(String::from_utf8_lossy(&bytes), golden);
    assert_eq!(
        hex::encode(key.sign(&bytes)),
        include_str!("golden/evidence-manifest.sig.hex").trim()
    );
    assert_eq!(
        evidence::public_key_pem(&key.public()),
        include_str!("golden/evidence-signer.pub")
    );
    // The PEM parser takes back exactly what is written.
    let parsed =
        evidence::parse_public_key_pem(include_bytes!("golden/evidence-signer.pub")).expect("pem");
    assert_eq!(parsed, key.public());
}

/// The README's steps with standard tools: openssl verifies the signature and the
/// fingerprint, `sha256sum -c` every file; a changed manifest fails openssl.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_tools_verify_a_pack_as_the_readme_says() {
    let fixture = fixture().await;
    let bytes = pack(&fixture, false).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let entries = read_zip(&bytes).expect("zip");
    for (name, content) in &entries {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, content).expect("write");
    }
    let run = |program: &str, args: &[&str]| {
        std::process::Command::new(program)
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap_or_else(|e| {
                panic!("{program} must be installed (scripts/install-deps.sh): {e}")
            })
    };
    let verified = run(
        "openssl",
        &[
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "signer.pub",
            "-rawin",
            "-in",
            "manifest.json",
            "-sigfile",
            "manifest.sig",
        ],
    );
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    assert!(String::from_utf8_lossy(&verified.stdout).contains("Signature Verified Successfully"));
    let der = run(
        "openssl",
        &["pkey", "-pubin", "-in", "signer.pub", "-outform", "DER"],
    );
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(dir.path().join("manifest.json")).expect("manifest"))
            .expect("manifest json");
    assert_eq!(
        hex::encode(sha2::Digest::finalize(
            <sha2::Sha256 as sha2::Digest>::new_with_prefix(&der.stdout)
        )),
        manifest.signer.fingerprint
    );
    let sums = run("sha256sum", &["-c", "SHA256SUMS"]);
    assert!(
        sums.status.success(),
        "{}",
        String::from_utf8_lossy(&sums.stdout)
    );

    let mut forged = std::fs::read(dir.path().join("manifest.json")).expect("manifest");
    forged[10] ^= 0x01;
    std::fs::write(dir.path().join("manifest.json"), forged).expect("write");
    let refused = run(
        "openssl",
        &[
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "signer.pub",
            "-rawin",
            "-in",
            "manifest.json",
            "-sigfile",
            "manifest.sig",
        ],
    );
    assert!(
        !refused.status.success(),
        "openssl refuses a changed manifest"
    );
}

/// What Settings and `plumbline key show|export` read: the key made on first view, a
/// lost private half reported (not an error), retired keys listed, the PEM written.
#[tokio::test]
async fn key_status_and_export_share_one_path_for_the_cli_and_the_desktop() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("keys.db"))
        .await
        .expect("store");
    let keychain = MemoryKeychain::default();

    let first = evidence::key_status(&store, &keychain)
        .await
        .expect("status");
    assert!(first.created_now, "the first view makes the key");
    assert_eq!(first.missing, None);
    assert_eq!(first.keychain, "in-memory keychain");
    assert!(first.retired.is_empty());
    let again = evidence::key_status(&store, &keychain)
        .await
        .expect("status");
    assert!(!again.created_now);
    assert_eq!(again.active, first.active);

    let out = dir.path().join("signer.pub");
    let exported = evidence::export_public_key(&store, &keychain, &out)
        .await
        .expect("export");
    assert_eq!(exported.fingerprint, first.active.fingerprint);
    let public = evidence::parse_public_key_pem(&std::fs::read(&out).expect("read"))
        .expect("the PEM parses");
    assert_eq!(evidence::fingerprint(&public), first.active.fingerprint);
    let refused = evidence::export_public_key(&store, &keychain, dir.path())
        .await
        .expect_err("a folder is not a file");
    assert!(matches!(refused, EvidenceError::BadRequest(_)), "{refused}");

    keychain
        .delete(&first.active.keychain_account)
        .expect("lose the key");
    let lost = evidence::key_status(&store, &keychain)
        .await
        .expect("still a status");
    assert_eq!(lost.active, first.active);
    let message = lost.missing.expect("reported");
    assert!(message.contains(&first.active.fingerprint), "{message}");
    assert!(
        message.contains("Packs it signed still verify"),
        "{message}"
    );
    assert!(matches!(
        evidence::export_public_key(&store, &keychain, &out).await,
        Err(EvidenceError::KeyMissing { .. })
    ));

    let rotated = evidence::rotate_key(&store, &keychain)
        .await
        .expect("rotate");
    let after = evidence::key_status(&store, &keychain)
        .await
        .expect("status");
    assert_eq!(after.active.fingerprint, rotated.fingerprint);
    assert!(!after.created_now, "a rotation is not a first view");
    assert_eq!(after.missing, None);
    assert_eq!(
        after
            .retired
            .iter()
            .map(|k| k.fingerprint.as_str())
            .collect::<Vec<_>>(),
        [first.active.fingerprint.as_str()]
    );
}

/// Two first uses at once (Settings open while a pack starts, or two windows) make one
/// key: the loser of the race drops its keychain entry and signs with the winner's key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_uses_make_one_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("race.db"))
        .await
        .expect("store");
    let keychain = MemoryKeychain::default();
    let key = || evidence::workspace_key(&store, &keychain);
    let (a, b, c, d) = tokio::join!(key(), key(), key(), key());
    let fingerprints: BTreeSet<String> = [a, b, c, d]
        .into_iter()
        .map(|r| r.expect("a key").1.fingerprint)
        .collect();
    assert_eq!(fingerprints.len(), 1, "every caller signs with one key");
    let keys = store.signing_keys().await.expect("keys");
    assert_eq!(
        keys.len(),
        1,
        "no key was made and retired at once: {keys:?}"
    );
    assert_eq!(keychain.accounts(), vec![keys[0].keychain_account.clone()]);
}

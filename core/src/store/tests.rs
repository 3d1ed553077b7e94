use std::path::PathBuf;

use chrono::TimeZone;

use super::*;
use crate::connectors::import::{import_dir, ImportOptions};
use crate::model::{
    CaptureContent, CaptureSource, CapturedItem, DirectoryObject, DirectoryObjectKind, KindStatus,
    TenantProfile,
};

fn corpus() -> CaptureContent {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("demo-data/openintunebaseline");
    import_dir(&root, &ImportOptions::default())
        .expect("corpus")
        .content
}

fn profile(name: &str) -> TenantProfile {
    TenantProfile {
        display_name: name.to_owned(),
        primary_domain: Some(format!("{}.onmicrosoft.com", name.to_lowercase())),
        ..TenantProfile::default()
    }
}

fn write(content: &CaptureContent, day: u32) -> CaptureWrite<'_> {
    CaptureWrite {
        source: CaptureSource::Import,
        taken_at: Utc
            .with_ymd_and_hms(2026, 10, day, 9, 0, 0)
            .single()
            .expect("valid date"),
        origin: Some("test".to_owned()),
        content,
    }
}

async fn count(store: &Store, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(store.pool())
        .await
        .expect("count")
}

#[tokio::test]
async fn opens_a_file_database_in_wal_mode_with_foreign_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested/plumbline.db");
    let store = Store::open(&path).await.expect("open");
    assert!(path.exists());
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .expect("pragma");
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(store.pool())
        .await
        .expect("pragma");
    assert_eq!(fk, 1);
    assert!(store.schema_version().await.expect("version") > 0);
    let workspace = store.workspace();
    let device = store.writer().device_id.clone();
    store.close().await;
    // Reopening keeps the identity.
    let store = Store::open(&path).await.expect("reopen");
    assert_eq!(store.workspace(), workspace);
    assert_eq!(store.writer().device_id, device);
}

#[tokio::test]
async fn a_newer_schema_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.db");
    let store = Store::open(&path).await.expect("open");
    sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99991231000000, 'from the future', 1, x'00', 0)")
        .execute(store.pool())
        .await
        .expect("insert");
    store.close().await;
    let err = Store::open(&path).await.expect_err("must refuse");
    let message = err.to_string();
    assert!(
        matches!(
            err,
            StoreError::NewerSchema {
                found: 99991231000000,
                ..
            }
        ),
        "{message}"
    );
    assert!(message.contains("update Plumbline"), "{message}");
}

#[tokio::test]
async fn the_corpus_is_stored_once_and_reads_back_identically() {
    let store = Store::open_in_memory().await.expect("open");
    let content = corpus();
    let (tenant, first, created) = store
        .record_capture(&profile("Contoso"), &write(&content, 1))
        .await
        .expect("capture");
    assert!(created);
    let blobs_after_first = store.blob_count().await.expect("blobs");
    // 111 files, some byte-identical? Every file is its own object here.
    assert!(blobs_after_first > 100);

    let (same_tenant, second, created) = store
        .record_capture(&profile("contoso"), &write(&content, 8))
        .await
        .expect("capture");
    assert_eq!(same_tenant, tenant, "names match case-insensitively");
    assert!(!created);
    assert_eq!(
        store.blob_count().await.expect("blobs"),
        blobs_after_first,
        "unchanged policies stored once"
    );

    let items = store.capture_items(second).await.expect("items");
    assert_eq!(items.len(), content.items.len());
    let mut expected: Vec<&CapturedItem> = content.items.iter().collect();
    expected.sort_by(|a, b| {
        (&a.kind, &a.name, &a.external_id).cmp(&(&b.kind, &b.name, &b.external_id))
    });
    for (stored, original) in items.iter().zip(expected) {
        assert_eq!(stored.raw, *original.raw);
        assert_eq!(stored.name, original.name);
        assert_eq!(stored.kind, original.kind);
    }

    let tenants = store.list_tenants().await.expect("tenants");
    assert_eq!(tenants.len(), 1);
    assert_eq!(tenants[0].capture_count, 2);
    assert_eq!(tenants[0].item_count as usize, content.items.len());
    assert_eq!(
        tenants[0].last_capture_at,
        Some(write(&content, 8).taken_at)
    );

    let captures = store.list_captures(tenant).await.expect("captures");
    assert_eq!(
        captures.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![second, first]
    );
    assert_eq!(captures[0].kind_status["settings_catalog"].item_count, 95);
}

#[tokio::test]
async fn a_capture_that_fails_midway_leaves_nothing_behind() {
    let store = Store::open_in_memory().await.expect("open");
    let mut content = corpus();
    content.directory_objects.push(DirectoryObject {
        kind: DirectoryObjectKind::Group,
        external_id: "g1".to_owned(),
        display_name: "All Staff".to_owned(),
    });
    // The last write of a capture fails: everything before it must roll back.
    sqlx::query("CREATE TEMP TRIGGER fail_dir BEFORE INSERT ON directory_objects BEGIN SELECT RAISE(ABORT, 'disk on fire'); END")
        .execute(store.pool())
        .await
        .expect("trigger");
    let err = store
        .record_capture(&profile("Fabrikam"), &write(&content, 2))
        .await
        .expect_err("fails");
    assert!(err.to_string().contains("disk on fire"), "{err}");
    for table in [
        "tenants",
        "captures",
        "capture_kinds",
        "config_items",
        "blobs",
        "directory_objects",
        "audit_events",
    ] {
        assert_eq!(count(&store, table).await, 0, "{table} must be empty");
    }
}

#[tokio::test]
async fn failed_kinds_are_recorded_and_listed() {
    let store = Store::open_in_memory().await.expect("open");
    let mut content = corpus();
    content.kind_status.insert(
        "conditional_access".to_owned(),
        KindStatus {
            ok: false,
            item_count: 0,
            error: Some("403 Forbidden".to_owned()),
        },
    );
    store
        .record_capture(&profile("Northwind"), &write(&content, 3))
        .await
        .expect("capture");
    let tenant = store.tenant("northwind").await.expect("found");
    assert_eq!(tenant.failed_kinds, vec!["conditional_access".to_owned()]);
    let missing = store.tenant("nobody").await.expect_err("absent");
    assert!(
        missing.to_string().contains("plumbline tenants"),
        "{missing}"
    );
}

#[tokio::test]
async fn tenant_history_is_all_or_nothing_and_never_duplicated() {
    let store = Store::open_in_memory().await.expect("open");
    let content = corpus();
    let plants = serde_json::json!([{"kind": "missing"}]);
    let (tenant, ids) = store
        .record_tenant_history(
            &profile("Tailspin"),
            &[write(&content, 1), write(&content, 5)],
            Some((7, 3, &plants)),
            &[],
        )
        .await
        .expect("history");
    assert_eq!(ids.len(), 2);
    assert_eq!(
        store.demo_plants(tenant).await.expect("plants"),
        Some(plants.clone())
    );
    assert_eq!(store.demo_indices(7).await.expect("indices"), vec![3]);
    let again = store
        .record_tenant_history(&profile("Tailspin"), &[write(&content, 9)], None, &[])
        .await
        .expect_err("conflict");
    assert!(matches!(again, StoreError::Conflict(_)));
    assert_eq!(count(&store, "captures").await, 2);
}

#[tokio::test]
async fn every_write_is_audited_in_an_unbroken_append_only_chain() {
    let store = Store::open_in_memory().await.expect("open");
    let content = corpus();
    store
        .record_capture(&profile("Adatum"), &write(&content, 1))
        .await
        .expect("capture");
    store
        .record_capture(&profile("Adatum"), &write(&content, 2))
        .await
        .expect("capture");
    let rows = sqlx::query(
        "SELECT chain_seq, action, prev_hash, hash FROM audit_events ORDER BY chain_seq",
    )
    .fetch_all(store.pool())
    .await
    .expect("rows");
    let actions: Vec<String> = rows.iter().map(|r| r.get("action")).collect();
    assert_eq!(
        actions,
        ["tenant.create", "capture.record", "capture.record"]
    );
    let mut prev = crate::audit::GENESIS.to_owned();
    for row in &rows {
        assert_eq!(row.get::<String, _>("prev_hash"), prev);
        prev = row.get("hash");
    }
    let update = sqlx::query("UPDATE audit_events SET actor = 'mallory'")
        .execute(store.pool())
        .await;
    assert!(update
        .expect_err("refused")
        .to_string()
        .contains("append-only"));
    let delete = sqlx::query("DELETE FROM audit_events")
        .execute(store.pool())
        .await;
    assert!(delete
        .expect_err("refused")
        .to_string()
        .contains("append-only"));
}

/// Migration 27 turned the tables holding large values (blobs, observations, setting
/// definitions) into rowid tables. A database kept by the schema before it is put back
/// here (the three tables as they were, the migration unrecorded) and opened again: every
/// row is there, reads back the same, and the foreign keys that name blobs still hold.
#[tokio::test]
async fn a_database_from_before_the_rowid_tables_migrates_with_everything_in_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.db");
    let store = Store::open(&path).await.expect("open");
    let content = corpus();
    let (tenant, first, _) = store
        .record_capture(&profile("Contoso"), &write(&content, 1))
        .await
        .expect("capture");
    store
        .record_capture(&profile("Contoso"), &write(&content, 2))
        .await
        .expect("second capture");
    crate::review::review_tenant(&store, tenant, &crate::review::ReviewOptions::default())
        .await
        .expect("review");
    sqlx::query(
        "INSERT INTO setting_definitions (workspace_id, definition_id, definition, seen_at) VALUES (?, 'device_vendor_msft_policy_config_example', '{\"displayName\":\"Example\"}', '2026-10-01T09:00:00Z')",
    )
    .bind(store.workspace().to_string())
    .execute(store.pool())
    .await
    .expect("definition");
    let tables = [
        "blobs",
        "observations",
        "setting_definitions",
        "config_items",
    ];
    let mut before = Vec::new();
    for table in tables {
        before.push(count(&store, table).await);
    }
    assert!(before.iter().all(|n| *n > 0), "{before:?}");
    let items = store.capture_items(first).await.expect("items");

    // The schema of 26: the three tables WITHOUT ROWID, as the first migrations made them.
    let mut conn = store.pool().acquire().await.expect("connection");
    sqlx::raw_sql(
        "PRAGMA foreign_keys = OFF;
         BEGIN;
         CREATE TABLE blobs_old (sha256 TEXT PRIMARY KEY NOT NULL, size INTEGER NOT NULL,
             codec TEXT NOT NULL CHECK (codec IN ('zstd', 'none')), data BLOB NOT NULL) STRICT, WITHOUT ROWID;
         INSERT INTO blobs_old SELECT sha256, size, codec, data FROM blobs;
         DROP TABLE blobs;
         ALTER TABLE blobs_old RENAME TO blobs;
         CREATE TABLE observations_old (capture_id TEXT NOT NULL REFERENCES captures(id),
             inputs_hash TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (capture_id, inputs_hash)) STRICT, WITHOUT ROWID;
         INSERT INTO observations_old SELECT capture_id, inputs_hash, data FROM observations;
         DROP TABLE observations;
         ALTER TABLE observations_old RENAME TO observations;
         CREATE TABLE setting_definitions_old (workspace_id TEXT NOT NULL REFERENCES workspaces(id),
             definition_id TEXT NOT NULL, definition TEXT NOT NULL, seen_at TEXT NOT NULL,
             PRIMARY KEY (workspace_id, definition_id)) WITHOUT ROWID;
         INSERT INTO setting_definitions_old SELECT workspace_id, definition_id, definition, seen_at FROM setting_definitions;
         DROP TABLE setting_definitions;
         ALTER TABLE setting_definitions_old RENAME TO setting_definitions;
         DELETE FROM _sqlx_migrations WHERE version = 20261207000027;
         COMMIT;
         PRAGMA foreign_keys = ON;",
    )
    .execute(&mut *conn)
    .await
    .expect("the earlier schema");
    drop(conn);
    let without_rowid = |store: &Store| {
        let pool = store.pool().clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('blobs', 'observations', 'setting_definitions') AND sql LIKE '%WITHOUT ROWID%' ORDER BY name",
            )
            .fetch_all(&pool)
            .await
            .expect("schema")
        }
    };
    assert_eq!(
        without_rowid(&store).await.len(),
        3,
        "the earlier schema is in place"
    );
    store.close().await;

    let store = Store::open(&path).await.expect("migrates");
    assert!(without_rowid(&store).await.is_empty());
    let mut after = Vec::new();
    for table in tables {
        after.push(count(&store, table).await);
    }
    assert_eq!(after, before);
    assert_eq!(store.capture_items(first).await.expect("items"), items);
    let broken: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(store.pool())
        .await
        .expect("foreign key check");
    assert!(broken.is_empty(), "{broken:?}");
    // Blobs are still one per hash, and a review reads its observations back.
    let again = store
        .record_capture(&profile("Contoso"), &write(&content, 3))
        .await
        .expect("a capture after the migration");
    assert_ne!(again.1, first);
    assert_eq!(count(&store, "blobs").await, before[0]);
    let review =
        crate::review::review_tenant(&store, tenant, &crate::review::ReviewOptions::default())
            .await
            .expect("review after the migration");
    assert!(review.reviewed);
}

/// A blob frame from the server: a zstd frame is stored as it came (and uploaded again
/// as stored), a plain one compressed; one that does not decode to its size and hash,
/// or to JSON, is refused.
#[tokio::test]
async fn received_blob_frames_are_checked_and_kept_as_they_came() {
    use plumbline_wire::{BlobCodec, BlobFrame};
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("p.db")).await.expect("open");
    let packed = br#"{"displayName":"packed"}"#.to_vec();
    let plain = br#"{"displayName":"plain"}"#.to_vec();
    // Level 19: bytes this device would not have produced itself.
    let sent = BlobFrame {
        sha256: blob_hash(&packed),
        codec: BlobCodec::Zstd,
        size: packed.len() as u64,
        data: zstd::bulk::compress(&packed, 19).expect("zstd"),
    };
    let plain_frame = BlobFrame {
        sha256: blob_hash(&plain),
        codec: BlobCodec::None,
        size: plain.len() as u64,
        data: plain.clone(),
    };
    let received = [
        ReceivedBlob::check(sent.clone(), true).expect("packed"),
        ReceivedBlob::check(plain_frame.clone(), false).expect("plain"),
    ];
    store.store_blobs(&received).await.expect("store");
    let stored = store
        .blob_payloads(&[sent.sha256.clone(), plain_frame.sha256.clone()])
        .await
        .expect("payloads");
    assert_eq!(stored[0], sent, "kept as it came");
    assert_eq!(stored[1].codec, BlobCodec::Zstd);
    assert_eq!(
        zstd::bulk::decompress(&stored[1].data, plain.len()).expect("zstd"),
        plain
    );

    let refused = |frame: BlobFrame| match ReceivedBlob::check(frame, true) {
        Err(StoreError::Invalid(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    };
    let mut other_hash = sent.clone();
    other_hash.sha256 = blob_hash(&plain);
    assert!(refused(other_hash).contains("does not hash to it"));
    let mut shorter = sent.clone();
    shorter.size -= 1;
    assert!(refused(shorter).contains("zstd frame"));
    let mut longer = sent.clone();
    longer.size += 1;
    assert!(refused(longer).contains("decodes to"));
    let mut padded = sent.clone();
    padded.data.extend_from_slice(&0x184D_2A50u32.to_le_bytes());
    padded.data.extend_from_slice(&2048u32.to_le_bytes());
    padded.data.extend_from_slice(&[0u8; 2048]);
    assert!(refused(padded).contains("compressed"));
    let mut huge = sent.clone();
    huge.size = 1 << 40;
    assert!(refused(huge).contains("claims"));
    let not_json = b"not json".to_vec();
    assert!(refused(BlobFrame {
        sha256: blob_hash(&not_json),
        codec: BlobCodec::None,
        size: not_json.len() as u64,
        data: not_json,
    })
    .contains("not JSON"));
}

//! Building an evidence pack: gather a tenant's governance record for a period, redact it
//! when asked, hash every file into a signed manifest and write a deterministic ZIP.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::keys::{fingerprint, public_key_pem, WorkspaceKey};
use super::redact::{self, Redactor};
use super::{zipfile, EvidenceError, FORMAT};
use crate::audit::{AuditEvent, ChainVerifier};
use crate::store::{blob_hash, timestamp, AuditFilter, Store};

/// What to put in a pack.
#[derive(Clone, Debug)]
pub struct PackRequest {
    /// Tenant name or id.
    pub tenant: String,
    /// First day of the period (UTC, inclusive).
    pub from: NaiveDate,
    /// Last day of the period (UTC, inclusive).
    pub to: NaiveDate,
    pub redact: bool,
    pub include_reports: bool,
    /// The pack's creation time: `SOURCE_DATE_EPOCH` when set, for reproducible packs.
    pub created_at: DateTime<Utc>,
}

/// A built pack.
#[derive(Clone, Debug)]
pub struct BuiltPack {
    pub bytes: Vec<u8>,
    /// SHA-256 (hex) of the ZIP file.
    pub sha256: String,
    pub manifest: Manifest,
}

/// `manifest.json`. Field order is the format: do not reorder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub pack_id: String,
    pub workspace: ManifestWorkspace,
    pub tenant: ManifestTenant,
    pub period: ManifestPeriod,
    pub created_at: String,
    pub created_by: String,
    pub app_version: String,
    pub redaction: ManifestRedaction,
    pub signer: ManifestSigner,
    pub audit: ManifestAudit,
    /// What was asked for but is not in the pack, and why.
    pub omitted: Vec<String>,
    /// Every file of the pack except manifest.json, manifest.sig and signer.pub, by path.
    pub files: Vec<ManifestFile>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestWorkspace {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestTenant {
    pub id: String,
    pub name: String,
    pub entra_tenant_id: Option<String>,
    pub primary_domain: Option<String>,
}

/// Inclusive UTC dates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestPeriod {
    pub from: String,
    pub to: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestRedaction {
    pub applied: bool,
    pub method: Option<String>,
    pub covered: Vec<String>,
    pub distinct_addresses: usize,
    pub distinct_names: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestSigner {
    pub algorithm: String,
    pub public_key_file: String,
    pub signature_file: String,
    /// SHA-256 of the public key's SubjectPublicKeyInfo DER.
    pub fingerprint: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestAudit {
    pub file: String,
    pub events: u64,
    /// Events whose fields redaction changed: their links are checked, not their hash.
    pub redacted_events: u64,
    pub chains: Vec<ManifestChain>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestChain {
    pub device_id: String,
    pub events: u64,
    pub first_seq: i64,
    pub last_seq: i64,
    pub last_hash: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    pub path: String,
    pub size: u64,
    pub sha256: String,
    pub kind: String,
}

/// One line of `audit-log.jsonl`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PackedEvent {
    #[serde(flatten)]
    pub event: AuditEvent,
    /// True when redaction changed the event's fields.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub redacted: bool,
}

pub const MANIFEST: &str = "manifest.json";
pub const SIGNATURE: &str = "manifest.sig";
pub const PUBLIC_KEY: &str = "signer.pub";
pub const CHECKSUMS: &str = "SHA256SUMS";
pub const AUDIT_LOG: &str = "audit-log.jsonl";
pub const README: &str = "README.txt";

/// Serialises the manifest exactly as packs carry it.
pub fn manifest_bytes(manifest: &Manifest) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(manifest).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// JSON with object keys sorted at every level, pretty-printed, ending in a newline.
pub fn canonical_json(value: &Value) -> Vec<u8> {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let ordered: BTreeMap<&String, Value> =
                    map.iter().map(|(k, v)| (k, sorted(v))).collect();
                Value::Object(ordered.into_iter().map(|(k, v)| (k.clone(), v)).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    let mut bytes = serde_json::to_vec_pretty(&sorted(value)).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

fn to_value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A file name part from free text: lower-case letters, digits and dashes.
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "unnamed".to_owned()
    } else {
        out.chars().take(60).collect()
    }
}

/// Where pack building is, for progress bars: (what, fraction done).
pub type Progress<'a> = &'a mut (dyn FnMut(&str, f64) + Send);

/// Builds the evidence pack of `request` signed with `key`. Reads only; recording the
/// pack is the caller's ([`Store::record_evidence_pack`]).
pub async fn build_pack(
    store: &Store,
    key: &WorkspaceKey,
    request: &PackRequest,
    progress: Progress<'_>,
) -> Result<BuiltPack, EvidenceError> {
    if request.to < request.from {
        return Err(EvidenceError::BadRequest(format!(
            "the period ends ({}) before it starts ({}): swap --from and --to",
            request.to, request.from
        )));
    }
    if request.redact && request.include_reports {
        return Err(EvidenceError::BadRequest(
            "reports are PDFs that Plumbline cannot redact: create the pack with --redact or with --include-reports, not both"
                .to_owned(),
        ));
    }
    let tenant = store.tenant(&request.tenant).await?;
    let from = request.from.and_time(chrono::NaiveTime::MIN).and_utc();
    let to = request
        .to
        .succ_opt()
        .unwrap_or(request.to)
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();

    progress("Reading captures", 0.05);
    let captures = store.evidence_captures(tenant.id, from, to).await?;
    let hashes: BTreeSet<&str> = captures
        .iter()
        .flat_map(|c| c.items.iter().map(|i| i.blob_sha256.as_str()))
        .collect();
    let blobs = store
        .blob_bytes(&hashes.into_iter().collect::<Vec<_>>())
        .await?;
    progress("Reading findings and the audit log", 0.35);
    let reviews = store.evidence_reviews(tenant.id, from, to).await?;
    let findings = store
        .report_findings(Some(tenant.id), Some((from, to)))
        .await?;
    let acceptances = store
        .report_acceptances(Some(tenant.id), Some((from, to)))
        .await?;
    let events = store
        .audit_events(&AuditFilter {
            tenant: Some(tenant.id),
            since: Some(from),
            until: Some(to),
            limit: None,
        })
        .await?;
    if captures.is_empty() && findings.is_empty() && events.is_empty() {
        return Err(EvidenceError::BadRequest(format!(
            "{} has no captures, findings or audit events from {} to {}: choose a period with activity (`plumbline tenants` shows the last capture)",
            tenant.name, request.from, request.to
        )));
    }

    // Every JSON document of the pack by path, before redaction.
    let mut documents: BTreeMap<String, (Value, &'static str)> = BTreeMap::new();
    let mut raw_files: BTreeMap<String, (Vec<u8>, &'static str)> = BTreeMap::new();
    let mut omitted = Vec::new();

    for capture in &captures {
        let stamp = capture.taken_at.replace([':', '.'], "-");
        let path = format!(
            "captures/{stamp}-{}.json",
            &capture.id[..8.min(capture.id.len())]
        );
        let items: Vec<Value> = capture
            .items
            .iter()
            .map(|i| {
                serde_json::json!({
                    "kind": i.kind,
                    "name": i.name,
                    "external_id": i.external_id,
                    "odata_type": i.odata_type,
                    "object_sha256": i.blob_sha256,
                })
            })
            .collect();
        let document = serde_json::json!({
            "capture": {
                "id": capture.id,
                "taken_at": capture.taken_at,
                "source": capture.source,
                "origin": capture.origin,
                "item_count": capture.item_count,
                "kinds": capture.kinds.iter().map(|(kind, ok, count, error)| serde_json::json!({
                    "kind": kind, "ok": ok, "item_count": count, "error": error,
                })).collect::<Vec<_>>(),
            },
            "directory_objects": capture.directory_objects.iter().map(|(kind, id, name)| serde_json::json!({
                "kind": kind, "external_id": id, "display_name": name,
            })).collect::<Vec<_>>(),
            "items": items,
        });
        documents.insert(path, (document, "capture"));
    }

    documents.insert(
        "drift/reviews.json".to_owned(),
        (to_value(&reviews), "drift"),
    );
    let mut by_source: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for finding in &findings {
        let file = match (&finding.source[..], &finding.baseline) {
            ("drift", Some(baseline)) => format!("drift/baseline-{}.json", slug(baseline)),
            (source, _) => format!("drift/{}.json", slug(source)),
        };
        by_source.entry(file).or_default().push(serde_json::json!({
            "finding_id": finding.id,
            "baseline": finding.baseline,
            "resource_kind": finding.resource_kind,
            "item": finding.item,
            "setting_path": finding.setting_path,
            "drift_kind": finding.drift_kind,
            "severity": finding.severity,
            "status": finding.status,
            "expected": finding.expected,
            "actual": finding.actual,
            "first_seen_at": finding.first_seen_at,
            "last_seen_at": finding.last_seen_at,
            "resolved_at": finding.resolved_at,
        }));
    }
    for (path, items) in by_source {
        documents.insert(path, (Value::Array(items), "drift"));
    }
    documents.insert(
        "findings.json".to_owned(),
        (to_value(&findings), "findings"),
    );
    documents.insert(
        "risk-acceptances.json".to_owned(),
        (to_value(&acceptances), "risk-acceptances"),
    );

    if request.include_reports {
        for report in store.list_reports(Some(tenant.id)).await? {
            let in_period = report.created_at.as_str() >= timestamp(from).as_str()
                && report.created_at.as_str() < timestamp(to).as_str();
            if !in_period {
                continue;
            }
            let name = format!(
                "reports/{}-{}-{}.{}",
                &report.created_at[..10.min(report.created_at.len())],
                slug(&report.kind),
                &report.id[..8.min(report.id.len())],
                report.format
            );
            let Some(path) = report.path.as_deref() else {
                omitted.push(format!("{name}: the report's file was not recorded"));
                continue;
            };
            match std::fs::read(path) {
                Ok(bytes) if blob_hash(&bytes) == report.sha256 => {
                    raw_files.insert(name, (bytes, "report"));
                }
                Ok(_) => omitted.push(format!(
                    "{name}: {path} changed since it was generated (its SHA-256 is not {})",
                    report.sha256
                )),
                Err(e) => omitted.push(format!("{name}: cannot read {path}: {e}")),
            }
        }
    }

    progress("Redacting and hashing", 0.55);
    let mut redactor = request.redact.then(|| Redactor::new(key.redaction_key()));
    let mut actor = store.writer().actor.clone();
    // Stored objects: with redaction their bytes change and so their names.
    let mut objects: BTreeMap<String, (Value, Option<Vec<u8>>)> = BTreeMap::new();
    for (hash, bytes) in blobs {
        if request.redact {
            let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
                EvidenceError::Store(crate::store::StoreError::Corrupt(format!(
                    "blob {hash}: {e}"
                )))
            })?;
            objects.insert(hash, (value, None));
        } else {
            objects.insert(hash, (Value::Null, Some(bytes)));
        }
    }
    let mut event_values: Vec<Value> = events.iter().map(to_value).collect();
    if let Some(redactor) = redactor.as_mut() {
        for (value, _) in documents.values() {
            redactor.collect(value);
        }
        for (value, _) in objects.values() {
            redactor.collect(value);
        }
        for value in &event_values {
            redactor.collect(value);
        }
        redactor.collect(&serde_json::json!({ "actor": actor }));
        for (value, _) in documents.values_mut() {
            redactor.redact(value);
        }
        for value in &mut event_values {
            redactor.redact(value);
        }
        let mut renamed = BTreeMap::new();
        for (hash, (value, _)) in &mut objects {
            redactor.redact(value);
            let bytes = serde_json::to_vec(value).unwrap_or_default();
            renamed.insert(hash.clone(), (blob_hash(&bytes), bytes));
        }
        // Captures refer to objects by the hash of the bytes in the pack.
        for (path, (document, _)) in documents.iter_mut() {
            if !path.starts_with("captures/") {
                continue;
            }
            if let Some(items) = document.get_mut("items").and_then(Value::as_array_mut) {
                for item in items {
                    let old = item["object_sha256"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    if let Some((new, _)) = renamed.get(&old) {
                        item["object_sha256"] = Value::String(new.clone());
                    }
                }
            }
        }
        objects = renamed
            .into_values()
            .map(|(hash, bytes)| (hash, (Value::Null, Some(bytes))))
            .collect();
        actor = redactor.redact_person(&actor);
    }

    // The files, by path.
    let mut files: BTreeMap<String, (Vec<u8>, &'static str)> = raw_files;
    for (hash, (_, bytes)) in objects {
        files.insert(
            format!("captures/objects/{hash}.json"),
            (bytes.unwrap_or_default(), "object"),
        );
    }
    for (path, (value, kind)) in &documents {
        files.insert(path.clone(), (canonical_json(value), kind));
    }
    if let Some((findings, _)) = documents.get("findings.json") {
        files.insert(
            "findings.csv".to_owned(),
            (findings_csv(findings)?, "findings"),
        );
    }
    let mut audit_log = Vec::new();
    let mut verifier = ChainVerifier::new(false);
    let mut redacted_events = 0;
    let mut ordered: Vec<(AuditEvent, bool)> = Vec::with_capacity(events.len());
    for (original, value) in events.iter().zip(event_values) {
        let event: AuditEvent = serde_json::from_value(value).map_err(|e| {
            EvidenceError::Store(crate::store::StoreError::Corrupt(format!(
                "audit event: {e}"
            )))
        })?;
        let redacted = event != *original;
        redacted_events += u64::from(redacted);
        ordered.push((event, redacted));
    }
    ordered.sort_by(|a, b| {
        (a.0.device_id.as_str(), a.0.chain_seq).cmp(&(b.0.device_id.as_str(), b.0.chain_seq))
    });
    for (event, redacted) in &ordered {
        verifier.push(event, !redacted);
        let line = PackedEvent {
            event: event.clone(),
            redacted: *redacted,
        };
        audit_log.extend(serde_json::to_vec(&line).unwrap_or_default());
        audit_log.push(b'\n');
    }
    let chains = verifier.finish();
    if let Some(broken) = chains.iter().find_map(|c| c.broken.as_ref()) {
        return Err(EvidenceError::BadRequest(format!(
            "the audit chain of device {} is broken at sequence {} ({}): {}. Run `plumbline audit verify`; a pack must not certify a broken chain",
            broken.device_id, broken.chain_seq, broken.event_id, broken.problem
        )));
    }
    files.insert(AUDIT_LOG.to_owned(), (audit_log, "audit-log"));

    let fp = fingerprint(&key.public());
    files.insert(
        README.to_owned(),
        (
            readme(&tenant.name, request, &fp, request.redact).into_bytes(),
            "readme",
        ),
    );
    // Every file is hashed once (for SHA256SUMS and for the manifest), off the async
    // threads: tens of megabytes for a year of captures.
    let (mut files, mut hashes) = tokio::task::spawn_blocking(move || {
        let hashes: BTreeMap<String, String> = files
            .iter()
            .map(|(path, (bytes, _))| (path.clone(), blob_hash(bytes)))
            .collect();
        (files, hashes)
    })
    .await
    .map_err(worker_failed)?;
    let mut checksums = String::new();
    for (path, hash) in &hashes {
        checksums.push_str(&format!("{hash}  {path}\n"));
    }
    let checksums = checksums.into_bytes();
    hashes.insert(CHECKSUMS.to_owned(), blob_hash(&checksums));
    files.insert(CHECKSUMS.to_owned(), (checksums, "checksums"));

    progress("Signing", 0.8);
    let manifest_files: Vec<ManifestFile> = files
        .iter()
        .map(|(path, (bytes, kind))| ManifestFile {
            path: path.clone(),
            size: bytes.len() as u64,
            sha256: hashes
                .get(path)
                .cloned()
                .unwrap_or_else(|| blob_hash(bytes)),
            kind: (*kind).to_owned(),
        })
        .collect();
    let mut id_hasher = Sha256::new();
    id_hasher.update(FORMAT.as_bytes());
    id_hasher.update(tenant.id.to_string().as_bytes());
    id_hasher.update(request.from.to_string().as_bytes());
    id_hasher.update(request.to.to_string().as_bytes());
    for file in &manifest_files {
        id_hasher.update(file.path.as_bytes());
        id_hasher.update(file.sha256.as_bytes());
    }
    let pack_id = hex::encode(&id_hasher.finalize()[..16]);
    let counts = redactor.as_ref().map(Redactor::counts).unwrap_or_default();
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        pack_id,
        workspace: ManifestWorkspace {
            id: store.workspace().to_string(),
            name: store.workspace_name().await?,
        },
        tenant: ManifestTenant {
            id: tenant.id.to_string(),
            name: tenant.name.clone(),
            entra_tenant_id: tenant.entra_tenant_id.clone(),
            primary_domain: tenant.primary_domain.clone(),
        },
        period: ManifestPeriod {
            from: request.from.to_string(),
            to: request.to.to_string(),
        },
        created_at: timestamp(request.created_at),
        created_by: actor,
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        redaction: ManifestRedaction {
            applied: request.redact,
            method: request
                .redact
                .then(|| "HMAC-SHA-256 pseudonyms keyed by the workspace signing key".to_owned()),
            covered: if request.redact {
                redact::COVERED.iter().map(|c| (*c).to_owned()).collect()
            } else {
                Vec::new()
            },
            distinct_addresses: counts.distinct_addresses,
            distinct_names: counts.distinct_names,
        },
        signer: ManifestSigner {
            algorithm: "Ed25519".to_owned(),
            public_key_file: PUBLIC_KEY.to_owned(),
            signature_file: SIGNATURE.to_owned(),
            fingerprint: fp,
        },
        audit: ManifestAudit {
            file: AUDIT_LOG.to_owned(),
            events: ordered.len() as u64,
            redacted_events,
            chains: chains
                .iter()
                .map(|c| ManifestChain {
                    device_id: c.device_id.clone(),
                    events: c.events,
                    first_seq: c.first_seq,
                    last_seq: c.head_seq,
                    last_hash: c.head_hash.clone(),
                })
                .collect(),
        },
        omitted,
        files: manifest_files,
    };
    let manifest_json = manifest_bytes(&manifest);
    let signature = key.sign(&manifest_json);
    let mut entries: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|(path, (bytes, _))| (path, bytes))
        .collect();
    entries.push((MANIFEST.to_owned(), manifest_json));
    entries.push((SIGNATURE.to_owned(), signature.to_vec()));
    entries.push((
        PUBLIC_KEY.to_owned(),
        public_key_pem(&key.public()).into_bytes(),
    ));
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    progress("Compressing", 0.85);
    // Deflate is most of a pack's time: on blocking threads, so the async threads (and
    // everything else the app does meanwhile) are not held, and a cancel lands here.
    let (bytes, sha256) = tokio::task::spawn_blocking(move || {
        zipfile::write(&entries).map(|bytes| {
            let sha256 = blob_hash(&bytes);
            (bytes, sha256)
        })
    })
    .await
    .map_err(worker_failed)??;
    Ok(BuiltPack {
        sha256,
        bytes,
        manifest,
    })
}

fn worker_failed(error: tokio::task::JoinError) -> EvidenceError {
    EvidenceError::Io(std::io::Error::other(format!(
        "a pack-building thread failed: {error}"
    )))
}

/// findings.csv: one row per finding, from the (possibly redacted) findings.json.
fn findings_csv(findings: &Value) -> Result<Vec<u8>, EvidenceError> {
    const COLUMNS: &[&str] = &[
        "id",
        "severity",
        "status",
        "source",
        "baseline",
        "resource_kind",
        "item",
        "setting_path",
        "drift_kind",
        "title",
        "expected",
        "actual",
        "first_seen_at",
        "last_seen_at",
        "resolved_at",
        "due_at",
        "reopen_count",
        "not_assessed",
    ];
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header: Vec<&str> = COLUMNS.iter().copied().chain(["history"]).collect();
    let csv_error = |e: csv::Error| EvidenceError::Io(std::io::Error::other(e));
    writer.write_record(&header).map_err(csv_error)?;
    for finding in findings.as_array().map(Vec::as_slice).unwrap_or_default() {
        let mut record: Vec<String> = COLUMNS
            .iter()
            .map(|column| match &finding[*column] {
                Value::Null => String::new(),
                Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect();
        let history: Vec<String> = finding["history"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|t| {
                let superseded = match &t["superseded"] {
                    Value::Object(by) => format!(
                        " [superseded by {} -> {} at {}]",
                        by.get("actor").and_then(Value::as_str).unwrap_or_default(),
                        by.get("to_status")
                            .and_then(Value::as_str)
                            .unwrap_or_default(),
                        by.get("at").and_then(Value::as_str).unwrap_or_default()
                    ),
                    _ => String::new(),
                };
                format!(
                    "{} {} -> {} by {}{superseded}",
                    t["at"].as_str().unwrap_or_default(),
                    t["from_status"].as_str().unwrap_or("new"),
                    t["to_status"].as_str().unwrap_or_default(),
                    t["actor"].as_str().unwrap_or_default()
                )
            })
            .collect();
        record.push(history.join("; "));
        writer.write_record(&record).map_err(csv_error)?;
    }
    writer
        .into_inner()
        .map_err(|e| EvidenceError::Io(std::io::Error::other(e.to_string())))
}

fn readme(tenant: &str, request: &PackRequest, fingerprint: &str, redacted: bool) -> String {
    let redaction = if redacted {
        "\nRedaction: user principal names, e-mail addresses and person names in this pack\n\
         are replaced by pseudonyms (the same person has the same pseudonym in every file).\n\
         Audit events whose fields were redacted are marked \"redacted\": true; their hash\n\
         cannot be recomputed from the redacted fields, but their links still can.\n"
    } else {
        ""
    };
    format!(
        "Plumbline evidence pack
=======================

Tenant:    {tenant}
Period:    {from} to {to} (inclusive, UTC)
Signed by: Ed25519 key, fingerprint {fingerprint}
{redaction}
What is in it
-------------
manifest.json          what this pack is, and every file's size and SHA-256
manifest.sig           Ed25519 signature of manifest.json's exact bytes (64 bytes, raw)
signer.pub             the public key that made the signature (PEM)
SHA256SUMS             every file's SHA-256 in `sha256sum` format
captures/              each capture taken in the period: its items and directory objects;
captures/objects/      the captured JSON, one file per distinct object, named by its SHA-256
drift/                 reviews (scores) and the differences found, per baseline
findings.json / .csv   findings alive during the period, with their full history
risk-acceptances.json  justification, accepted value, accepter, approver, expiry
audit-log.jsonl        the tenant's audit events in the period, with their chain links
reports/               reports included on request

How to verify it with standard tools (OpenSSL 3.0 or later, coreutils)
-----------------------------------------------------------------------
1. Unpack into an empty folder and go there:
       unzip pack.zip -d pack && cd pack

2. Check that the public key is the one your MSP gave you. This prints its fingerprint:
       openssl pkey -pubin -in signer.pub -outform DER | sha256sum
   It must be {fingerprint}

3. Check the signature of the manifest:
       openssl pkeyutl -verify -pubin -inkey signer.pub -rawin -in manifest.json -sigfile manifest.sig
   It must print: Signature Verified Successfully

4. Check that SHA256SUMS is the one the signed manifest lists:
       sha256sum SHA256SUMS
       grep -A2 '\"path\": \"SHA256SUMS\"' manifest.json
   The two hashes must be equal. Then check every other file:
       sha256sum -c SHA256SUMS
   Every line must end in OK. The folder must hold no other files than those listed in
   manifest.json plus manifest.json, manifest.sig and signer.pub.

5. The audit chain. Each line of audit-log.jsonl is one event. Its \"hash\" is the SHA-256
   of its \"prev_hash\" (as 64 hex characters) followed by the compact JSON of these fields
   in this order: id, device_id, chain_seq, at, actor, workspace_id, tenant_id, action,
   target, summary. Within one device_id, an event whose chain_seq is one more than
   another's has that event's hash as its prev_hash. Gaps in chain_seq are events of
   other tenants of the same workspace. The last event of each chain is listed in
   manifest.json (\"audit\"), and so covered by the signature.

With Plumbline installed, `plumbline pack verify pack.zip` does all of the above,
checks that the ZIP file itself is byte for byte the one Plumbline wrote for these
files (so a re-packed or otherwise changed file shows even when the files inside still
match), and names exactly what failed.
",
        from = request.from,
        to = request.to,
    )
}

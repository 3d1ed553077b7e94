//! Verifying an evidence pack: every file's hash against the signed manifest, the
//! signature, and the audit chain links — naming exactly what failed. Pure: it needs
//! only the pack's bytes (and, optionally, the fingerprint the verifier trusts).

use std::collections::{BTreeMap, BTreeSet};

use ed25519_dalek::{Signature, Verifier as _};
use serde::Serialize;

use super::keys::{fingerprint, parse_public_key_pem};
use super::pack::{Manifest, PackedEvent, AUDIT_LOG, CHECKSUMS, MANIFEST, PUBLIC_KEY, SIGNATURE};
use super::{zipfile, FORMAT};
use crate::audit::ChainVerifier;
use crate::store::blob_hash;

/// The outcome of verifying a pack.
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    /// True only when every check passed.
    pub ok: bool,
    /// The signing key's fingerprint, when the public key could be read.
    pub fingerprint: Option<String>,
    pub tenant: Option<String>,
    pub period: Option<(String, String)>,
    pub files_checked: usize,
    pub audit_events_checked: usize,
    /// What was checked and passed, for people.
    pub passed: Vec<String>,
    /// What failed, each naming the file or event and what is wrong.
    pub failures: Vec<String>,
}

impl Verdict {
    fn fail(&mut self, failure: impl Into<String>) {
        self.failures.push(failure.into());
    }
}

/// Verifies a pack's bytes. With `trusted_fingerprint`, the signing key must also be that
/// one (a pack re-signed with another key would otherwise verify).
pub fn verify_pack(bytes: &[u8], trusted_fingerprint: Option<&str>) -> Verdict {
    let mut verdict = Verdict {
        ok: false,
        fingerprint: None,
        tenant: None,
        period: None,
        files_checked: 0,
        audit_events_checked: 0,
        passed: Vec::new(),
        failures: Vec::new(),
    };
    let entries = match zipfile::read(bytes) {
        Ok(entries) => entries,
        Err(e) => {
            verdict.fail(e);
            return verdict;
        }
    };
    // Compared last, but computed before the entries move into the map.
    let container = zipfile::first_difference(bytes, &entries);
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for (name, content) in entries {
        match files.entry(name) {
            std::collections::btree_map::Entry::Occupied(entry) => verdict.fail(format!(
                "{}: the ZIP file holds this entry twice",
                entry.key()
            )),
            std::collections::btree_map::Entry::Vacant(entry) => {
                entry.insert(content);
            }
        }
    }

    // The signature over the manifest's exact bytes.
    let manifest_bytes = files.get(MANIFEST);
    let public = match files.get(PUBLIC_KEY).map(|pem| parse_public_key_pem(pem)) {
        Some(Ok(key)) => Some(key),
        Some(Err(e)) => {
            verdict.fail(format!("{PUBLIC_KEY}: cannot read the public key: {e}"));
            None
        }
        None => {
            verdict.fail(format!("{PUBLIC_KEY}: missing from the pack"));
            None
        }
    };
    if let Some(public) = public {
        let fp = fingerprint(&public);
        if let Some(trusted) = trusted_fingerprint {
            if !trusted.eq_ignore_ascii_case(&fp) {
                verdict.fail(format!(
                    "{PUBLIC_KEY}: the pack is signed by key {fp}, not by the trusted key {trusted}"
                ));
            }
        }
        verdict.fingerprint = Some(fp);
    }
    let signature = match files.get(SIGNATURE) {
        Some(sig) => match <[u8; 64]>::try_from(sig.as_slice()) {
            Ok(raw) => Some(Signature::from_bytes(&raw)),
            Err(_) => {
                verdict.fail(format!(
                    "{SIGNATURE}: not an Ed25519 signature (64 bytes expected, {} found)",
                    sig.len()
                ));
                None
            }
        },
        None => {
            verdict.fail(format!("{SIGNATURE}: missing from the pack"));
            None
        }
    };
    let Some(manifest_bytes) = manifest_bytes else {
        verdict.fail(format!("{MANIFEST}: missing from the pack"));
        return verdict;
    };
    if let (Some(public), Some(signature)) = (public, signature) {
        match public.verify(manifest_bytes, &signature) {
            Ok(()) => verdict
                .passed
                .push(format!("{SIGNATURE}: Ed25519 signature of {MANIFEST} is valid")),
            Err(_) => verdict.fail(format!(
                "{SIGNATURE}: the signature does not match {MANIFEST}: the manifest was changed after signing, or signed with another key"
            )),
        }
    }
    let manifest: Manifest = match serde_json::from_slice(manifest_bytes) {
        Ok(manifest) => manifest,
        Err(e) => {
            verdict.fail(format!("{MANIFEST}: not a Plumbline pack manifest: {e}"));
            return verdict;
        }
    };
    verdict.tenant = Some(manifest.tenant.name.clone());
    verdict.period = Some((manifest.period.from.clone(), manifest.period.to.clone()));
    if manifest.format != FORMAT {
        verdict.fail(format!(
            "{MANIFEST}: format {:?} is not {FORMAT:?}: use the Plumbline version that made it",
            manifest.format
        ));
    }
    if verdict.fingerprint.as_deref() != Some(manifest.signer.fingerprint.as_str()) {
        verdict.fail(format!(
            "{MANIFEST}: names signer {} but {PUBLIC_KEY} is another key",
            manifest.signer.fingerprint
        ));
    }

    // Every listed file, and nothing else.
    let mut listed = BTreeSet::new();
    for file in &manifest.files {
        listed.insert(file.path.as_str());
        match files.get(&file.path) {
            None => verdict.fail(format!("{}: listed in the manifest but missing", file.path)),
            Some(content) => {
                let actual = blob_hash(content);
                if actual != file.sha256 {
                    verdict.fail(format!(
                        "{}: SHA-256 is {actual}, the manifest says {}: the file was changed",
                        file.path, file.sha256
                    ));
                } else if content.len() as u64 != file.size {
                    verdict.fail(format!(
                        "{}: {} bytes, the manifest says {}",
                        file.path,
                        content.len(),
                        file.size
                    ));
                } else {
                    verdict.files_checked += 1;
                }
            }
        }
    }
    for name in files.keys() {
        let own = [MANIFEST, SIGNATURE, PUBLIC_KEY].contains(&name.as_str());
        if !own && !listed.contains(name.as_str()) {
            verdict.fail(format!(
                "{name}: in the pack but not in the manifest (added after signing)"
            ));
        }
    }
    if verdict.failures.is_empty() {
        verdict.passed.push(format!(
            "{} files match the SHA-256 in the signed manifest, and no file was added",
            verdict.files_checked
        ));
    }

    // SHA256SUMS must agree with the manifest (the README's path for auditors).
    if let Some(sums) = files.get(CHECKSUMS) {
        let expected: String = manifest
            .files
            .iter()
            .filter(|f| f.path != CHECKSUMS)
            .map(|f| format!("{}  {}\n", f.sha256, f.path))
            .collect();
        if sums.as_slice() != expected.as_bytes() {
            verdict.fail(format!(
                "{CHECKSUMS}: does not list the manifest's files and hashes"
            ));
        }
    }

    check_audit_log(&files, &manifest, &mut verdict);
    match container {
        Ok(None) => verdict
            .passed
            .push("the ZIP file is byte for byte the one Plumbline writes for these files".into()),
        Ok(Some(at)) => verdict.fail(format!(
            "the ZIP file differs from the one Plumbline writes for these files at {at}: it was changed or re-packed after it was made{}",
            if verdict.failures.is_empty() {
                " (the files inside still match the signed manifest)"
            } else {
                ""
            }
        )),
        Err(e) => verdict.fail(format!("the ZIP file could not be rebuilt to compare: {e}")),
    }
    verdict.ok = verdict.failures.is_empty();
    verdict
}

fn check_audit_log(files: &BTreeMap<String, Vec<u8>>, manifest: &Manifest, verdict: &mut Verdict) {
    let Some(log) = files.get(AUDIT_LOG) else {
        verdict.fail(format!("{AUDIT_LOG}: missing from the pack"));
        return;
    };
    let mut events = Vec::new();
    for (number, line) in log.split(|b| *b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        match serde_json::from_slice::<PackedEvent>(line) {
            Ok(event) => events.push(event),
            Err(e) => {
                verdict.fail(format!(
                    "{AUDIT_LOG} line {}: not an audit event: {e}",
                    number + 1
                ));
                return;
            }
        }
    }
    let mut verifier = ChainVerifier::new(false);
    let before = verdict.failures.len();
    let mut previous: Option<(String, i64)> = None;
    for packed in &events {
        let key = (packed.event.device_id.clone(), packed.event.chain_seq);
        if previous.as_ref().is_some_and(|p| *p >= key) {
            verdict.fail(format!(
                "{AUDIT_LOG}: events are not in chain order at device {} sequence {}",
                key.0, key.1
            ));
        }
        previous = Some(key);
        if packed.event.tenant_id.as_deref() != Some(manifest.tenant.id.as_str()) {
            verdict.fail(format!(
                "{AUDIT_LOG}: event {} belongs to another tenant",
                packed.event.id
            ));
        }
        verifier.push(&packed.event, !packed.redacted);
    }
    let chains = verifier.finish();
    for chain in &chains {
        if let Some(broken) = &chain.broken {
            verdict.fail(format!(
                "{AUDIT_LOG}: the chain of device {} breaks at sequence {} (event {}): {}",
                broken.device_id, broken.chain_seq, broken.event_id, broken.problem
            ));
        }
    }
    let summary: Vec<(String, u64, i64, i64, String)> = chains
        .iter()
        .map(|c| {
            (
                c.device_id.clone(),
                c.events,
                c.first_seq,
                c.head_seq,
                c.head_hash.clone(),
            )
        })
        .collect();
    let promised: Vec<(String, u64, i64, i64, String)> = manifest
        .audit
        .chains
        .iter()
        .map(|c| {
            (
                c.device_id.clone(),
                c.events,
                c.first_seq,
                c.last_seq,
                c.last_hash.clone(),
            )
        })
        .collect();
    if summary != promised || events.len() as u64 != manifest.audit.events {
        verdict.fail(format!(
            "{AUDIT_LOG}: its chains do not end where the manifest says (events removed, added or changed)"
        ));
    }
    let redacted = events.iter().filter(|e| e.redacted).count() as u64;
    if redacted != manifest.audit.redacted_events {
        verdict.fail(format!(
            "{AUDIT_LOG}: {redacted} events are marked redacted, the manifest says {}",
            manifest.audit.redacted_events
        ));
    }
    verdict.audit_events_checked = events.len();
    if verdict.failures.len() == before {
        verdict.passed.push(format!(
            "{} audit events: hashes recomputed ({} redacted, links only) and chain links hold",
            events.len(),
            redacted
        ));
    }
}

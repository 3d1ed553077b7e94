//! Evidence packs (`../shared/design/EVIDENCE.md`): what an MSP hands an auditor to prove
//! how a tenant was governed over a period, verifiable without trusting the MSP's laptop
//! and without Plumbline.
//!
//! - [`keys`]: the workspace's Ed25519 signing key, private half in the OS keychain.
//! - [`build_pack`]: a deterministic ZIP — captures, drift, findings with history, risk
//!   acceptances, the audit events with their chain links, optional reports — with a
//!   manifest of every file's SHA-256, signed; optional redaction of personal data.
//! - [`verify_pack`]: checks every hash, the signature and the chain links, naming
//!   exactly what failed.

mod create;
pub mod keys;
mod pack;
pub mod redact;
mod verify;
mod zipfile;

pub use create::{create_pack, default_pack_file_name, CreatedPack};
pub use keys::{
    export_public_key, fingerprint, key_status, parse_public_key_pem, public_key_pem, rotate_key,
    workspace_key, KeyStatus, WorkspaceKey,
};
pub use pack::{
    build_pack, canonical_json, manifest_bytes, BuiltPack, Manifest, ManifestAudit, ManifestChain,
    ManifestFile, ManifestPeriod, ManifestRedaction, ManifestSigner, ManifestTenant,
    ManifestWorkspace, PackRequest, PackedEvent, Progress, AUDIT_LOG, CHECKSUMS, MANIFEST,
    PUBLIC_KEY, README, SIGNATURE,
};
pub use verify::{verify_pack, Verdict};
pub use zipfile::{read as read_zip, write as write_zip};

use crate::keychain::KeychainError;
use crate::store::StoreError;

/// The pack format this Plumbline writes and reads.
pub const FORMAT: &str = "plumbline-evidence-pack/1";

/// Why an evidence operation failed.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The OS keychain refused or failed.
    #[error("OS keychain: {0}")]
    Keychain(#[from] KeychainError),
    /// The workspace has a signing key but the keychain lost its private half.
    #[error("the signing key of this workspace (fingerprint {fingerprint}) is not in the {keychain}. Packs it signed still verify. Restore the keychain entry, or make a new key with `plumbline key rotate` (new packs then carry the new fingerprint)")]
    KeyMissing {
        fingerprint: String,
        keychain: String,
    },
    /// The request cannot be served as asked; the message says what to change.
    #[error("{0}")]
    BadRequest(String),
    #[error("cannot write the pack: {0}")]
    Io(#[from] std::io::Error),
    /// The pack file could not be written where asked.
    #[error("cannot write {path} (check that the folder exists and is writable): {source}")]
    Write {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot build the ZIP file: {0}")]
    Zip(String),
}

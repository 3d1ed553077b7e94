//! The workspace's Ed25519 signing key.
//!
//! The private key (its 32-byte seed, hex) lives only in the OS keychain; the database
//! keeps the public key, its fingerprint and the keychain account name. A key is created
//! on first use. When the keychain has lost the key (a new machine, a wiped keyring) no
//! new key is made silently — packs would suddenly carry another fingerprint — the error
//! says so and `plumbline key rotate` makes a new one on purpose.

use base64::Engine as _;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::EvidenceError;
use crate::keychain::{Keychain, KeychainError};
use crate::store::{SigningKeyRow, Store};

/// The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the key's 32 bytes follow.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// A private key seed; its Debug never shows the bytes.
#[derive(Clone)]
struct Seed([u8; 32]);

impl std::fmt::Debug for Seed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Seed(…)")
    }
}

/// The workspace's signing key, loaded from the keychain.
#[derive(Debug, Clone)]
pub struct WorkspaceKey {
    seed: Seed,
    public: VerifyingKey,
}

impl WorkspaceKey {
    /// A key from its 32-byte seed.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let public = SigningKey::from_bytes(&seed).verifying_key();
        Self {
            seed: Seed(seed),
            public,
        }
    }

    /// A new random key.
    pub fn generate() -> Result<Self, EvidenceError> {
        let mut seed = [0u8; 32];
        getrandom::getrandom(&mut seed)
            .map_err(|e| KeychainError(format!("no randomness for a new key: {e}")))?;
        Ok(Self::from_seed(seed))
    }

    /// Signs `message` (Ed25519, deterministic).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        SigningKey::from_bytes(&self.seed.0)
            .sign(message)
            .to_bytes()
    }

    /// The public key.
    pub fn public(&self) -> VerifyingKey {
        self.public
    }

    /// The keyed-hash key redaction pseudonyms are made with: derived from the private
    /// key, so a pseudonym cannot be reversed by hashing guessed addresses.
    pub fn redaction_key(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(b"plumbline evidence redaction v1\0");
        hasher.update(self.seed.0);
        hasher.finalize().into()
    }

    fn seed_hex(&self) -> String {
        hex::encode(self.seed.0)
    }
}

/// The SubjectPublicKeyInfo DER of a public key.
pub fn spki_der(public: &VerifyingKey) -> Vec<u8> {
    let mut der = SPKI_PREFIX.to_vec();
    der.extend_from_slice(public.as_bytes());
    der
}

/// The fingerprint of a public key: SHA-256 (hex) of its SubjectPublicKeyInfo DER, what
/// `openssl pkey -pubin -in signer.pub -outform DER | sha256sum` prints.
pub fn fingerprint(public: &VerifyingKey) -> String {
    hex::encode(Sha256::digest(spki_der(public)))
}

/// The public key as PEM (`-----BEGIN PUBLIC KEY-----`), as openssl reads it.
pub fn public_key_pem(public: &VerifyingKey) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(spki_der(public));
    format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n")
}

/// Parses exactly what [`public_key_pem`] writes; anything else is refused.
pub fn parse_public_key_pem(text: &[u8]) -> Result<VerifyingKey, String> {
    let text = std::str::from_utf8(text).map_err(|_| "not UTF-8 text".to_owned())?;
    let body = text
        .strip_prefix("-----BEGIN PUBLIC KEY-----\n")
        .and_then(|t| t.strip_suffix("\n-----END PUBLIC KEY-----\n"))
        .ok_or_else(|| "not a PEM public key".to_owned())?;
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|e| format!("bad base64: {e}"))?;
    let key: [u8; 32] = der
        .strip_prefix(&SPKI_PREFIX[..])
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| "not an Ed25519 public key".to_owned())?;
    let key = VerifyingKey::from_bytes(&key).map_err(|e| format!("invalid Ed25519 key: {e}"))?;
    if public_key_pem(&key) != text {
        return Err("not in canonical form".to_owned());
    }
    Ok(key)
}

/// The workspace's active signing key: loaded from the keychain, or created on first use
/// (its private half stored in the keychain, its public half in the database).
pub async fn workspace_key(
    store: &Store,
    keychain: &dyn Keychain,
) -> Result<(WorkspaceKey, SigningKeyRow), EvidenceError> {
    let keys = store.signing_keys().await?;
    match keys.into_iter().find(|k| k.retired_at.is_none()) {
        Some(row) => Ok((stored_key(keychain, &row)?, row)),
        None => create_key(store, keychain, false).await,
    }
}

/// The private half of the recorded key `row`, from the keychain.
fn stored_key(keychain: &dyn Keychain, row: &SigningKeyRow) -> Result<WorkspaceKey, EvidenceError> {
    let secret = keychain
        .get(&row.keychain_account)?
        .ok_or_else(|| EvidenceError::KeyMissing {
            fingerprint: row.fingerprint.clone(),
            keychain: keychain.describe(),
        })?;
    let key = decode_seed(&secret)
        .map(WorkspaceKey::from_seed)
        .ok_or_else(|| {
            EvidenceError::Keychain(KeychainError(format!(
                "the keychain entry {} does not hold a signing key",
                row.keychain_account
            )))
        })?;
    if fingerprint(&key.public()) != row.fingerprint {
        return Err(EvidenceError::Keychain(KeychainError(format!(
            "the keychain entry {} holds another key than the workspace's ({})",
            row.keychain_account, row.fingerprint
        ))));
    }
    Ok(key)
}

/// Makes a new signing key, retiring the current one (its packs still verify: each pack
/// carries its public key).
pub async fn rotate_key(
    store: &Store,
    keychain: &dyn Keychain,
) -> Result<SigningKeyRow, EvidenceError> {
    Ok(create_key(store, keychain, true).await?.1)
}

/// Makes a key and records it: retiring the active one when `rotate`, otherwise as the
/// workspace's first key, or, when another call made that first key meanwhile (two
/// windows, a pack and Settings at once), using that one instead.
async fn create_key(
    store: &Store,
    keychain: &dyn Keychain,
    rotate: bool,
) -> Result<(WorkspaceKey, SigningKeyRow), EvidenceError> {
    let key = WorkspaceKey::generate()?;
    let fp = fingerprint(&key.public());
    let account = format!("workspace-{}-signing-key-{}", store.workspace(), &fp[..16]);
    keychain.set(&account, &key.seed_hex())?;
    let row = SigningKeyRow {
        fingerprint: fp,
        public_key: hex::encode(key.public().as_bytes()),
        keychain_account: account,
        created_at: String::new(),
        retired_at: None,
    };
    match store.add_signing_key(&row, rotate).await {
        Ok(true) => {}
        Ok(false) => {
            keychain.delete(&row.keychain_account)?;
            let active = store
                .signing_keys()
                .await?
                .into_iter()
                .find(|k| k.retired_at.is_none())
                .ok_or_else(|| {
                    EvidenceError::Keychain(KeychainError(
                        "the workspace's signing key vanished while it was made: try again"
                            .to_owned(),
                    ))
                })?;
            return Ok((stored_key(keychain, &active)?, active));
        }
        Err(e) => {
            // Nothing half-made: the database does not know the key, so neither does the
            // keychain.
            let _ = keychain.delete(&row.keychain_account);
            return Err(e.into());
        }
    }
    let stored = store
        .signing_keys()
        .await?
        .into_iter()
        .find(|k| k.fingerprint == row.fingerprint)
        .unwrap_or(row);
    Ok((key, stored))
}

/// The workspace's signing key as Settings and `plumbline key show` present it.
#[derive(Clone, Debug)]
pub struct KeyStatus {
    /// The active key (made just now when the workspace had none).
    pub active: SigningKeyRow,
    /// True when this call made the key: the workspace had none yet.
    pub created_now: bool,
    /// Set when the keychain lost the private half: the [`EvidenceError::KeyMissing`]
    /// message, which says what to do.
    pub missing: Option<String>,
    /// Which keychain holds (or should hold) the private half.
    pub keychain: String,
    /// Keys used before, newest first: their packs still verify.
    pub retired: Vec<SigningKeyRow>,
}

/// The workspace key's status, creating the key on first use as [`workspace_key`] does.
/// A key whose private half the keychain lost is reported in [`KeyStatus::missing`]
/// rather than as an error, so its fingerprint can still be shown.
pub async fn key_status(
    store: &Store,
    keychain: &dyn Keychain,
) -> Result<KeyStatus, EvidenceError> {
    let before = store.signing_keys().await?;
    let had_active = before.iter().any(|k| k.retired_at.is_none());
    let (active, missing) = match workspace_key(store, keychain).await {
        Ok((_, row)) => (row, None),
        Err(error @ EvidenceError::KeyMissing { .. }) => {
            let message = error.to_string();
            let row = before
                .iter()
                .find(|k| k.retired_at.is_none())
                .cloned()
                .ok_or(error)?;
            (row, Some(message))
        }
        Err(error) => return Err(error),
    };
    let retired = store
        .signing_keys()
        .await?
        .into_iter()
        .filter(|k| k.retired_at.is_some())
        .collect();
    Ok(KeyStatus {
        active,
        created_now: !had_active,
        missing,
        keychain: keychain.describe(),
        retired,
    })
}

/// Writes the workspace's public key as PEM to `out` (atomically), for customers and
/// auditors, and returns the key. The key must be usable: exporting a public key whose
/// private half is lost would have people trust a key that can sign nothing.
pub async fn export_public_key(
    store: &Store,
    keychain: &dyn Keychain,
    out: &std::path::Path,
) -> Result<SigningKeyRow, EvidenceError> {
    if out.file_name().is_none() || out.is_dir() {
        return Err(EvidenceError::BadRequest(format!(
            "{} is not a file name: name the file to write, for example signer.pub",
            out.display()
        )));
    }
    let (key, row) = workspace_key(store, keychain).await?;
    crate::paths::write_atomically(out, public_key_pem(&key.public()).as_bytes()).map_err(
        |source| EvidenceError::Write {
            path: out.to_path_buf(),
            source,
        },
    )?;
    Ok(row)
}

fn decode_seed(text: &str) -> Option<[u8; 32]> {
    hex::decode(text.trim()).ok()?.try_into().ok()
}

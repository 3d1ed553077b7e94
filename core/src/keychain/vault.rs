//! A file of secrets sealed with a key the service manager hands over: the keychain of a
//! headless host (an agent's server), where no Secret Service runs and the kernel keyring
//! forgets everything at a reboot — an agent would lose its destinations' secrets and its
//! tenants' Graph credentials with it.
//!
//! The key comes from a file: `PLUMBLINE_VAULT_KEY_FILE`, or the systemd credential
//! `plumbline-vault-key` (`LoadCredential=` / `LoadCredentialEncrypted=`, found in
//! `$CREDENTIALS_DIRECTORY`). At least 32 bytes of it (`head -c 32 /dev/urandom`); the
//! sealing key is its SHA-256 under a domain label. The vault (`vault.json` in the data
//! directory, mode 0600) holds each secret as ChaCha20-Poly1305 ciphertext with a fresh
//! random nonce and the account name as associated data, so an entry cannot be moved to
//! another account; a check entry tells a wrong key from a damaged file. Writers take an
//! exclusive lock and replace the file atomically (write, fsync, rename), so the CLI can
//! add a destination while the agent runs.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Keychain, KeychainError};

/// The environment variable naming the key file.
pub const KEY_FILE_ENV: &str = "PLUMBLINE_VAULT_KEY_FILE";
/// The systemd credential holding the key.
pub const CREDENTIAL: &str = "plumbline-vault-key";
/// The vault's file name in the data directory.
pub const FILE_NAME: &str = "vault.json";

const FORMAT: &str = "plumbline-vault-1";
const CHECK_AAD: &[u8] = b"plumbline-vault-check";
const CHECK_TEXT: &[u8] = b"plumbline vault";
const MIN_KEY_BYTES: usize = 32;

/// Where the vault key comes from, when one is configured on this host.
pub fn configured_key_file() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(KEY_FILE_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let credentials = std::env::var_os("CREDENTIALS_DIRECTORY").filter(|d| !d.is_empty())?;
    let path = Path::new(&credentials).join(CREDENTIAL);
    path.exists().then_some(path)
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Sealed {
    format: String,
    /// `CHECK_TEXT` sealed with the key: opens only with the right key.
    check: String,
    /// Account → base64(nonce ‖ ciphertext).
    entries: BTreeMap<String, String>,
}

/// The vault at `path`, sealed with the key read from `key_file`.
pub struct FileVault {
    path: PathBuf,
    key_file: PathBuf,
    /// The sealing key, or why there is none (a missing or short key file).
    key: Result<[u8; 32], String>,
}

impl std::fmt::Debug for FileVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileVault")
            .field("path", &self.path)
            .field("key_file", &self.key_file)
            .finish_non_exhaustive()
    }
}

fn derive_key(material: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"plumbline vault key v1\0");
    hash.update(material);
    hash.finalize().into()
}

impl FileVault {
    /// The vault at `path`; nothing is read or written until it is used.
    pub fn new(path: PathBuf, key_file: PathBuf) -> Self {
        let key = match std::fs::read(&key_file) {
            Ok(bytes) if bytes.len() >= MIN_KEY_BYTES => Ok(derive_key(&bytes)),
            Ok(bytes) => Err(format!(
                "the vault key {} holds {} bytes; it needs at least {MIN_KEY_BYTES} \
                 (make one with `head -c 32 /dev/urandom > FILE`)",
                key_file.display(),
                bytes.len()
            )),
            Err(e) => Err(format!(
                "cannot read the vault key {}: {e}",
                key_file.display()
            )),
        };
        Self {
            path,
            key_file,
            key,
        }
    }

    fn error(&self, text: impl std::fmt::Display) -> KeychainError {
        KeychainError(format!("{text} ({})", self.describe()))
    }

    fn cipher(&self) -> Result<ChaCha20Poly1305, KeychainError> {
        let key = self.key.as_ref().map_err(|e| self.error(e))?;
        Ok(ChaCha20Poly1305::new(Key::from_slice(key)))
    }

    fn seal(
        &self,
        cipher: &ChaCha20Poly1305,
        text: &[u8],
        aad: &[u8],
    ) -> Result<String, KeychainError> {
        let mut nonce = [0u8; 12];
        getrandom::getrandom(&mut nonce).map_err(|e| self.error(format!("no randomness: {e}")))?;
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: text, aad })
            .map_err(|_| self.error("cannot seal a secret"))?;
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    fn open(&self, cipher: &ChaCha20Poly1305, sealed: &str, aad: &[u8]) -> Option<Vec<u8>> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .ok()?;
        if bytes.len() < 12 {
            return None;
        }
        let (nonce, text) = bytes.split_at(12);
        cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: text, aad })
            .ok()
    }

    fn lock(&self, exclusive: bool) -> Result<File, KeychainError> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| self.error(format!("cannot create {}: {e}", dir.display())))?;
        }
        let lock_path = self.path.with_extension("json.lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| self.error(format!("cannot open {}: {e}", lock_path.display())))?;
        let locked = if exclusive {
            file.lock()
        } else {
            file.lock_shared()
        };
        locked.map_err(|e| self.error(format!("cannot lock the vault: {e}")))?;
        Ok(file)
    }

    /// The vault's contents (an empty one when there is no file yet), its key checked.
    fn read(&self, cipher: &ChaCha20Poly1305) -> Result<Sealed, KeychainError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Sealed {
                    format: FORMAT.to_owned(),
                    check: self.seal(cipher, CHECK_TEXT, CHECK_AAD)?,
                    entries: BTreeMap::new(),
                })
            }
            Err(e) => return Err(self.error(format!("cannot read the vault: {e}"))),
        };
        let sealed: Sealed = serde_json::from_str(&text)
            .map_err(|e| self.error(format!("the vault is damaged (not its JSON): {e}")))?;
        if sealed.format != FORMAT {
            return Err(self.error(format!(
                "the vault's format {:?} is not {FORMAT:?}",
                sealed.format
            )));
        }
        if self.open(cipher, &sealed.check, CHECK_AAD).as_deref() != Some(CHECK_TEXT) {
            return Err(self.error(
                "the vault key does not open this vault: it was sealed with another key; \
                 use the key file it was made with, or move the vault aside to start an empty one",
            ));
        }
        Ok(sealed)
    }

    fn write(&self, sealed: &Sealed) -> Result<(), KeychainError> {
        let text = serde_json::to_vec_pretty(sealed)
            .map_err(|e| self.error(format!("cannot write the vault: {e}")))?;
        let temporary = self.path.with_extension("json.new");
        let mut options = OpenOptions::new();
        options.create(true).truncate(true).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let written = (|| -> std::io::Result<()> {
            let mut file = options.open(&temporary)?;
            file.write_all(&text)?;
            file.sync_all()?;
            std::fs::rename(&temporary, &self.path)?;
            if let Some(dir) = self.path.parent() {
                File::open(dir)?.sync_all()?;
            }
            Ok(())
        })();
        written.map_err(|e| self.error(format!("cannot write the vault: {e}")))
    }
}

impl Keychain for FileVault {
    fn get(&self, account: &str) -> Result<Option<String>, KeychainError> {
        let cipher = self.cipher()?;
        let _lock = self.lock(false)?;
        let sealed = self.read(&cipher)?;
        let Some(entry) = sealed.entries.get(account) else {
            return Ok(None);
        };
        let text = self
            .open(&cipher, entry, account.as_bytes())
            .ok_or_else(|| self.error(format!("the vault's entry {account} is damaged")))?;
        String::from_utf8(text)
            .map(Some)
            .map_err(|_| self.error(format!("the vault's entry {account} is not text")))
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), KeychainError> {
        let cipher = self.cipher()?;
        let _lock = self.lock(true)?;
        let mut sealed = self.read(&cipher)?;
        let entry = self.seal(&cipher, secret.as_bytes(), account.as_bytes())?;
        sealed.entries.insert(account.to_owned(), entry);
        self.write(&sealed)
    }

    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        let cipher = self.cipher()?;
        let _lock = self.lock(true)?;
        let mut sealed = self.read(&cipher)?;
        if sealed.entries.remove(account).is_some() {
            self.write(&sealed)?;
        }
        Ok(())
    }

    fn describe(&self) -> String {
        format!(
            "vault {} sealed with {}",
            self.path.display(),
            self.key_file.display()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("key");
        path
    }

    #[test]
    fn secrets_round_trip_sealed_and_survive_a_new_process() {
        let dir = tempfile::tempdir().expect("dir");
        let key = key_file(dir.path(), "key", &[7u8; 32]);
        let path = dir.path().join(FILE_NAME);
        let vault = FileVault::new(path.clone(), key.clone());
        assert_eq!(vault.get("a").expect("get"), None);
        vault
            .set("alert-destination/1", "https://hooks.example/T0P-SECRET")
            .expect("set");
        vault.set("graph/2", "client-secret-value").expect("set");
        let on_disk = std::fs::read_to_string(&path).expect("file");
        assert!(!on_disk.contains("T0P-SECRET") && !on_disk.contains("client-secret-value"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Another instance (a restarted agent) reads them back.
        let again = FileVault::new(path, key);
        assert_eq!(
            again.get("alert-destination/1").expect("get").as_deref(),
            Some("https://hooks.example/T0P-SECRET")
        );
        again.delete("graph/2").expect("delete");
        assert_eq!(again.get("graph/2").expect("get"), None);
        again
            .delete("graph/2")
            .expect("deleting what is gone is fine");
    }

    #[test]
    fn a_wrong_short_or_missing_key_says_so() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join(FILE_NAME);
        let right = key_file(dir.path(), "right", &[1u8; 40]);
        FileVault::new(path.clone(), right)
            .set("a", "secret")
            .expect("set");
        let wrong = key_file(dir.path(), "wrong", &[2u8; 40]);
        let error = FileVault::new(path.clone(), wrong)
            .get("a")
            .expect_err("wrong key");
        assert!(error.0.contains("another key"), "{error}");
        let short = key_file(dir.path(), "short", b"password");
        let error = FileVault::new(path.clone(), short)
            .get("a")
            .expect_err("short");
        assert!(error.0.contains("at least 32"), "{error}");
        let error = FileVault::new(path, dir.path().join("missing"))
            .get("a")
            .expect_err("missing");
        assert!(error.0.contains("cannot read the vault key"), "{error}");
    }

    #[test]
    fn an_entry_moved_to_another_account_does_not_open() {
        let dir = tempfile::tempdir().expect("dir");
        let key = key_file(dir.path(), "key", &[3u8; 32]);
        let path = dir.path().join(FILE_NAME);
        let vault = FileVault::new(path.clone(), key);
        vault.set("a", "alpha").expect("set");
        vault.set("b", "beta").expect("set");
        let mut sealed: Sealed =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        let a = sealed.entries["a"].clone();
        sealed.entries.insert("b".to_owned(), a);
        std::fs::write(&path, serde_json::to_vec(&sealed).expect("json")).expect("write");
        assert!(vault.get("b").expect_err("moved").0.contains("damaged"));
        assert_eq!(vault.get("a").expect("a").as_deref(), Some("alpha"));
    }

    #[test]
    fn concurrent_writers_lose_nothing() {
        let dir = tempfile::tempdir().expect("dir");
        let key = key_file(dir.path(), "key", &[9u8; 32]);
        let path = dir.path().join(FILE_NAME);
        let handles: Vec<_> = (0..4)
            .map(|writer| {
                let (path, key) = (path.clone(), key.clone());
                std::thread::spawn(move || {
                    let vault = FileVault::new(path, key);
                    for n in 0..10 {
                        vault
                            .set(&format!("w{writer}/{n}"), &format!("s{writer}{n}"))
                            .expect("set");
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().expect("writer");
        }
        let vault = FileVault::new(path, key);
        for writer in 0..4 {
            for n in 0..10 {
                assert_eq!(
                    vault.get(&format!("w{writer}/{n}")).expect("get"),
                    Some(format!("s{writer}{n}"))
                );
            }
        }
    }
}

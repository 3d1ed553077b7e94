//! The OS keychain: where Plumbline keeps every secret (the evidence-signing key, Graph
//! client secrets, server tokens). Nothing secret goes to the database, logs or exports.
//!
//! On macOS and Windows this is the platform's store through the `keyring` crate. On
//! Linux it is the Secret Service (GNOME Keyring, KWallet, KeePassXC) when one answers on
//! the session bus; on a machine without one (a server, a container, a CI runner) it is
//! the kernel's key retention service, on the user's keyring (`@u`), which lives until
//! the user's last session ends or the machine reboots.
//!
//! A headless host that must keep its secrets across reboots (an agent's server) gives
//! Plumbline a vault key (`PLUMBLINE_VAULT_KEY_FILE` or the systemd credential
//! `plumbline-vault-key`): secrets then live in a file sealed with it ([`vault`]).
//!
//! The kernel keyring is used directly rather than through `keyring`'s keyutils store:
//! that store links every key into the user's *persistent* keyring on each write and
//! read, and where the session keyring refuses links (containers, sandboxes, `su`
//! sessions) it reports the refusal as "no entry" — the secret could never be stored.

pub mod vault;

/// The service name Plumbline's keychain entries are filed under.
pub const KEYCHAIN_SERVICE: &str = "plumbline";

/// The keychain refused or failed; the message says which keychain and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeychainError(pub String);

/// Where secrets are kept. Implemented by the OS keychain; tests may use their own.
pub trait Keychain: Send + Sync {
    /// The secret stored under `account`, or `None` when there is none.
    fn get(&self, account: &str) -> Result<Option<String>, KeychainError>;
    /// Stores (or replaces) the secret under `account`.
    fn set(&self, account: &str, secret: &str) -> Result<(), KeychainError>;
    /// Removes the secret under `account` (no error when absent).
    fn delete(&self, account: &str) -> Result<(), KeychainError>;
    /// What this keychain is, for people ("Secret Service", …).
    fn describe(&self) -> String;
}

/// The operating system's keychain.
#[derive(Debug, Clone)]
pub enum OsKeychain {
    /// The platform's default store through `keyring` (on Linux: the Secret Service).
    Default,
    /// Linux: the kernel keyring of the user (`@u`).
    #[cfg(target_os = "linux")]
    KernelKeyring,
    /// A file in the data directory sealed with the host's vault key.
    Vault(std::sync::Arc<vault::FileVault>),
}

impl OsKeychain {
    /// The keychain to use on this machine: the vault when a vault key is configured,
    /// else the platform's store (on Linux without a Secret Service: the kernel keyring).
    pub fn detect() -> Self {
        if let Some(key_file) = vault::configured_key_file() {
            let path = crate::paths::data_dir().join(vault::FILE_NAME);
            return Self::Vault(std::sync::Arc::new(vault::FileVault::new(path, key_file)));
        }
        #[cfg(target_os = "linux")]
        {
            if !secret_service_available() {
                return Self::KernelKeyring;
            }
        }
        Self::Default
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, KeychainError> {
        keyring::Entry::new(KEYCHAIN_SERVICE, account).map_err(|e| self.error(e))
    }

    fn error(&self, e: impl std::fmt::Display) -> KeychainError {
        KeychainError(format!("{} ({})", e, self.describe()))
    }
}

/// True when a Secret Service answers on the session bus.
#[cfg(target_os = "linux")]
fn secret_service_available() -> bool {
    let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        || std::env::var_os("XDG_RUNTIME_DIR")
            .map(|dir| std::path::Path::new(&dir).join("bus").exists())
            .unwrap_or(false);
    if !bus {
        return false;
    }
    // Asking for an entry that does not exist answers NoEntry when the service runs.
    match keyring::Entry::new(KEYCHAIN_SERVICE, "plumbline-probe") {
        Ok(entry) => matches!(entry.get_password(), Ok(_) | Err(keyring::Error::NoEntry)),
        Err(_) => false,
    }
}

impl Keychain for OsKeychain {
    fn get(&self, account: &str) -> Result<Option<String>, KeychainError> {
        match self {
            Self::Vault(vault) => vault.get(account),
            #[cfg(target_os = "linux")]
            Self::KernelKeyring => kernel::get(account).map_err(|e| self.error(e)),
            Self::Default => match self.entry(account)?.get_password() {
                Ok(secret) => Ok(Some(secret)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(self.error(e)),
            },
        }
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), KeychainError> {
        match self {
            Self::Vault(vault) => vault.set(account, secret),
            #[cfg(target_os = "linux")]
            Self::KernelKeyring => kernel::set(account, secret).map_err(|e| self.error(e)),
            Self::Default => self
                .entry(account)?
                .set_password(secret)
                .map_err(|e| self.error(e)),
        }
    }

    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        match self {
            Self::Vault(vault) => vault.delete(account),
            #[cfg(target_os = "linux")]
            Self::KernelKeyring => kernel::delete(account).map_err(|e| self.error(e)),
            Self::Default => match self.entry(account)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(self.error(e)),
            },
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Vault(vault) => vault.describe(),
            Self::Default if cfg!(target_os = "macos") => "macOS Keychain".to_owned(),
            Self::Default if cfg!(target_os = "windows") => "Windows Credential Manager".to_owned(),
            Self::Default => "Secret Service".to_owned(),
            #[cfg(target_os = "linux")]
            Self::KernelKeyring => {
                "Linux kernel keyring (no Secret Service runs; keys do not survive a reboot)"
                    .to_owned()
            }
        }
    }
}

/// The OS keychain, detected on first use rather than when created: detecting asks the
/// session bus whether a Secret Service answers, which can start one (D-Bus activation),
/// and that must not delay an app's start.
#[derive(Debug, Default)]
pub struct LazyOsKeychain(std::sync::OnceLock<OsKeychain>);

impl LazyOsKeychain {
    fn keychain(&self) -> &OsKeychain {
        self.0.get_or_init(OsKeychain::detect)
    }
}

impl Keychain for LazyOsKeychain {
    fn get(&self, account: &str) -> Result<Option<String>, KeychainError> {
        self.keychain().get(account)
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), KeychainError> {
        self.keychain().set(account, secret)
    }

    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        self.keychain().delete(account)
    }

    fn describe(&self) -> String {
        self.keychain().describe()
    }
}

/// A keychain in process memory: for tests, and for tools that must never touch the
/// machine's keychain. Its secrets die with the process.
#[derive(Debug, Default)]
pub struct MemoryKeychain(std::sync::Mutex<std::collections::HashMap<String, String>>);

impl MemoryKeychain {
    /// The accounts that hold a secret, sorted.
    pub fn accounts(&self) -> Vec<String> {
        let mut accounts: Vec<String> = self
            .entries()
            .map(|entries| entries.keys().cloned().collect())
            .unwrap_or_default();
        accounts.sort();
        accounts
    }

    fn entries(
        &self,
    ) -> Result<std::sync::MutexGuard<'_, std::collections::HashMap<String, String>>, KeychainError>
    {
        self.0
            .lock()
            .map_err(|_| KeychainError("the in-memory keychain was poisoned".to_owned()))
    }
}

impl Keychain for MemoryKeychain {
    fn get(&self, account: &str) -> Result<Option<String>, KeychainError> {
        Ok(self.entries()?.get(account).cloned())
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), KeychainError> {
        self.entries()?
            .insert(account.to_owned(), secret.to_owned());
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        self.entries()?.remove(account);
        Ok(())
    }

    fn describe(&self) -> String {
        "in-memory keychain".to_owned()
    }
}

/// The user's kernel keyring (`@u`), through the keyctl system calls.
#[cfg(target_os = "linux")]
mod kernel {
    use linux_keyutils::{KeyError, KeyPermissionsBuilder, KeyRing, KeyRingIdentifier, Permission};

    use super::KEYCHAIN_SERVICE;

    fn description(account: &str) -> String {
        format!("{KEYCHAIN_SERVICE}:{account}")
    }

    fn user_keyring() -> Result<KeyRing, String> {
        KeyRing::from_special_id(KeyRingIdentifier::User, true)
            .map_err(|e| format!("cannot open the user keyring: {e}"))
    }

    pub fn get(account: &str) -> Result<Option<String>, String> {
        let key = match user_keyring()?.search(&description(account)) {
            Ok(key) => key,
            // An invalidated key lingers until the kernel's garbage collector unlinks it,
            // and meanwhile answers "revoked": it is deleted, so there is no entry.
            Err(KeyError::KeyDoesNotExist | KeyError::KeyRevoked) => return Ok(None),
            Err(e) => return Err(format!("cannot look up {account}: {e}")),
        };
        let bytes = match key.read_to_vec() {
            Ok(bytes) => bytes,
            Err(KeyError::KeyRevoked) => return Ok(None),
            Err(e) => return Err(format!("cannot read {account}: {e}")),
        };
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| format!("the entry {account} is not text"))
    }

    pub fn set(account: &str, secret: &str) -> Result<(), String> {
        let key = user_keyring()?
            .add_key(&description(account), secret.as_bytes())
            .map_err(|e| format!("cannot store {account}: {e}"))?;
        // The default grants the *possessor* everything and the user only a view; a
        // process whose session keyring does not link the user keyring (a new login
        // session, `keyctl session`) would then find the key but not read it. Grant the
        // same user what the possessor has; nobody else gets anything.
        let perms = KeyPermissionsBuilder::builder()
            .posessor(Permission::ALL)
            .user(Permission::ALL)
            .build();
        key.set_perms(perms)
            .map_err(|e| format!("cannot set the permissions of {account}: {e}"))
    }

    pub fn delete(account: &str) -> Result<(), String> {
        match user_keyring()?.search(&description(account)) {
            Ok(key) => key
                .invalidate()
                .map_err(|e| format!("cannot delete {account}: {e}")),
            Err(KeyError::KeyDoesNotExist | KeyError::KeyRevoked) => Ok(()),
            Err(e) => Err(format!("cannot look up {account}: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The round trip on this machine's keychain (the Secret Service when one runs, else
    /// the kernel keyring): set, read back, replace, delete.
    #[test]
    fn the_os_keychain_keeps_a_secret() {
        let keychain = OsKeychain::detect();
        // CI runs this test twice: plainly (no session bus: the kernel keyring) and with
        // a gnome-keyring on a private bus, saying which store it must have found.
        match std::env::var("PLUMBLINE_EXPECT_KEYCHAIN").as_deref() {
            Ok("secret-service") => assert!(matches!(keychain, OsKeychain::Default)),
            #[cfg(target_os = "linux")]
            Ok("kernel") => assert!(matches!(keychain, OsKeychain::KernelKeyring)),
            _ => {}
        }
        let account = format!("plumbline-test-{}", uuid::Uuid::now_v7());
        assert_eq!(keychain.get(&account).expect("get"), None);
        keychain.set(&account, "s3cret").expect("set");
        assert_eq!(
            keychain.get(&account).expect("get").as_deref(),
            Some("s3cret")
        );
        keychain.set(&account, "another").expect("replace");
        assert_eq!(
            keychain.get(&account).expect("get").as_deref(),
            Some("another")
        );
        keychain.delete(&account).expect("delete");
        assert_eq!(keychain.get(&account).expect("get"), None);
        keychain
            .delete(&account)
            .expect("deleting again is no error");
        // Removed and stored again right away (Settings' Remove, then a new secret): the
        // deleted entry may linger in the kernel keyring as revoked, and must not get in
        // the way.
        keychain.set(&account, "third").expect("set again");
        assert_eq!(
            keychain.get(&account).expect("get").as_deref(),
            Some("third")
        );
        keychain.delete(&account).expect("delete");
        assert_eq!(keychain.get(&account).expect("get"), None);
    }
}

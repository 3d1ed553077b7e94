//! Passwords and device tokens: how they are made, checked and reduced to what the
//! database may keep.
//!
//! Invariants:
//! - A password is kept only as an argon2id PHC string (the `argon2` crate's defaults:
//!   v19, m = 19 MiB, t = 2, p = 1, a 16-byte random salt); a device token only as the
//!   lower-case hex SHA-256 of its text.
//! - A device token is 32 random bytes from the OS, base64url without padding (43
//!   characters), shown to the device once.
//! - Checking a password for an unknown user costs the same as for a known one
//!   ([`Verifier::verify`] against a hash made at start-up), so the answer's timing does
//!   not tell which e-mails exist.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The shortest password `user add` accepts, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest password accepted anywhere, in bytes: hashing cost must stay bounded.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Why a password or token could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// The password is too short or too long for `user add`.
    #[error("{0}")]
    WeakPassword(String),
    /// The OS gave no random bytes.
    #[error("the operating system's random number generator failed")]
    Random(#[source] getrandom::Error),
    /// argon2 refused its input (cannot happen with the default parameters).
    #[error("cannot hash the password: {0}")]
    Hash(argon2::password_hash::Error),
}

/// Refuses a password `user add` should not store.
pub fn check_new_password(password: &str) -> Result<(), CredentialError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(CredentialError::WeakPassword(format!(
            "the password has {chars} characters; use at least {MIN_PASSWORD_CHARS} (a passphrase of a few words is easiest to remember)"
        )));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(CredentialError::WeakPassword(format!(
            "the password is longer than {MAX_PASSWORD_BYTES} bytes; use a shorter one"
        )));
    }
    Ok(())
}

/// The argon2id PHC string of `password`, with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, CredentialError> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(CredentialError::Random)?;
    let salt = SaltString::encode_b64(&salt).map_err(CredentialError::Hash)?;
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(CredentialError::Hash)?;
    Ok(hash.to_string())
}

/// Checks passwords against stored hashes, at the same cost whether or not the user
/// exists.
#[derive(Clone, Debug)]
pub struct Verifier {
    /// The hash of a random password nobody knows, with the parameters new hashes get.
    decoy: String,
}

impl Verifier {
    pub fn new() -> Result<Self, CredentialError> {
        let mut secret = [0u8; 32];
        getrandom::getrandom(&mut secret).map_err(CredentialError::Random)?;
        Ok(Self {
            decoy: hash_password(&URL_SAFE_NO_PAD.encode(secret))?,
        })
    }

    /// Whether `password` matches `stored` (an argon2id PHC string); with `None` (no such
    /// user) it does the same work and answers `false`. A stored value that is not a
    /// valid PHC string never matches.
    pub fn verify(&self, password: &str, stored: Option<&str>) -> bool {
        let target = stored.unwrap_or(&self.decoy);
        let Ok(parsed) = PasswordHash::new(target) else {
            return false;
        };
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        matches && stored.is_some()
    }
}

/// A new device token: 32 random bytes, base64url without padding.
pub fn new_token() -> Result<String, CredentialError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(CredentialError::Random)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// What the database keeps of a token: the lower-case hex SHA-256 of its text.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The form of an e-mail address accounts are looked up by: trimmed and lower-cased.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_to_argon2id_and_verify() {
        let hash = hash_password("correct horse battery").expect("hash");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(!hash.contains("correct horse"));
        let verifier = Verifier::new().expect("verifier");
        assert!(verifier.verify("correct horse battery", Some(&hash)));
        assert!(!verifier.verify("correct horse battery!", Some(&hash)));
        // Two hashes of one password differ (random salt).
        assert_ne!(hash, hash_password("correct horse battery").expect("hash"));
    }

    #[test]
    fn unknown_users_and_damaged_hashes_never_match() {
        let verifier = Verifier::new().expect("verifier");
        assert!(!verifier.verify("anything at all", None));
        assert!(!verifier.verify("anything at all", Some("not a phc string")));
    }

    #[test]
    fn short_passwords_are_refused_by_characters_not_bytes() {
        assert!(check_new_password("elevenchars").is_err());
        assert!(check_new_password("twelve chars").is_ok());
        // Six two-byte characters are twelve bytes but six characters.
        let message = check_new_password("éééééé")
            .expect_err("too short")
            .to_string();
        assert!(message.contains("6 characters"), "{message}");
        assert!(check_new_password(&"x".repeat(MAX_PASSWORD_BYTES + 1)).is_err());
    }

    #[test]
    fn tokens_are_43_base64url_characters_and_hash_to_sha256_hex() {
        let token = new_token().expect("token");
        assert_eq!(token.len(), 43);
        assert!(token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_ne!(token, new_token().expect("token"));
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn email_keys_ignore_case_and_surrounding_space() {
        assert_eq!(email_key("  Alice@Example.COM "), "alice@example.com");
    }
}

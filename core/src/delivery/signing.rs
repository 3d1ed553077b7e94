//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>).
//!
//! A generic webhook carries three headers: `webhook-id` (the event's stable id, the same
//! on every retry, so a receiver can drop duplicates), `webhook-timestamp` (Unix seconds,
//! fresh for each attempt) and `webhook-signature`: `v1,` followed by the base64 of
//! HMAC-SHA256 over `"{id}.{timestamp}.{body}"`. The key is the base64-decoded part of a
//! `whsec_…` secret, 24 to 64 bytes long. During a secret rotation both the old and the
//! new secret sign, their signatures space-separated, so the receiver can switch at its
//! own pace. Any Standard Webhooks (or Svix) library verifies what [`sign`] produces.

use std::fmt;
use std::str::FromStr;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use thiserror::Error;

type HmacSha256 = Hmac<Sha256>;

/// The prefix of a Standard Webhooks secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// The shortest key the specification allows, in bytes.
pub const MIN_KEY_LEN: usize = 24;
/// The longest key the specification allows, in bytes.
pub const MAX_KEY_LEN: usize = 64;
/// The length of the keys [`WebhookSecret::generate`] makes, in bytes.
pub const GENERATED_KEY_LEN: usize = 32;
/// How far a `webhook-timestamp` may be from the receiver's clock by default (the
/// specification's suggestion), in seconds.
pub const DEFAULT_TOLERANCE_SECS: i64 = 5 * 60;

/// The `webhook-id` header.
pub const HEADER_ID: &str = "webhook-id";
/// The `webhook-timestamp` header.
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
/// The `webhook-signature` header.
pub const HEADER_SIGNATURE: &str = "webhook-signature";

/// Base64 with the standard alphabet, padded or not (secrets are pasted by people, and
/// other tools write them either way).
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a webhook secret was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum SecretError {
    /// The secret does not start with `whsec_`.
    #[error(
        "a webhook signing secret starts with `whsec_`: paste the whole secret as it was \
         shown when the destination was created, or generate a new one"
    )]
    MissingPrefix,
    /// The part after `whsec_` is not base64.
    #[error(
        "the webhook signing secret is damaged (the part after `whsec_` is not base64): \
         paste it again without spaces or line breaks, or generate a new one"
    )]
    NotBase64,
    /// The key is shorter or longer than the specification allows.
    #[error(
        "the webhook signing secret holds a {len}-byte key, but Standard Webhooks needs \
         {MIN_KEY_LEN} to {MAX_KEY_LEN} bytes: generate a new secret"
    )]
    WrongLength {
        /// The decoded key's length in bytes.
        len: usize,
    },
    /// The operating system gave no randomness for a new secret.
    #[error("could not generate a webhook signing secret (no randomness from the operating system: {0}); try again")]
    Randomness(String),
}

/// A Standard Webhooks signing secret (`whsec_<base64 key>`).
///
/// Its `Debug` never shows the key; [`WebhookSecret::expose`] is the one way to get the
/// secret's text back (to show it once, or to store it encrypted).
#[derive(Clone)]
pub struct WebhookSecret {
    key: Vec<u8>,
    /// The HMAC keyed once, cloned for each signature.
    mac: HmacSha256,
}

impl WebhookSecret {
    /// Parses a `whsec_…` secret (surrounding whitespace is ignored).
    pub fn parse(text: &str) -> Result<Self, SecretError> {
        let encoded = text
            .trim()
            .strip_prefix(SECRET_PREFIX)
            .ok_or(SecretError::MissingPrefix)?;
        let key = LENIENT_BASE64
            .decode(encoded)
            .map_err(|_| SecretError::NotBase64)?;
        Self::from_key(key)
    }

    /// A secret from its raw key bytes (24 to 64 of them).
    pub fn from_key(key: Vec<u8>) -> Result<Self, SecretError> {
        if !(MIN_KEY_LEN..=MAX_KEY_LEN).contains(&key.len()) {
            return Err(SecretError::WrongLength { len: key.len() });
        }
        // HMAC takes a key of any length; the error cannot happen, but is not unwrapped.
        let mac = HmacSha256::new_from_slice(&key)
            .map_err(|_| SecretError::WrongLength { len: key.len() })?;
        Ok(Self { key, mac })
    }

    /// A new random secret with a 32-byte key, from the operating system's randomness.
    pub fn generate() -> Result<Self, SecretError> {
        let mut key = vec![0u8; GENERATED_KEY_LEN];
        getrandom::getrandom(&mut key).map_err(|e| SecretError::Randomness(e.to_string()))?;
        Self::from_key(key)
    }

    /// The secret's text, `whsec_<base64 key>`: show it to the user once, or store it
    /// encrypted. Never log it.
    pub fn expose(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(&self.key))
    }

    /// The bare signature (base64, without `v1,`) of one message.
    fn signature(&self, msg_id: &str, timestamp: i64, body: &[u8]) -> String {
        STANDARD.encode(self.keyed(msg_id, timestamp, body).finalize().into_bytes())
    }

    /// The HMAC fed with `"{msg_id}.{timestamp}.{body}"`.
    fn keyed(&self, msg_id: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
        let mut mac = self.mac.clone();
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(whsec_<redacted>)")
    }
}

impl FromStr for WebhookSecret {
    type Err = SecretError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The `webhook-signature` header value: one `v1,<base64>` signature per secret,
/// space-separated, in the order given. During a rotation pass the old and the new secret;
/// with no secret the value is empty.
pub fn sign(secrets: &[&WebhookSecret], msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .map(|secret| format!("v1,{}", secret.signature(msg_id, timestamp, body)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The three Standard Webhooks headers for one delivery attempt: `webhook-id`,
/// `webhook-timestamp` and `webhook-signature` (see [`sign`]).
pub fn headers(
    secrets: &[&WebhookSecret],
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Vec<(&'static str, String)> {
    vec![
        (HEADER_ID, msg_id.to_owned()),
        (HEADER_TIMESTAMP, timestamp.to_string()),
        (HEADER_SIGNATURE, sign(secrets, msg_id, timestamp, body)),
    ]
}

/// Why a signed webhook was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum VerifyError {
    /// The timestamp is older than the tolerance allows (a replay, or a slow retry).
    #[error(
        "the webhook timestamp is {age_secs} s old, more than the {tolerance_secs} s allowed: \
         check both clocks (NTP), or ask the sender to retry"
    )]
    TooOld {
        /// How old the timestamp is, in seconds.
        age_secs: i64,
        /// The tolerance, in seconds.
        tolerance_secs: i64,
    },
    /// The timestamp is further in the future than the tolerance allows.
    #[error(
        "the webhook timestamp is {ahead_secs} s in the future, more than the \
         {tolerance_secs} s allowed: check both clocks (NTP)"
    )]
    InFuture {
        /// How far ahead the timestamp is, in seconds.
        ahead_secs: i64,
        /// The tolerance, in seconds.
        tolerance_secs: i64,
    },
    /// The `webhook-signature` header holds no `v1,` signature.
    #[error(
        "the webhook-signature header holds no `v1,` signature: the sender does not sign \
         with Standard Webhooks, or a proxy dropped the header"
    )]
    NoSignature,
    /// No signature matches: a different secret, or the id, timestamp or body changed.
    #[error(
        "no webhook signature matches: the sender signs with a different secret (copy the \
         destination's current secret again), or the message was changed on the way"
    )]
    Mismatch,
}

/// Checks a `webhook-signature` header value against one secret: the timestamp must be
/// within `tolerance_secs` of `now` (Unix seconds), and one of the `v1,` signatures must
/// match (compared in constant time). Signatures of other versions are ignored.
pub fn verify(
    secret: &WebhookSecret,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
    header_value: &str,
    now: i64,
    tolerance_secs: i64,
) -> Result<(), VerifyError> {
    let age = now.saturating_sub(timestamp);
    if age > tolerance_secs {
        return Err(VerifyError::TooOld {
            age_secs: age,
            tolerance_secs,
        });
    }
    let ahead = timestamp.saturating_sub(now);
    if ahead > tolerance_secs {
        return Err(VerifyError::InFuture {
            ahead_secs: ahead,
            tolerance_secs,
        });
    }
    let mut any = false;
    for candidate in header_value.split_whitespace() {
        let Some(encoded) = candidate.strip_prefix("v1,") else {
            continue;
        };
        any = true;
        let Ok(signature) = STANDARD.decode(encoded) else {
            continue;
        };
        if secret
            .keyed(msg_id, timestamp, body)
            .verify_slice(&signature)
            .is_ok()
        {
            return Ok(());
        }
    }
    Err(if any {
        VerifyError::Mismatch
    } else {
        VerifyError::NoSignature
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // The Standard Webhooks specification's published test vector (also in the Svix and
    // standard-webhooks reference libraries' tests).
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TIMESTAMP: i64 = 1_614_265_330;
    const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn spec_secret() -> WebhookSecret {
        WebhookSecret::parse(SPEC_SECRET).expect("the spec's secret parses")
    }

    #[test]
    fn sign_reproduces_the_spec_test_vector() {
        let secret = spec_secret();
        assert_eq!(
            sign(&[&secret], SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY),
            SPEC_SIGNATURE
        );
    }

    #[test]
    fn verify_accepts_the_spec_test_vector() {
        let secret = spec_secret();
        verify(
            &secret,
            SPEC_ID,
            SPEC_TIMESTAMP,
            SPEC_BODY,
            SPEC_SIGNATURE,
            SPEC_TIMESTAMP,
            DEFAULT_TOLERANCE_SECS,
        )
        .expect("the spec's signature verifies");
    }

    #[test]
    fn headers_carry_id_timestamp_and_signature() {
        let secret = spec_secret();
        let headers = headers(&[&secret], SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY);
        assert_eq!(
            headers,
            vec![
                ("webhook-id", SPEC_ID.to_owned()),
                ("webhook-timestamp", "1614265330".to_owned()),
                ("webhook-signature", SPEC_SIGNATURE.to_owned()),
            ]
        );
    }

    #[test]
    fn rotation_signs_with_both_secrets_and_each_verifies() {
        let old = spec_secret();
        let new = WebhookSecret::generate().expect("randomness");
        let header = sign(&[&old, &new], SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY);
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], SPEC_SIGNATURE);
        assert!(parts[1].starts_with("v1,"));
        for secret in [&old, &new] {
            verify(
                secret,
                SPEC_ID,
                SPEC_TIMESTAMP,
                SPEC_BODY,
                &header,
                SPEC_TIMESTAMP + 10,
                DEFAULT_TOLERANCE_SECS,
            )
            .expect("each secret of a rotation verifies");
        }
        // A third secret matches neither.
        let other = WebhookSecret::generate().expect("randomness");
        assert_eq!(
            verify(
                &other,
                SPEC_ID,
                SPEC_TIMESTAMP,
                SPEC_BODY,
                &header,
                SPEC_TIMESTAMP,
                DEFAULT_TOLERANCE_SECS
            ),
            Err(VerifyError::Mismatch)
        );
    }

    #[test]
    fn sign_with_no_secret_is_empty() {
        assert_eq!(sign(&[], SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY), "");
    }

    #[test]
    fn tampered_body_id_or_timestamp_fails() {
        let secret = spec_secret();
        let check = |id: &str, timestamp: i64, body: &[u8]| {
            verify(
                &secret,
                id,
                timestamp,
                body,
                SPEC_SIGNATURE,
                timestamp,
                DEFAULT_TOLERANCE_SECS,
            )
        };
        assert_eq!(
            check(SPEC_ID, SPEC_TIMESTAMP, br#"{"test": 2432232315}"#),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            check("msg_p5jXN8AQM9LWM0D4loKWxJel", SPEC_TIMESTAMP, SPEC_BODY),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            check(SPEC_ID, SPEC_TIMESTAMP + 1, SPEC_BODY),
            Err(VerifyError::Mismatch)
        );
    }

    #[test]
    fn tampered_or_foreign_signatures_fail() {
        let secret = spec_secret();
        let check = |header: &str| {
            verify(
                &secret,
                SPEC_ID,
                SPEC_TIMESTAMP,
                SPEC_BODY,
                header,
                SPEC_TIMESTAMP,
                DEFAULT_TOLERANCE_SECS,
            )
        };
        // One character of the signature changed.
        assert_eq!(
            check("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF="),
            Err(VerifyError::Mismatch)
        );
        // Not base64, or a truncated signature.
        assert_eq!(check("v1,!!!"), Err(VerifyError::Mismatch));
        assert_eq!(check("v1,g0hM9SsE"), Err(VerifyError::Mismatch));
        // The right signature under another version is not accepted as v1.
        assert_eq!(
            check("v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
            Err(VerifyError::NoSignature)
        );
        assert_eq!(check(""), Err(VerifyError::NoSignature));
        // Other versions and bad candidates around a good one are skipped.
        assert_eq!(
            check(&format!("v1a,abc v1,bm9wZQ== {SPEC_SIGNATURE}")),
            Ok(())
        );
    }

    #[test]
    fn stale_or_future_timestamp_fails() {
        let secret = spec_secret();
        let at = |now: i64| {
            verify(
                &secret,
                SPEC_ID,
                SPEC_TIMESTAMP,
                SPEC_BODY,
                SPEC_SIGNATURE,
                now,
                300,
            )
        };
        assert_eq!(at(SPEC_TIMESTAMP + 300), Ok(()));
        assert_eq!(at(SPEC_TIMESTAMP - 300), Ok(()));
        assert_eq!(
            at(SPEC_TIMESTAMP + 301),
            Err(VerifyError::TooOld {
                age_secs: 301,
                tolerance_secs: 300
            })
        );
        assert_eq!(
            at(SPEC_TIMESTAMP - 301),
            Err(VerifyError::InFuture {
                ahead_secs: 301,
                tolerance_secs: 300
            })
        );
        // Extreme values do not overflow.
        assert!(matches!(at(i64::MAX), Err(VerifyError::TooOld { .. })));
        assert!(matches!(at(i64::MIN), Err(VerifyError::InFuture { .. })));
    }

    #[test]
    fn short_or_long_keys_are_refused() {
        let short = format!("whsec_{}", STANDARD.encode([7u8; 23]));
        assert_eq!(
            WebhookSecret::parse(&short).map(|_| ()),
            Err(SecretError::WrongLength { len: 23 })
        );
        let long = format!("whsec_{}", STANDARD.encode([7u8; 65]));
        assert_eq!(
            WebhookSecret::parse(&long).map(|_| ()),
            Err(SecretError::WrongLength { len: 65 })
        );
        assert!(WebhookSecret::from_key(vec![1; 24]).is_ok());
        assert!(WebhookSecret::from_key(vec![1; 64]).is_ok());
        assert_eq!(
            WebhookSecret::from_key(Vec::new()).map(|_| ()),
            Err(SecretError::WrongLength { len: 0 })
        );
        let message = SecretError::WrongLength { len: 23 }.to_string();
        assert!(message.contains("24 to 64 bytes"), "{message}");
        assert!(message.contains("generate a new secret"), "{message}");
    }

    #[test]
    fn secrets_without_prefix_or_base64_are_refused() {
        assert_eq!(
            WebhookSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").map(|_| ()),
            Err(SecretError::MissingPrefix)
        );
        assert_eq!(
            WebhookSecret::parse("whsec_not base64 at all!").map(|_| ()),
            Err(SecretError::NotBase64)
        );
        assert!(SecretError::MissingPrefix.to_string().contains("whsec_"));
    }

    #[test]
    fn parse_accepts_whitespace_and_either_padding() {
        let key = [42u8; 32];
        let padded = format!("  whsec_{}\n", STANDARD.encode(key));
        assert!(padded.trim_end().ends_with('='));
        let unpadded = format!("whsec_{}", STANDARD.encode(key).trim_end_matches('='));
        for text in [padded, unpadded] {
            let secret: WebhookSecret = text.parse().expect("parses");
            assert_eq!(secret.expose(), format!("whsec_{}", STANDARD.encode(key)));
        }
    }

    #[test]
    fn generate_makes_distinct_32_byte_secrets_that_round_trip() {
        let a = WebhookSecret::generate().expect("randomness");
        let b = WebhookSecret::generate().expect("randomness");
        assert_ne!(a.expose(), b.expose());
        let text = a.expose();
        assert!(text.starts_with("whsec_"));
        let decoded = STANDARD
            .decode(text.trim_start_matches("whsec_"))
            .expect("base64");
        assert_eq!(decoded.len(), GENERATED_KEY_LEN);
        let again = WebhookSecret::parse(&text).expect("round trip");
        assert_eq!(
            sign(&[&a], "msg_1", 1, b"{}"),
            sign(&[&again], "msg_1", 1, b"{}")
        );
    }

    #[test]
    fn debug_does_not_print_the_key() {
        let secret = spec_secret();
        let debug = format!("{secret:?}");
        assert!(
            !debug.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            "{debug}"
        );
        assert!(debug.contains("redacted"), "{debug}");
        let generated = WebhookSecret::generate().expect("randomness");
        let debug = format!("{generated:?}");
        let encoded = generated.expose();
        assert!(!debug.contains(encoded.trim_start_matches("whsec_")));
    }
}

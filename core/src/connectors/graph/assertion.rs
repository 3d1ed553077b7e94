//! Signing in with a certificate: the client assertion Entra asks for instead of a secret
//! (a JWT signed PS256 with the app's RSA key; header `x5t#S256` = the base64url SHA-256
//! of the certificate's DER; claims `aud` = the token URL, `iss` = `sub` = the client id,
//! a unique `jti`, valid from now for ten minutes).

use base64::Engine as _;
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _};
use sha2::{Digest as _, Sha256};

/// The app's certificate (public, PEM) and its private key (PKCS#8 PEM, unencrypted).
#[derive(Clone)]
pub struct CertificateCredential {
    pub certificate_pem: String,
    pub private_key_pem: String,
}

impl std::fmt::Debug for CertificateCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateCredential")
            .field("thumbprint", &thumbprint(&self.certificate_pem).ok())
            .finish_non_exhaustive()
    }
}

/// Why a certificate or key cannot be used, in words that say what to give instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CertificateError(pub String);

/// The DER bytes of the first certificate in `pem`.
pub fn certificate_der(pem: &str) -> Result<Vec<u8>, CertificateError> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let start = pem.find(BEGIN).ok_or_else(|| {
        CertificateError(
            "that file holds no certificate (-----BEGIN CERTIFICATE-----): give the PEM certificate uploaded to the app registration".to_owned(),
        )
    })?;
    let body = &pem[start + BEGIN.len()..];
    let end = body
        .find(END)
        .ok_or_else(|| CertificateError("the certificate is cut off (no END line)".to_owned()))?;
    let text: String = body[..end].chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| CertificateError("the certificate is not valid base64".to_owned()))
}

/// The certificate's SHA-256 thumbprint as Entra's `x5t#S256` (base64url, no padding).
pub fn thumbprint(certificate_pem: &str) -> Result<String, CertificateError> {
    let der = certificate_der(certificate_pem)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(der)))
}

/// Checks that `private_key_pem` is an RSA key Plumbline can sign with.
pub fn check_private_key(private_key_pem: &str) -> Result<(), CertificateError> {
    rsa::RsaPrivateKey::from_pkcs8_pem(private_key_pem.trim())
        .map(drop)
        .map_err(|_| {
            CertificateError(
                "the private key must be an unencrypted RSA key in PKCS#8 PEM (-----BEGIN PRIVATE KEY-----); convert it with `openssl pkcs8 -topk8 -nocrypt -in key.pem`".to_owned(),
            )
        })
}

/// A client assertion for `client_id` at `token_url`, valid from `now_unix` for ten
/// minutes.
pub fn client_assertion(
    credential: &CertificateCredential,
    client_id: &str,
    token_url: &str,
    now_unix: i64,
) -> Result<String, CertificateError> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = serde_json::json!({
        "alg": "PS256",
        "typ": "JWT",
        "x5t#S256": thumbprint(&credential.certificate_pem)?,
    });
    let claims = serde_json::json!({
        "aud": token_url,
        "iss": client_id,
        "sub": client_id,
        "jti": uuid::Uuid::now_v7().to_string(),
        "nbf": now_unix,
        "iat": now_unix,
        "exp": now_unix + 600,
    });
    let signing_input = format!(
        "{}.{}",
        b64.encode(header.to_string()),
        b64.encode(claims.to_string())
    );
    check_private_key(&credential.private_key_pem)?;
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(credential.private_key_pem.trim())
        .map_err(|e| CertificateError(e.to_string()))?;
    let signer = rsa::pss::BlindedSigningKey::<Sha256>::new(key);
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed)
        .map_err(|e| CertificateError(format!("no randomness for the signature: {e}")))?;
    let mut rng = <rand_chacha::ChaCha20Rng as rand::SeedableRng>::from_seed(seed);
    let signature = signer.sign_with_rng(&mut rng, signing_input.as_bytes());
    Ok(format!(
        "{signing_input}.{}",
        b64.encode(signature.to_bytes())
    ))
}

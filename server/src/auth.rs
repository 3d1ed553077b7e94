//! Signing in, authenticating a device token, signing out: the rules of SYNC.md's
//! "Identity and access", apart from HTTP.
//!
//! Invariants:
//! - An unknown e-mail and a wrong password are the same failure ([`AuthError::BadCredentials`])
//!   at the same cost (see [`crate::credentials::Verifier`]), and both are audited.
//! - After [`MAX_FAILURES`] failed sign-ins naming one e-mail (in any case) from one
//!   source address within [`FAILURE_WINDOW`], sign-ins for that e-mail from that address
//!   are refused, right password or not, until the oldest of those failures leaves the
//!   window; other addresses are not affected, so a stranger cannot lock the real user
//!   out. One address failing [`MAX_FAILURES_PER_SOURCE`] times (any e-mails) is refused
//!   too: password spraying slows down. The counts are read from the audit log, so every
//!   server instance on the database enforces the same limits.
//! - A token is checked by its SHA-256 alone; a revoked token says so
//!   ([`AuthError::Revoked`]) so the desktop can tell the operator to sign in again.

use chrono::TimeDelta;
use plumbline_wire::{
    DeviceInfo, Identity, ServerInfo, SignInBody, SignedIn, UserInfo, API_VERSION,
};

use crate::accounts::{AccountError, Audit, AuditAction, Device, User};
use crate::credentials::{self, CredentialError, Verifier, MAX_PASSWORD_BYTES};
use crate::database::{Database, DbTime};

/// Failed sign-ins per e-mail and source address that the window allows; the next one
/// is refused.
pub const MAX_FAILURES: usize = 5;
/// Failed sign-ins per source address (any e-mail) that the window allows.
pub const MAX_FAILURES_PER_SOURCE: usize = 50;
/// How far back failed sign-ins count.
pub const FAILURE_WINDOW: TimeDelta = TimeDelta::minutes(15);
/// A token's use is audited on its first use, then at most this often.
const TOKEN_USE_AUDIT_EVERY: TimeDelta = TimeDelta::hours(1);
/// `last_used_at` is written at most this often, so that a busy device does not turn
/// every read into a write.
const LAST_USED_RESOLUTION: TimeDelta = TimeDelta::minutes(1);
/// The longest device name kept, in characters.
const MAX_DEVICE_NAME_CHARS: usize = 200;

/// Why a request was not allowed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The request is malformed; the message says which field and why.
    #[error("{0}")]
    BadRequest(String),
    /// Unknown e-mail or wrong password (deliberately not told apart).
    #[error("the e-mail or the password is wrong")]
    BadCredentials,
    /// Too many failed sign-ins for this e-mail recently.
    #[error("too many failed sign-ins for this e-mail: try again in {retry_after} seconds")]
    RateLimited {
        /// Seconds until a sign-in is considered again.
        retry_after: u64,
    },
    /// No token, or one the server never issued.
    #[error("{0}")]
    BadToken(&'static str),
    /// The token was revoked (signed out, or by an administrator).
    #[error("this device's token was revoked (it signed out, or an administrator revoked it): sign in again")]
    Revoked,
    /// The database failed.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// Making a token or checking a password failed.
    #[error(transparent)]
    Credential(#[from] CredentialError),
    /// The password check could not run.
    #[error("the password check stopped")]
    Task(#[from] tokio::task::JoinError),
}

/// The identity service: the database and the password verifier. Cheap to clone; keeps
/// no state of its own between requests.
#[derive(Clone, Debug)]
pub struct Auth {
    database: Database,
    verifier: Verifier,
}

impl Auth {
    pub fn new(database: Database) -> Result<Self, CredentialError> {
        Ok(Self {
            database,
            verifier: Verifier::new()?,
        })
    }

    pub fn database(&self) -> &Database {
        &self.database
    }

    /// Checks the credentials and issues a device token. `source`: the caller's address.
    pub async fn sign_in(
        &self,
        body: SignInBody,
        source: Option<&str>,
    ) -> Result<SignedIn, AuthError> {
        let device_name = body.device_name.trim();
        if body.email.trim().is_empty() || body.password.is_empty() || device_name.is_empty() {
            return Err(AuthError::BadRequest(
                "email, password and device_name must not be empty".into(),
            ));
        }
        if body.password.len() > MAX_PASSWORD_BYTES {
            return Err(AuthError::BadRequest(format!(
                "the password is longer than {MAX_PASSWORD_BYTES} bytes"
            )));
        }
        if device_name.chars().count() > MAX_DEVICE_NAME_CHARS {
            return Err(AuthError::BadRequest(format!(
                "device_name is longer than {MAX_DEVICE_NAME_CHARS} characters"
            )));
        }
        let email_key = credentials::email_key(&body.email);

        let now = DbTime::now();
        let since = DbTime(now.0 - FAILURE_WINDOW);
        let limits = [
            (
                self.database
                    .failed_sign_ins(Some(&email_key), source, since, MAX_FAILURES as i64)
                    .await?,
                MAX_FAILURES,
            ),
            (
                match source {
                    Some(_) => {
                        self.database
                            .failed_sign_ins(None, source, since, MAX_FAILURES_PER_SOURCE as i64)
                            .await?
                    }
                    None => Vec::new(),
                },
                MAX_FAILURES_PER_SOURCE,
            ),
        ];
        for (failures, max) in limits {
            if let Some(oldest_counted) = failures.get(max - 1) {
                let wait = (oldest_counted.0 + FAILURE_WINDOW - now.0).num_milliseconds();
                let retry_after = u64::try_from((wait + 999) / 1000).unwrap_or(0).max(1);
                tracing::warn!(email = %email_key, source = source.unwrap_or("unknown"), retry_after, "sign-in refused: rate limited");
                return Err(AuthError::RateLimited { retry_after });
            }
        }

        let found = self.database.user_by_email(&email_key).await?;
        let verifier = self.verifier.clone();
        let stored = found.as_ref().map(|(_, hash)| hash.clone());
        let password = body.password;
        let matches =
            tokio::task::spawn_blocking(move || verifier.verify(&password, stored.as_deref()))
                .await?;
        let user = match found {
            Some((user, _)) if matches => user,
            found => {
                let user_id = found.as_ref().map(|(user, _)| user.id);
                let detail = if user_id.is_some() {
                    "wrong password"
                } else {
                    "unknown e-mail"
                };
                self.database
                    .audit(&Audit {
                        at: DbTime::now(),
                        user_id,
                        device_id: None,
                        email_key: Some(&email_key),
                        action: AuditAction::SignInFailed,
                        detail,
                        source,
                    })
                    .await?;
                tracing::info!(email = %email_key, detail, "sign-in failed");
                return Err(AuthError::BadCredentials);
            }
        };

        let token = credentials::new_token()?;
        let device = self
            .database
            .create_device(
                user.id,
                device_name,
                &credentials::token_hash(&token),
                &email_key,
            )
            .await?;
        tracing::info!(user = %user.id, device = %device.id, "signed in");
        let identity = self.identity(&device, &user).await?;
        Ok(SignedIn { token, identity })
    }

    /// The device and user a bearer token belongs to; records its use.
    pub async fn authenticate(&self, token: &str) -> Result<(Device, User), AuthError> {
        let Some((device, user)) = self
            .database
            .device_by_token(&credentials::token_hash(token))
            .await?
        else {
            return Err(AuthError::BadToken(
                "this device token is not known to this server: sign in again",
            ));
        };
        if device.revoked_at.is_some() {
            return Err(AuthError::Revoked);
        }
        let now = DbTime::now();
        let since_use = device.last_used_at.map(|at| now.0 - at.0);
        if since_use.is_none_or(|since| since >= LAST_USED_RESOLUTION) {
            let audit = since_use.is_none_or(|since| since >= TOKEN_USE_AUDIT_EVERY);
            if !self.database.touch_device(&device, now, audit).await? {
                return Err(AuthError::Revoked);
            }
        }
        Ok((device, user))
    }

    /// Who `device` and `user` are, and where they may work.
    pub async fn identity(&self, device: &Device, user: &User) -> Result<Identity, AuthError> {
        let workspaces = self.database.memberships(user.id).await?;
        Ok(Identity {
            user: UserInfo {
                id: user.id.to_string(),
                email: user.email.clone(),
                name: user.name.clone(),
            },
            device: DeviceInfo {
                id: device.id.to_string(),
                name: device.name.clone(),
                created_at: device.created_at.rfc3339(),
            },
            workspaces,
            server: server_info(),
        })
    }

    /// Revokes `device`'s own token.
    pub async fn sign_out(&self, device: &Device) -> Result<(), AuthError> {
        self.database.sign_out(device).await?;
        tracing::info!(device = %device.id, "signed out");
        Ok(())
    }
}

/// This server's name, version and API version.
pub fn server_info() -> ServerInfo {
    ServerInfo {
        name: "plumbline-server".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        api: API_VERSION,
    }
}

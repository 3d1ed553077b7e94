//! This workspace's connection to a Plumbline server: signing in, checking that the
//! server still knows this device, signing out, and what to show about it without a
//! network.
//!
//! Invariants:
//! - The device token lives in the [`Keychain`] under [`token_account`] and nowhere else:
//!   not in the database (which records the account's name), not in audit events, logs,
//!   errors or views. The password goes to the server and is forgotten.
//! - `connected` and `failed` mean a token is kept; `signed_out` means none is. A token the
//!   server rejects (revoked, unknown) is deleted at once; a server that cannot be
//!   reached changes nothing but the recorded problem, so work resumes when it is back.
//! - Signing out always deletes the local token, whether or not the server hears of it.
//! - Every recorded change is one store transaction with its audit event.

use chrono::Utc;
use serde::Serialize;

use super::api::{ServerInfo, SignInBody, WorkspaceRole};
use super::client::{Client, ClientError, DeviceToken, ServerUrl};
use crate::keychain::{Keychain, KeychainError};
use crate::model::WorkspaceId;
use crate::store::{timestamp, Store, StoreError};

/// The longest device name accepted: it is a label in the server's list of devices.
pub const MAX_DEVICE_NAME_CHARS: usize = 100;

/// The keychain account of a workspace's device token.
pub fn token_account(workspace: WorkspaceId) -> String {
    format!("server-token:{workspace}")
}

/// Why a connection step failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    /// Something the user entered is not acceptable (the address, an empty field); the
    /// message says what to fix.
    #[error("{0}")]
    Invalid(String),
    /// The server could not be reached, refused, or answered something else.
    #[error(transparent)]
    Server(#[from] ClientError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The OS keychain refused or failed.
    #[error("OS keychain: {0}")]
    Keychain(#[from] KeychainError),
}

/// What the database records about the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoredStatus {
    Connected,
    Failed,
    SignedOut,
}

impl StoredStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Connected => "connected",
            Self::Failed => "failed",
            Self::SignedOut => "signed_out",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::Connected, Self::Failed, Self::SignedOut]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// The connection's row in the database (no secret in it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredConnection {
    /// The normalised base address.
    pub url: String,
    pub status: StoredStatus,
    pub user_id: Option<String>,
    pub user_email: String,
    pub user_name: String,
    /// `None` once signed out.
    pub device_id: Option<String>,
    pub device_name: String,
    /// Where the token is, while one is kept.
    pub keychain_account: Option<String>,
    /// The memberships the server last reported; empty once signed out.
    pub workspaces: Vec<WorkspaceRole>,
    pub server: Option<ServerInfo>,
    /// RFC 3339, UTC.
    pub signed_in_at: String,
    pub checked_at: String,
    pub problem: Option<String>,
}

/// The connection's state as people see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// Never signed in from this workspace.
    None,
    /// Signed in; the server answered the last time it was asked.
    Connected,
    /// Signed in, but the server did not answer (or refused) last time; see the problem.
    Failed,
    /// No token: signed out here, or the server revoked it (see the problem).
    SignedOut,
}

/// Who signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServerUser {
    pub id: Option<String>,
    pub email: String,
    pub name: String,
}

/// The connection as Settings and `plumbline server status` show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServerConnection {
    pub url: Option<String>,
    pub status: ConnectionStatus,
    pub user: Option<ServerUser>,
    pub device_name: Option<String>,
    pub device_id: Option<String>,
    /// The memberships the server last reported (none unless signed in).
    pub workspaces: Vec<WorkspaceRole>,
    /// The server that last answered.
    pub server: Option<ServerInfo>,
    /// RFC 3339, UTC.
    pub signed_in_at: Option<String>,
    /// The last time the server answered or was tried.
    pub checked_at: Option<String>,
    /// What went wrong and what to do.
    pub problem: Option<String>,
    /// Where the token is kept ("Secret Service", …).
    pub keychain: String,
}

impl ServerConnection {
    fn none(keychain: String) -> Self {
        Self {
            url: None,
            status: ConnectionStatus::None,
            user: None,
            device_name: None,
            device_id: None,
            workspaces: Vec::new(),
            server: None,
            signed_in_at: None,
            checked_at: None,
            problem: None,
            keychain,
        }
    }

    fn from_stored(stored: StoredConnection, keychain: String) -> Self {
        Self {
            url: Some(stored.url),
            status: match stored.status {
                StoredStatus::Connected => ConnectionStatus::Connected,
                StoredStatus::Failed => ConnectionStatus::Failed,
                StoredStatus::SignedOut => ConnectionStatus::SignedOut,
            },
            user: Some(ServerUser {
                id: stored.user_id,
                email: stored.user_email,
                name: stored.user_name,
            }),
            device_name: Some(stored.device_name),
            device_id: stored.device_id,
            workspaces: stored.workspaces,
            server: stored.server,
            signed_in_at: Some(stored.signed_in_at),
            checked_at: Some(stored.checked_at),
            problem: stored.problem,
            keychain,
        }
    }
}

/// A message as a sentence: the first letter in upper case.
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn token_missing(keychain: &dyn Keychain) -> String {
    format!(
        "The {} no longer holds this device's token: sign in again",
        keychain.describe()
    )
}

fn memberships(workspaces: &[WorkspaceRole]) -> serde_json::Value {
    workspaces
        .iter()
        .map(|w| serde_json::json!({ "id": w.id, "role": w.role.code() }))
        .collect()
}

fn check_email(text: &str) -> Result<String, ConnectionError> {
    let email = text.trim();
    if email.is_empty() {
        return Err(ConnectionError::Invalid(
            "Enter the e-mail address of your account on the server".to_owned(),
        ));
    }
    let well_formed = email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if !well_formed {
        return Err(ConnectionError::Invalid(format!(
            "{email:?} is not an e-mail address: enter the one your account on the server has, \
             like alice@example.com"
        )));
    }
    Ok(email.to_owned())
}

fn check_device_name(text: &str) -> Result<String, ConnectionError> {
    let name = text.trim();
    if name.is_empty() {
        return Err(ConnectionError::Invalid(
            "Name this computer (for example \"Alice's laptop\"): the server lists your devices \
             by name, so that you can revoke one"
                .to_owned(),
        ));
    }
    if name.chars().count() > MAX_DEVICE_NAME_CHARS {
        return Err(ConnectionError::Invalid(format!(
            "The device name is longer than {MAX_DEVICE_NAME_CHARS} characters: shorten it"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(ConnectionError::Invalid(
            "The device name contains a line break or another control character: enter it on \
             one line"
                .to_owned(),
        ));
    }
    Ok(name.to_owned())
}

fn server_url(text: &str) -> Result<ServerUrl, ConnectionError> {
    ServerUrl::parse(text).map_err(|error| match error {
        ClientError::InvalidUrl(message) => ConnectionError::Invalid(message),
        other => ConnectionError::Server(other),
    })
}

/// Checks the fields of a sign-in other than the password, as [`sign_in`] does (for a
/// caller that asks for the password only once the rest is right): the normalised
/// address, the e-mail address and the device name.
pub fn check_sign_in(
    url: &str,
    email: &str,
    device_name: &str,
) -> Result<(ServerUrl, String, String), ConnectionError> {
    Ok((
        server_url(url)?,
        check_email(email)?,
        check_device_name(device_name)?,
    ))
}

/// Revokes a token that is no longer wanted, best effort: a failure is logged (never the
/// token) and otherwise ignored.
async fn revoke_quietly(client: &Client, token: &DeviceToken, why: &str) {
    if let Err(error) = client.sign_out(token).await {
        tracing::warn!(%error, server = %client.base(), "could not revoke {why}");
    }
}

/// Signs in to the server at `url` as `email`, naming this computer `device_name`; the
/// device token goes to the keychain, who signed in and what they may see to the
/// database. A previous sign-in of this workspace is replaced and its token revoked on its
/// server (best effort). Nothing changes when the sign-in fails.
pub async fn sign_in(
    store: &Store,
    keychain: &dyn Keychain,
    url: &str,
    email: &str,
    password: &str,
    device_name: &str,
) -> Result<ServerConnection, ConnectionError> {
    let (base, email, device_name) = check_sign_in(url, email, device_name)?;
    if password.is_empty() {
        return Err(ConnectionError::Invalid(
            "Enter the password of your account on the server".to_owned(),
        ));
    }
    // Read what is there before the server issues a token, so that a locked keychain or
    // a damaged database fails before there is a token to clean up.
    let before = store.server_connection().await?;
    let account = token_account(store.workspace());
    let previous = keychain.get(&account)?.map(DeviceToken::new);

    let client = Client::new(base.clone())?;
    let (token, identity) = client
        .sign_in(&SignInBody {
            email,
            password: password.to_owned(),
            device_name,
        })
        .await?;

    if let Err(error) = keychain.set(&account, token.expose()) {
        revoke_quietly(&client, &token, "a token the keychain refused").await;
        return Err(error.into());
    }
    let now = timestamp(Utc::now());
    let stored = StoredConnection {
        url: base.to_string(),
        status: StoredStatus::Connected,
        user_id: Some(identity.user.id.clone()),
        user_email: identity.user.email.clone(),
        user_name: identity.user.name.clone(),
        device_id: Some(identity.device.id.clone()),
        device_name: identity.device.name.clone(),
        keychain_account: Some(account.clone()),
        workspaces: identity.workspaces.clone(),
        server: Some(identity.server.clone()),
        signed_in_at: now.clone(),
        checked_at: now,
        problem: None,
    };
    let summary = serde_json::json!({
        "url": stored.url,
        "email": stored.user_email,
        "device_id": stored.device_id,
        "device_name": stored.device_name,
        "keychain_account": account,
        "replaced_token": previous.is_some(),
        "server_version": identity.server.version,
        "workspaces": memberships(&stored.workspaces),
    });
    if let Err(error) = store
        .write_server_connection(&stored, "server.sign_in", summary)
        .await
    {
        let restored = match &previous {
            Some(old) => keychain.set(&account, old.expose()),
            None => keychain.delete(&account),
        };
        if let Err(restore) = restored {
            tracing::warn!(%restore, account = %account, "could not restore the keychain entry");
        }
        revoke_quietly(&client, &token, "a token the database could not record").await;
        return Err(error.into());
    }

    // The token this one replaces would otherwise stay valid on its server for good.
    if let Some(old) = previous.filter(|old| *old != token) {
        let old_base = before
            .as_ref()
            .and_then(|b| ServerUrl::parse(&b.url).ok())
            .unwrap_or(base);
        match Client::new(old_base) {
            Ok(old_client) => revoke_quietly(&old_client, &old, "the replaced token").await,
            Err(error) => tracing::warn!(%error, "could not revoke the replaced token"),
        }
    }
    status(store, keychain).await
}

/// Asks the server who this device's token belongs to and records the answer: connected
/// with the fresh identity; signed out when the server revoked or does not know the token
/// (which is then deleted); failed, token kept, when it cannot be reached or answers
/// something else. Without a token there is nothing to ask: the status is returned.
pub async fn check(
    store: &Store,
    keychain: &dyn Keychain,
) -> Result<ServerConnection, ConnectionError> {
    let Some(mut stored) = store.server_connection().await? else {
        return status(store, keychain).await;
    };
    if stored.status == StoredStatus::SignedOut {
        return status(store, keychain).await;
    }
    let account = stored
        .keychain_account
        .clone()
        .unwrap_or_else(|| token_account(store.workspace()));
    let token = keychain.get(&account)?;
    stored.checked_at = timestamp(Utc::now());
    let (action, summary) = match token {
        None => {
            signed_out(&mut stored, Some(token_missing(keychain)));
            (
                "server.check",
                serde_json::json!({ "url": stored.url, "status": "signed_out", "reason": "token_missing" }),
            )
        }
        Some(token) => {
            let client = Client::new(server_url(&stored.url)?)?;
            match client.me(&DeviceToken::new(token)).await {
                Ok(identity) => {
                    stored.status = StoredStatus::Connected;
                    stored.user_id = Some(identity.user.id);
                    stored.user_email = identity.user.email;
                    stored.user_name = identity.user.name;
                    stored.device_id = Some(identity.device.id);
                    stored.device_name = identity.device.name;
                    stored.workspaces = identity.workspaces;
                    stored.server = Some(identity.server);
                    stored.problem = None;
                    (
                        "server.check",
                        serde_json::json!({
                            "url": stored.url,
                            "status": "connected",
                            "server_version": stored.server.as_ref().map(|s| s.version.as_str()),
                            "workspaces": memberships(&stored.workspaces),
                        }),
                    )
                }
                Err(error) if error.token_rejected() => {
                    keychain.delete(&account)?;
                    signed_out(&mut stored, Some(sentence(&error.to_string())));
                    (
                        "server.check",
                        serde_json::json!({ "url": stored.url, "status": "signed_out", "reason": error.code() }),
                    )
                }
                Err(error) => {
                    stored.status = StoredStatus::Failed;
                    stored.problem = Some(sentence(&error.to_string()));
                    (
                        "server.check",
                        serde_json::json!({ "url": stored.url, "status": "failed", "reason": error.code() }),
                    )
                }
            }
        }
    };
    store
        .write_server_connection(&stored, action, summary)
        .await?;
    status(store, keychain).await
}

/// Marks the row signed out: no token, no device, no memberships.
fn signed_out(stored: &mut StoredConnection, problem: Option<String>) {
    stored.status = StoredStatus::SignedOut;
    stored.keychain_account = None;
    stored.device_id = None;
    stored.workspaces = Vec::new();
    stored.problem = problem;
}

/// Signs this computer out: tells the server to revoke the token (best effort) and always
/// deletes the token here. When the server could not be told, the view's problem says so
/// (the device stays in the server's list until revoked there).
pub async fn sign_out(
    store: &Store,
    keychain: &dyn Keychain,
) -> Result<ServerConnection, ConnectionError> {
    let Some(mut stored) = store.server_connection().await? else {
        return status(store, keychain).await;
    };
    let account = stored
        .keychain_account
        .clone()
        .unwrap_or_else(|| token_account(store.workspace()));
    let token = keychain.get(&account);
    let told = match &token {
        Ok(Some(token)) => {
            let revoked = match ServerUrl::parse(&stored.url).and_then(Client::new) {
                Ok(client) => client.sign_out(&DeviceToken::new(token.clone())).await,
                Err(error) => Err(error),
            };
            match revoked {
                // Already revoked or unknown there: the server has forgotten it too.
                Ok(()) => Ok(true),
                Err(error) if error.token_rejected() => Ok(true),
                Err(error) => Err(error.to_string()),
            }
        }
        Ok(None) => Ok(false),
        Err(error) => Err(format!("the OS keychain did not give the token ({error})")),
    };
    keychain.delete(&account)?;
    if stored.status == StoredStatus::SignedOut && matches!(token, Ok(None)) {
        // Nothing was signed in: nothing to record.
        return status(store, keychain).await;
    }
    stored.checked_at = timestamp(Utc::now());
    let problem = told.as_ref().err().map(|why| {
        format!(
            "Signed out on this computer, but the server could not be told: {why}. This device \
             stays in your list of devices on the server until you revoke it there"
        )
    });
    let summary = serde_json::json!({
        "url": stored.url,
        "status": "signed_out",
        "reason": "user",
        "server_revoked": matches!(told, Ok(true)),
    });
    signed_out(&mut stored, problem);
    store
        .write_server_connection(&stored, "server.sign_out", summary)
        .await?;
    status(store, keychain).await
}

/// The connection as last recorded, without asking the server. When the keychain lost
/// the token, it shows as signed out with what to do.
pub async fn status(
    store: &Store,
    keychain: &dyn Keychain,
) -> Result<ServerConnection, ConnectionError> {
    let Some(stored) = store.server_connection().await? else {
        return Ok(ServerConnection::none(keychain.describe()));
    };
    let account = stored.keychain_account.clone();
    let mut view = ServerConnection::from_stored(stored, keychain.describe());
    if let Some(account) = account {
        match keychain.get(&account) {
            Ok(Some(_)) => {}
            Ok(None) => {
                view.status = ConnectionStatus::SignedOut;
                view.device_id = None;
                view.workspaces = Vec::new();
                view.problem = Some(token_missing(keychain));
            }
            Err(error) => {
                view.problem = Some(format!(
                    "Cannot read this device's token from the OS keychain ({error}): unlock the \
                     keychain, then check the connection again"
                ));
            }
        }
    }
    Ok(view)
}

#[cfg(test)]
mod tests;

//! The Plumbline server connection on the Settings page: sign in, check, sign out, and
//! what is known without a network (`plumbline_core::sync::connection` does the work).
//! The password crosses this boundary once, inbound, to the server; the device token
//! never crosses it.

use plumbline_core::sync::client::ClientError;
use plumbline_core::sync::connection::{self, ConnectionError, ConnectionStatus};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

/// The connection's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ServerStatus {
    /// Never signed in from this workspace.
    None,
    /// Signed in; the server answered the last time it was asked.
    Connected,
    /// Signed in (the token is kept), but the server did not answer or refused last time.
    Failed,
    /// No token: signed out here, or the server revoked it (then `problem` says so).
    SignedOut,
}

/// Who signed in.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ServerUser {
    pub email: String,
    pub name: String,
}

/// A workspace on the server this user is a member of.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ServerWorkspace {
    pub id: String,
    pub name: String,
    /// `owner`, `admin`, `operator`, `reviewer` or `viewer`.
    pub role: String,
}

/// The server connection as Settings shows it.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ServerConnectionView {
    /// The server's base address, normalised (`https://plumbline.example.com/`).
    pub url: Option<String>,
    pub status: ServerStatus,
    pub user: Option<ServerUser>,
    /// This computer's name in the server's list of devices.
    pub device_name: Option<String>,
    /// The memberships the server last reported (empty unless signed in).
    pub workspaces: Vec<ServerWorkspace>,
    pub server_version: Option<String>,
    /// RFC 3339, UTC: the last time the server answered or was tried.
    pub checked_at: Option<String>,
    /// When failed, or signed out by the server or while it was unreachable: what
    /// happened and what to do.
    pub problem: Option<String>,
    /// Where the device token is kept, for people ("Secret Service", …).
    pub keychain: String,
}

/// Signing in: the password is sent to the server and kept nowhere.
#[derive(Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ServerSignInRequest {
    pub url: String,
    pub email: String,
    pub password: String,
    /// How this computer is named in the server's list of devices.
    pub device_name: String,
}

/// A message as a sentence: the first letter in upper case.
fn sentence(message: String) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => message,
    }
}

impl From<ConnectionError> for CommandError {
    fn from(error: ConnectionError) -> Self {
        let message = sentence(error.to_string());
        let code = match error {
            ConnectionError::Store(store) => return store.into(),
            ConnectionError::Invalid(_) => ErrorCode::InvalidInput,
            // The keychain is the machine's, like its disk or its network.
            ConnectionError::Keychain(_) => ErrorCode::Io,
            ConnectionError::Server(client) => match client {
                // What the user typed: the address or the credentials.
                ClientError::InvalidUrl(_) | ClientError::BadCredentials => ErrorCode::InvalidInput,
                ClientError::Refused { status, .. } if status < 500 => ErrorCode::InvalidInput,
                // The network or the server, for now: trying again later may work.
                ClientError::Unreachable { .. }
                | ClientError::RateLimited { .. }
                | ClientError::Refused { .. }
                | ClientError::Unexpected(_) => ErrorCode::Io,
                // This app and that server, or this device and that server, disagree.
                ClientError::Revoked | ClientError::BadToken | ClientError::Incompatible(_) => {
                    ErrorCode::Conflict
                }
            },
        };
        CommandError::new(code, message)
    }
}

fn view(connection: connection::ServerConnection) -> ServerConnectionView {
    ServerConnectionView {
        url: connection.url,
        status: match connection.status {
            ConnectionStatus::None => ServerStatus::None,
            ConnectionStatus::Connected => ServerStatus::Connected,
            ConnectionStatus::Failed => ServerStatus::Failed,
            ConnectionStatus::SignedOut => ServerStatus::SignedOut,
        },
        user: connection.user.map(|user| ServerUser {
            email: user.email,
            name: user.name,
        }),
        device_name: connection.device_name,
        workspaces: connection
            .workspaces
            .into_iter()
            .map(|w| ServerWorkspace {
                id: w.id,
                name: w.name,
                role: w.role.code().to_owned(),
            })
            .collect(),
        server_version: connection.server.map(|s| s.version),
        checked_at: connection.checked_at,
        problem: connection.problem,
        keychain: connection.keychain,
    }
}

/// The connection as last recorded; asks no server.
#[tauri::command]
#[specta::specta]
pub async fn server_connection(
    state: State<'_, AppState>,
) -> Result<ServerConnectionView, CommandError> {
    let keychain = state.keychain();
    Ok(view(
        connection::status(state.store()?, keychain.as_ref()).await?,
    ))
}

/// Signs in (replacing a previous sign-in); the device token goes to the keychain.
#[tauri::command]
#[specta::specta]
pub async fn sign_in_to_server(
    state: State<'_, AppState>,
    request: ServerSignInRequest,
) -> Result<ServerConnectionView, CommandError> {
    let keychain = state.keychain();
    let signed_in = connection::sign_in(
        state.store()?,
        keychain.as_ref(),
        &request.url,
        &request.email,
        &request.password,
        &request.device_name,
    )
    .await?;
    // The workspace syncs from now on.
    state.start_sync();
    state.sync().sync_now();
    Ok(view(signed_in))
}

/// Asks the server whether it still knows this device, and records the answer.
#[tauri::command]
#[specta::specta]
pub async fn check_server_connection(
    state: State<'_, AppState>,
) -> Result<ServerConnectionView, CommandError> {
    let keychain = state.keychain();
    Ok(view(
        connection::check(state.store()?, keychain.as_ref()).await?,
    ))
}

/// Signs this computer out; the token is deleted here even when the server cannot be
/// told.
#[tauri::command]
#[specta::specta]
pub async fn sign_out_of_server(
    state: State<'_, AppState>,
) -> Result<ServerConnectionView, CommandError> {
    let keychain = state.keychain();
    Ok(view(
        connection::sign_out(state.store()?, keychain.as_ref()).await?,
    ))
}

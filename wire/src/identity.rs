//! Identity, version 1: health and readiness, sign-in to a device token, who a token is,
//! sign-out.
//!
//! - `GET  /healthz`                 200 `ok` while the process runs.
//! - `GET  /readyz`                  200 `ready` when the database answers, else 503.
//! - `POST /api/v1/auth/sign-in`     [`SignInBody`] → 200 [`SignedIn`]; 401
//!   `bad_credentials`; 429 `rate_limited` (with `Retry-After` seconds); 400
//!   `bad_request`.
//! - `GET  /api/v1/me`               (Bearer device token) → 200 [`Identity`]; 401
//!   `bad_token` (unknown) or `revoked`.
//! - `POST /api/v1/auth/sign-out`    (Bearer) → 204: this device's token is revoked.
//!
//! Every error is an [`ApiError`] body with a stable `code` and a message for people.

use serde::{Deserialize, Serialize};

/// The API version these types describe (the path prefix `/api/v1`).
pub const API_VERSION: u32 = 1;

pub const HEALTH_PATH: &str = "/healthz";
pub const READY_PATH: &str = "/readyz";
pub const SIGN_IN_PATH: &str = "/api/v1/auth/sign-in";
pub const SIGN_OUT_PATH: &str = "/api/v1/auth/sign-out";
pub const ME_PATH: &str = "/api/v1/me";
/// Prometheus metrics of the instance (text exposition format).
pub const METRICS_PATH: &str = "/metrics";
/// The API's OpenAPI 3.1 document, generated from these types.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";
/// A request's id: sent by a client or proxy (kept when it is short and plain), else
/// made by the server; always in the answer.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Sign in once per device with the operator's credentials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SignInBody {
    pub email: String,
    pub password: String,
    /// How the device is named in the server's list of devices ("Alice's laptop").
    pub device_name: String,
}

/// A successful sign-in: the device token (shown this once; the server keeps only its
/// hash) and who it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SignedIn {
    pub token: String,
    pub identity: Identity,
}

/// Who a device token belongs to, and what it may see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Identity {
    pub user: UserInfo,
    pub device: DeviceInfo,
    /// The workspaces this user is a member of, by name.
    pub workspaces: Vec<WorkspaceRole>,
    pub server: ServerInfo,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UserInfo {
    pub id: String,
    pub email: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeviceInfo {
    pub id: String,
    pub name: String,
    /// RFC 3339.
    pub created_at: String,
}

/// A membership: the role, and the tenants it is limited to (`None`: all of the
/// workspace's tenants).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WorkspaceRole {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub tenants: Option<Vec<String>>,
}

/// Roles per workspace, most powerful first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Role {
    Owner,
    Admin,
    Operator,
    Reviewer,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Owner,
        Role::Admin,
        Role::Operator,
        Role::Reviewer,
        Role::Viewer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Reviewer => "reviewer",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.code() == code)
    }
}

/// What answered: for the desktop to show and to refuse an incompatible server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ServerInfo {
    /// "plumbline-server".
    pub name: String,
    pub version: String,
    /// [`API_VERSION`] of the server.
    pub api: u32,
}

/// The body of every error answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ApiError {
    pub error: ErrorBody,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ErrorBody {
    /// Stable: `bad_request`, `bad_credentials`, `rate_limited`, `bad_token`, `revoked`,
    /// `not_found`, `forbidden`, `no_workspace`, `hash_mismatch`, `unavailable`, `internal`.
    pub code: String,
    /// For people: what happened and what to do.
    pub message: String,
    /// The request's id (also the `x-request-id` answer header): the server's log lines
    /// about this request carry it, so an operator can find them from a user's report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

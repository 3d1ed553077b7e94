//! The HTTP face of the server: the routes of `plumbline_wire`, each a few
//! lines over [`Auth`].
//!
//! Invariants:
//! - Every error answer, including unknown paths, wrong methods and bodies that are not
//!   the expected JSON, is an [`ApiError`] body with a stable code.
//! - Internal failures are logged with their cause and answered with a message that
//!   gives nothing away.

use std::sync::Arc;

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{
    ConnectInfo, DefaultBodyLimit, FromRequest, FromRequestParts, Path, Query, Request, State,
};
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE,
};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use plumbline_wire::{
    ApiError, BlobBundle, BlobEntry, BlobList, ErrorBody, Identity, PullResponse, PushRequest,
    PushResponse, SignInBody, SyncHead, BLOBS_FETCH_PATH, BLOBS_MISSING_PATH, BLOBS_UPLOAD_PATH,
    BLOB_PATH, HEAD_PATH, HEALTH_PATH, MAX_BODY_BYTES, ME_PATH, PULL_PATH, PUSH_PATH, READY_PATH,
    SIGN_IN_PATH, SIGN_OUT_PATH, SNAPSHOT_PATH, WORKSPACE_HEADER,
};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::accounts::{Device, User};
use crate::auth::{Auth, AuthError};
use crate::sync::{Member, SyncError};

/// The largest identity request body accepted; sign-in bodies are a few hundred bytes.
const MAX_IDENTITY_BODY_BYTES: usize = 16 * 1024;

/// Bundles are JSON compressed with zstd.
const BUNDLE_CONTENT_TYPE: &str = "application/vnd.plumbline.bundle+json+zstd";

/// The server's routes over `auth`.
pub fn router(auth: Auth) -> Router {
    let identity = Router::new()
        .route(HEALTH_PATH, get(healthz))
        .route(READY_PATH, get(readyz))
        .route(SIGN_IN_PATH, post(sign_in))
        .route(SIGN_OUT_PATH, post(sign_out))
        .route(ME_PATH, get(me))
        .layer(DefaultBodyLimit::max(MAX_IDENTITY_BODY_BYTES));
    let sync = Router::new()
        .route(PUSH_PATH, post(push))
        .route(PULL_PATH, get(pull))
        .route(SNAPSHOT_PATH, get(snapshot))
        .route(HEAD_PATH, get(head))
        .route(BLOBS_MISSING_PATH, post(missing_blobs))
        .route(BLOBS_FETCH_PATH, post(fetch_blobs))
        .route(BLOBS_UPLOAD_PATH, post(upload_blobs))
        .route(
            &format!("{BLOB_PATH}/{{sha256}}"),
            get(get_blob).head(head_blob).put(put_blob),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    identity
        .merge(sync)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(Arc::new(auth))
}

type AppState = State<Arc<Auth>>;

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(auth): AppState) -> Result<&'static str, Failure> {
    match auth.database().ping().await {
        Ok(()) => Ok("ready"),
        Err(error) => {
            tracing::error!(error = %causes(&error), "readiness: the database does not answer");
            Err(Failure::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "internal",
                "the server's database does not answer; its log says why",
            ))
        }
    }
}

async fn sign_in(
    State(auth): AppState,
    peer: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    JsonBody(body): JsonBody<SignInBody>,
) -> Result<impl IntoResponse, Failure> {
    let source = peer.map(|axum::Extension(ConnectInfo(address))| address.ip().to_string());
    let signed_in = auth.sign_in(body, source.as_deref()).await?;
    // The answer carries a secret: no cache (a proxy's, the client's) may keep it.
    Ok(([(CACHE_CONTROL, "no-store")], Json(signed_in)))
}

async fn me(
    State(auth): AppState,
    Bearer(device, user): Bearer,
) -> Result<Json<Identity>, Failure> {
    Ok(Json(auth.identity(&device, &user).await?))
}

async fn sign_out(State(auth): AppState, Bearer(device, _): Bearer) -> Result<StatusCode, Failure> {
    auth.sign_out(&device).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's membership: its token, and the workspace header when it has several.
struct Caller(Member);

impl FromRequestParts<Arc<Auth>> for Caller {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut Parts,
        auth: &Arc<Auth>,
    ) -> Result<Self, Self::Rejection> {
        let Bearer(device, user) = Bearer::from_request_parts(parts, auth).await?;
        let selector = parts
            .headers
            .get(WORKSPACE_HEADER)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let member = auth
            .database()
            .member(&device, &user, selector.as_deref())
            .await?;
        Ok(Self(member))
    }
}

async fn push(
    State(auth): AppState,
    Caller(member): Caller,
    JsonBody(body): JsonBody<PushRequest>,
) -> Result<Json<PushResponse>, Failure> {
    let verdicts = auth.database().push(&member, body.operations).await?;
    Ok(Json(PushResponse { verdicts }))
}

#[derive(Deserialize)]
struct HeadQuery {
    #[serde(default)]
    first_sync: bool,
}

async fn head(
    State(auth): AppState,
    Caller(member): Caller,
    query: Result<Query<HeadQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<SyncHead>, Failure> {
    let Query(query) =
        query.map_err(|e| Failure::new(StatusCode::BAD_REQUEST, "bad_request", e.body_text()))?;
    Ok(Json(auth.database().head(&member, query.first_sync).await?))
}

#[derive(Deserialize)]
struct PullQuery {
    after: Option<i64>,
    limit: Option<u32>,
    wait: Option<u32>,
    epoch: Option<String>,
}

async fn pull(
    State(auth): AppState,
    Caller(member): Caller,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PullResponse>, Failure> {
    let Query(query) =
        query.map_err(|e| Failure::new(StatusCode::BAD_REQUEST, "bad_request", e.body_text()))?;
    let answer = auth
        .database()
        .pull(
            &member,
            query.after.unwrap_or(0),
            query.limit.unwrap_or(1_000),
            query.wait.unwrap_or(0),
            query.epoch.as_deref(),
        )
        .await?;
    Ok(Json(answer))
}

#[derive(Deserialize)]
struct SnapshotQuery {
    tenant: Option<String>,
    up_to: i64,
}

async fn snapshot(
    State(auth): AppState,
    Caller(member): Caller,
    query: Result<Query<SnapshotQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Failure> {
    let Query(query) =
        query.map_err(|e| Failure::new(StatusCode::BAD_REQUEST, "bad_request", e.body_text()))?;
    let tenant = query.tenant.filter(|t| !t.is_empty());
    let snapshot = auth
        .database()
        .snapshot(&member, tenant.as_deref(), query.up_to)
        .await?;
    bundle(&snapshot)
}

/// A value as a zstd-compressed JSON answer.
fn bundle<T: serde::Serialize>(value: &T) -> Result<Response, Failure> {
    let json = serde_json::to_vec(value).map_err(internal)?;
    let compressed = zstd::bulk::compress(&json, 3).map_err(internal)?;
    Ok(([(CONTENT_TYPE, BUNDLE_CONTENT_TYPE)], compressed).into_response())
}

fn internal(error: impl std::fmt::Display) -> Failure {
    tracing::error!(%error, "request failed");
    Failure::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "the server could not complete the request; its log says why",
    )
}

fn check_hash(sha256: &str) -> Result<(), Failure> {
    if sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        Ok(())
    } else {
        Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "a blob is named by the lower-case hex SHA-256 of its bytes",
        ))
    }
}

fn verified(sha256: &str, data: &[u8]) -> Result<(), Failure> {
    check_hash(sha256)?;
    if hex::encode(Sha256::digest(data)) == sha256 {
        Ok(())
    } else {
        Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "hash_mismatch",
            format!(
                "the bytes sent do not hash to {sha256}: the upload was damaged, send it again"
            ),
        ))
    }
}

fn blob_not_found(sha256: &str) -> Failure {
    Failure::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no blob {sha256} this device may read"),
    )
}

async fn get_blob(
    State(auth): AppState,
    Caller(member): Caller,
    Path(sha256): Path<String>,
) -> Result<Response, Failure> {
    check_hash(&sha256)?;
    let mut found = auth
        .database()
        .readable_blobs(&member, std::slice::from_ref(&sha256))
        .await?;
    match found.pop() {
        Some((_, data)) => Ok(([(CONTENT_TYPE, "application/octet-stream")], data).into_response()),
        None => Err(blob_not_found(&sha256)),
    }
}

async fn head_blob(
    State(auth): AppState,
    Caller(member): Caller,
    Path(sha256): Path<String>,
) -> Result<StatusCode, Failure> {
    check_hash(&sha256)?;
    let missing = auth
        .database()
        .missing_blobs(&member, std::slice::from_ref(&sha256))
        .await?;
    if missing.is_empty() {
        Ok(StatusCode::OK)
    } else {
        Err(blob_not_found(&sha256))
    }
}

async fn put_blob(
    State(auth): AppState,
    Caller(member): Caller,
    Path(sha256): Path<String>,
    body: Bytes,
) -> Result<StatusCode, Failure> {
    verified(&sha256, &body)?;
    auth.database()
        .put_blobs(&member, &[(sha256, body.to_vec())])
        .await?;
    // The same answer whether the blob was new or not: nothing to probe.
    Ok(StatusCode::NO_CONTENT)
}

async fn missing_blobs(
    State(auth): AppState,
    Caller(member): Caller,
    JsonBody(body): JsonBody<BlobList>,
) -> Result<Json<BlobList>, Failure> {
    for hash in &body.hashes {
        check_hash(hash)?;
    }
    let hashes = auth.database().missing_blobs(&member, &body.hashes).await?;
    Ok(Json(BlobList { hashes }))
}

async fn fetch_blobs(
    State(auth): AppState,
    Caller(member): Caller,
    JsonBody(body): JsonBody<BlobList>,
) -> Result<Response, Failure> {
    for hash in &body.hashes {
        check_hash(hash)?;
    }
    let found = auth
        .database()
        .readable_blobs(&member, &body.hashes)
        .await?;
    let engine = base64::engine::general_purpose::STANDARD;
    bundle(&BlobBundle {
        blobs: found
            .into_iter()
            .map(|(sha256, data)| BlobEntry {
                sha256,
                data: engine.encode(data),
            })
            .collect(),
    })
}

async fn upload_blobs(
    State(auth): AppState,
    Caller(member): Caller,
    body: Bytes,
) -> Result<StatusCode, Failure> {
    let bad = |what: String| Failure::new(StatusCode::BAD_REQUEST, "bad_request", what);
    let json = zstd::bulk::decompress(&body, MAX_BODY_BYTES)
        .map_err(|e| bad(format!("the bundle is not zstd-compressed JSON: {e}")))?;
    let bundle: BlobBundle = serde_json::from_slice(&json)
        .map_err(|e| bad(format!("the bundle is not a blob bundle: {e}")))?;
    let engine = base64::engine::general_purpose::STANDARD;
    let mut blobs = Vec::with_capacity(bundle.blobs.len());
    for entry in bundle.blobs {
        let data = engine
            .decode(&entry.data)
            .map_err(|e| bad(format!("blob {} is not base64: {e}", entry.sha256)))?;
        verified(&entry.sha256, &data)?;
        blobs.push((entry.sha256, data));
    }
    auth.database().put_blobs(&member, &blobs).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn not_found(method: Method, uri: Uri) -> Failure {
    Failure::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("this server has no {method} {}", uri.path()),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> Failure {
    Failure::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "bad_request",
        format!("{} does not answer {method}", uri.path()),
    )
}

/// An error answer: status, [`ApiError`] body, and the headers some codes carry.
#[derive(Debug)]
pub struct Failure {
    status: StatusCode,
    body: ApiError,
    retry_after: Option<u64>,
    bearer_challenge: bool,
}

impl Failure {
    fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ApiError {
                error: ErrorBody {
                    code: code.to_owned(),
                    message: message.into(),
                },
            },
            retry_after: None,
            bearer_challenge: false,
        }
    }
}

impl From<AuthError> for Failure {
    fn from(error: AuthError) -> Self {
        let message = error.to_string();
        match error {
            AuthError::BadRequest(_) => {
                Failure::new(StatusCode::BAD_REQUEST, "bad_request", message)
            }
            AuthError::BadCredentials => {
                Failure::new(StatusCode::UNAUTHORIZED, "bad_credentials", message)
            }
            AuthError::RateLimited { retry_after } => Failure {
                retry_after: Some(retry_after),
                ..Failure::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message)
            },
            AuthError::BadToken(_) => Failure {
                bearer_challenge: true,
                ..Failure::new(StatusCode::UNAUTHORIZED, "bad_token", message)
            },
            AuthError::Revoked => Failure {
                bearer_challenge: true,
                ..Failure::new(StatusCode::UNAUTHORIZED, "revoked", message)
            },
            AuthError::Account(_) | AuthError::Credential(_) | AuthError::Task(_) => {
                tracing::error!(error = %causes(&error), "request failed");
                Failure::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the server could not complete the request; its log says why",
                )
            }
        }
    }
}

impl From<SyncError> for Failure {
    fn from(error: SyncError) -> Self {
        let message = error.to_string();
        match error {
            SyncError::BadRequest(_) => {
                Failure::new(StatusCode::BAD_REQUEST, "bad_request", message)
            }
            SyncError::NoWorkspace(_) => {
                Failure::new(StatusCode::FORBIDDEN, "no_workspace", message)
            }
            SyncError::Forbidden(_) => Failure::new(StatusCode::FORBIDDEN, "forbidden", message),
            SyncError::Sql(_) | SyncError::Account(_) | SyncError::Corrupt(_) => {
                tracing::error!(error = %causes(&error), "sync request failed");
                Failure::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the server could not complete the request; its log says why",
                )
            }
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        let headers = response.headers_mut();
        if let Some(seconds) = self.retry_after {
            headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.bearer_challenge {
            headers.insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"plumbline\""),
            );
        }
        response
    }
}

/// `error` and its sources, `outer: inner: innermost`, for the log; a source whose
/// message its parent's already ends with is left out (sqlx repeats its sources).
fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let message = cause.to_string();
        if !text.ends_with(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        source = cause.source();
    }
    text
}

/// A JSON body whose rejection is an [`ApiError`] (axum's own is plain text).
struct JsonBody<T>(T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Failure;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(bad_body(&rejection)),
        }
    }
}

fn bad_body(rejection: &JsonRejection) -> Failure {
    let status = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        StatusCode::PAYLOAD_TOO_LARGE
    } else {
        StatusCode::BAD_REQUEST
    };
    let message = match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "send the body as JSON with `Content-Type: application/json`".to_owned()
        }
        other => format!(
            "the request body is not what this endpoint takes: {}",
            other.body_text()
        ),
    };
    Failure::new(status, "bad_request", message)
}

/// The device and user of the request's `Authorization: Bearer` token.
struct Bearer(Device, User);

impl FromRequestParts<Arc<Auth>> for Bearer {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut Parts,
        auth: &Arc<Auth>,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| {
                let (scheme, token) = value.split_once(' ')?;
                scheme
                    .eq_ignore_ascii_case("bearer")
                    .then_some(token.trim())
            })
            .filter(|token| !token.is_empty())
            .ok_or(AuthError::BadToken(
                "send this device's token in an `Authorization: Bearer TOKEN` header",
            ))?;
        let (device, user) = auth.authenticate(token).await?;
        Ok(Self(device, user))
    }
}

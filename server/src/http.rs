//! The HTTP face of the server: the routes of `plumbline_wire`, each a few
//! lines over [`Auth`].
//!
//! Invariants:
//! - Every error answer, including unknown paths, wrong methods and bodies that are not
//!   the expected JSON, is an [`ApiError`] body with a stable code.
//! - Internal failures are logged with their cause and answered with a message that
//!   gives nothing away.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{
    ConnectInfo, DefaultBodyLimit, FromRequest, FromRequestParts, MatchedPath, Path, Query,
    Request, State,
};
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use plumbline_wire::{
    decode_blob_frames, encode_blob_frames, max_frame_len, ApiError, BlobBundle, BlobCodec,
    BlobEntry, BlobFrame, BlobList, ClaimRequest, ClaimResponse, CompleteRequest, CompleteResponse,
    ErrorBody, Identity, Outcome, PullResponse, PushRequest, PushResponse, RenewRequest,
    RenewResponse, SignInBody, SyncHead, BLOBS_FETCH_PATH, BLOBS_MISSING_PATH, BLOBS_UPLOAD_PATH,
    BLOB_FRAMES_TYPE, HEAD_PATH, HEALTH_PATH, LEASE_CLAIM_PATH, LEASE_COMPLETE_PATH,
    LEASE_RENEW_PATH, MAX_BODY_BYTES, METRICS_PATH, ME_PATH, OPENAPI_PATH, PULL_PATH, PUSH_PATH,
    READY_PATH, REQUEST_ID_HEADER, SIGN_IN_PATH, SIGN_OUT_PATH, SNAPSHOT_PATH, WORKSPACE_HEADER,
};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::sync::watch;
use tracing::Instrument;
use uuid::Uuid;

use crate::accounts::{Device, User};
use crate::auth::{Auth, AuthError};
use crate::metrics::Metrics;
use crate::sync::{Member, SyncError};

/// The largest identity request body accepted; sign-in bodies are a few hundred bytes.
const MAX_IDENTITY_BODY_BYTES: usize = 16 * 1024;

/// Bundles are JSON compressed with zstd.
const BUNDLE_CONTENT_TYPE: &str = "application/vnd.plumbline.bundle+json+zstd";

/// What the HTTP layer needs beside [`Auth`].
#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// `/metrics` answers only this bearer token when set.
    pub metrics_token: Option<String>,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpAddr>,
    /// Turns true when the server starts stopping: `/readyz` fails and long polls end.
    pub stopping: watch::Receiver<bool>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            metrics_token: None,
            trusted_proxies: Vec::new(),
            stopping: watch::channel(false).1,
        }
    }
}

/// The state every handler shares.
pub struct App {
    auth: Auth,
    metrics: Metrics,
    options: HttpOptions,
}

impl App {
    fn database(&self) -> &crate::Database {
        self.auth.database()
    }

    fn stopping(&self) -> bool {
        *self.options.stopping.borrow()
    }

    /// Resolves when the server starts stopping (never, when nobody can stop it).
    async fn until_stopping(&self) {
        let mut stopping = self.options.stopping.clone();
        if stopping.wait_for(|stopping| *stopping).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

tokio::task_local! {
    /// The id of the request being answered, for error bodies.
    static REQUEST_ID: String;
}

/// The server's routes over `auth`.
pub fn router(auth: Auth, options: HttpOptions) -> Router {
    let identity = Router::new()
        .route(HEALTH_PATH, get(healthz))
        .route(READY_PATH, get(readyz))
        .route(METRICS_PATH, get(metrics))
        .route(OPENAPI_PATH, get(openapi))
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
        .route(LEASE_CLAIM_PATH, post(claim_leases))
        .route(LEASE_RENEW_PATH, post(renew_leases))
        .route(LEASE_COMPLETE_PATH, post(complete_lease))
        .route(
            crate::openapi::blob_path(),
            get(get_blob).head(head_blob).put(put_blob),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    let app = Arc::new(App {
        auth,
        metrics: Metrics::default(),
        options,
    });
    identity
        .merge(sync)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(app.clone(), observe))
        .with_state(app)
}

type AppState = State<Arc<App>>;

/// Every request: its id (the caller's `x-request-id` when plain, else a new one) on the
/// span of every log line written while answering it, in the answer's header and error
/// body; its route, status and time counted.
async fn observe(State(app): AppState, request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|value| {
            !value.is_empty()
                && value.len() <= 64
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map_or_else(|| Uuid::now_v7().to_string(), str::to_owned);
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().clone();
    let span = tracing::info_span!("request", request_id = %id, method = %method, route = %route);
    let started = Instant::now();
    app.metrics.request_started();
    let mut response = REQUEST_ID
        .scope(id.clone(), next.run(request).instrument(span.clone()))
        .await;
    let elapsed = started.elapsed();
    let status = response.status();
    app.metrics
        .request_finished(method.as_str(), &route, status.as_u16(), elapsed);
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    let probe = route == HEALTH_PATH || route == READY_PATH || route == METRICS_PATH;
    span.in_scope(|| {
        let elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), elapsed_ms, "answered");
        } else if probe {
            tracing::debug!(status = status.as_u16(), elapsed_ms, "answered");
        } else {
            tracing::info!(status = status.as_u16(), elapsed_ms, "answered");
        }
    });
    response
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready to take traffic: not stopping, the database answers, its schema is the one
/// this server knows (a load balancer sends nothing to an instance still migrating or
/// one restored onto an older schema).
async fn readyz(State(app): AppState) -> Result<&'static str, Failure> {
    if app.stopping() {
        return Err(Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "this instance is stopping; send requests to another",
        ));
    }
    match app.database().schema_current().await {
        Ok(true) => Ok("ready"),
        Ok(false) => Err(Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the database's schema is older than this server's: its migrations have not run yet",
        )),
        Err(error) => {
            tracing::error!(error = %causes(&error), "readiness: the database does not answer");
            Err(Failure::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the server's database does not answer; its log says why",
            ))
        }
    }
}

async fn metrics(State(app): AppState, headers: HeaderMap) -> Result<Response, Failure> {
    if let Some(token) = &app.options.metrics_token {
        let given = headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim);
        let matches = given.is_some_and(|given| {
            // Compared through their hashes: the time taken says nothing about the token.
            Sha256::digest(given.as_bytes()) == Sha256::digest(token.as_bytes())
        });
        if !matches {
            return Err(Failure {
                bearer_challenge: true,
                ..Failure::new(
                    StatusCode::UNAUTHORIZED,
                    "bad_token",
                    "/metrics needs the metrics token (metrics.token) as `Authorization: Bearer TOKEN`",
                )
            });
        }
    }
    let ready = !app.stopping() && app.database().schema_current().await.unwrap_or(false);
    let text = app.metrics.render(app.database().pool_state(), ready);
    Ok((
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        text,
    )
        .into_response())
}

async fn openapi() -> Response {
    (
        [(CONTENT_TYPE, "application/json")],
        crate::openapi::document_json(),
    )
        .into_response()
}

async fn sign_in(
    State(app): AppState,
    peer: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<SignInBody>,
) -> Result<impl IntoResponse, Failure> {
    let peer = peer.map(|axum::Extension(ConnectInfo(address))| address.ip());
    let source = peer.map(|peer| client_address(peer, &headers, &app.options.trusted_proxies));
    let result = app
        .auth
        .sign_in(body, source.map(|ip| ip.to_string()).as_deref())
        .await;
    app.metrics.sign_in(match &result {
        Ok(_) => None,
        Err(AuthError::BadCredentials) => Some("bad_credentials"),
        Err(AuthError::RateLimited { .. }) => Some("rate_limited"),
        Err(_) => None,
    });
    let signed_in = result?;
    // The answer carries a secret: no cache (a proxy's, the client's) may keep it.
    Ok(([(CACHE_CONTROL, "no-store")], Json(signed_in)))
}

/// The client's address: the peer's, unless the peer is a trusted proxy, then the last
/// `X-Forwarded-For` entry no trusted proxy added (entries left of it are the client's
/// own claims, which anyone can forge).
fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|t| t == ip);
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for entry in forwarded.iter().rev() {
        match entry.parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            // A malformed entry: nothing left of it can be believed.
            Err(_) => break,
        }
    }
    client
}

async fn me(State(app): AppState, Bearer(device, user): Bearer) -> Result<Json<Identity>, Failure> {
    Ok(Json(app.auth.identity(&device, &user).await?))
}

async fn sign_out(State(app): AppState, Bearer(device, _): Bearer) -> Result<StatusCode, Failure> {
    app.auth.sign_out(&device).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's membership: its token, and the workspace header when it has several.
struct Caller(Member);

impl FromRequestParts<Arc<App>> for Caller {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<App>,
    ) -> Result<Self, Self::Rejection> {
        let Bearer(device, user) = Bearer::from_request_parts(parts, app).await?;
        let selector = parts
            .headers
            .get(WORKSPACE_HEADER)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let member = app
            .database()
            .member(&device, &user, selector.as_deref())
            .await?;
        Ok(Self(member))
    }
}

async fn push(
    State(app): AppState,
    Caller(member): Caller,
    JsonBody(body): JsonBody<PushRequest>,
) -> Result<Json<PushResponse>, Failure> {
    let verdicts = app.database().push(&member, body.operations).await?;
    let (mut accepted, mut duplicate, mut rejected) = (0, 0, 0);
    for verdict in &verdicts {
        match verdict.outcome {
            Outcome::Accepted { .. } => accepted += 1,
            Outcome::Duplicate { .. } => duplicate += 1,
            Outcome::Rejected { .. } => rejected += 1,
        }
    }
    app.metrics.pushed(accepted, duplicate, rejected);
    Ok(Json(PushResponse { verdicts }))
}

#[derive(Deserialize)]
struct HeadQuery {
    #[serde(default)]
    first_sync: bool,
}

async fn head(
    State(app): AppState,
    Caller(member): Caller,
    query: Result<Query<HeadQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<SyncHead>, Failure> {
    let Query(query) =
        query.map_err(|e| Failure::new(StatusCode::BAD_REQUEST, "bad_request", e.body_text()))?;
    Ok(Json(app.database().head(&member, query.first_sync).await?))
}

#[derive(Deserialize)]
struct PullQuery {
    after: Option<i64>,
    limit: Option<u32>,
    wait: Option<u32>,
    epoch: Option<String>,
}

async fn pull(
    State(app): AppState,
    Caller(member): Caller,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PullResponse>, Failure> {
    let Query(query) =
        query.map_err(|e| Failure::new(StatusCode::BAD_REQUEST, "bad_request", e.body_text()))?;
    let after = query.after.unwrap_or(0);
    let wait = if app.stopping() {
        0
    } else {
        query.wait.unwrap_or(0)
    };
    let pull = app.database().pull(
        &member,
        after,
        query.limit.unwrap_or(1_000),
        wait,
        query.epoch.as_deref(),
    );
    // A long poll ends when the instance stops (the device asks again, of another
    // instance); an answer being written is never cut.
    let answer = tokio::select! {
        answer = pull => answer?,
        () = app.until_stopping(), if wait > 0 => {
            return Err(Failure {
                retry_after: Some(1),
                ..Failure::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "this server instance is stopping: ask again",
                )
            });
        }
    };
    let behind = u64::try_from(answer.head.saturating_sub(after)).unwrap_or(0);
    app.metrics.pulled(answer.operations.len() as u64, behind);
    Ok(Json(answer))
}

#[derive(Deserialize)]
struct SnapshotQuery {
    tenant: Option<String>,
    up_to: i64,
}

async fn snapshot(
    State(app): AppState,
    Caller(member): Caller,
    query: Result<Query<SnapshotQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Failure> {
    let Query(query) =
        query.map_err(|e| Failure::new(StatusCode::BAD_REQUEST, "bad_request", e.body_text()))?;
    let tenant = query.tenant.filter(|t| !t.is_empty());
    let snapshot = app
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
    State(app): AppState,
    Caller(member): Caller,
    Path(sha256): Path<String>,
) -> Result<Response, Failure> {
    check_hash(&sha256)?;
    let mut found = app
        .database()
        .readable_blobs(&member, std::slice::from_ref(&sha256))
        .await?;
    match found.pop() {
        Some(frame) => {
            app.metrics.blob_bytes(0, frame.data.len() as u64);
            let data = opened(&frame).map_err(internal)?;
            Ok(([(CONTENT_TYPE, "application/octet-stream")], data).into_response())
        }
        None => Err(blob_not_found(&sha256)),
    }
}

async fn head_blob(
    State(app): AppState,
    Caller(member): Caller,
    Path(sha256): Path<String>,
) -> Result<StatusCode, Failure> {
    check_hash(&sha256)?;
    let missing = app
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
    State(app): AppState,
    Caller(member): Caller,
    Path(sha256): Path<String>,
    body: Bytes,
) -> Result<StatusCode, Failure> {
    app.metrics.blob_bytes(body.len() as u64, 0);
    let frame = compressed(sha256, &body)?;
    app.database().put_blobs(&member, &[frame]).await?;
    // The same answer whether the blob was new or not: nothing to probe.
    Ok(StatusCode::NO_CONTENT)
}

async fn missing_blobs(
    State(app): AppState,
    Caller(member): Caller,
    JsonBody(body): JsonBody<BlobList>,
) -> Result<Json<BlobList>, Failure> {
    for hash in &body.hashes {
        check_hash(hash)?;
    }
    let hashes = app.database().missing_blobs(&member, &body.hashes).await?;
    Ok(Json(BlobList { hashes }))
}

/// Whether the request's header `name` lists the blob frames' media type.
fn wants_frames(headers: &HeaderMap, name: axum::http::HeaderName) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.split(';').next().unwrap_or("").trim() == BLOB_FRAMES_TYPE)
}

async fn fetch_blobs(
    State(app): AppState,
    Caller(member): Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody<BlobList>,
) -> Result<Response, Failure> {
    for hash in &body.hashes {
        check_hash(hash)?;
    }
    let found = app.database().readable_blobs(&member, &body.hashes).await?;
    app.metrics
        .blob_bytes(0, found.iter().map(|f| f.data.len() as u64).sum());
    if wants_frames(&headers, axum::http::header::ACCEPT) {
        // As stored: nothing decoded or compressed per request.
        let body = encode_blob_frames(&found).map_err(internal)?;
        return Ok(([(CONTENT_TYPE, BLOB_FRAMES_TYPE)], body).into_response());
    }
    let engine = base64::engine::general_purpose::STANDARD;
    let mut blobs = Vec::with_capacity(found.len());
    for frame in found {
        let data = opened(&frame).map_err(internal)?;
        blobs.push(BlobEntry {
            sha256: frame.sha256,
            data: engine.encode(data),
        });
    }
    bundle(&BlobBundle { blobs })
}

async fn upload_blobs(
    State(app): AppState,
    Caller(member): Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, Failure> {
    let bad = |what: String| Failure::new(StatusCode::BAD_REQUEST, "bad_request", what);
    app.metrics.blob_bytes(body.len() as u64, 0);
    let mut blobs = Vec::new();
    if wants_frames(&headers, CONTENT_TYPE) {
        let frames = decode_blob_frames(&body)
            .map_err(|e| bad(format!("the body is not a stream of blob frames: {e}")))?;
        // Frames name their blobs by 32 bytes: always a well-formed hash.
        for frame in frames {
            match frame.codec {
                BlobCodec::Zstd => {
                    opened(&frame).map_err(|e| {
                        Failure::new(
                            StatusCode::BAD_REQUEST,
                            "hash_mismatch",
                            format!("{e}: the upload was damaged, send it again"),
                        )
                    })?;
                    blobs.push(frame);
                }
                BlobCodec::None => blobs.push(compressed(frame.sha256, &frame.data)?),
            }
        }
    } else {
        let json = zstd::bulk::decompress(&body, MAX_BODY_BYTES)
            .map_err(|e| bad(format!("the bundle is not zstd-compressed JSON: {e}")))?;
        let bundle: BlobBundle = serde_json::from_slice(&json)
            .map_err(|e| bad(format!("the bundle is not a blob bundle: {e}")))?;
        let engine = base64::engine::general_purpose::STANDARD;
        for entry in bundle.blobs {
            let data = engine
                .decode(&entry.data)
                .map_err(|e| bad(format!("blob {} is not base64: {e}", entry.sha256)))?;
            blobs.push(compressed(entry.sha256, &data)?);
        }
    }
    app.database().put_blobs(&member, &blobs).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A blob sent as its bytes, checked against its hash and compressed to be stored.
fn compressed(sha256: String, data: &[u8]) -> Result<BlobFrame, Failure> {
    verified(&sha256, data)?;
    Ok(BlobFrame {
        sha256,
        codec: BlobCodec::Zstd,
        size: data.len() as u64,
        data: zstd::bulk::compress(data, 3).map_err(internal)?,
    })
}

/// A blob frame's bytes: decoded to its size at most (a frame that would decode to more
/// is refused, not decoded), then checked against its length and hash.
fn opened(frame: &BlobFrame) -> Result<Vec<u8>, String> {
    let sha256 = &frame.sha256;
    let size = usize::try_from(frame.size)
        .ok()
        .filter(|s| *s <= MAX_BODY_BYTES)
        .ok_or_else(|| {
            format!(
                "blob {sha256} claims {} bytes, more than a blob may have",
                frame.size
            )
        })?;
    if frame.codec == BlobCodec::Zstd && frame.data.len() as u64 > max_frame_len(frame.size) {
        return Err(format!(
            "blob {sha256} takes {} bytes compressed, more than {} bytes can",
            frame.data.len(),
            frame.size
        ));
    }
    let data = match frame.codec {
        BlobCodec::None => frame.data.clone(),
        BlobCodec::Zstd => zstd::bulk::decompress(&frame.data, size)
            .map_err(|e| format!("blob {sha256} is not a zstd frame of {size} bytes ({e})"))?,
    };
    if data.len() != size {
        return Err(format!(
            "blob {sha256} decodes to {} bytes, not the {size} it claims",
            data.len()
        ));
    }
    if hex::encode(Sha256::digest(&data)) != *sha256 {
        return Err(format!("the bytes of blob {sha256} do not hash to it"));
    }
    Ok(data)
}

async fn claim_leases(
    State(app): AppState,
    Caller(member): Caller,
    JsonBody(body): JsonBody<ClaimRequest>,
) -> Result<Json<ClaimResponse>, Failure> {
    let (answer, counts) = app.database().claim_leases(&member, &body).await?;
    app.metrics.leases(counts);
    Ok(Json(answer))
}

async fn renew_leases(
    State(app): AppState,
    Caller(member): Caller,
    JsonBody(body): JsonBody<RenewRequest>,
) -> Result<Json<RenewResponse>, Failure> {
    let (answer, counts) = app.database().renew_leases(&member, &body).await?;
    app.metrics.leases(counts);
    Ok(Json(answer))
}

async fn complete_lease(
    State(app): AppState,
    Caller(member): Caller,
    JsonBody(body): JsonBody<CompleteRequest>,
) -> Result<Json<CompleteResponse>, Failure> {
    let completed = app.database().complete_lease(&member, &body).await?;
    app.metrics.leases(crate::leases::LeaseCounts {
        completed: u64::from(completed),
        lost: u64::from(!completed),
        ..Default::default()
    });
    Ok(Json(CompleteResponse { completed }))
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
                    request_id: REQUEST_ID.try_with(Clone::clone).ok(),
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

impl FromRequestParts<Arc<App>> for Bearer {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<App>,
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
        let (device, user) = app.auth.authenticate(token).await?;
        Ok(Self(device, user))
    }
}

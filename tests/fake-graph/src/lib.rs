//! A fake Microsoft Graph and Entra token endpoint on loopback, faithful where the tools
//! MSPs use today lost data (`../shared/design/GRAPH.md`): settings-catalog pages of 25
//! with pre-encoded skip tokens, polymorphic collections that need full metadata,
//! assignments only from their own endpoint, `$batch` with throttled sub-requests and
//! out-of-order answers, 429 storms with and without `Retry-After`, 503/504, expiring
//! tokens, tenants without consent or without Intune, missing permissions, malformed
//! pages and slow answers. It counts and records every request so tests can assert what
//! a client did (`GET /_fake/log`).
//!
//! One server plays both hosts: the login host (`/{tenant}/oauth2/v2.0/token`) and the
//! Graph host (`/beta/…`, `/v1.0/…`). A client points a custom cloud at its address.

pub mod definitions;
mod graph;
pub mod tenants;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub use tenants::FakeTenant;

/// Every application permission a read-only capture uses (GRAPH.md); a tenant grants all
/// of them unless its behaviour denies some.
pub const READ_PERMISSIONS: &[&str] = &[
    "DeviceManagementConfiguration.Read.All",
    "DeviceManagementApps.Read.All",
    "DeviceManagementRBAC.Read.All",
    "DeviceManagementServiceConfig.Read.All",
    "Policy.Read.All",
    "Group.Read.All",
];

/// What a tenant does wrong. Everything off by default: a healthy, consented, licensed
/// tenant that answers at once.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Behaviour {
    /// The app is not consented in the tenant: the token endpoint answers AADSTS700016.
    pub consent_missing: bool,
    /// The client secret has expired: AADSTS7000222.
    pub secret_expired: bool,
    /// The tenant has no Intune licence: every device-management call answers 400
    /// "Request not applicable to target tenant.".
    pub intune_not_licensed: bool,
    /// The app is consented without application permissions: tokens carry no `roles` and
    /// Graph answers 403 to everything.
    pub no_roles: bool,
    /// Permissions not granted (Intune's 403 for their endpoints).
    pub denied_permissions: Vec<String>,
    /// Lifetime of the tokens issued (default 3,599 s).
    pub token_lifetime_s: Option<u64>,
    /// The first `storm` Graph requests of the tenant answer 429.
    pub storm: u32,
    /// Every `throttle_every`-th Graph request after the storm answers 429.
    pub throttle_every: Option<u32>,
    /// `Retry-After` seconds of the 429s above; none sends no header (as CA and audit
    /// endpoints do).
    pub retry_after_s: Option<u64>,
    /// The `unavailable` requests after the storm answer 503 and 504 in turn.
    pub unavailable: u32,
    /// Paths (relative to the version root, prefixes) answering 200 with a body that is
    /// not JSON.
    pub malformed: Vec<String>,
    /// Paths (prefixes) answering 500 every time.
    pub failing: Vec<String>,
    /// Added to every answer.
    pub latency_ms: u64,
    /// `$batch` answers in request order (Graph does not promise it; off = reversed).
    pub batch_in_order: bool,
    /// `getOmaSettingPlainTextValue` is refused (Intune's 403): encrypted OMA-URI values
    /// stay masked.
    pub oma_decrypt_denied: bool,
}

/// How the fake runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// The multi-tenant app's client id every tenant knows.
    pub client_id: String,
    /// Its client secret.
    pub client_secret: String,
    /// The certificate (PEM) uploaded to the app, for sign-ins with a client assertion.
    pub client_certificate: Option<String>,
    pub tenants: Vec<FakeTenant>,
    /// The behaviour of tenants without their own.
    pub default_behaviour: Behaviour,
    /// Intune's per-tenant budget: at most this many requests per window (2,000 per 20 s);
    /// beyond it 429 with the seconds until a slot frees.
    pub tenant_budget: Option<(usize, Duration)>,
}

/// Default credentials of the fake's app (a fake, so not secret).
pub const DEFAULT_CLIENT_ID: &str = "6c2c3b4f-0b0e-4b0a-9d3e-5f1a2b3c4d5e";
pub const DEFAULT_CLIENT_SECRET: &str = "fake~graph~secret~0123456789abcdefghijkl";

impl Default for Config {
    fn default() -> Self {
        Self {
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            client_secret: DEFAULT_CLIENT_SECRET.to_owned(),
            client_certificate: None,
            tenants: Vec::new(),
            default_behaviour: Behaviour::default(),
            tenant_budget: Some((2_000, Duration::from_secs(20))),
        }
    }
}

/// One request the fake answered.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LogEntry {
    pub seq: u64,
    /// The Entra tenant id, when known.
    pub tenant: Option<String>,
    pub method: String,
    /// Path and query as received (sub-requests: their relative URL).
    pub url: String,
    pub status: u16,
    /// For sub-requests: the `seq` of their `$batch` request.
    pub batch: Option<u64>,
    /// Milliseconds since the fake started.
    pub at_ms: u64,
}

/// What `GET /_fake/log` returns.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LogSummary {
    /// HTTP requests received (a `$batch` is one), token requests included.
    pub http_requests: u64,
    /// Graph requests as Intune counts them: each sub-request of a batch is one.
    pub graph_requests: u64,
    pub throttled: u64,
    /// Most HTTP requests in flight at once, over all tenants and per tenant.
    pub max_in_flight: usize,
    pub max_in_flight_per_tenant: HashMap<String, usize>,
    pub entries: Vec<LogEntry>,
}

struct Token {
    tenant: String,
    expires: Instant,
    roles: Vec<String>,
}

struct TenantState {
    tenant: RwLock<FakeTenant>,
    behaviour: RwLock<Behaviour>,
    /// Graph requests seen (throttled ones too).
    requests: AtomicU64,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    window: Mutex<VecDeque<Instant>>,
}

pub(crate) struct State {
    client_id: String,
    client_secret: String,
    client_certificate: Option<String>,
    budget: Option<(usize, Duration)>,
    tenants: HashMap<String, TenantState>,
    tokens: Mutex<HashMap<String, Token>>,
    log: Mutex<Vec<LogEntry>>,
    seq: AtomicU64,
    http_requests: AtomicU64,
    graph_requests: AtomicU64,
    throttled: AtomicU64,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    started: Instant,
}

/// A running fake; stops when dropped.
pub struct Running {
    pub url: String,
    pub addr: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Running {
    /// The request log and counters.
    pub fn log(&self) -> LogSummary {
        self.state.summary()
    }

    /// Clears the log and counters (not the tenants' throttling windows).
    pub fn reset_log(&self) {
        self.state.reset();
    }

    /// Changes a tenant's behaviour.
    pub fn set_behaviour(&self, entra_id: &str, behaviour: Behaviour) -> bool {
        self.state.set_behaviour(entra_id, behaviour)
    }
}

/// Starts the fake on `addr` (port 0 for any free one) inside the current runtime.
pub async fn start(config: Config, addr: SocketAddr) -> anyhow::Result<Running> {
    let state = Arc::new(State::new(config));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new()
        .fallback(handle)
        .with_state(Arc::clone(&state));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Running {
        url: format!("http://{addr}"),
        addr,
        state,
        task,
    })
}

impl State {
    fn new(config: Config) -> Self {
        let tenants = config
            .tenants
            .into_iter()
            .map(|tenant| {
                let behaviour = tenant
                    .behaviour
                    .clone()
                    .unwrap_or_else(|| config.default_behaviour.clone());
                (
                    tenant.entra_id.to_ascii_lowercase(),
                    TenantState {
                        tenant: RwLock::new(tenant),
                        behaviour: RwLock::new(behaviour),
                        requests: AtomicU64::new(0),
                        in_flight: AtomicUsize::new(0),
                        max_in_flight: AtomicUsize::new(0),
                        window: Mutex::new(VecDeque::new()),
                    },
                )
            })
            .collect();
        Self {
            client_id: config.client_id,
            client_secret: config.client_secret,
            client_certificate: config.client_certificate,
            budget: config.tenant_budget,
            tenants,
            tokens: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
            seq: AtomicU64::new(0),
            http_requests: AtomicU64::new(0),
            graph_requests: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            started: Instant::now(),
        }
    }

    fn summary(&self) -> LogSummary {
        LogSummary {
            http_requests: self.http_requests.load(Ordering::SeqCst),
            graph_requests: self.graph_requests.load(Ordering::SeqCst),
            throttled: self.throttled.load(Ordering::SeqCst),
            max_in_flight: self.max_in_flight.load(Ordering::SeqCst),
            max_in_flight_per_tenant: self
                .tenants
                .iter()
                .map(|(id, t)| (id.clone(), t.max_in_flight.load(Ordering::SeqCst)))
                .filter(|(_, n)| *n > 0)
                .collect(),
            entries: lock(&self.log).clone(),
        }
    }

    fn reset(&self) {
        lock(&self.log).clear();
        self.http_requests.store(0, Ordering::SeqCst);
        self.graph_requests.store(0, Ordering::SeqCst);
        self.throttled.store(0, Ordering::SeqCst);
        self.max_in_flight.store(0, Ordering::SeqCst);
        for tenant in self.tenants.values() {
            tenant.max_in_flight.store(0, Ordering::SeqCst);
            tenant.requests.store(0, Ordering::SeqCst);
        }
    }

    fn set_behaviour(&self, entra_id: &str, behaviour: Behaviour) -> bool {
        match self.tenants.get(&entra_id.to_ascii_lowercase()) {
            Some(tenant) => {
                *tenant.behaviour.write().unwrap_or_else(|e| e.into_inner()) = behaviour;
                true
            }
            None => false,
        }
    }

    fn record(
        &self,
        tenant: Option<&str>,
        method: &str,
        url: &str,
        status: u16,
        batch: Option<u64>,
    ) -> u64 {
        let seq = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let at_ms = self.started.elapsed().as_millis() as u64;
        lock(&self.log).push(LogEntry {
            seq,
            tenant: tenant.map(str::to_owned),
            method: method.to_owned(),
            url: url.to_owned(),
            status,
            batch,
            at_ms,
        });
        seq
    }

    /// Whether a Graph request of `tenant` is let through: Intune's budget, then the
    /// behaviour's storm, throttling and unavailability. Counts the request either way.
    fn admit(&self, tenant: &TenantState, behaviour: &Behaviour) -> Option<Reply> {
        self.graph_requests.fetch_add(1, Ordering::SeqCst);
        let n = tenant.requests.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some((limit, window)) = self.budget {
            let now = Instant::now();
            let mut times = lock(&tenant.window);
            while times
                .front()
                .is_some_and(|t| now.duration_since(*t) >= window)
            {
                times.pop_front();
            }
            let full = times.len() >= limit;
            let wait = times
                .front()
                .map(|t| window.saturating_sub(now.duration_since(*t)))
                .unwrap_or_default();
            times.push_back(now);
            if full {
                self.throttled.fetch_add(1, Ordering::SeqCst);
                return Some(Reply::throttled(Some(wait.as_secs().max(1))));
            }
        }
        let storm = u64::from(behaviour.storm);
        if n <= storm {
            self.throttled.fetch_add(1, Ordering::SeqCst);
            return Some(Reply::throttled(behaviour.retry_after_s));
        }
        if n <= storm + u64::from(behaviour.unavailable) {
            let status = if (n - storm) % 2 == 1 { 503 } else { 504 };
            return Some(Reply::error(
                status,
                if status == 503 {
                    "ServiceUnavailable"
                } else {
                    "GatewayTimeout"
                },
                "The service is temporarily unavailable. Try again later.",
            ));
        }
        if let Some(every) = behaviour.throttle_every.filter(|e| *e > 0) {
            if n.is_multiple_of(u64::from(every)) {
                self.throttled.fetch_add(1, Ordering::SeqCst);
                return Some(Reply::throttled(behaviour.retry_after_s));
            }
        }
        None
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// An answer before it becomes an HTTP response (also a `$batch` sub-response).
#[derive(Clone, Debug)]
pub(crate) struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: ReplyBody,
}

#[derive(Clone, Debug)]
enum ReplyBody {
    Json(Value),
    Text(String),
}

impl Reply {
    fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: ReplyBody::Json(body),
        }
    }

    /// Graph's error shape.
    fn error(status: u16, code: &str, message: &str) -> Self {
        Self::json(
            status,
            json!({"error": {
                "code": code,
                "message": message,
                "innerError": {
                    "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
                    "request-id": uuid::Uuid::now_v7().to_string(),
                    "client-request-id": uuid::Uuid::now_v7().to_string()
                }
            }}),
        )
    }

    /// Intune's errors: a serialised JSON document inside `message`.
    fn intune_error(status: u16, code: &str, message: &str) -> Self {
        let inner = json!({
            "_version": 3,
            "Message": format!(
                "{message} - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: {} - Url: https://fef.msua06.manage.microsoft.com/",
                uuid::Uuid::now_v7()
            ),
            "CustomApiErrorPhrase": "",
            "RetryAfter": null,
            "ErrorSourceService": "",
            "HttpHeaders": "{}"
        });
        Self::error(status, code, &inner.to_string())
    }

    fn throttled(retry_after: Option<u64>) -> Self {
        let mut reply = Self::error(
            429,
            "TooManyRequests",
            "Too many requests from this application for this tenant. Retry after some time.",
        );
        if let Some(seconds) = retry_after {
            reply
                .headers
                .push(("Retry-After".to_owned(), seconds.to_string()));
        }
        reply
    }

    fn text(status: u16, body: String) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: ReplyBody::Text(body),
        }
    }

    /// The sub-response form inside a `$batch` answer.
    fn to_batch(&self, id: &str) -> Value {
        let mut headers = serde_json::Map::new();
        headers.insert(
            "Content-Type".to_owned(),
            Value::String("application/json".to_owned()),
        );
        for (name, value) in &self.headers {
            headers.insert(name.clone(), Value::String(value.clone()));
        }
        let body = match &self.body {
            ReplyBody::Json(value) => value.clone(),
            // A broken sub-response body is a string in the batch answer.
            ReplyBody::Text(text) => Value::String(text.clone()),
        };
        json!({"id": id, "status": self.status, "headers": headers, "body": body})
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = match self.body {
            ReplyBody::Json(value) => (status, axum::Json(value)).into_response(),
            ReplyBody::Text(text) => (
                status,
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                text,
            )
                .into_response(),
        };
        for (name, value) in self.headers {
            if let (Ok(name), Ok(value)) = (
                axum::http::HeaderName::try_from(name),
                axum::http::HeaderValue::try_from(value),
            ) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}

async fn handle(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state.http_requests.fetch_add(1, Ordering::SeqCst);
    let path = uri.path().to_owned();
    let path_and_query = uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| path.clone());
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    let base = format!("http://{host}");
    if let Some(rest) = path.strip_prefix("/_fake/") {
        return control(&state, &method, rest, &body);
    }
    if let Some(domain) = path
        .strip_prefix('/')
        .and_then(|p| p.strip_suffix("/v2.0/.well-known/openid-configuration"))
    {
        // Tenant discovery: a domain (or tenant id) to its tenant's issuer.
        let domain = domain.to_ascii_lowercase();
        let found = state.tenants.iter().find(|(id, t)| {
            **id == domain
                || t.tenant
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .domain
                    .eq_ignore_ascii_case(&domain)
        });
        let reply = match found {
            Some((id, _)) => Reply::json(
                200,
                json!({
                    "issuer": format!("{base}/{id}/v2.0"),
                    "token_endpoint": format!("{base}/{id}/oauth2/v2.0/token"),
                }),
            ),
            None => Reply::json(
                400,
                json!({"error": "invalid_tenant", "error_description": format!("AADSTS90002: Tenant '{domain}' not found.")}),
            ),
        };
        state.record(None, "GET", &path, reply.status, None);
        return reply.into_response();
    }
    if path.ends_with("/oauth2/v2.0/token") && method == Method::POST {
        let tenant = path
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let latency = state
            .tenants
            .get(&tenant)
            .map(|t| {
                t.behaviour
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .latency_ms
            })
            .unwrap_or(0);
        sleep_ms(latency).await;
        let reply = token(&state, &tenant, &base, &body);
        state.record(Some(&tenant), "POST", &path, reply.status, None);
        return reply.into_response();
    }
    let (version, relative) = if let Some(rest) = path_and_query.strip_prefix("/beta/") {
        ("beta", rest.to_owned())
    } else if let Some(rest) = path_and_query.strip_prefix("/v1.0/") {
        ("v1.0", rest.to_owned())
    } else {
        let reply = Reply::error(404, "NotFound", "This is the fake Microsoft Graph: use /beta/ or /v1.0/, or /{tenant}/oauth2/v2.0/token.");
        state.record(None, method.as_str(), &path_and_query, 404, None);
        return reply.into_response();
    };
    // Who is asking.
    let bearer = headers
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or("")
        .to_owned();
    let (tenant_id, roles) = {
        let tokens = lock(&state.tokens);
        match tokens.get(&bearer) {
            None => {
                drop(tokens);
                let reply = Reply::error(
                    401,
                    "InvalidAuthenticationToken",
                    "Access token validation failure. Invalid audience.",
                );
                state.record(None, method.as_str(), &path_and_query, 401, None);
                return reply.into_response();
            }
            Some(token) if token.expires <= Instant::now() => {
                let tenant = token.tenant.clone();
                drop(tokens);
                let reply = Reply::error(
                    401,
                    "InvalidAuthenticationToken",
                    "Lifetime validation failed, the token is expired.",
                );
                state.record(Some(&tenant), method.as_str(), &path_and_query, 401, None);
                return reply.into_response();
            }
            Some(token) => (token.tenant.clone(), token.roles.clone()),
        }
    };
    let Some(tenant) = state.tenants.get(&tenant_id) else {
        return Reply::error(401, "InvalidAuthenticationToken", "Unknown tenant.").into_response();
    };
    let behaviour = tenant
        .behaviour
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let global = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.max_in_flight.fetch_max(global, Ordering::SeqCst);
    let local = tenant.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    tenant.max_in_flight.fetch_max(local, Ordering::SeqCst);
    sleep_ms(behaviour.latency_ms).await;
    let full_metadata = accepts_full_metadata(&headers);
    let response = if relative == "$batch" {
        if method != Method::POST {
            Reply::error(405, "BadRequest", "Use POST for $batch.").into_response()
        } else {
            let seq = state.record(Some(&tenant_id), "POST", &path_and_query, 200, None);
            graph::batch(
                &state, tenant, &behaviour, &roles, version, &base, &body, seq,
            )
            .into_response()
        }
    } else if method != Method::GET {
        let reply = Reply::error(405, "BadRequest", "The fake Graph only reads.");
        state.record(
            Some(&tenant_id),
            method.as_str(),
            &path_and_query,
            405,
            None,
        );
        reply.into_response()
    } else {
        let reply = graph::request(
            &state,
            tenant,
            &behaviour,
            &roles,
            version,
            &relative,
            full_metadata,
            &base,
        );
        state.record(Some(&tenant_id), "GET", &path_and_query, reply.status, None);
        reply.into_response()
    };
    tenant.in_flight.fetch_sub(1, Ordering::SeqCst);
    state.in_flight.fetch_sub(1, Ordering::SeqCst);
    response
}

fn accepts_full_metadata(headers: &HeaderMap) -> bool {
    headers
        .get_all("accept")
        .iter()
        .filter_map(|h| h.to_str().ok())
        .any(|h| h.replace(' ', "").contains("odata.metadata=full"))
}

async fn sleep_ms(ms: u64) {
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

/// `/_fake/…`: the log, behaviours and tenants.
fn control(state: &State, method: &Method, rest: &str, body: &[u8]) -> Response {
    match (
        method.as_str(),
        rest.split('/').collect::<Vec<_>>().as_slice(),
    ) {
        ("GET", ["log"]) => axum::Json(state.summary()).into_response(),
        ("POST", ["log", "reset"]) => {
            state.reset();
            StatusCode::NO_CONTENT.into_response()
        }
        ("GET", ["tenants"]) => {
            let list: Vec<Value> = state
                .tenants
                .values()
                .map(|t| {
                    let tenant = t.tenant.read().unwrap_or_else(|e| e.into_inner());
                    json!({
                        "entra_tenant_id": tenant.entra_id,
                        "display_name": tenant.display_name,
                        "domain": tenant.domain,
                        "policies": tenant.policies.len(),
                    })
                })
                .collect();
            axum::Json(list).into_response()
        }
        ("PUT", ["tenants", tenant, "behaviour"]) => {
            match serde_json::from_slice::<Behaviour>(body) {
                Ok(behaviour) => {
                    if state.set_behaviour(tenant, behaviour) {
                        StatusCode::NO_CONTENT.into_response()
                    } else {
                        (StatusCode::NOT_FOUND, "no such tenant").into_response()
                    }
                }
                Err(e) => (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
            }
        }
        // Replaces a policy's properties (merged into the stored object): a change in the
        // tenant, for tests of what a later capture sees.
        ("PATCH", ["tenants", tenant, "policies", id]) => {
            let Some(state) = state.tenants.get(&tenant.to_ascii_lowercase()) else {
                return (StatusCode::NOT_FOUND, "no such tenant").into_response();
            };
            let Ok(Value::Object(patch)) = serde_json::from_slice::<Value>(body) else {
                return (StatusCode::BAD_REQUEST, "send a JSON object").into_response();
            };
            let mut tenant = state.tenant.write().unwrap_or_else(|e| e.into_inner());
            match tenant.policies.iter_mut().find(|p| p.id() == *id) {
                Some(policy) => {
                    for (k, v) in patch {
                        policy.object.insert(k, v);
                    }
                    StatusCode::NO_CONTENT.into_response()
                }
                None => (StatusCode::NOT_FOUND, "no such policy").into_response(),
            }
        }
        _ => (StatusCode::NOT_FOUND, "unknown control endpoint").into_response(),
    }
}

/// The token endpoint (client credentials with a secret).
fn token(state: &State, tenant: &str, base: &str, body: &[u8]) -> Reply {
    let form = graph::parse_form(&String::from_utf8_lossy(body));
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let aad = |status: u16, error: &str, code: u32, description: String| {
        Reply::json(
            status,
            json!({
                "error": error,
                "error_description": format!("AADSTS{code}: {description} Trace ID: {} Correlation ID: {} Timestamp: {}",
                    uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ")),
                "error_codes": [code],
                "timestamp": chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string(),
                "trace_id": uuid::Uuid::now_v7().to_string(),
                "correlation_id": uuid::Uuid::now_v7().to_string(),
            }),
        )
    };
    if field("grant_type") != "client_credentials" {
        return aad(
            400,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type.".to_owned(),
        );
    }
    let Some(tenant_state) = state.tenants.get(tenant) else {
        return aad(
            400,
            "invalid_request",
            90002,
            format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."),
        );
    };
    if field("scope") != format!("{base}/.default") {
        return aad(
            400,
            "invalid_resource",
            500011,
            format!(
                "The resource principal named {} was not found in the tenant named {tenant}.",
                field("scope").trim_end_matches("/.default")
            ),
        );
    }
    let behaviour = tenant_state
        .behaviour
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let client_id = field("client_id");
    if client_id != state.client_id || behaviour.consent_missing {
        return aad(
            400,
            "unauthorized_client",
            700016,
            format!("Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."),
        );
    }
    if !field("client_assertion").is_empty() {
        let token_url = format!("{base}/{tenant}/oauth2/v2.0/token");
        if let Err(why) = verify_assertion(state, field("client_assertion"), client_id, &token_url)
        {
            return aad(401, "invalid_client", 700027, why);
        }
    } else if field("client_secret") != state.client_secret {
        return aad(
            401,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.".to_owned(),
        );
    }
    if behaviour.secret_expired && field("client_assertion").is_empty() {
        return aad(
            401,
            "invalid_client",
            7000222,
            format!("The provided client secret keys for app '{client_id}' are expired. Visit the Azure portal to create new keys for your app."),
        );
    }
    let lifetime = behaviour.token_lifetime_s.unwrap_or(3_599);
    let roles: Vec<String> = if behaviour.no_roles {
        Vec::new()
    } else {
        READ_PERMISSIONS
            .iter()
            .filter(|p| !behaviour.denied_permissions.iter().any(|d| d == *p))
            .map(|p| (*p).to_owned())
            .collect()
    };
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "aud": base, "iss": format!("https://sts.windows.net/{tenant}/"),
        "iat": now, "nbf": now, "exp": now + lifetime as i64,
        "appid": client_id, "tid": tenant, "idtyp": "app",
        "jti": uuid::Uuid::now_v7().to_string(),
    });
    if !roles.is_empty() {
        claims["roles"] = json!(roles);
    }
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let access_token = format!(
        "{}.{}.{}",
        b64.encode(br#"{"typ":"JWT","alg":"RS256"}"#),
        b64.encode(claims.to_string()),
        b64.encode(uuid::Uuid::now_v7().as_bytes())
    );
    lock(&state.tokens).insert(
        access_token.clone(),
        Token {
            tenant: tenant.to_owned(),
            expires: Instant::now() + Duration::from_secs(lifetime),
            roles,
        },
    );
    Reply::json(
        200,
        json!({
            "token_type": "Bearer",
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": access_token,
        }),
    )
}

/// Checks a client assertion as Entra does: a JWT signed (PS256 or RS256) with the key of
/// the certificate registered on the app, named by its `x5t#S256` thumbprint, for this
/// token URL and client, not expired.
fn verify_assertion(
    state: &State,
    assertion: &str,
    client_id: &str,
    token_url: &str,
) -> Result<(), String> {
    use rsa::pkcs8::DecodePublicKey as _;
    use rsa::signature::Verifier as _;
    let Some(pem) = &state.client_certificate else {
        return Err("The certificate with identifier used to sign the client assertion is not registered on application.".to_owned());
    };
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = assertion.split('.').collect();
    let [header, claims, signature] = parts.as_slice() else {
        return Err("The client assertion is not a JWT.".to_owned());
    };
    let decode = |part: &str| -> Result<Value, String> {
        b64.decode(part)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| "The client assertion is not a JWT.".to_owned())
    };
    let (header_json, claims_json) = (decode(header)?, decode(claims)?);
    let thumbprint =
        plumbline_core::connectors::graph::assertion::thumbprint(pem).map_err(|e| e.to_string())?;
    if header_json["x5t#S256"].as_str() != Some(thumbprint.as_str()) {
        return Err("The certificate with identifier used to sign the client assertion is not registered on application.".to_owned());
    }
    if claims_json["aud"].as_str() != Some(token_url)
        || claims_json["iss"].as_str() != Some(client_id)
        || claims_json["sub"].as_str() != Some(client_id)
    {
        return Err("The client assertion's audience, issuer or subject is wrong.".to_owned());
    }
    let now = chrono::Utc::now().timestamp();
    if claims_json["exp"].as_i64().is_none_or(|exp| exp < now) {
        return Err("The client assertion has expired.".to_owned());
    }
    let certificate = plumbline_core::connectors::graph::assertion::certificate_der(pem)
        .map_err(|e| e.to_string())?;
    let spki = subject_public_key_info(&certificate).map_err(|e| e.to_string())?;
    let key = rsa::RsaPublicKey::from_public_key_der(&spki).map_err(|e| e.to_string())?;
    let signed = format!("{header}.{claims}");
    let bytes = b64.decode(signature).map_err(|e| e.to_string())?;
    let verified = match header_json["alg"].as_str() {
        Some("PS256") => rsa::pss::Signature::try_from(bytes.as_slice())
            .ok()
            .is_some_and(|sig| {
                rsa::pss::VerifyingKey::<sha2::Sha256>::new(key)
                    .verify(signed.as_bytes(), &sig)
                    .is_ok()
            }),
        Some("RS256") => rsa::pkcs1v15::Signature::try_from(bytes.as_slice())
            .ok()
            .is_some_and(|sig| {
                rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key)
                    .verify(signed.as_bytes(), &sig)
                    .is_ok()
            }),
        _ => false,
    };
    if verified {
        Ok(())
    } else {
        Err("Client assertion failed signature validation.".to_owned())
    }
}

/// The DER of a certificate's subjectPublicKeyInfo: Certificate ::= SEQUENCE {
/// tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer,
/// validity, subject, subjectPublicKeyInfo, … }, … } (RFC 5280).
fn subject_public_key_info(certificate: &[u8]) -> der::Result<Vec<u8>> {
    use der::{asn1::AnyRef, Decode as _, Encode as _, Reader as _, SliceReader, Tagged as _};
    let outer = AnyRef::from_der(certificate).or_else(|_| {
        // Certificates carry the signature after the TBS part: read only the first TLV.
        let mut reader = SliceReader::new(certificate)?;
        reader.decode::<AnyRef<'_>>()
    })?;
    let mut certificate = SliceReader::new(outer.value())?;
    let tbs: AnyRef<'_> = certificate.decode()?;
    let mut fields = SliceReader::new(tbs.value())?;
    let mut field: AnyRef<'_> = fields.decode()?;
    if field.tag().is_context_specific() {
        // The explicit version; the serial number follows.
        field = fields.decode()?;
    }
    let _serial = field;
    for _ in 0..4 {
        // signature, issuer, validity, subject
        let _: AnyRef<'_> = fields.decode()?;
    }
    let spki: AnyRef<'_> = fields.decode()?;
    spki.to_der()
}

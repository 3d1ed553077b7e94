//! Graph over HTTP: tokens, limits, retries, paging and `$batch`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};
use tokio::sync::Semaphore;

use super::{Credential, GraphError, Target};

/// How many requests may be in flight.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Over all tenants (Graph's per-app limit is shared by every tenant).
    pub global: usize,
    /// Per tenant (Intune allows 1,000 requests per app per tenant every 20 s).
    pub per_tenant: usize,
    /// Deadline of one HTTP request, answer included.
    pub deadline: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            global: 32,
            per_tenant: 4,
            deadline: Duration::from_secs(60),
        }
    }
}

/// When to try again.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Attempts per request (first one included) for 429, 503, 504 and no answer.
    pub attempts: u32,
    /// Backoff when Graph gives no `Retry-After`: a random wait up to `base · 2^n`
    /// (full jitter), at most `cap`.
    pub base: Duration,
    pub cap: Duration,
    /// The longest `Retry-After` honoured as given (longer ones are cut to this).
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 8,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(2u32.saturating_pow(attempt.min(16)))
            .min(self.cap);
        ceiling.mul_f64(jitter())
    }
}

/// A uniform fraction in [0, 1).
fn jitter() -> f64 {
    let mut bytes = [0u8; 8];
    if getrandom::getrandom(&mut bytes).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

#[derive(Clone)]
struct CachedToken {
    value: String,
    renew_at: Instant,
    roles: Vec<String>,
}

type TokenSlot = Arc<tokio::sync::Mutex<Option<CachedToken>>>;

struct ClientInner {
    http: reqwest::Client,
    limits: Limits,
    retry: RetryPolicy,
    global: Arc<Semaphore>,
    tenants: Mutex<HashMap<String, Arc<Semaphore>>>,
    tokens: Mutex<HashMap<(String, String, String), TokenSlot>>,
}

/// The process's Graph client: HTTP, token cache and limits shared by every tenant.
#[derive(Clone)]
pub struct GraphClient {
    inner: Arc<ClientInner>,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("limits", &self.inner.limits)
            .finish_non_exhaustive()
    }
}

impl GraphClient {
    pub fn new(limits: Limits, retry: RetryPolicy) -> Result<Self, GraphError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("Plumbline/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| GraphError::Network {
                host: "Microsoft Graph".to_owned(),
                reason: e.to_string(),
            })?;
        Ok(Self {
            inner: Arc::new(ClientInner {
                http,
                global: Arc::new(Semaphore::new(limits.global.max(1))),
                limits,
                retry,
                tenants: Mutex::new(HashMap::new()),
                tokens: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The Entra tenant id of a domain (`contoso.onmicrosoft.com`, `contoso.com`) in
    /// `cloud`, from the login host's public OpenID configuration (no credentials). A
    /// GUID is returned as it is.
    pub async fn resolve_tenant(
        &self,
        cloud: &super::Cloud,
        domain_or_id: &str,
    ) -> Result<String, GraphError> {
        let text = domain_or_id
            .trim()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        if uuid::Uuid::try_parse(&text).is_ok() {
            return Ok(text);
        }
        let valid = !text.is_empty()
            && text.contains('.')
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !valid {
            return Err(GraphError::Incomplete(format!(
                "{domain_or_id:?} is neither a domain (contoso.onmicrosoft.com) nor an Entra tenant id"
            )));
        }
        let url = format!(
            "{}/{text}/v2.0/.well-known/openid-configuration",
            cloud.login_base()
        );
        let answer = tokio::time::timeout(self.inner.limits.deadline, async {
            let response = self.inner.http.get(&url).send().await?;
            let status = response.status().as_u16();
            Ok::<_, reqwest::Error>((status, response.bytes().await?))
        })
        .await
        .map_err(|_| network_error(&url, "no answer before the deadline"))?
        .map_err(|e| network_error(&url, &e.to_string()))?;
        let json: Value = serde_json::from_slice(&answer.1).unwrap_or(Value::Null);
        if answer.0 != 200 {
            return Err(GraphError::Incomplete(format!(
                "no tenant uses the domain {text} in this cloud: check the spelling, or enter the Entra tenant id"
            )));
        }
        // "issuer": "https://login.microsoftonline.com/{tenant id}/v2.0"
        json.get("issuer")
            .and_then(Value::as_str)
            .and_then(|issuer| {
                issuer
                    .trim_end_matches('/')
                    .split('/')
                    .find(|part| uuid::Uuid::try_parse(part).is_ok())
            })
            .map(str::to_owned)
            .ok_or_else(|| GraphError::Malformed(format!("{url} named no tenant")))
    }

    /// A session for one tenant. Sessions of the same tenant share its limit and token.
    pub fn session(&self, target: Target) -> TenantSession {
        let tenant_key = format!("{}|{}", target.cloud.graph_base(), target.tenant);
        let slots =
            {
                let mut tenants = self.inner.tenants.lock().unwrap_or_else(|e| e.into_inner());
                Arc::clone(tenants.entry(tenant_key).or_insert_with(|| {
                    Arc::new(Semaphore::new(self.inner.limits.per_tenant.max(1)))
                }))
            };
        let token = {
            let mut tokens = self.inner.tokens.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(
                tokens
                    .entry((
                        target.cloud.login_base().to_owned(),
                        target.tenant.to_ascii_lowercase(),
                        target.app.client_id.clone(),
                    ))
                    .or_default(),
            )
        };
        TenantSession {
            client: self.clone(),
            target: Arc::new(target),
            slots,
            token,
            counters: Arc::new(Counters::default()),
        }
    }
}

#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    token_requests: AtomicU64,
    throttled: AtomicU64,
}

/// One tenant's reads. Cheap to clone (clones share counters).
#[derive(Clone)]
pub struct TenantSession {
    client: GraphClient,
    target: Arc<Target>,
    slots: Arc<Semaphore>,
    token: TokenSlot,
    counters: Arc<Counters>,
}

impl std::fmt::Debug for TenantSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantSession")
            .field("tenant", &self.target.tenant)
            .finish_non_exhaustive()
    }
}

/// One GET of a `$batch`.
#[derive(Clone, Debug)]
pub struct BatchGet {
    /// Relative to the version root (`deviceManagement/configurationPolicies/{id}/settings`).
    pub url: String,
    pub full_metadata: bool,
}

/// What one HTTP exchange gave.
struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

const FULL_METADATA: &str = "application/json;odata.metadata=full";

impl TenantSession {
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// HTTP requests sent to Graph so far (a `$batch` is one; token requests not included).
    pub fn requests(&self) -> u64 {
        self.counters.requests.load(Ordering::Relaxed)
    }

    pub fn token_requests(&self) -> u64 {
        self.counters.token_requests.load(Ordering::Relaxed)
    }

    /// Answers 429, 503 or 504 received (sub-responses included).
    pub fn throttled(&self) -> u64 {
        self.counters.throttled.load(Ordering::Relaxed)
    }

    /// The application permissions (`roles`) of the current token.
    pub async fn roles(&self) -> Result<Vec<String>, GraphError> {
        self.token().await?;
        Ok(self
            .token
            .lock()
            .await
            .as_ref()
            .map(|t| t.roles.clone())
            .unwrap_or_default())
    }

    /// A valid token: the cached one until shortly before it expires, else a new one.
    pub async fn token(&self) -> Result<String, GraphError> {
        let mut slot = self.token.lock().await;
        if let Some(token) = slot.as_ref().filter(|t| t.renew_at > Instant::now()) {
            return Ok(token.value.clone());
        }
        let token = self.fetch_token().await?;
        let value = token.value.clone();
        *slot = Some(token);
        Ok(value)
    }

    async fn invalidate(&self, value: &str) {
        let mut slot = self.token.lock().await;
        if slot.as_ref().is_some_and(|t| t.value == value) {
            *slot = None;
        }
    }

    async fn fetch_token(&self) -> Result<CachedToken, GraphError> {
        let target = &self.target;
        let url = format!(
            "{}/{}/oauth2/v2.0/token",
            target.cloud.login_base(),
            target.tenant
        );
        // Built per attempt: an assertion is single-use (its own jti and times).
        let body = || -> Result<String, GraphError> {
            let mut form = vec![
                ("client_id", target.app.client_id.clone()),
                ("scope", format!("{}/.default", target.cloud.graph_base())),
                ("grant_type", "client_credentials".to_owned()),
            ];
            match &target.app.credential {
                Credential::Secret(secret) => form.push(("client_secret", secret.clone())),
                Credential::Certificate(certificate) => {
                    let assertion = super::assertion::client_assertion(
                        certificate,
                        &target.app.client_id,
                        &url,
                        chrono::Utc::now().timestamp(),
                    )
                    .map_err(|e| GraphError::Credential(e.0))?;
                    form.push((
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned(),
                    ));
                    form.push(("client_assertion", assertion));
                }
            }
            Ok(form
                .iter()
                .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
                .collect::<Vec<_>>()
                .join("&"))
        };
        let retry = &self.client.inner.retry;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            self.counters.token_requests.fetch_add(1, Ordering::Relaxed);
            let sent = tokio::time::timeout(
                self.client.inner.limits.deadline,
                self.client
                    .inner
                    .http
                    .post(&url)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(body()?)
                    .send(),
            )
            .await;
            let transient = match sent {
                Ok(Ok(response)) => {
                    let status = response.status().as_u16();
                    let retry_after = retry_after(response.headers());
                    let bytes = response.bytes().await.unwrap_or_default();
                    let json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                    if status == 200 {
                        let value = json
                            .get("access_token")
                            .and_then(Value::as_str)
                            .ok_or_else(|| {
                                GraphError::Malformed("a token answer without a token".to_owned())
                            })?
                            .to_owned();
                        let lifetime = json
                            .get("expires_in")
                            .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
                            .unwrap_or(3_599);
                        // Renew a little early: 5 minutes, or a tenth of a short lifetime.
                        let margin = (lifetime / 10).min(300);
                        return Ok(CachedToken {
                            roles: token_roles(&value),
                            value,
                            renew_at: Instant::now() + Duration::from_secs(lifetime - margin),
                        });
                    }
                    if status == 429 || status >= 500 {
                        Some((status, retry_after))
                    } else {
                        let code = json
                            .get("error_codes")
                            .and_then(Value::as_array)
                            .and_then(|c| c.first())
                            .and_then(Value::as_u64)
                            .unwrap_or(0) as u32;
                        let description = json
                            .get("error_description")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_owned();
                        return Err(GraphError::SignIn { code, description });
                    }
                }
                Ok(Err(error)) => {
                    if attempt >= retry.attempts {
                        return Err(network_error(&url, &error.to_string()));
                    }
                    None
                }
                Err(_) => {
                    if attempt >= retry.attempts {
                        return Err(network_error(&url, "no answer before the deadline"));
                    }
                    None
                }
            };
            if let Some((status, _)) = transient {
                if attempt >= retry.attempts {
                    return Err(GraphError::GaveUp {
                        status,
                        attempts: attempt,
                    });
                }
            }
            let wait = transient
                .and_then(|(_, after)| after)
                .map(|a| a.min(retry.max_retry_after))
                .unwrap_or_else(|| retry.backoff(attempt));
            tokio::time::sleep(wait).await;
        }
    }

    /// One HTTP exchange within the limits and the deadline. The token is taken once the
    /// request may go (a wait for a slot can outlast a token); the answer names it.
    async fn exchange(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<&Value>,
        full_metadata: bool,
    ) -> Result<(Answer, String), GraphError> {
        let inner = &self.client.inner;
        let _tenant = self.slots.acquire().await.map_err(|_| closed())?;
        let _global = inner.global.acquire().await.map_err(|_| closed())?;
        let token = self.token().await?;
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        let mut request = inner.http.request(method, url).bearer_auth(&token).header(
            "Accept",
            if full_metadata {
                FULL_METADATA
            } else {
                "application/json"
            },
        );
        if let Some(body) = body {
            request = request.json(body);
        }
        let exchange = async {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let retry_after = retry_after(response.headers());
            let body = response.bytes().await?.to_vec();
            Ok::<_, reqwest::Error>(Answer {
                status,
                retry_after,
                body,
            })
        };
        match tokio::time::timeout(inner.limits.deadline, exchange).await {
            Ok(Ok(answer)) => Ok((answer, token)),
            Ok(Err(error)) => Err(network_error(url, &error.to_string())),
            Err(_) => Err(network_error(
                url,
                &format!("no answer within {} s", inner.limits.deadline.as_secs_f32()),
            )),
        }
    }

    /// A request with its retries: 429/503/504 and no answer are tried again (after
    /// `Retry-After` or a backoff), an expired token is renewed, anything else is
    /// returned.
    async fn call(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<&Value>,
        full_metadata: bool,
    ) -> Result<Value, GraphError> {
        let retry = self.client.inner.retry.clone();
        let mut attempt = 0u32;
        let mut renewals = 0u32;
        loop {
            attempt += 1;
            let (answer, token) = match self
                .exchange(method.clone(), url, body, full_metadata)
                .await
            {
                Ok(answer) => answer,
                Err(error @ GraphError::SignIn { .. }) => return Err(error),
                Err(error) => {
                    if attempt >= retry.attempts {
                        return Err(error);
                    }
                    tokio::time::sleep(retry.backoff(attempt)).await;
                    continue;
                }
            };
            match answer.status {
                200..=299 => {
                    return serde_json::from_slice(&answer.body).map_err(|e| {
                        GraphError::Malformed(format!("{} is not JSON: {e}", path_of(url)))
                    })
                }
                429 | 503 | 504 => {
                    self.counters.throttled.fetch_add(1, Ordering::Relaxed);
                    if attempt >= retry.attempts {
                        return Err(GraphError::GaveUp {
                            status: answer.status,
                            attempts: attempt,
                        });
                    }
                    let wait = answer
                        .retry_after
                        .map(|a| a.min(retry.max_retry_after))
                        .unwrap_or_else(|| retry.backoff(attempt));
                    tokio::time::sleep(wait).await;
                }
                status => {
                    let error = http_error(status, &answer.body);
                    if status == 401 && renewals < 2 {
                        // Expired or revoked early: a new token (twice at most, then the
                        // answer stands).
                        renewals += 1;
                        attempt -= 1;
                        self.invalidate(&token).await;
                        continue;
                    }
                    return Err(error);
                }
            }
        }
    }

    fn absolute(&self, version: &str, relative: &str) -> String {
        format!(
            "{}/{version}/{}",
            self.target.cloud.graph_base(),
            relative.trim_start_matches('/')
        )
    }

    /// A next link must point back at this cloud's Graph: the token goes nowhere else.
    fn check_link(&self, link: &str) -> Result<(), GraphError> {
        let base = format!("{}/", self.target.cloud.graph_base());
        if link.starts_with(&base) {
            Ok(())
        } else {
            Err(GraphError::Malformed(format!(
                "a next link outside Microsoft Graph ({link})"
            )))
        }
    }

    /// One GET (`relative` to the version root).
    pub async fn get(
        &self,
        version: &str,
        relative: &str,
        full_metadata: bool,
    ) -> Result<Value, GraphError> {
        let url = self.absolute(version, relative);
        self.call(reqwest::Method::GET, &url, None, full_metadata)
            .await
    }

    /// Every item of a collection: the first page, then each `@odata.nextLink` exactly as
    /// received, until there is none (pages may be empty).
    pub async fn list(
        &self,
        version: &str,
        relative: &str,
        full_metadata: bool,
    ) -> Result<Vec<Value>, GraphError> {
        let mut url = self.absolute(version, relative);
        let mut items = Vec::new();
        for _ in 0..100_000 {
            let page = self
                .call(reqwest::Method::GET, &url, None, full_metadata)
                .await?;
            let Some(values) = page.get("value").and_then(Value::as_array) else {
                return Err(GraphError::Malformed(format!(
                    "{} answered without a value list",
                    path_of(&url)
                )));
            };
            items.extend(values.iter().cloned());
            match page.get("@odata.nextLink").and_then(Value::as_str) {
                Some(next) => {
                    self.check_link(next)?;
                    url = next.to_owned();
                }
                None => return Ok(items),
            }
        }
        Err(GraphError::Malformed(format!(
            "{} never stopped paging",
            path_of(&url)
        )))
    }

    /// Many GETs in `$batch` requests of 20, sent side by side within the tenant's limit.
    /// Throttled sub-requests are sent again after the longest `Retry-After` of their
    /// round; collection answers are followed to their last page. The results are in the
    /// order of `gets`; a collection comes back as `{"value": [every item]}`.
    pub async fn batch(
        &self,
        version: &str,
        gets: Vec<BatchGet>,
    ) -> Vec<Result<Value, GraphError>> {
        let retry = self.client.inner.retry.clone();
        let mut results: Vec<Option<Result<Value, GraphError>>> = vec![None; gets.len()];
        let mut pages: Vec<Option<Vec<Value>>> = vec![None; gets.len()];
        // (index, relative url, full metadata, attempts so far)
        let mut pending: Vec<(usize, String, bool, u32)> = gets
            .into_iter()
            .enumerate()
            .map(|(i, g)| (i, g.url, g.full_metadata, 0))
            .collect();
        let prefix = format!("{}/{version}/", self.target.cloud.graph_base());
        let mut rounds = 0u32;
        while !pending.is_empty() {
            rounds += 1;
            let mut set = tokio::task::JoinSet::new();
            for chunk in pending.chunks(20) {
                let chunk = chunk.to_vec();
                let session = self.clone();
                let version = version.to_owned();
                set.spawn(async move {
                    let outcome = session.post_batch(&version, &chunk).await;
                    (chunk, outcome)
                });
            }
            pending.clear();
            let mut wait = Duration::ZERO;
            while let Some(joined) = set.join_next().await {
                let Ok((chunk, outcome)) = joined else {
                    continue;
                };
                let mut responses = match outcome {
                    Ok(responses) => responses,
                    Err(error) => {
                        for (i, ..) in chunk {
                            results[i] = Some(Err(error.clone()));
                        }
                        continue;
                    }
                };
                for (position, (i, url, full, attempts)) in chunk.into_iter().enumerate() {
                    let attempts = attempts + 1;
                    let Some(sub) = responses.remove(&position.to_string()) else {
                        // Not answered: ask again.
                        if attempts >= retry.attempts {
                            results[i] = Some(Err(GraphError::Malformed(format!(
                                "$batch never answered {}",
                                path_of(&url)
                            ))));
                        } else {
                            pending.push((i, url, full, attempts));
                        }
                        continue;
                    };
                    match sub.status {
                        200..=299 => {
                            let body = match sub.body {
                                Value::String(text) => match serde_json::from_str::<Value>(&text) {
                                    Ok(value) if value.is_object() => value,
                                    _ => {
                                        results[i] = Some(Err(GraphError::Malformed(format!(
                                            "{} is not JSON",
                                            path_of(&url)
                                        ))));
                                        continue;
                                    }
                                },
                                other => other,
                            };
                            match body.get("value").and_then(Value::as_array) {
                                Some(values) => {
                                    pages[i]
                                        .get_or_insert_with(Vec::new)
                                        .extend(values.iter().cloned());
                                    match body.get("@odata.nextLink").and_then(Value::as_str) {
                                        Some(next) => match next.strip_prefix(&prefix) {
                                            Some(relative) => {
                                                pending.push((i, relative.to_owned(), full, 0))
                                            }
                                            None => {
                                                results[i] =
                                                    Some(Err(GraphError::Malformed(format!(
                                                    "a next link outside Microsoft Graph ({next})"
                                                ))))
                                            }
                                        },
                                        None => {
                                            let all = pages[i].take().unwrap_or_default();
                                            results[i] = Some(Ok(json!({ "value": all })));
                                        }
                                    }
                                }
                                None => results[i] = Some(Ok(body)),
                            }
                        }
                        429 | 503 | 504 => {
                            self.counters.throttled.fetch_add(1, Ordering::Relaxed);
                            if attempts >= retry.attempts {
                                results[i] = Some(Err(GraphError::GaveUp {
                                    status: sub.status,
                                    attempts,
                                }));
                            } else {
                                let after = sub
                                    .retry_after
                                    .map(|a| a.min(retry.max_retry_after))
                                    .unwrap_or_else(|| retry.backoff(attempts));
                                wait = wait.max(after);
                                pending.push((i, url, full, attempts));
                            }
                        }
                        401 if attempts < retry.attempts => {
                            // The token expired between the envelope and this sub-request.
                            let current = self.token.lock().await.as_ref().map(|t| t.value.clone());
                            if let Some(current) = current {
                                self.invalidate(&current).await;
                            }
                            pending.push((i, url, full, attempts));
                        }
                        status => {
                            let bytes = serde_json::to_vec(&sub.body).unwrap_or_default();
                            results[i] = Some(Err(http_error(status, &bytes)));
                        }
                    }
                }
            }
            if rounds > 10_000 {
                break;
            }
            if !pending.is_empty() && !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
        }
        results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| Err(GraphError::Malformed("$batch gave no answer".to_owned())))
            })
            .collect()
    }

    /// One `$batch` envelope; its sub-responses by id.
    async fn post_batch(
        &self,
        version: &str,
        chunk: &[(usize, String, bool, u32)],
    ) -> Result<HashMap<String, SubResponse>, GraphError> {
        let requests: Vec<Value> = chunk
            .iter()
            .enumerate()
            .map(|(position, (_, url, full, _))| {
                let mut request = json!({
                    "id": position.to_string(),
                    "method": "GET",
                    "url": format!("/{}", url.trim_start_matches('/')),
                });
                if *full {
                    request["headers"] = json!({ "Accept": FULL_METADATA });
                }
                request
            })
            .collect();
        let url = self.absolute(version, "$batch");
        let answer = self
            .call(
                reqwest::Method::POST,
                &url,
                Some(&json!({ "requests": requests })),
                false,
            )
            .await?;
        let Some(responses) = answer.get("responses").and_then(Value::as_array) else {
            return Err(GraphError::Malformed(
                "a $batch answer without responses".to_owned(),
            ));
        };
        Ok(responses
            .iter()
            .filter_map(|r| {
                let id = r.get("id").and_then(Value::as_str)?.to_owned();
                let status = r.get("status").and_then(Value::as_u64)? as u16;
                let retry_after = r
                    .get("headers")
                    .and_then(Value::as_object)
                    .and_then(|h| {
                        h.iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
                            .and_then(|(_, v)| {
                                v.as_str()
                                    .and_then(|s| s.trim().parse::<u64>().ok())
                                    .or_else(|| v.as_u64())
                            })
                    })
                    .map(Duration::from_secs);
                let body = r.get("body").cloned().unwrap_or(Value::Null);
                Some((
                    id,
                    SubResponse {
                        status,
                        retry_after,
                        body,
                    },
                ))
            })
            .collect())
    }
}

struct SubResponse {
    status: u16,
    retry_after: Option<Duration>,
    body: Value,
}

fn closed() -> GraphError {
    GraphError::Network {
        host: "Microsoft Graph".to_owned(),
        reason: "the client was shut down".to_owned(),
    }
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

fn http_error(status: u16, body: &[u8]) -> GraphError {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let error = json.get("error");
    let code = error
        .and_then(|e| e.get("code"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let message = error
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| String::from_utf8_lossy(body).chars().take(300).collect());
    GraphError::Http {
        status,
        code,
        message,
    }
}

fn network_error(url: &str, reason: &str) -> GraphError {
    let host = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or(url)
        .to_owned();
    GraphError::Network {
        host,
        reason: reason.to_owned(),
    }
}

/// The path of a URL without host and query, for messages.
fn path_of(url: &str) -> String {
    let rest = url.split("://").nth(1).unwrap_or(url);
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    path.split('?').next().unwrap_or(path).to_owned()
}

/// `application/x-www-form-urlencoded` encoding of one field.
fn form_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// The application permissions in an access token (its `roles` claim). The token is not
/// verified here: Graph does that; this only says what it will allow.
pub(crate) fn token_roles(token: &str) -> Vec<String> {
    let Some(payload) = token.split('.').nth(1) else {
        return Vec::new();
    };
    let Ok(bytes) =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('='))
    else {
        return Vec::new();
    };
    serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|claims| claims.get("roles").cloned())
        .and_then(|roles| serde_json::from_value(roles).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_are_encoded() {
        assert_eq!(form_encode("a b&c=d~"), "a+b%26c%3Dd%7E");
        assert_eq!(
            form_encode("https://graph.microsoft.com/.default"),
            "https%3A%2F%2Fgraph.microsoft.com%2F.default"
        );
    }

    #[test]
    fn roles_come_from_the_token_payload() {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let token = format!(
            "{}.{}.sig",
            b64.encode("{}"),
            b64.encode(r#"{"roles":["Group.Read.All"]}"#)
        );
        assert_eq!(token_roles(&token), vec!["Group.Read.All".to_owned()]);
        assert!(token_roles("opaque").is_empty());
    }

    #[test]
    fn backoff_stays_under_its_ceiling() {
        let policy = RetryPolicy::default();
        for attempt in 0..20 {
            let wait = policy.backoff(attempt);
            assert!(wait <= policy.cap, "{wait:?}");
            assert!(
                wait <= policy
                    .base
                    .saturating_mul(2u32.saturating_pow(attempt.min(16)))
            );
        }
    }
}

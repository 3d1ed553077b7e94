//! The desktop's HTTP client of a Plumbline server: sign in, ask who a device token
//! belongs to, sign out ([`super::api`] is the contract).
//!
//! Invariants:
//! - The device token and the password never reach a log, an error message or a `Debug`
//!   output: the token travels as a [`DeviceToken`] (whose `Debug` is redacted) in a
//!   header reqwest marks sensitive, the password only in a request body; error messages
//!   never quote an answer's body (a broken server could echo the request).
//! - Every request has a deadline: [`CONNECT_TIMEOUT`] to reach the server,
//!   [`REQUEST_TIMEOUT`] for the whole exchange.
//! - A server that speaks another [`API_VERSION`] is refused, even when it answered.

use std::time::Duration;

use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;

use base64::Engine as _;

use super::api::{
    decode_blob_frames, encode_blob_frames, ApiError, BlobBundle, BlobCodec, BlobEntry, BlobFrame,
    BlobList, ClaimRequest, ClaimResponse, CompleteRequest, CompleteResponse, Identity, Operation,
    PullResponse, PushRequest, PushResponse, RenewRequest, RenewResponse, SignInBody, SignedIn,
    Snapshot, SyncHead, API_VERSION, BLOBS_FETCH_PATH, BLOBS_MISSING_PATH, BLOBS_UPLOAD_PATH,
    BLOB_FRAMES_TYPE, HEAD_PATH, LEASE_CLAIM_PATH, LEASE_COMPLETE_PATH, LEASE_RENEW_PATH, ME_PATH,
    PULL_PATH, PUSH_PATH, SIGN_IN_PATH, SIGN_OUT_PATH, SNAPSHOT_PATH, WORKSPACE_HEADER,
};

/// How long to wait for the server to accept the connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The content type of zstd-compressed JSON bundles (snapshots, blobs).
pub const BUNDLE_CONTENT_TYPE: &str = "application/vnd.plumbline.bundle+json+zstd";
/// How long one request may take, answer included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Why talking to the server failed. Each message says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The address is not an http(s) URL a server can live at.
    #[error("{0}")]
    InvalidUrl(String),
    /// No answer: nothing listens there, DNS, TLS, a firewall, or too slow.
    #[error(
        "cannot reach the Plumbline server at {url} ({detail}): check the address and that the \
         server runs"
    )]
    Unreachable {
        url: String,
        detail: String,
        #[source]
        source: Option<reqwest::Error>,
    },
    /// The e-mail address or password is wrong.
    #[error(
        "the server did not accept that e-mail address and password: check both and sign in \
         again"
    )]
    BadCredentials,
    /// Too many sign-in attempts; the server says when to try again.
    #[error("{}", rate_limited_message(*.retry_after))]
    RateLimited { retry_after: Option<Duration> },
    /// The server revoked this device's token (signed out elsewhere, or by an admin).
    #[error("the server revoked this device's token: sign in again")]
    Revoked,
    /// The server does not know this device's token.
    #[error(
        "the server does not know this device's token (it may have been reset): sign in again"
    )]
    BadToken,
    /// The server speaks another version of the API.
    #[error("{0}")]
    Incompatible(String),
    /// The server refused the request with an error of the API (a malformed request, an
    /// internal error): its code and its message for people.
    #[error("the server refused the request ({status}, {code}): {message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    /// An answer that is not what the API says (another program answers there, a proxy's
    /// error page, a broken server).
    #[error("{0}")]
    Unexpected(String),
}

/// "15 seconds", "1 second", "300 ms".
fn duration_text(duration: Duration) -> String {
    match duration.as_secs() {
        0 => format!("{} ms", duration.as_millis()),
        1 => "1 second".to_owned(),
        seconds => format!("{seconds} seconds"),
    }
}

fn rate_limited_message(retry_after: Option<Duration>) -> String {
    match retry_after.map(|d| d.as_secs()) {
        Some(0) | None => "too many sign-in attempts: wait a minute, then sign in again".to_owned(),
        Some(1) => "too many sign-in attempts: wait 1 second, then sign in again".to_owned(),
        Some(seconds) if seconds < 120 => {
            format!("too many sign-in attempts: wait {seconds} seconds, then sign in again")
        }
        Some(seconds) => format!(
            "too many sign-in attempts: wait {} minutes, then sign in again",
            seconds.div_ceil(60)
        ),
    }
}

impl ClientError {
    /// A stable code for scripts and the audit log.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidUrl(_) => "invalid_url",
            Self::Unreachable { .. } => "unreachable",
            Self::BadCredentials => "bad_credentials",
            Self::RateLimited { .. } => "rate_limited",
            Self::Revoked => "revoked",
            Self::BadToken => "bad_token",
            Self::Incompatible(_) => "incompatible",
            Self::Refused { .. } => "refused",
            Self::Unexpected(_) => "unexpected",
        }
    }

    /// True when trying again later cannot help without a change (another address, other
    /// credentials, a new sign-in, an update); false for an unreachable server, a rate
    /// limit, or a server error that may pass.
    pub fn is_permanent(&self) -> bool {
        match self {
            Self::Unreachable { .. } | Self::RateLimited { .. } => false,
            Self::Refused { status, .. } => *status < 500,
            _ => true,
        }
    }

    /// True when the token is no good any more: it should be forgotten.
    pub fn token_rejected(&self) -> bool {
        matches!(self, Self::Revoked | Self::BadToken)
    }
}

/// A device token. Kept out of `Debug` output so that it cannot reach a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceToken(String);

impl DeviceToken {
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token itself: for the keychain and the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DeviceToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceToken(redacted)")
    }
}

/// A server's base address, normalised: http or https, no user name, password, query or
/// fragment, and a path that ends with `/` (a server may live under a path behind a
/// reverse proxy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerUrl(Url);

impl ServerUrl {
    /// Checks and normalises what a person typed.
    pub fn parse(text: &str) -> Result<Self, ClientError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(ClientError::InvalidUrl(
                "Enter the server's address, for example https://plumbline.example.com".to_owned(),
            ));
        }
        let has_scheme = trimmed
            .split_once("://")
            .is_some_and(|(scheme, _)| !scheme.is_empty() && !scheme.contains(['/', '.', ':']));
        if !has_scheme {
            return Err(ClientError::InvalidUrl(format!(
                "The address {trimmed} has no https:// or http:// in front: enter the whole \
                 address, for example https://{trimmed}"
            )));
        }
        let mut url = Url::parse(trimmed).map_err(|e| {
            ClientError::InvalidUrl(format!(
                "The address {trimmed} cannot be read ({e}): enter it like \
                 https://plumbline.example.com"
            ))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ClientError::InvalidUrl(format!(
                "The address {trimmed} is a {}: address; a Plumbline server answers on https:// \
                 (or http:// on a trusted network)",
                url.scheme()
            )));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(ClientError::InvalidUrl(format!(
                "The address {trimmed} names no server: enter it like \
                 https://plumbline.example.com"
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ClientError::InvalidUrl(
                "Leave the user name and password out of the address: enter them in the sign-in \
                 fields"
                    .to_owned(),
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(ClientError::InvalidUrl(format!(
                "The address {trimmed} has a ?query or #fragment: enter only the server's address, \
                 for example {}://{}",
                url.scheme(),
                url.host_str().unwrap_or_default()
            )));
        }
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(Self(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The address of an API path (`/api/v1/...`) under this base.
    fn join(&self, path: &str) -> Result<Url, ClientError> {
        self.0
            .join(path.trim_start_matches('/'))
            .map_err(|e| ClientError::InvalidUrl(format!("{}{path}: {e}", self.0)))
    }
}

impl std::fmt::Display for ServerUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.as_str())
    }
}

/// A client of one server.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    base: ServerUrl,
    connect_timeout: Duration,
    request_timeout: Duration,
}

impl Client {
    /// A client with the standard timeouts.
    pub fn new(base: ServerUrl) -> Result<Self, ClientError> {
        Self::with_timeouts(base, CONNECT_TIMEOUT, REQUEST_TIMEOUT)
    }

    /// A client with other timeouts (tests of a server that never answers).
    pub fn with_timeouts(
        base: ServerUrl,
        connect: Duration,
        request: Duration,
    ) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .connect_timeout(connect)
            .timeout(request)
            .user_agent(concat!("plumbline/", env!("CARGO_PKG_VERSION")))
            // A redirect would resend the body (the password) or the token elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ClientError::Unexpected(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Self {
            http,
            base,
            connect_timeout: connect,
            request_timeout: request,
        })
    }

    pub fn base(&self) -> &ServerUrl {
        &self.base
    }

    /// Signs in and returns the new device token with its identity. A server of another
    /// API version is refused, and the token it issued revoked (best effort).
    pub async fn sign_in(&self, body: &SignInBody) -> Result<(DeviceToken, Identity), ClientError> {
        let url = self.base.join(SIGN_IN_PATH)?;
        let response = self.send(self.http.post(url).json(body)).await?;
        let signed_in: SignedIn = self.answer(response, StatusCode::OK).await?;
        let token = DeviceToken(signed_in.token);
        if let Err(error) = self.compatible(&signed_in.identity) {
            if let Err(revoke) = self.sign_out(&token).await {
                tracing::warn!(%revoke, "could not revoke the token an incompatible server issued");
            }
            return Err(error);
        }
        Ok((token, signed_in.identity))
    }

    /// Who the token belongs to, and what it may see.
    pub async fn me(&self, token: &DeviceToken) -> Result<Identity, ClientError> {
        let url = self.base.join(ME_PATH)?;
        let response = self
            .send(self.http.get(url).bearer_auth(token.expose()))
            .await?;
        let identity: Identity = self.answer(response, StatusCode::OK).await?;
        self.compatible(&identity)?;
        Ok(identity)
    }

    /// Revokes the token on the server.
    pub async fn sign_out(&self, token: &DeviceToken) -> Result<(), ClientError> {
        let url = self.base.join(SIGN_OUT_PATH)?;
        let response = self
            .send(self.http.post(url).bearer_auth(token.expose()))
            .await?;
        let status = response.status();
        if status == StatusCode::NO_CONTENT || status == StatusCode::OK {
            return Ok(());
        }
        Err(self.failure(response).await)
    }

    /// A request of the sync API: the device token, and the workspace it is about.
    fn sync_request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &DeviceToken,
        workspace: &str,
    ) -> Result<reqwest::RequestBuilder, ClientError> {
        let url = self.base.join(path)?;
        Ok(self
            .http
            .request(method, url)
            .bearer_auth(token.expose())
            .header(WORKSPACE_HEADER, workspace))
    }

    /// Claims work items (leases): those granted, and why the others were not.
    pub async fn claim_leases(
        &self,
        token: &DeviceToken,
        workspace: &str,
        request: &ClaimRequest,
    ) -> Result<ClaimResponse, ClientError> {
        let request = self
            .sync_request(reqwest::Method::POST, LEASE_CLAIM_PATH, token, workspace)?
            .json(request);
        let response = self.send(request).await?;
        self.answer(response, StatusCode::OK).await
    }

    /// Extends leases still held; lost ones are listed.
    pub async fn renew_leases(
        &self,
        token: &DeviceToken,
        workspace: &str,
        request: &RenewRequest,
    ) -> Result<RenewResponse, ClientError> {
        let request = self
            .sync_request(reqwest::Method::POST, LEASE_RENEW_PATH, token, workspace)?
            .json(request);
        let response = self.send(request).await?;
        self.answer(response, StatusCode::OK).await
    }

    /// Gives a lease back, its item resting for `rest_seconds`; false when it was no
    /// longer held.
    pub async fn complete_lease(
        &self,
        token: &DeviceToken,
        workspace: &str,
        request: &CompleteRequest,
    ) -> Result<bool, ClientError> {
        let request = self
            .sync_request(reqwest::Method::POST, LEASE_COMPLETE_PATH, token, workspace)?
            .json(request);
        let response = self.send(request).await?;
        let answer: CompleteResponse = self.answer(response, StatusCode::OK).await?;
        Ok(answer.completed)
    }

    /// The log's head and the visible tenants' checksums; `first_sync`: a first sync
    /// starts there (the server records that this device fetches those tenants).
    pub async fn sync_head(
        &self,
        token: &DeviceToken,
        workspace: &str,
        first_sync: bool,
    ) -> Result<SyncHead, ClientError> {
        let request = self
            .sync_request(reqwest::Method::GET, HEAD_PATH, token, workspace)?
            .query(&[("first_sync", first_sync)]);
        let response = self.send(request).await?;
        self.answer(response, StatusCode::OK).await
    }

    /// Pushes a batch of operations; the answer has a verdict for each.
    pub async fn push(
        &self,
        token: &DeviceToken,
        workspace: &str,
        operations: Vec<Operation>,
    ) -> Result<PushResponse, ClientError> {
        let request = self
            .sync_request(reqwest::Method::POST, PUSH_PATH, token, workspace)?
            .json(&PushRequest { operations });
        let response = self.send(request).await?;
        self.answer(response, StatusCode::OK).await
    }

    /// The next page of the log after `after`; with `wait` seconds, an empty page waits
    /// that long for news (live mode).
    pub async fn pull(
        &self,
        token: &DeviceToken,
        workspace: &str,
        after: i64,
        limit: u32,
        wait: u32,
        epoch: Option<&str>,
    ) -> Result<PullResponse, ClientError> {
        let mut query: Vec<(&str, String)> = vec![
            ("after", after.to_string()),
            ("limit", limit.to_string()),
            ("wait", wait.to_string()),
        ];
        if let Some(epoch) = epoch {
            query.push(("epoch", epoch.to_owned()));
        }
        let request = self
            .sync_request(reqwest::Method::GET, PULL_PATH, token, workspace)?
            .query(&query)
            .timeout(self.request_timeout + Duration::from_secs(u64::from(wait)));
        let response = self.send(request).await?;
        self.answer(response, StatusCode::OK).await
    }

    /// The operations of a tenant (`None`: the workspace's own) up to `up_to`.
    pub async fn snapshot(
        &self,
        token: &DeviceToken,
        workspace: &str,
        tenant: Option<&str>,
        up_to: i64,
    ) -> Result<Snapshot, ClientError> {
        let request = self
            .sync_request(reqwest::Method::GET, SNAPSHOT_PATH, token, workspace)?
            .query(&[
                ("tenant", tenant.unwrap_or("")),
                ("up_to", &up_to.to_string()),
            ])
            .timeout(self.request_timeout * 8);
        let response = self.send(request).await?;
        self.bundle(response).await
    }

    /// Of these blobs, those the server lacks.
    pub async fn missing_blobs(
        &self,
        token: &DeviceToken,
        workspace: &str,
        hashes: Vec<String>,
    ) -> Result<Vec<String>, ClientError> {
        let request = self
            .sync_request(reqwest::Method::POST, BLOBS_MISSING_PATH, token, workspace)?
            .json(&BlobList { hashes });
        let response = self.send(request).await?;
        let list: BlobList = self.answer(response, StatusCode::OK).await?;
        Ok(list.hashes)
    }

    /// Uploads blobs (a zstd bundle); the server checks each hash.
    pub async fn upload_blobs(
        &self,
        token: &DeviceToken,
        workspace: &str,
        blobs: &[BlobFrame],
    ) -> Result<(), ClientError> {
        // As stored: most are zstd frames already, checked by the server decoding them.
        let body = encode_blob_frames(blobs).map_err(ClientError::Unexpected)?;
        match self.upload(token, workspace, BLOB_FRAMES_TYPE, body).await {
            // A server that reads only compressed bundles refuses frames as a malformed
            // body (it never refuses a well-formed stream so): send them as a bundle.
            Err(ClientError::Refused {
                status: 400, code, ..
            }) if code == "bad_request" => {
                let body = self.blob_bundle(blobs)?;
                self.upload(token, workspace, BUNDLE_CONTENT_TYPE, body)
                    .await
            }
            other => other,
        }
    }

    async fn upload(
        &self,
        token: &DeviceToken,
        workspace: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<(), ClientError> {
        let request = self
            .sync_request(reqwest::Method::POST, BLOBS_UPLOAD_PATH, token, workspace)?
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .timeout(self.request_timeout * 8);
        let response = self.send(request).await?;
        if response.status() == StatusCode::NO_CONTENT {
            return Ok(());
        }
        Err(self.failure(response).await)
    }

    /// Blobs as a zstd-compressed JSON bundle, each decoded to its bytes.
    fn blob_bundle(&self, blobs: &[BlobFrame]) -> Result<Vec<u8>, ClientError> {
        let engine = base64::engine::general_purpose::STANDARD;
        let mut entries = Vec::with_capacity(blobs.len());
        for blob in blobs {
            let data = crate::store::decode_bytes(
                &blob.sha256,
                blob.size as i64,
                blob.codec.as_str(),
                &blob.data,
            )
            .map_err(|e| {
                ClientError::Unexpected(format!("a blob on this device cannot be read: {e}"))
            })?;
            entries.push(BlobEntry {
                sha256: blob.sha256.clone(),
                data: engine.encode(data),
            });
        }
        let json = serde_json::to_vec(&BlobBundle { blobs: entries })
            .map_err(|e| ClientError::Unexpected(format!("cannot encode blobs: {e}")))?;
        zstd::bulk::compress(&json, 3)
            .map_err(|e| ClientError::Unexpected(format!("cannot compress blobs: {e}")))
    }

    /// Downloads blobs as the server keeps them, unchecked: the caller checks each
    /// against its size and hash ([`crate::store::ReceivedBlob::check`]). Blobs the device
    /// may not read are not in the answer.
    pub async fn fetch_blobs(
        &self,
        token: &DeviceToken,
        workspace: &str,
        hashes: Vec<String>,
    ) -> Result<Vec<BlobFrame>, ClientError> {
        let request = self
            .sync_request(reqwest::Method::POST, BLOBS_FETCH_PATH, token, workspace)?
            .header(reqwest::header::ACCEPT, BLOB_FRAMES_TYPE)
            .json(&BlobList { hashes })
            .timeout(self.request_timeout * 8);
        let response = self.send(request).await?;
        let frames = response.status() == StatusCode::OK
            && response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with(BLOB_FRAMES_TYPE));
        if frames {
            let bytes = response.bytes().await.map_err(|e| self.unreachable(e))?;
            return decode_blob_frames(&bytes).map_err(|e| {
                ClientError::Unexpected(format!(
                    "the server at {} sent blobs that cannot be read ({e}): sync again, and \
                     check that it runs the same version as this app",
                    self.base
                ))
            });
        }
        // A server that sends a compressed bundle instead.
        let bundle: BlobBundle = self.bundle(response).await?;
        let engine = base64::engine::general_purpose::STANDARD;
        let mut out = Vec::with_capacity(bundle.blobs.len());
        for entry in bundle.blobs {
            let data = engine.decode(&entry.data).map_err(|_| {
                ClientError::Unexpected(format!(
                    "the server at {} sent blob {} in a form that is not base64",
                    self.base, entry.sha256
                ))
            })?;
            out.push(BlobFrame {
                sha256: entry.sha256,
                codec: BlobCodec::None,
                size: data.len() as u64,
                data,
            });
        }
        Ok(out)
    }

    /// A zstd-compressed JSON answer.
    async fn bundle<T: DeserializeOwned>(
        &self,
        response: reqwest::Response,
    ) -> Result<T, ClientError> {
        if response.status() != StatusCode::OK {
            return Err(self.failure(response).await);
        }
        let bytes = response.bytes().await.map_err(|e| self.unreachable(e))?;
        let json = zstd::stream::decode_all(&bytes[..]).map_err(|_| {
            ClientError::Unexpected(format!(
                "the server at {} answered a bundle that is not zstd-compressed: check that \
                 it runs the same version as this app",
                self.base
            ))
        })?;
        serde_json::from_slice(&json).map_err(|e| {
            ClientError::Unexpected(format!(
                "the server at {} answered a bundle of another shape (line {} column {}): \
                 check that it runs the same version as this app",
                self.base,
                e.line(),
                e.column()
            ))
        })
    }

    fn compatible(&self, identity: &Identity) -> Result<(), ClientError> {
        if identity.server.api == API_VERSION {
            return Ok(());
        }
        Err(ClientError::Incompatible(format!(
            "the server at {} ({} {}) speaks API version {}, this Plumbline speaks version \
             {API_VERSION}: update {} so both speak the same version",
            self.base,
            identity.server.name,
            identity.server.version,
            identity.server.api,
            if identity.server.api > API_VERSION {
                "Plumbline on this computer"
            } else {
                "the server"
            }
        )))
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ClientError> {
        request.send().await.map_err(|e| self.unreachable(e))
    }

    fn unreachable(&self, error: reqwest::Error) -> ClientError {
        // The address is in the message already, once.
        let error = error.without_url();
        let detail = if error.is_timeout() {
            let limit = if error.is_connect() {
                self.connect_timeout
            } else {
                self.request_timeout
            };
            format!("no answer within {}", duration_text(limit))
        } else if error.is_connect() {
            // The innermost cause says it best: "Connection refused", "dns error: …",
            // "invalid peer certificate: …".
            let mut cause: &dyn std::error::Error = &error;
            while let Some(next) = cause.source() {
                cause = next;
            }
            cause.to_string()
        } else {
            error.to_string()
        };
        ClientError::Unreachable {
            url: self.base.to_string(),
            detail,
            source: Some(error),
        }
    }

    /// The body of a successful answer, or the error the answer stands for.
    async fn answer<T: DeserializeOwned>(
        &self,
        response: reqwest::Response,
        expected: StatusCode,
    ) -> Result<T, ClientError> {
        if response.status() != expected {
            return Err(self.failure(response).await);
        }
        let bytes = response.bytes().await.map_err(|e| self.unreachable(e))?;
        serde_json::from_slice(&bytes).map_err(|e| {
            // serde's own message may quote the body: say only what and where.
            let what = match e.classify() {
                serde_json::error::Category::Data => "JSON of another shape",
                _ => "not JSON",
            };
            ClientError::Unexpected(format!(
                "the server at {} answered something that is not a Plumbline server's answer \
                 ({what}, line {} column {}): \
                 check that the address is the Plumbline server's and that it runs the same \
                 version as this app",
                self.base,
                e.line(),
                e.column()
            ))
        })
    }

    /// Maps an error answer to a [`ClientError`].
    async fn failure(&self, response: reqwest::Response) -> ClientError {
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = match response.bytes().await {
            Ok(bytes) => serde_json::from_slice::<ApiError>(&bytes).ok(),
            Err(e) => return self.unreachable(e),
        };
        let Some(ApiError { error }) = body else {
            return match status {
                StatusCode::TOO_MANY_REQUESTS => ClientError::RateLimited { retry_after },
                StatusCode::BAD_GATEWAY
                | StatusCode::SERVICE_UNAVAILABLE
                | StatusCode::GATEWAY_TIMEOUT => ClientError::Unreachable {
                    url: self.base.to_string(),
                    detail: format!(
                        "a proxy answered {status}: the server behind it is down or starting"
                    ),
                    source: None,
                },
                _ => ClientError::Unexpected(format!(
                    "the server at {} answered {status}, which is not a Plumbline server's \
                     answer: check that the address is the Plumbline server's (and, behind a \
                     reverse proxy, that the proxy passes /api/ through)",
                    self.base
                )),
            };
        };
        match error.code.as_str() {
            "bad_credentials" => ClientError::BadCredentials,
            "revoked" => ClientError::Revoked,
            "bad_token" => ClientError::BadToken,
            "rate_limited" => ClientError::RateLimited { retry_after },
            _ if status == StatusCode::TOO_MANY_REQUESTS => {
                ClientError::RateLimited { retry_after }
            }
            "not_found" if status == StatusCode::NOT_FOUND => ClientError::Incompatible(format!(
                "the server at {} does not offer version {API_VERSION} of the API: update \
                 Plumbline on this computer or the server so both speak the same version",
                self.base
            )),
            _ => ClientError::Refused {
                status: status.as_u16(),
                code: error.code,
                message: error.message,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_normalised_to_a_base_with_a_trailing_slash() {
        for (typed, base) in [
            (
                "https://plumbline.example.com",
                "https://plumbline.example.com/",
            ),
            (
                " https://plumbline.example.com/ ",
                "https://plumbline.example.com/",
            ),
            (
                "HTTPS://Plumbline.Example.com",
                "https://plumbline.example.com/",
            ),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080/"),
            (
                "https://example.com/plumbline",
                "https://example.com/plumbline/",
            ),
            (
                "https://example.com/plumbline/",
                "https://example.com/plumbline/",
            ),
            ("http://[::1]:9000", "http://[::1]:9000/"),
        ] {
            let url = ServerUrl::parse(typed).expect(typed);
            assert_eq!(url.as_str(), base, "{typed}");
        }
        let base = ServerUrl::parse("https://example.com/plumbline").expect("base");
        assert_eq!(
            base.join(ME_PATH).expect("join").as_str(),
            "https://example.com/plumbline/api/v1/me"
        );
    }

    #[test]
    fn anything_but_an_http_address_is_refused_with_what_to_enter() {
        for (typed, says) in [
            ("", "Enter the server's address"),
            ("   ", "Enter the server's address"),
            ("plumbline.example.com", "https://plumbline.example.com"),
            ("plumbline.example.com:8443", "no https://"),
            ("localhost:8080", "no https://"),
            ("ftp://example.com", "ftp: address"),
            ("file:///etc/passwd", "file: address"),
            ("https://", "cannot be read"),
            (
                "https://alice:secret@example.com",
                "Leave the user name and password out",
            ),
            ("https://example.com/?x=1", "?query"),
            ("https://example.com/#top", "#fragment"),
            ("https://exa mple.com", "cannot be read"),
        ] {
            let error = ServerUrl::parse(typed).expect_err(typed);
            assert!(
                matches!(error, ClientError::InvalidUrl(_)),
                "{typed}: {error:?}"
            );
            let message = error.to_string();
            assert!(message.contains(says), "{typed}: {message}");
            assert!(!message.contains("secret"), "{typed}: {message}");
        }
    }

    #[test]
    fn a_token_never_shows_in_debug_output() {
        let token = DeviceToken::new("plt_very-secret-token");
        assert_eq!(format!("{token:?}"), "DeviceToken(redacted)");
        assert_eq!(token.expose(), "plt_very-secret-token");
    }

    #[test]
    fn rate_limits_say_how_long_to_wait() {
        for (seconds, says) in [
            (None, "wait a minute"),
            (Some(1), "wait 1 second,"),
            (Some(30), "wait 30 seconds"),
            (Some(600), "wait 10 minutes"),
        ] {
            let error = ClientError::RateLimited {
                retry_after: seconds.map(Duration::from_secs),
            };
            assert!(error.to_string().contains(says), "{seconds:?}: {error}");
            assert!(!error.is_permanent());
        }
        assert!(ClientError::BadCredentials.is_permanent());
        assert!(ClientError::Revoked.token_rejected());
        assert!(!ClientError::BadCredentials.token_rejected());
    }
}

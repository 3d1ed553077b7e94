//! A small HTTP server on loopback that answers as [`super::api`] says a Plumbline server
//! does — sign-in with a rate limit, who-am-I, sign-out, revocation — plus the ways a
//! real one goes wrong (garbage answers, a proxy's error page, silence, another API
//! version). For the client's tests while the real server is being written; the
//! end-to-end tests run against `plumbline-server` itself.
//!
//! Built only for tests (`cfg(test)`, or the `fake-server` feature for other crates'
//! tests). HTTP/1.1 by hand on a tokio listener, one request per connection.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::api::{
    ApiError, BlobBundle, DeviceInfo, ErrorBody, Identity, Role, ServerInfo, SignInBody, SignedIn,
    UserInfo, WorkspaceRole, API_VERSION, BLOBS_UPLOAD_PATH, HEALTH_PATH, ME_PATH, SIGN_IN_PATH,
    SIGN_OUT_PATH,
};

/// The account every fake server knows.
pub const EMAIL: &str = "alice@example.com";
pub const PASSWORD: &str = "correct horse battery staple";
pub const NAME: &str = "Alice Example";

/// An answer the server gives to every request instead of its own.
#[derive(Clone, Debug)]
pub struct Canned {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

#[derive(Debug)]
struct Device {
    id: String,
    name: String,
    created_at: String,
    revoked: bool,
}

#[derive(Debug)]
struct State {
    /// Token → device.
    tokens: BTreeMap<String, Device>,
    rate_limit: Option<u64>,
    canned: Option<Canned>,
    hang: bool,
    api: u32,
    workspaces: Vec<WorkspaceRole>,
    requests: Vec<String>,
    /// Blobs uploaded, decoded: this fake reads uploads as a server before blob frames
    /// did (compressed JSON bundles only).
    blobs: BTreeMap<String, Vec<u8>>,
}

/// A running fake server; stops when dropped.
#[derive(Debug)]
pub struct FakeServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    accept: tokio::task::JoinHandle<()>,
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl FakeServer {
    /// Starts a server on 127.0.0.1 with a free port (inside a tokio runtime).
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State {
            tokens: BTreeMap::new(),
            rate_limit: None,
            canned: None,
            hang: false,
            api: API_VERSION,
            workspaces: vec![
                WorkspaceRole {
                    id: "0190f3c2-0000-7000-8000-000000000001".to_owned(),
                    name: "Contoso MSP".to_owned(),
                    role: Role::Operator,
                    tenants: None,
                },
                WorkspaceRole {
                    id: "0190f3c2-0000-7000-8000-000000000002".to_owned(),
                    name: "Fabrikam MSP".to_owned(),
                    role: Role::Viewer,
                    tenants: Some(vec!["fabrikam.onmicrosoft.com".to_owned()]),
                },
            ],
            requests: Vec::new(),
            blobs: BTreeMap::new(),
        }));
        let shared = Arc::clone(&state);
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = Arc::clone(&shared);
                tokio::spawn(async move {
                    // A client that hangs up mid-request is no concern of the fake.
                    drop(serve(stream, state).await);
                });
            }
        });
        Ok(Self {
            addr,
            state,
            accept,
        })
    }

    /// Stops listening: from now on, connecting to the port is refused.
    pub async fn stop(&mut self) {
        self.accept.abort();
        // The accept loop owns the listener; it is closed once the task is gone.
        match (&mut self.accept).await {
            Ok(()) | Err(_) => {}
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Revokes every device token (an admin revoked the device).
    pub fn revoke_all(&self) {
        for device in lock(&self.state).tokens.values_mut() {
            device.revoked = true;
        }
    }

    /// Forgets every token (the server's database was reset).
    pub fn forget_all(&self) {
        lock(&self.state).tokens.clear();
    }

    /// Answers sign-ins with 429 and `Retry-After: seconds` (`None`: no limit).
    pub fn rate_limit(&self, seconds: Option<u64>) {
        lock(&self.state).rate_limit = seconds;
    }

    /// Answers every request with `canned` (`None`: answer as the API says).
    pub fn answer_with(&self, canned: Option<Canned>) {
        lock(&self.state).canned = canned;
    }

    /// Reads requests and never answers.
    pub fn hang(&self, hang: bool) {
        lock(&self.state).hang = hang;
    }

    /// Claims to speak another API version.
    pub fn speak_api(&self, api: u32) {
        lock(&self.state).api = api;
    }

    /// Tokens issued and not revoked.
    pub fn live_tokens(&self) -> Vec<String> {
        lock(&self.state)
            .tokens
            .iter()
            .filter(|(_, device)| !device.revoked)
            .map(|(token, _)| token.clone())
            .collect()
    }

    /// Every token issued, revoked or not.
    pub fn issued_tokens(&self) -> Vec<String> {
        lock(&self.state).tokens.keys().cloned().collect()
    }

    /// The blobs uploaded (SHA-256 → bytes).
    pub fn uploaded_blobs(&self) -> BTreeMap<String, Vec<u8>> {
        lock(&self.state).blobs.clone()
    }

    /// The requests received, as `METHOD /path`.
    pub fn requests(&self) -> Vec<String> {
        lock(&self.state).requests.clone()
    }
}

struct Request {
    method: String,
    path: String,
    bearer: Option<String>,
    body: Vec<u8>,
}

struct Answer {
    status: u16,
    content_type: &'static str,
    body: String,
    retry_after: Option<u64>,
}

impl Answer {
    fn json(status: u16, value: &impl serde::Serialize) -> Self {
        Self {
            status,
            content_type: "application/json",
            body: serde_json::to_string(value).unwrap_or_default(),
            retry_after: None,
        }
    }

    fn error(status: u16, code: &str, message: &str) -> Self {
        Self::json(
            status,
            &ApiError {
                error: ErrorBody {
                    code: code.to_owned(),
                    message: message.to_owned(),
                    request_id: None,
                },
            },
        )
    }
}

async fn read_request(stream: &mut BufReader<TcpStream>) -> std::io::Result<Request> {
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut length = 0usize;
    let mut bearer = None;
    loop {
        let mut header = String::new();
        if stream.read_line(&mut header).await? == 0 {
            break;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = value.parse().unwrap_or(0),
            "authorization" => bearer = value.strip_prefix("Bearer ").map(str::to_owned),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await?;
    Ok(Request {
        method,
        path,
        bearer,
        body,
    })
}

async fn serve(stream: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let mut stream = BufReader::new(stream);
    let request = read_request(&mut stream).await?;
    let answer = {
        let mut state = lock(&state);
        state
            .requests
            .push(format!("{} {}", request.method, request.path));
        if state.hang {
            None
        } else if let Some(canned) = &state.canned {
            Some(Answer {
                status: canned.status,
                content_type: canned.content_type,
                body: canned.body.clone(),
                retry_after: None,
            })
        } else {
            Some(route(&mut state, &request))
        }
    };
    let Some(answer) = answer else {
        // Silence until the client gives up.
        tokio::time::sleep(std::time::Duration::from_secs(300)).await;
        return Ok(());
    };
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        answer.status,
        reason(answer.status),
        answer.content_type,
        answer.body.len()
    );
    if let Some(seconds) = answer.retry_after {
        head.push_str(&format!("Retry-After: {seconds}\r\n"));
    }
    head.push_str("\r\n");
    let stream = stream.get_mut();
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(answer.body.as_bytes()).await?;
    stream.shutdown().await
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

fn identity(state: &State, device: &Device) -> Identity {
    Identity {
        user: UserInfo {
            id: "0190f3c2-0000-7000-8000-0000000000a1".to_owned(),
            email: EMAIL.to_owned(),
            name: NAME.to_owned(),
        },
        device: DeviceInfo {
            id: device.id.clone(),
            name: device.name.clone(),
            created_at: device.created_at.clone(),
        },
        workspaces: state.workspaces.clone(),
        server: ServerInfo {
            name: "plumbline-server".to_owned(),
            version: "0.1.0-fake".to_owned(),
            api: state.api,
        },
    }
}

/// The device of a Bearer token, or the 401 the API answers.
fn device_of<'a>(state: &'a mut State, request: &Request) -> Result<&'a mut Device, Answer> {
    let unknown = || Answer::error(401, "bad_token", "unknown device token: sign in again");
    let token = request.bearer.as_deref().ok_or_else(unknown)?;
    let device = state.tokens.get_mut(token).ok_or_else(unknown)?;
    if device.revoked {
        return Err(Answer::error(
            401,
            "revoked",
            "this device's token was revoked: sign in again",
        ));
    }
    Ok(device)
}

fn route(state: &mut State, request: &Request) -> Answer {
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", HEALTH_PATH) => Answer {
            status: 200,
            content_type: "text/plain",
            body: "ok".to_owned(),
            retry_after: None,
        },
        ("POST", SIGN_IN_PATH) => {
            if let Some(seconds) = state.rate_limit {
                let mut answer = Answer::error(
                    429,
                    "rate_limited",
                    "too many sign-in attempts: try again later",
                );
                answer.retry_after = Some(seconds);
                return answer;
            }
            let Ok(body) = serde_json::from_slice::<SignInBody>(&request.body) else {
                return Answer::error(400, "bad_request", "the body is not a sign-in request");
            };
            if body.email != EMAIL || body.password != PASSWORD {
                return Answer::error(401, "bad_credentials", "wrong e-mail address or password");
            }
            let mut random = [0u8; 24];
            if getrandom::getrandom(&mut random).is_err() {
                return Answer::error(500, "internal", "no randomness");
            }
            let token = format!("plt_{}", hex::encode(random));
            let device = Device {
                id: uuid::Uuid::now_v7().to_string(),
                name: body.device_name,
                created_at: crate::store::timestamp(chrono::Utc::now()),
                revoked: false,
            };
            let signed_in = SignedIn {
                token: token.clone(),
                identity: identity(state, &device),
            };
            state.tokens.insert(token, device);
            Answer::json(200, &signed_in)
        }
        ("POST", BLOBS_UPLOAD_PATH) => {
            if let Err(answer) = device_of(state, request) {
                return answer;
            }
            let bundle = zstd::bulk::decompress(&request.body, 1 << 26)
                .ok()
                .and_then(|json| serde_json::from_slice::<BlobBundle>(&json).ok());
            let Some(bundle) = bundle else {
                return Answer::error(400, "bad_request", "the bundle is not zstd-compressed JSON");
            };
            let engine = base64::engine::general_purpose::STANDARD;
            for entry in bundle.blobs {
                let Ok(data) = base64::Engine::decode(&engine, &entry.data) else {
                    return Answer::error(400, "bad_request", "a blob is not base64");
                };
                state.blobs.insert(entry.sha256, data);
            }
            Answer {
                status: 204,
                content_type: "text/plain",
                body: String::new(),
                retry_after: None,
            }
        }
        ("GET", ME_PATH) => match device_of(state, request) {
            Ok(device) => {
                let device = Device {
                    id: device.id.clone(),
                    name: device.name.clone(),
                    created_at: device.created_at.clone(),
                    revoked: false,
                };
                Answer::json(200, &identity(state, &device))
            }
            Err(answer) => answer,
        },
        ("POST", SIGN_OUT_PATH) => match device_of(state, request) {
            Ok(device) => {
                device.revoked = true;
                Answer {
                    status: 204,
                    content_type: "text/plain",
                    body: String::new(),
                    retry_after: None,
                }
            }
            Err(answer) => answer,
        },
        _ => Answer::error(404, "not_found", "no such endpoint"),
    }
}

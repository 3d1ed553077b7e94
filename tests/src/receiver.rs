//! A webhook receiver on loopback for the delivery tests: it records every request
//! (headers and body) and answers as the test says — up, down (503), throttling (429
//! with or without `Retry-After`), refusing (400) or gone (410).

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

/// How the receiver answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// 200 (or the given 2xx status, Teams Workflows answer 202).
    Up(u16),
    /// 503.
    Down,
    /// 429, with `Retry-After: N` when given.
    Throttling(Option<u64>),
    /// 400 `invalid_payload`.
    Refusing,
    /// 410.
    Gone,
    /// Records the request and answers nothing for this long (then 200): a sender killed
    /// meanwhile never learns whether it arrived.
    Hang(std::time::Duration),
}

/// One request as received, with the status it was answered.
#[derive(Clone, Debug)]
pub struct Received {
    /// When it arrived.
    pub at: std::time::Instant,
    /// The request's path.
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub status: u16,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

#[derive(Default)]
struct Inner {
    mode: Option<Mode>,
    received: Vec<Received>,
}

/// The receiver; stops when dropped.
pub struct Receiver {
    inner: Arc<Mutex<Inner>>,
    port: u16,
    task: tokio::task::JoinHandle<()>,
}

async fn receive(
    State(inner): State<Arc<Mutex<Inner>>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (status, retry_after, text, hang) = {
        let mut inner = match inner.lock() {
            Ok(inner) => inner,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mode = inner.mode.clone().unwrap_or(Mode::Up(200));
        let (status, retry_after, text, hang) = match mode {
            Mode::Up(status) => (status, None, "ok", None),
            Mode::Down => (503, None, "down for maintenance", None),
            Mode::Throttling(after) => (429, after, "rate_limited", None),
            Mode::Refusing => (400, None, "invalid_payload", None),
            Mode::Gone => (410, None, "no_service", None),
            // Recorded as unanswered (0): the sender never saw an answer.
            Mode::Hang(wait) => (0, None, "ok", Some(wait)),
        };
        inner.received.push(Received {
            at: std::time::Instant::now(),
            path: uri.path().to_owned(),
            headers,
            body: body.to_vec(),
            status,
        });
        (status, retry_after, text, hang)
    };
    if let Some(wait) = hang {
        tokio::time::sleep(wait).await;
    }
    let mut response =
        (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), text).into_response();
    if let Some(after) = retry_after {
        response.headers_mut().insert(
            "retry-after",
            after.to_string().parse().expect("a header value"),
        );
    }
    response
}

impl Receiver {
    pub async fn start() -> anyhow::Result<Self> {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let app = Router::new()
            .route("/{*path}", post(receive))
            .with_state(inner.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { inner, port, task })
    }

    /// `http://127.0.0.1:PORT/path`.
    pub fn url(&self, path: &str) -> String {
        format!(
            "http://127.0.0.1:{}/{}",
            self.port,
            path.trim_start_matches('/')
        )
    }

    pub fn set(&self, mode: Mode) {
        self.lock().mode = Some(mode);
    }

    /// Every request so far.
    pub fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    /// The requests answered 2xx.
    pub fn accepted(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| (200..300).contains(&r.status))
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(inner) => inner,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

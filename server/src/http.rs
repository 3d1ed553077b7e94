//! The HTTP face of the server: the routes of `plumbline_wire`, each a few
//! lines over [`Auth`].
//!
//! Invariants:
//! - Every error answer, including unknown paths, wrong methods and bodies that are not
//!   the expected JSON, is an [`ApiError`] body with a stable code.
//! - Internal failures are logged with their cause and answered with a message that
//!   gives nothing away.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use plumbline_wire::{
    ApiError, ErrorBody, Identity, SignInBody, HEALTH_PATH, ME_PATH, READY_PATH, SIGN_IN_PATH,
    SIGN_OUT_PATH,
};
use serde::de::DeserializeOwned;

use crate::accounts::{Device, User};
use crate::auth::{Auth, AuthError};

/// The largest request body accepted; sign-in bodies are a few hundred bytes.
const MAX_BODY_BYTES: usize = 16 * 1024;

/// The server's routes over `auth`.
pub fn router(auth: Auth) -> Router {
    Router::new()
        .route(HEALTH_PATH, get(healthz))
        .route(READY_PATH, get(readyz))
        .route(SIGN_IN_PATH, post(sign_in))
        .route(SIGN_OUT_PATH, post(sign_out))
        .route(ME_PATH, get(me))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
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
    JsonBody(body): JsonBody<SignInBody>,
) -> Result<impl IntoResponse, Failure> {
    let signed_in = auth.sign_in(body).await?;
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

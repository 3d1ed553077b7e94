//! Reading tenants from Microsoft Graph (`../shared/design/GRAPH.md`).
//!
//! - [`GraphClient`]: one per process. It holds the HTTP client, the token cache (per
//!   cloud, tenant and client id, renewed shortly before expiry) and the concurrency
//!   limits: a global one and one per tenant, so an MSP capturing hundreds of tenants stays
//!   inside Intune's per-tenant budget and Graph's per-app one.
//! - [`TenantSession`]: one tenant's reads through that client, with its request count.
//!   Every request has a deadline; 429, 503 and 504 are retried after `Retry-After`, or
//!   with exponential backoff and full jitter when there is none; other errors are not.
//!   Paging follows `@odata.nextLink` verbatim; `$batch` re-sends throttled sub-requests
//!   and follows their next links.
//! - [`capture::capture_tenant`]: every kind of the registry from its endpoint, with
//!   its children from where Graph really returns them; a kind that fails is recorded as
//!   failed, the rest is kept.
//! - [`diagnose::test_connection`]: what works and what to do about what does not.
//!
//! Secrets never leave this module except in the token request's body: they are not in
//! errors, logs or captures.

pub mod assertion;
pub mod capture;
pub mod diagnose;
mod http;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use http::{GraphClient, Limits, RetryPolicy, TenantSession};

/// A Microsoft cloud: where tokens come from and where Graph answers. Tokens do not cross
/// clouds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cloud {
    /// The global service (and GCC).
    Global,
    /// US Government GCC High.
    UsGovHigh,
    /// US Government DoD.
    UsGovDod,
    /// Microsoft Azure operated by 21Vianet (China).
    China,
    /// Another endpoint pair, as a test or demo Graph offers (both hosts on one base URL
    /// or two).
    Custom { login: String, graph: String },
}

impl Cloud {
    /// The login host's base URL.
    pub fn login_base(&self) -> &str {
        match self {
            Self::Global => "https://login.microsoftonline.com",
            Self::UsGovHigh | Self::UsGovDod => "https://login.microsoftonline.us",
            Self::China => "https://login.partner.microsoftonline.cn",
            Self::Custom { login, .. } => login.trim_end_matches('/'),
        }
    }

    /// Graph's base URL (the scope is `{graph}/.default`).
    pub fn graph_base(&self) -> &str {
        match self {
            Self::Global => "https://graph.microsoft.com",
            Self::UsGovHigh => "https://graph.microsoft.us",
            Self::UsGovDod => "https://dod-graph.microsoft.us",
            Self::China => "https://microsoftgraph.chinacloudapi.cn",
            Self::Custom { graph, .. } => graph.trim_end_matches('/'),
        }
    }

    /// `global`, `usgov-high`, `usgov-dod`, `china`, or a custom base URL.
    pub fn as_text(&self) -> String {
        match self {
            Self::Global => "global".to_owned(),
            Self::UsGovHigh => "usgov-high".to_owned(),
            Self::UsGovDod => "usgov-dod".to_owned(),
            Self::China => "china".to_owned(),
            Self::Custom { login, graph } if login == graph => login.clone(),
            Self::Custom { login, graph } => format!("{login} {graph}"),
        }
    }

    /// Reads [`Cloud::as_text`]'s forms; a custom endpoint is an `http(s)://` base URL
    /// (one for both hosts, or the login and Graph URLs separated by a space).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        Ok(match text.to_ascii_lowercase().as_str() {
            "global" | "public" | "gcc" | "" => Self::Global,
            "usgov-high" | "gcc-high" | "gcchigh" | "usgov" => Self::UsGovHigh,
            "usgov-dod" | "dod" => Self::UsGovDod,
            "china" | "21vianet" => Self::China,
            _ => {
                let parts: Vec<&str> = text.split_whitespace().collect();
                let url = |p: &str| p.starts_with("https://") || p.starts_with("http://");
                match parts.as_slice() {
                    [one] if url(one) => Self::Custom {
                        login: one.trim_end_matches('/').to_owned(),
                        graph: one.trim_end_matches('/').to_owned(),
                    },
                    [login, graph] if url(login) && url(graph) => Self::Custom {
                        login: login.trim_end_matches('/').to_owned(),
                        graph: graph.trim_end_matches('/').to_owned(),
                    },
                    _ => {
                        return Err(format!(
                        "{text:?} is not a cloud: use global (also GCC), usgov-high, usgov-dod, \
                             china, or the base URL of a test Graph"
                    ))
                    }
                }
            }
        })
    }
}

/// How the app proves who it is.
#[derive(Clone)]
pub enum Credential {
    /// A client secret (the value, not its id).
    Secret(String),
    /// A certificate uploaded to the app registration, and its private key: better than a
    /// secret (GRAPH.md).
    Certificate(assertion::CertificateCredential),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Secret(_) => f.write_str("Secret(…)"),
            Self::Certificate(certificate) => certificate.fmt(f),
        }
    }
}

/// An app registration and its credential.
#[derive(Clone, Debug)]
pub struct AppCredentials {
    pub client_id: String,
    pub credential: Credential,
}

/// What to read: a customer tenant, through an app, in a cloud.
#[derive(Clone, Debug)]
pub struct Target {
    /// The customer's Entra tenant id.
    pub tenant: String,
    pub app: AppCredentials,
    pub cloud: Cloud,
}

impl Target {
    /// The page an admin of the customer opens to consent to the app.
    pub fn admin_consent_url(&self) -> String {
        format!(
            "{}/{}/adminconsent?client_id={}",
            self.cloud.login_base(),
            self.tenant,
            self.app.client_id
        )
    }
}

/// Why a Graph read failed, in terms a person can act on ([`GraphError::explain`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// The token endpoint refused: its AADSTS code and description.
    #[error("{}", explain_sign_in(*code, description))]
    SignIn { code: u32, description: String },
    /// Graph answered with an error that is not retried (or kept failing).
    #[error("{}", explain_http(*status, code, message))]
    Http {
        status: u16,
        code: String,
        message: String,
    },
    /// Still throttled or unavailable after every retry.
    #[error("Microsoft Graph kept answering {status} (throttled or unavailable) after {attempts} attempts; the next capture will try again")]
    GaveUp { status: u16, attempts: u32 },
    /// No answer: network, DNS, TLS, or the deadline passed.
    #[error(
        "no answer from {host}: {reason}; check the network and the cloud chosen for this tenant"
    )]
    Network { host: String, reason: String },
    /// An answer that is not what Graph sends.
    #[error(
        "Microsoft Graph sent an answer that cannot be read ({0}); the next capture will try again"
    )]
    Malformed(String),
    /// A read that came back incomplete (fewer settings than the policy says it has).
    #[error("{0}")]
    Incomplete(String),
    /// The certificate or its key cannot be used.
    #[error("the app's certificate cannot be used: {0}")]
    Credential(String),
}

impl GraphError {
    /// True when the tenant has no Intune licence (every device-management call says so).
    pub fn is_not_licensed(&self) -> bool {
        matches!(self, Self::Http { status: 400, message, .. }
            if message.contains("Request not applicable to target tenant"))
    }

    /// The permissions Graph says are missing, when it is a permission problem.
    pub fn missing_permission(&self) -> Option<String> {
        match self {
            Self::Http {
                status: 403,
                message,
                code,
            } => {
                if let Some((_, scopes)) =
                    message.split_once("must have one of the following scopes: ")
                {
                    let scopes = scopes.split(" - ").next().unwrap_or(scopes);
                    Some(scopes.trim().trim_end_matches('.').to_owned())
                } else if code == "Authorization_RequestDenied" {
                    Some("the directory read permission for this endpoint".to_owned())
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

/// The AADSTS codes people meet, in words that say what to do (branching on codes, not
/// on the description's text).
fn explain_sign_in(code: u32, description: &str) -> String {
    let first_sentence = description
        .split(" Trace ID:")
        .next()
        .unwrap_or(description)
        .trim();
    match code {
        700016 => "the app is not consented in this tenant (AADSTS700016): an administrator of the customer must grant admin consent (Test connection shows the link)".to_owned(),
        7000215 => "the client secret is wrong (AADSTS7000215): paste the secret's Value, not its ID, from Certificates & secrets of the app registration".to_owned(),
        7000222 => "the client secret has expired (AADSTS7000222): create a new secret under Certificates & secrets of the app registration and save it here".to_owned(),
        700027 => "the certificate's signature was not accepted (AADSTS700027): upload the certificate to the app registration or choose the matching one".to_owned(),
        90002 => "the tenant was not found (AADSTS90002): check the Entra tenant id and the cloud (a GCC High or China tenant is not in the global cloud)".to_owned(),
        500011 => "the app is not known in this cloud (AADSTS500011): check the cloud chosen for this tenant".to_owned(),
        53003 => "a Conditional Access policy of the tenant blocked the sign-in (AADSTS53003): exclude the app's service principal or allow this location".to_owned(),
        _ => format!("sign-in refused (AADSTS{code}): {first_sentence}"),
    }
}

/// Graph's error message for a person: Intune's serialised JSON unwrapped, support ids
/// left out.
pub fn readable_message(message: &str) -> String {
    let inner = serde_json::from_str::<serde_json::Value>(message)
        .ok()
        .and_then(|v| v.get("Message").and_then(|m| m.as_str()).map(str::to_owned))
        .unwrap_or_else(|| message.to_owned());
    inner
        .split(" - Operation ID")
        .next()
        .unwrap_or(&inner)
        .trim()
        .to_owned()
}

fn explain_http(status: u16, code: &str, message: &str) -> String {
    let readable = readable_message(message);
    if status == 400 && readable.contains("Request not applicable to target tenant") {
        return "Intune is not available in this tenant (no Intune licence): its device-management settings cannot be read".to_owned();
    }
    if status == 403 {
        if readable.contains("scp or roles claim") {
            return "the app has no application permissions in this tenant: grant the read permissions (DeviceManagementConfiguration.Read.All and the others Test connection lists) and consent again".to_owned();
        }
        if let Some((_, scopes)) = readable.split_once("must have one of the following scopes: ") {
            return format!(
                "permission missing: the app needs {} (add it as an application permission and grant admin consent again)",
                scopes.trim().trim_end_matches('.')
            );
        }
        return format!("permission missing ({code}): {readable}");
    }
    if status == 401 {
        return format!("the token was refused ({code}): {readable}");
    }
    format!("Microsoft Graph answered {status} {code}: {readable}")
}

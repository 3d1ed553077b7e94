//! Sending one delivery over HTTP (ALERTS.md, "Delivery guarantees"): the body for the
//! destination's kind, Standard Webhooks signatures for generic webhooks, addresses
//! checked against SSRF before connecting (and pinned, so a second DNS answer cannot
//! point elsewhere), and the answer classified: sent, retry (408, 429, 5xx, timeouts,
//! connection failures; `Retry-After` honoured), failed for good (other 4xx), gone (410:
//! the destination is disabled).

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::email::{self, EmailSettings};
use super::format;
use super::signing::{self, WebhookSecret};
use super::AlertMessage;

/// The kinds of destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DestinationKind {
    /// Any HTTPS endpoint: JSON signed per the Standard Webhooks spec.
    Webhook,
    /// A Microsoft Teams Workflows URL: an Adaptive Card.
    Teams,
    /// A Slack incoming webhook.
    Slack,
    /// PagerDuty Events API v2.
    Pagerduty,
    /// E-mail through an SMTP relay (TLS required unless an admin allows a private relay).
    Email,
}

impl DestinationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Teams => "teams",
            Self::Slack => "slack",
            Self::Pagerduty => "pagerduty",
            Self::Email => "email",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "webhook" => Some(Self::Webhook),
            "teams" => Some(Self::Teams),
            "slack" => Some(Self::Slack),
            "pagerduty" => Some(Self::Pagerduty),
            "email" => Some(Self::Email),
            _ => None,
        }
    }
}

/// PagerDuty's Events API v2 endpoint.
pub const PAGERDUTY_EVENTS_URL: &str = "https://events.pagerduty.com/v2/enqueue";

/// What a destination needs to be reached: kept in the keychain, never in the database,
/// never logged (its `Debug` hides everything but the host).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationSecret {
    pub url: String,
    /// Webhooks: the signing secrets (`whsec_…`), newest first; during a rotation the
    /// old one is kept and every message carries both signatures.
    #[serde(default)]
    pub signing_secrets: Vec<String>,
    /// PagerDuty: the integration's routing key.
    #[serde(default)]
    pub routing_key: Option<String>,
    /// E-mail: sender, recipients, SMTP credentials and TLS; `url` is the relay
    /// (`smtp://…` or `smtps://…`).
    #[serde(default)]
    pub email: Option<EmailSettings>,
}

impl std::fmt::Debug for DestinationSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DestinationSecret")
            .field("host", &host_of(&self.url).unwrap_or_default())
            .finish_non_exhaustive()
    }
}

/// The host of `url`, for people (the rest of a URL may be a secret).
pub fn host_of(url: &str) -> Option<String> {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
}

/// Why a destination's settings are refused; the message says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DestinationError(pub String);

/// Checks a destination's settings before they are stored.
pub fn check_destination(
    kind: DestinationKind,
    secret: &DestinationSecret,
    allow_private: bool,
) -> Result<(), DestinationError> {
    if kind == DestinationKind::Email {
        let relay = email::check(&secret.url, secret.email.as_ref(), allow_private)?;
        if let Ok(ip) = relay.host.parse::<IpAddr>() {
            if !allow_private && !is_public(ip) {
                return Err(private_refusal(ip));
            }
        }
        return Ok(());
    }
    let url = reqwest::Url::parse(&secret.url)
        .map_err(|e| DestinationError(format!("{:?} is not a URL: {e}", host_or(&secret.url))))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => {
            return Err(DestinationError(
                "use an https:// URL (plain http is only for private destinations an admin allows)"
                    .to_owned(),
            ))
        }
        other => {
            return Err(DestinationError(format!(
                "{other}: URLs are not supported: use https://"
            )))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(DestinationError("the URL names no host".to_owned()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(DestinationError(
            "put credentials in the destination's secret, not in the URL".to_owned(),
        ));
    }
    match kind {
        DestinationKind::Teams if format::is_retired_teams_url(&secret.url) => {
            return Err(DestinationError(format::TEAMS_RETIRED_HELP.to_owned()));
        }
        DestinationKind::Webhook => {
            if secret.signing_secrets.is_empty() {
                return Err(DestinationError(
                    "a webhook needs a signing secret (whsec_…): let Plumbline make one".to_owned(),
                ));
            }
            for text in &secret.signing_secrets {
                WebhookSecret::parse(text).map_err(|e| DestinationError(e.to_string()))?;
            }
        }
        DestinationKind::Pagerduty
            if secret
                .routing_key
                .as_deref()
                .is_none_or(|k| k.trim().is_empty()) =>
        {
            return Err(DestinationError(
                "PagerDuty needs the routing key of an Events API v2 integration".to_owned(),
            ));
        }
        _ => {}
    }
    if let Some(ip) = literal_ip(&url) {
        if !allow_private && !is_public(ip) {
            return Err(private_refusal(ip));
        }
    }
    Ok(())
}

fn host_or(url: &str) -> String {
    host_of(url).unwrap_or_else(|| "the URL".to_owned())
}

fn literal_ip(url: &reqwest::Url) -> Option<IpAddr> {
    let host = url.host_str()?;
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

fn private_refusal(ip: IpAddr) -> DestinationError {
    DestinationError(format!(
        "{ip} is a private, loopback or link-local address: destinations there are refused \
         unless an admin allows private destinations for this one (--allow-private)"
    ))
}

/// True for addresses on the public internet: not loopback, private, link-local,
/// carrier-grade NAT, unique-local, multicast, documentation or unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// How an attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    Sent,
    /// Worth trying again (408, 429, 5xx, timeouts, connection failures).
    Retry,
    /// The destination refused this message for good (another 4xx, a refused address).
    Failed,
    /// 410: the destination no longer exists; it is disabled.
    Gone,
}

impl AttemptOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Retry => "retry",
            Self::Failed => "failed",
            Self::Gone => "gone",
        }
    }
}

/// One attempt's result, as the delivery log keeps it.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    pub outcome: AttemptOutcome,
    pub status: Option<u16>,
    pub latency: Duration,
    pub error: Option<String>,
    /// The destination's `Retry-After`, when it sent one.
    pub retry_after: Option<Duration>,
}

/// The longest a single attempt may take.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);
/// The longest `Retry-After` Plumbline honours (longer ones are cut to this).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3_600);

/// A request's body and headers.
pub type Request = (Vec<u8>, Vec<(&'static str, String)>);

/// The request body and headers for `message` to a destination of `kind`.
pub fn request_for(
    kind: DestinationKind,
    secret: &DestinationSecret,
    message: &AlertMessage,
    now_unix: i64,
) -> Result<Request, DestinationError> {
    let body = match kind {
        DestinationKind::Webhook => format::generic_webhook(message),
        DestinationKind::Teams => format::teams(message),
        DestinationKind::Slack => format::slack(message),
        DestinationKind::Pagerduty => {
            format::pagerduty(message, secret.routing_key.as_deref().unwrap_or_default())
        }
        DestinationKind::Email => {
            return Err(DestinationError(
                "an e-mail destination is not an HTTP request".to_owned(),
            ))
        }
    };
    let body = serde_json::to_vec(&body).map_err(|e| DestinationError(e.to_string()))?;
    let mut headers = vec![("content-type", "application/json".to_owned())];
    if kind == DestinationKind::Webhook {
        let mut secrets = Vec::new();
        for text in &secret.signing_secrets {
            secrets.push(WebhookSecret::parse(text).map_err(|e| DestinationError(e.to_string()))?);
        }
        let refs: Vec<&WebhookSecret> = secrets.iter().collect();
        headers.extend(signing::headers(&refs, &message.event_id, now_unix, &body));
    }
    Ok((body, headers))
}

/// Resolves the URL's host and refuses private addresses unless allowed; the addresses
/// to connect to (pinned for the request).
async fn resolve(
    host: &str,
    port: u16,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, DestinationError> {
    let literal = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .ok();
    let addrs: Vec<SocketAddr> = match literal {
        Some(ip) => vec![SocketAddr::new(ip, port)],
        None => tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| DestinationError(format!("cannot resolve {host}: {e}")))?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(DestinationError(format!("{host} has no address")));
    }
    if !allow_private {
        if let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
            return Err(private_refusal(bad.ip()));
        }
    }
    Ok(addrs)
}

/// Sends `message` once and classifies the answer. Never returns an error: a failure is
/// an attempt with its reason.
pub async fn send(
    kind: DestinationKind,
    secret: &DestinationSecret,
    allow_private: bool,
    message: &AlertMessage,
    now_unix: i64,
) -> Attempt {
    let started = Instant::now();
    let failed = |outcome, error: String| Attempt {
        outcome,
        status: None,
        latency: started.elapsed(),
        error: Some(error),
        retry_after: None,
    };
    if let Err(error) = check_destination(kind, secret, allow_private) {
        return failed(AttemptOutcome::Failed, error.0);
    }
    if kind == DestinationKind::Email {
        return send_email(secret, allow_private, message, now_unix).await;
    }
    let url = match reqwest::Url::parse(&secret.url) {
        Ok(url) => url,
        Err(e) => return failed(AttemptOutcome::Failed, e.to_string()),
    };
    let addrs = match resolve(
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or(443),
        allow_private,
    )
    .await
    {
        Ok(addrs) => addrs,
        // A name that does not resolve may be a passing DNS failure; a refused address is not.
        Err(error) if error.0.starts_with("cannot resolve") => {
            return failed(AttemptOutcome::Retry, error.0)
        }
        Err(error) => return failed(AttemptOutcome::Failed, error.0),
    };
    let (body, headers) = match request_for(kind, secret, message, now_unix) {
        Ok(request) => request,
        Err(error) => return failed(AttemptOutcome::Failed, error.0),
    };
    let host = url.host_str().unwrap_or_default().to_owned();
    let client = match reqwest::Client::builder()
        .timeout(ATTEMPT_TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .resolve_to_addrs(&host, &addrs)
        .user_agent(concat!("Plumbline/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(client) => client,
        Err(e) => return failed(AttemptOutcome::Retry, format!("cannot make a client: {e}")),
    };
    let mut request = client.post(url).body(body);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    match request.send().await {
        Err(error) => {
            // Never the URL: it may be the secret (Slack, Teams).
            let what = if error.is_timeout() {
                format!(
                    "no answer from {host} within {} s",
                    ATTEMPT_TIMEOUT.as_secs()
                )
            } else if error.is_connect() {
                format!("cannot connect to {host}")
            } else {
                format!("the request to {host} failed")
            };
            failed(AttemptOutcome::Retry, what)
        }
        Ok(response) => {
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let text = response.text().await.unwrap_or_default();
            let outcome = classify(status);
            let error = (outcome != AttemptOutcome::Sent).then(|| {
                let excerpt: String = text.chars().take(200).collect();
                if excerpt.trim().is_empty() {
                    format!("{host} answered {status}")
                } else {
                    format!("{host} answered {status}: {}", excerpt.trim())
                }
            });
            Attempt {
                outcome,
                status: Some(status),
                latency: started.elapsed(),
                error,
                retry_after,
            }
        }
    }
}

/// One e-mail attempt: the relay resolved and checked like a webhook's host, then SMTP.
async fn send_email(
    secret: &DestinationSecret,
    allow_private: bool,
    message: &AlertMessage,
    now_unix: i64,
) -> Attempt {
    let failed = |outcome, error: String| Attempt {
        outcome,
        status: None,
        latency: Duration::ZERO,
        error: Some(error),
        retry_after: None,
    };
    let Some(settings) = secret.email.as_ref() else {
        return failed(
            AttemptOutcome::Failed,
            "the destination has no e-mail settings".to_owned(),
        );
    };
    let relay = match email::check(&secret.url, Some(settings), allow_private) {
        Ok(relay) => relay,
        Err(error) => return failed(AttemptOutcome::Failed, error.0),
    };
    let addrs = match resolve(&relay.host, relay.port, allow_private).await {
        Ok(addrs) => addrs,
        Err(error) if error.0.starts_with("cannot resolve") => {
            return failed(AttemptOutcome::Retry, error.0)
        }
        Err(error) => return failed(AttemptOutcome::Failed, error.0),
    };
    let mail = match email::build(settings, message, now_unix) {
        Ok(mail) => mail,
        Err(error) => return failed(AttemptOutcome::Failed, error.0),
    };
    email::send(&relay, settings, &addrs, &mail).await
}

/// What an HTTP status means for a delivery.
pub fn classify(status: u16) -> AttemptOutcome {
    match status {
        200..=299 => AttemptOutcome::Sent,
        408 | 425 | 429 | 500..=599 => AttemptOutcome::Retry,
        410 => AttemptOutcome::Gone,
        _ => AttemptOutcome::Failed,
    }
}

/// `Retry-After` as seconds or an HTTP date, capped at [`MAX_RETRY_AFTER`].
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    let wait = if let Ok(seconds) = value.parse::<u64>() {
        Duration::from_secs(seconds)
    } else {
        let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
        let seconds = (at.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
        Duration::from_secs(u64::try_from(seconds).unwrap_or(0))
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// The first retry waits up to this long; each further one doubles it, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_secs(30);
pub const MAX_BACKOFF: Duration = Duration::from_secs(3_600);

/// The wait before retry number `attempt` (1 after the first failure): "full jitter", a
/// uniform draw between zero and the capped exponential, so that many deliveries failing
/// together do not come back together. `unit` is a number in [0, 1). A `Retry-After`
/// replaces the draw (never shorter than a second).
pub fn backoff(attempt: u32, retry_after: Option<Duration>, unit: f64) -> Duration {
    if let Some(wait) = retry_after {
        return wait.max(Duration::from_secs(1)).min(MAX_RETRY_AFTER);
    }
    let cap = FIRST_BACKOFF
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
        .min(MAX_BACKOFF);
    let wait = cap.mul_f64(unit.clamp(0.0, 1.0));
    wait.max(Duration::from_secs(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified_as_the_design_says() {
        for status in [200, 202, 204] {
            assert_eq!(classify(status), AttemptOutcome::Sent);
        }
        for status in [408, 429, 500, 502, 503, 504] {
            assert_eq!(classify(status), AttemptOutcome::Retry, "{status}");
        }
        for status in [400, 401, 403, 404, 413, 422] {
            assert_eq!(classify(status), AttemptOutcome::Failed, "{status}");
        }
        assert_eq!(classify(410), AttemptOutcome::Gone);
        assert_eq!(
            classify(302),
            AttemptOutcome::Failed,
            "redirects are not followed"
        );
    }

    #[test]
    fn backoff_is_full_jitter_capped_and_retry_after_wins() {
        assert_eq!(backoff(1, None, 0.999_999).as_secs(), 29);
        assert_eq!(backoff(2, None, 0.5), Duration::from_secs(30));
        assert_eq!(backoff(30, None, 0.5), Duration::from_secs(1_800));
        assert_eq!(backoff(3, None, 0.0), Duration::from_secs(1), "never zero");
        assert_eq!(
            backoff(1, Some(Duration::from_secs(120)), 0.1),
            Duration::from_secs(120)
        );
        assert_eq!(
            backoff(1, Some(Duration::from_secs(99_999)), 0.1),
            MAX_RETRY_AFTER
        );
        assert_eq!(parse_retry_after("17"), Some(Duration::from_secs(17)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO),
            "a date in the past: at once"
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn private_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "224.0.0.1",
        ] {
            assert!(!is_public(ip.parse().expect("ip")), "{ip}");
        }
        for ip in ["52.96.0.1", "2603:1000::1", "8.8.8.8"] {
            assert!(is_public(ip.parse().expect("ip")), "{ip}");
        }
    }

    fn secret(url: &str) -> DestinationSecret {
        DestinationSecret {
            url: url.to_owned(),
            signing_secrets: vec![WebhookSecret::generate().expect("secret").expose()],
            routing_key: Some("R0UT1NG".to_owned()),
            email: None,
        }
    }

    #[test]
    fn destinations_are_checked_before_they_are_stored() {
        let ok = |kind, url: &str, private| check_destination(kind, &secret(url), private);
        assert!(ok(
            DestinationKind::Webhook,
            "https://hooks.example.com/x",
            false
        )
        .is_ok());
        let refused =
            ok(DestinationKind::Webhook, "https://127.0.0.1:8443/x", false).expect_err("loopback");
        assert!(refused.0.contains("--allow-private"), "{refused}");
        assert!(ok(DestinationKind::Webhook, "http://127.0.0.1:8080/x", true).is_ok());
        assert!(ok(
            DestinationKind::Webhook,
            "http://hooks.example.com/x",
            false
        )
        .is_err());
        assert!(ok(DestinationKind::Webhook, "ftp://hooks.example.com/x", false).is_err());
        assert!(ok(
            DestinationKind::Webhook,
            "https://u:p@hooks.example.com/",
            false
        )
        .is_err());
        let retired = ok(
            DestinationKind::Teams,
            "https://contoso.webhook.office.com/webhookb2/abc",
            false,
        )
        .expect_err("retired connector");
        assert!(retired.0.contains("Workflows"), "{retired}");
        let mut unsigned = secret("https://hooks.example.com/x");
        unsigned.signing_secrets.clear();
        assert!(check_destination(DestinationKind::Webhook, &unsigned, false).is_err());
        let mut keyless = secret("https://events.pagerduty.com/v2/enqueue");
        keyless.routing_key = None;
        assert!(check_destination(DestinationKind::Pagerduty, &keyless, false).is_err());
    }

    #[test]
    fn a_secret_is_never_in_its_debug_text() {
        let secret = secret("https://hooks.slack.com/services/T000/B000/XXXXSECRET");
        let text = format!("{secret:?}");
        assert!(text.contains("hooks.slack.com"), "{text}");
        assert!(
            !text.contains("XXXXSECRET") && !text.contains("whsec_") && !text.contains("R0UT1NG"),
            "{text}"
        );
    }
}

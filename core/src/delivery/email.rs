//! Alert e-mail over SMTP (ALERTS.md, "Destinations"): TLS required by default — STARTTLS
//! on `smtp://` (port 587 unless given), implicit TLS on `smtps://` (465); plain SMTP only
//! to a relay an admin allows on a private address (`--allow-private`), such as the host's
//! own MTA. The relay's address is resolved and checked like a webhook's (no private
//! targets unless allowed) and the connection goes to the checked address while TLS
//! verifies the relay's name. Each message carries the event id as its `Message-ID`, so a
//! retried alert is one message for mail systems that deduplicate.

use std::net::SocketAddr;
use std::time::{Duration, Instant, UNIX_EPOCH};

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

use super::format;
use super::send::{Attempt, AttemptOutcome, DestinationError, ATTEMPT_TIMEOUT};
use super::AlertMessage;

/// How the connection to the relay is protected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS; refused when the relay does not offer it.
    #[default]
    Starttls,
    /// TLS from the first byte (`smtps://`, usually port 465).
    Tls,
    /// No TLS: only for a relay on a private address an admin allows.
    None,
}

impl SmtpSecurity {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "starttls" => Some(Self::Starttls),
            "tls" => Some(Self::Tls),
            "none" => Some(Self::None),
            _ => None,
        }
    }
}

/// An e-mail destination's settings; kept with its URL in the keychain (the password is a
/// secret, and recipients are nobody else's business).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailSettings {
    /// The sender, `alerts@msp.example` or `Plumbline <alerts@msp.example>`.
    pub from: String,
    /// One or more recipients.
    pub to: Vec<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub security: SmtpSecurity,
    /// A private CA (PEM) the relay's certificate chains to, for an internal relay; the
    /// public web roots are trusted as well.
    #[serde(default)]
    pub ca_pem: Option<String>,
}

impl std::fmt::Debug for EmailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSettings")
            .field("recipients", &self.to.len())
            .field("security", &self.security)
            .field("credentials", &self.username.is_some())
            .finish_non_exhaustive()
    }
}

/// The relay named by an `smtp://` or `smtps://` URL, and how to reach it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relay {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
}

/// Checks an e-mail destination's URL and settings.
pub fn check(
    url: &str,
    settings: Option<&EmailSettings>,
    allow_private: bool,
) -> Result<Relay, DestinationError> {
    let err = |text: &str| DestinationError(text.to_owned());
    let settings =
        settings.ok_or_else(|| err("an e-mail destination needs a sender and recipients"))?;
    let relay = relay(url, settings.security)?;
    if relay.security == SmtpSecurity::None && !allow_private {
        return Err(err(
            "plain SMTP sends alerts and passwords in clear text: use smtp:// with STARTTLS or \
             smtps://, or allow it only for a relay on your own network (--allow-private)",
        ));
    }
    mailbox(&settings.from).map_err(|e| DestinationError(format!("the sender: {e}")))?;
    if settings.to.is_empty() {
        return Err(err("name at least one recipient"));
    }
    for to in &settings.to {
        mailbox(to).map_err(|e| DestinationError(format!("a recipient: {e}")))?;
    }
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|t| t.is_empty());
    if blank(&settings.username) != blank(&settings.password) {
        return Err(err(
            "give both the SMTP user name and its password, or neither",
        ));
    }
    if let Some(pem) = &settings.ca_pem {
        ca_certificate(pem)?;
    }
    Ok(relay)
}

/// A private CA's certificate from its PEM text (one or more certificates, nothing else).
fn ca_certificate(pem: &str) -> Result<Certificate, DestinationError> {
    let refused = |why: String| {
        DestinationError(format!(
            "the relay's CA certificate must be PEM (-----BEGIN CERTIFICATE-----): {why}"
        ))
    };
    if !pem.contains("-----BEGIN CERTIFICATE-----") {
        return Err(refused("no certificate found".to_owned()));
    }
    Certificate::from_pem(pem.as_bytes()).map_err(|e| refused(e.to_string()))
}

fn relay(url: &str, security: SmtpSecurity) -> Result<Relay, DestinationError> {
    let parsed = reqwest::Url::parse(url).map_err(|_| {
        DestinationError(
            "an e-mail destination's URL is smtp://relay.example:587 (STARTTLS) or \
             smtps://relay.example:465 (TLS)"
                .to_owned(),
        )
    })?;
    let security = match parsed.scheme() {
        "smtps" => SmtpSecurity::Tls,
        "smtp" if security == SmtpSecurity::Tls => SmtpSecurity::Tls,
        "smtp" => security,
        other => {
            return Err(DestinationError(format!(
                "{other}: is not a mail relay: use smtp://relay.example:587 or smtps://relay.example:465"
            )))
        }
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(DestinationError(
            "put the SMTP user name and password in their own fields, not in the URL".to_owned(),
        ));
    }
    let host = parsed
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| DestinationError("the URL names no relay".to_owned()))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = parsed.port().unwrap_or(match security {
        SmtpSecurity::Starttls => 587,
        SmtpSecurity::Tls => 465,
        SmtpSecurity::None => 25,
    });
    Ok(Relay {
        host,
        port,
        security,
    })
}

fn mailbox(text: &str) -> Result<Mailbox, String> {
    let text = text.trim();
    text.parse::<Mailbox>()
        .map_err(|e| format!("{text:?} is not an e-mail address ({e})"))
}

/// The e-mail for `message`: subject and text from [`format::email`], the event id as
/// `Message-ID` and in `X-Plumbline-Event`, the alert's fingerprint in
/// `X-Plumbline-Alert`.
pub fn build(
    settings: &EmailSettings,
    message: &AlertMessage,
    now_unix: i64,
) -> Result<Message, DestinationError> {
    let (subject, text) = format::email(message);
    let safe_id: String = message
        .event_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    let date = UNIX_EPOCH + Duration::from_secs(u64::try_from(now_unix).unwrap_or(0));
    let mut builder = Message::builder()
        .from(mailbox(&settings.from).map_err(DestinationError)?)
        .subject(subject)
        .date(date.max(UNIX_EPOCH))
        .message_id(Some(format!("<{safe_id}@alerts.plumbline.invalid>")))
        .header(ContentType::TEXT_PLAIN);
    for to in &settings.to {
        builder = builder.to(mailbox(to).map_err(DestinationError)?);
    }
    let mut email = builder
        .body(text)
        .map_err(|e| DestinationError(format!("cannot make the e-mail: {e}")))?;
    for (name, value) in [
        ("X-Plumbline-Event", safe_id.clone()),
        (
            "X-Plumbline-Alert",
            message
                .fingerprint
                .chars()
                .filter(|c| c.is_ascii_graphic())
                .collect(),
        ),
    ] {
        email.headers_mut().insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str(name),
            value,
        ));
    }
    Ok(email)
}

/// Sends `email` to the relay at one of `addrs` (already checked) and classifies the
/// outcome: 2xx sent; 4xx replies, timeouts, refused connections and TLS failures retried;
/// 5xx replies and a relay without STARTTLS failed for good.
pub async fn send(
    relay: &Relay,
    settings: &EmailSettings,
    addrs: &[SocketAddr],
    email: &Message,
) -> Attempt {
    let started = Instant::now();
    let attempt = |outcome, status: Option<u16>, error: Option<String>| Attempt {
        outcome,
        status,
        latency: started.elapsed(),
        error,
        retry_after: None,
    };
    let tls = match tls_for(relay, settings) {
        Ok(tls) => tls,
        Err(error) => return attempt(AttemptOutcome::Failed, None, Some(error.0)),
    };
    let host = &relay.host;
    let mut last = None;
    for addr in addrs {
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(addr.ip().to_string())
                .port(addr.port())
                .timeout(Some(ATTEMPT_TIMEOUT))
                .tls(tls.clone());
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            if !user.is_empty() {
                builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
            }
        }
        let transport = builder.build();
        let sent = tokio::time::timeout(ATTEMPT_TIMEOUT * 2, transport.send(email.clone())).await;
        match sent {
            Err(_) => {
                last = Some(attempt(
                    AttemptOutcome::Retry,
                    None,
                    Some(format!(
                        "no answer from the mail relay {host} within {} s",
                        ATTEMPT_TIMEOUT.as_secs() * 2
                    )),
                ))
            }
            Ok(Ok(response)) => {
                return attempt(AttemptOutcome::Sent, Some(u16::from(response.code())), None)
            }
            Ok(Err(error)) => {
                let status = error.status().map(u16::from);
                let described = describe(host, &error);
                if error.is_transient() {
                    return attempt(AttemptOutcome::Retry, status, Some(described));
                }
                if error.is_permanent() {
                    return attempt(AttemptOutcome::Failed, status, Some(described));
                }
                if error.is_client() && !error.is_tls() {
                    // A relay without STARTTLS, or a request it cannot take: waiting
                    // does not change it.
                    return attempt(AttemptOutcome::Failed, status, Some(described));
                }
                // Connection, timeout, TLS: the next address, then a retry.
                last = Some(attempt(AttemptOutcome::Retry, status, Some(described)));
            }
        }
    }
    last.unwrap_or_else(|| {
        attempt(
            AttemptOutcome::Retry,
            None,
            Some(format!("{host} has no address")),
        )
    })
}

fn tls_for(relay: &Relay, settings: &EmailSettings) -> Result<Tls, DestinationError> {
    if relay.security == SmtpSecurity::None {
        return Ok(Tls::None);
    }
    let mut builder = TlsParameters::builder(relay.host.clone());
    if let Some(pem) = &settings.ca_pem {
        builder = builder.add_root_certificate(ca_certificate(pem)?);
    }
    let parameters = builder
        .build_rustls()
        .map_err(|e| DestinationError(format!("cannot set up TLS for {}: {e}", relay.host)))?;
    Ok(match relay.security {
        SmtpSecurity::Tls => Tls::Wrapper(parameters),
        _ => Tls::Required(parameters),
    })
}

/// The error for people: what the relay said, or what went wrong, without credentials.
fn describe(host: &str, error: &lettre::transport::smtp::Error) -> String {
    let text = error.to_string();
    if error.is_client() && text.contains("STARTTLS") {
        return format!(
            "the mail relay {host} does not offer STARTTLS, and Plumbline does not send alerts \
             in clear text: use a relay with STARTTLS, or smtps://, or plain SMTP only for a \
             relay on your own network (--smtp-security none --allow-private)"
        );
    }
    if let Some(at) = text.find("invalid peer certificate") {
        return format!(
            "TLS with the mail relay {host} failed: {}: when the relay uses a private CA, add \
             its certificate to the destination (--ca-file)",
            &text[at..]
        );
    }
    if error.is_tls() {
        return format!("TLS with the mail relay {host} failed: {text}");
    }
    if error.is_timeout() {
        return format!("no answer from the mail relay {host}");
    }
    if let Some(code) = error.status() {
        let said: String = text.chars().take(200).collect();
        return format!("the mail relay {host} answered {code}: {said}");
    }
    format!("cannot deliver to the mail relay {host}: {text}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::AlertAction;

    fn settings() -> EmailSettings {
        EmailSettings {
            from: "Plumbline <alerts@msp.example>".to_owned(),
            to: vec!["oncall@msp.example".to_owned()],
            ..EmailSettings::default()
        }
    }

    fn message() -> AlertMessage {
        AlertMessage {
            event_id: "evt1234".to_owned(),
            fingerprint: "fp-abc".to_owned(),
            action: AlertAction::Trigger,
            rule: "High findings".to_owned(),
            tenant_id: Some("t1".to_owned()),
            tenant: Some("Contoso".to_owned()),
            severity: "high".to_owned(),
            title: "BitLocker off\r\nBcc: evil@example.com".to_owned(),
            body: "Compliance policy: BitLocker required → off".to_owned(),
            raised_at: "2026-12-07T09:00:00Z".to_owned(),
            test: false,
        }
    }

    #[test]
    fn urls_choose_port_and_security() {
        let s = settings();
        let r = check("smtp://mail.msp.example", Some(&s), false).expect("ok");
        assert_eq!((r.port, r.security), (587, SmtpSecurity::Starttls));
        let r = check("smtps://mail.msp.example", Some(&s), false).expect("ok");
        assert_eq!((r.port, r.security), (465, SmtpSecurity::Tls));
        let r = check("smtp://mail.msp.example:2525", Some(&s), false).expect("ok");
        assert_eq!(r.port, 2525);
        assert!(check("https://mail.msp.example", Some(&s), false).is_err());
        assert!(check("smtp://u:p@mail.msp.example", Some(&s), false).is_err());
        assert!(check("smtp://mail.msp.example", None, false).is_err());
    }

    #[test]
    fn plain_smtp_only_when_allowed() {
        let mut s = settings();
        s.security = SmtpSecurity::None;
        let refused = check("smtp://10.0.0.5", Some(&s), false).expect_err("refused");
        assert!(refused.0.contains("clear text"), "{refused}");
        let r = check("smtp://10.0.0.5", Some(&s), true).expect("ok");
        assert_eq!((r.port, r.security), (25, SmtpSecurity::None));
    }

    #[test]
    fn addresses_and_credentials_are_checked() {
        let mut s = settings();
        s.to = vec![];
        assert!(check("smtp://m.example", Some(&s), false).is_err());
        s.to = vec!["not an address".to_owned()];
        assert!(check("smtp://m.example", Some(&s), false)
            .expect_err("refused")
            .0
            .contains("recipient"));
        let mut s = settings();
        s.username = Some("user".to_owned());
        assert!(check("smtp://m.example", Some(&s), false)
            .expect_err("refused")
            .0
            .contains("both"));
        s.password = Some("pw".to_owned());
        assert!(check("smtp://m.example", Some(&s), false).is_ok());
        s.ca_pem = Some("not pem".to_owned());
        assert!(check("smtp://m.example", Some(&s), false).is_err());
    }

    #[test]
    fn the_message_carries_ids_and_cannot_be_injected() {
        let email = build(&settings(), &message(), 1_796_634_000).expect("ok");
        let raw = String::from_utf8(email.formatted()).expect("ok");
        let head = raw.split("\r\n\r\n").next().expect("ok");
        assert!(
            head.contains("Message-ID: <evt1234@alerts.plumbline.invalid>"),
            "{head}"
        );
        assert!(head.contains("X-Plumbline-Event: evt1234"));
        assert!(head.contains("X-Plumbline-Alert: fp-abc"));
        assert!(head.contains("To: oncall@msp.example"));
        // The title's line break became a space: no Bcc header was made.
        assert!(!head.lines().any(|l| l.starts_with("Bcc")), "{head}");
        assert!(raw.contains("Contoso"));
    }
}

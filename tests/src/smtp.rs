//! A mail relay on loopback for the e-mail delivery tests: it speaks enough ESMTP for a
//! real client (EHLO, STARTTLS, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA with dot-stuffing,
//! RSET, NOOP, QUIT), offers STARTTLS or TLS from the first byte with a certificate from
//! its own test CA (made with the `openssl` tool into a scratch folder), and records every
//! command and message. It can answer a temporary failure (451) or refuse recipients (550).

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context};
use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

/// How the relay protects connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// Plain SMTP only: no STARTTLS offered.
    Plain,
    /// Plain, upgraded with STARTTLS.
    StartTls,
    /// TLS from the first byte (smtps).
    Implicit,
}

/// How the relay answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Accept,
    /// 451 to MAIL FROM: try again later.
    TempFail,
    /// 550 to every recipient.
    Reject,
}

/// One message the relay accepted.
#[derive(Clone, Debug)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent (headers and body), dot-stuffing undone.
    pub data: String,
    /// Whether it came over TLS.
    pub tls: bool,
    /// The user and password given with AUTH, if any.
    pub auth: Option<(String, String)>,
}

impl Mail {
    /// A header's value (the first one named so), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(v) = value.as_mut() {
                if line.starts_with([' ', '\t']) {
                    v.push_str(line);
                    continue;
                }
                break;
            }
            if let Some((n, v)) = line.split_once(':') {
                if n.eq_ignore_ascii_case(name) {
                    value = Some(v.trim().to_owned());
                }
            }
        }
        value
    }
}

#[derive(Default)]
struct Inner {
    answer: Option<Answer>,
    mails: Vec<Mail>,
    /// Every command of every session, in order (AUTH arguments masked).
    commands: Vec<String>,
}

/// The relay; stops when dropped. Its CA (PEM) is what a client must trust.
pub struct Relay {
    inner: Arc<Mutex<Inner>>,
    port: u16,
    pub ca_pem: String,
    task: tokio::task::JoinHandle<()>,
}

fn lock(inner: &Mutex<Inner>) -> std::sync::MutexGuard<'_, Inner> {
    match inner.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// A test CA and a certificate for `localhost` and 127.0.0.1 signed by it, in `dir`:
/// (CA PEM, server certificate PEM, server key PEM).
fn make_certificates(dir: &Path) -> anyhow::Result<(String, String, String)> {
    let run = |args: &[&str]| -> anyhow::Result<()> {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .context("run openssl (Debian package openssl)")?;
        if !out.status.success() {
            bail!(
                "openssl {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "3650",
        "-subj",
        "/CN=Plumbline test relay CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    run(&ca)?;
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    run(&csr)?;
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )?;
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "3650",
        "-extfile",
        "server.ext",
    ])?;
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).context(name.to_owned());
    Ok((read("ca.pem")?, read("server.pem")?, read("server.key")?))
}

fn acceptor(cert_pem: &str, key_pem: &str) -> anyhow::Result<TlsAcceptor> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .context("server certificate")?;
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).context("server key")?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(certs, key)?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

impl Relay {
    pub async fn start(security: Security) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let (ca_pem, cert, key) = make_certificates(dir.path())?;
        let tls = acceptor(&cert, &key)?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let inner = Arc::new(Mutex::new(Inner::default()));
        let shared = inner.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let inner = shared.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    if let Err(error) = serve(stream, security, tls, inner).await {
                        eprintln!("smtp relay: {error:#}");
                    }
                });
            }
        });
        Ok(Self {
            inner,
            port,
            ca_pem,
            task,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn set(&self, answer: Answer) {
        lock(&self.inner).answer = Some(answer);
    }

    pub fn mails(&self) -> Vec<Mail> {
        lock(&self.inner).mails.clone()
    }

    pub fn commands(&self) -> Vec<String> {
        lock(&self.inner).commands.clone()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    stream: TcpStream,
    security: Security,
    tls: TlsAcceptor,
    inner: Arc<Mutex<Inner>>,
) -> anyhow::Result<()> {
    if security == Security::Implicit {
        let stream = tls.accept(stream).await?;
        converse(stream, true, false, true, &inner).await?;
        return Ok(());
    }
    let offer = security == Security::StartTls;
    if let Some(stream) = converse(stream, false, offer, true, &inner).await? {
        let stream = tls.accept(stream).await?;
        // No greeting after a STARTTLS handshake: the client speaks first (EHLO).
        converse(stream, true, false, false, &inner).await?;
    }
    Ok(())
}

/// One SMTP conversation; `Some(stream)` when the client asked for STARTTLS (the stream
/// to upgrade, nothing buffered: the client waits for the 220 before its handshake).
async fn converse<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    tls: bool,
    offer_starttls: bool,
    greet: bool,
    inner: &Mutex<Inner>,
) -> anyhow::Result<Option<S>> {
    let mut io = BufReader::new(stream);
    if greet {
        io.write_all(b"220 relay.test ESMTP ready\r\n").await?;
    }
    let mut from = String::new();
    let mut to = Vec::new();
    let mut auth = None;
    loop {
        let mut line = String::new();
        if io.read_line(&mut line).await? == 0 {
            return Ok(None);
        }
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        let upper = line.to_ascii_uppercase();
        let masked = if upper.starts_with("AUTH") {
            "AUTH …".to_owned()
        } else {
            line.clone()
        };
        let answer = {
            let mut guard = lock(inner);
            guard.commands.push(masked);
            guard.answer.unwrap_or(Answer::Accept)
        };
        let reply: String = if upper.starts_with("EHLO") {
            let mut text = String::from("250-relay.test\r\n");
            if offer_starttls && !tls {
                text.push_str("250-STARTTLS\r\n");
            }
            text.push_str("250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n");
            text
        } else if upper.starts_with("HELO") {
            "250 relay.test\r\n".to_owned()
        } else if upper == "STARTTLS" && offer_starttls && !tls {
            io.write_all(b"220 2.0.0 ready to start TLS\r\n").await?;
            io.flush().await?;
            return Ok(Some(io.into_inner()));
        } else if upper.starts_with("AUTH PLAIN") {
            let encoded = match line.split_whitespace().nth(2) {
                Some(arg) => arg.to_owned(),
                None => {
                    io.write_all(b"334 \r\n").await?;
                    let mut arg = String::new();
                    io.read_line(&mut arg).await?;
                    arg.trim().to_owned()
                }
            };
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .unwrap_or_default();
            let parts: Vec<String> = decoded
                .split(|b| *b == 0)
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect();
            auth = (parts.len() == 3).then(|| (parts[1].clone(), parts[2].clone()));
            "235 2.7.0 authenticated\r\n".to_owned()
        } else if upper.starts_with("AUTH LOGIN") {
            let mut values = Vec::new();
            for prompt in [&b"334 VXNlcm5hbWU6\r\n"[..], &b"334 UGFzc3dvcmQ6\r\n"[..]] {
                io.write_all(prompt).await?;
                let mut arg = String::new();
                io.read_line(&mut arg).await?;
                let value = base64::engine::general_purpose::STANDARD
                    .decode(arg.trim())
                    .unwrap_or_default();
                values.push(String::from_utf8_lossy(&value).into_owned());
            }
            auth = Some((values[0].clone(), values[1].clone()));
            "235 2.7.0 authenticated\r\n".to_owned()
        } else if upper.starts_with("MAIL FROM:") {
            if answer == Answer::TempFail {
                "451 4.3.0 the relay is busy, try again later\r\n".to_owned()
            } else {
                from = angle(&line["MAIL FROM:".len()..]);
                to.clear();
                "250 2.1.0 ok\r\n".to_owned()
            }
        } else if upper.starts_with("RCPT TO:") {
            if answer == Answer::Reject {
                "550 5.1.1 no such mailbox here\r\n".to_owned()
            } else {
                to.push(angle(&line["RCPT TO:".len()..]));
                "250 2.1.5 ok\r\n".to_owned()
            }
        } else if upper == "DATA" {
            io.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            let mut data = String::new();
            loop {
                let mut part = String::new();
                if io.read_line(&mut part).await? == 0 {
                    return Ok(None);
                }
                if part == ".\r\n" || part == ".\n" {
                    break;
                }
                let part = part.strip_prefix('.').unwrap_or(&part).to_owned();
                data.push_str(&part);
            }
            let mut guard = lock(inner);
            guard.mails.push(Mail {
                from: from.clone(),
                to: to.clone(),
                data,
                tls,
                auth: auth.clone(),
            });
            format!("250 2.0.0 queued as {}\r\n", guard.mails.len())
        } else if upper == "RSET" {
            to.clear();
            "250 2.0.0 ok\r\n".to_owned()
        } else if upper == "NOOP" {
            "250 2.0.0 ok\r\n".to_owned()
        } else if upper == "QUIT" {
            io.write_all(b"221 2.0.0 bye\r\n").await?;
            io.flush().await?;
            return Ok(None);
        } else {
            "502 5.5.2 command not recognised\r\n".to_owned()
        };
        io.write_all(reply.as_bytes()).await?;
        io.flush().await?;
    }
}

fn angle(text: &str) -> String {
    let text = text.trim();
    let inner = text
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map_or(text, |(address, _)| address);
    inner.to_owned()
}

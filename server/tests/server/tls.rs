//! Postgres over TLS: the real `plumbline-server serve` against a private PostgreSQL
//! cluster that accepts TLS connections only, with a CA and server certificate made by
//! the test (`support::TlsPostgres`).
//!
//! What the modes mean with the server's client (sqlx with rustls and the webpki roots):
//! - `verify-full`: the chain must lead to `sslrootcert` and the certificate must name
//!   the host connected to. `sslrootcert` is added to the public web's roots (webpki),
//!   not used instead of them as libpq does: a publicly issued certificate for the host
//!   name is accepted too;
//! - `require`: TLS, but the certificate is not checked at all, not even with
//!   `sslrootcert` given. libpq differs here: with a root certificate file it treats
//!   `require` as `verify-ca`. So `require` protects against eavesdropping, not against
//!   someone in the middle.

use std::time::{Duration, Instant};

use sqlx::{Connection, PgConnection};

use crate::support::{self, Backend, CertificateNames, Cli, Serve, Server, TlsPostgres};

/// How long a refused `serve` may take to give up.
const REFUSAL: Duration = Duration::from_secs(30);

fn verify_full(postgres: &TlsPostgres, host: &str, ca: &std::path::Path) -> String {
    postgres.url(
        host,
        &format!("sslmode=verify-full&sslrootcert={}", ca.display()),
    )
}

/// `serve --database URL` on a free port, expecting it to listen and be ready.
async fn serve_ready(postgres: &TlsPostgres, url: &str, env: &[(&str, &str)]) -> Server {
    let mut args = vec!["--listen", "127.0.0.1:0"];
    if !url.is_empty() {
        args.extend(["--database", url]);
    }
    match support::serve_with(&args, env).await {
        Serve::Listening(server) => {
            let ready = server
                .http()
                .get(server.url("/readyz"))
                .send()
                .await
                .expect("GET /readyz");
            assert_eq!(ready.status(), 200, "/readyz over {url}");
            server
        }
        Serve::Exited(cli) => panic!(
            "serve over {url} {env:?} stopped: {cli:#?}\npostgres log:\n{}",
            postgres.log()
        ),
    }
}

/// `serve [--database URL]` with `env` on a chosen free port, expecting it to stop within
/// REFUSAL without ever listening.
async fn serve_exits(url: &str, env: &[(&str, &str)]) -> Cli {
    let port = support::free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut args = vec!["--listen", listen.as_str()];
    if !url.is_empty() {
        args.extend(["--database", url]);
    }
    let started = Instant::now();
    let cli: Cli = match support::serve_with(&args, env).await {
        Serve::Listening(server) => {
            panic!("serve over {url} {env:?} listens on {}", server.base)
        }
        Serve::Exited(cli) => cli,
    };
    assert!(
        started.elapsed() < REFUSAL,
        "serve over {url} {env:?} took {:?} to give up",
        started.elapsed()
    );
    assert!(
        std::net::TcpStream::connect(&listen).is_err(),
        "nothing listens on {listen} after the refusal"
    );
    cli
}

/// [`serve_exits`] with exit code 5 (a database problem); returns standard error.
async fn serve_refused(url: &str, env: &[(&str, &str)]) -> String {
    let cli = serve_exits(url, env).await;
    assert_eq!(cli.code, Some(5), "a database problem: {cli:#?}");
    cli.stderr
}

/// Asserts that `stderr` names a certificate problem of `kind` (rustls's words).
fn assert_certificate_refusal(stderr: &str, kind: &str) {
    assert!(
        stderr.contains("certificate") && stderr.contains(kind),
        "the error names the certificate problem ({kind}): {stderr}"
    );
    assert!(
        stderr.contains("cannot open the database"),
        "the error says what failed: {stderr}"
    );
    assert!(
        stderr.contains("ssl_root_cert") && stderr.contains("host name"),
        "the error says what to check (the CA file, the host name): {stderr}"
    );
}

/// The test's own look at the cluster (over verify-full): how many client backends other
/// than its own use TLS, and how many do not.
async fn backends_by_tls(postgres: &TlsPostgres) -> (i64, i64, Vec<String>) {
    let url = verify_full(postgres, "localhost", &postgres.ca);
    let mut connection = PgConnection::connect(&url)
        .await
        .expect("the test connects over verify-full");
    let (with, without): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl) \
         FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) \
         WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()",
    )
    .fetch_one(&mut connection)
    .await
    .expect("read pg_stat_ssl");
    let versions: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT s.version FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) \
         WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid() AND s.ssl",
    )
    .fetch_all(&mut connection)
    .await
    .expect("read TLS versions");
    connection.close().await.ok();
    (with, without, versions)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_with_the_right_ca_serves_over_tls() {
    let postgres = TlsPostgres::start(CertificateNames::LocalhostAndLoopbackIp).await;

    // The cluster really refuses plain connections: whatever works below is TLS.
    let plain = postgres.url("127.0.0.1", "sslmode=disable");
    let refused = PgConnection::connect(&plain)
        .await
        .expect_err("a connection without TLS is refused");
    assert!(
        refused.to_string().contains("no encryption"),
        "pg_hba.conf turns plain connections away: {refused}"
    );
    let stderr = serve_refused(&plain, &[]).await;
    assert!(stderr.contains("no encryption"), "{stderr}");

    for host in ["localhost", "127.0.0.1"] {
        let url = verify_full(&postgres, host, &postgres.ca);
        let backend = Backend::existing(url.clone());
        let email = format!("tls-{host}@example.com");
        backend.add_user(&email, "TLS", "owner").await;
        let server = serve_ready(&postgres, &url, &[]).await;
        let token = server.token(&email, "laptop").await;
        let me = server.me(&token).await;
        assert_eq!(me.status, 200, "{me:#?}");
        assert_eq!(me.body["user"]["email"], email.as_str(), "{me:#?}");

        // The server's pooled connections are TLS ones, as the cluster sees them.
        let (with, without, versions) = backends_by_tls(&postgres).await;
        assert!(with >= 1, "the server holds TLS connections ({host})");
        assert_eq!(without, 0, "no connection without TLS ({host})");
        assert!(
            versions.iter().all(|v| v.starts_with("TLSv1.")),
            "{versions:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_ca_is_refused_and_require_does_not_verify() {
    let postgres = TlsPostgres::start(CertificateNames::LocalhostAndLoopbackIp).await;

    let wrong = verify_full(&postgres, "localhost", &postgres.other_ca);
    let stderr = serve_refused(&wrong, &[]).await;
    assert_certificate_refusal(&stderr, "UnknownIssuer");
    let cli = Backend::existing(wrong)
        .cli(&["device", "list", "--email", "a@example.com"], None, "")
        .await;
    assert_eq!(cli.code, Some(5), "{cli:#?}");
    assert!(cli.stderr.contains("UnknownIssuer"), "{cli:#?}");

    // verify-ca checks the chain as well. (It should skip only the host name check, but
    // with sqlx 0.8.6 and rustls >= 0.23.24 it checks the name too: sqlx's verifier
    // ignores only the old NotValidForName error, and rustls now reports
    // NotValidForNameContext. Not asserted here; verify-full is what we recommend.)
    let verify_ca = postgres.url(
        "127.0.0.1",
        &format!(
            "sslmode=verify-ca&sslrootcert={}",
            postgres.other_ca.display()
        ),
    );
    let stderr = serve_refused(&verify_ca, &[]).await;
    assert_certificate_refusal(&stderr, "UnknownIssuer");

    // A root certificate file that does not exist is a refusal too, not a fallback.
    let missing = postgres.url(
        "localhost",
        "sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
    );
    let stderr = serve_refused(&missing, &[]).await;
    assert!(
        stderr.contains("/nonexistent/ca.pem") && stderr.contains("No such file"),
        "{stderr}"
    );

    // `require` encrypts without checking the certificate, even with sslrootcert given
    // (libpq would verify the chain then; sqlx does not): the wrong CA is accepted.
    let require = postgres.url(
        "localhost",
        &format!(
            "sslmode=require&sslrootcert={}",
            postgres.other_ca.display()
        ),
    );
    let _server = serve_ready(&postgres, &require, &[]).await;
    let (with, without, _) = backends_by_tls(&postgres).await;
    assert!(with >= 1 && without == 0, "require is still TLS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_checks_the_host_name() {
    // A certificate for DNS localhost only, without IP 127.0.0.1.
    let postgres = TlsPostgres::start(CertificateNames::LocalhostOnly).await;

    let by_address = verify_full(&postgres, "127.0.0.1", &postgres.ca);
    let stderr = serve_refused(&by_address, &[]).await;
    assert_certificate_refusal(&stderr, "not valid for name");

    // The same cluster, CA and certificate by the name it carries: accepted.
    let by_name = verify_full(&postgres, "localhost", &postgres.ca);
    let _server = serve_ready(&postgres, &by_name, &[]).await;
}

/// The TLS settings as a container or a systemd unit gives them: environment variables
/// (and a configuration file), the URL without `sslmode`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_settings_from_the_environment_and_the_file() {
    let postgres = TlsPostgres::start(CertificateNames::LocalhostAndLoopbackIp).await;
    let ca = postgres.ca.display().to_string();
    let other_ca = postgres.other_ca.display().to_string();
    let bare = postgres.url("localhost", "");

    let env = [
        ("PLUMBLINE_SERVER_DATABASE", bare.as_str()),
        ("PLUMBLINE_SERVER_DATABASE_SSL_MODE", "verify-full"),
        ("PLUMBLINE_SERVER_DATABASE_SSL_ROOT_CERT", ca.as_str()),
    ];
    let server = serve_ready(&postgres, "", &env).await;
    let (with, without, _) = backends_by_tls(&postgres).await;
    assert!(with >= 1, "the server holds TLS connections");
    assert_eq!(without, 0, "no connection without TLS");
    drop(server);

    // The setting beats the URL's sslmode: a URL that says disable still gets TLS (the
    // cluster refuses anything else), and by the address, which the certificate names.
    let plain = postgres.url("127.0.0.1", "sslmode=disable");
    let _ready = serve_ready(
        &postgres,
        &plain,
        &[
            ("PLUMBLINE_SERVER_DATABASE_SSL_MODE", "verify-full"),
            ("PLUMBLINE_SERVER_DATABASE_SSL_ROOT_CERT", ca.as_str()),
        ],
    )
    .await;

    // The wrong CA from the environment is refused like the wrong CA in the URL.
    let wrong = [
        ("PLUMBLINE_SERVER_DATABASE", bare.as_str()),
        ("PLUMBLINE_SERVER_DATABASE_SSL_MODE", "verify-full"),
        ("PLUMBLINE_SERVER_DATABASE_SSL_ROOT_CERT", other_ca.as_str()),
    ];
    let stderr = serve_refused("", &wrong).await;
    assert_certificate_refusal(&stderr, "UnknownIssuer");

    // A CA file that does not exist is named, with what to give instead.
    let missing = [
        ("PLUMBLINE_SERVER_DATABASE", bare.as_str()),
        ("PLUMBLINE_SERVER_DATABASE_SSL_MODE", "verify-full"),
        (
            "PLUMBLINE_SERVER_DATABASE_SSL_ROOT_CERT",
            "/nonexistent/ca.pem",
        ),
    ];
    // (Exit code 5 today, found when opening the database; 2, a settings problem, would
    // be as right.)
    let cli = serve_exits("", &missing).await;
    assert!(matches!(cli.code, Some(2 | 5)), "{cli:#?}");
    assert!(
        cli.stderr.contains("/nonexistent/ca.pem")
            && cli.stderr.contains("not a readable file")
            && cli.stderr.contains("CA that signed"),
        "{cli:#?}"
    );

    // The same settings from a TOML file.
    let folder = tempfile::tempdir().expect("temporary folder");
    let file = folder.path().join("server.toml");
    let toml = |root: &str| {
        format!(
            "[database]\nurl = {bare:?}\nssl_mode = \"verify-full\"\nssl_root_cert = {root:?}\n"
        )
    };
    let config = file.display().to_string();
    std::fs::write(&file, toml(&ca)).expect("write the configuration file");
    let _from_file = serve_ready(
        &postgres,
        "",
        &[("PLUMBLINE_SERVER_CONFIG", config.as_str())],
    )
    .await;
    std::fs::write(&file, toml(&other_ca)).expect("write the configuration file");
    let stderr = serve_refused("", &[("PLUMBLINE_SERVER_CONFIG", config.as_str())]).await;
    assert_certificate_refusal(&stderr, "UnknownIssuer");
}

//! The real desktop app, under Xvfb, driven through tauri-driver + WebKitWebDriver.
//!
//! Run by `.ci/run` (`scripts/test.sh`) as
//! `xvfb-run -a cargo test --workspace --test desktop -- --ignored`.

use std::path::PathBuf;
use std::time::Duration;

use plumbline_e2e::driver::{desktop_binary, server_binary, wait_until_gone, Driver};
use plumbline_e2e::webdriver::{Element, Session};

fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir
}

/// Removes the signing keys (and a server token) the app made under `home` from the OS
/// keychain when dropped, also when the test fails: E2E runs leave nothing behind in the
/// user's keychain.
struct ForgetKeys(PathBuf);

impl ForgetKeys {
    fn of(home: &std::path::Path) -> Self {
        Self(home.join("data").join("plumbline.db"))
    }
}

impl Drop for ForgetKeys {
    fn drop(&mut self) {
        use plumbline_core::keychain::{Keychain, OsKeychain};
        let db = self.0.clone();
        if !db.exists() {
            return;
        }
        // Its own runtime on its own thread: a drop cannot await.
        let forgotten = std::thread::spawn(move || -> anyhow::Result<usize> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let store = plumbline_core::store::Store::open(&db).await?;
                let keychain = OsKeychain::detect();
                let keys = store.signing_keys().await?;
                for key in &keys {
                    keychain.delete(&key.keychain_account)?;
                }
                // Alert destinations' URLs and secrets.
                for destination in store.destinations().await? {
                    keychain
                        .delete(&plumbline_core::store::destination_account(&destination.id))?;
                }
                // A Plumbline server's device token, when a test signed in and failed
                // before signing out.
                keychain.delete(&plumbline_core::sync::connection::token_account(
                    store.workspace(),
                ))?;
                Ok(keys.len())
            })
        })
        .join();
        match forgotten {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => eprintln!("could not remove the test's signing keys: {e:#}"),
            Err(_) => eprintln!("removing the test's signing keys panicked"),
        }
    }
}

/// Starts the app on a fresh data directory inside `home` (its first start creates the
/// demo portfolio).
async fn start_app(home: &std::path::Path) -> anyhow::Result<(Driver, Session)> {
    let app = desktop_binary()?;
    let data = home.join("data");
    let mut attempt = 1;
    loop {
        // The previous test's app may still be exiting: WebKitWebDriver then closes the
        // new-session request without an answer.
        wait_until_gone(&app, Duration::from_secs(30)).await;
        let driver = Driver::start(&[
            ("PLUMBLINE_DATA_DIR", data.as_path()),
            ("HOME", home),
            ("XDG_DATA_HOME", home),
            ("XDG_CACHE_HOME", home),
            ("XDG_CONFIG_HOME", home),
        ])?;
        match Session::start(
            &driver.url,
            &app.display().to_string(),
            Duration::from_secs(90),
        )
        .await
        {
            Ok(session) => return Ok((driver, session)),
            // Once more with a new driver: the harness, not the app, dropped the request.
            Err(error) if attempt == 1 => {
                eprintln!("starting a WebDriver session failed, trying once more: {error:#}");
                attempt += 1;
            }
            Err(error) => return Err(error),
        }
    }
}

/// Waits for `css`, saving a screenshot named `failure` when it does not appear.
async fn wait_or_screenshot(
    session: &Session,
    css: &str,
    min: usize,
    failure: &str,
) -> anyhow::Result<Vec<Element>> {
    match session.wait_for(css, min, Duration::from_secs(60)).await {
        Ok(found) => Ok(found),
        Err(error) => {
            if let Ok(png) = session.screenshot().await {
                std::fs::write(artifacts().join(failure), png)?;
            }
            Err(error)
        }
    }
}

#[tokio::test]
#[ignore = "needs an X display (Xvfb), tauri-driver and WebKitWebDriver: scripts/test.sh runs it under xvfb-run"]
async fn reports_page_generates_an_executive_report() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let _keys = ForgetKeys::of(home.path());
    let (driver, session) = start_app(home.path()).await?;
    wait_or_screenshot(
        &session,
        "[data-testid=\"tenant-row\"]",
        5,
        "reports-failure.png",
    )
    .await?;

    let link = session.find_all("a[href=\"#/reports\"]").await?;
    session
        .click(
            link.first()
                .ok_or_else(|| anyhow::anyhow!("no Reports link"))?,
        )
        .await?;
    wait_or_screenshot(
        &session,
        "[data-testid=\"reports-empty\"]",
        1,
        "reports-failure.png",
    )
    .await?;
    let tenant = session.find_all("[data-testid=\"tenant-select\"]").await?;
    assert_eq!(tenant.len(), 1, "the executive report is the default");
    let msp = session.find_all("[data-testid=\"msp-name\"]").await?;
    session
        .send_keys(
            msp.first().ok_or_else(|| anyhow::anyhow!("no MSP name"))?,
            "Acme IT",
        )
        .await?;
    let generate = session.find_all("[data-testid=\"generate\"]").await?;
    session
        .click(
            generate
                .first()
                .ok_or_else(|| anyhow::anyhow!("no Generate"))?,
        )
        .await?;

    let sha = wait_or_screenshot(
        &session,
        "[data-testid=\"result-sha256\"]",
        1,
        "reports-failure.png",
    )
    .await?;
    let sha = session.text(&sha[0]).await?;
    assert!(
        sha.len() == 64 && sha.chars().all(|c| c.is_ascii_hexdigit()),
        "{sha:?}"
    );
    let path = session.find_all("[data-testid=\"result-path\"]").await?;
    let path = PathBuf::from(session.text(&path[0]).await?.trim());
    assert!(
        path.starts_with(home.path().join("data").join("reports")),
        "{}",
        path.display()
    );
    let bytes = std::fs::read(&path)?;
    assert!(bytes.starts_with(b"%PDF"), "{} is a PDF", path.display());
    // The report is recorded and listed.
    wait_or_screenshot(
        &session,
        "[data-testid=\"report-row\"]",
        1,
        "reports-failure.png",
    )
    .await?;

    // WebKitGTK under Xvfb paints a little after the DOM changes: a screenshot taken at
    // once shows the page before the result.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let png = session.screenshot().await?;
    std::fs::write(artifacts().join("reports.png"), &png)?;
    session.end().await?;
    drop(driver);
    Ok(())
}

#[tokio::test]
#[ignore = "needs an X display (Xvfb), tauri-driver and WebKitWebDriver: scripts/test.sh runs it under xvfb-run"]
async fn first_start_shows_the_demo_portfolio() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let _keys = ForgetKeys::of(home.path());
    let data = home.path().join("data");
    let (driver, session) = start_app(home.path()).await?;
    // On failure, keep what the window showed: the first thing anyone debugging wants.
    let rows = wait_or_screenshot(
        &session,
        "[data-testid=\"tenant-row\"]",
        5,
        "portfolio-failure.png",
    )
    .await?;
    assert_eq!(
        rows.len(),
        5,
        "the first-start demo portfolio has five tenants"
    );
    let mut names = Vec::new();
    for cell in session.find_all("[data-testid=\"tenant-name\"]").await? {
        names.push(session.text(&cell).await?);
    }
    assert_eq!(names.len(), 5);
    assert!(names.iter().all(|n| !n.trim().is_empty()), "{names:?}");
    let banner = session.find_all("[data-testid=\"demo-banner\"]").await?;
    assert_eq!(banner.len(), 1, "the demo banner says this is demo data");
    let count = session.find_all("[data-testid=\"tenant-count\"]").await?;
    assert!(session.text(&count[0]).await?.contains('5'));

    // The database the app created is the one the CLI would use with that data dir.
    assert!(data.join("plumbline.db").exists());

    // WebKitWebDriver may load the page a second time after the session starts: take the
    // screenshot of the portfolio as shown, not of a reload's spinner.
    wait_or_screenshot(
        &session,
        "[data-testid=\"tenant-row\"]",
        5,
        "portfolio-failure.png",
    )
    .await?;
    let png = session.screenshot().await?;
    assert!(png.starts_with(&[0x89, b'P', b'N', b'G']));
    std::fs::write(artifacts().join("portfolio.png"), &png)?;
    session.end().await?;
    drop(driver);
    Ok(())
}

/// Clicks the first element matching `css`, waiting for it (screenshot `failure` if not).
async fn click_first(session: &Session, css: &str, failure: &str) -> anyhow::Result<()> {
    let found = wait_or_screenshot(session, css, 1, failure).await?;
    let element = found.first().ok_or_else(|| anyhow::anyhow!("no {css}"))?;
    session.scroll_into_view(element).await?;
    if let Err(error) = session.click(element).await {
        if let Ok(png) = session.screenshot().await {
            std::fs::write(artifacts().join(failure), png)?;
        }
        return Err(error.context(format!("clicking {css}")));
    }
    Ok(())
}

/// Saves a screenshot once WebKitGTK has painted the last change.
async fn screenshot(session: &Session, name: &str) -> anyhow::Result<()> {
    tokio::time::sleep(Duration::from_secs(1)).await;
    let png = session.screenshot().await?;
    assert!(png.starts_with(&[0x89, b'P', b'N', b'G']));
    std::fs::write(artifacts().join(name), &png)?;
    Ok(())
}

#[tokio::test]
#[ignore = "needs an X display (Xvfb), tauri-driver and WebKitWebDriver: scripts/test.sh runs it under xvfb-run"]
async fn tenant_review_diff_and_risk_acceptance() -> anyhow::Result<()> {
    const FAILURE: &str = "triage-failure.png";
    let home = tempfile::tempdir()?;
    let _keys = ForgetKeys::of(home.path());
    let (driver, session) = start_app(home.path()).await?;
    wait_or_screenshot(&session, "[data-testid=\"tenant-row\"]", 5, FAILURE).await?;

    // Open a tenant and review it in the background.
    click_first(&session, "[data-testid=\"tenant-name\"]", FAILURE).await?;
    click_first(&session, "[data-testid=\"start-review\"]", FAILURE).await?;
    wait_or_screenshot(&session, "[data-testid=\"review-done\"]", 1, FAILURE).await?;
    let links = wait_or_screenshot(
        &session,
        "[data-testid=\"tenant-finding-link\"]",
        1,
        FAILURE,
    )
    .await?;
    let title = session.text(&links[0]).await?;
    assert!(!title.trim().is_empty());
    let score = wait_or_screenshot(&session, "[data-testid=\"latest-score\"]", 1, FAILURE).await?;
    assert!(session.text(&score[0]).await?.contains("of 100"));
    screenshot(&session, "tenant.png").await?;

    // Open its most severe drift finding: the detail pane shows it.
    session.scroll_into_view(&links[0]).await?;
    session.click(&links[0]).await?;
    let detail = wait_or_screenshot(&session, "[data-testid=\"detail-title\"]", 1, FAILURE).await?;
    assert_eq!(session.text(&detail[0]).await?.trim(), title.trim());
    let url = session.url().await?;
    let id = url
        .rsplit('/')
        .next()
        .filter(|id| id.len() >= 32)
        .ok_or_else(|| anyhow::anyhow!("no finding id in {url}"))?
        .to_owned();

    // The policy diff shows what differs.
    click_first(&session, "[data-testid=\"open-diff\"]", FAILURE).await?;
    let rows = wait_or_screenshot(&session, "[data-testid=\"diff-row\"]", 1, FAILURE).await?;
    assert!(!rows.is_empty());
    screenshot(&session, "policy-diff.png").await?;

    // Back to the finding; accept the risk with a justification (the expiry defaults to
    // 90 days ahead and is required).
    click_first(&session, "[data-testid=\"back-to-finding\"]", FAILURE).await?;
    click_first(&session, "[data-testid=\"detail-accept_risk\"]", FAILURE).await?;
    let justification =
        wait_or_screenshot(&session, "[data-testid=\"risk-justification\"]", 1, FAILURE).await?;
    wait_or_screenshot(&session, "[data-testid=\"accepted-value\"]", 1, FAILURE).await?;
    session
        .send_keys(
            &justification[0],
            "Compensating control until the Q1 migration",
        )
        .await?;
    let expiry = session.find_all("[data-testid=\"risk-expiry\"]").await?;
    assert_eq!(expiry.len(), 1, "the expiry is asked for");
    screenshot(&session, "risk-acceptance.png").await?;
    click_first(&session, "[data-testid=\"risk-submit\"]", FAILURE).await?;
    wait_or_screenshot(
        &session,
        "[data-testid=\"detail-accepted-until\"]",
        1,
        FAILURE,
    )
    .await?;

    // The findings list shows the finding with its new state.
    let search =
        wait_or_screenshot(&session, "[data-testid=\"findings-search\"]", 1, FAILURE).await?;
    session.send_keys(&search[0], &id).await?;
    let row =
        format!("[data-testid=\"finding-row\"][data-finding-id=\"{id}\"] [data-testid=\"status\"]");
    let started = std::time::Instant::now();
    loop {
        let rows = session.find_all("[data-testid=\"finding-row\"]").await?;
        let status = session.find_all(&row).await?;
        if rows.len() == 1 && status.len() == 1 {
            assert_eq!(session.text(&status[0]).await?.trim(), "Risk accepted");
            break;
        }
        if started.elapsed() > Duration::from_secs(30) {
            if let Ok(png) = session.screenshot().await {
                std::fs::write(artifacts().join(FAILURE), png)?;
            }
            anyhow::bail!("the accepted finding is not alone in the searched list");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    screenshot(&session, "findings.png").await?;
    session.end().await?;
    drop(driver);
    Ok(())
}

/// Signs the app in to a Plumbline server from Settings and waits for the outcome (the
/// connection's facts, or an error that fails the test with a screenshot).
async fn sign_in_from_settings(
    session: &Session,
    url: &str,
    email: &str,
    password: &str,
    failure: &str,
) -> anyhow::Result<()> {
    click_first(session, "a[href=\"#/settings\"]", failure).await?;
    for (field, value) in [
        ("server-url", url),
        ("server-email", email),
        ("server-password", password),
    ] {
        let css = format!("[data-testid=\"{field}\"]");
        let input = wait_or_screenshot(session, &css, 1, failure).await?;
        session.scroll_into_view(&input[0]).await?;
        session.send_keys(&input[0], value).await?;
    }
    click_first(session, "[data-testid=\"server-sign-in\"]", failure).await?;
    wait_for_outcome(
        session,
        "[data-testid=\"server-facts\"], [data-testid=\"server-error\"]",
        "[data-testid=\"server-error\"]",
        failure,
    )
    .await
}

/// Waits for the first of several outcomes (`css` lists them comma-separated) and fails
/// with the page's own words when it is `failed_css`.
async fn wait_for_outcome(
    session: &Session,
    css: &str,
    failed_css: &str,
    failure: &str,
) -> anyhow::Result<()> {
    wait_or_screenshot(session, css, 1, failure).await?;
    let failed = session.find_all(failed_css).await?;
    if let Some(element) = failed.first() {
        let text = session.text(element).await?;
        if let Ok(png) = session.screenshot().await {
            std::fs::write(artifacts().join(failure), png)?;
        }
        anyhow::bail!("{failed_css}: {text}");
    }
    Ok(())
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
#[ignore = "needs an X display (Xvfb), tauri-driver and WebKitWebDriver: scripts/test.sh runs it under xvfb-run"]
async fn evidence_pack_is_created_and_verified() -> anyhow::Result<()> {
    const FAILURE: &str = "evidence-failure.png";
    let home = tempfile::tempdir()?;
    let _keys = ForgetKeys::of(home.path());
    let (driver, session) = start_app(home.path()).await?;
    wait_or_screenshot(&session, "[data-testid=\"tenant-row\"]", 5, FAILURE).await?;

    click_first(&session, "a[href=\"#/evidence\"]", FAILURE).await?;
    wait_or_screenshot(&session, "[data-testid=\"packs-empty\"]", 1, FAILURE).await?;
    // The first demo tenant (by name), over the last year: the demo's captures lie in the
    // ~200 days before the first start.
    let today = chrono::Utc::now().date_naive();
    let from = (today - chrono::Days::new(365))
        .format("%Y-%m-%d")
        .to_string();
    let to = today.format("%Y-%m-%d").to_string();
    let from_input =
        wait_or_screenshot(&session, "[data-testid=\"pack-from\"]", 1, FAILURE).await?;
    assert_eq!(session.set_value(&from_input[0], &from).await?, from);
    let to_input = session.find_all("[data-testid=\"pack-to\"]").await?;
    assert_eq!(session.set_value(&to_input[0], &to).await?, to);
    click_first(&session, "[data-testid=\"pack-create\"]", FAILURE).await?;
    wait_for_outcome(
        &session,
        "[data-testid=\"pack-result\"], [data-testid=\"pack-error\"]",
        "[data-testid=\"pack-error\"]",
        FAILURE,
    )
    .await?;

    // The file is where the card says, in the evidence folder next to the database, and
    // its SHA-256 is the one shown.
    let path = session
        .find_all("[data-testid=\"pack-result-path\"]")
        .await?;
    let path = PathBuf::from(session.text(&path[0]).await?.trim());
    assert!(
        path.starts_with(home.path().join("data").join("evidence")),
        "{}",
        path.display()
    );
    let bytes = std::fs::read(&path)?;
    assert!(bytes.starts_with(b"PK"), "{} is a ZIP", path.display());
    let sha = session
        .find_all("[data-testid=\"pack-result-sha256\"]")
        .await?;
    let sha = session.text(&sha[0]).await?.trim().to_owned();
    assert_eq!(sha, sha256_hex(&bytes));
    let counts = session
        .find_all("[data-testid=\"pack-result-counts\"]")
        .await?;
    assert!(session.text(&counts[0]).await?.contains("audit event"));
    // The list is reloaded with the pack of the period asked for.
    let rows = wait_or_screenshot(&session, "[data-testid=\"pack-row\"]", 1, FAILURE).await?;
    let row = session.text(&rows[0]).await?;
    assert!(row.contains(&from) && row.contains(&to), "{row}");
    let result = session.find_all("[data-testid=\"pack-result\"]").await?;
    session.scroll_into_view(&result[0]).await?;
    screenshot(&session, "evidence-created.png").await?;

    // Verify that file as someone who was sent it: through the Verify card.
    let input = wait_or_screenshot(&session, "[data-testid=\"verify-path\"]", 1, FAILURE).await?;
    session.scroll_into_view(&input[0]).await?;
    session
        .send_keys(&input[0], &path.display().to_string())
        .await?;
    click_first(&session, "[data-testid=\"verify-submit\"]", FAILURE).await?;
    wait_for_outcome(
        &session,
        "[data-testid=\"verdict-ok\"], [data-testid=\"verdict-failed\"], [data-testid=\"verify-error\"]",
        "[data-testid=\"verdict-failed\"], [data-testid=\"verify-error\"]",
        FAILURE,
    )
    .await?;
    let verdict_sha = session.find_all("[data-testid=\"verdict-sha256\"]").await?;
    assert_eq!(session.text(&verdict_sha[0]).await?.trim(), sha);
    let signer = session.find_all("[data-testid=\"verdict-signer\"]").await?;
    assert!(session
        .text(&signer[0])
        .await?
        .contains("This workspace's key"));
    let passed = session
        .find_all("[data-testid=\"verdict-passed\"] li")
        .await?;
    assert_eq!(
        passed.len(),
        4,
        "signature, files, audit chain and the ZIP file itself passed"
    );
    let verdict = session.find_all("[data-testid=\"verdict\"]").await?;
    session.scroll_into_view(&verdict[0]).await?;
    screenshot(&session, "evidence-verified.png").await?;
    session.end().await?;
    drop(driver);
    Ok(())
}

/// A real `plumbline-server` on a loopback port with a SQLite database and one user;
/// stopped when dropped.
struct ServerProcess {
    child: std::process::Child,
    url: String,
    database: String,
}

const SERVER_PASSWORD: &str = "correct horse battery staple";

impl ServerProcess {
    fn start(dir: &std::path::Path, email: &str, workspace: &str) -> anyhow::Result<Self> {
        use std::io::BufRead as _;
        use std::process::{Command, Stdio};
        let binary = server_binary()?;
        let database = format!("sqlite://{}", dir.join("server.db").display());
        let added = Command::new(&binary)
            .args(["user", "add", "--database", &database, "--email", email])
            .args(["--name", "Dana Operator", "--workspace", workspace])
            .args(["--role", "operator"])
            .env("PLUMBLINE_SERVER_PASSWORD", SERVER_PASSWORD)
            .stdin(Stdio::null())
            .output()?;
        anyhow::ensure!(
            added.status.success(),
            "plumbline-server user add: {}",
            String::from_utf8_lossy(&added.stderr)
        );
        let mut child = Command::new(&binary)
            .args(["serve", "--database", &database, "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let line = receiver.recv_timeout(Duration::from_secs(30));
        let url = line.ok().and_then(|l| {
            l.trim()
                .strip_prefix("plumbline-server listening on ")
                .map(str::to_owned)
        });
        let Some(url) = url else {
            let _ = child.kill();
            anyhow::bail!("plumbline-server did not say where it listens within 30 s");
        };
        Ok(Self {
            child,
            url,
            database,
        })
    }

    /// `device list` for `email`, as the server's administrator sees it.
    fn devices(&self, email: &str) -> anyhow::Result<String> {
        let listed = std::process::Command::new(server_binary()?)
            .args([
                "device",
                "list",
                "--database",
                &self.database,
                "--email",
                email,
            ])
            .output()?;
        anyhow::ensure!(listed.status.success(), "device list failed");
        Ok(String::from_utf8_lossy(&listed.stdout).into_owned())
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
#[ignore = "needs an X display (Xvfb), tauri-driver and WebKitWebDriver: scripts/test.sh runs it under xvfb-run"]
async fn settings_signs_in_to_a_plumbline_server_and_out() -> anyhow::Result<()> {
    const FAILURE: &str = "server-failure.png";
    const EMAIL: &str = "dana@example.com";
    let home = tempfile::tempdir()?;
    let _keys = ForgetKeys::of(home.path());
    let server = ServerProcess::start(home.path(), EMAIL, "Contoso MSP")?;
    let (driver, session) = start_app(home.path()).await?;
    wait_or_screenshot(&session, "[data-testid=\"tenant-row\"]", 5, FAILURE).await?;

    sign_in_from_settings(&session, &server.url, EMAIL, SERVER_PASSWORD, FAILURE).await?;
    let user = session.find_all("[data-testid=\"server-user\"]").await?;
    assert!(session.text(&user[0]).await?.contains(EMAIL));
    let workspace = session
        .find_all("[data-testid=\"server-workspace\"]")
        .await?;
    assert!(session.text(&workspace[0]).await?.contains("Contoso MSP"));
    // The password field is gone with the form; the server lists this computer.
    assert!(session
        .find_all("[data-testid=\"server-password\"]")
        .await?
        .is_empty());
    let devices = server.devices(EMAIL)?;
    assert!(
        devices.contains("active") && !devices.contains("revoked"),
        "{devices}"
    );
    let facts = session.find_all("[data-testid=\"server-facts\"]").await?;
    session.scroll_into_view(&facts[0]).await?;
    screenshot(&session, "settings-server.png").await?;

    click_first(&session, "[data-testid=\"server-check\"]", FAILURE).await?;
    wait_for_outcome(
        &session,
        "[data-testid=\"server-done\"], [data-testid=\"server-error\"], [data-testid=\"server-problem\"]",
        "[data-testid=\"server-error\"], [data-testid=\"server-problem\"]",
        FAILURE,
    )
    .await?;

    // Sign out, confirmed: the form is back and the server revoked the token.
    click_first(&session, "[data-testid=\"server-sign-out\"]", FAILURE).await?;
    click_first(
        &session,
        "[data-testid=\"confirm-server-sign-out\"]",
        FAILURE,
    )
    .await?;
    wait_or_screenshot(&session, "[data-testid=\"server-sign-in\"]", 1, FAILURE).await?;
    let devices = server.devices(EMAIL)?;
    assert!(
        devices.contains("revoked") && !devices.contains("active"),
        "{devices}"
    );
    session.end().await?;
    drop(driver);
    Ok(())
}

/// The app and a teammate's device (the CLI) on one server: the app's first sync sends
/// its portfolio, the teammate accepts a risk and syncs, and the app shows it — in the
/// finding and in the sync indicator — without anyone pressing anything.
#[tokio::test]
#[ignore = "needs an X display (Xvfb), tauri-driver and WebKitWebDriver: scripts/test.sh runs it under xvfb-run"]
async fn a_teammates_risk_acceptance_reaches_the_app() -> anyhow::Result<()> {
    use plumbline_e2e::team::{Device, Engine, Server, PASSWORD};
    const FAILURE: &str = "sync-failure.png";
    let home = tempfile::tempdir()?;
    let _keys = ForgetKeys::of(home.path());
    let server = Server::start(Engine::Sqlite).await?;
    server.add_user("dana@example.com", "operator", "Contoso MSP", &[])?;
    server.add_user("erin@example.com", "operator", "Contoso MSP", &[])?;
    let (driver, session) = start_app(home.path()).await?;
    wait_or_screenshot(&session, "[data-testid=\"tenant-row\"]", 5, FAILURE).await?;

    // Dana signs in from the app: its first sync sends the portfolio.
    sign_in_from_settings(&session, &server.url, "dana@example.com", PASSWORD, FAILURE).await?;
    // Up to date with nothing waiting: the portfolio is on the server.
    let started = std::time::Instant::now();
    loop {
        let state = session
            .find_all("[data-testid=\"sync-indicator\"][data-phase=\"idle\"] [data-testid=\"sync-state\"]")
            .await?;
        if let Some(state) = state.first() {
            if session.text(state).await?.trim() == "Synced" {
                break;
            }
        }
        if started.elapsed() > Duration::from_secs(120) {
            if let Ok(png) = session.screenshot().await {
                std::fs::write(artifacts().join(FAILURE), png)?;
            }
            anyhow::bail!("the app's first sync did not finish within 120 s");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // Erin, on her own computer, gets the portfolio and accepts a risk.
    let mut erin = Device::new("Erin's laptop")?;
    erin.connect(&server, "erin@example.com")?;
    erin.sync(&[])?;
    let open = erin.json(&["findings", "--status", "open", "--limit", "1"])?;
    let id = open[0]["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no open finding on Erin's device: {open}"))?
        .to_owned();
    erin.ok(&[
        "findings",
        "accept",
        &id,
        "--reason",
        "Erin: compensating control in the firewall",
        "--until",
        "2027-06-30",
    ])?;
    erin.sync(&[])?;

    // The app has it within seconds (live mode): the finding shows the acceptance.
    let started = std::time::Instant::now();
    loop {
        session
            .execute_async(
                "location.hash = '#/portfolio'; setTimeout(() => { location.hash = arguments[0]; arguments[1](); }, 50);",
                vec![serde_json::Value::String(format!("#/findings/{id}"))],
            )
            .await?;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        if !session
            .find_all("[data-testid=\"detail-accepted-until\"]")
            .await?
            .is_empty()
        {
            break;
        }
        if started.elapsed() > Duration::from_secs(60) {
            if let Ok(png) = session.screenshot().await {
                std::fs::write(artifacts().join(FAILURE), png)?;
            }
            anyhow::bail!("Erin's risk acceptance did not reach the app within 60 s");
        }
    }
    let history = session.find_all("[data-testid=\"detail-history\"]").await?;
    let text = session.text(&history[0]).await?;
    assert!(
        text.contains("erin@example.com") && text.contains("compensating control"),
        "{text}"
    );
    // The sync indicator says what came in.
    click_first(&session, "[data-testid=\"sync-indicator\"]", FAILURE).await?;
    let received =
        wait_or_screenshot(&session, "[data-testid=\"sync-received\"]", 1, FAILURE).await?;
    assert!(
        session.text(&received[0]).await?.contains("from the team"),
        "the indicator tells of the team's changes"
    );
    screenshot(&session, "sync-indicator.png").await?;
    session.end().await?;
    drop(driver);
    drop(erin);
    Ok(())
}

#[tokio::test]
#[ignore = "needs an X display (Xvfb), tauri-driver and WebKitWebDriver: scripts/test.sh runs it under xvfb-run"]
async fn demo_tenants_are_captured_from_the_fake_graph() -> anyhow::Result<()> {
    use plumbline_e2e::graph::{FakeGraphProcess, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
    // The fake serves the desktop demo's tenants (same seed, same Entra tenant ids).
    let fake = FakeGraphProcess::start(&[
        "--tenants",
        "5",
        "--seed",
        "20261123",
        "--mean-policies",
        "30",
    ])?;
    let home = tempfile::tempdir()?;
    let _keys = ForgetKeys::of(home.path());
    let (driver, session) = start_app(home.path()).await?;
    let failure = "tenants-failure.png";
    click_first(&session, "a[href=\"#/tenants\"]", failure).await?;
    wait_or_screenshot(&session, "[data-testid=\"no-graph-app\"]", 1, failure).await?;
    let rows =
        wait_or_screenshot(&session, "[data-testid=\"managed-tenant-row\"]", 5, failure).await?;
    assert_eq!(rows.len(), 5);

    // The Graph app: client id, a test Graph's URL as the cloud, the secret.
    click_first(&session, "[data-testid=\"graph-app\"]", failure).await?;
    let id = wait_or_screenshot(&session, "[data-testid=\"graph-client-id\"]", 1, failure).await?;
    session.send_keys(&id[0], DEFAULT_CLIENT_ID).await?;
    click_first(&session, "[data-testid=\"graph-cloud\"]", failure).await?;
    let options = wait_or_screenshot(&session, "[role=\"option\"]", 5, failure).await?;
    let mut custom = None;
    for option in options {
        if session.text(&option).await?.contains("test Graph") {
            custom = Some(option);
        }
    }
    session
        .click(&custom.ok_or_else(|| anyhow::anyhow!("no test Graph option"))?)
        .await?;
    let url = wait_or_screenshot(&session, "[data-testid=\"graph-url\"]", 1, failure).await?;
    session.send_keys(&url[0], &fake.url).await?;
    let secret = wait_or_screenshot(&session, "[data-testid=\"graph-secret\"]", 1, failure).await?;
    session.send_keys(&secret[0], DEFAULT_CLIENT_SECRET).await?;
    click_first(&session, "[data-testid=\"graph-app-save\"]", failure).await?;
    session
        .wait_for_none(
            "[data-testid=\"graph-app-dialog\"]",
            Duration::from_secs(30),
        )
        .await?;
    assert!(session
        .find_all("[data-testid=\"no-graph-app\"]")
        .await?
        .is_empty());

    // Test the first tenant's connection, then capture it now.
    click_first(&session, "[data-testid=\"test-connection\"]", failure).await?;
    let summary =
        wait_or_screenshot(&session, "[data-testid=\"test-summary\"]", 1, failure).await?;
    let said = session.text(&summary[0]).await?;
    assert!(said.contains("every kind"), "{said}");
    let close = session
        .find_all("[data-testid=\"test-dialog\"] button")
        .await?;
    session
        .click(close.last().ok_or_else(|| anyhow::anyhow!("no Close"))?)
        .await?;
    click_first(&session, "[data-testid=\"capture-now\"]", failure).await?;
    wait_for_outcome(
        &session,
        "[data-testid=\"capture-job-done\"], [data-testid=\"capture-job-error\"]",
        "[data-testid=\"capture-job-error\"]",
        failure,
    )
    .await?;
    let status =
        wait_or_screenshot(&session, "[data-testid=\"last-run-status\"]", 1, failure).await?;
    assert_eq!(session.text(&status[0]).await?.trim(), "OK");
    // The fake saw the reads, batched.
    let log = fake.log().await?;
    assert!(
        log["graph_requests"].as_u64().unwrap_or(0) > 20,
        "{}",
        log["graph_requests"]
    );
    screenshot(&session, "tenants.png").await?;
    session.end().await?;
    drop(driver);
    Ok(())
}

/// Clicks the option named `name` of the open Fluent dropdown (its listbox is in a portal).
async fn choose_option(session: &Session, name: &str, failure: &str) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        for option in session.find_all("[role=\"option\"]").await? {
            if session.text(&option).await?.trim() == name {
                session.click(&option).await?;
                return Ok(());
            }
        }
        if std::time::Instant::now() > deadline {
            if let Ok(png) = session.screenshot().await {
                std::fs::write(artifacts().join(failure), png)?;
            }
            anyhow::bail!("no option {name:?} in the open list");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The Alerts page's "Where alerts go" through the real app: a signed webhook on loopback
/// added (its secret shown once), the high-findings rule routed to it from the rules table
/// and limited to tenants tagged vip, a test alert sent from the app and verified with the
/// secret the app showed.
#[tokio::test]
#[ignore = "needs an X display (Xvfb), tauri-driver and WebKitWebDriver: scripts/test.sh runs it under xvfb-run"]
async fn an_alert_destination_is_added_routed_and_tested_from_the_app() -> anyhow::Result<()> {
    use plumbline_core::delivery::signing::{verify, WebhookSecret};
    use plumbline_e2e::receiver::Receiver;
    const FAILURE: &str = "alerts-destination-failure.png";
    const RULE: &str = "New critical or high findings";
    let home = tempfile::tempdir()?;
    let _keys = ForgetKeys::of(home.path());
    let receiver = Receiver::start().await?;
    let (driver, session) = start_app(home.path()).await?;
    wait_or_screenshot(&session, "[data-testid=\"tenant-row\"]", 5, FAILURE).await?;

    click_first(&session, "a[href=\"#/alerts\"]", FAILURE).await?;
    click_first(&session, "[data-testid=\"destination-add\"]", FAILURE).await?;
    let name =
        wait_or_screenshot(&session, "[data-testid=\"destination-name\"]", 1, FAILURE).await?;
    session.send_keys(&name[0], "ops").await?;
    let url = session
        .find_all("[data-testid=\"destination-url\"]")
        .await?;
    session.send_keys(&url[0], &receiver.url("hook")).await?;
    click_first(&session, "[data-testid=\"destination-private\"]", FAILURE).await?;
    click_first(&session, "[data-testid=\"destination-save\"]", FAILURE).await?;
    let secret =
        wait_or_screenshot(&session, "[data-testid=\"delivery-secret\"]", 1, FAILURE).await?;
    let secret_text = session.text(&secret[0]).await?;
    let secret_text = secret_text
        .split_whitespace()
        .find(|w| w.starts_with("whsec_"))
        .ok_or_else(|| anyhow::anyhow!("no whsec_ secret shown: {secret_text:?}"))?
        .to_owned();
    wait_or_screenshot(&session, "[data-testid=\"destination-ops\"]", 1, FAILURE).await?;

    // Route the high-findings rule to it from the rules table.
    click_first(
        &session,
        &format!("[data-testid=\"route-{RULE}\"]"),
        FAILURE,
    )
    .await?;
    choose_option(&session, "ops", FAILURE).await?;
    wait_or_screenshot(
        &session,
        &format!("[data-testid=\"unroute-{RULE}-ops\"]"),
        1,
        FAILURE,
    )
    .await?;

    // The rule's tenants changed from the rules table: only tenants tagged vip. The row
    // says so, and the rule in the app's database watches exactly that.
    click_first(
        &session,
        &format!("[data-testid=\"rule-tenants-{RULE}\"]"),
        FAILURE,
    )
    .await?;
    let tags = wait_or_screenshot(&session, "[data-testid=\"watch-tags\"]", 1, FAILURE).await?;
    session.send_keys(&tags[0], "vip").await?;
    click_first(&session, "[data-testid=\"watch-save\"]", FAILURE).await?;
    let outcome =
        wait_or_screenshot(&session, "[data-testid=\"delivery-outcome\"]", 1, FAILURE).await?;
    let said = session.text(&outcome[0]).await?;
    assert!(said.contains("now watches the tenants you chose"), "{said}");
    let row = session
        .find_all(&format!("[data-testid=\"rule-{RULE}\"]"))
        .await?;
    let shown = session.text(&row[0]).await?;
    assert!(shown.contains("tenants tagged vip"), "{shown}");
    {
        let store =
            plumbline_core::store::Store::open(&home.path().join("data").join("plumbline.db"))
                .await?;
        let rule = store.alert_rule(RULE).await?;
        assert_eq!(rule.tenant_filter.tags, vec!["vip".to_owned()]);
        assert!(rule.tenant_filter.tenants.is_empty() && rule.tenant_filter.exclude.is_empty());
    }

    // A test alert from the app reaches the receiver, signed with the secret shown.
    click_first(&session, "[data-testid=\"destination-test-ops\"]", FAILURE).await?;
    let outcome =
        wait_or_screenshot(&session, "[data-testid=\"delivery-outcome\"]", 1, FAILURE).await?;
    let said = session.text(&outcome[0]).await?;
    assert!(said.contains("reached ops"), "{said}");
    let received = receiver.accepted();
    assert_eq!(received.len(), 1, "one test alert");
    let request = &received[0];
    let id = request.header("webhook-id").expect("webhook-id");
    let timestamp: i64 = request
        .header("webhook-timestamp")
        .expect("webhook-timestamp")
        .parse()?;
    let signature = request.header("webhook-signature").expect("signature");
    let secret = WebhookSecret::parse(&secret_text)?;
    verify(
        &secret,
        &id,
        timestamp,
        &request.body,
        &signature,
        timestamp,
        300,
    )?;
    assert_eq!(request.json()["data"]["test"], true, "{}", request.json());
    wait_or_screenshot(&session, "[data-testid=\"deliveries\"]", 1, FAILURE).await?;
    screenshot(&session, "alerts-destinations.png").await?;
    let rules = session.find_all("[data-testid=\"rules\"]").await?;
    session.scroll_into_view(&rules[0]).await?;
    screenshot(&session, "alerts-rules.png").await?;
    session.end().await?;
    drop(driver);
    Ok(())
}

//! The real desktop app, under Xvfb, driven through tauri-driver + WebKitWebDriver.
//!
//! Run by `.ci/run` (`scripts/test.sh`) as
//! `xvfb-run -a cargo test --workspace --test desktop -- --ignored`.

use std::path::PathBuf;
use std::time::Duration;

use plumbline_e2e::driver::{desktop_binary, Driver};
use plumbline_e2e::webdriver::Session;

fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir
}

#[tokio::test]
#[ignore = "needs an X display (Xvfb), tauri-driver and WebKitWebDriver: scripts/test.sh runs it under xvfb-run"]
async fn first_start_shows_the_demo_portfolio() -> anyhow::Result<()> {
    let app = desktop_binary()?;
    let home = tempfile::tempdir()?;
    let data = home.path().join("data");
    let driver = Driver::start(&[
        ("PLUMBLINE_DATA_DIR", data.as_path()),
        ("HOME", home.path()),
        ("XDG_DATA_HOME", home.path()),
        ("XDG_CACHE_HOME", home.path()),
        ("XDG_CONFIG_HOME", home.path()),
    ])?;
    let session = Session::start(
        &driver.url,
        &app.display().to_string(),
        Duration::from_secs(90),
    )
    .await?;

    let rows = match session
        .wait_for("[data-testid=\"tenant-row\"]", 5, Duration::from_secs(60))
        .await
    {
        Ok(rows) => rows,
        Err(error) => {
            // Keep what the window showed: the first thing anyone debugging wants.
            if let Ok(png) = session.screenshot().await {
                std::fs::write(artifacts().join("portfolio-failure.png"), png)?;
            }
            return Err(error);
        }
    };
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

    let png = session.screenshot().await?;
    assert!(png.starts_with(&[0x89, b'P', b'N', b'G']));
    std::fs::write(artifacts().join("portfolio.png"), &png)?;
    session.end().await?;
    drop(driver);
    Ok(())
}

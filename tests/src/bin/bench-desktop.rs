//! `bench-desktop`: the desktop console's figures on a 1,000-tenant portfolio, measured on
//! the real app (release build) under Xvfb through tauri-driver and WebKitWebDriver.
//!
//! - Cold start to an interactive Portfolio: the app measures it itself, from the top of
//!   its `run` to the moment the Portfolio page shows its data (the UI reports it once;
//!   `startup_timing` answers it). Each round is a new app process on the same database.
//!   Where the time goes comes from the page's clock and marks (see `PHASES`).
//! - Filtering the findings table: (a) the `query_findings` round trip from the page
//!   (IPC, filtering the in-memory index of every finding, one window of rows back),
//!   for a spread of filters; (b) in the page, from the click on a filter (a built-in
//!   view, "Reset filters") to the table's count showing the new result, rendering
//!   included.
//! - Resident memory of the app: the app process and its WebKit processes (web and
//!   network), after the Portfolio and again after working in the findings table. RSS
//!   counts shared libraries whole in every process (WebKit's libraries are mapped by the
//!   app and by each WebKit process), so the sum over processes is given as PSS, which
//!   counts a shared page once; private anonymous memory (heaps) is shown apart.
//!
//! The database: the benchmarks' template portfolio (1,000 demo tenants, generated once
//! into the cache directory; `plumbline bench template` names it), copied and reviewed
//! with the release `plumbline` next to this binary.
//!
//! Run: `cargo build --release --workspace && xvfb-run -a -s "-screen 0 1280x800x24"
//! target/release/bench-desktop` (scripts/bench-desktop.sh does both).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context};
use plumbline_e2e::driver::{processes_of, Driver};
use plumbline_e2e::webdriver::Session;
use serde_json::{json, Value};

struct Options {
    app: PathBuf,
    cli: PathBuf,
    /// `None`: the CLI's own template (`plumbline bench template`).
    template: Option<PathBuf>,
    rounds: usize,
}

fn options() -> anyhow::Result<Options> {
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .context("the benchmark binary has no folder")?
        .to_path_buf();
    let mut options = Options {
        app: dir.join("plumbline-desktop"),
        cli: dir.join("plumbline"),
        template: None,
        rounds: 3,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| anyhow!("{arg} needs a value"));
        match arg.as_str() {
            "--app" => options.app = PathBuf::from(value()?),
            "--cli" => options.cli = PathBuf::from(value()?),
            "--template" => options.template = Some(PathBuf::from(value()?)),
            "--rounds" => options.rounds = value()?.parse().context("--rounds N")?,
            other => bail!(
                "unknown argument {other}: use --app PATH --cli PATH --template DB --rounds N"
            ),
        }
    }
    for (path, what) in [
        (&options.app, "desktop app"),
        (&options.cli, "plumbline CLI"),
    ] {
        if !path.exists() {
            bail!(
                "{} ({what}) does not exist: run `cargo build --release --workspace` first",
                path.display()
            );
        }
    }
    Ok(options)
}

/// A reviewed copy of the template as `data/plumbline.db` under `scratch`.
fn prepare_database(options: &Options, scratch: &Path) -> anyhow::Result<PathBuf> {
    let template = match &options.template {
        Some(given) if given.exists() => given.clone(),
        Some(given) => bail!("the template {} does not exist", given.display()),
        None => {
            eprintln!(
                "the benchmark portfolio: `plumbline bench template` (generates it once when missing, a few minutes)"
            );
            let output = std::process::Command::new(&options.cli)
                .args(["bench", "template"])
                .stderr(std::process::Stdio::inherit())
                .output()?;
            if !output.status.success() {
                bail!("`plumbline bench template` failed");
            }
            PathBuf::from(String::from_utf8(output.stdout)?.trim())
        }
    };
    let data = scratch.join("data");
    std::fs::create_dir_all(&data)?;
    let db = data.join("plumbline.db");
    std::fs::copy(&template, &db).with_context(|| format!("cannot copy {}", template.display()))?;
    eprintln!("reviewing the 1,000-tenant copy (findings for the table)…");
    let output = std::process::Command::new(&options.cli)
        .arg("--db")
        .arg(&db)
        .args(["--json", "review"])
        .output()?;
    if !output.status.success() {
        bail!(
            "the review failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(data)
}

/// Memory of one process, KiB.
#[derive(Debug, Default)]
struct ProcessMemory {
    name: String,
    /// Resident set: every page mapped in, shared libraries counted whole.
    rss: u64,
    /// Proportional set: a page shared by n processes counts 1/n in each, so the sum
    /// over processes is what they occupy together.
    pss: u64,
    /// Private anonymous memory: heaps, JavaScript, caches.
    anon: u64,
}

/// The memory of `pid` and every process below it (the app first).
fn tree_memory(pid: u32) -> Vec<ProcessMemory> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(child) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            if let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) {
                // The command name is in parentheses and may hold spaces: skip past it.
                let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
                if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
                    parents.push((child, ppid));
                }
            }
        }
    }
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(c, _)| *c),
        );
        i += 1;
    }
    let field = |text: &str, name: &str| -> String {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().trim_end_matches("kB").trim().to_owned())
            .unwrap_or_default()
    };
    tree.iter()
        .map(|process| {
            let status =
                std::fs::read_to_string(format!("/proc/{process}/status")).unwrap_or_default();
            let rollup = std::fs::read_to_string(format!("/proc/{process}/smaps_rollup"))
                .unwrap_or_default();
            ProcessMemory {
                name: field(&status, "Name:"),
                rss: field(&status, "VmRSS:").parse().unwrap_or(0),
                pss: field(&rollup, "Pss:").parse().unwrap_or(0),
                anon: field(&status, "RssAnon:").parse().unwrap_or(0),
            }
        })
        .collect()
}

/// The figures of [`tree_memory`]: the app process, and the app with its WebKit processes.
fn memory_figures(pid: u32) -> Value {
    let parts = tree_memory(pid);
    let sum = |f: fn(&ProcessMemory) -> u64| parts.iter().map(f).sum::<u64>();
    let app = parts.first();
    json!({
        "app": { "rss": app.map_or(0, |p| p.rss), "pss": app.map_or(0, |p| p.pss),
                 "anon": app.map_or(0, |p| p.anon) },
        "with_webkit": { "rss": sum(|p| p.rss), "pss": sum(|p| p.pss), "anon": sum(|p| p.anon) },
        "processes": parts
            .iter()
            .map(|p| json!({ "name": p.name, "rss": p.rss, "pss": p.pss, "anon": p.anon }))
            .collect::<Vec<_>>(),
    })
}

/// The newest process running `app`.
fn app_pid(app: &Path) -> anyhow::Result<u32> {
    let start_time = |pid: u32| -> u64 {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| {
                s.rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().nth(19)?.parse().ok())
            })
            .unwrap_or(0)
    };
    processes_of(app)
        .into_iter()
        .max_by_key(|pid| start_time(*pid))
        .ok_or_else(|| anyhow!("no running {}", app.display()))
}

async fn wait_text(
    session: &Session,
    css: &str,
    want: impl Fn(&str) -> bool,
) -> anyhow::Result<String> {
    let started = Instant::now();
    loop {
        if let Some(element) = session.find_all(css).await?.first() {
            let text = session.text(element).await?;
            if want(&text) {
                return Ok(text);
            }
        }
        if started.elapsed() > Duration::from_secs(120) {
            bail!("waited 120 s for {css}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn stats(mut ms: Vec<f64>) -> Value {
    if ms.is_empty() {
        return json!({ "n": 0 });
    }
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    json!({ "n": ms.len(), "median": at(0.5), "p95": at(0.95), "max": at(1.0), "min": at(0.0) })
}

const QUERY_SCRIPT: &str = r#"
const done = arguments[arguments.length - 1];
const filters = arguments[0];
const base = { tenantIds: [], severities: [], statuses: [], kinds: [], baselines: [], due: null,
  search: "", sort: "severity", offset: 0, limit: 200 };
(async () => {
  const times = [];
  let matched = [];
  for (let round = 0; round < 5; round++) {
    for (const filter of filters) {
      const t0 = performance.now();
      const page = await window.__TAURI_INTERNALS__.invoke("query_findings", { query: { ...base, ...filter } });
      times.push(performance.now() - t0);
      if (round === 0) matched.push(page.matched);
    }
  }
  done({ times, matched });
})().catch((e) => done({ error: String(e && e.message || e) }));
"#;

/// Clicks (in the page) what `click` names and times until the findings count changes.
const CLICK_SCRIPT: &str = r#"
const done = arguments[arguments.length - 1];
const [steps] = arguments;
const count = () => document.querySelector('[data-testid="findings-count"]');
const find = (how) => how.text
  ? [...document.querySelectorAll(how.css)].find((e) => e.textContent.trim() === how.text)
  : document.querySelector(how.css);
const until = (test, ms) => new Promise((resolve, reject) => {
  const t0 = performance.now();
  const tick = () => {
    const value = test();
    if (value) return resolve(value);
    if (performance.now() - t0 > ms) return reject(new Error("timed out"));
    requestAnimationFrame(tick);
  };
  tick();
});
(async () => {
  for (const step of steps.slice(0, -1)) {
    (await until(() => find(step), 5000)).click();
  }
  const target = await until(() => find(steps[steps.length - 1]), 5000);
  const before = count().textContent;
  const t0 = performance.now();
  target.click();
  await until(() => count().textContent !== before && !count().textContent.startsWith("Loading"), 10000);
  // The frame that shows it.
  await new Promise((r) => requestAnimationFrame(() => r()));
  done({ ms: performance.now() - t0, from: before, to: count().textContent });
})().catch((e) => done({ error: String(e && e.message || e) }));
"#;

/// Where a cold start's time goes, in order: from asking tauri-driver for a session (it
/// starts the app) to the page's navigation (the app process, its database, the window
/// and the web process); from there to the bundle having run its imports; to the Portfolio
/// asking for its data (React's first render); to the data's arrival (the query and the
/// IPC round trip); to it showing the data (the table's first rows); and, after that, to
/// the rest of the table's first page drawn in the background.
const PHASES: [&str; 6] = [
    "launch_to_page_load",
    "bundle_load_and_run",
    "first_render",
    "portfolio_data",
    "portfolio_render",
    "rest_of_table_after_interactive",
];

const MARKS_SCRIPT: &str = r#"
const done = arguments[arguments.length - 1];
const mark = (name) => {
  const entries = performance.getEntriesByName("plumbline:" + name, "mark");
  return entries.length ? entries[0].startTime : null;
};
const origin = performance.timeOrigin || performance.timing.navigationStart;
const t0 = performance.now();
const answer = () => done({ origin, bundle: mark("bundle-evaluated"),
  requested: mark("portfolio-requested"), received: mark("portfolio-received"),
  interactive: mark("interactive"), tableComplete: mark("table-complete") });
// The rest of the table's first page is drawn in the background after the first paint.
const wait = () => mark("table-complete") !== null || performance.now() - t0 > 10000
  ? answer() : setTimeout(wait, 20);
wait();
"#;

/// The startup phases of this round (see `PHASES`), from the page's marks and clock.
async fn startup_phases(
    session: &Session,
    launched: SystemTime,
) -> anyhow::Result<Vec<(&'static str, f64)>> {
    let answer = session.execute_async(MARKS_SCRIPT, vec![]).await?;
    page_error(&answer)?;
    let field = |name: &str| {
        answer[name]
            .as_f64()
            .ok_or_else(|| anyhow!("the page has no startup mark {name:?}: {answer}"))
    };
    let launched_ms = launched.duration_since(UNIX_EPOCH)?.as_secs_f64() * 1000.0;
    let (bundle, requested) = (field("bundle")?, field("requested")?);
    let (received, interactive) = (field("received")?, field("interactive")?);
    Ok(vec![
        (PHASES[0], field("origin")? - launched_ms),
        (PHASES[1], bundle),
        (PHASES[2], requested - bundle),
        (PHASES[3], received - requested),
        (PHASES[4], interactive - received),
        (PHASES[5], field("tableComplete")? - interactive),
    ])
}

fn page_error(value: &Value) -> anyhow::Result<()> {
    match value.get("error").and_then(Value::as_str) {
        Some(error) => bail!("in the page: {error}"),
        None => Ok(()),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let options = options()?;
    let scratch = tempfile::tempdir()?;
    let data = prepare_database(&options, scratch.path())?;

    let mut interactive = Vec::new();
    let mut observed = Vec::new();
    let mut phases: std::collections::BTreeMap<&'static str, Vec<f64>> = Default::default();
    let mut figures = json!({});
    for round in 0..options.rounds {
        let home = scratch.path().join(format!("home-{round}"));
        std::fs::create_dir_all(&home)?;
        let driver = Driver::start(&[
            ("PLUMBLINE_DATA_DIR", data.as_path()),
            ("HOME", home.as_path()),
            ("XDG_DATA_HOME", home.as_path()),
            ("XDG_CACHE_HOME", home.as_path()),
            ("XDG_CONFIG_HOME", home.as_path()),
        ])?;
        let started = Instant::now();
        let launched = SystemTime::now();
        let session = Session::start(
            &driver.url,
            &options.app.display().to_string(),
            Duration::from_secs(120),
        )
        .await?;
        wait_text(&session, "[data-testid=\"tenant-count\"]", |t| {
            t.contains("1,000") || t.contains("1000")
        })
        .await?;
        observed.push(started.elapsed().as_secs_f64() * 1000.0);
        let timing = loop {
            let answer = session
                .execute_async(
                    "const done = arguments[arguments.length - 1]; \
                     window.__TAURI_INTERNALS__.invoke('startup_timing').then(done, (e) => done({ error: String(e) }));",
                    vec![],
                )
                .await?;
            page_error(&answer)?;
            if let Some(ms) = answer["interactiveMs"].as_f64() {
                break ms;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        interactive.push(timing);
        let pid = app_pid(&options.app)?;
        let round_phases = startup_phases(&session, launched).await?;
        eprintln!(
            "round {}: interactive after {timing} ms ({})",
            round + 1,
            round_phases
                .iter()
                .map(|(name, ms)| format!("{name} {ms:.0}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for (name, ms) in round_phases {
            phases.entry(name).or_default().push(ms);
        }

        if round == 0 {
            figures["memory_after_portfolio_kib"] = memory_figures(pid);
            session
                .execute_async(
                    "const done = arguments[arguments.length - 1]; location.hash = '#/findings'; done(null);",
                    vec![],
                )
                .await?;
            let shown = wait_text(&session, "[data-testid=\"findings-count\"]", |t| {
                t.contains(" of ")
            })
            .await?;
            eprintln!("findings table: {shown}");

            let filters = json!([
                {},
                { "severities": ["critical", "high"] },
                { "statuses": ["open"] },
                { "kinds": ["lint"] },
                { "due": "overdue" },
                { "search": "password" },
                { "search": "bitlocker", "sort": "tenant" },
                { "severities": ["medium"], "statuses": ["open", "acknowledged"], "sort": "due" },
            ]);
            let answer = session.execute_async(QUERY_SCRIPT, vec![filters]).await?;
            page_error(&answer)?;
            let times: Vec<f64> = answer["times"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_f64).collect())
                .unwrap_or_default();
            figures["query_findings_ms"] = stats(times);
            figures["query_matched"] = answer["matched"].clone();

            let mut clicks = Vec::new();
            let mut views = Vec::new();
            let mut resets = Vec::new();
            for _ in 0..5 {
                let view = json!([
                    { "css": "[data-testid=\"views-button\"]" },
                    { "css": "[data-testid=\"view-apply\"]", "text": "Overdue critical and high" },
                ]);
                let answer = session.execute_async(CLICK_SCRIPT, vec![view]).await?;
                page_error(&answer)?;
                let ms = answer["ms"].as_f64().unwrap_or(f64::NAN);
                clicks.push(ms);
                views.push(ms);
                let reset = json!([{ "css": "button", "text": "Reset filters" }]);
                let answer = session.execute_async(CLICK_SCRIPT, vec![reset]).await?;
                page_error(&answer)?;
                let ms = answer["ms"].as_f64().unwrap_or(f64::NAN);
                clicks.push(ms);
                resets.push(ms);
            }
            figures["filter_click_to_table_ms"] = stats(clicks);
            figures["apply_view_ms"] = stats(views);
            figures["reset_filters_ms"] = stats(resets);
            figures["memory_after_findings_kib"] = memory_figures(pid);
        }
        session.end().await?;
        drop(driver);
        // The next round starts once this app process is gone (it closes its database on
        // the way out); a new session while it still exits can fail to start.
        let exited = Instant::now();
        while Path::new(&format!("/proc/{pid}")).exists() && exited.elapsed().as_secs() < 20 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    figures["interactive_ms"] = stats(interactive);
    figures["webdriver_session_to_portfolio_ms"] = stats(observed);
    figures["startup_phases_ms"] = phases
        .into_iter()
        .map(|(name, ms)| (name.to_string(), stats(ms)))
        .collect::<serde_json::Map<_, _>>()
        .into();

    println!("{}", serde_json::to_string_pretty(&figures)?);
    let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    println!();
    println!(
        "Cold start to an interactive Portfolio (1,000 tenants): median {:.0} ms, max {:.0} ms over {} starts",
        num(&figures["interactive_ms"]["median"]),
        num(&figures["interactive_ms"]["max"]),
        options.rounds
    );
    println!(
        "  of which (medians): launch to page load {:.0} ms, bundle load and run {:.0} ms, \
         first render {:.0} ms, Portfolio data {:.0} ms, Portfolio render {:.0} ms; \
         the rest of the table's first page {:.0} ms later",
        num(&figures["startup_phases_ms"][PHASES[0]]["median"]),
        num(&figures["startup_phases_ms"][PHASES[1]]["median"]),
        num(&figures["startup_phases_ms"][PHASES[2]]["median"]),
        num(&figures["startup_phases_ms"][PHASES[3]]["median"]),
        num(&figures["startup_phases_ms"][PHASES[4]]["median"]),
        num(&figures["startup_phases_ms"][PHASES[5]]["median"]),
    );
    println!(
        "Findings query round trip (IPC + filter + 200 rows): median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        num(&figures["query_findings_ms"]["median"]),
        num(&figures["query_findings_ms"]["p95"]),
        num(&figures["query_findings_ms"]["max"])
    );
    println!(
        "Filter click to the table showing it: median {:.0} ms, max {:.0} ms; applying a view {:.0} ms, resetting {:.0} ms (medians)",
        num(&figures["filter_click_to_table_ms"]["median"]),
        num(&figures["filter_click_to_table_ms"]["max"]),
        num(&figures["apply_view_ms"]["median"]),
        num(&figures["reset_filters_ms"]["median"])
    );
    let mib = |v: &Value| num(v) / 1024.0;
    for key in ["memory_after_portfolio_kib", "memory_after_findings_kib"] {
        let m = &figures[key];
        println!(
            "Memory {}: app process RSS {:.0} MiB (PSS {:.0}, private heap {:.0}); \
             with its WebKit processes PSS {:.0} MiB (RSS summed {:.0}, private heap {:.0})",
            key.trim_start_matches("memory_")
                .trim_end_matches("_kib")
                .replace('_', " "),
            mib(&m["app"]["rss"]),
            mib(&m["app"]["pss"]),
            mib(&m["app"]["anon"]),
            mib(&m["with_webkit"]["pss"]),
            mib(&m["with_webkit"]["rss"]),
            mib(&m["with_webkit"]["anon"]),
        );
    }
    Ok(())
}

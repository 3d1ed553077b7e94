//! `plumbline bench import`: the importer's throughput on a generated export of
//! `--files` files in the layouts real MSPs hand over, mixed in one folder tree:
//! IntuneManagement (UTF-16 with a byte-order mark, full metadata, ids in the file names),
//! IntuneCD (folders with spaces, five-space indents, names instead of ids), Graph list
//! pages, plus side files (scripts) that are classified and not read.
//!
//! The export is made from the corpus policies of the demo generator, each file a policy
//! of its own (names made unique). `plumbline import` then runs in a child process on a
//! scratch database: wall time, files and items per second, and the child's peak resident
//! memory are reported, for `--rounds` rounds (the median and the best).

use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context};
use plumbline_core::demo::DemoGenerator;
use plumbline_core::portfolio::DEFAULT_SEED;
use serde::Serialize;
use serde_json::Value;

use crate::output::{human_bytes, print_json};
use crate::Outcome;

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// Files in the generated export.
    #[arg(long, default_value_t = 1000)]
    files: usize,
    /// Import rounds (each into a fresh database).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
}

#[derive(Serialize)]
struct Figures {
    files: usize,
    policy_files: usize,
    bytes: u64,
    rounds: Vec<Round>,
    median_seconds: f64,
    median_files_per_second: f64,
    max_peak_rss_bytes: Option<u64>,
}

#[derive(Serialize)]
struct Round {
    seconds: f64,
    items: u64,
    files_per_second: f64,
    peak_rss_bytes: Option<u64>,
}

pub async fn run(args: &ImportArgs, json: bool) -> Outcome {
    let scratch = tempfile::tempdir().context("cannot make a scratch folder")?;
    let export = scratch.path().join("export");
    let (policy_files, bytes) = write_export(&export, args.files)?;
    let mut rounds = Vec::new();
    for round in 0..args.rounds.max(1) {
        let db = scratch.path().join(format!("round-{round}.db"));
        rounds.push(import_child(&db, &export, args.files)?);
    }
    let mut seconds: Vec<f64> = rounds.iter().map(|r| r.seconds).collect();
    seconds.sort_by(f64::total_cmp);
    let median = seconds[seconds.len() / 2];
    let figures = Figures {
        files: args.files,
        policy_files,
        bytes,
        median_seconds: median,
        median_files_per_second: args.files as f64 / median,
        max_peak_rss_bytes: rounds.iter().filter_map(|r| r.peak_rss_bytes).max(),
        rounds,
    };
    if json {
        print_json(&figures)?;
        return Ok(());
    }
    println!(
        "Generated export: {} files ({} policy files, {}) in IntuneManagement, IntuneCD and Graph-page layouts",
        figures.files,
        figures.policy_files,
        human_bytes(figures.bytes)
    );
    for (n, r) in figures.rounds.iter().enumerate() {
        println!(
            "round {}: {:.2} s, {:.0} files/s, {} items, peak RSS {}",
            n + 1,
            r.seconds,
            r.files_per_second,
            r.items,
            r.peak_rss_bytes.map_or("unknown".to_owned(), human_bytes)
        );
    }
    println!(
        "median {:.2} s: {:.0} files/s (plumbline import, read to committed capture); peak RSS {}",
        figures.median_seconds,
        figures.median_files_per_second,
        figures
            .max_peak_rss_bytes
            .map_or("unknown".to_owned(), human_bytes)
    );
    Ok(())
}

/// Writes `files` files; returns the policy files among them and the bytes written.
fn write_export(root: &Path, files: usize) -> anyhow::Result<(usize, u64)> {
    let generator = DemoGenerator::new(DEFAULT_SEED).context("demo generator")?;
    let policies: Vec<(String, Value)> = generator
        .baseline_items()
        .map(|i| (i.kind.clone(), (*i.raw).clone()))
        .collect();
    if policies.is_empty() {
        bail!("the demo corpus holds no policies");
    }
    let mut bytes = 0u64;
    let mut policy_files = 0usize;
    for n in 0..files {
        let (kind, raw) = &policies[n % policies.len()];
        let mut raw = raw.clone();
        let name_field = if kind == "settings_catalog" {
            "name"
        } else {
            "displayName"
        };
        let name = format!(
            "{} #{n}",
            raw[name_field].as_str().unwrap_or("Policy").trim()
        );
        raw[name_field] = Value::String(name.clone());
        let id = format!("{n:08x}-0000-4000-8000-000000000000");
        raw["id"] = Value::String(id.clone());
        let folder = plumbline_core::kinds::by_key(kind)
            .and_then(|k| k.folders.first())
            .copied()
            .unwrap_or("Other");
        let safe = name.replace(['/', '\\', ':'], "_");
        let (path, content): (String, Vec<u8>) = match n % 10 {
            // A script and its side file: classified, not read.
            9 => (
                format!("PowerShellScripts/script-{n}.ps1"),
                b"Write-Host 'hi'\r\n".to_vec(),
            ),
            // IntuneCD: a folder with spaces, five-space indents, no id.
            3 | 6 => {
                if let Some(map) = raw.as_object_mut() {
                    map.remove("id");
                }
                let spaced = spaced_folder(folder);
                (
                    format!("IntuneCD/{spaced}/{safe}.json"),
                    indented(&raw, b"     ")?,
                )
            }
            // A Graph list page of one policy.
            7 => (
                format!("graph/page-{n}.json"),
                serde_json::to_vec(&serde_json::json!({
                    "@odata.context": "https://graph.microsoft.com/beta/$metadata#deviceManagement/configurationPolicies",
                    "value": [raw]
                }))?,
            ),
            // IntuneManagement on Windows PowerShell: UTF-16 LE, the id in the name.
            _ => {
                let text = String::from_utf8(indented(&raw, b"    ")?)?;
                let mut utf16 = vec![0xFF, 0xFE];
                for unit in text.encode_utf16() {
                    utf16.extend_from_slice(&unit.to_le_bytes());
                }
                (format!("Contoso/{folder}/{safe}_{id}.json"), utf16)
            }
        };
        if !path.ends_with(".ps1") {
            policy_files += 1;
        }
        let path = root.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        bytes += content.len() as u64;
        std::fs::write(&path, content)?;
    }
    Ok((policy_files, bytes))
}

/// `SettingsCatalog` as IntuneCD names it: `Settings Catalog`.
fn spaced_folder(folder: &str) -> String {
    let mut out = String::new();
    for (i, c) in folder.chars().enumerate() {
        if i > 0 && c.is_uppercase() {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn indented(value: &Value, indent: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(indent);
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value.serialize(&mut serializer)?;
    Ok(out)
}

/// Runs `plumbline --db DB --json import --tenant Bench EXPORT` and measures it.
fn import_child(db: &Path, export: &Path, files: usize) -> anyhow::Result<Round> {
    let exe = std::env::current_exe().context("cannot find the plumbline executable")?;
    let peak_file = db.with_extension("peak-rss");
    let started = Instant::now();
    let output = std::process::Command::new(exe)
        .env(super::PEAK_RSS_FILE_ENV, &peak_file)
        .arg("--db")
        .arg(db)
        .args(["--json", "import", "--tenant", "Bench"])
        .arg(export)
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("cannot start the import")?;
    let seconds = started.elapsed().as_secs_f64();
    if !output.status.success() {
        bail!("the import failed ({})", output.status);
    }
    let report: Value = serde_json::from_slice(&output.stdout).context("import output")?;
    let peak = std::fs::read_to_string(&peak_file)
        .ok()
        .and_then(|text| text.trim().parse().ok());
    Ok(Round {
        seconds,
        items: report["items"].as_u64().unwrap_or(0),
        files_per_second: files as f64 / seconds,
        peak_rss_bytes: peak,
    })
}

//! `plumbline import`

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use plumbline_core::capture::{import_folder, preview_folder, CaptureError, FolderImport};
use plumbline_core::connectors::import::{
    BadFilePolicy, FileOutcome, FileReport, Format, ImportOptions, SkippedFile,
};
use plumbline_core::store::Store;
use serde::Serialize;

use crate::output::print_json;
use crate::{Failure, Outcome};

#[derive(clap::Args, Debug)]
#[command(
    long_about = "Import a folder of exported Intune configuration as a new capture of a tenant.\n\n\
Reads every common exporter's layout, recognised from the files themselves: IntuneManagement \
(a folder per kind, _Settings.json companions, MigrationTable.json), IntuneCD backups (JSON or \
YAML), the Intune admin center's \"Export JSON\", Microsoft's PowerShell samples, and plain Graph \
JSON (an object, an array, or a {\"value\": [...]} page), in UTF-8 or UTF-16, however the folders \
were renamed or nested. Files that are not policies (scripts, payloads, reports, READMEs) are \
listed as such. The tenant is created when it does not exist.\n\n\
Every file is listed with what it held and how its kind was recognised (or why not); --json \
carries the same. --dry-run shows that without writing anything.\n\n\
Bad files: by default the first malformed file aborts the import and nothing is written (the error \
names the file and the problem). With --skip-bad-files, malformed files are skipped and listed, and \
the rest is imported. Either way the capture is written in one transaction: all of it or nothing."
)]
pub struct Args {
    /// Tenant name (created when it does not exist).
    #[arg(long)]
    tenant: String,
    /// The folder to import.
    dir: PathBuf,
    /// Skip malformed files (and list them) instead of aborting.
    #[arg(long)]
    skip_bad_files: bool,
    /// Show what would be imported, file by file, and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// When the configuration was exported (RFC 3339); default: now.
    #[arg(long, value_name = "TIME")]
    taken_at: Option<DateTime<Utc>>,
    /// Primary domain to record when the tenant is created.
    #[arg(long)]
    domain: Option<String>,
}

#[derive(Serialize)]
struct Report {
    tenant: String,
    /// Absent in a dry run.
    tenant_id: Option<String>,
    tenant_created: bool,
    capture_id: Option<String>,
    dry_run: bool,
    files_read: usize,
    items: usize,
    directory_objects: usize,
    by_kind: BTreeMap<String, u32>,
    formats: BTreeMap<Format, usize>,
    skipped: Vec<SkippedFile>,
    files: Vec<FileReport>,
}

pub async fn run(store: &Store, args: &Args, json: bool) -> Outcome {
    let options = ImportOptions {
        on_bad_file: if args.skip_bad_files {
            BadFilePolicy::Skip
        } else {
            BadFilePolicy::Abort
        },
        ..ImportOptions::default()
    };
    let failure = |e: CaptureError| match e {
        CaptureError::Import(e) => Failure::from(e),
        CaptureError::Store(e) => Failure::from(e),
        other => Failure::from(anyhow::Error::from(other)),
    };
    let (report, tenant_id, capture_id, created) = if args.dry_run {
        let report = preview_folder(store, Some(&args.tenant), &args.dir, &options)
            .await
            .map_err(failure)?;
        (report, None, None, false)
    } else {
        let imported = import_folder(
            store,
            &FolderImport {
                tenant: args.tenant.clone(),
                primary_domain: args.domain.clone(),
                dir: args.dir.clone(),
                options,
                taken_at: args.taken_at,
            },
        )
        .await
        .map_err(failure)?;
        (
            imported.report,
            Some(imported.tenant_id.to_string()),
            Some(imported.capture_id.to_string()),
            imported.tenant_created,
        )
    };
    let by_kind: BTreeMap<String, u32> = report
        .content
        .kind_status
        .iter()
        .map(|(kind, status)| (kind.clone(), status.item_count))
        .collect();
    let out = Report {
        tenant: args.tenant.clone(),
        tenant_id,
        tenant_created: created,
        capture_id,
        dry_run: args.dry_run,
        files_read: report.files_read,
        items: report.content.items.len(),
        directory_objects: report.content.directory_objects.len(),
        by_kind,
        formats: report.formats(),
        skipped: report.skipped.clone(),
        files: report.files,
    };
    if json {
        print_json(&out)?;
        return Ok(());
    }
    for file in &out.files {
        print_file(file);
    }
    println!();
    if out.dry_run {
        println!(
            "Would import {} items from {} files into {} (nothing was written: drop --dry-run to import).",
            out.items, out.files_read, out.tenant
        );
    } else {
        println!(
            "Imported {} items from {} files into a new capture of {}{}.",
            out.items,
            out.files_read,
            out.tenant,
            if created { " (new tenant)" } else { "" }
        );
    }
    for (kind, count) in &out.by_kind {
        println!("  {:<32} {count:>5}", plumbline_core::kinds::label(kind));
    }
    if out.directory_objects > 0 {
        println!("  {:<32} {:>5}", "Directory objects", out.directory_objects);
    }
    if !out.formats.is_empty() {
        let formats: Vec<String> = out
            .formats
            .iter()
            .map(|(format, count)| format!("{} ({count})", format.label()))
            .collect();
        println!("Layouts recognised: {}.", formats.join(", "));
    }
    for skipped in &out.skipped {
        eprintln!("skipped {}: {}", skipped.path, skipped.reason);
    }
    Ok(())
}

/// One line per file (and per policy when a file holds several).
fn print_file(file: &FileReport) {
    match &file.outcome {
        FileOutcome::Policies { items } if items.len() == 1 => {
            let item = &items[0];
            println!(
                "{}: {} \"{}\", by {}",
                file.path,
                plumbline_core::kinds::label(&item.kind),
                item.name,
                item.how
            );
        }
        FileOutcome::Policies { items } => {
            println!("{}: {} policies", file.path, items.len());
            for item in items {
                println!(
                    "    {} \"{}\", by {}",
                    plumbline_core::kinds::label(&item.kind),
                    item.name,
                    item.how
                );
            }
        }
        FileOutcome::Directory { objects } => {
            println!("{}: {objects} directory objects", file.path);
        }
        FileOutcome::Companion { policy, what } => {
            println!("{}: {what} ({policy})", file.path);
        }
        FileOutcome::NotAPolicy { what } => println!("{}: not a policy: {what}", file.path),
        FileOutcome::Skipped { reason } => println!("{}: skipped: {reason}", file.path),
    }
    for note in &file.notes {
        println!("    note: {note}");
    }
}

//! `plumbline import`

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use plumbline_core::capture::{import_folder, CaptureError, FolderImport};
use plumbline_core::connectors::import::{BadFilePolicy, ImportOptions, SkippedFile};
use plumbline_core::store::Store;
use serde::Serialize;

use crate::output::print_json;
use crate::{Failure, Outcome};

#[derive(clap::Args, Debug)]
#[command(
    long_about = "Import a folder of exported Microsoft Graph JSON as a new capture of a tenant.\n\n\
Reads every .json file under DIR: the IntuneManagement export layout (a folder per kind, a file per \
policy) and plain Graph JSON (an object, an array, or a {\"value\": [...]} page), in UTF-8 or UTF-16. \
The tenant is created when it does not exist.\n\n\
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
    tenant_id: String,
    tenant_created: bool,
    capture_id: String,
    files_read: usize,
    items: usize,
    directory_objects: usize,
    by_kind: BTreeMap<String, u32>,
    skipped: Vec<SkippedFile>,
}

pub async fn run(store: &Store, args: &Args, json: bool) -> Outcome {
    let options = ImportOptions {
        on_bad_file: if args.skip_bad_files {
            BadFilePolicy::Skip
        } else {
            BadFilePolicy::Abort
        },
    };
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
    .map_err(|e| match e {
        CaptureError::Import(e) => Failure::from(e),
        CaptureError::Store(e) => Failure::from(e),
        other => Failure::from(anyhow::Error::from(other)),
    })?;
    let (report, created) = (imported.report, imported.tenant_created);
    let by_kind: BTreeMap<String, u32> = report
        .content
        .kind_status
        .iter()
        .map(|(kind, status)| (kind.clone(), status.item_count))
        .collect();
    let out = Report {
        tenant: args.tenant.clone(),
        tenant_id: imported.tenant_id.to_string(),
        tenant_created: created,
        capture_id: imported.capture_id.to_string(),
        files_read: report.files_read,
        items: report.content.items.len(),
        directory_objects: report.content.directory_objects.len(),
        by_kind,
        skipped: report.skipped,
    };
    if json {
        print_json(&out)?;
        return Ok(());
    }
    println!(
        "Imported {} items from {} files into a new capture of {}{}.",
        out.items,
        out.files_read,
        out.tenant,
        if created { " (new tenant)" } else { "" }
    );
    for (kind, count) in &out.by_kind {
        println!("  {:<32} {count:>5}", plumbline_core::kinds::label(kind));
    }
    if out.directory_objects > 0 {
        println!("  {:<32} {:>5}", "Directory objects", out.directory_objects);
    }
    for skipped in &out.skipped {
        eprintln!("skipped {}: {}", skipped.path, skipped.reason);
    }
    Ok(())
}

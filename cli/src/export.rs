//! `plumbline export findings|drift|inventory|risks`: RFC 4180 CSV files, recorded in
//! the database with their parameters and SHA-256.

use std::path::PathBuf;
use std::time::Instant;

use plumbline_core::store::{NewReport, Store};
use plumbline_reports::data::{Finding, InventoryItem, RiskAcceptance};
use plumbline_reports::export::{self, CsvOptions};
use plumbline_reports::sha256_hex;
use serde::Serialize;

use crate::output::{human_bytes, print_json};
use crate::report::{render_failure, to_report_data, write_file};
use crate::Outcome;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// What to export.
    #[arg(value_enum)]
    what: What,
    /// Only this tenant (default: all).
    #[arg(long)]
    tenant: Option<String>,
    /// Excel-friendly: UTF-8 with a byte order mark, formula-like cells neutralised.
    #[arg(long)]
    excel: bool,
    /// Where to write the CSV.
    #[arg(long, value_name = "FILE.csv")]
    out: PathBuf,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum What {
    /// Findings with their history (every status).
    Findings,
    /// Deviations still present: expected and actual values.
    Drift,
    /// The items of each tenant's latest capture.
    Inventory,
    /// Risk acceptances, live and lapsed.
    Risks,
}

impl What {
    fn name(self) -> &'static str {
        match self {
            Self::Findings => "findings",
            Self::Drift => "drift",
            Self::Inventory => "inventory",
            Self::Risks => "risks",
        }
    }
}

#[derive(Serialize)]
struct Exported {
    record_id: String,
    kind: String,
    tenant: Option<String>,
    path: String,
    rows: usize,
    bytes: u64,
    sha256: String,
    excel: bool,
    total_ms: f64,
}

pub async fn run(store: &Store, args: &Args, json: bool) -> Outcome {
    let started = Instant::now();
    let tenant = match &args.tenant {
        Some(name) => Some(store.tenant(name).await?),
        None => None,
    };
    let tenant_id = tenant.as_ref().map(|t| t.id);
    let options = CsvOptions { excel: args.excel };
    let mut bytes = Vec::new();
    let rows = match args.what {
        What::Findings | What::Drift => {
            let findings: Vec<Finding> =
                to_report_data(&store.report_findings(tenant_id, None).await?)?;
            if matches!(args.what, What::Findings) {
                let records = export::finding_records(&findings);
                export::write_records(&mut bytes, &records, options).map_err(render_failure)?;
                records.len()
            } else {
                let records = export::drift_records(&findings);
                export::write_records(&mut bytes, &records, options).map_err(render_failure)?;
                records.len()
            }
        }
        What::Inventory => {
            let items: Vec<InventoryItem> =
                to_report_data(&store.report_inventory(tenant_id).await?)?;
            let records = export::inventory_records(&items);
            export::write_records(&mut bytes, &records, options).map_err(render_failure)?;
            records.len()
        }
        What::Risks => {
            let acceptances: Vec<RiskAcceptance> =
                to_report_data(&store.report_acceptances(tenant_id, None).await?)?;
            let records = export::risk_records(&acceptances);
            export::write_records(&mut bytes, &records, options).map_err(render_failure)?;
            records.len()
        }
    };
    let path = write_file(&args.out, &bytes)?;
    let sha256 = sha256_hex(&bytes);
    let kind = format!("export_{}", args.what.name());
    let record_id = store
        .record_report(&NewReport {
            tenant: tenant_id,
            kind: kind.clone(),
            format: "csv".to_owned(),
            parameters: serde_json::json!({
                "what": args.what.name(),
                "tenant": tenant.as_ref().map(|t| t.name.clone()),
                "excel": args.excel,
                "rows": rows,
            }),
            sha256: sha256.clone(),
            size: bytes.len() as u64,
            path: Some(path.clone()),
        })
        .await?;
    let exported = Exported {
        record_id,
        kind,
        tenant: tenant.map(|t| t.name),
        path,
        rows,
        bytes: bytes.len() as u64,
        sha256,
        excel: args.excel,
        total_ms: started.elapsed().as_secs_f64() * 1000.0,
    };
    if json {
        print_json(&exported)?;
    } else {
        println!(
            "Wrote {} ({} rows, {}), sha256 {}",
            exported.path,
            exported.rows,
            human_bytes(exported.bytes),
            exported.sha256
        );
    }
    Ok(())
}

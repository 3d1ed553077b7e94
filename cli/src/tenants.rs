//! `plumbline tenants`

use chrono::Utc;
use plumbline_core::store::{timestamp, Store};
use serde::Serialize;

use crate::output::print_json;
use crate::Outcome;

#[derive(Serialize)]
struct Row {
    id: String,
    name: String,
    primary_domain: Option<String>,
    is_demo: bool,
    capture_count: u32,
    last_capture_at: Option<String>,
    item_count: u32,
    failed_kinds: Vec<String>,
}

pub async fn run(store: &Store, json: bool) -> Outcome {
    let tenants = store.list_tenants().await?;
    if json {
        let rows: Vec<Row> = tenants
            .into_iter()
            .map(|t| Row {
                id: t.id.to_string(),
                name: t.name,
                primary_domain: t.primary_domain,
                is_demo: t.is_demo,
                capture_count: t.capture_count,
                last_capture_at: t.last_capture_at.map(timestamp),
                item_count: t.item_count,
                failed_kinds: t.failed_kinds,
            })
            .collect();
        print_json(&rows)?;
        return Ok(());
    }
    if tenants.is_empty() {
        println!("No tenants yet. Import one with `plumbline import --tenant NAME DIR`, or create the demo portfolio with `plumbline demo --tenants 5`.");
        return Ok(());
    }
    let width = tenants
        .iter()
        .map(|t| t.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    println!(
        "{:<width$}  {:>8}  {:<17}  {:>6}  STATUS",
        "NAME", "CAPTURES", "LAST CAPTURE", "ITEMS"
    );
    let now = Utc::now();
    for t in &tenants {
        let last = t
            .last_capture_at
            .map(|at| format!("{} ({})", at.format("%Y-%m-%d"), age(now - at)))
            .unwrap_or_else(|| "never".to_owned());
        let mut status = Vec::new();
        if t.is_demo {
            status.push("demo".to_owned());
        }
        if !t.failed_kinds.is_empty() {
            status.push(format!("failed: {}", t.failed_kinds.join(", ")));
        }
        println!(
            "{:<width$}  {:>8}  {:<17}  {:>6}  {}",
            t.name,
            t.capture_count,
            last,
            t.item_count,
            status.join("; ")
        );
    }
    println!("{} tenants", tenants.len());
    Ok(())
}

fn age(delta: chrono::TimeDelta) -> String {
    let days = delta.num_days();
    match days {
        i64::MIN..=0 => "today".to_owned(),
        1 => "1 day ago".to_owned(),
        _ => format!("{days} days ago"),
    }
}

//! `plumbline review` and `plumbline score`

use std::time::Instant;

use plumbline_core::review::{ranking, review_all, review_tenant, ReviewOptions, TenantReview};
use plumbline_core::store::Store;

use crate::output::{print_json, progress};
use crate::{Failure, Outcome};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Review only this tenant (default: all).
    #[arg(long)]
    tenant: Option<String>,
    /// Review again even when nothing changed since the last review.
    #[arg(long)]
    force: bool,
}

pub async fn run(store: &Store, args: &Args, json: bool) -> Outcome {
    let started = Instant::now();
    let options = ReviewOptions { force: args.force };
    let reviews: Vec<TenantReview> = match &args.tenant {
        Some(name) => {
            let tenant = store.tenant(name).await?;
            vec![review_tenant(store, tenant.id, &options).await?]
        }
        None => {
            let bar = progress(0, "reviewing");
            let out = review_all(store, &options, |done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            })
            .await?;
            bar.finish_and_clear();
            out
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let alerts = store.raise_alerts().await?;
    let failed: Vec<&TenantReview> = reviews.iter().filter(|r| r.error.is_some()).collect();
    let partial = || {
        Failure::partial(format!(
            "the review of {} of {} tenants failed (listed above); the others were reviewed",
            failed.len(),
            reviews.len()
        ))
    };
    if json {
        print_json(&serde_json::json!({"seconds": seconds, "tenants": reviews, "alerts": alerts}))?;
        return if failed.is_empty() {
            Ok(())
        } else {
            Err(partial())
        };
    }
    let reviewed: Vec<&TenantReview> = reviews.iter().filter(|r| r.reviewed).collect();
    for r in &reviewed {
        println!(
            "{:<40} score {:>5}  {} deviations: {} new, {} re-opened, {} resolved{}",
            r.tenant,
            r.score
                .map(|s| format!("{s:.1}"))
                .unwrap_or_else(|| "—".to_owned()),
            r.drifts,
            r.opened,
            r.reopened,
            r.resolved,
            if r.not_assessed_kinds.is_empty() {
                String::new()
            } else {
                format!("; not assessed: {}", r.not_assessed_kinds.join(", "))
            }
        );
    }
    for r in &reviewed {
        for item in &r.not_assessed {
            println!(
                "  {}: not assessed: {} ({}): {}",
                r.tenant, item.item, item.kind, item.reason
            );
        }
    }
    for r in &failed {
        println!(
            "{:<40} FAILED: {}",
            r.tenant,
            r.error.as_deref().unwrap_or_default()
        );
    }
    let skipped = reviews.len() - reviewed.len() - failed.len();
    let compared: usize = reviewed.iter().map(|r| r.items_compared).sum();
    let normalized: usize = reviewed.iter().map(|r| r.items_normalized).sum();
    println!(
        "Reviewed {} tenants ({} unchanged or without captures skipped) in {seconds:.2} s: \
         {compared} policies compared, {normalized} read and normalised (the rest equal by hash).",
        reviewed.len(),
        skipped
    );
    if !alerts.is_empty() {
        let resolved = alerts
            .iter()
            .filter(|a| a.state == plumbline_core::store::AlertState::Resolved)
            .count();
        println!(
            "\n{} new alerts{} (`plumbline alerts` lists the inbox):",
            alerts.len(),
            if resolved > 0 {
                format!(", {resolved} of them resolved already (their findings fixed since)")
            } else {
                String::new()
            }
        );
        for alert in &alerts {
            crate::alerts::print_alert(alert);
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(partial())
    }
}

pub async fn score(store: &Store, json: bool) -> Outcome {
    let scores = ranking(store).await?;
    if json {
        print_json(&scores)?;
        return Ok(());
    }
    if scores.is_empty() {
        println!("No reviews yet: run `plumbline review`.");
        return Ok(());
    }
    println!(
        "{:>4}  {:<40} {:>6} {:>7}  OPEN",
        "RANK", "TENANT", "SCORE", "TREND"
    );
    for (rank, s) in scores.iter().enumerate() {
        let trend = match (s.score, s.previous) {
            (Some(now), Some(before)) => format!("{:+.1}", now - before),
            _ => "—".to_owned(),
        };
        println!(
            "{:>4}  {:<40} {:>6} {:>7}  {}",
            rank + 1,
            s.tenant,
            s.score
                .map(|v| format!("{v:.1}"))
                .unwrap_or_else(|| "—".to_owned()),
            trend,
            s.open_findings
        );
    }
    Ok(())
}

//! `plumbline-fake-graph`: the fake Microsoft Graph as a process of its own, for the
//! end-to-end tests and for demos beside the desktop.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Parser;
use plumbline_fake_graph::{tenants, Behaviour, Config};

/// A fake Microsoft Graph and Entra token endpoint on loopback, serving demo tenants.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Address to listen on (port 0: any free port). Prints
    /// `plumbline-fake-graph listening on http://ADDR` once it does.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Demo tenants 0..N of the seed (the desktop's demo portfolio holds the same).
    #[arg(long, default_value_t = 5)]
    tenants: u32,
    /// The demo generator's seed (the desktop's demo uses 20261123).
    #[arg(long, default_value_t = 20_261_123)]
    seed: u64,
    /// Average policies per tenant.
    #[arg(long)]
    mean_policies: Option<u32>,
    /// Adds a settings-catalog policy with this many settings to every tenant.
    #[arg(long)]
    large_policy_settings: Option<usize>,
    /// Pads every tenant to this many policies (copies of its catalog policies).
    #[arg(long)]
    pad_policies: Option<usize>,
    /// Gives every tenant exactly this many policies (the first kept, or copies added).
    #[arg(long)]
    policies: Option<usize>,
    /// Milliseconds added to every answer.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// The app's client id.
    #[arg(long, default_value = plumbline_fake_graph::DEFAULT_CLIENT_ID)]
    client_id: String,
    /// The app's client secret (a fake's: not secret).
    #[arg(long, default_value = plumbline_fake_graph::DEFAULT_CLIENT_SECRET)]
    client_secret: String,
    /// The certificate (PEM) registered on the app, for sign-ins with a client assertion.
    #[arg(long)]
    client_certificate: Option<PathBuf>,
    /// A JSON file of behaviours: `{"default": {...}, "tenants": {"<entra id>": {...}}}`
    /// (fields as in `Behaviour`).
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// The demo generator's "now" (RFC 3339; default now): the same anchor gives the
    /// same tenants.
    #[arg(long)]
    anchor: Option<chrono::DateTime<chrono::Utc>>,
    /// Intune's per-tenant budget per 20 s (0: none).
    #[arg(long, default_value_t = 2_000)]
    tenant_budget: usize,
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct Scenario {
    default: Behaviour,
    tenants: std::collections::HashMap<String, Behaviour>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let scenario: Scenario = match &args.scenario {
        Some(path) => serde_json::from_slice(
            &std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?,
        )
        .with_context(|| format!("{} is not a scenario", path.display()))?,
        None => Scenario::default(),
    };
    let anchor = args.anchor.unwrap_or_else(chrono::Utc::now);
    let mut list = tenants::demo_tenants(args.seed, args.tenants, args.mean_policies, anchor)?;
    for tenant in &mut list {
        if let Some(settings) = args.large_policy_settings {
            tenants::add_large_catalog_policy(tenant, "Large catalog policy", settings);
        }
        if let Some(total) = args.policies {
            tenants::exact_policies(tenant, total);
        }
        if let Some(total) = args.pad_policies {
            tenants::pad_policies(tenant, total);
        }
        tenant.behaviour = scenario.tenants.get(&tenant.entra_id).cloned();
    }
    let mut default_behaviour = scenario.default;
    if args.latency_ms > 0 {
        default_behaviour.latency_ms = args.latency_ms;
    }
    let client_certificate = match &args.client_certificate {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
        ),
        None => None,
    };
    let config = Config {
        client_id: args.client_id,
        client_secret: args.client_secret,
        client_certificate,
        tenants: list,
        default_behaviour,
        tenant_budget: (args.tenant_budget > 0)
            .then(|| (args.tenant_budget, std::time::Duration::from_secs(20))),
    };
    let running = plumbline_fake_graph::start(config, args.listen).await?;
    println!("plumbline-fake-graph listening on {}", running.url);
    tokio::signal::ctrl_c().await?;
    Ok(())
}

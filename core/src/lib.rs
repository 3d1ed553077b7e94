//! Plumbline's engine and local database.
//!
//! `core` owns everything that is true of Plumbline whatever runs it — the desktop app,
//! the CLI or the server: the domain model ([`model`]), the resource-kind registry
//! ([`kinds`]), reading configuration from files ([`connectors`]), the deterministic demo
//! portfolio ([`demo`]) and the local SQLite database ([`store`]).
//!
//! It never depends on Tauri, axum or printpdf. Pure engine modules (normalisation, drift,
//! findings, lint, score) do no IO; IO lives at the edges (`store`, `connectors`).

pub mod alerts;
pub mod audit;
pub mod baseline;
pub mod capture;
pub mod connectors;
pub mod delivery;
pub mod demo;
pub mod derive;
pub mod drift;
pub mod escalation;
pub mod evidence;
pub mod findings;
pub mod identity;
pub mod keychain;
pub mod kinds;
pub mod lint;
pub mod model;
pub mod normalize;
pub mod paths;
pub mod portfolio;
pub mod review;
pub mod schedule;
pub mod settings;
pub mod store;
pub mod sync;

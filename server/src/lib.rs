//! Plumbline's self-hosted sync server: the team meeting point of SYNC.md, on Postgres
//! for production or SQLite for evaluation and small installs (migrations in
//! `migrations/server/`).
//!
//! What it serves (paths in `plumbline_wire`, the whole API in `/api/v1/openapi.json`):
//! - identity: sign-in with an argon2id-checked password (limits per e-mail and source
//!   address, kept in the database), `me`, sign-out; the server audit log;
//! - sync: push, pull (with live mode), snapshots, blobs, per-tenant authorisation;
//! - operations: `/healthz`, `/readyz` (database answers, schema current, not stopping),
//!   `/metrics` (Prometheus), a request id on every answer and log line.
//!
//! The `plumbline-server` binary: `serve`, `user add`, `device list`, `device revoke`,
//! `config`, `openapi`; settings from flags, environment (with `_FILE` twins) and a TOML
//! file ([`config`]).
//!
//! The server holds no state in process memory that a second instance would need: any
//! number of `serve` processes can share one Postgres database.

pub mod accounts;
pub mod admin;
pub mod auth;
pub mod config;
pub mod credentials;
pub mod database;
pub mod http;
pub mod leases;
pub mod metrics;
pub mod openapi;
pub mod sync;

pub use auth::Auth;
pub use database::{Database, DatabaseError};
pub use http::{router, HttpOptions};

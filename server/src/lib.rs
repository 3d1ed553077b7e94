//! Plumbline's self-hosted sync server: the team meeting point of SYNC.md, on Postgres
//! for production or SQLite for evaluation and small installs (migrations in
//! `migrations/server/`).
//!
//! Served now, the identity part of the API in `plumbline_wire`:
//! - `GET /healthz` and `GET /readyz` (the database answers) probes;
//! - `POST /api/v1/auth/sign-in`: e-mail and argon2id-checked password in, a device
//!   token out (shown once; the server keeps its SHA-256), with a rate limit on failed
//!   sign-ins per e-mail kept in the database;
//! - `GET /api/v1/me`: who a device token is and which workspaces (role, tenants) it may
//!   work in; `POST /api/v1/auth/sign-out` revokes the calling token;
//! - the `plumbline-server` binary: `serve`, `user add`, `device list`, `device revoke`;
//! - the server audit log (`server_audit`): sign-ins, failed sign-ins, token use,
//!   sign-outs, revocations.
//!
//! Not yet: sync push and pull, blobs, per-tenant authorisation of operations, OIDC,
//! metrics.
//!
//! The server holds no state in process memory that a second instance would need: any
//! number of `serve` processes can share one Postgres database.

pub mod accounts;
pub mod admin;
pub mod auth;
pub mod credentials;
pub mod database;
pub mod http;
pub mod sync;

pub use auth::Auth;
pub use database::{Database, DatabaseError};
pub use http::router;

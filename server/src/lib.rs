//! Plumbline's self-hosted sync server.
//!
//! This crate will own the team meeting point of SYNC.md: the versioned HTTP API
//! (`/api/v1/sync/push`, `/api/v1/sync/pull`, content-addressed blobs), users, device
//! tokens and per-workspace, per-tenant roles, and its own audit log, on Postgres for
//! production or SQLite for small installs (migrations in `migrations/server/`). It holds
//! no state in process memory that a second instance would need.
//!
//! Nothing is served yet: the desktop works fully offline first.

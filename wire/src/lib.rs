//! The HTTP contract between Plumbline's devices (the desktop app, the CLI, agents) and
//! `plumbline-server`, version 1: paths and JSON bodies, nothing else. Both sides build
//! on these types, so they cannot drift apart, and the server links no engine code.
//!
//! - [`identity`]: health and readiness probes, sign-in to a device token, who a token
//!   is, sign-out; the error body every answer uses.
//! - [`sync`]: the operations devices exchange (SYNC.md), push, pull with its control
//!   messages, blobs by SHA-256, and per-tenant snapshot bundles for a first sync.
//! - [`leases`]: agents sharing a workspace's work (captures, deliveries) one holder at a
//!   time.
//!
//! Persisted and signed formats are pinned by golden tests: an operation once pushed is
//! stored by the server and replayed to every device for years, so a change of its JSON
//! must be a new field with a default, never a rename.

pub mod identity;
pub mod leases;
pub mod sync;

pub use identity::*;
pub use leases::*;
pub use sync::*;

//! Talking to a Plumbline server (SYNC.md): the wire types shared with `plumbline-server`
//! ([`api`]) and, on the desktop side, the HTTP client ([`client`]) and the workspace's
//! recorded connection ([`connection`]: sign in, check, sign out, status).
//!
//! What exists today is the identity part: a desktop signs in once with the operator's
//! e-mail and password and receives a device token (kept in the OS keychain, stored
//! hashed on the server, revocable per device); `GET /api/v1/me` says who that token is
//! and which workspaces it may work in. Push and pull of operations come next.
//!
//! `fake_server` (tests, and the `fake-server` feature) answers as [`api`] says, on
//! loopback, until the end-to-end tests run against `plumbline-server` itself.

/// The wire types, from their own crate (the server links only that crate).
pub mod api {
    pub use plumbline_wire::*;
}
pub mod client;
pub mod connection;
pub mod engine;
#[cfg(any(test, feature = "fake-server"))]
pub mod fake_server;

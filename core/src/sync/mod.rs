//! Talking to a Plumbline server (SYNC.md): the wire types shared with `plumbline-server`
//! ([`api`]) and, on the desktop side, the client.
//!
//! What exists today is the identity part: a desktop signs in once with the operator's
//! e-mail and password and receives a device token (kept in the OS keychain, stored
//! hashed on the server, revocable per device); `GET /api/v1/me` says who that token is
//! and which workspaces it may work in. Push and pull of operations come next.

pub mod api;

//! Plumbline's report rendering.
//!
//! This crate will own the executive (one tenant, one period) and portfolio PDF reports,
//! drawn with printpdf — vector charts, real selectable text in an embedded font that
//! covers European Latin scripts, byte-identical output for the same data and generation
//! time — and the RFC 4180 CSV exports (findings, drift items, inventory, risk
//! acceptances). It takes plain data from `plumbline-core` and knows nothing about
//! databases, Tauri or the network.
//!
//! Nothing is rendered yet: the drift engine that feeds it comes first.

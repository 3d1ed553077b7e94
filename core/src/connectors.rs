//! Where configuration comes from: Microsoft Graph and file imports.
//!
//! A connector turns a source into a [`crate::model::CaptureContent`]; it never writes
//! to the database itself — the store persists a whole capture in one transaction.

pub mod graph;
pub mod import;

//! Where configuration comes from: file imports today, Microsoft Graph next.
//!
//! A connector turns a source into a [`crate::model::CaptureContent`]; it never writes
//! to the database itself — the store persists a whole capture in one transaction.

pub mod import;

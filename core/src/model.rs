//! Domain types shared by every part of Plumbline.
//!
//! Identifiers are UUIDv7 newtypes: they sort by creation time, which keeps SQLite's
//! B-trees append-mostly and makes "newest first" an index scan.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered identifier.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// One MSP (or one team of it).
    WorkspaceId
);
id_type!(
    /// A customer tenant.
    TenantId
);
id_type!(
    /// One read of one tenant at one time.
    CaptureId
);
id_type!(
    /// One captured object within a capture.
    ConfigItemId
);

/// Where a capture came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaptureSource {
    /// Microsoft Graph, read live.
    Graph,
    /// A folder of exported JSON files.
    Import,
    /// The deterministic demo generator.
    Demo,
}

impl CaptureSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Graph => "graph",
            Self::Import => "import",
            Self::Demo => "demo",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Graph, Self::Import, Self::Demo]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// The result of reading one resource kind during a capture. A kind that failed is
/// "not assessed" in reviews of that capture: its findings are neither resolved nor lost.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindStatus {
    pub ok: bool,
    pub item_count: u32,
    /// What went wrong, when `ok` is false.
    pub error: Option<String>,
}

/// One configuration object as read from a source, before it is stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CapturedItem {
    /// Registry key of the resource kind (see [`crate::kinds`]); `unknown` when the
    /// importer could not tell — the item is kept, never dropped.
    pub kind: String,
    /// The `@odata.type` of the object when it carried one (also for unknown kinds).
    pub odata_type: Option<String>,
    /// Graph object id; for objects without one, a stable id derived from the source.
    pub external_id: String,
    /// Display name (`displayName` or `name`, as the kind says).
    pub name: String,
    /// The object exactly as read (parsed JSON; key order preserved). Shared: a tenant's
    /// history repeats most objects, and a first sync applies thousands of captures.
    pub raw: std::sync::Arc<serde_json::Value>,
    /// Path of the file it came from, relative to the import root.
    pub source_path: Option<String>,
}

/// Kinds of directory objects used to turn per-tenant ids into portable names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectoryObjectKind {
    Group,
    AssignmentFilter,
    NamedLocation,
    ScopeTag,
    TermsOfUse,
}

impl DirectoryObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Group => "group",
            Self::AssignmentFilter => "assignment_filter",
            Self::NamedLocation => "named_location",
            Self::ScopeTag => "scope_tag",
            Self::TermsOfUse => "terms_of_use",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "group" => Self::Group,
            "assignment_filter" => Self::AssignmentFilter,
            "named_location" => Self::NamedLocation,
            "scope_tag" => Self::ScopeTag,
            "terms_of_use" => Self::TermsOfUse,
            _ => return None,
        })
    }
}

/// A group, filter, named location, scope tag or terms-of-use object of a tenant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DirectoryObject {
    pub kind: DirectoryObjectKind,
    pub external_id: String,
    pub display_name: String,
}

/// Everything one capture read: items, directory objects, and per-kind status.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CaptureContent {
    pub items: Vec<CapturedItem>,
    pub directory_objects: Vec<DirectoryObject>,
    /// Keyed by resource-kind registry key.
    pub kind_status: BTreeMap<String, KindStatus>,
    /// The definitions of the settings the items hold, where known (labels only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub definitions: crate::normalize::SettingDefinitions,
}

impl CaptureContent {
    /// Recomputes `kind_status` counts from `items`, marking every kind present as ok.
    /// Kinds already recorded as failed stay failed.
    pub fn recount_kinds(&mut self) {
        let mut counts: BTreeMap<String, u32> = BTreeMap::new();
        for item in &self.items {
            *counts.entry(item.kind.clone()).or_default() += 1;
        }
        for (kind, status) in self.kind_status.iter_mut() {
            status.item_count = counts.remove(kind).unwrap_or(0);
        }
        for (kind, count) in counts {
            self.kind_status.insert(
                kind,
                KindStatus {
                    ok: true,
                    item_count: count,
                    error: None,
                },
            );
        }
    }
}

/// Tenant details as the user or a source gives them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantProfile {
    pub display_name: String,
    /// The Entra (Azure AD) tenant id, when known.
    pub entra_tenant_id: Option<String>,
    pub primary_domain: Option<String>,
    pub tags: Vec<String>,
    /// True for tenants made by the demo generator.
    pub is_demo: bool,
}

/// A tenant as listed in the portfolio.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TenantSummary {
    pub id: TenantId,
    pub name: String,
    pub primary_domain: Option<String>,
    pub entra_tenant_id: Option<String>,
    pub tags: Vec<String>,
    pub is_demo: bool,
    pub capture_count: u32,
    pub last_capture_at: Option<DateTime<Utc>>,
    /// Items in the last capture.
    pub item_count: u32,
    /// Kinds that failed in the last capture.
    pub failed_kinds: Vec<String>,
}

/// A capture as listed for a tenant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaptureSummary {
    pub id: CaptureId,
    pub tenant_id: TenantId,
    pub source: CaptureSource,
    pub taken_at: DateTime<Utc>,
    pub item_count: u32,
    pub kind_status: BTreeMap<String, KindStatus>,
}

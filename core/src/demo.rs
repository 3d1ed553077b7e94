//! The deterministic demo portfolio: fictional customer tenants whose configuration
//! derives from the real Open Intune Baseline corpus, with realistic differences and
//! noise planted on purpose and every one of them recorded.
//!
//! # What a tenant is
//!
//! [`DemoGenerator::tenant`] is a pure function of (seed, tenant index, anchor time). A
//! tenant never depends on another one, so portfolios stream tenant by tenant and a
//! portfolio of 5 can be extended to 1,000 by generating indices 5..1000 (with the same
//! seed and anchor). Each tenant has:
//! - a profile: a unique fictional company name, `<name>.onmicrosoft.com`, an Entra tenant
//!   id derived from the seed and index, tags `industry:…`, `size:…`, `region:…`;
//! - 4 to 8 captures spread over the ~6 months before the anchor ([`DemoHistory`]);
//! - the baseline policies (most of them), tenant-specific policies derived from them
//!   ("NGD - Win - Edge - Kiosk") up to a size that varies per tenant (200 on average by
//!   default), its own groups (same display names, its own ids) as directory objects;
//! - [`PlantedDifference`] records of everything that differs from the baseline or from
//!   the previous capture, real or noise.
//!
//! # The baseline
//!
//! The baseline is the corpus's IntuneManagement and BYOD policies ([`is_baseline_path`]),
//! as imported, plus each policy's *standard assignment* (a portfolio convention derived
//! from the policy name: device policies to the platform's device group, compliance to all
//! licensed users, update rings to their ring groups, …). [`DemoGenerator::baseline`]
//! returns it as a capture of a reference tenant, with that tenant's groups.
//!
//! # Record format
//!
//! One [`PlantedDifference`] per difference, serialised as a JSON object whose absent
//! optional fields are left out. `capture` is the first capture (0-based) where the
//! difference shows; for baseline differences (`missing`, `extra`, `renamed`,
//! `setting_*`, `assignment_changed`) it holds until `until_capture` (exclusive; absent =
//! still there in the last capture). Capture-to-capture kinds (`deleted`,
//! `changed_since_last_capture`, and noise planted after the first capture) compare capture
//! `capture - 1` with capture `capture`.
//!
//! `expected` is the baseline value (for capture-to-capture kinds: the previous capture's
//! value) and `actual` the value in the capture. An absent `expected`/`actual` means "not
//! there" (a setting that does not exist or is `null`), which is different from a present
//! JSON `null`.
//!
//! # Setting paths
//!
//! `setting_path` segments are joined with `/`:
//! - settings catalog: the chain of `settingDefinitionId`s from the top-level setting
//!   instance down through `children` (e.g. `device_vendor_msft_policy_config_defender_
//!   allowrealtimemonitoring`, or `parent_definition_id/child_definition_id`); the value is
//!   the choice's `value`, the simple setting's `value`, or the array of a collection's
//!   values;
//! - other kinds: JSON property names from the policy object's root
//!   (`passwordMinimumLength`, `templateReference/templateId`);
//! - `assignments`: the policy's assignments as a sorted array of portable targets, the
//!   keys [`crate::normalize`] gives assignments: `include/group:<group display name>`,
//!   `exclude/group:<group display name>`, `include/all_devices`,
//!   `include/all_licensed_users`;
//! - `settings` (only for `noise_reordered`): the order of the top-level settings, as the
//!   array of their `settingDefinitionId`s;
//! - `*` (only for the tenant-wide `noise_volatile`): every policy's ids, timestamps,
//!   `version` and `@odata` links differ from the baseline's.
//!
//! # Noise
//!
//! Noise records describe changes that must produce no finding: `noise_volatile`
//! (tenant-wide at capture 0, and per policy when Microsoft bumps `lastModifiedDateTime` and
//! `version` without a change), `noise_reordered` (settings, assignments or collection
//! values in another order), `noise_tenant_ids` (tenant-wide: the tenant's own group ids in
//! assignments, resolvable through the capture's directory objects) and
//! `noise_empty_equivalent` (`null` ↔ `""` ↔ `[]` ↔ `{}` ↔ missing).
//!
//! # Invariants
//!
//! - A policy that has no record at capture `k` serialises byte for byte as it did at
//!   capture `k - 1` (the store deduplicates blobs by content hash).
//! - Every difference a drift engine should see is recorded, exactly: no unrecorded real
//!   difference, no record that is not in the data (the tests check both directions).

mod corpus;
mod json;
mod names;
mod tenant;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::connectors::import::{import_files, ImportError, ImportOptions};
use crate::model::{CaptureContent, CapturedItem, TenantProfile};

/// Average policies per tenant unless told otherwise.
pub const DEFAULT_MEAN_POLICIES: u32 = 200;

/// Every `.json` file of `core/demo-data/openintunebaseline`, compiled into the binary:
/// `(path relative to that folder with '/' separators, bytes exactly as on disk)`, sorted by
/// path. Includes `MACOS/NativeImport/`; see [`is_baseline_path`] for the baseline subset.
pub fn embedded_corpus() -> &'static [(&'static str, &'static [u8])] {
    corpus::DEMO_CORPUS
}

/// True for the corpus files that form the demo baseline: IntuneManagement exports and
/// BYOD policies, not `MACOS/NativeImport/` (the same macOS policies in another format).
pub fn is_baseline_path(path: &str) -> bool {
    corpus::is_baseline_path(path)
}

/// Why the demo generator could not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The embedded corpus did not import. The corpus is compiled in, so this is a build
    /// problem, not a user one.
    #[error("the embedded demo corpus cannot be imported; rebuild plumbline-core from an intact core/demo-data folder")]
    Corpus(#[source] ImportError),
    /// The embedded corpus holds no baseline policies.
    #[error("the embedded demo corpus holds no baseline policies; rebuild plumbline-core from an intact core/demo-data folder")]
    EmptyCorpus,
}

/// Makes demo tenants. Parse the corpus once with [`DemoGenerator::new`], then call
/// [`DemoGenerator::tenant`] for each index (from any number of threads: it takes `&self`).
#[derive(Debug)]
pub struct DemoGenerator {
    seed: u64,
    mean_policies: u32,
    corpus: corpus::Corpus,
}

impl DemoGenerator {
    /// Imports the embedded baseline corpus (about 30 ms) and prepares generation.
    pub fn new(seed: u64) -> Result<Self, DemoError> {
        let files = embedded_corpus()
            .iter()
            .copied()
            .filter(|(path, _)| is_baseline_path(path));
        let report = import_files(files, &ImportOptions::default()).map_err(DemoError::Corpus)?;
        if report.content.items.is_empty() {
            return Err(DemoError::EmptyCorpus);
        }
        Ok(Self {
            seed,
            mean_policies: DEFAULT_MEAN_POLICIES,
            corpus: corpus::Corpus::analyse(report.content.items),
        })
    }

    /// Sets the average number of policies per tenant (each tenant has at least the
    /// baseline policies it keeps).
    pub fn with_mean_policies(mut self, mean_policies: u32) -> Self {
        self.mean_policies = mean_policies;
        self
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn mean_policies(&self) -> u32 {
        self.mean_policies
    }

    /// The baseline policies exactly as imported from the corpus.
    pub fn baseline_items(&self) -> impl ExactSizeIterator<Item = &CapturedItem> {
        self.corpus.items.iter().map(|b| &b.item)
    }

    /// The baseline as a capture of a reference tenant: the corpus policies with their
    /// standard assignments to the reference tenant's groups (listed as directory objects).
    /// Every record's `expected` value is relative to this.
    pub fn baseline(&self) -> CaptureContent {
        tenant::baseline(&self.corpus, self.seed)
    }

    /// Tenant `index`'s profile, without generating its policies.
    pub fn profile(&self, index: u32) -> TenantProfile {
        tenant::profile(self.seed, index).0
    }

    /// Generates tenant `index` with all its captures. Pure: the same (seed, index, anchor)
    /// give the same tenant, whatever else was generated. `anchor` is "now": captures lie
    /// in the months before it.
    ///
    /// Every capture is a full copy; [`DemoGenerator::tenant_history`] gives the same
    /// tenant for a fraction of the time and memory when captures can be handled one at a
    /// time.
    pub fn tenant(&self, index: u32, anchor: DateTime<Utc>) -> DemoTenant {
        self.tenant_history(index, anchor).into_tenant()
    }

    /// Generates tenant `index` with its captures as a [`DemoHistory`] that produces them
    /// one at a time, each from the previous one in place.
    pub fn tenant_history(&self, index: u32, anchor: DateTime<Utc>) -> DemoTenantHistory {
        tenant::generate(&self.corpus, self.seed, self.mean_policies, index, anchor)
    }
}

/// One generated tenant with all its captures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DemoTenant {
    pub index: u32,
    pub profile: TenantProfile,
    /// Oldest first.
    pub captures: Vec<DemoCapture>,
    /// Every planted difference, in the order planted (capture by capture).
    pub planted: Vec<PlantedDifference>,
}

/// One generated tenant whose captures are produced one at a time.
#[derive(Clone, Debug)]
pub struct DemoTenantHistory {
    pub index: u32,
    pub profile: TenantProfile,
    /// Every planted difference, in the order planted (capture by capture).
    pub planted: Vec<PlantedDifference>,
    pub history: DemoHistory,
}

impl DemoTenantHistory {
    /// Materialises every capture.
    pub fn into_tenant(self) -> DemoTenant {
        DemoTenant {
            index: self.index,
            profile: self.profile,
            captures: self.history.into_captures(),
            planted: self.planted,
        }
    }
}

/// One capture of a demo tenant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DemoCapture {
    /// 0 for the oldest capture.
    pub index: u32,
    pub taken_at: DateTime<Utc>,
    pub content: CaptureContent,
}

/// A tenant's captures, oldest first, produced one at a time.
///
/// Each capture is the previous one with a few changes applied in place, so walking all
/// of a tenant's captures costs about one capture's worth of memory and time instead of one
/// per capture:
///
/// ```no_run
/// # fn demo(generator: &plumbline_core::demo::DemoGenerator) {
/// let mut tenant = generator.tenant_history(0, chrono::Utc::now());
/// while let Some(capture) = tenant.history.next_capture() {
///     println!("{}: {} policies", capture.taken_at, capture.content.items.len());
/// }
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct DemoHistory {
    times: Vec<DateTime<Utc>>,
    current: DemoCapture,
    pending: VecDeque<Vec<Change>>,
    served: usize,
}

/// How one capture differs from the previous one.
#[derive(Clone, Debug)]
enum Change {
    Replace(CapturedItem),
    Add(CapturedItem),
    Remove(String),
}

impl DemoHistory {
    fn new(times: Vec<DateTime<Utc>>, first: CaptureContent, steps: Vec<Vec<Change>>) -> Self {
        let taken_at = times.first().copied().unwrap_or_default();
        Self {
            times,
            current: DemoCapture {
                index: 0,
                taken_at,
                content: first,
            },
            pending: steps.into(),
            served: 0,
        }
    }

    /// Number of captures.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// When each capture was taken, oldest first.
    pub fn capture_times(&self) -> &[DateTime<Utc>] {
        &self.times
    }

    /// The next capture (the first on the first call), or `None` after the last.
    pub fn next_capture(&mut self) -> Option<&DemoCapture> {
        if self.served > 0 {
            let changes = self.pending.pop_front()?;
            let content = &mut self.current.content;
            for change in changes {
                match change {
                    Change::Replace(item) => {
                        if let Some(slot) = content
                            .items
                            .iter_mut()
                            .find(|i| i.external_id == item.external_id)
                        {
                            *slot = item;
                        }
                    }
                    Change::Add(item) => content.items.push(item),
                    Change::Remove(external_id) => {
                        content.items.retain(|i| i.external_id != external_id)
                    }
                }
            }
            content.recount_kinds();
            self.current.index += 1;
            self.current.taken_at = self.times.get(self.served).copied()?;
        } else if self.times.is_empty() {
            return None;
        }
        self.served += 1;
        Some(&self.current)
    }

    /// All captures (each one a full copy).
    pub fn into_captures(mut self) -> Vec<DemoCapture> {
        let mut captures = Vec::with_capacity(self.times.len());
        while let Some(capture) = self.next_capture() {
            captures.push(capture.clone());
        }
        captures
    }
}

/// What kind of difference a record describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlantedKind {
    /// A baseline policy the tenant does not have.
    Missing,
    /// A tenant policy that matches no baseline policy.
    Extra,
    /// A baseline policy under another name (same settings).
    Renamed,
    /// A setting with another value than the baseline's.
    SettingChanged,
    /// A baseline setting the tenant's policy does not have.
    SettingMissing,
    /// A setting the baseline policy does not have.
    SettingAdded,
    /// The policy is assigned differently than the baseline says.
    AssignmentChanged,
    /// A policy of the previous capture is gone (a ghost policy).
    Deleted,
    /// A setting or assignment changed since the previous capture.
    ChangedSinceLastCapture,
    /// Settings, assignments or collection values in another order.
    NoiseReordered,
    /// Ids, timestamps, `version` or `@odata` annotations changed.
    NoiseVolatile,
    /// The tenant's own ids for groups with the baseline's names.
    NoiseTenantIds,
    /// `null`, `""`, `[]`, `{}` or missing instead of one another.
    NoiseEmptyEquivalent,
}

impl PlantedKind {
    pub const ALL: [PlantedKind; 13] = [
        Self::Missing,
        Self::Extra,
        Self::Renamed,
        Self::SettingChanged,
        Self::SettingMissing,
        Self::SettingAdded,
        Self::AssignmentChanged,
        Self::Deleted,
        Self::ChangedSinceLastCapture,
        Self::NoiseReordered,
        Self::NoiseVolatile,
        Self::NoiseTenantIds,
        Self::NoiseEmptyEquivalent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Extra => "extra",
            Self::Renamed => "renamed",
            Self::SettingChanged => "setting_changed",
            Self::SettingMissing => "setting_missing",
            Self::SettingAdded => "setting_added",
            Self::AssignmentChanged => "assignment_changed",
            Self::Deleted => "deleted",
            Self::ChangedSinceLastCapture => "changed_since_last_capture",
            Self::NoiseReordered => "noise_reordered",
            Self::NoiseVolatile => "noise_volatile",
            Self::NoiseTenantIds => "noise_tenant_ids",
            Self::NoiseEmptyEquivalent => "noise_empty_equivalent",
        }
    }

    /// Noise must produce no finding.
    pub fn is_noise(self) -> bool {
        matches!(
            self,
            Self::NoiseReordered
                | Self::NoiseVolatile
                | Self::NoiseTenantIds
                | Self::NoiseEmptyEquivalent
        )
    }

    /// Compares a capture with the previous capture rather than with the baseline.
    pub fn is_capture_to_capture(self) -> bool {
        matches!(self, Self::Deleted | Self::ChangedSinceLastCapture)
    }
}

/// One planted difference. See the module documentation for the format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlantedDifference {
    pub tenant_index: u32,
    pub tenant_name: String,
    /// First capture (0-based) where the difference shows.
    pub capture: u32,
    /// First capture where a baseline difference no longer shows; absent while it lasts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_capture: Option<u32>,
    pub kind: PlantedKind,
    /// Resource-kind registry key; absent for tenant-wide noise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_kind: Option<String>,
    /// The policy's name in the capture (for `missing`: the baseline name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_name: Option<String>,
    /// The policy's id in the capture (absent for `missing` and tenant-wide noise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// For `renamed`: the baseline policy's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_item_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting_path: Option<String>,
    /// Baseline (or previous capture's) value; absent = not there.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present_value"
    )]
    pub expected: Option<Value>,
    /// Value in the capture; absent = not there.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present_value"
    )]
    pub actual: Option<Value>,
}

impl PlantedDifference {
    /// True when this baseline difference shows in capture `capture`.
    pub fn holds_at(&self, capture: u32) -> bool {
        self.capture <= capture && self.until_capture.is_none_or(|until| capture < until)
    }
}

/// A present key is `Some`, even when it holds `null` (plain `Option<Value>` would read a
/// `null` as `None`, conflating "null" with "not there").
fn present_value<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

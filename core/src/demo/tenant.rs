//! Generating one tenant: its identity, its first capture (baseline policies with planted
//! differences, plus tenant-specific policies) and its later captures as small sets of
//! changes, with every planted difference recorded.
//!
//! Everything is drawn from the tenant's own random stream (ChaCha8, stream = tenant
//! index) and ids are hashed from (seed, index, label), so a tenant never depends on any
//! other tenant.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use rand::seq::index::sample;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};

use super::corpus::{self, portable_targets, BaseItem, Corpus, Target};
use super::json::{self, SettingPath};
use super::names::{self, groups, Audience, Identity};
use super::{Change, DemoHistory, DemoTenantHistory, PlantedDifference, PlantedKind};
use crate::kinds;
use crate::model::{
    CaptureContent, CapturedItem, DirectoryObject, DirectoryObjectKind, KindStatus, TenantProfile,
};

/// Graph's fixed ids for the "all devices" and "all licensed users" virtual groups, as
/// they appear in assignment ids.
const ALL_DEVICES_ID: &str = "adadadad-808e-44e2-905a-0b7873a8a531";
const ALL_USERS_ID: &str = "acacacac-9df4-4c7d-9d50-4ef0226f57a9";

/// The tenant's random stream.
pub(super) fn tenant_rng(seed: u64, index: u32) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(u64::from(index));
    rng
}

/// The profile of tenant `index` (cheap: no policies are built).
pub(super) fn profile(seed: u64, index: u32) -> (TenantProfile, Identity, ChaCha8Rng) {
    let mut rng = tenant_rng(seed, index);
    let identity = names::identity(seed, index, &mut rng);
    let profile = TenantProfile {
        display_name: identity.display_name.clone(),
        entra_tenant_id: Some(names::derived_uuid(seed, index, "entra-tenant")),
        primary_domain: Some(identity.domain.clone()),
        tags: identity.tags(),
        is_demo: true,
    };
    (profile, identity, rng)
}

/// Builds the baseline as a capture of a reference tenant: the corpus policies unchanged,
/// plus their standard assignments to the reference tenant's groups.
pub(super) fn baseline(corpus: &Corpus, seed: u64) -> CaptureContent {
    let group_id = |name: &str| names::derived_uuid(seed, 0, &format!("reference-group/{name}"));
    let mut content = CaptureContent::default();
    let mut used: BTreeSet<String> = BTreeSet::new();
    for base in &corpus.items {
        let mut item = base.item.clone();
        let ids: Vec<(String, Target)> = base
            .standard_targets
            .iter()
            .map(|t| (t.group().map(group_id).unwrap_or_default(), t.clone()))
            .collect();
        for target in &base.standard_targets {
            if let Some(group) = target.group() {
                used.insert(group.to_owned());
            }
        }
        set_assignments(Arc::make_mut(&mut item.raw), &item.external_id, &ids);
        content.items.push(item);
    }
    content.directory_objects = groups::STANDARD
        .iter()
        .filter(|g| used.contains(**g))
        .map(|g| DirectoryObject {
            kind: DirectoryObjectKind::Group,
            external_id: group_id(g),
            display_name: (*g).to_owned(),
        })
        .collect();
    content.recount_kinds();
    content
}

/// Who a slot's policy is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// A baseline policy under its baseline name.
    Base(usize),
    /// A baseline policy under another name.
    Renamed(usize),
    /// A tenant-specific policy derived from a baseline policy.
    Extra(usize),
}

/// One policy of the tenant over its history.
#[derive(Debug)]
struct Slot {
    external_id: String,
    role: Role,
    /// Position in the first capture, when it was there.
    first_position: Option<usize>,
    /// Versions after the first capture (taken out when the history is assembled).
    versions: Vec<Option<CapturedItem>>,
    alive: bool,
    /// Rendered setting paths that carry a planted difference (one per path).
    touched: BTreeSet<String>,
    targets: Vec<Target>,
    /// The last capture in which this policy changed (one change per capture).
    changed_in: Option<u32>,
    /// Indices of the source's changeable settings that this policy has (`None`: all).
    leaves: Option<Vec<usize>>,
}

/// A change recorded while generating, resolved into a [`Change`] at the end.
#[derive(Debug)]
enum Pending {
    Replace { slot: usize, version: usize },
    Add { slot: usize, version: usize },
    Remove(String),
}

struct Builder<'g> {
    corpus: &'g Corpus,
    seed: u64,
    index: u32,
    identity: Identity,
    rng: ChaCha8Rng,
    times: Vec<DateTime<Utc>>,
    groups: Vec<(String, String)>,
    first: Vec<CapturedItem>,
    slots: Vec<Slot>,
    /// `steps[k - 1]` turns capture `k - 1` into capture `k`.
    steps: Vec<Vec<Pending>>,
    planted: Vec<PlantedDifference>,
    names_used: BTreeSet<(String, String)>,
    /// Base policies that tenant-specific policies were derived from.
    extra_sources: BTreeSet<usize>,
    /// Base policies that must not be derived from: missing, renamed or deleted ones and
    /// those similar to them (a derived policy could then pass for a renamed one).
    excluded_sources: BTreeSet<usize>,
    extra_serial: u32,
    name_style: u8,
    version_minor: u32,
    /// What this tenant's own policies are for (each has a group).
    purposes: Vec<&'static str>,
}

pub(super) fn generate(
    corpus: &Corpus,
    seed: u64,
    mean_policies: u32,
    index: u32,
    anchor: DateTime<Utc>,
) -> DemoTenantHistory {
    let (profile, identity, mut rng) = profile(seed, index);
    let times = capture_times(&mut rng, anchor);
    let name_style = rng.gen_range(0..3u8);
    let version_minor = rng.gen_range(0..5u32);
    let purpose_count = rng.gen_range(6..=10).min(names::PURPOSES.len());
    let purposes = sample(&mut rng, names::PURPOSES.len(), purpose_count)
        .into_iter()
        .map(|p| names::PURPOSES[p])
        .collect();
    let mut builder = Builder {
        corpus,
        seed,
        index,
        identity,
        rng,
        steps: (1..times.len()).map(|_| Vec::new()).collect(),
        times,
        groups: Vec::new(),
        first: Vec::new(),
        slots: Vec::new(),
        planted: Vec::new(),
        names_used: BTreeSet::new(),
        extra_sources: BTreeSet::new(),
        excluded_sources: BTreeSet::new(),
        extra_serial: 0,
        name_style,
        version_minor,
        purposes,
    };
    for group in groups::STANDARD {
        builder.group_id(group);
    }
    builder.first_capture(mean_policies);
    for k in 1..builder.times.len() as u32 {
        builder.later_capture(k);
    }
    builder.finish(profile)
}

/// 4 to 8 capture times over the ~6 months before `anchor`, whole seconds, the last one
/// between 20 minutes and a day and a half before it.
fn capture_times(rng: &mut ChaCha8Rng, anchor: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let anchor = DateTime::from_timestamp(anchor.timestamp(), 0).unwrap_or(anchor);
    let count = rng.gen_range(4..=8i64);
    let last = anchor - Duration::minutes(rng.gen_range(20..=36 * 60));
    let span = Duration::days(rng.gen_range(150..=200));
    let first = last - span;
    let spacing = span.num_minutes() / (count - 1);
    (0..count)
        .map(|i| {
            let jitter = if i == 0 || i == count - 1 {
                0
            } else {
                rng.gen_range(-(spacing / 4)..=spacing / 4)
            };
            first
                + Duration::minutes(spacing * i + jitter)
                + Duration::seconds(rng.gen_range(0..60))
        })
        .collect()
}

impl<'g> Builder<'g> {
    // ----- identity, ids, groups, time -------------------------------------------------

    fn id(&self, label: &str) -> String {
        names::derived_uuid(self.seed, self.index, label)
    }

    fn group_id(&mut self, name: &str) -> String {
        if let Some((_, id)) = self.groups.iter().find(|(n, _)| n == name) {
            return id.clone();
        }
        let id = self.id(&format!("group/{name}"));
        self.groups.push((name.to_owned(), id.clone()));
        id
    }

    fn resolve(&mut self, targets: &[Target]) -> Vec<(String, Target)> {
        targets
            .iter()
            .map(|t| {
                let id = t.group().map(|g| self.group_id(g)).unwrap_or_default();
                (id, t.clone())
            })
            .collect()
    }

    /// A Graph-style timestamp between `from` and `to`, with `digits` fractional digits.
    fn timestamp_between(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        digits: usize,
    ) -> String {
        let seconds = (to - from).num_seconds().max(1);
        let at = from + Duration::seconds(self.rng.gen_range(0..seconds));
        format_timestamp(at, self.rng.gen_range(0..10_000_000u32), digits)
    }

    fn record(
        &mut self,
        capture: u32,
        kind: PlantedKind,
        slot: Option<usize>,
    ) -> &mut PlantedDifference {
        let (resource_kind, item_name, external_id) = match slot {
            Some(slot) => {
                let item = self.current(slot);
                (
                    item.map(|i| i.kind.clone()),
                    item.map(|i| i.name.clone()),
                    Some(self.slots[slot].external_id.clone()),
                )
            }
            None => (None, None, None),
        };
        self.planted.push(PlantedDifference {
            tenant_index: self.index,
            tenant_name: self.identity.display_name.clone(),
            capture,
            until_capture: None,
            kind,
            resource_kind,
            item_name,
            external_id,
            baseline_item_name: None,
            setting_path: None,
            expected: None,
            actual: None,
        });
        let last = self.planted.len() - 1;
        &mut self.planted[last]
    }

    // ----- slots ---------------------------------------------------------------------------

    fn current(&self, slot: usize) -> Option<&CapturedItem> {
        let slot = &self.slots[slot];
        match slot.versions.last() {
            Some(version) => version.as_ref(),
            None => slot.first_position.map(|p| &self.first[p]),
        }
    }

    fn base_of(&self, slot: usize) -> Option<&'g BaseItem> {
        match self.slots[slot].role {
            Role::Base(b) | Role::Renamed(b) | Role::Extra(b) => self.corpus.items.get(b),
        }
    }

    /// Edits a policy as of capture `k`: in place in the first capture, else as a new
    /// version (bumping `lastModifiedDateTime` and `version` when `bump`, as a real edit
    /// does). `edit` must check before it changes anything: returning false means "not
    /// applicable" and leaves the policy as it was.
    fn edit(
        &mut self,
        slot: usize,
        k: u32,
        bump: bool,
        edit: impl FnOnce(&mut CapturedItem, &mut ChaCha8Rng) -> bool,
    ) -> bool {
        if k == 0 {
            let Some(position) = self.slots[slot].first_position else {
                return false;
            };
            return edit(&mut self.first[position], &mut self.rng);
        }
        let Some(mut item) = self.current(slot).cloned() else {
            return false;
        };
        if !edit(&mut item, &mut self.rng) {
            return false;
        }
        if bump {
            self.bump(&mut item, k);
        }
        let entry = &mut self.slots[slot];
        entry.versions.push(Some(item));
        entry.changed_in = Some(k);
        let version = entry.versions.len() - 1;
        self.steps[k as usize - 1].push(Pending::Replace { slot, version });
        true
    }

    /// What a real edit between captures `k - 1` and `k` does to the volatile fields.
    fn bump(&mut self, item: &mut CapturedItem, k: u32) {
        let (from, to) = (self.times[k as usize - 1], self.times[k as usize]);
        let digits = fraction_digits(item.raw.get("lastModifiedDateTime"));
        let stamp = self.timestamp_between(from, to, digits);
        let version = next_version(item.raw.get("version"), &mut self.rng);
        if let Some(object) = Arc::make_mut(&mut item.raw).as_object_mut() {
            if object.contains_key("lastModifiedDateTime") {
                object.insert("lastModifiedDateTime".to_owned(), Value::String(stamp));
            }
            if let Some(version) = version {
                object.insert("version".to_owned(), version);
            }
        }
    }

    fn eligible(&self, k: u32, filter: impl Fn(&Slot) -> bool) -> Vec<usize> {
        (0..self.slots.len())
            .filter(|&s| {
                let slot = &self.slots[s];
                slot.alive && slot.changed_in != Some(k) && filter(slot)
            })
            .collect()
    }

    fn choose<T: Copy>(&mut self, list: &[T]) -> Option<T> {
        list.choose(&mut self.rng).copied()
    }

    // ----- the first capture -----------------------------------------------------------------

    fn first_capture(&mut self, mean_policies: u32) {
        let corpus = self.corpus;
        let count = corpus.items.len();
        let missing_count = names::weighted_index(&mut self.rng, [40u32, 30, 20, 10].into_iter());
        let renamed = self.index % 5 == 1 || self.rng.gen_bool(0.25);
        let picks = sample(
            &mut self.rng,
            count,
            (missing_count + usize::from(renamed)).min(count),
        )
        .into_vec();
        let renamed_base = if renamed { picks.last().copied() } else { None };
        let missing: BTreeSet<usize> = picks
            .iter()
            .copied()
            .filter(|p| Some(*p) != renamed_base)
            .collect();

        for (b, base) in corpus.items.iter().enumerate() {
            if missing.contains(&b) || renamed_base == Some(b) {
                self.exclude_source(b);
            }
            if missing.contains(&b) {
                let record = self.record(0, PlantedKind::Missing, None);
                record.resource_kind = Some(base.item.kind.clone());
                record.item_name = Some(base.item.name.clone());
                continue;
            }
            let new_name = (renamed_base == Some(b)).then(|| self.renamed_name(&base.item.name));
            let item = self.base_item(b, new_name.clone());
            let role = if new_name.is_some() {
                Role::Renamed(b)
            } else {
                Role::Base(b)
            };
            let slot = self.push_slot(item, role, base.standard_targets.clone(), None, 0);
            if new_name.is_some() {
                let record = self.record(0, PlantedKind::Renamed, Some(slot));
                record.baseline_item_name = Some(base.item.name.clone());
            }
        }

        let changes = self.rng.gen_range(1..=5);
        for _ in 0..changes {
            self.plant_value_change(0);
        }
        for _ in 0..self.rng.gen_range(0..=2) {
            self.plant_setting_missing();
        }
        for _ in 0..self.rng.gen_range(0..=2) {
            self.plant_setting_added();
        }
        if self.index % 5 == 2 || self.rng.gen_bool(0.3) {
            self.plant_assignment_change(0);
        }
        for _ in 0..self.rng.gen_range(1..=3) {
            self.plant_reorder(0);
        }
        if self.index % 5 == 4 || self.rng.gen_bool(0.5) {
            for _ in 0..self.rng.gen_range(1..=2) {
                self.plant_empty_equivalent(0);
            }
        }

        // Tenant-specific policies up to the tenant's size.
        let jitter = self.rng.gen_range(85..=115u64);
        let target =
            u64::from(mean_policies) * u64::from(self.identity.size_factor) * jitter / 10_000;
        while (self.slots.len() as u64) < target {
            if self.add_extra(0).is_none() {
                break;
            }
        }

        let record = self.record(0, PlantedKind::NoiseVolatile, None);
        record.setting_path = Some("*".to_owned());
        let record = self.record(0, PlantedKind::NoiseTenantIds, None);
        record.setting_path = Some("assignments".to_owned());
    }

    fn renamed_name(&mut self, name: &str) -> String {
        match names::bumped_version(name) {
            Some(bumped) if self.rng.gen_bool(0.5) => bumped,
            _ => format!("{} - {name}", self.identity.code),
        }
    }

    fn exclude_source(&mut self, b: usize) {
        self.excluded_sources.insert(b);
        self.excluded_sources
            .extend(self.corpus.items[b].similar.iter().copied());
    }

    fn push_slot(
        &mut self,
        item: CapturedItem,
        role: Role,
        targets: Vec<Target>,
        leaves: Option<Vec<usize>>,
        k: u32,
    ) -> usize {
        self.names_used
            .insert((item.kind.clone(), item.name.clone()));
        let slot = self.slots.len();
        let mut entry = Slot {
            external_id: item.external_id.clone(),
            role,
            first_position: None,
            versions: Vec::new(),
            alive: true,
            touched: BTreeSet::new(),
            targets,
            changed_in: None,
            leaves,
        };
        if k == 0 {
            entry.first_position = Some(self.first.len());
            self.first.push(item);
        } else {
            entry.versions.push(Some(item));
            entry.changed_in = Some(k);
            self.steps[k as usize - 1].push(Pending::Add { slot, version: 0 });
        }
        self.slots.push(entry);
        slot
    }

    /// A baseline policy as this tenant has it: its own ids, timestamps and version, and
    /// its standard assignment to this tenant's groups.
    fn base_item(&mut self, b: usize, new_name: Option<String>) -> CapturedItem {
        let corpus = self.corpus;
        let base = &corpus.items[b];
        let mut raw = (*base.item.raw).clone();
        let new_ids: Vec<String> = base
            .ids
            .iter()
            .map(|old| self.reissued_id(old, &format!("base/{b}/{old}")))
            .collect();
        json::patch_strings(&mut raw, &base.id_strings, &new_ids);
        let external_id = new_ids
            .first()
            .cloned()
            .unwrap_or_else(|| self.id(&format!("base/{b}")));
        self.set_initial_volatile(&mut raw, self.times[0] - Duration::days(900), self.times[0]);
        let name = new_name.unwrap_or_else(|| base.item.name.clone());
        if let Some(object) = raw.as_object_mut() {
            object.insert(base.name_field.to_owned(), Value::String(name.clone()));
        }
        let targets = self.resolve(&base.standard_targets);
        set_assignments(&mut raw, &external_id, &targets);
        CapturedItem {
            kind: base.item.kind.clone(),
            odata_type: base.item.odata_type.clone(),
            external_id,
            name,
            raw: Arc::new(raw),
            source_path: None,
        }
    }

    /// A new id in the same style as `old` (app protection ids carry a `T_` prefix).
    fn reissued_id(&self, old: &str, label: &str) -> String {
        let id = self.id(label);
        if old.starts_with("T_") {
            format!("T_{id}")
        } else {
            id
        }
    }

    /// Sets `createdDateTime`, `lastModifiedDateTime` (both between `from` and `to`) and
    /// `version` where the policy has them.
    fn set_initial_volatile(&mut self, raw: &mut Value, from: DateTime<Utc>, to: DateTime<Utc>) {
        let created_digits = fraction_digits(raw.get("createdDateTime"));
        let modified_digits = fraction_digits(raw.get("lastModifiedDateTime"));
        let seconds = (to - from).num_seconds().max(2);
        let created_at = from + Duration::seconds(self.rng.gen_range(0..seconds / 2));
        let created = format_timestamp(
            created_at,
            self.rng.gen_range(0..10_000_000),
            created_digits,
        );
        let modified = self.timestamp_between(created_at, to, modified_digits);
        let version = initial_version(raw.get("version"), &mut self.rng);
        let Some(object) = raw.as_object_mut() else {
            return;
        };
        if object.contains_key("createdDateTime") {
            object.insert("createdDateTime".to_owned(), Value::String(created));
        }
        if object.contains_key("lastModifiedDateTime") {
            object.insert("lastModifiedDateTime".to_owned(), Value::String(modified));
        }
        if let Some(version) = version {
            object.insert("version".to_owned(), version);
        }
    }

    // ----- planting: settings ---------------------------------------------------------------

    /// Changes one setting's value at capture `k`: a `setting_changed` against the baseline
    /// (baseline policies), and from the second capture on a `changed_since_last_capture`.
    fn plant_value_change(&mut self, k: u32) -> bool {
        let slots = self.eligible(k, |s| match s.role {
            Role::Base(_) => true,
            Role::Extra(_) => k > 0,
            Role::Renamed(_) => false,
        });
        // A few attempts: a picked policy may have no setting left to change.
        for _ in 0..8 {
            let Some(slot) = self.choose(&slots) else {
                return false;
            };
            let open = self.open_leaves(slot);
            let Some(leaf) = self.choose(&open) else {
                continue;
            };
            if self.change_leaf(slot, leaf, k) {
                return true;
            }
        }
        false
    }

    /// The source's changeable settings this policy has and that carry no planted
    /// difference yet.
    fn open_leaves(&self, slot: usize) -> Vec<usize> {
        let Some(base) = self.base_of(slot) else {
            return Vec::new();
        };
        let entry = &self.slots[slot];
        let open = |l: &usize| {
            !entry
                .touched
                .contains(base.changeable[*l].rendered.as_str())
        };
        match &entry.leaves {
            Some(present) => present.iter().copied().filter(open).collect(),
            None => (0..base.changeable.len()).filter(open).collect(),
        }
    }

    fn change_leaf(&mut self, slot: usize, leaf: usize, k: u32) -> bool {
        let Some(base) = self.base_of(slot) else {
            return false;
        };
        let leaf = &base.changeable[leaf];
        let is_base = matches!(self.slots[slot].role, Role::Base(_));
        let Some(current) = self.current(slot).and_then(|i| leaf.path.read(&i.raw)) else {
            return false;
        };
        let Some(new) = corpus::alternative_value(&leaf.path, &current, &mut self.rng) else {
            return false;
        };
        let written = new.clone();
        if !self.edit(slot, k, true, |item, _| {
            leaf.path.write(Arc::make_mut(&mut item.raw), written)
        }) {
            return false;
        }
        self.slots[slot].touched.insert(leaf.rendered.clone());
        if is_base {
            let record = self.record(k, PlantedKind::SettingChanged, Some(slot));
            record.setting_path = Some(leaf.rendered.clone());
            record.expected = Some(leaf.value.clone());
            record.actual = Some(new.clone());
        }
        if k > 0 {
            let record = self.record(k, PlantedKind::ChangedSinceLastCapture, Some(slot));
            record.setting_path = Some(leaf.rendered.clone());
            record.expected = Some(current);
            record.actual = Some(new);
        }
        true
    }

    /// Puts a changed setting back to its baseline value (remediation) at capture `k`.
    fn plant_revert(&mut self, k: u32) -> bool {
        let open: Vec<usize> = (0..self.planted.len())
            .filter(|&r| {
                let record = &self.planted[r];
                record.kind == PlantedKind::SettingChanged
                    && record.until_capture.is_none()
                    && record.capture < k
            })
            .filter(|&r| {
                self.slot_of(self.planted[r].external_id.as_deref())
                    .is_some_and(|s| self.slots[s].alive && self.slots[s].changed_in != Some(k))
            })
            .collect();
        let Some(r) = self.choose(&open) else {
            return false;
        };
        let Some(slot) = self.slot_of(self.planted[r].external_id.as_deref()) else {
            return false;
        };
        let Some(base) = self.base_of(slot) else {
            return false;
        };
        let rendered = self.planted[r].setting_path.clone().unwrap_or_default();
        let Some(leaf) = base.changeable.iter().find(|l| l.rendered == rendered) else {
            return false;
        };
        let (path, baseline_value) = (leaf.path.clone(), leaf.value.clone());
        let previous = self.planted[r].actual.clone();
        let written = baseline_value.clone();
        if !self.edit(slot, k, true, |item, _| {
            path.write(Arc::make_mut(&mut item.raw), written)
        }) {
            return false;
        }
        self.planted[r].until_capture = Some(k);
        let record = self.record(k, PlantedKind::ChangedSinceLastCapture, Some(slot));
        record.setting_path = Some(rendered);
        record.expected = previous;
        record.actual = Some(baseline_value);
        true
    }

    fn slot_of(&self, external_id: Option<&str>) -> Option<usize> {
        let external_id = external_id?;
        self.slots.iter().position(|s| s.external_id == external_id)
    }

    /// Removes a setting from a baseline policy in the first capture (a settings-catalog
    /// setting, or a property set to `null`).
    fn plant_setting_missing(&mut self) -> bool {
        let mut candidates = Vec::new();
        for slot in self.eligible(0, |s| matches!(s.role, Role::Base(_))) {
            let Some(base) = self.base_of(slot) else {
                continue;
            };
            for (leaf, candidate) in base.removable.iter().enumerate() {
                if !self.slots[slot]
                    .touched
                    .contains(candidate.rendered.as_str())
                {
                    candidates.push((slot, leaf));
                }
            }
        }
        let Some((slot, leaf)) = self.choose(&candidates) else {
            return false;
        };
        let Some(base) = self.base_of(slot) else {
            return false;
        };
        let leaf = base.removable[leaf].clone();
        let removed = self.edit(slot, 0, false, |item, _| match &leaf.path {
            SettingPath::Setting(chain) => {
                let Some(id) = chain.first() else {
                    return false;
                };
                let removed = json::remove_top_setting(Arc::make_mut(&mut item.raw), id).is_some();
                if removed {
                    update_setting_count(Arc::make_mut(&mut item.raw));
                }
                removed
            }
            SettingPath::Property(_) => leaf.path.write(Arc::make_mut(&mut item.raw), Value::Null),
        });
        if !removed {
            return false;
        }
        let rendered = leaf.path.render();
        self.slots[slot].touched.insert(rendered.clone());
        let record = self.record(0, PlantedKind::SettingMissing, Some(slot));
        record.setting_path = Some(rendered);
        record.expected = Some(leaf.value);
        true
    }

    /// Adds a setting the baseline policy does not have, in the first capture: a setting
    /// copied from another policy of the same platform (settings catalog), or a known
    /// property left unset by the baseline.
    fn plant_setting_added(&mut self) -> bool {
        let corpus = self.corpus;
        let slots = self.eligible(0, |s| matches!(s.role, Role::Base(_)));
        let Some(slot) = self.choose(&slots) else {
            return false;
        };
        let Role::Base(b) = self.slots[slot].role else {
            return false;
        };
        let base = &corpus.items[b];
        if base.settings_catalog {
            let candidates: Vec<usize> = (0..corpus.addable.len())
                .filter(|&a| {
                    let addable = &corpus.addable[a];
                    addable.source != b
                        && corpus.items[addable.source].platform_key == base.platform_key
                        && !base.def_ids.contains(&addable.def_id)
                        && !self.slots[slot].touched.contains(&addable.def_id)
                })
                .collect();
            let Some(a) = self.choose(&candidates) else {
                return false;
            };
            let addable = &corpus.addable[a];
            let source = &corpus.items[addable.source];
            // Only the source's policy id (its first id) appears in its settings' links.
            let new_ids = vec![self.slots[slot].external_id.clone()];
            let added = self.edit(slot, 0, false, |item, _| {
                let Some(list) = json::settings_mut(Arc::make_mut(&mut item.raw)) else {
                    return false;
                };
                let Some(element) = copy_setting(source, addable.position, list.len(), &new_ids)
                else {
                    return false;
                };
                list.push(element);
                update_setting_count(Arc::make_mut(&mut item.raw));
                true
            });
            if !added {
                return false;
            }
            self.slots[slot].touched.insert(addable.def_id.clone());
            let record = self.record(0, PlantedKind::SettingAdded, Some(slot));
            record.setting_path = Some(addable.def_id.clone());
            record.actual = Some(addable.value.clone());
            true
        } else {
            let candidates: Vec<usize> = (0..base.property_additions.len())
                .filter(|&l| {
                    !self.slots[slot]
                        .touched
                        .contains(base.property_additions[l].rendered.as_str())
                })
                .collect();
            let Some(l) = self.choose(&candidates) else {
                return false;
            };
            let leaf = base.property_additions[l].clone();
            if !self.edit(slot, 0, false, |item, _| {
                leaf.path
                    .write(Arc::make_mut(&mut item.raw), leaf.value.clone())
            }) {
                return false;
            }
            let rendered = leaf.path.render();
            self.slots[slot].touched.insert(rendered.clone());
            let record = self.record(0, PlantedKind::SettingAdded, Some(slot));
            record.setting_path = Some(rendered);
            record.actual = Some(leaf.value);
            true
        }
    }

    // ----- planting: assignments ------------------------------------------------------------

    /// Assigns a baseline policy differently at capture `k` (an exclusion dropped or added,
    /// a device group narrowed to the pilot ring, all users narrowed to a group).
    fn plant_assignment_change(&mut self, k: u32) -> bool {
        let slots = self.eligible(k, |s| {
            matches!(s.role, Role::Base(_)) && !s.touched.contains("assignments")
        });
        let Some(slot) = self.choose(&slots) else {
            return false;
        };
        let old = self.slots[slot].targets.clone();
        let alternatives = assignment_alternatives(&old);
        let Some(choice) = self.choose(&(0..alternatives.len()).collect::<Vec<_>>()) else {
            return false;
        };
        let new = alternatives[choice].clone();
        let resolved = self.resolve(&new);
        let policy_id = self.slots[slot].external_id.clone();
        if !self.edit(slot, k, true, |item, _| {
            set_assignments(Arc::make_mut(&mut item.raw), &policy_id, &resolved);
            true
        }) {
            return false;
        }
        let entry = &mut self.slots[slot];
        entry.targets = new.clone();
        entry.touched.insert("assignments".to_owned());
        let standard = self
            .base_of(slot)
            .map(|b| b.standard_targets.clone())
            .unwrap_or_default();
        let record = self.record(k, PlantedKind::AssignmentChanged, Some(slot));
        record.setting_path = Some("assignments".to_owned());
        record.expected = Some(portable_targets(&standard));
        record.actual = Some(portable_targets(&new));
        if k > 0 {
            let record = self.record(k, PlantedKind::ChangedSinceLastCapture, Some(slot));
            record.setting_path = Some("assignments".to_owned());
            record.expected = Some(portable_targets(&old));
            record.actual = Some(portable_targets(&new));
        }
        true
    }

    // ----- planting: noise --------------------------------------------------------------------

    /// Reorders a policy's settings, its assignments, or the values of a collection setting.
    fn plant_reorder(&mut self, k: u32) -> bool {
        #[derive(Clone, Copy)]
        enum What {
            Settings,
            Assignments,
            Collection(usize),
        }
        let mut candidates: Vec<(usize, What)> = Vec::new();
        for slot in self.eligible(k, |_| true) {
            let entry = &self.slots[slot];
            let Some(item) = self.current(slot) else {
                continue;
            };
            if json::settings(&item.raw).len() >= 2 && !entry.touched.contains("settings") {
                candidates.push((slot, What::Settings));
            }
            let assignments = item
                .raw
                .get("assignments")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if assignments >= 2 && !entry.touched.contains("assignments") {
                candidates.push((slot, What::Assignments));
            }
            if let Some(base) = self.base_of(slot) {
                for (leaf, candidate) in base.reorderable.iter().enumerate() {
                    if !entry.touched.contains(candidate.rendered.as_str())
                        && candidate.path.read(&item.raw).is_some()
                    {
                        candidates.push((slot, What::Collection(leaf)));
                    }
                }
            }
        }
        let Some((slot, what)) = self.choose(&candidates) else {
            return false;
        };
        let (path, before, after) = match what {
            What::Settings => {
                let Some(item) = self.current(slot) else {
                    return false;
                };
                let before = top_def_ids(&item.raw);
                let mut order: Vec<usize> = (0..before.len()).collect();
                order.shuffle(&mut self.rng);
                if order.iter().enumerate().all(|(i, o)| i == *o) {
                    order.rotate_left(1);
                }
                let after: Vec<Value> = order.iter().map(|&i| before[i].clone()).collect();
                let permutation = order.clone();
                if !self.edit(slot, k, false, |item, _| {
                    let Some(list) = json::settings_mut(Arc::make_mut(&mut item.raw)) else {
                        return false;
                    };
                    let mut taken: Vec<Option<Value>> =
                        std::mem::take(list).into_iter().map(Some).collect();
                    *list = permutation
                        .iter()
                        .filter_map(|&i| taken[i].take())
                        .collect();
                    true
                }) {
                    return false;
                }
                (
                    "settings".to_owned(),
                    Value::Array(before),
                    Value::Array(after),
                )
            }
            What::Assignments => {
                let before = self.slots[slot].targets.clone();
                let mut after = before.clone();
                after.rotate_left(1);
                let resolved = self.resolve(&after);
                let policy_id = self.slots[slot].external_id.clone();
                if !self.edit(slot, k, false, |item, _| {
                    set_assignments(Arc::make_mut(&mut item.raw), &policy_id, &resolved);
                    true
                }) {
                    return false;
                }
                self.slots[slot].targets = after.clone();
                let order = |t: &[Target]| {
                    Value::Array(t.iter().map(|t| Value::String(t.portable())).collect())
                };
                ("assignments".to_owned(), order(&before), order(&after))
            }
            What::Collection(leaf) => {
                let Some(base) = self.base_of(slot) else {
                    return false;
                };
                let path = base.reorderable[leaf].path.clone();
                let Some(Value::Array(before)) = self.current(slot).and_then(|i| path.read(&i.raw))
                else {
                    return false;
                };
                let mut after = before.clone();
                after.rotate_left(1);
                let written = Value::Array(after.clone());
                if !self.edit(slot, k, false, |item, _| {
                    path.write(Arc::make_mut(&mut item.raw), written)
                }) {
                    return false;
                }
                (path.render(), Value::Array(before), Value::Array(after))
            }
        };
        self.slots[slot].touched.insert(path.clone());
        let record = self.record(k, PlantedKind::NoiseReordered, Some(slot));
        record.setting_path = Some(path);
        record.expected = Some(before);
        record.actual = Some(after);
        true
    }

    /// Turns an empty value into another empty form: `null` → missing, `""` → `null` or
    /// missing, `[]` / `{}` → `null`.
    fn plant_empty_equivalent(&mut self, k: u32) -> bool {
        let mut candidates = Vec::new();
        for slot in self.eligible(k, |_| true) {
            let Some(base) = self.base_of(slot) else {
                continue;
            };
            let Some(item) = self.current(slot) else {
                continue;
            };
            for (leaf, candidate) in base.empties.iter().enumerate() {
                let present_and_empty = candidate
                    .path
                    .read(&item.raw)
                    .is_some_and(|v| json::is_empty_equivalent(&v));
                if present_and_empty
                    && !self.slots[slot]
                        .touched
                        .contains(candidate.rendered.as_str())
                {
                    candidates.push((slot, leaf));
                }
            }
        }
        let Some((slot, leaf)) = self.choose(&candidates) else {
            return false;
        };
        let Some(base) = self.base_of(slot) else {
            return false;
        };
        let path = base.empties[leaf].path.clone();
        let Some(before) = self.current(slot).and_then(|i| path.read(&i.raw)) else {
            return false;
        };
        let after = match &before {
            Value::String(_) if self.rng.gen_bool(0.5) => Some(Value::Null),
            Value::Array(_) | Value::Object(_) => Some(Value::Null),
            _ => None,
        };
        let written = after.clone();
        if !self.edit(slot, k, false, |item, _| match written {
            Some(value) => path.write(Arc::make_mut(&mut item.raw), value),
            None => path.remove_property(Arc::make_mut(&mut item.raw)).is_some(),
        }) {
            return false;
        }
        let rendered = path.render();
        self.slots[slot].touched.insert(rendered.clone());
        let record = self.record(k, PlantedKind::NoiseEmptyEquivalent, Some(slot));
        record.setting_path = Some(rendered);
        record.expected = Some(before);
        record.actual = after;
        true
    }

    /// Microsoft touches a policy without changing it: a new `lastModifiedDateTime` (and
    /// `version`).
    fn plant_volatile(&mut self, k: u32) -> bool {
        let slots = self.eligible(k, |_| true);
        let slots: Vec<usize> = slots
            .into_iter()
            .filter(|&s| {
                self.current(s)
                    .is_some_and(|i| i.raw.get("lastModifiedDateTime").is_some())
            })
            .collect();
        let Some(slot) = self.choose(&slots) else {
            return false;
        };
        let before = self
            .current(slot)
            .and_then(|i| i.raw.get("lastModifiedDateTime").cloned());
        if !self.edit(slot, k, true, |_, _| true) {
            return false;
        }
        let after = self
            .current(slot)
            .and_then(|i| i.raw.get("lastModifiedDateTime").cloned());
        let record = self.record(k, PlantedKind::NoiseVolatile, Some(slot));
        record.setting_path = Some("lastModifiedDateTime".to_owned());
        record.expected = before;
        record.actual = after;
        true
    }

    // ----- policies appearing and disappearing -----------------------------------------------

    /// Deletes a policy at capture `k` (a ghost policy). Only untouched baseline policies
    /// that no tenant policy derives from, and tenant policies, are deleted, so that every
    /// record stays exact.
    fn plant_deletion(&mut self, k: u32) -> bool {
        let corpus = self.corpus;
        let slots = self.eligible(k, |s| match s.role {
            Role::Extra(_) => true,
            Role::Base(b) => {
                s.touched.is_empty()
                    && !self.extra_sources.contains(&b)
                    && !corpus.items[b]
                        .similar
                        .iter()
                        .any(|o| self.extra_sources.contains(o))
            }
            Role::Renamed(_) => false,
        });
        let Some(slot) = self.choose(&slots) else {
            return false;
        };
        let external_id = self.slots[slot].external_id.clone();
        let role = self.slots[slot].role;
        self.record(k, PlantedKind::Deleted, Some(slot));
        match role {
            Role::Base(b) => {
                let record = self.record(k, PlantedKind::Missing, None);
                record.resource_kind = Some(corpus.items[b].item.kind.clone());
                record.item_name = Some(corpus.items[b].item.name.clone());
                self.exclude_source(b);
            }
            Role::Extra(_) => {
                if let Some(record) = self.planted.iter_mut().find(|r| {
                    r.kind == PlantedKind::Extra && r.external_id.as_deref() == Some(&external_id)
                }) {
                    record.until_capture = Some(k);
                }
            }
            Role::Renamed(_) => {}
        }
        let entry = &mut self.slots[slot];
        entry.alive = false;
        entry.changed_in = Some(k);
        self.steps[k as usize - 1].push(Pending::Remove(external_id));
        true
    }

    /// Adds a tenant-specific policy at capture `k`: a variant of a baseline policy (a few
    /// of its settings for settings catalog, all of them for other kinds) with an MSP-style
    /// name, some changed values and an assignment to a purpose group.
    fn add_extra(&mut self, k: u32) -> Option<usize> {
        let corpus = self.corpus;
        let sources: Vec<usize> = (0..corpus.items.len())
            .filter(|b| !self.excluded_sources.contains(b))
            .collect();
        let pick = names::weighted_index(
            &mut self.rng,
            sources
                .iter()
                .map(|&b| source_weight(&corpus.items[b]))
                .collect::<Vec<_>>()
                .into_iter(),
        );
        let source = *sources.get(pick)?;
        let base = &corpus.items[source];
        let serial = self.extra_serial;
        self.extra_serial += 1;

        let purpose = self
            .choose(&self.purposes.clone())
            .unwrap_or(names::PURPOSES[0]);
        let (name, purpose) = self.extra_name(base, purpose);
        let users = base.parts.audience == Audience::Users
            || matches!(
                base.item.kind.as_str(),
                "compliance_policy" | "app_protection"
            );

        let new_ids: Vec<String> = base
            .ids
            .iter()
            .map(|old| self.reissued_id(old, &format!("extra/{serial}/{old}")))
            .collect();
        let (mut raw, leaves) = if base.settings_catalog {
            let (raw, leaves) = self.settings_subset(base, &new_ids);
            (raw, Some(leaves))
        } else {
            let mut raw = (*base.item.raw).clone();
            json::patch_strings(&mut raw, &base.id_strings, &new_ids);
            (raw, None)
        };
        let external_id = new_ids
            .first()
            .cloned()
            .unwrap_or_else(|| self.id(&format!("extra/{serial}")));

        let (from, to) = if k == 0 {
            (self.times[0] - Duration::days(700), self.times[0])
        } else {
            (self.times[k as usize - 1], self.times[k as usize])
        };
        self.set_initial_volatile(&mut raw, from, to);
        if let Some(object) = raw.as_object_mut() {
            object.insert(base.name_field.to_owned(), Value::String(name.clone()));
            if object.contains_key("description") && self.rng.gen_bool(0.6) {
                let audience = if users { "users" } else { "devices" };
                let description = format!(
                    "{purpose} {audience}: {} {}",
                    base.parts.area, base.parts.topic
                );
                object.insert(
                    "description".to_owned(),
                    Value::String(description.trim().to_owned()),
                );
            }
        }
        // Variant values: the tenant's own take on the source policy.
        let present: Vec<usize> = match &leaves {
            Some(present) => present.clone(),
            None => (0..base.changeable.len()).collect(),
        };
        for _ in 0..self.rng.gen_range(0..=2) {
            let Some(l) = self.choose(&present) else {
                break;
            };
            let path = &base.changeable[l].path;
            if let Some(new) = path
                .read(&raw)
                .and_then(|c| corpus::alternative_value(path, &c, &mut self.rng))
            {
                path.write(&mut raw, new);
            }
        }
        let targets = if self.rng.gen_bool(0.85) {
            vec![Target::Include(names::purpose_group(purpose, users))]
        } else {
            Vec::new()
        };
        let resolved = self.resolve(&targets);
        set_assignments(&mut raw, &external_id, &resolved);

        let item = CapturedItem {
            kind: base.item.kind.clone(),
            odata_type: base.item.odata_type.clone(),
            external_id,
            name,
            raw: Arc::new(raw),
            source_path: None,
        };
        self.extra_sources.insert(source);
        let slot = self.push_slot(item, Role::Extra(source), targets, leaves, k);
        self.record(k, PlantedKind::Extra, Some(slot));
        Some(slot)
    }

    /// A settings-catalog policy made of 1 to 6 of `base`'s settings, renumbered, with
    /// `base`'s ids replaced by `new_ids`; and the indices of `base`'s changeable settings
    /// it has.
    fn settings_subset(&mut self, base: &BaseItem, new_ids: &[String]) -> (Value, Vec<usize>) {
        let all = json::settings(&base.item.raw);
        let count = self.rng.gen_range(1..=all.len().clamp(1, 6));
        let mut picks =
            sample(&mut self.rng, all.len().max(1), count.min(all.len().max(1))).into_vec();
        picks.sort_unstable();
        let mut object = Map::new();
        if let Some(source) = base.item.raw.as_object() {
            for (key, value) in source {
                if key == "settings" {
                    let list = picks
                        .iter()
                        .enumerate()
                        .filter_map(|(new, &old)| copy_setting(base, old, new, new_ids))
                        .collect();
                    object.insert(key.clone(), Value::Array(list));
                } else {
                    object.insert(key.clone(), value.clone());
                }
            }
        }
        let mut raw = Value::Object(object);
        // Outside `settings` the copy has the source's keys in the source's order, so the
        // source's positional paths apply.
        json::patch_strings(&mut raw, &base.top_id_strings, new_ids);
        update_setting_count(&mut raw);
        let chosen: BTreeSet<&str> = picks
            .iter()
            .filter_map(|&p| all.get(p)?.get("settingInstance").and_then(json::def_id))
            .collect();
        let leaves = (0..base.changeable.len())
            .filter(|&l| match &base.changeable[l].path {
                SettingPath::Setting(chain) => {
                    chain.first().is_some_and(|id| chosen.contains(id.as_str()))
                }
                SettingPath::Property(_) => false,
            })
            .collect();
        (raw, leaves)
    }

    /// A unique MSP-style name for a tenant policy derived from `base`, and the purpose it
    /// ended up with: the tenant's naming style with the policy's area, then with its topic
    /// too, then for another of the tenant's purposes, then as a later version.
    fn extra_name(&self, base: &BaseItem, purpose: &'static str) -> (String, &'static str) {
        let parts = &base.parts;
        let area = match parts.area.as_str() {
            "Defender Antivirus" => "Defender",
            "Windows Update for Business" => "WUfB",
            other => other,
        };
        let topic = if parts.topic.is_empty() {
            String::new()
        } else {
            format!(" - {}", parts.topic)
        };
        let platform_prefix = match parts.platform.as_str() {
            "Win" => String::new(),
            "MacOS" => "macOS ".to_owned(),
            "Win365" => "W365 ".to_owned(),
            other => format!("{other} "),
        };
        let (code, short, platform) = (&self.identity.code, &self.identity.short, &parts.platform);
        let compose = |purpose: &str, topic: &str, version: u32| match self.name_style {
            0 => {
                let suffix = if version > 1 {
                    format!(" - v{version}")
                } else {
                    String::new()
                };
                format!("{code} - {platform} - {area}{topic} - {purpose}{suffix}")
            }
            1 => format!(
                "{platform} - {short} - {area}{topic} - {purpose} - v{version}.{}",
                self.version_minor
            ),
            _ => {
                let suffix = if version > 1 {
                    format!(" - v{version}")
                } else {
                    String::new()
                };
                format!("{short} - {platform_prefix}{area}{topic} - {purpose}{suffix}")
            }
        };
        let kind = base.item.kind.clone();
        let free = |name: &String| !self.names_used.contains(&(kind.clone(), name.clone()));
        let mut candidates = vec![
            (compose(purpose, "", 1), purpose),
            (compose(purpose, &topic, 1), purpose),
        ];
        for other in &self.purposes {
            candidates.push((compose(other, &topic, 1), *other));
        }
        for version in 2..6 {
            candidates.push((compose(purpose, &topic, version), purpose));
        }
        if let Some(found) = candidates.into_iter().find(|(name, _)| free(name)) {
            return found;
        }
        (
            format!(
                "{}{topic} - {purpose} #{}",
                compose(purpose, "", 1),
                self.extra_serial
            ),
            purpose,
        )
    }

    // ----- later captures ----------------------------------------------------------------

    fn later_capture(&mut self, k: u32) {
        let changes = if k == 1 {
            self.rng.gen_range(1..=2)
        } else {
            self.rng.gen_range(0..=2)
        };
        for _ in 0..changes {
            self.plant_value_change(k);
        }
        if self.rng.gen_bool(0.2) {
            self.plant_revert(k);
        }
        if self.rng.gen_bool(0.12) {
            self.plant_assignment_change(k);
        }
        if (self.index % 5 == 3 && k == 1) || self.rng.gen_bool(0.35) {
            self.plant_deletion(k);
        }
        let additions = names::weighted_index(&mut self.rng, [50u32, 35, 15].into_iter());
        for _ in 0..additions {
            self.add_extra(k);
        }
        for _ in 0..self.rng.gen_range(1..=3) {
            self.plant_volatile(k);
        }
        if self.rng.gen_bool(0.3) {
            self.plant_reorder(k);
        }
        if self.rng.gen_bool(0.1) {
            self.plant_empty_equivalent(k);
        }
    }

    // ----- assembling -------------------------------------------------------------------------

    fn finish(mut self, profile: TenantProfile) -> DemoTenantHistory {
        let mut content = CaptureContent {
            items: std::mem::take(&mut self.first),
            directory_objects: self
                .groups
                .iter()
                .map(|(name, id)| DirectoryObject {
                    kind: DirectoryObjectKind::Group,
                    external_id: id.clone(),
                    display_name: name.clone(),
                })
                .collect(),
            kind_status: kinds::KINDS
                .iter()
                .map(|k| {
                    (
                        k.key.to_owned(),
                        KindStatus {
                            ok: true,
                            item_count: 0,
                            error: None,
                        },
                    )
                })
                .collect::<BTreeMap<_, _>>(),
            definitions: Default::default(),
        };
        content.recount_kinds();

        let mut steps = Vec::with_capacity(self.steps.len());
        for pending in std::mem::take(&mut self.steps) {
            let mut changes = Vec::with_capacity(pending.len());
            for change in pending {
                match change {
                    Pending::Replace { slot, version } => {
                        if let Some(item) = self.take_version(slot, version) {
                            changes.push(Change::Replace(item));
                        }
                    }
                    Pending::Add { slot, version } => {
                        if let Some(item) = self.take_version(slot, version) {
                            changes.push(Change::Add(item));
                        }
                    }
                    Pending::Remove(external_id) => changes.push(Change::Remove(external_id)),
                }
            }
            steps.push(changes);
        }
        DemoTenantHistory {
            index: self.index,
            profile,
            planted: self.planted,
            history: DemoHistory::new(self.times, content, steps),
        }
    }

    fn take_version(&mut self, slot: usize, version: usize) -> Option<CapturedItem> {
        self.slots.get_mut(slot)?.versions.get_mut(version)?.take()
    }
}

/// How often a baseline policy is the source of tenant-specific policies.
fn source_weight(base: &BaseItem) -> u32 {
    match base.item.kind.as_str() {
        "settings_catalog" if base.size > 150_000 => 3,
        "settings_catalog" => 10,
        "compliance_policy" => 6,
        "app_protection" => 5,
        "windows_update_ring" | "device_configuration" => 4,
        _ => 3,
    }
}

/// A copy of `base`'s setting at `position` as the setting at `new_position` of another
/// policy whose ids are `new_ids` (in the order of `base.ids`). The setting's links name
/// its policy and its position (`…/settings('N')`).
fn copy_setting(
    base: &BaseItem,
    position: usize,
    new_position: usize,
    new_ids: &[String],
) -> Option<Value> {
    let mut element = json::settings(&base.item.raw).get(position)?.clone();
    json::patch_strings(
        &mut element,
        base.setting_id_strings.get(position)?,
        new_ids,
    );
    let new_id = new_position.to_string();
    let object = element.as_object_mut()?;
    if let Some(old) = object.get("id").and_then(Value::as_str).map(str::to_owned) {
        let (from, to) = (
            format!("settings('{old}')"),
            format!("settings('{new_id}')"),
        );
        for (key, value) in object.iter_mut() {
            if let (true, Value::String(s)) = (key.starts_with('@'), value) {
                if s.contains(from.as_str()) {
                    *s = s.replace(from.as_str(), &to);
                }
            }
        }
    }
    object.insert("id".to_owned(), Value::String(new_id));
    Some(element)
}

fn update_setting_count(raw: &mut Value) {
    let count = json::settings(raw).len();
    if let Some(object) = raw.as_object_mut() {
        if object.contains_key("settingCount") {
            object.insert("settingCount".to_owned(), Value::from(count));
        }
    }
}

fn top_def_ids(raw: &Value) -> Vec<Value> {
    json::settings(raw)
        .iter()
        .map(|s| {
            s.get("settingInstance")
                .and_then(json::def_id)
                .map_or(Value::Null, Value::from)
        })
        .collect()
}

/// Sets a policy's `assignments` the way Graph returns them (and `isAssigned`, where the
/// kind has it).
fn set_assignments(raw: &mut Value, policy_id: &str, targets: &[(String, Target)]) {
    let list: Vec<Value> = targets
        .iter()
        .map(|(group_id, target)| {
            let (odata_type, key) = match target {
                Target::AllDevices => (
                    "#microsoft.graph.allDevicesAssignmentTarget",
                    ALL_DEVICES_ID,
                ),
                Target::AllLicensedUsers => (
                    "#microsoft.graph.allLicensedUsersAssignmentTarget",
                    ALL_USERS_ID,
                ),
                Target::Include(_) => ("#microsoft.graph.groupAssignmentTarget", group_id.as_str()),
                Target::Exclude(_) => (
                    "#microsoft.graph.exclusionGroupAssignmentTarget",
                    group_id.as_str(),
                ),
            };
            let mut target_json = json!({
                "@odata.type": odata_type,
                "deviceAndAppManagementAssignmentFilterId": null,
                "deviceAndAppManagementAssignmentFilterType": "none",
            });
            if target.group().is_some() {
                if let Some(object) = target_json.as_object_mut() {
                    object.insert("groupId".to_owned(), Value::String(group_id.clone()));
                }
            }
            json!({
                "id": format!("{policy_id}_{key}"),
                "source": "direct",
                "sourceId": policy_id,
                "target": target_json,
            })
        })
        .collect();
    if let Some(object) = raw.as_object_mut() {
        if object.contains_key("isAssigned") {
            object.insert("isAssigned".to_owned(), Value::Bool(!list.is_empty()));
        }
        json::insert_after(
            object,
            "assignments@odata.navigationLink",
            "assignments",
            Value::Array(list),
        );
    }
}

/// Other plausible assignments for a policy assigned to `targets`.
fn assignment_alternatives(targets: &[Target]) -> Vec<Vec<Target>> {
    let mut out = Vec::new();
    match targets.iter().position(|t| matches!(t, Target::Exclude(_))) {
        Some(position) => {
            let mut dropped = targets.to_vec();
            dropped.remove(position);
            out.push(dropped);
        }
        None => {
            let mut added = targets.to_vec();
            added.push(Target::Exclude(groups::EXCLUSIONS.to_owned()));
            out.push(added);
        }
    }
    for (position, target) in targets.iter().enumerate() {
        let replacement = match target {
            Target::Include(g) if g == groups::WINDOWS_DEVICES || g == groups::MACOS_DEVICES => {
                Target::Include(groups::RING1_PILOT.to_owned())
            }
            Target::AllLicensedUsers => Target::Include(groups::WINDOWS_USERS.to_owned()),
            Target::AllDevices => Target::Include(groups::WINDOWS_DEVICES.to_owned()),
            _ => continue,
        };
        if targets.contains(&replacement) {
            continue;
        }
        let mut changed = targets.to_vec();
        changed[position] = replacement;
        out.push(changed);
    }
    out
}

/// How many fractional-second digits a Graph timestamp uses (7 when unknown).
fn fraction_digits(value: Option<&Value>) -> usize {
    match value.and_then(Value::as_str) {
        Some(s) => s
            .split_once('.')
            .map_or(0, |(_, f)| f.trim_end_matches('Z').len().min(7)),
        None => 7,
    }
}

fn format_timestamp(at: DateTime<Utc>, ticks: u32, digits: usize) -> String {
    let base = at.format("%Y-%m-%dT%H:%M:%S");
    if digits == 0 {
        return format!("{base}Z");
    }
    let fraction = format!("{:07}", ticks % 10_000_000);
    format!("{base}.{}Z", &fraction[..digits.min(7)])
}

fn initial_version(current: Option<&Value>, rng: &mut impl Rng) -> Option<Value> {
    match current? {
        Value::Number(_) => Some(Value::from(rng.gen_range(1..=6u32))),
        Value::String(_) => Some(Value::String(etag(rng))),
        _ => None,
    }
}

fn next_version(current: Option<&Value>, rng: &mut impl Rng) -> Option<Value> {
    match current? {
        Value::Number(n) => Some(Value::from(n.as_u64().unwrap_or(0) + 1)),
        Value::String(_) => Some(Value::String(etag(rng))),
        _ => None,
    }
}

/// An app-protection style version: a quoted entity tag.
fn etag(rng: &mut impl Rng) -> String {
    format!(
        "\"{:08x}-0000-0d00-0000-{:012x}\"",
        rng.gen::<u32>(),
        rng.gen::<u64>() & 0xffff_ffff_ffff
    )
}

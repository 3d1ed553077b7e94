//! Normalisation: one captured Graph object in, the canonical form the drift engine
//! compares out. Pure and allocation-conscious: no IO, no clock, no randomness; a review
//! normalises up to 200,000 policies, so this is the hot path.
//!
//! Two captures that mean the same configuration normalise to equal [`Normalized`] values
//! (equal hashes), and every real change of a setting changes exactly the path of that
//! setting. How each kind is read is data in its registry entry
//! ([`crate::kinds::Normalization`]); this module holds the rules.
//!
//! # Settings paths
//!
//! `settings` maps a path to a canonical value (objects with sorted keys, sets sorted by
//! their canonical JSON and deduplicated). Paths are segments joined with `/`:
//! - a plain property: the JSON property names from the policy root through nested
//!   objects (`passwordMinimumLength`, `installationSchedule/activeHoursStart`);
//! - a settings-catalog setting: the chain of `settingDefinitionId`s from the top-level
//!   instance down through `children` (`parent_definition/child_definition`). A choice
//!   holds its chosen value id, a simple setting its `value` (JSON type kept), a simple or
//!   choice collection the set of its values;
//! - an entry of a keyed array (see [`crate::kinds::KeyedArray`]): `<array>[<key>]`, e.g.
//!   `omaSettings[./Device/Vendor/MSFT/Policy/Config/X]/value` or
//!   `scheduledActionsForRule/scheduledActionConfigurations[block]/gracePeriodHours`. The
//!   text between `[` and `]` is opaque (it may hold `/`);
//! - an endpoint-security intent setting: its `definitionId` (complex values flatten
//!   into `definitionId/field`).
//!
//! The object's name (the kind's name field) is the match key, never a setting, and
//! `assignments` are compared separately.
//!
//! # Group collections
//!
//! A settings-catalog group collection with one entry (the common case, e.g. a macOS
//! payload) is flattened like a choice: its children are settings under the group's path.
//! With several distinct entries (firewall rules, login items, TCC services) the entries
//! cannot be told apart by definition ids, so the group's path holds the *set* of its
//! entries, each entry being the map `relative child path → value` built by these same
//! rules. Entries never collide, order is never identity, and a change inside one entry is
//! one changed setting: the group's path. Entries that are empty after normalisation are
//! dropped and identical entries count once, before the one-or-several decision. Choice
//! collections whose entries carry children follow the same rule (`path[value]/child`
//! when several entries have children).
//!
//! When two instances produce the same path (duplicate definitions, a keyed array with a
//! repeated key) the path holds the set of their values rather than one winning silently.
//!
//! # Empty values, ids and secrets
//!
//! `null`, missing, `""`, `[]` and `{}` are the same: such values never appear in
//! `settings` (recursively: an object whose fields are all empty is empty). Per-tenant ids
//! resolve through the [`DirectoryIndex`] to `group:<name>`, `filter:<name>`,
//! `location:<name>`, `scope_tag:<name>`, `terms_of_use:<name>`; Entra object SIDs
//! (`S-1-12-1-…`, user-rights and local-group settings) resolve like group ids. Well-known
//! global ids stay as they are ([`crate::kinds::IdSpace::well_known`]). An id that cannot
//! be resolved becomes `unresolved:<id>` and is listed in [`Normalized::unresolved`].
//! Per-tenant secrets and blobs are dropped from `settings` and listed in
//! [`Normalized::excluded`] by path.
//!
//! # Assignments
//!
//! `assignments` maps `include/<target>` or `exclude/<target>` to the assignment's
//! details: `include/group:Pilot Devices`, `exclude/group:…`, `include/all_devices`,
//! `include/all_licensed_users`. The value is `null`, or an object holding the filter
//! (`{"filter": "filter:<name>", "filterType": "include"}`) and, for apps, the `intent`.

mod assignments;
mod catalog;
mod definitions;
mod directory;
mod label;
mod properties;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::kinds::{self, IdSpace, Layout, Normalization, WellKnown};
use crate::model::DirectoryObjectKind;

pub use definitions::{
    definition_ids_in, harvest as harvest_definitions, parse_definition, path_definition_ids,
    referenced_ids, Labels, SettingDefinition, SettingDefinitions,
};
pub use directory::DirectoryIndex;
pub use label::setting_label;

/// Version of the normalised form. Normalised results are cached by hash: bump this
/// whenever the output for some input changes.
pub const NORMALIZER_VERSION: u32 = 2;

/// The portable form of scope tag `0`, Intune's Default tag.
const DEFAULT_SCOPE_TAG: &str = "scope_tag:Default";

/// One object in canonical form.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Normalized {
    /// Setting path → canonical value; empty-equivalent values are absent.
    pub settings: BTreeMap<String, Value>,
    /// `include/<target>` or `exclude/<target>` → `null` or the assignment's details.
    pub assignments: BTreeMap<String, Value>,
    /// Paths dropped as per-tenant secrets or blobs (sorted, deduplicated).
    pub excluded: Vec<String>,
    /// `unresolved:<id>` for every per-tenant id that could not be resolved (sorted,
    /// deduplicated).
    pub unresolved: Vec<String>,
    /// SHA-256 (hex) of the canonical JSON of `settings`.
    pub settings_hash: String,
    /// SHA-256 (hex) of the canonical JSON of `assignments`.
    pub assignments_hash: String,
}

/// Rules for objects whose kind is unknown.
static GENERIC: Normalization = Normalization::GENERIC;

/// Normalises one object of registry kind `kind` (unknown kinds get the global rules).
pub fn normalize(kind: &str, raw: &Value, directory: &DirectoryIndex) -> Normalized {
    let registry = kinds::by_key(kind);
    let rules = registry.map_or(&GENERIC, |k| &k.normalization);
    let mut ctx = Context::new(rules, directory);
    let mut settings = Sink::new(0);
    let mut assignments = BTreeMap::new();

    if let Some(root) = raw.as_object() {
        // The name is the match key; unknown kinds may use either name field.
        let mut skip: Vec<&str> = match registry {
            Some(k) => vec![k.name_field],
            None => vec!["displayName", "name"],
        };
        skip.push("assignments");
        if rules.layout != Layout::Properties {
            skip.push("settings");
        }
        properties::walk_root(root, &skip, &mut ctx, &mut settings);
        match rules.layout {
            Layout::Properties => {}
            Layout::SettingsCatalog => {
                catalog::flatten(root.get("settings"), &mut ctx, &mut settings)
            }
            Layout::IntentSettings => {
                catalog::flatten_intents(root.get("settings"), &mut ctx, &mut settings)
            }
        }
        assignments = assignments::normalize(root.get("assignments"), &mut ctx);
    }

    let mut settings = settings.finish();
    // Intune gives a policy created without scope tags the Default tag, and some exports
    // (Microsoft's samples, the admin center's older downloads) leave the list out: the
    // Default tag alone and no list mean the same.
    if settings.get("roleScopeTagIds")
        == Some(&Value::Array(vec![Value::String(
            DEFAULT_SCOPE_TAG.to_owned(),
        )]))
    {
        settings.remove("roleScopeTagIds");
    }
    let mut excluded = ctx.excluded;
    excluded.sort_unstable();
    excluded.dedup();
    let mut unresolved = ctx.unresolved;
    unresolved.sort_unstable();
    unresolved.dedup();
    Normalized {
        settings_hash: map_hash(&settings),
        assignments_hash: map_hash(&assignments),
        settings,
        assignments,
        excluded,
        unresolved,
    }
}

/// Compact JSON with object keys sorted (by their UTF-8 bytes), the form that is hashed
/// and that orders sets. Arrays keep their order.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::with_capacity(64);
    write_canonical(value, &mut out);
    out
}

/// `name` without a trailing version marker: `"Win - OIB - Firewall - v3.1"` →
/// `"Win - OIB - Firewall"`; also `v3.1.1`, `" v2"`, `"(v1.0)"`, `"_v2"`. Only a `v`
/// followed by digits (and dots) counts, so `"Windows 10"` keeps its number. A name that is
/// nothing but a version is returned as it is.
pub fn strip_version_suffix(name: &str) -> &str {
    let trimmed = name.trim_end();
    let mut rest = None;
    if let Some(inner) = trimmed.strip_suffix(')') {
        if let Some(open) = inner.rfind('(') {
            if is_version_marker(inner[open + 1..].trim()) {
                rest = Some(&trimmed[..open]);
            }
        }
    }
    if rest.is_none() {
        if let Some(position) = trimmed.rfind(['v', 'V']) {
            let preceded_by_separator = trimmed[..position]
                .chars()
                .next_back()
                .is_none_or(|c| c.is_whitespace() || c == '-' || c == '_' || c == '–');
            if preceded_by_separator && is_version_marker(&trimmed[position..]) {
                rest = Some(&trimmed[..position]);
            }
        }
    }
    match rest {
        Some(rest) => {
            let stripped = rest
                .trim_end_matches(|c: char| c.is_whitespace() || c == '-' || c == '_' || c == '–');
            if stripped.is_empty() {
                name
            } else {
                stripped
            }
        }
        None => name,
    }
}

/// `v` + digits, optionally `.digits` groups: `v3`, `V3.1`, `v3.1.1`.
fn is_version_marker(text: &str) -> bool {
    let Some(number) = text.strip_prefix(['v', 'V']) else {
        return false;
    };
    !number.is_empty()
        && number
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

// ----- shared machinery -------------------------------------------------------------------

/// State of one normalisation: the rules, the path being read and what was set aside.
struct Context<'d> {
    rules: &'static Normalization,
    directory: &'d DirectoryIndex,
    /// Rendered path of the value being read (see the module documentation).
    path: String,
    excluded: Vec<String>,
    unresolved: Vec<String>,
    /// Arrays without a rule are sets rather than ordered lists (intent setting values).
    arrays_are_sets: bool,
}

impl<'d> Context<'d> {
    fn new(rules: &'static Normalization, directory: &'d DirectoryIndex) -> Self {
        Self {
            rules,
            directory,
            path: String::with_capacity(256),
            excluded: Vec::new(),
            unresolved: Vec::new(),
            arrays_are_sets: false,
        }
    }

    /// Appends `/segment` (or `segment` at the root); returns the mark to go back to.
    fn push_segment(&mut self, segment: &str) -> usize {
        let mark = self.path.len();
        if mark > 0 {
            self.path.push('/');
        }
        self.path.push_str(segment);
        mark
    }

    /// Appends `[key]` to the current segment; returns the mark to go back to.
    fn push_key(&mut self, key: &str) -> usize {
        let mark = self.path.len();
        self.path.push('[');
        self.path.push_str(key);
        self.path.push(']');
        mark
    }

    fn pop_to(&mut self, mark: usize) {
        self.path.truncate(mark);
    }

    /// Records the current path as excluded.
    fn exclude_here(&mut self) {
        self.excluded.push(self.path.clone());
    }

    fn mark_unresolved(&mut self, id: &str) -> String {
        let marker = format!("unresolved:{}", id.to_ascii_lowercase());
        self.unresolved.push(marker.clone());
        marker
    }

    /// The portable form of a per-tenant id; `None` when the id means "nothing".
    fn resolve_id(&mut self, space: IdSpace, raw: &str) -> Option<String> {
        let id = raw.trim();
        if id.is_empty() {
            return None;
        }
        for (known, meaning) in space.well_known() {
            if known.eq_ignore_ascii_case(id) {
                return match meaning {
                    WellKnown::Keep => Some((*known).to_owned()),
                    WellKnown::Named(name) => Some((*name).to_owned()),
                    WellKnown::Nothing => None,
                };
            }
        }
        if let Some(kind) = space.directory_kind() {
            if let Some(name) = self.directory.lookup(kind, id) {
                return Some(format!("{}:{name}", directory::prefix(kind)));
            }
            // Some exporters write names where Graph has ids (IntuneCD: a filter's or a
            // scope tag's name): a value that cannot be an id of its space is a name,
            // portable as it is.
            if !space.looks_like_id(id) {
                return Some(format!("{}:{id}", directory::prefix(kind)));
            }
        }
        Some(self.mark_unresolved(id))
    }

    /// A group given by name where Graph has its id (IntuneCD's `groupName`).
    fn group_by_name(&self, name: &str) -> String {
        format!(
            "{}:{}",
            directory::prefix(DirectoryObjectKind::Group),
            name.trim()
        )
    }

    /// An Entra object SID (`S-1-12-1-a-b-c-d`, optionally `*`-prefixed as in user-rights
    /// settings) in portable form; `None` when `text` is no such SID.
    fn resolve_sid(&mut self, text: &str) -> Option<String> {
        let (star, sid) = match text.strip_prefix('*') {
            Some(rest) => ("*", rest),
            None => ("", text),
        };
        let guid = directory::entra_sid_to_guid(sid)?;
        match self.directory.lookup(DirectoryObjectKind::Group, &guid) {
            Some(name) => Some(format!(
                "{star}{}:{name}",
                directory::prefix(DirectoryObjectKind::Group)
            )),
            None => {
                let marker = self.mark_unresolved(sid);
                Some(format!("{star}{marker}"))
            }
        }
    }
}

/// Collects `path → value` pairs; `base` is the length of the path prefix that keys leave
/// out (group-collection entries are keyed relative to their group).
struct Sink {
    map: BTreeMap<String, Value>,
    /// Paths that received different values, with every value received.
    collisions: BTreeMap<String, Vec<Value>>,
    base: usize,
}

impl Sink {
    fn new(base: usize) -> Self {
        Self {
            map: BTreeMap::new(),
            collisions: BTreeMap::new(),
            base,
        }
    }

    /// Inserts `value` at the absolute `path`.
    fn insert(&mut self, path: &str, value: Value) {
        let key = path.get(self.base..).unwrap_or(path);
        match self.map.entry(key.to_owned()) {
            Entry::Vacant(slot) => {
                slot.insert(value);
            }
            Entry::Occupied(slot) if *slot.get() == value => {}
            Entry::Occupied(slot) => {
                let first = slot.get().clone();
                self.collisions
                    .entry(slot.key().clone())
                    .or_insert_with(|| vec![first])
                    .push(value);
            }
        }
    }

    fn finish(mut self) -> BTreeMap<String, Value> {
        for (key, values) in std::mem::take(&mut self.collisions) {
            self.map.insert(key, Value::Array(sorted_set(values)));
        }
        self.map
    }
}

/// A field of an object. Graph objects here have a handful of keys, and serde_json's
/// ordered map hashes names with SipHash: a scan of a small object is several times faster.
fn field<'v>(value: &'v Value, name: &str) -> Option<&'v Value> {
    match value {
        Value::Object(object) => field_of(object, name),
        _ => None,
    }
}

fn field_of<'v>(object: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    if object.len() <= 16 {
        object
            .iter()
            .find(|(key, _)| key.as_str() == name)
            .map(|(_, value)| value)
    } else {
        object.get(name)
    }
}

/// True for the values that mean "not set": `null`, `""`, `[]`, `{}`.
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// OData annotations (`@odata.type`, `x@odata.navigationLink`) and action links
/// (`#microsoft.graph.assign`).
fn is_annotation(key: &str) -> bool {
    key.starts_with('#') || key.contains('@')
}

/// Values sorted by canonical JSON, duplicates removed.
fn sorted_set(values: Vec<Value>) -> Vec<Value> {
    if values.len() < 2 {
        return values;
    }
    let mut keyed: Vec<(String, Value)> = values
        .into_iter()
        .map(|v| (canonical_json(&v), v))
        .collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    keyed.dedup_by(|a, b| a.0 == b.0);
    keyed.into_iter().map(|(_, v)| v).collect()
}

/// A map as a JSON object whose keys are in sorted order (the map's own order).
fn object_of(map: BTreeMap<String, Value>) -> Value {
    let mut object = Map::with_capacity(map.len());
    for (key, value) in map {
        object.insert(key, value);
    }
    Value::Object(object)
}

/// A settings sketch: the sorted first 8 bytes of SHA-256 over each `path = value` pair.
///
/// Two sketches give the rename similarity ([`crate::drift::similarity`]) without the
/// policies' JSON: equal pairs have equal entries, and a collision between different pairs
/// can only make two items look more alike, never less, so filtering rename candidates
/// by sketch misses nothing.
pub fn settings_sketch(settings: &BTreeMap<String, Value>) -> Vec<u64> {
    let mut text = String::new();
    let mut sketch: Vec<u64> = settings
        .iter()
        .map(|(path, value)| {
            text.clear();
            write_json_string(path, &mut text);
            text.push('=');
            write_canonical(value, &mut text);
            let digest = Sha256::digest(text.as_bytes());
            let mut first = [0u8; 8];
            first.copy_from_slice(&digest[..8]);
            u64::from_be_bytes(first)
        })
        .collect();
    sketch.sort_unstable();
    sketch
}

/// A sketch as stored: 8 big-endian bytes per entry.
pub fn sketch_bytes(sketch: &[u64]) -> Vec<u8> {
    sketch.iter().flat_map(|h| h.to_be_bytes()).collect()
}

/// A stored sketch back; `None` when its length is not a multiple of 8.
pub fn sketch_from_bytes(bytes: &[u8]) -> Option<Vec<u64>> {
    if !bytes.len().is_multiple_of(8) {
        return None;
    }
    Some(
        bytes
            .chunks_exact(8)
            .map(|c| {
                let mut b = [0u8; 8];
                b.copy_from_slice(c);
                u64::from_be_bytes(b)
            })
            .collect(),
    )
}

fn map_hash(map: &BTreeMap<String, Value>) -> String {
    let mut text = String::with_capacity(map.len() * 96 + 2);
    text.push('{');
    for (index, (key, value)) in map.iter().enumerate() {
        if index > 0 {
            text.push(',');
        }
        write_json_string(key, &mut text);
        text.push(':');
        write_canonical(value, &mut text);
    }
    text.push('}');
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_json_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(object) => {
            let mut entries: Vec<(&String, &Value)> = object.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (index, (key, item)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_json_string(key, out);
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
    }
}

/// True when some byte must be escaped. Branch-free per 16-byte chunk, so the common case
/// (plain ASCII ids and paths) is a vectorised scan.
fn needs_escape(bytes: &[u8]) -> bool {
    bytes.chunks(16).any(|chunk| {
        chunk.iter().fold(false, |found, &b| {
            found | (b < 0x20) | (b == b'"') | (b == b'\\')
        })
    })
}

fn write_json_string(text: &str, out: &mut String) {
    out.push('"');
    if !needs_escape(text.as_bytes()) {
        out.push_str(text);
        out.push('"');
        return;
    }
    let mut start = 0;
    for (index, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&text[start..index]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        } else {
            out.push_str(escape);
        }
        start = index + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
}

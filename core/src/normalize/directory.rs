//! The per-tenant directory: ids of groups, filters, named locations, scope tags and
//! terms of use, and the portable names they resolve to.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::model::{DirectoryObject, DirectoryObjectKind};

/// A tenant's directory objects, indexed by id (GUIDs compared case-insensitively).
///
/// Build one per capture and share it across every normalisation of that capture; its
/// [`fingerprint`](Self::fingerprint) belongs in any cache key of normalised results,
/// since a renamed group changes them.
#[derive(Clone, Debug)]
pub struct DirectoryIndex {
    /// Lower-cased, trimmed id → `(kind, display name)`, sorted.
    by_id: HashMap<String, Vec<(DirectoryObjectKind, String)>>,
    fingerprint: String,
}

impl Default for DirectoryIndex {
    fn default() -> Self {
        Self::new(&[])
    }
}

impl DirectoryIndex {
    pub fn new(objects: &[DirectoryObject]) -> Self {
        let mut by_id: HashMap<String, Vec<(DirectoryObjectKind, String)>> =
            HashMap::with_capacity(objects.len());
        let mut rows: Vec<(&str, String, &str)> = Vec::with_capacity(objects.len());
        for object in objects {
            let id = object.external_id.trim().to_ascii_lowercase();
            rows.push((
                object.kind.as_str(),
                id.clone(),
                object.display_name.as_str(),
            ));
            by_id
                .entry(id)
                .or_default()
                .push((object.kind, object.display_name.clone()));
        }
        for entries in by_id.values_mut() {
            entries.sort();
            entries.dedup();
        }
        rows.sort();
        rows.dedup();
        let mut hasher = Sha256::new();
        for (kind, id, name) in rows {
            // Length-prefixed fields: no name can forge a row boundary.
            for field in [kind, id.as_str(), name] {
                hasher.update((field.len() as u64).to_le_bytes());
                hasher.update(field.as_bytes());
            }
        }
        Self {
            by_id,
            fingerprint: hex::encode(hasher.finalize()),
        }
    }

    /// SHA-256 (hex) of the sorted `(kind, id, name)` rows.
    pub fn fingerprint(&self) -> String {
        self.fingerprint.clone()
    }

    /// Number of distinct ids.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The display name of the `kind` object with this id. When a tenant holds several
    /// names for one id (it should not), the smallest wins, so the result is stable.
    pub fn lookup(&self, kind: DirectoryObjectKind, id: &str) -> Option<&str> {
        let trimmed = id.trim();
        let entries = if trimmed.bytes().any(|b| b.is_ascii_uppercase()) {
            self.by_id.get(&trimmed.to_ascii_lowercase())
        } else {
            self.by_id.get(trimmed)
        }?;
        entries
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, name)| name.as_str())
    }
}

/// The prefix of a resolved id: `group:<name>`, `filter:<name>`, …
pub(super) fn prefix(kind: DirectoryObjectKind) -> &'static str {
    match kind {
        DirectoryObjectKind::Group => "group",
        DirectoryObjectKind::AssignmentFilter => "filter",
        DirectoryObjectKind::NamedLocation => "location",
        DirectoryObjectKind::ScopeTag => "scope_tag",
        DirectoryObjectKind::TermsOfUse => "terms_of_use",
    }
}

/// The object id behind an Entra object SID: `S-1-12-1-a-b-c-d` holds the GUID's 16 bytes
/// as four little-endian 32-bit numbers.
pub(super) fn entra_sid_to_guid(sid: &str) -> Option<String> {
    let rest = sid
        .get(..9)
        .filter(|p| p.eq_ignore_ascii_case("S-1-12-1-"))
        .and_then(|_| sid.get(9..))?;
    let mut parts = rest.split('-').map(|p| p.parse::<u32>().ok());
    let (Some(Some(a)), Some(Some(b)), Some(Some(c)), Some(Some(d)), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let c = c.to_le_bytes();
    let d = d.to_le_bytes();
    Some(format!(
        "{a:08x}-{:04x}-{:04x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
        b & 0xffff,
        b >> 16,
        c[0],
        c[1],
        c[2],
        c[3],
        d[0],
        d[1],
        d[2],
        d[3]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(kind: DirectoryObjectKind, id: &str, name: &str) -> DirectoryObject {
        DirectoryObject {
            kind,
            external_id: id.to_owned(),
            display_name: name.to_owned(),
        }
    }

    #[test]
    fn lookups_ignore_id_case_and_respect_the_kind() {
        let index = DirectoryIndex::new(&[
            object(
                DirectoryObjectKind::Group,
                "9D7F3C5E-1234-4ABC-8DEF-0123456789AB",
                "Pilot",
            ),
            object(DirectoryObjectKind::ScopeTag, "1", "Europe"),
        ]);
        assert_eq!(
            index.lookup(
                DirectoryObjectKind::Group,
                "9d7f3c5e-1234-4abc-8def-0123456789ab"
            ),
            Some("Pilot")
        );
        assert_eq!(
            index.lookup(
                DirectoryObjectKind::Group,
                " 9D7F3C5E-1234-4abc-8DEF-0123456789AB "
            ),
            Some("Pilot")
        );
        assert_eq!(
            index.lookup(
                DirectoryObjectKind::AssignmentFilter,
                "9d7f3c5e-1234-4abc-8def-0123456789ab"
            ),
            None
        );
        assert_eq!(
            index.lookup(DirectoryObjectKind::ScopeTag, "1"),
            Some("Europe")
        );
        assert_eq!(index.len(), 2);
    }

    #[test]
    fn the_fingerprint_depends_on_content_not_order() {
        let a = object(DirectoryObjectKind::Group, "A", "One");
        let b = object(DirectoryObjectKind::AssignmentFilter, "b", "Two");
        let forward = DirectoryIndex::new(&[a.clone(), b.clone()]);
        let backward = DirectoryIndex::new(&[b.clone(), a.clone()]);
        assert_eq!(forward.fingerprint(), backward.fingerprint());
        assert_eq!(forward.fingerprint().len(), 64);
        let renamed = DirectoryIndex::new(&[
            a,
            object(DirectoryObjectKind::AssignmentFilter, "b", "Three"),
        ]);
        assert_ne!(forward.fingerprint(), renamed.fingerprint());
        assert_ne!(
            forward.fingerprint(),
            DirectoryIndex::default().fingerprint()
        );
    }

    #[test]
    fn entra_sids_decode_to_object_ids() {
        // GUID 9d7f3c5e-1234-4abc-8def-0123456789ab as an Entra SID.
        let a = 0x9d7f_3c5e_u32;
        let b = 0x4abc_1234_u32;
        let c = u32::from_le_bytes([0x8d, 0xef, 0x01, 0x23]);
        let d = u32::from_le_bytes([0x45, 0x67, 0x89, 0xab]);
        let sid = format!("S-1-12-1-{a}-{b}-{c}-{d}");
        assert_eq!(
            entra_sid_to_guid(&sid).as_deref(),
            Some("9d7f3c5e-1234-4abc-8def-0123456789ab")
        );
        assert_eq!(entra_sid_to_guid("S-1-5-32-544"), None);
        assert_eq!(entra_sid_to_guid("S-1-12-1-1-2-3"), None);
        assert_eq!(entra_sid_to_guid("S-1-12-1-1-2-3-4-5"), None);
        assert_eq!(entra_sid_to_guid("S-1-12-1-x-2-3-4"), None);
    }
}

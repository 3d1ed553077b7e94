//! Item keys: how a policy is named in findings when names are not unique.
//!
//! Intune lets a tenant hold several policies of the same kind and name (copies, imports
//! run twice, IntuneManagement's `<name>_<id>.json` files), so a name alone cannot
//! identify an item (DRIFT.md, "Names are not unique"). An item's key is its name when
//! no other item of its kind in the same set (a capture, a baseline version) shares the
//! name — so the fingerprints of every finding made before duplicates were handled stay
//! as they were — and `name [disambiguator]` otherwise. The disambiguator is the item's
//! id in its tenant, or its content hash when the export carried no id; it is shortened
//! to eight characters when that keeps the group's keys apart.
//!
//! Keys depend on the set, not on the order of the items in it: the same capture read
//! back in another order gives every item the same key.

use std::collections::HashMap;

/// Ids the importer derives for objects that carry none start with this (see
/// `connectors::import`); they depend on the file layout, so content identifies better.
pub const DERIVED_ID_PREFIX: &str = "file:";

/// One item as keys see it.
#[derive(Clone, Copy, Debug)]
pub struct KeyInput<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    /// The item's id in its tenant (or source).
    pub external_id: &'a str,
    /// A hash of the item's content, used when the id was derived by the importer.
    pub content_hash: &'a str,
}

impl KeyInput<'_> {
    /// The stable disambiguator: the real id, else the content hash.
    pub fn disambiguator(&self) -> &str {
        if self.external_id.is_empty() || self.external_id.starts_with(DERIVED_ID_PREFIX) {
            self.content_hash
        } else {
            self.external_id
        }
    }
}

/// Names compare as people read them: case, surrounding and repeated white space do not
/// make two policies different.
pub fn folded_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The key of each item, in input order. Keys are unique within the set.
pub fn item_keys(items: &[KeyInput<'_>]) -> Vec<String> {
    let mut groups: HashMap<(&str, String), Vec<usize>> = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        groups
            .entry((item.kind, folded_name(item.name)))
            .or_default()
            .push(index);
    }
    let mut keys: Vec<String> = items.iter().map(|i| i.name.to_owned()).collect();
    for members in groups.into_values().filter(|m| m.len() > 1) {
        let mut members = members;
        // Order-independent: by disambiguator, then by the exact name.
        members.sort_by(|a, b| {
            (items[*a].disambiguator(), items[*a].name)
                .cmp(&(items[*b].disambiguator(), items[*b].name))
        });
        let short = |i: usize| short_form(items[i].disambiguator());
        let shorts_distinct = {
            let mut seen: Vec<&str> = members.iter().map(|i| short(*i)).collect();
            seen.sort_unstable();
            seen.windows(2).all(|w| w[0] != w[1])
        };
        let mut used: HashMap<String, usize> = HashMap::new();
        for index in members {
            let item = &items[index];
            let tag = if shorts_distinct {
                short(index)
            } else {
                item.disambiguator()
            };
            let base = if tag.is_empty() {
                item.name.to_owned()
            } else {
                format!("{} [{tag}]", item.name)
            };
            // Exact copies without ids share even their content hash: number them.
            let seen = used.entry(base.clone()).or_insert(0);
            *seen += 1;
            keys[index] = if *seen == 1 {
                base
            } else {
                format!("{base} #{seen}")
            };
        }
    }
    keys
}

/// The first eight characters of a disambiguator (ids are GUIDs, hashes hex).
fn short_form(disambiguator: &str) -> &str {
    match disambiguator.char_indices().nth(8) {
        Some((end, _)) => &disambiguator[..end],
        None => disambiguator,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(kind: &'a str, name: &'a str, id: &'a str, hash: &'a str) -> KeyInput<'a> {
        KeyInput {
            kind,
            name,
            external_id: id,
            content_hash: hash,
        }
    }

    #[test]
    fn unique_names_are_their_own_keys() {
        let items = [
            input("settings_catalog", "Win - A", "1", "h1"),
            input("settings_catalog", "Win - B", "2", "h2"),
            // Same name, other kind: not a duplicate.
            input("compliance_policy", "Win - A", "3", "h3"),
        ];
        assert_eq!(item_keys(&items), ["Win - A", "Win - B", "Win - A"]);
    }

    #[test]
    fn duplicate_names_get_their_short_id() {
        let items = [
            input(
                "settings_catalog",
                "Win - A",
                "0b6c9ea7-1111-4000-8000-000000000001",
                "h1",
            ),
            input(
                "settings_catalog",
                "win -  a",
                "5f0e3c21-2222-4000-8000-000000000002",
                "h2",
            ),
        ];
        assert_eq!(
            item_keys(&items),
            ["Win - A [0b6c9ea7]", "win -  a [5f0e3c21]"]
        );
    }

    #[test]
    fn colliding_short_ids_fall_back_to_full_ids_and_copies_are_numbered() {
        let items = [
            input("k", "A", "abcdefgh-1", "x"),
            input("k", "A", "abcdefgh-2", "y"),
        ];
        assert_eq!(item_keys(&items), ["A [abcdefgh-1]", "A [abcdefgh-2]"]);
        let copies = [
            input("k", "A", "file:1", "samehash"),
            input("k", "A", "file:2", "samehash"),
        ];
        let keys = item_keys(&copies);
        assert_eq!(keys, ["A [samehash]", "A [samehash] #2"]);
    }

    #[test]
    fn derived_ids_use_the_content_hash() {
        let items = [
            input("k", "A", "file:0001", "aaaaaaaa11"),
            input("k", "A", "file:0002", "bbbbbbbb22"),
        ];
        assert_eq!(item_keys(&items), ["A [aaaaaaaa]", "A [bbbbbbbb]"]);
    }

    #[test]
    fn keys_do_not_depend_on_order() {
        let a = input("k", "A", "id-2", "h");
        let b = input("k", "A", "id-1", "h");
        let c = input("k", "B", "id-3", "h");
        let forward = item_keys(&[a, b, c]);
        let backward = item_keys(&[c, b, a]);
        assert_eq!(forward[0], backward[2]);
        assert_eq!(forward[1], backward[1]);
        assert_eq!(forward[2], backward[0]);
    }
}

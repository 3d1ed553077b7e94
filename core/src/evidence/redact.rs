//! Redaction: user principal names, e-mail addresses and person names replaced by stable
//! pseudonyms, the same in every file of a pack.
//!
//! A pseudonym is a keyed hash (HMAC-SHA-256 with a key derived from the workspace's
//! signing key), so the same address always gets the same pseudonym within a workspace
//! and nobody can reverse one by hashing guessed addresses.
//!
//! What is covered:
//! - e-mail addresses and UPNs anywhere in any text (`someone@example.com`);
//! - the values of person fields: audit actors, finding transition actors, risk
//!   accepters and approvers, pack creator, and in captured JSON `userPrincipalName`,
//!   `mail`, `userDisplayName`, `givenName`, `surname`, and the `displayName` of user
//!   objects;
//! - every person name found that way (two words or more) wherever else it appears in
//!   free text.

use std::collections::{BTreeMap, BTreeSet};

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// Field names whose string value is a person (compared case-insensitively).
const PERSON_FIELDS: &[&str] = &[
    "actor",
    "accepted_by",
    "approved_by",
    "created_by",
    "userprincipalname",
    "mail",
    "userdisplayname",
    "givenname",
    "surname",
];

/// What a redactor covers, for the manifest.
pub const COVERED: &[&str] = &[
    "e-mail addresses and user principal names anywhere in any file",
    "person fields: audit and history actors, risk accepters and approvers, the pack's creator",
    "captured JSON: userPrincipalName, mail, userDisplayName, givenName, surname, and displayName of user objects",
    "every person name found in those fields (two words or more) wherever else it appears",
];

/// Replaces personal data with pseudonyms. Collect person names from every value first
/// ([`Redactor::collect`]), then redact ([`Redactor::redact`]).
#[derive(Debug)]
pub struct Redactor {
    key: [u8; 32],
    /// Multi-word person names to replace in free text, longest first.
    names: Vec<String>,
    emails_seen: BTreeSet<String>,
    names_seen: BTreeSet<String>,
}

/// How much a redactor replaced.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RedactionCounts {
    pub distinct_addresses: usize,
    pub distinct_names: usize,
}

impl Redactor {
    pub fn new(key: [u8; 32]) -> Self {
        Self {
            key,
            names: Vec::new(),
            emails_seen: BTreeSet::new(),
            names_seen: BTreeSet::new(),
        }
    }

    /// Learns the person names in `value`'s person fields.
    pub fn collect(&mut self, value: &Value) {
        let mut found = BTreeSet::new();
        walk_person_fields(value, false, &mut |name| {
            if name.split_whitespace().count() >= 2 && !name.contains('@') {
                found.insert(name.to_owned());
            }
        });
        found.extend(std::mem::take(&mut self.names));
        let mut names: Vec<String> = found.into_iter().collect();
        names.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        self.names = names;
    }

    /// Redacts `value` in place; true when anything changed.
    pub fn redact(&mut self, value: &mut Value) -> bool {
        self.redact_in(value, false)
    }

    /// Redacts one piece of text.
    pub fn redact_text(&mut self, text: &str) -> String {
        let emailed = self.replace_emails(text);
        self.replace_names(&emailed)
    }

    /// The pseudonym of a value that is a person (a name or an address).
    pub fn redact_person(&mut self, text: &str) -> String {
        self.pseudonym_for(text)
    }

    /// How many distinct addresses and names were replaced.
    pub fn counts(&self) -> RedactionCounts {
        RedactionCounts {
            distinct_addresses: self.emails_seen.len(),
            distinct_names: self.names_seen.len(),
        }
    }

    fn redact_in(&mut self, value: &mut Value, user_object: bool) -> bool {
        match value {
            Value::String(text) => {
                let new = self.redact_text(text);
                let changed = new != *text;
                *text = new;
                changed
            }
            Value::Array(items) => {
                let mut changed = false;
                for item in items {
                    changed |= self.redact_in(item, false);
                }
                changed
            }
            Value::Object(map) => {
                let is_user = user_object || is_user_object(map);
                let mut changed = false;
                for (key, item) in map.iter_mut() {
                    let person = is_person_field(key) || (is_user && key == "displayName");
                    match item {
                        Value::String(text) if person && !text.is_empty() => {
                            let new = self.pseudonym_for(text);
                            changed |= new != *text;
                            *text = new;
                        }
                        _ => changed |= self.redact_in(item, key == "user"),
                    }
                }
                changed
            }
            _ => false,
        }
    }

    /// The pseudonym of a whole person value (an address or a name).
    fn pseudonym_for(&mut self, text: &str) -> String {
        if looks_like_single_address(text) {
            return self.redact_text(text);
        }
        self.names_seen.insert(text.to_owned());
        format!("Person {}", &self.tag("name", text)[..8].to_uppercase())
    }

    fn tag(&self, what: &str, text: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .expect("HMAC accepts keys of any length");
        mac.update(what.as_bytes());
        mac.update(b"\0");
        mac.update(text.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn replace_emails(&mut self, text: &str) -> String {
        let spans = email_spans(text);
        if spans.is_empty() {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for (start, end) in spans {
            let address = text[start..end].to_lowercase();
            out.push_str(&text[last..start]);
            out.push_str(&format!(
                "user-{}@redacted.invalid",
                &self.tag("address", &address)[..10]
            ));
            self.emails_seen.insert(address);
            last = end;
        }
        out.push_str(&text[last..]);
        out
    }

    fn replace_names(&mut self, text: &str) -> String {
        if self.names.is_empty() {
            return text.to_owned();
        }
        let mut out = text.to_owned();
        let mut replacements: BTreeMap<String, String> = BTreeMap::new();
        for name in &self.names {
            if out.contains(name.as_str()) {
                let pseudonym = format!("Person {}", &self.tag("name", name)[..8].to_uppercase());
                out = out.replace(name.as_str(), &pseudonym);
                replacements.insert(name.clone(), pseudonym);
            }
        }
        self.names_seen.extend(replacements.into_keys());
        out
    }
}

fn is_person_field(key: &str) -> bool {
    PERSON_FIELDS.iter().any(|f| key.eq_ignore_ascii_case(f))
}

fn is_user_object(map: &serde_json::Map<String, Value>) -> bool {
    map.get("@odata.type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("#microsoft.graph.user"))
        || map.contains_key("userPrincipalName")
}

fn walk_person_fields(value: &Value, user_object: bool, found: &mut impl FnMut(&str)) {
    match value {
        Value::Array(items) => items
            .iter()
            .for_each(|item| walk_person_fields(item, false, found)),
        Value::Object(map) => {
            let is_user = user_object || is_user_object(map);
            for (key, item) in map {
                match item {
                    Value::String(text)
                        if is_person_field(key) || (is_user && key == "displayName") =>
                    {
                        found(text)
                    }
                    _ => walk_person_fields(item, key == "user", found),
                }
            }
        }
        _ => {}
    }
}

fn looks_like_single_address(text: &str) -> bool {
    matches!(email_spans(text).as_slice(), [(0, end)] if *end == text.len())
}

fn is_local_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"._%+-'".contains(&c)
}

fn is_domain_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'.' || c == b'-'
}

/// Byte spans of e-mail-address-shaped text (`local@domain.tld`).
pub fn email_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'@' {
            i += 1;
            continue;
        }
        let mut start = i;
        while start > 0 && is_local_char(bytes[start - 1]) {
            start -= 1;
        }
        while start < i && bytes[start] == b'.' {
            start += 1;
        }
        let mut end = i + 1;
        while end < bytes.len() && is_domain_char(bytes[end]) {
            end += 1;
        }
        while end > i + 1 && matches!(bytes[end - 1], b'.' | b'-') {
            end -= 1;
        }
        let domain = &text[i + 1..end];
        let tld_ok = domain
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|c| c.is_ascii_alphabetic()));
        // `name@odata.type`-style OData annotations are keys, not addresses.
        let annotation = domain.to_ascii_lowercase().starts_with("odata.");
        if start < i && domain.contains('.') && tld_ok && !annotation {
            spans.push((start, end));
            i = end;
        } else {
            i += 1;
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_addresses_in_text() {
        let text = "mail alice.smith@contoso.com, or (bob@fabrikam.co.uk). Not @home, a@b. or x@odata.context";
        let spans: Vec<&str> = email_spans(text)
            .iter()
            .map(|(s, e)| &text[*s..*e])
            .collect();
        assert_eq!(spans, ["alice.smith@contoso.com", "bob@fabrikam.co.uk"]);
    }

    #[test]
    fn pseudonyms_are_stable_and_keyed() {
        let mut a = Redactor::new([1; 32]);
        let mut b = Redactor::new([2; 32]);
        let one = a.redact_text("Alice@Contoso.com");
        assert_eq!(
            one,
            a.redact_text("contact alice@contoso.com")
                .replace("contact ", "")
        );
        assert!(one.ends_with("@redacted.invalid"));
        assert_ne!(one, b.redact_text("alice@contoso.com"));
    }

    #[test]
    fn person_fields_and_their_names_in_free_text() {
        let mut redactor = Redactor::new([7; 32]);
        let mut value = json!({
            "accepted_by": "Alice Smith",
            "justification": "Alice Smith agreed with the customer; see bob@contoso.com",
            "user": {"displayName": "Bob Jones", "id": "1"},
            "displayName": "Win - Defender - Policy",
        });
        redactor.collect(&value);
        assert!(redactor.redact(&mut value));
        let text = value.to_string();
        for secret in ["Alice Smith", "Bob Jones", "bob@contoso.com"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(value["displayName"], "Win - Defender - Policy");
        let accepter = value["accepted_by"].as_str().unwrap_or_default().to_owned();
        assert!(value["justification"]
            .as_str()
            .unwrap_or_default()
            .starts_with(&accepter));
        assert_eq!(redactor.counts().distinct_addresses, 1);
    }
}

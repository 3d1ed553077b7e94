//! Names: fictional companies (unique per tenant index), their domains and tags, the
//! groups every demo tenant has, and the parts of Open Intune Baseline policy names that
//! tenant-specific policies reuse ("NGD - Win - Edge - Kiosk").

use rand::Rng;
use sha2::{Digest, Sha256};

/// First halves of company names.
const STEMS: &[&str] = &[
    "North", "South", "East", "West", "Silver", "Copper", "Oak", "Stone", "Blue", "Red", "Iron",
    "Maple", "Cedar", "Harbor", "River", "Lake", "Summit", "Bright", "Clear", "Green", "High",
    "Fair", "Ash", "Elm", "Birch", "Pine", "Hawk", "Falcon", "Fox", "Wolf", "Glen", "Frost", "Sun",
    "Star", "Cloud", "Crown", "King", "Bay", "Golden", "Willow",
];

/// Second halves of company names (none equals a stem, so compounds never stutter).
const TAILS: &[&str] = &[
    "gate", "field", "wood", "brook", "ridge", "view", "crest", "point", "bridge", "water",
    "haven", "ford", "wick", "leaf", "line", "mark", "vale", "well", "moor", "dale", "port",
    "side", "light", "way", "worth", "ton", "bury", "mont", "hill", "stead",
];

/// The word after the compound and the industry it implies.
const TRADES: &[(&str, &str)] = &[
    ("Dental", "healthcare"),
    ("Health", "healthcare"),
    ("Medical", "healthcare"),
    ("Clinics", "healthcare"),
    ("Veterinary", "healthcare"),
    ("Legal", "legal"),
    ("Law", "legal"),
    ("Capital", "finance"),
    ("Financial", "finance"),
    ("Accounting", "finance"),
    ("Wealth", "finance"),
    ("Insurance", "finance"),
    ("Manufacturing", "manufacturing"),
    ("Industries", "manufacturing"),
    ("Engineering", "manufacturing"),
    ("Plastics", "manufacturing"),
    ("Metals", "manufacturing"),
    ("Logistics", "logistics"),
    ("Freight", "logistics"),
    ("Transport", "logistics"),
    ("Retail", "retail"),
    ("Outfitters", "retail"),
    ("Market", "retail"),
    ("Construction", "construction"),
    ("Builders", "construction"),
    ("Architects", "construction"),
    ("Academy", "education"),
    ("Learning", "education"),
    ("Foundation", "nonprofit"),
    ("Trust", "nonprofit"),
    ("Hotels", "hospitality"),
    ("Catering", "hospitality"),
    ("Energy", "energy"),
    ("Solar", "energy"),
    ("Realty", "real-estate"),
    ("Properties", "real-estate"),
    ("Consulting", "professional-services"),
    ("Partners", "professional-services"),
    ("Advisory", "professional-services"),
    ("Recruitment", "professional-services"),
    ("Software", "technology"),
    ("Systems", "technology"),
    ("Labs", "technology"),
    ("Farms", "agriculture"),
    ("Media", "media"),
];

/// Regions with their weight (out of 100) and the legal suffixes companies there use.
const REGIONS: &[(&str, u32, &[&str])] = &[
    ("emea", 45, &["Ltd", "Limited", "GmbH", "B.V.", ""]),
    ("na", 40, &["LLC", "Inc.", "Co.", ""]),
    ("apac", 15, &["Pty Ltd", "Ltd", ""]),
];

/// Tenant size classes: weight (out of 100) and policy-count factor (in percent of the
/// mean). The weighted mean factor is 100.5 %.
pub(super) const SIZES: &[(&str, u32, u32)] =
    &[("small", 30, 60), ("medium", 45, 100), ("large", 25, 150)];

/// Who a demo tenant is.
#[derive(Clone, Debug)]
pub(super) struct Identity {
    pub display_name: String,
    pub domain: String,
    /// Upper-case initials, used as the MSP's prefix for the tenant's own policies.
    pub code: String,
    /// The first word of the name ("Northgate").
    pub short: String,
    pub industry: &'static str,
    pub region: &'static str,
    pub size: &'static str,
    /// Policy-count factor in percent.
    pub size_factor: u32,
}

impl Identity {
    pub(super) fn tags(&self) -> Vec<String> {
        vec![
            format!("industry:{}", self.industry),
            format!("size:{}", self.size),
            format!("region:{}", self.region),
        ]
    }
}

/// The identity of tenant `index`. Names are unique per index: the (stem, tail, trade)
/// triple is a seed-dependent bijection of `index` within each round of
/// `STEMS × TAILS × TRADES` indices, and later rounds carry a round number.
pub(super) fn identity(seed: u64, index: u32, rng: &mut impl Rng) -> Identity {
    let combos = (STEMS.len() * TAILS.len() * TRADES.len()) as u64;
    let index = u64::from(index);
    let (multiplier, offset) = permutation(seed, combos);
    let combo = (multiplier * (index % combos) + offset) % combos;
    let round = index / combos;

    let trade = TRADES[(combo % TRADES.len() as u64) as usize];
    let rest = combo / TRADES.len() as u64;
    let tail = TAILS[(rest % TAILS.len() as u64) as usize];
    let stem = STEMS[(rest / TAILS.len() as u64) as usize % STEMS.len()];
    let compound = format!("{stem}{tail}");

    let (region, _, suffixes) = REGIONS[weighted_index(rng, REGIONS.iter().map(|r| r.1))];
    let (size, _, size_factor) = SIZES[weighted_index(rng, SIZES.iter().map(|s| s.1))];
    let suffix = suffixes[rng.gen_range(0..suffixes.len())];

    let mut display_name = format!("{compound} {}", trade.0);
    let mut domain: String = format!("{compound}{}", trade.0)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if round > 0 {
        display_name.push_str(&format!(" {}", round + 1));
        domain.push_str(&(round + 1).to_string());
    }
    if !suffix.is_empty() {
        display_name.push(' ');
        display_name.push_str(suffix);
    }
    let code = [stem, tail, trade.0]
        .iter()
        .filter_map(|w| w.chars().next())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Identity {
        display_name,
        domain: format!("{domain}.onmicrosoft.com"),
        code,
        short: compound,
        industry: trade.1,
        region,
        size,
        size_factor,
    }
}

/// An affine bijection `x → (a·x + c) mod n` chosen by the seed (`a` coprime with `n`).
fn permutation(seed: u64, n: u64) -> (u64, u64) {
    let digest = Sha256::digest([b"plumbline-demo-names".as_slice(), &seed.to_le_bytes()].concat());
    let word = |i: usize| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&digest[i * 8..i * 8 + 8]);
        u64::from_le_bytes(bytes)
    };
    let mut multiplier = word(0) % n;
    while gcd(multiplier, n) != 1 {
        multiplier = (multiplier + 1) % n;
    }
    (multiplier, word(1) % n)
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Picks an index in proportion to `weights` (0 when they are all zero).
pub(super) fn weighted_index(
    rng: &mut impl Rng,
    weights: impl Iterator<Item = u32> + Clone,
) -> usize {
    let total: u32 = weights.clone().sum();
    let mut roll = rng.gen_range(0..total.max(1));
    let mut last = 0;
    for (index, weight) in weights.enumerate() {
        if roll < weight {
            return index;
        }
        roll -= weight;
        last = index;
    }
    last
}

/// Groups every demo tenant has, with the same display names in every tenant (and in the
/// baseline's reference tenant) but tenant-specific object ids.
pub(super) mod groups {
    pub const WINDOWS_DEVICES: &str = "SG-Intune-Windows-Devices";
    pub const WINDOWS_USERS: &str = "SG-Intune-Windows-Users";
    pub const MACOS_DEVICES: &str = "SG-Intune-macOS-Devices";
    pub const MACOS_USERS: &str = "SG-Intune-macOS-Users";
    pub const W365_CLOUD_PCS: &str = "SG-Intune-W365-CloudPCs";
    pub const BYOD_USERS: &str = "SG-Intune-BYOD-Users";
    pub const RING1_PILOT: &str = "SG-Intune-WUfB-Ring1-Pilot";
    pub const RING2_UAT: &str = "SG-Intune-WUfB-Ring2-UAT";
    pub const EXCLUSIONS: &str = "SG-Intune-Policy-Exclusions";

    pub const STANDARD: &[&str] = &[
        WINDOWS_DEVICES,
        WINDOWS_USERS,
        MACOS_DEVICES,
        MACOS_USERS,
        W365_CLOUD_PCS,
        BYOD_USERS,
        RING1_PILOT,
        RING2_UAT,
        EXCLUSIONS,
    ];
}

/// What tenant-specific policies are for; each also names the group they target.
pub(super) const PURPOSES: &[&str] = &[
    "Kiosk",
    "Shared Devices",
    "Frontline",
    "Finance",
    "Executives",
    "Developers",
    "Contractors",
    "Warehouse",
    "Reception",
    "Meeting Rooms",
    "Lab",
    "Field Staff",
    "Call Centre",
    "HR",
    "Sales",
    "Legacy Hardware",
    "Pilot",
    "Exceptions",
    "Point of Sale",
    "Training Room",
    "Digital Signage",
    "Remote Workers",
    "Interns",
    "Board",
    "Engineering",
    "Service Desk",
    "Clinicians",
    "Drivers",
    "Students",
    "Accessibility",
    "High Security",
    "Travel",
    "VIP",
    "Shop Floor",
];

/// The group a tenant-specific policy for `purpose` targets.
pub(super) fn purpose_group(purpose: &str, users: bool) -> String {
    let compact: String = purpose.split_whitespace().collect();
    format!(
        "SG-Intune-{compact}-{}",
        if users { "Users" } else { "Devices" }
    )
}

/// Who a policy is for, from the Open Intune Baseline " - D - " / " - U - " marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Audience {
    Devices,
    Users,
    Unspecified,
}

/// The parts of an Open Intune Baseline policy name:
/// `Win - OIB - SC - Microsoft Edge - D - Security - v3.7` →
/// platform `Win`, area `Microsoft Edge`, topic `Security`, audience devices.
#[derive(Clone, Debug)]
pub(super) struct NameParts {
    pub platform: String,
    pub area: String,
    pub topic: String,
    pub audience: Audience,
    /// `ES` (endpoint security) or `TP` (template) marker present.
    pub endpoint_security: bool,
    pub template: bool,
    /// `Ring N` in the name.
    pub ring: Option<u32>,
    /// The trailing `vX.Y[.Z]`, when present.
    pub version: Option<String>,
}

pub(super) fn name_parts(name: &str) -> NameParts {
    let tokens: Vec<&str> = name.split(" - ").map(str::trim).collect();
    let platform = tokens.first().copied().unwrap_or_default().to_owned();
    let mut rest = Vec::new();
    let mut parts = NameParts {
        platform,
        area: String::new(),
        topic: String::new(),
        audience: Audience::Unspecified,
        endpoint_security: false,
        template: false,
        ring: None,
        version: None,
    };
    for token in tokens.iter().skip(1) {
        match *token {
            "OIB" | "Baseline" | "SC" => {}
            "ES" => parts.endpoint_security = true,
            "TP" => parts.template = true,
            "D" => parts.audience = Audience::Devices,
            "U" => parts.audience = Audience::Users,
            t if is_version(t) => parts.version = Some(t.to_owned()),
            t => {
                if let Some(n) = t.strip_prefix("Ring ").and_then(|n| n.parse().ok()) {
                    parts.ring = Some(n);
                }
                rest.push(t);
            }
        }
    }
    let area = rest.first().copied().unwrap_or("Policy");
    parts.area = area.strip_prefix("Microsoft ").unwrap_or(area).to_owned();
    parts.topic = rest.iter().skip(1).copied().collect::<Vec<_>>().join(" ");
    parts
}

fn is_version(token: &str) -> bool {
    token
        .strip_prefix('v')
        .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// The renamed form of a policy name: its version suffix bumped (`v3.7` → `v3.8`), or,
/// without a version, the MSP's prefix in front.
pub(super) fn bumped_version(name: &str) -> Option<String> {
    let (head, version) = name.rsplit_once(" - v")?;
    let (major, minor) = version.split_once('.')?;
    let minor: u32 = minor.split('.').next()?.parse().ok()?;
    Some(format!("{head} - v{major}.{}", minor + 1))
}

/// 16 bytes from SHA-256 over the seed, the tenant index and a label, as a version-4
/// UUID string. Hashing (rather than drawing from the tenant's random stream) keeps ids
/// stable whatever else the generator draws.
pub(super) fn derived_uuid(seed: u64, index: u32, label: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"plumbline-demo-id");
    hasher.update(seed.to_le_bytes());
    hasher.update(index.to_le_bytes());
    hasher.update(label.as_bytes());
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

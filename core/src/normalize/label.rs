//! Human labels for setting paths, derived from the path alone.
//!
//! Settings-catalog definition ids glue words together
//! (`device_vendor_msft_policy_config_defender_allowrealtimemonitoring`); the words are
//! recovered by segmenting against a vocabulary of terms used in Intune settings (the
//! fewest known words win; unknown stretches are kept as they are). Property paths are
//! camelCase (`passwordMinimumLength` → "Password minimum length").

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::kinds::{self, Layout};

/// A human label for a setting path of `kind`: `"Defender: Allow realtime monitoring"`,
/// `"Password minimum length"`, `"Installation schedule: Active hours start"`.
pub fn setting_label(kind: &str, path: &str) -> String {
    let segments = split_path(path);
    let Some(last) = segments.last() else {
        return String::new();
    };
    let (name, key) = split_key(last);
    let layout = kinds::by_key(kind).map_or(Layout::Properties, |k| k.normalization.layout);
    if layout != Layout::Properties && is_definition_id(name) {
        let label = definition_label(name);
        return match key {
            Some(key) if !key.is_empty() => format!("{label} ({key})"),
            _ => label,
        };
    }
    segments
        .iter()
        .map(|segment| {
            let (name, key) = split_key(segment);
            let words = sentence(&merge_compounds(camel_words(name)));
            match key {
                Some(key) if !key.is_empty() => format!("{words} ({key})"),
                _ => words,
            }
        })
        .collect::<Vec<_>>()
        .join(": ")
}

/// Path segments split on `/` outside `[…]` keys.
pub(super) fn split_path(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (index, c) in path.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '/' if depth == 0 => {
                out.push(&path[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    out.push(&path[start..]);
    out.retain(|s| !s.is_empty());
    out
}

/// `omaSettings[./Vendor/X]` → (`omaSettings`, `Some("./Vendor/X")`).
pub(super) fn split_key(segment: &str) -> (&str, Option<&str>) {
    match (segment.find('['), segment.ends_with(']')) {
        (Some(open), true) => (
            &segment[..open],
            Some(&segment[open + 1..segment.len() - 1]),
        ),
        _ => (segment, None),
    }
}

/// Definition ids hold `_`, `.` or `--`; camelCase property names never do.
pub(super) fn is_definition_id(name: &str) -> bool {
    name.contains('_') || name.contains('.') || name.contains("--")
}

const PREFIXES: &[&str] = &[
    "device_vendor_msft_policy_config_",
    "user_vendor_msft_policy_config_",
    "device_vendor_msft_",
    "user_vendor_msft_",
    "vendor_msft_",
    "com.apple.",
];

/// Tokens that name ADMX plumbing rather than the setting.
const FILLER: &[&str] = &[
    "l", "pol", "cat", "part", "policy", "policies", "item", "iz", "mdmstore", "",
];

/// Tokens that carry no words: versions (`v2`), placeholders (`{tenantid}`), ADMX part
/// numbers (`partname2402`) and bare numbers.
fn is_filler(token: &str) -> bool {
    FILLER.contains(&token)
        || token.bytes().all(|b| b.is_ascii_digit())
        || token.starts_with('{')
        || token.starts_with("partname")
        || (token.len() > 1
            && token.starts_with('v')
            && token[1..].bytes().all(|b| b.is_ascii_digit()))
}

/// `winwordexe161` → `winword.exe`: Office feature-control settings end in a process.
fn process_name(token: &str) -> Option<String> {
    let stem = token.trim_end_matches(|c: char| c.is_ascii_digit());
    let name = stem.strip_suffix("exe").filter(|n| !n.is_empty())?;
    Some(format!("{name}.exe"))
}

/// Tokens that name a control of the setting (a dropdown, a checkbox) rather than it.
const CONTROL_SUFFIXES: &[&str] = &[
    "dropid", "dropdown", "enum", "checkbox", "textbox", "edit", "name", "list", "options", "chk",
    "box", "desc", "colon",
];

/// Product and area names the words cannot spell.
const AREAS: &[(&str, &str)] = &[
    ("microsoft_edge", "Microsoft Edge"),
    ("microsoft_edgeupdates", "Microsoft Edge"),
    ("office", "Office"),
    ("excel", "Excel"),
    ("word", "Word"),
    ("outlk", "Outlook"),
    ("ppt", "PowerPoint"),
    ("access", "Access"),
    ("visio", "Visio"),
    ("proj", "Project"),
    ("pub", "Publisher"),
    ("lync", "Skype for Business"),
    ("onedrivengsc", "OneDrive"),
    ("onedrivengscupdates", "OneDrive"),
    ("secguide", "Security baseline"),
    ("update", "Edge Update"),
    ("updateupdates", "Edge Update"),
    ("passportforwork", "Windows Hello for Business"),
    ("localpoliciessecurityoptions", "Local security options"),
    ("deviceguard", "Device Guard"),
    ("credssp", "CredSSP"),
    ("w32time", "Windows Time"),
    ("msslegacy", "MSS (legacy)"),
    ("mss", "MSS"),
    ("internetexplorer", "Internet Explorer"),
    ("lanmanserver", "LanMan server"),
    ("lanmanworkstation", "LanMan workstation"),
];

fn definition_label(id: &str) -> String {
    // Endpoint-security intents: `deviceConfiguration--<type>_<property>`.
    if let Some((_, rest)) = id.split_once("--") {
        let property = rest.rsplit('_').next().unwrap_or(rest);
        return sentence(&merge_compounds(camel_words(property)));
    }
    let lower = id.to_ascii_lowercase();
    let mut body = lower.as_str();
    let apple = body.starts_with("com.apple.");
    for prefix in PREFIXES {
        if let Some(rest) = body.strip_prefix(prefix) {
            body = rest;
            break;
        }
    }
    let admx = body.contains('~');
    let (mut area, setting) = if admx {
        let first = body.find('~').unwrap_or(body.len());
        let last = body.rfind('~').map_or(0, |i| i + 1);
        (&body[..first], &body[last..])
    } else {
        body.split_once('_').unwrap_or(("", body))
    };
    let mut setting = setting;
    if area == "admx" {
        (area, setting) = setting.split_once('_').unwrap_or(("", setting));
    }
    if apple {
        area = area.rsplit('.').next().unwrap_or(area);
    }
    let area = strip_area_version(area);
    let area_tokens: Vec<&str> = area.split('_').collect();

    let mut tokens: Vec<&str> = setting
        .split('_')
        .filter(|t| !is_filler(t))
        .map(strip_control_suffix)
        .collect();
    if tokens.len() > 1 {
        let kept: Vec<&str> = tokens
            .iter()
            .copied()
            .filter(|t| !CONTROL_SUFFIXES.contains(t))
            .collect();
        if !kept.is_empty() {
            tokens = kept;
        }
    }
    // `smartscreen_smartscreenenabled`, `x_x`: a token repeated by the next one;
    // `configurecopyfilespolicy_copyfilespolicy`: a token that ends the one before.
    let mut deduplicated: Vec<&str> = Vec::with_capacity(tokens.len());
    for (index, token) in tokens.iter().enumerate() {
        let repeated = tokens
            .get(index + 1)
            .is_some_and(|next| next.starts_with(token))
            || deduplicated
                .last()
                .is_some_and(|previous| previous.ends_with(token));
        if !repeated {
            deduplicated.push(token);
        }
    }
    while deduplicated.len() > 1
        && deduplicated
            .first()
            .is_some_and(|t| area_tokens.contains(t))
    {
        deduplicated.remove(0);
    }
    // The last token of an ADMX id is the policy (earlier ones are categories), unless it
    // names the process a feature-control policy applies to.
    let mut process = None;
    if admx && deduplicated.len() > 1 {
        let last = deduplicated.len() - 1;
        process = process_name(deduplicated[last]);
        let keep = if process.is_some() { last - 1 } else { last };
        deduplicated.drain(..keep);
        if process.is_some() {
            deduplicated.truncate(1);
        }
    }
    let mut words: Vec<String> = Vec::new();
    for token in deduplicated {
        words.extend(segment(token));
    }
    let mut setting = sentence(&merge_compounds(words));
    if let Some(process) = process {
        setting = format!("{setting} ({process})");
    }
    let area = area_label(area);
    match (area.is_empty(), setting.is_empty()) {
        (true, _) => setting,
        (false, true) => area,
        (false, false) => format!("{area}: {setting}"),
    }
}

fn strip_control_suffix(token: &str) -> &str {
    for suffix in ["dropid", "dropdown", "enum"] {
        if let Some(stem) = token.strip_suffix(suffix) {
            if stem.len() >= 3 {
                return stem;
            }
        }
    }
    token
}

/// `microsoft_edgev92` → `microsoft_edge`, `office16v2` → `office`, `wslv1` → `wsl`.
fn strip_area_version(area: &str) -> &str {
    let bytes = area.as_bytes();
    let mut end = area.len();
    for index in (1..bytes.len().saturating_sub(1)).rev() {
        if bytes[index] == b'v'
            && bytes[index + 1].is_ascii_digit()
            && bytes[index - 1].is_ascii_alphanumeric()
        {
            end = index;
            break;
        }
    }
    area[..end].trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
}

fn area_label(area: &str) -> String {
    if area.is_empty() {
        return String::new();
    }
    if let Some((_, name)) = AREAS.iter().find(|(key, _)| *key == area) {
        return (*name).to_owned();
    }
    let mut words: Vec<String> = Vec::new();
    for token in area.split(['_', '.']).filter(|t| !t.is_empty()) {
        words.extend(segment(token));
    }
    sentence(&merge_compounds(words))
}

/// `passwordMinimumLength` → `password`, `Minimum`, `Length`; `FTPServer` → `FTP`,
/// `Server`. Digits stay with the word before them.
fn camel_words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (index, &c) in chars.iter().enumerate() {
        let boundary = index > 0 && c.is_uppercase() && {
            let previous = chars[index - 1];
            let next_is_lower = chars.get(index + 1).is_some_and(|n| n.is_lowercase());
            previous.is_lowercase()
                || previous.is_ascii_digit()
                || (previous.is_uppercase() && next_is_lower)
        };
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        if c == '_' || c == '-' || c == ' ' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Words that belong together: `bit locker` → `bitlocker`.
fn merge_compounds(words: Vec<String>) -> Vec<String> {
    const COMPOUNDS: &[(&str, &str, &str)] = &[
        ("bit", "locker", "bitlocker"),
        ("one", "drive", "onedrive"),
        ("share", "point", "sharepoint"),
        ("file", "vault", "filevault"),
        ("smart", "screen", "smartscreen"),
        ("power", "point", "powerpoint"),
        ("power", "shell", "powershell"),
        ("java", "script", "javascript"),
        ("air", "drop", "airdrop"),
        ("air", "play", "airplay"),
        ("wi", "fi", "wifi"),
        ("mac", "os", "macos"),
        ("i", "cloud", "icloud"),
        ("face", "id", "face id"),
    ];
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for word in words {
        if let Some(previous) = out.last_mut() {
            if let Some((_, _, merged)) = COMPOUNDS
                .iter()
                .find(|(a, b, _)| previous.eq_ignore_ascii_case(a) && word.eq_ignore_ascii_case(b))
            {
                *previous = (*merged).to_owned();
                continue;
            }
        }
        out.push(word);
    }
    out
}

/// How words are written: acronyms and product names.
const DISPLAY: &[(&str, &str)] = &[
    ("aad", "AAD"),
    ("ac", "AC"),
    ("activex", "ActiveX"),
    ("admx", "ADMX"),
    ("ai", "AI"),
    ("airdrop", "AirDrop"),
    ("airplay", "AirPlay"),
    ("api", "API"),
    ("apis", "APIs"),
    ("asr", "ASR"),
    ("atp", "ATP"),
    ("av", "AV"),
    ("bitlocker", "BitLocker"),
    ("bluetooth", "Bluetooth"),
    ("cdn", "CDN"),
    ("copilot", "Copilot"),
    ("cortana", "Cortana"),
    ("cpu", "CPU"),
    ("credssp", "CredSSP"),
    ("dc", "DC"),
    ("dde", "DDE"),
    ("defender", "Defender"),
    ("dma", "DMA"),
    ("dns", "DNS"),
    ("dra", "DRA"),
    ("edge", "Edge"),
    ("edr", "EDR"),
    ("excel", "Excel"),
    ("exe", "EXE"),
    ("face id", "Face ID"),
    ("fde", "FDE"),
    ("filevault", "FileVault"),
    ("ftp", "FTP"),
    ("gpo", "GPO"),
    ("http", "HTTP"),
    ("https", "HTTPS"),
    ("hvci", "HVCI"),
    ("icloud", "iCloud"),
    ("icmp", "ICMP"),
    ("id", "ID"),
    ("ids", "IDs"),
    ("ie", "IE"),
    ("intune", "Intune"),
    ("ios", "iOS"),
    ("ip", "IP"),
    ("ipsec", "IPsec"),
    ("ipv6", "IPv6"),
    ("irm", "IRM"),
    ("itunes", "iTunes"),
    ("javascript", "JavaScript"),
    ("jscript", "JScript"),
    ("kerberos", "Kerberos"),
    ("kfm", "KFM"),
    ("lan", "LAN"),
    ("laps", "LAPS"),
    ("lsa", "LSA"),
    ("macos", "macOS"),
    ("mau", "MAU"),
    ("mdm", "MDM"),
    ("mde", "MDE"),
    ("mfa", "MFA"),
    ("microsoft", "Microsoft"),
    ("mime", "MIME"),
    ("msi", "MSI"),
    ("netbios", "NetBIOS"),
    ("ntlm", "NTLM"),
    ("ntp", "NTP"),
    ("odt", "ODT"),
    ("office", "Office"),
    ("oma", "OMA"),
    ("onedrive", "OneDrive"),
    ("os", "OS"),
    ("outlook", "Outlook"),
    ("pc", "PC"),
    ("pdf", "PDF"),
    ("pin", "PIN"),
    ("powerpoint", "PowerPoint"),
    ("powershell", "PowerShell"),
    ("ppt", "PPT"),
    ("rdp", "RDP"),
    ("rpc", "RPC"),
    ("rss", "RSS"),
    ("safari", "Safari"),
    ("sam", "SAM"),
    ("sha", "SHA"),
    ("sharepoint", "SharePoint"),
    ("sid", "SID"),
    ("siri", "Siri"),
    ("smartscreen", "SmartScreen"),
    ("smb", "SMB"),
    ("smbv1", "SMBv1"),
    ("sso", "SSO"),
    ("ssl", "SSL"),
    ("tcp", "TCP"),
    ("teams", "Teams"),
    ("tls", "TLS"),
    ("tpm", "TPM"),
    ("uac", "UAC"),
    ("uefi", "UEFI"),
    ("ui", "UI"),
    ("uri", "URI"),
    ("url", "URL"),
    ("urls", "URLs"),
    ("usb", "USB"),
    ("vba", "VBA"),
    ("vbs", "VBS"),
    ("vbscript", "VBScript"),
    ("visio", "Visio"),
    ("vpn", "VPN"),
    ("wifi", "Wi-Fi"),
    ("windows", "Windows"),
    ("wmi", "WMI"),
    ("word", "Word"),
    ("wsl", "WSL"),
    ("xbox", "Xbox"),
    ("xml", "XML"),
    ("xts", "XTS"),
];

/// Words as a sentence: the first capitalised, acronyms and names as they are written.
fn sentence(words: &[String]) -> String {
    let mut out = String::new();
    for (index, word) in words.iter().enumerate() {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        let lower = word.to_ascii_lowercase();
        let shown: String = if let Some((_, display)) = DISPLAY.iter().find(|(w, _)| *w == lower) {
            (*display).to_owned()
        } else if word.len() > 1
            && word.chars().all(|c| !c.is_lowercase())
            && word.chars().any(char::is_alphabetic)
        {
            word.clone()
        } else {
            lower
        };
        if index == 0 {
            let mut chars = shown.chars();
            if let Some(first) = chars.next() {
                // Brand names that start in lower case keep it.
                let brand = matches!(shown.as_str(), "iOS" | "macOS" | "iCloud" | "iTunes");
                if first.is_lowercase() && !brand {
                    out.extend(first.to_uppercase());
                    out.push_str(chars.as_str());
                    continue;
                }
            }
        }
        out.push_str(&shown);
    }
    out
}

/// Splits a lower-case token into words: the fewest vocabulary words (or digit runs)
/// covering it; characters no word covers stay together as one word.
fn segment(token: &str) -> Vec<String> {
    const MAX_WORD: usize = 24;
    const UNKNOWN_CHAR: u32 = 4;
    let vocabulary = vocabulary();
    let bytes = token.as_bytes();
    let n = bytes.len();
    if n == 0 || !token.is_ascii() {
        return vec![token.to_owned()];
    }
    // best[i] = (cost, start of the last piece, whether that piece is a known word).
    let mut best: Vec<(u32, usize, bool)> = vec![(u32::MAX, 0, false); n + 1];
    best[0] = (0, 0, false);
    for end in 1..=n {
        let mut choice = (best[end - 1].0.saturating_add(UNKNOWN_CHAR), end - 1, false);
        for start in end.saturating_sub(MAX_WORD)..end {
            if best[start].0 == u32::MAX {
                continue;
            }
            let piece = &token[start..end];
            let cost = if piece.bytes().all(|b| b.is_ascii_digit()) {
                1
            } else if is_word(piece, vocabulary) {
                if piece.len() <= 2 {
                    2
                } else {
                    1
                }
            } else {
                continue;
            };
            let total = best[start].0.saturating_add(cost);
            if total < choice.0 {
                choice = (total, start, true);
            }
        }
        best[end] = choice;
    }
    let mut pieces: Vec<(&str, bool)> = Vec::new();
    let mut end = n;
    while end > 0 {
        let (_, start, known) = best[end];
        pieces.push((&token[start..end], known));
        end = start;
    }
    pieces.reverse();
    let mut words: Vec<String> = Vec::new();
    let mut unknown = String::new();
    for (piece, known) in pieces {
        if known {
            if !unknown.is_empty() {
                words.push(std::mem::take(&mut unknown));
            }
            words.push(piece.to_owned());
        } else {
            unknown.push_str(piece);
        }
    }
    if !unknown.is_empty() {
        words.push(unknown);
    }
    words
}

/// A vocabulary word, or one with a regular ending (`policies` from `policy` is listed).
fn is_word(piece: &str, vocabulary: &HashSet<&'static str>) -> bool {
    if vocabulary.contains(piece) {
        return true;
    }
    const ENDINGS: &[(&str, &str)] = &[
        ("s", ""),
        ("es", ""),
        ("ed", ""),
        ("ed", "e"),
        ("d", ""),
        ("er", ""),
        ("er", "e"),
        ("ing", ""),
        ("ing", "e"),
        ("ion", "e"),
        ("ions", "e"),
        ("ly", ""),
    ];
    ENDINGS.iter().any(|(ending, restore)| {
        piece
            .strip_suffix(ending)
            .filter(|stem| stem.len() >= 3)
            .is_some_and(|stem| {
                if restore.is_empty() {
                    vocabulary.contains(stem)
                } else {
                    vocabulary.contains(format!("{stem}{restore}").as_str())
                }
            })
    })
}

fn vocabulary() -> &'static HashSet<&'static str> {
    static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| VOCABULARY.split_whitespace().collect())
}

const VOCABULARY: &str = "\
aad about above absolute abuse ac accept access accessibility accessory account accounts \
acknowledged acrobat across action actions activate active activex activity adapter add \
added addin adding addon address admin administrator administrators admx adobe ads \
advanced advertisement advertising after against age agent ai airdrop airplay alert \
alerts algorithm algorithms all allocs allocsi allow allowed always analytics and \
anonymous anr antimalware antispoofing antivirus any api app appearance apple applets \
application applications apply approval approved apps appstore archive archives are area \
as ask asr assessment assist assistance assistant associations at attachment attachments \
attack attributes audio audit auth authenticated authentication authenticode authn \
authority authorization auto autocomplete autoconfig autodiscover autofill automatic \
automatically automation autoplay autorun autoupdate available avg back background \
backoff backup badges bandwidth bar based basic batch battery be before behavior \
behaviour beta binary binding bing biometric biometrics bitlocker bits blank block \
blocked blocker blocking blocklist bluetooth book bookmarks boost boot bound box bridge \
browser browsing bundle button buttons by bypass cache cached cadence calculator \
calendar call calls camera can cap capture card cast cat catchup cdn center certificate \
certificates cfg change changes channel character chat check checkbox checker checks \
child children chk chrome cipher classic clear client clients clipboard clipchamp close \
cloud cmd cmdline code collection colon com command commands comment communication \
compatibility compatible compatiblity complexity component components computation \
computer config configurable configuration configure configured connect connection \
connections connectivity consent consistent console consumer contacts content \
continuation control controlled controls convert cookies copied copilot copy core \
corrupt corruption cortana cpu crash create created creating creation credential \
credentials credit credssp criterion critical crls cross cryptography custom customer \
customization customize daemon daily data database date days dbase dc dde deadline debug \
default defaults defender defense deferral defined definition definitions delay \
delegation delete delivery demand deny deploy desc description designated desktop \
detailed detect detection determine dev developer developers device devices diagnostic \
dialect dialog dif diff differ different digest digitally direct direction directories \
directory disable disabled disallow disallowed disconnect discovery disk display distro \
dm dma dns do dock document documents does domain domains done dont down download \
downloaded downloading downloads dra drag dragging drive driver drivers drop dropdown \
dropped dvr dynamic earlier early ecs edge edgev edit editing edition edr elevate \
elevated elevation email embedded empty enable enabled enclosure encrypted encryption \
end endpoint enforce enforced enforcement engine enhanced enrollment enter enterd \
enterprise enum enumerate enumeration environment ephemeral erase error errors escrow \
event events every excel except exception exchange exclusion exclusions exe executable \
executables execute execution exit experience experiences experimental experimentation \
exploit exploited explorer exportable extended extensibility extensible extension \
extensions extenstions external extraction face facial factor fails failures fallback \
family fature fba fde fdv feature features feedback file files filevault filter \
filtering find finder firewall firmware first flag flags flash folder folders for force \
forced forest form format forms formula frame frames framework fre free freeform friends \
from ftp full gal game gamer games gaming gatekeeper general generate generated \
generator generic gloabl global google gpo grace grade group groups guard guest guests \
guide guni handling hard hardware hash header health heap hello help hidden hide high \
highest history hold home homepage host hosts hotspots hours how http https hub hvci \
hybrid hyper hyperlink icloud icmp icon id identified identifier identity ie if iframe \
ignore ignored ignoring iii image images impersonate impersonated implicit import \
improvement in inbound inbox include incoming increase index indexing info infopath \
information init initialization initialize initiated injecting ink input insecure \
insider install installation installed installer installs integer integration integrity \
intel intelligence interactive intercept interception interests internet interval \
intranet intrusive invalid invocation ioav ios ip ipad iphone ipsec ipv6 irm is \
isolation item items itunes iv iz java javascript job jscript kerberos kernel key \
keychain keys kfm kill language languages lanman lanmanager laps last later launch \
launching layer lc lcid legacy length less let level levels library limit limiter line \
link linking links list listbox listener live load loading local location locations lock \
lockdown locked lockout log logging login logoff logon logs long lookup low lower lpt \
lsa lync machine macos macro macros mail mailbox make malicious malware manage managed \
management manager managing manifest manifests manual manually map mapping marked match \
mau max maximum mcx mde mdm media meet member membership memory menu merge message \
messages meta metadata metered method mht microsoft mime min minimize minimum minutes \
misc miscellaneous mismatch mix mk mobile mode model modification modify monitor \
monitoring month monthly movie mpssvc ms msa msft msi mss multiplayer my name named \
names native navigate nc nested net netbios network networking never new news next ngsc \
no non none nonexportable not notepad notes notification notifications notify ntlm \
ntlmssp ntp number obfuscated object objects od ods odt of off office offline oma on one \
onedrive onenote online only oobe oom open opened opening operating opt optimization \
optimized option optional options or oracle order organization organizational os osd \
ospf other others out outbound outdated outlk outlook over overlay override overwrite \
ownership package packages packet packets page paint pairing pane panes part partname \
party passive passphrase passport password passwordless passwords paste path paths \
payment pc pde pdf peer pending per percentage performance period permission permissions \
persistence persistent personal personalization personalized peruser phishing phone \
photo photos picker picture pictures pin pinning pipes pkinit platform player plugged \
plugin plugins pnp point pol policies policy poll popup port post potentially power \
powerpoint powershell ppt prefer preference preferences prefix prem presentations \
prevalence prevent prevention preview primary print printer printers printing priority \
privacy private privilege privileged privileges proactive procedure process processes \
profile profiles program programmatic programs prohibit prohit project projection \
promote prompt prompting proofing protect protected protection protocol provided \
provider providers provisioning proximity proxy psexec psso pua public publisher \
publishing push qos queries query quick quit quota ram random randomize ransomware rate \
rdv read reader real realtime reboot rebooting recall recommended recorder recovery \
redirect redirection redirects reduction refresh refs register registration registry \
relaunch relay release releases reliant reload remediation reminders remote removable \
removal remove rename renderer repair replace replaced report reporting reports \
republish request requests require required requirement requirements reset resolve \
restart restore restrict restricted restriction restrictions retention retrieval \
retrieve retrieving reuse reveal revocation rewards right rights roaming root rotation \
route router routes routing rpc rss rtp rule rules run running runtime safari safe \
safety sam sample samples sandbox save saved saving sc scan scanning scareware schedule \
scheduled scheduling schemes scope screen screensaver script scripted scripting \
scriptlets scripts search secguide secure security select selection send sense sensitive \
server servers service services session set setting settings setup severe severity sg \
sha share shared sharepoint shares sharing shell shopping shortcut show shutdown sig \
sign signature signatures signed signin signing silent single siri site sites size \
sketch skype sleep slideshow slots smart smartscreen smb smbv1 sniffing sockets software \
solicited solitaire sound sounds source spam special specify speech spooler spotlight \
spreadsheet spreadsheets squatting ssl sso standard standby start startup state stateful \
static status std stealing stealth sticky storage store stored stores storing str strict \
string structured submission submit subscription subsystem success sudo suggestions \
support supported suppress suppression surface survey suspend switch sylk symbolic sync \
system systems tab table tailored take takeownership tamper target task taskbar tc tcc \
tcp tdc tdt team teams technology telemetry template templates temporary tenant terminal \
termination text textbox than that the their them these they third this threat through \
ticket time timeout timer timezone tips to toast toasts token tool toolbar tools tpm \
track tracking traffic transport trigger trust trusted ts turn turnoff tutorial type \
types typo uac uefi ui unattended unauthenticated uncommon under unencrypted \
unenrollment unicode unless unload unlock unsafe unsecure unsigned unsolicited until \
untrusted update updates upgrade upload uploading upon uri url urls usage usb use used \
user username users using ux valid validation value values vba vbs vbscript vendor \
verification version vgpu via video view virtualization virtualize visibility visio \
voice volume vpn vulnerable wake warn warning warnings weather web webmail webpages \
website websites webview welcome when whether which wide widgets wifi win window windows \
wininet wins wireless with within wizard wmi wmic word work workbook workbooks worksheet \
worksheets workspace workspaces workstation write wsl xaml xbox xll xlm xml xp xprotect \
xts zone zones \
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_catalog_definitions_read_as_area_and_words() {
        assert_eq!(
            setting_label(
                "settings_catalog",
                "device_vendor_msft_policy_config_defender_allowrealtimemonitoring"
            ),
            "Defender: Allow realtime monitoring"
        );
        assert_eq!(
            setting_label(
                "settings_catalog",
                "vendor_msft_firewall_mdmstore_domainprofile_enablefirewall/vendor_msft_firewall_mdmstore_domainprofile_defaultinboundaction"
            ),
            "Firewall: Domain profile default inbound action"
        );
        assert_eq!(
            setting_label(
                "settings_catalog",
                "device_vendor_msft_policy_config_microsoft_edgev96~policy~microsoft_edge~typosquattingchecker_typosquattingcheckerenabled"
            ),
            "Microsoft Edge: Typo squatting checker enabled"
        );
        assert_eq!(
            setting_label(
                "settings_catalog",
                "user_vendor_msft_policy_config_excel16v2~policy~l_microsoftofficeexcel~l_exceloptions~l_security~l_trustcenter~l_protectedview_l_donotopenfilesinunsafelocationsinprotectedview"
            ),
            "Excel: Do not open files in unsafe locations in protected view"
        );
        assert_eq!(
            setting_label("settings_catalog", "com.apple.security.firewall_com.apple.security.firewall/com.apple.security.firewall_enablestealthmode"),
            "Firewall: Enable stealth mode"
        );
        assert_eq!(
            setting_label(
                "settings_catalog",
                "device_vendor_msft_bitlocker_requiredeviceencryption"
            ),
            "BitLocker: Require device encryption"
        );
    }

    #[test]
    fn properties_read_as_sentences() {
        assert_eq!(
            setting_label("compliance_policy", "passwordMinimumLength"),
            "Password minimum length"
        );
        assert_eq!(
            setting_label(
                "windows_update_ring",
                "installationSchedule/activeHoursStart"
            ),
            "Installation schedule: Active hours start"
        );
        assert_eq!(
            setting_label("compliance_policy", "bitLockerEnabled"),
            "BitLocker enabled"
        );
        assert_eq!(
            setting_label("compliance_policy", "osMinimumVersion"),
            "OS minimum version"
        );
        assert_eq!(
            setting_label(
                "device_configuration",
                "omaSettings[./Device/Vendor/MSFT/A]/value"
            ),
            "OMA settings (./Device/Vendor/MSFT/A): Value"
        );
        assert_eq!(
            setting_label("settings_catalog", "description"),
            "Description"
        );
        assert_eq!(
            setting_label("settings_catalog", "templateReference/templateId"),
            "Template reference: Template ID"
        );
        assert_eq!(
            setting_label(
                "endpoint_security_intent",
                "deviceConfiguration--windows10EndpointProtectionConfiguration_firewallBlockStatefulFTP"
            ),
            "Firewall block stateful FTP"
        );
        assert_eq!(setting_label("unknown", ""), "");
    }

    #[test]
    fn segmentation_prefers_fewer_known_words_and_keeps_unknown_text() {
        assert_eq!(
            segment("allowrealtimemonitoring"),
            ["allow", "realtime", "monitoring"]
        );
        assert_eq!(segment("qqqzzz"), ["qqqzzz"]);
        assert_eq!(segment("blockzzzmacros"), ["block", "zzz", "macros"]);
    }

    #[test]
    fn the_vocabulary_is_lower_case_ascii() {
        for word in vocabulary() {
            assert!(
                word.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                "{word}"
            );
        }
        assert!(vocabulary().len() > 1000);
    }
}

//! Request bodies for each destination, rendered from one [`AlertMessage`].
//!
//! Each function keeps within the destination's documented limits — Teams' ~28 KB message,
//! Slack's 150-character header and 3000-character section, PagerDuty's 1024-character
//! summary and 255-character `dedup_key` — by truncating text with a visible marker rather
//! than have the destination refuse the whole alert.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::{AlertAction, AlertMessage};

/// The most bytes a Teams message body may take here: Teams refuses messages over about
/// 28 KB, and the Workflow that posts the card adds a little of its own.
pub const TEAMS_MAX_BYTES: usize = 27_000;
/// Slack's limit on a header block's text, in characters.
pub const SLACK_HEADER_MAX_CHARS: usize = 150;
/// Slack's limit on a section block's text, in characters.
pub const SLACK_SECTION_MAX_CHARS: usize = 3000;
/// PagerDuty's limit on an event's summary, in characters.
pub const PAGERDUTY_SUMMARY_MAX_CHARS: usize = 1024;
/// PagerDuty's limit on a `dedup_key`, in characters.
pub const PAGERDUTY_DEDUP_KEY_MAX_CHARS: usize = 255;

/// What ends a text cut short.
const TRUNCATED: &str = "… (truncated)";
/// The longest title, tenant or rule name a card or message shows, in characters.
const LABEL_MAX_CHARS: usize = 300;
/// The longest e-mail subject, in characters (well within a header line's 998 bytes).
const SUBJECT_MAX_CHARS: usize = 250;
/// The longest fallback text of a Slack message, in characters.
const SLACK_TEXT_MAX_CHARS: usize = 300;
/// The longest body PagerDuty's `custom_details` carries, in characters.
const PAGERDUTY_DETAILS_MAX_CHARS: usize = 8000;
/// PagerDuty's limit on `payload.source`, in characters.
const PAGERDUTY_SOURCE_MAX_CHARS: usize = 255;

/// Shown when someone enters a retired Office 365 connector URL for Teams.
pub const TEAMS_RETIRED_HELP: &str = "This is an Office 365 connector (Incoming Webhook) URL: \
Microsoft has retired these connectors, so Teams no longer posts what is sent to it. Create \
a Workflows URL instead: in Teams, open the channel, choose ⋯ (More options) → Workflows, \
pick the template \"Send webhook alerts to a channel\" (or build a flow that starts with \
\"When a Teams webhook request is received\"), finish the setup, then copy the URL the \
workflow shows and paste it here.";

/// The generic webhook body: `{"type", "timestamp", "data"}` as Standard Webhooks
/// suggests. `type` is `alert.triggered`, `alert.acknowledged`, `alert.resolved`, or
/// `alert.test` for a test alert; `timestamp` is when the alert was raised.
pub fn generic_webhook(msg: &AlertMessage) -> Value {
    let kind = if msg.test {
        "alert.test"
    } else {
        match msg.action {
            AlertAction::Trigger => "alert.triggered",
            AlertAction::Acknowledge => "alert.acknowledged",
            AlertAction::Resolve => "alert.resolved",
        }
    };
    json!({
        "type": kind,
        "timestamp": msg.raised_at,
        "data": {
            "event_id": msg.event_id,
            "fingerprint": msg.fingerprint,
            "rule": msg.rule,
            "tenant_id": msg.tenant_id,
            "tenant": msg.tenant,
            "severity": msg.severity,
            "title": msg.title,
            "body": msg.body,
            "test": msg.test,
        },
    })
}

/// The body for a Teams Workflows webhook ("When a Teams webhook request is received"):
/// a message with one Adaptive Card 1.5 attachment — the title (coloured by severity:
/// critical and high `attention`, medium `warning`, resolved `good`), the tenant,
/// severity, rule and time as facts, then one text block per body line. The body lines are
/// cut short, with a marker, to keep the serialized message within [`TEAMS_MAX_BYTES`].
pub fn teams(msg: &AlertMessage) -> Value {
    let lines: Vec<&str> = msg
        .body
        .lines()
        .map(str::trim_end)
        .filter(|line| !line.trim().is_empty())
        .collect();
    let whole = teams_message(msg, &lines, false);
    if whole.to_string().len() <= TEAMS_MAX_BYTES {
        return whole;
    }

    // Fill the room left by the title, facts and marker with as many body characters as
    // fit, measured as serde_json writes them.
    let overhead = teams_message(msg, &[], true).to_string().len();
    let block_overhead = text_block("").to_string().len() + 1; // and a comma
    let mut room = TEAMS_MAX_BYTES.saturating_sub(overhead);
    let mut kept: Vec<&str> = Vec::new();
    for line in &lines {
        let Some(left) = room.checked_sub(block_overhead) else {
            break;
        };
        let mut used = 0;
        let mut end = 0;
        for (at, c) in line.char_indices() {
            let cost = json_len(c);
            if used + cost > left {
                break;
            }
            used += cost;
            end = at + c.len_utf8();
        }
        if end > 0 {
            kept.push(&line[..end]);
            room -= block_overhead + used;
        }
        if end < line.len() {
            break;
        }
    }
    let mut card = teams_message(msg, &kept, true);
    // A safety net should the estimate ever be off: drop body text until it fits.
    while card.to_string().len() > TEAMS_MAX_BYTES && !kept.is_empty() {
        kept.pop();
        card = teams_message(msg, &kept, true);
    }
    card
}

/// How many bytes serde_json writes for `c` inside a string.
fn json_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\u{8}' | '\u{c}' | '\n' | '\r' | '\t' => 2,
        c if u32::from(c) < 0x20 => 6,
        c => c.len_utf8(),
    }
}

/// The Teams message with these body lines, and the truncation marker after them when
/// `truncated`.
fn teams_message(msg: &AlertMessage, lines: &[&str], truncated: bool) -> Value {
    let colour = if msg.action == AlertAction::Resolve {
        "good"
    } else {
        match level(&msg.severity) {
            Level::Critical | Level::High => "attention",
            Level::Medium => "warning",
            Level::Low => "default",
        }
    };
    let mut facts = Vec::new();
    if let Some(tenant) = tenant_label(msg) {
        facts.push(fact("Tenant", &tenant));
    }
    facts.push(fact("Severity", &one_line(&msg.severity)));
    facts.push(fact("Rule", &one_line(&msg.rule)));
    facts.push(fact("Raised", &one_line(&msg.raised_at)));

    let mut body = vec![
        json!({
            "type": "TextBlock",
            "text": truncate(&headline(msg), LABEL_MAX_CHARS, "…"),
            "weight": "bolder",
            "size": "medium",
            "color": colour,
            "wrap": true,
        }),
        json!({ "type": "FactSet", "facts": facts }),
    ];
    body.extend(lines.iter().map(|line| text_block(line)));
    if truncated {
        body.push(json!({
            "type": "TextBlock",
            "text": TRUNCATED,
            "isSubtle": true,
            "wrap": true,
        }));
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.5",
                "body": body,
            },
        }],
    })
}

/// An Adaptive Card fact.
fn fact(title: &str, value: &str) -> Value {
    json!({ "title": title, "value": truncate(value, LABEL_MAX_CHARS, "…") })
}

/// An Adaptive Card text block that wraps.
fn text_block(text: &str) -> Value {
    json!({ "type": "TextBlock", "text": text, "wrap": true })
}

/// The body for a Slack incoming webhook: `text` (the notification's one-line fallback)
/// and `blocks` — a header (at most 150 characters), a `mrkdwn` section with the body (at
/// most 3000 characters, left out when the body is empty) and a context block with the
/// tenant, severity and rule. `&`, `<` and `>` are escaped in every `mrkdwn` text, as
/// Slack requires, so alert text can never form a link or a mention.
pub fn slack(msg: &AlertMessage) -> Value {
    let head = headline(msg);
    let severity = one_line(&msg.severity);
    let tenant = tenant_label(msg);
    let fallback = match &tenant {
        Some(tenant) => format!("[{severity}] {head} — {tenant}"),
        None => format!("[{severity}] {head}"),
    };

    let mut blocks = vec![json!({
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": truncate(&head, SLACK_HEADER_MAX_CHARS, "…"),
            "emoji": true,
        },
    })];
    if !msg.body.trim().is_empty() {
        blocks.push(json!({
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": escape_truncate(msg.body.trim_end(), SLACK_SECTION_MAX_CHARS, TRUNCATED),
            },
        }));
    }
    let mut context = Vec::new();
    if let Some(tenant) = &tenant {
        context.push(("Tenant", tenant.clone()));
    }
    context.push(("Severity", severity));
    context.push(("Rule", one_line(&msg.rule)));
    let elements: Vec<Value> = context
        .into_iter()
        .map(|(label, value)| {
            json!({
                "type": "mrkdwn",
                "text": format!("*{label}:* {}", escape_truncate(&value, LABEL_MAX_CHARS, "…")),
            })
        })
        .collect();
    blocks.push(json!({ "type": "context", "elements": elements }));

    json!({
        "text": escape_truncate(&fallback, SLACK_TEXT_MAX_CHARS, "…"),
        "blocks": blocks,
    })
}

/// The body for PagerDuty's Events API v2 (`POST https://events.pagerduty.com/v2/enqueue`).
///
/// The `dedup_key` is the alert's fingerprint, so a trigger, its acknowledge and its
/// resolve reach one incident (a fingerprint over 255 characters is replaced by
/// `sha256:<hex>` of it, the same every time). A trigger carries the payload: `summary`
/// (at most 1024 characters), `source` (the tenant, or `plumbline`), `severity`
/// (critical → critical, high → error, medium → warning, low → info), the raise time and
/// `custom_details`. An acknowledge or resolve carries only `routing_key`,
/// `event_action` and `dedup_key`, as PagerDuty documents.
pub fn pagerduty(msg: &AlertMessage, routing_key: &str) -> Value {
    let mut event = Map::new();
    event.insert("routing_key".into(), routing_key.into());
    let action = match msg.action {
        AlertAction::Trigger => "trigger",
        AlertAction::Acknowledge => "acknowledge",
        AlertAction::Resolve => "resolve",
    };
    event.insert("event_action".into(), action.into());
    event.insert("dedup_key".into(), dedup_key(&msg.fingerprint).into());
    if msg.action != AlertAction::Trigger {
        return Value::Object(event);
    }

    let tenant = tenant_label(msg);
    let summary = match &tenant {
        Some(tenant) => format!("{tenant}: {}", headline(msg)),
        None => headline(msg),
    };
    let severity = match level(&msg.severity) {
        Level::Critical => "critical",
        Level::High => "error",
        Level::Medium => "warning",
        Level::Low => "info",
    };
    let source = tenant.unwrap_or_else(|| "plumbline".to_owned());
    let mut payload = Map::new();
    payload.insert(
        "summary".into(),
        truncate(&summary, PAGERDUTY_SUMMARY_MAX_CHARS, "…").into(),
    );
    payload.insert(
        "source".into(),
        truncate(&source, PAGERDUTY_SOURCE_MAX_CHARS, "…").into(),
    );
    payload.insert("severity".into(), severity.into());
    // PagerDuty refuses an event whose timestamp is not ISO 8601: send only a valid one.
    if chrono::DateTime::parse_from_rfc3339(&msg.raised_at).is_ok() {
        payload.insert("timestamp".into(), msg.raised_at.clone().into());
    }
    payload.insert("class".into(), msg.rule.clone().into());
    payload.insert(
        "custom_details".into(),
        json!({
            "rule": msg.rule,
            "tenant": msg.tenant,
            "tenant_id": msg.tenant_id,
            "severity": msg.severity,
            "details": truncate(&msg.body, PAGERDUTY_DETAILS_MAX_CHARS, TRUNCATED),
            "raised_at": msg.raised_at,
            "event_id": msg.event_id,
            "fingerprint": msg.fingerprint,
            "test": msg.test,
        }),
    );
    event.insert("payload".into(), Value::Object(payload));
    event.insert("client".into(), "Plumbline".into());
    Value::Object(event)
}

/// The PagerDuty `dedup_key` for a fingerprint: itself when it fits in 255 characters,
/// else `sha256:` and its hex digest.
fn dedup_key(fingerprint: &str) -> String {
    if fingerprint.chars().count() <= PAGERDUTY_DEDUP_KEY_MAX_CHARS {
        fingerprint.to_owned()
    } else {
        format!(
            "sha256:{}",
            hex::encode(Sha256::digest(fingerprint.as_bytes()))
        )
    }
}

/// An e-mail's subject and plain-text body. The subject reads
/// `[Plumbline] [<severity>] <title> — <tenant>`, on one line: carriage returns, line
/// feeds and other control characters become spaces, so alert text cannot inject headers.
pub fn email(msg: &AlertMessage) -> (String, String) {
    let severity = one_line(&msg.severity);
    let tenant = tenant_label(msg);
    let subject = match &tenant {
        Some(tenant) => format!("[Plumbline] [{severity}] {} — {tenant}", headline(msg)),
        None => format!("[Plumbline] [{severity}] {}", headline(msg)),
    };
    let subject = truncate(&one_line(&subject), SUBJECT_MAX_CHARS, "…");

    let mut text = String::new();
    text.push_str(&headline(msg));
    text.push_str("\n\n");
    if let Some(tenant) = &tenant {
        text.push_str(&format!("Tenant:   {tenant}\n"));
    }
    text.push_str(&format!("Severity: {severity}\n"));
    text.push_str(&format!("Rule:     {}\n", one_line(&msg.rule)));
    text.push_str(&format!("Raised:   {}\n", one_line(&msg.raised_at)));
    let body = msg.body.trim_end();
    if !body.is_empty() {
        text.push('\n');
        text.push_str(body);
        text.push('\n');
    }
    text.push_str("\n-- \n");
    if msg.test {
        text.push_str("This is a test alert, sent from the destination's settings in Plumbline.\n");
    }
    text.push_str(&format!(
        "Sent by Plumbline. Event {}, alert {}.\n",
        one_line(&msg.event_id),
        one_line(&msg.fingerprint)
    ));
    (subject, text)
}

/// Whether `url` is a retired Office 365 connector (Incoming Webhook) URL for Teams:
/// a host under `webhook.office.com`, or `outlook.office.com` (or `outlook.office365.com`)
/// with a path under `/webhook`. Refuse these with [`TEAMS_RETIRED_HELP`].
pub fn is_retired_teams_url(url: &str) -> bool {
    let Some((host, path)) = host_and_path(url) else {
        return false;
    };
    if host == "webhook.office.com" || host.ends_with(".webhook.office.com") {
        return true;
    }
    (host == "outlook.office.com" || host == "outlook.office365.com")
        && path
            .get(..8)
            .is_some_and(|start| start.eq_ignore_ascii_case("/webhook"))
}

/// The lower-cased host (without port, user info or a trailing dot) and the path of an
/// `http(s)` URL.
fn host_and_path(url: &str) -> Option<(String, &str)> {
    let (scheme, rest) = url.trim().split_once("://")?;
    if !(scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")) {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let host = if host_port.starts_with('[') {
        // An IPv6 literal: never a connector host.
        host_port
    } else {
        host_port.split(':').next().unwrap_or(host_port)
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let path_end = tail.find(['?', '#']).unwrap_or(tail.len());
    Some((host, &tail[..path_end]))
}

/// Severity levels, parsed leniently: an unknown severity counts as medium, so a typo
/// neither pages at critical nor hides as low.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    Low,
    Medium,
    High,
    Critical,
}

fn level(severity: &str) -> Level {
    match severity.trim().to_ascii_lowercase().as_str() {
        "critical" => Level::Critical,
        "high" => Level::High,
        "low" | "info" => Level::Low,
        _ => Level::Medium,
    }
}

/// The tenant's name, else its id.
fn tenant_label(msg: &AlertMessage) -> Option<String> {
    msg.tenant
        .as_deref()
        .or(msg.tenant_id.as_deref())
        .map(one_line)
        .filter(|label| !label.is_empty())
}

/// The title as people read it: `[Test] ` for a test alert, `Acknowledged: ` or
/// `Resolved: ` for those actions, on one line.
fn headline(msg: &AlertMessage) -> String {
    let mut out = String::new();
    if msg.test {
        out.push_str("[Test] ");
    }
    match msg.action {
        AlertAction::Trigger => {}
        AlertAction::Acknowledge => out.push_str("Acknowledged: "),
        AlertAction::Resolve => out.push_str("Resolved: "),
    }
    let title = one_line(&msg.title);
    out.push_str(if title.is_empty() {
        "Plumbline alert"
    } else {
        &title
    });
    out
}

/// `text` on one line: every control character (CR, LF, tab…) becomes a space, and the
/// ends are trimmed.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// `text` cut to at most `max` characters, ending with `marker` when cut.
fn truncate(text: &str, max: usize, marker: &str) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let keep = max.saturating_sub(marker.chars().count());
    let mut out: String = text.chars().take(keep).collect();
    out.push_str(marker);
    out
}

/// `text` with Slack's `&`, `<` and `>` escaped, cut to at most `max` characters (counted
/// after escaping, never splitting an escape), ending with `marker` when cut.
fn escape_truncate(text: &str, max: usize, marker: &str) -> String {
    let escaped = escape_mrkdwn(text);
    if escaped.chars().count() <= max {
        return escaped;
    }
    let budget = max.saturating_sub(marker.chars().count());
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let piece = match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            c => c.to_string(),
        };
        let len = piece.chars().count();
        if used + len > budget {
            break;
        }
        out.push_str(&piece);
        used += len;
    }
    out.push_str(marker);
    out
}

/// Escapes `&`, `<` and `>` as Slack's `mrkdwn` requires.
fn escape_mrkdwn(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> AlertMessage {
        AlertMessage {
            event_id: "evt_01".to_owned(),
            fingerprint: "rule-1/tenant-1/new-findings".to_owned(),
            action: AlertAction::Trigger,
            rule: "New critical or high findings".to_owned(),
            tenant_id: Some("11111111-2222-3333-4444-555555555555".to_owned()),
            tenant: Some("Contoso".to_owned()),
            severity: "critical".to_owned(),
            title: "2 new critical findings".to_owned(),
            body: "MFA not required for admins\nLegacy auth allowed".to_owned(),
            raised_at: "2026-05-01T09:30:00Z".to_owned(),
            test: false,
        }
    }

    fn card_body(value: &Value) -> &Vec<Value> {
        value["attachments"][0]["content"]["body"]
            .as_array()
            .expect("card body")
    }

    // ---- generic webhook ----

    #[test]
    fn generic_webhook_shape() {
        let msg = message();
        assert_eq!(
            generic_webhook(&msg),
            json!({
                "type": "alert.triggered",
                "timestamp": "2026-05-01T09:30:00Z",
                "data": {
                    "event_id": "evt_01",
                    "fingerprint": "rule-1/tenant-1/new-findings",
                    "rule": "New critical or high findings",
                    "tenant_id": "11111111-2222-3333-4444-555555555555",
                    "tenant": "Contoso",
                    "severity": "critical",
                    "title": "2 new critical findings",
                    "body": "MFA not required for admins\nLegacy auth allowed",
                    "test": false,
                },
            })
        );
    }

    #[test]
    fn generic_webhook_types_follow_action_and_test() {
        let mut msg = message();
        for (action, kind) in [
            (AlertAction::Trigger, "alert.triggered"),
            (AlertAction::Acknowledge, "alert.acknowledged"),
            (AlertAction::Resolve, "alert.resolved"),
        ] {
            msg.action = action;
            assert_eq!(generic_webhook(&msg)["type"], kind);
        }
        msg.test = true;
        let value = generic_webhook(&msg);
        assert_eq!(value["type"], "alert.test");
        assert_eq!(value["data"]["test"], true);
        msg.tenant = None;
        msg.tenant_id = None;
        let value = generic_webhook(&msg);
        assert_eq!(value["data"]["tenant"], Value::Null);
        assert_eq!(value["data"]["tenant_id"], Value::Null);
    }

    // ---- Teams ----

    #[test]
    fn teams_message_shape() {
        let value = teams(&message());
        assert_eq!(value["type"], "message");
        let attachments = value["attachments"].as_array().expect("attachments");
        assert_eq!(attachments.len(), 1);
        let attachment = &attachments[0];
        assert_eq!(
            attachment["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        assert!(attachment.get("contentUrl").is_some_and(Value::is_null));
        let content = &attachment["content"];
        assert_eq!(
            content["$schema"],
            "http://adaptivecards.io/schemas/adaptive-card.json"
        );
        assert_eq!(content["type"], "AdaptiveCard");
        assert_eq!(content["version"], "1.5");

        let body = card_body(&value);
        assert_eq!(
            body[0],
            json!({
                "type": "TextBlock",
                "text": "2 new critical findings",
                "weight": "bolder",
                "size": "medium",
                "color": "attention",
                "wrap": true,
            })
        );
        assert_eq!(
            body[1],
            json!({
                "type": "FactSet",
                "facts": [
                    { "title": "Tenant", "value": "Contoso" },
                    { "title": "Severity", "value": "critical" },
                    { "title": "Rule", "value": "New critical or high findings" },
                    { "title": "Raised", "value": "2026-05-01T09:30:00Z" },
                ],
            })
        );
        assert_eq!(
            body[2..],
            [
                json!({ "type": "TextBlock", "text": "MFA not required for admins", "wrap": true }),
                json!({ "type": "TextBlock", "text": "Legacy auth allowed", "wrap": true }),
            ]
        );
    }

    #[test]
    fn teams_colour_follows_severity() {
        let mut msg = message();
        for (severity, colour) in [
            ("critical", "attention"),
            ("high", "attention"),
            ("HIGH", "attention"),
            ("medium", "warning"),
            ("low", "default"),
        ] {
            msg.severity = severity.to_owned();
            assert_eq!(card_body(&teams(&msg))[0]["color"], colour, "{severity}");
        }
        msg.severity = "critical".to_owned();
        msg.action = AlertAction::Resolve;
        let value = teams(&msg);
        assert_eq!(card_body(&value)[0]["color"], "good");
        assert_eq!(
            card_body(&value)[0]["text"],
            "Resolved: 2 new critical findings"
        );
    }

    #[test]
    fn teams_falls_back_to_tenant_id_and_marks_tests() {
        let mut msg = message();
        msg.tenant = None;
        msg.test = true;
        let value = teams(&msg);
        let body = card_body(&value);
        assert_eq!(body[0]["text"], "[Test] 2 new critical findings");
        assert_eq!(
            body[1]["facts"][0],
            json!({ "title": "Tenant", "value": "11111111-2222-3333-4444-555555555555" })
        );
        msg.tenant_id = None;
        let value = teams(&msg);
        assert_eq!(card_body(&value)[1]["facts"][0]["title"], "Severity");
    }

    #[test]
    fn teams_skips_blank_body_lines() {
        let mut msg = message();
        msg.body = "first\r\n\n   \nsecond\n".to_owned();
        let value = teams(&msg);
        let texts: Vec<&str> = card_body(&value)[2..]
            .iter()
            .map(|block| block["text"].as_str().expect("text"))
            .collect();
        assert_eq!(texts, ["first", "second"]);
    }

    #[test]
    fn teams_huge_body_is_truncated_under_the_limit() {
        let mut msg = message();
        // Many lines.
        msg.body = (0..20_000)
            .map(|i| format!("finding {i}: a setting drifted from the baseline"))
            .collect::<Vec<_>>()
            .join("\n");
        let value = teams(&msg);
        let size = value.to_string().len();
        assert!(size <= TEAMS_MAX_BYTES, "{size} bytes");
        assert!(
            size > TEAMS_MAX_BYTES - 2000,
            "kept most of the room: {size}"
        );
        let body = card_body(&value);
        assert_eq!(
            body[2]["text"],
            "finding 0: a setting drifted from the baseline"
        );
        assert_eq!(body.last().expect("blocks")["text"], TRUNCATED);

        // One enormous line full of characters JSON escapes, and a huge title.
        msg.body = "\"\\\u{1}".repeat(200_000);
        msg.title = "t".repeat(100_000);
        let value = teams(&msg);
        let size = value.to_string().len();
        assert!(size <= TEAMS_MAX_BYTES, "{size} bytes");
        let body = card_body(&value);
        assert_eq!(body.last().expect("blocks")["text"], TRUNCATED);
        assert!(body[0]["text"].as_str().expect("title").chars().count() <= LABEL_MAX_CHARS);
    }

    #[test]
    fn teams_body_under_the_limit_is_not_truncated() {
        let mut msg = message();
        msg.body = "x".repeat(20_000);
        let value = teams(&msg);
        let body = card_body(&value);
        assert_eq!(body.len(), 3);
        assert_eq!(body[2]["text"].as_str().expect("text").len(), 20_000);
    }

    #[test]
    fn json_len_matches_serde_json() {
        for c in (0u32..0x300)
            .filter_map(char::from_u32)
            .chain(['\u{2028}', '\u{ffff}', '😀', '…'])
        {
            let written = Value::String(c.to_string()).to_string().len() - 2;
            assert_eq!(json_len(c), written, "{c:?}");
        }
    }

    // ---- Slack ----

    #[test]
    fn slack_message_shape() {
        let value = slack(&message());
        assert_eq!(
            value,
            json!({
                "text": "[critical] 2 new critical findings — Contoso",
                "blocks": [
                    {
                        "type": "header",
                        "text": { "type": "plain_text", "text": "2 new critical findings", "emoji": true },
                    },
                    {
                        "type": "section",
                        "text": {
                            "type": "mrkdwn",
                            "text": "MFA not required for admins\nLegacy auth allowed",
                        },
                    },
                    {
                        "type": "context",
                        "elements": [
                            { "type": "mrkdwn", "text": "*Tenant:* Contoso" },
                            { "type": "mrkdwn", "text": "*Severity:* critical" },
                            { "type": "mrkdwn", "text": "*Rule:* New critical or high findings" },
                        ],
                    },
                ],
            })
        );
    }

    #[test]
    fn slack_escapes_mrkdwn_control_characters() {
        let mut msg = message();
        msg.body = "<!channel> & <https://evil.example|click>".to_owned();
        msg.tenant = Some("A&B <Ltd>".to_owned());
        msg.title = "x < y & z".to_owned();
        let value = slack(&msg);
        assert_eq!(
            value["blocks"][1]["text"]["text"],
            "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;"
        );
        assert_eq!(
            value["blocks"][2]["elements"][0]["text"],
            "*Tenant:* A&amp;B &lt;Ltd&gt;"
        );
        assert_eq!(
            value["text"],
            "[critical] x &lt; y &amp; z — A&amp;B &lt;Ltd&gt;"
        );
        // The header is plain text: shown as is, never parsed.
        assert_eq!(value["blocks"][0]["text"]["text"], "x < y & z");
    }

    #[test]
    fn slack_truncates_header_and_section() {
        let mut msg = message();
        msg.title = "é".repeat(400);
        msg.body = "&".repeat(5000);
        let value = slack(&msg);
        let header = value["blocks"][0]["text"]["text"].as_str().expect("header");
        assert_eq!(header.chars().count(), SLACK_HEADER_MAX_CHARS);
        assert!(header.ends_with('…'));
        let section = value["blocks"][1]["text"]["text"]
            .as_str()
            .expect("section");
        assert!(section.chars().count() <= SLACK_SECTION_MAX_CHARS);
        assert!(section.ends_with(TRUNCATED));
        // Escapes are whole: the kept text is a run of `&amp;`.
        let kept = section.trim_end_matches(TRUNCATED);
        assert!(!kept.is_empty());
        assert_eq!(kept.replace("&amp;", ""), "");
        assert!(value["text"].as_str().expect("text").chars().count() <= SLACK_TEXT_MAX_CHARS);
    }

    #[test]
    fn slack_body_at_the_limit_is_kept_whole() {
        let mut msg = message();
        msg.body = "b".repeat(SLACK_SECTION_MAX_CHARS);
        let value = slack(&msg);
        assert_eq!(
            value["blocks"][1]["text"]["text"],
            "b".repeat(SLACK_SECTION_MAX_CHARS)
        );
    }

    #[test]
    fn slack_leaves_out_an_empty_section() {
        let mut msg = message();
        msg.body = " \n ".to_owned();
        msg.tenant = None;
        msg.tenant_id = None;
        let value = slack(&msg);
        let blocks = value["blocks"].as_array().expect("blocks");
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0]["type"], "header");
        assert_eq!(blocks[1]["type"], "context");
        assert_eq!(blocks[1]["elements"][0]["text"], "*Severity:* critical");
        assert_eq!(value["text"], "[critical] 2 new critical findings");
    }

    // ---- PagerDuty ----

    #[test]
    fn pagerduty_trigger_shape() {
        let value = pagerduty(&message(), "R0UTINGKEY");
        assert_eq!(
            value,
            json!({
                "routing_key": "R0UTINGKEY",
                "event_action": "trigger",
                "dedup_key": "rule-1/tenant-1/new-findings",
                "client": "Plumbline",
                "payload": {
                    "summary": "Contoso: 2 new critical findings",
                    "source": "Contoso",
                    "severity": "critical",
                    "timestamp": "2026-05-01T09:30:00Z",
                    "class": "New critical or high findings",
                    "custom_details": {
                        "rule": "New critical or high findings",
                        "tenant": "Contoso",
                        "tenant_id": "11111111-2222-3333-4444-555555555555",
                        "severity": "critical",
                        "details": "MFA not required for admins\nLegacy auth allowed",
                        "raised_at": "2026-05-01T09:30:00Z",
                        "event_id": "evt_01",
                        "fingerprint": "rule-1/tenant-1/new-findings",
                        "test": false,
                    },
                },
            })
        );
    }

    #[test]
    fn pagerduty_severity_mapping() {
        let mut msg = message();
        for (severity, expected) in [
            ("critical", "critical"),
            ("high", "error"),
            ("medium", "warning"),
            ("low", "info"),
            (" Critical ", "critical"),
            ("unheard-of", "warning"),
        ] {
            msg.severity = severity.to_owned();
            assert_eq!(
                pagerduty(&msg, "k")["payload"]["severity"],
                expected,
                "{severity}"
            );
        }
    }

    #[test]
    fn pagerduty_acknowledge_and_resolve_carry_no_payload() {
        let mut msg = message();
        for (action, name) in [
            (AlertAction::Acknowledge, "acknowledge"),
            (AlertAction::Resolve, "resolve"),
        ] {
            msg.action = action;
            assert_eq!(
                pagerduty(&msg, "k"),
                json!({
                    "routing_key": "k",
                    "event_action": name,
                    "dedup_key": "rule-1/tenant-1/new-findings",
                })
            );
        }
    }

    #[test]
    fn pagerduty_source_falls_back_and_summary_is_truncated() {
        let mut msg = message();
        msg.tenant = None;
        msg.tenant_id = None;
        msg.title = "w".repeat(5000);
        msg.raised_at = "yesterday".to_owned();
        let value = pagerduty(&msg, "k");
        let payload = &value["payload"];
        assert_eq!(payload["source"], "plumbline");
        let summary = payload["summary"].as_str().expect("summary");
        assert_eq!(summary.chars().count(), PAGERDUTY_SUMMARY_MAX_CHARS);
        assert!(summary.ends_with('…'));
        // An invalid time is left out rather than have PagerDuty refuse the event.
        assert!(payload.get("timestamp").is_none());
        assert_eq!(payload["custom_details"]["raised_at"], "yesterday");
    }

    #[test]
    fn pagerduty_long_fingerprint_becomes_a_stable_hash() {
        let mut msg = message();
        msg.fingerprint = "f".repeat(300);
        let trigger = pagerduty(&msg, "k");
        let key = trigger["dedup_key"].as_str().expect("dedup key");
        assert!(key.starts_with("sha256:"));
        assert_eq!(key.len(), "sha256:".len() + 64);
        msg.action = AlertAction::Resolve;
        assert_eq!(pagerduty(&msg, "k")["dedup_key"], key);
        msg.fingerprint = "f".repeat(255);
        assert_eq!(pagerduty(&msg, "k")["dedup_key"], "f".repeat(255));
    }

    // ---- e-mail ----

    #[test]
    fn email_subject_and_body() {
        let (subject, body) = email(&message());
        assert_eq!(
            subject,
            "[Plumbline] [critical] 2 new critical findings — Contoso"
        );
        assert!(body.starts_with("2 new critical findings\n\n"), "{body}");
        assert!(body.contains("Tenant:   Contoso\n"), "{body}");
        assert!(body.contains("Severity: critical\n"), "{body}");
        assert!(
            body.contains("Rule:     New critical or high findings\n"),
            "{body}"
        );
        assert!(body.contains("Raised:   2026-05-01T09:30:00Z\n"), "{body}");
        assert!(body.contains("\nMFA not required for admins\nLegacy auth allowed\n"));
        assert!(body.contains("Event evt_01"), "{body}");
        assert!(!body.contains("test alert"), "{body}");
    }

    #[test]
    fn email_subject_has_no_line_breaks() {
        let mut msg = message();
        msg.title = "Hello\r\nBcc: victim@example.com\r\n\r\nbody".to_owned();
        msg.severity = "high\nX-Injected: 1".to_owned();
        msg.tenant = Some("Con\rtoso".to_owned());
        let (subject, _) = email(&msg);
        assert!(
            !subject.contains('\r') && !subject.contains('\n'),
            "{subject:?}"
        );
        assert!(subject.starts_with("[Plumbline] [high X-Injected: 1] Hello  Bcc:"));
        msg.title = "t".repeat(1000);
        let (subject, _) = email(&msg);
        assert!(subject.chars().count() <= SUBJECT_MAX_CHARS);
    }

    #[test]
    fn email_marks_tests_and_actions() {
        let mut msg = message();
        msg.test = true;
        msg.action = AlertAction::Acknowledge;
        msg.tenant = None;
        msg.tenant_id = None;
        let (subject, body) = email(&msg);
        assert_eq!(
            subject,
            "[Plumbline] [critical] [Test] Acknowledged: 2 new critical findings"
        );
        assert!(body.contains("This is a test alert"), "{body}");
        assert!(!body.contains("Tenant:"), "{body}");
    }

    // ---- retired Teams connector URLs ----

    #[test]
    fn retired_teams_urls_are_recognised() {
        for url in [
            "https://contoso.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456",
            "HTTPS://Contoso.Webhook.Office.com/webhookb2/x",
            "https://contoso.webhook.office.com./webhookb2/x",
            "https://outlook.office.com/webhook/abc@def/IncomingWebhook/123/456",
            "https://outlook.office.com:443/webhookb2/abc",
            "https://outlook.office365.com/webhook/abc",
            "  https://user@outlook.office.com/WEBHOOK/abc  ",
        ] {
            assert!(is_retired_teams_url(url), "{url}");
        }
    }

    #[test]
    fn workflows_and_other_urls_are_not_retired() {
        for url in [
            "https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01",
            "https://default1234.56.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke",
            "https://outlook.office.com/mail/inbox",
            "https://outlook.office.com/?next=/webhook",
            "https://evil.example/?u=https://x.webhook.office.com/",
            "https://webhook.office.com.evil.example/webhookb2/x",
            "https://notwebhook.office.com/x",
            "ftp://contoso.webhook.office.com/webhookb2/x",
            "contoso.webhook.office.com/webhookb2/x",
            "https://[::1]/webhook",
            "",
        ] {
            assert!(!is_retired_teams_url(url), "{url}");
        }
    }

    #[test]
    fn retired_help_says_how_to_make_a_workflows_url() {
        for needle in [
            "Workflows",
            "Send webhook alerts to a channel",
            "When a Teams webhook request is received",
            "paste it",
        ] {
            assert!(TEAMS_RETIRED_HELP.contains(needle), "{needle}");
        }
    }
}

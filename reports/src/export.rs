//! CSV exports: findings (with their history), drift items, inventory, risk acceptances.
//!
//! RFC 4180: comma-separated, CRLF line ends, fields quoted when they hold a comma, a
//! quote or a line break, quotes doubled, a header row. Times are UTC as
//! `YYYY-MM-DD HH:MM:SS` (columns end in `_utc`), which spreadsheets read as dates.
//!
//! The Excel-friendly variant ([`CsvOptions::excel`]) starts with a UTF-8 byte order mark
//! so Excel does not read the file as the local code page, and neutralises cells that a
//! spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) by prefixing `'`
//! (CSV injection).

use std::io::Write;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::data::{Finding, InventoryItem, RiskAcceptance};
use crate::RenderError;

/// How to write a CSV file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// UTF-8 byte order mark and formula neutralisation, for Excel.
    pub excel: bool,
}

/// The UTF-8 byte order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn opt_time(at: Option<DateTime<Utc>>) -> String {
    at.map(time).unwrap_or_default()
}

/// One row of the findings export.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRecord {
    pub tenant: String,
    pub finding_id: String,
    pub severity: String,
    pub status: String,
    pub title: String,
    pub source: String,
    pub baseline: String,
    pub resource_kind: String,
    pub item: String,
    pub setting_path: String,
    pub drift_kind: String,
    pub expected: String,
    pub actual: String,
    pub first_seen_utc: String,
    pub last_seen_utc: String,
    pub resolved_utc: String,
    pub due_utc: String,
    pub reopen_count: i64,
    pub not_assessed: bool,
    pub history_count: usize,
    pub last_change_utc: String,
    pub last_change_by: String,
    pub last_change_reason: String,
    /// Every transition, oldest first: `time from→to by actor: reason`, joined by ` | `.
    pub history: String,
}

/// One row of the drift items export: a deviation still present.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftRecord {
    pub tenant: String,
    pub baseline: String,
    pub resource_kind: String,
    pub item: String,
    pub setting_path: String,
    pub drift_kind: String,
    pub severity: String,
    pub expected: String,
    pub actual: String,
    pub status: String,
    pub first_seen_utc: String,
    pub last_seen_utc: String,
    pub finding_id: String,
}

/// One row of the inventory export.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryRecord {
    pub tenant: String,
    pub capture_id: String,
    pub captured_utc: String,
    pub resource_kind: String,
    pub kind_label: String,
    pub name: String,
    pub external_id: String,
    pub odata_type: String,
    pub sha256: String,
}

/// One row of the risk acceptances export.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskRecord {
    pub tenant: String,
    pub acceptance_id: String,
    pub finding_id: String,
    pub finding: String,
    pub severity: String,
    pub justification: String,
    pub accepted_value: String,
    pub accepted_by: String,
    pub approved_by: String,
    pub approved_utc: String,
    pub created_utc: String,
    pub expires_utc: String,
    pub lapsed_utc: String,
    pub lapse_reason: String,
}

pub fn finding_records(findings: &[Finding]) -> Vec<FindingRecord> {
    findings
        .iter()
        .map(|f| {
            let last = f.history.last();
            let history = f
                .history
                .iter()
                .map(|h| {
                    format!(
                        "{} {}→{} by {}{}{}",
                        time(h.at),
                        h.from_status.map(|s| s.as_str()).unwrap_or("new"),
                        h.to_status.as_str(),
                        h.actor,
                        h.reason
                            .as_deref()
                            .filter(|r| !r.is_empty())
                            .map(|r| format!(": {r}"))
                            .unwrap_or_default(),
                        h.superseded
                            .as_ref()
                            .map(|by| format!(
                                " [superseded by {} → {} at {}]",
                                by.actor,
                                by.to_status.as_str(),
                                time(by.at)
                            ))
                            .unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join(" | ");
            FindingRecord {
                tenant: f.tenant.clone(),
                finding_id: f.id.clone(),
                severity: f.severity.as_str().to_owned(),
                status: f.status.as_str().to_owned(),
                title: f.title.clone(),
                source: f.source.clone(),
                baseline: f.baseline.clone().unwrap_or_default(),
                resource_kind: f.resource_kind.clone(),
                item: f.item.clone(),
                setting_path: f.setting_path.clone(),
                drift_kind: f.drift_kind.clone(),
                expected: f.expected.clone().unwrap_or_default(),
                actual: f.actual.clone().unwrap_or_default(),
                first_seen_utc: time(f.first_seen_at),
                last_seen_utc: time(f.last_seen_at),
                resolved_utc: opt_time(f.resolved_at),
                due_utc: opt_time(f.due_at),
                reopen_count: f.reopen_count,
                not_assessed: f.not_assessed,
                history_count: f.history.len(),
                last_change_utc: opt_time(last.map(|h| h.at)),
                last_change_by: last.map(|h| h.actor.clone()).unwrap_or_default(),
                last_change_reason: last.and_then(|h| h.reason.clone()).unwrap_or_default(),
                history,
            }
        })
        .collect()
}

/// Deviations still present: findings that are not resolved or false positives.
pub fn drift_records(findings: &[Finding]) -> Vec<DriftRecord> {
    findings
        .iter()
        .filter(|f| f.status.is_active() || f.status == crate::data::Status::RiskAccepted)
        .map(|f| DriftRecord {
            tenant: f.tenant.clone(),
            baseline: f.baseline.clone().unwrap_or_default(),
            resource_kind: f.resource_kind.clone(),
            item: f.item.clone(),
            setting_path: f.setting_path.clone(),
            drift_kind: f.drift_kind.clone(),
            severity: f.severity.as_str().to_owned(),
            expected: f.expected.clone().unwrap_or_default(),
            actual: f.actual.clone().unwrap_or_default(),
            status: f.status.as_str().to_owned(),
            first_seen_utc: time(f.first_seen_at),
            last_seen_utc: time(f.last_seen_at),
            finding_id: f.id.clone(),
        })
        .collect()
}

pub fn inventory_records(items: &[InventoryItem]) -> Vec<InventoryRecord> {
    items
        .iter()
        .map(|i| InventoryRecord {
            tenant: i.tenant.clone(),
            capture_id: i.capture_id.clone(),
            captured_utc: time(i.taken_at),
            resource_kind: i.resource_kind.clone(),
            kind_label: i.kind_label.clone(),
            name: i.name.clone(),
            external_id: i.external_id.clone(),
            odata_type: i.odata_type.clone().unwrap_or_default(),
            sha256: i.blob_sha256.clone(),
        })
        .collect()
}

pub fn risk_records(acceptances: &[RiskAcceptance]) -> Vec<RiskRecord> {
    acceptances
        .iter()
        .map(|a| RiskRecord {
            tenant: a.tenant.clone(),
            acceptance_id: a.id.clone(),
            finding_id: a.finding_id.clone(),
            finding: a.finding_title.clone(),
            severity: a.severity.as_str().to_owned(),
            justification: a.justification.clone(),
            accepted_value: a.accepted_value.clone().unwrap_or_default(),
            accepted_by: a.accepted_by.clone(),
            approved_by: a.approved_by.clone().unwrap_or_default(),
            approved_utc: opt_time(a.approved_at),
            created_utc: time(a.created_at),
            expires_utc: time(a.expires_at),
            lapsed_utc: opt_time(a.lapsed_at),
            lapse_reason: a.lapse_reason.clone().unwrap_or_default(),
        })
        .collect()
}

/// Writes records as CSV with a header row (also when there are no records). Returns the
/// bytes written.
pub fn write_records<W: Write, R: Serialize + Default>(
    out: W,
    records: &[R],
    options: CsvOptions,
) -> Result<u64, RenderError> {
    let io = |source| RenderError::Io {
        what: "cannot write the CSV".to_owned(),
        source,
    };
    let mut counter = CountingWriter {
        inner: out,
        count: 0,
    };
    if options.excel {
        counter.write_all(BOM).map_err(io)?;
    }
    {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(&mut counter);
        writer.write_record(fields(&R::default()).iter().map(|(k, _)| k))?;
        for record in records {
            let cells =
                fields(record).into_iter().map(
                    |(_, v)| {
                        if options.excel {
                            neutralise(v)
                        } else {
                            v
                        }
                    },
                );
            writer.write_record(cells)?;
        }
        writer.flush().map_err(io)?;
    }
    Ok(counter.count)
}

/// A record's fields in declaration order, as text.
fn fields<R: Serialize>(record: &R) -> Vec<(String, String)> {
    match serde_json::to_value(record) {
        Ok(serde_json::Value::Object(map)) => map
            .into_iter()
            .map(|(k, v)| {
                let text = match v {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                };
                (k, text)
            })
            .collect(),
        // Every record type here is a struct of strings, numbers and booleans.
        _ => Vec::new(),
    }
}

/// A cell as Excel should see it: text that would start a formula gets a leading `'`.
pub fn neutralise(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    }
}

struct CountingWriter<W> {
    inner: W,
    count: u64,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

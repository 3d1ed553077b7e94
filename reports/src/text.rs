//! Report text in English and German, and locale-aware formatting of numbers and dates.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::data::{ChangeKind, Severity, Status};

/// The language of a report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    De,
}

impl Language {
    /// `en` or `de` (also `english`/`deutsch`/`german`, any case).
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "en" | "english" => Some(Self::En),
            "de" | "deutsch" | "german" => Some(Self::De),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
        }
    }

    pub(crate) fn t(self) -> &'static Texts {
        match self {
            Self::En => &EN,
            Self::De => &DE,
        }
    }

    /// A number with one decimal, with the language's decimal separator.
    pub fn decimal(self, value: f64) -> String {
        let text = format!("{value:.1}");
        match self {
            Self::En => text,
            Self::De => text.replace('.', ","),
        }
    }

    /// A signed change with one decimal ("+1.5", "−0.3", "±0.0").
    pub fn delta(self, value: f64) -> String {
        let rounded = (value * 10.0).round() / 10.0;
        if rounded == 0.0 {
            return format!("±{}", self.decimal(0.0));
        }
        let sign = if rounded > 0.0 { "+" } else { "−" };
        format!("{sign}{}", self.decimal(rounded.abs()))
    }

    /// A date for people: "23 Nov 2026" / "23.11.2026".
    pub fn date(self, at: DateTime<Utc>) -> String {
        match self {
            Self::En => at.format("%-d %b %Y").to_string(),
            Self::De => at.format("%d.%m.%Y").to_string(),
        }
    }

    /// A date with the time (UTC).
    pub fn date_time(self, at: DateTime<Utc>) -> String {
        match self {
            Self::En => at.format("%-d %b %Y, %H:%M UTC").to_string(),
            Self::De => at.format("%d.%m.%Y, %H:%M UTC").to_string(),
        }
    }

    /// A short date for chart axes: "23 Nov" / "23.11.".
    pub fn short_date(self, at: DateTime<Utc>) -> String {
        match self {
            Self::En => at.format("%-d %b").to_string(),
            Self::De => at.format("%d.%m.").to_string(),
        }
    }

    pub fn severity(self, severity: Severity) -> &'static str {
        let t = self.t();
        match severity {
            Severity::Critical => t.critical,
            Severity::High => t.high,
            Severity::Medium => t.medium,
            Severity::Low => t.low,
        }
    }

    pub fn status(self, status: Status) -> &'static str {
        let t = self.t();
        match status {
            Status::Open => t.status_open,
            Status::Acknowledged => t.status_acknowledged,
            Status::Resolved => t.status_resolved,
            Status::RiskAccepted => t.status_risk_accepted,
            Status::FalsePositive => t.status_false_positive,
        }
    }

    pub fn change(self, change: ChangeKind) -> &'static str {
        let t = self.t();
        match change {
            ChangeKind::Deleted => t.change_deleted,
            ChangeKind::Added => t.change_added,
            ChangeKind::Modified => t.change_modified,
        }
    }

    /// A short name for a resource kind (heatmap columns, tables).
    pub fn category(self, key: &str, fallback: &str) -> String {
        let de = self == Self::De;
        let text = match key {
            "settings_catalog" => {
                if de {
                    "Einstellungskatalog"
                } else {
                    "Settings catalog"
                }
            }
            "windows_update_ring" => {
                if de {
                    "Update-Ringe"
                } else {
                    "Update rings"
                }
            }
            "windows_feature_update" => {
                if de {
                    "Funktionsupdates"
                } else {
                    "Feature updates"
                }
            }
            "windows_quality_update" => {
                if de {
                    "Qualitätsupdates"
                } else {
                    "Quality updates"
                }
            }
            "windows_driver_update" => {
                if de {
                    "Treiberupdates"
                } else {
                    "Driver updates"
                }
            }
            "compliance_policy" => {
                if de {
                    "Konformität"
                } else {
                    "Compliance"
                }
            }
            "administrative_template" => {
                if de {
                    "Admin. Vorlagen"
                } else {
                    "Admin templates"
                }
            }
            "device_configuration" => {
                if de {
                    "Gerätekonfiguration"
                } else {
                    "Device configuration"
                }
            }
            "conditional_access" => {
                if de {
                    "Bedingter Zugriff"
                } else {
                    "Conditional Access"
                }
            }
            "app_protection" => {
                if de {
                    "App-Schutz"
                } else {
                    "App protection"
                }
            }
            "endpoint_security_intent" => {
                if de {
                    "Endpunktsicherheit"
                } else {
                    "Endpoint security"
                }
            }
            _ => return fallback.to_owned(),
        };
        text.to_owned()
    }

    /// What to do about a finding of this drift kind, in one sentence.
    pub fn advice(self, drift_kind: &str, item: &str) -> String {
        let de = self == Self::De;
        match (drift_kind, de) {
            ("missing", false) => format!("Deploy the baseline policy “{item}” to the tenant."),
            ("missing", true) => format!("Die Baseline-Richtlinie „{item}“ im Tenant bereitstellen."),
            ("setting_changed", false) => format!("Restore the baseline value in “{item}”, or record why this tenant differs."),
            ("setting_changed", true) => format!("Den Baseline-Wert in „{item}“ wiederherstellen oder die Abweichung begründen."),
            ("setting_missing", false) => format!("Configure the setting in “{item}” as the baseline does."),
            ("setting_missing", true) => format!("Die Einstellung in „{item}“ wie in der Baseline konfigurieren."),
            ("setting_added", false) => format!("Remove the extra setting from “{item}”, or add it to the baseline."),
            ("setting_added", true) => format!("Die zusätzliche Einstellung aus „{item}“ entfernen oder in die Baseline aufnehmen."),
            ("assignment_changed", false) => format!("Check the assignments of “{item}” (groups, filters) against the baseline."),
            ("assignment_changed", true) => format!("Die Zuweisungen von „{item}“ (Gruppen, Filter) mit der Baseline abgleichen."),
            ("deleted", false) => format!("Confirm that deleting “{item}” was intended; otherwise restore it from the previous capture."),
            ("deleted", true) => format!("Bestätigen, dass „{item}“ absichtlich gelöscht wurde; sonst aus der vorigen Erfassung wiederherstellen."),
            ("changed_since_last_capture", false) => format!("Confirm that the change to “{item}” was approved."),
            ("changed_since_last_capture", true) => format!("Bestätigen, dass die Änderung an „{item}“ genehmigt war."),
            ("renamed", false) => format!("Rename “{item}” back, or update the baseline to the new name."),
            ("renamed", true) => format!("„{item}“ zurückbenennen oder die Baseline auf den neuen Namen anpassen."),
            ("extra", false) => format!("Remove “{item}”, or add it to the baseline."),
            ("extra", true) => format!("„{item}“ entfernen oder in die Baseline aufnehmen."),
            (_, false) => format!("Review “{item}” and decide: fix it, or accept the risk with a justification."),
            (_, true) => format!("„{item}“ prüfen und entscheiden: beheben oder das Risiko begründet akzeptieren."),
        }
    }
}

/// The fixed texts of a report.
#[derive(Debug)]
pub(crate) struct Texts {
    pub executive_title: &'static str,
    pub portfolio_title: &'static str,
    pub prepared_for: &'static str,
    pub prepared_by: &'static str,
    pub period: &'static str,
    pub generated: &'static str,
    pub report_id: &'static str,
    pub page: &'static str,
    pub of: &'static str,
    pub contents: &'static str,
    pub summary: &'static str,
    pub changes: &'static str,
    pub drift_by_baseline: &'static str,
    pub findings_that_matter: &'static str,
    pub accepted_risks: &'static str,
    pub recommendations: &'static str,
    pub appendix: &'static str,
    pub method: &'static str,
    pub all_findings: &'static str,
    pub alignment_score: &'static str,
    pub score_trend: &'static str,
    pub by_severity: &'static str,
    pub top_risks: &'static str,
    pub what_to_do: &'static str,
    pub not_reviewed: &'static str,
    pub no_findings: &'static str,
    pub no_changes: &'static str,
    pub no_acceptances: &'static str,
    pub expiring_soon: &'static str,
    pub critical: &'static str,
    pub high: &'static str,
    pub medium: &'static str,
    pub low: &'static str,
    pub status_open: &'static str,
    pub status_acknowledged: &'static str,
    pub status_resolved: &'static str,
    pub status_risk_accepted: &'static str,
    pub status_false_positive: &'static str,
    pub change_deleted: &'static str,
    pub change_added: &'static str,
    pub change_modified: &'static str,
    pub col_severity: &'static str,
    pub col_finding: &'static str,
    pub col_status: &'static str,
    pub col_since: &'static str,
    pub col_due: &'static str,
    pub col_policy: &'static str,
    pub col_kind: &'static str,
    pub col_change: &'static str,
    pub col_baseline: &'static str,
    pub col_version: &'static str,
    pub col_open: &'static str,
    pub col_resolved: &'static str,
    pub col_accepted: &'static str,
    pub col_justification: &'static str,
    pub col_approver: &'static str,
    pub col_expires: &'static str,
    pub col_rank: &'static str,
    pub col_tenant: &'static str,
    pub col_score: &'static str,
    pub col_change_score: &'static str,
    pub col_trend: &'static str,
    pub col_tenants: &'static str,
    pub col_category: &'static str,
    pub col_items: &'static str,
    pub ranking: &'static str,
    pub heatmap: &'static str,
    pub distribution: &'static str,
    pub worst_movers: &'static str,
    pub top_findings: &'static str,
    pub portfolio_summary: &'static str,
    pub not_scored: &'static str,
    pub no_movers: &'static str,
    pub tenants_word: &'static str,
    pub ghost_note: &'static str,
    pub heatmap_note: &'static str,
    pub distribution_note: &'static str,
    pub font_fallback_note: &'static str,
    pub first_review: &'static str,
    pub workspace: &'static str,
    pub inventory: &'static str,
    pub none: &'static str,
    pub last_review: &'static str,
    pub approved_none: &'static str,
    pub lapsed: &'static str,
    pub live: &'static str,
}

pub(crate) static EN: Texts = Texts {
    executive_title: "Configuration governance report",
    portfolio_title: "Portfolio governance report",
    prepared_for: "Prepared for",
    prepared_by: "Prepared by",
    period: "Period",
    generated: "Generated",
    report_id: "Report",
    page: "Page",
    of: "of",
    contents: "Contents",
    summary: "Executive summary",
    changes: "Changes since the last review",
    drift_by_baseline: "Drift by baseline",
    findings_that_matter: "Findings that matter",
    accepted_risks: "Accepted risks",
    recommendations: "Recommendations",
    appendix: "Appendix",
    method: "Method",
    all_findings: "All findings",
    alignment_score: "Alignment score",
    score_trend: "Alignment score over the period",
    by_severity: "Open findings by severity",
    top_risks: "The three most important risks",
    what_to_do: "What to do",
    not_reviewed: "This tenant has not been reviewed in this period, so there is no score yet.",
    no_findings: "No open findings: the configuration matches its baselines.",
    no_changes: "No policy was added, deleted or changed between the last two captures.",
    no_acceptances: "No risk has been accepted for this tenant.",
    expiring_soon: "Expiring within 30 days",
    critical: "Critical",
    high: "High",
    medium: "Medium",
    low: "Low",
    status_open: "Open",
    status_acknowledged: "Acknowledged",
    status_resolved: "Resolved",
    status_risk_accepted: "Risk accepted",
    status_false_positive: "False positive",
    change_deleted: "Deleted (ghost)",
    change_added: "Added",
    change_modified: "Modified",
    col_severity: "Severity",
    col_finding: "Finding",
    col_status: "Status",
    col_since: "Since",
    col_due: "Due",
    col_policy: "Policy",
    col_kind: "Kind",
    col_change: "Change",
    col_baseline: "Baseline",
    col_version: "Version",
    col_open: "Open",
    col_resolved: "Resolved",
    col_accepted: "Accepted",
    col_justification: "Justification",
    col_approver: "Accepted by / approver",
    col_expires: "Expires",
    col_rank: "#",
    col_tenant: "Tenant",
    col_score: "Score",
    col_change_score: "Change",
    col_trend: "Trend",
    col_tenants: "Tenants",
    col_category: "Category",
    col_items: "Items",
    ranking: "Tenants ranked by alignment score",
    heatmap: "Open findings by tenant and category",
    distribution: "Distribution of scores",
    worst_movers: "Worst movers",
    top_findings: "Most common findings across the portfolio",
    portfolio_summary: "Summary",
    not_scored: "not scored",
    no_movers: "No tenant's score fell since its previous review.",
    tenants_word: "tenants",
    ghost_note: "Deleted policies (“ghosts”) existed in the previous capture and are gone now. Confirm each deletion was intended.",
    heatmap_note: "Each cell counts the tenant's open findings in that category; darker cells weigh more (critical findings count eight times, high four times, medium twice). Empty cells have none.",
    distribution_note: "Number of tenants per score band, from each tenant's latest review.",
    font_fallback_note: "Font note: DejaVu Sans was not found on the machine that made this report, so it uses the PDF base font Helvetica; characters outside Western European Latin appear as “?”. Install fonts-dejavu-core for full coverage.",
    first_review: "First review of this tenant: the trend starts here.",
    workspace: "Workspace",
    inventory: "Inventory of the latest capture",
    none: "—",
    last_review: "Last review",
    approved_none: "no second approver",
    lapsed: "lapsed",
    live: "in force",
};

pub(crate) static DE: Texts = Texts {
    executive_title: "Bericht zur Konfigurations-Governance",
    portfolio_title: "Portfolio-Governance-Bericht",
    prepared_for: "Erstellt für",
    prepared_by: "Erstellt von",
    period: "Zeitraum",
    generated: "Erstellt",
    report_id: "Bericht",
    page: "Seite",
    of: "von",
    contents: "Inhalt",
    summary: "Zusammenfassung für die Geschäftsleitung",
    changes: "Änderungen seit der letzten Prüfung",
    drift_by_baseline: "Abweichungen je Baseline",
    findings_that_matter: "Wichtige Feststellungen",
    accepted_risks: "Akzeptierte Risiken",
    recommendations: "Empfehlungen",
    appendix: "Anhang",
    method: "Methode",
    all_findings: "Alle Feststellungen",
    alignment_score: "Konformitätswert",
    score_trend: "Konformitätswert im Zeitraum",
    by_severity: "Offene Feststellungen nach Schweregrad",
    top_risks: "Die drei wichtigsten Risiken",
    what_to_do: "Was zu tun ist",
    not_reviewed: "Dieser Tenant wurde im Zeitraum nicht geprüft, daher gibt es noch keinen Wert.",
    no_findings: "Keine offenen Feststellungen: Die Konfiguration entspricht ihren Baselines.",
    no_changes: "Zwischen den letzten beiden Erfassungen wurde keine Richtlinie hinzugefügt, gelöscht oder geändert.",
    no_acceptances: "Für diesen Tenant wurde kein Risiko akzeptiert.",
    expiring_soon: "Läuft innerhalb von 30 Tagen ab",
    critical: "Kritisch",
    high: "Hoch",
    medium: "Mittel",
    low: "Niedrig",
    status_open: "Offen",
    status_acknowledged: "Zur Kenntnis genommen",
    status_resolved: "Behoben",
    status_risk_accepted: "Risiko akzeptiert",
    status_false_positive: "Fehlalarm",
    change_deleted: "Gelöscht (Geist)",
    change_added: "Hinzugefügt",
    change_modified: "Geändert",
    col_severity: "Schweregrad",
    col_finding: "Feststellung",
    col_status: "Status",
    col_since: "Seit",
    col_due: "Fällig",
    col_policy: "Richtlinie",
    col_kind: "Art",
    col_change: "Änderung",
    col_baseline: "Baseline",
    col_version: "Version",
    col_open: "Offen",
    col_resolved: "Behoben",
    col_accepted: "Akzeptiert",
    col_justification: "Begründung",
    col_approver: "Akzeptiert von / Genehmigung",
    col_expires: "Läuft ab",
    col_rank: "#",
    col_tenant: "Tenant",
    col_score: "Wert",
    col_change_score: "Änderung",
    col_trend: "Verlauf",
    col_tenants: "Tenants",
    col_category: "Kategorie",
    col_items: "Objekte",
    ranking: "Tenants nach Konformitätswert",
    heatmap: "Offene Feststellungen nach Tenant und Kategorie",
    distribution: "Verteilung der Werte",
    worst_movers: "Größte Verschlechterungen",
    top_findings: "Häufigste Feststellungen im Portfolio",
    portfolio_summary: "Überblick",
    not_scored: "ohne Wert",
    no_movers: "Bei keinem Tenant ist der Wert seit der vorigen Prüfung gesunken.",
    tenants_word: "Tenants",
    ghost_note: "Gelöschte Richtlinien („Geister“) gab es in der vorigen Erfassung, jetzt nicht mehr. Bitte jede Löschung bestätigen.",
    heatmap_note: "Jede Zelle zählt die offenen Feststellungen des Tenants in dieser Kategorie; dunklere Zellen wiegen schwerer (kritische zählen achtfach, hohe vierfach, mittlere doppelt). Leere Zellen haben keine.",
    distribution_note: "Anzahl der Tenants je Wertebereich, nach der jeweils letzten Prüfung.",
    font_fallback_note: "Hinweis zur Schrift: DejaVu Sans fehlte auf dem Rechner, der diesen Bericht erstellt hat; er nutzt daher die PDF-Grundschrift Helvetica, und Zeichen außerhalb des westeuropäischen Lateins erscheinen als „?“. Für volle Abdeckung fonts-dejavu-core installieren.",
    first_review: "Erste Prüfung dieses Tenants: Der Verlauf beginnt hier.",
    workspace: "Arbeitsbereich",
    inventory: "Bestand der letzten Erfassung",
    none: "—",
    last_review: "Letzte Prüfung",
    approved_none: "ohne Zweitgenehmigung",
    lapsed: "erloschen",
    live: "gültig",
};

//! The plain data a report is made from.
//!
//! These types are the contract between whatever gathers the facts (today
//! `plumbline_core::store`'s reporting queries, later a server) and the renderers here.
//! They hold facts, not presentation: counts, trends, top risks and recommendations are
//! derived by the renderers, so every output (PDF, CSV) agrees.
//!
//! Every struct is serde-serialisable and refuses unknown fields, so a producer that
//! drifts from this shape fails loudly (the integration tests feed core's output through
//! JSON into these types).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Most severe first.
    pub const ALL: [Severity; 4] = [Self::Critical, Self::High, Self::Medium, Self::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    /// Weight in the alignment score (as the engine weighs it).
    pub fn weight(self) -> f64 {
        match self {
            Self::Low => 1.0,
            Self::Medium => 2.0,
            Self::High => 4.0,
            Self::Critical => 8.0,
        }
    }
}

/// A finding's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Acknowledged,
    Resolved,
    RiskAccepted,
    FalsePositive,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Acknowledged => "acknowledged",
            Self::Resolved => "resolved",
            Self::RiskAccepted => "risk_accepted",
            Self::FalsePositive => "false_positive",
        }
    }

    /// Open or acknowledged: still to be dealt with.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Open | Self::Acknowledged)
    }
}

/// The customer tenant a report is about.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantInfo {
    pub id: String,
    pub name: String,
    pub primary_domain: Option<String>,
    pub entra_tenant_id: Option<String>,
}

/// One review of a tenant: its alignment score and what the score is made of.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewPoint {
    pub id: String,
    pub finished_at: DateTime<Utc>,
    /// Severity-weighted alignment 0–100; `None` when nothing could be assessed.
    pub score: Option<f64>,
    pub assessed_settings: u32,
    pub compliant_settings: u32,
    pub accepted_settings: u32,
    /// Resource kinds that failed to capture: not assessed in this review.
    pub not_assessed_kinds: Vec<String>,
}

/// One step of a finding's history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    pub at: DateTime<Utc>,
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub actor: String,
    pub reason: Option<String>,
    /// A concurrent decision that won over this step, which stays in the history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded: Option<Superseded>,
}

/// Who superseded a decision, with what, when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Superseded {
    pub decision_id: String,
    pub actor: String,
    /// The state the winning decision led to.
    pub to_status: Status,
    pub at: DateTime<Utc>,
}

/// A finding with its lifecycle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub id: String,
    pub tenant_id: String,
    pub tenant: String,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    /// `drift` (against a baseline), `lint` or `history` (between captures).
    pub source: String,
    pub baseline: Option<String>,
    pub resource_kind: String,
    /// The kind's human label (English, from the kind registry).
    pub kind_label: String,
    pub item: String,
    pub setting_path: String,
    /// The drift engine's kind: `missing`, `setting_changed`, `deleted`, …
    pub drift_kind: String,
    /// Expected and actual values as compact JSON text.
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub reopen_count: i64,
    pub not_assessed: bool,
    /// Oldest first.
    pub history: Vec<Transition>,
}

/// A risk acceptance (live or lapsed) of a finding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskAcceptance {
    pub id: String,
    pub finding_id: String,
    pub tenant: String,
    pub finding_title: String,
    pub severity: Severity,
    pub justification: String,
    pub accepted_value: Option<String>,
    pub accepted_by: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub lapsed_at: Option<DateTime<Utc>>,
    /// `expired`, `value_changed` or `revoked`.
    pub lapse_reason: Option<String>,
}

impl RiskAcceptance {
    /// In force at `at`: not lapsed and not expired.
    pub fn is_live(&self, at: DateTime<Utc>) -> bool {
        self.lapsed_at.is_none() && self.expires_at > at
    }
}

/// One capture of a tenant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capture {
    pub id: String,
    pub taken_at: DateTime<Utc>,
    /// `graph`, `import` or `demo`.
    pub source: String,
    pub item_count: u32,
    pub failed_kinds: Vec<String>,
}

/// How a policy changed between two captures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Gone since the previous capture: a "ghost" policy.
    Deleted,
    Added,
    Modified,
}

/// One policy that changed between the previous and the latest capture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureChange {
    pub change: ChangeKind,
    pub resource_kind: String,
    pub kind_label: String,
    pub name: String,
    pub external_id: String,
}

/// A baseline assigned to a tenant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineRef {
    pub id: String,
    pub name: String,
    /// The version reviews use (pinned or latest published).
    pub version: Option<i64>,
}

/// One configuration object of a capture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InventoryItem {
    pub tenant: String,
    pub capture_id: String,
    pub taken_at: DateTime<Utc>,
    pub resource_kind: String,
    pub kind_label: String,
    pub name: String,
    pub external_id: String,
    pub odata_type: Option<String>,
    /// SHA-256 of the stored JSON.
    pub blob_sha256: String,
}

/// Items of one kind in a capture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindCount {
    pub resource_kind: String,
    pub kind_label: String,
    pub items: u32,
}

/// A reporting period (inclusive).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// Everything the executive report of one tenant and one period is made from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecutiveData {
    pub tenant: TenantInfo,
    pub period: Period,
    /// Reviews that finished within the period, oldest first.
    pub reviews: Vec<ReviewPoint>,
    /// The last review before the period, for the trend's starting point.
    pub review_before: Option<ReviewPoint>,
    /// Findings alive during the period (first seen before its end, not resolved before
    /// its start), any status.
    pub findings: Vec<Finding>,
    /// Risk acceptances of the tenant's findings, live or lapsed during the period.
    pub acceptances: Vec<RiskAcceptance>,
    pub baselines: Vec<BaselineRef>,
    /// The capture the latest review read, and the one before it.
    pub latest_capture: Option<Capture>,
    pub previous_capture: Option<Capture>,
    /// Policies added, deleted ("ghost") or modified between those two captures.
    pub changes: Vec<CaptureChange>,
    /// Items of the latest capture by kind.
    pub inventory: Vec<KindCount>,
}

impl ExecutiveData {
    /// The most recent review of the period.
    pub fn latest_review(&self) -> Option<&ReviewPoint> {
        self.reviews.last()
    }
}

/// Counts of active findings by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityCounts {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
}

impl SeverityCounts {
    pub fn get(&self, severity: Severity) -> u32 {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
        }
    }

    pub fn add(&mut self, severity: Severity, n: u32) {
        match severity {
            Severity::Critical => self.critical += n,
            Severity::High => self.high += n,
            Severity::Medium => self.medium += n,
            Severity::Low => self.low += n,
        }
    }

    pub fn total(&self) -> u32 {
        self.critical + self.high + self.medium + self.low
    }

    /// Severity-weighted total, as the score weighs findings.
    pub fn weight(&self) -> f64 {
        Severity::ALL
            .iter()
            .map(|s| f64::from(self.get(*s)) * s.weight())
            .sum()
    }
}

/// One score of a tenant's history.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreSample {
    pub at: DateTime<Utc>,
    pub score: f64,
}

/// One tenant in the portfolio report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioTenant {
    pub id: String,
    pub name: String,
    /// Latest review score and the one before it.
    pub score: Option<f64>,
    pub previous_score: Option<f64>,
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Scored reviews, oldest first (the most recent ones).
    pub history: Vec<ScoreSample>,
    /// Active (open or acknowledged) findings by severity.
    pub open: SeverityCounts,
    /// Active findings by resource kind.
    pub by_category: BTreeMap<String, SeverityCounts>,
}

/// A resource kind (category) as shown in the portfolio heatmap.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub key: String,
    pub label: String,
}

/// A deviation found in several tenants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommonFinding {
    pub resource_kind: String,
    pub kind_label: String,
    pub item: String,
    pub setting_path: String,
    pub drift_kind: String,
    pub severity: Severity,
    /// The title of one of them.
    pub title: String,
    pub tenants: u32,
    pub findings: u32,
}

/// Everything the portfolio report is made from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioData {
    pub workspace: String,
    /// Every tenant, reviewed or not, in any order (the report ranks them).
    pub tenants: Vec<PortfolioTenant>,
    /// Categories that appear in the heatmap, in display order.
    pub categories: Vec<Category>,
    /// The most common active deviations, most severe and widespread first.
    pub top_findings: Vec<CommonFinding>,
}

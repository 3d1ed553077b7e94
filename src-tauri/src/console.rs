//! The console's commands: the findings table and decisions, a tenant's page, the policy
//! diff and background reviews. Each is a few lines over `plumbline_core::store`.

use std::str::FromStr;
use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use plumbline_core::findings::{Action, RiskRequest};
use plumbline_core::model::CaptureId;
use plumbline_core::normalize::{path_definition_ids, Labels};
use plumbline_core::review::{review_all, review_tenant, ReviewOptions, TenantReview};
use plumbline_core::store::{
    AcceptanceRow, CaptureComparison, DriftByBaseline, FindingPage, FindingQuery, FindingRow,
    FindingsIndex, PolicyDiff, ScorePoint, Store, UnresolvedId,
};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::commands::{tenant_row, TenantRow};
use crate::error::{CommandError, ErrorCode};
use crate::jobs::{Done, Job, JobKind, JobResult};
use crate::state::AppState;

fn invalid(message: impl Into<String>) -> CommandError {
    CommandError::new(ErrorCode::InvalidInput, message)
}

/// The findings index, rebuilt when the database changed since it was built.
async fn findings_index(state: &AppState) -> Result<Arc<FindingsIndex>, CommandError> {
    let store = state.store()?;
    let stamp = store.findings_stamp().await?;
    let mut cache = state.findings_cache().lock().await;
    if let Some((built, index)) = cache.as_ref() {
        if *built == stamp {
            return Ok(Arc::clone(index));
        }
    }
    let index = Arc::new(store.findings_index().await?);
    *cache = Some((stamp, Arc::clone(&index)));
    Ok(index)
}

/// One window of the portfolio's findings, filtered and sorted.
#[tauri::command]
#[specta::specta]
pub async fn query_findings(
    state: State<'_, AppState>,
    query: FindingQuery,
) -> Result<FindingPage, CommandError> {
    let index = findings_index(&state).await?;
    Ok(index.query(&query, Utc::now()))
}

/// A finding with everything its detail pane shows.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FindingView {
    pub id: String,
    pub tenant_id: String,
    pub tenant: String,
    pub source: String,
    pub baseline: Option<String>,
    pub rule: Option<String>,
    pub resource_kind: String,
    pub item: String,
    pub setting_path: String,
    pub drift_kind: String,
    pub severity: String,
    pub title: String,
    /// JSON text.
    pub expected: Option<String>,
    /// JSON text: the value a risk acceptance accepts.
    pub actual: Option<String>,
    pub status: String,
    pub not_assessed: bool,
    pub reopen_count: u32,
    pub first_seen_at: String,
    pub last_seen_at: String,
    pub due_at: Option<String>,
    pub accepted_until: Option<String>,
}

impl From<FindingRow> for FindingView {
    fn from(f: FindingRow) -> Self {
        Self {
            id: f.id,
            tenant_id: f.tenant_id,
            tenant: f.tenant,
            source: f.source,
            baseline: f.baseline,
            rule: f.rule,
            resource_kind: f.resource_kind,
            item: f.item,
            setting_path: f.setting_path,
            drift_kind: f.drift_kind,
            severity: f.severity,
            title: f.title,
            expected: f.expected.map(|v| v.to_string()),
            actual: f.actual.map(|v| v.to_string()),
            status: f.status,
            not_assessed: f.not_assessed,
            reopen_count: u32::try_from(f.reopen_count).unwrap_or(0),
            first_seen_at: f.first_seen_at,
            last_seen_at: f.last_seen_at,
            due_at: f.due_at,
            accepted_until: f.accepted_until,
        }
    }
}

/// One step of a finding's history.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TransitionView {
    pub at: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor: String,
    pub reason: Option<String>,
    /// A concurrent decision that won over this one (it stays in the history).
    pub superseded: Option<SupersededView>,
}

/// Who superseded a decision, with what, when.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SupersededView {
    pub actor: String,
    pub to_status: String,
    pub at: String,
}

#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FindingDetail {
    pub finding: FindingView,
    /// Oldest first.
    pub history: Vec<TransitionView>,
    pub acceptances: Vec<AcceptanceRow>,
    /// Whether a risk acceptance needs a second person's approval.
    pub four_eyes: bool,
    /// Who this app records as deciding.
    pub actor: String,
    /// The setting in the catalog's words, where this device knows its definition.
    pub setting: Option<SettingWords>,
}

/// A finding's setting and values as the settings catalog words them.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SettingWords {
    pub label: String,
    pub description: Option<String>,
    /// A choice's option labels ("Block"), where known.
    pub expected: Option<String>,
    pub actual: Option<String>,
}

#[tauri::command]
#[specta::specta]
pub async fn finding_detail(
    state: State<'_, AppState>,
    id: String,
) -> Result<FindingDetail, CommandError> {
    let store = state.store()?;
    let finding = store.finding(&id).await?;
    let history = store.finding_history(&finding.id).await?;
    let acceptances = store.finding_acceptances(&finding.id).await?;
    let definitions = store
        .known_definitions([finding.setting_path.as_str()])
        .await?;
    let setting = setting_words(&finding, &Labels::new([&definitions]));
    Ok(FindingDetail {
        finding: finding.into(),
        history: history
            .into_iter()
            .map(|t| TransitionView {
                at: t.at,
                from_status: t.from_status,
                to_status: t.to_status,
                actor: t.actor,
                reason: t.reason,
                superseded: t.superseded.map(|s| SupersededView {
                    actor: s.actor,
                    to_status: s.to_status,
                    at: s.at,
                }),
            })
            .collect(),
        acceptances,
        four_eyes: store.four_eyes().await?,
        actor: store.writer().actor.clone(),
        setting,
    })
}

/// The finding's setting in the catalog's words; `None` when no definition of it is known.
fn setting_words(finding: &FindingRow, labels: &Labels<'_>) -> Option<SettingWords> {
    let last = path_definition_ids(&finding.setting_path).last()?;
    let definition = labels.definition(last)?;
    Some(SettingWords {
        label: labels.setting(&finding.resource_kind, &finding.setting_path),
        description: definition.description.clone(),
        expected: finding.expected.as_ref().and_then(|v| labels.value(v)),
        actual: finding.actual.as_ref().and_then(|v| labels.value(v)),
    })
}

#[derive(Clone, Copy, Debug, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum DecisionAction {
    Acknowledge,
    Resolve,
    AcceptRisk,
    FalsePositive,
    Reopen,
}

/// A person's decision on one or more findings.
#[derive(Clone, Debug, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DecisionRequest {
    pub ids: Vec<String>,
    pub action: DecisionAction,
    /// Why; the justification of a risk acceptance.
    pub reason: Option<String>,
    /// Last day of a risk acceptance (YYYY-MM-DD, through the end of that day, UTC).
    pub expires_on: Option<String>,
    /// The second person, when four eyes are required.
    pub approver: Option<String>,
}

#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DecisionFailure {
    pub id: String,
    pub message: String,
}

#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DecisionOutcome {
    pub updated: Vec<FindingView>,
    /// Findings the decision does not apply to (say, acknowledging a resolved one).
    pub failures: Vec<DecisionFailure>,
}

fn trimmed(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// Applies a decision to each finding: the ones it applies to are decided even when
/// others refuse it.
#[tauri::command]
#[specta::specta]
pub async fn decide_findings(
    state: State<'_, AppState>,
    request: DecisionRequest,
) -> Result<DecisionOutcome, CommandError> {
    let store = state.store()?;
    if request.ids.is_empty() {
        return Err(invalid("Select at least one finding."));
    }
    let reason = trimmed(&request.reason);
    let action = match request.action {
        DecisionAction::Acknowledge => Action::Acknowledge,
        DecisionAction::Resolve => Action::Resolve,
        DecisionAction::FalsePositive => Action::FalsePositive,
        DecisionAction::Reopen => Action::Reopen,
        DecisionAction::AcceptRisk => {
            let justification = reason.clone().ok_or_else(|| {
                invalid("Write a justification: why is this risk acceptable until the expiry?")
            })?;
            let until = trimmed(&request.expires_on)
                .ok_or_else(|| invalid("Choose the date the acceptance expires."))?;
            let expires_at = NaiveDate::parse_from_str(&until, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(23, 59, 59))
                .map(|d| d.and_utc())
                .ok_or_else(|| {
                    invalid(format!("The expiry {until} is not a date (YYYY-MM-DD)."))
                })?;
            Action::AcceptRisk(RiskRequest {
                justification,
                expires_at,
                accepted_by: store.writer().actor.clone(),
                approver: trimmed(&request.approver),
            })
        }
    };
    let now = Utc::now();
    let mut outcome = DecisionOutcome {
        updated: Vec::new(),
        failures: Vec::new(),
    };
    let answers = store
        .decide_findings(&request.ids, &action, reason.as_deref(), now)
        .await?;
    // Teammates see it within seconds.
    state.sync().changed();
    for (id, answer) in request.ids.iter().zip(answers) {
        match answer {
            Ok(finding) => outcome.updated.push(finding.into()),
            Err(error) => {
                let error = CommandError::from(error);
                // A single finding's refusal is the whole answer: say it as an error.
                if request.ids.len() == 1 {
                    return Err(error);
                }
                outcome.failures.push(DecisionFailure {
                    id: id.clone(),
                    message: error.message,
                });
            }
        }
    }
    Ok(outcome)
}

/// A capture in a tenant's timeline.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CaptureView {
    pub id: String,
    pub source: String,
    pub taken_at: String,
    pub item_count: u32,
    pub failed_kinds: Vec<String>,
}

/// What a tenant's page shows.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TenantOverview {
    pub tenant: TenantRow,
    /// Oldest first.
    pub scores: Vec<ScorePoint>,
    /// Newest first.
    pub captures: Vec<CaptureView>,
    pub drift_by_baseline: Vec<DriftByBaseline>,
    /// In the latest capture.
    pub unresolved_ids: Vec<UnresolvedId>,
}

fn capture_id(text: &str) -> Result<CaptureId, CommandError> {
    CaptureId::from_str(text)
        .map_err(|_| CommandError::new(ErrorCode::NotFound, format!("no capture {text}")))
}

#[tauri::command]
#[specta::specta]
pub async fn tenant_overview(
    state: State<'_, AppState>,
    tenant_id: String,
) -> Result<TenantOverview, CommandError> {
    let store = state.store()?;
    let tenant = store.tenant(&tenant_id).await?;
    let captures = store.list_captures(tenant.id).await?;
    let unresolved_ids = match captures.first() {
        Some(latest) => store.unresolved_ids(latest.id).await?,
        None => Vec::new(),
    };
    Ok(TenantOverview {
        scores: store.score_trend(tenant.id).await?,
        drift_by_baseline: store.drift_by_baseline(tenant.id).await?,
        captures: captures
            .into_iter()
            .map(|c| CaptureView {
                id: c.id.to_string(),
                source: c.source.as_str().to_owned(),
                taken_at: plumbline_core::store::timestamp(c.taken_at),
                item_count: c.item_count,
                failed_kinds: c
                    .kind_status
                    .iter()
                    .filter(|(_, s)| !s.ok)
                    .map(|(k, _)| k.clone())
                    .collect(),
            })
            .collect(),
        unresolved_ids,
        tenant: tenant_row(tenant),
    })
}

/// What changed between two captures of a tenant.
#[tauri::command]
#[specta::specta]
pub async fn compare_captures(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> Result<CaptureComparison, CommandError> {
    let (from, to) = (capture_id(&from)?, capture_id(&to)?);
    Ok(state.store()?.compare_captures(from, to).await?)
}

/// A finding's baseline item next to the tenant's item.
#[tauri::command]
#[specta::specta]
pub async fn policy_diff(
    state: State<'_, AppState>,
    finding_id: String,
) -> Result<PolicyDiff, CommandError> {
    Ok(state.store()?.policy_diff(&finding_id).await?)
}

/// Starts a review of one tenant (or all) in the background; refused while one runs.
/// When it ends, the alerts it raised are notified.
#[tauri::command]
#[specta::specta]
pub async fn start_review(
    state: State<'_, AppState>,
    tenant_id: Option<String>,
) -> Result<Job, CommandError> {
    let store: Store = state.store()?.clone();
    let tenant = match trimmed(&tenant_id) {
        Some(id) => Some(store.tenant(&id).await?),
        None => None,
    };
    let title = match &tenant {
        Some(t) => format!("Review of {}", t.name),
        None => "Review of every tenant".to_owned(),
    };
    let messenger = state.messenger().clone();
    state.jobs().start(
        JobKind::Review,
        title,
        tenant.as_ref().map(|t| t.id.to_string()),
        "review".to_owned(),
        "A review is already running: wait for it to finish, or cancel it.",
        move |progress| async move {
            let options = ReviewOptions::default();
            let reviews = match tenant {
                Some(t) => {
                    progress.set(&format!("Reviewing {}", t.name), None);
                    vec![review_tenant(&store, t.id, &options).await?]
                }
                None => {
                    let tick = progress.clone();
                    review_all(&store, &options, move |done, total| {
                        tick.set(
                            &format!("Reviewed {done} of {total} tenants"),
                            Some(done as f64 / total.max(1) as f64),
                        );
                    })
                    .await?
                }
            };
            progress.set("Raising alerts", Some(1.0));
            let alerts = store.raise_alerts().await?;
            messenger.alerts(&alerts).await;
            let sum = |f: fn(&TenantReview) -> usize| count(reviews.iter().map(f).sum());
            let result = JobResult::Review {
                reviewed: count(reviews.iter().filter(|r| r.reviewed).count()),
                tenants: count(reviews.len()),
                opened: sum(|r| r.opened),
                resolved: sum(|r| r.resolved),
                reopened: sum(|r| r.reopened),
                alerts: count(
                    alerts
                        .iter()
                        .filter(|a| a.state != plumbline_core::store::AlertState::Resolved)
                        .count(),
                ),
                failures: reviews
                    .iter()
                    .filter_map(|r| r.error.as_ref().map(|e| format!("{}: {e}", r.tenant)))
                    .collect(),
            };
            Ok(Done {
                summary: review_summary(&result),
                result,
            })
        },
    )
}

fn review_summary(result: &JobResult) -> String {
    let JobResult::Review {
        reviewed,
        tenants,
        opened,
        resolved,
        reopened,
        alerts,
        failures,
    } = result
    else {
        return String::new();
    };
    let mut text = match (*reviewed, *tenants) {
        (0, 1) => "Nothing new to review since the last review.".to_owned(),
        (0, n) => format!("Nothing new to review in {n} tenants."),
        (_, 1) => format!(
            "Reviewed: {} new, {reopened} re-opened, {resolved} resolved.",
            plural(*opened, "finding")
        ),
        (r, n) => format!(
            "{r} of {n} tenants reviewed: {} new, {reopened} re-opened, {resolved} resolved.",
            plural(*opened, "finding")
        ),
    };
    if *alerts > 0 {
        text.push_str(&format!(" {} raised.", plural(*alerts, "new alert")));
    }
    if let Some(first) = failures.first() {
        let more = match failures.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        text.push_str(&format!(
            " {} could not be reviewed: {first}{more}.",
            plural(count(failures.len()), "tenant")
        ));
    }
    text
}

fn plural(n: u32, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

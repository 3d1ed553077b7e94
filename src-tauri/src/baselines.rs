//! The Baselines screen's commands: list and open baselines, read a version's items and
//! an item's settings, edit a draft's rules and severities, start a draft, publish,
//! create from a tenant or a folder, assign and unassign tenants, export to a folder.
//! Each is a few lines over `plumbline_core::store` and `plumbline_core::baseline`; what
//! crosses to the UI is in `baselines/wire.rs`.

mod wire;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use plumbline_core::baseline::author::{
    create_baseline as create, export_baseline as export, AuthorError, BaselineSource,
    CreateBaseline,
};
use plumbline_core::baseline::folder::FolderError;
use plumbline_core::baseline::view::item_settings;
use plumbline_core::baseline::{value_from_text, Severity};
use plumbline_core::connectors::import::ImportError;
use plumbline_core::model::TenantId;
use plumbline_core::normalize::{definition_ids_in, Labels};
use plumbline_core::store::{BaselineSummary, Store};
use tauri::State;

pub use wire::*;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

fn invalid(message: impl Into<String>) -> CommandError {
    CommandError::new(ErrorCode::InvalidInput, message)
}

/// A file the user can fix or a path they typed is theirs to correct; the disk's
/// failures are `io`; the store's errors keep their own codes.
fn author_error(error: AuthorError) -> CommandError {
    let code = match error {
        AuthorError::Store(store) => return store.into(),
        AuthorError::Folder(FolderError::Io { .. })
        | AuthorError::Import(ImportError::Io { .. }) => ErrorCode::Io,
        AuthorError::Interrupted(_) => ErrorCode::Internal,
        AuthorError::Folder(_) | AuthorError::Import(_) | AuthorError::Invalid(_) => {
            ErrorCode::InvalidInput
        }
    };
    CommandError::new(code, error.to_string())
}

/// A folder path typed in the UI: absolute, so it does not depend on where the app was
/// started.
fn typed_path(text: &str, what: &str) -> Result<PathBuf, CommandError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid(format!("Enter the {what}.")));
    }
    let path = PathBuf::from(text);
    if !path.is_absolute() {
        return Err(invalid(format!(
            "{text} is not a full path: enter the {what} from the root, for example /home/you/baselines/msp-standard"
        )));
    }
    Ok(path)
}

fn parse_tenant(text: &str) -> Result<TenantId, CommandError> {
    text.parse()
        .map_err(|_| CommandError::new(ErrorCode::NotFound, format!("no tenant {text}")))
}

/// The variables the version a tenant uses needs, and every version's, memoised.
async fn variables_of(
    store: &Store,
    version_id: &str,
    cache: &mut BTreeMap<String, BTreeSet<String>>,
) -> Result<BTreeSet<String>, CommandError> {
    if let Some(found) = cache.get(version_id) {
        return Ok(found.clone());
    }
    let found = store.tenant_value_variables(version_id).await?;
    cache.insert(version_id.to_owned(), found.clone());
    Ok(found)
}

async fn detail(store: &Store, baseline: &str) -> Result<BaselineDetail, CommandError> {
    let summary = store.baseline(baseline).await?;
    let mut cache = BTreeMap::new();
    let mut required = BTreeSet::new();
    for version in [summary.latest_published(), summary.draft()]
        .into_iter()
        .flatten()
    {
        required.extend(variables_of(store, &version.id, &mut cache).await?);
    }
    let mut assignments = Vec::new();
    for assignment in store.baseline_assignments(&summary.id).await? {
        let used = match assignment.pinned_version {
            Some(number) => summary.version(number),
            None => summary.latest_published(),
        };
        let needed = match used {
            Some(version) => variables_of(store, &version.id, &mut cache).await?,
            None => BTreeSet::new(),
        };
        assignments.push(AssignmentRow::new(assignment, &needed));
    }
    Ok(BaselineDetail {
        versions: summary.versions.iter().map(VersionRow::from).collect(),
        baseline: BaselineRow::from(&summary),
        assignments,
        required_variables: required.into_iter().collect(),
    })
}

async fn item_view(store: &Store, item_id: &str) -> Result<ItemSettingsView, CommandError> {
    let item = store.baseline_item(item_id).await?;
    let mut ids = BTreeSet::new();
    definition_ids_in(&item.raw, &mut ids);
    let definitions = store
        .known_definitions(ids.iter().map(String::as_str))
        .await?;
    let settings = item_settings(
        &item.kind,
        &item.raw,
        &item.directory,
        &item.rules,
        item.severity,
        &Labels::new([&definitions]),
    );
    Ok(ItemSettingsView::new(item, settings))
}

/// Every baseline of the workspace, by name.
#[tauri::command]
#[specta::specta]
pub async fn list_baselines(state: State<'_, AppState>) -> Result<Vec<BaselineRow>, CommandError> {
    let baselines = state.store()?.list_baselines().await?;
    Ok(baselines.iter().map(BaselineRow::from).collect())
}

/// A baseline's versions and assignments.
#[tauri::command]
#[specta::specta]
pub async fn baseline_detail(
    state: State<'_, AppState>,
    baseline_id: String,
) -> Result<BaselineDetail, CommandError> {
    detail(state.store()?, &baseline_id).await
}

/// The items of one version.
#[tauri::command]
#[specta::specta]
pub async fn baseline_items(
    state: State<'_, AppState>,
    version_id: String,
) -> Result<Vec<BaselineItemView>, CommandError> {
    let items = state.store()?.baseline_items(&version_id).await?;
    Ok(items.into_iter().map(BaselineItemView::from).collect())
}

/// One item's settings by readable label, with their rules and severities.
#[tauri::command]
#[specta::specta]
pub async fn baseline_item(
    state: State<'_, AppState>,
    item_id: String,
) -> Result<ItemSettingsView, CommandError> {
    item_view(state.store()?, &item_id).await
}

/// Sets the rule (and optionally its severity) of one setting of a draft item.
#[tauri::command]
#[specta::specta]
pub async fn set_baseline_rule(
    state: State<'_, AppState>,
    request: SetRuleRequest,
) -> Result<ItemSettingsView, CommandError> {
    let store = state.store()?;
    let path = request.path.trim();
    if path.is_empty() {
        return Err(invalid(
            "Enter the setting path the rule applies to, as the settings list shows it.",
        ));
    }
    let rule = request.rule.to_rule().map_err(invalid)?;
    store.set_item_rule(&request.item_id, path, &rule).await?;
    item_view(store, &request.item_id).await
}

/// Removes a setting's rule in a draft: it is judged `exact` again.
#[tauri::command]
#[specta::specta]
pub async fn remove_baseline_rule(
    state: State<'_, AppState>,
    item_id: String,
    path: String,
) -> Result<ItemSettingsView, CommandError> {
    let store = state.store()?;
    store.remove_item_rule(&item_id, &path).await?;
    item_view(store, &item_id).await
}

/// Changes a draft item's default severity.
#[tauri::command]
#[specta::specta]
pub async fn set_baseline_item_severity(
    state: State<'_, AppState>,
    item_id: String,
    severity: Severity,
) -> Result<ItemSettingsView, CommandError> {
    let store = state.store()?;
    store.set_item_severity(&item_id, severity).await?;
    item_view(store, &item_id).await
}

/// Starts a new draft as a copy of the latest published version; returns its number.
#[tauri::command]
#[specta::specta]
pub async fn start_baseline_draft(
    state: State<'_, AppState>,
    baseline_id: String,
) -> Result<u32, CommandError> {
    let version = state.store()?.start_baseline_draft(&baseline_id).await?;
    Ok(version_number(version))
}

/// Publishes the draft: it becomes immutable and reviews use it. Returns its number.
#[tauri::command]
#[specta::specta]
pub async fn publish_baseline(
    state: State<'_, AppState>,
    baseline_id: String,
) -> Result<u32, CommandError> {
    let version = state.store()?.publish_baseline(&baseline_id).await?;
    Ok(version_number(version))
}

/// The kinds of policy Plumbline compares, for forms that name kinds.
#[tauri::command]
#[specta::specta]
pub fn list_policy_kinds() -> Result<Vec<PolicyKindOption>, CommandError> {
    Ok(plumbline_core::kinds::KINDS
        .iter()
        .map(|k| PolicyKindOption {
            key: k.key.to_owned(),
            label: k.label.to_owned(),
        })
        .collect())
}

/// Creates a baseline (or a new draft of one) from a tenant's latest capture or from a
/// folder: a baseline folder (with `baseline.json`) or a folder of exported policies.
#[tauri::command]
#[specta::specta]
pub async fn create_baseline(
    state: State<'_, AppState>,
    request: CreateBaselineRequest,
) -> Result<CreatedBaselineView, CommandError> {
    let store = state.store()?;
    let name = request.name.trim();
    let source = match (trimmed(&request.tenant_id), trimmed(&request.folder)) {
        (Some(tenant), None) => BaselineSource::Tenant(tenant),
        (None, Some(folder)) => {
            let dir = typed_path(&folder, "folder to create the baseline from")?;
            if !dir.is_dir() {
                return Err(invalid(format!(
                    "{} is not a folder: enter the full path of a baseline folder (with baseline.json) or of a folder of exported policies",
                    dir.display()
                )));
            }
            BaselineSource::folder(&dir)
        }
        (None, None) => {
            return Err(invalid(
                "Choose a tenant or enter a folder to create the baseline from.",
            ))
        }
        (Some(_), Some(_)) => return Err(invalid("Choose a tenant or a folder, not both.")),
    };
    if name.is_empty() && !matches!(source, BaselineSource::BaselineFolder(_)) {
        return Err(invalid("Enter a name for the baseline."));
    }
    // Kind keys come from a list, but the request is checked all the same.
    let options = if request.exclusive_kinds.is_empty() {
        None
    } else {
        let exclusive_kinds = plumbline_core::kinds::resolve_all(&request.exclusive_kinds)
            .map_err(|e| invalid(e.to_string()))?;
        Some(plumbline_core::baseline::BaselineOptions {
            exclusive_kinds,
            ..Default::default()
        })
    };
    let created = create(
        store,
        &CreateBaseline {
            name: Some(name.to_owned()).filter(|n| !n.is_empty()),
            description: Some(request.description.trim().to_owned()).filter(|d| !d.is_empty()),
            options,
            source,
            publish: request.publish,
        },
    )
    .await
    .map_err(author_error)?;
    let summary = store.baseline(&created.name).await?;
    Ok(CreatedBaselineView {
        baseline_id: summary.id,
        name: created.name,
        version: version_number(created.version),
        items: u32::try_from(created.items).unwrap_or(u32::MAX),
        status: if created.published {
            "published"
        } else {
            "draft"
        }
        .to_owned(),
    })
}

/// Assigns a baseline to one or more tenants with the same variables and pin (replacing
/// what an existing assignment had), in one transaction.
#[tauri::command]
#[specta::specta]
pub async fn assign_baseline(
    state: State<'_, AppState>,
    request: AssignRequest,
) -> Result<BaselineDetail, CommandError> {
    let store = state.store()?;
    if request.tenant_ids.is_empty() {
        return Err(invalid(
            "Choose at least one tenant to assign the baseline to.",
        ));
    }
    let mut variables = BTreeMap::new();
    for entry in &request.variables {
        let key = entry.key.trim();
        if key.is_empty() {
            return Err(invalid(
                "A variable has no name: name it (the variable a tenant_value rule reads) or remove it.",
            ));
        }
        if key.chars().any(char::is_whitespace) {
            return Err(invalid(format!(
                "The variable name {key:?} has spaces: use letters, digits, - or _."
            )));
        }
        if variables
            .insert(key.to_owned(), value_from_text(entry.value.trim()))
            .is_some()
        {
            return Err(invalid(format!(
                "The variable {key} is listed twice: keep one."
            )));
        }
    }
    let mut tenants = Vec::with_capacity(request.tenant_ids.len());
    for id in &request.tenant_ids {
        tenants.push(parse_tenant(id)?);
    }
    store
        .assign_baseline(
            &request.baseline_id,
            &tenants,
            &variables,
            request.pinned_version.map(i64::from),
        )
        .await?;
    detail(store, &request.baseline_id).await
}

/// Removes a baseline's assignment to a tenant.
#[tauri::command]
#[specta::specta]
pub async fn unassign_baseline(
    state: State<'_, AppState>,
    baseline_id: String,
    tenant_id: String,
) -> Result<BaselineDetail, CommandError> {
    let store = state.store()?;
    store
        .unassign_baseline(&baseline_id, parse_tenant(&tenant_id)?)
        .await?;
    detail(store, &baseline_id).await
}

/// Writes a version to a folder of files (one per policy), e.g. to keep it in git.
#[tauri::command]
#[specta::specta]
pub async fn export_baseline(
    state: State<'_, AppState>,
    request: ExportRequest,
) -> Result<ExportedBaselineView, CommandError> {
    let out = typed_path(&request.path, "folder to export to")?;
    let exported = export(
        state.store()?,
        &request.baseline_id,
        Some(i64::from(request.version)),
        &out,
    )
    .await
    .map_err(author_error)?;
    Ok(ExportedBaselineView {
        name: exported.name,
        version: version_number(exported.version),
        folder: display(&exported.folder),
        files: exported.files.iter().map(|f| display(f)).collect(),
    })
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

fn trimmed(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn version_number(version: i64) -> u32 {
    u32::try_from(version).unwrap_or(0)
}

impl From<&BaselineSummary> for BaselineRow {
    fn from(summary: &BaselineSummary) -> Self {
        Self {
            id: summary.id.clone(),
            name: summary.name.clone(),
            description: summary.description.clone(),
            latest_published: summary
                .latest_published()
                .map(|v| version_number(v.version)),
            draft_version: summary.draft().map(|v| version_number(v.version)),
            item_count: summary.current().map_or(0, |v| v.items),
            assigned_tenants: summary.assigned_tenants,
        }
    }
}

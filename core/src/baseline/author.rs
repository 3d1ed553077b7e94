//! Making baselines from their sources and writing them out, as the CLI and the desktop
//! app both do it: a new draft version from a tenant's latest capture, from a folder of
//! exported policies or from a baseline folder (see [`super::folder`]), and a version
//! exported to a baseline folder.
//!
//! Reading and writing folders runs on a blocking thread; the database writes are the
//! store's, each one transaction with its audit event.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::folder::{read_folder, write_folder, BaselineFolder, FolderError, FolderItem};
use super::{default_severity, BaselineOptions};
use crate::connectors::import::{import_dir, ImportError, ImportOptions};
use crate::identity::{item_keys, KeyInput};
use crate::model::DirectoryObject;
use crate::store::{blob_hash, canonical_bytes, NewBaselineItem, Store, StoreError};

/// Why a baseline could not be made or written.
#[derive(Debug, thiserror::Error)]
pub enum AuthorError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A baseline folder could not be read or written; the message names the file.
    #[error(transparent)]
    Folder(#[from] FolderError),
    /// A folder of exported policies could not be read; the message names the file.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The request lacks something only the caller can give.
    #[error("{0}")]
    Invalid(String),
    /// The blocking file work could not finish (the runtime is shutting down).
    #[error("reading or writing the folder stopped unexpectedly: {0}")]
    Interrupted(#[from] tokio::task::JoinError),
}

/// Where a new baseline version comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaselineSource {
    /// A tenant's latest capture (tenant name or id).
    Tenant(String),
    /// A folder of exported policies, as `plumbline import` reads.
    ExportedPolicies(PathBuf),
    /// A baseline folder written by an export (with `baseline.json`): items, rules,
    /// severities and options come from it.
    BaselineFolder(PathBuf),
}

impl BaselineSource {
    /// A folder as what it holds: a baseline folder when it has `baseline.json`, else
    /// exported policies.
    pub fn folder(dir: &Path) -> Self {
        if dir.join("baseline.json").is_file() {
            Self::BaselineFolder(dir.to_path_buf())
        } else {
            Self::ExportedPolicies(dir.to_path_buf())
        }
    }
}

/// What to create.
#[derive(Clone, Debug)]
pub struct CreateBaseline {
    /// The baseline's name; required unless a baseline folder names it. An existing
    /// baseline of that name gets a new draft version.
    pub name: Option<String>,
    /// A new baseline's description; a baseline folder's own when `None`.
    pub description: Option<String>,
    /// Matching options; a baseline folder's own (else the defaults) when `None`.
    pub options: Option<BaselineOptions>,
    pub source: BaselineSource,
    /// Publish the new version right away.
    pub publish: bool,
}

/// A version created by [`create_baseline`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedBaseline {
    pub name: String,
    pub version: i64,
    pub items: usize,
    pub published: bool,
}

/// A version written by [`export_baseline`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportedBaseline {
    pub name: String,
    pub version: i64,
    pub folder: PathBuf,
    /// Relative to `folder`.
    pub files: Vec<PathBuf>,
}

/// A policy of a source: kind, name, id in its source, JSON.
pub struct SourcePolicy {
    pub kind: String,
    pub name: String,
    pub external_id: String,
    pub raw: serde_json::Value,
}

/// Policies as new baseline items: the kind's default severity, no rules (`exact`), and
/// keys that stay unique when several policies of a kind share a name (the item's name is
/// its key, the policy's own name is kept to match tenant items by).
pub fn new_items(policies: Vec<SourcePolicy>) -> Vec<NewBaselineItem> {
    let hashes: Vec<String> = policies
        .iter()
        .map(|p| blob_hash(&canonical_bytes(&p.raw)))
        .collect();
    let inputs: Vec<KeyInput<'_>> = policies
        .iter()
        .zip(&hashes)
        .map(|(p, hash)| KeyInput {
            kind: &p.kind,
            name: &p.name,
            external_id: &p.external_id,
            content_hash: hash,
        })
        .collect();
    let keys = item_keys(&inputs);
    policies
        .into_iter()
        .zip(keys)
        .map(|(policy, key)| NewBaselineItem {
            severity: default_severity(&policy.kind),
            match_name: (key != policy.name).then(|| policy.name.clone()),
            kind: policy.kind,
            name: key,
            raw: policy.raw,
            rules: BTreeMap::new(),
        })
        .collect()
}

/// Everything a source provides for a version.
struct SourceContent {
    name: Option<String>,
    description: String,
    options: BaselineOptions,
    items: Vec<NewBaselineItem>,
    directory: Vec<DirectoryObject>,
}

async fn read_source(store: &Store, source: &BaselineSource) -> Result<SourceContent, AuthorError> {
    Ok(match source {
        BaselineSource::Tenant(tenant) => {
            let tenant = store.tenant(tenant).await?;
            let captures = store.list_captures(tenant.id).await?;
            let latest = captures.first().ok_or_else(|| StoreError::NotFound {
                what: "capture",
                name: format!("of {} (import or capture one first)", tenant.name),
            })?;
            let items = store.capture_items(latest.id).await?;
            SourceContent {
                name: None,
                description: String::new(),
                options: BaselineOptions::default(),
                items: new_items(
                    items
                        .into_iter()
                        .map(|i| SourcePolicy {
                            kind: i.kind,
                            name: i.name,
                            external_id: i.external_id,
                            raw: i.raw,
                        })
                        .collect(),
                ),
                directory: store.directory_objects(latest.id).await?,
            }
        }
        BaselineSource::ExportedPolicies(dir) => {
            let dir = dir.clone();
            let report =
                tokio::task::spawn_blocking(move || import_dir(&dir, &ImportOptions::default()))
                    .await??;
            SourceContent {
                name: None,
                description: String::new(),
                options: BaselineOptions::default(),
                items: new_items(
                    report
                        .content
                        .items
                        .into_iter()
                        .map(|i| SourcePolicy {
                            kind: i.kind,
                            name: i.name,
                            external_id: i.external_id,
                            raw: Arc::unwrap_or_clone(i.raw),
                        })
                        .collect(),
                ),
                directory: report.content.directory_objects,
            }
        }
        BaselineSource::BaselineFolder(dir) => {
            let dir = dir.clone();
            let folder = tokio::task::spawn_blocking(move || read_folder(&dir)).await??;
            let mut keys = std::collections::BTreeSet::new();
            for item in &folder.items {
                if !keys.insert((item.kind.as_str(), item.name.as_str())) {
                    return Err(AuthorError::Invalid(format!(
                        "the baseline folder holds two {} items named \"{}\": give one another \"name\" (keep the policy's own name in \"match_name\")",
                        crate::kinds::label(&item.kind),
                        item.name
                    )));
                }
            }
            SourceContent {
                name: Some(folder.name),
                description: folder.description,
                options: folder.options,
                items: folder
                    .items
                    .into_iter()
                    .map(|item| NewBaselineItem {
                        kind: item.kind,
                        name: item.name,
                        match_name: item.match_name,
                        raw: item.policy,
                        severity: item.severity,
                        rules: item.rules,
                    })
                    .collect(),
                directory: folder.directory,
            }
        }
    })
}

/// Creates a baseline (or a new draft version of an existing one) from `request.source`,
/// and publishes it when asked.
pub async fn create_baseline(
    store: &Store,
    request: &CreateBaseline,
) -> Result<CreatedBaseline, AuthorError> {
    let content = read_source(store, &request.source).await?;
    let name = request
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .or(content.name)
        .ok_or_else(|| AuthorError::Invalid("a baseline needs a name".to_owned()))?;
    let description = request.description.clone().unwrap_or(content.description);
    let options = request.options.clone().unwrap_or(content.options);
    let version = store
        .add_baseline_version(
            &name,
            &description,
            &options,
            &content.items,
            &content.directory,
            request.publish,
        )
        .await?;
    Ok(CreatedBaseline {
        name,
        version,
        items: content.items.len(),
        published: request.publish,
    })
}

/// Writes a version of a baseline (by default the latest published, else the draft) to
/// `out` as a baseline folder, replacing an earlier export there.
pub async fn export_baseline(
    store: &Store,
    baseline: &str,
    version: Option<i64>,
    out: &Path,
) -> Result<ExportedBaseline, AuthorError> {
    let summary = store.baseline(baseline).await?;
    let chosen = match version {
        Some(number) => summary.version(number),
        None => summary.current(),
    }
    .ok_or_else(|| StoreError::NotFound {
        what: "baseline version",
        name: match version {
            Some(number) => format!("{} v{number}", summary.name),
            None => format!("{} has no versions", summary.name),
        },
    })?;
    let loaded = store.load_baseline_version(&chosen.id).await?;
    let folder = BaselineFolder {
        name: summary.name.clone(),
        description: summary.description.clone(),
        version: Some(loaded.version),
        options: loaded.options,
        items: loaded
            .items
            .into_iter()
            .map(|item| FolderItem {
                kind: item.kind,
                name: item.name,
                match_name: item.match_name,
                severity: item.severity,
                rules: item.rules,
                policy: item.raw,
            })
            .collect(),
        directory: loaded.directory,
    };
    let target = out.to_path_buf();
    let files = tokio::task::spawn_blocking(move || write_folder(&target, &folder)).await??;
    Ok(ExportedBaseline {
        name: summary.name,
        version: loaded.version,
        folder: out.to_path_buf(),
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::{Rule, SettingRule, Severity};
    use crate::portfolio::create_first_start_demo;

    #[tokio::test]
    async fn a_tenant_baseline_exports_and_imports_back_with_its_rules() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("p.db")).await.expect("store");
        create_first_start_demo(&store).await.expect("demo");
        let tenant = store.list_tenants().await.expect("tenants")[0].clone();

        let created = create_baseline(
            &store,
            &CreateBaseline {
                name: Some("From tenant".to_owned()),
                description: Some("golden".to_owned()),
                options: None,
                source: BaselineSource::Tenant(tenant.name.clone()),
                publish: false,
            },
        )
        .await
        .expect("create");
        assert_eq!(created.version, 1);
        assert_eq!(created.items, tenant.item_count as usize);
        let item = store
            .baseline_items(&store.baseline("From tenant").await.expect("b").versions[0].id)
            .await
            .expect("items")[0]
            .clone();
        let rule = SettingRule {
            rule: Rule::OneOf {
                values: vec![serde_json::json!("a"), serde_json::json!(2)],
            },
            severity: Some(Severity::Critical),
        };
        store
            .set_item_rule(&item.id, "some/path", &rule)
            .await
            .expect("rule");

        let out = dir.path().join("export/from-tenant");
        let exported = export_baseline(&store, "from tenant", None, &out)
            .await
            .expect("export");
        assert_eq!(exported.version, 1, "the draft, as nothing is published");
        assert_eq!(exported.files.len(), created.items + 1);
        assert!(out.join("baseline.json").is_file());

        assert_eq!(
            BaselineSource::folder(&out),
            BaselineSource::BaselineFolder(out.clone())
        );
        let imported = create_baseline(
            &store,
            &CreateBaseline {
                name: Some("Imported".to_owned()),
                description: None,
                options: None,
                source: BaselineSource::folder(&out),
                publish: true,
            },
        )
        .await
        .expect("import");
        assert_eq!((imported.items, imported.published), (created.items, true));
        let summary = store.baseline("Imported").await.expect("imported");
        assert_eq!(summary.description, "golden");
        let back = store
            .load_baseline_version(&summary.latest_published().expect("published").id)
            .await
            .expect("load");
        let with_rule = back
            .items
            .iter()
            .find(|i| i.kind == item.kind && i.name == item.name)
            .expect("same item");
        assert_eq!(with_rule.rules.get("some/path"), Some(&rule));

        // Without a name, a baseline folder names the baseline itself.
        let again = create_baseline(
            &store,
            &CreateBaseline {
                name: None,
                description: None,
                options: None,
                source: BaselineSource::folder(&out),
                publish: false,
            },
        )
        .await
        .expect_err("From tenant still has its draft");
        assert!(again.to_string().contains("already has a draft"), "{again}");
    }

    #[tokio::test]
    async fn sources_that_cannot_be_read_say_which_file_and_why() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in_memory().await.expect("store");
        let request = |source| CreateBaseline {
            name: Some("X".to_owned()),
            description: None,
            options: None,
            source,
            publish: false,
        };
        let policies = dir.path().join("policies");
        std::fs::create_dir_all(&policies).expect("mkdir");
        std::fs::write(policies.join("broken.json"), "{ nope").expect("write");
        let error = create_baseline(&store, &request(BaselineSource::folder(&policies)))
            .await
            .expect_err("bad file");
        assert!(matches!(error, AuthorError::Import(_)), "{error:?}");
        assert!(error.to_string().contains("broken.json"), "{error}");

        let error = create_baseline(&store, &request(BaselineSource::Tenant("nobody".into())))
            .await
            .expect_err("no tenant");
        assert!(matches!(
            error,
            AuthorError::Store(StoreError::NotFound { .. })
        ));
        assert!(store.list_baselines().await.expect("list").is_empty());
    }
}

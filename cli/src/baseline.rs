//! `plumbline baseline …`

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use plumbline_core::baseline::folder::{
    read_folder, write_folder, BaselineFolder, FolderError, FolderItem,
};
use plumbline_core::baseline::{default_severity, BaselineOptions, Rule, SettingRule, Severity};
use plumbline_core::connectors::import::{import_dir, ImportOptions};
use plumbline_core::model::DirectoryObject;
use plumbline_core::store::{NewBaselineItem, Store, StoreError};
use serde_json::Value;

use crate::output::print_json;
use crate::{Failure, Outcome};

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Create a baseline (or a new draft version of one) from a tenant's latest capture or
    /// from a folder of exported policies.
    Create(CreateArgs),
    /// Publish the draft version: it becomes immutable and is used by reviews.
    Publish {
        /// Baseline name.
        name: String,
    },
    /// Assign a baseline to a tenant, with per-tenant variables for `tenant_value` rules.
    Assign {
        /// Baseline name.
        name: String,
        #[arg(long)]
        tenant: String,
        /// A variable, KEY=VALUE (VALUE is JSON when it parses as JSON, else a string).
        #[arg(long = "var", value_name = "KEY=VALUE")]
        variables: Vec<String>,
    },
    /// Set the rule of one setting in the draft version.
    Rule {
        /// Baseline name.
        name: String,
        /// The baseline item (policy name).
        #[arg(long)]
        item: String,
        /// The setting path, as shown by findings.
        #[arg(long)]
        path: String,
        /// exact | ignore | present | absent | at_least:N | at_most:N | one_of:JSON-ARRAY | tenant_value:VARIABLE
        #[arg(long)]
        rule: String,
        /// low | medium | high | critical
        #[arg(long)]
        severity: Option<String>,
    },
    /// List baselines and their versions.
    List,
    /// Write a baseline version to a folder of files (one per policy), e.g. to keep it in
    /// git. Default version: the latest published, else the draft.
    Export {
        /// Baseline name.
        name: String,
        /// The folder to write (created; replaced when it holds an earlier export).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Version number to export.
        #[arg(long)]
        version: Option<i64>,
    },
    /// Create a draft version from a folder written by `baseline export` (or edited in
    /// git). The baseline is created when it does not exist.
    Import {
        /// The baseline folder (with baseline.json).
        dir: PathBuf,
        /// Import under another name than the folder's.
        #[arg(long)]
        name: Option<String>,
        /// Publish right away.
        #[arg(long)]
        publish: bool,
    },
}

#[derive(clap::Args, Debug)]
pub struct CreateArgs {
    #[arg(long)]
    name: String,
    /// Use this tenant's latest capture as the golden master.
    #[arg(
        long,
        conflicts_with = "from_dir",
        required_unless_present = "from_dir"
    )]
    from_tenant: Option<String>,
    /// Use a folder of exported policies (same formats as `plumbline import`).
    #[arg(long)]
    from_dir: Option<PathBuf>,
    #[arg(long, default_value = "")]
    description: String,
    /// Match "… - v3.1" with "… - v3.2" (names differing only by a version suffix).
    #[arg(long)]
    ignore_version_suffix: bool,
    /// Kinds managed exclusively: other tenant policies of these kinds are reported as extra.
    #[arg(long = "exclusive", value_name = "KIND")]
    exclusive_kinds: Vec<String>,
    /// Publish right away.
    #[arg(long)]
    publish: bool,
}

pub async fn run(store: &Store, command: &Command, json: bool) -> Outcome {
    match command {
        Command::Create(args) => create(store, args, json).await,
        Command::Publish { name } => {
            let version = store.publish_baseline(name).await?;
            report(
                json,
                serde_json::json!({"baseline": name, "published_version": version}),
                || format!("Published {name} v{version}: reviews now use it."),
            )
        }
        Command::Assign {
            name,
            tenant,
            variables,
        } => {
            let tenant = store.tenant(tenant).await?;
            let variables = parse_variables(variables)?;
            store.assign_baseline(name, tenant.id, &variables).await?;
            report(
                json,
                serde_json::json!({"baseline": name, "tenant": tenant.name, "variables": variables}),
                || format!("Assigned {name} to {}.", tenant.name),
            )
        }
        Command::Rule {
            name,
            item,
            path,
            rule,
            severity,
        } => {
            let rule = SettingRule {
                rule: parse_rule(rule)?,
                severity: severity.as_deref().map(parse_severity).transpose()?,
            };
            store.set_baseline_rule(name, item, path, &rule).await?;
            report(
                json,
                serde_json::json!({"baseline": name, "item": item, "path": path, "rule": rule}),
                || format!("Rule set on {item} / {path}."),
            )
        }
        Command::Export { name, out, version } => export(store, name, out, *version, json).await,
        Command::Import { dir, name, publish } => {
            import(store, dir, name.as_deref(), *publish, json).await
        }
        Command::List => {
            let baselines = store.list_baselines().await?;
            if json {
                print_json(&baselines)?;
                return Ok(());
            }
            if baselines.is_empty() {
                println!("No baselines yet. Create one with `plumbline baseline create --name NAME --from-dir DIR` (or --from-tenant T).");
            }
            for b in baselines {
                println!("{} — assigned to {} tenants", b.name, b.assigned_tenants);
                for v in b.versions {
                    println!(
                        "  v{} {:<9} {} items, created {}",
                        v.version, v.status, v.items, v.created_at
                    );
                }
            }
            Ok(())
        }
    }
}

fn folder_failure(error: FolderError) -> Failure {
    match error {
        FolderError::Io { .. } => Failure::from(anyhow::Error::from(error)),
        FolderError::Invalid { .. } | FolderError::NotABaselineFolder { .. } => {
            Failure::bad_input(error.to_string())
        }
    }
}

async fn export(
    store: &Store,
    name: &str,
    out: &Path,
    version: Option<i64>,
    json: bool,
) -> Outcome {
    let baseline = store
        .list_baselines()
        .await?
        .into_iter()
        .find(|b| b.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            Failure::from(StoreError::NotFound {
                what: "baseline",
                name: name.to_owned(),
            })
        })?;
    let chosen = match version {
        Some(number) => baseline.versions.iter().find(|v| v.version == number),
        None => baseline
            .versions
            .iter()
            .filter(|v| v.status == "published")
            .max_by_key(|v| v.version)
            .or_else(|| baseline.versions.iter().max_by_key(|v| v.version)),
    }
    .ok_or_else(|| {
        Failure::from(StoreError::NotFound {
            what: "baseline version",
            name: format!("{} v{}", baseline.name, version.unwrap_or_default()),
        })
    })?;
    let loaded = store.load_baseline_version(&chosen.id).await?;
    let folder = BaselineFolder {
        name: baseline.name.clone(),
        description: baseline.description.clone(),
        version: Some(loaded.version),
        options: loaded.options,
        items: loaded
            .items
            .into_iter()
            .map(|item| FolderItem {
                kind: item.kind,
                name: item.name,
                severity: item.severity,
                rules: item.rules,
                policy: item.raw,
            })
            .collect(),
        directory: loaded.directory,
    };
    let target = out.to_path_buf();
    let files = tokio::task::spawn_blocking(move || write_folder(&target, &folder))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(folder_failure)?;
    report(
        json,
        serde_json::json!({"baseline": baseline.name, "version": chosen.version, "folder": out, "files": files}),
        || {
            format!(
                "Exported {} v{} to {} ({} files).",
                baseline.name,
                chosen.version,
                out.display(),
                files.len()
            )
        },
    )
}

async fn import(
    store: &Store,
    dir: &Path,
    name: Option<&str>,
    publish: bool,
    json: bool,
) -> Outcome {
    let source = dir.to_path_buf();
    let folder = tokio::task::spawn_blocking(move || read_folder(&source))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(folder_failure)?;
    let name = name.unwrap_or(&folder.name).to_owned();
    let items: Vec<NewBaselineItem> = folder
        .items
        .into_iter()
        .map(|item| NewBaselineItem {
            kind: item.kind,
            name: item.name,
            raw: item.policy,
            severity: item.severity,
            rules: item.rules,
        })
        .collect();
    let version = store
        .create_baseline_version(
            &name,
            &folder.description,
            &folder.options,
            &items,
            &folder.directory,
        )
        .await?;
    if publish {
        store.publish_baseline(&name).await?;
    }
    let status = if publish { "published" } else { "draft" };
    report(
        json,
        serde_json::json!({"baseline": name, "version": version, "status": status, "items": items.len()}),
        || {
            format!(
                "Imported {name} v{version} ({status}) with {} items from {}.",
                items.len(),
                dir.display()
            )
        },
    )
}

fn report(json: bool, value: Value, text: impl FnOnce() -> String) -> Outcome {
    if json {
        print_json(&value)?;
    } else {
        println!("{}", text());
    }
    Ok(())
}

async fn create(store: &Store, args: &CreateArgs, json: bool) -> Outcome {
    let (items, directory): (Vec<NewBaselineItem>, Vec<DirectoryObject>) =
        if let Some(dir) = &args.from_dir {
            let dir = dir.clone();
            let report =
                tokio::task::spawn_blocking(move || import_dir(&dir, &ImportOptions::default()))
                    .await
                    .map_err(anyhow::Error::from)??;
            let items = report
                .content
                .items
                .into_iter()
                .map(|item| NewBaselineItem {
                    severity: default_severity(&item.kind),
                    kind: item.kind,
                    name: item.name,
                    raw: item.raw,
                    rules: BTreeMap::new(),
                })
                .collect();
            (items, report.content.directory_objects)
        } else {
            let tenant_name = args.from_tenant.as_deref().unwrap_or_default();
            let tenant = store.tenant(tenant_name).await?;
            let captures = store.list_captures(tenant.id).await?;
            let latest = captures.first().ok_or_else(|| {
                Failure::from(StoreError::NotFound {
                    what: "capture",
                    name: format!("of {} (import one first)", tenant.name),
                })
            })?;
            let items = store
                .capture_items(latest.id)
                .await?
                .into_iter()
                .map(|item| NewBaselineItem {
                    severity: default_severity(&item.kind),
                    kind: item.kind,
                    name: item.name,
                    raw: item.raw,
                    rules: BTreeMap::new(),
                })
                .collect();
            (items, store.directory_objects(latest.id).await?)
        };
    let options = BaselineOptions {
        ignore_version_suffix: args.ignore_version_suffix,
        exclusive_kinds: args.exclusive_kinds.clone(),
    };
    let version = store
        .create_baseline_version(&args.name, &args.description, &options, &items, &directory)
        .await?;
    if args.publish {
        store.publish_baseline(&args.name).await?;
    }
    let status = if args.publish { "published" } else { "draft" };
    report(
        json,
        serde_json::json!({"baseline": args.name, "version": version, "status": status, "items": items.len()}),
        || {
            format!(
                "Created {} v{version} ({status}) with {} items.{}",
                args.name,
                items.len(),
                if args.publish {
                    String::new()
                } else {
                    format!(
                        " Publish it with `plumbline baseline publish \"{}\"`.",
                        args.name
                    )
                }
            )
        },
    )
}

fn parse_variables(pairs: &[String]) -> Result<BTreeMap<String, Value>, Failure> {
    let mut out = BTreeMap::new();
    for pair in pairs {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| Failure::usage(format!("--var {pair}: expected KEY=VALUE")))?;
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
        out.insert(key.trim().to_owned(), value);
    }
    Ok(out)
}

fn parse_severity(text: &str) -> Result<Severity, Failure> {
    Severity::parse(text).ok_or_else(|| {
        Failure::usage(format!(
            "severity {text}: use low, medium, high or critical"
        ))
    })
}

fn parse_rule(text: &str) -> Result<Rule, Failure> {
    let (name, argument) = text.split_once(':').unwrap_or((text, ""));
    let number = |a: &str| {
        a.trim()
            .parse::<f64>()
            .map_err(|_| Failure::usage(format!("rule {text}: {a:?} is not a number")))
    };
    Ok(match name {
        "exact" => Rule::Exact,
        "ignore" => Rule::Ignore,
        "present" => Rule::Present,
        "absent" => Rule::Absent,
        "at_least" => Rule::AtLeast { value: number(argument)? },
        "at_most" => Rule::AtMost { value: number(argument)? },
        "one_of" => Rule::OneOf {
            values: serde_json::from_str(argument).map_err(|e| {
                Failure::usage(format!("rule {text}: one_of needs a JSON array ({e})"))
            })?,
        },
        "tenant_value" if !argument.is_empty() => Rule::TenantValue { variable: argument.to_owned() },
        _ => {
            return Err(Failure::usage(format!(
                "rule {text}: use exact, ignore, present, absent, at_least:N, at_most:N, one_of:[…] or tenant_value:VARIABLE"
            )))
        }
    })
}

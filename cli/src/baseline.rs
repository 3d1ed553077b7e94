//! `plumbline baseline …`: a few lines each over `plumbline_core::baseline::author` and
//! the store.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use plumbline_core::baseline::author::{
    create_baseline, export_baseline, AuthorError, BaselineSource, CreateBaseline,
};
use plumbline_core::baseline::folder::FolderError;
use plumbline_core::baseline::{value_from_text, BaselineOptions, Rule, SettingRule, Severity};
use plumbline_core::store::Store;
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
    /// Assigning again replaces the variables and the pin.
    Assign {
        /// Baseline name.
        name: String,
        #[arg(long)]
        tenant: String,
        /// A variable, KEY=VALUE (VALUE is JSON when it parses as JSON, else a string).
        #[arg(long = "var", value_name = "KEY=VALUE")]
        variables: Vec<String>,
        /// Pin the tenant to this published version instead of following the latest.
        #[arg(long)]
        version: Option<i64>,
    },
    /// Remove a baseline's assignment to a tenant.
    Unassign {
        /// Baseline name.
        name: String,
        #[arg(long)]
        tenant: String,
    },
    /// Start a new draft version as a copy of the latest published one, to edit its rules.
    Draft {
        /// Baseline name.
        name: String,
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
            version,
        } => {
            let tenant = store.tenant(tenant).await?;
            let variables = parse_variables(variables)?;
            store
                .assign_baseline(name, &[tenant.id], &variables, *version)
                .await?;
            report(
                json,
                serde_json::json!({"baseline": name, "tenant": tenant.name, "variables": variables, "pinned_version": version}),
                || match version {
                    Some(v) => format!("Assigned {name} v{v} to {}.", tenant.name),
                    None => format!("Assigned {name} to {}.", tenant.name),
                },
            )
        }
        Command::Unassign { name, tenant } => {
            let tenant = store.tenant(tenant).await?;
            store.unassign_baseline(name, tenant.id).await?;
            report(
                json,
                serde_json::json!({"baseline": name, "tenant": tenant.name, "unassigned": true}),
                || format!("Unassigned {name} from {}.", tenant.name),
            )
        }
        Command::Draft { name } => {
            let version = store.start_baseline_draft(name).await?;
            report(
                json,
                serde_json::json!({"baseline": name, "draft_version": version}),
                || format!("Started {name} v{version} (draft): change its rules, then publish it."),
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

/// Exit codes as for the CLI's own errors: a file the user can fix is bad input (4), a
/// name that does not exist is not found (3), the disk and the database keep theirs.
fn author_failure(error: AuthorError) -> Failure {
    match error {
        AuthorError::Store(store) => store.into(),
        AuthorError::Import(import) => import.into(),
        AuthorError::Folder(FolderError::Io { .. }) | AuthorError::Interrupted(_) => {
            Failure::from(anyhow::Error::from(error))
        }
        AuthorError::Folder(_) => Failure::bad_input(error.to_string()),
        AuthorError::Invalid(message) => Failure::usage(message),
    }
}

async fn export(
    store: &Store,
    name: &str,
    out: &Path,
    version: Option<i64>,
    json: bool,
) -> Outcome {
    let exported = export_baseline(store, name, version, out)
        .await
        .map_err(author_failure)?;
    report(
        json,
        serde_json::json!({"baseline": exported.name, "version": exported.version, "folder": out, "files": exported.files}),
        || {
            format!(
                "Exported {} v{} to {} ({} files).",
                exported.name,
                exported.version,
                out.display(),
                exported.files.len()
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
    let created = create_baseline(
        store,
        &CreateBaseline {
            name: name.map(str::to_owned),
            description: None,
            options: None,
            source: BaselineSource::BaselineFolder(dir.to_path_buf()),
            publish,
        },
    )
    .await
    .map_err(author_failure)?;
    let status = if publish { "published" } else { "draft" };
    report(
        json,
        serde_json::json!({"baseline": created.name, "version": created.version, "status": status, "items": created.items}),
        || {
            format!(
                "Imported {} v{} ({status}) with {} items from {}.",
                created.name,
                created.version,
                created.items,
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
    let source = match (&args.from_dir, &args.from_tenant) {
        (Some(dir), _) => BaselineSource::ExportedPolicies(dir.clone()),
        (None, Some(tenant)) => BaselineSource::Tenant(tenant.clone()),
        (None, None) => return Err(Failure::usage("pass --from-dir DIR or --from-tenant T")),
    };
    let created = create_baseline(
        store,
        &CreateBaseline {
            name: Some(args.name.clone()),
            description: Some(args.description.clone()),
            options: Some(BaselineOptions {
                ignore_version_suffix: args.ignore_version_suffix,
                exclusive_kinds: args.exclusive_kinds.clone(),
            }),
            source,
            publish: args.publish,
        },
    )
    .await
    .map_err(author_failure)?;
    let status = if created.published {
        "published"
    } else {
        "draft"
    };
    report(
        json,
        serde_json::json!({"baseline": created.name, "version": created.version, "status": status, "items": created.items}),
        || {
            format!(
                "Created {} v{} ({status}) with {} items.{}",
                created.name,
                created.version,
                created.items,
                if created.published {
                    String::new()
                } else {
                    format!(
                        " Publish it with `plumbline baseline publish \"{}\"`.",
                        created.name
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
        out.insert(key.trim().to_owned(), value_from_text(value));
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
    let rule = match name {
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
    };
    match rule.problem() {
        Some(problem) => Err(Failure::usage(format!("rule {text}: {problem}"))),
        None => Ok(rule),
    }
}

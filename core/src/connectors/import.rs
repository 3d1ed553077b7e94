//! Importing folders of exported configuration into a capture.
//!
//! Every common exporter's layout is read, detected from the files themselves, in any
//! mix and however the folders were renamed, regrouped or nested by hand:
//! - IntuneManagement: a folder per kind, a file per policy, full OData metadata,
//!   `<name>_Settings.json` companions (administrative templates' definition values,
//!   endpoint-security settings, also as a JSON string holding the JSON), the
//!   `MigrationTable.json` of group and filter names, `%OrganizationId%` placeholders;
//! - IntuneCD backups (JSON and YAML): `Settings Catalog/`, `Compliance Policies/
//!   Policies/`, … with assignments by group name, and side files (profile payloads,
//!   scripts, reports, the archive of deleted policies) that are reported, not read;
//! - the Intune admin center's "Export JSON" of a settings catalog policy;
//! - Microsoft's PowerShell samples, including the endpoint-security `settingsDelta`
//!   form and Windows PowerShell 5.1 artefacts ([`repair`]);
//! - plain Graph JSON: a single object, an array of objects, or a `{"value": [...]}` page.
//!
//! Files are decoded whatever their encoding (UTF-8 with or without a byte-order mark,
//! UTF-16 LE/BE, CRLF line ends). A kind is recognised from `@odata.type`, then the
//! object's shape, then the folder, then `@odata.context`; objects of unknown kinds are
//! kept as `unknown` rather than dropped. Directory objects (groups, filters, named
//! locations, scope tags, terms of use) become [`DirectoryObject`]s used to resolve
//! per-tenant ids. Every file gets a [`FileReport`]: what it held and how that was
//! recognised, or what the file is when it is not a policy.
//!
//! Importing is all or nothing at this level: the result is a complete in-memory capture
//! or an error; bad files either abort the import ([`BadFilePolicy::Abort`], the default)
//! or are skipped and reported ([`BadFilePolicy::Skip`]). Nothing is written until the
//! store persists the whole capture in one transaction.

mod classify;
mod repair;
mod text;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use classify::Detected;
pub use classify::Format;
pub use text::decode_text;

use crate::identity::DERIVED_ID_PREFIX;
use crate::kinds::{self, Layout, ResourceKind};
use crate::model::{CaptureContent, CapturedItem, DirectoryObject, DirectoryObjectKind};
use crate::normalize::harvest_definitions;

/// What to do with a file that cannot be read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BadFilePolicy {
    /// Stop at the first bad file; nothing is imported.
    #[default]
    Abort,
    /// Skip bad files, import the rest, and list what was skipped.
    Skip,
}

/// Options for an import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    pub on_bad_file: BadFilePolicy,
    /// The tenant's Entra tenant id, when known: where it appears in a policy it is read
    /// as IntuneManagement's `%OrganizationId%` placeholder, so exports by any tool (and
    /// of any tenant) compare equal. A migration table's tenant id is used as well.
    pub organization_id: Option<String>,
}

/// A file that was skipped under [`BadFilePolicy::Skip`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
}

/// What one file held.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileReport {
    /// Relative to the import root, `/`-separated.
    pub path: String,
    /// The exporter whose layout the file follows, for files that were read.
    pub format: Option<Format>,
    #[serde(flatten)]
    pub outcome: FileOutcome,
    /// What was read differently from the file's literal text, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// What a file turned out to be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum FileOutcome {
    /// Policies, each with its kind and how it was recognised.
    Policies { items: Vec<RecognisedItem> },
    /// Directory objects (groups, filters, …) used to resolve ids.
    Directory { objects: usize },
    /// Read into the policy file it belongs to (`<name>_Settings.json`).
    Companion { policy: String, what: String },
    /// Not a policy: what it is (a script, a report, a migration table, …).
    NotAPolicy { what: String },
    /// Could not be read; skipped as asked.
    Skipped { reason: String },
}

/// One policy of a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecognisedItem {
    /// The kind's key (`unknown` when not recognised).
    pub kind: String,
    pub name: String,
    /// How the kind was recognised, or why it was not.
    pub how: String,
}

/// The outcome of a successful import.
#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    pub content: CaptureContent,
    /// JSON and YAML files read (including skipped ones).
    pub files_read: usize,
    pub skipped: Vec<SkippedFile>,
    /// Every file under the root, in path order.
    pub files: Vec<FileReport>,
}

impl ImportReport {
    /// How many files each exporter's layout accounts for.
    pub fn formats(&self) -> BTreeMap<Format, usize> {
        let mut out = BTreeMap::new();
        for file in &self.files {
            if let Some(format) = file.format {
                *out.entry(format).or_default() += 1;
            }
        }
        out
    }
}

/// Why an import failed. Every variant names the file and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The folder to import does not exist or is not a folder.
    #[error("{} is not a folder: pass the folder that holds the exported JSON files", .0.display())]
    NotADirectory(PathBuf),
    /// A file or folder could not be read from disk.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file is not valid JSON or YAML.
    #[error("{path}: {problem}")]
    BadFile { path: String, problem: FileProblem },
    /// The folder held no JSON or YAML files at all.
    #[error("no .json or .yaml files found under {}: export the tenant's policies (one file per policy, or Graph list pages) into this folder first", .0.display())]
    NoJsonFiles(PathBuf),
    /// Every policy file was skipped: there is nothing to import.
    #[error("none of the {0} JSON or YAML files could be imported (see the skipped files)")]
    NothingImported(usize),
}

/// What is wrong with one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileProblem {
    /// The bytes are not text in a supported encoding.
    Encoding(String),
    /// The text is not JSON (or YAML, for `.yaml` files).
    Syntax {
        /// `JSON` or `YAML`.
        language: &'static str,
        line: usize,
        column: usize,
        message: String,
    },
    /// The JSON is not a Graph object, an array of objects or a `value` page.
    Shape(String),
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Encoding(what) => write!(
                f,
                "not readable text ({what}); save it as UTF-8 or UTF-16 with a byte-order mark"
            ),
            Self::Syntax {
                language,
                line,
                column,
                message,
            } => write!(
                f,
                "invalid {language} at line {line}, column {column}: {message}; fix or remove the file"
            ),
            Self::Shape(what) => write!(
                f,
                "{what}; expected a Graph object, an array of objects or a {{\"value\": [...]}} page"
            ),
        }
    }
}

/// Imports every file under `root` (recursively, in sorted order). Hidden files and
/// folders are left out; symbolic links to folders are not followed.
pub fn import_dir(root: &Path, opts: &ImportOptions) -> Result<ImportReport, ImportError> {
    if !root.is_dir() {
        return Err(ImportError::NotADirectory(root.to_path_buf()));
    }
    let mut paths = Vec::new();
    collect_files(root, &mut paths)?;
    paths.sort();
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let relative = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        // Side files are classified by name; only policy files are read.
        let bytes = if is_policy_file(&relative) && classify::ignored_by_folder(&relative).is_none()
        {
            std::fs::read(&path).map_err(|source| ImportError::Io {
                path: path.clone(),
                source,
            })?
        } else {
            Vec::new()
        };
        files.push((relative, bytes));
    }
    if !files.iter().any(|(p, _)| is_policy_file(p)) {
        return Err(ImportError::NoJsonFiles(root.to_path_buf()));
    }
    import_files(files, opts)
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ImportError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ImportError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| ImportError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let file_type = entry.file_type().map_err(|source| ImportError::Io {
            path: entry.path(),
            source,
        })?;
        let path = entry.path();
        // Symlinked folders are not followed: a loop would never end.
        if file_type.is_dir() {
            collect_files(&path, out)?;
        } else if file_type.is_file() || (file_type.is_symlink() && path.is_file()) {
            out.push(path);
        }
    }
    Ok(())
}

/// JSON and YAML files are read; everything else is a side file.
fn is_policy_file(path: &str) -> bool {
    matches!(classify::extension(path).as_str(), "json" | "yaml" | "yml")
}

fn is_yaml(path: &str) -> bool {
    matches!(classify::extension(path).as_str(), "yaml" | "yml")
}

/// One file read: its report so far, and what it holds.
struct ReadFile {
    path: String,
    format: Option<Format>,
    content: Content,
    notes: Vec<String>,
}

enum Content {
    /// Graph objects, with the context of the page that held them.
    Objects(Vec<Value>, Option<String>),
    /// Settings for the policy file `policy` (a `_Settings.json` companion).
    Companion { policy: String, settings: Value },
    /// Directory objects of a migration table, and the tenant id it names.
    MigrationTable(Vec<DirectoryObject>, Option<String>),
    /// Reported as it is, not imported.
    Outcome(FileOutcome),
}

/// Imports `(relative path, bytes)` pairs: the same rules as [`import_dir`] without the
/// filesystem. Paths use `/` separators; their folders take part in kind detection.
pub fn import_files<P: AsRef<str>, B: AsRef<[u8]>>(
    files: impl IntoIterator<Item = (P, B)>,
    opts: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let files: Vec<(P, B)> = files.into_iter().collect();
    let stems: HashMap<(String, String), String> = files
        .iter()
        .map(|(p, _)| p.as_ref())
        .filter(|p| is_policy_file(p))
        .map(|p| {
            (
                (
                    parent_of(p).to_owned(),
                    classify::file_stem(p).to_lowercase(),
                ),
                p.to_owned(),
            )
        })
        .collect();
    let mut report = ImportReport::default();
    let mut read = Vec::with_capacity(files.len());
    for (path, bytes) in &files {
        let path = path.as_ref();
        if let Some(why) = classify::ignored_by_folder(path) {
            read.push(ReadFile::outcome(
                path,
                FileOutcome::NotAPolicy {
                    what: why.to_owned(),
                },
            ));
            continue;
        }
        if !is_policy_file(path) {
            let what = classify::side_file(path).to_owned();
            read.push(ReadFile::outcome(path, FileOutcome::NotAPolicy { what }));
            continue;
        }
        report.files_read += 1;
        match read_file(path, bytes.as_ref(), &stems) {
            Ok(file) => read.push(file),
            Err(problem) => match opts.on_bad_file {
                BadFilePolicy::Abort => {
                    return Err(ImportError::BadFile {
                        path: path.to_owned(),
                        problem,
                    })
                }
                BadFilePolicy::Skip => {
                    let reason = problem.to_string();
                    report.skipped.push(SkippedFile {
                        path: path.to_owned(),
                        reason: reason.clone(),
                    });
                    read.push(ReadFile::outcome(path, FileOutcome::Skipped { reason }));
                }
            },
        }
    }
    if report.files_read > 0 && report.files_read == report.skipped.len() {
        return Err(ImportError::NothingImported(report.files_read));
    }

    // A migration table names the tenant: its id is the placeholder's too.
    let organization_id = opts.organization_id.clone().or_else(|| {
        read.iter().find_map(|f| match &f.content {
            Content::MigrationTable(_, tenant) => tenant.clone(),
            _ => None,
        })
    });
    // Companions by the policy file they belong to.
    let mut companions: HashMap<String, (Value, String)> = HashMap::new();
    for file in &mut read {
        if let Content::Companion { policy, settings } = &mut file.content {
            companions.insert(
                policy.clone(),
                (std::mem::take(settings), file.path.clone()),
            );
        }
    }
    for file in &mut read {
        let outcome = match std::mem::replace(
            &mut file.content,
            Content::Outcome(FileOutcome::Directory { objects: 0 }),
        ) {
            Content::Outcome(outcome) => outcome,
            Content::Companion { policy, .. } => FileOutcome::Companion {
                what: "settings of its policy file".to_owned(),
                policy,
            },
            Content::MigrationTable(objects, _) => {
                let count = objects.len();
                report.content.directory_objects.extend(objects);
                if count == 0 {
                    FileOutcome::NotAPolicy {
                        what: "a migration table without groups or filters".to_owned(),
                    }
                } else {
                    FileOutcome::Directory { objects: count }
                }
            }
            Content::Objects(objects, page_context) => {
                let companion = companions.remove(&file.path);
                let mut objects = objects;
                if let Some((settings, companion_path)) = companion {
                    attach_companion(&mut objects, settings, &companion_path, &mut file.notes);
                }
                read_objects(
                    &file.path,
                    objects,
                    page_context.as_deref(),
                    organization_id.as_deref(),
                    &mut report.content,
                    &mut file.notes,
                )
            }
        };
        report.files.push(FileReport {
            path: std::mem::take(&mut file.path),
            format: file.format,
            outcome,
            notes: std::mem::take(&mut file.notes),
        });
    }
    report.content.recount_kinds();
    Ok(report)
}

impl ReadFile {
    fn outcome(path: &str, outcome: FileOutcome) -> Self {
        Self {
            path: path.to_owned(),
            format: None,
            content: Content::Outcome(outcome),
            notes: Vec::new(),
        }
    }
}

fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(parent, _)| parent)
}

/// Reads one JSON or YAML file.
fn read_file(
    path: &str,
    bytes: &[u8],
    stems: &HashMap<(String, String), String>,
) -> Result<ReadFile, FileProblem> {
    let text = decode_text(bytes)?;
    let yaml = is_yaml(path);
    let value = if yaml {
        text::parse_yaml(&text)?
    } else {
        text::parse_json(&text)?
    };
    let format = Some(classify::file_format(path, &text, &value, yaml));
    let file = |content| ReadFile {
        path: path.to_owned(),
        format,
        content,
        notes: Vec::new(),
    };
    let stem = classify::file_stem(path);
    let name = classify::file_name(path);

    // `<name>_Settings.json` next to `<name>.json`: the policy's settings.
    if let Some(base) = strip_suffix_ignore_case(stem, "_settings") {
        if let Some(policy) = stems.get(&(parent_of(path).to_owned(), base.to_lowercase())) {
            let settings = companion_settings(value)?;
            return Ok(file(Content::Companion {
                policy: policy.clone(),
                settings,
            }));
        }
        // Settings without their policy are no policy of their own.
        if value.is_array() || value.is_string() || value.get("settings").is_some() {
            return Ok(file(Content::Outcome(FileOutcome::NotAPolicy {
                what: format!("the settings of a policy whose file ({base}.json) is missing"),
            })));
        }
    }
    if name.eq_ignore_ascii_case("MigrationTable.json") || is_migration_table(&value) {
        let (objects, tenant) = migration_table(&value);
        return Ok(file(Content::MigrationTable(objects, tenant)));
    }
    if let Some(what) = not_a_policy(name, &value) {
        return Ok(file(Content::Outcome(FileOutcome::NotAPolicy {
            what: what.to_owned(),
        })));
    }
    let (objects, page_context) = match value {
        Value::Object(mut map) => match map.remove("value") {
            Some(Value::Array(values)) if is_page(&map) => {
                let context = map
                    .get("@odata.context")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                (values, context)
            }
            Some(other) => {
                map.insert("value".to_owned(), other);
                (vec![Value::Object(map)], None)
            }
            None => (vec![Value::Object(map)], None),
        },
        Value::Array(values) => (values, None),
        // JSON written as a JSON string (PowerShell piping a string into ConvertTo-Json).
        Value::String(inner)
            if text::parse_json(&inner).is_ok_and(|v| v.is_object() || v.is_array()) =>
        {
            let mut unwrapped = read_file(path, inner.as_bytes(), stems)?;
            unwrapped
                .notes
                .push("JSON read from inside a JSON string".to_owned());
            return Ok(unwrapped);
        }
        other => {
            return Err(FileProblem::Shape(format!(
                "the file holds a JSON {}",
                json_type_name(&other)
            )))
        }
    };
    for (index, object) in objects.iter().enumerate() {
        if !object.is_object() {
            return Err(FileProblem::Shape(format!(
                "element {index} is a JSON {}, not an object",
                json_type_name(object)
            )));
        }
    }
    if objects.is_empty() {
        return Ok(file(Content::Outcome(FileOutcome::NotAPolicy {
            what: "an empty list".to_owned(),
        })));
    }
    Ok(file(Content::Objects(objects, page_context)))
}

fn strip_suffix_ignore_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = text.len().checked_sub(suffix.len())?;
    (text.is_char_boundary(cut) && text[cut..].eq_ignore_ascii_case(suffix) && cut > 0)
        .then(|| &text[..cut])
}

/// A companion's settings, whatever form the exporter wrote: a list, a single object
/// (PowerShell collapses a one-item list), `{"settings": [...]}`, or any of these as a
/// JSON string holding the JSON (IntuneManagement's endpoint-security export).
fn companion_settings(value: Value) -> Result<Value, FileProblem> {
    let value = match value {
        Value::String(inner) => text::parse_json(&inner).map_err(|problem| {
            FileProblem::Shape(format!(
                "the settings file holds a string that is not JSON ({problem})"
            ))
        })?,
        other => other,
    };
    Ok(match value {
        Value::Object(mut map) => match map.remove("settings").or_else(|| map.remove("value")) {
            Some(list) => list,
            None => Value::Object(map),
        },
        other => other,
    })
}

/// Puts a companion's settings into the policy it belongs to, where the policy file does
/// not already hold them (newer IntuneManagement versions write them in both places).
fn attach_companion(
    objects: &mut [Value],
    settings: Value,
    companion: &str,
    notes: &mut Vec<String>,
) {
    let Some(Value::Object(policy)) = objects.first_mut() else {
        return;
    };
    let list = match settings {
        Value::Array(list) => list,
        Value::Null => Vec::new(),
        single => vec![single],
    };
    let intent_style = list
        .iter()
        .any(|e| e.get("definitionId").is_some() || e.get("valueJson").is_some());
    let field = if intent_style {
        "settings"
    } else {
        "definitionValues"
    };
    let present = policy
        .get(field)
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    let name = classify::file_name(companion);
    if present {
        notes.push(format!(
            "{field} from the policy file; {name} holds them too"
        ));
    } else {
        notes.push(format!("{field} read from {name}"));
        policy.insert(field.to_owned(), Value::Array(list));
    }
}

/// `{TenantId, Organization, Objects: [{Id, DisplayName, Type}]}` in any key order.
fn is_migration_table(value: &Value) -> bool {
    value.get("Objects").is_some_and(Value::is_array)
        && (value.get("TenantId").is_some() || value.get("Organization").is_some())
}

/// The groups and filters a migration table names, and the tenant's id.
fn migration_table(value: &Value) -> (Vec<DirectoryObject>, Option<String>) {
    let tenant = value
        .get("TenantId")
        .and_then(Value::as_str)
        .filter(|t| classify::is_guid(t))
        .map(str::to_owned);
    let objects = value
        .get("Objects")
        .and_then(Value::as_array)
        .map(|objects| {
            objects
                .iter()
                .filter_map(|o| {
                    let kind = match o.get("Type").and_then(Value::as_str)? {
                        "Group" => DirectoryObjectKind::Group,
                        "AssignmentFilter" => DirectoryObjectKind::AssignmentFilter,
                        _ => return None,
                    };
                    // Placeholders (`%…%`) stand for ids made at import: not an id.
                    let id = o
                        .get("Id")
                        .and_then(Value::as_str)
                        .filter(|i| !i.contains('%'))?;
                    let name = o.get("DisplayName").and_then(Value::as_str)?;
                    Some(DirectoryObject {
                        kind,
                        external_id: id.to_owned(),
                        display_name: name.to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    (objects, tenant)
}

/// Files that are JSON but no policy.
fn not_a_policy(name: &str, value: &Value) -> Option<&'static str> {
    if name.eq_ignore_ascii_case("backup_summary.json") {
        return Some("IntuneCD's backup summary");
    }
    if value
        .get("format")
        .and_then(Value::as_str)
        .is_some_and(|f| f.starts_with("plumbline-baseline"))
    {
        return Some(
            "a Plumbline baseline folder's manifest (import it with `plumbline baseline import`)",
        );
    }
    if name.eq_ignore_ascii_case("package.json") || name.eq_ignore_ascii_case("tsconfig.json") {
        return Some("a project file");
    }
    None
}

/// Objects read from a Graph collection (`deviceManagement/configurationPolicies`), taken
/// in exactly as an import takes them (same kind detection, same repairs), so a tenant
/// captured from Graph and the same tenant exported to files normalise alike. Returns the
/// notes an import would show for the file.
pub fn graph_items(
    collection: &str,
    objects: Vec<Value>,
    content: &mut CaptureContent,
) -> Vec<String> {
    let mut notes = Vec::new();
    let context = format!("https://graph.microsoft.com/beta/$metadata#{collection}");
    // A path without folders: only the objects and their collection say what they are.
    let path = format!("graph:{}", collection.replace('/', ":"));
    read_objects(&path, objects, Some(&context), None, content, &mut notes);
    notes
}

/// Turns a file's objects into items and directory objects; returns the file's outcome.
fn read_objects(
    path: &str,
    objects: Vec<Value>,
    page_context: Option<&str>,
    organization_id: Option<&str>,
    content: &mut CaptureContent,
    notes: &mut Vec<String>,
) -> FileOutcome {
    let many = objects.len() > 1;
    let file_name = classify::name_from_stem(classify::file_stem(path));
    let mut items = Vec::new();
    let mut directory = 0usize;
    let mut repair_notes: BTreeMap<String, usize> = BTreeMap::new();
    for (index, object) in objects.into_iter().enumerate() {
        let Value::Object(map) = object else { continue };
        let (map, repaired) = repair::repair(map, organization_id);
        for note in repaired.notes {
            *repair_notes.entry(note).or_default() += 1;
        }
        match classify::detect(&map, path, page_context) {
            Detected::Directory(kind) => {
                let Some(external_id) = string_field(&map, "id") else {
                    // IntuneCD drops ids; its references are names already.
                    notes.push(format!(
                        "a {} without an id (its references use names)",
                        directory_label(kind)
                    ));
                    continue;
                };
                let display_name = string_field(&map, "displayName")
                    .or_else(|| string_field(&map, "name"))
                    .unwrap_or_else(|| external_id.clone());
                content.directory_objects.push(DirectoryObject {
                    kind,
                    external_id,
                    display_name,
                });
                directory += 1;
            }
            Detected::Item(kind, how) => {
                let mut map = map;
                if kind.is_some_and(|k| k.normalization.layout == Layout::SettingsCatalog) {
                    // Definitions beside each setting (Graph's `$expand=settingDefinitions`):
                    // kept once per capture for labels, not in every policy.
                    harvest_definitions(&mut map, &mut content.definitions);
                }
                let item = captured_item(path, index, many, &file_name, map, kind);
                items.push(RecognisedItem {
                    kind: item.kind.clone(),
                    name: item.name.clone(),
                    how: how.to_string(),
                });
                content.items.push(item);
            }
        }
    }
    notes.extend(repair_notes.into_iter().map(|(note, count)| {
        if count > 1 {
            format!("{note} in {count} objects")
        } else {
            note
        }
    }));
    if items.is_empty() && directory > 0 {
        FileOutcome::Directory { objects: directory }
    } else if items.is_empty() {
        FileOutcome::NotAPolicy {
            what: "no policy or directory object".to_owned(),
        }
    } else {
        FileOutcome::Policies { items }
    }
}

fn directory_label(kind: DirectoryObjectKind) -> &'static str {
    match kind {
        DirectoryObjectKind::Group => "group",
        DirectoryObjectKind::AssignmentFilter => "assignment filter",
        DirectoryObjectKind::NamedLocation => "named location",
        DirectoryObjectKind::ScopeTag => "scope tag",
        DirectoryObjectKind::TermsOfUse => "terms of use",
    }
}

fn captured_item(
    path: &str,
    index: usize,
    many: bool,
    file_name: &str,
    map: Map<String, Value>,
    kind: Option<&'static ResourceKind>,
) -> CapturedItem {
    let name_field = kind.map(|k| k.name_field).unwrap_or("displayName");
    let name = string_field(&map, name_field)
        .or_else(|| string_field(&map, "displayName"))
        .or_else(|| string_field(&map, "name"))
        .unwrap_or_else(|| {
            let base = if file_name.is_empty() {
                "unnamed"
            } else {
                file_name
            };
            if many {
                format!("{base} #{}", index + 1)
            } else {
                base.to_owned()
            }
        });
    let external_id = string_field(&map, "id").unwrap_or_else(|| derived_id(path, index));
    let odata_type = string_field(&map, "@odata.type");
    CapturedItem {
        kind: kind.map(|k| k.key).unwrap_or(kinds::UNKNOWN).to_owned(),
        odata_type,
        external_id,
        name,
        raw: std::sync::Arc::new(Value::Object(map)),
        source_path: Some(path.to_owned()),
    }
}

/// A `{"value": [...]}` object is a Graph list page when its other keys are annotations.
fn is_page(map: &Map<String, Value>) -> bool {
    map.keys().all(|k| k.starts_with('@'))
}

fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn string_field(map: &Map<String, Value>, field: &str) -> Option<String> {
    map.get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_owned)
}

/// A stable id for objects that carry none (some exports strip ids).
fn derived_id(path: &str, index: usize) -> String {
    let digest = Sha256::digest(format!("{path}#{index}").as_bytes());
    format!("{DERIVED_ID_PREFIX}{}", &hex::encode(digest)[..16])
}

#[cfg(test)]
mod exporter_tests;
#[cfg(test)]
mod tests;

//! Importing folders of Microsoft Graph JSON into a capture.
//!
//! Two layouts are read, in any mix:
//! - the IntuneManagement export layout: a folder per kind (`SettingsCatalog/`,
//!   `CompliancePolicies/`, …), a file per policy;
//! - plain Graph JSON: a single object, an array of objects, or a `{"value": [...]}` page.
//!
//! Files are decoded whatever their encoding (UTF-8 with or without a byte-order mark,
//! UTF-16 LE/BE with a mark, CRLF line ends). A kind is detected from `@odata.type`, then
//! the export folder, then `@odata.context`; objects of unknown kinds are kept as `unknown`
//! rather than dropped. Directory objects (groups, filters, named locations, scope tags,
//! terms of use) become [`DirectoryObject`]s used to resolve per-tenant ids.
//!
//! Importing is all or nothing at this level: the result is a complete in-memory capture
//! or an error; bad files either abort the import ([`BadFilePolicy::Abort`], the default)
//! or are skipped and reported ([`BadFilePolicy::Skip`]). Nothing is written until the
//! store persists the whole capture in one transaction.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::kinds::{self, ResourceKind, KINDS};
use crate::model::{CaptureContent, CapturedItem, DirectoryObject, DirectoryObjectKind};

/// What to do with a file that cannot be read as Graph JSON.
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
}

/// A file that was skipped under [`BadFilePolicy::Skip`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
}

/// The outcome of a successful import.
#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    pub content: CaptureContent,
    /// JSON files read (including skipped ones).
    pub files_read: usize,
    pub skipped: Vec<SkippedFile>,
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
    /// A file is not valid Graph JSON.
    #[error("{path}: {problem}")]
    BadFile { path: String, problem: FileProblem },
    /// The folder held no JSON files at all.
    #[error("no .json files found under {}: export the tenant's policies (one JSON file per policy, or Graph list pages) into this folder first", .0.display())]
    NoJsonFiles(PathBuf),
    /// Every JSON file was skipped: there is nothing to import.
    #[error("none of the {0} JSON files could be imported (see the skipped files)")]
    NothingImported(usize),
}

/// What is wrong with one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileProblem {
    /// The bytes are not text in a supported encoding.
    Encoding(String),
    /// The text is not JSON.
    Syntax {
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
                line,
                column,
                message,
            } => write!(
                f,
                "invalid JSON at line {line}, column {column}: {message}; fix or remove the file"
            ),
            Self::Shape(what) => write!(
                f,
                "{what}; expected a Graph object, an array of objects or a {{\"value\": [...]}} page"
            ),
        }
    }
}

/// Imports every `.json` file under `root` (recursively, in sorted order).
pub fn import_dir(root: &Path, opts: &ImportOptions) -> Result<ImportReport, ImportError> {
    if !root.is_dir() {
        return Err(ImportError::NotADirectory(root.to_path_buf()));
    }
    let mut paths = Vec::new();
    collect_json_files(root, &mut paths)?;
    paths.sort();
    if paths.is_empty() {
        return Err(ImportError::NoJsonFiles(root.to_path_buf()));
    }
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let bytes = std::fs::read(&path).map_err(|source| ImportError::Io {
            path: path.clone(),
            source,
        })?;
        let relative = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        files.push((relative, bytes));
    }
    import_files(files, opts)
}

fn collect_json_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ImportError> {
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
            collect_json_files(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("json"))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Imports `(relative path, bytes)` pairs: the same rules as [`import_dir`] without the
/// filesystem. Paths use `/` separators; their folders take part in kind detection.
pub fn import_files<P: AsRef<str>, B: AsRef<[u8]>>(
    files: impl IntoIterator<Item = (P, B)>,
    opts: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport::default();
    for (path, bytes) in files {
        let path = path.as_ref();
        report.files_read += 1;
        match read_file(path, bytes.as_ref()) {
            Ok((items, directory_objects)) => {
                report.content.items.extend(items);
                report.content.directory_objects.extend(directory_objects);
            }
            Err(problem) => match opts.on_bad_file {
                BadFilePolicy::Abort => {
                    return Err(ImportError::BadFile {
                        path: path.to_string(),
                        problem,
                    })
                }
                BadFilePolicy::Skip => report.skipped.push(SkippedFile {
                    path: path.to_string(),
                    reason: problem.to_string(),
                }),
            },
        }
    }
    if report.files_read > 0 && report.files_read == report.skipped.len() {
        return Err(ImportError::NothingImported(report.files_read));
    }
    report.content.recount_kinds();
    Ok(report)
}

type FileObjects = (Vec<CapturedItem>, Vec<DirectoryObject>);

fn read_file(path: &str, bytes: &[u8]) -> Result<FileObjects, FileProblem> {
    let text = decode_text(bytes)?;
    let value: Value = serde_json::from_str(&text).map_err(|e| FileProblem::Syntax {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let folders: Vec<&str> = path.split('/').rev().skip(1).collect();
    let file_stem = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".json")
        .trim_end_matches(".JSON");

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
        other => {
            return Err(FileProblem::Shape(format!(
                "the file holds a JSON {}",
                json_type_name(&other)
            )))
        }
    };

    let many = objects.len() > 1;
    let mut items = Vec::new();
    let mut directory_objects = Vec::new();
    for (index, object) in objects.into_iter().enumerate() {
        let Value::Object(map) = object else {
            return Err(FileProblem::Shape(format!(
                "element {index} is a JSON {}, not an object",
                json_type_name(&object)
            )));
        };
        let detected = detect(&map, &folders, page_context.as_deref());
        match detected {
            Detected::Directory(kind) => {
                let external_id = string_field(&map, "id").ok_or_else(|| {
                    FileProblem::Shape(format!("directory object {index} has no id"))
                })?;
                let display_name = string_field(&map, "displayName")
                    .or_else(|| string_field(&map, "name"))
                    .unwrap_or_else(|| external_id.clone());
                directory_objects.push(DirectoryObject {
                    kind,
                    external_id,
                    display_name,
                });
            }
            Detected::Item(kind) => {
                let name_field = kind.map(|k| k.name_field).unwrap_or("displayName");
                let name = string_field(&map, name_field)
                    .or_else(|| string_field(&map, "displayName"))
                    .or_else(|| string_field(&map, "name"))
                    .unwrap_or_else(|| {
                        if many {
                            format!("{file_stem} #{}", index + 1)
                        } else {
                            file_stem.to_owned()
                        }
                    });
                let external_id =
                    string_field(&map, "id").unwrap_or_else(|| derived_id(path, index));
                let odata_type = string_field(&map, "@odata.type");
                items.push(CapturedItem {
                    kind: kind.map(|k| k.key).unwrap_or(kinds::UNKNOWN).to_owned(),
                    odata_type,
                    external_id,
                    name,
                    raw: Value::Object(map),
                    source_path: Some(path.to_owned()),
                });
            }
        }
    }
    if items.is_empty() && directory_objects.is_empty() {
        return Err(FileProblem::Shape("the file holds no objects".to_owned()));
    }
    Ok((items, directory_objects))
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
    format!("file:{}", &hex::encode(digest)[..16])
}

/// Decodes file bytes to text: UTF-8 (optional BOM) or UTF-16 LE/BE with a BOM, or
/// UTF-16 LE without one when the byte pattern leaves no doubt.
pub fn decode_text(bytes: &[u8]) -> Result<String, FileProblem> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes);
    }
    // JSON starts with an ASCII character; UTF-16 without a mark shows as a zero byte
    // after (LE) or before (BE) it.
    if bytes.len() >= 2 && bytes.len().is_multiple_of(2) {
        if bytes[0] != 0 && bytes[1] == 0 {
            return utf16(bytes, u16::from_le_bytes);
        }
        if bytes[0] == 0 && bytes[1] != 0 {
            return utf16(bytes, u16::from_be_bytes);
        }
    }
    utf8(bytes)
}

fn utf8(bytes: &[u8]) -> Result<String, FileProblem> {
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        FileProblem::Encoding(format!(
            "invalid UTF-8 at byte {}",
            e.utf8_error().valid_up_to()
        ))
    })
}

fn utf16(bytes: &[u8], to_unit: fn([u8; 2]) -> u16) -> Result<String, FileProblem> {
    if !bytes.len().is_multiple_of(2) {
        return Err(FileProblem::Encoding(
            "UTF-16 text with an odd number of bytes".to_owned(),
        ));
    }
    let units = bytes
        .chunks_exact(2)
        .map(|pair| to_unit([pair[0], pair[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|e| FileProblem::Encoding(format!("invalid UTF-16: {e}")))
}

enum Detected {
    Item(Option<&'static ResourceKind>),
    Directory(DirectoryObjectKind),
}

/// A directory-object kind: `@odata.type` names, Graph endpoints and export folders.
type DirectoryKindEntry = (
    DirectoryObjectKind,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

static DIRECTORY_KINDS: &[DirectoryKindEntry] = &[
    (
        DirectoryObjectKind::Group,
        &["microsoft.graph.group"],
        &["groups"],
        &["Groups"],
    ),
    (
        DirectoryObjectKind::AssignmentFilter,
        &["microsoft.graph.deviceAndAppManagementAssignmentFilter"],
        &["deviceManagement/assignmentFilters"],
        &["AssignmentFilters", "Filters"],
    ),
    (
        DirectoryObjectKind::NamedLocation,
        &[
            "microsoft.graph.namedLocation",
            "microsoft.graph.ipNamedLocation",
            "microsoft.graph.countryNamedLocation",
        ],
        &["identity/conditionalAccess/namedLocations"],
        &["NamedLocations"],
    ),
    (
        DirectoryObjectKind::ScopeTag,
        &["microsoft.graph.roleScopeTag"],
        &["deviceManagement/roleScopeTags"],
        &["ScopeTags", "RoleScopeTags"],
    ),
    (
        DirectoryObjectKind::TermsOfUse,
        &["microsoft.graph.agreement"],
        &["identityGovernance/termsOfUse/agreements", "agreements"],
        &["TermsOfUse", "Agreements"],
    ),
];

fn detect(map: &Map<String, Value>, folders: &[&str], page_context: Option<&str>) -> Detected {
    let odata_type = map
        .get("@odata.type")
        .and_then(Value::as_str)
        .map(|t| t.trim_start_matches('#'));
    let context_path = map
        .get("@odata.context")
        .and_then(Value::as_str)
        .or(page_context)
        .and_then(context_collection);

    // 1. An exact @odata.type is the strongest signal.
    if let Some(t) = odata_type {
        if let Some(kind) = KINDS.iter().find(|k| k.odata_types.contains(&t)) {
            return Detected::Item(Some(kind));
        }
        if let Some((kind, ..)) = DIRECTORY_KINDS.iter().find(|d| d.1.contains(&t)) {
            return Detected::Directory(*kind);
        }
    }
    // 2. The export folder: the user's own layout.
    for folder in folders {
        if let Some(kind) = KINDS
            .iter()
            .find(|k| k.folders.iter().any(|f| f.eq_ignore_ascii_case(folder)))
        {
            return Detected::Item(Some(kind));
        }
        if let Some((kind, ..)) = DIRECTORY_KINDS
            .iter()
            .find(|d| d.3.iter().any(|f| f.eq_ignore_ascii_case(folder)))
        {
            return Detected::Directory(*kind);
        }
    }
    // 3. The collection named by @odata.context. Several kinds can share a collection
    //    (update rings live under deviceConfigurations): the generic one, which has no
    //    exact types of its own, wins.
    if let Some(path) = context_path.as_deref() {
        let candidates: Vec<&'static ResourceKind> = KINDS
            .iter()
            .filter(|k| k.endpoints.iter().any(|e| e.eq_ignore_ascii_case(path)))
            .collect();
        if let Some(kind) = candidates
            .iter()
            .find(|k| k.odata_types.is_empty())
            .or(candidates.first())
        {
            return Detected::Item(Some(kind));
        }
        if let Some((kind, ..)) = DIRECTORY_KINDS
            .iter()
            .find(|d| d.2.iter().any(|e| e.eq_ignore_ascii_case(path)))
        {
            return Detected::Directory(*kind);
        }
    }
    // 4. A family suffix of the type (`…CompliancePolicy`, `…Configuration`).
    if let Some(name) = odata_type.and_then(|t| t.strip_prefix("microsoft.graph.")) {
        if let Some(kind) = KINDS
            .iter()
            .find(|k| k.odata_type_suffixes.iter().any(|s| name.ends_with(s)))
        {
            return Detected::Item(Some(kind));
        }
    }
    Detected::Item(None)
}

/// The collection path of an `@odata.context` URL:
/// `https://graph.microsoft.com/beta/$metadata#deviceManagement/configurationPolicies(assignments(),settings())/$entity`
/// gives `deviceManagement/configurationPolicies`.
fn context_collection(context: &str) -> Option<String> {
    let (_, fragment) = context.split_once("$metadata#")?;
    let mut out = String::new();
    let mut depth = 0usize;
    for c in fragment.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let path = out
        .split('/')
        .filter(|segment| !segment.is_empty() && !segment.starts_with('$'))
        .collect::<Vec<_>>()
        .join("/");
    (!path.is_empty()).then_some(path)
}

#[cfg(test)]
mod tests;

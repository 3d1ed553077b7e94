//! A baseline as a folder of files, so that it can live in git and be reviewed as a diff.
//!
//! ```text
//! baseline.json                       format, name, description, version, options,
//!                                     directory objects (to resolve ids in the policies)
//! items/<kind>/<policy name>.json     kind, name, severity, rules, and the policy's
//!                                     Graph JSON under "policy"
//! ```
//!
//! Files are pretty-printed with a trailing newline and items are one file per policy,
//! so a changed setting is a one-line diff. File names are the policy names with
//! characters that are unsafe in file names replaced; two names that would collide get
//! a short hash suffix. Writing goes to a sibling temporary folder that replaces the
//! target at the end, so an interrupted export never leaves a half-written baseline.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{BaselineOptions, SettingRule, Severity};
use crate::model::DirectoryObject;

/// The `format` of `baseline.json`.
pub const FORMAT: &str = "plumbline-baseline/1";

/// Why a baseline folder could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("{} exists and is not a baseline folder (no baseline.json): choose an empty or new folder", path.display())]
    NotABaselineFolder { path: PathBuf },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FolderError + '_ {
    move |source| FolderError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn invalid(path: &Path, message: impl Into<String>) -> FolderError {
    FolderError::Invalid {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// One baseline version, as files hold it.
#[derive(Clone, Debug, PartialEq)]
pub struct BaselineFolder {
    pub name: String,
    pub description: String,
    /// The version it was exported from (informational: importing makes a new draft).
    pub version: Option<i64>,
    pub options: BaselineOptions,
    pub items: Vec<FolderItem>,
    pub directory: Vec<DirectoryObject>,
}

/// One policy of the baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FolderItem {
    pub kind: String,
    /// The item's key in the baseline (unique per kind).
    pub name: String,
    /// The policy's own name when several policies share it and `name` tells them apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_name: Option<String>,
    pub severity: Severity,
    #[serde(default)]
    pub rules: BTreeMap<String, SettingRule>,
    pub policy: Value,
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    format: String,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    version: Option<i64>,
    #[serde(default)]
    options: BaselineOptions,
    #[serde(default)]
    directory_objects: Vec<DirectoryObject>,
}

/// A file name for a policy name: path separators, control and reserved characters
/// become `_`; trailing dots and spaces are trimmed (Windows); never empty.
pub fn file_stem(name: &str) -> String {
    let mapped: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let trimmed = mapped.trim_end_matches(['.', ' ']).trim_start();
    if trimmed.is_empty() || trimmed.starts_with('.') {
        format!("_{trimmed}")
    } else {
        trimmed.chars().take(150).collect()
    }
}

fn pretty(value: &impl Serialize, path: &Path) -> Result<Vec<u8>, FolderError> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| invalid(path, format!("cannot encode: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Writes the baseline into `dir` (created, or replaced when it is a baseline folder).
/// Returns the files written, relative to `dir`.
pub fn write_folder(dir: &Path, baseline: &BaselineFolder) -> Result<Vec<PathBuf>, FolderError> {
    if dir.exists() {
        let is_empty = std::fs::read_dir(dir).map_err(io(dir))?.next().is_none();
        if !is_empty && !dir.join("baseline.json").is_file() {
            return Err(FolderError::NotABaselineFolder {
                path: dir.to_path_buf(),
            });
        }
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let staging = parent.join(format!(
        ".{}.plumbline-export-{}",
        dir.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("baseline"),
        std::process::id()
    ));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    let written = write_into(&staging, baseline).inspect_err(|_| {
        // Best effort: the staging folder is ours and incomplete.
        let _ = std::fs::remove_dir_all(&staging);
    })?;
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(io(dir))?;
    }
    std::fs::rename(&staging, dir).map_err(io(dir))?;
    Ok(written)
}

fn write_into(root: &Path, baseline: &BaselineFolder) -> Result<Vec<PathBuf>, FolderError> {
    std::fs::create_dir_all(root).map_err(io(root))?;
    let mut written = Vec::new();
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        name: baseline.name.clone(),
        description: baseline.description.clone(),
        version: baseline.version,
        options: baseline.options.clone(),
        directory_objects: baseline.directory.clone(),
    };
    let path = root.join("baseline.json");
    std::fs::write(&path, pretty(&manifest, &path)?).map_err(io(&path))?;
    written.push(PathBuf::from("baseline.json"));

    let mut items: Vec<&FolderItem> = baseline.items.iter().collect();
    items.sort_by(|a, b| (&a.kind, &a.name).cmp(&(&b.kind, &b.name)));
    let mut used: BTreeSet<(String, String)> = BTreeSet::new();
    for item in items {
        let kind_dir = file_stem(&item.kind);
        let mut stem = file_stem(&item.name);
        // Case-insensitive filesystems see "A" and "a" as one file.
        if !used.insert((kind_dir.clone(), stem.to_lowercase())) {
            let digest = hex::encode(Sha256::digest(item.name.as_bytes()));
            stem = format!("{stem} ~{}", &digest[..8]);
            used.insert((kind_dir.clone(), stem.to_lowercase()));
        }
        let relative = PathBuf::from("items")
            .join(&kind_dir)
            .join(format!("{stem}.json"));
        let path = root.join(&relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&path, pretty(item, &path)?).map_err(io(&path))?;
        written.push(relative);
    }
    Ok(written)
}

/// Reads a baseline folder written by [`write_folder`] (or by hand, in git).
pub fn read_folder(dir: &Path) -> Result<BaselineFolder, FolderError> {
    let manifest_path = dir.join("baseline.json");
    if !manifest_path.is_file() {
        return Err(FolderError::NotABaselineFolder {
            path: dir.to_path_buf(),
        });
    }
    let text = std::fs::read_to_string(&manifest_path).map_err(io(&manifest_path))?;
    let manifest: Manifest = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| invalid(&manifest_path, format!("not a baseline manifest: {e}")))?;
    if manifest.format != FORMAT {
        return Err(invalid(
            &manifest_path,
            format!(
                "format {:?} is not {FORMAT:?}: export it again with this version of Plumbline",
                manifest.format
            ),
        ));
    }
    if manifest.name.trim().is_empty() {
        return Err(invalid(&manifest_path, "the baseline has no name"));
    }
    let mut files = Vec::new();
    let items_dir = dir.join("items");
    if items_dir.is_dir() {
        collect_json(&items_dir, &mut files)?;
    }
    files.sort();
    let mut items = Vec::with_capacity(files.len());
    let mut seen = BTreeSet::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        let item: FolderItem = serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .map_err(|e| invalid(&path, format!("not a baseline item: {e}")))?;
        if !item.policy.is_object() {
            return Err(invalid(
                &path,
                "\"policy\" must be the policy's JSON object",
            ));
        }
        if !seen.insert((item.kind.clone(), item.name.clone())) {
            return Err(invalid(
                &path,
                format!(
                    "a second item {:?} of kind {}: names must be unique per kind",
                    item.name, item.kind
                ),
            ));
        }
        items.push(item);
    }
    Ok(BaselineFolder {
        name: manifest.name,
        description: manifest.description,
        version: manifest.version,
        options: manifest.options,
        items,
        directory: manifest.directory_objects,
    })
}

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), FolderError> {
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        if path.is_dir() {
            collect_json(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::baseline::Rule;
    use crate::model::DirectoryObjectKind;

    fn sample() -> BaselineFolder {
        let mut rules = BTreeMap::new();
        rules.insert(
            "passwordMinimumLength".to_owned(),
            SettingRule {
                rule: Rule::AtLeast { value: 14.0 },
                severity: Some(Severity::High),
            },
        );
        BaselineFolder {
            name: "MSP Standard".to_owned(),
            description: "Für alle Kunden".to_owned(),
            version: Some(3),
            options: BaselineOptions {
                ignore_version_suffix: true,
                exclusive_kinds: vec!["compliance_policy".to_owned()],
            },
            items: vec![
                FolderItem {
                    kind: "compliance_policy".to_owned(),
                    name: "Win - MSP - Password".to_owned(),
                    match_name: None,
                    severity: Severity::Medium,
                    rules,
                    policy: json!({"displayName": "Win - MSP - Password", "passwordMinimumLength": 14}),
                },
                FolderItem {
                    kind: "compliance_policy".to_owned(),
                    name: "Win/MSP: Password?".to_owned(),
                    match_name: None,
                    severity: Severity::Low,
                    rules: BTreeMap::new(),
                    policy: json!({"displayName": "Win/MSP: Password?"}),
                },
                FolderItem {
                    kind: "compliance_policy".to_owned(),
                    name: "Win_MSP_ Password_".to_owned(),
                    match_name: Some("Win_MSP_ Password".to_owned()),
                    severity: Severity::Low,
                    rules: BTreeMap::new(),
                    policy: json!({"displayName": "Win_MSP_ Password_"}),
                },
            ],
            directory: vec![DirectoryObject {
                kind: DirectoryObjectKind::Group,
                external_id: "g1".to_owned(),
                display_name: "Pilot".to_owned(),
            }],
        }
    }

    #[test]
    fn a_folder_round_trips_and_is_deterministic() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("standard");
        let baseline = sample();
        let files = write_folder(&target, &baseline).expect("write");
        assert_eq!(files.len(), 4, "{files:?}");
        let mut back = read_folder(&target).expect("read");
        let mut want = baseline.clone();
        let key = |i: &FolderItem| (i.kind.clone(), i.name.clone());
        back.items.sort_by_key(key);
        want.items.sort_by_key(key);
        assert_eq!(back, want);

        // Same input, same bytes; exporting again replaces the folder.
        let first = std::fs::read(target.join(&files[1])).expect("file");
        write_folder(&target, &baseline).expect("write again");
        assert_eq!(std::fs::read(target.join(&files[1])).expect("file"), first);
        assert!(!dir.path().read_dir().expect("dir").any(|e| e
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .starts_with('.')));
    }

    #[test]
    fn unsafe_and_colliding_names_get_distinct_files() {
        assert_eq!(file_stem("Win/MSP: Password?"), "Win_MSP_ Password_");
        assert_eq!(file_stem("..."), "_");
        assert_eq!(file_stem(".hidden"), "_.hidden");
        let dir = tempfile::tempdir().expect("tempdir");
        let files = write_folder(&dir.path().join("b"), &sample()).expect("write");
        let names: BTreeSet<_> = files.iter().collect();
        assert_eq!(names.len(), files.len());
    }

    #[test]
    fn refuses_to_overwrite_a_folder_that_is_not_a_baseline() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("notes.txt"), "mine").expect("write");
        let error = write_folder(dir.path(), &sample()).expect_err("must refuse");
        assert!(matches!(error, FolderError::NotABaselineFolder { .. }));
        assert!(dir.path().join("notes.txt").exists());
    }

    #[test]
    fn bad_files_are_named_with_the_problem() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("b");
        write_folder(&target, &sample()).expect("write");
        let item = target.join("items/compliance_policy/Win - MSP - Password.json");
        std::fs::write(&item, "{ not json").expect("write");
        let error = read_folder(&target).expect_err("must fail").to_string();
        assert!(error.contains("Win - MSP - Password.json"), "{error}");
        assert!(error.contains("not a baseline item"), "{error}");

        std::fs::write(
            target.join("baseline.json"),
            r#"{"format":"other/9","name":"x"}"#,
        )
        .expect("write");
        let error = read_folder(&target).expect_err("must fail").to_string();
        assert!(error.contains("other/9"), "{error}");
    }
}

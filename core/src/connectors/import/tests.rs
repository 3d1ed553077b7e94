use std::collections::BTreeMap;
use std::path::PathBuf;

use super::*;

fn corpus_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("demo-data/openintunebaseline")
}

fn import(files: &[(&str, &[u8])]) -> Result<ImportReport, ImportError> {
    import_files(files.iter().copied(), &ImportOptions::default())
}

#[test]
fn reads_every_corpus_file_into_one_capture() {
    let report = import_dir(&corpus_root(), &ImportOptions::default()).expect("corpus imports");
    let json_files = walk_count(&corpus_root());
    assert_eq!(report.files_read, json_files);
    assert!(
        report.files_read >= 100,
        "corpus has {} files",
        report.files_read
    );
    assert!(report.skipped.is_empty());
    assert_eq!(
        report.content.items.len(),
        json_files,
        "one policy per file"
    );

    let mut by_kind: BTreeMap<&str, u32> = BTreeMap::new();
    for item in &report.content.items {
        *by_kind.entry(item.kind.as_str()).or_default() += 1;
        assert!(!item.name.is_empty());
        assert!(!item.external_id.is_empty());
    }
    // 59 Windows + 2 Windows 365 + 17 macOS IntuneManagement + 17 macOS NativeImport.
    assert_eq!(by_kind.get("settings_catalog"), Some(&95));
    assert_eq!(by_kind.get("compliance_policy"), Some(&8));
    assert_eq!(by_kind.get("windows_update_ring"), Some(&3));
    assert_eq!(by_kind.get("windows_driver_update"), Some(&3));
    assert_eq!(by_kind.get("device_configuration"), Some(&1));
    assert_eq!(by_kind.get("app_protection"), Some(&2));
    assert_eq!(by_kind.get(kinds::UNKNOWN), None);
    for (kind, status) in &report.content.kind_status {
        assert!(status.ok);
        assert_eq!(Some(&status.item_count), by_kind.get(kind.as_str()));
    }
}

fn json_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect_files(dir, &mut out).expect("walk");
    out.retain(|p| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    });
    out
}

fn walk_count(dir: &std::path::Path) -> usize {
    json_files(dir).len()
}

#[test]
fn every_corpus_encoding_decodes_to_the_same_policy_text() {
    // The corpus mixes UTF-8, UTF-8 with BOM and UTF-16 LE with BOM.
    let root = corpus_root();
    let files = json_files(&root);
    let mut seen = (0, 0, 0);
    for path in files {
        let bytes = std::fs::read(&path).expect("read");
        if bytes.starts_with(&[0xFF, 0xFE]) {
            seen.0 += 1;
        } else if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
            seen.1 += 1;
        } else {
            seen.2 += 1;
        }
        let text = decode_text(&bytes).expect("decodes");
        assert!(text.trim_start().starts_with('{'), "{}", path.display());
    }
    assert!(seen.0 > 0 && seen.1 > 0 && seen.2 > 0, "{seen:?}");
}

fn utf16le_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

#[test]
fn encodings_and_line_ends_give_identical_items() {
    let text = "{\r\n \"@odata.type\": \"#microsoft.graph.windows10CompliancePolicy\",\r\n \"id\": \"a\",\r\n \"displayName\": \"Größe – Ústí\"\r\n}";
    let mut bom8 = vec![0xEF, 0xBB, 0xBF];
    bom8.extend_from_slice(text.as_bytes());
    let mut be = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        be.extend_from_slice(&unit.to_be_bytes());
    }
    let variants: Vec<Vec<u8>> = vec![text.as_bytes().to_vec(), bom8, utf16le_bom(text), be];
    let mut items = Vec::new();
    for bytes in &variants {
        let report = import(&[("p.json", bytes)]).expect("imports");
        items.push(report.content.items[0].clone());
    }
    for item in &items {
        assert_eq!(item, &items[0]);
    }
    assert_eq!(items[0].name, "Größe – Ústí");
    assert_eq!(items[0].kind, "compliance_policy");
}

#[test]
fn plain_graph_shapes_single_array_and_page() {
    let single = br##"{"@odata.type":"#microsoft.graph.conditionalAccessPolicy","id":"1","displayName":"Require MFA"}"##;
    let array = br##"[{"@odata.type":"#microsoft.graph.conditionalAccessPolicy","id":"1","displayName":"A"},
                     {"@odata.type":"#microsoft.graph.conditionalAccessPolicy","id":"2","displayName":"B"}]"##;
    let page = br##"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies",
                    "@odata.nextLink":"https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies?$skiptoken=x",
                    "value":[{"id":"3","displayName":"C"},{"id":"4","displayName":"D"}]}"##;
    let report =
        import(&[("a.json", single), ("b.json", array), ("c.json", page)]).expect("imports");
    let names: Vec<_> = report
        .content
        .items
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(names, ["Require MFA", "A", "B", "C", "D"]);
    assert!(report
        .content
        .items
        .iter()
        .all(|i| i.kind == "conditional_access"));
    assert_eq!(
        report.content.kind_status["conditional_access"].item_count,
        5
    );
}

#[test]
fn object_with_a_value_field_that_is_not_a_page_stays_one_object() {
    let json = br##"{"@odata.type":"#microsoft.graph.windows10CustomConfiguration","id":"x","displayName":"OMA","value":[1,2]}"##;
    let report = import(&[("x.json", json)]).expect("imports");
    assert_eq!(report.content.items.len(), 1);
    assert_eq!(report.content.items[0].kind, "device_configuration");
    assert_eq!(
        report.content.items[0].raw["value"],
        serde_json::json!([1, 2])
    );
}

#[test]
fn detection_prefers_type_then_folder_then_context() {
    // Update rings share the deviceConfigurations collection; the type tells them apart.
    let ring = br##"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations/$entity","@odata.type":"#microsoft.graph.windowsUpdateForBusinessConfiguration","id":"r","displayName":"Ring"}"##;
    let generic = br##"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations/$entity","id":"g","displayName":"Generic"}"##;
    let native = br##"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#deviceManagement/configurationPolicies/$entity","id":"n","name":"Native"}"##;
    let by_folder = br##"{"id":"f","displayName":"Folder"}"##;
    let report = import(&[
        ("x/ring.json", ring),
        ("x/generic.json", generic),
        ("x/native.json", native),
        ("Tenant/AdministrativeTemplates/f.json", by_folder),
    ])
    .expect("imports");
    let kinds: Vec<_> = report
        .content
        .items
        .iter()
        .map(|i| i.kind.as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "windows_update_ring",
            "device_configuration",
            "settings_catalog",
            "administrative_template"
        ]
    );
    assert_eq!(report.content.items[2].name, "Native");
}

#[test]
fn unknown_kinds_are_kept_with_their_type() {
    let json =
        br##"{"@odata.type":"#microsoft.graph.somethingNew","id":"u","displayName":"New thing"}"##;
    let report = import(&[("misc/u.json", json)]).expect("imports");
    let item = &report.content.items[0];
    assert_eq!(item.kind, kinds::UNKNOWN);
    assert_eq!(
        item.odata_type.as_deref(),
        Some("#microsoft.graph.somethingNew")
    );
    assert_eq!(report.content.kind_status[kinds::UNKNOWN].item_count, 1);
}

#[test]
fn directory_objects_are_read_apart_from_items() {
    let groups =
        br##"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#groups","value":[
        {"id":"g1","displayName":"All Staff"},{"id":"g2","displayName":"Pilot Devices"}]}"##;
    let filter = br##"{"@odata.type":"#microsoft.graph.deviceAndAppManagementAssignmentFilter","id":"f1","displayName":"Corporate only"}"##;
    let tag = br##"{"id":"0","displayName":"Default"}"##;
    let report = import(&[
        ("groups.json", groups),
        ("filters/f.json", filter),
        ("ScopeTags/default.json", tag),
    ])
    .expect("imports");
    assert!(report.content.items.is_empty());
    let objects: Vec<_> = report
        .content
        .directory_objects
        .iter()
        .map(|d| (d.kind, d.external_id.as_str(), d.display_name.as_str()))
        .collect();
    assert_eq!(
        objects,
        [
            (DirectoryObjectKind::Group, "g1", "All Staff"),
            (DirectoryObjectKind::Group, "g2", "Pilot Devices"),
            (
                DirectoryObjectKind::AssignmentFilter,
                "f1",
                "Corporate only"
            ),
            (DirectoryObjectKind::ScopeTag, "0", "Default"),
        ]
    );
}

#[test]
fn objects_without_ids_get_stable_derived_ids() {
    let json = br##"[{"displayName":"A"},{"displayName":"B"}]"##;
    let first = import(&[("CompliancePolicies/x.json", json)]).expect("imports");
    let second = import(&[("CompliancePolicies/x.json", json)]).expect("imports");
    let ids: Vec<_> = first
        .content
        .items
        .iter()
        .map(|i| i.external_id.clone())
        .collect();
    assert_ne!(ids[0], ids[1]);
    assert!(ids[0].starts_with("file:"));
    assert_eq!(
        ids,
        second
            .content
            .items
            .iter()
            .map(|i| i.external_id.clone())
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_malformed_file_aborts_naming_the_file_and_the_problem() {
    let good = br##"{"id":"1","displayName":"Good"}"##;
    let bad = b"{\n  \"id\": \"2\",\n  \"displayName\": \"Bad\"\n";
    let err = import(&[
        ("CompliancePolicies/good.json", good),
        ("CompliancePolicies/bad.json", bad),
    ])
    .expect_err("must fail");
    let message = err.to_string();
    assert!(
        message.starts_with("CompliancePolicies/bad.json: invalid JSON at line"),
        "{message}"
    );
    match err {
        ImportError::BadFile {
            problem: FileProblem::Syntax { line, .. },
            ..
        } => assert_eq!(line, 4),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn skip_policy_imports_the_rest_and_reports_each_bad_file() {
    let good = br##"{"id":"1","displayName":"Good"}"##;
    let opts = ImportOptions {
        on_bad_file: BadFilePolicy::Skip,
        ..ImportOptions::default()
    };
    let bad_utf8: &[u8] = &[b'{', 0xC3, 0x28, b'}'];
    let report = import_files(
        [
            ("CompliancePolicies/good.json", &good[..]),
            ("CompliancePolicies/trunc.json", &b"{"[..]),
            ("CompliancePolicies/enc.json", bad_utf8),
            ("CompliancePolicies/num.json", &b"42"[..]),
            ("CompliancePolicies/arr.json", &b"[1]"[..]),
        ],
        &opts,
    )
    .expect("imports");
    assert_eq!(report.content.items.len(), 1);
    assert_eq!(report.files_read, 5);
    let reasons: Vec<_> = report
        .skipped
        .iter()
        .map(|s| (s.path.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 4);
    assert!(reasons[0].1.contains("invalid JSON"), "{reasons:?}");
    assert!(reasons[1].1.contains("UTF-8"), "{reasons:?}");
    assert!(reasons[2].1.contains("JSON number"), "{reasons:?}");
    assert!(
        reasons[3].1.contains("element 0 is a JSON number"),
        "{reasons:?}"
    );
}

#[test]
fn all_files_bad_is_an_error_even_when_skipping() {
    let opts = ImportOptions {
        on_bad_file: BadFilePolicy::Skip,
        ..ImportOptions::default()
    };
    let err = import_files([("a.json", &b"nope"[..])], &opts).expect_err("must fail");
    assert!(matches!(err, ImportError::NothingImported(1)));
}

#[test]
fn folders_without_json_and_missing_folders_are_clear_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("notes.txt"), "hello").expect("write");
    let err = import_dir(dir.path(), &ImportOptions::default()).expect_err("no json");
    assert!(
        err.to_string().contains("no .json or .yaml files found"),
        "{err}"
    );
    let err =
        import_dir(&dir.path().join("absent"), &ImportOptions::default()).expect_err("absent");
    assert!(err.to_string().contains("is not a folder"), "{err}");
}

mod never_panics {
    //! Whatever bytes or JSON sit in whatever file of whatever folder, the importer gives
    //! a clear error or a classified report: never a panic, never a file unaccounted for.

    use proptest::prelude::*;
    use serde_json::{Map, Value};

    use super::*;

    const FOLDERS: &[&str] = &[
        "",
        "SettingsCatalog/",
        "Settings Catalog/",
        "AdministrativeTemplates/",
        "EndpointSecurity/",
        "Management Intents/BitLocker/",
        "Groups/",
        "Filters/",
        "__archive__/x/",
        "Scripts/Powershell/",
        "Tenant/Nested/Deeper/",
    ];
    const NAMES: &[&str] = &[
        "a.json",
        "a_Settings.json",
        "MigrationTable.json",
        "b.yaml",
        "c.ps1",
        "a_7a1c9e52-3f4b-4d2a-9c1e-5b6d7e8f9a0b.json",
        "d_07-03-2023-9-05-41.json",
        "baseline.json",
    ];
    const KEYS: &[&str] = &[
        "@odata.type",
        "@odata.context",
        "id",
        "name",
        "displayName",
        "settings",
        "platforms",
        "technologies",
        "templateReference",
        "definitionValues",
        "presentationValues",
        "settingsDelta",
        "TemplateId",
        "templateId",
        "value",
        "Objects",
        "TenantId",
        "Type",
        "Id",
        "DisplayName",
        "AdditionalProperties",
        "assignments",
        "target",
        "groupId",
        "groupName",
        "roleScopeTagIds",
        "conditions",
        "grantControls",
        "children",
        "format",
    ];
    const STRINGS: &[&str] = &[
        "#microsoft.graph.deviceManagementConfigurationPolicy",
        "#microsoft.graph.windows10CompliancePolicy",
        "#microsoft.graph.group",
        "#microsoft.graph.groupAssignmentTarget",
        "https://graph.microsoft.com/beta/$metadata#deviceManagement/configurationPolicies/$entity",
        "https://graph.microsoft.com/beta/$metadata#groups",
        "/Date(1700000000000)/",
        "/Date(99999999999999999999)/",
        "%OrganizationId%",
        "Group",
        "AssignmentFilter",
        "plumbline-baseline/1",
        "{\"settings\": []}",
        "[1, 2",
        "",
        "Win - OIB - Defender",
    ];

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| Value::Number(n.into())),
            prop::sample::select(STRINGS).prop_map(|s| Value::String(s.to_owned())),
            "[a-z%/() ]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(5, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(
                    (
                        prop_oneof![
                            prop::sample::select(KEYS).prop_map(str::to_owned),
                            "[a-zA-Z@#]{1,8}"
                        ],
                        inner
                    ),
                    0..8
                )
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    fn path() -> impl Strategy<Value = String> {
        (prop::sample::select(FOLDERS), prop::sample::select(NAMES))
            .prop_map(|(folder, name)| format!("{folder}{name}"))
    }

    fn check(files: &[(String, Vec<u8>)]) -> Result<(), TestCaseError> {
        for on_bad_file in [BadFilePolicy::Abort, BadFilePolicy::Skip] {
            let options = ImportOptions {
                on_bad_file,
                organization_id: Some("7a1c9e52-3f4b-4d2a-9c1e-5b6d7e8f9a0b".to_owned()),
            };
            let result = import_files(
                files.iter().map(|(p, b)| (p.as_str(), b.as_slice())),
                &options,
            );
            match result {
                Ok(report) => {
                    prop_assert_eq!(report.files.len(), files.len());
                    for item in &report.content.items {
                        prop_assert!(!item.name.trim().is_empty());
                        prop_assert!(!item.external_id.is_empty());
                    }
                }
                Err(error) => prop_assert!(!error.to_string().is_empty()),
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn arbitrary_bytes_in_any_file(
            files in prop::collection::vec((path(), prop::collection::vec(any::<u8>(), 0..256)), 1..6)
        ) {
            check(&files)?;
        }

        #[test]
        fn arbitrary_json_and_yaml_in_any_file(
            files in prop::collection::vec((path(), json(), 0..4u8), 1..6)
        ) {
            let files: Vec<(String, Vec<u8>)> = files
                .into_iter()
                .map(|(path, value, encoding)| {
                    let text = serde_json::to_string_pretty(&value).unwrap_or_default();
                    let bytes = match encoding {
                        0 => text.into_bytes(),
                        1 => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
                        2 => utf16le_bom(&text),
                        // A string holding the JSON, as PowerShell writes a string.
                        _ => serde_json::to_vec(&Value::String(text)).unwrap_or_default(),
                    };
                    (path, bytes)
                })
                .collect();
            check(&files)?;
        }
    }
}

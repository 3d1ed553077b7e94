//! One tenant's configuration from Graph: every kind from its endpoint, its children from
//! where Graph really returns them (GRAPH.md's table), assembled into the objects an
//! export holds and taken in through the importer's own recognition, so a capture from
//! Graph and an export of the same tenant compare equal.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::http::BatchGet;
use super::{GraphError, TenantSession};
use crate::connectors::import::graph_items;
use crate::model::{CaptureContent, DirectoryObject, DirectoryObjectKind, KindStatus};

/// A child collection read per object (`{collection}/{id}/{suffix}`) into `field`.
#[derive(Debug)]
struct Child {
    field: &'static str,
    suffix: &'static str,
}

const ASSIGNMENTS: Child = Child {
    field: "assignments",
    suffix: "assignments",
};
const SETTINGS: Child = Child {
    field: "settings",
    suffix: "settings",
};
/// A settings-catalog policy's settings with their definitions beside them (display
/// names and option labels; the importer takes them out of the policy).
const CATALOG_SETTINGS: Child = Child {
    field: "settings",
    suffix: "settings?$expand=settingDefinitions",
};

/// How one collection is read.
#[derive(Debug)]
struct Plan {
    /// The registry kinds this read decides (device configurations hold update rings).
    kinds: &'static [&'static str],
    version: &'static str,
    collection: &'static str,
    /// Query of the list request.
    query: &'static str,
    /// `odata.metadata=full`, for polymorphic collections whose `@odata.type` is otherwise
    /// left out.
    full_metadata: bool,
    children: &'static [Child],
    /// App protection: the list is a summary (with app configurations to drop); each
    /// policy is read whole from its typed collection.
    typed_app_protection: bool,
    /// Administrative templates: each definition value's presentation values.
    presentation_values: bool,
    /// Custom profiles: encrypted OMA-URI values read in plain text where permitted.
    decrypt_oma: bool,
}

const PLANS: &[Plan] = &[
    Plan {
        kinds: &["settings_catalog"],
        version: "beta",
        collection: "deviceManagement/configurationPolicies",
        query: "",
        full_metadata: false,
        children: &[CATALOG_SETTINGS, ASSIGNMENTS],
        typed_app_protection: false,
        presentation_values: false,
        decrypt_oma: false,
    },
    Plan {
        kinds: &["device_configuration", "windows_update_ring"],
        version: "beta",
        collection: "deviceManagement/deviceConfigurations",
        query: "",
        full_metadata: true,
        children: &[ASSIGNMENTS],
        typed_app_protection: false,
        presentation_values: false,
        decrypt_oma: true,
    },
    Plan {
        kinds: &["compliance_policy"],
        version: "beta",
        collection: "deviceManagement/deviceCompliancePolicies",
        query: "$expand=scheduledActionsForRule($expand=scheduledActionConfigurations)",
        full_metadata: false,
        children: &[ASSIGNMENTS],
        typed_app_protection: false,
        presentation_values: false,
        decrypt_oma: false,
    },
    Plan {
        kinds: &["windows_feature_update"],
        version: "beta",
        collection: "deviceManagement/windowsFeatureUpdateProfiles",
        query: "",
        full_metadata: false,
        children: &[ASSIGNMENTS],
        typed_app_protection: false,
        presentation_values: false,
        decrypt_oma: false,
    },
    Plan {
        kinds: &["windows_quality_update"],
        version: "beta",
        collection: "deviceManagement/windowsQualityUpdateProfiles",
        query: "",
        full_metadata: false,
        children: &[ASSIGNMENTS],
        typed_app_protection: false,
        presentation_values: false,
        decrypt_oma: false,
    },
    Plan {
        kinds: &["windows_driver_update"],
        version: "beta",
        collection: "deviceManagement/windowsDriverUpdateProfiles",
        query: "",
        full_metadata: false,
        children: &[ASSIGNMENTS],
        typed_app_protection: false,
        presentation_values: false,
        decrypt_oma: false,
    },
    Plan {
        kinds: &["administrative_template"],
        version: "beta",
        collection: "deviceManagement/groupPolicyConfigurations",
        query: "",
        full_metadata: false,
        children: &[
            Child {
                field: "definitionValues",
                suffix: "definitionValues?$expand=definition",
            },
            ASSIGNMENTS,
        ],
        typed_app_protection: false,
        presentation_values: true,
        decrypt_oma: false,
    },
    Plan {
        kinds: &["endpoint_security_intent"],
        version: "beta",
        collection: "deviceManagement/intents",
        query: "",
        full_metadata: false,
        children: &[SETTINGS, ASSIGNMENTS],
        typed_app_protection: false,
        presentation_values: false,
        decrypt_oma: false,
    },
    Plan {
        kinds: &["app_protection"],
        version: "beta",
        collection: "deviceAppManagement/managedAppPolicies",
        query: "",
        full_metadata: false,
        children: &[],
        typed_app_protection: true,
        presentation_values: false,
        decrypt_oma: false,
    },
    Plan {
        kinds: &["conditional_access"],
        version: "v1.0",
        collection: "identity/conditionalAccess/policies",
        query: "",
        full_metadata: false,
        children: &[],
        typed_app_protection: false,
        presentation_values: false,
        decrypt_oma: false,
    },
];

/// The directory objects that turn per-tenant ids into names.
const DIRECTORY: &[(DirectoryObjectKind, &str, &str)] = &[
    (
        DirectoryObjectKind::Group,
        "v1.0",
        "groups?$select=id,displayName,groupTypes&$top=999",
    ),
    (
        DirectoryObjectKind::AssignmentFilter,
        "beta",
        "deviceManagement/assignmentFilters",
    ),
    (
        DirectoryObjectKind::ScopeTag,
        "beta",
        "deviceManagement/roleScopeTags",
    ),
    (
        DirectoryObjectKind::NamedLocation,
        "v1.0",
        "identity/conditionalAccess/namedLocations",
    ),
];

/// The registry kinds a Graph capture reads, with the list request that reads each
/// (the connection test probes them).
pub fn probes() -> Vec<(&'static [&'static str], &'static str, String)> {
    PLANS
        .iter()
        .map(|p| (p.kinds, p.version, list_url(p)))
        .collect()
}

fn list_url(plan: &Plan) -> String {
    if plan.query.is_empty() {
        plan.collection.to_owned()
    } else {
        format!("{}?{}", plan.collection, plan.query)
    }
}

/// A tenant's configuration as read.
#[derive(Clone, Debug)]
pub struct GraphCapture {
    pub content: CaptureContent,
    /// What could not be read besides kinds (directory objects: ids stay unresolved).
    pub warnings: Vec<String>,
    /// HTTP requests to Graph (a `$batch` is one), token requests, throttled answers.
    pub requests: u64,
    pub token_requests: u64,
    pub throttled: u64,
    pub elapsed: Duration,
}

impl GraphCapture {
    /// Kinds that failed, with why.
    pub fn failed_kinds(&self) -> Vec<(String, String)> {
        self.content
            .kind_status
            .iter()
            .filter(|(_, s)| !s.ok)
            .map(|(k, s)| (k.clone(), s.error.clone().unwrap_or_default()))
            .collect()
    }
}

/// Reads every kind of one tenant. A kind that fails is recorded as failed (its findings
/// become "not assessed") and the others are kept; the capture fails as a whole only when
/// nothing could be read (no token, or every kind failed: the first reason is returned).
pub async fn capture_tenant(session: &TenantSession) -> Result<GraphCapture, GraphError> {
    let started = Instant::now();
    // A sign-in problem fails the capture at once, with its own words.
    session.token().await?;
    let mut set = tokio::task::JoinSet::new();
    for (index, plan) in PLANS.iter().enumerate() {
        let session = session.clone();
        set.spawn(async move { (index, read_plan(&session, plan).await) });
    }
    let mut directory_set = tokio::task::JoinSet::new();
    for (index, (kind, version, url)) in DIRECTORY.iter().enumerate() {
        let session = session.clone();
        directory_set.spawn(async move { (index, *kind, session.list(version, url, false).await) });
    }
    type Outcome = Result<(Vec<Value>, Vec<String>), GraphError>;
    let mut outcomes: Vec<Option<Outcome>> = vec![None; PLANS.len()];
    while let Some(joined) = set.join_next().await {
        if let Ok((index, outcome)) = joined {
            outcomes[index] = Some(outcome);
        }
    }
    let mut directory_outcomes = Vec::new();
    while let Some(joined) = directory_set.join_next().await {
        if let Ok(outcome) = joined {
            directory_outcomes.push(outcome);
        }
    }
    directory_outcomes.sort_by_key(|(index, ..)| *index);

    let mut content = CaptureContent::default();
    let mut warnings = Vec::new();
    let mut first_error = None;
    let mut any_ok = false;
    for (plan, outcome) in PLANS.iter().zip(outcomes) {
        let outcome = outcome.unwrap_or_else(|| {
            Err(GraphError::Malformed(
                "the read stopped unexpectedly".to_owned(),
            ))
        });
        match outcome {
            Ok((objects, notes)) => {
                any_ok = true;
                warnings.extend(notes);
                for kind in plan.kinds {
                    content.kind_status.insert(
                        (*kind).to_owned(),
                        KindStatus {
                            ok: true,
                            item_count: 0,
                            error: None,
                        },
                    );
                }
                warnings.extend(graph_items(plan.collection, objects, &mut content));
            }
            Err(error) => {
                let reason = error.to_string();
                for kind in plan.kinds {
                    content.kind_status.insert(
                        (*kind).to_owned(),
                        KindStatus {
                            ok: false,
                            item_count: 0,
                            error: Some(reason.clone()),
                        },
                    );
                }
                first_error.get_or_insert(error);
            }
        }
    }
    for (_, kind, outcome) in directory_outcomes {
        match outcome {
            Ok(objects) => {
                for object in objects {
                    let id = object.get("id").and_then(Value::as_str);
                    let name = object.get("displayName").and_then(Value::as_str).or(id);
                    if let (Some(id), Some(name)) = (id, name) {
                        content.directory_objects.push(DirectoryObject {
                            kind,
                            external_id: id.to_owned(),
                            display_name: name.to_owned(),
                        });
                    }
                }
            }
            Err(error) => warnings.push(format!(
                "{} could not be read, so their ids stay unresolved: {error}",
                directory_label(kind)
            )),
        }
    }
    if !any_ok {
        if let Some(error) = first_error {
            return Err(error);
        }
    }
    // Counts only: a kind that was read stays ok (also with no items), a failed one stays
    // failed.
    content.recount_kinds();
    Ok(GraphCapture {
        content,
        warnings,
        requests: session.requests(),
        token_requests: session.token_requests(),
        throttled: session.throttled(),
        elapsed: started.elapsed(),
    })
}

fn directory_label(kind: DirectoryObjectKind) -> &'static str {
    match kind {
        DirectoryObjectKind::Group => "groups",
        DirectoryObjectKind::AssignmentFilter => "assignment filters",
        DirectoryObjectKind::NamedLocation => "named locations",
        DirectoryObjectKind::ScopeTag => "scope tags",
        DirectoryObjectKind::TermsOfUse => "terms of use",
    }
}

/// The typed collection of an app protection policy, from its `@odata.type`; `None` for
/// what the list holds besides (app configurations).
fn app_protection_collection(object: &Value) -> Option<&'static str> {
    let odata = object.get("@odata.type")?.as_str()?.trim_start_matches('#');
    Some(match odata {
        "microsoft.graph.iosManagedAppProtection" => "iosManagedAppProtections",
        "microsoft.graph.androidManagedAppProtection" => "androidManagedAppProtections",
        "microsoft.graph.windowsManagedAppProtection" => "windowsManagedAppProtections",
        "microsoft.graph.mdmWindowsInformationProtectionPolicy" => {
            "mdmWindowsInformationProtectionPolicies"
        }
        _ => return None,
    })
}

fn id_of(object: &Value) -> Option<&str> {
    object.get("id").and_then(Value::as_str)
}

fn name_of(object: &Value) -> String {
    object
        .get("displayName")
        .or_else(|| object.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("(unnamed)")
        .to_owned()
}

/// Reads one collection whole: the list, then every object's children in batches.
async fn read_plan(
    session: &TenantSession,
    plan: &Plan,
) -> Result<(Vec<Value>, Vec<String>), GraphError> {
    let mut objects = session
        .list(plan.version, &list_url(plan), plan.full_metadata)
        .await?;
    if plan.typed_app_protection {
        objects.retain(|o| app_protection_collection(o).is_some() && id_of(o).is_some());
        let gets = objects
            .iter()
            .map(|o| BatchGet {
                url: format!(
                    "deviceAppManagement/{}/{}?$expand=apps,assignments",
                    app_protection_collection(o).unwrap_or_default(),
                    id_of(o).unwrap_or_default()
                ),
                full_metadata: false,
            })
            .collect();
        let mut whole = Vec::with_capacity(objects.len());
        for (summary, answer) in objects.iter().zip(session.batch(plan.version, gets).await) {
            let mut object = answer?;
            // The typed GET may leave the type out; the summary had it.
            if object.get("@odata.type").is_none() {
                if let (Some(map), Some(odata)) =
                    (object.as_object_mut(), summary.get("@odata.type"))
                {
                    map.insert("@odata.type".to_owned(), odata.clone());
                }
            }
            whole.push(object);
        }
        return Ok((whole, Vec::new()));
    }
    objects.retain(|o| id_of(o).is_some());
    if !plan.children.is_empty() {
        let gets: Vec<BatchGet> = objects
            .iter()
            .flat_map(|o| {
                let id = id_of(o).unwrap_or_default().to_owned();
                plan.children.iter().map(move |child| BatchGet {
                    url: format!("{}/{id}/{}", plan.collection, child.suffix),
                    full_metadata: false,
                })
            })
            .collect();
        let mut answers = session.batch(plan.version, gets).await.into_iter();
        for object in &mut objects {
            for child in plan.children {
                let answer = answers.next().unwrap_or_else(|| {
                    Err(GraphError::Malformed("$batch gave no answer".to_owned()))
                })?;
                let values = answer
                    .get("value")
                    .cloned()
                    .unwrap_or(Value::Array(Vec::new()));
                if let Some(map) = object.as_object_mut() {
                    map.insert(child.field.to_owned(), values);
                }
            }
        }
    }
    if plan.kinds.contains(&"settings_catalog") {
        for object in &objects {
            let expected = object.get("settingCount").and_then(Value::as_u64);
            let read = object
                .get("settings")
                .and_then(Value::as_array)
                .map_or(0, Vec::len) as u64;
            if let Some(expected) = expected.filter(|e| *e != read) {
                return Err(GraphError::Incomplete(format!(
                    "Graph returned {read} of the {expected} settings of \"{}\"; nothing of this kind was recorded, so no setting is reported missing by mistake; the next capture will try again",
                    name_of(object)
                )));
            }
        }
    }
    if plan.presentation_values {
        read_presentation_values(session, plan, &mut objects).await?;
    }
    let mut warnings = Vec::new();
    if plan.decrypt_oma {
        warnings.extend(decrypt_oma_values(session, plan, &mut objects).await);
    }
    Ok((objects, warnings))
}

/// Custom profiles: Graph returns every OMA-URI string and XML value encrypted (`value`
/// masked, `isEncrypted`, a `secretReferenceValueId`). Each is read in plain text with
/// `getOmaSettingPlainTextValue` (batched), so it is compared like any other setting; one
/// that cannot be read stays masked (left out of the comparison) and the capture says so.
async fn decrypt_oma_values(
    session: &TenantSession,
    plan: &Plan,
    objects: &mut [Value],
) -> Option<String> {
    let mut places = Vec::new();
    let mut gets = Vec::new();
    for (o, object) in objects.iter().enumerate() {
        let Some(policy) = id_of(object) else {
            continue;
        };
        let settings = object
            .get("omaSettings")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (i, setting) in settings.iter().enumerate() {
            let encrypted = setting.get("isEncrypted").and_then(Value::as_bool) == Some(true);
            let secret = setting
                .get("secretReferenceValueId")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty());
            if let (true, Some(secret)) = (encrypted, secret) {
                places.push((o, i));
                gets.push(BatchGet {
                    url: format!(
                        "{}/{policy}/getOmaSettingPlainTextValue(secretReferenceValueId='{secret}')",
                        plan.collection
                    ),
                    full_metadata: false,
                });
            }
        }
    }
    if gets.is_empty() {
        return None;
    }
    let answers = session.batch(plan.version, gets).await;
    let mut masked = 0usize;
    let mut reason = None;
    for ((o, i), answer) in places.into_iter().zip(answers) {
        let plain = match answer {
            Ok(answer) => answer
                .get("value")
                .and_then(Value::as_str)
                .map(str::to_owned),
            Err(error) => {
                reason.get_or_insert_with(|| error.to_string());
                None
            }
        };
        let setting = objects[o]
            .get_mut("omaSettings")
            .and_then(Value::as_array_mut)
            .and_then(|a| a.get_mut(i))
            .and_then(Value::as_object_mut);
        match (plain, setting) {
            (Some(plain), Some(setting)) => {
                setting.insert("value".to_owned(), Value::String(plain));
                setting.insert("isEncrypted".to_owned(), Value::Bool(false));
                setting.remove("secretReferenceValueId");
            }
            _ => masked += 1,
        }
    }
    (masked > 0).then(|| {
        let values = if masked == 1 { "value" } else { "values" };
        format!(
            "{masked} custom OMA-URI {values} could not be read in plain text, so they are recorded masked and not compared: {}",
            reason.unwrap_or_else(|| "Graph answered without a value".to_owned())
        )
    })
}

/// Administrative templates: `…/definitionValues/{id}/presentationValues?$expand=presentation`
/// for every definition value (the 1 + N + N·M chain, in batches).
async fn read_presentation_values(
    session: &TenantSession,
    plan: &Plan,
    objects: &mut [Value],
) -> Result<(), GraphError> {
    let mut places = Vec::new();
    let mut gets = Vec::new();
    for (o, object) in objects.iter().enumerate() {
        let policy = id_of(object).unwrap_or_default().to_owned();
        let values = object
            .get("definitionValues")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (v, value) in values.iter().enumerate() {
            if let Some(id) = id_of(value) {
                places.push((o, v));
                gets.push(BatchGet {
                    url: format!(
                        "{}/{policy}/definitionValues/{id}/presentationValues?$expand=presentation",
                        plan.collection
                    ),
                    full_metadata: false,
                });
            }
        }
    }
    let answers = session.batch(plan.version, gets).await;
    for ((o, v), answer) in places.into_iter().zip(answers) {
        let values = answer?
            .get("value")
            .cloned()
            .unwrap_or(Value::Array(Vec::new()));
        if let Some(value) = objects[o]
            .get_mut("definitionValues")
            .and_then(Value::as_array_mut)
            .and_then(|a| a.get_mut(v))
            .and_then(Value::as_object_mut)
        {
            value.insert("presentationValues".to_owned(), values);
        }
    }
    Ok(())
}

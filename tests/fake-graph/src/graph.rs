//! Graph's read endpoints and `$batch`, in the shapes and with the quirks of GRAPH.md.

use std::collections::{HashMap, HashSet};

use plumbline_core::model::DirectoryObjectKind;
use serde_json::{json, Map, Value};

use crate::tenants::{directory_objects, FakeTenant, Policy};
use crate::{Behaviour, Reply, State, TenantState};

/// Decodes `%XX` sequences once (and `+` as a space, for forms).
pub fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An `application/x-www-form-urlencoded` body.
pub fn parse_form(body: &str) -> HashMap<String, String> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

/// A request's query: decoded once, as a server does; raw parts kept for next links.
struct Query {
    params: HashMap<String, String>,
    raw: Vec<(String, String)>,
}

impl Query {
    fn parse(query: &str) -> Self {
        let mut params = HashMap::new();
        let mut raw = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let key = percent_decode(k, false);
            params.insert(key.clone(), percent_decode(v, false));
            raw.push((key, pair.to_owned()));
        }
        Self { params, raw }
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }

    fn expands(&self, what: &str) -> bool {
        self.get("$expand")
            .is_some_and(|e| e.split(',').any(|p| p.trim().starts_with(what)))
    }

    /// The query without its skip token, to which a next link adds the next one.
    fn without_skiptoken(&self) -> String {
        self.raw
            .iter()
            .filter(|(k, _)| k != "$skiptoken")
            .map(|(_, pair)| pair.as_str())
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// The permission an endpoint needs, by its path.
fn permission(path: &str) -> &'static str {
    if path.starts_with("deviceAppManagement/") {
        "DeviceManagementApps.Read.All"
    } else if path.starts_with("deviceManagement/roleScopeTags") {
        "DeviceManagementRBAC.Read.All"
    } else if path.starts_with("deviceManagement/notificationMessageTemplates") {
        "DeviceManagementServiceConfig.Read.All"
    } else if path.starts_with("deviceManagement/") {
        "DeviceManagementConfiguration.Read.All"
    } else if path.starts_with("identity/") {
        "Policy.Read.All"
    } else {
        "Group.Read.All"
    }
}

/// One Graph GET (a request of its own or a `$batch` sub-request).
#[allow(clippy::too_many_arguments)]
pub(crate) fn request(
    state: &State,
    tenant: &TenantState,
    behaviour: &Behaviour,
    roles: &[String],
    version: &str,
    relative: &str,
    full_metadata: bool,
    base: &str,
) -> Reply {
    let relative = relative.trim_start_matches('/');
    let (path, query) = relative.split_once('?').unwrap_or((relative, ""));
    if let Some(reply) = state.admit(tenant, behaviour) {
        return reply;
    }
    if roles.is_empty() {
        return Reply::error(
            403,
            "Forbidden",
            "Either scp or roles claim need to be present in the token.",
        );
    }
    let needed = permission(path);
    let write = needed.replace(".Read.", ".ReadWrite.");
    if !roles.iter().any(|r| r == needed || *r == write) {
        return if needed.starts_with("DeviceManagement") {
            Reply::intune_error(
                403,
                "Forbidden",
                &format!("Application is not authorized to perform this operation. Application must have one of the following scopes: {needed}, {write}"),
            )
        } else {
            Reply::error(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            )
        };
    }
    let intune = path.starts_with("deviceManagement/") || path.starts_with("deviceAppManagement/");
    if intune && behaviour.intune_not_licensed {
        return Reply::intune_error(
            400,
            "BadRequest",
            "Request not applicable to target tenant.",
        );
    }
    if behaviour
        .failing
        .iter()
        .any(|p| path.starts_with(p.as_str()))
    {
        return Reply::error(
            500,
            "InternalServerError",
            "An internal server error occurred while processing the request.",
        );
    }
    if behaviour
        .malformed
        .iter()
        .any(|p| path.starts_with(p.as_str()))
    {
        return Reply::text(200, "{\"value\": [{\"id\": \"0a1b2c".to_owned());
    }
    if behaviour.oma_decrypt_denied && path.contains("/getOmaSettingPlainTextValue(") {
        return Reply::intune_error(
            403,
            "Forbidden",
            "Application is not authorized to perform this operation. Application must have one of the following scopes: DeviceManagementConfiguration.ReadWrite.All",
        );
    }
    let query = Query::parse(query);
    let tenant = tenant.tenant.read().unwrap_or_else(|e| e.into_inner());
    serve(&tenant, version, path, &query, full_metadata, base)
}

const CATALOG: &str = "deviceManagement/configurationPolicies";

fn serve(
    tenant: &FakeTenant,
    version: &str,
    path: &str,
    query: &Query,
    full: bool,
    base: &str,
) -> Reply {
    let segments: Vec<&str> = path.split('/').collect();
    if version == "v1.0" && path.starts_with(CATALOG) {
        return Reply::error(
            400,
            "BadRequest",
            "Resource not found for the segment 'configurationPolicies'.",
        );
    }
    let page = |items: Vec<Value>, size: usize| paged(items, size, version, path, query, base);
    let policies = |collection: &str| -> Vec<&Policy> {
        tenant
            .policies
            .iter()
            .filter(|p| p.collection == collection)
            .collect()
    };
    let find = |collection: &str, id: &str| -> Option<&Policy> {
        tenant
            .policies
            .iter()
            .find(|p| p.collection == collection && p.id() == id)
    };
    let not_found = |id: &str| {
        Reply::error(
            404,
            "ResourceNotFound",
            &format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
        )
    };
    let top = |default: usize, max: usize| {
        query
            .get("$top")
            .and_then(|t| t.parse::<usize>().ok())
            .map(|t| t.clamp(1, max))
            .unwrap_or(default)
    };
    match segments.as_slice() {
        ["groups"] => page(
            directory_objects(tenant, DirectoryObjectKind::Group),
            top(100, 999),
        ),
        ["deviceManagement", "assignmentFilters"] => page(
            directory_objects(tenant, DirectoryObjectKind::AssignmentFilter),
            top(1000, 1000),
        ),
        ["deviceManagement", "roleScopeTags"] => page(
            directory_objects(tenant, DirectoryObjectKind::ScopeTag),
            top(1000, 1000),
        ),
        ["identity", "conditionalAccess", "namedLocations"] => page(
            directory_objects(tenant, DirectoryObjectKind::NamedLocation),
            top(1000, 1000),
        ),
        ["deviceAppManagement", "managedAppPolicies"] => {
            if query.get("$filter").is_some() {
                return Reply::error(
                    400,
                    "BadRequest",
                    "Filtering on this collection is not supported.",
                );
            }
            let mut items: Vec<Value> = tenant
                .policies
                .iter()
                .filter(|p| p.collection.starts_with("deviceAppManagement/"))
                .map(|p| shown(p, &["apps", "assignments"], true))
                .collect();
            // The list holds app configurations too (clients drop them).
            items.push(json!({
                "@odata.type": "#microsoft.graph.targetedManagedAppConfiguration",
                "id": "A_2f0b5b0e-0000-4000-8000-000000000001",
                "displayName": "Outlook app configuration",
                "customSettings": []
            }));
            page(items, top(1000, 1000))
        }
        ["deviceAppManagement", collection, id] => {
            let collection = format!("deviceAppManagement/{collection}");
            match find(&collection, id) {
                Some(policy) => {
                    let mut hidden = Vec::new();
                    if !query.expands("apps") {
                        hidden.push("apps");
                    }
                    if !query.expands("assignments") {
                        hidden.push("assignments");
                    }
                    Reply::json(200, shown(policy, &hidden, true))
                }
                None => not_found(id),
            }
        }
        ["deviceManagement", "configurationPolicies"] => {
            let mut hidden = vec!["settings"];
            if !query.expands("assignments") {
                hidden.push("assignments");
            }
            let items = policies(CATALOG)
                .into_iter()
                .map(|p| {
                    let mut shown = shown(p, &hidden, full);
                    let count = p
                        .object
                        .get("settings")
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len);
                    shown["settingCount"] = json!(count);
                    shown
                })
                .collect();
            // The settings catalog pages at 25, whatever $top asks.
            page(items, 25)
        }
        ["deviceManagement", "deviceConfigurations", id, function]
            if function.starts_with("getOmaSettingPlainTextValue(") =>
        {
            let secret = function
                .split_once("secretReferenceValueId='")
                .and_then(|(_, rest)| rest.split_once('\''))
                .map(|(secret, _)| secret);
            let plain = find("deviceManagement/deviceConfigurations", id)
                .and_then(|p| p.object.get(crate::tenants::PLAIN_TEXT))
                .and_then(|texts| texts.get(secret?));
            match plain {
                Some(value) => Reply::json(
                    200,
                    json!({
                        "@odata.context": format!("{base}/{version}/$metadata#Edm.String"),
                        "value": value
                    }),
                ),
                None => not_found(id),
            }
        }
        [_, collection, id, "settings"] => {
            let collection = format!("deviceManagement/{collection}");
            match find(&collection, id) {
                Some(policy) => {
                    let mut settings = array(policy, "settings");
                    let size = if collection == CATALOG { 25 } else { 1000 };
                    if collection == CATALOG && query.expands("settingDefinitions") {
                        for setting in &mut settings {
                            let definitions = crate::definitions::for_setting(setting);
                            if let Some(map) = setting.as_object_mut() {
                                map.insert(
                                    "settingDefinitions".to_owned(),
                                    Value::Array(definitions),
                                );
                            }
                        }
                    }
                    page(settings, size)
                }
                None => not_found(id),
            }
        }
        [_, collection, id, "assignments"] => {
            let collection = format!("deviceManagement/{collection}");
            match find(&collection, id) {
                Some(policy) => page(array(policy, "assignments"), 1000),
                None => not_found(id),
            }
        }
        ["deviceManagement", "groupPolicyConfigurations", id, "definitionValues"] => {
            match find("deviceManagement/groupPolicyConfigurations", id) {
                Some(policy) => {
                    let mut hidden = vec!["presentationValues"];
                    if !query.expands("definition") {
                        hidden.push("definition");
                    }
                    let values = array(policy, "definitionValues")
                        .into_iter()
                        .map(|v| without(v, &hidden))
                        .collect();
                    page(values, 1000)
                }
                None => not_found(id),
            }
        }
        ["deviceManagement", "groupPolicyConfigurations", id, "definitionValues", value, "presentationValues"] =>
        {
            let Some(policy) = find("deviceManagement/groupPolicyConfigurations", id) else {
                return not_found(id);
            };
            let Some(definition_value) = array(policy, "definitionValues")
                .into_iter()
                .find(|v| v.get("id").and_then(Value::as_str) == Some(value))
            else {
                return not_found(value);
            };
            let hidden: &[&str] = if query.expands("presentation") {
                &[]
            } else {
                &["presentation"]
            };
            let values = definition_value
                .get("presentationValues")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|v| without(v, hidden))
                .collect();
            page(values, 1000)
        }
        ["deviceManagement", collection] | ["identity", "conditionalAccess", collection] => {
            let collection = if segments[0] == "identity" {
                format!("identity/conditionalAccess/{collection}")
            } else {
                format!("deviceManagement/{collection}")
            };
            let known = [
                "deviceManagement/deviceConfigurations",
                "deviceManagement/deviceCompliancePolicies",
                "deviceManagement/windowsFeatureUpdateProfiles",
                "deviceManagement/windowsQualityUpdateProfiles",
                "deviceManagement/windowsDriverUpdateProfiles",
                "deviceManagement/groupPolicyConfigurations",
                "deviceManagement/intents",
                "identity/conditionalAccess/policies",
            ];
            if !known.contains(&collection.as_str()) {
                let last = collection.rsplit('/').next().unwrap_or("");
                return Reply::error(
                    400,
                    "BadRequest",
                    &format!("Resource not found for the segment '{last}'."),
                );
            }
            let mut hidden = vec!["settings", "definitionValues"];
            if !query.expands("assignments") {
                hidden.push("assignments");
            }
            if !query.expands("scheduledActionsForRule") {
                hidden.push("scheduledActionsForRule");
            }
            // Polymorphic device configurations carry their type only with full metadata.
            let typed = full || collection != "deviceManagement/deviceConfigurations";
            let items = policies(&collection)
                .into_iter()
                .map(|p| shown(p, &hidden, typed))
                .collect();
            page(items, top(1000, 1000))
        }
        _ => {
            let last = segments.last().copied().unwrap_or("");
            Reply::error(
                400,
                "BadRequest",
                &format!("Resource not found for the segment '{last}'."),
            )
        }
    }
}

fn array(policy: &Policy, field: &str) -> Vec<Value> {
    policy
        .object
        .get(field)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn without(value: Value, hidden: &[&str]) -> Value {
    match value {
        Value::Object(mut map) => {
            for h in hidden {
                map.remove(*h);
            }
            Value::Object(map)
        }
        other => other,
    }
}

/// A policy as a list or GET shows it: children hidden, `@odata.type` only when asked.
fn shown(policy: &Policy, hidden: &[&str], typed: bool) -> Value {
    let mut map: Map<String, Value> = policy
        .object
        .iter()
        .filter(|(k, _)| !hidden.contains(&k.as_str()) && !k.starts_with("@fake."))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !typed {
        map.remove("@odata.type");
    }
    Value::Object(map)
}

/// One page of `items` at the offset the query's skip token names. The next link's skip
/// token is encoded twice, as Graph's are: a client that decodes it before sending it back
/// is refused.
fn paged(
    items: Vec<Value>,
    size: usize,
    version: &str,
    path: &str,
    query: &Query,
    base: &str,
) -> Reply {
    let offset =
        match query.get("$skiptoken") {
            None => 0,
            Some(token) => match token.strip_prefix("skip%3D").and_then(|n| n.parse().ok()) {
                Some(offset) => offset,
                None => return Reply::error(
                    400,
                    "BadRequest",
                    "The $skiptoken is invalid: send the @odata.nextLink back exactly as received.",
                ),
            },
        };
    let end = (offset + size).min(items.len());
    let value: Vec<Value> = items
        .get(offset..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let mut body = json!({
        "@odata.context": format!("{base}/{version}/$metadata#{path}"),
        "value": value,
    });
    if end < items.len() {
        let rest = query.without_skiptoken();
        let separator = if rest.is_empty() { "" } else { "&" };
        body["@odata.nextLink"] = json!(format!(
            "{base}/{version}/{path}?{rest}{separator}$skiptoken=skip%253D{end}"
        ));
    }
    Reply::json(200, body)
}

/// `POST /$batch`: at most 20 GETs with unique ids and relative URLs. The envelope is 200
/// whatever the sub-requests got; each sub-request counts against the tenant's limits.
#[allow(clippy::too_many_arguments)]
pub(crate) fn batch(
    state: &State,
    tenant: &TenantState,
    behaviour: &Behaviour,
    roles: &[String],
    version: &str,
    base: &str,
    body: &[u8],
    seq: u64,
) -> Reply {
    let Ok(envelope) = serde_json::from_slice::<Value>(body) else {
        return Reply::error(400, "BadRequest", "Invalid batch payload format.");
    };
    let Some(requests) = envelope.get("requests").and_then(Value::as_array) else {
        return Reply::error(400, "BadRequest", "Invalid batch payload format.");
    };
    if requests.len() > 20 {
        return Reply::error(
            400,
            "BadRequest",
            "The batch request exceeds the maximum of 20 requests.",
        );
    }
    let mut seen = HashSet::new();
    for request in requests {
        let id = request.get("id").and_then(Value::as_str).unwrap_or("");
        if id.is_empty() || !seen.insert(id.to_owned()) {
            return Reply::error(
                400,
                "BadRequest",
                "Batch request ids must be present and unique.",
            );
        }
        let url = request.get("url").and_then(Value::as_str).unwrap_or("");
        if url.starts_with("http") {
            return Reply::error(
                400,
                "BadRequest",
                "Batch request URLs must be relative to the version root.",
            );
        }
    }
    let tenant_id = tenant
        .tenant
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .entra_id
        .clone();
    let mut responses: Vec<Value> = requests
        .iter()
        .map(|sub| {
            let id = sub.get("id").and_then(Value::as_str).unwrap_or("");
            let url = sub.get("url").and_then(Value::as_str).unwrap_or("");
            let method = sub.get("method").and_then(Value::as_str).unwrap_or("GET");
            let full = sub
                .get("headers")
                .and_then(|h| h.get("Accept").or_else(|| h.get("accept")))
                .and_then(Value::as_str)
                .is_some_and(|a| a.replace(' ', "").contains("odata.metadata=full"));
            let reply = if method.eq_ignore_ascii_case("GET") {
                request(state, tenant, behaviour, roles, version, url, full, base)
            } else {
                Reply::error(405, "BadRequest", "The fake Graph only reads.")
            };
            state.record(Some(&tenant_id), method, url, reply.status, Some(seq));
            reply.to_batch(id)
        })
        .collect();
    if !behaviour.batch_in_order {
        responses.reverse();
    }
    Reply::json(200, json!({ "responses": responses }))
}

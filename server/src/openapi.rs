//! The API's OpenAPI 3.1 document, built from the wire types' JSON Schemas (schemars
//! derives them from the same serde attributes that shape the JSON) and one table of the
//! routes ([`ROUTES`]), so a changed body changes the document.
//!
//! Invariants:
//! - Every route the router serves is in [`ROUTES`] and the other way round (a test
//!   compares them with the router through real requests).
//! - The committed copy, `server/openapi.json`, equals [`document_json`] (a test says how
//!   to refresh it): reviewers see API changes in diffs, and CI fails on a stale copy.

use std::sync::OnceLock;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{json, Map, Value};

use plumbline_wire::{
    ApiError, BlobBundle, BlobList, ClaimRequest, ClaimResponse, CompleteRequest, CompleteResponse,
    Identity, PullResponse, PushRequest, PushResponse, RenewRequest, RenewResponse, SignInBody,
    SignedIn, Snapshot, SyncHead, API_VERSION, BLOBS_FETCH_PATH, BLOBS_MISSING_PATH,
    BLOBS_UPLOAD_PATH, BLOB_PATH, HEAD_PATH, HEALTH_PATH, LEASE_CLAIM_PATH, LEASE_COMPLETE_PATH,
    LEASE_RENEW_PATH, METRICS_PATH, ME_PATH, OPENAPI_PATH, PULL_PATH, PUSH_PATH, READY_PATH,
    REQUEST_ID_HEADER, SIGN_IN_PATH, SIGN_OUT_PATH, SNAPSHOT_PATH, WORKSPACE_HEADER,
};

/// Bundles: JSON compressed with zstd.
const BUNDLE: &str = "application/vnd.plumbline.bundle+json+zstd";

/// A body: a JSON schema of a wire type, or bytes of a media type.
#[derive(Clone, Copy)]
pub enum Body {
    Json(fn(&mut SchemaGenerator) -> Value),
    /// A zstd-compressed JSON bundle of the type.
    Bundle(fn(&mut SchemaGenerator) -> Value),
    /// Blob frames (`plumbline_wire::BLOB_FRAMES_TYPE`, chosen by `Accept` or
    /// `Content-Type`) or a zstd-compressed JSON bundle of the type.
    Blobs(fn(&mut SchemaGenerator) -> Value),
    Bytes(&'static str),
    Text(&'static str),
    Empty,
}

fn schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Value {
    generator.subschema_for::<T>().to_value()
}

/// One operation of the API.
#[derive(Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    /// Needs a device token.
    pub authenticated: bool,
    /// Works in a workspace (the optional workspace header applies).
    pub workspace: bool,
    /// Query parameters: name, type, required, description.
    pub query: &'static [(&'static str, &'static str, bool, &'static str)],
    pub request: Body,
    /// Success status and body.
    pub status: u16,
    pub response: Body,
}

const fn route(method: &'static str, path: &'static str, summary: &'static str) -> Route {
    Route {
        method,
        path,
        summary,
        authenticated: true,
        workspace: true,
        query: &[],
        request: Body::Empty,
        status: 200,
        response: Body::Empty,
    }
}

/// The blob route's path template, as the router and this document name it.
pub fn blob_path() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| format!("{BLOB_PATH}/{{sha256}}"))
}

/// Every route the server answers.
pub fn routes() -> Vec<Route> {
    let probe = |path, summary, text| Route {
        authenticated: false,
        workspace: false,
        response: Body::Text(text),
        ..route("get", path, summary)
    };
    let blob = blob_path();
    vec![
        probe(HEALTH_PATH, "Liveness: the process answers.", "ok"),
        probe(
            READY_PATH,
            "Readiness: the database answers, its schema is current and the instance is not stopping (503 otherwise).",
            "ready",
        ),
        Route {
            authenticated: false,
            workspace: false,
            response: Body::Text("Prometheus text exposition format 0.0.4"),
            ..route(
                "get",
                METRICS_PATH,
                "Prometheus metrics of this instance (a bearer token when `metrics.token` is set).",
            )
        },
        Route {
            authenticated: false,
            workspace: false,
            response: Body::Text("this document (application/json)"),
            ..route("get", OPENAPI_PATH, "This OpenAPI document.")
        },
        Route {
            authenticated: false,
            workspace: false,
            request: Body::Json(schema::<SignInBody>),
            response: Body::Json(schema::<SignedIn>),
            ..route(
                "post",
                SIGN_IN_PATH,
                "Sign in with e-mail and password; returns a device token (shown once). Failed sign-ins are limited per e-mail and source address (429 with Retry-After).",
            )
        },
        Route {
            workspace: false,
            status: 204,
            ..route("post", SIGN_OUT_PATH, "Revoke the calling device's token.")
        },
        Route {
            workspace: false,
            response: Body::Json(schema::<Identity>),
            ..route(
                "get",
                ME_PATH,
                "Who the token is, and its workspaces (role, tenants).",
            )
        },
        Route {
            request: Body::Json(schema::<PushRequest>),
            response: Body::Json(schema::<PushResponse>),
            ..route(
                "post",
                PUSH_PATH,
                "Push operations: a verdict per operation (accepted with its sequence number, duplicate, or rejected with a stable reason). Idempotent by operation id.",
            )
        },
        Route {
            query: &[
                ("after", "integer", false, "Sequence number already applied (default 0)."),
                ("limit", "integer", false, "Most operations to return (1 to 5,000; default 1,000)."),
                ("wait", "integer", false, "Live mode: seconds to wait for news when there is none (at most 60)."),
                ("epoch", "string", false, "The log epoch the device holds; another one answers must_resync."),
            ],
            response: Body::Json(schema::<PullResponse>),
            ..route(
                "get",
                PULL_PATH,
                "Pull the operations the caller may see after a sequence number, with control messages.",
            )
        },
        Route {
            query: &[
                ("tenant", "string", false, "The tenant; empty for the workspace's own records."),
                ("up_to", "integer", true, "The sequence number the snapshot is taken at."),
            ],
            response: Body::Bundle(schema::<Snapshot>),
            ..route("get", SNAPSHOT_PATH, "A tenant's state as one compressed bundle, for a first sync.")
        },
        Route {
            query: &[(
                "first_sync",
                "boolean",
                false,
                "Also count what a first sync would fetch.",
            )],
            response: Body::Json(schema::<SyncHead>),
            ..route("get", HEAD_PATH, "The workspace log's epoch and head.")
        },
        Route {
            request: Body::Json(schema::<BlobList>),
            response: Body::Json(schema::<BlobList>),
            ..route("post", BLOBS_MISSING_PATH, "Which of these blobs the server lacks.")
        },
        Route {
            request: Body::Json(schema::<BlobList>),
            response: Body::Blobs(schema::<BlobBundle>),
            ..route(
                "post",
                BLOBS_FETCH_PATH,
                "The blobs of the list the caller may read: as blob frames (each as stored) \
                 when `Accept` names them, else as one compressed bundle.",
            )
        },
        Route {
            request: Body::Blobs(schema::<BlobBundle>),
            status: 204,
            ..route(
                "post",
                BLOBS_UPLOAD_PATH,
                "Upload blobs as blob frames or as one compressed bundle; each is checked \
                 against its size and SHA-256.",
            )
        },
        Route {
            request: Body::Json(schema::<ClaimRequest>),
            response: Body::Json(schema::<ClaimResponse>),
            ..route(
                "post",
                LEASE_CLAIM_PATH,
                "Agents: claim work items (captures, deliveries); each is granted to one holder at a time, for ttl_seconds (operators and above; the items' tenants must be in the membership).",
            )
        },
        Route {
            request: Body::Json(schema::<RenewRequest>),
            response: Body::Json(schema::<RenewResponse>),
            ..route(
                "post",
                LEASE_RENEW_PATH,
                "Agents: extend the leases still held; lost ones are listed (stop that work).",
            )
        },
        Route {
            request: Body::Json(schema::<CompleteRequest>),
            response: Body::Json(schema::<CompleteResponse>),
            ..route(
                "post",
                LEASE_COMPLETE_PATH,
                "Agents: give an item back, resting for rest_seconds before it may be granted again.",
            )
        },
        Route {
            response: Body::Bytes("application/octet-stream"),
            ..route(
                "get",
                blob,
                "One blob, if a record the caller may see references it (404 otherwise, as for one that does not exist).",
            )
        },
        route("head", blob, "Whether the caller may read this blob."),
        Route {
            request: Body::Bytes("application/octet-stream"),
            status: 204,
            ..route("put", blob, "Upload one blob; its bytes must hash to the path's SHA-256.")
        },
    ]
}

fn content(body: Body, generator: &mut SchemaGenerator) -> Option<Value> {
    Some(match body {
        Body::Json(schema) => json!({ "application/json": { "schema": schema(generator) } }),
        Body::Bundle(schema) => json!({
            BUNDLE: {
                "schema": { "type": "string", "format": "binary" },
                "x-plumbline-decompressed-schema": schema(generator),
            }
        }),
        Body::Blobs(schema) => json!({
            plumbline_wire::BLOB_FRAMES_TYPE: {
                "schema": { "type": "string", "format": "binary" },
                "description": "\"PLBLOB1\\n\", the number of frames (u32 LE), then per blob: \
                    SHA-256 (32 bytes), codec (1 byte: 0 none, 1 zstd), decoded size (u64 LE), \
                    data length (u32 LE), data.",
            },
            BUNDLE: {
                "schema": { "type": "string", "format": "binary" },
                "x-plumbline-decompressed-schema": schema(generator),
            }
        }),
        Body::Bytes(media) => {
            json!({ media: { "schema": { "type": "string", "format": "binary" } } })
        }
        Body::Text(example) => {
            json!({ "text/plain": { "schema": { "type": "string" }, "example": example } })
        }
        Body::Empty => return None,
    })
}

/// The document.
pub fn document() -> Value {
    let mut generator: SchemaGenerator = SchemaSettings::draft2020_12()
        .with(|settings| settings.definitions_path = "/components/schemas/".into())
        .into_generator();
    let error = schema::<ApiError>(&mut generator);
    let mut paths = Map::new();
    for route in routes() {
        let mut operation = Map::new();
        operation.insert("summary".into(), json!(route.summary));
        let id = format!(
            "{}{}",
            route.method,
            route
                .path
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|part| !part.is_empty() && *part != "api" && *part != "v1")
                .map(|part| {
                    let mut chars = part.chars();
                    chars.next().map_or_else(String::new, |first| {
                        first.to_ascii_uppercase().to_string() + chars.as_str()
                    })
                })
                .collect::<String>()
        );
        operation.insert("operationId".into(), json!(id));
        let mut parameters = Vec::new();
        if route.path.contains("{sha256}") {
            parameters.push(json!({
                "name": "sha256", "in": "path", "required": true,
                "description": "Lower-case hex SHA-256 of the blob's bytes.",
                "schema": { "type": "string", "pattern": "^[0-9a-f]{64}$" }
            }));
        }
        for (name, kind, required, description) in route.query {
            parameters.push(json!({
                "name": name, "in": "query", "required": required,
                "description": description, "schema": { "type": kind }
            }));
        }
        if route.workspace {
            parameters.push(json!({
                "name": WORKSPACE_HEADER, "in": "header", "required": false,
                "description": "The workspace to work in, when the token's user is a member of several.",
                "schema": { "type": "string" }
            }));
        }
        parameters.push(json!({
            "name": REQUEST_ID_HEADER, "in": "header", "required": false,
            "description": "The request's id, kept when plain (64 characters of letters, digits, -_.:), else made by the server; always in the answer.",
            "schema": { "type": "string", "maxLength": 64 }
        }));
        operation.insert("parameters".into(), Value::Array(parameters));
        if let Some(content) = content(route.request, &mut generator) {
            operation.insert(
                "requestBody".into(),
                json!({ "required": true, "content": content }),
            );
        }
        let mut responses = Map::new();
        let mut success = json!({ "description": "Success." });
        if let Some(content) = content(route.response, &mut generator) {
            success["content"] = content;
        }
        responses.insert(route.status.to_string(), success);
        responses.insert(
            "default".into(),
            json!({
                "description": "An error: a stable code, a message for people, the request id.",
                "content": { "application/json": { "schema": error } }
            }),
        );
        operation.insert("responses".into(), Value::Object(responses));
        if route.authenticated {
            operation.insert("security".into(), json!([{ "deviceToken": [] }]));
        } else if route.path == METRICS_PATH {
            operation.insert("security".into(), json!([{}, { "metricsToken": [] }]));
        } else {
            operation.insert("security".into(), json!([]));
        }
        let entry = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        entry[route.method] = Value::Object(operation);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Plumbline server API",
            "version": format!("{API_VERSION}.0.0"),
            "description": "The sync server of Plumbline: identity, sync and blobs (see SYNC.md). Generated from the wire types by `plumbline-server openapi`.",
            "license": { "name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later" }
        },
        "paths": paths,
        "components": {
            "schemas": generator.take_definitions(true),
            "securitySchemes": {
                "deviceToken": {
                    "type": "http", "scheme": "bearer",
                    "description": "A device token from sign-in."
                },
                "metricsToken": {
                    "type": "http", "scheme": "bearer",
                    "description": "The server's metrics.token, when set."
                }
            }
        }
    })
}

/// The document as pretty JSON with a final newline, as committed; made once per
/// process (it is served on every request for it).
pub fn document_json() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
        text.push('\n');
        text
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_document_is_the_generated_one() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
        let generated = document_json();
        if std::env::var_os("PLUMBLINE_UPDATE_OPENAPI").is_some() {
            std::fs::write(path, generated).expect("write server/openapi.json");
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == generated,
            "server/openapi.json is stale: run `PLUMBLINE_UPDATE_OPENAPI=1 cargo test -p plumbline-server --lib openapi` (or `plumbline-server openapi > server/openapi.json`) and commit it"
        );
    }

    #[test]
    fn every_reference_resolves_and_every_body_type_is_described() {
        let document = document();
        let schemas = document["components"]["schemas"]
            .as_object()
            .expect("schemas");
        for name in [
            "PushRequest",
            "PullResponse",
            "Operation",
            "ApiError",
            "SignedIn",
        ] {
            assert!(schemas.contains_key(name), "no schema {name}");
        }
        let text = document.to_string();
        let mut rest = text.as_str();
        let mut count = 0;
        while let Some(at) = rest.find("\"$ref\":\"#/components/schemas/") {
            rest = &rest[at + "\"$ref\":\"#/components/schemas/".len()..];
            let name = &rest[..rest.find('"').expect("end of ref")];
            assert!(schemas.contains_key(name), "dangling $ref to {name}");
            count += 1;
        }
        assert!(count > 20, "only {count} references");
        // The serde attributes show: an operation's body is flattened into it, tagged by
        // `kind` with its `data`.
        let operation = schemas["Operation"].to_string();
        assert!(
            operation.contains("\"kind\"") && operation.contains("\"data\""),
            "{operation}"
        );
    }
}

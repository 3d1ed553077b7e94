//! Sync, version 1 (SYNC.md): the operations devices exchange through the server.
//!
//! - `POST /api/v1/sync/push` [`PushRequest`] → 200 [`PushResponse`]: a verdict per
//!   operation (accepted with its sequence number, duplicate, or rejected with a stable
//!   [`RejectReason`]). Idempotent by operation id. The caller's workspace, role and
//!   tenants come from its device token, never from the body.
//! - `GET /api/v1/sync/pull?after=SEQ&limit=N[&wait=SECONDS]` → 200 [`PullResponse`]: the
//!   operations the caller may see with a sequence above `after`, in order, and
//!   [`Control`] messages. With `wait`, an empty answer waits up to that long for the
//!   next operation (live mode).
//! - `GET /api/v1/sync/snapshot?tenant=ID&up_to=SEQ` → 200 zstd-compressed [`Snapshot`]
//!   (`tenant` empty: the workspace's own records): a first sync without a request per
//!   operation.
//! - Every sync request works in the caller's workspace: the only one it is a member of,
//!   or the one [`WORKSPACE_HEADER`] names among its memberships.
//! - `HEAD|GET|PUT /api/v1/blobs/{sha256}`: one blob, its SHA-256 checked on upload (400
//!   `hash_mismatch`) and by the client on download; served only to a device that may see
//!   a record referencing it (otherwise 404, as for a blob that does not exist).
//! - `POST /api/v1/blobs/missing` [`BlobList`] → [`BlobList`] of those the server lacks;
//!   `POST /api/v1/blobs/fetch` [`BlobList`] → those the caller may read;
//!   `POST /api/v1/blobs/upload` → 204. Both carry blob frames ([`BLOB_FRAMES_TYPE`]: each
//!   blob as stored, most zstd-compressed once by the device that made it) when the
//!   request says so (`Accept`, `Content-Type`), else a zstd-compressed [`BlobBundle`].
//!
//! Operations are immutable once accepted: do *not* rename a field or a variant of
//! [`Operation`] or [`OpBody`]; add fields with defaults.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const PUSH_PATH: &str = "/api/v1/sync/push";
pub const PULL_PATH: &str = "/api/v1/sync/pull";
pub const SNAPSHOT_PATH: &str = "/api/v1/sync/snapshot";
/// Where a first sync starts: the log's epoch and newest sequence, and the tenants the
/// caller may see with their checksums ([`SyncHead`]).
pub const HEAD_PATH: &str = "/api/v1/sync/head";
/// `{BLOB_PATH}/{sha256}`.
pub const BLOB_PATH: &str = "/api/v1/blobs";
pub const BLOBS_MISSING_PATH: &str = "/api/v1/blobs/missing";
pub const BLOBS_FETCH_PATH: &str = "/api/v1/blobs/fetch";
pub const BLOBS_UPLOAD_PATH: &str = "/api/v1/blobs/upload";

/// At most this many operations in one push.
pub const MAX_PUSH_OPERATIONS: usize = 1_000;
/// At most this many operations in one pull page.
pub const MAX_PULL_LIMIT: u32 = 5_000;
/// The longest a pull may wait for news (live mode), in seconds.
pub const MAX_PULL_WAIT_SECONDS: u32 = 60;
/// Push and blob bodies are at most this large (before compression for bundles).
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// One change made on a device, as it travels to every other device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Operation {
    /// UUIDv7, made by the device: the operation's identity everywhere.
    pub id: String,
    /// The hybrid logical clock of the change (see [`Hlc`]).
    pub hlc: String,
    /// The device that made the change.
    pub device_id: String,
    /// The tenant the change is about; `None` for the workspace's own records
    /// (baselines, settings).
    pub tenant_id: Option<String>,
    #[serde(flatten)]
    pub body: OpBody,
}

/// What changed. Registers (tenant fields, assignments, settings) merge last writer wins
/// by (HLC, device); captures and published baseline versions are immutable records;
/// decisions are events folded in (HLC, device, id) order; audit events extend their
/// device's chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum OpBody {
    /// Tenant fields that changed (each a register of its own).
    TenantSet(TenantFields),
    /// The tenant is gone (a tombstone; its records go with it).
    TenantDelete {},
    /// A capture of the tenant: immutable.
    Capture(CaptureRecord),
    /// A published baseline version: immutable.
    BaselinePublish(BaselineVersionRecord),
    /// A published version retired.
    BaselineRetire {
        baseline_id: String,
        version_id: String,
    },
    /// A baseline assigned to the tenant (a register per baseline and tenant).
    AssignmentSet(AssignmentRecord),
    /// The assignment removed (a tombstone of that register).
    AssignmentRemove { baseline_id: String },
    /// A person's decision on a finding of the tenant.
    Decision(DecisionRecord),
    /// A workspace setting (a register per key).
    SettingSet { key: String, value: Value },
    /// An event of the device's audit chain.
    Audit(AuditRecord),
    /// A person acknowledged an alert of the tenant: its repeats and escalation stop on
    /// every device (alerts themselves are derived, the same everywhere).
    AlertAck(AlertAckRecord),
    /// An alert rule (a register keyed by its name, case folded: every device seeds the
    /// same default rules under ids of its own). The workspace's; admins change it.
    AlertRuleSet(AlertRuleRecord),
    /// The rule removed (a tombstone of that register).
    AlertRuleRemove { name: String },
    /// A silence, made or ended early (a register per silence); the tenant's when it
    /// names one, else the workspace's.
    SilenceSet(SilenceRecord),
}

impl OpBody {
    /// The stable name of the kind, as in the JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::TenantSet(_) => "tenant_set",
            Self::TenantDelete {} => "tenant_delete",
            Self::Capture(_) => "capture",
            Self::BaselinePublish(_) => "baseline_publish",
            Self::BaselineRetire { .. } => "baseline_retire",
            Self::AssignmentSet(_) => "assignment_set",
            Self::AssignmentRemove { .. } => "assignment_remove",
            Self::Decision(_) => "decision",
            Self::SettingSet { .. } => "setting_set",
            Self::Audit(_) => "audit",
            Self::AlertAck(_) => "alert_ack",
            Self::AlertRuleSet(_) => "alert_rule_set",
            Self::AlertRuleRemove { .. } => "alert_rule_remove",
            Self::SilenceSet(_) => "silence_set",
        }
    }

    /// The blobs the operation references (sent before it).
    pub fn blobs(&self) -> Vec<&str> {
        match self {
            Self::Capture(c) => c
                .items
                .iter()
                .map(|i| i.blob.as_str())
                .chain(c.definitions.as_deref())
                .collect(),
            Self::BaselinePublish(b) => b
                .items
                .iter()
                .map(|i| i.blob.as_str())
                .chain(b.definitions.as_deref())
                .collect(),
            Self::SettingSet { value, .. } => value
                .get("blob")
                .and_then(Value::as_str)
                .into_iter()
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// An alert acknowledged: by its event (the same on every device that raised it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AlertAckRecord {
    pub event_id: String,
    pub fingerprint: String,
    /// RFC 3339.
    pub acknowledged_at: String,
    pub actor: String,
}

/// An alert rule as it syncs: what raises alerts (where they go stays with the devices
/// that deliver: destinations, routes and escalation are theirs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AlertRuleRecord {
    pub name: String,
    /// The condition (`core::alerts::Condition` as JSON).
    pub condition: Value,
    pub cooldown_secs: i64,
    pub enabled: bool,
    /// The tenants it watches (`core::alerts::TenantFilter` as JSON; absent: all).
    #[serde(default)]
    pub tenant_filter: Value,
}

/// A silence as it syncs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SilenceRecord {
    pub id: String,
    /// The rule's name; `None`: every rule.
    pub rule: Option<String>,
    /// RFC 3339.
    pub starts_at: String,
    /// RFC 3339; ending a silence early moves it to then.
    pub ends_at: String,
    pub comment: String,
}

/// Tenant fields; `None`: not changed by this operation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TenantFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `Some(None)` clears the field.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub entra_tenant_id: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub primary_domain: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_demo: Option<bool>,
}

/// A field that is present, `null` included: `Some(None)` for `null`, absent stays `None`.
fn present<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A capture: which kinds were read and how, the items by blob, the directory objects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CaptureRecord {
    pub capture_id: String,
    /// graph, import or demo.
    pub source: String,
    /// RFC 3339.
    pub taken_at: String,
    pub origin: Option<String>,
    pub kinds: Vec<CaptureKind>,
    pub items: Vec<CaptureItem>,
    pub directory_objects: Vec<DirectoryObjectRecord>,
    /// SHA-256 of the blob of setting definitions (display names, option labels) the
    /// capture was labelled with; absent when none were known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definitions: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CaptureKind {
    pub kind: String,
    pub ok: bool,
    pub item_count: u32,
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CaptureItem {
    pub kind: String,
    pub odata_type: Option<String>,
    pub external_id: String,
    pub name: String,
    /// SHA-256 of the item's canonical JSON (a blob).
    pub blob: String,
    pub source_path: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DirectoryObjectRecord {
    pub kind: String,
    pub external_id: String,
    pub display_name: String,
}

/// A published baseline version with everything a review needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BaselineVersionRecord {
    pub baseline_id: String,
    pub name: String,
    pub description: String,
    pub version_id: String,
    pub version: i64,
    /// The baseline's matching options (JSON of the engine's options).
    pub options: Value,
    pub created_by: String,
    /// RFC 3339.
    pub published_at: String,
    pub items: Vec<BaselineItemRecord>,
    pub directory_objects: Vec<DirectoryObjectRecord>,
    /// SHA-256 of the blob of setting definitions the version was published with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definitions: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BaselineItemRecord {
    pub kind: String,
    pub name: String,
    pub match_name: Option<String>,
    pub blob: String,
    pub severity: String,
    /// Setting path → rule (JSON of the engine's rule).
    pub rules: BTreeMap<String, Value>,
}

/// A baseline's assignment to the operation's tenant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AssignmentRecord {
    pub baseline_id: String,
    /// A pinned version, or `None` for the latest published one.
    pub version_id: Option<String>,
    pub variables: BTreeMap<String, Value>,
}

/// A person's decision on a finding, with the last decision they had seen on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DecisionRecord {
    /// The finding's fingerprint (its id on every device).
    pub finding: String,
    /// acknowledge, resolve, accept, approve, false_positive, reopen or comment.
    pub action: String,
    /// The id of the last decision event on the finding the author saw, if any.
    pub base: Option<String>,
    /// Who decided, as they are named in the workspace.
    pub actor: String,
    pub reason: Option<String>,
    /// For `accept`: RFC 3339 expiry, the accepted value, the named approver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_value: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approver: Option<String>,
    /// For `approve`: the accept decision approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approves: Option<String>,
}

/// An audit event as its device chained it (EVIDENCE.md).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AuditRecord {
    pub id: String,
    /// The workspace id its device chained it under (part of the hash: kept as it was).
    pub workspace_id: String,
    pub chain_seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub summary: Value,
    pub prev_hash: String,
    pub hash: String,
}

/// A hybrid logical clock reading as text: 16 hex digits of its 64-bit time, `-`, the
/// device. Text order is clock order, ties broken by device. The time is NTP64-shaped
/// (seconds in the high 32 bits, the fraction in the low 32) counted from the Unix epoch,
/// as the `uhlc` crate keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hlc {
    pub time: u64,
}

impl Hlc {
    /// Formats a reading of `device` (hex).
    pub fn format(time: u64, device: &str) -> String {
        format!("{time:016x}-{device}")
    }

    /// The NTP64 time of a formatted reading.
    pub fn parse_time(text: &str) -> Option<u64> {
        let (time, _) = text.split_once('-')?;
        if time.len() != 16 {
            return None;
        }
        u64::from_str_radix(time, 16).ok()
    }

    /// Unix milliseconds of a clock time.
    pub fn unix_millis(time: u64) -> i64 {
        let seconds = (time >> 32) as i64;
        let fraction = ((time & 0xFFFF_FFFF) * 1000) >> 32;
        seconds * 1000 + fraction as i64
    }

    /// The clock time of Unix milliseconds.
    pub fn from_unix_millis(millis: i64) -> u64 {
        let millis = millis.max(0) as u64;
        ((millis / 1000) << 32) | (((millis % 1000) << 32) / 1000)
    }
}

/// Operations to push, in the order they were made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PushRequest {
    pub operations: Vec<Operation>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PushResponse {
    /// One per operation, in the request's order.
    pub verdicts: Vec<Verdict>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Verdict {
    pub id: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Outcome {
    Accepted {
        seq: i64,
    },
    /// Accepted before (the same id): its sequence number.
    Duplicate {
        seq: i64,
    },
    /// Refused for good: retrying the same operation gives the same answer.
    Rejected {
        reason: RejectReason,
        message: String,
    },
}

/// Why an operation is refused. Stable codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum RejectReason {
    /// The caller's role may not make this change (a viewer deciding, an operator
    /// changing workspace settings).
    ForbiddenRole,
    /// The caller's membership does not cover the tenant.
    ForbiddenTenant,
    /// A blob the operation references was not uploaded first.
    MissingBlob,
    /// The operation is malformed or names records that do not fit it.
    Invalid,
    /// Four eyes: a risk acceptance cannot be approved by the person who accepted it.
    SameApprover,
    /// The device id in the operation is not the caller's.
    WrongDevice,
}

impl RejectReason {
    pub fn code(self) -> &'static str {
        match self {
            Self::ForbiddenRole => "forbidden_role",
            Self::ForbiddenTenant => "forbidden_tenant",
            Self::MissingBlob => "missing_blob",
            Self::Invalid => "invalid",
            Self::SameApprover => "same_approver",
            Self::WrongDevice => "wrong_device",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [
            Self::ForbiddenRole,
            Self::ForbiddenTenant,
            Self::MissingBlob,
            Self::Invalid,
            Self::SameApprover,
            Self::WrongDevice,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }
}

/// An operation as the server sequenced it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Sequenced {
    pub seq: i64,
    /// The user who pushed it (for the record; decisions carry their own actor).
    pub user_id: String,
    pub operation: Operation,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PullResponse {
    /// The server's log epoch: a change means the log was restored or replaced.
    pub epoch: String,
    pub operations: Vec<Sequenced>,
    /// Continue with `after` = this (the last sequence this answer covers).
    pub last_seq: i64,
    /// The workspace's newest sequence when the answer was made.
    pub head: i64,
    pub controls: Vec<Control>,
}

/// Messages in the pull stream besides operations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "control", rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Control {
    /// The caller has everything up to `seq`: per-tenant checksums to compare.
    UpToDate {
        seq: i64,
        checksums: BTreeMap<String, Checksum>,
    },
    /// The caller may now see this tenant: fetch its snapshot up to the `after` of this
    /// pull before applying the page.
    GrantTenant { tenant_id: String },
    /// The caller may no longer see this tenant: remove its data.
    RevokeTenant { tenant_id: String },
    /// The log's epoch is not the one the caller synced with: start again from 0.
    MustResync { epoch: String },
}

/// A checksum of the operations of one tenant (key `""`: the workspace's own records):
/// how many, and the XOR of the SHA-256 of their ids, in hex. Order does not matter, so
/// client and server compute it the same way however operations arrived.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Checksum {
    pub count: i64,
    pub xor: String,
}

/// The operations of one tenant (or of the workspace) up to a sequence, for a first
/// sync. The blobs they reference are fetched apart ([`BLOBS_FETCH_PATH`]): tenants share
/// most of them, and a device downloads each once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Snapshot {
    pub epoch: String,
    pub tenant_id: Option<String>,
    pub up_to: i64,
    pub operations: Vec<Sequenced>,
}

/// The state of the caller's view of the log, for a first sync: snapshots are taken at
/// `head`, one for the workspace's own records (key `""`) and one per tenant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SyncHead {
    pub epoch: String,
    pub head: i64,
    /// The tenant keys the caller may see that the log holds, with their checksums.
    pub tenants: BTreeMap<String, Checksum>,
}

/// Selects the workspace of a request when the caller is a member of several (its value
/// is the workspace's id); the caller's role and tenants still come from its token.
pub const WORKSPACE_HEADER: &str = "plumbline-workspace";

/// Blob hashes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BlobList {
    pub hashes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BlobBundle {
    pub blobs: Vec<BlobEntry>,
}

/// A blob's bytes, base64.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BlobEntry {
    pub sha256: String,
    pub data: String,
}

/// The media type of a stream of blob frames: [`BLOB_FRAMES_MAGIC`], the number of frames
/// (u32, little endian), then per blob its
/// SHA-256 (32 bytes), its codec (1 byte: 0 none, 1 zstd), its size decoded (u64, little
/// endian), the length of its data (u32, little endian) and the data. A blob travels as
/// it is stored: a zstd frame is neither decoded nor compressed again on the way, and
/// each side checks it by decoding it to `size` bytes that hash to its SHA-256.
pub const BLOB_FRAMES_TYPE: &str = "application/vnd.plumbline.blob-frames";

/// The first bytes of a stream of blob frames (the format's version is in it).
pub const BLOB_FRAMES_MAGIC: &[u8; 8] = b"PLBLOB1\n";

/// How a blob's data is encoded in a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlobCodec {
    /// The bytes themselves.
    None,
    /// One zstd frame of the bytes.
    Zstd,
}

impl BlobCodec {
    /// The name both sides store it under.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Zstd => "zstd",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "none" => Some(Self::None),
            "zstd" => Some(Self::Zstd),
            _ => None,
        }
    }
}

/// The most bytes a zstd frame of a blob of `size` bytes takes: zstd's bound for data it
/// cannot compress, plus room for its headers. A frame beyond it carries something else
/// (skippable frames, padding) that would be kept and served with the blob: refused.
pub fn max_frame_len(size: u64) -> u64 {
    size + size / 128 + 1024
}

/// One blob of a frame stream, as encoded (not checked: see [`BLOB_FRAMES_TYPE`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobFrame {
    /// Lower-case hex.
    pub sha256: String,
    pub codec: BlobCodec,
    /// The decoded blob's length in bytes.
    pub size: u64,
    pub data: Vec<u8>,
}

/// A stream of blob frames (see [`BLOB_FRAMES_TYPE`]).
pub fn encode_blob_frames(frames: &[BlobFrame]) -> Result<Vec<u8>, String> {
    let length: usize = frames.iter().map(|f| f.data.len() + 45).sum();
    let mut out = Vec::with_capacity(BLOB_FRAMES_MAGIC.len() + 4 + length);
    out.extend_from_slice(BLOB_FRAMES_MAGIC);
    let count = u32::try_from(frames.len()).map_err(|_| "too many blobs for one stream")?;
    out.extend_from_slice(&count.to_le_bytes());
    for frame in frames {
        let hash = hash_bytes(&frame.sha256)
            .ok_or_else(|| format!("{:?} is not a SHA-256 in hex", frame.sha256))?;
        let data_len = u32::try_from(frame.data.len())
            .map_err(|_| format!("blob {} is too large for a frame", frame.sha256))?;
        out.extend_from_slice(&hash);
        out.push(match frame.codec {
            BlobCodec::None => 0,
            BlobCodec::Zstd => 1,
        });
        out.extend_from_slice(&frame.size.to_le_bytes());
        out.extend_from_slice(&data_len.to_le_bytes());
        out.extend_from_slice(&frame.data);
    }
    Ok(out)
}

/// The frames of a stream, or what is wrong with it.
pub fn decode_blob_frames(bytes: &[u8]) -> Result<Vec<BlobFrame>, String> {
    let mut rest = bytes
        .strip_prefix(BLOB_FRAMES_MAGIC.as_slice())
        .ok_or("it does not start as a stream of blob frames (version 1)")?;
    let cut = |rest: &mut &[u8], n: usize| -> Result<Vec<u8>, String> {
        if rest.len() < n {
            return Err(format!(
                "it is cut short at byte {}",
                bytes.len() - rest.len()
            ));
        }
        let (head, tail) = rest.split_at(n);
        *rest = tail;
        Ok(head.to_vec())
    };
    let count = u32::from_le_bytes(cut(&mut rest, 4)?.try_into().unwrap_or_default());
    // Each frame takes 45 bytes at least: a count beyond that is not believed.
    let mut frames = Vec::with_capacity((count as usize).min(rest.len() / 45));
    for _ in 0..count {
        let at = bytes.len() - rest.len();
        let hash = cut(&mut rest, 32)?;
        let codec = match cut(&mut rest, 1)?[0] {
            0 => BlobCodec::None,
            1 => BlobCodec::Zstd,
            other => {
                return Err(format!(
                    "the frame at byte {at} has an unknown codec {other}"
                ))
            }
        };
        let size = u64::from_le_bytes(cut(&mut rest, 8)?.try_into().unwrap_or_default());
        let data_len = u32::from_le_bytes(cut(&mut rest, 4)?.try_into().unwrap_or_default());
        let data = cut(&mut rest, data_len as usize)?;
        frames.push(BlobFrame {
            sha256: hash.iter().map(|b| format!("{b:02x}")).collect(),
            codec,
            size,
            data,
        });
    }
    if !rest.is_empty() {
        return Err(format!("{} bytes follow its {count} frames", rest.len()));
    }
    Ok(frames)
}

/// The 32 bytes of a SHA-256 written as 64 lower-case hex digits.
fn hash_bytes(hex: &str) -> Option<[u8; 32]> {
    let digits = hex.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let value = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, pair) in digits.chunks(2).enumerate() {
        out[i] = value(pair[0])? << 4 | value(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn frame(byte: u8, codec: BlobCodec, data: &[u8]) -> BlobFrame {
        BlobFrame {
            sha256: format!("{byte:02x}").repeat(32),
            codec,
            size: 1_000 + u64::from(byte),
            data: data.to_vec(),
        }
    }

    /// Frames come back as they went, in order; a stream cut anywhere, of another
    /// version or with a hash that is not hex is refused, never read in part.
    #[test]
    fn blob_frames_round_trip_and_refuse_damage() {
        let frames = vec![
            frame(0xa1, BlobCodec::Zstd, b"compressed"),
            frame(0x00, BlobCodec::None, b""),
            frame(0xff, BlobCodec::None, br#"{"a":1}"#),
        ];
        let bytes = encode_blob_frames(&frames).expect("encode");
        assert_eq!(decode_blob_frames(&bytes).expect("decode"), frames);
        assert_eq!(
            decode_blob_frames(&encode_blob_frames(&[]).expect("empty")).expect("decode"),
            []
        );
        for cut in 0..bytes.len() {
            assert!(
                decode_blob_frames(&bytes[..cut]).is_err(),
                "a stream cut at byte {cut} is refused"
            );
        }
        let mut other = bytes.clone();
        other[6] = b'2';
        assert!(decode_blob_frames(&other).is_err());
        let mut codec = bytes.clone();
        codec[BLOB_FRAMES_MAGIC.len() + 4 + 32] = 7;
        assert!(decode_blob_frames(&codec)
            .expect_err("unknown codec")
            .contains("codec 7"));
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(
            decode_blob_frames(&longer).is_err(),
            "bytes after the frames"
        );
        let mut upper = frame(0xab, BlobCodec::None, b"x");
        upper.sha256 = upper.sha256.to_uppercase();
        assert!(encode_blob_frames(&[upper]).is_err());
    }

    /// An operation's JSON is what the server stores for years: pinned byte for byte.
    #[test]
    fn operations_keep_their_json() {
        let op = Operation {
            id: "0190c6a1-0000-7000-8000-000000000001".to_owned(),
            hlc: Hlc::format(0xE8F0_0000_8000_0000, "a1b2"),
            device_id: "d1".to_owned(),
            tenant_id: Some("t1".to_owned()),
            body: OpBody::Decision(DecisionRecord {
                finding: "f".repeat(64),
                action: "accept".to_owned(),
                base: None,
                actor: "Alice".to_owned(),
                reason: Some("compensating control".to_owned()),
                expires_at: Some("2027-03-31T00:00:00.000Z".to_owned()),
                accepted_value: Some(json!(8)),
                approver: None,
                approves: None,
            }),
        };
        let text = serde_json::to_string(&op).expect("json");
        assert_eq!(
            text,
            r#"{"id":"0190c6a1-0000-7000-8000-000000000001","hlc":"e8f0000080000000-a1b2","device_id":"d1","tenant_id":"t1","kind":"decision","data":{"finding":"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff","action":"accept","base":null,"actor":"Alice","reason":"compensating control","expires_at":"2027-03-31T00:00:00.000Z","accepted_value":8}}"#
        );
        assert_eq!(serde_json::from_str::<Operation>(&text).expect("back"), op);
        let set = Operation {
            body: OpBody::TenantSet(TenantFields {
                display_name: Some("Contoso".to_owned()),
                entra_tenant_id: Some(None),
                ..TenantFields::default()
            }),
            ..op.clone()
        };
        let text = serde_json::to_string(&set).expect("json");
        assert!(
            text.ends_with(
                r#""kind":"tenant_set","data":{"display_name":"Contoso","entra_tenant_id":null}}"#
            ),
            "{text}"
        );
        let back: Operation = serde_json::from_str(&text).expect("back");
        assert_eq!(back, set, "a cleared field stays cleared");
    }

    #[test]
    fn verdicts_and_controls_keep_their_json() {
        let verdicts = PushResponse {
            verdicts: vec![
                Verdict {
                    id: "a".to_owned(),
                    outcome: Outcome::Accepted { seq: 7 },
                },
                Verdict {
                    id: "b".to_owned(),
                    outcome: Outcome::Rejected {
                        reason: RejectReason::ForbiddenTenant,
                        message: "no".to_owned(),
                    },
                },
            ],
        };
        assert_eq!(
            serde_json::to_string(&verdicts).expect("json"),
            r#"{"verdicts":[{"id":"a","outcome":"accepted","seq":7},{"id":"b","outcome":"rejected","reason":"forbidden_tenant","message":"no"}]}"#
        );
        let control = Control::UpToDate {
            seq: 9,
            checksums: BTreeMap::from([(
                "t1".to_owned(),
                Checksum {
                    count: 2,
                    xor: "00ff".to_owned(),
                },
            )]),
        };
        assert_eq!(
            serde_json::to_string(&control).expect("json"),
            r#"{"control":"up_to_date","seq":9,"checksums":{"t1":{"count":2,"xor":"00ff"}}}"#
        );
        for reason in [
            RejectReason::ForbiddenRole,
            RejectReason::ForbiddenTenant,
            RejectReason::MissingBlob,
            RejectReason::Invalid,
            RejectReason::SameApprover,
            RejectReason::WrongDevice,
        ] {
            assert_eq!(RejectReason::parse(reason.code()), Some(reason));
            assert_eq!(
                serde_json::to_value(reason).expect("json"),
                json!(reason.code())
            );
        }
    }

    #[test]
    fn hlc_text_orders_as_the_clock() {
        let early = Hlc::format(0x0000_0001_0000_0000, "ff");
        let late = Hlc::format(0x0000_0002_0000_0000, "00");
        assert!(early < late);
        assert_eq!(Hlc::parse_time(&late), Some(0x0000_0002_0000_0000));
        assert_eq!(Hlc::parse_time("nonsense"), None);
        // 2026-01-01T00:00:00.250Z.
        let time = Hlc::from_unix_millis(1_767_225_600_250);
        assert_eq!(time >> 32, 1_767_225_600);
        assert_eq!(Hlc::unix_millis(time), 1_767_225_600_250);
    }
}

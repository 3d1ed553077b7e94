-- Plumbline local database, schema 1: the whole domain model of ARCHITECTURE.md.
-- Append-only: a released migration is never edited; change the schema with a new file.
-- Times are UTC RFC 3339 strings with millisecond precision ("2026-11-23T08:52:00.000Z"),
-- so text order is time order. Identifiers are UUIDv7 strings. JSON columns hold text.

CREATE TABLE local_settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE workspaces (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    -- 1 when a risk acceptance needs a second person's approval.
    four_eyes   INTEGER NOT NULL DEFAULT 0 CHECK (four_eyes IN (0, 1)),
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE tenants (
    id               TEXT PRIMARY KEY NOT NULL,
    workspace_id     TEXT NOT NULL REFERENCES workspaces(id),
    display_name     TEXT NOT NULL,
    entra_tenant_id  TEXT,
    primary_domain   TEXT,
    tags             TEXT NOT NULL DEFAULT '[]',
    is_demo          INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (workspace_id, display_name)
) STRICT;

-- Content-addressed JSON: one row per distinct serialised object, shared by every
-- capture and baseline that holds the same bytes. `data` is compressed with `codec`.
CREATE TABLE blobs (
    sha256  TEXT PRIMARY KEY NOT NULL,
    size    INTEGER NOT NULL,
    codec   TEXT NOT NULL CHECK (codec IN ('zstd', 'none')),
    data    BLOB NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE captures (
    id          TEXT PRIMARY KEY NOT NULL,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    source      TEXT NOT NULL CHECK (source IN ('graph', 'import', 'demo')),
    taken_at    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    item_count  INTEGER NOT NULL,
    -- Where it came from (folder path, Graph endpoint root, demo seed), for people.
    origin      TEXT
) STRICT;
CREATE INDEX captures_by_tenant_time ON captures (tenant_id, taken_at);

-- Per-kind outcome of a capture: a failed kind is "not assessed", never "all gone".
CREATE TABLE capture_kinds (
    capture_id  TEXT NOT NULL REFERENCES captures(id),
    kind        TEXT NOT NULL,
    ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),
    item_count  INTEGER NOT NULL,
    error       TEXT,
    PRIMARY KEY (capture_id, kind)
) STRICT, WITHOUT ROWID;

CREATE TABLE config_items (
    id           TEXT PRIMARY KEY NOT NULL,
    capture_id   TEXT NOT NULL REFERENCES captures(id),
    kind         TEXT NOT NULL,
    odata_type   TEXT,
    external_id  TEXT NOT NULL,
    name         TEXT NOT NULL,
    blob_sha256  TEXT NOT NULL REFERENCES blobs(sha256),
    source_path  TEXT,
    -- Normalised hashes (DRIFT.md), computed when the capture is written with the
    -- capture's directory objects; equal hashes mean no drift without reading the blob.
    -- Recomputed by a review when normalizer_version is not the engine's.
    settings_hash       TEXT NOT NULL,
    assignments_hash    TEXT NOT NULL,
    normalizer_version  INTEGER NOT NULL
) STRICT;
CREATE INDEX config_items_by_capture ON config_items (capture_id, kind, name);

CREATE TABLE directory_objects (
    capture_id    TEXT NOT NULL REFERENCES captures(id),
    kind          TEXT NOT NULL CHECK (kind IN ('group', 'assignment_filter', 'named_location', 'scope_tag', 'terms_of_use')),
    external_id   TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    PRIMARY KEY (capture_id, kind, external_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE baselines (
    id            TEXT PRIMARY KEY NOT NULL,
    workspace_id  TEXT NOT NULL REFERENCES workspaces(id),
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    UNIQUE (workspace_id, name)
) STRICT;

-- A version is immutable once published (draft -> published -> retired).
CREATE TABLE baseline_versions (
    id            TEXT PRIMARY KEY NOT NULL,
    baseline_id   TEXT NOT NULL REFERENCES baselines(id),
    version       INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'published', 'retired')),
    -- Matching options: version-suffix tolerance, kinds under exclusive management.
    options       TEXT NOT NULL DEFAULT '{}',
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    published_at  TEXT,
    retired_at    TEXT,
    UNIQUE (baseline_id, version)
) STRICT;

CREATE TABLE baseline_items (
    id                   TEXT PRIMARY KEY NOT NULL,
    baseline_version_id  TEXT NOT NULL REFERENCES baseline_versions(id),
    kind                 TEXT NOT NULL,
    name                 TEXT NOT NULL,
    blob_sha256          TEXT NOT NULL REFERENCES blobs(sha256),
    -- Default severity of the item's settings (low, medium, high, critical).
    severity             TEXT NOT NULL DEFAULT 'medium' CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    UNIQUE (baseline_version_id, kind, name)
) STRICT;

-- The directory objects of the baseline's source (its golden-master tenant or folder):
-- they turn the ids in baseline items (assignment groups, filters) into portable names.
CREATE TABLE baseline_directory_objects (
    baseline_version_id  TEXT NOT NULL REFERENCES baseline_versions(id),
    kind                 TEXT NOT NULL CHECK (kind IN ('group', 'assignment_filter', 'named_location', 'scope_tag', 'terms_of_use')),
    external_id          TEXT NOT NULL,
    display_name         TEXT NOT NULL,
    PRIMARY KEY (baseline_version_id, kind, external_id)
) STRICT, WITHOUT ROWID;

-- Per-setting rules: exact, ignore, one_of, at_least, at_most, present, absent, tenant_value.
CREATE TABLE baseline_rules (
    baseline_item_id  TEXT NOT NULL REFERENCES baseline_items(id),
    setting_path      TEXT NOT NULL,
    rule              TEXT NOT NULL,
    severity          TEXT CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    PRIMARY KEY (baseline_item_id, setting_path)
) STRICT, WITHOUT ROWID;

CREATE TABLE baseline_assignments (
    id           TEXT PRIMARY KEY NOT NULL,
    baseline_id  TEXT NOT NULL REFERENCES baselines(id),
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    -- Pinned version, or NULL for the latest published one.
    baseline_version_id TEXT REFERENCES baseline_versions(id),
    variables    TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL,
    UNIQUE (baseline_id, tenant_id)
) STRICT;

CREATE TABLE reviews (
    id                    TEXT PRIMARY KEY NOT NULL,
    tenant_id             TEXT NOT NULL REFERENCES tenants(id),
    capture_id            TEXT NOT NULL REFERENCES captures(id),
    previous_capture_id   TEXT REFERENCES captures(id),
    started_at            TEXT NOT NULL,
    finished_at           TEXT NOT NULL,
    -- Severity-weighted alignment 0-100, and its parts for the trend and reports.
    -- SHA-256 of what the review read (captures, baseline versions, variables, engine
    -- version): a review with the same inputs is not repeated.
    inputs_hash           TEXT NOT NULL,
    score                 REAL,
    score_detail          TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX reviews_by_capture ON reviews (capture_id, inputs_hash);
CREATE INDEX reviews_by_tenant_time ON reviews (tenant_id, finished_at);

CREATE TABLE findings (
    id              TEXT PRIMARY KEY NOT NULL,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    -- SHA-256 of (tenant, source, baseline or rule, item key, setting path, kind).
    fingerprint     TEXT NOT NULL UNIQUE,
    source          TEXT NOT NULL CHECK (source IN ('drift', 'lint', 'history')),
    baseline_id     TEXT REFERENCES baselines(id),
    rule            TEXT,
    resource_kind   TEXT NOT NULL,
    item_key        TEXT NOT NULL,
    setting_path    TEXT NOT NULL DEFAULT '',
    drift_kind      TEXT NOT NULL,
    severity        TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    title           TEXT NOT NULL,
    expected        TEXT,
    actual          TEXT,
    status          TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved', 'risk_accepted', 'false_positive')),
    -- 1 while the kind failed to capture in the latest review: "not assessed".
    not_assessed    INTEGER NOT NULL DEFAULT 0 CHECK (not_assessed IN (0, 1)),
    reopen_count    INTEGER NOT NULL DEFAULT 0,
    first_seen_at   TEXT NOT NULL,
    last_seen_at    TEXT NOT NULL,
    resolved_at     TEXT,
    due_at          TEXT,
    last_review_id  TEXT REFERENCES reviews(id)
) STRICT;
CREATE INDEX findings_by_tenant_status ON findings (tenant_id, status);

CREATE TABLE finding_transitions (
    id           TEXT PRIMARY KEY NOT NULL,
    finding_id   TEXT NOT NULL REFERENCES findings(id),
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    reason       TEXT,
    review_id    TEXT REFERENCES reviews(id)
) STRICT;
CREATE INDEX finding_transitions_by_finding ON finding_transitions (finding_id, at);

CREATE TABLE risk_acceptances (
    id              TEXT PRIMARY KEY NOT NULL,
    finding_id      TEXT NOT NULL REFERENCES findings(id),
    justification   TEXT NOT NULL,
    accepted_value  TEXT,
    accepted_by     TEXT NOT NULL,
    approved_by     TEXT,
    approved_at     TEXT,
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    lapsed_at       TEXT,
    lapse_reason    TEXT CHECK (lapse_reason IN ('expired', 'value_changed', 'revoked'))
) STRICT;
CREATE INDEX risk_acceptances_by_finding ON risk_acceptances (finding_id);

CREATE TABLE reports (
    id          TEXT PRIMARY KEY NOT NULL,
    tenant_id   TEXT REFERENCES tenants(id),
    kind        TEXT NOT NULL,
    format      TEXT NOT NULL CHECK (format IN ('pdf', 'csv')),
    parameters  TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    path        TEXT
) STRICT;

CREATE TABLE evidence_packs (
    id           TEXT PRIMARY KEY NOT NULL,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    period_from  TEXT NOT NULL,
    period_to    TEXT NOT NULL,
    options      TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    size         INTEGER NOT NULL,
    path         TEXT
) STRICT;

CREATE TABLE alert_rules (
    id            TEXT PRIMARY KEY NOT NULL,
    workspace_id  TEXT NOT NULL REFERENCES workspaces(id),
    name          TEXT NOT NULL,
    condition     TEXT NOT NULL,
    channels      TEXT NOT NULL DEFAULT '[]',
    cooldown_secs INTEGER NOT NULL DEFAULT 3600,
    enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at    TEXT NOT NULL
) STRICT;

CREATE TABLE alerts (
    id             TEXT PRIMARY KEY NOT NULL,
    rule_id        TEXT REFERENCES alert_rules(id),
    tenant_id      TEXT REFERENCES tenants(id),
    severity       TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    title          TEXT NOT NULL,
    body           TEXT NOT NULL DEFAULT '',
    raised_at      TEXT NOT NULL,
    acknowledged_at TEXT,
    snoozed_until  TEXT
) STRICT;

-- Append-only, hash-chained record of every write; one chain per device.
CREATE TABLE audit_events (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,
    device_id     TEXT NOT NULL,
    chain_seq     INTEGER NOT NULL,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    workspace_id  TEXT NOT NULL,
    tenant_id     TEXT,
    action        TEXT NOT NULL,
    target        TEXT NOT NULL,
    summary       TEXT NOT NULL DEFAULT '{}',
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL,
    UNIQUE (device_id, chain_seq)
) STRICT;
CREATE INDEX audit_events_by_tenant ON audit_events (tenant_id, at);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

-- Operations waiting to be pushed to a Plumbline server, written in the same
-- transaction as the change they describe.
CREATE TABLE sync_outbox (
    op_id       TEXT PRIMARY KEY NOT NULL,
    hlc         TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    pushed_at   TEXT
) STRICT;

CREATE TABLE sync_cursor (
    server_url  TEXT PRIMARY KEY NOT NULL,
    cursor      INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT NOT NULL
) STRICT;

-- What the demo generator planted, per tenant, so the drift engine can be tested
-- against it. JSON array of planted differences.
CREATE TABLE demo_plants (
    tenant_id  TEXT PRIMARY KEY NOT NULL REFERENCES tenants(id),
    seed       INTEGER NOT NULL,
    tenant_index INTEGER NOT NULL,
    planted    TEXT NOT NULL
) STRICT;

-- A published or retired baseline version is immutable: its items and rules cannot change.
CREATE TRIGGER baseline_items_immutable_insert BEFORE INSERT ON baseline_items
WHEN (SELECT status FROM baseline_versions WHERE id = NEW.baseline_version_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'a published baseline version is immutable: create a new draft version');
END;
CREATE TRIGGER baseline_items_immutable_update BEFORE UPDATE ON baseline_items
WHEN (SELECT status FROM baseline_versions WHERE id = OLD.baseline_version_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'a published baseline version is immutable: create a new draft version');
END;
CREATE TRIGGER baseline_items_immutable_delete BEFORE DELETE ON baseline_items
WHEN (SELECT status FROM baseline_versions WHERE id = OLD.baseline_version_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'a published baseline version is immutable: create a new draft version');
END;
CREATE TRIGGER baseline_rules_immutable_insert BEFORE INSERT ON baseline_rules
WHEN (SELECT v.status FROM baseline_items i JOIN baseline_versions v ON v.id = i.baseline_version_id
      WHERE i.id = NEW.baseline_item_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'a published baseline version is immutable: create a new draft version');
END;
CREATE TRIGGER baseline_rules_immutable_update BEFORE UPDATE ON baseline_rules
WHEN (SELECT v.status FROM baseline_items i JOIN baseline_versions v ON v.id = i.baseline_version_id
      WHERE i.id = OLD.baseline_item_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'a published baseline version is immutable: create a new draft version');
END;
CREATE TRIGGER baseline_rules_immutable_delete BEFORE DELETE ON baseline_rules
WHEN (SELECT v.status FROM baseline_items i JOIN baseline_versions v ON v.id = i.baseline_version_id
      WHERE i.id = OLD.baseline_item_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'a published baseline version is immutable: create a new draft version');
END;

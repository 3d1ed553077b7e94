-- Capturing tenants from Microsoft Graph (GRAPH.md). Both tables are this device's own:
-- they do not sync (only a tenant's Entra tenant id does), and hold no secret.

-- The MSP's multi-tenant app registration as this device uses it: its application
-- (client) id, the cloud, how it signs in (a client secret, or a certificate whose public
-- PEM is kept here), and the keychain entry of the secret or of the certificate's private
-- key (which live only in the OS keychain). A tenant's own app (tenant_connections)
-- overrides it.
CREATE TABLE graph_app (
    workspace_id      TEXT PRIMARY KEY NOT NULL REFERENCES workspaces(id),
    client_id         TEXT NOT NULL,
    cloud             TEXT NOT NULL DEFAULT 'global',
    credential        TEXT NOT NULL DEFAULT 'secret' CHECK (credential IN ('secret', 'certificate')),
    certificate_pem   TEXT,
    keychain_account  TEXT,
    secret_set_at     TEXT,
    updated_at        TEXT NOT NULL,
    CHECK ((keychain_account IS NULL) = (secret_set_at IS NULL)),
    CHECK ((credential = 'certificate') = (certificate_pem IS NOT NULL))
) STRICT;

-- Every capture run from Graph, successful or not: the history a person reads when a
-- tenant stops being captured.
CREATE TABLE capture_runs (
    id            TEXT PRIMARY KEY NOT NULL,
    workspace_id  TEXT NOT NULL REFERENCES workspaces(id),
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    started_at    TEXT NOT NULL,
    finished_at   TEXT NOT NULL,
    -- ok: every kind read; partial: some kinds failed (recorded as not assessed);
    -- failed: nothing recorded.
    status        TEXT NOT NULL CHECK (status IN ('ok', 'partial', 'failed')),
    capture_id    TEXT REFERENCES captures(id),
    duration_ms   INTEGER NOT NULL,
    requests      INTEGER NOT NULL,
    throttled     INTEGER NOT NULL,
    items         INTEGER NOT NULL,
    -- JSON: [{"kind": "...", "error": "..."}]
    kinds_failed  TEXT NOT NULL DEFAULT '[]',
    -- JSON: ["..."] (directory objects that could not be read, …)
    warnings      TEXT NOT NULL DEFAULT '[]',
    error         TEXT,
    CHECK ((status = 'failed') = (capture_id IS NULL))
) STRICT;

CREATE INDEX capture_runs_by_tenant ON capture_runs (workspace_id, tenant_id, started_at);

-- When each tenant is captured from Graph on this device: its cadence (0: only when asked),
-- and the failures since its last successful run. After five failures in a row a tenant
-- is parked (not captured on schedule until someone resumes it) and an alert says why.
-- A tenant is due when its newest Graph capture (from any device: captures sync) is older
-- than its cadence.
CREATE TABLE capture_schedules (
    tenant_id             TEXT PRIMARY KEY NOT NULL REFERENCES tenants(id),
    workspace_id          TEXT NOT NULL REFERENCES workspaces(id),
    cadence_minutes       INTEGER NOT NULL DEFAULT 1440 CHECK (cadence_minutes >= 0),
    consecutive_failures  INTEGER NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    last_run_at           TEXT,
    last_error            TEXT,
    parked_at             TEXT,
    updated_at            TEXT NOT NULL
) STRICT;

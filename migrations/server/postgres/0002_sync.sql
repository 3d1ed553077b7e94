-- Sync (SYNC.md): the workspace's operation log, its blobs, and what each device was
-- told it may see. Postgres dialect; sqlite/0002_sync.sql is the same schema. Every key
-- leads with workspace_id (a Citus distribution column when one node is not enough).

-- The workspace's log: its newest sequence number (a counter row bumped in the push
-- transaction, so commit order is sequence order) and its epoch (a new one after a
-- restore tells devices to start again).
CREATE TABLE sync_workspaces (
    workspace_id UUID PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    seq          BIGINT NOT NULL DEFAULT 0,
    epoch        UUID NOT NULL
);

CREATE TABLE sync_log (
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    seq          BIGINT NOT NULL,
    op_id        TEXT NOT NULL,
    -- The operation's tenant id, '' for the workspace's own records.
    tenant_key   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    hlc          TEXT NOT NULL,
    -- The server's id of the device that pushed it, and its user.
    device_id    UUID NOT NULL,
    user_id      UUID NOT NULL,
    -- The operation's JSON, as pushed.
    body         TEXT NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, seq),
    UNIQUE (workspace_id, op_id)
);
CREATE INDEX sync_log_by_tenant ON sync_log (workspace_id, tenant_key, seq);

-- Per tenant (and '' for the workspace): how many operations, and the XOR of the
-- SHA-256 of their ids (hex), as devices compute it over what they applied.
CREATE TABLE sync_checksums (
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    tenant_key   TEXT NOT NULL,
    count        BIGINT NOT NULL,
    xor          TEXT NOT NULL,
    PRIMARY KEY (workspace_id, tenant_key)
);

-- The tenants the log knows, with the first sequence that named each (a device given
-- access later fetches what came before from a snapshot).
CREATE TABLE sync_tenants (
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    tenant_id    TEXT NOT NULL,
    first_seq    BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, tenant_id)
);

-- The tenants each device has been sent (grant and revoke controls compare them with the
-- device's membership).
CREATE TABLE sync_device_tenants (
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    device_id    UUID NOT NULL REFERENCES device_tokens (id) ON DELETE CASCADE,
    tenant_id    TEXT NOT NULL,
    PRIMARY KEY (workspace_id, device_id, tenant_id)
);

-- Which server device writes the operations of a device's own id (its audit chain): one,
-- so no device can write into another's chain.
CREATE TABLE sync_device_origins (
    workspace_id  UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    origin_device TEXT NOT NULL,
    device_id     UUID NOT NULL,
    PRIMARY KEY (workspace_id, origin_device)
);

-- Blobs by SHA-256, per workspace; sync_blob_refs says which tenant's records (or the
-- workspace's, '') reference each, so a blob is served only to a device that may see one.
CREATE TABLE sync_blobs (
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    size         BIGINT NOT NULL,
    data         BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, sha256)
);

CREATE TABLE sync_blob_refs (
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    sha256       TEXT NOT NULL,
    tenant_key   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, sha256, tenant_key)
);

-- Refused operations, for the server's audit: who, what, why.
CREATE TABLE sync_rejections (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id UUID NOT NULL,
    at           TIMESTAMPTZ NOT NULL,
    device_id    UUID NOT NULL,
    user_id      UUID NOT NULL,
    op_id        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    tenant_key   TEXT NOT NULL,
    reason       TEXT NOT NULL,
    message      TEXT NOT NULL
);
CREATE INDEX sync_rejections_by_workspace ON sync_rejections (workspace_id, at);

-- Sign-in limits count failures per e-mail and source address (a stranger's failures
-- must not lock the real user out) and per address.
ALTER TABLE server_audit ADD COLUMN source TEXT;
CREATE INDEX server_audit_by_source ON server_audit (source, action, at);

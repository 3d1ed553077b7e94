-- Leases (SYNC.md): which agent holds which piece of a workspace's work (a tenant's
-- capture, a delivery), until when, and how long a completed item rests before it may
-- be granted again. Postgres dialect; sqlite/0003_leases.sql is the same schema.
CREATE TABLE leases (
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    lease_key    TEXT NOT NULL,
    -- The tenant the work is about, '' for the workspace's own.
    tenant_key   TEXT NOT NULL,
    -- The current (or last) grant: its id, holder and end.
    lease_id     UUID NOT NULL,
    holder       UUID NOT NULL,
    granted_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    -- After completion: not granted again before this time.
    rests_until  TIMESTAMPTZ,
    -- Grants so far (a count above one: a holder died or gave the item back).
    grants       BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (workspace_id, lease_key)
);
CREATE INDEX leases_by_holder ON leases (workspace_id, holder);

-- The workspace's connection to a Plumbline server (core::sync::connection): where it is,
-- who signed in from this computer, and what the server last said. One row per workspace,
-- absent until the first sign-in.
--
-- The device token is not here: it lives only in the OS keychain, under keychain_account
-- ('server-token:<workspace id>'), while signed in. Nothing in this table is secret.
CREATE TABLE server_connections (
    workspace_id      TEXT PRIMARY KEY NOT NULL REFERENCES workspaces(id),
    -- The server's base address, normalised ('https://plumbline.example.com/').
    url               TEXT NOT NULL,
    -- connected: the server answered last time; failed: it did not (or refused), the token
    -- is kept; signed_out: no token (signed out here, or the server revoked it).
    status            TEXT NOT NULL CHECK (status IN ('connected', 'failed', 'signed_out')),
    user_id           TEXT,
    user_email        TEXT NOT NULL,
    user_name         TEXT NOT NULL,
    -- The server's id of this device; NULL once signed out (the device is gone there).
    device_id         TEXT,
    device_name       TEXT NOT NULL,
    keychain_account  TEXT,
    -- The memberships the server last reported (JSON array of core::sync::api::WorkspaceRole).
    workspaces        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(workspaces)),
    server_name       TEXT,
    server_version    TEXT,
    server_api        INTEGER,
    -- RFC 3339, UTC: the last sign-in, the last time the server answered or was tried.
    signed_in_at      TEXT NOT NULL,
    checked_at        TEXT NOT NULL,
    -- What went wrong last, and what to do (failed, or signed out by the server).
    problem           TEXT,
    updated_at        TEXT NOT NULL,
    CHECK ((status = 'signed_out') = (keychain_account IS NULL))
) STRICT;

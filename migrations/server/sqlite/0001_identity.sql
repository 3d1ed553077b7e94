-- Identity and access (SYNC.md): workspaces, users, memberships, device tokens and the
-- server's audit log. SQLite dialect of postgres/0001_identity.sql: ids are hyphenated
-- UUID text, times are UTC RFC 3339 text with milliseconds (2026-01-31T09:30:00.000Z).
-- Neither a password nor a token is ever stored: only an argon2id PHC string and a
-- SHA-256 of the token.

CREATE TABLE workspaces (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL UNIQUE CHECK (name <> ''),
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    -- As the administrator typed it, for display.
    email         TEXT NOT NULL CHECK (email <> ''),
    -- Lower-cased e-mail: one account per address whatever its case; sign-in looks it up.
    email_key     TEXT NOT NULL UNIQUE CHECK (email_key <> ''),
    name          TEXT NOT NULL,
    -- An argon2id PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
    password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    created_at    TEXT NOT NULL
);

CREATE TABLE memberships (
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'operator', 'reviewer', 'viewer')),
    -- NULL: every tenant of the workspace; otherwise a JSON array of the tenant ids the
    -- membership is limited to.
    tenants      TEXT,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, workspace_id)
);
CREATE INDEX memberships_workspace ON memberships (workspace_id);

CREATE TABLE device_tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    -- Lower-case hex SHA-256 of the token the device holds.
    token_hash   TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX device_tokens_user ON device_tokens (user_id);

-- Append-only. No foreign keys: the record outlives the users and devices it names.
CREATE TABLE server_audit (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    user_id   TEXT,
    device_id TEXT,
    -- The lower-cased e-mail a sign-in attempt named (also when no such user exists):
    -- the sign-in rate limit counts failures by it.
    email_key TEXT,
    action    TEXT NOT NULL CHECK (action IN ('sign_in', 'sign_in_failed', 'token_used', 'sign_out', 'revoked')),
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX server_audit_by_email ON server_audit (email_key, action, at);
CREATE INDEX server_audit_by_user ON server_audit (user_id, at);

-- What people choose in Settings (core::settings).

-- Report branding and the default report language, one row per workspace (absent until
-- Settings is first saved: readers fall back to the defaults). The logo's PNG bytes are
-- kept here, not its path, so reports keep their logo when the original file moves.
CREATE TABLE workspace_settings (
    workspace_id     TEXT PRIMARY KEY NOT NULL REFERENCES workspaces(id),
    msp_name         TEXT NOT NULL DEFAULT '',
    -- '#RRGGBB', upper case.
    accent_colour    TEXT NOT NULL DEFAULT '#1F4E79',
    logo_png         BLOB,
    -- SHA-256 (hex) of logo_png, and the file it was read from (for people).
    logo_sha256      TEXT,
    logo_source      TEXT,
    report_language  TEXT NOT NULL DEFAULT 'en' CHECK (report_language IN ('en', 'de')),
    updated_at       TEXT NOT NULL,
    CHECK ((logo_png IS NULL) = (logo_sha256 IS NULL))
) STRICT;

-- A tenant's Microsoft Graph connection: the app registration's application (client)
-- id, and where its client secret is kept. The secret itself lives only in the OS
-- keychain under keychain_account, never in this file. (The Entra tenant id is
-- tenants.entra_tenant_id.)
CREATE TABLE tenant_connections (
    tenant_id         TEXT PRIMARY KEY NOT NULL REFERENCES tenants(id),
    graph_app_id      TEXT,
    keychain_account  TEXT,
    secret_set_at     TEXT,
    updated_at        TEXT NOT NULL,
    CHECK ((keychain_account IS NULL) = (secret_set_at IS NULL))
) STRICT;

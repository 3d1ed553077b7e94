-- Names of tenants and baselines, and baseline version numbers, stop being unique: two
-- devices may add a tenant or a baseline of the same name, or publish the same version
-- number of a baseline, while offline, and both records must survive the merge (SYNC.md:
-- union, nothing dropped). Lookups by name say when a name is ambiguous; the latest of
-- two versions of the same number is the later published.
--
-- SQLite cannot drop a UNIQUE constraint in place: the tables are rebuilt (the procedure
-- SQLite documents for ALTER TABLE: the store runs migrations with foreign key
-- enforcement off and checks every foreign key before it turns it on again).
-- legacy_alter_table: the RENAME neither rewrites nor re-checks the triggers of other
-- tables that name these tables (they name them again once renamed).
PRAGMA legacy_alter_table = ON;

CREATE TABLE tenants_rebuilt (
    id               TEXT PRIMARY KEY NOT NULL,
    workspace_id     TEXT NOT NULL REFERENCES workspaces(id),
    display_name     TEXT NOT NULL,
    entra_tenant_id  TEXT,
    primary_domain   TEXT,
    tags             TEXT NOT NULL DEFAULT '[]',
    is_demo          INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
) STRICT;
INSERT INTO tenants_rebuilt (id, workspace_id, display_name, entra_tenant_id, primary_domain,
                             tags, is_demo, created_at, updated_at)
SELECT id, workspace_id, display_name, entra_tenant_id, primary_domain, tags, is_demo,
       created_at, updated_at
FROM tenants;
DROP TABLE tenants;
ALTER TABLE tenants_rebuilt RENAME TO tenants;
CREATE INDEX tenants_by_name ON tenants (workspace_id, display_name COLLATE NOCASE);

CREATE TABLE baselines_rebuilt (
    id            TEXT PRIMARY KEY NOT NULL,
    workspace_id  TEXT NOT NULL REFERENCES workspaces(id),
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL
) STRICT;
INSERT INTO baselines_rebuilt (id, workspace_id, name, description, created_at)
SELECT id, workspace_id, name, description, created_at FROM baselines;
DROP TABLE baselines;
ALTER TABLE baselines_rebuilt RENAME TO baselines;
CREATE INDEX baselines_by_name ON baselines (workspace_id, name COLLATE NOCASE);

CREATE TABLE baseline_versions_rebuilt (
    id            TEXT PRIMARY KEY NOT NULL,
    baseline_id   TEXT NOT NULL REFERENCES baselines(id),
    version       INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'published', 'retired')),
    -- Matching options: version-suffix tolerance, kinds under exclusive management.
    options       TEXT NOT NULL DEFAULT '{}',
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    published_at  TEXT,
    retired_at    TEXT
) STRICT;
INSERT INTO baseline_versions_rebuilt (id, baseline_id, version, status, options, created_at,
                                       created_by, published_at, retired_at)
SELECT id, baseline_id, version, status, options, created_at, created_by, published_at,
       retired_at
FROM baseline_versions;
DROP TABLE baseline_versions;
ALTER TABLE baseline_versions_rebuilt RENAME TO baseline_versions;
CREATE INDEX baseline_versions_by_number ON baseline_versions (baseline_id, version);
-- At most one draft per baseline, as before (drafts stay on their author's device).
CREATE UNIQUE INDEX baseline_versions_one_draft ON baseline_versions (baseline_id)
    WHERE status = 'draft';

PRAGMA legacy_alter_table = OFF;

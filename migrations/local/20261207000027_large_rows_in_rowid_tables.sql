-- Tables whose rows carry large values become ordinary (rowid) tables keyed by a unique
-- index. As WITHOUT ROWID tables their primary-key b-tree held every row whole, interior
-- pages included: each lookup by key (a foreign key check of a config item naming its
-- blob, an upsert of a received blob, a read) compared keys by reading rows that spill
-- onto overflow pages. A first sync of 1,000 tenants spent most of its database time
-- there. Now the key lookups walk a compact index and the rows are read once, by rowid.
-- SQLite's procedure for changing a table: new table, copy, drop, rename (foreign keys
-- are off while migrations run and checked after them; the tables that refer to `blobs`
-- by name refer to the new one after the rename).

CREATE TABLE blobs_rowid (
    sha256  TEXT NOT NULL UNIQUE,
    size    INTEGER NOT NULL,
    codec   TEXT NOT NULL CHECK (codec IN ('zstd', 'none')),
    data    BLOB NOT NULL
) STRICT;
INSERT INTO blobs_rowid (sha256, size, codec, data) SELECT sha256, size, codec, data FROM blobs;
DROP TABLE blobs;
ALTER TABLE blobs_rowid RENAME TO blobs;

CREATE TABLE observations_rowid (
    capture_id   TEXT NOT NULL REFERENCES captures(id),
    inputs_hash  TEXT NOT NULL,
    data         BLOB NOT NULL,
    UNIQUE (capture_id, inputs_hash)
) STRICT;
INSERT INTO observations_rowid (capture_id, inputs_hash, data)
    SELECT capture_id, inputs_hash, data FROM observations;
DROP TABLE observations;
ALTER TABLE observations_rowid RENAME TO observations;

CREATE TABLE setting_definitions_rowid (
    workspace_id   TEXT NOT NULL REFERENCES workspaces(id),
    definition_id  TEXT NOT NULL,
    definition     TEXT NOT NULL,
    seen_at        TEXT NOT NULL,
    UNIQUE (workspace_id, definition_id)
);
INSERT INTO setting_definitions_rowid (workspace_id, definition_id, definition, seen_at)
    SELECT workspace_id, definition_id, definition, seen_at FROM setting_definitions;
DROP TABLE setting_definitions;
ALTER TABLE setting_definitions_rowid RENAME TO setting_definitions;

-- Readable settings: the setting definitions (display names, descriptions, option labels)
-- a capture or a published baseline version was labelled with. Both are immutable records
-- that sync, so the definitions travel with them as a blob (JSON: definition id ->
-- {name, description, options}) and every device labels findings alike.
ALTER TABLE captures ADD COLUMN definitions_sha256 TEXT REFERENCES blobs(sha256);
ALTER TABLE baseline_versions ADD COLUMN definitions_sha256 TEXT REFERENCES blobs(sha256);

-- What this device knows of the catalog: the newest definition of each id met in any
-- capture (its own or one that arrived by sync). Derived: rebuilt from the captures, used
-- to label files imported offline, baselines being published and the policy diff.
CREATE TABLE setting_definitions (
    workspace_id   TEXT NOT NULL REFERENCES workspaces(id),
    definition_id  TEXT NOT NULL,
    definition     TEXT NOT NULL,
    seen_at        TEXT NOT NULL,
    PRIMARY KEY (workspace_id, definition_id)
) WITHOUT ROWID;

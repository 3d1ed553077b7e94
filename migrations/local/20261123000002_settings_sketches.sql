-- Settings sketches (normalize::settings_sketch) by normalised settings hash: the rename
-- detection of a review compares them instead of reading every unmatched policy's JSON.
-- Content-addressed like blobs: an unchanged policy shares its sketch across captures
-- and tenants. Captures written before this migration have none; a review then reads
-- their JSON, as before.
CREATE TABLE settings_sketches (
    settings_hash  TEXT PRIMARY KEY NOT NULL,
    sketch         BLOB NOT NULL
) STRICT;

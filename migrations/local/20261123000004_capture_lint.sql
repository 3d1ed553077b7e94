-- Lint issues of a capture (core::lint), computed when the capture is written. A review
-- recomputes them when lint_version is not the engine's (or the row is missing, as for
-- captures written before this migration).
CREATE TABLE capture_lint (
    capture_id    TEXT PRIMARY KEY NOT NULL REFERENCES captures(id),
    lint_version  INTEGER NOT NULL,
    issues        TEXT NOT NULL
) STRICT;

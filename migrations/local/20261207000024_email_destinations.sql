-- Alert e-mail over SMTP: destinations of kind 'email' (the relay, sender, recipients and
-- SMTP credentials live in the keychain with the other destinations' secrets).
--
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt (SQLite's
-- documented procedure; the store runs migrations with foreign key enforcement off and
-- checks every foreign key before turning it on again, so routes and deliveries that
-- refer to destinations keep their rows).
PRAGMA legacy_alter_table = ON;

CREATE TABLE alert_destinations_rebuilt (
    id              TEXT PRIMARY KEY NOT NULL,
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL
                    CHECK (kind IN ('webhook', 'teams', 'slack', 'pagerduty', 'email')),
    target          TEXT NOT NULL,
    allow_private   INTEGER NOT NULL DEFAULT 0 CHECK (allow_private IN (0, 1)),
    enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    disabled_reason TEXT,
    failing_since   TEXT,
    secret_set_at   TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    UNIQUE (workspace_id, name)
) STRICT;
INSERT INTO alert_destinations_rebuilt (id, workspace_id, name, kind, target, allow_private,
                                        enabled, disabled_reason, failing_since,
                                        secret_set_at, created_at)
SELECT id, workspace_id, name, kind, target, allow_private, enabled, disabled_reason,
       failing_since, secret_set_at, created_at
FROM alert_destinations;
DROP TABLE alert_destinations;
ALTER TABLE alert_destinations_rebuilt RENAME TO alert_destinations;

PRAGMA legacy_alter_table = OFF;

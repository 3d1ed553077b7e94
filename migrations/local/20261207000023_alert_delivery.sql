-- Alert delivery (ALERTS.md): destinations, which rules go where, and the outbox of
-- deliveries written in the same transaction as their alert, with every attempt logged.
-- Local to each device (an agent delivers what it raised; several agents agree on who
-- sends through leases keyed by the delivery's stable id).

-- An alert's identity across devices: its fingerprint (rule and tenant: never a time)
-- and its event (the fingerprint and what triggered it), the same on every device that
-- derives the same reviews.
ALTER TABLE alerts ADD COLUMN fingerprint TEXT;
ALTER TABLE alerts ADD COLUMN event_id TEXT;

-- Where alerts go besides the inbox. The URL, signing secrets and routing keys are
-- secrets: they live in the OS keychain under `alert-destination/{id}`; `target` is the
-- host, for people.
CREATE TABLE alert_destinations (
    id              TEXT PRIMARY KEY NOT NULL,
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('webhook', 'teams', 'slack', 'pagerduty')),
    target          TEXT NOT NULL,
    -- Private, loopback and link-local addresses are refused unless an admin allows them.
    allow_private   INTEGER NOT NULL DEFAULT 0 CHECK (allow_private IN (0, 1)),
    enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    disabled_reason TEXT,
    -- The first failed attempt since the last success (NULL: not failing).
    failing_since   TEXT,
    secret_set_at   TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    UNIQUE (workspace_id, name)
) STRICT;

CREATE TABLE alert_routes (
    rule_id        TEXT NOT NULL REFERENCES alert_rules(id) ON DELETE CASCADE,
    destination_id TEXT NOT NULL REFERENCES alert_destinations(id) ON DELETE CASCADE,
    PRIMARY KEY (rule_id, destination_id)
) STRICT;

-- The outbox. `id` is stable across devices (the alert's event and the destination's
-- name), so two agents holding the same alert send it once (the lease) and a receiver
-- that sees it twice can tell (`webhook-id`, `dedup_key`).
CREATE TABLE alert_deliveries (
    id              TEXT PRIMARY KEY NOT NULL,
    alert_id        TEXT REFERENCES alerts(id) ON DELETE SET NULL,
    destination_id  TEXT NOT NULL REFERENCES alert_destinations(id) ON DELETE CASCADE,
    tenant_id       TEXT,
    -- The message as sent (JSON of delivery::AlertMessage).
    message         TEXT NOT NULL,
    -- pending: to send; sent; dead: given up (replayable); skipped: another agent sent it.
    state           TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dead', 'skipped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- How many times it was replayed from the dead letters (part of its lease key).
    replays         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_status     INTEGER,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    done_at         TEXT
) STRICT;
CREATE INDEX alert_deliveries_due ON alert_deliveries (state, next_attempt_at);
CREATE INDEX alert_deliveries_by_destination ON alert_deliveries (destination_id, created_at);

-- Every attempt: when, the answer, how long it took, why it failed.
CREATE TABLE delivery_attempts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id    TEXT NOT NULL REFERENCES alert_deliveries(id) ON DELETE CASCADE,
    destination_id TEXT NOT NULL,
    at             TEXT NOT NULL,
    -- sent, retry, failed (permanent), gone (the destination answered 410).
    outcome        TEXT NOT NULL,
    status         INTEGER,
    latency_ms     INTEGER NOT NULL,
    error          TEXT
) STRICT;
CREATE INDEX delivery_attempts_by_destination ON delivery_attempts (destination_id, at);

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

-- Noise control (ALERTS.md). A rule's first notification waits `group_wait_secs` (the
-- rule's cooldown is its group and repeat interval); its escalation policy, if any,
-- notifies further destinations step by step until someone acknowledges.
ALTER TABLE alert_rules ADD COLUMN group_wait_secs INTEGER NOT NULL DEFAULT 30;
ALTER TABLE alert_rules ADD COLUMN escalation_policy_id TEXT;

CREATE TABLE escalation_policies (
    id            TEXT PRIMARY KEY NOT NULL,
    workspace_id  TEXT NOT NULL REFERENCES workspaces(id),
    name          TEXT NOT NULL,
    -- JSON of escalation::Policy (steps name destinations).
    policy        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (workspace_id, name)
) STRICT;

-- Alerts matching a silence reach the inbox but notify nobody until it ends.
CREATE TABLE alert_silences (
    id            TEXT PRIMARY KEY NOT NULL,
    workspace_id  TEXT NOT NULL REFERENCES workspaces(id),
    rule_id       TEXT,
    tenant_id     TEXT,
    starts_at     TEXT NOT NULL,
    ends_at       TEXT NOT NULL,
    comment       TEXT NOT NULL,
    created_at    TEXT NOT NULL
) STRICT;

-- Acknowledgements sync (an `alert_ack` operation): an alert acknowledged on one device
-- stops its repeats and escalation on every device, the agents' included. Keyed by the
-- alert's event, which every device that raised it names alike.
CREATE TABLE alert_acks (
    event_id        TEXT PRIMARY KEY NOT NULL,
    tenant_id       TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,
    acknowledged_at TEXT NOT NULL,
    actor           TEXT NOT NULL,
    op_id           TEXT NOT NULL,
    hlc             TEXT NOT NULL
) STRICT;
CREATE INDEX alerts_by_event ON alerts (event_id);

CREATE TRIGGER sync_alert_acks_insert AFTER INSERT ON alert_acks
BEGIN
    SELECT RAISE(ABORT, 'acknowledgements are recorded only through a store write (which records them for sync)')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT NEW.op_id, NEW.hlc, NEW.tenant_id, 'alert_ack',
           json_object('event_id', NEW.event_id, 'fingerprint', NEW.fingerprint,
                       'acknowledged_at', NEW.acknowledged_at, 'actor', NEW.actor),
           now
    FROM sync_new_op WHERE origin = 'local';
END;

-- Capture runs alerted so far (the "capture failed" rule): from the database's state now,
-- so that an upgraded database does not alert its whole history.
UPDATE local_settings
SET value = json_set(value, '$.capture_rowid', (SELECT COALESCE(MAX(rowid), 0) FROM capture_runs))
WHERE key = 'alerts.watermark';

-- Derived state (core::derive): findings, their history, risk acceptances and reviews
-- are a fold of the captures' observations and people's decisions, the same on every
-- device. Decisions become events of their own; observations are cached per capture and
-- inputs; a tenant's derivation is skipped when its inputs did not change.

-- People's decisions on findings (SYNC.md: events with the last decision their author
-- saw). Append-only, like the audit log.
CREATE TABLE decisions (
    id              TEXT PRIMARY KEY NOT NULL,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    -- The finding's fingerprint.
    finding         TEXT NOT NULL,
    action          TEXT NOT NULL CHECK (action IN ('acknowledge', 'resolve', 'accept', 'approve', 'false_positive', 'reopen', 'comment')),
    base            TEXT,
    actor           TEXT NOT NULL,
    reason          TEXT,
    expires_at      TEXT,
    accepted_value  TEXT,
    approver        TEXT,
    approves        TEXT,
    -- The hybrid logical clock: 16 hex digits of its time (NTP64-shaped, from the Unix
    -- epoch), '-', the device.
    hlc             TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    created_at      TEXT NOT NULL
) STRICT;
CREATE INDEX decisions_by_tenant ON decisions (tenant_id, hlc);
CREATE INDEX decisions_by_finding ON decisions (finding, hlc);

-- The decisions made before they were events: every transition a person made.
INSERT INTO decisions (id, tenant_id, finding, action, base, actor, reason, expires_at,
                       accepted_value, approver, approves, hlc, device_id, created_at)
SELECT tr.id,
       f.tenant_id,
       f.fingerprint,
       CASE tr.to_status
           WHEN 'acknowledged' THEN 'acknowledge'
           WHEN 'resolved' THEN 'resolve'
           WHEN 'risk_accepted' THEN 'accept'
           WHEN 'false_positive' THEN 'false_positive'
           ELSE 'reopen'
       END,
       LAG(tr.id) OVER (PARTITION BY tr.finding_id ORDER BY tr.at, tr.id),
       tr.actor,
       COALESCE(ra.justification, tr.reason),
       ra.expires_at,
       ra.accepted_value,
       ra.approved_by,
       NULL,
       printf('%016x', CAST(strftime('%s', tr.at) AS INTEGER) << 32)
           || '-' || (SELECT value FROM local_settings WHERE key = 'device_id'),
       (SELECT value FROM local_settings WHERE key = 'device_id'),
       tr.at
FROM finding_transitions tr
JOIN findings f ON f.id = tr.finding_id
LEFT JOIN risk_acceptances ra
       ON ra.finding_id = tr.finding_id AND ra.created_at = tr.at AND tr.to_status = 'risk_accepted'
WHERE tr.review_id IS NULL;

CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN
    SELECT RAISE(ABORT, 'decisions are append-only');
END;

-- What each capture showed against the inputs of its review (zstd JSON of
-- core::derive::Observed): a fold reads them instead of comparing again.
CREATE TABLE observations (
    capture_id   TEXT NOT NULL REFERENCES captures(id),
    inputs_hash  TEXT NOT NULL,
    data         BLOB NOT NULL,
    PRIMARY KEY (capture_id, inputs_hash)
) STRICT, WITHOUT ROWID;

-- The inputs of each tenant's last derivation (captures, baselines, variables, decisions,
-- engine versions): the same inputs are not folded again.
CREATE TABLE derivations (
    tenant_id    TEXT PRIMARY KEY NOT NULL REFERENCES tenants(id),
    inputs_hash  TEXT NOT NULL,
    derived_at   TEXT NOT NULL
) STRICT;

-- A transition's decision, and the concurrent decision that superseded it.
ALTER TABLE finding_transitions ADD COLUMN decision_id TEXT;
ALTER TABLE finding_transitions ADD COLUMN superseded_by TEXT;

-- Counts derived writes, so caches of findings know when to reload (rows are replaced
-- in place, so the highest rowid alone no longer tells).
INSERT INTO local_settings (key, value) VALUES ('derived.generation', '0');

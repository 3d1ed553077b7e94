-- Sync, the device's side (SYNC.md; core::sync). Every local change of a synced record
-- becomes an operation in the same transaction, written by the triggers below: no write
-- path can forget it. A store write sets the transaction's clock (sync_clock) first; a
-- change of a synced table without one is refused, so no write can bypass the outbox.

DROP TABLE sync_outbox;
DROP TABLE sync_cursor;

-- The clock of the write in progress: one row while a store transaction is open, none
-- otherwise (the store deletes it before committing; a rollback takes it away).
-- origin: local (this device's change: recorded as an operation), remote (applying
-- another device's operation), derived (what every device computes: not recorded).
CREATE TABLE sync_clock (
    id       INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    hlc      TEXT NOT NULL,
    unix_ms  INTEGER NOT NULL,
    origin   TEXT NOT NULL CHECK (origin IN ('local', 'remote', 'derived'))
) STRICT;

-- A new operation id (UUIDv7 from the clock's time) and the clock, for the triggers.
CREATE VIEW sync_new_op AS
SELECT c.hlc AS hlc,
       c.origin AS origin,
       printf('%s-%s-7%s-%s%s-%s',
              substr(t.h, 1, 8), substr(t.h, 9, 4), substr(t.r, 1, 3),
              substr('89ab', 1 + (abs(random()) % 4), 1), substr(t.r, 4, 3),
              substr(t.r, 7, 12)) AS op_id,
       strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AS now
FROM sync_clock c,
     (SELECT printf('%012x', (SELECT unix_ms FROM sync_clock WHERE id = 1)) AS h,
             lower(hex(randomblob(10))) AS r) t
WHERE c.id = 1;

-- This device's operations: pending until the server accepted them, then pushed (kept,
-- to push again to a restored server), or rejected with the server's reason.
-- data: the JSON of the operation's body; captures and published baseline versions are
-- immutable and referenced ({"capture_id"} / {"version_id"}), read whole when pushed.
CREATE TABLE sync_ops (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id           TEXT NOT NULL UNIQUE,
    hlc             TEXT NOT NULL,
    tenant_id       TEXT,
    kind            TEXT NOT NULL,
    data            TEXT NOT NULL CHECK (json_valid(data)),
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'pushed', 'rejected')),
    server_seq      INTEGER,
    reject_reason   TEXT,
    reject_message  TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL
) STRICT;
CREATE INDEX sync_ops_pending ON sync_ops (state, seq);

-- Operations of the server's log this device has (applied, or its own accepted), by id:
-- applying one twice does nothing; checksums are computed over them.
CREATE TABLE sync_applied (
    op_id       TEXT PRIMARY KEY NOT NULL,
    server_seq  INTEGER NOT NULL,
    tenant_key  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    hlc         TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sync_applied_by_tenant ON sync_applied (tenant_key);

-- Last writer wins per field: the clock of the write each field holds. (The triggers
-- upsert it: an OR REPLACE inside a trigger would take the policy of the statement that
-- fired it.)
CREATE TABLE sync_registers (
    entity  TEXT NOT NULL,
    key     TEXT NOT NULL,
    field   TEXT NOT NULL,
    hlc     TEXT NOT NULL,
    PRIMARY KEY (entity, key, field)
) STRICT, WITHOUT ROWID;

-- Where this workspace syncs to, and how far it got.
CREATE TABLE sync_state (
    workspace_id      TEXT PRIMARY KEY NOT NULL REFERENCES workspaces(id),
    server_workspace  TEXT,
    epoch             TEXT,
    -- The last sequence of the server's log applied (stored with each applied page).
    cursor            INTEGER NOT NULL DEFAULT 0,
    -- While a first sync is under way: the sequence its snapshots are taken at.
    first_sync_up_to  INTEGER,
    -- 1 once this device's records from before sync are operations too.
    backfilled        INTEGER NOT NULL DEFAULT 0 CHECK (backfilled IN (0, 1)),
    last_sync_at      TEXT,
    last_error        TEXT,
    last_checksums_ok INTEGER
) STRICT;

-- Tenants whose synced records changed by another device's operations and that are not
-- derived again yet (written with the applied page; '' stands for the workspace's own
-- records: every tenant). A crash between applying and deriving loses nothing.
CREATE TABLE sync_dirty (
    tenant_key  TEXT PRIMARY KEY NOT NULL
) STRICT, WITHOUT ROWID;

-- Snapshots applied in the first sync under way, by tenant ('' for the workspace).
CREATE TABLE sync_snapshots_done (
    tenant_key  TEXT PRIMARY KEY NOT NULL
) STRICT, WITHOUT ROWID;

-- ----- Guards and triggers ------------------------------------------------------------

CREATE TRIGGER sync_tenants_insert AFTER INSERT ON tenants
BEGIN
    SELECT RAISE(ABORT, 'tenants change only through a store write (which records the change for sync)')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT op_id, hlc, NEW.id, 'tenant_set',
           json_object('display_name', NEW.display_name,
                       'entra_tenant_id', NEW.entra_tenant_id,
                       'primary_domain', NEW.primary_domain,
                       'tags', json(NEW.tags),
                       'is_demo', json(CASE NEW.is_demo WHEN 1 THEN 'true' ELSE 'false' END)),
           now
    FROM sync_new_op WHERE origin = 'local';
    INSERT INTO sync_registers (entity, key, field, hlc)
    SELECT 'tenant', NEW.id, f.name, (SELECT hlc FROM sync_clock)
    FROM (SELECT 'display_name' AS name UNION ALL SELECT 'entra_tenant_id'
          UNION ALL SELECT 'primary_domain' UNION ALL SELECT 'tags' UNION ALL SELECT 'is_demo') f
    WHERE true
    ON CONFLICT (entity, key, field) DO UPDATE SET hlc = excluded.hlc;
END;

CREATE TRIGGER sync_tenants_update AFTER UPDATE ON tenants
WHEN NEW.display_name IS NOT OLD.display_name
  OR NEW.entra_tenant_id IS NOT OLD.entra_tenant_id
  OR NEW.primary_domain IS NOT OLD.primary_domain
  OR NEW.tags IS NOT OLD.tags
  OR NEW.is_demo IS NOT OLD.is_demo
BEGIN
    SELECT RAISE(ABORT, 'tenants change only through a store write (which records the change for sync)')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT op_id, hlc, NEW.id, 'tenant_set',
           (SELECT json_group_object(k, json(v)) FROM (
                SELECT 'display_name' AS k, json_quote(NEW.display_name) AS v
                    WHERE NEW.display_name IS NOT OLD.display_name
                UNION ALL SELECT 'entra_tenant_id', json_quote(NEW.entra_tenant_id)
                    WHERE NEW.entra_tenant_id IS NOT OLD.entra_tenant_id
                UNION ALL SELECT 'primary_domain', json_quote(NEW.primary_domain)
                    WHERE NEW.primary_domain IS NOT OLD.primary_domain
                UNION ALL SELECT 'tags', NEW.tags WHERE NEW.tags IS NOT OLD.tags
                UNION ALL SELECT 'is_demo', CASE NEW.is_demo WHEN 1 THEN 'true' ELSE 'false' END
                    WHERE NEW.is_demo IS NOT OLD.is_demo)),
           now
    FROM sync_new_op WHERE origin = 'local';
    INSERT INTO sync_registers (entity, key, field, hlc)
    SELECT 'tenant', NEW.id, f.name, (SELECT hlc FROM sync_clock)
    FROM (SELECT 'display_name' AS name WHERE NEW.display_name IS NOT OLD.display_name
          UNION ALL SELECT 'entra_tenant_id' WHERE NEW.entra_tenant_id IS NOT OLD.entra_tenant_id
          UNION ALL SELECT 'primary_domain' WHERE NEW.primary_domain IS NOT OLD.primary_domain
          UNION ALL SELECT 'tags' WHERE NEW.tags IS NOT OLD.tags
          UNION ALL SELECT 'is_demo' WHERE NEW.is_demo IS NOT OLD.is_demo) f
    WHERE true
    ON CONFLICT (entity, key, field) DO UPDATE SET hlc = excluded.hlc;
END;

CREATE TRIGGER sync_tenants_delete AFTER DELETE ON tenants
BEGIN
    SELECT RAISE(ABORT, 'tenants change only through a store write (which records the change for sync)')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT op_id, hlc, OLD.id, 'tenant_delete', '{}', now FROM sync_new_op WHERE origin = 'local';
END;

CREATE TRIGGER sync_captures_insert AFTER INSERT ON captures
BEGIN
    SELECT RAISE(ABORT, 'captures are recorded only through a store write (which records them for sync)')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT op_id, hlc, NEW.tenant_id, 'capture', json_object('capture_id', NEW.id), now
    FROM sync_new_op WHERE origin = 'local';
END;

CREATE TRIGGER sync_baseline_versions_insert AFTER INSERT ON baseline_versions
WHEN NEW.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'baselines are published only through a store write (which records it for sync)')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT op_id, hlc, NULL, 'baseline_publish', json_object('version_id', NEW.id), now
    FROM sync_new_op WHERE origin = 'local';
END;

CREATE TRIGGER sync_baseline_versions_status AFTER UPDATE OF status ON baseline_versions
WHEN NEW.status IS NOT OLD.status
BEGIN
    SELECT RAISE(ABORT, 'baselines are published only through a store write (which records it for sync)')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT op_id, hlc, NULL,
           CASE NEW.status WHEN 'published' THEN 'baseline_publish' ELSE 'baseline_retire' END,
           CASE NEW.status
               WHEN 'published' THEN json_object('version_id', NEW.id)
               ELSE json_object('baseline_id', NEW.baseline_id, 'version_id', NEW.id)
           END,
           now
    FROM sync_new_op WHERE origin = 'local' AND NEW.status IN ('published', 'retired');
END;

CREATE TRIGGER sync_assignments_insert AFTER INSERT ON baseline_assignments
BEGIN
    SELECT RAISE(ABORT, 'assignments change only through a store write (which records the change for sync)')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT op_id, hlc, NEW.tenant_id, 'assignment_set',
           json_object('baseline_id', NEW.baseline_id, 'version_id', NEW.baseline_version_id,
                       'variables', json(NEW.variables)),
           now
    FROM sync_new_op WHERE origin = 'local';
    INSERT INTO sync_registers (entity, key, field, hlc)
    VALUES ('assignment', NEW.tenant_id || '/' || NEW.baseline_id, 'assignment', (SELECT hlc FROM sync_clock))
    ON CONFLICT (entity, key, field) DO UPDATE SET hlc = excluded.hlc;
END;

CREATE TRIGGER sync_assignments_update AFTER UPDATE ON baseline_assignments
WHEN NEW.baseline_version_id IS NOT OLD.baseline_version_id OR NEW.variables IS NOT OLD.variables
BEGIN
    SELECT RAISE(ABORT, 'assignments change only through a store write (which records the change for sync)')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT op_id, hlc, NEW.tenant_id, 'assignment_set',
           json_object('baseline_id', NEW.baseline_id, 'version_id', NEW.baseline_version_id,
                       'variables', json(NEW.variables)),
           now
    FROM sync_new_op WHERE origin = 'local';
    INSERT INTO sync_registers (entity, key, field, hlc)
    VALUES ('assignment', NEW.tenant_id || '/' || NEW.baseline_id, 'assignment', (SELECT hlc FROM sync_clock))
    ON CONFLICT (entity, key, field) DO UPDATE SET hlc = excluded.hlc;
END;

CREATE TRIGGER sync_assignments_delete AFTER DELETE ON baseline_assignments
BEGIN
    SELECT RAISE(ABORT, 'assignments change only through a store write (which records the change for sync)')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT op_id, hlc, OLD.tenant_id, 'assignment_remove', json_object('baseline_id', OLD.baseline_id), now
    FROM sync_new_op WHERE origin = 'local';
    INSERT INTO sync_registers (entity, key, field, hlc)
    VALUES ('assignment', OLD.tenant_id || '/' || OLD.baseline_id, 'assignment', (SELECT hlc FROM sync_clock))
    ON CONFLICT (entity, key, field) DO UPDATE SET hlc = excluded.hlc;
END;

CREATE TRIGGER sync_decisions_insert AFTER INSERT ON decisions
BEGIN
    SELECT RAISE(ABORT, 'decisions are recorded only through a store write (which records them for sync)')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT NEW.id, NEW.hlc, NEW.tenant_id, 'decision',
           json_object('finding', NEW.finding, 'action', NEW.action, 'base', NEW.base,
                       'actor', NEW.actor, 'reason', NEW.reason, 'expires_at', NEW.expires_at,
                       'accepted_value', json(NEW.accepted_value), 'approver', NEW.approver,
                       'approves', NEW.approves),
           now
    FROM sync_new_op WHERE origin = 'local';
END;

CREATE TRIGGER sync_settings_insert AFTER INSERT ON workspace_settings
BEGIN
    SELECT RAISE(ABORT, 'workspace settings change only through a store write (which records the change for sync)')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT n.op_id || '-' || s.key, n.hlc, NULL, 'setting_set', json_object('key', s.key, 'value', json(s.value)), n.now
    FROM sync_new_op n,
         (SELECT 'msp_name' AS key, json_quote(NEW.msp_name) AS value
          UNION ALL SELECT 'accent_colour', json_quote(NEW.accent_colour)
          UNION ALL SELECT 'report_language', json_quote(NEW.report_language)
          UNION ALL SELECT 'logo', CASE WHEN NEW.logo_sha256 IS NULL THEN 'null'
                                        ELSE json_object('blob', NEW.logo_sha256, 'source', NEW.logo_source) END) s
    WHERE n.origin = 'local';
END;

CREATE TRIGGER sync_settings_update AFTER UPDATE ON workspace_settings
BEGIN
    SELECT RAISE(ABORT, 'workspace settings change only through a store write (which records the change for sync)')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT n.op_id || '-' || s.key, n.hlc, NULL, 'setting_set', json_object('key', s.key, 'value', json(s.value)), n.now
    FROM sync_new_op n,
         (SELECT 'msp_name' AS key, json_quote(NEW.msp_name) AS value WHERE NEW.msp_name IS NOT OLD.msp_name
          UNION ALL SELECT 'accent_colour', json_quote(NEW.accent_colour) WHERE NEW.accent_colour IS NOT OLD.accent_colour
          UNION ALL SELECT 'report_language', json_quote(NEW.report_language) WHERE NEW.report_language IS NOT OLD.report_language
          UNION ALL SELECT 'logo', CASE WHEN NEW.logo_sha256 IS NULL THEN 'null'
                                        ELSE json_object('blob', NEW.logo_sha256, 'source', NEW.logo_source) END
                    WHERE NEW.logo_sha256 IS NOT OLD.logo_sha256) s
    WHERE n.origin = 'local';
END;

CREATE TRIGGER sync_four_eyes_update AFTER UPDATE OF four_eyes ON workspaces
WHEN NEW.four_eyes IS NOT OLD.four_eyes
BEGIN
    SELECT RAISE(ABORT, 'workspace settings change only through a store write (which records the change for sync)')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT op_id, hlc, NULL, 'setting_set',
           json_object('key', 'four_eyes', 'value', json(CASE NEW.four_eyes WHEN 1 THEN 'true' ELSE 'false' END)),
           now
    FROM sync_new_op WHERE origin = 'local';
END;

-- This device's own audit chain syncs (other devices' events arrive as remote ones; the
-- derived chain, '<device>:derived', stays on the device).
CREATE TRIGGER sync_audit_insert AFTER INSERT ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are appended only through a store write')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT NEW.id, hlc, NEW.tenant_id, 'audit',
           json_object('id', NEW.id, 'workspace_id', NEW.workspace_id, 'chain_seq', NEW.chain_seq, 'at', NEW.at, 'actor', NEW.actor,
                       'action', NEW.action, 'target', NEW.target, 'summary', json(NEW.summary),
                       'prev_hash', NEW.prev_hash, 'hash', NEW.hash),
           now
    FROM sync_new_op
    WHERE origin = 'local' AND NEW.device_id = (SELECT value FROM local_settings WHERE key = 'device_id');
END;

-- Another device's published baseline version arrives whole: its items are written while
-- the sync applies it (origin remote), and are immutable from then on.
DROP TRIGGER baseline_items_immutable_insert;
CREATE TRIGGER baseline_items_immutable_insert BEFORE INSERT ON baseline_items
WHEN (SELECT status FROM baseline_versions WHERE id = NEW.baseline_version_id) <> 'draft'
 AND NOT EXISTS (SELECT 1 FROM sync_clock WHERE origin = 'remote')
BEGIN
    SELECT RAISE(ABORT, 'a published baseline version is immutable: create a new draft version');
END;
DROP TRIGGER baseline_rules_immutable_insert;
CREATE TRIGGER baseline_rules_immutable_insert BEFORE INSERT ON baseline_rules
WHEN (SELECT v.status FROM baseline_items i JOIN baseline_versions v ON v.id = i.baseline_version_id
      WHERE i.id = NEW.baseline_item_id) <> 'draft'
 AND NOT EXISTS (SELECT 1 FROM sync_clock WHERE origin = 'remote')
BEGIN
    SELECT RAISE(ABORT, 'a published baseline version is immutable: create a new draft version');
END;

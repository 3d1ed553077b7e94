-- Alert rules and silences sync (SYNC.md: alert rules are registers), so that the desktop's
-- inbox and the agents raise the same alerts and a silence set on one device quiets every
-- agent. What a rule raises syncs (name, condition, cooldown, on/off); where its alerts go
-- stays with the devices that deliver (destinations and their secrets, routes, escalation
-- policy, group wait).
--
-- A rule watches all tenants, a list, those with a tag, with exclusions (ALERTS.md):
-- core::alerts::TenantFilter as JSON ({} : every tenant).
ALTER TABLE alert_rules ADD COLUMN tenant_filter TEXT NOT NULL DEFAULT '{}'
    CHECK (json_valid(tenant_filter));

-- Rules are keyed by their name, case folded: every device seeds the same default rules
-- under ids of its own (those seeds are derived, not recorded). Silences are keyed by
-- their id and name their rule by name. As every synced table: a change without the
-- store's clock is refused, so no write path can forget its operation.

CREATE TRIGGER sync_alert_rules_insert AFTER INSERT ON alert_rules
BEGIN
    SELECT RAISE(ABORT, 'alert rules change only through a store write (which records the change for sync)')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT op_id, hlc, NULL, 'alert_rule_set',
           json_object('name', NEW.name, 'condition', json(NEW.condition),
                       'tenant_filter', json(NEW.tenant_filter),
                       'cooldown_secs', NEW.cooldown_secs,
                       'enabled', json(CASE NEW.enabled WHEN 1 THEN 'true' ELSE 'false' END)),
           now
    FROM sync_new_op WHERE origin = 'local';
    INSERT INTO sync_registers (entity, key, field, hlc)
    SELECT 'alert_rule', lower(NEW.name), 'rule', hlc FROM sync_clock WHERE origin = 'local'
    ON CONFLICT (entity, key, field) DO UPDATE SET hlc = excluded.hlc;
END;

CREATE TRIGGER sync_alert_rules_update
AFTER UPDATE OF name, condition, tenant_filter, cooldown_secs, enabled ON alert_rules
WHEN NEW.name IS NOT OLD.name OR NEW.condition IS NOT OLD.condition
  OR NEW.tenant_filter IS NOT OLD.tenant_filter
  OR NEW.cooldown_secs IS NOT OLD.cooldown_secs OR NEW.enabled IS NOT OLD.enabled
BEGIN
    SELECT RAISE(ABORT, 'alert rules change only through a store write (which records the change for sync)')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT op_id, hlc, NULL, 'alert_rule_set',
           json_object('name', NEW.name, 'condition', json(NEW.condition),
                       'tenant_filter', json(NEW.tenant_filter),
                       'cooldown_secs', NEW.cooldown_secs,
                       'enabled', json(CASE NEW.enabled WHEN 1 THEN 'true' ELSE 'false' END)),
           now
    FROM sync_new_op WHERE origin = 'local';
    INSERT INTO sync_registers (entity, key, field, hlc)
    SELECT 'alert_rule', lower(NEW.name), 'rule', hlc FROM sync_clock WHERE origin = 'local'
    ON CONFLICT (entity, key, field) DO UPDATE SET hlc = excluded.hlc;
END;

CREATE TRIGGER sync_alert_rules_delete AFTER DELETE ON alert_rules
BEGIN
    SELECT RAISE(ABORT, 'alert rules change only through a store write (which records the change for sync)')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT op_id, hlc, NULL, 'alert_rule_remove', json_object('name', OLD.name), now
    FROM sync_new_op WHERE origin = 'local';
    INSERT INTO sync_registers (entity, key, field, hlc)
    SELECT 'alert_rule', lower(OLD.name), 'rule', hlc FROM sync_clock WHERE origin = 'local'
    ON CONFLICT (entity, key, field) DO UPDATE SET hlc = excluded.hlc;
END;

-- A silence's rule by name: a rule this device does not (yet) have is held as
-- 'rule-name:<name>', which silences nothing until the rule arrives.
CREATE TRIGGER sync_alert_silences_insert AFTER INSERT ON alert_silences
BEGIN
    SELECT RAISE(ABORT, 'silences change only through a store write (which records the change for sync)')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT op_id, hlc, NEW.tenant_id, 'silence_set',
           json_object('id', NEW.id,
                       'rule', COALESCE((SELECT name FROM alert_rules WHERE id = NEW.rule_id),
                                        CASE WHEN NEW.rule_id LIKE 'rule-name:%'
                                             THEN substr(NEW.rule_id, 11) END),
                       'starts_at', NEW.starts_at, 'ends_at', NEW.ends_at,
                       'comment', NEW.comment),
           now
    FROM sync_new_op WHERE origin = 'local';
    INSERT INTO sync_registers (entity, key, field, hlc)
    SELECT 'silence', NEW.id, 'silence', hlc FROM sync_clock WHERE origin = 'local'
    ON CONFLICT (entity, key, field) DO UPDATE SET hlc = excluded.hlc;
END;

CREATE TRIGGER sync_alert_silences_update AFTER UPDATE OF ends_at, comment ON alert_silences
WHEN NEW.ends_at IS NOT OLD.ends_at OR NEW.comment IS NOT OLD.comment
BEGIN
    SELECT RAISE(ABORT, 'silences change only through a store write (which records the change for sync)')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT op_id, hlc, NEW.tenant_id, 'silence_set',
           json_object('id', NEW.id,
                       'rule', COALESCE((SELECT name FROM alert_rules WHERE id = NEW.rule_id),
                                        CASE WHEN NEW.rule_id LIKE 'rule-name:%'
                                             THEN substr(NEW.rule_id, 11) END),
                       'starts_at', NEW.starts_at, 'ends_at', NEW.ends_at,
                       'comment', NEW.comment),
           now
    FROM sync_new_op WHERE origin = 'local';
    INSERT INTO sync_registers (entity, key, field, hlc)
    SELECT 'silence', NEW.id, 'silence', hlc FROM sync_clock WHERE origin = 'local'
    ON CONFLICT (entity, key, field) DO UPDATE SET hlc = excluded.hlc;
END;

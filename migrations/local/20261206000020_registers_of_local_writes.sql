-- A local write of a workspace setting, of four eyes or of a baseline's name (with a
-- publish) takes its register, as local writes of tenants and assignments already did:
-- otherwise an older write of another device, arriving later, would overwrite a newer
-- local one on this device only (and devices would disagree). Registers are taken by
-- local writes here; remote writes take theirs while they are applied.

DROP TRIGGER sync_settings_insert;
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
    INSERT INTO sync_registers (entity, key, field, hlc)
    SELECT 'setting', s.key, 'value', c.hlc
    FROM sync_clock c,
         (SELECT 'msp_name' AS key UNION ALL SELECT 'accent_colour'
          UNION ALL SELECT 'report_language' UNION ALL SELECT 'logo') s
    WHERE c.origin = 'local'
    ON CONFLICT (entity, key, field) DO UPDATE SET hlc = excluded.hlc;
END;

DROP TRIGGER sync_settings_update;
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
    INSERT INTO sync_registers (entity, key, field, hlc)
    SELECT 'setting', s.key, 'value', c.hlc
    FROM sync_clock c,
         (SELECT 'msp_name' AS key WHERE NEW.msp_name IS NOT OLD.msp_name
          UNION ALL SELECT 'accent_colour' WHERE NEW.accent_colour IS NOT OLD.accent_colour
          UNION ALL SELECT 'report_language' WHERE NEW.report_language IS NOT OLD.report_language
          UNION ALL SELECT 'logo' WHERE NEW.logo_sha256 IS NOT OLD.logo_sha256) s
    WHERE c.origin = 'local'
    ON CONFLICT (entity, key, field) DO UPDATE SET hlc = excluded.hlc;
END;

DROP TRIGGER sync_four_eyes_update;
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
    INSERT INTO sync_registers (entity, key, field, hlc)
    SELECT 'setting', 'four_eyes', 'value', hlc FROM sync_clock WHERE origin = 'local'
    ON CONFLICT (entity, key, field) DO UPDATE SET hlc = excluded.hlc;
END;

DROP TRIGGER sync_baseline_versions_insert;
CREATE TRIGGER sync_baseline_versions_insert AFTER INSERT ON baseline_versions
WHEN NEW.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'baselines are published only through a store write (which records it for sync)')
    WHERE NOT EXISTS (SELECT 1 FROM sync_clock);
    INSERT INTO sync_ops (op_id, hlc, tenant_id, kind, data, created_at)
    SELECT op_id, hlc, NULL, 'baseline_publish', json_object('version_id', NEW.id), now
    FROM sync_new_op WHERE origin = 'local';
    INSERT INTO sync_registers (entity, key, field, hlc)
    SELECT 'baseline', NEW.baseline_id, 'name', hlc FROM sync_clock WHERE origin = 'local'
    ON CONFLICT (entity, key, field) DO UPDATE SET hlc = excluded.hlc;
END;

DROP TRIGGER sync_baseline_versions_status;
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
    INSERT INTO sync_registers (entity, key, field, hlc)
    SELECT 'baseline', NEW.baseline_id, 'name', hlc FROM sync_clock
    WHERE origin = 'local' AND NEW.status = 'published'
    ON CONFLICT (entity, key, field) DO UPDATE SET hlc = excluded.hlc;
END;

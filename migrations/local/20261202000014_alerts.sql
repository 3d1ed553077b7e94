-- Alerts: each rule's cooldown looks up the rule's latest alert per tenant, and the inbox
-- lists by time.
CREATE INDEX alerts_by_rule_tenant ON alerts (rule_id, tenant_id, raised_at);
CREATE INDEX alerts_by_time ON alerts (raised_at);

-- How far alerts have been raised (see store/alerts.rs): from the database's state now,
-- so that a database with history does not alert all of it at once.
INSERT INTO local_settings (key, value)
SELECT 'alerts.watermark', json_object(
    'transition_rowid', COALESCE((SELECT MAX(rowid) FROM finding_transitions), 0),
    'review_rowid', COALESCE((SELECT MAX(rowid) FROM reviews), 0),
    'lapsed_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

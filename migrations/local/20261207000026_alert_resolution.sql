-- Alerts resolve (ALERTS.md): an alert whose condition no longer holds for its tenant —
-- its findings fixed, accepted or dismissed, the next capture read everything, the score
-- back where it was — is resolved when alerts are next raised. Its escalation stops, its
-- pending notifications are not sent, and the destinations that were told of it and
-- follow an alert's life (PagerDuty, generic webhooks) are told it resolved.
ALTER TABLE alerts ADD COLUMN resolved_at TEXT;
-- What an alert is about (JSON array of the keys that made its event: `FINDING@REVIEW`,
-- `ACCEPTANCE@…`, capture runs, reviews); NULL for alerts raised before (their condition
-- is then asked of the whole tenant).
ALTER TABLE alerts ADD COLUMN subjects TEXT;
-- A score-drop alert's score before the drop: it clears when the score is back there.
ALTER TABLE alerts ADD COLUMN score_before REAL;
-- Each raise looks at the alerts not yet resolved.
CREATE INDEX alerts_unresolved ON alerts (tenant_id) WHERE resolved_at IS NULL;

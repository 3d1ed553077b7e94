-- Alerts: what a review run changed is found by time (finding transitions since the
-- run started), and each rule's cooldown looks up the rule's latest alert per tenant.
CREATE INDEX finding_transitions_by_time ON finding_transitions (at);
CREATE INDEX alerts_by_rule_tenant ON alerts (rule_id, tenant_id, raised_at);
CREATE INDEX alerts_by_time ON alerts (raised_at);

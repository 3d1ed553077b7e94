-- Open findings (open or acknowledged) by tenant and resource kind: the Portfolio page
-- counts them per tenant and category (store::portfolio_view) from this index alone, in
-- its order, instead of scanning and sorting every finding. Partial, so the resolved,
-- accepted and false-positive findings of a long history stay out; it holds every
-- column the count reads (status too: SQLite reads a partial index's own WHERE columns
-- from the table unless the index holds them).
CREATE INDEX findings_open_by_tenant_kind
    ON findings (tenant_id, resource_kind, severity, due_at, status)
    WHERE status IN ('open', 'acknowledged');

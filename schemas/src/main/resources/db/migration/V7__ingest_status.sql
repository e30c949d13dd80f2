-- What the worker cannot ingest right now. When a dataset's table keeps failing for a reason that
-- is not one record's (its metadata is missing or unreadable, its commit is refused), the worker
-- pauses the tenant's partitions with backoff and writes one row here, under RLS for the tenant;
-- it deletes the tenant's rows when the tenant's records go through again. Read by
-- `pulse tenant show` (GET /admin/v1/tenants/{slug}) and reported by `pulse doctor`.
CREATE TABLE pulse.ingest_status (
    tenant_id     uuid        NOT NULL,
    dataset_slug  text        NOT NULL,
    state         text        NOT NULL CHECK (state IN ('paused')),
    reason        text        NOT NULL CHECK (length(reason) <= 2000),
    failing_since timestamptz NOT NULL,
    failures      integer     NOT NULL CHECK (failures > 0),
    retry_at      timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, dataset_slug)
);

ALTER TABLE pulse.ingest_status ENABLE ROW LEVEL SECURITY;
ALTER TABLE pulse.ingest_status FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pulse.ingest_status FOR ALL TO pulse_app
    USING (tenant_id = (SELECT pulse.current_tenant_id()))
    WITH CHECK (tenant_id = (SELECT pulse.current_tenant_id()));
GRANT SELECT, INSERT, UPDATE, DELETE ON pulse.ingest_status TO pulse_app;

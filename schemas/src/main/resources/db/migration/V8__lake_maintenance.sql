-- Lake maintenance (issue 11).
--
-- A tenant may keep its tables' snapshots longer or shorter than its tier's default
-- (PULSE_SNAPSHOT_RETENTION*): NULL means the tier's default. Set by the operator
-- (pulse tenant set-retention). Between one hour and ten years.
ALTER TABLE pulse.tenants
    ADD COLUMN snapshot_retention_ms bigint
        CHECK (snapshot_retention_ms IS NULL OR snapshot_retention_ms BETWEEN 3600000 AND 315360000000);

-- One row per dataset that maintenance has looked at: what it last did. The row is also the
-- per-table maintenance lock: a maintainer holds it FOR UPDATE (SKIP LOCKED) for as long as it
-- works on the table, so one table is never maintained twice at once, across worker replicas and
-- `pulse lake maintain`; a maintainer that dies releases it with its connection.
CREATE TABLE pulse.dataset_maintenance (
    tenant_id          uuid        NOT NULL,
    dataset_slug       text        NOT NULL,
    last_run_at        timestamptz,
    last_compaction_at timestamptz,
    last_compaction    jsonb,
    last_expiry_at     timestamptz,
    last_expiry        jsonb,
    last_orphan_scan_at timestamptz,
    last_orphan_scan   jsonb,
    PRIMARY KEY (tenant_id, dataset_slug),
    FOREIGN KEY (tenant_id, dataset_slug) REFERENCES pulse.datasets (tenant_id, slug)
);

ALTER TABLE pulse.dataset_maintenance ENABLE ROW LEVEL SECURITY;
ALTER TABLE pulse.dataset_maintenance FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pulse.dataset_maintenance FOR ALL TO pulse_app
    USING (tenant_id = (SELECT pulse.current_tenant_id()))
    WITH CHECK (tenant_id = (SELECT pulse.current_tenant_id()));
GRANT SELECT, INSERT, UPDATE ON pulse.dataset_maintenance TO pulse_app;

-- Issue 11: restart cost independent of history, and the freshness watermark.
-- (V8 is lake maintenance's; this one is numbered after it on purpose.)

-- Reconciliation on assignment asks, per partition of a dataset, for the ledger's newest next
-- offset (one index probe each) instead of reading every snapshot id the ledger holds.
CREATE INDEX ingest_commits_partition_progress
    ON pulse.ingest_commits (tenant_id, dataset_slug, topic, kafka_partition, next_offset);

-- The ledger gets one row per commit and partition; lake maintenance prunes the rows of snapshots
-- it expired (CommitLedger.pruneExpired), keeping each partition's newest row.
GRANT DELETE ON pulse.ingest_commits TO pulse_app;

-- The freshness watermark of one partition of a tenant's raw topic: every record the topic
-- received (Kafka acknowledged) on this partition before complete_through is in a table or the
-- DLQ. Written by the worker that owns the partition, under RLS for the tenant, only ever moved
-- forward (GREATEST). partition_count is the topic's partition count as that worker saw it: a
-- reader takes min(complete_through) only when every partition has a row (otherwise: unknown).
CREATE TABLE pulse.ingest_watermarks (
    tenant_id        uuid        NOT NULL,
    kafka_partition  integer     NOT NULL CHECK (kafka_partition >= 0),
    partition_count  integer     NOT NULL CHECK (partition_count > 0),
    complete_through timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, kafka_partition)
);

ALTER TABLE pulse.ingest_watermarks ENABLE ROW LEVEL SECURITY;
ALTER TABLE pulse.ingest_watermarks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pulse.ingest_watermarks FOR ALL TO pulse_app
    USING (tenant_id = (SELECT pulse.current_tenant_id()))
    WITH CHECK (tenant_id = (SELECT pulse.current_tenant_id()));
GRANT SELECT, INSERT, UPDATE ON pulse.ingest_watermarks TO pulse_app;

-- Issue 12: retries never duplicate.

-- The event ids the worker landed (or is landing) per dataset, within the dedup window
-- (PULSE_DEDUP_WINDOW). The worker claims a batch's ids here, inside the tenant's transaction and
-- before the table commit: the first Kafka record of an id (its raw-topic partition and offset)
-- wins, and any record with the same id at another position is a duplicate and skipped. A batch
-- re-read after a crash claims its own rows again (same partition and offset), so it is never
-- mistaken for a duplicate of itself. Rows older than the window are taken over by the next
-- record of their id and pruned by the worker in bounded chunks (dev.pulse.worker.dedup).
-- Ids compare byte-wise (COLLATE "C"): equality is all the key needs, and a locale's collation
-- would make every index comparison of a batch's thousands of inserts slower.
-- No foreign key to pulse.datasets: it would cost an index probe per event, and datasets are
-- never deleted.
CREATE TABLE pulse.event_ids (
    tenant_id       uuid        NOT NULL,
    dataset_slug    text        COLLATE "C" NOT NULL,
    event_id        text        COLLATE "C" NOT NULL,
    kafka_partition integer     NOT NULL CHECK (kafka_partition >= 0),
    kafka_offset    bigint      NOT NULL CHECK (kafka_offset >= 0),
    first_seen      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, dataset_slug, event_id)
);
CREATE INDEX event_ids_expiry ON pulse.event_ids (tenant_id, first_seen);

ALTER TABLE pulse.event_ids ENABLE ROW LEVEL SECURITY;
ALTER TABLE pulse.event_ids FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pulse.event_ids FOR ALL TO pulse_app
    USING (tenant_id = (SELECT pulse.current_tenant_id()))
    WITH CHECK (tenant_id = (SELECT pulse.current_tenant_id()));
GRANT SELECT, INSERT, UPDATE, DELETE ON pulse.event_ids TO pulse_app;

-- Idempotency-Key of POST /v1/events (IETF httpapi idempotency-key draft), per tenant. A row is
-- inserted in flight (status NULL) before anything is produced; the 2xx response is stored when
-- the request succeeds, and the row is deleted when it fails, so the retry runs anew. Rows live
-- PULSE_IDEMPOTENCY_KEY_TTL (dev.pulse.api.idempotency).
CREATE TABLE pulse.idempotency_keys (
    tenant_id       uuid        NOT NULL,
    idempotency_key text        COLLATE "C" NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    request_hash    bytea       NOT NULL,
    status          integer     CHECK (status BETWEEN 200 AND 599),
    response        text,
    created_at      timestamptz NOT NULL,
    completed_at    timestamptz,
    PRIMARY KEY (tenant_id, idempotency_key)
);
CREATE INDEX idempotency_keys_expiry ON pulse.idempotency_keys (tenant_id, created_at);

ALTER TABLE pulse.idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE pulse.idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pulse.idempotency_keys FOR ALL TO pulse_app
    USING (tenant_id = (SELECT pulse.current_tenant_id()))
    WITH CHECK (tenant_id = (SELECT pulse.current_tenant_id()));
GRANT SELECT, INSERT, UPDATE, DELETE ON pulse.idempotency_keys TO pulse_app;

-- Usage metering (issue 13): what each tenant used, per minute, as counted by the worker's Kafka
-- Streams topology (dev.pulse.worker.usage) from the internal usage topic.
--
-- One row per tenant, minute, metric and dimension (the dataset of rows landed, the HTTP status of
-- a refused request, the reason of a dead letter; '' where a metric has none). The topology's sink
-- writes each minute's running total, never an increment, under RLS bound to the tenant, and a
-- total only ever grows (GREATEST): writing the same total again after a crash, or a fenced
-- instance writing an older one late, changes nothing. Readers (GET /v1/usage, the operator's
-- /admin/v1/tenants/{slug}/usage, pulse usage) sum the minutes into hours or days.
CREATE TABLE pulse.usage_minutes (
    tenant_id  uuid        NOT NULL,
    minute     timestamptz NOT NULL CHECK (date_trunc('minute', minute) = minute),
    metric     text        NOT NULL CHECK (metric IN ('events_accepted', 'bytes_accepted', 'requests_refused',
                                                      'events_dead_lettered', 'rows_landed', 'dead_letters_replayed',
                                                      'dead_letters_dropped')),
    dimension  text        NOT NULL DEFAULT '' CHECK (length(dimension) <= 200),
    count      bigint      NOT NULL CHECK (count >= 0),
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, minute, metric, dimension)
);

ALTER TABLE pulse.usage_minutes ENABLE ROW LEVEL SECURITY;
ALTER TABLE pulse.usage_minutes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pulse.usage_minutes FOR ALL TO pulse_app
    USING (tenant_id = (SELECT pulse.current_tenant_id()))
    WITH CHECK (tenant_id = (SELECT pulse.current_tenant_id()));
GRANT SELECT, INSERT, UPDATE ON pulse.usage_minutes TO pulse_app;

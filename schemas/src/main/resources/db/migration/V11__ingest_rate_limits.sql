-- Fair share (issue 12): a tenant's own ingest rate limits.
--
-- The edge (POST /v1/events) refuses with 429 what goes beyond a token bucket on events per
-- second and one on bytes per second. Their rates default by tier (PULSE_RATE_LIMIT_*); an
-- operator may give one tenant its own (pulse tenant set-limits, PUT /admin/v1/tenants/{slug}/limits),
-- stored here on the tenant's own row, so row-level security guards them as every tenant
-- setting: NULL means the tier's default. From 1 event (1 KiB) per second to ten million
-- events (10 GiB) per second.
ALTER TABLE pulse.tenants
    ADD COLUMN ingest_events_per_second bigint
        CHECK (ingest_events_per_second IS NULL OR ingest_events_per_second BETWEEN 1 AND 10000000),
    ADD COLUMN ingest_bytes_per_second bigint
        CHECK (ingest_bytes_per_second IS NULL OR ingest_bytes_per_second BETWEEN 1024 AND 10737418240);

-- Issue 13: dead letters you can see, fix, replay or drop.
--
-- The DLQ topic pulse.<tenant>.events.dlq stays the log of failures (one record per failed
-- attempt). This table is its fold: ONE row per original event, keyed by a stable id (the raw
-- topic partition and offset where the event first failed, '<partition>-<offset>'), holding the
-- latest failure and the event's state. A replayed event carries its id in the
-- pulse-dead-letter-id header, so when it fails again its new DLQ record folds into the same row
-- (attempts + 1) instead of becoming a second dead letter.
--
-- Filled by the worker's DLQ indexer (dev.pulse.worker.dlq.DeadLetterIndexer), which reads the
-- DLQ topics read_committed and writes the rows together with its next DLQ offset per partition
-- (pulse.dead_letter_offsets) in one tenant-bound transaction: the rows are exactly the committed
-- DLQ records, folded, whatever crashed when (a worker killed before its Kafka transaction
-- commits leaves no DLQ record, so no row; an indexer killed mid-batch rolls back rows and
-- offset together).
--
-- States: open (waiting), replaying (selected by a replay run, not yet confirmed sent),
-- replayed (back in the raw topic), dropped (resolved without replay), parked (failed
-- PULSE_DLQ_PARK_AFTER replays; skipped unless a replay asks for parked ones).
CREATE TABLE pulse.dead_letters (
    tenant_id        uuid        NOT NULL,
    id               text        COLLATE "C" NOT NULL CHECK (id ~ '^[0-9]+-[0-9]+$'),
    state            text        NOT NULL CHECK (state IN ('open', 'replaying', 'replayed', 'dropped', 'parked')),
    reason           text        COLLATE "C" NOT NULL,
    stage            text        NOT NULL,
    message          text        NOT NULL,
    dataset          text        COLLATE "C",
    event_id         text,
    violations       jsonb       NOT NULL DEFAULT '[]',
    source_partition integer     NOT NULL CHECK (source_partition >= 0),
    source_offset    bigint      NOT NULL CHECK (source_offset >= 0),
    dlq_partition    integer     NOT NULL,
    dlq_offset       bigint      NOT NULL,
    record_key       bytea,
    payload          bytea,
    headers          jsonb       NOT NULL DEFAULT '{}',
    omitted_bytes    bigint,
    attempts         integer     NOT NULL CHECK (attempts >= 1),
    first_failed_at  timestamptz NOT NULL,
    last_failed_at   timestamptz NOT NULL,
    replay_run       uuid,
    replay_seq       bigint,
    resolved_at      timestamptz,
    resolved_by      text,
    PRIMARY KEY (tenant_id, id)
);
-- Counts by reason / dataset / day with any state filter: an index-only scan of one tenant's range.
CREATE INDEX dead_letters_counts ON pulse.dead_letters (tenant_id, reason, dataset, state, first_failed_at);
-- Newest samples, and time-range selections.
CREATE INDEX dead_letters_newest ON pulse.dead_letters (tenant_id, first_failed_at DESC);
-- A replay run's rows.
CREATE INDEX dead_letters_replay ON pulse.dead_letters (tenant_id, replay_run, replay_seq) WHERE replay_run IS NOT NULL;

ALTER TABLE pulse.dead_letters ENABLE ROW LEVEL SECURITY;
ALTER TABLE pulse.dead_letters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pulse.dead_letters FOR ALL TO pulse_app
    USING (tenant_id = (SELECT pulse.current_tenant_id()))
    WITH CHECK (tenant_id = (SELECT pulse.current_tenant_id()));
GRANT SELECT, INSERT, UPDATE ON pulse.dead_letters TO pulse_app;

-- Counts by reason, dataset, state and first-failure day (UTC), kept by statement triggers on
-- pulse.dead_letters from their transition tables: `pulse dlq list` reads a few hundred rows
-- here instead of counting a million. Each statement applies its net changes in one INSERT ... ON
-- CONFLICT, in key order, so concurrent writers (the indexer, a replay, a drop) take the count
-- rows' locks in the same order and never deadlock. Rows may reach 0; readers skip them.
CREATE TABLE pulse.dead_letter_counts (
    tenant_id uuid   NOT NULL,
    reason    text   COLLATE "C" NOT NULL,
    dataset   text   COLLATE "C" NOT NULL,
    state     text   NOT NULL,
    day       date   NOT NULL,
    n         bigint NOT NULL,
    PRIMARY KEY (tenant_id, reason, dataset, state, day)
);
ALTER TABLE pulse.dead_letter_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE pulse.dead_letter_counts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pulse.dead_letter_counts FOR ALL TO pulse_app
    USING (tenant_id = (SELECT pulse.current_tenant_id()))
    WITH CHECK (tenant_id = (SELECT pulse.current_tenant_id()));
GRANT SELECT, INSERT, UPDATE ON pulse.dead_letter_counts TO pulse_app;

-- SECURITY INVOKER: the counts are written as the writer of the dead letters, under the same RLS.
CREATE FUNCTION pulse.dead_letters_counted_insert() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    INSERT INTO pulse.dead_letter_counts AS c (tenant_id, reason, dataset, state, day, n)
    SELECT r.tenant_id, r.reason, coalesce(r.dataset, ''), r.state, (r.first_failed_at AT TIME ZONE 'UTC')::date, count(*)
      FROM new_rows r GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (tenant_id, reason, dataset, state, day) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END
$$;
CREATE FUNCTION pulse.dead_letters_counted_update() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    INSERT INTO pulse.dead_letter_counts AS c (tenant_id, reason, dataset, state, day, n)
    SELECT tenant_id, reason, dataset, state, day, sum(d) FROM (
        SELECT r.tenant_id, r.reason, coalesce(r.dataset, '') AS dataset, r.state, (r.first_failed_at AT TIME ZONE 'UTC')::date AS day, 1 AS d
          FROM new_rows r
        UNION ALL
        SELECT r.tenant_id, r.reason, coalesce(r.dataset, ''), r.state, (r.first_failed_at AT TIME ZONE 'UTC')::date, -1
          FROM old_rows r) changes
     GROUP BY 1, 2, 3, 4, 5 HAVING sum(d) <> 0 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (tenant_id, reason, dataset, state, day) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION pulse.dead_letters_counted_insert() FROM PUBLIC;
REVOKE ALL ON FUNCTION pulse.dead_letters_counted_update() FROM PUBLIC;
CREATE TRIGGER dead_letters_counted_insert AFTER INSERT ON pulse.dead_letters
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pulse.dead_letters_counted_insert();
CREATE TRIGGER dead_letters_counted_update AFTER UPDATE ON pulse.dead_letters
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pulse.dead_letters_counted_update();

-- How far the indexer has folded each DLQ partition of the tenant: written with the rows.
CREATE TABLE pulse.dead_letter_offsets (
    tenant_id     uuid    NOT NULL,
    dlq_partition integer NOT NULL CHECK (dlq_partition >= 0),
    next_offset   bigint  NOT NULL CHECK (next_offset >= 0),
    PRIMARY KEY (tenant_id, dlq_partition)
);
ALTER TABLE pulse.dead_letter_offsets ENABLE ROW LEVEL SECURITY;
ALTER TABLE pulse.dead_letter_offsets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pulse.dead_letter_offsets FOR ALL TO pulse_app
    USING (tenant_id = (SELECT pulse.current_tenant_id()))
    WITH CHECK (tenant_id = (SELECT pulse.current_tenant_id()));
GRANT SELECT, INSERT, UPDATE ON pulse.dead_letter_offsets TO pulse_app;

-- Replay runs: what was asked (filter, patch, by whom), how far it got. At most one running run
-- per tenant; a replay that died is resumed by the next `pulse dlq replay` of the tenant.
CREATE TABLE pulse.dead_letter_replays (
    tenant_id   uuid        NOT NULL,
    run_id      uuid        NOT NULL,
    state       text        NOT NULL CHECK (state IN ('running', 'done')),
    actor       text        NOT NULL,
    filter      jsonb       NOT NULL,
    patch       jsonb,
    selected    integer     NOT NULL,
    replayed    integer     NOT NULL DEFAULT 0,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    PRIMARY KEY (tenant_id, run_id)
);
CREATE UNIQUE INDEX dead_letter_replays_one_running ON pulse.dead_letter_replays (tenant_id) WHERE state = 'running';
ALTER TABLE pulse.dead_letter_replays ENABLE ROW LEVEL SECURITY;
ALTER TABLE pulse.dead_letter_replays FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pulse.dead_letter_replays FOR ALL TO pulse_app
    USING (tenant_id = (SELECT pulse.current_tenant_id()))
    WITH CHECK (tenant_id = (SELECT pulse.current_tenant_id()));
GRANT SELECT, INSERT, UPDATE ON pulse.dead_letter_replays TO pulse_app;

-- What PostgreSQL itself shows every role (PUBLIC) and a tenant-bound runtime role must not use.
-- pg_catalog objects belong to the bootstrap superuser, so this runs as a superuser, in Pulse's
-- database (function and view privileges are per database). Idempotent: `pulse migrate` runs it
-- when its admin role is a superuser, `pulse dev` and the tests with the embedded superuser;
-- `pulse doctor` reports what is still open. Monitoring keeps working through pg_monitor.
DO $$
DECLARE
    f regprocedure;
    v regclass;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure FROM pg_proc p
         WHERE p.pronamespace = 'pg_catalog'::regnamespace
           AND (   p.proname IN ('pg_notify')                                           -- NOTIFY channels are global
                OR p.proname ~ '^lo_' OR p.proname IN ('loread', 'lowrite')             -- large objects are per database, not per tenant
                OR p.proname ~ '^pg_stat_get_'                                          -- per-table/database row counts and activity
                OR p.proname IN ('pg_lock_status',                                      -- other sessions' locks
                                 'pg_relation_size', 'pg_total_relation_size',          -- table-wide sizes
                                 'pg_table_size', 'pg_indexes_size',
                                 'pg_database_size', 'pg_tablespace_size',             -- the whole database's growth
                                 'pg_current_wal_lsn', 'pg_current_wal_insert_lsn',     -- the WAL position: every write
                                 'pg_current_wal_flush_lsn',
                                 'pg_control_checkpoint', 'pg_control_system',
                                 'pg_control_init', 'pg_control_recovery',
                                 'txid_current', 'txid_current_if_assigned',            -- the global transaction counter
                                 'pg_current_xact_id', 'pg_current_xact_id_if_assigned',
                                 'txid_current_snapshot', 'pg_current_snapshot'))
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO pg_monitor', f);
    END LOOP;
    FOR v IN
        SELECT c.oid::regclass FROM pg_class c
         WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'v'
           AND (c.relname ~ '^pg_stat(io)?_' OR c.relname = 'pg_locks')
    LOOP
        EXECUTE format('REVOKE SELECT ON %s FROM PUBLIC', v);
        EXECUTE format('GRANT SELECT ON %s TO pg_monitor', v);
    END LOOP;
END
$$;

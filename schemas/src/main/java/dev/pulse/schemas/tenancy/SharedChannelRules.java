package dev.pulse.schemas.tenancy;

import java.sql.SQLException;
import java.util.List;

/**
 * What PostgreSQL itself shares between all sessions of a database and grants to PUBLIC, checked
 * as the runtime role: every entry is closed by schemas' {@code db/hardening.sql} (run as a
 * superuser; {@code pulse migrate} does when its admin role is one) or by migration V6. The
 * README's Isolation section lists what stays open and why.
 */
final class SharedChannelRules {
    private static final Finding.Rule SHARED = IsolationAudit.SHARED_CHANNELS;
    private static final String HARDEN = "run schemas/src/main/resources/db/hardening.sql as a superuser in this database";

    private record Channel(String name, String openWhen, String problem, String fix) {
    }

    private static final List<Channel> CHANNELS = List.of(
            new Channel("pg_notify()", "has_function_privilege(current_user, 'pg_catalog.pg_notify(text, text)', 'EXECUTE')",
                    "the runtime role may call pg_notify(): NOTIFY channels are global to the database, not per tenant", HARDEN),
            new Channel("large objects", "has_function_privilege(current_user, 'pg_catalog.lo_create(oid)', 'EXECUTE')"
                    + " OR has_function_privilege(current_user, 'pg_catalog.lo_from_bytea(oid, bytea)', 'EXECUTE')"
                    + " OR has_function_privilege(current_user, 'pg_catalog.lo_open(oid, integer)', 'EXECUTE')"
                    + " OR has_function_privilege(current_user, 'pg_catalog.lo_get(oid)', 'EXECUTE')",
                    "the runtime role may create or read large objects, which belong to the role (shared by every tenant), not to a tenant", HARDEN),
            new Channel("lo_compat_privileges", "current_setting('lo_compat_privileges')::boolean",
                    "lo_compat_privileges is on: large objects skip their privilege checks", "ALTER SYSTEM SET lo_compat_privileges = off"),
            new Channel("table statistics", "has_table_privilege(current_user, 'pg_catalog.pg_stat_user_tables', 'SELECT')"
                    + " OR has_function_privilege(current_user, 'pg_catalog.pg_stat_get_live_tuples(oid)', 'EXECUTE')"
                    + " OR has_function_privilege(current_user, 'pg_catalog.pg_stat_get_tuples_inserted(oid)', 'EXECUTE')",
                    "the runtime role may read table-wide row counts (pg_stat_user_tables, pg_stat_get_*): every tenant's volume", HARDEN),
            new Channel("relation sizes", "has_function_privilege(current_user, 'pg_catalog.pg_relation_size(regclass)', 'EXECUTE')"
                    + " OR has_function_privilege(current_user, 'pg_catalog.pg_total_relation_size(regclass)', 'EXECUTE')",
                    "the runtime role may read table sizes in bytes: every tenant's volume", HARDEN),
            new Channel("database size and WAL position", "has_function_privilege(current_user, 'pg_catalog.pg_database_size(oid)', 'EXECUTE')"
                    + " OR has_function_privilege(current_user, 'pg_catalog.pg_current_wal_lsn()', 'EXECUTE')",
                    "the runtime role may watch the database grow (pg_database_size, pg_current_wal_lsn): every tenant's write volume", HARDEN),
            new Channel("other sessions' locks", "has_table_privilege(current_user, 'pg_catalog.pg_locks', 'SELECT')",
                    "the runtime role may watch other sessions' locks (pg_locks): other tenants' activity", HARDEN),
            new Channel("transaction counter", "has_function_privilege(current_user, 'pg_catalog.pg_current_xact_id()', 'EXECUTE')"
                    + " OR has_function_privilege(current_user, 'pg_catalog.txid_current()', 'EXECUTE')",
                    "the runtime role may read the global transaction id counter: every tenant's write rate", HARDEN),
            new Channel("temporary objects", "has_database_privilege(current_user, current_database(), 'TEMPORARY')",
                    "the runtime role may create temporary tables and functions", "REVOKE TEMPORARY ON DATABASE <db> FROM PUBLIC (migration V6)"));

    private final AuditRun audit;

    SharedChannelRules(AuditRun audit) {
        this.audit = audit;
    }

    void run() throws SQLException {
        for (Channel channel : CHANNELS) {
            audit.query("SELECT " + channel.openWhen(), rs -> {
                if (rs.getBoolean(1)) {
                    audit.report(SHARED, channel.name(), channel.problem(), channel.fix());
                }
            });
        }
    }
}

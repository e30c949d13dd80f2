package dev.pulse.schemas.usage;

import dev.pulse.schemas.tenancy.TenantTransaction;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code pulse.usage_minutes}, always inside the tenant's transaction: the topology's sink writes
 * running totals, readers sum them by minute, hour or day.
 */
public final class UsageMinutes {
    private UsageMinutes() {
    }

    /** How readers group minutes. */
    public enum Granularity {
        MINUTE, HOUR, DAY;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One counter of one period. */
    public record Row(Instant period, String metric, String dimension, long count) {
    }

    /**
     * Sets the bound tenant's totals of {@code minute} ({@code metric} → {@code dimension} → total).
     * A total only grows: a smaller one (written again late by a fenced instance) changes nothing.
     */
    public static void record(TenantTransaction tx, Instant minute, Map<UsageMetric, Map<String, Long>> totals) throws SQLException {
        for (Map.Entry<UsageMetric, Map<String, Long>> metric : totals.entrySet()) {
            for (Map.Entry<String, Long> total : metric.getValue().entrySet()) {
                tx.update("""
                        INSERT INTO pulse.usage_minutes AS u (tenant_id, minute, metric, dimension, count, updated_at)
                        VALUES (?, ?, ?, ?, ?, now())
                        ON CONFLICT (tenant_id, minute, metric, dimension) DO UPDATE
                           SET count = EXCLUDED.count, updated_at = EXCLUDED.updated_at
                         WHERE EXCLUDED.count > u.count""",
                        tx.tenant(), minute, metric.getKey().wireName(), total.getKey(), total.getValue());
            }
        }
    }

    /** The bound tenant's counters from {@code from} (inclusive) to {@code to} (exclusive), summed per period, oldest first. */
    public static List<Row> read(TenantTransaction tx, Instant from, Instant to, Granularity granularity) throws SQLException {
        return tx.query("""
                SELECT date_trunc(?, minute, 'UTC') AS period, metric, dimension, sum(count)::bigint AS total
                  FROM pulse.usage_minutes
                 WHERE minute >= ? AND minute < ?
                 GROUP BY 1, 2, 3
                 ORDER BY 1, 2, 3""",
                rs -> new Row(TenantTransaction.instant(rs, "period"), rs.getString("metric"), rs.getString("dimension"), rs.getLong("total")),
                granularity.wireName(), from, to);
    }
}

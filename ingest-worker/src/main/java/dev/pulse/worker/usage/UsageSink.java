package dev.pulse.worker.usage;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.usage.UsageMetric;
import dev.pulse.schemas.usage.UsageMinutes;
import dev.pulse.worker.RetryPolicy;
import java.time.Instant;
import java.util.Map;

/** Where the topology's totals go: {@code pulse.usage_minutes}, one transaction bound to the tenant per updated minute. */
final class UsageSink {
    private final TenantDatabase db;
    private final RetryPolicy retry;

    UsageSink(TenantDatabase db, RetryPolicy retry) {
        this.db = db;
        this.retry = retry;
    }

    /**
     * Writes the minute's totals, unless the tenant no longer exists: usage counted before a
     * tenant was deleted can reach the sink after {@code pulse tenant delete} removed its rows,
     * and must not bring a row of it back.
     */
    void write(TenantId tenant, Instant minute, Map<UsageMetric, Map<String, Long>> totals) {
        retry.database("usage of " + tenant, () -> db.inTenant(tenant, tx -> {
            if (tx.queryOptional("SELECT 1 FROM pulse.tenants WHERE tenant_id = ?", rs -> 1, tenant).isPresent()) {
                UsageMinutes.record(tx, minute, totals);
            }
            return null;
        }));
    }
}

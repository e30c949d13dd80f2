package dev.pulse.worker.consume;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.worker.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the consumer subscribed to the raw topics of the tenants its group serves
 * ({@link WorkerTenants}). {@code ALL} is the pattern subscription, which the consumer refreshes
 * itself. {@code SHARED} and {@code ENTERPRISE} list the raw topics about once a second
 * ({@code listTopics}, one metadata request), look up the tier of each tenant not seen yet (its own
 * {@code pulse.tenants} row, read under RLS bound to it: no cross-tenant read, tiers never change)
 * and subscribe to the chosen topics by name, so a tenant created after start joins its group
 * within a second or two. A tenant whose row is not visible yet (its creation is still running)
 * is looked up again at the next refresh. Runs on the loop thread, between batches.
 */
final class TenantSubscription {
    private static final Logger LOG = LoggerFactory.getLogger(TenantSubscription.class);
    private static final Duration REFRESH = Duration.ofSeconds(1);
    private static final Duration LIST_TIMEOUT = Duration.ofSeconds(10);

    private final WorkerTenants tenants;
    private final TenantDatabase db;
    private final RetryPolicy retry;
    private final Map<TenantId, String> tiers = new HashMap<>();
    private Set<String> subscribed;
    private Instant nextRefresh = Instant.MIN;

    TenantSubscription(WorkerTenants tenants, TenantDatabase db, RetryPolicy retry) {
        this.tenants = tenants;
        this.db = db;
        this.retry = retry;
    }

    /** Subscribes or refreshes the subscription; false while the group has no tenant to read (nothing to poll). */
    boolean refresh(Consumer<byte[], byte[]> consumer, ConsumerRebalanceListener listener, Instant now) {
        if (tenants == WorkerTenants.ALL) {
            if (subscribed == null) {
                consumer.subscribe(Topics.RAW_PATTERN, listener);
                subscribed = Set.of();
            }
            return true;
        }
        if (now.isBefore(nextRefresh)) {
            return !subscribed.isEmpty();
        }
        nextRefresh = now.plus(REFRESH);
        Set<String> topics = new TreeSet<>();
        for (String topic : consumer.listTopics(LIST_TIMEOUT).keySet()) {
            if (Topics.RAW_PATTERN.matcher(topic).matches()) {
                Topics.tenantOf(topic).filter(this::serves).ifPresent(tenant -> topics.add(topic));
            }
        }
        if (!topics.equals(subscribed)) {
            LOG.info("worker group for {} tenants now reads {} raw topics", tenants.wireName(), topics.size());
            if (topics.isEmpty()) {
                consumer.unsubscribe();
            } else {
                consumer.subscribe(topics, listener);
            }
            subscribed = topics;
        }
        return !topics.isEmpty();
    }

    private boolean serves(TenantId tenant) {
        String tier = tiers.get(tenant);
        if (tier == null) {
            Optional<String> found = retry.database("tier of " + tenant, () -> db.inTenant(tenant,
                    tx -> tx.queryOptional("SELECT tier FROM pulse.tenants WHERE tenant_id = ?", rs -> rs.getString(1), tenant)));
            if (found.isEmpty()) {
                return false;
            }
            tier = found.get();
            tiers.put(tenant, tier);
        }
        return tenants.selects(tier);
    }
}

package dev.pulse.schemas.naming;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kafka topic names. A record's tenant is the tenant of its topic. */
public final class Topics {
    /** What the worker subscribes to: every tenant's raw topic, including tenants created later. */
    public static final Pattern RAW_PATTERN = Pattern.compile("pulse\\.[^.]+\\.events\\.raw");
    private static final Pattern TENANT_TOPIC = Pattern.compile("pulse\\.([^.]+)\\.events\\.(raw|dlq)");

    /** Header naming the tenant on every record Pulse produces; checked against the topic. */
    public static final String TENANT_HEADER = "pulse-tenant-id";

    private Topics() {
    }

    public static String raw(TenantId tenant) {
        return "pulse." + tenant + ".events.raw";
    }

    public static String dlq(TenantId tenant) {
        return "pulse." + tenant + ".events.dlq";
    }

    /**
     * The tenant a topic belongs to, or empty when the name is not a tenant topic or its id is not
     * a canonical tenant id. Callers refuse the record then: there is no fallback tenant.
     */
    public static Optional<TenantId> tenantOf(String topic) {
        if (topic == null) {
            return Optional.empty();
        }
        Matcher m = TENANT_TOPIC.matcher(topic);
        return m.matches() ? TenantId.tryParse(m.group(1)) : Optional.empty();
    }
}

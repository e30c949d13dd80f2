package dev.pulse.schemas.usage;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The internal usage topic: written only by Pulse services (ingest-api, the worker, the DLQ
 * replay), read only by the usage topology. Tenants never reach Kafka, and its name lies outside
 * the tenant topic name space ({@code pulse.<id>.events.*}), so neither the worker's pattern nor
 * {@code pulse doctor}'s topic check takes it for a tenant's.
 */
public final class UsageTopic {
    public static final String NAME = "pulse-internal.usage";
    public static final int PARTITIONS = 6;

    private UsageTopic() {
    }

    /** Creates the topic unless it exists (each service that writes or reads it calls this at start). */
    public static void ensure(Admin admin) {
        try {
            admin.createTopics(List.of(new NewTopic(NAME, Optional.of(PARTITIONS), Optional.empty())
                    .configs(Map.of("retention.ms", Long.toString(TimeUnit.DAYS.toMillis(7)))))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create the usage topic " + NAME + ": " + e.getCause(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot create the usage topic " + NAME + ": no answer from Kafka within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the usage topic " + NAME, e);
        }
    }
}

package dev.pulse.api.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.api.ApiConfig;
import dev.pulse.api.http.JsonBodies;
import dev.pulse.api.limits.AdmissionResult;
import dev.pulse.api.limits.RateLimitHeaders;
import dev.pulse.api.limits.RateLimiter;
import dev.pulse.control.keys.ApiKeyStore.AuthenticatedKey;
import dev.pulse.control.keys.Scope;
import dev.pulse.edge.ApiKeyAuth;
import dev.pulse.edge.Json;
import dev.pulse.edge.ProblemException;
import dev.pulse.schemas.directory.DatasetDirectory;
import dev.pulse.schemas.event.EventEnvelope;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;

/** {@code POST /v1/events}: authenticate, read, validate the whole batch, resolve datasets, produce, 202. */
public final class EventRoutes {
    private final TenantDatabase db;
    private final ApiKeyAuth auth;
    private final JsonBodies bodies;
    private final ApiConfig.Limits limits;
    private final EventPublisher publisher;
    private final RateLimiter rateLimiter;

    public EventRoutes(TenantDatabase db, ApiKeyAuth auth, JsonBodies bodies, ApiConfig.Limits limits,
            Producer<byte[], byte[]> producer, long produceTimeoutMs, RateLimiter rateLimiter) {
        this.rateLimiter = rateLimiter;
        this.db = db;
        this.auth = auth;
        this.bodies = bodies;
        this.limits = limits;
        this.publisher = new EventPublisher(producer, produceTimeoutMs);
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/events", this::ingest);
    }

    private void ingest(Context ctx) {
        AuthenticatedKey key = auth.require(ctx, Scope.INGEST);
        Instant receivedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        JsonNode body = bodies.read(ctx, JsonBodies.MediaTypeRule.REQUIRE_JSON);
        EventBatch batch = EventBatch.parse(body, limits, receivedAt);
        List<EventPublisher.Outgoing> outgoing = serialize(batch);
        // Before any database work, so that a refusal costs none; the whole request or nothing.
        AdmissionResult admitted = rateLimiter.admit(key.tenant(), outgoing.size(), outgoing.stream().mapToLong(o -> o.envelope().length).sum());
        RateLimitHeaders.of(admitted).forEach(ctx::header);
        requireDatasetsExist(key.tenant(), batch);
        publisher.publish(key.tenant(), outgoing);
        Json.respond(ctx, 202, Map.of("accepted", outgoing.size(), "event_ids", batch.eventIds()));
    }

    /** One tenant-bound transaction, one lookup per distinct dataset; another tenant's dataset is simply unknown. */
    private void requireDatasetsExist(TenantId tenant, EventBatch batch) {
        List<String> unknown = db.inTenant(tenant, tx -> {
            List<String> missing = new ArrayList<>();
            for (String slug : batch.datasets()) {
                if (DatasetDirectory.find(tx, slug).isEmpty()) {
                    missing.add(slug);
                }
            }
            return missing;
        });
        if (!unknown.isEmpty()) {
            throw ProblemException.notFound("dataset-not-found", "unknown dataset" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown.stream().map(s -> "'" + s + "'").toList())
                    + "; create it first (POST /admin/v1/tenants/{slug}/datasets)");
        }
    }

    private List<EventPublisher.Outgoing> serialize(EventBatch batch) {
        List<EventPublisher.Outgoing> outgoing = new ArrayList<>(batch.events().size());
        for (int i = 0; i < batch.events().size(); i++) {
            EventEnvelope event = batch.events().get(i);
            byte[] bytes = event.toBytes();
            if (bytes.length > limits.maxEventBytes()) {
                throw ProblemException.tooLarge("event-too-large", "event " + i + " is " + bytes.length
                        + " bytes once serialized; at most " + limits.maxEventBytes() + " are accepted per event");
            }
            outgoing.add(new EventPublisher.Outgoing(event.eventId(), bytes));
        }
        return outgoing;
    }
}

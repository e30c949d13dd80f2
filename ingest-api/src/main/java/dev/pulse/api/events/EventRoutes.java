package dev.pulse.api.events;

import dev.pulse.schemas.metrics.ServiceMetrics;
import dev.pulse.api.ApiConfig;
import dev.pulse.api.idempotency.IdempotencyKey;
import dev.pulse.api.idempotency.IdempotentRequests;
import dev.pulse.api.idempotency.StoredResponse;
import dev.pulse.api.http.JsonBodies;
import dev.pulse.api.limits.AdmissionResult;
import dev.pulse.api.limits.RateLimitHeaders;
import dev.pulse.api.limits.RateLimiter;
import dev.pulse.api.usage.EdgeUsage;
import dev.pulse.control.keys.ApiKeyStore.AuthenticatedKey;
import dev.pulse.control.keys.Scope;
import dev.pulse.edge.ApiKeyAuth;
import dev.pulse.edge.Json;
import dev.pulse.edge.ProblemException;
import dev.pulse.schemas.event.EventEnvelope;
import dev.pulse.schemas.event.Rfc3339;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.Producer;

/**
 * {@code POST /v1/events} (JSON or NDJSON): authenticate, read, validate the whole batch, resolve
 * datasets, serialize each record once, produce, 202.
 */
public final class EventRoutes {
    private final KnownDatasets datasets;
    private final ApiKeyAuth auth;
    private final EventBodies bodies;
    private final ApiConfig.Limits limits;
    private final ApiConfig.EventTimeBounds timeBounds;
    private final EventPublisher publisher;
    private final IdempotentRequests idempotent;
    private final RateLimiter rateLimiter;
    private final EdgeUsage usage;
    private final ObjectMapper mapper = new ObjectMapper();
    private final EventMetrics metrics;

    public EventRoutes(TenantDatabase db, ApiKeyAuth auth, JsonBodies bodies, ApiConfig.Limits limits,
            ApiConfig.EventTimeBounds timeBounds, Producer<byte[], byte[]> producer, long produceTimeoutMs, Duration idempotencyKeyTtl,
            RateLimiter rateLimiter, EdgeUsage usage, ServiceMetrics metrics) {
        this.metrics = new EventMetrics(metrics);
        this.datasets = new KnownDatasets(db);
        this.usage = usage;
        this.rateLimiter = rateLimiter;
        this.auth = auth;
        this.bodies = new EventBodies(bodies, limits.maxEventsPerRequest());
        this.limits = limits;
        this.timeBounds = timeBounds;
        this.publisher = new EventPublisher(producer, produceTimeoutMs);
        this.idempotent = new IdempotentRequests(db, idempotencyKeyTtl, Duration.ofMillis(produceTimeoutMs));
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/events", this::ingest);
    }

    private void ingest(Context ctx) {
        AuthenticatedKey key = auth.require(ctx, Scope.INGEST);
        try {
            ingest(ctx, key);
        } catch (ProblemException e) {
            // Usage: a refusal counts for the tenant whose key authenticated (no tenant is known before).
            usage.refused(key.tenant(), e.status());
            throw e;
        }
    }

    private void ingest(Context ctx, AuthenticatedKey key) {
        Optional<IdempotencyKey> idempotencyKey = IdempotencyKey.from(ctx.header(IdempotencyKey.HEADER));
        Instant receivedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if (idempotencyKey.isEmpty()) {
            // A tenant with nothing left in its budget is refused before its body is read. Not with an
            // Idempotency-Key: a retry of a request that was accepted gets its stored 202 back, limit or not.
            rateLimiter.refuseIfExhausted(key.tenant());
        }
        EventItems items = bodies.read(ctx);
        if (idempotencyKey.isEmpty()) {
            StoredResponse response = accept(ctx, key.tenant(), items, receivedAt);
            ctx.status(response.status()).contentType(Json.MEDIA_TYPE).result(response.body());
            return;
        }
        IdempotencyKey idempotency = idempotencyKey.get();
        // The events as one array, whichever media type carried them: the same events are the same request.
        ArrayNode events = JsonNodeFactory.instance.arrayNode().addAll(items.nodes());
        byte[] fingerprint = IdempotencyKey.fingerprint(events);
        idempotency.fillMissingEventIds(key.tenant(), events);
        IdempotentRequests.Outcome outcome = idempotent.run(key.tenant(), idempotency, fingerprint,
                () -> accept(ctx, key.tenant(), items, receivedAt));
        if (outcome.replayed()) {
            ctx.header("Idempotent-Replayed", "true");
        }
        ctx.status(outcome.response().status()).contentType(Json.MEDIA_TYPE).result(outcome.response().body());
    }

    /** Checks, admits (rate limits), produces and acknowledges the batch: the 202 and its body. */
    private StoredResponse accept(Context ctx, TenantId tenant, EventItems items, Instant receivedAt) {
        EventBatch batch = EventBatch.parse(items, timeBounds, receivedAt);
        List<EventPublisher.Outgoing> outgoing = serialize(batch);
        // Before the dataset lookup, so that a refusal costs no database work; the whole request or nothing.
        long bytes = outgoing.stream().mapToLong(o -> o.envelope().length).sum();
        AdmissionResult admitted = rateLimiter.admit(tenant, outgoing.size(), bytes);
        RateLimitHeaders.of(admitted).forEach(ctx::header);
        try {
            requireDatasetsExist(tenant, batch);
            metrics.produced(() -> publisher.publish(tenant, outgoing));
        } catch (RuntimeException e) {
            // Not accepted after all (404, 503, ...): the tenant is charged only for accepted requests.
            rateLimiter.giveBack(tenant, outgoing.size(), bytes);
            throw e;
        }
        usage.accepted(tenant, outgoing.size(), bytes);
        metrics.accepted(tenant, outgoing.size());
        try {
            return new StoredResponse(202, mapper.writeValueAsString(Map.of("accepted", outgoing.size(), "event_ids", batch.eventIds())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a 202 body of ids and a count always serializes", e);
        }
    }

    /** Another tenant's dataset is simply unknown; see {@link KnownDatasets} for when this reads the database. */
    private void requireDatasetsExist(TenantId tenant, EventBatch batch) {
        List<String> unknown = datasets.missing(tenant, batch.datasets());
        if (!unknown.isEmpty()) {
            throw ProblemException.notFound("dataset-not-found", "unknown dataset" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown.stream().map(s -> "'" + s + "'").toList())
                    + "; create it first (POST /admin/v1/tenants/{slug}/datasets)");
        }
    }

    private List<EventPublisher.Outgoing> serialize(EventBatch batch) {
        List<EventPublisher.Outgoing> outgoing = new ArrayList<>(batch.events().size());
        String receivedAt = batch.events().isEmpty() ? "" : Rfc3339.format(batch.events().get(0).receivedAt());
        for (int i = 0; i < batch.events().size(); i++) {
            EventEnvelope event = batch.events().get(i);
            byte[] bytes = event.toBytes(receivedAt);
            if (bytes.length > limits.maxEventBytes()) {
                throw ProblemException.tooLarge("event-too-large", "event " + i + " is " + bytes.length
                        + " bytes once serialized; at most " + limits.maxEventBytes() + " are accepted per event");
            }
            outgoing.add(new EventPublisher.Outgoing(event.eventId(), bytes));
        }
        return outgoing;
    }
}

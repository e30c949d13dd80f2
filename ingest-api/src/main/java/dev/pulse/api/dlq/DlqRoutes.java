package dev.pulse.api.dlq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.api.control.Caller;
import dev.pulse.api.control.CallerResolver;
import dev.pulse.api.http.JsonBodies;
import dev.pulse.edge.Json;
import dev.pulse.edge.ProblemException;
import dev.pulse.schemas.deadletters.DeadLetterFilter;
import dev.pulse.schemas.deadletters.DeadLetterRow;
import dev.pulse.schemas.deadletters.DeadLetterState;
import dev.pulse.schemas.deadletters.DeadLetterStore;
import dev.pulse.schemas.tenancy.TenantDatabase;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code GET {prefix}/dlq}, {@code GET {prefix}/dlq/{id}}, {@code POST {prefix}/dlq/drop}. */
public final class DlqRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> LIST_PARAMETERS = Set.of("dataset", "reason", "state", "since", "until", "limit");
    private static final Set<String> DROP_FIELDS = Set.of("dataset", "reason", "since", "until", "ids");
    private static final int DEFAULT_SAMPLES = 10;
    private static final int MAX_SAMPLES = 1000;

    private final TenantDatabase db;
    private final JsonBodies bodies;
    private final dev.pulse.api.usage.EdgeUsage usage;

    /** {@code usage}: where a drop's usage records go (dead letters dropped, one per dead letter, sent before the drop commits). */
    public DlqRoutes(TenantDatabase db, JsonBodies bodies, dev.pulse.api.usage.EdgeUsage usage) {
        this.db = db;
        this.bodies = bodies;
        this.usage = usage;
    }

    public void register(RoutesConfig routes, String prefix, CallerResolver resolver) {
        routes.get(prefix + "/dlq", ctx -> list(ctx, resolver.resolve(ctx)));
        routes.post(prefix + "/dlq/drop", ctx -> drop(ctx, resolver.resolve(ctx)));
        routes.get(prefix + "/dlq/{id}", ctx -> show(ctx, resolver.resolve(ctx)));
    }

    private void list(Context ctx, Caller caller) {
        for (String name : ctx.queryParamMap().keySet()) {
            if (!LIST_PARAMETERS.contains(name)) {
                throw ProblemException.badRequest("unknown-parameter", "unknown query parameter '" + name + "'; known: " + LIST_PARAMETERS);
            }
        }
        Set<DeadLetterState> states = EnumSet.noneOf(DeadLetterState.class);
        for (String text : ctx.queryParams("state")) {
            states.add(DeadLetterState.fromWire(text).orElseThrow(() -> ProblemException.badRequest("invalid-dlq-filter",
                    "state must be one of open, replaying, replayed, dropped, parked; got '" + text + "'")));
        }
        DeadLetterFilter filter = new DeadLetterFilter(ctx.queryParam("dataset"), ctx.queryParam("reason"), instant("since", ctx.queryParam("since")),
                instant("until", ctx.queryParam("until")), List.of(), states);
        int limit = limit(ctx.queryParam("limit"));
        Map<String, Object> json = db.inTenant(caller.tenant(), tx -> {
            DeadLetterStore.CountsResult counts = DeadLetterStore.counts(tx, filter);
            List<DeadLetterRow> samples = DeadLetterStore.newest(tx, filter, limit);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("filter", filter.describe());
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("total", counts.total());
            c.put("by_state", counts.byState());
            c.put("by_reason", counts.byReason());
            c.put("by_dataset", counts.byDataset());
            Map<String, Long> byDay = new LinkedHashMap<>();
            counts.byDay().forEach((day, n) -> byDay.put(day.toString(), n));
            c.put("by_day", byDay);
            out.put("counts", c);
            out.put("samples", samples.stream().map(DlqRoutes::json).toList());
            return out;
        });
        Json.respond(ctx, 200, json);
    }

    private void show(Context ctx, Caller caller) {
        String id = ctx.pathParam("id");
        DeadLetterRow row = DeadLetterRow.isId(id) ? db.inTenant(caller.tenant(), tx -> DeadLetterStore.find(tx, id)).orElse(null) : null;
        if (row == null) {
            throw ProblemException.notFound("dead-letter-not-found", "no dead letter '" + id + "'");
        }
        Json.respond(ctx, 200, json(row));
    }

    /** Body: the filter ({@code dataset}, {@code reason}, {@code since}, {@code until}, {@code ids}); at least one member. */
    private void drop(Context ctx, Caller caller) {
        JsonNode body = bodies.read(ctx, JsonBodies.MediaTypeRule.JSON_OR_ABSENT);
        if (body == null || !body.isObject()) {
            throw ProblemException.badRequest("invalid-dlq-filter", "the body must be a JSON object: the filter of the dead letters to drop");
        }
        Iterator<String> names = body.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!DROP_FIELDS.contains(name)) {
                throw ProblemException.badRequest("invalid-dlq-filter", "unknown member '" + name + "'; known: " + DROP_FIELDS);
            }
        }
        List<String> ids = new ArrayList<>();
        JsonNode idsNode = body.path("ids");
        if (!idsNode.isMissingNode() && !idsNode.isNull()) {
            if (!idsNode.isArray()) {
                throw ProblemException.badRequest("invalid-dlq-filter", "ids must be an array of dead-letter ids");
            }
            idsNode.forEach(n -> {
                if (!DeadLetterRow.isId(n.asText(null))) {
                    throw ProblemException.badRequest("invalid-dlq-filter", "not a dead-letter id: " + n);
                }
                ids.add(n.asText());
            });
        }
        DeadLetterFilter filter = new DeadLetterFilter(text(body, "dataset"), text(body, "reason"), instant("since", text(body, "since")),
                instant("until", text(body, "until")), ids, Set.of());
        Map<String, Object> result = db.inTenant(caller.tenant(), tx -> {
            Map<String, String> droppedReasons = DeadLetterStore.dropReturning(tx, filter, caller.actor(), Instant.now());
            usage.deadLettersDropped(caller.tenant(), droppedReasons); // before the commit: see EdgeUsage
            int dropped = droppedReasons.size();
            if (dropped > 0) {
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("filter", filter.describe());
                detail.put("dropped", dropped);
                DeadLetterStore.audit(tx, caller.actor(), "dlq.drop", detail);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("dropped", dropped);
            return out;
        });
        Json.respond(ctx, 200, result);
    }

    private static String text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ProblemException.badRequest("invalid-dlq-filter", field + " must be a string");
        }
        return node.asText();
    }

    private static Instant instant(String name, String text) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("invalid-dlq-filter", name + " must be an RFC 3339 instant such as 2026-03-01T00:00:00Z, got '" + text + "'");
        }
    }

    private static int limit(String text) {
        if (text == null) {
            return DEFAULT_SAMPLES;
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 0 && limit <= MAX_SAMPLES) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw ProblemException.badRequest("invalid-limit", "limit (samples) must be an integer from 0 to " + MAX_SAMPLES);
    }

    /** One dead letter: the payload decoded (JSON when it is JSON, else text, else base64). */
    public static Map<String, Object> json(DeadLetterRow row) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", row.id());
        json.put("state", row.state().wireName());
        json.put("reason", row.reason());
        json.put("stage", row.stage());
        json.put("message", row.message());
        json.put("dataset", row.dataset());
        json.put("event_id", row.eventId());
        json.put("violations", row.violations().stream().map(v -> Map.of("pointer", v.pointer(), "message", v.message())).toList());
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("partition", row.sourcePartition());
        source.put("offset", row.sourceOffset());
        json.put("source", source);
        Map<String, Object> dlq = new LinkedHashMap<>();
        dlq.put("partition", row.dlqPartition());
        dlq.put("offset", row.dlqOffset());
        json.put("dlq", dlq);
        json.put("attempts", row.attempts());
        json.put("first_failed_at", row.firstFailedAt().toString());
        json.put("last_failed_at", row.lastFailedAt().toString());
        json.put("resolved_at", row.resolvedAt() == null ? null : row.resolvedAt().toString());
        json.put("resolved_by", row.resolvedBy());
        json.put("payload", decode(row.payload()));
        json.put("omitted_bytes", row.omittedBytes());
        return json;
    }

    private static Object decode(byte[] payload) {
        if (payload == null) {
            return null;
        }
        try {
            return JSON.readTree(payload);
        } catch (IOException e) {
            String text = new String(payload, StandardCharsets.UTF_8);
            return text.contains("\uFFFD") ? Map.of("base64", Base64.getEncoder().encodeToString(payload)) : text;
        }
    }
}

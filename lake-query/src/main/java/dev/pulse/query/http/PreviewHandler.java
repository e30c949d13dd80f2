package dev.pulse.query.http;

import dev.pulse.control.keys.ApiKeyStore.AuthenticatedKey;
import dev.pulse.control.keys.Scope;
import dev.pulse.edge.ApiKeyAuth;
import dev.pulse.edge.Json;
import dev.pulse.edge.ProblemException;
import dev.pulse.query.preview.PreviewResult;
import dev.pulse.query.preview.PreviewService;
import dev.pulse.schemas.directory.DatasetRecord;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * {@code GET /v1/datasets/{slug}/preview?limit=N}: the newest rows of one of the key's datasets;
 * {@code GET /v1/datasets}: the datasets the key may preview.
 */
final class PreviewHandler {
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");
    private static final Set<String> PREVIEW_PARAMETERS = Set.of("limit");
    /** The preview's {@code complete_through}, also as a header for clients that only look at headers. */
    static final String COMPLETE_THROUGH_HEADER = "Pulse-Complete-Through";

    private final ApiKeyAuth keyAuth;
    private final PreviewService previews;
    private final int defaultLimit;
    private final int maxLimit;
    private final Timer previewed;
    private final Timer failed;

    PreviewHandler(ApiKeyAuth keyAuth, PreviewService previews, int defaultLimit, int maxLimit, MeterRegistry registry) {
        this.previewed = previewTimer(registry, "ok");
        this.failed = previewTimer(registry, "failed");
        this.keyAuth = keyAuth;
        this.previews = previews;
        this.defaultLimit = defaultLimit;
        this.maxLimit = maxLimit;
    }

    void handle(Context ctx) {
        AuthenticatedKey key = keyAuth.require(ctx, Scope.QUERY);
        refuseUnknownParameters(ctx, PREVIEW_PARAMETERS);
        int limit = limit(ctx.queryParams("limit"));
        PreviewResult preview = timed(() -> previews.preview(key.tenant(), ctx.pathParam("slug"), limit));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("dataset", preview.dataset());
        body.put("snapshot_id", preview.snapshotId());
        String completeThrough = preview.completeThrough() == null ? null : preview.completeThrough().toString();
        body.put("complete_through", completeThrough);
        body.put("columns", preview.columns().stream().map(c -> Map.of("name", c.name(), "type", c.type())).toList());
        body.put("rows", preview.rows());
        if (completeThrough != null) {
            ctx.header(COMPLETE_THROUGH_HEADER, completeThrough);
        }
        Json.respond(ctx, 200, body);
    }

    /**
     * {@code pulse_query_preview_seconds{outcome}}: the dataset lookup, Iceberg's planning and the
     * DuckDB query of one preview, without authentication and JSON writing (the request meter has
     * those); {@code failed} whatever refused it (unknown dataset, busy sandbox, timeout).
     */
    private static Timer previewTimer(MeterRegistry registry, String outcome) {
        return Timer.builder("pulse.query.preview").description("one preview: dataset lookup, snapshot planning, sandboxed DuckDB query")
                .tag("outcome", outcome).register(registry);
    }

    private PreviewResult timed(java.util.function.Supplier<PreviewResult> preview) {
        long start = System.nanoTime();
        Timer outcome = failed;
        try {
            PreviewResult result = preview.get();
            outcome = previewed;
            return result;
        } finally {
            outcome.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    void list(Context ctx) {
        AuthenticatedKey key = keyAuth.require(ctx, Scope.QUERY);
        refuseUnknownParameters(ctx, Set.of());
        List<Map<String, Object>> datasets = previews.datasets(key.tenant()).stream().map(PreviewHandler::datasetJson).toList();
        Json.respond(ctx, 200, Map.of("datasets", datasets));
    }

    private static Map<String, Object> datasetJson(DatasetRecord dataset) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("slug", dataset.slug());
        json.put("schema", dataset.schemaName());
        json.put("schema_version", dataset.schemaVersion());
        json.put("row_count", dataset.rowCount());
        json.put("last_event_time", dataset.lastEventTime() == null ? null : dataset.lastEventTime().toString());
        json.put("preview", "/v1/datasets/" + dataset.slug() + "/preview");
        return json;
    }

    /**
     * A parameter the endpoint does not know ({@code as_of=}, {@code where=}, ...) is refused, so
     * a caller never believes a filter was applied when it was not.
     */
    private static void refuseUnknownParameters(Context ctx, Set<String> known) {
        Set<String> unknown = new TreeSet<>(ctx.queryParamMap().keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            String supported = known.isEmpty() ? "none" : String.join(", ", new TreeSet<>(known));
            throw ProblemException.badRequest("unknown-parameter",
                    "unknown query parameter" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown.stream().map(p -> "'" + p + "'").toList())
                            + " (supported: " + supported + ")");
        }
    }

    private int limit(List<String> values) {
        if (values.isEmpty()) {
            return defaultLimit;
        }
        if (values.size() > 1) {
            throw ProblemException.badRequest("invalid-limit", "give 'limit' once");
        }
        String raw = values.getFirst().strip();
        int limit = DIGITS.matcher(raw).matches() ? Integer.parseInt(raw) : -1;
        if (limit < 1 || limit > maxLimit) {
            throw ProblemException.badRequest("invalid-limit", "'limit' must be a whole number from 1 to " + maxLimit + ", got '" + values.getFirst() + "'");
        }
        return limit;
    }
}

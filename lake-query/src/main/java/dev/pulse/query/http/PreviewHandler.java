package dev.pulse.query.http;

import dev.pulse.query.preview.PreviewResult;
import dev.pulse.query.preview.PreviewService;
import dev.pulse.schemas.control.ApiKeyStore.AuthenticatedKey;
import dev.pulse.schemas.tenancy.Scope;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** {@code GET /v1/datasets/{slug}/preview?limit=N}: the newest rows of one of the key's datasets. */
final class PreviewHandler {
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");

    private final Authenticator authenticator;
    private final PreviewService previews;
    private final int defaultLimit;
    private final int maxLimit;

    PreviewHandler(Authenticator authenticator, PreviewService previews, int defaultLimit, int maxLimit) {
        this.authenticator = authenticator;
        this.previews = previews;
        this.defaultLimit = defaultLimit;
        this.maxLimit = maxLimit;
    }

    void handle(Context ctx) {
        AuthenticatedKey key = authenticator.require(ctx, Scope.QUERY);
        int limit = limit(ctx.queryParams("limit"));
        PreviewResult preview = previews.preview(key.tenant(), ctx.pathParam("slug"), limit);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("dataset", preview.dataset());
        body.put("snapshot_id", preview.snapshotId());
        body.put("columns", preview.columns().stream().map(c -> Map.of("name", c.name(), "type", c.type())).toList());
        body.put("rows", preview.rows());
        Json.write(ctx, 200, Json.MEDIA_TYPE, body);
    }

    private int limit(List<String> values) {
        if (values.isEmpty()) {
            return defaultLimit;
        }
        if (values.size() > 1) {
            throw ApiProblemException.badRequest("invalid-limit", "give 'limit' once");
        }
        String raw = values.getFirst().strip();
        int limit = DIGITS.matcher(raw).matches() ? Integer.parseInt(raw) : -1;
        if (limit < 1 || limit > maxLimit) {
            throw ApiProblemException.badRequest("invalid-limit", "'limit' must be a whole number from 1 to " + maxLimit + ", got '" + values.getFirst() + "'");
        }
        return limit;
    }
}

package dev.pulse.edge;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * An RFC 9457 problem document. {@code type} is stable per problem ({@link #TYPE_PREFIX} + code,
 * catalogued in {@code http-edge/README.md}); {@code detail} tells the caller how to fix the
 * request; {@code errors}, when present, lists each bad item.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
        @JsonProperty("type") String type,
        @JsonProperty("title") String title,
        @JsonProperty("status") int status,
        @JsonProperty("detail") String detail,
        @JsonProperty("errors") Object errors) {

    public static final String TYPE_PREFIX = "https://pulse.dev/problems/";
    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(int status, String code, String title, String detail) {
        return new Problem(TYPE_PREFIX + code, title, status, detail, null);
    }

    public static Problem of(ProblemType type, String detail) {
        return of(type.status(), type.code(), type.title(), detail);
    }

    public Problem withErrors(Object errors) {
        return new Problem(type, title, status, detail, errors);
    }

    /** The standard titles, one per status Pulse returns. */
    public static String titleFor(int status) {
        return TITLES.getOrDefault(status, "Error");
    }

    private static final Map<Integer, String> TITLES = Map.ofEntries(
            Map.entry(400, "Bad request"),
            Map.entry(401, "Unauthorized"),
            Map.entry(403, "Forbidden"),
            Map.entry(404, "Not found"),
            Map.entry(405, "Method not allowed"),
            Map.entry(409, "Conflict"),
            Map.entry(413, "Content too large"),
            Map.entry(414, "URI too long"),
            Map.entry(415, "Unsupported media type"),
            Map.entry(422, "Unprocessable content"),
            Map.entry(429, "Too many requests"),
            Map.entry(431, "Request header fields too large"),
            Map.entry(500, "Internal error"),
            Map.entry(503, "Service unavailable"));
}

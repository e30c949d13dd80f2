package dev.pulse.api.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.api.http.JsonBodies;
import dev.pulse.edge.ProblemException;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The body of {@code POST /v1/events} as a list of event items, in either media type:
 * {@code application/json} (one event object or an array of them) or {@code application/x-ndjson}
 * (one event object per line, LF or CRLF; blank lines are skipped, so a trailing newline is
 * fine). Both are read through {@link JsonBodies} — gzip, the body limit, nesting and value limits
 * alike — and both count against the events-per-request limit; an NDJSON line that is not JSON is
 * a 400 naming its line.
 */
final class EventBodies {
    static final String JSON = "application/json";
    static final String NDJSON = "application/x-ndjson";

    private final JsonBodies bodies;
    private final int maxEvents;

    EventBodies(JsonBodies bodies, int maxEvents) {
        this.bodies = bodies;
        this.maxEvents = maxEvents;
    }

    EventItems read(Context ctx) {
        String mediaType = mediaType(ctx.header("Content-Type"));
        if (mediaType.equals(JSON)) {
            byte[] body = bodies.readBody(ctx);
            JsonNode node = bodies.parse(body, 0, body.length, "");
            if (node == null || node.isMissingNode()) {
                throw ProblemException.badRequest("empty-body", "the request body holds no JSON value");
            }
            return EventBatch.items(node, maxEvents);
        }
        if (mediaType.equals(NDJSON)) {
            return ndjson(bodies.readBody(ctx));
        }
        throw ProblemException.unsupportedMediaType(mediaType.isEmpty() ? "Content-Type is missing: send " + JSON + " or " + NDJSON
                : "Content-Type '" + abbreviate(ctx.header("Content-Type")) + "' is not supported: send " + JSON + " or " + NDJSON);
    }

    EventItems ndjson(byte[] body) {
        int lines = countEvents(body);
        if (lines == 0) {
            throw ProblemException.badRequest("empty-batch", "the NDJSON body holds no events (only blank lines); send at least one");
        }
        if (lines > maxEvents) {
            throw EventBatch.tooManyEvents(lines, maxEvents);
        }
        List<JsonNode> nodes = new ArrayList<>(lines);
        int[] lineNumbers = new int[lines];
        int line = 0;
        int start = 0;
        while (start <= body.length) {
            int end = indexOf(body, (byte) '\n', start);
            line++;
            if (!isBlank(body, start, end)) {
                lineNumbers[nodes.size()] = line;
                nodes.add(bodies.parse(body, start, end - start, " on line " + line));
            }
            start = end + 1;
        }
        return new EventItems(nodes, lineNumbers);
    }

    /** Non-blank lines: what {@link #ndjson} will parse, counted before parsing any. */
    private static int countEvents(byte[] body) {
        int count = 0;
        int start = 0;
        while (start <= body.length) {
            int end = indexOf(body, (byte) '\n', start);
            if (!isBlank(body, start, end)) {
                count++;
            }
            start = end + 1;
        }
        return count;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return bytes.length;
    }

    /** Only JSON whitespace (space, tab, CR) between {@code start} and {@code end}. */
    private static boolean isBlank(byte[] bytes, int start, int end) {
        for (int i = start; i < end; i++) {
            byte b = bytes[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    static String mediaType(String contentType) {
        return contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    }

    private static String abbreviate(String text) {
        return text.length() <= 100 ? text : text.substring(0, 100) + "…";
    }
}

package dev.pulse.api.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.pulse.api.ApiConfig;
import dev.pulse.edge.ProblemException;
import dev.pulse.edge.ProblemType;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a request body as JSON within the configured limits: media type, content encoding
 * (identity or gzip), size after decompression, nesting depth. The body is read through a
 * counting loop that stops one byte past the limit, so neither a large body nor a gzip bomb is
 * ever held in memory beyond {@code maxBodyBytes + 1}.
 */
public final class JsonBodies {
    private final ApiConfig.Limits limits;
    private final ObjectMapper mapper;

    public JsonBodies(ApiConfig.Limits limits) {
        this.limits = limits;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(limits.maxJsonDepth()).build())
                .build();
        this.mapper = JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    /** Whether a request without a Content-Type header is accepted as JSON. */
    public enum MediaTypeRule { REQUIRE_JSON, JSON_OR_ABSENT }

    public JsonNode read(Context ctx, MediaTypeRule rule) {
        requireJsonMediaType(ctx.header("Content-Type"), rule);
        byte[] body = readBody(ctx);
        JsonNode node = parse(body, 0, body.length, "");
        if (node == null || node.isMissingNode()) {
            throw ProblemException.badRequest("empty-body", "the request body holds no JSON value");
        }
        return node;
    }

    /**
     * The body's bytes (gunzipped when {@code Content-Encoding: gzip}) within the body limit; a
     * 400 when empty. The caller has checked the media type.
     */
    public byte[] readBody(Context ctx) {
        byte[] body = readBounded(ctx);
        if (body.length == 0) {
            throw ProblemException.badRequest("empty-body", "the request body is empty: send a JSON document");
        }
        return body;
    }

    /**
     * One JSON value from {@code length} bytes at {@code offset}, within the nesting and value
     * limits; a 400 naming {@code where} (e.g. " on line 3") and the position otherwise. Returns
     * null or a missing node when the bytes hold only whitespace.
     */
    public JsonNode parse(byte[] bytes, int offset, int length, String where) {
        try {
            return mapper.readTree(bytes, offset, length);
        } catch (StreamConstraintsException e) {
            // The same exception reports every parser limit: nesting, and the lengths of one
            // number, string or property name.
            String message = String.valueOf(e.getOriginalMessage());
            if (message.toLowerCase(Locale.ROOT).contains("nesting depth")) {
                throw ProblemException.badRequest("json-too-deep", "the JSON nests deeper than " + limits.maxJsonDepth()
                        + " levels" + where(where, e.getLocation()));
            }
            throw ProblemException.badRequest("json-value-too-long", "a JSON value is longer than the parser accepts"
                    + where(where, e.getLocation()) + ": " + message);
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("malformed-json", "the body is not valid JSON" + where(where, e.getLocation())
                    + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalStateException("reading JSON from a byte array cannot fail with I/O", e);
        }
    }

    private static String where(String where, JsonLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return where;
        }
        return where.isEmpty() ? " at line " + location.getLineNr() + ", column " + location.getColumnNr()
                : where + ", column " + location.getColumnNr();
    }

    static void requireJsonMediaType(String contentType, MediaTypeRule rule) {
        if (contentType == null || contentType.isBlank()) {
            if (rule == MediaTypeRule.JSON_OR_ABSENT) {
                return;
            }
            throw ProblemException.unsupportedMediaType("Content-Type is missing: send application/json");
        }
        String mediaType = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json")) {
            throw ProblemException.unsupportedMediaType("Content-Type '" + contentType + "' is not supported: send application/json");
        }
    }

    private byte[] readBounded(Context ctx) {
        String encoding = ctx.header("Content-Encoding");
        boolean gzip = encoding != null && encoding.strip().equalsIgnoreCase("gzip");
        if (encoding != null && !gzip && !encoding.isBlank() && !encoding.strip().equalsIgnoreCase("identity")) {
            throw ProblemException.unsupportedMediaType("Content-Encoding '" + encoding + "' is not supported: use gzip or none");
        }
        long declared = ctx.req().getContentLengthLong();
        if (declared > limits.maxBodyBytes()) {
            throw tooLarge();
        }
        ctx.attribute(RequestDrain.BODY_READ_STARTED, Boolean.TRUE);
        // The container's stream stays open: after a refusal the error path drains what is left
        // of it, so that the client reads the answer instead of a connection reset.
        try (InputStream raw = new UnclosedStream(ctx.req().getInputStream());
                InputStream in = gzip ? new GZIPInputStream(raw, 8192) : raw) {
            return readAtMost(in, limits.maxBodyBytes());
        } catch (ZipException | java.io.EOFException e) {
            throw ProblemException.badRequest("malformed-gzip", "the body is declared gzip but is not valid gzip: " + e.getMessage());
        } catch (IOException e) {
            throw ProblemException.badRequest("unreadable-body", "the request body could not be read: " + e.getMessage());
        }
    }

    private byte[] readAtMost(InputStream in, int max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        byte[] buffer = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) != -1) {
            total += n;
            if (total > max) {
                throw tooLarge();
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /** Closing it leaves the underlying request stream open (for {@link RequestDrain}). */
    private static final class UnclosedStream extends java.io.FilterInputStream {
        UnclosedStream(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
            // the container owns the request stream
        }
    }

    private ProblemException tooLarge() {
        return new ProblemException(ProblemType.BODY_TOO_LARGE, "the request body is larger than " + limits.maxBodyBytes()
                + " bytes (after decompression); split it into smaller requests");
    }
}

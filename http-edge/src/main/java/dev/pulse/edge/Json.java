package dev.pulse.edge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.http.Context;

/**
 * Writes every JSON response of every service with one mapper, independent of Javalin's JSON
 * plugin; instants as RFC 3339 strings.
 */
public final class Json {
    public static final String MEDIA_TYPE = "application/json";
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private Json() {
    }

    public static void respond(Context ctx, int status, Object body) {
        write(ctx, status, MEDIA_TYPE, body);
    }

    static void write(Context ctx, int status, String mediaType, Object body) {
        byte[] bytes = bytes(body);
        ctx.status(status);
        ctx.contentType(mediaType);
        ctx.result(bytes);
    }

    static byte[] bytes(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response body does not serialize: " + body.getClass(), e);
        }
    }
}

package dev.pulse.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.http.Context;

/** Writes JSON responses with one mapper; instants as RFC 3339 strings. */
public final class Json {
    public static final String MEDIA_TYPE = "application/json";
    static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private Json() {
    }

    public static void respond(Context ctx, int status, Object body) {
        write(ctx, status, MEDIA_TYPE, body);
    }

    static void write(Context ctx, int status, String mediaType, Object body) {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response body does not serialize: " + body.getClass(), e);
        }
        ctx.status(status);
        ctx.contentType(mediaType);
        ctx.result(bytes);
    }
}

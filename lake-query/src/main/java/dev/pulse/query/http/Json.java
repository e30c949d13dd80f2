package dev.pulse.query.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;

/** Writes response bodies with one Jackson mapper, independent of Javalin's JSON plugin choice. */
final class Json {
    static final String MEDIA_TYPE = "application/json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static void write(Context ctx, int status, String mediaType, Object body) {
        try {
            ctx.status(status).contentType(mediaType).result(MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a " + body.getClass().getSimpleName() + " response", e);
        }
    }
}

package dev.pulse.edge;

import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.json}: a service's hand-kept OpenAPI 3.1 document, read once from its jar
 * when the server is configured (a missing document stops the start). Each service's
 * {@code OpenApiIT} compares it with {@link EdgeServer#registeredRoutes}.
 */
public final class OpenApiRoute {
    public static final String PATH = "/openapi.json";

    private OpenApiRoute() {
    }

    /** Serves the resource {@code resource} (an absolute resource name) of {@code owner}'s jar. */
    public static void register(RoutesConfig routes, Class<?> owner, String resource) {
        byte[] document = read(owner, resource);
        routes.get(PATH, ctx -> ctx.status(200).contentType(Json.MEDIA_TYPE).result(document));
    }

    static byte[] read(Class<?> owner, String resource) {
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the jar of " + owner.getName());
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}

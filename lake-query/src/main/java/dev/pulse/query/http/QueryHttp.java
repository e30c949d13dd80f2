package dev.pulse.query.http;

import dev.pulse.query.preview.PreviewService;
import dev.pulse.schemas.control.ApiKeyStore;
import dev.pulse.schemas.tenancy.TenantDatabase;
import io.javalin.Javalin;
import java.util.Map;

/** lake-query's HTTP surface: the routes, and the error mapping installed once. */
public final class QueryHttp {
    private QueryHttp() {
    }

    /** A configured, not yet started server. */
    public static Javalin create(TenantDatabase db, PreviewService previews, int defaultLimit, int maxLimit) {
        Authenticator authenticator = new Authenticator(new ApiKeyStore(db));
        PreviewHandler preview = new PreviewHandler(authenticator, previews, defaultLimit, maxLimit);
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.http.prefer405over404 = true;
            config.routes.get("/healthz", ctx -> {
                if (!db.isReachable()) {
                    throw ApiProblemException.unavailable("database-unavailable", "the control database cannot be reached; retry shortly");
                }
                Json.write(ctx, 200, Json.MEDIA_TYPE, Map.of("status", "ok"));
            });
            config.routes.get("/v1/datasets", preview::list);
            config.routes.get("/v1/datasets/{slug}/preview", preview::handle);
            byte[] openApi = openApiDocument();
            config.routes.get("/openapi.json", ctx -> ctx.status(200).contentType("application/json").result(openApi));
            ProblemMapping.install(config.routes);
        });
    }

    static final String OPENAPI_RESOURCE = "/dev/pulse/query/openapi.json";

    /** The hand-kept OpenAPI 3.1 document; a test checks it against the registered routes. */
    static byte[] openApiDocument() {
        try (java.io.InputStream in = QueryHttp.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(OPENAPI_RESOURCE + " is missing from the lake-query jar");
            }
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + OPENAPI_RESOURCE, e);
        }
    }
}

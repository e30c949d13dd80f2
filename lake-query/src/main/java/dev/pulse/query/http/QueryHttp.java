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
            config.routes.get("/v1/datasets/{slug}/preview", preview::handle);
            ProblemMapping.install(config.routes);
        });
    }
}

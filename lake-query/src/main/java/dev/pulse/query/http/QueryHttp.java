package dev.pulse.query.http;

import dev.pulse.control.keys.ApiKeyStore;
import dev.pulse.edge.ApiKeyAuth;
import dev.pulse.edge.EdgeServer;
import dev.pulse.edge.HealthRoute;
import dev.pulse.edge.MetricsRoute;
import dev.pulse.edge.OpenApiRoute;
import dev.pulse.query.preview.PreviewService;
import dev.pulse.schemas.metrics.ServiceMetrics;
import dev.pulse.schemas.tenancy.TenantDatabase;
import io.javalin.Javalin;

/** lake-query's HTTP surface: its routes and its own exceptions, on the shared HTTP edge. */
public final class QueryHttp {
    /** The hand-kept OpenAPI 3.1 document; a test checks it against the registered routes. */
    static final String OPENAPI_RESOURCE = "/dev/pulse/query/openapi.json";

    private QueryHttp() {
    }

    /** A configured, not yet started server. */
    public static Javalin create(TenantDatabase db, PreviewService previews, int defaultLimit, int maxLimit, ServiceMetrics metrics) {
        // The same cache as ingest-api: a warm preview costs no key lookup; a revoked key is refused within KeyCache.TTL.
        ApiKeyAuth keyAuth = new ApiKeyAuth(new ApiKeyStore(db).cache()::authenticate);
        PreviewHandler preview = new PreviewHandler(keyAuth, previews, defaultLimit, maxLimit, metrics.registry());
        return Javalin.create(config -> {
            QueryProblems.map(EdgeServer.configure(config));
            HealthRoute.register(config.routes, db::isReachable);
            MetricsRoute.register(config, metrics);
            config.routes.get("/v1/datasets", preview::list);
            config.routes.get("/v1/datasets/{slug}/preview", preview::handle);
            OpenApiRoute.register(config.routes, QueryHttp.class, OPENAPI_RESOURCE);
        });
    }
}

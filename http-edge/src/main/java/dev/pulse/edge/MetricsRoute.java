package dev.pulse.edge;

import dev.pulse.schemas.metrics.ScrapeAccess;
import dev.pulse.schemas.metrics.ServiceMetrics;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /metrics} of an HTTP service, and the request meter every route feeds:
 * {@code pulse_http_requests_seconds{method, route, status}}. The route is the template the
 * request matched ({@code /v1/datasets/{slug}/preview}), never the raw path, so a path full of
 * ids or junk adds no series; a request no route matched is {@code route="unmatched"}.
 * Scrapes need the scrape token or the operator token ({@link ScrapeAccess}); a tenant's API
 * key, of any scope, is refused with the same 401 as a wrong token.
 */
public final class MetricsRoute {
    public static final String PATH = "/metrics";
    static final String UNMATCHED = "unmatched";

    private MetricsRoute() {
    }

    /** Registers {@code GET /metrics} and the request meter on {@code javalin}. */
    public static void register(JavalinConfig javalin, ServiceMetrics metrics) {
        MeterRegistry registry = metrics.registry();
        javalin.requestLogger.http((ctx, ms) -> Timer.builder("pulse.http.requests")
                .description("HTTP requests by route template, method and status")
                .tags("method", ctx.method().name(), "route", route(ctx), "status", Integer.toString(ctx.statusCode()))
                .register(registry)
                .record((long) (ms * 1_000_000L), TimeUnit.NANOSECONDS));
        javalin.routes.get(PATH, ctx -> {
            require(metrics.access(), ctx);
            ctx.contentType(ServiceMetrics.CONTENT_TYPE).result(metrics.scrape());
        });
    }

    private static String route(Context ctx) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        return endpoint == null ? UNMATCHED : endpoint.path;
    }

    private static void require(ScrapeAccess access, Context ctx) {
        switch (access.check(ctx.header("Authorization"))) {
            case ALLOWED -> { }
            case MISSING -> throw ProblemException.missingCredential("send the scrape token (PULSE_METRICS_TOKEN) or the operator token as 'Authorization: Bearer <token>'");
            case REFUSED -> throw ProblemException.invalidCredential("metrics are read with the scrape token (PULSE_METRICS_TOKEN) or the operator token, never with an API key"
                    + (access.configured() ? "" : "; this service has neither configured"));
        }
    }
}

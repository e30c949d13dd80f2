package dev.pulse.edge;

import io.javalin.config.RoutesConfig;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** {@code GET /healthz}: 200 {@code {"status":"ok"}}, or 503 with {@code Retry-After} while the database is unreachable. */
public final class HealthRoute {
    public static final String PATH = "/healthz";

    private HealthRoute() {
    }

    public static void register(RoutesConfig routes, BooleanSupplier databaseReachable) {
        routes.get(PATH, ctx -> {
            if (!databaseReachable.getAsBoolean()) {
                throw ProblemException.unavailable(ProblemType.DATABASE_UNAVAILABLE.code(),
                        "the database is unreachable; retry in a few seconds", ProblemException.RETRY_AFTER_SECONDS, null);
            }
            Json.respond(ctx, 200, Map.of("status", "ok"));
        });
    }
}

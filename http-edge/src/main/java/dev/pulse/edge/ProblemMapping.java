package dev.pulse.edge;

import dev.pulse.schemas.tenancy.DatabaseException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP answers, in every service. Every error is an RFC 9457
 * problem document; nothing a client sends can produce a 500, and a 500 never reveals internals.
 * {@link #install} maps what every service shares ({@link ProblemException}, PostgreSQL failures,
 * Javalin's own 404/405/413, anything else as 500); a service adds only its own exceptions with
 * {@link #map}, each turned into a {@link ProblemException} and written the same way.
 */
public final class ProblemMapping {
    private static final Logger LOG = LoggerFactory.getLogger(ProblemMapping.class);

    private final RoutesConfig routes;
    private final Consumer<Context> beforeWrite;

    private ProblemMapping(RoutesConfig routes, Consumer<Context> beforeWrite) {
        this.routes = routes;
        this.beforeWrite = beforeWrite;
    }

    /**
     * Installs the shared mapping. {@code beforeWrite} runs before any problem is written (the
     * ingest API drains what is left of the request body there, so that the client reads the answer).
     */
    public static ProblemMapping install(RoutesConfig routes, Consumer<Context> beforeWrite) {
        ProblemMapping mapping = new ProblemMapping(routes, beforeWrite);
        routes.exception(ProblemException.class, (e, ctx) -> mapping.write(ctx, e));
        routes.exception(DatabaseException.class, (e, ctx) -> {
            ProblemException problem = problemOf(e);
            if (problem.status() < 500) {
                // A safety net, not the validation: every field is checked before it reaches SQL.
                // Reaching this means a check is missing, so it is logged as a warning.
                LOG.warn("{} {} -> {}, PostgreSQL refused a value (SQLSTATE {}); a field check is missing: {}", ctx.method(), ctx.path(),
                        problem.status(), e.sqlState(), e.getMessage());
            }
            mapping.write(ctx, problem);
        });
        // Javalin's own answers: unknown route (404), wrong method (405), body over its limit (413), any other it raises.
        routes.exception(HttpResponseException.class, (e, ctx) -> mapping.write(ctx, problemOf(e.getStatus(), e.getMessage(), ctx)));
        routes.exception(Exception.class, (e, ctx) -> mapping.write(ctx, ProblemException.internal(e)));
        // A response that reaches these statuses without an exception still gets a problem body.
        routes.error(404, ctx -> mapping.fillIfEmpty(ctx, 404));
        routes.error(405, ctx -> mapping.fillIfEmpty(ctx, 405));
        return mapping;
    }

    /** Maps one of the service's own exceptions (and its subclasses) to the problem it answers with. */
    public <E extends Exception> ProblemMapping map(Class<E> type, Function<? super E, ProblemException> toProblem) {
        routes.exception(type, (e, ctx) -> write(ctx, toProblem.apply(e)));
        return this;
    }

    private void write(Context ctx, ProblemException e) {
        if (e.status() >= 500) {
            if (e.status() == 500) {
                LOG.error("{} {} failed unexpectedly", ctx.method(), ctx.path(), e.getCause());
            } else {
                LOG.warn("{} {} -> {}: {}", ctx.method(), ctx.path(), e.status(), e.getMessage(), e.getCause());
            }
        }
        beforeWrite.accept(ctx);
        e.headers().forEach(ctx::header);
        Problem problem = e.problem();
        Json.write(ctx, problem.status(), Problem.MEDIA_TYPE, problem);
    }

    private void fillIfEmpty(Context ctx, int status) {
        if (ctx.result() == null || ctx.result().isEmpty()) {
            write(ctx, problemOf(status, null, ctx));
        }
    }

    static ProblemException problemOf(int status, String message, Context ctx) {
        return switch (status) {
            case 404 -> new ProblemException(ProblemType.ROUTE_NOT_FOUND, "no route " + ctx.method() + " " + ctx.path());
            case 405 -> new ProblemException(ProblemType.METHOD_NOT_ALLOWED, "method " + ctx.method() + " is not allowed on " + ctx.path());
            case 413 -> new ProblemException(ProblemType.BODY_TOO_LARGE, message == null ? Problem.titleFor(413) : message);
            default -> new ProblemException(status, "http-" + status, message == null || message.isBlank() ? Problem.titleFor(status) : message);
        };
    }

    /**
     * The one rule for PostgreSQL failures: unreachable or asking for a retry is 503 with
     * {@code Retry-After} ({@link DatabaseException#isRetryable()}); a value PostgreSQL refused is
     * the client's (400, or 409 for a duplicate) as a safety net; anything else is ours (500).
     */
    static ProblemException problemOf(DatabaseException e) {
        if (e.isRetryable()) {
            return ProblemException.unavailable(ProblemType.DATABASE_UNAVAILABLE.code(),
                    "the database is unreachable; retry in a few seconds", ProblemException.RETRY_AFTER_SECONDS, e);
        }
        if (isRefusedValue(e)) {
            boolean duplicate = e.isUniqueViolation() || e.sqlState().equals("23P01");
            return duplicate
                    ? new ProblemException(ProblemType.CONFLICT, "the request conflicts with an existing object")
                    : new ProblemException(ProblemType.UNSTORABLE_VALUE, "a value in the request cannot be stored"
                            + " (too long, out of range or holding a character such as NUL); see the field ranges in the API documentation");
        }
        return ProblemException.internal(e);
    }

    /**
     * PostgreSQL refused a value the client sent: a data exception (class 22: too long, out of
     * range, NUL in text, bad encoding) or an integrity constraint (class 23: check, not null,
     * unique, foreign key).
     */
    static boolean isRefusedValue(DatabaseException e) {
        return e.sqlState().startsWith("22") || e.sqlState().startsWith("23");
    }
}

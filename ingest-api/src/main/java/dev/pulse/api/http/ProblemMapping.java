package dev.pulse.api.http;

import dev.pulse.schemas.control.ControlException;
import dev.pulse.schemas.control.InvalidFieldException;
import dev.pulse.schemas.http.Problem;
import dev.pulse.schemas.naming.InvalidNameException;
import dev.pulse.schemas.tenancy.DatabaseException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP answers. Every error is an RFC 9457 problem
 * document; nothing a client sends can produce a 500, and a 500 never reveals internals.
 */
public final class ProblemMapping {
    private static final Logger LOG = LoggerFactory.getLogger(ProblemMapping.class);
    static final int RETRY_AFTER_SECONDS = 5;

    private ProblemMapping() {
    }

    /** Installs the mapping; before an error is written, what is left of the request body is drained by {@code drain}. */
    public static void install(RoutesConfig routes, RequestDrain drain) {
        routes.exception(ProblemException.class, (e, ctx) -> {
            if (e.status() >= 500) {
                LOG.warn("{} {} -> {}: {}", ctx.method(), ctx.path(), e.status(), e.getMessage(), e.getCause());
            }
            e.headers().forEach(ctx::header);
            write(ctx, drain, e.problem());
        });
        routes.exception(ControlException.class, (e, ctx) -> {
            int status = switch (e.kind()) {
                case INVALID -> 400;
                case NOT_FOUND -> 404;
                case CONFLICT -> 409;
                case FORBIDDEN -> 403;
                case UNAVAILABLE -> 503;
            };
            if (status == 503) {
                LOG.warn("{} {} -> 503: {}", ctx.method(), ctx.path(), e.getMessage(), e.getCause());
                ctx.header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
            }
            Problem problem = Problem.of(status, e.code(), Problem.titleFor(status), e.getMessage());
            if (e instanceof InvalidFieldException invalid) {
                problem = problem.withErrors(List.of(Map.of("field", invalid.field(), "message", e.getMessage())));
            }
            write(ctx, drain, problem);
        });
        routes.exception(InvalidNameException.class, (e, ctx) ->
                write(ctx, drain, Problem.of(400, "invalid-name", Problem.titleFor(400), e.getMessage())));
        routes.exception(DatabaseException.class, (e, ctx) -> {
            if (isUnreachable(e)) {
                LOG.warn("{} {} -> 503, database unreachable: {}", ctx.method(), ctx.path(), e.getMessage());
                ctx.header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
                write(ctx, drain, Problem.of(503, "database-unavailable", Problem.titleFor(503),
                        "the database is unreachable; retry in a few seconds"));
            } else if (isRefusedValue(e)) {
                // A safety net, not the validation: every field is checked before it reaches SQL.
                // Reaching this means a check is missing, so it is logged as a warning.
                int status = e.isUniqueViolation() || e.sqlState().equals("23P01") ? 409 : 400;
                LOG.warn("{} {} -> {}, PostgreSQL refused a value (SQLSTATE {}); a field check is missing: {}", ctx.method(), ctx.path(),
                        status, e.sqlState(), e.getMessage());
                write(ctx, drain, Problem.of(status, status == 409 ? "conflict" : "unstorable-value", Problem.titleFor(status),
                        status == 409 ? "the request conflicts with an existing object" : "a value in the request cannot be stored"
                                + " (too long, out of range or holding a character such as NUL); see the field ranges in the API documentation"));
            } else {
                internalError(ctx, drain, e);
            }
        });
        // Javalin's own answers: unknown route (404), wrong method (405), and any other it raises.
        routes.exception(HttpResponseException.class, (e, ctx) -> {
            int status = e.getStatus();
            String code = switch (status) {
                case 404 -> "route-not-found";
                case 405 -> "method-not-allowed";
                case 413 -> "body-too-large";
                default -> "http-" + status;
            };
            String detail = switch (status) {
                case 404 -> "no route " + ctx.method() + " " + ctx.path();
                case 405 -> "method " + ctx.method() + " is not allowed on " + ctx.path();
                default -> e.getMessage();
            };
            write(ctx, drain, Problem.of(status, code, Problem.titleFor(status), detail));
        });
        routes.exception(Exception.class, (e, ctx) -> internalError(ctx, drain, e));
    }

    private static void internalError(Context ctx, RequestDrain drain, Exception e) {
        LOG.error("{} {} failed unexpectedly", ctx.method(), ctx.path(), e);
        write(ctx, drain, Problem.of(500, "internal-error", Problem.titleFor(500),
                "the server failed unexpectedly; the failure was logged, retry later or contact the operator"));
    }

    /** Connection refused, pool timeout, admin shutdown: the database is not there right now. */
    static boolean isUnreachable(DatabaseException e) {
        String state = e.sqlState().toLowerCase(Locale.ROOT);
        return state.startsWith("08") || state.equals("57p01") || state.equals("57p03")
                || e.getCause() instanceof SQLTransientConnectionException
                || e.getCause() instanceof SQLNonTransientConnectionException;
    }

    /**
     * PostgreSQL refused a value the client sent: a data exception (class 22: too long, out of
     * range, NUL in text, bad encoding) or an integrity constraint (class 23: check, not null,
     * unique, foreign key).
     */
    static boolean isRefusedValue(DatabaseException e) {
        return e.sqlState().startsWith("22") || e.sqlState().startsWith("23");
    }

    static void write(Context ctx, RequestDrain drain, Problem problem) {
        drain.drain(ctx);
        Json.write(ctx, problem.status(), Problem.MEDIA_TYPE, problem);
    }
}

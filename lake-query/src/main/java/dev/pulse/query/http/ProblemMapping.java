package dev.pulse.query.http;

import dev.pulse.query.preview.DatasetNotFoundException;
import dev.pulse.query.preview.DatasetNotPreviewableException;
import dev.pulse.query.preview.LakeUnavailableException;
import dev.pulse.query.sandbox.QueryTimeoutException;
import dev.pulse.query.sandbox.ResultTooLargeException;
import dev.pulse.query.sandbox.SandboxBusyException;
import dev.pulse.query.sandbox.SandboxException;
import dev.pulse.schemas.http.Problem;
import dev.pulse.schemas.tenancy.DatabaseException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP answers, all {@code application/problem+json}.
 * Client mistakes are 4xx with a detail that says how to fix the request; a dependency that is
 * down is 503 with {@code Retry-After}; only a bug of ours is a 500, and it reveals nothing.
 */
final class ProblemMapping {
    private static final Logger LOG = LoggerFactory.getLogger(ProblemMapping.class);
    static final String RETRY_AFTER_SECONDS = "5";

    private ProblemMapping() {
    }

    static void install(RoutesConfig routes) {
        routes.exception(ApiProblemException.Unauthorized.class, (e, ctx) -> {
            ctx.header("WWW-Authenticate", e.challenge());
            write(ctx, e.status(), e.code(), e.getMessage());
        });
        routes.exception(ApiProblemException.class, (e, ctx) -> {
            if (e.status() == 503 || e.status() == 429) {
                ctx.header("Retry-After", RETRY_AFTER_SECONDS);
            }
            write(ctx, e.status(), e.code(), e.getMessage());
        });
        routes.exception(DatasetNotFoundException.class, (e, ctx) -> write(ctx, 404, "dataset-not-found", e.getMessage()));
        routes.exception(DatasetNotPreviewableException.class, (e, ctx) -> write(ctx, 409, "dataset-not-previewable", e.getMessage()));
        routes.exception(LakeUnavailableException.class, (e, ctx) -> unavailable(ctx, "lake-unavailable", "the lake cannot be read right now; retry shortly", e));
        routes.exception(DatabaseException.class, (e, ctx) -> unavailable(ctx, "database-unavailable", "the control database cannot be reached; retry shortly", e));
        routes.exception(QueryTimeoutException.class, (e, ctx) -> unavailable(ctx, "query-timeout", e.getMessage() + "; retry with a smaller limit", e));
        routes.exception(SandboxBusyException.class, (e, ctx) -> {
            ctx.header("Retry-After", "1");
            write(ctx, 429, "too-many-queries", "too many queries are running; retry shortly");
        });
        routes.exception(ResultTooLargeException.class, (e, ctx) -> write(ctx, 400, "result-too-large", e.getMessage() + "; ask for fewer rows"));
        routes.exception(SandboxException.class, (e, ctx) -> internal(ctx, e));
        // Javalin's own answers: no matching route, wrong method, and the like.
        routes.exception(HttpResponseException.class, (e, ctx) -> write(ctx, e.getStatus(), codeFor(e.getStatus()), detailFor(e.getStatus(), ctx)));
        routes.exception(Exception.class, (e, ctx) -> internal(ctx, e));
        // Responses that reach these statuses without an exception still get a problem body.
        routes.error(404, ctx -> fillIfEmpty(ctx, 404));
        routes.error(405, ctx -> fillIfEmpty(ctx, 405));
    }

    private static void unavailable(Context ctx, String code, String detail, Exception cause) {
        LOG.warn("{} {}: {}", ctx.method(), ctx.path(), cause.getMessage());
        ctx.header("Retry-After", RETRY_AFTER_SECONDS);
        write(ctx, 503, code, detail);
    }

    private static void internal(Context ctx, Exception e) {
        LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
        write(ctx, 500, "internal-error", "the request failed on our side; it has been logged");
    }

    private static void fillIfEmpty(Context ctx, int status) {
        if (ctx.result() == null || ctx.result().isEmpty()) {
            write(ctx, status, codeFor(status), detailFor(status, ctx));
        }
    }

    private static String codeFor(int status) {
        return switch (status) {
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            default -> "http-" + status;
        };
    }

    private static String detailFor(int status, Context ctx) {
        return switch (status) {
            case 404 -> "no resource at " + ctx.path();
            case 405 -> ctx.method() + " is not allowed on " + ctx.path();
            default -> Problem.titleFor(status);
        };
    }

    static void write(Context ctx, int status, String code, String detail) {
        Json.write(ctx, status, Problem.MEDIA_TYPE, Problem.of(status, code, Problem.titleFor(status), detail));
    }
}

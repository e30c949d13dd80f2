package dev.pulse.query.http;

import dev.pulse.edge.ProblemException;
import dev.pulse.edge.ProblemMapping;
import dev.pulse.query.preview.DatasetNotFoundException;
import dev.pulse.query.preview.DatasetNotPreviewableException;
import dev.pulse.query.preview.LakeUnavailableException;
import dev.pulse.query.sandbox.QueryTimeoutException;
import dev.pulse.query.sandbox.ResultTooLargeException;
import dev.pulse.query.sandbox.SandboxBusyException;

/**
 * lake-query's own exceptions as problems. Client mistakes are 4xx with a detail that says how
 * to fix the request; the lake down or a query too slow is 503 with {@code Retry-After}.
 * Everything every service shares (authentication, PostgreSQL, unknown routes, any other failure
 * as a 500 that reveals nothing) is mapped by the HTTP edge.
 */
final class QueryProblems {
    private QueryProblems() {
    }

    static void map(ProblemMapping mapping) {
        mapping.map(DatasetNotFoundException.class, e -> ProblemException.notFound("dataset-not-found", e.getMessage()))
                .map(DatasetNotPreviewableException.class, e -> ProblemException.conflict("dataset-not-previewable", e.getMessage()))
                .map(LakeUnavailableException.class, e -> ProblemException.unavailable("lake-unavailable",
                        "the lake cannot be read right now; retry shortly", ProblemException.RETRY_AFTER_SECONDS, e))
                .map(QueryTimeoutException.class, e -> ProblemException.unavailable("query-timeout",
                        e.getMessage() + "; retry with a smaller limit", ProblemException.RETRY_AFTER_SECONDS, e))
                .map(SandboxBusyException.class, e -> ProblemException.tooManyRequests("too-many-queries",
                        "too many queries are running; retry shortly", 1))
                .map(ResultTooLargeException.class, e -> ProblemException.badRequest("result-too-large", e.getMessage() + "; ask for fewer rows"));
    }
}

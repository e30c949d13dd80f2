package dev.pulse.api.http;

import dev.pulse.control.ControlException;
import dev.pulse.control.InvalidFieldException;
import dev.pulse.edge.ProblemException;
import dev.pulse.edge.ProblemMapping;
import dev.pulse.schemas.naming.InvalidNameException;
import java.util.List;
import java.util.Map;

/**
 * The ingest API's own exceptions as problems; everything every service shares (problem
 * exceptions, PostgreSQL, Javalin's and Jetty's refusals, 500) is mapped by the HTTP edge.
 */
public final class ApiProblems {
    private ApiProblems() {
    }

    public static void map(ProblemMapping mapping) {
        mapping.map(ControlException.class, ApiProblems::problemOf)
                .map(InvalidNameException.class, e -> ProblemException.badRequest("invalid-name", e.getMessage()));
    }

    static ProblemException problemOf(ControlException e) {
        return switch (e.kind()) {
            case INVALID -> e instanceof InvalidFieldException invalid
                    ? ProblemException.badRequest(e.code(), e.getMessage(), List.of(Map.of("field", invalid.field(), "message", e.getMessage())))
                    : ProblemException.badRequest(e.code(), e.getMessage());
            case NOT_FOUND -> ProblemException.notFound(e.code(), e.getMessage());
            case CONFLICT -> ProblemException.conflict(e.code(), e.getMessage());
            case FORBIDDEN -> ProblemException.forbidden(e.code(), e.getMessage());
            case UNAVAILABLE -> ProblemException.unavailable(e.code(), e.getMessage(), ProblemException.RETRY_AFTER_SECONDS, e.getCause());
        };
    }
}

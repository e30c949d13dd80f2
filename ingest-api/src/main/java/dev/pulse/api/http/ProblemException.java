package dev.pulse.api.http;

import dev.pulse.schemas.PulseException;
import dev.pulse.schemas.http.Problem;
import java.util.List;
import java.util.Map;

/**
 * The ingest API's root failure: a request that gets a problem document. Handlers throw it and
 * {@link ProblemMapping} writes it, so every error leaves the server in one shape.
 */
public class ProblemException extends PulseException {
    private final int status;
    private final String code;
    private final Object errors;
    private final Map<String, String> headers;

    public ProblemException(int status, String code, String detail) {
        this(status, code, detail, null, Map.of(), null);
    }

    private ProblemException(int status, String code, String detail, Object errors, Map<String, String> headers, Throwable cause) {
        super(detail, cause);
        this.status = status;
        this.code = code;
        this.errors = errors;
        this.headers = Map.copyOf(headers);
    }

    public static ProblemException badRequest(String code, String detail) {
        return new ProblemException(400, code, detail);
    }

    /** A 400 whose {@code errors} member lists each bad item (for events: index, field, message). */
    public static ProblemException badRequest(String code, String detail, List<?> errors) {
        return new ProblemException(400, code, detail, errors, Map.of(), null);
    }

    /** A 400 about one member of a request body; {@code errors} holds {@code [{field, message}]}. */
    public static ProblemException invalidField(String code, String field, String detail) {
        return badRequest(code, detail, List.of(Map.of("field", field, "message", detail)));
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(401, "unauthorized", detail, null, Map.of("WWW-Authenticate", "Bearer"), null);
    }

    public static ProblemException forbidden(String code, String detail) {
        return new ProblemException(403, code, detail);
    }

    public static ProblemException notFound(String code, String detail) {
        return new ProblemException(404, code, detail);
    }

    public static ProblemException tooLarge(String code, String detail) {
        return new ProblemException(413, code, detail);
    }

    public static ProblemException unsupportedMediaType(String detail) {
        return new ProblemException(415, "unsupported-media-type", detail);
    }

    /** A dependency is down; the caller should retry after {@code retryAfterSeconds}. */
    public static ProblemException unavailable(String code, String detail, int retryAfterSeconds, Throwable cause) {
        return new ProblemException(503, code, detail, null, Map.of("Retry-After", Integer.toString(retryAfterSeconds)), cause);
    }

    public int status() {
        return status;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Problem problem() {
        Problem p = Problem.of(status, code, Problem.titleFor(status), getMessage());
        return errors == null ? p : p.withErrors(errors);
    }
}

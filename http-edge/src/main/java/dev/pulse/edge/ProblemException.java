package dev.pulse.edge;

import dev.pulse.schemas.PulseException;
import java.util.List;
import java.util.Map;

/**
 * The HTTP edge's root failure: a request that gets a problem document. Handlers throw it (or a
 * service maps its own exception to it, see {@link ProblemMapping#map}) and {@link ProblemMapping}
 * writes it, so every error leaves every service in one shape: status, a stable code (the last
 * segment of the {@code type} URI), a detail, optional {@code errors} and response headers.
 */
public class ProblemException extends PulseException {
    /** What {@code Retry-After} says when a dependency is down. */
    public static final int RETRY_AFTER_SECONDS = 5;
    static final String REALM = "Bearer realm=\"pulse\"";

    private final int status;
    private final String code;
    private final Object errors;
    private final Map<String, String> headers;

    public ProblemException(int status, String code, String detail) {
        this(status, code, detail, null, Map.of(), null);
    }

    public ProblemException(ProblemType type, String detail) {
        this(type.status(), type.code(), detail);
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

    /**
     * 401 for a request without a credential. The challenge carries no error code, as RFC 6750
     * (section 3.1) asks when the client sent no authentication.
     */
    public static ProblemException missingCredential(String detail) {
        return new ProblemException(401, ProblemType.UNAUTHORIZED.code(), detail, null, Map.of("WWW-Authenticate", REALM), null);
    }

    /**
     * 401 for a credential that is not valid (malformed, unknown, wrong secret, revoked, expired:
     * one answer, so that probing learns nothing); the challenge says {@code invalid_token}.
     */
    public static ProblemException invalidCredential(String detail) {
        return new ProblemException(401, ProblemType.UNAUTHORIZED.code(), detail, null,
                Map.of("WWW-Authenticate", REALM + ", error=\"invalid_token\""), null);
    }

    /** 403 for a valid credential without {@code scope}; the RFC 6750 challenge names the scope needed. */
    public static ProblemException insufficientScope(String scope, String detail) {
        return new ProblemException(403, ProblemType.INSUFFICIENT_SCOPE.code(), detail, null,
                Map.of("WWW-Authenticate", REALM + ", error=\"insufficient_scope\", scope=\"" + scope + "\""), null);
    }

    public static ProblemException forbidden(String code, String detail) {
        return new ProblemException(403, code, detail);
    }

    public static ProblemException notFound(String code, String detail) {
        return new ProblemException(404, code, detail);
    }

    public static ProblemException conflict(String code, String detail) {
        return new ProblemException(409, code, detail);
    }

    public static ProblemException tooLarge(String code, String detail) {
        return new ProblemException(413, code, detail);
    }

    public static ProblemException unsupportedMediaType(String detail) {
        return new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE, detail);
    }

    /** Too much at once; the caller should retry after {@code retryAfterSeconds}. */
    public static ProblemException tooManyRequests(String code, String detail, int retryAfterSeconds) {
        return new ProblemException(429, code, detail, null, Map.of("Retry-After", Integer.toString(retryAfterSeconds)), null);
    }

    /** Too much at once, with further response fields (e.g. the IETF {@code RateLimit} fields). */
    public static ProblemException tooManyRequests(String code, String detail, int retryAfterSeconds, Map<String, String> headers) {
        Map<String, String> all = new java.util.HashMap<>(headers);
        all.put("Retry-After", Integer.toString(retryAfterSeconds));
        return new ProblemException(429, code, detail, null, all, null);
    }

    /** A dependency is down; the caller should retry after {@code retryAfterSeconds}. */
    public static ProblemException unavailable(String code, String detail, int retryAfterSeconds, Throwable cause) {
        return new ProblemException(503, code, detail, null, Map.of("Retry-After", Integer.toString(retryAfterSeconds)), cause);
    }

    /** A failure of the server's own: the detail says nothing about it, the cause is logged. */
    static ProblemException internal(Throwable cause) {
        return new ProblemException(500, ProblemType.INTERNAL_ERROR.code(),
                "the server failed unexpectedly; the failure was logged, retry later or contact the operator", null, Map.of(), cause);
    }

    public int status() {
        return status;
    }

    /** The stable name of the problem: the last segment of its {@code type} URI. */
    public String code() {
        return code;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Problem problem() {
        Problem p = Problem.of(status, code, Problem.titleFor(status), getMessage());
        return errors == null ? p : p.withErrors(errors);
    }
}

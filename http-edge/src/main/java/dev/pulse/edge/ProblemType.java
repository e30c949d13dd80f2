package dev.pulse.edge;

/**
 * The problem types the HTTP edge itself answers with, the same in every service. Each
 * {@link #type()} is a stable URI ({@code https://pulse.dev/problems/<code>}) that clients may
 * match on; renaming one is a breaking change. The whole catalogue, these and each service's
 * own types, is documented in one place: {@code http-edge/README.md} (a test keeps this enum and
 * that page in step). Besides these, a refusal of Jetty's or Javalin's without a name of its own
 * is {@code http-<status>}.
 */
public enum ProblemType {
    /** No credential, or one that is malformed, unknown, revoked or expired (one answer for all). */
    UNAUTHORIZED("unauthorized", 401),
    /** The credential is valid but lacks the scope the route needs. */
    INSUFFICIENT_SCOPE("insufficient-scope", 403),
    /** {@code X-Tenant-ID} names a tenant other than the key's. */
    TENANT_MISMATCH("tenant-mismatch", 403),
    /** The key's tenant is suspended (and the route writes). */
    TENANT_SUSPENDED("tenant-suspended", 403),
    /** The key's tenant is still being provisioned. */
    TENANT_NOT_ACTIVE("tenant-not-active", 403),
    /** No route has this path. */
    ROUTE_NOT_FOUND("route-not-found", 404),
    /** The path exists, but not for this method. */
    METHOD_NOT_ALLOWED("method-not-allowed", 405),
    /** PostgreSQL refused a value as a duplicate (a safety net behind the field checks). */
    CONFLICT("conflict", 409),
    /** The body is larger than the server accepts. */
    BODY_TOO_LARGE("body-too-large", 413),
    /** The request's {@code Content-Type} or {@code Content-Encoding} is not one the route reads. */
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415),
    /** PostgreSQL refused a value (too long, out of range, NUL): a safety net behind the field checks. */
    UNSTORABLE_VALUE("unstorable-value", 400),
    /** The database is unreachable or asked for a retry; sent with {@code Retry-After}. */
    DATABASE_UNAVAILABLE("database-unavailable", 503),
    /** A failure of the server's own; the answer reveals nothing, the log has it. */
    INTERNAL_ERROR("internal-error", 500);

    private final String code;
    private final int status;

    ProblemType(String code, int status) {
        this.code = code;
        this.status = status;
    }

    /** The last segment of the type URI, e.g. {@code insufficient-scope}. */
    public String code() {
        return code;
    }

    public int status() {
        return status;
    }

    public String title() {
        return Problem.titleFor(status);
    }

    /** The stable URI of this problem type. */
    public String type() {
        return Problem.TYPE_PREFIX + code;
    }
}

package dev.pulse.query.http;

import dev.pulse.query.QueryException;

/**
 * A request refused for a reason the caller can act on. Handlers throw it; {@link ProblemMapping}
 * turns it into {@code application/problem+json} with {@code status} and the stable {@code code}.
 */
public class ApiProblemException extends QueryException {
    private final int status;
    private final String code;

    public ApiProblemException(int status, String code, String detail) {
        super(detail);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public static ApiProblemException badRequest(String code, String detail) {
        return new ApiProblemException(400, code, detail);
    }

    public static ApiProblemException forbidden(String code, String detail) {
        return new ApiProblemException(403, code, detail);
    }

    public static ApiProblemException unavailable(String code, String detail) {
        return new ApiProblemException(503, code, detail);
    }

    /** 401: sent with {@code WWW-Authenticate: Bearer}. */
    public static final class Unauthorized extends ApiProblemException {
        private final boolean credentialPresented;

        private Unauthorized(String code, String detail, boolean credentialPresented) {
            super(401, code, detail);
            this.credentialPresented = credentialPresented;
        }

        public static Unauthorized missing() {
            return new Unauthorized("missing-credential", "send an API key as 'Authorization: Bearer pulse_...'", false);
        }

        public static Unauthorized invalid() {
            return new Unauthorized("invalid-credential", "the API key is not valid: it is malformed, unknown, revoked or expired", true);
        }

        /** The RFC 6750 challenge: with {@code error="invalid_token"} only when a token was presented. */
        public String challenge() {
            return credentialPresented ? "Bearer realm=\"pulse\", error=\"invalid_token\"" : "Bearer realm=\"pulse\"";
        }
    }
}

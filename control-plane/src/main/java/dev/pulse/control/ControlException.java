package dev.pulse.control;

import dev.pulse.schemas.PulseException;

/**
 * A control-plane request that cannot be carried out as asked. The {@link Kind} says which
 * HTTP status it is; {@code detail} tells the caller how to fix the request.
 */
public class ControlException extends PulseException {
    public enum Kind { INVALID, NOT_FOUND, CONFLICT, FORBIDDEN, UNAVAILABLE }

    private final Kind kind;
    private final String code;

    public ControlException(Kind kind, String code, String detail) {
        super(detail);
        this.kind = kind;
        this.code = code;
    }

    public ControlException(Kind kind, String code, String detail, Throwable cause) {
        super(detail, cause);
        this.kind = kind;
        this.code = code;
    }

    public Kind kind() {
        return kind;
    }

    /** A stable, machine-readable name of the problem (the last segment of the problem type). */
    public String code() {
        return code;
    }

    public static ControlException notFound(String what, String name) {
        return new ControlException(Kind.NOT_FOUND, what + "-not-found", what + " '" + name + "' does not exist");
    }

    public static ControlException invalid(String code, String detail) {
        return new ControlException(Kind.INVALID, code, detail);
    }

    public static ControlException conflict(String code, String detail) {
        return new ControlException(Kind.CONFLICT, code, detail);
    }
}

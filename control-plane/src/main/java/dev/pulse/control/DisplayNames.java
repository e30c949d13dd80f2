package dev.pulse.control;

/**
 * Human names of control-plane objects (a key's {@code name}, a tenant's {@code name}): 1 to
 * {@value #MAX_LENGTH} characters (Unicode code points, as PostgreSQL's {@code length()} counts
 * them and the tables' CHECK constraints bound them) of storable text ({@link FieldText}).
 * Absent or blank means "use the default"; anything else is kept exactly as sent.
 */
public final class DisplayNames {
    static final int MAX_LENGTH = 200;

    private DisplayNames() {
    }

    /** {@code value}, or {@code fallback} when it is absent or blank; a 400 naming {@code field} when it is not a valid name. */
    public static String orDefault(String field, String value, String fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        int length = value.codePointCount(0, value.length());
        if (length > MAX_LENGTH) {
            throw new InvalidFieldException("invalid-name", field, "'" + field + "' is " + length + " characters long; at most "
                    + MAX_LENGTH + " are allowed");
        }
        String problem = FieldText.problem(value);
        if (problem != null) {
            throw new InvalidFieldException("invalid-name", field, "'" + field + "' " + problem
                    + "; use printable text without control characters");
        }
        return value;
    }
}

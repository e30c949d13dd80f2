package dev.pulse.control;

/**
 * What every free-text control-plane value must be: text PostgreSQL can store and a terminal can
 * show. No control characters (U+0000..U+001F, U+007F..U+009F: PostgreSQL refuses NUL and the
 * others break logs and tables), no line or paragraph separators, no unpaired UTF-16 surrogate
 * (it has no UTF-8 encoding and would be stored as {@code ?}). Also quotes a client's value
 * safely into an error message.
 */
public final class FieldText {
    private static final int ECHO_LIMIT = 64;

    private FieldText() {
    }

    /** The first reason {@code value} is not storable text, or null when it is. */
    static String problem(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "holds an unpaired UTF-16 surrogate at index " + i;
            }
            if (Character.isLowSurrogate(c)) {
                return "holds an unpaired UTF-16 surrogate at index " + i;
            }
            int type = Character.getType(c);
            if (type == Character.CONTROL) {
                return String.format("holds the control character U+%04X at index %d", (int) c, i);
            }
            if (type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                return String.format("holds the line separator U+%04X at index %d", (int) c, i);
            }
        }
        return null;
    }

    /** The index of the first unpaired UTF-16 surrogate of {@code value}, or -1. */
    public static int unpairedSurrogate(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * {@code value} in quotes for an error message: at most 64 characters (then an ellipsis and
     * the full length), control characters, line separators and unpaired surrogates as {@code \\uXXXX}.
     */
    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("'");
        int shown = Math.min(value.length(), ECHO_LIMIT);
        for (int i = 0; i < shown; i++) {
            char c = value.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))
                    || Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(value.charAt(i - 1));
            int type = Character.getType(c);
            if (type == Character.CONTROL || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                    || Character.isSurrogate(c) && !paired) {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('\'');
        if (value.length() > ECHO_LIMIT) {
            out.append("... (").append(value.length()).append(" characters)");
        }
        return out.toString();
    }
}

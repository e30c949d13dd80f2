package dev.pulse.query.sandbox;

import java.util.List;
import java.util.stream.Collectors;

/** SQL string literals for DuckDB: single quotes doubled; control characters refused, never escaped. */
final class SqlLiterals {
    private SqlLiterals() {
    }

    static String string(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new SandboxException("refusing a SQL literal with a control character at index " + i);
            }
        }
        return "'" + value.replace("'", "''") + "'";
    }

    static String list(List<String> values) {
        return values.stream().map(SqlLiterals::string).collect(Collectors.joining(", ", "[", "]"));
    }
}

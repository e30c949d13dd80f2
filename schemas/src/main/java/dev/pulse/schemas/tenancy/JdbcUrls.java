package dev.pulse.schemas.tenancy;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.Map;

/** Reads the user and password parameters of a PostgreSQL JDBC URL. */
public final class JdbcUrls {
    private JdbcUrls() {
    }

    public static Map.Entry<String, String> credentials(String jdbcUrl) {
        String user = parameter(jdbcUrl, "user");
        String password = parameter(jdbcUrl, "password");
        if (user == null || password == null) {
            throw new IllegalArgumentException("JDBC URL must carry user and password parameters: " + redact(jdbcUrl));
        }
        return new AbstractMap.SimpleImmutableEntry<>(user, password);
    }

    public static String parameter(String jdbcUrl, String name) {
        int q = jdbcUrl.indexOf('?');
        if (q < 0) {
            return null;
        }
        for (String pair : jdbcUrl.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** The URL with its password replaced, for messages and logs. */
    public static String redact(String jdbcUrl) {
        return jdbcUrl.replaceAll("(password=)[^&]*", "$1***");
    }
}

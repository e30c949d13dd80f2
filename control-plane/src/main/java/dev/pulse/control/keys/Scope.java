package dev.pulse.control.keys;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** What an API key may do. */
public enum Scope {
    INGEST, QUERY, MANAGE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Scope> parse(String text) {
        for (Scope s : values()) {
            if (s.wireName().equals(text)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** Parses a comma-separated list; an unknown or empty entry is an error naming it. */
    static Set<Scope> parseList(String text) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String part : text.split(",", -1)) {
            String name = part.strip();
            scopes.add(parse(name).orElseThrow(() -> new IllegalArgumentException(
                    "unknown scope '" + name + "': use ingest, query or manage")));
        }
        return scopes;
    }
}

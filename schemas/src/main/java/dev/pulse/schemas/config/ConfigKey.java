package dev.pulse.schemas.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * One configuration key, declared once (in {@link PulseKeys}): its name, its type and allowed
 * range, its default, the value {@code pulse dev} gives it when that differs, a one-line
 * description, and how a raw value is read. Every service's typed configuration reads its keys
 * with {@link Settings#get}; a bad value throws a {@link ConfigException} that names the key.
 * README.md's configuration table is checked against these declarations ({@code ConfigurationTableTest}).
 *
 * @param type what the value is, with its allowed range: {@code int 1..1000}, {@code JDBC URL}, ...
 * @param documentedDefault the default as the README shows it; {@value #REQUIRED} when there is none
 * @param devDefault the value {@code pulse dev} sets for its own stack, when it differs from the default
 */
public record ConfigKey<T>(String name, String type, String documentedDefault, Optional<String> devDefault, String description,
        Supplier<T> defaultValue, Parser<T> parser) {

    /** The documented default of a key that has none: start-up stops when it is unset. */
    public static final String REQUIRED = "—";

    /** Reads a value that is set (not blank); throws {@link ConfigException} naming {@code key} when it is bad. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(String key, String raw);
    }

    public boolean required() {
        return defaultValue == null;
    }

    /** A string that must be set. */
    public static ConfigKey<String> required(String name, String type, String description) {
        return new ConfigKey<>(name, type, REQUIRED, Optional.empty(), description, null, (key, raw) -> raw);
    }

    /** A string with a default (possibly empty, then {@code documentedDefault} says what an empty value means). */
    public static ConfigKey<String> string(String name, String type, String defaultValue, String description) {
        return new ConfigKey<>(name, type, defaultValue, Optional.empty(), description, () -> defaultValue, (key, raw) -> raw);
    }

    public static ConfigKey<Integer> integer(String name, int defaultValue, int min, int max, String description) {
        return new ConfigKey<>(name, "int " + min + ".." + max, Integer.toString(defaultValue), Optional.empty(), description,
                () -> defaultValue, (key, raw) -> (int) parseLong(key, raw, min, max));
    }

    public static ConfigKey<Long> longInteger(String name, long defaultValue, long min, long max, String description) {
        return new ConfigKey<>(name, "long " + min + ".." + max, Long.toString(defaultValue), Optional.empty(), description,
                () -> defaultValue, (key, raw) -> parseLong(key, raw, min, max));
    }

    /** A duration: ISO-8601 ({@code PT10M}, {@code P7D}) or a number of milliseconds, within [min, max]. */
    public static ConfigKey<Duration> duration(String name, String defaultValue, Duration min, Duration max, String description) {
        Parser<Duration> parser = (key, raw) -> {
            String value = raw.strip();
            Duration d;
            try {
                d = !value.isEmpty() && value.chars().allMatch(Character::isDigit)
                        ? Duration.ofMillis(Long.parseLong(value))
                        : Duration.parse(value.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException | NumberFormatException e) {
                throw new ConfigException(key + "=" + raw + " is not a duration: use ISO-8601 (PT10M, P7D) or milliseconds");
            }
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new ConfigException(key + "=" + raw + " is out of range [" + min + ", " + max + "]");
            }
            return d;
        };
        return new ConfigKey<>(name, "duration " + min + ".." + max, defaultValue, Optional.empty(), description,
                () -> parser.parse(name, defaultValue), parser);
    }

    /** true/false (also 1/0, yes/no, on/off). */
    public static ConfigKey<Boolean> bool(String name, boolean defaultValue, String description) {
        return new ConfigKey<>(name, "boolean", Boolean.toString(defaultValue), Optional.empty(), description, () -> defaultValue,
                (key, raw) -> switch (raw.strip().toLowerCase(Locale.ROOT)) {
                    case "true", "1", "yes", "on" -> true;
                    case "false", "0", "no", "off" -> false;
                    default -> throw new ConfigException(key + "=" + raw + " is not a boolean: use true or false");
                });
    }

    /** A TCP port; 0 lets the system pick a free one. */
    public static ConfigKey<Integer> port(String name, int defaultValue, String description) {
        return integer(name, defaultValue, 0, 65535, description);
    }

    /** A string matching {@code pattern} after stripping; otherwise {@code KEY=value is not <what>}. */
    public static ConfigKey<String> matching(String name, String defaultValue, Pattern pattern, String what, String description) {
        return new ConfigKey<>(name, "string", defaultValue, Optional.empty(), description, () -> defaultValue, (key, raw) -> {
            String value = raw.strip();
            if (!pattern.matcher(value).matches()) {
                throw new ConfigException(key + "=" + value + " is not " + what);
            }
            return value;
        });
    }

    /**
     * Any other type. {@code defaultValue} (null: the key is required) is read through
     * {@code parser} too, so a computed default is checked like a set value.
     */
    public static <T> ConfigKey<T> of(String name, String type, String documentedDefault, Supplier<String> defaultValue, Parser<T> parser,
            String description) {
        return new ConfigKey<>(name, type, documentedDefault, Optional.empty(), description,
                defaultValue == null ? null : () -> parser.parse(name, defaultValue.get()), parser);
    }

    /** The same key, documented with {@code text} as its default (a computed default: "random", "$TMPDIR/pulse-query"). */
    public ConfigKey<T> documentedAs(String text) {
        return new ConfigKey<>(name, type, text, devDefault, description, defaultValue, parser);
    }

    /** The same key, set to {@code value} by {@code pulse dev} for its own stack (see {@link PulseKeys#devDefaults()}). */
    public ConfigKey<T> underPulseDev(String value) {
        return new ConfigKey<>(name, type, documentedDefault, Optional.of(value), description, defaultValue, parser);
    }

    /** The value in {@code settings}, or the default; {@link ConfigException} naming this key when unset and required, or bad. */
    public T read(Settings settings) {
        Optional<String> raw = settings.optional(name);
        if (raw.isPresent()) {
            return parser.parse(name, raw.get());
        }
        if (required()) {
            throw settings.missing(this);
        }
        return defaultValue.get();
    }

    private static long parseLong(String key, String raw, long min, long max) {
        try {
            long v = Long.parseLong(raw.strip());
            if (v < min || v > max) {
                throw new ConfigException(key + "=" + raw + " is out of range [" + min + ", " + max + "]");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + "=" + raw + " is not an integer");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}

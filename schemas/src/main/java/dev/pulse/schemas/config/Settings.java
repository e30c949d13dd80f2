package dev.pulse.schemas.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The raw key/value source every service's typed configuration is read from: environment
 * variables first, then a {@code pulse.env} file for the keys the environment leaves unset.
 * The file is {@code $PULSE_ENV_FILE} when set, else {@code ./.pulse/pulse.env} when it exists.
 *
 * <p>Typed readers fail with a {@link ConfigException} that names the key; nothing is silently
 * corrected.
 */
public final class Settings {
    public static final String ENV_FILE_KEY = "PULSE_ENV_FILE";
    public static final Path DEFAULT_ENV_FILE = Path.of(".pulse", "pulse.env");

    private final Map<String, String> values;
    private final String origin;

    private Settings(Map<String, String> values, String origin) {
        this.values = Map.copyOf(values);
        this.origin = origin;
    }

    public static Settings fromEnvironment() {
        Map<String, String> env = System.getenv();
        Path file = env.containsKey(ENV_FILE_KEY) ? Path.of(env.get(ENV_FILE_KEY)) : DEFAULT_ENV_FILE;
        if (env.containsKey(ENV_FILE_KEY) && !Files.isRegularFile(file)) {
            throw new ConfigException(ENV_FILE_KEY + " names " + file + ", which is not a readable file");
        }
        return layered(env, Files.isRegularFile(file) ? Optional.of(file) : Optional.empty());
    }

    /** The environment wins over the file, key by key. */
    public static Settings layered(Map<String, String> env, Optional<Path> envFile) {
        Map<String, String> merged = new LinkedHashMap<>();
        envFile.ifPresent(f -> merged.putAll(readEnvFile(f)));
        env.forEach((k, v) -> {
            if (k.startsWith("PULSE_")) {
                merged.put(k, v);
            }
        });
        return new Settings(merged, envFile.map(f -> "environment and " + f).orElse("environment"));
    }

    public static Settings of(Map<String, String> values) {
        return new Settings(values, "given values");
    }

    /** Parses KEY=VALUE lines; '#' starts a comment line; no quoting, no interpolation. */
    public static Map<String, String> readEnvFile(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException(file + " line " + (i + 1) + " is not KEY=VALUE");
            }
            out.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        return out;
    }

    public String origin() {
        return origin;
    }

    public Optional<String> optional(String key) {
        String v = values.get(key);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
    }

    public String required(String key, String description) {
        return optional(key).orElseThrow(() -> new ConfigException(
                key + " is not set (" + description + "); set it in the environment or in pulse.env (read from " + origin + ")"
                        + (origin.equals("environment")
                                ? ". There is no " + DEFAULT_ENV_FILE + " here: run `./pulse dev` in this folder first, or point "
                                        + ENV_FILE_KEY + " at the pulse.env of a running stack"
                                : "")));
    }

    public String string(String key, String defaultValue) {
        return optional(key).orElse(defaultValue);
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int v = Integer.parseInt(raw.get().strip());
            if (v < min || v > max) {
                throw new ConfigException(key + "=" + raw.get() + " is out of range [" + min + ", " + max + "]");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + "=" + raw.get() + " is not an integer");
        }
    }

    public long longValue(String key, long defaultValue, long min, long max) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            long v = Long.parseLong(raw.get().strip());
            if (v < min || v > max) {
                throw new ConfigException(key + "=" + raw.get() + " is out of range [" + min + ", " + max + "]");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + "=" + raw.get() + " is not an integer");
        }
    }

    /** {@link PulseKeys#BIND_ADDRESS}: an IP address or host name, 0.0.0.0 (every interface) by default. */
    public String bindAddress() {
        String address = string(PulseKeys.BIND_ADDRESS, "0.0.0.0").strip();
        if (!address.matches("[A-Za-z0-9.:\\-]{1,253}")) {
            throw new ConfigException(PulseKeys.BIND_ADDRESS + "=" + address + " is not an IP address or host name");
        }
        return address;
    }

    public int port(String key, int defaultValue) {
        return integer(key, defaultValue, 0, 65535);
    }

    public Map<String, String> asMap() {
        return values;
    }
}

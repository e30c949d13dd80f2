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
 * <p>Values are read through their one declaration, {@link #get(ConfigKey)} with a key of
 * {@link PulseKeys}: a bad value fails with a {@link ConfigException} that names the key; nothing
 * is silently corrected.
 */
public final class Settings {
    /** {@link PulseKeys#ENV_FILE}'s name: read here, before any other key, to find the file. */
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
        Optional<Path> named = envFileNamedIn(env);
        return layered(env, named.isPresent() ? named : Optional.of(DEFAULT_ENV_FILE).filter(Files::isRegularFile));
    }

    /** The file {@code PULSE_ENV_FILE} names in {@code env}, which must exist; empty when it is unset. */
    public static Optional<Path> envFileNamedIn(Map<String, String> env) {
        if (!env.containsKey(ENV_FILE_KEY)) {
            return Optional.empty();
        }
        Path file = Path.of(env.get(ENV_FILE_KEY));
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(ENV_FILE_KEY + " names " + file + ", which is not a readable file");
        }
        return Optional.of(file);
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

    /** The value of {@code key} in these settings, or its default; see {@link ConfigKey#read}. */
    public <T> T get(ConfigKey<T> key) {
        return key.read(this);
    }

    /** Why a required key stops start-up: it is unset here, and where it could have been set. */
    ConfigException missing(ConfigKey<?> key) {
        return new ConfigException(
                key.name() + " is not set (" + key.description() + "); set it in the environment or in pulse.env (read from " + origin + ")"
                        + (origin.equals("environment")
                                ? ". There is no " + DEFAULT_ENV_FILE + " here: run `./pulse dev` in this folder first, or point "
                                        + ENV_FILE_KEY + " at the pulse.env of a running stack"
                                : ""));
    }

    public Map<String, String> asMap() {
        return values;
    }
}

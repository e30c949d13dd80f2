package dev.pulse.cli;

import dev.pulse.schemas.config.ConfigException;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * How the CLI's client verbs (operator verbs, {@code doctor}, {@code dlq}, {@code bench}) find the
 * stack to talk to, in order: {@code $PULSE_ENV_FILE}; {@code ./.pulse/pulse.env}; else, when the
 * environment names no {@code PULSE_*} setting at all, the stack the last {@code pulse dev} of this
 * user started, recorded in {@code ~/.pulse/current} (one line: the absolute path of its
 * {@code pulse.env}). So {@code pulse dev --data-dir D} needs no export for the other verbs.
 *
 * <p>The services ({@code pulse api|worker|query|migrate}) never read the pointer: a deployment is
 * configured by its environment only. An environment with any {@code PULSE_*} setting never
 * mixes in a development stack's values.
 */
final class RunningStack {
    /** Launcher options, not settings: their presence does not mean the environment names a stack. */
    private static final String LAUNCHER_OPTIONS = PulseKeys.JAVA_OPTS.name();

    private RunningStack() {
    }

    /** The pointer file of this user: {@code ~/.pulse/current}. */
    static Path pointer() {
        return Path.of(System.getProperty("user.home"), ".pulse", "current");
    }

    static Settings settings() {
        return settings(System.getenv(), Settings.DEFAULT_ENV_FILE, pointer());
    }

    static Settings settings(Map<String, String> env, Path localEnvFile, Path pointer) {
        return Settings.layered(env, envFile(env, localEnvFile, pointer));
    }

    static Optional<Path> envFile(Map<String, String> env, Path localEnvFile, Path pointer) {
        Optional<Path> named = Settings.envFileNamedIn(env);
        if (named.isPresent()) {
            return named;
        }
        if (Files.isRegularFile(localEnvFile)) {
            return Optional.of(localEnvFile);
        }
        boolean environmentNamesAStack = env.keySet().stream().anyMatch(k -> k.startsWith("PULSE_") && !k.equals(LAUNCHER_OPTIONS));
        if (environmentNamesAStack || !Files.isRegularFile(pointer)) {
            return Optional.empty();
        }
        Path recorded = Path.of(read(pointer));
        if (!Files.isRegularFile(recorded)) {
            throw new ConfigException(pointer + " names " + recorded + ", which no longer exists: start `./pulse dev` again, or export "
                    + Settings.ENV_FILE_KEY + "=<data dir>/pulse.env of a running stack");
        }
        return Optional.of(recorded);
    }

    /** Called by {@code pulse dev} once its stack runs: later verbs of this user find it. */
    static void record(Path pointer, Path envFile) {
        try {
            Files.createDirectories(pointer.getParent());
            Path temporary = pointer.resolveSibling(pointer.getFileName() + ".tmp");
            Files.writeString(temporary, envFile.toAbsolutePath().normalize() + "\n");
            Files.move(temporary, pointer, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the running stack in " + pointer, e);
        }
    }

    /** Called when {@code pulse dev} stops: removes the pointer if it still names this stack. */
    static void forget(Path pointer, Path envFile) {
        try {
            if (Files.isRegularFile(pointer) && read(pointer).equals(envFile.toAbsolutePath().normalize().toString())) {
                Files.delete(pointer);
            }
        } catch (IOException e) {
            // Stopping must not fail on this; a stale pointer names a file that later verbs report.
        }
    }

    private static String read(Path pointer) {
        try {
            return Files.readString(pointer).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pointer, e);
        }
    }
}

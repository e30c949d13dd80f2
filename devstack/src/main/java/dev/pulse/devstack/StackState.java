package dev.pulse.devstack;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Properties;

/**
 * What must survive a restart of {@code pulse dev}: generated passwords, the operator token, the
 * Kafka cluster id, and the ports last used (kept when still free, so printed commands stay valid).
 */
final class StackState {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".toCharArray();

    private final Path file;
    private final Properties props = new Properties();

    private StackState(Path file) {
        this.file = file;
    }

    static StackState load(Path dataDir) {
        StackState state = new StackState(dataDir.resolve("devstack.properties"));
        if (Files.exists(state.file)) {
            try (Reader r = Files.newBufferedReader(state.file)) {
                state.props.load(r);
            } catch (IOException e) {
                throw new DevStackException("cannot read " + state.file, e);
            }
        }
        return state;
    }

    String secret(String key) {
        return props.computeIfAbsent(key, k -> randomToken(32)).toString();
    }

    boolean has(String key) {
        return props.containsKey(key);
    }

    String value(String key, java.util.function.Supplier<String> initial) {
        return props.computeIfAbsent(key, k -> initial.get()).toString();
    }

    /** The port used last time when it is still free, otherwise any free port. */
    int port(String key, int preferred) {
        String saved = props.getProperty(key);
        int candidate = saved != null ? Integer.parseInt(saved) : preferred;
        int port = candidate > 0 && isFree(candidate) ? candidate : freePort();
        props.setProperty(key, Integer.toString(port));
        return port;
    }

    void save() {
        try {
            Files.createDirectories(file.getParent());
            try (Writer w = Files.newBufferedWriter(file)) {
                props.store(w, "pulse devstack state: generated credentials and ports; keep private");
            }
        } catch (IOException e) {
            throw new DevStackException("cannot write " + file, e);
        }
    }

    static String randomToken(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new DevStackException("no free local port", e);
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 0, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

package dev.pulse.devstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An S3-compatible object store for the object-storage warehouse option: S3Proxy (Maven Central,
 * {@code org.gaul:s3proxy}, its self-contained jar) serving buckets from a folder through its
 * jclouds {@code filesystem} back end, with AWS signature v2/v4 authentication. It runs in a JVM
 * of its own (it embeds a Jetty of another major version than the services'), on loopback only,
 * and is killed with this JVM. The bucket is a folder under the data folder, made before start.
 *
 * <p>The jar is resolved by devstack's build (maven-dependency-plugin) into the local Maven
 * repository; {@code -Dpulse.s3proxy.jar=...} points at another copy.
 */
final class EmbeddedS3Server implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedS3Server.class);
    private static final long START_TIMEOUT_MS = 60_000;

    private final Path dir;
    private final int port;
    private final String accessKey;
    private final String secretKey;
    private volatile Process process;

    private EmbeddedS3Server(Path dir, int port, String accessKey, String secretKey) {
        this.dir = dir;
        this.port = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        // Once per server, for whichever process runs at exit: S3Proxy never outlives this JVM.
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "devstack-s3-shutdown"));
    }

    static EmbeddedS3Server start(Path dir, int port, String bucket, String accessKey, String secretKey) {
        EmbeddedS3Server server = new EmbeddedS3Server(dir, port, accessKey, secretKey);
        try {
            Files.createDirectories(dir.resolve("buckets").resolve(bucket));
        } catch (IOException e) {
            throw new DevStackException("cannot create the bucket folder under " + dir, e);
        }
        server.startProcess();
        return server;
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    String accessKey() {
        return accessKey;
    }

    String secretKey() {
        return secretKey;
    }

    /** Kills the server (as a crash would); its objects stay in the folder. */
    void stop() {
        Process running = process;
        if (running != null && running.isAlive()) {
            running.destroyForcibly();
            try {
                running.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        process = null;
    }

    /** Starts the server again on the same port and folder after {@link #stop}. */
    void restart() {
        stop();
        startProcess();
    }

    private void startProcess() {
        long started = System.nanoTime();
        Path jar = jar();
        Path properties = dir.resolve("s3proxy.properties");
        Properties p = new Properties();
        p.setProperty("s3proxy.endpoint", endpoint());
        p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        p.setProperty("s3proxy.identity", accessKey);
        p.setProperty("s3proxy.credential", secretKey);
        // DeleteObjects carries the SDK's x-amz-checksum-crc32, which S3Proxy 2.6 does not know (501 otherwise).
        p.setProperty("s3proxy.ignore-unknown-headers", "true");
        p.setProperty("jclouds.provider", "filesystem");
        p.setProperty("jclouds.filesystem.basedir", dir.resolve("buckets").toString());
        try (var out = Files.newBufferedWriter(properties, StandardCharsets.UTF_8)) {
            p.store(out, "devstack's S3 server; written at every start");
        } catch (IOException e) {
            throw new DevStackException("cannot write " + properties, e);
        }
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-jar", jar.toString(), "--properties", properties.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("s3proxy.log").toFile()));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new DevStackException("cannot start the S3 server " + jar, e);
        }
        awaitListening(started);
        LOG.info("devstack: S3 server (S3Proxy) on {} in {} ms, objects under {}", endpoint(), (System.nanoTime() - started) / 1_000_000,
                dir.resolve("buckets"));
    }

    private void awaitListening(long started) {
        while (System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS)) {
            if (!process.isAlive()) {
                throw new DevStackException("the S3 server exited with " + process.exitValue() + "; see " + dir.resolve("s3proxy.log"), null);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new DevStackException("interrupted while the S3 server started", ie);
                }
            }
        }
        stop();
        throw new DevStackException("the S3 server did not listen on port " + port + " within " + START_TIMEOUT_MS + " ms; see "
                + dir.resolve("s3proxy.log"), null);
    }

    /** The S3Proxy jar: -Dpulse.s3proxy.jar, else the one devstack's build put in the local Maven repository. */
    static Path jar() {
        String configured = System.getProperty("pulse.s3proxy.jar");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Properties build = new Properties();
        try (InputStream in = EmbeddedS3Server.class.getResourceAsStream("s3proxy.properties")) {
            if (in == null) {
                throw new DevStackException("devstack was built without its s3proxy.properties resource", null);
            }
            build.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path jar = Path.of(build.getProperty("jar"));
        if (!Files.isRegularFile(jar)) {
            throw new DevStackException("the S3Proxy jar " + jar + " is missing: build devstack (mvn -pl devstack package) to fetch it, "
                    + "or set -Dpulse.s3proxy.jar", null);
        }
        return jar;
    }

    @Override
    public void close() {
        stop();
    }
}

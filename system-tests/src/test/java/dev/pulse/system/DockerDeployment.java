package dev.pulse.system;

import com.github.dockerjava.api.DockerClient;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;

/**
 * The compose deployment (the repository's docker-compose.yml, the images of
 * deploy/build-images.sh) started once per test JVM through Testcontainers' {@link ComposeContainer}
 * with the local {@code docker compose}, fresh passwords and a fresh project (so fresh volumes), and
 * stopped with its volumes when the tests are done. Every container uses the host's network on
 * 127.0.0.1, so the tests reach the fixed ports of docker-compose.yml directly.
 *
 * <p>As an {@link ExecutionCondition} it skips the tests, saying why, where no Docker engine is
 * reachable, the images are not built, or the ports are taken (a `pulse deploy up` still running).
 * With {@code -Dpulse.build.images=true} (what {@code ./pulse test} passes when an engine is
 * reachable) it first builds the images from this build's jars with deploy/build-images.sh, so the
 * tests never run an image of older code; a failed image build fails the tests instead of skipping them.
 */
public final class DockerDeployment implements ExecutionCondition {
    public static final String API_1 = "http://127.0.0.1:18080";
    public static final String API_2 = "http://127.0.0.1:18082";
    public static final String QUERY = "http://127.0.0.1:18081";
    public static final String BOOTSTRAP = "127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094";
    /**
     * {@code -Dpulse.deploy.s3=true}: docker-compose.yml with docker-compose.s3.yml, the warehouse in
     * S3Proxy written through S3FileIO and read by lake-query through its cache. Off in CI (the
     * shared-volume deployment is the default); the object store is proven there by the embedded
     * ObjectStore*IT tests on the same S3Proxy.
     */
    static final boolean S3 = Boolean.getBoolean("pulse.deploy.s3");
    static final List<String> IMAGES = withS3(List.of("pulse/pulse:trixie", "pulse/kafka:trixie", "pulse/postgres:trixie",
            "pulse/pgbouncer:trixie"), "pulse/s3:trixie");
    static final List<Integer> PORTS = withS3(List.of(15432, 16432, 18080, 18081, 18082, 19092, 19093, 19094), 19900);
    static final Duration STARTUP = Duration.ofMinutes(8);
    /** Testcontainers names the compose project this plus a random suffix: fresh volumes every run. */
    static final String PROJECT_PREFIX = "pulsesystem";

    /** {@code base}, and {@code s3} too in the S3 variant. */
    private static <T> List<T> withS3(List<T> base, T s3) {
        return S3 ? java.util.stream.Stream.concat(base.stream(), java.util.stream.Stream.of(s3)).toList() : base;
    }

    private static DockerDeployment started;
    private static String skipReason;

    private final ComposeContainer compose;
    private final Map<String, String> env;

    /** For JUnit (the condition); the deployment itself is {@link #shared()}. */
    public DockerDeployment() {
        this.compose = null;
        this.env = Map.of();
    }

    private DockerDeployment(Map<String, String> env) {
        this.env = env;
        File base = new File(System.getProperty("pulse.compose.file", "../docker-compose.yml"));
        List<File> files = S3 ? List.of(base, new File(base.getParentFile(), "docker-compose.s3.yml")) : List.of(base);
        this.compose = new ComposeContainer(PROJECT_PREFIX, files)
                .withPull(false).withBuild(false).withRemoveVolumes(true).withEnv(env);
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String reason = skipReason();
        if (reason != null) {
            System.err.println("SKIPPED docker system tests: " + reason);
            return ConditionEvaluationResult.disabled(reason);
        }
        // Closed by JUnit when the whole test plan is done, while the JVM still runs: compose down -v.
        context.getRoot().getStore(ExtensionContext.Namespace.create(DockerDeployment.class))
                .computeIfAbsent("stop", key -> (AutoCloseable) DockerDeployment::stopShared);
        return ConditionEvaluationResult.enabled("a Docker engine and the Pulse images are here");
    }

    static synchronized String skipReason() {
        if (skipReason == null) {
            skipReason = findSkipReason();
        }
        return skipReason.isEmpty() ? null : skipReason;
    }

    private static String findSkipReason() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return "no Docker engine is reachable (deploy/setup-docker.sh installs and starts one, as root)";
        }
        if (Boolean.getBoolean("pulse.build.images")) {
            buildImages();
        }
        DockerClient docker = DockerClientFactory.instance().client();
        for (String image : IMAGES) {
            try {
                docker.inspectImageCmd(image).exec();
            } catch (RuntimeException e) {
                return "the image " + image + " is missing: run deploy/build-images.sh";
            }
        }
        for (int port : PORTS) {
            if (listening(port)) {
                return "port " + port + " on 127.0.0.1 is taken (a deployment still up? ./pulse deploy down)";
            }
        }
        return "";
    }

    /** deploy/build-images.sh, which waits for a build already running (./pulse test starts one) and rebuilds what changed. */
    private static void buildImages() {
        File script = new File(System.getProperty("pulse.repo.root", ".."), "deploy/build-images.sh");
        Instant begin = Instant.now();
        try {
            Process build = new ProcessBuilder("bash", script.getPath()).inheritIO().start();
            int exit = build.waitFor();
            if (exit != 0) {
                throw new IllegalStateException(script + " failed with exit code " + exit + " (its output is above)");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the images", e);
        }
        System.err.println("docker images built or up to date in " + Duration.between(begin, Instant.now()).toSeconds() + " s");
    }

    /** The deployment of this JVM, started on first use. */
    public static synchronized DockerDeployment shared() {
        if (started == null) {
            SecureRandom random = new SecureRandom();
            Map<String, String> env = new java.util.HashMap<>();
            for (String name : List.of("PULSE_ADMIN_PASSWORD", "PULSE_APP_PASSWORD", "PULSE_CATALOG_PASSWORD", "PULSE_OPERATOR_PASSWORD",
                    "PULSE_OPERATOR_TOKEN", "PULSE_S3_SECRET_ACCESS_KEY")) {
                byte[] bytes = new byte[18];
                random.nextBytes(bytes);
                env.put(name, HexFormat.of().formatHex(bytes));
            }
            DockerDeployment deployment = new DockerDeployment(Map.copyOf(env));
            Instant begin = Instant.now();
            deployment.compose.start();
            // A safety net only: the end of the test plan stops it (evaluateExecutionCondition).
            Runtime.getRuntime().addShutdownHook(new Thread(DockerDeployment::stopShared, "compose-down"));
            deployment.awaitReady();
            System.err.println("docker deployment up in " + Duration.between(begin, Instant.now()).toSeconds() + " s");
            started = deployment;
        }
        return started;
    }

    static synchronized void stopShared() {
        if (started != null) {
            started.compose.stop();
            started = null;
            removeVolumes();
        }
    }

    /** The volumes of this and earlier test projects (ComposeContainer's down leaves them with this engine). */
    private static void removeVolumes() {
        DockerClient docker = DockerClientFactory.instance().client();
        var volumes = docker.listVolumesCmd().exec().getVolumes();
        if (volumes == null) {
            return;
        }
        volumes.stream().filter(v -> v.getName().startsWith(PROJECT_PREFIX)).forEach(v -> {
            try {
                docker.removeVolumeCmd(v.getName()).exec();
            } catch (RuntimeException e) {
                System.err.println("could not remove volume " + v.getName() + ": " + e.getMessage());
            }
        });
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(STARTUP);
        for (String base : List.of(API_1, API_2, QUERY)) {
            while (!healthy(http, base)) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException(base + " did not become healthy within " + STARTUP);
                }
                sleep(1000);
            }
        }
        for (int port : List.of(18091, 18092, 18093)) { // the three workers' metrics listeners
            while (!listening(port)) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("worker with metrics port " + port + " did not start within " + STARTUP);
                }
                sleep(1000);
            }
        }
    }

    private static boolean healthy(HttpClient http, String base) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String operatorToken() {
        return env.get("PULSE_OPERATOR_TOKEN");
    }

    /** The runtime role's URL through PgBouncer; {@code database} "pulse" or "pulse_pool1" (one server connection). */
    public String appUrlThroughPgBouncer(String database) {
        return "jdbc:postgresql://127.0.0.1:16432/" + database + "?user=pulse_app&password=" + env.get("PULSE_APP_PASSWORD");
    }

    /** The container id of a service of this deployment (e.g. kafka-2), running or not. */
    public String containerId(String service) {
        List<com.github.dockerjava.api.model.Container> found = DockerClientFactory.instance().client().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of("com.docker.compose.service", service)).exec().stream()
                .filter(c -> c.getLabels().getOrDefault("com.docker.compose.project", "").startsWith(PROJECT_PREFIX))
                .sorted(java.util.Comparator.comparing(com.github.dockerjava.api.model.Container::getCreated).reversed()).toList();
        if (found.isEmpty()) {
            throw new IllegalStateException("no container for service " + service);
        }
        return found.getFirst().getId();
    }

    /** SIGKILL: the process dies at once, no shutdown hooks, no flush. */
    public void killNine(String service) {
        DockerClientFactory.instance().client().killContainerCmd(containerId(service)).withSignal("KILL").exec();
    }

    /** Starts a stopped or killed container; one the engine's restart policy already started again is left running. */
    public void start(String service) {
        try {
            DockerClientFactory.instance().client().startContainerCmd(containerId(service)).exec();
        } catch (com.github.dockerjava.api.exception.NotModifiedException alreadyRunning) {
            System.err.println(service + " was already running again (restart policy)");
        }
    }

    /** SIGTERM, at most {@code grace} to stop (then SIGKILL); the container stays, to be started again. */
    public void stop(String service, Duration grace) {
        DockerClientFactory.instance().client().stopContainerCmd(containerId(service)).withTimeout((int) grace.toSeconds()).exec();
    }

    /** A graceful restart: SIGTERM (the service's shutdown hooks run), at most {@code grace} to stop, then start. */
    public void restart(String service, Duration grace) {
        DockerClientFactory.instance().client().restartContainerCmd(containerId(service)).withTimeout((int) grace.toSeconds()).exec();
    }

    /** Waits until a worker's metrics listener answers again (the worker is up and in its group). */
    public void awaitWorker(String service) {
        int port = 18091 + Integer.parseInt(service.substring(service.lastIndexOf('-') + 1)) - 1;
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (!listening(port)) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(service + " did not listen on " + port + " within 2 minutes of its start");
            }
            sleep(500);
        }
    }
}

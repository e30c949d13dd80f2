package dev.pulse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.usage.UsageMinutes;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * {@code pulse dev} as a user's machine would fail: a real {@code pulse dev} process, two tenants
 * posting events with unique ids, and the whole process tree SIGKILLed at random moments while
 * events flow, the embedded PostgreSQL (which runs in a session of its own) included, then
 * restarted on the same data folder. Once, only the {@code pulse dev} process dies and its
 * PostgreSQL is left behind, as when a terminal's process group is killed. Afterwards every
 * event id is counted in the tables with Iceberg's own reader (not Pulse's preview): every event
 * acknowledged on its first attempt is there exactly once; an event whose request failed and was
 * sent again (the client cannot know whether the first attempt reached Kafka) at least once and
 * at most once per attempt.
 */
class DevCrashIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final int BATCH = 250;
    private static final int MAX_EVENTS_PER_TENANT = 40_000;
    private static final String GROUP = "pulse-worker";
    private static final String DATASET = "page-views";

    private final Random random = new Random();
    private Path dataDir;
    private int apiPort;
    private int queryPort;
    private int starts;

    @Test
    void everyAcknowledgedEventLandsExactlyOnceAcrossKillsOfTheWholeTree() throws Exception {
        dataDir = Files.createTempDirectory("pulse-crash-it");
        apiPort = freePort();
        queryPort = freePort();
        Process pulse = start();
        List<Client> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        List<String> figures = new ArrayList<>();
        try {
            Map<String, String> env = Settings.readEnvFile(dataDir.resolve("pulse.env"));
            OperatorClient operator = new OperatorClient(env.get(PulseKeys.API_URL.name()), env.get(PulseKeys.OPERATOR_TOKEN.name()));
            for (String prefix : List.of("a", "b")) {
                Client client = newTenant(operator, prefix);
                clients.add(client);
                threads.add(Thread.ofPlatform().name("crash-client-" + prefix).start(client));
            }

            int postgresPort = postgresPort();
            for (int kill = 1; kill <= 3; kill++) {
                long events = clients.stream().mapToLong(c -> c.acknowledged.size()).sum();
                pause(Duration.ofMillis(2_000 + random.nextInt(4_000)));
                await().atMost(Duration.ofSeconds(60)).until(() -> clients.stream().mapToLong(c -> c.acknowledged.size()).sum() > events
                        || threads.stream().noneMatch(Thread::isAlive));
                boolean whileDraining = kill == 3;
                if (whileDraining) {
                    clients.forEach(c -> c.posting.set(false));
                    for (Thread t : threads) {
                        t.join(Duration.ofSeconds(120));
                    }
                }
                boolean databaseToo = kill != 2;
                killTree(pulse, databaseToo);
                long restarted = System.nanoTime();
                pulse = start();
                long healthyMs = (System.nanoTime() - restarted) / 1_000_000;
                // Up on the first attempt, and the orphaned server (kill 2) was recognised and stopped,
                // not waited for and replaced on another port.
                assertThat(postgresPort()).isEqualTo(postgresPort);
                long assignedMs = millisUntilTheRestartedWorkerHoldsThePartitions();
                long resumeMs = millisUntilTheGroupCommits(clients);
                figures.add("kill " + kill + (databaseToo ? " (tree + PostgreSQL" : " (pulse dev only") + (whileDraining ? ", while draining)" : ", while posting)")
                        + ": healthy after " + healthyMs + " ms, partitions assigned " + assignedMs + " ms later, next group commit "
                        + resumeMs + " ms after that");
                // The killed worker's member holds the partitions only for pulse dev's 6 s session
                // timeout (the broker's floor), not Kafka's default 45 s.
                assertThat(assignedMs).as("the restarted worker holds the partitions once the killed member's 6 s session expired").isLessThan(20_000);
                assertThat(resumeMs).as("the worker commits again").isLessThan(90_000);
            }
            clients.forEach(c -> c.posting.set(false));
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(120));
                assertThat(t.isAlive()).isFalse();
            }

            Map<String, String> finalEnv = Settings.readEnvFile(dataDir.resolve("pulse.env"));
            Infrastructure infrastructure = Infrastructure.from(Settings.of(finalEnv));
            try (Admin admin = infrastructure.openKafkaAdmin()) {
                await().atMost(Duration.ofSeconds(180)).until(() -> caughtUp(admin, clients));
            }
            try (JdbcCatalog catalog = infrastructure.openCatalog(); TenantDatabase db = infrastructure.openDatabase("crash-it-usage")) {
                for (Client client : clients) {
                    figures.add(assertEachAcknowledgedEventOnce(catalog, client));
                }
                // Usage: after the kills (the usage topology's process killed with the rest), rows
                // landed equals the rows in the tables, and stays so.
                for (Client client : clients) {
                    long rows = countEventIds(catalog, client.tenant).values().stream().mapToLong(Integer::longValue).sum();
                    await().atMost(Duration.ofSeconds(120)).until(() -> rowsLanded(db, client.tenant) >= rows);
                    await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(20)).until(() -> rowsLanded(db, client.tenant) == rows);
                    figures.add("tenant " + client.prefix + ": rows landed (usage) = rows in the table = " + rows);
                }
            }
        } finally {
            figures.forEach(System.out::println);
            clients.forEach(c -> c.posting.set(false));
            stop(pulse);
        }
    }

    /** Counts the tenant's event ids in its table; returns the figures. */
    private static String assertEachAcknowledgedEventOnce(Catalog catalog, Client client) throws IOException {
        Map<String, Integer> counts = countEventIds(catalog, client.tenant);
        Set<String> retried = client.retried.keySet();
        List<String> lost = client.acknowledged.stream().filter(id -> !counts.containsKey(id)).toList();
        List<String> duplicated = client.acknowledged.stream()
                .filter(id -> !retried.contains(id) && counts.getOrDefault(id, 0) != 1).toList();
        List<String> overRetried = retried.stream().filter(id -> counts.getOrDefault(id, 0) > client.retried.get(id) + 1).toList();
        List<String> unknown = counts.keySet().stream().filter(id -> !client.sent.contains(id)).toList();
        long retriedExtra = retried.stream().mapToLong(id -> Math.max(0, counts.getOrDefault(id, 0) - 1)).sum();
        String figures = "tenant " + client.prefix + ": " + client.acknowledged.size() + " acknowledged, " + counts.size()
                + " distinct ids in the table, " + retried.size() + " sent more than once (" + retriedExtra + " extra rows from client retries)";
        System.out.println(figures);
        assertThat(lost).as("acknowledged but not in the table").isEmpty();
        assertThat(duplicated).as("acknowledged on the first attempt but not exactly once").isEmpty();
        assertThat(overRetried).as("more copies than attempts").isEmpty();
        assertThat(unknown).as("rows nobody sent").isEmpty();
        return figures;
    }

    /** One tenant's producer: batches of unique ids; a failed request is sent again until acknowledged. */
    private static final class Client implements Runnable {
        final String prefix;
        final TenantId tenant;
        final String key;
        final String apiUrl;
        final AtomicBoolean posting = new AtomicBoolean(true);
        final Set<String> sent = ConcurrentHashMap.newKeySet();
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        /** Ids of requests that failed at least once, with the number of failed attempts. */
        final Map<String, Integer> retried = new ConcurrentHashMap<>();
        private int next;

        Client(String prefix, TenantId tenant, String key, String apiUrl) {
            this.prefix = prefix;
            this.tenant = tenant;
            this.key = key;
            this.apiUrl = apiUrl;
        }

        @Override
        public void run() {
            List<String> pending = null;
            int failures = 0;
            while (pending != null || (posting.get() && next < MAX_EVENTS_PER_TENANT)) {
                if (pending == null) {
                    pending = new ArrayList<>();
                    for (int i = 0; i < BATCH; i++) {
                        pending.add(prefix + "-" + next++);
                    }
                    sent.addAll(pending);
                }
                if (post(pending)) {
                    acknowledged.addAll(pending);
                    pending = null;
                    failures = 0;
                    // A steady flow rather than a flood, so events are still flowing at every kill.
                    pause(Duration.ofMillis(150));
                } else {
                    pending.forEach(id -> retried.merge(id, 1, Integer::sum));
                    if (++failures > 600) {
                        throw new IllegalStateException("tenant " + prefix + ": a batch was refused 600 times");
                    }
                    pause(Duration.ofMillis(250));
                }
            }
        }

        private boolean post(List<String> ids) {
            ArrayNode events = OperatorClient.JSON.createArrayNode();
            for (String id : ids) {
                ObjectNode event = events.addObject().put("dataset", DATASET).put("event_id", id);
                event.putObject("data").put("url", "/crash/" + id).put("user_id", prefix);
            }
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(apiUrl + "/v1/events"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(events.toString())).build(), HttpResponse.BodyHandlers.ofString());
                return response.statusCode() == 202;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private Client newTenant(OperatorClient operator, String prefix) {
        String slug = "crash-" + prefix + "-" + Long.toHexString(random.nextLong() & 0xffffffL);
        JsonNode tenant = operator.post("/admin/v1/tenants", OperatorClient.JSON.createObjectNode().put("slug", slug));
        ObjectNode schema = OperatorClient.JSON.createObjectNode().put("name", "page-view");
        schema.set("definition", DevCommand.DemoTenant.demoSchema());
        operator.post("/admin/v1/tenants/" + slug + "/schemas", schema);
        operator.post("/admin/v1/tenants/" + slug + "/datasets", OperatorClient.JSON.createObjectNode().put("slug", DATASET).put("schema", "page-view"));
        ObjectNode keyRequest = OperatorClient.JSON.createObjectNode();
        keyRequest.putArray("scopes").add("ingest");
        String key = operator.post("/admin/v1/tenants/" + slug + "/keys", keyRequest).path("key").asText();
        return new Client(prefix, TenantId.parse(tenant.path("id").asText()), key, "http://127.0.0.1:" + apiPort);
    }

    /** Starts {@code pulse dev} on the data folder and waits until both services answer. */
    private Process start() throws IOException {
        Files.deleteIfExists(dataDir.resolve("pulse.env"));
        String javaBinary = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(javaBinary, "-Xmx768m", "-cp", System.getProperty("java.class.path"),
                Pulse.class.getName(), "dev", "--data-dir", dataDir.toString(),
                "--api-port", Integer.toString(apiPort), "--query-port", Integer.toString(queryPort), "--worker-metrics-port", "0");
        builder.environment().keySet().removeIf(k -> k.startsWith("PULSE_"));
        Path log = dataDir.resolve("pulse-dev-" + (++starts) + ".log");
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        Process process = builder.start();
        process.getOutputStream().close();
        try {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!process.isAlive()) {
                    throw new AssertionError("pulse dev exited with " + process.exitValue() + ":\n" + Files.readString(log));
                }
                return Files.exists(dataDir.resolve("pulse.env")) && healthy(apiPort) && healthy(queryPort);
            });
        } catch (RuntimeException | AssertionError e) {
            System.out.println(Files.readString(log));
            throw e;
        }
        return process;
    }

    private static boolean healthy(int port) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * SIGKILL, no clean-up anywhere: the {@code pulse dev} JVM with its descendants and, when
     * {@code databaseToo}, the PostgreSQL server of the data folder with all its backends (found
     * from {@code postmaster.pid}: it is no descendant, {@code pg_ctl} detached it).
     */
    private void killTree(Process pulse, boolean databaseToo) throws Exception {
        List<ProcessHandle> victims = new ArrayList<>();
        victims.add(pulse.toHandle());
        pulse.descendants().forEach(victims::add);
        if (databaseToo) {
            postmaster().ifPresent(pg -> {
                victims.add(pg);
                pg.descendants().forEach(victims::add);
            });
        }
        List<String> command = new ArrayList<>(List.of("kill", "-KILL"));
        victims.forEach(v -> command.add(Long.toString(v.pid())));
        Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> victims.stream().noneMatch(ProcessHandle::isAlive));
        if (!databaseToo) {
            assertThat(postmaster()).as("PostgreSQL outlives its pulse dev").isPresent();
        }
    }

    private Optional<ProcessHandle> postmaster() throws IOException {
        Path pidFile = dataDir.resolve("postgres").resolve("data").resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        return lines.isEmpty() ? Optional.empty() : ProcessHandle.of(Long.parseLong(lines.getFirst().trim())).filter(ProcessHandle::isAlive);
    }

    private int postgresPort() {
        String url = Settings.readEnvFile(dataDir.resolve("pulse.env")).get(PulseKeys.DATABASE_URL.name());
        String hostPort = url.substring("jdbc:postgresql://".length(), url.indexOf('/', "jdbc:postgresql://".length()));
        return Integer.parseInt(hostPort.substring(hostPort.indexOf(':') + 1));
    }

    /** From now until the group is stable with one member, the restarted worker, holding partitions. */
    private long millisUntilTheRestartedWorkerHoldsThePartitions() throws Exception {
        long started = System.nanoTime();
        Infrastructure infrastructure = Infrastructure.from(Settings.of(Settings.readEnvFile(dataDir.resolve("pulse.env"))));
        try (Admin admin = infrastructure.openKafkaAdmin()) {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP)).describedGroups().get(GROUP).get();
                return group.groupState() == GroupState.STABLE && group.members().size() == 1
                        && !group.members().iterator().next().assignment().topicPartitions().isEmpty();
            });
        }
        return (System.nanoTime() - started) / 1_000_000;
    }

    /** From now until the worker's group commits offsets again (or has nothing left to do). */
    private long millisUntilTheGroupCommits(List<Client> clients) throws Exception {
        long started = System.nanoTime();
        Infrastructure infrastructure = Infrastructure.from(Settings.of(Settings.readEnvFile(dataDir.resolve("pulse.env"))));
        try (Admin admin = infrastructure.openKafkaAdmin()) {
            long before = committedSum(admin);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                    .until(() -> committedSum(admin) > before || caughtUp(admin, clients));
        }
        return (System.nanoTime() - started) / 1_000_000;
    }

    private static long committedSum(Admin admin) throws Exception {
        return admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get().values().stream()
                .filter(java.util.Objects::nonNull).mapToLong(OffsetAndMetadata::offset).sum();
    }

    private static boolean caughtUp(Admin admin, List<Client> clients) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
        for (Client client : clients) {
            String topic = Topics.raw(client.tenant);
            int partitions = admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                request.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            for (var end : admin.listOffsets(request).all().get().entrySet()) {
                OffsetAndMetadata at = committed.get(end.getKey());
                if (end.getValue().offset() > 0 && (at == null || at.offset() < end.getValue().offset())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The tenant's "rows landed" of the last day, as GET /v1/usage reads it. */
    private static long rowsLanded(TenantDatabase db, TenantId tenant) {
        Instant now = Instant.now();
        return db.inTenant(tenant, tx -> UsageMinutes.read(tx, now.minus(Duration.ofDays(1)), now.plus(Duration.ofHours(1)),
                UsageMinutes.Granularity.DAY)).stream().filter(r -> r.metric().equals("rows_landed")).mapToLong(UsageMinutes.Row::count).sum();
    }

    /** Every event id in the tenant's table and how often it is there, read with Iceberg's generic reader. */
    private static Map<String, Integer> countEventIds(Catalog catalog, TenantId tenant) throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(catalog.loadTable(LakeNames.table(tenant, DATASET))).select("event_id").build()) {
            for (Record row : rows) {
                counts.merge((String) row.getField("event_id"), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static void stop(Process pulse) throws InterruptedException {
        if (pulse == null || !pulse.isAlive()) {
            return;
        }
        pulse.destroy(); // SIGTERM: the shutdown hook stops the services and the database
        if (!pulse.waitFor(60, TimeUnit.SECONDS)) {
            pulse.descendants().forEach(ProcessHandle::destroyForcibly);
            pulse.destroyForcibly();
        }
    }

    private static void pause(Duration duration) {
        await().pollDelay(duration).atMost(duration.plusSeconds(5)).until(() -> true);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}

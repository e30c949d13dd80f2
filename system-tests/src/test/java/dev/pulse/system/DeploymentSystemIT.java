package dev.pulse.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.system.PulseHttp.Tenant;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The deployment of docker-compose.yml, as built by deploy/build-images.sh: a 3-broker KRaft
 * cluster, PostgreSQL behind PgBouncer in transaction pooling mode, 2 ingest-api replicas, 3
 * workers in one group, lake-query. Two tenants end to end, the row-level-security attack through
 * PgBouncer on one server connection, a broker killed with SIGKILL while events flow, and the
 * workers' group killed into and restarted through while events flow.
 * Skipped, with the reason, where Docker or the images are missing ({@link DockerDeployment}).
 */
@Tag("docker")
@ExtendWith(DockerDeployment.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeploymentSystemIT {
    static DockerDeployment deployment;
    static PulseHttp pulse;

    @BeforeAll
    static void start() {
        deployment = DockerDeployment.shared();
        pulse = new PulseHttp(deployment);
    }

    @Test
    @Order(1)
    void twoTenantsEndToEndThroughBothApiReplicasEachSeeOnlyTheirOwnEvents() throws Exception {
        Tenant a = pulse.newTenant("page-views");
        Tenant b = pulse.newTenant("page-views");
        List<String> idsA = IntStream.range(0, 7).mapToObj(i -> "a-" + i).toList();
        List<String> idsB = IntStream.range(0, 5).mapToObj(i -> "b-" + i).toList();
        assertThat(PulseHttp.postEvents(DockerDeployment.API_1, a, PulseHttp.events("page-views", idsA)).statusCode()).isEqualTo(202);
        assertThat(PulseHttp.postEvents(DockerDeployment.API_2, b, PulseHttp.events("page-views", idsB)).statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(PulseHttp.previewEventIds(a, "page-views")).containsExactlyInAnyOrderElementsOf(idsA));
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(PulseHttp.previewEventIds(b, "page-views")).containsExactlyInAnyOrderElementsOf(idsB));

        // B names A's dataset: the same 404 as a dataset that exists nowhere, and posting into it is refused.
        Tenant onlyA = pulse.newTenant("orders-a");
        HttpResponse<String> asB = PulseHttp.preview(b, "orders-a");
        assertThat(asB.statusCode()).isEqualTo(404);
        assertThat(PulseHttp.preview(b, "no-such-dataset").statusCode()).isEqualTo(404);
        assertThat(PulseHttp.postEvents(DockerDeployment.API_2, b, PulseHttp.events("orders-a", List.of("x-1"))).statusCode()).isEqualTo(404);
        assertThat(PulseHttp.previewEventIds(onlyA, "orders-a")).isEmpty();
    }

    @Test
    @Order(2)
    void tenantTopicsAreReplicatedOnThreeBrokersWithTwoInSync() throws Exception {
        Tenant a = pulse.newTenant("page-views");
        String raw = Topics.raw(TenantId.parse(a.id()));
        try (Admin admin = admin()) {
            // A broker may serve a new topic's metadata a moment after the controller committed it.
            TopicDescription topic = await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
                    .until(() -> admin.describeTopics(List.of(raw)).allTopicNames().get().get(raw), t -> true);
            assertThat(topic.partitions()).isNotEmpty().allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
            Config config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, raw))).all().get()
                    .values().iterator().next();
            assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");
        }
    }

    /**
     * The attack of RowLevelSecurityAttackIT, now through PgBouncer in transaction pooling mode on
     * ONE server connection (the pulse_pool1 database): four clients interleave 10,000 transactions
     * of tenants A and B, plus transactions that bind no tenant at all. Pulse binds the tenant with
     * set_config(..., true), which ends with the transaction, so nothing leaks to the next one on
     * the shared server connection: zero foreign rows, and an unbound transaction sees nothing.
     */
    @Test
    @Order(3)
    void interleavedTenantTransactionsOnOnePgBouncerServerConnectionNeverSeeAForeignRow() throws Exception {
        Tenant a = pulse.newTenant("page-views");
        Tenant b = pulse.newTenant("page-views");
        String url = deployment.appUrlThroughPgBouncer("pulse_pool1");
        int clients = 4;
        int perClient = 2_500;
        AtomicLong foreign = new AtomicLong();
        AtomicLong wrongOwn = new AtomicLong();
        AtomicLong unboundSaw = new AtomicLong();
        Set<Integer> backends = ConcurrentHashMap.newKeySet();
        Instant begin = Instant.now();
        try (TenantDatabase pool = TenantDatabase.connect(url, clients, "interleave-pgbouncer")) {
            ExecutorService threads = Executors.newFixedThreadPool(clients + 1);
            List<Future<?>> work = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                work.add(threads.submit(() -> {
                    for (int i = 0; i < perClient; i++) {
                        TenantId self = TenantId.parse(((i + client) % 2 == 0 ? a : b).id());
                        long[] counts = pool.inTenant(self, tx -> tx.queryOptional(
                                "SELECT count(*) FILTER (WHERE tenant_id <> ?), count(*) FROM pulse.datasets",
                                rs -> new long[] {rs.getLong(1), rs.getLong(2)}, self).orElseThrow());
                        foreign.addAndGet(counts[0]);
                        if (counts[1] != 1) {
                            wrongOwn.incrementAndGet();
                        }
                        if (i % 100 == 0) {
                            backends.add(pool.inTenant(self, tx -> tx.queryOptional("SELECT pg_backend_pid()", rs -> rs.getInt(1)).orElseThrow()));
                        }
                    }
                    return null;
                }));
            }
            // A client that binds no tenant, between the others' transactions on the same server connection.
            work.add(threads.submit(() -> {
                try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
                    for (int i = 0; i < 500; i++) {
                        try (ResultSet rs = st.executeQuery("SELECT count(*), pg_backend_pid() FROM pulse.datasets")) {
                            rs.next();
                            unboundSaw.addAndGet(rs.getLong(1));
                            backends.add(rs.getInt(2));
                        }
                    }
                }
                return null;
            }));
            for (Future<?> f : work) {
                f.get();
            }
            threads.shutdown();
        }
        System.err.printf("%,d tenant transactions through PgBouncer (pool of one) in %d ms%n", clients * perClient,
                Duration.between(begin, Instant.now()).toMillis());
        assertThat(backends).as("PostgreSQL backends that served the transactions (pool_size=1)").hasSize(1);
        assertThat(foreign.get()).as("foreign rows seen").isZero();
        assertThat(wrongOwn.get()).as("transactions that did not see exactly their own dataset").isZero();
        assertThat(unboundSaw.get()).as("rows seen by transactions that bound no tenant").isZero();
    }

    /**
     * kill -9 one of the three brokers while two tenants' events flow through both API replicas:
     * every acknowledged (202) event lands exactly once; with replication 3 and min.insync.replicas
     * 2 the cluster keeps acknowledging on two brokers. The broker is started again at the end.
     */
    @Test
    @Order(4)
    void killingOneBrokerWhileEventsFlowLosesAndDuplicatesNoAcknowledgedEvent() throws Exception {
        TwoTenantFlow flow = new TwoTenantFlow(40, 10, 100);
        Thread.sleep(1500);
        deployment.killNine("kafka-2");
        Instant killedAt = Instant.now();
        flow.finish();
        System.err.printf("broker kafka-2 killed; %s%n", flow);
        assertThat(flow.acknowledged(flow.a).size() + flow.acknowledged(flow.b).size()).as("events acknowledged with a broker down").isPositive();
        try {
            flow.assertEveryAcknowledgedEventLandedOnceInItsOwnTable();
        } finally {
            deployment.start("kafka-2");
        }
        System.err.printf("everything acknowledged landed exactly once, %d s after the kill%n", Duration.between(killedAt, Instant.now()).toSeconds());
    }

    /**
     * The workers' group through every kind of membership change while two tenants post: worker-1
     * killed with SIGKILL (its partitions move after the session timeout, its open Kafka
     * transaction is aborted by its successor), worker-2 restarted meanwhile, worker-1 started
     * again, then a rolling restart of all three (SIGTERM, each back in the group before the next
     * goes). Every acknowledged event lands exactly once, counted by event id, and only in its
     * own tenant's table.
     */
    @Test
    @Order(5)
    void killingAWorkerAndRestartingAllThreeOneByOneLandEveryAcknowledgedEventExactlyOnce() throws Exception {
        // 8 events a second for at most 2 minutes: the preview (at most 1,000 rows) must show them all.
        TwoTenantFlow flow = new TwoTenantFlow(245, 4, 500);
        Instant begin = Instant.now();
        try {
            Thread.sleep(1500);
            deployment.killNine("worker-1");
            Thread.sleep(2000);
            deployment.restart("worker-2", Duration.ofSeconds(30));
            deployment.awaitWorker("worker-2");
            deployment.start("worker-1");
            deployment.awaitWorker("worker-1");
            for (String worker : List.of("worker-1", "worker-2", "worker-3")) {
                Thread.sleep(1000);
                deployment.restart(worker, Duration.ofSeconds(30));
                deployment.awaitWorker(worker);
            }
            Thread.sleep(1500);
        } finally {
            flow.stop();
        }
        System.err.printf("worker-1 killed, worker-2 restarted, then all three one by one in %d s; %s%n",
                Duration.between(begin, Instant.now()).toSeconds(), flow);
        assertThat(flow.refusals).as("the API does not depend on the workers").isEmpty();
        flow.assertEveryAcknowledgedEventLandedOnceInItsOwnTable();
        System.err.printf("everything acknowledged landed exactly once, %d s after the first kill%n", Duration.between(begin, Instant.now()).toSeconds());
    }

    /**
     * PostgreSQL stopped for 20 s while two tenants post through both API replicas: every answer
     * is a 202 or a 503 problem with {@code Retry-After} (never a 500, never a hang past the
     * client's timeout), a preview during the outage is a 503 too, and once PostgreSQL is back
     * every acknowledged event lands exactly once with no operator action.
     */
    @Test
    @Order(6)
    void stoppingPostgresForTwentySecondsAnswers503WithRetryAfterAndLosesNothingAcknowledged() throws Exception {
        TwoTenantFlow flow = new TwoTenantFlow(245, 4, 500);
        HttpResponse<String> previewDuringOutage;
        try {
            Thread.sleep(2000);
            deployment.stop("postgres", Duration.ofSeconds(10));
            Instant stopped = Instant.now();
            Thread.sleep(8000);
            previewDuringOutage = PulseHttp.preview(flow.a, "page-views");
            Thread.sleep(Math.max(0, Duration.ofSeconds(20).minus(Duration.between(stopped, Instant.now())).toMillis()));
            deployment.start("postgres");
            Thread.sleep(10_000);
        } finally {
            flow.stop();
        }
        System.err.printf("PostgreSQL stopped for 20 s: %s; preview during the outage %d %s%n", flow, previewDuringOutage.statusCode(),
                previewDuringOutage.headers().firstValue("Retry-After").orElse("(no Retry-After)"));
        List<String> wrong = flow.refusals.stream().filter(r -> r.statusCode() != 503 || r.headers().firstValue("Retry-After").isEmpty()
                        || !r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"))
                .map(r -> r.statusCode() + " " + r.headers().map() + " " + r.body()).toList();
        assertThat(wrong).as("answers other than 202 or a 503 problem with Retry-After").isEmpty();
        assertThat(previewDuringOutage.statusCode()).as(previewDuringOutage.body()).isEqualTo(503);
        assertThat(previewDuringOutage.headers().firstValue("Retry-After")).isPresent();
        flow.assertEveryAcknowledgedEventLandedOnceInItsOwnTable();
    }

    /**
     * Two new tenants posting batches of page views while a test breaks something, A through
     * api-1 and B through api-2, each batch after the answer to the previous one and a pause,
     * until a number of batches or {@link #stop}: what each sent, what was acknowledged (202),
     * and every other answer.
     */
    static final class TwoTenantFlow {
        final Tenant a = pulse.newTenant("page-views");
        final Tenant b = pulse.newTenant("page-views");
        final List<HttpResponse<String>> refusals = java.util.Collections.synchronizedList(new ArrayList<>());
        private final Map<Tenant, Set<String>> sent = Map.of(a, ConcurrentHashMap.newKeySet(), b, ConcurrentHashMap.newKeySet());
        private final Map<Tenant, Set<String>> acknowledged = Map.of(a, ConcurrentHashMap.newKeySet(), b, ConcurrentHashMap.newKeySet());
        private final java.util.concurrent.atomic.AtomicBoolean sending = new java.util.concurrent.atomic.AtomicBoolean(true);
        private final ExecutorService senders = Executors.newFixedThreadPool(2);
        private final List<Future<?>> flows = new ArrayList<>();

        TwoTenantFlow(int batches, int perBatch, long pauseMillis) throws Exception {
            for (Tenant tenant : List.of(a, b)) {
                String api = tenant == a ? DockerDeployment.API_1 : DockerDeployment.API_2;
                flows.add(senders.submit(() -> {
                    for (int batch = 0; sending.get() && batch < batches; batch++) {
                        int n = batch;
                        List<String> ids = IntStream.range(0, perBatch).mapToObj(i -> tenant.slug() + "-" + n + "-" + i).toList();
                        sent.get(tenant).addAll(ids);
                        HttpResponse<String> response = PulseHttp.postEvents(api, tenant, PulseHttp.events("page-views", ids));
                        if (response.statusCode() == 202) {
                            acknowledged.get(tenant).addAll(ids);
                        } else {
                            refusals.add(response);
                        }
                        Thread.sleep(pauseMillis);
                    }
                    return null;
                }));
            }
        }

        Set<String> acknowledged(Tenant tenant) {
            return acknowledged.get(tenant);
        }

        /** Waits until both senders have sent their batches. */
        void finish() throws Exception {
            for (Future<?> f : flows) {
                f.get();
            }
            senders.shutdown();
        }

        /** Stops sending after the batches in flight, and waits for their answers. */
        void stop() throws Exception {
            sending.set(false);
            finish();
        }

        /** Each tenant's preview holds every event acknowledged to it, none twice, and only events it sent. */
        void assertEveryAcknowledgedEventLandedOnceInItsOwnTable() throws Exception {
            for (Tenant tenant : List.of(a, b)) {
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                    List<String> landed = PulseHttp.previewEventIds(tenant, "page-views");
                    assertThat(PulseHttp.set(landed)).containsAll(acknowledged.get(tenant));
                });
                List<String> landed = PulseHttp.previewEventIds(tenant, "page-views");
                if (landed.size() != PulseHttp.set(landed).size()) {
                    diagnoseDuplicates(tenant, landed);
                }
                assertThat(landed).as("no event landed twice").doesNotHaveDuplicates();
                assertThat(sent.get(tenant)).as("only events that were sent, by their own tenant").containsAll(landed);
            }
        }

        @Override
        public String toString() {
            Map<Integer, Long> byStatus = new java.util.TreeMap<>();
            synchronized (refusals) {
                refusals.forEach(r -> byStatus.merge(r.statusCode(), 1L, Long::sum));
            }
            return acknowledged.get(a).size() + " + " + acknowledged.get(b).size() + " events acknowledged, other answers by status "
                    + byStatus;
        }
    }

    /** On a failure: are the duplicates in the raw topic (the API's producer) or only in the lake (the workers)? */
    static void diagnoseDuplicates(Tenant tenant, List<String> landed) throws Exception {
        String topic = Topics.raw(TenantId.parse(tenant.id()));
        Properties props = new Properties();
        props.put("bootstrap.servers", DockerDeployment.BOOTSTRAP);
        props.put("isolation.level", "read_committed");
        props.put("key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        props.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        Map<String, Integer> inTopic = new java.util.TreeMap<>();
        java.util.regex.Pattern id = java.util.regex.Pattern.compile("\"event_id\"\\s*:\\s*\"([^\"]+)\"");
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], String>(props)) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            Instant deadline = Instant.now().plusSeconds(30);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    var m = id.matcher(r.value());
                    inTopic.merge(m.find() ? m.group(1) : "?", 1, Integer::sum);
                });
            }
        }
        long twiceInTopic = inTopic.values().stream().filter(n -> n > 1).count();
        Map<String, Long> lake = new java.util.TreeMap<>();
        landed.forEach(e -> lake.merge(e, 1L, Long::sum));
        System.err.printf("DIAGNOSIS %s: raw topic %d records, %d ids, %d ids more than once; lake %d rows, %d ids%n", tenant.slug(),
                inTopic.values().stream().mapToInt(Integer::intValue).sum(), inTopic.size(), twiceInTopic, landed.size(), lake.size());
        for (String worker : List.of("worker-1", "worker-2", "worker-3", "api-1", "api-2")) {
            Process logs = new ProcessBuilder("docker", "logs", "--tail", "400", deployment.containerId(worker)).redirectErrorStream(true).start();
            String text = new String(logs.getInputStream().readAllBytes());
            text.lines().filter(l -> l.contains("WARN") || l.contains("ERROR") || l.contains("Exception"))
                    .limit(40).forEach(l -> System.err.println("DIAGNOSIS " + worker + ": " + l));
        }
    }

    static Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, DockerDeployment.BOOTSTRAP);
        return Admin.create(props);
    }
}

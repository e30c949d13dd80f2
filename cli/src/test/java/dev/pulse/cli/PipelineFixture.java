package dev.pulse.cli;

import dev.pulse.api.ApiConfig;
import dev.pulse.api.IngestApi;
import dev.pulse.control.testing.TestStack;
import dev.pulse.query.LakeQuery;
import dev.pulse.query.QueryConfig;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.worker.IngestWorker;
import dev.pulse.worker.WorkerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** The three services, started once per test JVM on the shared stack, plus a pulse.env for the CLI. */
final class PipelineFixture {
    private static PipelineFixture shared;
    private static PipelineFixture objectStore;

    final TestStack stack;
    final IngestApi api;
    final IngestWorker worker;
    final LakeQuery query;
    final Path envFile;
    final OperatorClient operator;

    private PipelineFixture(TestStack stack) throws IOException {
        this.stack = stack;
        api = IngestApi.start(ApiConfig.from(stack.settings()));
        worker = IngestWorker.start(WorkerConfig.from(stack.settings(Map.of("PULSE_WORKER_GROUP", "pulse-worker-e2e"))));
        query = LakeQuery.start(QueryConfig.from(stack.settings()));
        Map<String, String> env = new HashMap<>(stack.environment());
        env.put(PulseKeys.API_URL.name(), apiUrl());
        env.put(PulseKeys.QUERY_URL.name(), queryUrl());
        envFile = DevCommand.writeEnvFile(Files.createTempDirectory("pulse-cli-env"), env);
        operator = new OperatorClient(apiUrl(), env.get(PulseKeys.OPERATOR_TOKEN.name()));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            query.close();
            worker.close();
            api.close();
        }));
    }

    static synchronized PipelineFixture shared() throws IOException {
        if (shared == null) {
            shared = new PipelineFixture(TestStack.shared());
        }
        return shared;
    }

    /** The three services on this JVM's object-store stack ({@link TestStack#objectStore()}), started once. */
    static synchronized PipelineFixture objectStore() throws IOException {
        if (objectStore == null) {
            objectStore = new PipelineFixture(TestStack.objectStore());
        }
        return objectStore;
    }

    String apiUrl() {
        return "http://127.0.0.1:" + api.port();
    }

    String queryUrl() {
        return "http://127.0.0.1:" + query.port();
    }

    /** Reads the topic from the start until at least {@code atLeast} records arrived (and a quiet moment passed). */
    List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int atLeast) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long quietUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && (records.size() < atLeast || System.nanoTime() < quietUntil)) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** Every event id in the tenant's table of {@code dataset}, read with Iceberg's generic reader (one per row). */
    static List<String> eventIds(Catalog catalog, TenantId tenant, String dataset) {
        try (CloseableIterable<Record> rows = IcebergGenerics.read(catalog.loadTable(LakeNames.table(tenant, dataset))).select("event_id").build()) {
            List<String> ids = new ArrayList<>();
            rows.forEach(r -> ids.add((String) r.getField("event_id")));
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

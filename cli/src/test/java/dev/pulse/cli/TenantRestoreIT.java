package dev.pulse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.control.ControlException;
import dev.pulse.control.lifecycle.restore.Reingest;
import dev.pulse.control.lifecycle.restore.ReingestSkip;
import dev.pulse.control.lifecycle.restore.RestoreCrashPoint;
import dev.pulse.control.lifecycle.restore.RestoreTarget;
import dev.pulse.control.lifecycle.restore.TenantRestore;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code pulse tenant restore} on the whole pipeline (API, worker, PostgreSQL, broker, lake) with
 * two tenants: A is restored to a time before a bad bulk import (the table's content then, row
 * for row), the worker keeps landing A's new events exactly once, the events received after the
 * target come back through the raw topic minus the bad batch, each step survives a stop at its
 * worst moment and a re-run, while B's table stays byte-for-byte the same content; a dry run
 * changes nothing; a point outside the retention window (or another tenant's snapshot) is refused.
 */
class TenantRestoreIT {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String DATASET = "page-views";
    static PipelineFixture pipeline;

    record Tenant(String slug, TenantId id, String key) {
    }

    /** A stop at a crash point, as the process dying there would leave it. */
    static final class Stop extends RuntimeException {
        Stop(RestoreCrashPoint point) {
            super("stopped at " + point);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        pipeline = PipelineFixture.shared();
    }

    @Test
    void restoreRollsOneTenantBackAndReingestsWhatCameAfterMinusTheBadBatchExactlyOnce() throws Exception {
        Tenant a = newTenant("rsa");
        Tenant b = newTenant("rsb");
        post(a, events("early", 5));
        post(b, events("b-first", 4));
        awaitRows(a, 5);
        awaitRows(b, 4);
        Instant target = Instant.now();
        Set<String> atTarget = rows(a);
        await().until(() -> Instant.now().isAfter(target.plusMillis(5))); // later commits are stamped after the target
        post(a, events("bad", 6)); // the bad bulk import: one request
        awaitRows(a, 11);
        post(a, events("good", 3));
        post(b, events("b-later", 2));
        awaitRows(a, 14);
        awaitRows(b, 6);
        String badReceivedAt = receivedAtOf(a, "bad-0");
        String skipReceived = badReceivedAt + "/" + Instant.parse(badReceivedAt).plusMillis(1);
        String bBefore = contentHash(b);
        long aSnapshotBefore = table(a).currentSnapshot().snapshotId();

        // Dry run (the CLI, as an operator runs it): the plan per dataset and what would be re-ingested; nothing changes.
        PulseProcess.Result dry = PulseProcess.run(pipeline.envFile, "tenant", "restore", a.slug(), "--to", target.toString(), "--dry-run",
                "--reingest", "--skip-received", skipReceived, "--json");
        assertThat(dry.exitCode()).as(dry.stderr()).isZero();
        JsonNode plan = OperatorClient.JSON.readTree(dry.stdout());
        JsonNode dataset = plan.path("datasets").get(0);
        assertThat(dataset.path("current").path("rows").asLong()).isEqualTo(14);
        assertThat(dataset.path("target").path("rows").asLong()).isEqualTo(5);
        assertThat(dataset.path("rows_removed").asLong()).isEqualTo(9);
        assertThat(plan.path("reingest").path("would_send").asLong()).isEqualTo(3);
        assertThat(plan.path("reingest").path("skipped_by_operator").asLong()).isEqualTo(6);
        assertThat(table(a).currentSnapshot().snapshotId()).isEqualTo(aSnapshotBefore);
        assertThat(claims(a)).isEqualTo(14);

        // Another tenant's snapshot is no point of A's history.
        long bSnapshot = table(b).currentSnapshot().snapshotId();
        TenantRestore restore = new TenantRestore(pipeline.stack.db(), pipeline.stack.catalog());
        assertThatThrownBy(() -> restore.plan(a.id(), RestoreTarget.parse(DATASET + "=" + bSnapshot)))
                .isInstanceOf(ControlException.class).hasMessageContaining("has no snapshot " + bSnapshot);

        // The restore stops right after its table commit: A holds the target's rows, the claims are not released yet.
        RestoreTarget to = RestoreTarget.parse(target.toString());
        assertThatThrownBy(() -> restore.restore(a.id(), to, "operator:test", point -> {
            throw new Stop(point);
        })).isInstanceOf(Stop.class);
        assertThat(rows(a)).isEqualTo(atTarget);
        assertThat(claims(a)).isEqualTo(14);
        // The re-run finishes it: the removed events' claims go, the kept ones stay; the table is committed once.
        TenantRestore.RestoreResult restored = restore.restore(a.id(), to, "operator:test", RestoreCrashPoint.Hook.NONE);
        assertThat(restored.datasets().get(0).restoredBy()).isNotNull();
        assertThat(rows(a)).isEqualTo(atTarget);
        assertThat(claims(a)).isEqualTo(5);
        assertThat(contentHash(b)).isEqualTo(bBefore);

        // The worker goes on landing A's new events, exactly once, on top of the restored table.
        post(a, events("after", 2));
        awaitRows(a, 7);
        assertThat(rows(a)).containsAll(atTarget).hasSize(7);

        // Re-ingest minus the bad batch, stopped after its first chunk, then finished by the CLI re-run.
        List<dev.pulse.control.lifecycle.restore.DatasetPlan> plans = restored.datasets();
        ReingestSkip skip = ReingestSkip.parse(List.of(), skipReceived, List.of());
        assertThatThrownBy(() -> new Reingest(pipeline.stack.db(), pipeline.stack.bootstrap(), 2).run(a.id(), plans, skip, false,
                "operator:test", Reingest.Progress.NONE, point -> {
                    throw new Stop(point);
                })).isInstanceOf(Stop.class);
        PulseProcess.Result rerun = PulseProcess.run(pipeline.envFile, "tenant", "restore", a.slug(), "--to", target.toString(), "--reingest",
                "--skip-received", skipReceived, "--yes", "--json");
        assertThat(rerun.exitCode()).as(rerun.stderr()).isZero();
        assertThat(OperatorClient.JSON.readTree(rerun.stdout()).path("datasets").get(0).path("restored_by").asLong())
                .isEqualTo(restored.datasets().get(0).restoredBy());

        Set<String> expected = new TreeSet<>();
        for (String prefix : List.of("early", "good", "after")) {
            IntStream.range(0, prefix.equals("early") ? 5 : prefix.equals("good") ? 3 : 2).forEach(i -> expected.add(prefix + "-" + i));
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(eventIds(a)).containsExactlyInAnyOrderElementsOf(expected));
        // Exactly once: no row twice (the chunk sent before the stop was not sent again), no bad event.
        assertThat(totalRecords(a)).isEqualTo(expected.size());
        assertThat(contentHash(b)).isEqualTo(bBefore);
    }

    @Test
    void aTimeOutsideTheRetentionWindowIsRefusedNamingTheOldestRestorableTime() throws Exception {
        Tenant c = newTenant("rsc");
        post(c, events("one", 1));
        awaitRows(c, 1);
        Instant beforeSecond = Instant.now();
        await().until(() -> Instant.now().isAfter(beforeSecond.plusMillis(5)));
        post(c, events("two", 1));
        awaitRows(c, 2);
        Table table = table(c);
        long oldest = table.currentSnapshot().timestampMillis();
        table.expireSnapshots().expireOlderThan(oldest).retainLast(1).commit(); // what lake maintenance does past the retention
        PulseProcess.Result refused = PulseProcess.run(pipeline.envFile, "tenant", "restore", c.slug(), "--to", beforeSecond.toString(), "--yes");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr()).contains("outside dataset 'page-views'", "oldest restorable time is " + Instant.ofEpochMilli(oldest));
        assertThat(totalRecords(c)).isEqualTo(2);
    }

    static Tenant newTenant(String prefix) {
        String slug = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        JsonNode tenant = pipeline.operator.post("/admin/v1/tenants", OperatorClient.JSON.createObjectNode().put("slug", slug));
        ObjectNode schema = OperatorClient.JSON.createObjectNode().put("name", "page-view");
        schema.set("definition", DevCommand.DemoTenant.demoSchema());
        pipeline.operator.post("/admin/v1/tenants/" + slug + "/schemas", schema);
        pipeline.operator.post("/admin/v1/tenants/" + slug + "/datasets", OperatorClient.JSON.createObjectNode().put("slug", DATASET).put("schema", "page-view"));
        ObjectNode keyRequest = OperatorClient.JSON.createObjectNode();
        keyRequest.putArray("scopes").add("ingest");
        String key = pipeline.operator.post("/admin/v1/tenants/" + slug + "/keys", keyRequest).path("key").asText();
        return new Tenant(slug, TenantId.parse(tenant.path("id").asText()), key);
    }

    static ArrayNode events(String prefix, int count) {
        ArrayNode events = OperatorClient.JSON.createArrayNode();
        for (int i = 0; i < count; i++) {
            events.addObject().put("dataset", DATASET).put("event_id", prefix + "-" + i).putObject("data").put("url", "/" + prefix + "/" + i)
                    .put("duration_ms", i * 10);
        }
        return events;
    }

    static void post(Tenant tenant, ArrayNode events) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.apiUrl() + "/v1/events"))
                .header("Authorization", "Bearer " + tenant.key()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(events.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    static Table table(Tenant tenant) {
        return pipeline.stack.catalog().loadTable(LakeNames.table(tenant.id(), DATASET));
    }

    static long totalRecords(Tenant tenant) {
        Table table = table(tenant);
        return table.currentSnapshot() == null ? 0 : Long.parseLong(table.currentSnapshot().summary().get("total-records"));
    }

    static void awaitRows(Tenant tenant, long rows) {
        await().atMost(Duration.ofSeconds(60)).until(() -> totalRecords(tenant) == rows);
    }

    /** Every row of the table's current snapshot, whole (every column), as sorted text. */
    static Set<String> rows(Tenant tenant) {
        Table table = table(tenant);
        List<String> fields = table.schema().columns().stream().map(c -> c.name()).toList();
        Set<String> out = new TreeSet<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
            for (Record r : records) {
                out.add(fields.stream().map(f -> f + "=" + r.getField(f)).collect(Collectors.joining("|")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static List<String> eventIds(Tenant tenant) {
        List<String> ids = new ArrayList<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table(tenant)).select("event_id").build()) {
            records.forEach(r -> ids.add((String) r.getField("event_id")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ids;
    }

    static String receivedAtOf(Tenant tenant, String eventId) {
        try (CloseableIterable<Record> records = IcebergGenerics.read(table(tenant)).build()) {
            for (Record r : records) {
                if (eventId.equals(r.getField("event_id"))) {
                    return ((OffsetDateTime) r.getField("received_at")).toInstant().toString();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError(eventId + " not in the table");
    }

    static String contentHash(Tenant tenant) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (String row : rows(tenant)) {
            sha.update(row.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The tenant's dedup claims for the dataset, under RLS bound to it. */
    static long claims(Tenant tenant) {
        return pipeline.stack.db().inTenant(tenant.id(), tx -> tx.queryOptional(
                "SELECT count(*) FROM pulse.event_ids WHERE dataset_slug = ?", rs -> rs.getLong(1), DATASET).orElseThrow());
    }
}

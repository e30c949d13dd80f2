package dev.pulse.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.schemas.directory.DatasetRecord;
import dev.pulse.schemas.event.EventConverter;
import dev.pulse.schemas.event.EventEnvelope;
import dev.pulse.schemas.event.EventSchema;
import dev.pulse.schemas.lake.DatasetTableProperties;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.worker.lake.LakeRow;
import dev.pulse.worker.lake.RowPreparer;
import dev.pulse.worker.lake.SnapshotOffsets;
import dev.pulse.worker.lake.TableCommitter;
import dev.pulse.worker.lake.TableWriteResult;
import dev.pulse.worker.lake.TableWriter;
import dev.pulse.worker.maintain.LostCommitAttempts;
import dev.pulse.worker.maintain.SnapshotExpiry;
import dev.pulse.worker.maintain.TableMaintenance;
import dev.pulse.worker.maintain.TableMaintenance.MaintenanceResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lake maintenance on the real stack: bounded metadata, expiry that deletes an expired snapshot's
 * own files and keeps the exactly-once truth, time travel within the window, compaction beside
 * the worker's appends, orphan files, the per-table lock, and tenant isolation.
 */
class LakeMaintenanceIT {
    static WorkerFixture fixture;

    @BeforeAll
    static void setUp() {
        fixture = new WorkerFixture();
    }

    @AfterAll
    static void tearDown() {
        fixture.close();
    }

    /** Maintenance with every snapshot older than {@code keepAll} expired and small files merged from 2 on. */
    static TableMaintenance maintenance(String keepAll) {
        return maintenance(Map.of("PULSE_SNAPSHOT_KEEP_ALL", keepAll));
    }

    static TableMaintenance maintenance(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(Map.of("PULSE_COMPACTION_MIN_INPUT_FILES", "2", "PULSE_COMPACTION_COLD_AFTER", "PT1H"));
        all.putAll(settings);
        return new TableMaintenance(fixture.stack.db(), fixture.stack.catalog(), fixture.config("unused", all).maintenance());
    }

    /** Commits {@code count} rows of partition 0 with the worker's own write path, one table commit each. */
    static long ledgerRows(TenantId tenant, String slug) {
        return fixture.stack.db().inTenant(tenant, tx -> tx.query(
                "SELECT count(*) FROM pulse.ingest_commits WHERE dataset_slug = ?", rs -> rs.getLong(1), slug).get(0));
    }

    static void commitDirectly(TenantId tenant, String slug, long firstOffset, int count) {
        Table table = fixture.table(tenant, slug);
        EventSchema schema = fixture.stack.schemas().latest(tenant, "clicks").orElseThrow().parsed();
        TopicPartition tp = new TopicPartition(Topics.raw(tenant), 0);
        RetryPolicy retry = new RetryPolicy(3, Duration.ofMillis(10));
        for (long offset = firstOffset; offset < firstOffset + count; offset++) {
            table.refresh();
            Record row = EventConverter.convert(schema, table.schema(), new EventEnvelope(slug, "d" + offset, WorkerFixture.EVENT_TIME,
                    WorkerFixture.EVENT_TIME, WorkerFixture.json("{\"url\": \"/" + offset + "\"}"))).row();
            RowPreparer.PrepareResult prepared = new RowPreparer(table).prepare(row);
            TableWriteResult write = TableWriter.write(table, List.of(new LakeRow(tp, offset, row, WorkerFixture.EVENT_TIME, prepared.partition())));
            TableCommitter.commit(table, write, Map.of(), retry);
        }
    }

    static Path folder(String location) {
        return location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
    }

    static long bytesUnder(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long count(Path folder, String suffix) {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(suffix)).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> ids(Table table, long snapshotId) {
        try (CloseableIterable<Record> rows = IcebergGenerics.read(table).useSnapshot(snapshotId).build()) {
            List<String> out = new ArrayList<>();
            rows.forEach(r -> out.add((String) r.getField("event_id")));
            out.sort(null);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void newTablesGetTheMaintainedPropertiesAndOldTablesGetThemAtTheirFirstRun() {
        TenantId tenant = fixture.tenantWithDataset("events").id();
        Table table = fixture.table(tenant, "events");
        assertThat(DatasetTableProperties.missing(table)).isEmpty();
        assertThat(table.properties()).containsEntry(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true")
                .containsEntry(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "10");

        // A table as an older Pulse created it.
        table.updateProperties().remove(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED)
                .remove(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX).commit();
        MaintenanceResult result = maintenance("PT1H").maintain(tenant, fixture.dataset(tenant, "events"), TableMaintenance.Mode.SCHEDULED);
        assertThat(result.propertiesSet()).containsKeys(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED,
                TableProperties.METADATA_PREVIOUS_VERSIONS_MAX);
        assertThat(DatasetTableProperties.missing(fixture.table(tenant, "events"))).isEmpty();
        // Idempotent: nothing to set the second time.
        assertThat(maintenance("PT1H").maintain(tenant, fixture.dataset(tenant, "events"), TableMaintenance.Mode.SCHEDULED).propertiesSet()).isEmpty();
    }

    @Test
    void metadataStaysBoundedHoweverManySmallCommitsATableTakes() {
        TenantId tenant = fixture.tenantWithDataset("events").id();
        DatasetRecord dataset = fixture.dataset(tenant, "events");
        TableMaintenance maintenance = maintenance("PT0S");
        Path metadata = folder(fixture.table(tenant, "events").location()).resolve("metadata");
        List<Long> metadataBytes = new ArrayList<>();
        List<Long> currentBytes = new ArrayList<>();
        int rounds = 6;
        int commitsPerRound = 60;
        for (int round = 0; round < rounds; round++) {
            commitDirectly(tenant, "events", (long) round * commitsPerRound, commitsPerRound);
            maintenance.maintain(tenant, dataset, TableMaintenance.Mode.SCHEDULED);
            Table table = fixture.table(tenant, "events");
            metadataBytes.add(bytesUnder(metadata));
            currentBytes.add(folder(((org.apache.iceberg.HasTableOperations) table).operations().current().metadataFileLocation()).toFile().length());
            assertThat(count(metadata, ".metadata.json")).as("metadata files after round %d", round)
                    .isLessThanOrEqualTo(DatasetTableProperties.PREVIOUS_METADATA_VERSIONS + 1);
        }
        System.out.println("metadata folder bytes per round of " + commitsPerRound + " commits + maintenance: " + metadataBytes
                + "; current metadata file bytes: " + currentBytes + "; files: " + count(metadata, ".metadata.json") + " metadata, "
                + count(metadata, ".avro") + " manifests and manifest lists");
        // Independent of the table's age: the last round's folder is no bigger than the second's (with slack for one round's growth).
        assertThat(metadataBytes.getLast()).isLessThan(metadataBytes.get(1) * 3 / 2);
        assertThat(currentBytes.getLast()).isLessThan(currentBytes.get(1) * 3 / 2);
        assertThat(metadataBytes.getLast()).isLessThan(5L * 1024 * 1024);
        assertThat(fixture.eventIds(tenant, "events")).hasSize(rounds * commitsPerRound).doesNotHaveDuplicates();
        Table table = fixture.table(tenant, "events");
        assertThat(SnapshotOffsets.stored(table)).containsEntry(new TopicPartition(Topics.raw(tenant), 0), (long) rounds * commitsPerRound);
        assertThat(table.currentSnapshot().dataManifests(table.io()).size()).isLessThanOrEqualTo(DatasetTableProperties.MANIFESTS_TO_MERGE + 1);
    }

    @Test
    void expiryDeletesTheFilesOnlyExpiredSnapshotsHeldKeepsTheOffsetsTruthAndTheWorkerResumesExactlyOnce() {
        TenantId tenant = fixture.tenantWithDataset("events").id();
        String group = "expiry-" + UUID.randomUUID();
        List<String> expected = new ArrayList<>();
        try (IngestWorker worker = IngestWorker.start(fixture.config(group, Map.of("PULSE_MAINTENANCE_ENABLED", "false")))) {
            for (int wave = 0; wave < 4; wave++) {
                String id = "w" + wave;
                expected.add(id);
                fixture.produce(tenant, "events", id, "{\"url\": \"/w\"}");
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> fixture.eventIds(tenant, "events").contains(id));
            }
            fixture.awaitCaughtUp(group, tenant);
        }
        Table before = fixture.table(tenant, "events");
        Set<Path> smallFiles = dataFiles(before).stream().map(f -> folder(f.location())).collect(Collectors.toSet());
        assertThat(smallFiles).hasSize(4).allMatch(Files::exists);
        Map<TopicPartition, Long> truth = SnapshotOffsets.stored(before);
        assertThat(ledgerRows(tenant, "events")).isEqualTo(4);

        // Past the keep-all window every snapshot goes but the newest, which is also this hour's point.
        MaintenanceResult result = maintenance("PT0S").maintain(tenant, fixture.dataset(tenant, "events"), TableMaintenance.Mode.FULL);
        assertThat(result.compaction().filesRewritten()).isEqualTo(4);
        assertThat(result.expiry().snapshotsExpired()).isEqualTo(4);
        assertThat(result.expiry().snapshotsKept()).isEqualTo(1);
        assertThat(result.expiry().dataFilesDeleted()).isEqualTo(4);
        assertThat(smallFiles).noneMatch(Files::exists);

        Table after = fixture.table(tenant, "events");
        assertThat(SnapshotOffsets.stored(after)).isEqualTo(truth);
        assertThat(after.currentSnapshot().summary()).containsEntry(SnapshotOffsets.OFFSETS_OF, Long.toString(after.currentSnapshot().parentId()));
        assertThat(fixture.eventIds(tenant, "events")).containsExactlyElementsOf(expected);
        // The ledger forgets the expired commits but each partition's newest, which reconciliation needs.
        assertThat(truth.size()).isLessThan(4);
        assertThat(ledgerRows(tenant, "events")).isEqualTo(truth.size());

        // A restarted worker neither re-writes what the expired snapshots held nor skips what comes next.
        for (int i = 0; i < 3; i++) {
            expected.add("after" + i);
            fixture.produce(tenant, "events", "after" + i, "{\"url\": \"/a\"}");
        }
        try (IngestWorker worker = IngestWorker.start(fixture.config(group, Map.of("PULSE_MAINTENANCE_ENABLED", "false")))) {
            fixture.awaitCaughtUp(group, tenant);
        }
        assertThat(fixture.eventIds(tenant, "events")).containsExactlyInAnyOrderElementsOf(expected).doesNotHaveDuplicates();
    }

    @Test
    void timeTravelToAnySnapshotInsideTheKeepAllWindowStillReadsWhatItHeld() {
        TenantId tenant = fixture.tenantWithDataset("events").id();
        commitDirectly(tenant, "events", 0, 5);
        Table table = fixture.table(tenant, "events");
        long beforeCompaction = table.currentSnapshot().snapshotId();
        List<String> then = ids(table, beforeCompaction);

        MaintenanceResult result = maintenance("PT1H").maintain(tenant, fixture.dataset(tenant, "events"), TableMaintenance.Mode.FULL);
        assertThat(result.compaction().filesRewritten()).isEqualTo(5);
        assertThat(result.expiry().snapshotsExpired()).isZero();
        Table after = fixture.table(tenant, "events");
        assertThat(after.currentSnapshot().snapshotId()).isNotEqualTo(beforeCompaction);
        assertThat(ids(after, beforeCompaction)).isEqualTo(then);
        assertThat(ids(after, after.currentSnapshot().snapshotId())).isEqualTo(then);
        // Every snapshot of the window is still there, each readable.
        for (Snapshot s : after.snapshots()) {
            assertThat(ids(after, s.snapshotId())).isSubsetOf(then);
        }

        // Past the keep-all window, the hour keeps one point: a tag that reads as the table did then.
        commitDirectly(tenant, "events", 5, 2);
        List<String> hourEnd = fixture.eventIds(tenant, "events");
        MaintenanceResult pastWindow = maintenance("PT0S").maintain(tenant, fixture.dataset(tenant, "events"), TableMaintenance.Mode.SCHEDULED);
        assertThat(pastWindow.expiry().tagsCreated()).isPositive(); // one, or two across an hour's end
        Table tagged = fixture.table(tenant, "events");
        String tag = tagged.refs().keySet().stream().filter(name -> name.startsWith(SnapshotExpiry.TAG_PREFIX)).max(String::compareTo).orElseThrow();
        assertThat(ids(tagged, tagged.refs().get(tag).snapshotId())).isEqualTo(hourEnd);
        assertThat(ids(tagged, tagged.snapshot(tag).snapshotId())).hasSize(7);
    }

    @Test
    void aCompactionThatRacedAnAppendIsWalkedPastSoTheWorkerSeesTheAppendsOffsets() {
        TenantId tenant = fixture.tenantWithDataset("events").id();
        commitDirectly(tenant, "events", 0, 3);
        Table table = fixture.table(tenant, "events");
        Snapshot planned = table.currentSnapshot();
        Map<TopicPartition, Long> copied = SnapshotOffsets.stored(table);
        List<DataFile> inputs = dataFiles(table);
        // The worker appends between the compaction's copy of the map and its commit.
        commitDirectly(tenant, "events", 3, 1);
        table.refresh();
        // A "compaction" of one file into a copy of itself: same rows, another file.
        DataFile input = inputs.getFirst();
        Path copy = folder(input.location()).resolveSibling("copy-" + UUID.randomUUID() + ".parquet");
        try {
            Files.copy(folder(input.location()), copy);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DataFile merged = org.apache.iceberg.DataFiles.builder(table.specs().get(input.specId())).copy(input).withPath(copy.toString()).build();
        RewriteFiles rewrite = table.newRewrite().validateFromSnapshot(planned.snapshotId())
                .rewriteFiles(Set.of(input), Set.of(merged));
        rewrite.set(SnapshotOffsets.OFFSETS, SnapshotOffsets.formatOffsets(copied));
        rewrite.set(SnapshotOffsets.OFFSETS_OF, Long.toString(planned.snapshotId()));
        rewrite.commit();
        table.refresh();
        assertThat(fixture.eventIds(tenant, "events")).containsExactly("d0", "d1", "d2", "d3");
        assertThat(table.currentSnapshot().parentId()).isNotEqualTo(planned.snapshotId());
        assertThat(SnapshotOffsets.carriesOffsets(table.currentSnapshot())).isFalse();
        // The append's map, not the stale copy: offset 3 is held, so the worker would never write it again.
        assertThat(SnapshotOffsets.stored(table)).containsEntry(new TopicPartition(Topics.raw(tenant), 0), 4L);
        // And expiry keeps that append, however old.
        maintenance("PT0S").maintain(tenant, fixture.dataset(tenant, "events"), TableMaintenance.Mode.SCHEDULED);
        Table after = fixture.table(tenant, "events");
        assertThat(SnapshotOffsets.stored(after)).containsEntry(new TopicPartition(Topics.raw(tenant), 0), 4L);
    }

    @Test
    void orphanFilesOlderThanTheWindowAreRemovedAndYoungerOnesKept() throws IOException {
        TenantId tenant = fixture.tenantWithDataset("events").id();
        commitDirectly(tenant, "events", 0, 3);
        Table table = fixture.table(tenant, "events");
        Path root = folder(table.location());
        Path dataFolder = folder(dataFiles(table).getFirst().location()).getParent();
        Path oldOrphan = Files.writeString(dataFolder.resolve("crashed-batch-old.parquet"), "not committed");
        Path youngOrphan = Files.writeString(dataFolder.resolve("batch-in-flight.parquet"), "not committed yet");
        Path oldMetadata = Files.writeString(root.resolve("metadata").resolve("99999-failed-commit.metadata.json"), "{}");
        FileTime twoHoursAgo = FileTime.from(Instant.now().minus(Duration.ofHours(2)));
        Files.setLastModifiedTime(oldOrphan, twoHoursAgo);
        Files.setLastModifiedTime(oldMetadata, twoHoursAgo);
        // A sibling table whose name extends this one's: never listed as part of it.
        Path sibling = root.resolveSibling(root.getFileName() + "_2").resolve("data").resolve("x.parquet");
        Files.createDirectories(sibling.getParent());
        Files.writeString(sibling, "another table");
        Files.setLastModifiedTime(sibling, twoHoursAgo);

        MaintenanceResult dry = maintenance("PT1H").maintain(tenant, fixture.dataset(tenant, "events"), TableMaintenance.Mode.DRY_RUN);
        assertThat(dry.orphans().removed()).isEqualTo(2);
        assertThat(oldOrphan).exists();

        MaintenanceResult result = maintenance("PT1H").maintain(tenant, fixture.dataset(tenant, "events"), TableMaintenance.Mode.FULL);
        assertThat(result.orphans().removed()).isEqualTo(2);
        assertThat(result.orphans().tooYoung()).isEqualTo(1);
        assertThat(oldOrphan).doesNotExist();
        assertThat(oldMetadata).doesNotExist();
        assertThat(youngOrphan).exists();
        assertThat(sibling).exists();
        Table after = fixture.table(tenant, "events");
        assertThat(dataFiles(after)).allMatch(f -> Files.exists(folder(f.location())));
        for (Snapshot s : after.snapshots()) {
            assertThat(ids(after, s.snapshotId())).isNotEmpty();
        }
        assertThat(fixture.eventIds(tenant, "events")).containsExactly("d0", "d1", "d2");
    }

    @Test
    void theMetadataFileOfACommitThatLostItsRaceIsRemovedAtTheNextVisitAndOneNumberedAboveTheCurrentVersionIsKept() throws IOException {
        TenantId tenant = fixture.tenantWithDataset("events").id();
        commitDirectly(tenant, "events", 0, 1);
        Table winner = fixture.table(tenant, "events");
        Table loser = fixture.table(tenant, "events");
        Path metadata = folder(winner.location()).resolve("metadata");
        TableOperations loserOps = ((HasTableOperations) loser).operations();
        TableMetadata staleBase = loserOps.current();
        winner.updateProperties().set("pulse.test.winner", "1").commit();
        // What a commit on a stale base does (the worker's append racing a compaction): it writes
        // its metadata file, then fails the swap; Iceberg retries on the new base, the file stays.
        TableMetadata attempt = TableMetadata.buildFrom(staleBase).setProperties(Map.of("pulse.test.loser", "1")).build();
        assertThatThrownBy(() -> loserOps.commit(staleBase, attempt)).isInstanceOf(CommitFailedException.class);
        Table table = fixture.table(tenant, "events");
        List<Path> lost = unlisted(table, metadata);
        assertThat(lost).hasSize(1);
        long current = LostCommitAttempts.version(((HasTableOperations) table).operations().current().metadataFileLocation());
        Path inFlight = Files.writeString(metadata.resolve(String.format("%05d-%s.metadata.json", current + 50, UUID.randomUUID())), "{}");

        MaintenanceResult dry = maintenance("PT1H").maintain(tenant, fixture.dataset(tenant, "events"), TableMaintenance.Mode.DRY_RUN);
        assertThat(dry.lostAttempts().removed()).isEqualTo(1);
        assertThat(lost.getFirst()).exists();

        MaintenanceResult result = maintenance("PT1H").maintain(tenant, fixture.dataset(tenant, "events"), TableMaintenance.Mode.SCHEDULED);
        assertThat(result.lostAttempts().removed()).isEqualTo(1);
        assertThat(result.orphans().removed()).as("the orphan scan's window keeps young files: the lost attempt went at once").isZero();
        assertThat(lost.getFirst()).doesNotExist();
        assertThat(inFlight).exists();
        Table after = fixture.table(tenant, "events");
        assertThat(after.properties()).containsKey("pulse.test.winner").doesNotContainKey("pulse.test.loser");
        assertThat(unlisted(after, metadata)).containsExactly(inFlight);
        assertThat(fixture.eventIds(tenant, "events")).containsExactly("d0");
    }

    /** Metadata files in the folder that are neither the table's current one nor in its log. */
    static List<Path> unlisted(Table table, Path metadataFolder) throws IOException {
        TableMetadata current = ((HasTableOperations) table).operations().current();
        Set<Path> live = new HashSet<>();
        live.add(folder(current.metadataFileLocation()));
        current.previousFiles().forEach(e -> live.add(folder(e.file())));
        try (Stream<Path> files = Files.list(metadataFolder)) {
            return files.filter(p -> p.toString().endsWith(".metadata.json")).filter(p -> !live.contains(p)).sorted().toList();
        }
    }

    @Test
    void aTableIsNeverMaintainedByTwoMaintainersAtOnce() throws Exception {
        TenantId tenant = fixture.tenantWithDataset("events").id();
        commitDirectly(tenant, "events", 0, 4);
        DatasetRecord dataset = fixture.dataset(tenant, "events");
        TableMaintenance maintenance = maintenance("PT1H");
        maintenance.maintain(tenant, dataset, TableMaintenance.Mode.SCHEDULED); // creates the row
        commitDirectly(tenant, "events", 4, 4);

        // Another maintainer holds the table (as a running maintenance transaction does).
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> holder = pool.submit(() -> fixture.stack.db().inTenant(tenant, tx -> {
                tx.query("SELECT 1 FROM pulse.dataset_maintenance WHERE dataset_slug = ? FOR UPDATE", rs -> 1, "events");
                held.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }));
            held.await();
            MaintenanceResult whileHeld = maintenance.maintain(tenant, dataset, TableMaintenance.Mode.FULL);
            assertThat(whileHeld.lockedOut()).isTrue();
            assertThat(whileHeld.compaction().filesRewritten()).isZero();
            release.countDown();
            holder.get();
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        MaintenanceResult afterwards = maintenance.maintain(tenant, dataset, TableMaintenance.Mode.FULL);
        assertThat(afterwards.lockedOut()).isFalse();
        assertThat(afterwards.compaction().filesRewritten()).isPositive();

        // Eight maintainers at once: the rows stay exactly what was committed.
        commitDirectly(tenant, "events", 8, 6);
        ExecutorService many = Executors.newFixedThreadPool(8);
        try {
            List<Future<MaintenanceResult>> runs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                runs.add(many.submit(() -> maintenance("PT0S").maintain(tenant, dataset, TableMaintenance.Mode.FULL)));
            }
            int ran = 0;
            for (Future<MaintenanceResult> run : runs) {
                ran += run.get().lockedOut() ? 0 : 1;
            }
            assertThat(ran).isPositive();
        } finally {
            many.shutdownNow();
        }
        assertThat(fixture.eventIds(tenant, "events")).hasSize(14).doesNotHaveDuplicates();
    }

    @Test
    void anotherTenantCanNeitherSeeNorTriggerTheMaintenanceOfATenantsTables() {
        TenantId a = fixture.tenantWithDataset("events").id();
        TenantId b = fixture.tenantWithDataset("events").id();
        commitDirectly(a, "events", 0, 3);
        maintenance("PT1H").maintain(a, fixture.dataset(a, "events"), TableMaintenance.Mode.FULL);
        assertThat(slugsMaintained(a))
                .containsExactly("events");
        assertThat(slugsMaintained(b))
                .isEmpty();
        // B naming A's dataset row (as a tampered or guessed row would) is refused before any table is touched.
        DatasetRecord foreign = fixture.dataset(a, "events");
        long snapshotsBefore = count(fixture.table(a, "events"));
        assertThatThrownBy(() -> maintenance("PT0S").maintain(b, foreign, TableMaintenance.Mode.FULL))
                .hasMessageContaining("outside the tenant's namespace");
        assertThat(count(fixture.table(a, "events"))).isEqualTo(snapshotsBefore);
        // B's own run never writes a row for A's table.
        maintenance("PT0S").maintain(b, fixture.dataset(b, "events"), TableMaintenance.Mode.FULL);
        assertThat(slugsMaintained(b))
                .containsExactly("events");
    }

    static List<String> slugsMaintained(TenantId tenant) {
        return fixture.stack.db().inTenant(tenant, tx -> tx.query("SELECT dataset_slug FROM pulse.dataset_maintenance", rs -> rs.getString(1)));
    }

    static long count(Table table) {
        long n = 0;
        for (Snapshot ignored : table.snapshots()) {
            n++;
        }
        return n;
    }

    static List<DataFile> dataFiles(Table table) {
        List<DataFile> out = new ArrayList<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
            tasks.forEach(t -> out.add(t.file()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}

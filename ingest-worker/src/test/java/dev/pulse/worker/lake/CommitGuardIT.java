package dev.pulse.worker.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.event.EventConverter;
import dev.pulse.schemas.event.EventEnvelope;
import dev.pulse.schemas.event.EventSchema;
import dev.pulse.schemas.event.IcebergSchemas;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.worker.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stale-worker guard and the offsets a table carries, against a real table. */
class CommitGuardIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final RetryPolicy RETRY = new RetryPolicy(2, Duration.ofMillis(10));

    TestStack stack = TestStack.shared();
    TenantId tenant;
    TopicPartition p0;
    TopicPartition p1;
    EventSchema schema;

    @BeforeEach
    void dataset() throws Exception {
        tenant = stack.newTenant().id();
        schema = stack.schemas().register(tenant, "clicks", JSON.readTree("{\"type\": \"object\", \"properties\": {\"url\": {\"type\": \"string\"}}}"))
                .schema().parsed();
        stack.datasets().create(tenant, "clicks", "clicks", null, IcebergSchemas.Partitioning.HOUR);
        p0 = new TopicPartition(Topics.raw(tenant), 0);
        p1 = new TopicPartition(Topics.raw(tenant), 1);
    }

    Table table() {
        return stack.catalog().loadTable(LakeNames.table(tenant, "clicks"));
    }

    List<LakeRow> rows(Table table, TopicPartition tp, long from, long to) throws Exception {
        List<LakeRow> out = new ArrayList<>();
        RowPreparer preparer = new RowPreparer(table);
        for (long offset = from; offset < to; offset++) {
            // Two hours apart, so one batch spans several partitions (one file each).
            Instant eventTime = Instant.parse("2026-03-01T10:00:00Z").plus(Duration.ofHours(offset % 2));
            EventEnvelope envelope = new EventEnvelope("clicks", tp.partition() + "-" + offset, eventTime, eventTime, JSON.readTree("{\"url\": \"/x\"}"));
            Record row = EventConverter.convert(schema, table.schema(), envelope).row();
            out.add(new LakeRow(tp, offset, row, eventTime, preparer.prepare(row).partition()));
        }
        return out;
    }

    @Test
    void aTableWhoseStoredOffsetsAlreadyCoverTheBatchIsNotCommittedToAgain() throws Exception {
        Table worker = table();
        TableCommitter.commit(worker, TableWriter.write(worker, rows(worker, p0, 0, 5)), Map.of(), RETRY);
        int snapshots = snapshotCount();

        // The same records again (a second worker that read them before the first one committed).
        TableWriteResult again = TableWriter.write(worker, rows(worker, p0, 3, 7));
        assertThatThrownBy(() -> TableCommitter.commit(worker, again, Map.of(), RETRY))
                .isInstanceOf(StaleBatchException.class).hasMessageContaining("up to offset 5");
        assertThat(snapshotCount()).isEqualTo(snapshots);
        assertThat(SnapshotOffsets.stored(table())).containsExactlyEntriesOf(Map.of(p0, 5L));
    }

    @Test
    void aStaleTableHandleIsRefreshedBeforeTheGuardDecides() throws Exception {
        Table stale = table();
        Table fresh = table();
        TableCommitter.commit(fresh, TableWriter.write(fresh, rows(fresh, p0, 0, 4)), Map.of(), RETRY);

        // The stale handle has not seen that commit; the guard must, and refuse.
        TableWriteResult overlapping = TableWriter.write(stale, rows(stale, p0, 2, 6));
        assertThatThrownBy(() -> TableCommitter.commit(stale, overlapping, Map.of(), RETRY)).isInstanceOf(StaleBatchException.class);
        assertThat(table().currentSnapshot().summary().get("total-records")).isEqualTo("4");
    }

    @Test
    void eachCommitCarriesTheFullOffsetMapForwardAndItsOwnRanges() throws Exception {
        Table table = table();
        TableWriteResult first = TableWriter.write(table, rows(table, p0, 0, 3));
        assertThat(first.files()).hasSize(2); // two hours of event time: one file per partition value
        TableCommitter.commit(table, first, Map.of(), RETRY);
        TableCommitResult second = TableCommitter.commit(table, TableWriter.write(table, rows(table, p1, 10, 12)), Map.of(), RETRY);
        TableCommitter.commit(table, TableWriter.write(table, rows(table, p0, 3, 4)), Map.of(), RETRY);

        Table reloaded = table();
        assertThat(SnapshotOffsets.stored(reloaded)).containsExactlyInAnyOrderEntriesOf(Map.of(p0, 4L, p1, 12L));
        assertThat(SnapshotOffsets.commitOf(reloaded.snapshot(second.snapshotId())))
                .containsExactlyEntriesOf(Map.of(p1, new OffsetRange(10, 12, 2)));
        assertThat(reloaded.currentSnapshot().summary().get("total-records")).isEqualTo("6");
    }

    @Test
    void aBatchThatStartsWhereTheTableEndsIsCommitted() throws Exception {
        Table table = table();
        TableCommitter.commit(table, TableWriter.write(table, rows(table, p0, 0, 5)), Map.of(), RETRY);
        TableCommitter.commit(table, TableWriter.write(table, rows(table, p0, 5, 6)), Map.of(), RETRY);
        assertThat(SnapshotOffsets.stored(table())).containsExactlyEntriesOf(Map.of(p0, 6L));
    }

    /**
     * Two workers write one table, each its own partition. Iceberg refreshes the table again when
     * it applies an append, so a commit landing between the guard's refresh and the append used to
     * be silently built upon, and the append's offsets map (computed from the snapshot before)
     * took the other partition's offsets back: the next check took the rows for a vanished commit
     * and landed them again. The append must land on the snapshot its map was computed from.
     */
    @Test
    void aCommitLandingBetweenTheGuardAndTheAppendKeepsItsOffsetsInTheNewestMap() throws Exception {
        Table other = table();
        TableCommitter.commit(other, TableWriter.write(other, rows(other, p1, 10, 12)), Map.of(), RETRY);
        TableWriteResult racing = TableWriter.write(other, rows(other, p1, 12, 15));
        BaseTable loaded = (BaseTable) table();
        AtomicBoolean raced = new AtomicBoolean();
        // The guard's refresh, and right after it another worker's commit: the moment the race needs.
        Table worker = new BaseTable(loaded.operations(), loaded.name()) {
            @Override
            public void refresh() {
                super.refresh();
                if (raced.compareAndSet(false, true)) {
                    TableCommitter.commit(other, racing, Map.of(p1, 12L), RETRY);
                }
            }
        };
        TableCommitter.commit(worker, TableWriter.write(worker, rows(worker, p0, 0, 5)), Map.of(), RETRY);

        Table reloaded = table();
        assertThat(SnapshotOffsets.stored(reloaded)).containsExactlyInAnyOrderEntriesOf(Map.of(p0, 5L, p1, 15L));
        assertThat(reloaded.currentSnapshot().summary().get("total-records")).isEqualTo("10");
        // The worker's append landed on the racing commit, with a map computed from it.
        assertThat(SnapshotOffsets.commitOf(reloaded.currentSnapshot())).containsOnlyKeys(p0);
        assertThat(SnapshotOffsets.commitOf(reloaded.snapshot(reloaded.currentSnapshot().parentId()))).containsOnlyKeys(p1);
    }

    /**
     * A table an older worker left with a map taken back by that race: its newest map says less
     * about p1 than the commit of p1 still in the table. The owner of p1 knows better (its claim)
     * and must neither take the rows for lost nor be refused: the commit goes through and its map
     * holds p1 right again. A commit the catalog really lost is gone from the ancestry, and is
     * still refused (LostCommitIT).
     */
    @Test
    void aMapAnOlderWorkerTookBackIsRepairedFromTheCommitsStillInTheTable() throws Exception {
        Table table = table();
        TableCommitter.commit(table, TableWriter.write(table, rows(table, p1, 10, 12)), Map.of(), RETRY);
        TableCommitter.commit(table, TableWriter.write(table, rows(table, p1, 12, 15)), Map.of(p1, 12L), RETRY);
        // What the race left: an append of p0 on top of p1's commit, with the map of the snapshot before it.
        TableWriteResult p0Rows = TableWriter.write(table, rows(table, p0, 0, 5));
        AppendFiles older = table.newAppend();
        p0Rows.files().forEach(older::appendFile);
        older.set(SnapshotOffsets.OFFSETS, SnapshotOffsets.formatOffsets(Map.of(p0, 5L, p1, 12L)));
        older.set(SnapshotOffsets.COMMIT, SnapshotOffsets.formatCommit(p0Rows.ranges()));
        older.commit();
        assertThat(SnapshotOffsets.stored(table())).containsEntry(p1, 12L);

        TableCommitter.commit(table, TableWriter.write(table, rows(table, p1, 15, 17)), Map.of(p1, 15L), RETRY);
        assertThat(SnapshotOffsets.stored(table())).containsExactlyInAnyOrderEntriesOf(Map.of(p0, 5L, p1, 17L));
        assertThat(table().currentSnapshot().summary().get("total-records")).isEqualTo("12");
    }

    /**
     * The dataset's {@code row_count} with two workers on one table: worker 1 reconciles (on an
     * assignment) from a handle loaded before worker 2 committed and recorded its batch. The
     * reconciliation's reset to the table's {@code total-records} must not take worker 2's rows
     * back out of the count (SharedTableIT saw 3,260 counted for 3,269 rows).
     */
    @Test
    void aReconciliationFromAnOlderHandleNeverTakesAnotherWorkersRowsOutOfTheRowCount() throws Exception {
        CommitLedger ledger = new CommitLedger(stack.db(), RETRY);
        Table first = table();
        TableWriteResult a = TableWriter.write(first, rows(first, p0, 0, 5));
        ledger.record(tenant, "clicks", TableCommitter.commit(first, a, Map.of(), RETRY), a);
        Table olderHandle = table(); // worker 1's view: 5 rows

        Table second = table();
        TableWriteResult b = TableWriter.write(second, rows(second, p1, 0, 3));
        ledger.record(tenant, "clicks", TableCommitter.commit(second, b, Map.of(), RETRY), b); // worker 2: 8 rows now

        ledger.reconcile(tenant, "clicks", olderHandle);

        assertThat(table().currentSnapshot().summary().get("total-records")).isEqualTo("8");
        assertThat(rowCount()).isEqualTo(8);
    }

    private long rowCount() {
        return stack.db().inTenant(tenant, tx -> tx.queryOptional("SELECT row_count FROM pulse.datasets WHERE slug = 'clicks'",
                rs -> rs.getLong(1))).orElseThrow();
    }

    private int snapshotCount() {
        int n = 0;
        for (var ignored : table().snapshots()) {
            n++;
        }
        return n;
    }
}

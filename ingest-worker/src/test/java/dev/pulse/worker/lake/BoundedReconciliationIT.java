package dev.pulse.worker.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.schemas.event.IcebergSchemas;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.control.testing.TestStack;
import dev.pulse.worker.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Reconciliation reads what it needs, not the table's history: repairing the ledger after a crash
 * reads the same number of snapshots whether the table holds 10 or 5,000 of them. The snapshots
 * are cheap: empty appends carrying the summaries the worker writes, committed in one Iceberg
 * transaction per thousand.
 */
class BoundedReconciliationIT {
    static final ObjectMapper JSON = new ObjectMapper();
    final TestStack stack = TestStack.shared();
    final CommitLedger ledger = new CommitLedger(stack.db(), new RetryPolicy(3, Duration.ofMillis(50)));

    @Test
    void repairingTheLastCommitReadsAsManySnapshotsOnAShortAndALongHistory() throws Exception {
        TenantId tenant = stack.newTenant().id();
        Map<Integer, CommitLedger.ReconcileResult> repairs = new HashMap<>();
        for (int history : List.of(10, 5_000)) {
            String slug = "clicks-" + history;
            Table table = dataset(tenant, slug);
            Commits commits = new Commits(table, new TopicPartition(Topics.raw(tenant), 0));
            commits.append(history - 1);
            // The ledger has every commit but the newest: the worker died between the table commit and its ledger rows.
            ledger.reconcile(tenant, slug, table);
            commits.append(1);
            table.refresh();
            assertThat(ledgerRows(tenant, slug)).isEqualTo(history - 1);

            CommitLedger.ReconcileResult repaired = ledger.reconcile(tenant, slug, table);

            assertThat(repaired.inserted()).isEqualTo(1);
            assertThat(ledgerRows(tenant, slug)).isEqualTo(history);
            repairs.put(history, repaired);
            // Nothing missing: nothing read.
            assertThat(ledger.reconcile(tenant, slug, table)).isEqualTo(new CommitLedger.ReconcileResult(0, 0));
        }
        // The missing commit and the newest recorded one: two snapshots, whatever the history.
        assertThat(repairs.get(10).snapshotsRead()).isEqualTo(2);
        assertThat(repairs.get(5_000).snapshotsRead()).isEqualTo(repairs.get(10).snapshotsRead());
    }

    @Test
    void aCommitLeftUnrecordedIsFoundBehindNewerRecordedCommitsOfOtherPartitions() throws Exception {
        // Two workers: the one owning partition 0 died after its table commit; the one owning
        // partition 1 went on committing and recording. Partition 0's reassignment repairs it.
        TenantId tenant = stack.newTenant().id();
        Table table = dataset(tenant, "clicks");
        Commits p0 = new Commits(table, new TopicPartition(Topics.raw(tenant), 0));
        Commits p1 = new Commits(table, new TopicPartition(Topics.raw(tenant), 1));
        p0.append(3);
        p1.append(3);
        ledger.reconcile(tenant, "clicks", table);
        p0.append(1); // unrecorded
        p1.append(2);
        table.refresh();
        recordNewest(tenant, "clicks", table, 2); // partition 1's worker recorded its own commits

        CommitLedger.ReconcileResult repaired = ledger.reconcile(tenant, "clicks", table);

        assertThat(repaired.inserted()).isEqualTo(1);
        // Newest first: p1's two newest, the missing p0, p1's three older ones, then p0's newest recorded one.
        assertThat(repaired.snapshotsRead()).isEqualTo(7);
        assertThat(ledgerRows(tenant, "clicks")).isEqualTo(9);
    }

    @Test
    void pruningKeepsEachPartitionsNewestRowAndRowsOfLiveSnapshots() throws Exception {
        TenantId tenant = stack.newTenant().id();
        Table table = dataset(tenant, "clicks");
        Commits p0 = new Commits(table, new TopicPartition(Topics.raw(tenant), 0));
        Commits p1 = new Commits(table, new TopicPartition(Topics.raw(tenant), 1));
        p1.append(1);
        p0.append(4);
        long before = table.currentSnapshot().timestampMillis();
        await().until(() -> System.currentTimeMillis() > before); // the newest snapshot is strictly newer than the rest
        p0.append(1);
        ledger.reconcile(tenant, "clicks", table);
        table.refresh();
        // Expire every snapshot but the newest two (as lake maintenance would).
        Snapshot keptOldest = table.snapshot(table.currentSnapshot().parentId());
        var expiry = table.expireSnapshots();
        table.snapshots().forEach(s -> {
            if (s.snapshotId() != keptOldest.snapshotId() && s.snapshotId() != table.currentSnapshot().snapshotId()) {
                expiry.expireSnapshotId(s.snapshotId());
            }
        });
        expiry.commit();
        table.refresh();

        int pruned = ledger.pruneExpired(tenant, "clicks", table);

        // p0's three oldest commits go; p1's only row (its newest) and p0's two live ones stay.
        assertThat(pruned).isEqualTo(3);
        assertThat(ledgerRows(tenant, "clicks")).isEqualTo(3);
        assertThat(ledger.reconcile(tenant, "clicks", table)).isEqualTo(new CommitLedger.ReconcileResult(0, 0));
    }

    private Table dataset(TenantId tenant, String slug) throws Exception {
        // Registering the same definition again is the existing version.
        stack.schemas().register(tenant, "clicks", JSON.readTree("{\"type\": \"object\", \"properties\": {\"url\": {\"type\": \"string\"}}}"));
        stack.datasets().create(tenant, slug, "clicks", null, IcebergSchemas.Partitioning.DAY);
        return stack.catalog().loadTable(LakeNames.table(tenant, slug));
    }

    private long ledgerRows(TenantId tenant, String slug) {
        return stack.db().inTenant(tenant, tx -> tx.queryOptional("SELECT count(*) FROM pulse.ingest_commits WHERE dataset_slug = ?",
                rs -> rs.getLong(1), slug)).orElseThrow();
    }

    /** Inserts the ledger rows of the table's {@code n} newest snapshots, as the worker that made them does. */
    private void recordNewest(TenantId tenant, String slug, Table table, int n) {
        Snapshot s = table.currentSnapshot();
        for (int i = 0; i < n; i++, s = table.snapshot(s.parentId())) {
            Snapshot snapshot = s;
            SnapshotOffsets.commitOf(snapshot).forEach((tp, range) -> stack.db().inTenant(tenant, tx -> tx.update("""
                    INSERT INTO pulse.ingest_commits (tenant_id, dataset_slug, snapshot_id, topic, kafka_partition, first_offset,
                                                      next_offset, record_count, committed_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""", tenant, slug, snapshot.snapshotId(), tp.topic(), tp.partition(),
                    range.firstOffset(), range.nextOffset(), range.recordCount(), Instant.ofEpochMilli(snapshot.timestampMillis()))));
        }
    }

    /** Commits one partition's records to a table as the worker would (one record per commit), without data files: only the summaries matter here. */
    private static final class Commits {
        private final Table table;
        private final TopicPartition tp;

        Commits(Table table, TopicPartition tp) {
            this.table = table;
            this.tp = tp;
        }

        void append(int commits) {
            table.refresh();
            int done = 0;
            while (done < commits) {
                Transaction tx = table.newTransaction();
                Map<TopicPartition, Long> offsets = new HashMap<>(SnapshotOffsets.stored(table));
                for (int i = 0; i < 1_000 && done < commits; i++, done++) {
                    long next = offsets.getOrDefault(tp, 0L);
                    offsets.put(tp, next + 1);
                    AppendFiles append = tx.newFastAppend();
                    append.set(SnapshotOffsets.OFFSETS, SnapshotOffsets.formatOffsets(offsets));
                    append.set(SnapshotOffsets.COMMIT, SnapshotOffsets.formatCommit(Map.of(tp, new OffsetRange(next, next + 1, 1))));
                    append.set(SnapshotOffsets.MAX_EVENT_TIME, Instant.parse("2026-03-01T10:00:00Z").plusSeconds(next).toString());
                    append.commit();
                }
                tx.commitTransaction();
                table.refresh();
            }
        }
    }
}

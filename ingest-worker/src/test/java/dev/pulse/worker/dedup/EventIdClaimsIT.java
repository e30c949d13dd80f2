package dev.pulse.worker.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.schemas.tenancy.DatabaseException;
import dev.pulse.worker.RetryPolicy;
import dev.pulse.worker.lake.LakeRow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.types.Types;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The claim protocol against the real PostgreSQL, as the runtime role, tenant by tenant. */
class EventIdClaimsIT {
    static final Schema SCHEMA = new Schema(Types.NestedField.optional(1, "event_id", Types.StringType.get()));
    static TestStack stack;
    static EventIdClaims claims;

    @BeforeAll
    static void setUp() {
        stack = TestStack.shared();
        claims = new EventIdClaims(stack.db(), new RetryPolicy(2, Duration.ofMillis(50)), Duration.ofDays(1));
    }

    static LakeRow row(TenantId tenant, int partition, long offset, String eventId) {
        GenericRecord record = GenericRecord.create(SCHEMA);
        record.setField("event_id", eventId);
        return new LakeRow(new TopicPartition(Topics.raw(tenant), partition), offset, record, Instant.EPOCH, null);
    }

    static List<String> ids(List<LakeRow> rows) {
        return rows.stream().map(r -> r.offset() + ":" + r.row().getField("event_id")).toList();
    }

    static List<String> storedClaims(TenantId tenant, String dataset) {
        return stack.db().inTenant(tenant, tx -> tx.query(
                "SELECT event_id, kafka_partition, kafka_offset FROM pulse.event_ids WHERE dataset_slug = ? ORDER BY event_id",
                rs -> rs.getString(1) + "@" + rs.getInt(2) + ":" + rs.getLong(3), dataset));
    }

    @Test
    void theFirstRecordOfAnIdWinsWithinABatchAndAgainstEarlierBatches() {
        TenantId tenant = stack.newTenant().id();
        ClaimResult first = claims.claim(tenant, "events", List.of(row(tenant, 0, 1, "a"), row(tenant, 0, 2, "b"), row(tenant, 0, 3, "a")));
        assertThat(ids(first.kept())).containsExactly("1:a", "2:b");
        assertThat(ids(first.duplicates())).containsExactly("3:a");

        ClaimResult later = claims.claim(tenant, "events", List.of(row(tenant, 0, 7, "b"), row(tenant, 0, 8, "c")));
        assertThat(ids(later.kept())).containsExactly("8:c");
        assertThat(ids(later.duplicates())).containsExactly("7:b");
        assertThat(storedClaims(tenant, "events")).containsExactly("a@0:1", "b@0:2", "c@0:8");
    }

    @Test
    void aBatchClaimedAgainAfterACrashKeepsItsOwnRowsAndDropsTheSameDuplicates() {
        TenantId tenant = stack.newTenant().id();
        List<LakeRow> batch = List.of(row(tenant, 1, 10, "x"), row(tenant, 1, 11, "y"), row(tenant, 1, 12, "x"));
        ClaimResult once = claims.claim(tenant, "events", batch);
        ClaimResult again = claims.claim(tenant, "events", batch);
        assertThat(ids(again.kept())).isEqualTo(ids(once.kept())).containsExactly("10:x", "11:y");
        assertThat(ids(again.duplicates())).isEqualTo(ids(once.duplicates())).containsExactly("12:x");
        // A batch re-read from a later start (the part before it committed) still keeps its own row.
        assertThat(ids(claims.claim(tenant, "events", List.of(row(tenant, 1, 11, "y"), row(tenant, 1, 12, "x"))).kept()))
                .containsExactly("11:y");
    }

    @Test
    void aDuplicateReadBeforeItsOriginalStillLosesToTheClaimOfRecord() {
        // The claim says which position holds the id, whichever of the records a batch meets first.
        TenantId tenant = stack.newTenant().id();
        claims.claim(tenant, "events", List.of(row(tenant, 0, 9, "z")));
        ClaimResult result = claims.claim(tenant, "events", List.of(row(tenant, 0, 5, "z"), row(tenant, 0, 9, "z")));
        assertThat(ids(result.kept())).containsExactly("9:z");
        assertThat(ids(result.duplicates())).containsExactly("5:z");
    }

    @Test
    void theSameIdInAnotherDatasetOrAnotherTenantIsNotADuplicate() {
        TenantId a = stack.newTenant().id();
        TenantId b = stack.newTenant().id();
        claims.claim(a, "events", List.of(row(a, 0, 1, "same")));
        assertThat(claims.claim(a, "orders", List.of(row(a, 0, 2, "same"))).kept()).hasSize(1);
        assertThat(claims.claim(b, "events", List.of(row(b, 0, 5, "same"))).kept()).hasSize(1);
    }

    @Test
    void aReleasedClaimLetsTheNextRecordOfItsIdLand() {
        TenantId tenant = stack.newTenant().id();
        LakeRow refused = row(tenant, 0, 1, "r");
        claims.claim(tenant, "events", List.of(refused));
        claims.release(tenant, "events", List.of(refused));
        assertThat(ids(claims.claim(tenant, "events", List.of(row(tenant, 0, 4, "r"))).kept())).containsExactly("4:r");
    }

    @Test
    void anIdPostgresCannotHoldIsNotDeduplicatedButStillStored() {
        TenantId tenant = stack.newTenant().id();
        List<LakeRow> rows = List.of(row(tenant, 0, 1, "nul\0id"), row(tenant, 0, 2, "nul\0id"), row(tenant, 0, 3, "lone\uD800"));
        assertThat(claims.claim(tenant, "events", rows).kept()).hasSize(3);
        assertThat(storedClaims(tenant, "events")).isEmpty();
    }

    @Test
    void aClaimOlderThanTheWindowIsTakenOverAndPrunedInBoundedChunks() {
        TenantId tenant = stack.newTenant().id();
        TenantId other = stack.newTenant().id();
        List<LakeRow> rows = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            rows.add(row(tenant, 0, i, "old-" + i));
        }
        claims.claim(tenant, "events", rows);
        claims.claim(other, "events", List.of(row(other, 0, 0, "old-0")));
        ageClaims(tenant, Duration.ofDays(2));
        ageClaims(other, Duration.ofDays(2));

        // Outside the window the id is new again: the resend lands and now holds the claim.
        assertThat(ids(claims.claim(tenant, "events", List.of(row(tenant, 0, 100, "old-0"))).kept())).containsExactly("100:old-0");

        int deleted = stack.db().inTenant(tenant, tx -> ClaimPruning.prune(tx, Duration.ofDays(1), 10));
        assertThat(deleted).isEqualTo(10);
        deleted = stack.db().inTenant(tenant, tx -> ClaimPruning.prune(tx, Duration.ofDays(1), 100));
        assertThat(deleted).isEqualTo(14);
        assertThat(storedClaims(tenant, "events")).containsExactly("old-0@0:100");
        // Pruning is the bound tenant's only: the other tenant's old claim is still there.
        assertThat(storedClaims(other, "events")).containsExactly("old-0@0:0");
    }

    @Test
    void theWorkerPrunesDueTenantsOnItsOwnWhileClaiming() {
        TenantId tenant = stack.newTenant().id();
        EventIdClaims fresh = new EventIdClaims(stack.db(), new RetryPolicy(0, Duration.ofMillis(1)), Duration.ofDays(1));
        fresh.claim(tenant, "events", List.of(row(tenant, 0, 0, "stale")));
        ageClaims(tenant, Duration.ofDays(3));
        // A new worker has never pruned this tenant: its first claim prunes what is due.
        new EventIdClaims(stack.db(), new RetryPolicy(0, Duration.ofMillis(1)), Duration.ofDays(1))
                .claim(tenant, "events", List.of(row(tenant, 0, 1, "new")));
        assertThat(storedClaims(tenant, "events")).containsExactly("new@0:1");
    }

    @Test
    void tenantBBoundToItsOwnIdCannotReadChangeDeleteOrForgeTenantAsClaims() {
        TenantId a = stack.newTenant().id();
        TenantId b = stack.newTenant().id();
        claims.claim(a, "events", List.of(row(a, 0, 1, "secret")));

        long seen = stack.db().inTenant(b, tx -> tx.queryOptional("SELECT count(*) FROM pulse.event_ids WHERE tenant_id = ?",
                rs -> rs.getLong(1), a).orElseThrow());
        int deletedById = stack.db().inTenant(b, tx -> tx.update("DELETE FROM pulse.event_ids WHERE tenant_id = ?", a));
        int deletedAll = stack.db().inTenant(b, tx -> tx.update("DELETE FROM pulse.event_ids"));
        int updated = stack.db().inTenant(b, tx -> tx.update("UPDATE pulse.event_ids SET kafka_offset = 99 WHERE event_id = 'secret'"));
        assertThat(List.of(seen, (long) deletedById, (long) deletedAll, (long) updated)).containsOnly(0L);
        // Forging a claim in A's name (to make A drop an event) is refused by the policy's WITH CHECK.
        assertThatThrownBy(() -> stack.db().inTenant(b, tx -> tx.update("""
                INSERT INTO pulse.event_ids (tenant_id, dataset_slug, event_id, kafka_partition, kafka_offset, first_seen)
                VALUES (?, 'events', 'forged', 0, 0, now())""", a)))
                .isInstanceOf(DatabaseException.class).hasMessageContaining("row-level security");
        // B's claim of the same id string is its own and leaves A's untouched.
        claims.claim(b, "events", List.of(row(b, 0, 5, "secret")));
        assertThat(storedClaims(a, "events")).containsExactly("secret@0:1");
        assertThat(storedClaims(b, "events")).containsExactly("secret@0:5");
    }

    /** Moves the tenant's claims back in time (under RLS for the tenant, as the worker's role could). */
    static void ageClaims(TenantId tenant, Duration age) {
        stack.db().inTenant(tenant, tx -> tx.update(
                "UPDATE pulse.event_ids SET first_seen = first_seen - ? * interval '1 millisecond'", age.toMillis()));
    }
}

package dev.pulse.worker.dedup;

import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.worker.RetryPolicy;
import dev.pulse.worker.lake.LakeRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * A benchmark, not a test (not matched by Failsafe's *IT pattern): what deduplication costs the
 * worker per table and batch, against the real PostgreSQL (durable settings) as the runtime role.
 * Run it with
 * {@code mvn -B -o -pl ingest-worker -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=EventIdClaimsBench -Dfailsafe.failIfNoSpecifiedTests=false}.
 * The tenant's dataset already holds {@value #PREFILLED} claims (a busy day's ids), so the
 * primary key is not a toy; each figure is the median (and p95) of {@value #ROUNDS} claims after
 * {@value #WARM_UP} warm-up rounds.
 */
class EventIdClaimsBench {
    static final int PREFILLED = 1_000_000;
    static final int ROUNDS = 30;
    static final int WARM_UP = 5;

    @Test
    void claimCostPerBatch() {
        TestStack stack = TestStack.shared();
        TenantId tenant = stack.newTenant().id();
        EventIdClaims claims = new EventIdClaims(stack.db(), new RetryPolicy(0, Duration.ofMillis(1)), Duration.ofDays(1));
        stack.db().inTenant(tenant, tx -> tx.update("""
                INSERT INTO pulse.event_ids (tenant_id, dataset_slug, event_id, kafka_partition, kafka_offset, first_seen)
                SELECT ?, 'events', 'prefilled-' || n, 0, n, now() FROM generate_series(1, ?) AS n""", tenant, PREFILLED));
        stack.db().inTenant(tenant, tx -> tx.update("ANALYZE pulse.event_ids"));
        long[] offset = {10_000_000};
        for (int size : new int[] {500, 5_000}) {
            IntFunction<List<LakeRow>> fresh = round -> batch(tenant, size, offset, "fresh-" + UUID.randomUUID() + "-");
            report("fresh ids", size, round -> claims.claim(tenant, "events", fresh.apply(round)));
            List<LakeRow> replayed = batch(tenant, size, offset, "replayed-");
            claims.claim(tenant, "events", replayed);
            report("the same batch again (re-read after a crash)", size, round -> claims.claim(tenant, "events", replayed));
            report("all duplicates (ids held at other offsets)", size,
                    round -> claims.claim(tenant, "events", batch(tenant, size, offset, "replayed-")));
        }
        // The general statement alone (what every claim ran before the fresh-ids fast path).
        report("reference: INSERT … DO UPDATE … RETURNING of 5,000 fresh ids", 5_000, round -> stack.db().inTenant(tenant, tx -> {
            String[] ids = new String[5_000];
            int[] partitions = new int[5_000];
            long[] offsets = new long[5_000];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = "general-" + round + "-" + UUID.randomUUID() + "-" + i;
                offsets[i] = i;
            }
            long window = Duration.ofDays(1).toMillis();
            return tx.query(EventIdClaims.CLAIM, rs -> rs.getString(1), tenant, "events", ids, partitions, offsets, window, window, window).size();
        }));
        report("empty tenant-bound transaction (reference)", 0, round -> stack.db().inTenant(tenant, tx -> null));
        // What PostgreSQL alone costs for the same rows: a plain insert of 5,000 fresh ids, no conflict handling, no RETURNING.
        report("reference: plain INSERT of 5,000 fresh rows", 5_000, round -> stack.db().inTenant(tenant, tx -> {
            String[] ids = new String[5_000];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = "plain-" + round + "-" + UUID.randomUUID() + "-" + i;
            }
            return tx.update("""
                    INSERT INTO pulse.event_ids (tenant_id, dataset_slug, event_id, kafka_partition, kafka_offset, first_seen)
                    SELECT ?, 'events', i.id, 0, 0, now() FROM unnest(?::text[]) AS i(id)""", tenant, ids);
        }));
    }

    static List<LakeRow> batch(TenantId tenant, int size, long[] offset, String prefix) {
        List<LakeRow> rows = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            rows.add(EventIdClaimsIT.row(tenant, i % 3, offset[0]++, prefix + i));
        }
        return rows;
    }

    static void report(String what, int size, java.util.function.IntConsumer claim) {
        for (int i = 0; i < WARM_UP; i++) {
            claim.accept(i);
        }
        long[] micros = new long[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            long start = System.nanoTime();
            claim.accept(i);
            micros[i] = (System.nanoTime() - start) / 1_000;
        }
        Arrays.sort(micros);
        long median = micros[ROUNDS / 2];
        long p95 = micros[(int) Math.ceil(ROUNDS * 0.95) - 1];
        System.out.printf("DEDUP-COST %-46s batch %5d: median %7.2f ms, p95 %7.2f ms, %6.2f µs per event%n", what, size,
                median / 1000.0, p95 / 1000.0, size == 0 ? 0.0 : (double) median / size);
    }
}

package dev.pulse.schemas.directory;

import dev.pulse.schemas.tenancy.TenantTransaction;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * A dataset of the tenant that the worker cannot ingest right now ({@code pulse.ingest_status},
 * under RLS): why, since when, how many tries failed in a row, and when it tries again. The worker
 * writes it when it pauses the tenant's partitions and deletes it when they flow again, so no row
 * means nothing is held back.
 */
public record IngestStatus(String dataset, String state, String reason, Instant failingSince, int failures, Instant retryAt,
        Instant updatedAt) {
    public static final String PAUSED = "paused";
    private static final int MAX_REASON_CHARS = 2000;

    /** The tenant's one current status: this dataset paused; rows about its other datasets are stale and go. */
    public static void recordPaused(TenantTransaction tx, String dataset, String reason, Instant failingSince, int failures,
            Instant retryAt) throws SQLException {
        tx.update("DELETE FROM pulse.ingest_status WHERE dataset_slug <> ?", dataset);
        tx.update("""
                INSERT INTO pulse.ingest_status
                    (tenant_id, dataset_slug, state, reason, failing_since, failures, retry_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, now())
                ON CONFLICT (tenant_id, dataset_slug) DO UPDATE
                   SET state = EXCLUDED.state, reason = EXCLUDED.reason, failing_since = EXCLUDED.failing_since,
                       failures = EXCLUDED.failures, retry_at = EXCLUDED.retry_at, updated_at = EXCLUDED.updated_at""",
                tx.tenant(), dataset, PAUSED, storable(reason), failingSince, failures, retryAt);
    }

    /** PostgreSQL text holds no NUL; a reason quotes exception messages, which may. */
    private static String storable(String reason) {
        String text = reason.replace('\u0000', '\uFFFD');
        return text.length() <= MAX_REASON_CHARS ? text : text.substring(0, MAX_REASON_CHARS - 1) + "…";
    }

    /** The tenant flows again: no status is left. */
    public static int clear(TenantTransaction tx) throws SQLException {
        return tx.update("DELETE FROM pulse.ingest_status");
    }

    public static List<IngestStatus> list(TenantTransaction tx) throws SQLException {
        return tx.query("""
                SELECT dataset_slug, state, reason, failing_since, failures, retry_at, updated_at
                  FROM pulse.ingest_status ORDER BY dataset_slug""",
                rs -> new IngestStatus(rs.getString("dataset_slug"), rs.getString("state"), rs.getString("reason"),
                        TenantTransaction.instant(rs, "failing_since"), rs.getInt("failures"), TenantTransaction.instant(rs, "retry_at"),
                        TenantTransaction.instant(rs, "updated_at")));
    }
}

package dev.pulse.worker.consume;

import dev.pulse.schemas.tenancy.DatabaseException;
import org.apache.iceberg.jdbc.UncheckedInterruptedException;
import org.apache.iceberg.jdbc.UncheckedSQLException;
import org.apache.kafka.common.KafkaException;

/**
 * Which failures belong to the infrastructure every tenant shares. Those stop the batch (and, when
 * retries are spent, the worker, for its supervisor to restart). Everything else that goes wrong
 * with one table — its metadata missing or unreadable, its commit refused, its data files not
 * writable — belongs to that table's tenant, which is paused while the others go on.
 */
final class Failures {
    private Failures() {
    }

    static boolean isInfrastructure(RuntimeException e) {
        return e instanceof DatabaseException // Pulse's own PostgreSQL (RLS lookups, ledger)
                || e instanceof UncheckedSQLException || e instanceof UncheckedInterruptedException // the JDBC catalog's database
                || e instanceof KafkaException;
    }
}

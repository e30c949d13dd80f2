/**
 * Usage metering: a Kafka Streams topology ({@link dev.pulse.worker.usage.UsageMetering},
 * application {@code pulse-usage}, {@code exactly_once_v2}) running in the worker process, that
 * counts per tenant and minute what Pulse services wrote to the internal usage topic
 * ({@code dev.pulse.schemas.usage}: record format, topic, metrics) and stores the totals in
 * {@code pulse.usage_minutes} under RLS, where {@code GET /v1/usage}, the operator's route and
 * {@code pulse usage} read them.
 *
 * <h2>The topology</h2>
 *
 * <p>usage topic (keyed by tenant id) → parse and count each {@code id} once (a persistent store
 * of ids seen, forgotten after {@code UsageRecord.DEDUP_RETENTION_DAYS} days of wall clock) →
 * group by tenant, one-minute tumbling windows with an hour of grace, sum per metric and
 * dimension ({@code UsageCounts}) → sink: each updated minute's totals written in one transaction
 * bound to the tenant ({@code UsageMinutes.record}). Records are keyed by tenant, so nothing is
 * repartitioned, and all copies of one id meet in one task.
 *
 * <h2>Why the sink is exact</h2>
 *
 * <p>The window store's cache flushes downstream before each Streams commit, so a minute's total is
 * in PostgreSQL before the input offsets and the store's changelog that produced it commit. A
 * crash after the write and before the commit restores the store to the committed state and
 * replays the same committed input (read_committed) in the same order: the same totals, written
 * again, change nothing. A total only grows ({@code WHERE EXCLUDED.count > count}), so a fenced
 * instance writing an older total late cannot move a minute back. A failing write (the database
 * down past the retries) fails the stream thread, which is replaced after a pause and starts from
 * the last commit.
 *
 * <h2>Where rows landed come from</h2>
 *
 * <p>The worker sends one record per table commit ({@code landed/<table>/<snapshot id>}, the
 * snapshot's {@code added-records}) in the Kafka transaction of its batch, and queues again, when
 * a partition is positioned, the commits at or above the group offset whose transaction may have
 * died with the process ({@code consume.LandedUsage}, called where the ledger is reconciled). The
 * id makes the copies count once, so after any crash rows landed equal the rows in the tables.
 */
package dev.pulse.worker.usage;

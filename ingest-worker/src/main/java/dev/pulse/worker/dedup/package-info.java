/**
 * Retries never duplicate: each dataset keeps the event ids it received within the dedup window
 * ({@code PULSE_DEDUP_WINDOW}, a day by default) in {@code pulse.event_ids}, under RLS for the
 * tenant, and a record whose id is already there at another Kafka position is a duplicate.
 *
 * <p><b>Where and when.</b> In the worker, per table and batch, after routing and before the
 * data files are written ({@link EventIdClaims#claim}, one statement in the tenant's
 * transaction). Each row claims its id with its raw-topic partition and offset
 * (first {@code INSERT … ON CONFLICT DO NOTHING}, which for a batch of new ids — the common case —
 * inserts them all and is done; when it inserted fewer rows than ids, {@code INSERT … ON CONFLICT
 * DO UPDATE} returning the row that holds each id, in the same transaction): the row whose
 * position the claim holds is kept, every other row with that id is a duplicate — within the
 * batch or against an earlier one, from the same request or another. The claim is committed
 * before the table commit on purpose: a batch re-read after a crash (at any point, the claims
 * committed or not) claims the same ids at the same positions again and keeps them, so a
 * replayed batch is never taken for a duplicate of itself; and a duplicate is skipped the same
 * way however often it is read.
 *
 * <p><b>Why the worker and not the edge.</b> The ingest-api keys each record by its event id, so
 * one id lands on one partition in order, but only the worker knows which records became rows:
 * a record sent to the DLQ claims nothing, so its replay (or a corrected resend) still lands. A
 * check at the edge would have to trust a produce it cannot see complete. Claims do not rely on
 * the partitioning for correctness — the table's primary key arbitrates between partitions too
 * (after a partition count change, or two replicas in a rebalance).
 *
 * <p><b>Duplicates are skipped, not dead-lettered</b>: the event is stored once, which is what
 * the producer asked for; a dead letter would invite a replay that is again a duplicate. They are
 * counted ({@link EventIdClaims#duplicatesSkipped}) and logged per batch.
 *
 * <p><b>The window.</b> A claim older than the window is taken over by the next record with its
 * id (that record is stored again, as documented), and claims are pruned per tenant in chunks
 * of {@value ClaimPruning#CHUNK} rows, at most once a minute per tenant unless the last chunk was
 * full: the cost per batch stays bounded and pruning keeps up with any ingest rate. A row the
 * Parquet writer refuses after all (the DLQ's {@code unwritable-value}) gives its claim back
 * ({@link EventIdClaims#release}). Ids that cannot be stored in PostgreSQL text (a NUL, more than
 * {@value EventIdClaims#MAX_ID_LENGTH} characters; the ingest-api never sends such ids) are not
 * deduplicated.
 */
package dev.pulse.worker.dedup;

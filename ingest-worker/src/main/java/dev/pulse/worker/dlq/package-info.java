/**
 * Dead letters: a record that cannot land, as a value with its reason (stable error code, stage,
 * source position in headers, original bytes kept); the indexer that folds the committed DLQ
 * topics into the dead-letter store ({@link dev.pulse.worker.dlq.DeadLetterIndexer}, one row per
 * original event in {@code pulse.dead_letters}, written with its DLQ offsets in one tenant-bound
 * transaction, so the store is exactly what the topics say after any crash); and the replay of a
 * tenant's selected dead letters back to its raw topic ({@link dev.pulse.worker.dlq.DlqReplay}:
 * filtered, patched by a JSON Merge Patch, dry-runnable, paced, audited, exactly once per dead
 * letter and resumable, its progress kept in PostgreSQL and its sent chunks proven by the replay
 * group's committed offset in the same Kafka transaction as the records).
 *
 * <p>The indexer hooks nothing in the ingest loop: it is a separate consumer of the DLQ topics,
 * in the group {@code <worker group>.dlq-index}, whose offsets it never commits to Kafka (the
 * offsets stored with the rows are the truth). It stops when the worker's loop dies, as a killed
 * process would.
 */
package dev.pulse.worker.dlq;

/**
 * The ingest worker: reads every tenant's raw topic, validates each event against its dataset's
 * schema, lands valid rows in the tenant's Iceberg table exactly once and sends the rest, with
 * the reason, to the tenant's dead-letter topic.
 *
 * <h2>Exactly once, Kafka to Iceberg</h2>
 *
 * <p><b>The tables are the truth about rows.</b> Every table commit stores in its snapshot summary
 * the Kafka offsets it covers ({@code pulse.kafka.offsets}: next offset per topic/partition, merged
 * with the previous snapshot's map so the newest snapshot holds the whole map; plus this commit's
 * own ranges in {@code pulse.kafka.commit}). The append and the offsets land in one atomic
 * catalog swap, so a table can never hold rows without the offsets that say so, or the reverse.
 *
 * <p><b>The group offset is the truth about the DLQ.</b> DLQ records and the consumer-group
 * offsets of a batch are written in one Kafka transaction (EOS v2:
 * {@code sendOffsetsToTransaction} with the consumer's group metadata, so a worker whose group
 * generation is stale is fenced). A record below the committed group offset is therefore in a
 * table or in the DLQ: it is handled.
 *
 * <p><b>Commit order per batch:</b> data files → table commit (one per table) → ledger and
 * dataset stats in the tenant's RLS transaction → Kafka transaction (DLQ + offsets). A crash
 * between any two leaves: orphan files (harmless); tables ahead of the group offset (the records
 * are re-read and skipped per table, the DLQ records re-sent once, the open transaction aborted
 * by the successor with the same transactional id or by the broker's transaction timeout); a
 * ledger behind the tables (repaired by reconciliation, below).
 *
 * <p><b>Where a partition resumes:</b> at the committed group offset, else at the beginning
 * of the partition. While reading, a record is skipped when it is below the group offset
 * (handled), or when it is bound for a table whose stored next offset is above it (the table
 * holds it). So the tables decide, record by record, what is never written again; the group
 * offset only decides where reading starts. Deliberately not "seek to the tables' smallest
 * stored offset": a table knows only its own rows, and the records before its offset may have
 * been bound for the DLQ in a batch whose Kafka transaction died with the process; starting
 * there would lose them (the crash tests catch exactly this). And not {@code min(group offset,
 * tables)}: a table that rarely gets rows would drag the start back by millions of records, and
 * a record below the group offset that went to the DLQ because its dataset did not exist yet must
 * not land in a table created since. Without a group offset (a new group name, expired offsets)
 * the DLQ may receive entries again; rows are never written twice.
 *
 * <p><b>The stale-worker guard:</b> right before each table commit the table is refreshed and
 * its stored next offset for every partition of the batch must be at most the batch's first
 * offset for that partition; otherwise someone else committed those records, the batch is
 * abandoned and every assigned partition re-sought. Dataset tables have
 * {@code commit.retry.num-retries=0}, so a commit racing ours fails with
 * {@code CommitFailedException} instead of being silently re-applied, and the guard runs again.
 *
 * <p><b>Ledger:</b> after each table commit the worker inserts one {@code pulse.ingest_commits}
 * row per partition (idempotent) and updates the dataset's stats, under RLS for the topic's
 * tenant. On every assignment it walks the tenant's tables' snapshots, inserts missing ledger
 * rows, and resets {@code row_count} to the table's {@code total-records}.
 *
 * <p><b>DLQ replay</b> ({@code dlq.DlqReplay}): DLQ records go back to the raw topic in one
 * transaction with the replay group's DLQ offsets, so each is replayed once per run even across
 * crashes; a record that fails again returns with {@code pulse-attempt} + 1. Replayed records are
 * new raw records: the worker treats them as new events (exactly once per Kafka record).
 *
 * <p><b>Tenancy:</b> a record's tenant is its topic's. A record whose {@code pulse-tenant-id}
 * header is missing or different goes to the topic tenant's DLQ; a topic that matches the
 * pattern but names no canonical tenant id is paused and never read.
 */
package dev.pulse.worker;

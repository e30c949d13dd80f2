/**
 * The dead-letter store: one row per original event that failed ({@code pulse.dead_letters}, V12,
 * under row-level security), with a stable id, its latest failure and its state (open,
 * replaying, replayed, dropped, parked). The DLQ topic stays the log of every failed attempt;
 * this is its fold, written by the worker's DLQ indexer together with the DLQ offsets it covers,
 * so it is exactly what the committed topic says. Read by ingest-api ({@code /v1/dlq},
 * {@code /admin/v1/tenants/{slug}/dlq}) and changed by replay and drop, always inside a
 * transaction bound to the tenant.
 *
 * <p><b>Why PostgreSQL, not a quarantine Iceberg table.</b> The view must show each event once in
 * its latest state and change that state (replayed, dropped, parked) row by row, exactly once
 * per replay; that is an upsert and an update per event, which an Iceberg table pays for with a
 * commit (and later compaction) each, while PostgreSQL does it in a transaction that also holds
 * the indexer's offsets and the audit entry. Counting by reason over a million rows is an
 * index-only scan of the tenant's range of {@code dead_letters_counts}. Tenancy is the same RLS
 * as every other tenant table. The cost: payloads live in PostgreSQL (bounded by the 1 MiB event
 * limit; a record too big for the DLQ keeps only its size).
 */
package dev.pulse.schemas.deadletters;

/**
 * Writing the lake: each row checked before it nears a data file, one batch's Parquet files per
 * table, one guarded append per table whose snapshot summary carries the Kafka offsets it covers
 * (the truth about what a table holds), and the tenant's commit ledger rebuilt from those
 * summaries.
 */
package dev.pulse.worker.lake;

/**
 * Writing the lake: each row checked before it nears a data file, one batch's Parquet files per
 * table, one guarded append per table whose snapshot summary carries the Kafka offsets it covers
 * (the truth about what a table holds; the append lands only on the snapshot that map was computed
 * from, since several workers commit to one table), and the tenant's commit ledger rebuilt from those
 * summaries. An append does its manifest work on the worker's own thread
 * ({@code CallingThreadExecutor}): the worker commits one table at a time, and Iceberg's shared
 * pool only made it poll for that work every 10 ms.
 */
package dev.pulse.worker.lake;

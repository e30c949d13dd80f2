/**
 * The consume → validate → commit loop and its decisions: routing each record (a table, the DLQ,
 * or waiting while its table fails), skipping rows whose event id is claimed elsewhere
 * ({@code worker.dedup}), the per-batch dataset lookups under RLS, the claims a group
 * offset makes about the tables, pausing a tenant whose table keeps failing, and which failures
 * belong to the shared infrastructure, and the usage records each Kafka transaction carries
 * ({@code LandedUsage}: rows landed per table commit, re-sent from the snapshots after a crash;
 * dead letters per error code, {@code KafkaCommit}). The protocol is described in
 * {@code dev.pulse.worker}; the usage topology in {@code dev.pulse.worker.usage}.
 * The loop reports to {@link dev.pulse.worker.consume.LoopMetrics} (three calls, each after the
 * fact it reports: a batch done, a table committed, a Kafka transaction committed); the worker's
 * gauges (lag, freshness) are sampled from outside the loop ({@code dev.pulse.worker.metrics}).
 */
package dev.pulse.worker.consume;

/**
 * The worker's Prometheus metrics: {@link dev.pulse.worker.metrics.WorkerMetrics} (the loop's
 * {@link dev.pulse.worker.consume.LoopMetrics} sink, and the gauges sampled once a second: consumer
 * lag and freshness per tenant label) and {@link dev.pulse.worker.metrics.MetricsEndpoint}
 * ({@code GET /metrics} on {@code PULSE_WORKER_METRICS_PORT}, scrape token or operator token only).
 * The loop reports through three calls after the facts they report (a batch, a table commit, a
 * Kafka transaction); nothing here can hold the loop back. The metric names and the label rule:
 * README, "Operating Pulse", "Metrics".
 */
package dev.pulse.worker.metrics;

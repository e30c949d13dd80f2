/**
 * What every service's {@code GET /metrics} shares: a Micrometer registry in the Prometheus text
 * format with the JVM's meters and a {@code service} tag ({@link dev.pulse.schemas.metrics.ServiceMetrics}),
 * the cap on per-tenant labels ({@link dev.pulse.schemas.metrics.TenantLabels}: the first N tenants a
 * process sees keep their id as label, the rest are {@code other}), and who may scrape
 * ({@link dev.pulse.schemas.metrics.ScrapeAccess}: the scrape token or the operator token, never a
 * tenant's API key, because metrics carry every tenant's figures). Each service serves its own
 * registry: ingest-api and lake-query on their HTTP port (through {@code http-edge}), the worker on
 * {@code PULSE_WORKER_METRICS_PORT}; {@code pulse dev} runs the three in one process with three
 * registries, so each keeps the same names and labels as in production. The list of metrics and
 * the rule for labels: README, "Operating Pulse", "Metrics".
 */
package dev.pulse.schemas.metrics;

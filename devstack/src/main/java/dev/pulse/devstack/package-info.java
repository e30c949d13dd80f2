/**
 * Real infrastructure, embedded, for {@code pulse dev} and the integration tests: a PostgreSQL
 * server with durable settings, a KRaft Kafka broker in this JVM, and a warehouse folder (or a
 * bucket of an S3-compatible server, S3Proxy, in a JVM of its own: {@link dev.pulse.devstack.EmbeddedS3Server}),
 * under one data directory that survives restarts. Never on a service's runtime classpath nor in the
 * production image.
 */
package dev.pulse.devstack;

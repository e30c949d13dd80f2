/**
 * Dead letters: a record that cannot land, as a value with its reason (stable error code, stage,
 * source position in headers, original bytes kept), and the exactly-once replay of a tenant's
 * dead letters back to its raw topic.
 */
package dev.pulse.worker.dlq;

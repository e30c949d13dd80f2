/**
 * {@code POST /v1/events}: the body is read as JSON or NDJSON ({@code EventBodies}), the batch is
 * checked as a whole (never half accepted) member by member ({@code EnvelopeFields}: exactly four
 * members, the event time within its configured bounds, hand-written checks on the hot path),
 * each named dataset is looked up under RLS (a dataset seen to exist is trusted for a second:
 * {@code KnownDatasets}), and the envelopes go to the tenant's raw topic,
 * each serialized once; 202 only after the broker acknowledged every one. With an
 * {@code Idempotency-Key} the request runs once and is replayed after ({@code api.idempotency});
 * the records are keyed by event id, so one id always lands on one partition of the tenant's raw
 * topic, where the worker deduplicates it.
 */
package dev.pulse.api.events;

/**
 * {@code POST /v1/events}: the batch is checked as a whole (never half accepted), each named
 * dataset is looked up under RLS, and the envelopes go to the tenant's raw topic; 202 only after
 * the broker acknowledged every one. With an {@code Idempotency-Key} the request runs once and is
 * replayed after ({@code api.idempotency}); the records are keyed by event id, so one id always
 * lands on one partition of the tenant's raw topic, where the worker deduplicates it.
 */
package dev.pulse.api.events;

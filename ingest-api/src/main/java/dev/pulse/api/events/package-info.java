/**
 * {@code POST /v1/events}: the batch is checked as a whole (never half accepted), each named
 * dataset is looked up under RLS, and the envelopes go to the tenant's raw topic; 202 only after
 * the broker acknowledged every one.
 */
package dev.pulse.api.events;

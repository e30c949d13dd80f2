/**
 * {@code POST /v1/events}: the batch is checked as a whole (never half accepted), each named
 * dataset is looked up under RLS (a dataset seen to exist is trusted for a second:
 * {@code KnownDatasets}), and the envelopes go to the tenant's raw topic; 202 only after the broker
 * acknowledged every one.
 */
package dev.pulse.api.events;

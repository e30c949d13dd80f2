/**
 * Events and their schemas: the envelope that travels through the raw topic (and its RFC 3339
 * times, {@code Rfc3339}), the supported JSON Schema — the structural keywords that map to an
 * Iceberg table schema and partition spec ({@code SchemaParser}), the validation keywords that do
 * not change a column ({@code ValueKeywords}, enforced by networknt's validator through
 * {@code CompiledSchema}, patterns in linear time through {@code SafePatterns}) — and the one-pass
 * validation of an event's data into a table row (every violation with its JSON pointer). What a table can hold faithfully ({@link dev.pulse.schemas.event.LakeValues}) is
 * decided here once, for the API, the worker and the lake alike.
 */
package dev.pulse.schemas.event;

/**
 * Events and their schemas: the envelope that travels through the raw topic, the supported
 * subset of JSON Schema, the mapping of a schema to an Iceberg table schema and partition spec,
 * and the one-pass validation of an event's data into a table row (every violation with its JSON
 * pointer). What a table can hold faithfully ({@link dev.pulse.schemas.event.LakeValues}) is
 * decided here once, for the API, the worker and the lake alike.
 */
package dev.pulse.schemas.event;

/**
 * The names Pulse derives from a tenant: its immutable id, the slugs people use, its topics
 * ({@code pulse.<tenant-id>.events.raw|dlq}), its Iceberg namespace ({@code pulse_<id without
 * hyphens>}) and table names, and the one predicate "this table lies in this tenant's namespace"
 * ({@link dev.pulse.schemas.naming.LakeNames#belongsTo}). Infrastructure names use the id, never
 * the slug.
 */
package dev.pulse.schemas.naming;

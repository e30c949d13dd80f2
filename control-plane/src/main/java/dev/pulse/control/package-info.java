/**
 * The control plane: the operations on tenants, API keys, schemas, datasets and the audit log,
 * used by ingest-api (its {@code /admin/v1} and self-service {@code /v1} routes) and the CLI.
 * It depends on the contract ({@code schemas}) only and reads through its read side
 * ({@code dev.pulse.schemas.directory}) rather than holding its own queries.
 * <ul>
 *   <li>{@code tenants}: creating (one resumable job: row, topics, namespace), suspending, resuming;</li>
 *   <li>{@code keys}: the API-key format, scopes, the key store and authentication (the only
 *       package http-edge and lake-query use);</li>
 *   <li>{@code registry}: versioned schemas and their compatibility rules;</li>
 *   <li>{@code datasets}: a dataset's row and Iceberg table, and their upgrades;</li>
 *   <li>{@code audit}: the append-only audit log, written in the same transaction as each change;</li>
 *   <li>{@code operator}: the operator role's two reads across tenants.</li>
 * </ul>
 * This package holds what they share: {@link dev.pulse.control.ControlException} (a refusal whose
 * kind is its HTTP status), {@link dev.pulse.control.InvalidFieldException} (a 400 naming the
 * field) and the rules of free-text fields ({@link dev.pulse.control.FieldText},
 * {@link dev.pulse.control.DisplayNames}).
 */
package dev.pulse.control;

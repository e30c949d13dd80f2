/**
 * A preview along the isolation chain: the dataset row under RLS, its table in the tenant's
 * namespace and folder, the snapshot's files planned by Iceberg and each checked to lie inside
 * that folder, then the newest-first selection of just the files that can hold the newest rows.
 * With the warehouse in an object store, those files are copied to a local cache first
 * ({@link dev.pulse.query.preview.ObjectFileCache}) and DuckDB reads the copies.
 */
package dev.pulse.query.preview;

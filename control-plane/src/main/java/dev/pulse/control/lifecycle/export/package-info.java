/**
 * Tenant export and import (issue 14): {@code pulse tenant export} writes one portable archive of
 * everything a tenant owns, {@code pulse tenant import} recreates a tenant from one.
 *
 * <p>The archive (a tar file or a directory, same layout) holds plain files any tool reads: the
 * tables' Parquet data files as they are in the lake, Iceberg schemas and partition specs as
 * Iceberg's own JSON, the registered JSON Schemas, the dataset definitions, key metadata (never a
 * secret or its hash), the tenant's audit entries and its open dead letters as JSON Lines, a
 * {@code README.md} saying how to read each, and {@code manifest.json} with a SHA-256 and a size
 * per file and the snapshot each table was read at. See {@link ArchiveLayout}.
 *
 * <p>Both jobs stream: files are hashed while they are written or read, rows and entries go
 * through in pages, nothing holds a whole table. The import verifies every checksum before it
 * changes anything, and is safe to re-run after a crash (see {@link TenantImport}).
 */
package dev.pulse.control.lifecycle.export;

/**
 * Locked-down DuckDB: one short-lived in-memory connection per query that may read exactly the
 * given Parquet files (no other file, no network, no extension), under a timeout, a memory limit
 * and a row limit, with its values converted to JSON-ready Java values.
 */
package dev.pulse.query.sandbox;

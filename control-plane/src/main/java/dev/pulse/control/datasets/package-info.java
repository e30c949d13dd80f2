/**
 * Writing datasets: creating one (its Iceberg table in the tenant's namespace, then its row,
 * resumable), describing it with its table's statistics, and upgrading it to a newer compatible
 * schema version (table first, in one commit, then the row). Reads go through
 * {@code dev.pulse.schemas.directory.DatasetDirectory}.
 */
package dev.pulse.control.datasets;

/**
 * Access to the lake: the Iceberg {@code JdbcCatalog} in PostgreSQL (its own schema and role,
 * never {@code pulse_app}) and the small {@code java.nio} FileIO of the default local warehouse.
 */
package dev.pulse.schemas.lake;

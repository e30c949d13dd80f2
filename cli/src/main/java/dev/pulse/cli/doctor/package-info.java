/**
 * {@code pulse doctor}: audits a running deployment's isolation. PostgreSQL is checked as the
 * runtime role itself (RLS on every tenant table, no way around it), the operator role's
 * narrowness as the operator role, then Kafka (each tenant's two topics, stable group offsets)
 * and the lake (each table in its own tenant's namespace). Each finding says what is wrong and
 * how to fix it.
 */
package dev.pulse.cli.doctor;

/**
 * The {@code pulse} command (picocli): {@code dev} (the whole pipeline embedded), one service per
 * process ({@code api}, {@code worker}, {@code query}, {@code migrate}), the operator verbs (which
 * call ingest-api's {@code /admin/v1} with the operator token), {@code doctor}, {@code dlq} and
 * {@code bench}. Only {@link dev.pulse.cli.DevCommand} touches the embedded stack, and it is
 * loaded by name, so the production artifact runs without it.
 */
package dev.pulse.cli;

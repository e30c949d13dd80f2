/**
 * Configuration: the raw {@code PULSE_*} settings (environment, then a {@code pulse.env} file),
 * the keys the modules share, and where the shared infrastructure is. A bad value stops start-up
 * with a {@link dev.pulse.schemas.config.ConfigException} naming the key.
 */
package dev.pulse.schemas.config;

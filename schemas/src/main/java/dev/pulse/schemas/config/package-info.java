/**
 * Typed configuration, each key declared once. {@link dev.pulse.schemas.config.PulseKeys} lists
 * every {@code PULSE_*} key as a {@link dev.pulse.schemas.config.ConfigKey} (name, type and
 * range, default, the value {@code pulse dev} gives it, description, parser);
 * {@link dev.pulse.schemas.config.Settings} is the raw source (environment, then
 * {@code pulse.env}) and reads a key only through its declaration. Each service's configuration
 * class (ApiConfig, WorkerConfig, QueryConfig, and {@link dev.pulse.schemas.config.Infrastructure}
 * and {@link dev.pulse.schemas.config.HttpListener} that they share) reads its keys once at
 * start-up and adds only its cross-key rules. A bad value is a
 * {@link dev.pulse.schemas.config.ConfigException} naming the key; nothing is silently fixed.
 * README.md's configuration table is checked against the declarations (ConfigurationTableTest).
 */
package dev.pulse.schemas.config;

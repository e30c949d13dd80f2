/**
 * The schema registry: versioned JSON Schemas per tenant. A new version is appended when it meets
 * the name's compatibility rule against the latest ({@code BACKWARD} by default, checked by
 * {@link dev.pulse.control.registry.Compatibility}); the same definition again is the existing
 * version. Reads go through {@code dev.pulse.schemas.directory.SchemaDirectory}.
 */
package dev.pulse.control.registry;

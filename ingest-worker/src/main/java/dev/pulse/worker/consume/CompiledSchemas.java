package dev.pulse.worker.consume;

import dev.pulse.schemas.directory.RegisteredSchema;
import dev.pulse.schemas.event.CompiledSchema;
import dev.pulse.schemas.naming.TenantId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The compiled form of each schema version the worker validates against, kept across batches
 * (compiling is costly; a version never changes once registered). Keyed by tenant, name, version
 * and fingerprint, so one tenant's entry can never serve another tenant's events even where names
 * and versions coincide. At most {@value #CAPACITY} entries, least recently used out first. Not
 * thread-safe: the loop's thread owns it.
 */
final class CompiledSchemas {
    static final int CAPACITY = 1000;

    private record Key(TenantId tenant, String name, int version, String fingerprint) {
    }

    private final Map<Key, CompiledSchema> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, CompiledSchema> eldest) {
            return size() > CAPACITY;
        }
    };

    CompiledSchema of(TenantId tenant, RegisteredSchema schema) {
        Key key = new Key(tenant, schema.name(), schema.version(), schema.fingerprint());
        CompiledSchema compiled = cache.get(key);
        if (compiled == null) {
            compiled = CompiledSchema.compile(schema.definition(), schema.parsed());
            cache.put(key, compiled);
        }
        return compiled;
    }
}

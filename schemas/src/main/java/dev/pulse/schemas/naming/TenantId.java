package dev.pulse.schemas.naming;

import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * A tenant's immutable identity. Every infrastructure name (topics, namespace) is derived from
 * it, never from the slug, so a slug that is released and reused can never inherit data.
 */
public record TenantId(UUID value) {
    public TenantId {
        if (value == null) {
            throw new InvalidNameException("tenant id must not be null");
        }
    }

    public static TenantId random() {
        return new TenantId(UUID.randomUUID());
    }

    public static TenantId parse(String text) {
        return tryParse(text).orElseThrow(() -> new InvalidNameException("not a tenant id: '" + text + "'"));
    }

    /** Only the canonical lower-case 36-character form is accepted, so one tenant has one spelling. */
    public static Optional<TenantId> tryParse(String text) {
        if (text == null || text.length() != 36 || !text.equals(text.toLowerCase(Locale.ROOT))) {
            return Optional.empty();
        }
        try {
            UUID uuid = UUID.fromString(text);
            return uuid.toString().equals(text) ? Optional.of(new TenantId(uuid)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The id without hyphens, as used in the Iceberg namespace. */
    public String compact() {
        return value.toString().replace("-", "");
    }

    @Override
    public String toString() {
        return value.toString();
    }
}

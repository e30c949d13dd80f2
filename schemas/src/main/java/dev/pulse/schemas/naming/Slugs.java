package dev.pulse.schemas.naming;

import java.util.regex.Pattern;

/** The rules for the human names of tenants and datasets. */
public final class Slugs {
    /** Tenant and dataset slugs: a lower-case letter, then 2 to 39 lower-case letters, digits or hyphens. */
    public static final Pattern SLUG = Pattern.compile("[a-z][a-z0-9-]{2,39}");
    /** Schema names: a lower-case letter, then up to 62 lower-case letters, digits, '_' or '-'. */
    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");

    private Slugs() {
    }

    /** Whether {@code slug} matches {@link #SLUG}; checked by hand, because every event names one (the API's hot path). */
    public static boolean isValidSlug(String slug) {
        if (slug == null || slug.length() < 3 || slug.length() > 40) {
            return false;
        }
        char first = slug.charAt(0);
        if (first < 'a' || first > 'z') {
            return false;
        }
        for (int i = 1; i < slug.length(); i++) {
            char c = slug.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code name} can be a schema's name; any other (from a path, say) names no schema. */
    public static boolean isValidSchemaName(String name) {
        return name != null && SCHEMA_NAME.matcher(name).matches();
    }

    static String requireDatasetSlug(String slug) {
        if (!isValidSlug(slug)) {
            throw new InvalidNameException("dataset slug '" + slug + "' is invalid: it must match " + SLUG.pattern());
        }
        return slug;
    }
}

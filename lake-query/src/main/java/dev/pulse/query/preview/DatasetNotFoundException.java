package dev.pulse.query.preview;

import dev.pulse.query.QueryException;

/**
 * No dataset of this slug that the caller may read. Deliberately the same for a dataset that does
 * not exist, one of another tenant, and one whose row or files fail an isolation check.
 */
public class DatasetNotFoundException extends QueryException {
    private final String slug;

    public DatasetNotFoundException(String slug) {
        super("dataset '" + slug + "' does not exist");
        this.slug = slug;
    }

    public String slug() {
        return slug;
    }
}

package dev.pulse.schemas.directory;

/**
 * Where a tenant is in its life ({@code pulse.tenants.status}). A tenant is created
 * {@link #PROVISIONING} and becomes {@link #ACTIVE} once its topics and namespace exist;
 * {@link #SUSPENDED} refuses its keys everything but reading (ingest gets 403, data stays readable);
 * {@link #DELETING} while {@code pulse tenant delete} removes it: its keys are refused everything.
 */
public enum TenantStatus {
    PROVISIONING("provisioning"),
    ACTIVE("active"),
    SUSPENDED("suspended"),
    DELETING("deleting");

    private final String wireName;

    TenantStatus(String wireName) {
        this.wireName = wireName;
    }

    /** The spelling in the database (the column's CHECK constraint), the API's JSON and messages. */
    public String wireName() {
        return wireName;
    }

    /** The status a row holds; a value outside the CHECK constraint is a broken database, not input. */
    public static TenantStatus fromWireName(String text) {
        for (TenantStatus s : values()) {
            if (s.wireName.equals(text)) {
                return s;
            }
        }
        throw new IllegalStateException("unknown tenant status '" + text + "'");
    }

    /** The wire name, so that messages read "tenant 'acme' is suspended". */
    @Override
    public String toString() {
        return wireName;
    }
}

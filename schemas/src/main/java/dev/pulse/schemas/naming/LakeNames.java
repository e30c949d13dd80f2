package dev.pulse.schemas.naming;

import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;

/** Iceberg names: one namespace per tenant, one table per dataset. */
public final class LakeNames {
    private static final String NAMESPACE_PREFIX = "pulse_";

    private LakeNames() {
    }

    public static Namespace namespace(TenantId tenant) {
        return Namespace.of(NAMESPACE_PREFIX + tenant.compact());
    }

    public static String tableName(String datasetSlug) {
        return Slugs.requireDatasetSlug(datasetSlug).replace('-', '_');
    }

    public static TableIdentifier table(TenantId tenant, String datasetSlug) {
        return TableIdentifier.of(namespace(tenant), tableName(datasetSlug));
    }

    /** True when the identifier lies in exactly this tenant's namespace (one level, same name). */
    public static boolean belongsTo(TableIdentifier table, TenantId tenant) {
        return table.namespace().equals(namespace(tenant));
    }
}

package dev.pulse.schemas.tenancy;

/** Work done inside one tenant-bound transaction. */
@FunctionalInterface
public interface TenantWork<T> {
    T run(TenantTransaction tx) throws java.sql.SQLException;
}

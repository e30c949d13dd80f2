package dev.pulse.cli;

import org.junit.jupiter.api.BeforeAll;

/**
 * Every test of {@link TenantDeletionIT} again with the warehouse in a bucket of an S3-compatible
 * server (S3Proxy): the whole pipeline writes through Iceberg's S3FileIO, {@code pulse tenant
 * delete} (a child JVM reading the same pulse.env) finds the tenant's objects by listing its
 * prefix and deletes them, the other tenant's objects stay byte for byte, and a deletion that
 * dies at each crash point is finished by the next run.
 */
class ObjectStoreTenantDeletionIT extends TenantDeletionIT {
    /** Hides {@link TenantDeletionIT#start()}: the same tests on the object-store pipeline. */
    @BeforeAll
    static void start() throws Exception {
        startOn(PipelineFixture.objectStore());
    }
}

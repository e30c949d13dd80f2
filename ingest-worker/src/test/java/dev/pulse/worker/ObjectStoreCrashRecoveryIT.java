package dev.pulse.worker;

import dev.pulse.control.testing.TestStack;
import dev.pulse.worker.consume.CrashPoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The worker dying at every point of a batch, with the warehouse in a bucket of an S3-compatible
 * server (S3Proxy) written through Iceberg's S3FileIO: data files uploaded but never committed,
 * a commit whose ledger row is missing, and the rest. The successor leaves every event exactly once,
 * as {@link CrashRecoveryIT} proves for a folder warehouse.
 */
class ObjectStoreCrashRecoveryIT {
    static WorkerFixture fixture;

    @BeforeAll
    static void setUp() {
        fixture = new WorkerFixture(TestStack.objectStore());
    }

    @AfterAll
    static void tearDown() {
        fixture.close();
    }

    @ParameterizedTest
    @EnumSource(CrashPoint.class)
    void theProcessDyingAtAnyPointOfABatchLosesNothingAndDuplicatesNothing(CrashPoint point) {
        CrashRecoveryIT.dieAtAndRecover(fixture, point);
    }
}

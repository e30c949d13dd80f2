package dev.pulse.worker.consume;

/**
 * Thrown by a test's {@link CrashPoints}: the worker thread dies on the spot, like a killed
 * process. Nothing catches it for cleanup: no offset commit, no transaction abort, no close.
 */
public final class SimulatedCrash extends RuntimeException {
    public SimulatedCrash(CrashPoint point) {
        super("simulated crash at " + point);
    }
}

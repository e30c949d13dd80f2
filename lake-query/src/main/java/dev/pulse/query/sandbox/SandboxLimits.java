package dev.pulse.query.sandbox;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What one sandboxed query may use. {@code memoryLimit} is a DuckDB size ("1GB"); it was validated
 * by the configuration and is still quoted as a literal.
 */
public record SandboxLimits(int threads, String memoryLimit, Duration timeout, int maxRows, Path tempRoot, int maxConcurrent) {
    public SandboxLimits {
        if (threads < 1 || maxRows < 1 || maxConcurrent < 1 || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("sandbox limits must be positive: " + threads + " threads, " + maxRows
                    + " rows, " + maxConcurrent + " concurrent, timeout " + timeout);
        }
    }
}

package dev.pulse.control.keys;

import dev.pulse.control.InvalidFieldException;

/** A key rotation's {@code grace_seconds}: 0 (revoke the old key at once) to {@value #MAX_SECONDS} (7 days). */
public final class GracePeriod {
    static final long MAX_SECONDS = 7 * 24 * 3600;

    private GracePeriod() {
    }

    public static long require(long graceSeconds) {
        if (graceSeconds < 0 || graceSeconds > MAX_SECONDS) {
            throw new InvalidFieldException("invalid-grace", "grace_seconds",
                    "grace_seconds must be between 0 and " + MAX_SECONDS + " (7 days), got " + graceSeconds);
        }
        return graceSeconds;
    }
}

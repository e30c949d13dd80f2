package dev.pulse.control.keys;

import dev.pulse.control.InvalidFieldException;
import java.time.Duration;
import java.time.Instant;

/**
 * An API key's {@code expires_at}: absent (the key does not expire) or strictly in the future
 * and at most {@link #MAX_HORIZON} (3,650 days, about ten years) ahead. The horizon keeps the
 * value inside what PostgreSQL's {@code timestamptz} and {@code java.sql.Timestamp} hold (a year
 * such as +999999999 overflowed them) and a "forever" key honest: use no expiry for that.
 */
public final class KeyExpiry {
    static final Duration MAX_HORIZON = Duration.ofDays(3650);

    private KeyExpiry() {
    }

    /** {@code expiresAt} (null: never) when it lies in (now, now + horizon]; a 400 naming {@code expires_at} otherwise. */
    public static Instant require(Instant expiresAt, Instant now) {
        if (expiresAt == null) {
            return null;
        }
        if (!expiresAt.isAfter(now)) {
            throw new InvalidFieldException("invalid-expiry", "expires_at", "expires_at must be in the future (it is " + expiresAt + ")");
        }
        if (expiresAt.isAfter(now.plus(MAX_HORIZON))) {
            throw new InvalidFieldException("invalid-expiry", "expires_at", "expires_at must be at most " + MAX_HORIZON.toDays()
                    + " days (about 10 years) ahead, i.e. not after " + now.plus(MAX_HORIZON) + "; omit it for a key that does not expire");
        }
        return expiresAt;
    }
}

package dev.pulse.schemas.metrics;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;

/**
 * Who may read {@code GET /metrics}: a request whose {@code Authorization: Bearer} token is one
 * of the configured scrape tokens ({@link MetricsConfig}). Metrics carry every tenant's figures
 * (labelled by tenant id), so a tenant's API key is never enough, whatever its scopes. Both sides
 * are hashed before the constant-time comparison, so neither a token's content nor its length leaks.
 */
public final class ScrapeAccess {
    /** The answer to one request's credential. */
    public enum Verdict {
        ALLOWED,
        /** No bearer token at all: 401 with a challenge. */
        MISSING,
        /** A bearer token that is no scrape token (an API key, a wrong token): 401. */
        REFUSED
    }

    private final List<byte[]> tokenHashes;

    public ScrapeAccess(List<String> tokens) {
        this.tokenHashes = tokens.stream().map(ScrapeAccess::sha256).toList();
    }

    /** The verdict on an {@code Authorization} header value (null when absent). */
    public Verdict check(String authorization) {
        if (authorization == null || authorization.length() < 7 || !authorization.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return Verdict.MISSING;
        }
        byte[] presented = sha256(authorization.substring(7).strip());
        boolean match = false;
        for (byte[] expected : tokenHashes) {
            match |= MessageDigest.isEqual(presented, expected);
        }
        return match ? Verdict.ALLOWED : Verdict.REFUSED;
    }

    /** False when no scrape token is configured: every scrape is refused. */
    public boolean configured() {
        return !tokenHashes.isEmpty();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }
}

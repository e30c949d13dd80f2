package dev.pulse.control.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * API key format: {@code pulse_<key id>_<secret>}. The key id (16 hex characters) is public and
 * names the key; the secret (43 base62 characters, ~256 bits) is shown once and only its SHA-256
 * is stored. A fast hash is enough because the secret is random, not a password a person chose.
 */
final class ApiKeys {
    private static final Pattern FORMAT = Pattern.compile("pulse_([0-9a-f]{16})_([0-9A-Za-z]{43})");
    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeys() {
    }

    /** A freshly generated key: the full token to show once, its id, and the hash to store. */
    public record NewKey(String token, String keyId, byte[] secretHash) {
    }

    /** A presented token split into its parts; says nothing about whether it is valid. */
    public record PresentedKey(String keyId, String secret) {
        public boolean matches(byte[] storedHash) {
            return MessageDigest.isEqual(hash(secret), storedHash);
        }
    }

    public static NewKey generate() {
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        StringBuilder secret = new StringBuilder(43);
        for (int i = 0; i < 43; i++) {
            secret.append(BASE62[RANDOM.nextInt(BASE62.length)]);
        }
        String keyId = HexFormat.of().formatHex(id);
        return new NewKey("pulse_" + keyId + "_" + secret, keyId, hash(secret.toString()));
    }

    /** Empty when the token is not of the key format at all (checked before any database work). */
    public static Optional<PresentedKey> parse(String token) {
        if (token == null) {
            return Optional.empty();
        }
        Matcher m = FORMAT.matcher(token);
        return m.matches() ? Optional.of(new PresentedKey(m.group(1), m.group(2))) : Optional.empty();
    }

    static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }
}

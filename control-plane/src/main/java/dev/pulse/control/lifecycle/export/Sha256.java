package dev.pulse.control.lifecycle.export;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Copies a stream while hashing it: the only place export and import compute a file's SHA-256. */
final class Sha256 {
    private static final int BUFFER = 64 * 1024;

    private Sha256() {
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** The result of a copy: how many bytes went through and their SHA-256 (hex). */
    record Copied(long bytes, String sha256) {
    }

    /** Copies {@code in} to {@code out} (null: only hash), at most {@code limit} bytes (-1: all). */
    static Copied copy(InputStream in, OutputStream out, long limit) throws IOException {
        MessageDigest digest = digest();
        byte[] buffer = new byte[BUFFER];
        long total = 0;
        while (limit < 0 || total < limit) {
            int want = limit < 0 ? buffer.length : (int) Math.min(buffer.length, limit - total);
            int n = in.read(buffer, 0, want);
            if (n < 0) {
                break;
            }
            digest.update(buffer, 0, n);
            if (out != null) {
                out.write(buffer, 0, n);
            }
            total += n;
        }
        return new Copied(total, HexFormat.of().formatHex(digest.digest()));
    }
}

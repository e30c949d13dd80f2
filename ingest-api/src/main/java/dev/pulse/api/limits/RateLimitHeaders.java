package dev.pulse.api.limits;

import java.util.Map;

/**
 * The IETF rate-limit fields (draft-ietf-httpapi-ratelimit-headers, the structured-field syntax of
 * its current revisions), one policy per bucket:
 *
 * <pre>
 * RateLimit-Policy: "events";q=100000;qu="events";w=10, "bytes";q=104857600;qu="content-bytes";w=10
 * RateLimit: "events";r=99500;t=1, "bytes";r=104700000;t=1
 * </pre>
 *
 * {@code q} is what a full bucket holds (rate × burst) and {@code w} the burst in seconds, so q/w
 * is the rate; {@code r} is what remains after this request, {@code t} the seconds until the bucket
 * is full again. The events unit is Pulse's own ({@code content-bytes} is the draft's); both describe
 * the answering replica's share (see the package notes).
 */
public final class RateLimitHeaders {
    public static final String POLICY = "RateLimit-Policy";
    public static final String LIMIT = "RateLimit";

    private RateLimitHeaders() {
    }

    public static Map<String, String> of(AdmissionResult result) {
        long window = Math.max(1, Math.round(result.burstSeconds()));
        String policy = "\"events\";q=" + result.events().capacity() + ";qu=\"events\";w=" + window
                + ", \"bytes\";q=" + result.bytes().capacity() + ";qu=\"content-bytes\";w=" + window;
        String limit = "\"events\";r=" + result.events().remaining() + ";t=" + seconds(result.events().secondsUntilFull())
                + ", \"bytes\";r=" + result.bytes().remaining() + ";t=" + seconds(result.bytes().secondsUntilFull());
        return Map.of(POLICY, policy, LIMIT, limit);
    }

    private static long seconds(double value) {
        return (long) Math.ceil(Math.max(0, value));
    }
}

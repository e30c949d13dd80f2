package dev.pulse.api.idempotency;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.edge.ProblemException;
import dev.pulse.schemas.naming.TenantId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The value of an {@code Idempotency-Key} header: 1 to 255 visible ASCII characters other than
 * {@code "} and {@code \}, sent bare or as the draft's quoted string ({@code "…"}).
 */
public record IdempotencyKey(String value) {
    public static final String HEADER = "Idempotency-Key";
    static final Pattern VALUE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,255}");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The request's key, if it sent one; a malformed key is a 400 naming the header. */
    public static Optional<IdempotencyKey> from(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String raw = header.strip();
        if (raw.length() >= 2 && raw.startsWith("\"") && raw.endsWith("\"")) {
            raw = raw.substring(1, raw.length() - 1);
        }
        if (!VALUE.matcher(raw).matches()) {
            throw ProblemException.invalidField("invalid-idempotency-key", HEADER, HEADER + " must be 1 to 255 visible ASCII characters "
                    + "other than '\"' and '\\', bare or as a quoted string; a UUID is a good key");
        }
        return Optional.of(new IdempotencyKey(raw));
    }

    /** SHA-256 of the body as parsed and written back compactly: what "the same request" means. */
    public static byte[] fingerprint(JsonNode body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(MAPPER.writeValueAsBytes(body));
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException("cannot fingerprint a parsed JSON body", e);
        }
    }

    /**
     * Gives each event object without an {@code event_id} one derived from the tenant, this key
     * and its index, so that a retry that produces again carries the same ids (and the worker
     * recognises what was produced already). Call after {@link #fingerprint}.
     */
    public void fillMissingEventIds(TenantId tenant, JsonNode body) {
        if (body.isObject()) {
            fill(tenant, (ObjectNode) body, 0);
        } else if (body.isArray()) {
            for (int i = 0; i < body.size(); i++) {
                if (body.get(i).isObject()) {
                    fill(tenant, (ObjectNode) body.get(i), i);
                }
            }
        }
    }

    private void fill(TenantId tenant, ObjectNode event, int index) {
        JsonNode id = event.get("event_id");
        if (id == null || id.isNull()) {
            String name = tenant + "\n" + value + "\n" + index;
            event.put("event_id", UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString());
        }
    }
}

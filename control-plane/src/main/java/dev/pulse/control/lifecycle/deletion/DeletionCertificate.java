package dev.pulse.control.lifecycle.deletion;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A certificate of deletion: a JSON document naming the tenant, each store, what was removed, the
 * verification performed and its result, timestamps, and an Ed25519 signature.
 *
 * <p>The signature covers the canonical JSON ({@link CanonicalJson}) of the whole document with
 * {@code signature.value} left out; the rest of {@code signature} (algorithm, public key, key
 * fingerprint) is signed with it, so a certificate cannot be moved to another key unnoticed.
 * Any edit of any member makes verification fail.
 */
public final class DeletionCertificate {
    public static final String FORMAT = "pulse-certificate-of-deletion/v1";
    static final String CANONICALIZATION = "RFC 8785 (JCS): members sorted, no whitespace, UTF-8; signature.value omitted";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DeletionCertificate() {
    }

    /** Signs {@code body} (which must have no {@code signature}) and returns the signed document. */
    static ObjectNode sign(ObjectNode body, SigningKey key) {
        ObjectNode document = body.deepCopy();
        ObjectNode signature = document.putObject("signature");
        signature.put("algorithm", SigningKey.ALGORITHM);
        signature.put("public_key", key.publicKeyBase64());
        signature.put("key_id", SigningKey.fingerprint(key.publicKey()));
        signature.put("canonicalization", CANONICALIZATION);
        signature.put("value", Base64.getEncoder().encodeToString(key.sign(CanonicalJson.bytes(document))));
        return document;
    }

    /** The certificate as written to its file: indented JSON (the signature does not depend on the layout). */
    public static String text(JsonNode certificate) {
        try {
            return JSON.writeValueAsString(certificate) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 (hex) of the certificate's canonical form, signature included: what the audit tombstone records. */
    public static String sha256(JsonNode certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(CanonicalJson.bytes(certificate)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What checking a certificate's signature found. */
    public record SignatureResult(boolean valid, String keyId, boolean keyTrusted, String detail) {
    }

    /**
     * Checks the signature with the key embedded in the certificate, and that key against
     * {@code trusted} (the deployment's published key) when given: a certificate re-signed with
     * another key is valid only for that key, never for the deployment's.
     */
    public static SignatureResult verify(JsonNode certificate, Optional<PublicKey> trusted) {
        if (!certificate.isObject() || !FORMAT.equals(certificate.path("format").asText())) {
            return new SignatureResult(false, null, false, "not a " + FORMAT + " document");
        }
        JsonNode signature = certificate.path("signature");
        if (!SigningKey.ALGORITHM.equals(signature.path("algorithm").asText()) || !signature.path("value").isTextual()
                || !signature.path("public_key").isTextual()) {
            return new SignatureResult(false, null, false, "no Ed25519 signature (signature.algorithm, public_key, value)");
        }
        PublicKey embedded;
        byte[] value;
        try {
            embedded = SigningKey.decodePublicKey(Base64.getDecoder().decode(signature.path("public_key").asText()));
            value = Base64.getDecoder().decode(signature.path("value").asText());
        } catch (IllegalArgumentException e) {
            return new SignatureResult(false, null, false, "signature.public_key or signature.value is not valid base64 of an Ed25519 key/signature");
        }
        String keyId = SigningKey.fingerprint(embedded);
        if (!keyId.equals(signature.path("key_id").asText())) {
            return new SignatureResult(false, keyId, false, "signature.key_id does not match signature.public_key");
        }
        ObjectNode signed = ((ObjectNode) certificate).deepCopy();
        ((ObjectNode) signed.get("signature")).remove("value");
        if (!SigningKey.verify(embedded, CanonicalJson.bytes(signed), value)) {
            return new SignatureResult(false, keyId, false, "the signature does not match the document: it was edited after signing");
        }
        if (trusted.isEmpty()) {
            return new SignatureResult(true, keyId, false, "signature valid for key " + keyId
                    + "; no published key given to compare it with (--public-key)");
        }
        String trustedId = SigningKey.fingerprint(trusted.get());
        if (!trustedId.equals(keyId)) {
            return new SignatureResult(false, keyId, false, "signed by key " + keyId + ", not by the deployment's key " + trustedId);
        }
        return new SignatureResult(true, keyId, true, "signature valid; signed by the deployment's key " + keyId);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

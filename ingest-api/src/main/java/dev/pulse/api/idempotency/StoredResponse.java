package dev.pulse.api.idempotency;

/** A response kept for its idempotency key: status and JSON body, replayed as they were. */
public record StoredResponse(int status, String body) {
}

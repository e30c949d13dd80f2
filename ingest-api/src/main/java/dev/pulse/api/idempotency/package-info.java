/**
 * {@code Idempotency-Key} on {@code POST /v1/events}, with the semantics of the IETF httpapi
 * idempotency-key draft: the first request with a key is processed and its 2xx response stored;
 * a retry with the same key and the same body gets that response again (status and body, plus
 * {@code Idempotent-Replayed: true}) and produces nothing; the same key with another body is
 * {@code 422 idempotency-key-reused}; a retry while the first is still in flight is
 * {@code 409 idempotency-key-in-use}. Keys are per tenant (RLS on {@code pulse.idempotency_keys}):
 * another tenant's identical key string is an unrelated key. A key lives
 * {@code PULSE_IDEMPOTENCY_KEY_TTL} (a day by default), then it is new again.
 *
 * <p><b>Order.</b> The key's row is inserted in flight, under RLS for the tenant, before anything
 * is produced ({@link IdempotencyStore#begin}); after the broker acknowledged, the response is
 * stored ({@link IdempotencyStore#complete}); a request that fails (4xx, 503) deletes its row, so
 * the retry runs anew. "The same body" is SHA-256 of the parsed JSON written back compactly
 * (whitespace and gzip do not matter; member order does).
 *
 * <p><b>An API that dies mid-request</b> leaves its row in flight: retries get 409 until the row
 * is older than a lease ({@code PULSE_PRODUCE_TIMEOUT_MS} + 30 s, longer than any request can
 * still be producing), then a retry with the same body takes the key over and produces again.
 * Events that may have been produced twice so are recognised by the worker's deduplication
 * ({@code dev.pulse.worker.dedup}) because they carry the same ids: ids the client gave, or, for
 * events without one, ids derived from the tenant, the key and the event's index
 * ({@link IdempotencyKey#fillMissingEventIds}), never random ones.
 */
package dev.pulse.api.idempotency;

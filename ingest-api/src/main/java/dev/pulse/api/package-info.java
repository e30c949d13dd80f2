/**
 * The Pulse ingest API. A producer's request takes this path:
 * <ol>
 *   <li>{@code edge.ApiKeyAuth} (the shared HTTP edge): the bearer API key names the tenant (the
 *       only source of it), must be live, of an active tenant, with scope {@code ingest};</li>
 *   <li>{@code http.JsonBodies}: JSON media type, optional gzip, size bounded after
 *       decompression, nesting bounded while parsing;</li>
 *   <li>{@code events.EventBatch}: every event's envelope checked, all-or-nothing (event time
 *       within {@code schemas.event.EventTimeRange});</li>
 *   <li>{@code events.EventRoutes}: each named dataset looked up once in a tenant-bound (RLS)
 *       transaction, envelopes serialized and size-checked;</li>
 *   <li>{@code events.EventPublisher}: records to {@code pulse.<tenant>.events.raw} with the tenant
 *       header, and 202 only after the broker acknowledged all of them.</li>
 * </ol>
 * Every failure on the way is an exception turned into an RFC 9457 problem in one place, the
 * HTTP edge's {@code edge.ProblemMapping} (module {@code http-edge}, with the catalogue of problem
 * types), which first drains what is left of the request body ({@code http.RequestDrain}) so that
 * the client, still sending, reads the answer; Jetty's own refusals (a URI it will not route) are
 * problems too. The API maps only its own exceptions ({@code http.ApiProblems}: the control
 * plane's {@code ControlException}, {@code InvalidNameException}). Control-plane
 * fields are checked by the control plane (module {@code control-plane}), one small class per kind
 * of field in {@code dev.pulse.control} and {@code dev.pulse.control.keys}
 * ({@code InvalidFieldException} names the field). The operator routes live in {@code admin}; the tenant-scoped
 * control plane (keys, schemas, datasets), shared by the operator's
 * {@code /admin/v1/tenants/{slug}/...} and the tenant's own {@code /v1/...} (manage key), in
 * {@code control}. {@code GET /openapi.json} serves the hand-kept OpenAPI document
 * ({@code edge.OpenApiRoute}); a test checks it against the routes the server registered.
 */
package dev.pulse.api;

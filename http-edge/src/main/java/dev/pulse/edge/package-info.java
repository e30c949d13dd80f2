/**
 * The HTTP edge every Pulse service shares (ingest-api, lake-query); it depends on
 * {@code schemas} and, to authenticate API keys, on the control plane's {@code dev.pulse.control.keys}
 * (no other package of it); no service depends on another.
 * <ul>
 *   <li>{@link dev.pulse.edge.Problem}, {@link dev.pulse.edge.ProblemException}: RFC 9457
 *       problem documents, each with a stable {@code type} URI; the types the edge itself answers
 *       with are {@link dev.pulse.edge.ProblemType}, and the whole catalogue (with each service's
 *       own types) is {@code http-edge/README.md}.</li>
 *   <li>{@link dev.pulse.edge.ProblemMapping}: the one place failures become answers. It maps
 *       what all services share (PostgreSQL failures with one retry rule, Javalin's 404/405/413,
 *       Jetty's own refusals, anything else as a 500 that reveals nothing); each service adds
 *       only its own exceptions with {@code map}.</li>
 *   <li>{@link dev.pulse.edge.ApiKeyAuth}: a tenant's API key, checked for scope and tenant
 *       status, with one 401 and one 403 and their RFC 6750 challenges.</li>
 *   <li>{@link dev.pulse.edge.MetricsRoute}: {@code GET /metrics} (the service's registry from
 *       {@code dev.pulse.schemas.metrics}, for the scrape token or the operator token only, never
 *       an API key) and the request meter, labelled by route template, never by raw path.</li>
 *   <li>{@link dev.pulse.edge.EdgeServer}, {@link dev.pulse.edge.HealthRoute},
 *       {@link dev.pulse.edge.OpenApiRoute}, {@link dev.pulse.edge.Json}: the shared Javalin
 *       settings, {@code /healthz}, {@code /openapi.json}, the one JSON writer, the registered
 *       routes, and a port that cannot be bound as a start-up error naming its key.</li>
 * </ul>
 */
package dev.pulse.edge;

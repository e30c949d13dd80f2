/**
 * lake-query: analysts read their tenant's Iceberg tables over HTTP through a sandboxed DuckDB.
 * {@code GET /v1/datasets} lists the datasets a {@code query} key may preview (read under RLS);
 * {@code GET /v1/datasets/{slug}/preview?limit=N} reads one. Any other query parameter is a 400
 * naming it, so a caller never believes a filter ({@code where=}, {@code as_of=}) was applied.
 *
 * <p>The isolation chain, each link checked before the next is trusted:
 * <ol>
 *   <li>The API key decides the tenant; the dataset row is read under PostgreSQL RLS bound to it,
 *       so another tenant's dataset is simply absent (404, same as unknown).</li>
 *   <li>The row's table must be in exactly that tenant's namespace ({@code pulse_<tenant>}) with
 *       the slug's table name, and the table's folder under {@code <warehouse>/<namespace>/}: a
 *       tampered row is refused (404, logged on {@code dev.pulse.query.security}).</li>
 *   <li>Iceberg plans the current snapshot's data files; each must be a local path strictly
 *       inside the table's folder (whole path components, no {@code ..}).</li>
 *   <li>DuckDB gets {@code allowed_paths} = exactly the selected files, external access off,
 *       extensions off, then {@code lock_configuration=true} before any query runs.</li>
 * </ol>
 *
 * <p>Authentication, {@code /healthz}, {@code /openapi.json} and every problem the services share
 * come from the HTTP edge (module {@code http-edge}, package {@code dev.pulse.edge}); lake-query
 * maps only its own exceptions ({@code http.QueryProblems}).
 */
package dev.pulse.query;

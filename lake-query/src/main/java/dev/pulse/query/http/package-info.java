/**
 * lake-query's HTTP surface on the shared edge: {@code GET /v1/datasets} and
 * {@code GET /v1/datasets/{slug}/preview}, and the mapping of this service's exceptions to
 * problems.
 */
package dev.pulse.query.http;

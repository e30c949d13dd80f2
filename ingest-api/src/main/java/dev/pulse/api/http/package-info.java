/**
 * The ingest API's own HTTP pieces on top of the shared edge: bounded JSON bodies (media type,
 * gzip, size, nesting), typed reads of request members, the operator token check, draining a
 * refused upload so the client sees the answer, and the mapping of this service's exceptions to
 * problems.
 */
package dev.pulse.api.http;

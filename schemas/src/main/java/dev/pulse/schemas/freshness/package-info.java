/**
 * How current a tenant's datasets are: the freshness watermark ("complete through T") the worker
 * keeps per partition of the tenant's raw topic ({@code pulse.ingest_watermarks}, RLS-bound like
 * every tenant table), and the one way to read it for a tenant. The worker's protocol notes
 * ({@code dev.pulse.worker}) say how the worker knows a partition's watermark.
 */
package dev.pulse.schemas.freshness;

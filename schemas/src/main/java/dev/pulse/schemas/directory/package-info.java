/**
 * The read side of what a tenant has, shared by the worker, lake-query and the control plane:
 * its datasets ({@link dev.pulse.schemas.directory.DatasetDirectory}), its registered schema
 * versions ({@link dev.pulse.schemas.directory.SchemaDirectory}), the status of a tenant
 * ({@link dev.pulse.schemas.directory.TenantStatus}) and what the worker holds back
 * ({@link dev.pulse.schemas.directory.IngestStatus}, the one table the worker writes here). Every
 * read runs in a transaction bound to the tenant, so another tenant's rows are simply absent.
 * Creating and changing these rows is the control plane's ({@code dev.pulse.control.*}); a module
 * that only reads them (the worker, lake-query) needs nothing else.
 */
package dev.pulse.schemas.directory;

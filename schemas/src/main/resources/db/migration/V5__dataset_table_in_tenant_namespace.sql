-- RLS ties a dataset row to its tenant, but nothing tied the row to the tenant's namespace: a
-- buggy or compromised writer bound to tenant A could point A's dataset at tenant B's table.
-- lake-query refuses such a row anyway; the database now refuses to store it.
ALTER TABLE pulse.datasets
    ADD CONSTRAINT datasets_table_in_tenant_namespace
    CHECK (table_namespace = 'pulse_' || replace(tenant_id::text, '-', ''));

-- Operators (operator token, cross-tenant work) list tenants through this one narrow function:
-- ids and slugs only, from the directory. Tenant rows themselves stay behind RLS.
CREATE FUNCTION pulse.operator_tenant_directory() RETURNS TABLE (tenant_id uuid, slug text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$ SELECT tenant_id, slug FROM pulse_directory.tenant_slugs ORDER BY slug $$;
REVOKE ALL ON FUNCTION pulse.operator_tenant_directory() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pulse.operator_tenant_directory() TO pulse_app;

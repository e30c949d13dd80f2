-- Issue 14 (tenant export): `pulse tenant export` copies every audit entry about the tenant into
-- the archive. pulse.operator_audit_log answers at most 1,000 entries, newest first, and cannot be
-- paged, so a tenant with a long history could not be exported whole. This function pages one
-- tenant's entries oldest first by their per-tenant number (the caller passes the last number it
-- read), so the export streams them in pages and holds one page at a time. It answers about one
-- named tenant only (never all tenants) and, like the other operator reads, only pulse_operator
-- may execute it.
CREATE FUNCTION pulse.operator_audit_export(p_tenant_id uuid, p_after_seq bigint, p_limit integer)
    RETURNS TABLE (tenant_id uuid, seq bigint, at timestamptz, actor text, action text, detail jsonb)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT a.tenant_id, a.seq, a.at, a.actor, a.action, a.detail
      FROM pulse_directory.audit_log a
     WHERE p_tenant_id IS NOT NULL AND a.tenant_id = p_tenant_id AND a.seq > COALESCE(p_after_seq, 0)
     ORDER BY a.seq
     LIMIT LEAST(GREATEST(COALESCE(p_limit, 1000), 1), 10000)
$$;
REVOKE ALL ON FUNCTION pulse.operator_audit_export(uuid, bigint, integer) FROM PUBLIC, pulse_app;
GRANT EXECUTE ON FUNCTION pulse.operator_audit_export(uuid, bigint, integer) TO pulse_operator;

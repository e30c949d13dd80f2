-- Control plane: the append-only operator audit log, per-schema compatibility, dataset bucketing.

-- The audit log lives in pulse_directory, on which pulse_app has no privilege at all. pulse_app
-- appends through pulse.record_audit() (SECURITY DEFINER) and operators read through
-- pulse.operator_audit_log(); a trigger refuses UPDATE, DELETE and TRUNCATE for everyone,
-- the owner included, so history cannot be rewritten through SQL either.
CREATE TABLE pulse_directory.audit_log (
    id        bigserial   PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor     text        NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    action    text        NOT NULL CHECK (action ~ '^[a-z][a-z0-9_.-]{0,62}$'),
    tenant_id uuid,
    detail    jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_tenant_idx ON pulse_directory.audit_log (tenant_id, id);

CREATE FUNCTION pulse_directory.refuse_audit_rewrite() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
REVOKE ALL ON FUNCTION pulse_directory.refuse_audit_rewrite() FROM PUBLIC;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON pulse_directory.audit_log
    FOR EACH ROW EXECUTE FUNCTION pulse_directory.refuse_audit_rewrite();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON pulse_directory.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION pulse_directory.refuse_audit_rewrite();

-- Appends one entry. An entry about a tenant can only be written from a transaction bound to
-- that tenant, so a tenant transaction cannot forge history about another tenant.
CREATE FUNCTION pulse.record_audit(p_actor text, p_action text, p_tenant_id uuid, p_detail jsonb) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id bigint;
BEGIN
    IF p_tenant_id IS NOT NULL AND p_tenant_id IS DISTINCT FROM pulse.current_tenant_id() THEN
        RAISE EXCEPTION 'an audit entry about tenant % must be written in a transaction bound to it', p_tenant_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO pulse_directory.audit_log (actor, action, tenant_id, detail)
        VALUES (p_actor, p_action, p_tenant_id, COALESCE(p_detail, '{}'::jsonb))
        RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
REVOKE ALL ON FUNCTION pulse.record_audit(text, text, uuid, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pulse.record_audit(text, text, uuid, jsonb) TO pulse_app;

-- The operator's read of the log (the API guards it with the operator token): newest first,
-- optionally for one tenant, at most p_limit entries.
CREATE FUNCTION pulse.operator_audit_log(p_tenant_id uuid, p_limit integer)
    RETURNS TABLE (id bigint, at timestamptz, actor text, action text, tenant_id uuid, detail jsonb)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT a.id, a.at, a.actor, a.action, a.tenant_id, a.detail
      FROM pulse_directory.audit_log a
     WHERE p_tenant_id IS NULL OR a.tenant_id = p_tenant_id
     ORDER BY a.id DESC
     LIMIT LEAST(GREATEST(COALESCE(p_limit, 100), 1), 1000)
$$;
REVOKE ALL ON FUNCTION pulse.operator_audit_log(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pulse.operator_audit_log(uuid, integer) TO pulse_app;

-- The compatibility rule a version was registered under; the latest version's rule governs
-- the next registration. BACKWARD by default; NONE skips the check (a dataset upgrade still
-- requires BACKWARD compatibility with the version the dataset is on).
ALTER TABLE pulse.event_schemas
    ADD COLUMN compatibility text NOT NULL DEFAULT 'BACKWARD' CHECK (compatibility IN ('BACKWARD', 'NONE'));

-- Optional bucket partition on one top-level field, next to the day/hour partition.
ALTER TABLE pulse.datasets
    ADD COLUMN bucket_field text CHECK (bucket_field ~ '^[A-Za-z_][A-Za-z0-9_]{0,127}$'),
    ADD COLUMN bucket_count integer CHECK (bucket_count BETWEEN 2 AND 1024),
    ADD CONSTRAINT datasets_bucket_complete CHECK ((bucket_field IS NULL) = (bucket_count IS NULL));

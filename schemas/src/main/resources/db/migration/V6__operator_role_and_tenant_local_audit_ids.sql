-- Issue 7: the runtime role reached the whole tenant directory and every tenant's audit log
-- through the two operator functions, and audit ids came from one sequence shared by all tenants.

-- 1. The operator role. Only the operator control plane (ingest-api's /admin/v1, pulse doctor)
-- connects with it. It owns nothing, is no member of any role, can use schema pulse (to name the
-- functions) but holds no table privilege, and may EXECUTE exactly the operator functions.
-- Migrations gives it LOGIN and the password of PULSE_OPERATOR_DATABASE_URL afterwards.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pulse_operator') THEN
        CREATE ROLE pulse_operator NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA pulse TO pulse_operator;

REVOKE ALL ON FUNCTION pulse.operator_tenant_directory() FROM PUBLIC, pulse_app;
GRANT EXECUTE ON FUNCTION pulse.operator_tenant_directory() TO pulse_operator;

-- 2. Audit entry ids are numbered per tenant: entry n of a tenant is (tenant_id, n), 1, 2, 3, ...
-- without gaps. A global sequence let a tenant-bound transaction count every other tenant's
-- control-plane changes from the id pulse.record_audit() returned. Random UUIDs would hide that
-- too; a per-tenant counter also keeps a tenant's history in commit order and makes a missing
-- entry visible as a gap. The counter row is locked until the writing transaction ends, which
-- serializes one tenant's control-plane changes at their audit append (they are rare), never
-- two tenants'. Entries about no tenant (none are written by Pulse itself) have their own
-- counter under the nil UUID.
CREATE TABLE pulse_directory.audit_counters (
    scope    uuid   NOT NULL PRIMARY KEY,
    last_seq bigint NOT NULL CHECK (last_seq >= 1)
);

-- The append-only trigger refuses UPDATE for the owner too; the renumbering is the one exception.
ALTER TABLE pulse_directory.audit_log DISABLE TRIGGER audit_log_append_only;
ALTER TABLE pulse_directory.audit_log ADD COLUMN seq bigint;
UPDATE pulse_directory.audit_log a SET seq = n.seq
  FROM (SELECT id, row_number() OVER (PARTITION BY tenant_id ORDER BY id) AS seq FROM pulse_directory.audit_log) n
 WHERE n.id = a.id;
ALTER TABLE pulse_directory.audit_log ENABLE TRIGGER audit_log_append_only;

ALTER TABLE pulse_directory.audit_log
    ALTER COLUMN seq SET NOT NULL,
    ADD COLUMN scope uuid GENERATED ALWAYS AS (coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)) STORED,
    DROP COLUMN id;  -- drops the shared sequence, its primary key and the (tenant_id, id) index with it
ALTER TABLE pulse_directory.audit_log ADD PRIMARY KEY (scope, seq);
CREATE INDEX audit_log_at_idx ON pulse_directory.audit_log (at);

INSERT INTO pulse_directory.audit_counters (scope, last_seq)
SELECT scope, max(seq) FROM pulse_directory.audit_log GROUP BY scope;

-- Same contract as before (refuses an entry about a tenant the transaction is not bound to);
-- returns the entry's number within its tenant.
CREATE OR REPLACE FUNCTION pulse.record_audit(p_actor text, p_action text, p_tenant_id uuid, p_detail jsonb) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    next_seq bigint;
BEGIN
    IF p_tenant_id IS NOT NULL AND p_tenant_id IS DISTINCT FROM pulse.current_tenant_id() THEN
        RAISE EXCEPTION 'an audit entry about tenant % must be written in a transaction bound to it', p_tenant_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO pulse_directory.audit_counters AS c (scope, last_seq)
        VALUES (coalesce(p_tenant_id, '00000000-0000-0000-0000-000000000000'::uuid), 1)
        ON CONFLICT (scope) DO UPDATE SET last_seq = c.last_seq + 1
        RETURNING c.last_seq INTO next_seq;
    INSERT INTO pulse_directory.audit_log (seq, actor, action, tenant_id, detail)
        VALUES (next_seq, p_actor, p_action, p_tenant_id, COALESCE(p_detail, '{}'::jsonb));
    RETURN next_seq;
END
$$;
REVOKE ALL ON FUNCTION pulse.record_audit(text, text, uuid, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pulse.record_audit(text, text, uuid, jsonb) TO pulse_app;

-- The operator's read: for one tenant newest first by its numbering; for all tenants newest
-- first by time. Executable by the operator role only.
DROP FUNCTION pulse.operator_audit_log(uuid, integer);
CREATE FUNCTION pulse.operator_audit_log(p_tenant_id uuid, p_limit integer)
    RETURNS TABLE (tenant_id uuid, seq bigint, at timestamptz, actor text, action text, detail jsonb)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT a.tenant_id, a.seq, a.at, a.actor, a.action, a.detail
      FROM pulse_directory.audit_log a
     WHERE p_tenant_id IS NULL OR a.tenant_id = p_tenant_id
     ORDER BY (CASE WHEN p_tenant_id IS NULL THEN a.at END) DESC NULLS LAST, a.seq DESC
     LIMIT LEAST(GREATEST(COALESCE(p_limit, 100), 1), 1000)
$$;
REVOKE ALL ON FUNCTION pulse.operator_audit_log(uuid, integer) FROM PUBLIC, pulse_app;
GRANT EXECUTE ON FUNCTION pulse.operator_audit_log(uuid, integer) TO pulse_operator;

-- 3. The tenant function resolves names with a fixed search_path like every other function
-- (splinter's function_search_path_mutable; pulse doctor checks every function). Policies call it
-- as (SELECT pulse.current_tenant_id()), once per statement, so losing SQL inlining costs nothing.
ALTER FUNCTION pulse.current_tenant_id() SET search_path = pg_catalog, pg_temp;

-- 4. No temporary objects for anyone but the owner: the runtime roles have no use for them, and
-- a temporary table or function is where probes and covert channels (leaky functions, the
-- global OID counter) start. The database's owner (the admin role) may revoke this.
DO $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END
$$;

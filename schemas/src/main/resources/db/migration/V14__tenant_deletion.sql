-- Issue 14, "Delete with proof": pulse tenant delete <slug> --confirm <slug>.
-- (README, "Tenant lifecycle" > "Delete with proof".)

-- 1. A tenant being deleted: its keys are refused everything (query included), the worker's usage
-- sink writes nothing more for it, and pulse doctor names the unfinished job.
ALTER TABLE pulse.tenants DROP CONSTRAINT tenants_status_check;
ALTER TABLE pulse.tenants ADD CONSTRAINT tenants_status_check
    CHECK (status IN ('provisioning', 'active', 'suspended', 'deleting'));

-- 2. The deletion removes every row of the tenant from every tenant table as pulse_app bound to
-- the tenant (RLS shows it exactly the tenant's rows; the owner sees none under FORCE). So
-- pulse_app may DELETE in every tenant table: found from the catalog (schema pulse, a tenant_id
-- column), as pulse doctor finds them. A table added later needs its own GRANT DELETE in its
-- migration; the deletion job refuses to start, naming the table, when one lacks it.
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT c.relname FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
               JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
              WHERE n.nspname = 'pulse' AND c.relkind IN ('r', 'p') LOOP
        EXECUTE format('GRANT DELETE ON pulse.%I TO pulse_app', t);
    END LOOP;
END
$$;

-- 3. The directory follows the tenant tables on DELETE as it does on INSERT: a deleted tenant's
-- slug becomes free (a new tenant may take it, with a new id) and its key ids resolve to nothing.
CREATE FUNCTION pulse_directory.on_tenant_delete() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    DELETE FROM pulse_directory.tenant_slugs WHERE tenant_id = OLD.tenant_id;
    RETURN OLD;
END
$$;
REVOKE ALL ON FUNCTION pulse_directory.on_tenant_delete() FROM PUBLIC;
CREATE TRIGGER tenants_directory_delete AFTER DELETE ON pulse.tenants
    FOR EACH ROW EXECUTE FUNCTION pulse_directory.on_tenant_delete();

CREATE FUNCTION pulse_directory.on_api_key_delete() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    DELETE FROM pulse_directory.api_key_ids WHERE key_id = OLD.key_id AND tenant_id = OLD.tenant_id;
    RETURN OLD;
END
$$;
REVOKE ALL ON FUNCTION pulse_directory.on_api_key_delete() FROM PUBLIC;
CREATE TRIGGER api_keys_directory_delete AFTER DELETE ON pulse.api_keys
    FOR EACH ROW EXECUTE FUNCTION pulse_directory.on_api_key_delete();

-- 4. The job's state, outside every tenant table (it must outlive the tenant's rows): which step
-- it reached and what each finished step removed. One row per tenant being deleted; the row goes
-- when the tombstone is written. The slug is kept only while the job runs (a re-run finds it by
-- the slug the operator typed, even after the tenant row is gone).
CREATE TABLE pulse_directory.tenant_deletions (
    tenant_id  uuid        NOT NULL PRIMARY KEY,
    slug       text        NOT NULL UNIQUE,
    actor      text        NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    step       text        NOT NULL,
    removed    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    started_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The operator reads and writes it through these functions only (pulse_operator holds no table).
CREATE FUNCTION pulse.operator_deletion_job(p_slug text)
    RETURNS TABLE (tenant_id uuid, slug text, actor text, step text, removed jsonb, started_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$ SELECT d.tenant_id, d.slug, d.actor, d.step, d.removed, d.started_at
            FROM pulse_directory.tenant_deletions d WHERE d.slug = p_slug $$;
REVOKE ALL ON FUNCTION pulse.operator_deletion_job(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pulse.operator_deletion_job(text) TO pulse_operator;

-- Starts (or, same tenant and slug, keeps) the job; then records each finished step. A slug
-- under deletion belongs to one tenant: another tenant id for it is refused by the UNIQUE key.
CREATE FUNCTION pulse.operator_deletion_record(p_tenant_id uuid, p_slug text, p_actor text, p_step text, p_removed jsonb)
    RETURNS void
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO pulse_directory.tenant_deletions AS d (tenant_id, slug, actor, step, removed)
         VALUES (p_tenant_id, p_slug, p_actor, p_step, COALESCE(p_removed, '{}'::jsonb))
    ON CONFLICT (tenant_id) DO UPDATE
         SET step = EXCLUDED.step, removed = d.removed || EXCLUDED.removed, updated_at = now()
$$;
REVOKE ALL ON FUNCTION pulse.operator_deletion_record(uuid, text, text, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pulse.operator_deletion_record(uuid, text, text, text, jsonb) TO pulse_operator;

-- 5. The audit log is append-only for everyone; the one exception is removing a deleted tenant's
-- own entries, done only by pulse.operator_finish_deletion below, which names the tenant in a
-- transaction-local setting the trigger checks. pulse_app and pulse_operator hold no privilege
-- on the table, so setting the name themselves gains them nothing.
CREATE OR REPLACE FUNCTION pulse_directory.refuse_audit_rewrite() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.tenant_id IS NOT NULL
       AND OLD.tenant_id::text = current_setting('pulse.erasing_tenant', true) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

-- Removes a deleted tenant's audit entries and its audit counter: only for a tenant whose job
-- exists and whose rows are gone from the directory (so it cannot erase a live tenant's history).
-- Returns how many entries it removed (0 on a second call).
CREATE FUNCTION pulse.operator_erase_tenant_audit(p_tenant_id uuid)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    removed bigint;
BEGIN
    IF NOT EXISTS (SELECT FROM pulse_directory.tenant_deletions WHERE tenant_id = p_tenant_id) THEN
        RAISE EXCEPTION 'tenant % is not being deleted', p_tenant_id USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF EXISTS (SELECT FROM pulse_directory.tenant_slugs WHERE tenant_id = p_tenant_id)
       OR EXISTS (SELECT FROM pulse_directory.api_key_ids WHERE tenant_id = p_tenant_id) THEN
        RAISE EXCEPTION 'tenant % still has rows; its deletion has not removed them yet', p_tenant_id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    PERFORM set_config('pulse.erasing_tenant', p_tenant_id::text, true);
    DELETE FROM pulse_directory.audit_log WHERE tenant_id = p_tenant_id;
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('pulse.erasing_tenant', '', true);
    DELETE FROM pulse_directory.audit_counters WHERE scope = p_tenant_id;
    RETURN removed;
END
$$;
REVOKE ALL ON FUNCTION pulse.operator_erase_tenant_audit(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pulse.operator_erase_tenant_audit(uuid) TO pulse_operator;

-- Finishes a deletion once its certificate is written: appends the tombstone (tenant id, time,
-- actor, the certificate's SHA-256; no slug, no other tenant data) as the tenant's only audit
-- entry and drops the job row. Returns false (and changes nothing) when no job is open.
CREATE FUNCTION pulse.operator_finish_deletion(p_tenant_id uuid, p_actor text, p_certificate_sha256 text)
    RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM pulse_directory.tenant_deletions WHERE tenant_id = p_tenant_id) THEN
        RETURN false;
    END IF;
    IF EXISTS (SELECT FROM pulse_directory.audit_log WHERE tenant_id = p_tenant_id) THEN
        RAISE EXCEPTION 'tenant % still has audit entries; erase them first', p_tenant_id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF p_certificate_sha256 !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'certificate hash must be 64 lower-case hex digits' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO pulse_directory.audit_counters AS c (scope, last_seq) VALUES (p_tenant_id, 1)
        ON CONFLICT (scope) DO UPDATE SET last_seq = c.last_seq + 1;
    INSERT INTO pulse_directory.audit_log (seq, actor, action, tenant_id, detail)
         SELECT c.last_seq, p_actor, 'tenant.deleted', p_tenant_id, jsonb_build_object('certificate_sha256', p_certificate_sha256)
           FROM pulse_directory.audit_counters c WHERE c.scope = p_tenant_id;
    DELETE FROM pulse_directory.tenant_deletions WHERE tenant_id = p_tenant_id;
    RETURN true;
END
$$;
REVOKE ALL ON FUNCTION pulse.operator_finish_deletion(uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pulse.operator_finish_deletion(uuid, text, text) TO pulse_operator;

-- What of a tenant is left in the directory schema (which pulse_app cannot read): its slug row,
-- key ids, and audit entries other than the tombstone. The deletion's verification reads it.
CREATE FUNCTION pulse.operator_tenant_traces(p_tenant_id uuid)
    RETURNS TABLE (store text, remaining bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT 'pulse_directory.tenant_slugs', count(*) FROM pulse_directory.tenant_slugs WHERE tenant_id = p_tenant_id
    UNION ALL
    SELECT 'pulse_directory.api_key_ids', count(*) FROM pulse_directory.api_key_ids WHERE tenant_id = p_tenant_id
    UNION ALL
    SELECT 'pulse_directory.audit_log', count(*) FROM pulse_directory.audit_log
     WHERE tenant_id = p_tenant_id AND action <> 'tenant.deleted'
$$;
REVOKE ALL ON FUNCTION pulse.operator_tenant_traces(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pulse.operator_tenant_traces(uuid) TO pulse_operator;

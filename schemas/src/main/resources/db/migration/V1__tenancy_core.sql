-- Pulse tenancy core. Runs as the admin role, which owns every object created here.
-- pulse_app (runtime) and pulse_catalog (Iceberg JdbcCatalog) are created without LOGIN;
-- Migrations gives them LOGIN and the passwords from the configured URLs afterwards.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pulse_app') THEN
        CREATE ROLE pulse_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pulse_catalog') THEN
        CREATE ROLE pulse_catalog NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION;
    END IF;
END
$$;

-- The Iceberg catalog keeps its own tables in its own schema, reached with its own credentials.
CREATE SCHEMA pulse_catalog;
REVOKE ALL ON SCHEMA pulse_catalog FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA pulse_catalog TO pulse_catalog;

CREATE SCHEMA pulse;
REVOKE ALL ON SCHEMA pulse FROM PUBLIC;
GRANT USAGE ON SCHEMA pulse TO pulse_app;

-- The cross-tenant directory: slug -> tenant and API key id -> tenant. pulse_app has no
-- privilege here at all; it reaches the directory only through the exact-match functions below.
CREATE SCHEMA pulse_directory;
REVOKE ALL ON SCHEMA pulse_directory FROM PUBLIC;

-- NULL for both a missing and an empty setting: no tenant bound means no rows, never all rows.
CREATE FUNCTION pulse.current_tenant_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('app.current_tenant_id', true), '')::uuid $$;
REVOKE ALL ON FUNCTION pulse.current_tenant_id() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pulse.current_tenant_id() TO pulse_app;

CREATE TABLE pulse.tenants (
    tenant_id  uuid        NOT NULL,
    slug       text        NOT NULL CHECK (slug ~ '^[a-z][a-z0-9-]{2,39}$'),
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    tier       text        NOT NULL DEFAULT 'standard' CHECK (tier IN ('free', 'standard', 'enterprise')),
    status     text        NOT NULL DEFAULT 'provisioning' CHECK (status IN ('provisioning', 'active', 'suspended')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);

CREATE TABLE pulse.api_keys (
    tenant_id    uuid        NOT NULL,
    key_id       text        NOT NULL CHECK (key_id ~ '^[0-9a-f]{16}$'),
    name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    secret_hash  bytea       NOT NULL CHECK (length(secret_hash) = 32),
    scopes       text[]      NOT NULL CHECK (scopes <@ ARRAY['ingest', 'query', 'manage'] AND cardinality(scopes) > 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    PRIMARY KEY (tenant_id, key_id),
    FOREIGN KEY (tenant_id) REFERENCES pulse.tenants (tenant_id)
);

CREATE TABLE pulse.event_schemas (
    tenant_id   uuid        NOT NULL,
    name        text        NOT NULL CHECK (name ~ '^[a-z][a-z0-9_-]{0,62}$'),
    version     integer     NOT NULL CHECK (version >= 1),
    definition  jsonb       NOT NULL,
    fingerprint text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, name, version),
    FOREIGN KEY (tenant_id) REFERENCES pulse.tenants (tenant_id)
);

CREATE TABLE pulse.datasets (
    tenant_id       uuid        NOT NULL,
    slug            text        NOT NULL CHECK (slug ~ '^[a-z][a-z0-9-]{2,39}$'),
    schema_name     text        NOT NULL,
    schema_version  integer     NOT NULL,
    table_namespace text        NOT NULL,
    table_name      text        NOT NULL,
    partitioning    text        NOT NULL DEFAULT 'day',
    row_count       bigint      NOT NULL DEFAULT 0,
    last_event_time timestamptz,
    last_commit_at  timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, slug),
    FOREIGN KEY (tenant_id, schema_name, schema_version) REFERENCES pulse.event_schemas (tenant_id, name, version)
);
CREATE INDEX datasets_schema_idx ON pulse.datasets (tenant_id, schema_name, schema_version);

-- One row per (table commit, Kafka partition it covers): the ledger the worker reconciles with
-- the snapshot summaries on restart.
CREATE TABLE pulse.ingest_commits (
    tenant_id       uuid        NOT NULL,
    dataset_slug    text        NOT NULL,
    snapshot_id     bigint      NOT NULL,
    topic           text        NOT NULL,
    kafka_partition integer     NOT NULL,
    first_offset    bigint      NOT NULL,
    next_offset     bigint      NOT NULL,
    record_count    integer     NOT NULL,
    committed_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, dataset_slug, snapshot_id, kafka_partition),
    FOREIGN KEY (tenant_id, dataset_slug) REFERENCES pulse.datasets (tenant_id, slug)
);

-- Row-level security: ENABLE + FORCE and one policy per table, for pulse_app, on the bound tenant.
-- (SELECT ...) makes PostgreSQL evaluate the tenant once per statement (an InitPlan), not per row.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tenants', 'api_keys', 'event_schemas', 'datasets', 'ingest_commits'] LOOP
        EXECUTE format('ALTER TABLE pulse.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE pulse.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON pulse.%I FOR ALL TO pulse_app '
                       'USING (tenant_id = (SELECT pulse.current_tenant_id())) '
                       'WITH CHECK (tenant_id = (SELECT pulse.current_tenant_id()))', t);
    END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE ON pulse.tenants TO pulse_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON pulse.api_keys TO pulse_app;
GRANT SELECT, INSERT ON pulse.event_schemas TO pulse_app;
GRANT SELECT, INSERT, UPDATE ON pulse.datasets TO pulse_app;
GRANT SELECT, INSERT ON pulse.ingest_commits TO pulse_app;

-- The directory, kept by triggers so that it can never disagree with the tenant tables.
CREATE TABLE pulse_directory.tenant_slugs (
    slug      text NOT NULL PRIMARY KEY,
    tenant_id uuid NOT NULL UNIQUE
);
CREATE TABLE pulse_directory.api_key_ids (
    key_id    text NOT NULL PRIMARY KEY,
    tenant_id uuid NOT NULL
);

CREATE FUNCTION pulse_directory.on_tenant_insert() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    INSERT INTO pulse_directory.tenant_slugs (slug, tenant_id) VALUES (NEW.slug, NEW.tenant_id);
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION pulse_directory.on_tenant_insert() FROM PUBLIC;
CREATE TRIGGER tenants_directory AFTER INSERT ON pulse.tenants
    FOR EACH ROW EXECUTE FUNCTION pulse_directory.on_tenant_insert();

CREATE FUNCTION pulse_directory.on_api_key_insert() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    INSERT INTO pulse_directory.api_key_ids (key_id, tenant_id) VALUES (NEW.key_id, NEW.tenant_id);
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION pulse_directory.on_api_key_insert() FROM PUBLIC;
CREATE TRIGGER api_keys_directory AFTER INSERT ON pulse.api_keys
    FOR EACH ROW EXECUTE FUNCTION pulse_directory.on_api_key_insert();

-- Slugs and key ids are immutable: the directory would otherwise go stale.
CREATE FUNCTION pulse_directory.refuse_identity_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RAISE EXCEPTION 'slug, key id and tenant id are immutable' USING ERRCODE = 'check_violation';
END
$$;
REVOKE ALL ON FUNCTION pulse_directory.refuse_identity_change() FROM PUBLIC;
CREATE TRIGGER tenants_identity BEFORE UPDATE OF tenant_id, slug ON pulse.tenants
    FOR EACH ROW WHEN (OLD.tenant_id IS DISTINCT FROM NEW.tenant_id OR OLD.slug IS DISTINCT FROM NEW.slug)
    EXECUTE FUNCTION pulse_directory.refuse_identity_change();
CREATE TRIGGER api_keys_identity BEFORE UPDATE OF tenant_id, key_id ON pulse.api_keys
    FOR EACH ROW WHEN (OLD.tenant_id IS DISTINCT FROM NEW.tenant_id OR OLD.key_id IS DISTINCT FROM NEW.key_id)
    EXECUTE FUNCTION pulse_directory.refuse_identity_change();

-- The two cross-tenant lookups. Exact match or NULL; nothing else is revealed.
CREATE FUNCTION pulse.tenant_for_api_key(p_key_id text) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$ SELECT tenant_id FROM pulse_directory.api_key_ids WHERE key_id = p_key_id $$;
REVOKE ALL ON FUNCTION pulse.tenant_for_api_key(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pulse.tenant_for_api_key(text) TO pulse_app;

CREATE FUNCTION pulse.tenant_for_slug(p_slug text) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$ SELECT tenant_id FROM pulse_directory.tenant_slugs WHERE slug = p_slug $$;
REVOKE ALL ON FUNCTION pulse.tenant_for_slug(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pulse.tenant_for_slug(text) TO pulse_app;

package dev.pulse.api.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.api.http.Json;
import dev.pulse.api.http.JsonBodies;
import dev.pulse.api.http.OperatorAuth;
import dev.pulse.api.http.ProblemException;
import dev.pulse.schemas.control.ApiKeyStore;
import dev.pulse.schemas.control.DatasetRecord;
import dev.pulse.schemas.control.Datasets;
import dev.pulse.schemas.control.SchemaRegistry;
import dev.pulse.schemas.control.TenantRecord;
import dev.pulse.schemas.control.Tenants;
import dev.pulse.schemas.event.IcebergSchemas.Partitioning;
import dev.pulse.schemas.tenancy.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator control plane under {@code /admin/v1}: tenants, their API keys, schemas and
 * datasets. Every route requires the operator token; every change is written to the audit log.
 */
public final class AdminRoutes {
    /** Operator actions, one line each; route this logger to an append-only sink in production. */
    private static final Logger AUDIT = LoggerFactory.getLogger("dev.pulse.api.audit");

    private final OperatorAuth auth;
    private final JsonBodies bodies;
    private final Tenants tenants;
    private final ApiKeyStore keys;
    private final SchemaRegistry schemas;
    private final Datasets datasets;

    public AdminRoutes(OperatorAuth auth, JsonBodies bodies, Tenants tenants, ApiKeyStore keys, SchemaRegistry schemas, Datasets datasets) {
        this.auth = auth;
        this.bodies = bodies;
        this.tenants = tenants;
        this.keys = keys;
        this.schemas = schemas;
        this.datasets = datasets;
    }

    public void register(RoutesConfig routes) {
        routes.post("/admin/v1/tenants", auth.guard(this::createTenant));
        routes.get("/admin/v1/tenants/{slug}", auth.guard(this::getTenant));
        routes.post("/admin/v1/tenants/{slug}/keys", auth.guard(this::createKey));
        routes.post("/admin/v1/tenants/{slug}/schemas", auth.guard(this::registerSchema));
        routes.post("/admin/v1/tenants/{slug}/datasets", auth.guard(this::createDataset));
    }

    private Fields body(Context ctx) {
        return new Fields(bodies.read(ctx, JsonBodies.MediaTypeRule.JSON_OR_ABSENT));
    }

    private void createTenant(Context ctx) {
        Fields body = body(ctx);
        String tier = body.optionalString("tier");
        Tenants.CreateResult result = tenants.create(body.requiredString("slug"), body.optionalString("name"),
                tier == null ? "standard" : tier);
        AUDIT.info("operator {} tenant slug={} id={}", result.created() ? "created" : "finished provisioning",
                result.tenant().slug(), result.tenant().id());
        Json.respond(ctx, result.created() ? 201 : 200, tenantJson(result.tenant()));
    }

    private void getTenant(Context ctx) {
        Json.respond(ctx, 200, tenantJson(tenants.requireBySlug(ctx.pathParam("slug"))));
    }

    private void createKey(Context ctx) {
        TenantRecord tenant = tenants.requireBySlug(ctx.pathParam("slug"));
        Fields body = body(ctx);
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (JsonNode scope : body.requiredArray("scopes")) {
            scopes.add(Scope.parse(scope.isTextual() ? scope.textValue() : null).orElseThrow(() -> ProblemException.badRequest(
                    "unknown-scope", "scope " + scope + " is unknown: use ingest, query or manage")));
        }
        ApiKeyStore.CreatedKey key = keys.create(tenant.id(), body.optionalString("name"), scopes, body.optionalInstant("expires_at"));
        AUDIT.info("operator created API key tenant={} key_id={} scopes={}", tenant.id(), key.keyId(), scopes);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("key", key.token());
        json.put("key_id", key.keyId());
        json.put("name", key.name());
        json.put("scopes", key.scopes().stream().map(Scope::wireName).sorted().toList());
        json.put("expires_at", key.expiresAt() == null ? null : key.expiresAt().toString());
        Json.respond(ctx, 201, json);
    }

    private void registerSchema(Context ctx) {
        TenantRecord tenant = tenants.requireBySlug(ctx.pathParam("slug"));
        Fields body = body(ctx);
        SchemaRegistry.RegisterResult result = schemas.register(tenant.id(), body.requiredString("name"), body.requiredObject("definition"));
        if (result.created()) {
            AUDIT.info("operator registered schema tenant={} name={} version={}", tenant.id(), result.schema().name(), result.schema().version());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", result.schema().name());
        json.put("version", result.schema().version());
        json.put("fingerprint", result.schema().fingerprint());
        json.put("created", result.created());
        Json.respond(ctx, result.created() ? 201 : 200, json);
    }

    private void createDataset(Context ctx) {
        TenantRecord tenant = tenants.requireBySlug(ctx.pathParam("slug"));
        Fields body = body(ctx);
        String partitioning = body.optionalString("partitioning");
        Partitioning parsed;
        try {
            parsed = partitioning == null ? Partitioning.DAY : Partitioning.parse(partitioning);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("invalid-partitioning", e.getMessage());
        }
        DatasetRecord dataset = datasets.create(tenant.id(), body.requiredString("slug"), body.requiredString("schema"),
                body.optionalPositiveInt("schema_version"), parsed);
        AUDIT.info("operator created dataset tenant={} slug={} schema={} v{}", tenant.id(), dataset.slug(), dataset.schemaName(), dataset.schemaVersion());
        Json.respond(ctx, 201, datasetJson(dataset));
    }

    static Map<String, Object> tenantJson(TenantRecord tenant) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", tenant.id().toString());
        json.put("slug", tenant.slug());
        json.put("name", tenant.name());
        json.put("tier", tenant.tier());
        json.put("status", tenant.status());
        json.put("created_at", tenant.createdAt().toString());
        return json;
    }

    static Map<String, Object> datasetJson(DatasetRecord dataset) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("slug", dataset.slug());
        json.put("schema", dataset.schemaName());
        json.put("schema_version", dataset.schemaVersion());
        json.put("table", dataset.tableNamespace() + "." + dataset.tableName());
        json.put("partitioning", dataset.partitioning());
        json.put("row_count", dataset.rowCount());
        json.put("created_at", dataset.createdAt().toString());
        return json;
    }
}

package dev.pulse.api.admin;

import dev.pulse.api.control.Audit;
import dev.pulse.api.control.Caller;
import dev.pulse.api.control.TenantResources;
import dev.pulse.api.http.Fields;
import dev.pulse.api.http.JsonBodies;
import dev.pulse.api.http.OperatorAuth;
import dev.pulse.control.ControlException;
import dev.pulse.control.audit.Actor;
import dev.pulse.control.keys.ApiKeyStore;
import dev.pulse.control.operator.OperatorDatabase;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.control.tenants.Tenants;
import dev.pulse.edge.Json;
import dev.pulse.edge.ProblemException;
import dev.pulse.schemas.naming.TenantId;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operator control plane under {@code /admin/v1}: tenants, the audit log, and each tenant's
 * keys, schemas and datasets under {@code /admin/v1/tenants/{slug}} (the same handlers as the
 * tenant's own {@code /v1} routes). Every route requires the operator token; every change is
 * appended to the audit log with actor {@code operator[:<X-Pulse-Actor>]}.
 */
public final class AdminRoutes {
    static final String PREFIX = "/admin/v1";

    private final OperatorAuth auth;
    private final JsonBodies bodies;
    private final Tenants tenants;
    private final TenantResources resources;
    private final OperatorDatabase operator;
    private final ApiKeyStore keys;

    /**
     * {@code operator}: the operator role's reads (tenant directory, audit log); every other route works as the runtime role.
     * {@code keys}: finds a key's tenant by the exact-match key-id lookup for the key routes without a tenant.
     */
    public AdminRoutes(OperatorAuth auth, JsonBodies bodies, Tenants tenants, TenantResources resources, OperatorDatabase operator,
            ApiKeyStore keys) {
        this.keys = keys;
        this.auth = auth;
        this.bodies = bodies;
        this.tenants = tenants;
        this.resources = resources;
        this.operator = operator;
    }

    public void register(RoutesConfig routes) {
        routes.get(PREFIX + "/tenants", auth.guard(this::listTenants));
        routes.post(PREFIX + "/tenants", auth.guard(this::createTenant));
        routes.get(PREFIX + "/tenants/{slug}", auth.guard(this::getTenant));
        routes.post(PREFIX + "/tenants/{slug}/suspend", auth.guard(ctx -> changeStatus(ctx, "suspend")));
        routes.post(PREFIX + "/tenants/{slug}/resume", auth.guard(ctx -> changeStatus(ctx, "resume")));
        routes.put(PREFIX + "/tenants/{slug}/snapshot-retention", auth.guard(this::setSnapshotRetention));
        routes.get(PREFIX + "/audit", auth.guard(this::readAudit));
        resources.register(routes, PREFIX + "/tenants/{slug}", this::operatorCaller);
        // A key id names its tenant, so `pulse key revoke <key-id>` needs no --tenant.
        resources.registerKeyActions(routes, PREFIX, this::keyOwnerCaller);
    }

    private Caller keyOwnerCaller(Context ctx) {
        auth.require(ctx);
        String keyId = ctx.pathParam("key_id");
        TenantId tenant = keys.tenantOf(keyId).orElseThrow(() -> ControlException.notFound("key", keyId));
        return new Caller(tenant, Audit.operatorActor(ctx));
    }

    /** The operator, for the tenant named by {@code {slug}} in the path (404 when none): for routes registered beside these. */
    public Caller operatorCaller(Context ctx) {
        auth.require(ctx);
        return new Caller(tenants.requireBySlug(ctx.pathParam("slug")).id(), Audit.operatorActor(ctx));
    }

    private void listTenants(Context ctx) {
        Json.respond(ctx, 200, tenants.list(operator).stream().map(AdminRoutes::tenantJson).toList());
    }

    private void createTenant(Context ctx) {
        Fields body = new Fields(bodies.read(ctx, JsonBodies.MediaTypeRule.JSON_OR_ABSENT));
        String tier = body.optionalString("tier");
        Tenants.CreateResult result = tenants.create(body.requiredString("slug"), body.optionalString("name"),
                tier == null ? "standard" : tier, new Actor(Audit.operatorActor(ctx)));
        TenantRecord tenant = result.tenant();
        Json.respond(ctx, result.created() ? 201 : 200, tenantJson(tenant));
    }

    private void getTenant(Context ctx) {
        TenantRecord tenant = tenants.requireBySlug(ctx.pathParam("slug"));
        Map<String, Object> json = tenantJson(tenant);
        // Lake maintenance keeps hourly time-travel points this long; null: the tier's default.
        json.put("snapshot_retention", tenants.snapshotRetention(tenant.id()).map(java.time.Duration::toString).orElse(null));
        // What the worker holds back (a dataset whose table keeps failing): empty when all flows.
        json.put("ingest", tenants.ingestStatus(tenant.id()).stream().map(s -> {
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("dataset", s.dataset());
            status.put("state", s.state());
            status.put("reason", s.reason());
            status.put("failing_since", s.failingSince().toString());
            status.put("failures", s.failures());
            status.put("retry_at", s.retryAt().toString());
            return status;
        }).toList());
        Json.respond(ctx, 200, json);
    }

    private void changeStatus(Context ctx, String action) {
        String slug = ctx.pathParam("slug");
        Actor actor = new Actor(Audit.operatorActor(ctx));
        Tenants.StatusChangeResult result = action.equals("suspend") ? tenants.suspend(slug, actor) : tenants.resume(slug, actor);
        // This replica's key cache holds the tenant's status: it takes the change at once (others within KeyCache.TTL).
        keys.cache().forgetTenant(result.tenant().id());
        Json.respond(ctx, 200, tenantJson(result.tenant()));
    }

    /** Body {@code {"snapshot_retention": "P30D"}}, or {@code null} for the tier's default. */
    private void setSnapshotRetention(Context ctx) {
        Fields body = new Fields(bodies.read(ctx, JsonBodies.MediaTypeRule.JSON_OR_ABSENT));
        String text = body.optionalString("snapshot_retention");
        java.time.Duration retention = null;
        if (text != null) {
            try {
                retention = java.time.Duration.parse(text);
            } catch (java.time.format.DateTimeParseException e) {
                throw new dev.pulse.control.InvalidFieldException("invalid-snapshot-retention", "snapshot_retention",
                        "snapshot_retention must be an ISO-8601 duration such as PT6H or P30D, or null for the tier's default");
            }
        }
        Tenants.RetentionResult result = tenants.setSnapshotRetention(ctx.pathParam("slug"), retention, new Actor(Audit.operatorActor(ctx)));
        Map<String, Object> json = tenantJson(result.tenant());
        json.put("snapshot_retention", result.snapshotRetention().map(java.time.Duration::toString).orElse(null));
        json.put("changed", result.changed());
        Json.respond(ctx, 200, json);
    }

    private void readAudit(Context ctx) {
        String slug = ctx.queryParam("tenant");
        TenantId tenant = slug == null ? null : tenants.requireBySlug(slug).id();
        int limit = 100;
        String limitText = ctx.queryParam("limit");
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > 1000) {
                throw ProblemException.badRequest("invalid-limit", "limit must be an integer from 1 to 1000");
            }
        }
        Json.respond(ctx, 200, operator.auditLog(tenant, limit).stream().map(e -> {
            Map<String, Object> json = new LinkedHashMap<>();
            // An entry is identified by its tenant and its number within that tenant's log.
            json.put("tenant_id", e.tenant() == null ? null : e.tenant().toString());
            json.put("seq", e.seq());
            json.put("at", e.at().toString());
            json.put("actor", e.actor());
            json.put("action", e.action());
            json.put("detail", e.detail());
            return json;
        }).toList());
    }

    static Map<String, Object> tenantJson(TenantRecord tenant) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", tenant.id().toString());
        json.put("slug", tenant.slug());
        json.put("name", tenant.name());
        json.put("tier", tenant.tier());
        json.put("status", tenant.status().wireName());
        json.put("created_at", tenant.createdAt().toString());
        return json;
    }
}

package dev.pulse.api.admin;

import dev.pulse.api.control.Audit;
import dev.pulse.api.control.Caller;
import dev.pulse.api.control.TenantResources;
import dev.pulse.api.http.Fields;
import dev.pulse.edge.Json;
import dev.pulse.api.http.JsonBodies;
import dev.pulse.api.http.OperatorAuth;
import dev.pulse.edge.ProblemException;
import dev.pulse.schemas.control.Actor;
import dev.pulse.schemas.control.ApiKeyStore;
import dev.pulse.schemas.control.AuditLog;
import dev.pulse.schemas.control.ControlException;
import dev.pulse.schemas.control.TenantRecord;
import dev.pulse.schemas.control.Tenants;
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
    private final AuditLog auditLog;
    private final ApiKeyStore keys;

    public AdminRoutes(OperatorAuth auth, JsonBodies bodies, Tenants tenants, TenantResources resources, AuditLog auditLog,
            ApiKeyStore keys) {
        this.keys = keys;
        this.auth = auth;
        this.bodies = bodies;
        this.tenants = tenants;
        this.resources = resources;
        this.auditLog = auditLog;
    }

    public void register(RoutesConfig routes) {
        routes.get(PREFIX + "/tenants", auth.guard(this::listTenants));
        routes.post(PREFIX + "/tenants", auth.guard(this::createTenant));
        routes.get(PREFIX + "/tenants/{slug}", auth.guard(this::getTenant));
        routes.post(PREFIX + "/tenants/{slug}/suspend", auth.guard(ctx -> changeStatus(ctx, "suspend")));
        routes.post(PREFIX + "/tenants/{slug}/resume", auth.guard(ctx -> changeStatus(ctx, "resume")));
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

    private Caller operatorCaller(Context ctx) {
        auth.require(ctx);
        return new Caller(tenants.requireBySlug(ctx.pathParam("slug")).id(), Audit.operatorActor(ctx));
    }

    private void listTenants(Context ctx) {
        Json.respond(ctx, 200, tenants.list().stream().map(AdminRoutes::tenantJson).toList());
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
        Json.respond(ctx, 200, tenantJson(tenants.requireBySlug(ctx.pathParam("slug"))));
    }

    private void changeStatus(Context ctx, String action) {
        String slug = ctx.pathParam("slug");
        Actor actor = new Actor(Audit.operatorActor(ctx));
        Tenants.StatusChangeResult result = action.equals("suspend") ? tenants.suspend(slug, actor) : tenants.resume(slug, actor);
        Json.respond(ctx, 200, tenantJson(result.tenant()));
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
        Json.respond(ctx, 200, auditLog.operatorRead(tenant, limit).stream().map(e -> {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("id", e.id());
            json.put("at", e.at().toString());
            json.put("actor", e.actor());
            json.put("action", e.action());
            json.put("tenant_id", e.tenant() == null ? null : e.tenant().toString());
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
        json.put("status", tenant.status());
        json.put("created_at", tenant.createdAt().toString());
        return json;
    }
}

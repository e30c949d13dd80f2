package dev.pulse.api.limits;

import dev.pulse.api.control.Audit;
import dev.pulse.api.http.Fields;
import dev.pulse.api.http.JsonBodies;
import dev.pulse.api.http.OperatorAuth;
import dev.pulse.control.audit.Actor;
import dev.pulse.control.limits.RateLimitOverride;
import dev.pulse.control.limits.RateLimitSettings;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.control.tenants.Tenants;
import dev.pulse.edge.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operator's view and change of one tenant's rate limits, {@code GET} and {@code PUT
 * /admin/v1/tenants/{slug}/limits}: operator token only (a tenant's own keys, even {@code manage},
 * can neither read nor change them here; its responses' {@code RateLimit} fields tell it its
 * budget). Body of the PUT: {@code {"events_per_second": 500, "bytes_per_second": null}}, null or
 * absent meaning the tier's default.
 */
public final class RateLimitRoutes {
    private final OperatorAuth auth;
    private final JsonBodies bodies;
    private final Tenants tenants;
    private final RateLimitSettings settings;
    private final RateLimitConfig config;

    public RateLimitRoutes(OperatorAuth auth, JsonBodies bodies, Tenants tenants, RateLimitSettings settings, RateLimitConfig config) {
        this.auth = auth;
        this.bodies = bodies;
        this.tenants = tenants;
        this.settings = settings;
        this.config = config;
    }

    public void register(RoutesConfig routes, String adminPrefix) {
        routes.get(adminPrefix + "/tenants/{slug}/limits", auth.guard(this::show));
        routes.put(adminPrefix + "/tenants/{slug}/limits", auth.guard(this::change));
    }

    private void show(Context ctx) {
        TenantRecord tenant = tenants.requireBySlug(ctx.pathParam("slug"));
        RateLimitOverride own = settings.read(tenant.id()).map(RateLimitSettings.TenantRates::override).orElse(RateLimitOverride.NONE);
        Json.respond(ctx, 200, json(tenant, own));
    }

    private void change(Context ctx) {
        Fields body = new Fields(bodies.read(ctx, JsonBodies.MediaTypeRule.JSON_OR_ABSENT));
        RateLimitOverride override = new RateLimitOverride(body.optionalNonNegativeLong("events_per_second"), body.optionalNonNegativeLong("bytes_per_second"));
        RateLimitSettings.ChangeResult result = settings.set(ctx.pathParam("slug"), override, new Actor(Audit.operatorActor(ctx)));
        Map<String, Object> json = json(result.tenant(), result.override());
        json.put("changed", result.changed());
        Json.respond(ctx, 200, json);
    }

    /** The tenant's own rates (null: the tier's) and the rates in force, for the whole deployment. */
    private Map<String, Object> json(TenantRecord tenant, RateLimitOverride own) {
        Rates effective = config.ratesFor(tenant.tier(), own);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("slug", tenant.slug());
        json.put("tier", tenant.tier());
        json.put("events_per_second", own.eventsPerSecond());
        json.put("bytes_per_second", own.bytesPerSecond());
        json.put("effective_events_per_second", effective.eventsPerSecond());
        json.put("effective_bytes_per_second", effective.bytesPerSecond());
        json.put("burst_seconds", config.burst().toSeconds());
        json.put("replicas", config.replicas());
        return json;
    }
}

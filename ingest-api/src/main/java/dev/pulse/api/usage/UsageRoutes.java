package dev.pulse.api.usage;

import dev.pulse.api.control.Caller;
import dev.pulse.api.control.CallerResolver;
import dev.pulse.edge.Json;
import dev.pulse.edge.ProblemException;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.usage.UsageMetric;
import dev.pulse.schemas.usage.UsageMinutes;
import dev.pulse.schemas.usage.UsageMinutes.Granularity;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code GET <prefix>/usage?from&to&granularity=minute|hour|day}: the caller's tenant's usage,
 * read under RLS bound to it (a tenant's {@code manage} key: its own; the operator: the tenant
 * named in the path). Without {@code from}/{@code to}: the last 24 hours; granularity hour by
 * default. Periods without usage are left out.
 */
public final class UsageRoutes {
    private static final Set<String> PARAMETERS = Set.of("from", "to", "granularity");
    /** The most periods one answer spans: 7 days of minutes, 400 days of hours, 10 years of days. */
    private static final Map<Granularity, Duration> MAX_SPAN = Map.of(Granularity.MINUTE, Duration.ofDays(7),
            Granularity.HOUR, Duration.ofDays(400), Granularity.DAY, Duration.ofDays(3660));
    private static final Set<UsageMetric> WITHOUT_DIMENSION = Set.of(UsageMetric.EVENTS_ACCEPTED, UsageMetric.BYTES_ACCEPTED);

    private final TenantDatabase db;

    public UsageRoutes(TenantDatabase db) {
        this.db = db;
    }

    public void register(RoutesConfig routes, String prefix, CallerResolver resolver) {
        routes.get(prefix + "/usage", ctx -> read(ctx, resolver.resolve(ctx)));
    }

    private void read(Context ctx, Caller caller) {
        for (String name : ctx.queryParamMap().keySet()) {
            if (!PARAMETERS.contains(name)) {
                throw ProblemException.badRequest("unknown-parameter", "unknown query parameter '" + name + "'; usage takes from, to and granularity");
            }
        }
        Granularity granularity = granularity(single(ctx, "granularity"));
        Instant to = instant(ctx, "to", Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1)));
        Instant from = instant(ctx, "from", to.minus(Duration.ofDays(1)));
        if (!from.isBefore(to)) {
            throw ProblemException.badRequest("invalid-usage-range", "'from' (" + from + ") must be before 'to' (" + to + ")");
        }
        if (Duration.between(from, to).compareTo(MAX_SPAN.get(granularity)) > 0) {
            throw ProblemException.badRequest("invalid-usage-range", "granularity " + granularity.wireName() + " spans at most "
                    + MAX_SPAN.get(granularity).toDays() + " days; ask for a coarser granularity or a shorter range");
        }
        List<UsageMinutes.Row> rows = db.inTenant(caller.tenant(), tx -> UsageMinutes.read(tx, from, to, granularity));
        Map<Instant, Map<UsageMetric, Map<String, Long>>> periods = new TreeMap<>();
        Map<UsageMetric, Map<String, Long>> totals = new TreeMap<>();
        for (UsageMinutes.Row row : rows) {
            UsageMetric metric = UsageMetric.fromWireName(row.metric()).orElseThrow();
            periods.computeIfAbsent(row.period(), p -> new TreeMap<>()).computeIfAbsent(metric, m -> new TreeMap<>())
                    .merge(row.dimension(), row.count(), Long::sum);
            totals.computeIfAbsent(metric, m -> new TreeMap<>()).merge(row.dimension(), row.count(), Long::sum);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("tenant_id", caller.tenant().toString());
        json.put("from", from.toString());
        json.put("to", to.toString());
        json.put("granularity", granularity.wireName());
        json.put("totals", counters(totals));
        json.put("periods", periods.entrySet().stream().map(p -> {
            Map<String, Object> period = new LinkedHashMap<>();
            period.put("start", p.getKey().toString());
            period.putAll(counters(p.getValue()));
            return period;
        }).toList());
        Json.respond(ctx, 200, json);
    }

    /** Every metric, in a fixed order: a number for those without a dimension, else an object by dimension (empty when none). */
    private static Map<String, Object> counters(Map<UsageMetric, Map<String, Long>> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (UsageMetric metric : UsageMetric.values()) {
            Map<String, Long> byDimension = values.getOrDefault(metric, Map.of());
            out.put(metric.wireName(), WITHOUT_DIMENSION.contains(metric)
                    ? byDimension.values().stream().mapToLong(Long::longValue).sum()
                    : new TreeMap<>(byDimension));
        }
        return out;
    }

    private static String single(Context ctx, String name) {
        List<String> values = ctx.queryParams(name);
        if (values.size() > 1) {
            throw ProblemException.invalidField("invalid-usage-range", name, "give '" + name + "' once");
        }
        return values.isEmpty() ? null : values.getFirst();
    }

    private static Granularity granularity(String text) {
        if (text == null) {
            return Granularity.HOUR;
        }
        for (Granularity g : Granularity.values()) {
            if (g.wireName().equals(text)) {
                return g;
            }
        }
        throw ProblemException.invalidField("invalid-granularity", "granularity", "granularity must be minute, hour or day, got '" + text + "'");
    }

    private static Instant instant(Context ctx, String name, Instant absent) {
        String text = single(ctx, name);
        if (text == null) {
            return absent;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ProblemException.invalidField("invalid-usage-range", name, "'" + name + "' must be an RFC 3339 instant in UTC such as "
                    + "2026-12-01T00:00:00Z, got '" + text + "'");
        }
    }
}

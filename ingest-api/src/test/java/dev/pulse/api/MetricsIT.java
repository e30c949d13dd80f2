package dev.pulse.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.control.keys.Scope;
import dev.pulse.control.testing.PrometheusText;
import dev.pulse.control.testing.TestStack;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.schemas.event.IcebergSchemas.Partitioning;
import dev.pulse.schemas.metrics.TenantLabels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ingest-api's {@code GET /metrics} on the real stack: Prometheus text that a strict reader
 * accepts, requests counted by route template and status (never the raw path), produce latency
 * and accepted events per tenant moving with what was posted, the tenant label cap, and no
 * tenant key of any scope reading it.
 */
class MetricsIT {
    static final String SCHEMA = """
            {"type": "object", "properties": {"page": {"type": "string"}}, "required": ["page"]}""";
    static final String SCRAPE_TOKEN = "scrape-" + UUID.randomUUID();

    static TestStack stack;
    static IngestApi api;
    static ApiClient http;
    static String operatorToken;

    @BeforeAll
    static void start() {
        stack = TestStack.shared();
        operatorToken = stack.environment().get("PULSE_OPERATOR_TOKEN");
        api = IngestApi.start(ApiConfig.from(stack.settings(Map.of("PULSE_METRICS_TOKEN", SCRAPE_TOKEN))));
        http = new ApiClient(api.port());
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    record Tenant(TenantRecord record, String ingestKey, String manageKey) {
    }

    static Tenant tenantWithDataset() {
        TenantRecord tenant = stack.newTenant();
        try {
            stack.schemas().register(tenant.id(), "clicks", ApiClient.MAPPER.readTree(SCHEMA));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        stack.datasets().create(tenant.id(), "clicks", "clicks", null, Partitioning.DAY);
        return new Tenant(tenant, stack.keys().create(tenant.id(), "i", Set.of(Scope.INGEST), null).token(),
                stack.keys().create(tenant.id(), "m", Set.of(Scope.MANAGE, Scope.QUERY, Scope.INGEST), null).token());
    }

    static PrometheusText scrape(ApiClient client, String token) {
        ApiClient.Response response = client.get("/metrics", "Authorization", "Bearer " + token);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("text/plain; version=0.0.4");
        return PrometheusText.parse(response.body());
    }

    static String events(int count) {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            body.append(i == 0 ? "" : ",").append("{\"dataset\":\"clicks\",\"data\":{\"page\":\"/p").append(i).append("\"}}");
        }
        return body.append("]").toString();
    }

    @Test
    void theScrapeParsesAsPrometheusTextWithTheJvmThePoolAndTheServiceTag() {
        PrometheusText metrics = scrape(http, SCRAPE_TOKEN);
        assertThat(metrics.types()).containsEntry("pulse_http_requests_seconds", "histogram")
                .containsEntry("pulse_api_produce_seconds", "histogram").containsKey("jvm_memory_used_bytes")
                .containsKey("hikaricp_connections_active").containsKey("process_uptime_seconds");
        assertThat(metrics.samples()).allSatisfy(s -> assertThat(s.labels()).containsEntry("service", "api"));
        assertThat(metrics.samples("hikaricp_connections_max", Map.of("pool", "api"))).isNotEmpty();
        // The operator token reads them too.
        assertThat(scrape(http, operatorToken).samples()).isNotEmpty();
    }

    @Test
    void requestsAreCountedByRouteTemplateAndStatusAndAcceptedEventsByTenant() {
        Tenant tenant = tenantWithDataset();
        String route = "/v1/events";
        PrometheusText before = scrape(http, SCRAPE_TOKEN);
        double accepted = before.sum("pulse_http_requests_seconds_count", Map.of("route", route, "status", "202", "method", "POST"));
        double refused = before.sum("pulse_http_requests_seconds_count", Map.of("route", route, "status", "400", "method", "POST"));
        double acked = before.sum("pulse_api_produce_seconds_count", Map.of("outcome", "acked"));

        assertThat(http.ingest(tenant.ingestKey(), events(3)).status()).isEqualTo(202);
        assertThat(http.ingest(tenant.ingestKey(), events(2)).status()).isEqualTo(202);
        assertThat(http.ingest(tenant.ingestKey(), "{\"dataset\": 7}").status()).isEqualTo(400);
        String unknownSchema = "schema-" + UUID.randomUUID();
        assertThat(http.get("/v1/schemas/" + unknownSchema, "Authorization", "Bearer " + tenant.manageKey()).status()).isEqualTo(404);
        String junk = "junk-" + UUID.randomUUID();
        assertThat(http.get("/" + junk + "/" + junk).status()).isEqualTo(404);

        PrometheusText after = scrape(http, SCRAPE_TOKEN);
        assertThat(after.sum("pulse_http_requests_seconds_count", Map.of("route", route, "status", "202", "method", "POST")))
                .isEqualTo(accepted + 2);
        assertThat(after.sum("pulse_http_requests_seconds_count", Map.of("route", route, "status", "400", "method", "POST")))
                .isEqualTo(refused + 1);
        assertThat(after.sum("pulse_http_requests_seconds_count", Map.of("route", "/v1/schemas/{name}", "status", "404"))).isGreaterThanOrEqualTo(1);
        assertThat(after.sum("pulse_http_requests_seconds_count", Map.of("route", "unmatched", "status", "404"))).isGreaterThanOrEqualTo(1);
        assertThat(after.sum("pulse_api_produce_seconds_count", Map.of("outcome", "acked"))).isEqualTo(acked + 2);
        assertThat(after.sum("pulse_api_events_accepted_total", Map.of("tenant", tenant.record().id().toString()))).isEqualTo(5);
        // The raw paths are nowhere: no series per schema name or per junk path.
        String raw = http.get("/metrics", "Authorization", "Bearer " + SCRAPE_TOKEN).body();
        assertThat(raw).doesNotContain(unknownSchema).doesNotContain(junk);
        Set<String> templates = new java.util.HashSet<>(api.registeredRoutes().stream().map(r -> r.substring(r.indexOf(' ') + 1)).toList());
        templates.add("unmatched");
        assertThat(after.labelValues("pulse_http_requests_seconds_count", "route")).isSubsetOf(templates);
    }

    @Test
    void noTenantKeyOfAnyScopeReadsTheMetricsOnlyTheScrapeAndOperatorTokensDo() {
        Tenant tenant = tenantWithDataset();
        assertThat(http.ingest(tenant.ingestKey(), events(1)).status()).isEqualTo(202);
        for (String key : List.of(tenant.ingestKey(), tenant.manageKey())) {
            ApiClient.Response refused = http.get("/metrics", "Authorization", "Bearer " + key);
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.body()).doesNotContain(tenant.record().id().toString()).doesNotContain("pulse_api");
        }
        ApiClient.Response anonymous = http.get("/metrics");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(http.get("/metrics", "Authorization", "Bearer " + SCRAPE_TOKEN + "x").status()).isEqualTo(401);
        assertThat(http.get("/metrics", "Authorization", "Basic " + SCRAPE_TOKEN).status()).isEqualTo(401);
    }

    @Test
    void withMoreTenantsThanTheCapTheRestAreCountedUnderOther() {
        try (IngestApi capped = IngestApi.start(ApiConfig.from(stack.settings(Map.of("PULSE_METRICS_TENANT_LABELS", "2"))))) {
            ApiClient client = new ApiClient(capped.port());
            List<Tenant> tenants = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Tenant tenant = tenantWithDataset();
                tenants.add(tenant);
                assertThat(client.ingest(tenant.ingestKey(), events(i + 1)).status()).isEqualTo(202);
            }
            PrometheusText metrics = scrape(client, operatorToken);
            Set<String> labels = metrics.labelValues("pulse_api_events_accepted_total", "tenant");
            assertThat(labels).hasSize(3).contains(TenantLabels.OTHER,
                    tenants.get(0).record().id().toString(), tenants.get(1).record().id().toString());
            assertThat(metrics.sum("pulse_api_events_accepted_total", Map.of("tenant", TenantLabels.OTHER))).isEqualTo(3 + 4 + 5);
            assertThat(metrics.sum("pulse_api_events_accepted_total", Map.of())).isEqualTo(15);
            // The first ones keep their label: a later request of tenant 0 still counts under its id.
            assertThat(client.ingest(tenants.get(0).ingestKey(), events(1)).status()).isEqualTo(202);
            assertThat(scrape(client, operatorToken).sum("pulse_api_events_accepted_total",
                    Map.of("tenant", tenants.get(0).record().id().toString()))).isEqualTo(2);
        }
    }
}

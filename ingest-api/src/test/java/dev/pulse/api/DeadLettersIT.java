package dev.pulse.api;

import static dev.pulse.api.ControlPlaneIT.expect;
import static dev.pulse.api.ControlPlaneIT.keyGet;
import static dev.pulse.api.ControlPlaneIT.keyPost;
import static dev.pulse.api.ControlPlaneIT.operatorGet;
import static dev.pulse.api.ControlPlaneIT.operatorPost;
import static dev.pulse.api.EventsIT.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.schemas.deadletters.DeadLetterRow;
import dev.pulse.schemas.deadletters.DeadLetterStore;
import dev.pulse.schemas.naming.TenantId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dead letters over HTTP, for the operator and for a tenant's own manage key: counts and samples,
 * one by id, drop (audited); another tenant's dead letters are 404 and untouchable. The rows are
 * written as the worker's indexer writes them ({@code DeadLetterStore.fold}, in the tenant's
 * transaction; the indexer itself is proven in ingest-worker's {@code DeadLetterStoreIT}).
 */
class DeadLettersIT {
    @BeforeAll
    static void start() {
        ControlPlaneIT.start();
    }

    @AfterAll
    static void stop() {
        ControlPlaneIT.stop();
    }

    private static TenantId idOf(String slug) {
        return TenantId.parse(expect(operatorGet("/admin/v1/tenants/" + slug), 200).path("id").asText());
    }

    private static void fail(TenantId tenant, int offset, String reason, String dataset, String eventId, String data) {
        String payload = "{\"dataset\":\"" + dataset + "\",\"event_id\":\"" + eventId + "\",\"event_time\":\"2026-03-01T10:00:00Z\","
                + "\"received_at\":\"2026-03-01T10:00:01Z\",\"data\":" + data + "}";
        List<DeadLetterRow.Violation> violations = reason.equals("schema-violation")
                ? List.of(new DeadLetterRow.Violation("/data/ms", "expected integer, got string")) : List.of();
        ControlPlaneIT.stack.db().inTenant(tenant, tx -> {
            DeadLetterStore.fold(tx, new DeadLetterStore.Failure(DeadLetterRow.idOf(0, offset), reason, "validate", "event " + eventId + " failed",
                    dataset, eventId, violations, 0, offset, 0, offset, eventId.getBytes(StandardCharsets.UTF_8),
                    payload.getBytes(StandardCharsets.UTF_8), Map.of(), null, 1, Instant.parse("2026-03-01T10:00:02Z"),
                    Instant.parse("2026-03-01T10:00:02Z")), 3);
            return null;
        });
    }

    @Test
    void operatorsAndTheTenantsOwnManageKeySeeCountsSamplesAndOneDeadLetterAndOthersSeeNothing() {
        String[] a = ControlPlaneIT.tenantWithManageKey();
        String[] b = ControlPlaneIT.tenantWithManageKey();
        TenantId tenant = idOf(a[0]);
        fail(tenant, 3, "schema-violation", "web-clicks", "e3", "{\"page\": \"/x\", \"ms\": \"slow\"}");
        fail(tenant, 7, "schema-violation", "web-clicks", "e7", "{\"page\": \"/y\", \"ms\": \"slower\"}");
        fail(tenant, 9, "unknown-dataset", "later", "e9", "{}");

        JsonNode list = expect(operatorGet("/admin/v1/tenants/" + a[0] + "/dlq?limit=2"), 200);
        assertThat(list.path("counts").path("total").asLong()).isEqualTo(3);
        assertThat(list.path("counts").path("by_reason").path("schema-violation").asLong()).isEqualTo(2);
        assertThat(list.path("counts").path("by_reason").path("unknown-dataset").asLong()).isEqualTo(1);
        assertThat(list.path("counts").path("by_dataset").path("web-clicks").asLong()).isEqualTo(2);
        assertThat(list.path("counts").path("by_day").path("2026-03-01").asLong()).isEqualTo(3);
        assertThat(list.path("counts").path("by_state").path("open").asLong()).isEqualTo(3);
        assertThat(list.path("samples")).hasSize(2);
        JsonNode sample = list.path("samples").get(0);
        // Newest first (same failure time here: the larger id first), the payload decoded.
        assertThat(sample.path("id").asText()).isEqualTo("0-9");
        assertThat(sample.path("payload").path("event_id").asText()).isEqualTo("e9");
        assertThat(list.path("samples").get(1).path("payload").path("data").path("page").asText()).isEqualTo("/y");
        assertThat(sample.path("source").has("offset")).isTrue();

        JsonNode own = expect(keyGet(a[1], "/v1/dlq?reason=schema-violation"), 200);
        assertThat(own.path("counts").path("total").asLong()).isEqualTo(2);
        JsonNode one = expect(keyGet(a[1], "/v1/dlq/0-7"), 200);
        assertThat(one.path("event_id").asText()).isEqualTo("e7");
        assertThat(one.path("violations").get(0).path("pointer").asText()).isEqualTo("/data/ms");
        assertThat(one.path("payload").path("data").path("ms").asText()).isEqualTo("slower");
        assertThat(expect(operatorGet("/admin/v1/tenants/" + a[0] + "/dlq/0-7"), 200).path("state").asText()).isEqualTo("open");

        // The other tenant: nothing to count, nothing to show, nothing to drop.
        assertThat(expect(keyGet(b[1], "/v1/dlq"), 200).path("counts").path("total").asLong()).isZero();
        assertProblem(keyGet(b[1], "/v1/dlq/0-7"), 404, "dead-letter-not-found");
        assertProblem(operatorGet("/admin/v1/tenants/" + b[0] + "/dlq/0-7"), 404, "dead-letter-not-found");
        assertThat(expect(keyPost(b[1], "/v1/dlq/drop", "{\"ids\": [\"0-7\"]}"), 200).path("dropped").asInt()).isZero();
        assertThat(expect(keyGet(a[1], "/v1/dlq/0-7"), 200).path("state").asText()).isEqualTo("open");
    }

    @Test
    void dropMarksTheSelectedDeadLettersResolvedAndIsAudited() {
        String[] a = ControlPlaneIT.tenantWithManageKey();
        TenantId tenant = idOf(a[0]);
        fail(tenant, 1, "schema-violation", "web-clicks", "e1", "{\"ms\": \"x\"}");
        fail(tenant, 2, "unknown-dataset", "later", "e2", "{}");

        JsonNode dropped = expect(operatorPost("/admin/v1/tenants/" + a[0] + "/dlq/drop", "{\"reason\": \"unknown-dataset\"}"), 200);
        assertThat(dropped.path("dropped").asInt()).isEqualTo(1);
        JsonNode row = expect(keyGet(a[1], "/v1/dlq/0-2"), 200);
        assertThat(row.path("state").asText()).isEqualTo("dropped");
        assertThat(row.path("resolved_by").asText()).isEqualTo("operator:alice");
        // Dropping again changes nothing.
        assertThat(expect(operatorPost("/admin/v1/tenants/" + a[0] + "/dlq/drop", "{\"reason\": \"unknown-dataset\"}"), 200)
                .path("dropped").asInt()).isZero();
        assertThat(expect(keyPost(a[1], "/v1/dlq/drop", "{\"ids\": [\"0-1\"]}"), 200).path("dropped").asInt()).isEqualTo(1);

        JsonNode audit = expect(operatorGet("/admin/v1/audit?tenant=" + a[0]), 200);
        assertThat(audit.findValuesAsText("action")).contains("dlq.drop");
        boolean byOperator = false;
        boolean byKey = false;
        for (JsonNode e : audit) {
            if (e.path("action").asText().equals("dlq.drop")) {
                byOperator |= e.path("actor").asText().equals("operator:alice") && e.path("detail").path("filter").path("reason").asText().equals("unknown-dataset");
                byKey |= e.path("actor").asText().startsWith("key:") && e.path("detail").path("dropped").asInt() == 1;
            }
        }
        assertThat(byOperator).isTrue();
        assertThat(byKey).isTrue();
        assertThat(expect(operatorGet("/admin/v1/tenants/" + a[0] + "/dlq?state=dropped"), 200).path("counts").path("total").asLong()).isEqualTo(2);
    }

    @Test
    void badFiltersAreA400AndOtherScopesA403() {
        String[] a = ControlPlaneIT.tenantWithManageKey();
        assertProblem(keyGet(a[1], "/v1/dlq?color=red"), 400, "unknown-parameter");
        assertProblem(keyGet(a[1], "/v1/dlq?since=yesterday"), 400, "invalid-dlq-filter");
        assertProblem(keyGet(a[1], "/v1/dlq?state=lost"), 400, "invalid-dlq-filter");
        assertProblem(keyGet(a[1], "/v1/dlq?limit=5000"), 400, "invalid-limit");
        assertProblem(keyPost(a[1], "/v1/dlq/drop", "{\"ids\": [\"nope\"]}"), 400, "invalid-dlq-filter");
        assertProblem(keyPost(a[1], "/v1/dlq/drop", "{\"colour\": \"red\"}"), 400, "invalid-dlq-filter");
        assertProblem(keyGet(a[1], "/v1/dlq/not-an-id"), 404, "dead-letter-not-found");
        String query = expect(operatorPost("/admin/v1/tenants/" + a[0] + "/keys", "{\"scopes\": [\"query\"]}"), 201).path("key").asText();
        assertThat(keyGet(query, "/v1/dlq").status()).isEqualTo(403);
        assertThat(http().get("/v1/dlq").status()).isEqualTo(401);
    }

    private static ApiClient http() {
        return ControlPlaneIT.http;
    }
}

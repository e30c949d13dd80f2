package dev.pulse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.control.testing.TestStack;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A dataset's lake state (files, metadata bytes, last compaction and expiry) over HTTP, and the
 * operator's per-tenant snapshot retention: a tenant sees only its own tables' maintenance.
 */
class LakeStateIT {
    static TestStack stack;
    static IngestApi api;
    static ApiClient http;
    static String token;

    @BeforeAll
    static void start() {
        stack = TestStack.shared();
        api = IngestApi.start(ApiConfig.from(stack.settings(Map.of())));
        http = new ApiClient(api.port());
        token = stack.environment().get("PULSE_OPERATOR_TOKEN");
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    static ApiClient.Response operatorGet(String path) {
        return http.get(path, "Authorization", "Bearer " + token);
    }

    static ApiClient.Response operatorPost(String path, String body) {
        return http.post(path, body, "Authorization", "Bearer " + token, "Content-Type", "application/json");
    }

    static ApiClient.Response keyGet(String key, String path) {
        return http.get(path, "Authorization", "Bearer " + key);
    }

    static JsonNode expect(ApiClient.Response response, int status) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        return response.json();
    }

    /** A tenant with dataset 'web-clicks' and a manage key: {slug, key}. */
    static String[] tenantWithManageKey() {
        String slug = "ls-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        expect(operatorPost("/admin/v1/tenants", "{\"slug\": \"" + slug + "\"}"), 201);
        String base = "/admin/v1/tenants/" + slug;
        expect(operatorPost(base + "/schemas", "{\"name\": \"clicks\", \"definition\": " + ControlPlaneIT.SCHEMA + "}"), 201);
        expect(operatorPost(base + "/datasets", "{\"slug\": \"web-clicks\", \"schema\": \"clicks\"}"), 201);
        String key = expect(operatorPost(base + "/keys", "{\"name\": \"admin\", \"scopes\": [\"manage\"]}"), 201).path("key").asText();
        return new String[] {slug, key};
    }

    static TenantId idOf(String slug) {
        return TenantId.parse(expect(operatorGet("/admin/v1/tenants/" + slug), 200).path("id").asText());
    }

    @Test
    void aDatasetShowsItsLakeStateAndNoOtherTenantsMaintenance() throws Exception {
        String[] a = tenantWithManageKey();
        String[] b = tenantWithManageKey();
        // What the worker's maintenance records for A's dataset, under RLS for A.
        stack.db().inTenant(idOf(a[0]), tx -> tx.update("""
                INSERT INTO pulse.dataset_maintenance (tenant_id, dataset_slug, last_run_at, last_compaction_at, last_compaction,
                                                       last_expiry_at, last_expiry)
                VALUES (?, 'web-clicks', now(), now(), '{"files_rewritten": 7, "files_written": 1}'::jsonb,
                        now(), '{"snapshots_expired": 12}'::jsonb)""", idOf(a[0])));

        JsonNode own = expect(keyGet(a[1], "/v1/datasets/web-clicks"), 200);
        JsonNode lake = own.path("lake");
        assertThat(lake.path("data_files").asLong()).isZero();
        assertThat(lake.path("snapshots").asInt()).isZero();
        assertThat(lake.path("current_metadata_bytes").asLong()).isPositive();
        assertThat(lake.path("metadata_folder_bytes").asLong()).isGreaterThanOrEqualTo(lake.path("current_metadata_bytes").asLong());
        assertThat(lake.path("last_compaction").path("files_rewritten").asInt()).isEqualTo(7);
        assertThat(lake.path("last_expiry").path("snapshots_expired").asInt()).isEqualTo(12);
        assertThat(lake.path("last_compaction_at").isTextual()).isTrue();
        // The operator's mirror says the same.
        assertThat(expect(operatorGet("/admin/v1/tenants/" + a[0] + "/datasets/web-clicks"), 200).path("lake").path("last_compaction")
                .path("files_rewritten").asInt()).isEqualTo(7);

        // B's dataset of the same name shows none of A's maintenance; A's dataset is not B's to see.
        JsonNode other = expect(keyGet(b[1], "/v1/datasets/web-clicks"), 200);
        assertThat(other.path("lake").path("last_compaction").isNull()).isTrue();
        assertThat(other.path("lake").path("last_expiry_at").isNull()).isTrue();
        java.util.List<String> seenByB = stack.db().inTenant(idOf(b[0]),
                tx -> tx.query("SELECT dataset_slug FROM pulse.dataset_maintenance", rs -> rs.getString(1)));
        assertThat(seenByB).isEmpty();
        // No route of a tenant key reaches maintenance or retention: the operator's are 401 for it.
        assertThat(http.put("/admin/v1/tenants/" + a[0] + "/snapshot-retention", "{\"snapshot_retention\": \"PT1H\"}",
                "Authorization", "Bearer " + b[1], "Content-Type", "application/json").status()).isEqualTo(401);
    }

    @Test
    void anOperatorSetsAndResetsATenantsSnapshotRetention() {
        String slug = tenantWithManageKey()[0];
        String path = "/admin/v1/tenants/" + slug + "/snapshot-retention";
        String[] auth = {"Authorization", "Bearer " + token, "Content-Type", "application/json"};
        assertThat(expect(operatorGet("/admin/v1/tenants/" + slug), 200).path("snapshot_retention").isNull()).isTrue();

        JsonNode set = expect(http.put(path, "{\"snapshot_retention\": \"P30D\"}", auth), 200);
        assertThat(set.path("snapshot_retention").asText()).isEqualTo("PT720H");
        assertThat(set.path("changed").asBoolean()).isTrue();
        assertThat(expect(operatorGet("/admin/v1/tenants/" + slug), 200).path("snapshot_retention").asText()).isEqualTo("PT720H");
        assertThat(expect(http.put(path, "{\"snapshot_retention\": \"P30D\"}", auth), 200).path("changed").asBoolean()).isFalse();

        for (String bad : new String[] {"\"PT1M\"", "\"P4000D\"", "\"a week\"", "7"}) {
            ApiClient.Response refused = http.put(path, "{\"snapshot_retention\": " + bad + "}", auth);
            assertThat(refused.status()).as(bad + ": " + refused.body()).isEqualTo(400);
            assertThat(refused.json().path("errors").get(0).path("field").asText()).isEqualTo("snapshot_retention");
        }
        JsonNode reset = expect(http.put(path, "{\"snapshot_retention\": null}", auth), 200);
        assertThat(reset.path("snapshot_retention").isNull()).isTrue();
        assertThat(http.put("/admin/v1/tenants/nobody-" + slug + "/snapshot-retention", "{\"snapshot_retention\": null}", auth).status())
                .isEqualTo(404);

        JsonNode audit = expect(operatorGet("/admin/v1/audit?tenant=" + slug + "&limit=2"), 200);
        assertThat(audit.get(0).path("action").asText()).isEqualTo("tenant.snapshot-retention");
    }
}

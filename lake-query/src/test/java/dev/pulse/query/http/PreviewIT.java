package dev.pulse.query.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.control.keys.Scope;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.control.testing.TestStack;
import dev.pulse.query.LakeFixture.Event;
import dev.pulse.query.LakeFixture.TenantDataset;
import dev.pulse.query.LakeFixture;
import dev.pulse.query.LakeQuery;
import dev.pulse.query.QueryConfig;
import dev.pulse.schemas.directory.TenantStatus;
import dev.pulse.schemas.freshness.IngestWatermarks;
import dev.pulse.schemas.naming.LakeNames;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The preview endpoint on a real server, against real PostgreSQL, Iceberg files and DuckDB. */
class PreviewIT {
    static final Instant T0 = Instant.parse("2026-11-24T21:00:00Z");

    static TestStack stack;
    static LakeQuery query;
    static QueryClient client;

    @TempDir
    static Path temp;

    @BeforeAll
    static void start() {
        stack = TestStack.shared();
        query = LakeQuery.start(QueryConfig.from(stack.settings(Map.of("PULSE_QUERY_TEMP_DIR", temp.resolve("duckdb").toString()))));
        client = new QueryClient(query.port());
    }

    @AfterAll
    static void stop() {
        query.close();
    }

    private static String preview(String slug) {
        return "/v1/datasets/" + slug + "/preview";
    }

    private static List<String> eventIds(JsonNode body) {
        return StreamSupport.stream(body.get("rows").spliterator(), false).map(r -> r.get("event_id").asText()).toList();
    }

    private static void assertProblem(QueryClient.Response response, int status, String code) {
        assertThat(response.status()).as(response.raw().body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body().get("type").asText()).isEqualTo("https://pulse.dev/problems/" + code);
        assertThat(response.body().get("status").asInt()).isEqualTo(status);
        assertThat(response.body().get("title").asText()).isNotBlank();
        assertThat(response.body().get("detail").asText()).isNotBlank();
    }

    @Test
    void healthzAnswersOkWhileTheDatabaseIsUp() {
        QueryClient.Response response = client.get("/healthz", null);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("status").asText()).isEqualTo("ok");
    }

    @Test
    void previewReturnsTheNewestEventsFirstWithTheEnvelopeAndSchemaColumnsAndTheCurrentSnapshot() {
        TenantDataset ds = LakeFixture.tenantWithDataset(stack, "page-views");
        LakeFixture.append(ds.table(), List.of(
                Event.at("e1", T0.minusSeconds(86_400 * 2), "/old"),
                Event.at("e2", T0, "/tie-low"),
                Event.at("e3", T0, "/tie-high")));
        LakeFixture.append(ds.table(), List.of(
                new Event("e4", T0.plusSeconds(3600), "/newest", 42, 9.75, "u-9", List.of("x", "y", "z"))));
        ds.table().refresh();

        QueryClient.Response response = client.get(preview("page-views"), ds.queryToken());

        assertThat(response.status()).as(response.raw().body()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/json");
        JsonNode body = response.body();
        assertThat(body.get("dataset").asText()).isEqualTo("page-views");
        assertThat(body.get("snapshot_id").asLong()).isEqualTo(ds.table().currentSnapshot().snapshotId());
        List<String> columns = StreamSupport.stream(body.get("columns").spliterator(), false).map(c -> c.get("name").asText()).toList();
        assertThat(columns.subList(0, 3)).containsExactly("event_id", "event_time", "received_at");
        assertThat(columns.subList(3, columns.size())).containsExactlyInAnyOrder("page", "clicks", "amount", "user");
        Map<String, String> types = new java.util.HashMap<>();
        body.get("columns").forEach(c -> types.put(c.get("name").asText(), c.get("type").asText()));
        assertThat(types).containsEntry("event_time", "timestamptz").containsEntry("clicks", "long")
                .containsEntry("user", "struct<id: string, tags: list<string>>");
        // Newest first; equal event times fall back to event_id descending.
        assertThat(eventIds(body)).containsExactly("e4", "e3", "e2", "e1");
        JsonNode newest = body.get("rows").get(0);
        assertThat(newest.get("event_time").asText()).isEqualTo("2026-11-24T22:00:00Z");
        assertThat(newest.get("received_at").asText()).isEqualTo("2026-11-24T22:00:01Z");
        assertThat(newest.get("clicks").isIntegralNumber()).isTrue();
        assertThat(newest.get("clicks").asLong()).isEqualTo(42);
        assertThat(newest.get("amount").asDouble()).isEqualTo(9.75);
        assertThat(newest.get("user").get("id").asText()).isEqualTo("u-9");
        assertThat(newest.get("user").get("tags").isArray()).isTrue();
        assertThat(newest.get("user").get("tags").get(2).asText()).isEqualTo("z");

        QueryClient.Response two = client.get(preview("page-views") + "?limit=2", ds.queryToken());
        assertThat(eventIds(two.body())).containsExactly("e4", "e3");
    }

    @Test
    void previewCarriesItsTenantsFreshnessWatermarkOnceEveryPartitionHasOneAndNeverAnotherTenants() {
        TenantDataset a = LakeFixture.tenantWithDataset(stack, "page-views");
        TenantDataset b = LakeFixture.tenantWithDataset(stack, "page-views");
        QueryClient.Response unknown = client.get(preview("page-views"), a.queryToken());
        assertThat(unknown.body().has("complete_through")).isTrue();
        assertThat(unknown.body().get("complete_through").isNull()).isTrue();
        assertThat(unknown.header("Pulse-Complete-Through")).isNull();

        // As the worker writes them: partition 0 of a two-partition topic first, then partition 1.
        stack.db().inTenant(a.tenant().id(), tx -> {
            IngestWatermarks.advance(tx, 0, 2, T0.plusSeconds(5));
            return null;
        });
        assertThat(client.get(preview("page-views"), a.queryToken()).body().get("complete_through").isNull()).isTrue();
        stack.db().inTenant(a.tenant().id(), tx -> {
            IngestWatermarks.advance(tx, 1, 2, T0);
            return null;
        });

        QueryClient.Response known = client.get(preview("page-views"), a.queryToken());
        assertThat(known.body().get("complete_through").asText()).isEqualTo(T0.toString());
        assertThat(known.header("Pulse-Complete-Through")).isEqualTo(T0.toString());
        assertThat(client.get(preview("page-views"), b.queryToken()).body().get("complete_through").isNull()).isTrue();
    }

    @Test
    void anEmptyDatasetReturnsNoRowsButItsColumns() {
        TenantDataset ds = LakeFixture.tenantWithDataset(stack, "empty-one");
        QueryClient.Response response = client.get(preview("empty-one"), ds.queryToken());
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("snapshot_id").isNull()).isTrue();
        assertThat(response.body().get("rows")).isEmpty();
        assertThat(response.body().get("columns")).hasSize(7);
    }

    @Test
    void previewNeverShowsAnotherTenantsRows() {
        TenantDataset a = LakeFixture.tenantWithDataset(stack, "orders");
        LakeFixture.append(a.table(), List.of(Event.at("a-1", T0, "/secret-of-a")));
        TenantDataset b = LakeFixture.tenantWithDataset(stack, "refunds");

        QueryClient.Response foreign = client.get(preview("orders"), b.queryToken());
        QueryClient.Response unknown = client.get(preview("no-such-set"), b.queryToken());

        assertProblem(foreign, 404, "dataset-not-found");
        assertProblem(unknown, 404, "dataset-not-found");
        assertThat(foreign.body().fieldNames()).toIterable().containsExactlyElementsOf(() -> unknown.body().fieldNames());
        assertThat(foreign.body().get("detail").asText().replace("orders", "X"))
                .isEqualTo(unknown.body().get("detail").asText().replace("no-such-set", "X"));
        assertThat(foreign.raw().body()).doesNotContain("secret-of-a");
    }

    @Test
    void twoTenantsWithTheSameDatasetSlugEachSeeOnlyTheirOwnRows() {
        TenantDataset a = LakeFixture.tenantWithDataset(stack, "shared-name");
        TenantDataset b = LakeFixture.tenantWithDataset(stack, "shared-name");
        LakeFixture.append(a.table(), List.of(Event.at("a-1", T0, "/a"), Event.at("a-2", T0.plusSeconds(1), "/a")));
        LakeFixture.append(b.table(), List.of(Event.at("b-1", T0.plusSeconds(5), "/b")));

        assertThat(eventIds(client.get(preview("shared-name"), a.queryToken()).body())).containsExactly("a-2", "a-1");
        assertThat(eventIds(client.get(preview("shared-name"), b.queryToken()).body())).containsExactly("b-1");
    }

    @Test
    void aCredentialThatIsMissingMalformedUnknownOrWrongIsRefusedWith401() {
        TenantDataset ds = LakeFixture.tenantWithDataset(stack, "secure");
        String token = ds.queryToken();
        String keyId = token.substring("pulse_".length(), "pulse_".length() + 16);
        String wrongSecret = "pulse_" + keyId + "_" + "A".repeat(43);
        String unknownKey = "pulse_0123456789abcdef_" + "B".repeat(43);
        String prefixOnly = "pulse_" + keyId;

        List<QueryClient.Response> refused = new ArrayList<>();
        refused.add(client.get(preview("secure"), null));
        refused.add(client.get(preview("secure"), null, Map.of("Authorization", "Basic dXNlcjpwYXNz")));
        refused.add(client.get(preview("secure"), "not-a-key"));
        refused.add(client.get(preview("secure"), unknownKey));
        refused.add(client.get(preview("secure"), wrongSecret));
        refused.add(client.get(preview("secure"), prefixOnly));
        refused.add(client.get(preview("secure"), token + "x"));
        for (QueryClient.Response r : refused) {
            assertThat(r.status()).as(r.raw().request().headers().toString()).isEqualTo(401);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
        }
        // One problem type for every 401; the RFC 6750 challenge tells no credential from a bad one.
        assertProblem(refused.get(0), 401, "unauthorized");
        assertThat(refused.get(0).header("WWW-Authenticate")).isEqualTo("Bearer realm=\"pulse\"");
        assertProblem(refused.get(4), 401, "unauthorized");
        assertThat(refused.get(4).header("WWW-Authenticate")).isEqualTo("Bearer realm=\"pulse\", error=\"invalid_token\"");
        assertThat(client.get(preview("secure"), token).status()).isEqualTo(200);
    }

    @Test
    void aKeyWithoutTheQueryScopeIsRefusedWith403() {
        TenantDataset ds = LakeFixture.tenantWithDataset(stack, "scoped");
        String ingestOnly = stack.keys().create(ds.tenant().id(), "ingest", Set.of(Scope.INGEST, Scope.MANAGE), null).token();
        assertProblem(client.get(preview("scoped"), ingestOnly), 403, "insufficient-scope");
    }

    @Test
    void aTenantHeaderThatDisagreesWithTheKeyIsRefusedWith403() {
        TenantDataset ds = LakeFixture.tenantWithDataset(stack, "headers");
        TenantRecord other = stack.newTenant();
        assertProblem(client.get(preview("headers"), ds.queryToken(), Map.of("X-Tenant-ID", other.id().toString())), 403, "tenant-mismatch");
        assertProblem(client.get(preview("headers"), ds.queryToken(), Map.of("X-Tenant-ID", "garbage")), 403, "tenant-mismatch");
        assertThat(client.get(preview("headers"), ds.queryToken(), Map.of("X-Tenant-ID", ds.tenant().id().toString())).status()).isEqualTo(200);
    }

    @Test
    void aSuspendedTenantMayStillReadItsOwnData() {
        TenantDataset ds = LakeFixture.tenantWithDataset(stack, "paused");
        LakeFixture.append(ds.table(), List.of(Event.at("p-1", T0, "/p")));
        int suspended = stack.db().inTenant(ds.tenant().id(), tx -> tx.update("UPDATE pulse.tenants SET status = ?", TenantStatus.SUSPENDED.wireName()));
        assertThat(suspended).isEqualTo(1);
        assertThat(eventIds(client.get(preview("paused"), ds.queryToken()).body())).containsExactly("p-1");
    }

    @Test
    void aLimitThatIsNotAWholeNumberFromOneToTheMaximumIsRefusedWith400() {
        TenantDataset ds = LakeFixture.tenantWithDataset(stack, "limits");
        for (String limit : List.of("0", "-1", "abc", "10001", "1.5", "", "99999999999")) {
            assertProblem(client.get(preview("limits") + "?limit=" + limit, ds.queryToken()), 400, "invalid-limit");
        }
        assertProblem(client.get(preview("limits") + "?limit=1&limit=2", ds.queryToken()), 400, "invalid-limit");
        assertThat(client.get(preview("limits") + "?limit=10000", ds.queryToken()).status()).isEqualTo(200);
    }

    @Test
    void unknownQueryParametersOnAPreviewAreRefusedWith400NamingThem() {
        TenantDataset ds = LakeFixture.tenantWithDataset(stack, "params");
        for (String parameter : List.of("as_of", "where", "columns")) {
            QueryClient.Response refused = client.get(preview("params") + "?" + parameter + "=x", ds.queryToken());
            assertProblem(refused, 400, "unknown-parameter");
            assertThat(refused.body().get("detail").asText()).contains("'" + parameter + "'").contains("limit");
        }
        QueryClient.Response two = client.get(preview("params") + "?limit=5&where=1%3D1&as_of=2026-01-01", ds.queryToken());
        assertProblem(two, 400, "unknown-parameter");
        assertThat(two.body().get("detail").asText()).contains("'as_of'", "'where'").doesNotContain("'limit'");
        assertProblem(client.get("/v1/datasets?tenant=x", ds.queryToken()), 400, "unknown-parameter");
    }

    @Test
    void aQueryKeyListsItsTenantsDatasetsAndNeverAnotherTenants() {
        TenantDataset a = LakeFixture.tenantWithDataset(stack, "listed-a");
        LakeFixture.datasetFor(stack, a.tenant(), "listed-a2");
        TenantDataset b = LakeFixture.tenantWithDataset(stack, "listed-b");

        QueryClient.Response ofA = client.get("/v1/datasets", a.queryToken());
        QueryClient.Response ofB = client.get("/v1/datasets", b.queryToken());

        assertThat(ofA.status()).as(ofA.raw().body()).isEqualTo(200);
        List<String> slugsOfA = StreamSupport.stream(ofA.body().get("datasets").spliterator(), false).map(d -> d.get("slug").asText()).toList();
        List<String> slugsOfB = StreamSupport.stream(ofB.body().get("datasets").spliterator(), false).map(d -> d.get("slug").asText()).toList();
        assertThat(slugsOfA).containsExactly("listed-a", "listed-a2");
        assertThat(slugsOfB).containsExactly("listed-b");
        JsonNode first = ofA.body().get("datasets").get(0);
        assertThat(first.get("preview").asText()).isEqualTo("/v1/datasets/listed-a/preview");
        assertThat(first.has("schema_version")).isTrue();
        String ingestOnly = stack.keys().create(a.tenant().id(), "ingest", Set.of(Scope.INGEST), null).token();
        assertProblem(client.get("/v1/datasets", ingestOnly), 403, "insufficient-scope");
        assertProblem(client.get("/v1/datasets", null), 401, "unauthorized");
    }

    @Test
    void unknownDatasetsRoutesAndMethodsAreProblems() {
        TenantDataset ds = LakeFixture.tenantWithDataset(stack, "routes");
        assertProblem(client.get(preview("nothing-here"), ds.queryToken()), 404, "dataset-not-found");
        assertProblem(client.get(preview("NOT_A_SLUG"), ds.queryToken()), 404, "dataset-not-found");
        assertProblem(client.get("/v1/nowhere", ds.queryToken()), 404, "route-not-found");
        assertProblem(client.send("POST", preview("routes"), ds.queryToken(), Map.of()), 405, "method-not-allowed");
    }

    @Test
    void aDatasetRowTamperedToPointAtAnotherTenantsTableIsRefused() {
        TenantDataset victim = LakeFixture.tenantWithDataset(stack, "loot");
        LakeFixture.append(victim.table(), List.of(Event.at("v-1", T0, "/secret-of-victim")));
        TenantDataset attacker = LakeFixture.tenantWithDataset(stack, "mine");
        LakeFixture.append(attacker.table(), List.of(Event.at("m-1", T0, "/mine")));
        String victimNamespace = LakeNames.namespace(victim.tenant().id()).level(0);
        String attackerNamespace = LakeNames.namespace(attacker.tenant().id()).level(0);

        // Both columns rewritten to the victim's table; then only the namespace; then only the name.
        List<String[]> tamperings = List.of(
                new String[] {victimNamespace, "loot"},
                new String[] {victimNamespace, "mine"},
                new String[] {attackerNamespace, "loot"});
        for (String[] target : tamperings) {
            tamper(attacker, target[0], target[1]);
            QueryClient.Response response = client.get(preview("mine"), attacker.queryToken());
            assertProblem(response, 404, "dataset-not-found");
            assertThat(response.raw().body()).doesNotContain("secret-of-victim").doesNotContain(victimNamespace);
        }
        tamper(attacker, attackerNamespace, "mine");
        assertThat(eventIds(client.get(preview("mine"), attacker.queryToken()).body())).containsExactly("m-1");
        try {
            stack.revalidateDatasetConstraint();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aSnapshotThatListsAnotherTenantsFileIsRefused() {
        TenantDataset victim = LakeFixture.tenantWithDataset(stack, "vault");
        DataFile victimFile = LakeFixture.append(victim.table(), List.of(Event.at("v-1", T0, "/secret-of-victim"))).getFirst();
        TenantDataset attacker = LakeFixture.tenantWithDataset(stack, "borrowed");
        LakeFixture.append(attacker.table(), List.of(Event.at("b-1", T0, "/own")));
        // Iceberg accepts any path in a manifest: commit the victim's file into the attacker's table.
        attacker.table().refresh();
        attacker.table().newAppend().appendFile(DataFiles.builder(attacker.table().spec())
                .copy(victimFile).withPath(victimFile.location()).build()).commit();

        QueryClient.Response response = client.get(preview("borrowed"), attacker.queryToken());

        assertProblem(response, 404, "dataset-not-found");
        assertThat(response.raw().body()).doesNotContain("secret-of-victim").doesNotContain("/own");
    }

    /**
     * Rewrites the dataset row as someone with the owner's rights would have to: the database
     * refuses it otherwise (RLS, and a constraint tying the namespace to the row's tenant), so the
     * query path's own namespace check is the layer under test here.
     */
    private static void tamper(TenantDataset ds, String namespace, String table) {
        try {
            int changed = stack.tamperDatasetsAsAdmin(
                    "UPDATE pulse.datasets SET table_namespace = ?, table_name = ? WHERE tenant_id = ? AND slug = ?",
                    namespace, table, ds.tenant().id().value(), ds.slug());
            assertThat(changed).isEqualTo(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}

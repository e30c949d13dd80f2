package dev.pulse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator workflow of the README, as a person types it: real `pulse` processes against the running services. */
class ControlPlaneCliIT {
    static PipelineFixture pipeline;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        pipeline = PipelineFixture.shared();
    }

    static PulseProcess.Result pulse(String... args) throws Exception {
        return PulseProcess.run(pipeline.envFile, args);
    }

    static JsonNode json(PulseProcess.Result result) throws Exception {
        assertThat(result.exitCode()).as("stderr: %s", result.stderr()).isZero();
        return OperatorClient.JSON.readTree(result.stdout());
    }

    static int ingest(String key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.apiUrl() + "/v1/events"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"dataset\":\"visits\",\"data\":{\"url\":\"/\"}}")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    static Path schemaFile(String properties) throws Exception {
        Path file = Files.createTempFile("schema", ".json");
        Files.writeString(file, "{\"type\":\"object\",\"properties\":{" + properties + "},\"required\":[\"url\"]}");
        return file;
    }

    @Test
    void anOperatorRunsATenantsWholeLifecycleFromTheCli() throws Exception {
        String slug = "ops-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(json(pulse("tenant", "create", slug, "--tier", "free", "--json")).path("status").asText()).isEqualTo("active");
        List<String> slugs = new ArrayList<>();
        json(pulse("tenant", "list", "--json")).forEach(t -> slugs.add(t.path("slug").asText()));
        assertThat(slugs).contains(slug);
        assertThat(pulse("tenant", "list").stdout()).contains("SLUG").contains(slug);

        // schemas: v1, a compatible v2, an incompatible v3 refused with each change listed
        Path v1 = schemaFile("\"url\":{\"type\":\"string\"}");
        Path v2 = schemaFile("\"url\":{\"type\":\"string\"},\"referrer\":{\"type\":\"string\"}");
        Path v3 = schemaFile("\"url\":{\"type\":\"integer\"}");
        assertThat(json(pulse("schema", "register", "--tenant", slug, "visit", v1.toString(), "--json")).path("version").asInt()).isEqualTo(1);
        assertThat(json(pulse("schema", "register", "--tenant", slug, "visit", v1.toString(), "--json")).path("created").asBoolean()).isFalse();
        assertThat(json(pulse("schema", "register", "--tenant", slug, "visit", v2.toString(), "--json")).path("version").asInt()).isEqualTo(2);
        PulseProcess.Result incompatible = pulse("schema", "register", "--tenant", slug, "visit", v3.toString());
        assertThat(incompatible.exitCode()).isEqualTo(1);
        assertThat(incompatible.stderr()).contains("'referrer' was removed").contains("type changed");
        assertThat(json(pulse("schema", "list", "--tenant", slug, "--json")).get(0).path("latest_version").asInt()).isEqualTo(2);
        assertThat(json(pulse("schema", "show", "--tenant", slug, "visit", "--version", "1", "--json")).path("version").asInt()).isEqualTo(1);

        // datasets: created on v1, upgraded to v2, described
        assertThat(json(pulse("dataset", "create", "--tenant", slug, "visits", "--schema", "visit", "--schema-version", "1", "--json"))
                .path("schema_version").asInt()).isEqualTo(1);
        assertThat(json(pulse("dataset", "upgrade", "--tenant", slug, "visits", "--schema-version", "2", "--json"))
                .path("schema_version").asInt()).isEqualTo(2);
        List<String> columns = new ArrayList<>();
        json(pulse("dataset", "show", "--tenant", slug, "visits", "--json")).path("columns").forEach(c -> columns.add(c.path("name").asText()));
        assertThat(columns).containsSubsequence("event_id", "url", "referrer");
        assertThat(pulse("dataset", "list", "--tenant", slug).stdout()).contains("visits");

        // keys: create, list without secrets, suspend/resume, rotate, revoke
        JsonNode key = json(pulse("key", "create", "--tenant", slug, "--scopes", "ingest", "--name", "producer", "--json"));
        String token = key.path("key").asText();
        PulseProcess.Result listed = pulse("key", "list", "--tenant", slug, "--json");
        assertThat(json(listed).get(0).path("key_id").asText()).isEqualTo(key.path("key_id").asText());
        assertThat(listed.stdout()).doesNotContain(token.substring(token.lastIndexOf('_') + 1));
        assertThat(ingest(token)).isEqualTo(202);

        assertThat(json(pulse("tenant", "suspend", slug, "--json")).path("status").asText()).isEqualTo("suspended");
        assertThat(ingest(token)).isEqualTo(403);
        assertThat(json(pulse("tenant", "resume", slug, "--json")).path("status").asText()).isEqualTo("active");
        assertThat(ingest(token)).isEqualTo(202);

        JsonNode rotated = json(pulse("key", "rotate", "--tenant", slug, key.path("key_id").asText(), "--json"));
        String newToken = rotated.path("key").asText();
        assertThat(newToken).startsWith("pulse_").isNotEqualTo(token);
        await().atMost(Duration.ofSeconds(5)).until(() -> ingest(token) == 401);
        assertThat(ingest(newToken)).isEqualTo(202);
        json(pulse("key", "revoke", "--tenant", slug, rotated.path("key_id").asText(), "--json"));
        await().atMost(Duration.ofSeconds(5)).until(() -> ingest(newToken) == 401);
    }

    @Test
    void anOperatorMaintainsATenantsLakeAndSetsItsRetentionFromTheCli() throws Exception {
        String slug = "lake-" + UUID.randomUUID().toString().substring(0, 8);
        json(pulse("tenant", "create", slug, "--json"));
        json(pulse("schema", "register", "--tenant", slug, "visit", schemaFile("\"url\":{\"type\":\"string\"}").toString(), "--json"));
        json(pulse("dataset", "create", "--tenant", slug, "visits", "--schema", "visit", "--json"));

        JsonNode dry = json(pulse("lake", "maintain", "--tenant", slug, "--dry-run", "--json"));
        assertThat(dry).hasSize(1);
        assertThat(dry.get(0).path("dataset").asText()).isEqualTo("visits");
        JsonNode ran = json(pulse("lake", "maintain", "--tenant", slug, "--dataset", "visits", "--json"));
        assertThat(ran.get(0).path("locked_out").asBoolean()).isFalse();
        assertThat(ran.get(0).path("orphans").path("listed").asBoolean()).isTrue();
        PulseProcess.Result readable = pulse("lake", "maintain", "--tenant", slug);
        assertThat(readable.exitCode()).as(readable.stderr()).isZero();
        assertThat(readable.stdout()).contains("visits: ").contains("rewrote").contains("expired").contains("orphan");
        assertThat(pulse("lake", "maintain", "--dataset", "visits").exitCode()).isEqualTo(2);
        PulseProcess.Result missing = pulse("lake", "maintain", "--tenant", slug, "--dataset", "nope-nope");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr()).contains("not found");
        assertThat(json(pulse("dataset", "show", "--tenant", slug, "visits", "--json")).path("lake").path("current_metadata_bytes").asLong())
                .isPositive();
        assertThat(pulse("dataset", "show", "--tenant", slug, "visits").stdout()).contains("data files").contains("last expiry");

        assertThat(json(pulse("tenant", "set-retention", slug, "P30D", "--json")).path("snapshot_retention").asText()).isEqualTo("PT720H");
        assertThat(pulse("tenant", "show", slug).stdout()).contains("snapshot retention PT720H");
        PulseProcess.Result tooShort = pulse("tenant", "set-retention", slug, "PT5M");
        assertThat(tooShort.exitCode()).isEqualTo(1);
        assertThat(tooShort.stderr()).contains("out of range");
        assertThat(json(pulse("tenant", "set-retention", slug, "default", "--json")).path("snapshot_retention").isNull()).isTrue();
    }

    @Test
    void anOperatorSetsATenantsOwnRateLimitsAndAnOptionLeftOutKeepsItsValue() throws Exception {
        String slug = "lim-" + UUID.randomUUID().toString().substring(0, 8);
        json(pulse("tenant", "create", slug, "--tier", "free", "--json"));
        JsonNode set = json(pulse("tenant", "set-limits", slug, "--events-per-second", "2500", "--json"));
        assertThat(set.path("events_per_second").asLong()).isEqualTo(2500);
        assertThat(set.path("effective_bytes_per_second").asLong()).isEqualTo(1_048_576);
        JsonNode bytes = json(pulse("tenant", "set-limits", slug, "--bytes-per-second", "65536", "--json"));
        assertThat(bytes.path("events_per_second").asLong()).isEqualTo(2500);
        assertThat(bytes.path("bytes_per_second").asLong()).isEqualTo(65536);
        assertThat(pulse("tenant", "set-limits", slug, "--events-per-second", "default").stdout())
                .contains("may send 1000 events/s and 65536 bytes/s").contains("events: the tier's default");
        PulseProcess.Result zero = pulse("tenant", "set-limits", slug, "--events-per-second", "0");
        assertThat(zero.exitCode()).isEqualTo(1);
        assertThat(zero.stderr()).contains("out of range");
        assertThat(pulse("tenant", "set-limits", slug).exitCode()).isEqualTo(2);
        assertThat(pulse("tenant", "set-limits", slug, "--events-per-second", "lots").exitCode()).isEqualTo(2);
    }

    @Test
    void aKeyIsRotatedAndRevokedByItsIdAloneAndNeverThroughAnotherTenant() throws Exception {
        String slug = "kid-" + UUID.randomUUID().toString().substring(0, 8);
        String other = "kio-" + UUID.randomUUID().toString().substring(0, 8);
        json(pulse("tenant", "create", slug, "--json"));
        json(pulse("tenant", "create", other, "--json"));
        JsonNode key = json(pulse("key", "create", "--tenant", slug, "--scopes", "ingest", "--json"));

        PulseProcess.Result viaOther = pulse("key", "revoke", "--tenant", other, key.path("key_id").asText());
        assertThat(viaOther.exitCode()).isEqualTo(1);
        assertThat(viaOther.stderr()).contains("does not exist");
        PulseProcess.Result unknown = pulse("key", "revoke", "0123456789abcdef");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.stderr()).contains("key '0123456789abcdef' does not exist").contains("404");

        JsonNode rotated = json(pulse("key", "rotate", key.path("key_id").asText(), "--json"));
        assertThat(rotated.path("previous").path("status").asText()).isEqualTo("revoked");
        assertThat(ingest(key.path("key").asText())).isEqualTo(401);
        JsonNode revoked = json(pulse("key", "revoke", rotated.path("key_id").asText(), "--json"));
        assertThat(revoked.path("status").asText()).isEqualTo("revoked");
        assertThat(ingest(rotated.path("key").asText())).isEqualTo(401);
        List<String> statuses = new ArrayList<>();
        json(pulse("key", "list", "--tenant", slug, "--json")).forEach(k -> statuses.add(k.path("status").asText()));
        assertThat(statuses).containsExactly("revoked", "revoked");
    }

    @Test
    void theVerbsFindTheStackThatPulseDevRecordedFromAnyFolderAndSayWhatToExportWithoutIt() throws Exception {
        Path home = Files.createTempDirectory("pulse-home");
        Path elsewhere = Files.createTempDirectory("pulse-elsewhere");
        PulseProcess.Result lost = PulseProcess.runWithoutSettings(home, elsewhere, "tenant", "list");
        assertThat(lost.exitCode()).isEqualTo(1);
        assertThat(lost.stderr()).contains("PULSE_ENV_FILE").contains("./pulse dev");

        RunningStack.record(home.resolve(".pulse").resolve("current"), pipeline.envFile);
        String slug = "found-" + UUID.randomUUID().toString().substring(0, 8);
        PulseProcess.Result created = PulseProcess.runWithoutSettings(home, elsewhere, "tenant", "create", slug, "--json");
        assertThat(json(created).path("slug").asText()).isEqualTo(slug);
        assertThat(json(PulseProcess.runWithoutSettings(home, elsewhere, "tenant", "show", slug, "--json")).path("status").asText())
                .isEqualTo("active");
    }

    @Test
    void anOperatorFixesTheCauseAndReplaysTheDeadLettersOnce() throws Exception {
        String slug = "dlq-" + UUID.randomUUID().toString().substring(0, 8);
        json(pulse("tenant", "create", slug, "--json"));
        Path strict = Files.createTempFile("schema", ".json");
        Files.writeString(strict, "{\"type\":\"object\",\"properties\":{\"url\":{\"type\":\"string\"},\"ref\":{\"type\":\"string\"}},\"required\":[\"url\",\"ref\"]}");
        Path relaxed = Files.createTempFile("schema", ".json");
        Files.writeString(relaxed, "{\"type\":\"object\",\"properties\":{\"url\":{\"type\":\"string\"},\"ref\":{\"type\":\"string\"}},\"required\":[\"url\"]}");
        json(pulse("schema", "register", "--tenant", slug, "visit", strict.toString(), "--json"));
        json(pulse("dataset", "create", "--tenant", slug, "visits", "--schema", "visit", "--json"));
        String key = json(pulse("key", "create", "--tenant", slug, "--scopes", "ingest,query", "--json")).path("key").asText();

        assertThat(ingest(key)).isEqualTo(202); // no "ref": a schema violation, so a dead letter
        String tenantId = json(pulse("tenant", "show", slug, "--json")).path("id").asText();
        String dlq = dev.pulse.schemas.naming.Topics.dlq(dev.pulse.schemas.naming.TenantId.parse(tenantId));
        assertThat(pipeline.readAll(dlq, 1)).hasSize(1);

        // The operator looks first: one dead letter, why, and what a replay would do now.
        await().atMost(Duration.ofSeconds(60)).until(() -> json(pulse("dlq", "list", "--tenant", slug, "--json"))
                .path("counts").path("total").asInt() == 1);
        JsonNode listed = json(pulse("dlq", "list", "--tenant", slug, "--json"));
        assertThat(listed.path("counts").path("by_reason").path("schema-violation").asInt()).isEqualTo(1);
        assertThat(listed.path("counts").path("by_dataset").path("visits").asInt()).isEqualTo(1);
        String id = listed.path("samples").get(0).path("id").asText();
        JsonNode shown = json(pulse("dlq", "show", "--tenant", slug, id, "--json"));
        assertThat(shown.path("state").asText()).isEqualTo("open");
        assertThat(shown.path("violations").size()).isEqualTo(1);
        assertThat(shown.path("payload").path("data").path("url").isTextual()).isTrue();
        JsonNode dryBefore = json(pulse("dlq", "replay", "--tenant", slug, "--dry-run", "--json"));
        assertThat(dryBefore.path("would_land").asInt()).isZero();
        assertThat(dryBefore.path("would_fail").path("schema-violation").asInt()).isEqualTo(1);
        // A patch that supplies the missing member would make it land, without changing anything yet.
        assertThat(json(pulse("dlq", "replay", "--tenant", slug, "--dry-run", "--patch", "{\"ref\": \"cli\"}", "--json"))
                .path("would_land").asInt()).isEqualTo(1);

        json(pulse("schema", "register", "--tenant", slug, "visit", relaxed.toString(), "--json"));
        json(pulse("dataset", "upgrade", "--tenant", slug, "visits", "--schema-version", "2", "--json"));
        assertThat(json(pulse("dlq", "replay", "--tenant", slug, "--dry-run", "--json")).path("would_land").asInt()).isEqualTo(1);
        assertThat(json(pulse("dlq", "replay", "--tenant", slug, "--json")).path("replayed").asInt()).isEqualTo(1);
        assertThat(json(pulse("dlq", "replay", "--tenant", slug, "--json")).path("replayed").asInt()).isZero();
        assertThat(json(pulse("dlq", "show", "--tenant", slug, id, "--json")).path("state").asText()).isEqualTo("replayed");
        // Nothing open is left to drop; without --yes and without a terminal, drop refuses.
        assertThat(json(pulse("dlq", "drop", "--tenant", slug, "--yes", "--json")).path("dropped").asInt()).isZero();
        assertThat(pulse("dlq", "drop", "--tenant", slug).exitCode()).isEqualTo(1);

        HttpRequest preview = HttpRequest.newBuilder(URI.create(pipeline.queryUrl() + "/v1/datasets/visits/preview"))
                .header("Authorization", "Bearer " + key).build();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                OperatorClient.JSON.readTree(HTTP.send(preview, HttpResponse.BodyHandlers.ofString()).body()).path("rows").size()).isEqualTo(1));
    }

    @Test
    void badInputIsRefusedWithTheProblemDetailAndExitCodeOne() throws Exception {
        String slug = "bad-" + UUID.randomUUID().toString().substring(0, 8);
        json(pulse("tenant", "create", slug, "--json"));
        PulseProcess.Result invalidSlug = pulse("tenant", "create", "Bad_Slug");
        assertThat(invalidSlug.exitCode()).isEqualTo(1);
        assertThat(invalidSlug.stderr()).contains("invalid");
        PulseProcess.Result unknownTenant = pulse("tenant", "show", "no-such-tenant");
        assertThat(unknownTenant.exitCode()).isEqualTo(1);
        assertThat(unknownTenant.stderr()).contains("no-such-tenant");
        PulseProcess.Result unknownSchema = pulse("dataset", "create", "--tenant", slug, "orders", "--schema", "nope");
        assertThat(unknownSchema.exitCode()).isEqualTo(1);
        assertThat(unknownSchema.stderr()).contains("nope");
        PulseProcess.Result unknownScope = pulse("key", "create", "--tenant", slug, "--scopes", "ingest,admin");
        assertThat(unknownScope.exitCode()).isEqualTo(1);
        assertThat(unknownScope.stderr()).contains("admin");
        Path notObject = Files.createTempFile("schema", ".json");
        Files.writeString(notObject, "{\"type\":\"string\"}");
        PulseProcess.Result notAnObjectSchema = pulse("schema", "register", "--tenant", slug, "s", notObject.toString());
        assertThat(notAnObjectSchema.exitCode()).isEqualTo(1);
        assertThat(notAnObjectSchema.stderr()).contains("/type");
        Path unsupported = Files.createTempFile("schema", ".json");
        Files.writeString(unsupported, "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"contentEncoding\":\"base64\"}}}");
        PulseProcess.Result unsupportedKeyword = pulse("schema", "register", "--tenant", slug, "s", unsupported.toString());
        assertThat(unsupportedKeyword.exitCode()).isEqualTo(1);
        assertThat(unsupportedKeyword.stderr()).contains("/properties/a/contentEncoding");
        Path broken = Files.createTempFile("schema", ".json");
        Files.writeString(broken, "{\"type\": ");
        assertThat(pulse("schema", "register", "--tenant", slug, "s", broken.toString()).exitCode()).isEqualTo(1);
        assertThat(pulse("tenant", "frobnicate").exitCode()).isEqualTo(2);
    }
}

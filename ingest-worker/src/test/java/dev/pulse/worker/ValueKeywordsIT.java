package dev.pulse.worker;

import static dev.pulse.worker.WorkerFixture.header;
import static dev.pulse.worker.WorkerFixture.json;
import static dev.pulse.worker.WorkerFixture.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pulse.schemas.event.IcebergSchemas;
import dev.pulse.schemas.naming.TenantId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The validation keywords on the real stack: each one an event breaks sends it to its tenant's DLQ
 * as a {@code schema-violation} naming the keyword and the JSON pointer, while the events that meet
 * them land; a tenant's hostile pattern does not hold up another tenant's events.
 */
class ValueKeywordsIT {
    static final String GROUP = "value-keywords-it-" + UUID.randomUUID();
    static final String PLAN = """
            {"type": "object",
             "$defs": {"money": {"type": "number", "minimum": 0, "exclusiveMaximum": 1000, "multipleOf": 0.01}},
             "properties": {
               "amount": {"$ref": "#/$defs/money"},
               "sku": {"type": "string", "minLength": 3, "maxLength": 8, "pattern": "^[A-Z]{2}-[0-9]+$"},
               "qty": {"type": "integer", "maximum": 10, "exclusiveMinimum": 0},
               "kind": {"type": "string", "const": "order"},
               "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2, "uniqueItems": true}
             },
             "required": ["amount"]}""";
    static WorkerFixture fixture;
    static IngestWorker worker;

    @BeforeAll
    static void startWorker() {
        fixture = new WorkerFixture();
        worker = IngestWorker.start(fixture.config(GROUP));
    }

    @AfterAll
    static void stopWorker() {
        worker.close();
        fixture.close();
    }

    static TenantId tenantWith(String schema) {
        TenantId tenant = fixture.stack.newTenant().id();
        fixture.stack.schemas().register(tenant, "plan", json(schema));
        fixture.stack.datasets().create(tenant, "orders", "plan", null, IcebergSchemas.Partitioning.DAY);
        return tenant;
    }

    @Test
    void eachBrokenKeywordIsADeadLetterNamingKeywordAndPointer() {
        TenantId tenant = tenantWith(PLAN);
        Map<String, String[]> broken = Map.ofEntries(
                Map.entry("minimum", new String[] {"{\"amount\": -1}", "/data/amount"}),
                Map.entry("exclusiveMaximum", new String[] {"{\"amount\": 1000}", "/data/amount"}),
                Map.entry("multipleOf", new String[] {"{\"amount\": 0.001}", "/data/amount"}),
                Map.entry("minLength", new String[] {"{\"amount\": 1, \"sku\": \"A\"}", "/data/sku"}),
                Map.entry("maxLength", new String[] {"{\"amount\": 1, \"sku\": \"AB-1234567\"}", "/data/sku"}),
                Map.entry("pattern", new String[] {"{\"amount\": 1, \"sku\": \"ab-12\"}", "/data/sku"}),
                Map.entry("maximum", new String[] {"{\"amount\": 1, \"qty\": 11}", "/data/qty"}),
                Map.entry("exclusiveMinimum", new String[] {"{\"amount\": 1, \"qty\": 0}", "/data/qty"}),
                Map.entry("const", new String[] {"{\"amount\": 1, \"kind\": \"refund\"}", "/data/kind"}),
                Map.entry("minItems", new String[] {"{\"amount\": 1, \"tags\": []}", "/data/tags"}),
                Map.entry("maxItems", new String[] {"{\"amount\": 1, \"tags\": [\"a\", \"b\", \"c\"]}", "/data/tags"}),
                Map.entry("uniqueItems", new String[] {"{\"amount\": 1, \"tags\": [\"a\", \"a\"]}", "/data/tags"}));
        broken.forEach((keyword, event) -> fixture.produce(tenant, "orders", "bad-" + keyword, event[0]));
        fixture.produce(tenant, "orders", "good", "{\"amount\": 999.99, \"sku\": \"AB-12\", \"qty\": 10, \"kind\": \"order\", \"tags\": [\"a\", \"b\"]}");

        await().atMost(Duration.ofSeconds(90)).until(() -> fixture.eventIds(tenant, "orders").contains("good"));
        fixture.awaitCaughtUp(GROUP, tenant);
        assertThat(fixture.eventIds(tenant, "orders")).containsExactly("good");
        List<ConsumerRecord<byte[], byte[]>> dead = fixture.deadLetters(tenant);
        assertThat(dead).hasSize(broken.size());
        for (ConsumerRecord<byte[], byte[]> letter : dead) {
            String keyword = key(letter).substring("bad-".length());
            assertThat(header(letter, "pulse-error-code")).isEqualTo("schema-violation");
            assertThat(header(letter, "pulse-error-stage")).isEqualTo("validate");
            assertThat(header(letter, "pulse-error-message")).as(keyword).contains(broken.get(keyword)[1] + ": " + keyword + ":");
        }
    }

    @Test
    void aHostilePatternOfOneTenantDoesNotHoldUpAnother() {
        // java.util.regex backtracks for ever on these against "aaaa…!"; Pulse's patterns run in linear time.
        TenantId hostile = tenantWith("""
                {"type": "object", "properties": {"s": {"type": "string", "pattern": "^(a+)+$"},
                 "t": {"type": "string", "pattern": "^(a|a?)+$"}}}""");
        TenantId quiet = tenantWith("{\"type\": \"object\", \"properties\": {\"amount\": {\"type\": \"number\", \"minimum\": 0}}}");
        String evil = "a".repeat(200_000) + "!";
        for (int i = 0; i < 20; i++) {
            fixture.produce(hostile, "orders", "evil-" + i, "{\"s\": \"" + evil + "\", \"t\": \"" + evil + "\"}");
        }
        for (int i = 0; i < 5; i++) {
            fixture.produce(quiet, "orders", "quiet-" + i, "{\"amount\": " + i + "}");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> fixture.eventIds(quiet, "orders").size() == 5);
        fixture.awaitCaughtUp(GROUP, hostile);
        List<ConsumerRecord<byte[], byte[]>> dead = fixture.deadLetters(hostile);
        assertThat(dead).hasSize(20).allSatisfy(letter -> assertThat(header(letter, "pulse-error-message"))
                .contains("/data/s: pattern:").contains("/data/t: pattern:"));
        assertThat(worker.failure()).isEmpty();
    }
}

package dev.pulse.api.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.api.ApiConfig;
import dev.pulse.schemas.event.EventEnvelope;
import dev.pulse.schemas.event.Rfc3339;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.UUID;
import java.util.function.ToLongFunction;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A benchmark, not a test (not matched by Surefire's *Test pattern): the API's envelope work on
 * one thread for requests of 500 events — check every envelope and serialize every record, the
 * part of {@code POST /v1/events} between reading the JSON tree and producing — now and as it was
 * before (regexes, {@code OffsetDateTime.parse}, a random UUID per event, an intermediate tree per
 * record; kept below as {@link #previous}), interleaved in one JVM so that the shared machine's
 * noise hits both alike. Half the events carry an {@code event_id} and a {@code timestamp}. Also
 * the whole request's CPU work including Jackson's parse of the body. 10 s warm-up, then 7 rounds
 * of 2 s each; medians printed. Run it with
 * {@code mvn -B -o -pl ingest-api -am test -Dtest=EnvelopeBench -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class EnvelopeBench {
    private static final int EVENTS = 500;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ApiConfig.EventTimeBounds BOUNDS = new ApiConfig.EventTimeBounds(Duration.ofHours(1),
            Instant.parse("2000-01-01T00:00:00Z"));

    @Test
    void envelopeWorkPerThread() throws Exception {
        byte[] body = body();
        JsonNode tree = MAPPER.readTree(body);
        ToLongFunction<JsonNode> now = EnvelopeBench::checkAndSerialize;
        ToLongFunction<JsonNode> before = EnvelopeBench::previous;
        ToLongFunction<JsonNode> nowWithParse = t -> checkAndSerialize(readTree(body));
        ToLongFunction<JsonNode> beforeWithParse = t -> previous(readTree(body));
        ToLongFunction<JsonNode>[] variants = new ToLongFunction[] {now, before, nowWithParse, beforeWithParse};
        for (ToLongFunction<JsonNode> variant : variants) {
            rate(variant, tree, 2_500);
        }
        double[][] rates = new double[variants.length][7];
        for (int round = 0; round < 7; round++) {
            for (int v = 0; v < variants.length; v++) {
                rates[v][round] = rate(variants[v], tree, 2_000);
            }
        }
        String[] names = {"envelope check + serialize, now", "envelope check + serialize, before",
            "with Jackson's parse of the body, now", "with Jackson's parse of the body, before"};
        for (int v = 0; v < variants.length; v++) {
            Arrays.sort(rates[v]);
            System.out.printf("ENVELOPE-BENCH %-42s median %,9.0f events/s per thread (min %,.0f, max %,.0f)%n", names[v], rates[v][3],
                    rates[v][0], rates[v][6]);
        }
    }

    private static double rate(ToLongFunction<JsonNode> work, JsonNode tree, long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        long events = 0;
        long sink = 0;
        long started = System.nanoTime();
        while (System.nanoTime() < end) {
            sink += work.applyAsLong(tree);
            events += EVENTS;
        }
        if (sink == 42) {
            System.out.println();
        }
        return events / ((System.nanoTime() - started) / 1e9);
    }

    private static JsonNode readTree(byte[] body) {
        try {
            return MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long checkAndSerialize(JsonNode tree) {
        Instant receivedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        EventBatch batch = EventBatch.parse(EventBatch.items(tree, 10_000), BOUNDS, receivedAt);
        String receivedAtText = Rfc3339.format(receivedAt);
        long bytes = 0;
        for (EventEnvelope event : batch.events()) {
            bytes += event.toBytes(receivedAtText).length;
        }
        return bytes;
    }

    // ---- the envelope work as it was before (for the comparison only) ----
    private static final Pattern EVENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern SLUG = Pattern.compile("[a-z][a-z0-9-]{2,39}");

    private static long previous(JsonNode tree) {
        Instant receivedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        long bytes = 0;
        for (JsonNode item : tree) {
            String dataset = item.get("dataset").textValue();
            if (!SLUG.matcher(dataset).matches()) {
                throw new IllegalStateException();
            }
            String eventId = UUID.randomUUID().toString();
            JsonNode idNode = item.get("event_id");
            if (idNode != null) {
                if (!EVENT_ID.matcher(idNode.textValue()).matches()) {
                    throw new IllegalStateException();
                }
                eventId = idNode.textValue();
            }
            Instant eventTime = receivedAt;
            JsonNode timeNode = item.get("timestamp");
            if (timeNode != null) {
                eventTime = OffsetDateTime.parse(timeNode.textValue(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant()
                        .truncatedTo(ChronoUnit.MICROS);
            }
            ObjectNode node = MAPPER.createObjectNode();
            node.put("dataset", dataset);
            node.put("event_id", eventId);
            node.put("event_time", eventTime.toString());
            node.put("received_at", receivedAt.toString());
            node.set("data", item.get("data"));
            try {
                bytes += MAPPER.writeValueAsBytes(node).length;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return bytes;
    }

    static byte[] body() {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < EVENTS; i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append("{\"dataset\":\"page-views\",");
            if (i % 2 == 0) {
                json.append("\"event_id\":\"evt-").append(i).append("-2f9c1e\",\"timestamp\":\"2026-12-02T10:15:")
                        .append(String.format("%02d", i % 60)).append(".123456Z\",");
            }
            json.append("\"data\":{\"url\":\"/pricing/").append(i).append("\",\"user_id\":\"u-").append(i % 97)
                    .append("\",\"duration_ms\":").append(1000 + i).append(",\"referrer\":\"https://example.com/a/b?c=d\"}}");
        }
        return json.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }
}

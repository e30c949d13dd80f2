package dev.pulse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.api.ApiConfig;
import dev.pulse.api.IngestApi;
import dev.pulse.control.keys.Scope;
import dev.pulse.control.testing.TestStack;
import dev.pulse.control.testing.TestStack.TenantWithDataset;
import dev.pulse.edge.Problem;
import dev.pulse.query.LakeQuery;
import dev.pulse.query.QueryConfig;
import dev.pulse.schemas.event.IcebergSchemas.Partitioning;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.worker.WorkerConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: PostgreSQL stops for 20 s under two tenants posting continuously. Every answer is 202
 * or 503 problem+json with {@code Retry-After}, none hangs, every acknowledged event lands exactly
 * once in its own tenant's table, and the pipeline recovers with no operator action: the API's and
 * the worker's pools reconnect, and the worker ({@code pulse dev}'s supervised one) resumes.
 *
 * <p>Runs in its own JVM on its own stack (see the pom): stopping the database under the shared
 * {@link PipelineFixture} would stop its unsupervised worker for every test after this one.
 */
class PostgresOutageIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** The figure. */
    static final Duration OUTAGE = Duration.ofSeconds(20);
    /**
     * No answer may take longer: a database access gives up on a connection after 3 s
     * (TenantDatabase.CONNECTION_TIMEOUT_MS) and a request can wait that long twice: answers of
     * 6.0 s came in 2 of about 10 runs (6,017 and 6,021 ms), so the bound is two waits plus a
     * margin for a loaded machine, not one (see the README: which two accesses is still open).
     * Far below any client's timeout: the property is "no hang", not a latency target.
     */
    static final Duration ANSWER_BOUND = Duration.ofMillis(2 * TenantDatabase.CONNECTION_TIMEOUT_MS + 3_000);

    static TestStack stack;
    static IngestApi api;
    static DevCommand.SupervisedWorker worker;
    static LakeQuery query;

    @BeforeAll
    static void start() {
        stack = TestStack.shared();
        api = IngestApi.start(ApiConfig.from(stack.settings()));
        worker = new DevCommand.SupervisedWorker(WorkerConfig.from(stack.settings(Map.of("PULSE_WORKER_GROUP", "pulse-worker-pg-outage"))));
        query = LakeQuery.start(QueryConfig.from(stack.settings()));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        stack.devStack().startPostgres(); // a no-op unless the test failed mid-outage
        query.close();
        worker.close();
        api.close();
    }

    /** One answer to one POST: what the client saw. */
    record Answer(String tenant, String eventId, int status, String contentType, String retryAfter, String type, long millis) {
    }

    /** Posts one event per request as fast as answers come, ids chosen by the client, until stopped. */
    static final class Poster implements Runnable {
        final String label;
        final String key;
        final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        final AtomicLong accepted = new AtomicLong();
        volatile boolean stopping;

        Poster(String label, String key) {
            this.label = label;
            this.key = key;
        }

        @Override
        public void run() {
            for (int i = 0; !stopping; i++) {
                String id = label + "-" + i;
                String body = "{\"dataset\": \"clicks\", \"event_id\": \"" + id + "\", \"data\": {\"page\": \"/" + i + "\"}}";
                long started = System.nanoTime();
                try {
                    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/v1/events"))
                            .timeout(Duration.ofSeconds(30))
                            .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    String type = r.statusCode() == 202 ? null : JSON.readTree(r.body()).path("type").asText();
                    answers.add(new Answer(label, id, r.statusCode(), r.headers().firstValue("Content-Type").orElse(""),
                            r.headers().firstValue("Retry-After").orElse(null), type, (System.nanoTime() - started) / 1_000_000));
                    if (r.statusCode() == 202) {
                        accepted.incrementAndGet();
                    }
                } catch (IOException e) {
                    answers.add(new Answer(label, id, -1, "", null, e.toString(), (System.nanoTime() - started) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Test
    void aTwentySecondOutageLosesNothingAcknowledgedAndNeedsNoOperator() throws Exception {
        TenantWithDataset a = stack.newTenantWithDataset("clicks", """
                {"type": "object", "properties": {"page": {"type": "string"}}}""", Partitioning.DAY, Scope.INGEST, Scope.QUERY);
        TenantWithDataset b = stack.newTenantWithDataset("clicks", """
                {"type": "object", "properties": {"page": {"type": "string"}}}""", Partitioning.DAY, Scope.INGEST, Scope.QUERY);
        Poster posterA = new Poster("a", a.key());
        Poster posterB = new Poster("b", b.key());
        List<Thread> threads = List.of(Thread.ofPlatform().name("poster-a").start(posterA), Thread.ofPlatform().name("poster-b").start(posterB));
        try {
            // Running before the outage: both tenants' events land.
            await().atMost(Duration.ofSeconds(30)).until(() -> eventIds(a.tenant().id()).size() > 20 && eventIds(b.tenant().id()).size() > 20);
            assertThat(preview(a.key()).statusCode()).isEqualTo(200);

            long acceptedBefore = posterA.accepted.get() + posterB.accepted.get();
            long outageStarted = System.nanoTime();
            stack.devStack().stopPostgres();
            // The key cache (500 ms) runs out; from then on every request needs the database.
            await().atMost(ANSWER_BOUND.multipliedBy(2)).until(() -> has503(posterA) && has503(posterB));
            HttpResponse<String> previewDuringOutage = preview(a.key());
            assertThat(previewDuringOutage.statusCode()).as(previewDuringOutage.body()).isEqualTo(503);
            assertProblem(previewDuringOutage);
            // The rest of the 20 s: not one answer other than 202 / 503 problem+json, none slower than the bound.
            await().during(OUTAGE.minus(Duration.ofNanos(System.nanoTime() - outageStarted))).atMost(OUTAGE.plusSeconds(10))
                    .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> assertThat(badAnswers(posterA, posterB)).isEmpty());
            long acceptedDuring = posterA.accepted.get() + posterB.accepted.get() - acceptedBefore;
            stack.devStack().startPostgres();
            long outageMillis = (System.nanoTime() - outageStarted) / 1_000_000;

            // No operator action: both tenants are acknowledged again.
            long acceptedA = posterA.accepted.get();
            long acceptedB = posterB.accepted.get();
            await().atMost(Duration.ofSeconds(20)).until(() -> posterA.accepted.get() > acceptedA + 10 && posterB.accepted.get() > acceptedB + 10);
            System.out.printf("postgres outage: %d ms; %d requests accepted during it (key cache), answers %s%n", outageMillis, acceptedDuring,
                    statusCounts(posterA, posterB));
        } finally {
            posterA.stopping = true;
            posterB.stopping = true;
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(35));
            }
        }
        assertThat(badAnswers(posterA, posterB)).as("answers other than 202 or 503 problem+json with Retry-After, or slower than %s",
                ANSWER_BOUND).isEmpty();

        // Every acknowledged id lands exactly once, in its own tenant's table.
        Set<String> ackedA = acknowledged(posterA);
        Set<String> ackedB = acknowledged(posterB);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> new HashSet<>(eventIds(a.tenant().id())).containsAll(ackedA) && new HashSet<>(eventIds(b.tenant().id())).containsAll(ackedB));
        List<String> storedA = eventIds(a.tenant().id());
        List<String> storedB = eventIds(b.tenant().id());
        assertThat(storedA).as("tenant A: no id twice").doesNotHaveDuplicates().allMatch(id -> id.startsWith("a-"), "only tenant A's events");
        assertThat(storedB).as("tenant B: no id twice").doesNotHaveDuplicates().allMatch(id -> id.startsWith("b-"), "only tenant B's events");
        assertThat(storedA).containsAll(ackedA);
        assertThat(storedB).containsAll(ackedB);
        // Whatever a 503 left behind was sent by the client, never invented.
        assertThat(sent(posterA)).containsAll(storedA);
        assertThat(sent(posterB)).containsAll(storedB);
        assertThat(preview(a.key()).statusCode()).isEqualTo(200);
    }

    static boolean has503(Poster poster) {
        return poster.answers.stream().anyMatch(x -> x.status() == 503);
    }

    static List<Answer> badAnswers(Poster... posters) {
        List<Answer> bad = new ArrayList<>();
        for (Poster p : posters) {
            for (Answer x : p.answers) {
                boolean ok = x.status() == 202
                        || (x.status() == 503 && x.contentType().startsWith(Problem.MEDIA_TYPE) && x.retryAfter() != null
                                && Integer.parseInt(x.retryAfter()) > 0);
                if (!ok || x.millis() > ANSWER_BOUND.toMillis()) {
                    bad.add(x);
                }
            }
        }
        return bad;
    }

    static Map<Integer, Long> statusCounts(Poster... posters) {
        Map<Integer, Long> counts = new java.util.TreeMap<>();
        for (Poster p : posters) {
            p.answers.forEach(x -> counts.merge(x.status(), 1L, Long::sum));
        }
        return counts;
    }

    static Set<String> acknowledged(Poster poster) {
        Set<String> ids = new HashSet<>();
        poster.answers.stream().filter(x -> x.status() == 202).forEach(x -> ids.add(x.eventId()));
        return ids;
    }

    static Set<String> sent(Poster poster) {
        Set<String> ids = new HashSet<>();
        poster.answers.forEach(x -> ids.add(x.eventId()));
        return ids;
    }

    static void assertProblem(HttpResponse<String> response) throws IOException {
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith(Problem.MEDIA_TYPE));
        assertThat(response.headers().firstValue("Retry-After")).hasValueSatisfying(s -> assertThat(Integer.parseInt(s)).isPositive());
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("status").asInt()).isEqualTo(503);
        assertThat(problem.path("type").asText()).isNotBlank();
    }

    static HttpResponse<String> preview(String key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + query.port() + "/v1/datasets/clicks/preview?limit=10"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
    }

    static List<String> eventIds(TenantId tenant) {
        return PipelineFixture.eventIds(stack.catalog(), tenant, "clicks");
    }
}

package dev.pulse.edge;

import static dev.pulse.edge.EdgeClient.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.schemas.config.ConfigException;
import dev.pulse.schemas.config.ConfigKey;
import dev.pulse.schemas.config.HttpListener;
import dev.pulse.schemas.tenancy.DatabaseException;
import io.javalin.Javalin;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shared edge on a real Javalin server on a random port: every failure a service may meet, as a problem. */
class EdgeServerTest {
    static final ConfigKey<Integer> TEST_PORT = ConfigKey.port("PULSE_TEST_PORT", 0, "the test server's port");

    static final String SECRET = "password=hunter2 at db.internal:5432";

    /** A service's own failure, mapped through the hook. */
    static class GadgetMissing extends RuntimeException {
        GadgetMissing(String message) {
            super(message);
        }
    }

    static class SmallGadgetMissing extends GadgetMissing {
        SmallGadgetMissing() {
            super("the small gadget is gone");
        }
    }

    static final AtomicBoolean databaseReachable = new AtomicBoolean(true);
    static final AtomicInteger problemsWritten = new AtomicInteger();
    static Javalin server;
    static EdgeClient client;

    @BeforeAll
    static void start() {
        server = Javalin.create(javalin -> {
            EdgeServer.configure(javalin, ctx -> problemsWritten.incrementAndGet())
                    .map(GadgetMissing.class, e -> ProblemException.notFound("gadget-not-found", e.getMessage()));
            HealthRoute.register(javalin.routes, databaseReachable::get);
            OpenApiRoute.register(javalin.routes, EdgeServerTest.class, "/dev/pulse/edge/test-openapi.json");
            javalin.routes.get("/refused", ctx -> {
                throw ProblemException.invalidField("invalid-colour", "colour", "'colour' must be red or blue");
            });
            javalin.routes.get("/busy", ctx -> {
                throw ProblemException.tooManyRequests("too-busy", "retry in a second", 1);
            });
            javalin.routes.get("/gadget", ctx -> {
                throw new SmallGadgetMissing();
            });
            javalin.routes.get("/database/{state}", ctx -> {
                throw new DatabaseException("query failed", new SQLException(SECRET, ctx.pathParam("state")));
            });
            javalin.routes.get("/pool-timeout", ctx -> {
                throw new DatabaseException("borrow failed", new SQLTransientConnectionException(SECRET));
            });
            javalin.routes.get("/bug", ctx -> {
                throw new IllegalStateException(SECRET);
            });
            javalin.routes.get("/ok", ctx -> Json.respond(ctx, 200, Map.of("at", java.time.Instant.parse("2030-01-02T03:04:05Z"))));
        });
        EdgeServer.start(server, new HttpListener("127.0.0.1", 0, TEST_PORT), "choose another port");
        client = new EdgeClient(server.port());
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @Test
    void aProblemExceptionIsAProblemDocumentWithItsErrorsAndHeaders() {
        JsonNode problem = assertProblem(client.get("/refused"), 400, "invalid-colour");
        assertThat(problem.path("errors").get(0).path("field").asText()).isEqualTo("colour");
        EdgeClient.Response busy = client.get("/busy");
        assertProblem(busy, 429, "too-busy");
        assertThat(busy.header("Retry-After")).isEqualTo("1");
    }

    @Test
    void theHookRunsBeforeEveryProblemIsWritten() {
        int before = problemsWritten.get();
        client.get("/refused");
        client.get("/nowhere");
        client.get("/bug");
        assertThat(problemsWritten.get() - before).isEqualTo(3);
        int afterProblems = problemsWritten.get();
        assertThat(client.get("/ok").status()).isEqualTo(200);
        assertThat(problemsWritten.get()).isEqualTo(afterProblems);
    }

    @Test
    void aServiceMapsItsOwnExceptionsAndTheirSubclasses() {
        JsonNode problem = assertProblem(client.get("/gadget"), 404, "gadget-not-found");
        assertThat(problem.path("detail").asText()).isEqualTo("the small gadget is gone");
    }

    @Test
    void unknownRoutesAndWrongMethodsHaveOneTypeEach() {
        assertProblem(client.get("/nowhere"), 404, "route-not-found");
        assertProblem(client.send("POST", "/ok", Map.of()), 405, "method-not-allowed");
    }

    @Test
    void aPathJettyWillNotRouteIsAProblemToo() {
        EdgeClient.Response response = client.get("/a%00b");
        assertProblem(response, 400, "http-400");
    }

    @Test
    void anUnreachableOrRetryableDatabaseIs503WithRetryAfterAndRevealsNothing() {
        for (String path : List.of("/database/08006", "/database/57P01", "/database/57P03", "/database/40001", "/database/40P01", "/pool-timeout")) {
            EdgeClient.Response response = client.get(path);
            assertProblem(response, 503, "database-unavailable");
            assertThat(response.header("Retry-After")).as(path).isEqualTo("5");
            assertThat(response.body()).as(path).doesNotContain("hunter2").doesNotContain("db.internal");
        }
    }

    @Test
    void aValuePostgresqlRefusedIsTheClientsAndAnyOtherDatabaseFailureIsOurs() {
        assertProblem(client.get("/database/23505"), 409, "conflict");
        assertProblem(client.get("/database/23P01"), 409, "conflict");
        assertProblem(client.get("/database/22001"), 400, "unstorable-value");
        assertProblem(client.get("/database/23514"), 400, "unstorable-value");
        for (String state : List.of("42501", "42P01", "XX000")) {
            EdgeClient.Response response = client.get("/database/" + state);
            assertProblem(response, 500, "internal-error");
            assertThat(response.body()).doesNotContain("hunter2").doesNotContain(state);
        }
    }

    @Test
    void aBugIsA500ThatRevealsNothing() {
        EdgeClient.Response response = client.get("/bug");
        assertProblem(response, 500, "internal-error");
        assertThat(response.body()).doesNotContain("hunter2").doesNotContain("IllegalState").doesNotContain("at dev.pulse");
    }

    @Test
    void healthFollowsTheDatabase() {
        EdgeClient.Response ok = client.get("/healthz");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().path("status").asText()).isEqualTo("ok");
        databaseReachable.set(false);
        try {
            EdgeClient.Response down = client.get("/healthz");
            assertProblem(down, 503, "database-unavailable");
            assertThat(down.header("Retry-After")).isEqualTo("5");
        } finally {
            databaseReachable.set(true);
        }
    }

    @Test
    void theOneJsonWriterWritesInstantsAsRfc3339() {
        EdgeClient.Response response = client.get("/ok");
        assertThat(response.header("Content-Type")).startsWith(Json.MEDIA_TYPE);
        assertThat(response.json().path("at").asText()).isEqualTo("2030-01-02T03:04:05Z");
    }

    @Test
    void theOpenApiDocumentIsServedAndTheRegisteredRoutesAreListed() {
        EdgeClient.Response response = client.get("/openapi.json");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(response.json().path("openapi").asText()).isEqualTo("3.1.0");
        assertThat(EdgeServer.registeredRoutes(server)).contains("GET /openapi.json", "GET /healthz", "GET /database/{state}");
    }

    @Test
    void aMissingOpenApiDocumentStopsTheServerBeforeItStarts() {
        assertThatThrownBy(() -> Javalin.create(javalin -> OpenApiRoute.register(javalin.routes, EdgeServerTest.class, "/no/such/openapi.json")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("/no/such/openapi.json");
    }

    @Test
    void aPortInUseIsAStartupErrorNamingTheKey() {
        Javalin second = Javalin.create(EdgeServer::configure);
        assertThatThrownBy(() -> EdgeServer.start(second, new HttpListener("127.0.0.1", server.port(), TEST_PORT), "choose another port"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("PULSE_TEST_PORT=" + server.port())
                .hasMessageContaining("choose another port");
        // The first server still answers: the failed one did not take anything over.
        assertThat(client.get("/healthz").status()).isEqualTo(200);
    }
}

package dev.pulse.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.control.testing.TestStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /openapi.json documents every route the server registered, and nothing it does not serve. */
class OpenApiIT {
    static LakeQuery query;

    @BeforeAll
    static void start() {
        query = LakeQuery.start(QueryConfig.from(TestStack.shared().settings()));
    }

    @AfterAll
    static void stop() {
        query.close();
    }

    @Test
    void everyRegisteredRouteIsDocumentedAndEveryDocumentedRouteIsRegistered() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + query.port() + "/openapi.json")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode document = new ObjectMapper().readTree(response.body());
        assertThat(document.path("openapi").asText()).startsWith("3.1");

        List<String> registered = query.registeredRoutes().stream()
                .filter(r -> r.matches("(GET|POST|PUT|PATCH|DELETE) .*")).sorted().toList();
        assertThat(registered).contains("GET /v1/datasets/{slug}/preview", "GET /healthz", "GET /openapi.json");
        List<String> documented = new ArrayList<>();
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
            documented.add(operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
            assertThat(operation.getValue().path("responses").isEmpty()).as(operation.getKey() + " " + path.getKey()).isFalse();
        }));
        assertThat(documented).containsExactlyInAnyOrderElementsOf(registered);
    }
}

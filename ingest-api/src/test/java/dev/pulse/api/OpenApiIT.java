package dev.pulse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.control.testing.TestStack;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /openapi.json documents every route the server registered, and nothing it does not serve. */
class OpenApiIT {
    static IngestApi api;
    static ApiClient http;

    @BeforeAll
    static void start() {
        api = IngestApi.start(ApiConfig.from(TestStack.shared().settings()));
        http = new ApiClient(api.port());
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void everyRegisteredRouteIsDocumentedAndEveryDocumentedRouteIsRegistered() {
        var response = http.get("/openapi.json");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/json");
        JsonNode document = response.json();
        assertThat(document.path("openapi").asText()).startsWith("3.1");

        List<String> registered = api.registeredRoutes().stream()
                .filter(r -> r.matches("(GET|POST|PUT|PATCH|DELETE) .*")).sorted().toList();
        assertThat(registered).contains("GET /v1/keys", "POST /admin/v1/tenants/{slug}/suspend", "POST /v1/events", "GET /openapi.json");
        List<String> documented = new java.util.ArrayList<>();
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(operation ->
                documented.add(operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey())));
        assertThat(documented).containsExactlyInAnyOrderElementsOf(registered);
    }

    @Test
    void everyOperationDocumentsItsResponses() {
        JsonNode document = http.get("/openapi.json").json();
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(operation ->
                assertThat(operation.getValue().path("responses").isEmpty()).as(operation.getKey() + " " + path.getKey()).isFalse()));
    }
}

package dev.pulse.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** A plain HTTP client for a server of the edge's tests on a random port. */
final class EdgeClient {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final int port;

    EdgeClient(int port) {
        this.port = port;
    }

    record Response(int status, String body, HttpResponse<String> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }
    }

    Response send(String method, String path, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(), response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Response get(String path) {
        return send("GET", path, Map.of());
    }

    Response get(String path, Map<String, String> headers) {
        return send("GET", path, headers);
    }

    /** Asserts the response is a problem document of {@code status} with the stable type of {@code code}; returns it. */
    static JsonNode assertProblem(Response response, int status, String code) {
        org.assertj.core.api.Assertions.assertThat(response.status()).as(response.body()).isEqualTo(status);
        org.assertj.core.api.Assertions.assertThat(response.header("Content-Type")).startsWith(Problem.MEDIA_TYPE);
        JsonNode problem = response.json();
        org.assertj.core.api.Assertions.assertThat(problem.path("type").asText()).isEqualTo("https://pulse.dev/problems/" + code);
        org.assertj.core.api.Assertions.assertThat(problem.path("status").asInt()).isEqualTo(status);
        org.assertj.core.api.Assertions.assertThat(problem.path("title").asText()).isEqualTo(Problem.titleFor(status));
        org.assertj.core.api.Assertions.assertThat(problem.path("detail").asText()).isNotBlank();
        return problem;
    }
}

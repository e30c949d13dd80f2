package dev.pulse.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A plain java.net.http client against a running API on localhost. */
final class ApiClient {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final boolean newConnectionEach;

    ApiClient(int port) {
        this(port, false);
    }

    private ApiClient(int port, boolean newConnectionEach) {
        this.base = "http://localhost:" + port;
        this.newConnectionEach = newConnectionEach;
    }

    /**
     * The same client, but every request on a connection of its own. For requests Jetty refuses
     * before routing (an encoded NUL in the path): it answers 400 and closes the connection, and a
     * pooled connection can meet that close half-done; the JDK client retries a GET then, never a
     * POST (a CI run lost a POST's 400 this way: "header parser received no bytes").
     */
    ApiClient onNewConnections() {
        return new ApiClient(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), true);
    }

    record Response(int status, HttpHeaders headers, String body) {
        JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }

        String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }

        String detail() {
            return json().path("detail").asText();
        }
    }

    /** POST with alternating header names and values. */
    Response post(String path, byte[] body, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofByteArray(body)), headers);
    }

    Response post(String path, String body, String... headers) {
        return post(path, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    Response put(String path, String body, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).PUT(HttpRequest.BodyPublishers.ofString(body)), headers);
    }

    Response get(String path, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), headers);
    }

    /** An events POST with a key and application/json. */
    Response ingest(String apiKey, String body, String... moreHeaders) {
        List<String> headers = new ArrayList<>(List.of("Authorization", "Bearer " + apiKey, "Content-Type", "application/json"));
        headers.addAll(List.of(moreHeaders));
        return post("/v1/events", body, headers.toArray(String[]::new));
    }

    /** An operator POST with a JSON body. */
    Response admin(String token, String path, String jsonBody) {
        return post(path, jsonBody, "Authorization", "Bearer " + token, "Content-Type", "application/json");
    }

    private Response send(HttpRequest.Builder request, String... headers) {
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HttpClient client = newConnectionEach ? HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build() : CLIENT;
        try {
            HttpResponse<String> response = client.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (client != CLIENT) {
                client.close();
            }
        }
    }
}

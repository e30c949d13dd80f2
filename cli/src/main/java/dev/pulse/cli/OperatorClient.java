package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.schemas.config.ConfigKey;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The operator verbs' way to the control plane: ingest-api's {@code /admin/v1} over HTTP with the
 * operator token. Settings come from the environment, {@code ./.pulse/pulse.env} (what
 * {@code pulse dev} writes) or the stack the last {@code pulse dev} recorded (see {@link RunningStack}).
 */
final class OperatorClient {
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String apiUrl;
    private final String token;

    OperatorClient(String apiUrl, String token) {
        this.apiUrl = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
        this.token = token;
    }

    static OperatorClient fromSettings(Settings settings) {
        return new OperatorClient(apiUrl(settings), settings.get(PulseKeys.OPERATOR_TOKEN));
    }

    /** {@code PULSE_API_URL}, else ingest-api on this host at {@code PULSE_API_PORT}. */
    static String apiUrl(Settings settings) {
        return serviceUrl(settings, PulseKeys.API_URL, PulseKeys.API_PORT);
    }

    /** {@code PULSE_QUERY_URL}, else lake-query on this host at {@code PULSE_QUERY_PORT}. */
    static String queryUrl(Settings settings) {
        return serviceUrl(settings, PulseKeys.QUERY_URL, PulseKeys.QUERY_PORT);
    }

    private static String serviceUrl(Settings settings, ConfigKey<String> urlKey, ConfigKey<Integer> portKey) {
        String url = settings.get(urlKey);
        return url.isEmpty() ? "http://127.0.0.1:" + settings.get(portKey) : url;
    }

    static OperatorClient fromEnvironment() {
        return fromSettings(RunningStack.settings());
    }

    JsonNode post(String path, ObjectNode body) {
        return send(HttpRequest.newBuilder(URI.create(apiUrl + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    JsonNode put(String path, ObjectNode body) {
        return send(HttpRequest.newBuilder(URI.create(apiUrl + path))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    /** A POST without a body (suspend, resume, revoke, rotate). */
    JsonNode post(String path) {
        return post(path, JSON.createObjectNode());
    }

    /** The path of a tenant-scoped resource under the operator mirror, e.g. {@code tenantPath("acme", "/keys")}. */
    static String tenantPath(String tenantSlug, String rest) {
        return "/admin/v1/tenants/" + segment(tenantSlug) + rest;
    }

    JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(apiUrl + path)).GET());
    }

    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpResponse<String> response;
        try {
            String user = System.getenv("USER");
            if (user != null && user.matches("[A-Za-z0-9._@-]{1,64}")) {
                // Names the person for the audit log (actor operator:<user>); a claim, not an identity.
                request.header("X-Pulse-Actor", user);
            }
            response = http.send(request.header("Authorization", "Bearer " + token)
                    .header("Accept", "application/json").timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new RefusedException(0, "cannot reach the Pulse API at " + apiUrl + ": is `pulse dev` (or `pulse api`) running?");
        } catch (IOException e) {
            throw new RefusedException(0, "request to " + apiUrl + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RefusedException(0, "interrupted");
        }
        JsonNode body;
        try {
            body = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new RefusedException(response.statusCode(), "the API answered " + response.statusCode() + " with a body that is not JSON");
        }
        if (response.statusCode() >= 400) {
            String detail = body.path("detail").asText(body.path("title").asText("HTTP " + response.statusCode()));
            throw new RefusedException(response.statusCode(), detail + " (HTTP " + response.statusCode() + ")");
        }
        return body;
    }
}

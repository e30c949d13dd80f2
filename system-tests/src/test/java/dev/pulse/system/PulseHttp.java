package dev.pulse.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** The deployment's public HTTP API as a client sees it: operator calls, events, previews. */
final class PulseHttp {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Tenant(String slug, String id, String key) {
    }

    private final DockerDeployment deployment;

    PulseHttp(DockerDeployment deployment) {
        this.deployment = deployment;
    }

    JsonNode operatorPost(String path, JsonNode body) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(DockerDeployment.API_1 + path))
                .header("Authorization", "Bearer " + deployment.operatorToken()).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("POST " + path + ": " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** A new tenant with a page-views dataset and a key for ingest and query. */
    Tenant newTenant(String dataset) throws IOException, InterruptedException {
        String slug = "sys-" + UUID.randomUUID().toString().substring(0, 8);
        JsonNode tenant = operatorPost("/admin/v1/tenants", JSON.createObjectNode().put("slug", slug));
        ObjectNode schema = JSON.createObjectNode().put("name", "page-view");
        schema.set("definition", JSON.readTree("""
                {"type": "object", "properties": {"url": {"type": "string"}, "n": {"type": "integer"}}}"""));
        operatorPost("/admin/v1/tenants/" + slug + "/schemas", schema);
        operatorPost("/admin/v1/tenants/" + slug + "/datasets", JSON.createObjectNode().put("slug", dataset).put("schema", "page-view"));
        ObjectNode keyRequest = JSON.createObjectNode();
        keyRequest.putArray("scopes").add("ingest").add("query");
        String key = operatorPost("/admin/v1/tenants/" + slug + "/keys", keyRequest).path("key").asText();
        return new Tenant(slug, tenant.path("id").asText(), key);
    }

    static ArrayNode events(String dataset, List<String> ids) {
        ArrayNode events = JSON.createArrayNode();
        for (int i = 0; i < ids.size(); i++) {
            events.addObject().put("dataset", dataset).put("event_id", ids.get(i)).putObject("data").put("url", "/" + ids.get(i)).put("n", i);
        }
        return events;
    }

    static HttpResponse<String> postEvents(String api, Tenant tenant, ArrayNode events) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/events")).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + tenant.key()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(events.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> preview(Tenant asTenant, String dataset) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(DockerDeployment.QUERY + "/v1/datasets/" + dataset + "/preview?limit=1000"))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + asTenant.key()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The event ids of the preview's rows, in order (duplicates kept: exactly-once is counted on them). */
    static List<String> previewEventIds(Tenant asTenant, String dataset) throws IOException, InterruptedException {
        HttpResponse<String> response = preview(asTenant, dataset);
        if (response.statusCode() != 200) {
            throw new AssertionError("preview " + dataset + ": " + response.statusCode() + " " + response.body());
        }
        List<String> ids = new java.util.ArrayList<>();
        JSON.readTree(response.body()).path("rows").forEach(row -> ids.add(row.path("event_id").asText()));
        return ids;
    }

    static Set<String> set(List<String> ids) {
        return new HashSet<>(ids);
    }
}

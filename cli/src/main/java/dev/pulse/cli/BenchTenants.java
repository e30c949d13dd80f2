package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.schemas.naming.TenantId;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * The tenant every benchmark starts from, made through the admin API as an operator would: the
 * tenant (of a tier), the demo schema, one dataset of it and a key with the ingest and query scopes.
 */
final class BenchTenants {
    private BenchTenants() {
    }

    /** What a bench needs of the tenant it created. */
    record Created(String slug, TenantId id, String key, TableIdentifier table) {
    }

    static Created create(OperatorClient operator, String slug, String tier, String dataset) {
        JsonNode tenant = operator.post("/admin/v1/tenants", OperatorClient.JSON.createObjectNode().put("slug", slug).put("tier", tier));
        ObjectNode schema = OperatorClient.JSON.createObjectNode().put("name", "bench");
        schema.set("definition", DevCommand.DemoTenant.demoSchema());
        operator.post("/admin/v1/tenants/" + slug + "/schemas", schema);
        JsonNode created = operator.post("/admin/v1/tenants/" + slug + "/datasets",
                OperatorClient.JSON.createObjectNode().put("slug", dataset).put("schema", "bench"));
        ObjectNode keyRequest = OperatorClient.JSON.createObjectNode().put("name", "bench");
        keyRequest.putArray("scopes").add("ingest").add("query");
        String key = operator.post("/admin/v1/tenants/" + slug + "/keys", keyRequest).path("key").asText();
        return new Created(slug, TenantId.parse(tenant.path("id").asText()), key, TableIdentifier.parse(created.path("table").asText()));
    }
}

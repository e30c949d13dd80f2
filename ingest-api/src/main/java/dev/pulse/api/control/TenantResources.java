package dev.pulse.api.control;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.api.http.Fields;
import dev.pulse.api.http.JsonBodies;
import dev.pulse.control.ControlException;
import dev.pulse.control.FieldText;
import dev.pulse.control.audit.Actor;
import dev.pulse.control.datasets.Datasets;
import dev.pulse.control.keys.ApiKeyStore;
import dev.pulse.control.keys.Scope;
import dev.pulse.control.registry.SchemaRegistry;
import dev.pulse.edge.Json;
import dev.pulse.edge.ProblemException;
import dev.pulse.schemas.directory.DatasetRecord;
import dev.pulse.schemas.directory.RegisteredSchema;
import dev.pulse.schemas.event.IcebergSchemas.Partitioning;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Keys, schemas and datasets of one tenant: one implementation, registered under a prefix with
 * the way its caller is authenticated (see the package documentation).
 */
public final class TenantResources {
    private final JsonBodies bodies;
    private final ApiKeyStore keys;
    private final SchemaRegistry schemas;
    private final Datasets datasets;

    public TenantResources(JsonBodies bodies, ApiKeyStore keys, SchemaRegistry schemas, Datasets datasets) {
        this.bodies = bodies;
        this.keys = keys;
        this.schemas = schemas;
        this.datasets = datasets;
    }

    /** A handler that receives the resolved caller. */
    @FunctionalInterface
    interface CallerHandler {
        void handle(Context ctx, Caller caller);
    }

    /** Registers every route under {@code prefix} (e.g. {@code /v1} or {@code /admin/v1/tenants/{slug}}). */
    public void register(RoutesConfig routes, String prefix, CallerResolver resolver) {
        routes.get(prefix + "/keys", bind(resolver, this::listKeys));
        routes.post(prefix + "/keys", bind(resolver, this::createKey));
        registerKeyActions(routes, prefix, resolver);
        routes.get(prefix + "/schemas", bind(resolver, this::listSchemas));
        routes.post(prefix + "/schemas", bind(resolver, this::registerSchema));
        routes.get(prefix + "/schemas/{name}", bind(resolver, this::showSchema));
        routes.get(prefix + "/schemas/{name}/versions/{version}", bind(resolver, this::showSchemaVersion));
        routes.get(prefix + "/datasets", bind(resolver, this::listDatasets));
        routes.post(prefix + "/datasets", bind(resolver, this::createDataset));
        routes.get(prefix + "/datasets/{dataset}", bind(resolver, this::describeDataset));
        routes.post(prefix + "/datasets/{dataset}/upgrade", bind(resolver, this::upgradeDataset));
    }

    /**
     * Registers only {@code prefix/keys/{key_id}/revoke} and {@code .../rotate}: for the operator's
     * {@code /admin/v1/keys/{key_id}/...}, whose resolver finds the tenant from the key id.
     */
    public void registerKeyActions(RoutesConfig routes, String prefix, CallerResolver resolver) {
        routes.post(prefix + "/keys/{key_id}/revoke", bind(resolver, this::revokeKey));
        routes.post(prefix + "/keys/{key_id}/rotate", bind(resolver, this::rotateKey));
    }

    private static Handler bind(CallerResolver resolver, CallerHandler handler) {
        return ctx -> handler.handle(ctx, resolver.resolve(ctx));
    }

    private Fields body(Context ctx) {
        return new Fields(bodies.read(ctx, JsonBodies.MediaTypeRule.JSON_OR_ABSENT));
    }

    /** A POST whose body is optional: no body at all means an empty object. */
    private Fields optionalBody(Context ctx) {
        if (ctx.req().getContentLengthLong() == 0) {
            return new Fields(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
        }
        return body(ctx);
    }

    // ---- keys ----

    private void listKeys(Context ctx, Caller caller) {
        Json.respond(ctx, 200, keys.list(caller.tenant()).stream().map(TenantResources::keyJson).toList());
    }

    private void createKey(Context ctx, Caller caller) {
        Fields body = body(ctx);
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (JsonNode scope : body.requiredArray("scopes")) {
            scopes.add(Scope.parse(scope.isTextual() ? scope.textValue() : null).orElseThrow(() -> ProblemException.invalidField(
                    "unknown-scope", "scopes", "scope " + (scope.isTextual() ? FieldText.quote(scope.textValue()) : "of JSON type "
                            + scope.getNodeType().name().toLowerCase(java.util.Locale.ROOT)) + " is unknown: use ingest, query or manage")));
        }
        ApiKeyStore.CreatedKey key = keys.create(caller.tenant(), body.optionalString("name"), scopes, body.optionalInstant("expires_at"),
                new Actor(caller.actor()));
        Json.respond(ctx, 201, createdKeyJson(key));
    }

    private void revokeKey(Context ctx, Caller caller) {
        String keyId = ctx.pathParam("key_id");
        ApiKeyStore.KeyInfo key = keys.revoke(caller.tenant(), keyId, new Actor(caller.actor()));
        Json.respond(ctx, 200, keyJson(key));
    }

    private void rotateKey(Context ctx, Caller caller) {
        Long grace = optionalBody(ctx).optionalNonNegativeLong("grace_seconds");
        ApiKeyStore.RotateResult result = keys.rotate(caller.tenant(), ctx.pathParam("key_id"), grace == null ? 0 : grace,
                new Actor(caller.actor()));
        Map<String, Object> json = createdKeyJson(result.key());
        json.put("previous", keyJson(result.previous()));
        Json.respond(ctx, 201, json);
    }

    static List<String> wireScopes(Set<Scope> scopes) {
        return scopes.stream().map(Scope::wireName).sorted().toList();
    }

    static Map<String, Object> createdKeyJson(ApiKeyStore.CreatedKey key) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("key", key.token());
        json.put("key_id", key.keyId());
        json.put("name", key.name());
        json.put("scopes", wireScopes(key.scopes()));
        json.put("expires_at", text(key.expiresAt()));
        return json;
    }

    static Map<String, Object> keyJson(ApiKeyStore.KeyInfo key) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("key_id", key.keyId());
        json.put("name", key.name());
        json.put("scopes", wireScopes(key.scopes()));
        json.put("status", key.status());
        json.put("created_at", text(key.createdAt()));
        json.put("expires_at", text(key.expiresAt()));
        json.put("revoked_at", text(key.revokedAt()));
        json.put("last_used_at", text(key.lastUsedAt()));
        return json;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    // ---- schemas ----

    private void listSchemas(Context ctx, Caller caller) {
        Json.respond(ctx, 200, schemas.list(caller.tenant()).stream().map(s -> {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("name", s.name());
            json.put("latest_version", s.latestVersion());
            json.put("versions", s.versionCount());
            json.put("compatibility", s.compatibility().name());
            json.put("updated_at", text(s.updatedAt()));
            return json;
        }).toList());
    }

    private void registerSchema(Context ctx, Caller caller) {
        Fields body = body(ctx);
        String compatibility = body.optionalString("compatibility");
        SchemaRegistry.RegisterResult result = schemas.register(caller.tenant(), body.requiredString("name"), body.requiredObject("definition"),
                compatibility == null ? null : SchemaRegistry.CompatibilityMode.parse(compatibility), new Actor(caller.actor()));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", result.schema().name());
        json.put("version", result.schema().version());
        json.put("fingerprint", result.schema().fingerprint());
        json.put("created", result.created());
        json.put("compatibility", schemas.compatibility(caller.tenant(), result.schema().name())
                .orElse(SchemaRegistry.CompatibilityMode.BACKWARD).name());
        Json.respond(ctx, result.created() ? 201 : 200, json);
    }

    private void showSchema(Context ctx, Caller caller) {
        String name = ctx.pathParam("name");
        List<RegisteredSchema> versions = schemas.versions(caller.tenant(), name);
        if (versions.isEmpty()) {
            throw ControlException.notFound("schema", name);
        }
        RegisteredSchema latest = versions.getLast();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("latest_version", latest.version());
        json.put("compatibility", schemas.compatibility(caller.tenant(), name).orElse(SchemaRegistry.CompatibilityMode.BACKWARD).name());
        json.put("versions", versions.stream().map(v -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("version", v.version());
            entry.put("fingerprint", v.fingerprint());
            entry.put("created_at", text(v.createdAt()));
            return entry;
        }).toList());
        json.put("definition", latest.definition());
        Json.respond(ctx, 200, json);
    }

    private void showSchemaVersion(Context ctx, Caller caller) {
        String name = ctx.pathParam("name");
        int version = pathVersion(ctx.pathParam("version"));
        RegisteredSchema schema = schemas.find(caller.tenant(), name, version)
                .orElseThrow(() -> ControlException.notFound("schema", name + " version " + version));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", schema.name());
        json.put("version", schema.version());
        json.put("fingerprint", schema.fingerprint());
        json.put("created_at", text(schema.createdAt()));
        json.put("definition", schema.definition());
        Json.respond(ctx, 200, json);
    }

    private static int pathVersion(String text) {
        try {
            int version = Integer.parseInt(text);
            if (version >= 1) {
                return version;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ProblemException.badRequest("invalid-version", "schema version '" + text + "' must be a positive integer");
    }

    // ---- datasets ----

    private void listDatasets(Context ctx, Caller caller) {
        Json.respond(ctx, 200, datasets.list(caller.tenant()).stream().map(TenantResources::datasetJson).toList());
    }

    private void createDataset(Context ctx, Caller caller) {
        Fields body = body(ctx);
        String partitioning = body.optionalString("partitioning");
        Partitioning parsed;
        try {
            parsed = partitioning == null ? Partitioning.DAY : Partitioning.parse(partitioning);
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalidField("invalid-partitioning", "partitioning", "partitioning " + FieldText.quote(partitioning)
                    + " is unknown: use day or hour");
        }
        Datasets.Bucket bucket = null;
        JsonNode bucketNode = body.optionalObject("bucket");
        if (bucketNode != null) {
            Fields bucketFields = new Fields(bucketNode, "bucket.");
            Integer count = bucketFields.optionalPositiveInt("count");
            bucket = new Datasets.Bucket(bucketFields.requiredString("field"), count == null ? 16 : count);
        }
        DatasetRecord dataset = datasets.create(caller.tenant(), body.requiredString("slug"), body.requiredString("schema"),
                body.optionalPositiveInt("schema_version"), parsed, bucket, new Actor(caller.actor()));
        Map<String, Object> json = datasetJson(dataset);
        json.put("bucket", bucket == null ? null : Map.of("field", bucket.field(), "count", bucket.count()));
        Json.respond(ctx, 201, json);
    }

    private void describeDataset(Context ctx, Caller caller) {
        String slug = ctx.pathParam("dataset");
        Optional<Instant> completeThrough = datasets.completeThrough(caller.tenant()); // before the table: it holds all this covers
        Datasets.DatasetDescription description = datasets.describe(caller.tenant(), slug)
                .orElseThrow(() -> ControlException.notFound("dataset", slug));
        Map<String, Object> json = describeJson(description);
        json.put("complete_through", text(completeThrough.orElse(null)));
        Json.respond(ctx, 200, json);
    }

    private void upgradeDataset(Context ctx, Caller caller) {
        String slug = ctx.pathParam("dataset");
        Integer version = body(ctx).optionalPositiveInt("schema_version");
        if (version == null) {
            throw ProblemException.invalidField("missing-field", "schema_version", "'schema_version' is required");
        }
        Datasets.UpgradeResult result = datasets.upgrade(caller.tenant(), slug, version, new Actor(caller.actor()));
        Map<String, Object> json = describeJson(datasets.describe(caller.tenant(), slug).orElseThrow());
        json.put("previous_version", result.previousVersion());
        json.put("changed", result.changed());
        Json.respond(ctx, 200, json);
    }

    public static Map<String, Object> datasetJson(DatasetRecord dataset) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("slug", dataset.slug());
        json.put("schema", dataset.schemaName());
        json.put("schema_version", dataset.schemaVersion());
        json.put("table", dataset.tableNamespace() + "." + dataset.tableName());
        json.put("partitioning", dataset.partitioning());
        json.put("row_count", dataset.rowCount());
        json.put("last_event_time", text(dataset.lastEventTime()));
        json.put("created_at", text(dataset.createdAt()));
        return json;
    }

    private static Object rawJson(String text) {
        if (text == null) {
            return null;
        }
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return text;
        }
    }

    static Map<String, Object> describeJson(Datasets.DatasetDescription d) {
        Map<String, Object> json = datasetJson(d.dataset());
        json.put("row_count", d.rowCount());
        json.put("bucket", d.bucket() == null ? null : Map.of("field", d.bucket().field(), "count", d.bucket().count()));
        json.put("partition_spec", d.partitionSpec());
        json.put("snapshot_count", d.snapshotCount());
        json.put("current_snapshot_id", d.currentSnapshotId());
        json.put("last_commit_at", text(d.lastCommitAt()));
        // What the table costs and what lake maintenance last did.
        Map<String, Object> lake = new LinkedHashMap<>();
        lake.put("data_files", d.lake().dataFiles());
        lake.put("data_bytes", d.lake().dataBytes());
        lake.put("average_file_bytes", d.lake().averageFileBytes());
        lake.put("snapshots", d.lake().snapshots());
        lake.put("current_metadata_bytes", d.lake().currentMetadataBytes());
        lake.put("metadata_folder_bytes", d.lake().metadataFolderBytes());
        lake.put("last_compaction_at", text(d.lake().lastCompactionAt()));
        lake.put("last_compaction", rawJson(d.lake().lastCompaction()));
        lake.put("last_expiry_at", text(d.lake().lastExpiryAt()));
        lake.put("last_expiry", rawJson(d.lake().lastExpiry()));
        json.put("lake", lake);
        json.put("columns", d.columns().stream().map(c -> {
            Map<String, Object> column = new LinkedHashMap<>();
            column.put("name", c.name());
            column.put("type", c.type());
            column.put("required", c.required());
            return column;
        }).toList());
        return json;
    }
}

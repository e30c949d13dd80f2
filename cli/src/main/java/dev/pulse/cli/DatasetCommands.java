package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(name = "dataset", description = "Datasets of a tenant.",
        subcommands = {DatasetCommands.Create.class, DatasetCommands.Show.class, DatasetCommands.ListDatasets.class, DatasetCommands.Upgrade.class},
        mixinStandardHelpOptions = true)
final class DatasetCommands {

    static String describe(JsonNode d) {
        StringBuilder sb = new StringBuilder();
        sb.append("dataset ").append(d.path("slug").asText()).append('\n');
        sb.append("  schema         ").append(d.path("schema").asText()).append(" v").append(d.path("schema_version").asInt()).append('\n');
        sb.append("  table          ").append(d.path("table").asText()).append('\n');
        sb.append("  partitioning   ").append(d.path("partition_spec").asText(d.path("partitioning").asText())).append('\n');
        sb.append("  rows           ").append(d.path("row_count").asLong()).append('\n');
        sb.append("  snapshots      ").append(Output.text(d.path("snapshot_count"))).append('\n');
        sb.append("  last event     ").append(Output.text(d.path("last_event_time"))).append('\n');
        JsonNode lake = d.path("lake");
        if (!lake.isMissingNode()) {
            sb.append("  data files     ").append(lake.path("data_files").asLong()).append(" (average ")
                    .append(lake.path("average_file_bytes").asLong()).append(" B)").append('\n');
            sb.append("  metadata       ").append(lake.path("current_metadata_bytes").asLong()).append(" B current file, ")
                    .append(lake.path("metadata_folder_bytes").isNull() ? "folder not listable" : lake.path("metadata_folder_bytes").asLong() + " B folder")
                    .append('\n');
            sb.append("  last compaction ").append(Output.text(lake.path("last_compaction_at")))
                    .append(lake.path("last_compaction").isObject() ? "  (" + lake.path("last_compaction").path("files_rewritten").asInt()
                            + " files into " + lake.path("last_compaction").path("files_written").asInt() + ")" : "").append('\n');
            sb.append("  last expiry    ").append(Output.text(lake.path("last_expiry_at")))
                    .append(lake.path("last_expiry").isObject() ? "  (" + lake.path("last_expiry").path("snapshots_expired").asInt()
                            + " snapshots)" : "").append('\n');
        }
        if (d.has("complete_through")) {
            // Freshness: every event Kafka acknowledged before this instant is in the table or the DLQ.
            sb.append("  complete thru  ").append(Output.text(d.path("complete_through"))).append('\n');
        }
        sb.append("  created        ").append(d.path("created_at").asText()).append('\n');
        sb.append("  columns").append('\n');
        for (JsonNode c : d.path("columns")) {
            sb.append("    ").append(c.path("name").asText()).append("  ").append(c.path("type").asText())
                    .append(c.path("required").asBoolean() ? "  required" : "").append('\n');
        }
        return sb.toString().stripTrailing();
    }

    @Command(name = "create", description = "Create a dataset and its Iceberg table from a registered schema.", mixinStandardHelpOptions = true)
    static final class Create extends Verb.TenantVerb {
        @Parameters(index = "0", description = "dataset slug: [a-z][a-z0-9-]{2,39}")
        String dataset;
        @Option(names = "--schema", required = true, description = "registered schema name")
        String schema;
        @Option(names = "--schema-version", description = "schema version (default: the latest)")
        Integer schemaVersion;
        @Option(names = "--partitioning", defaultValue = "day", description = "day or hour of event time (default: ${DEFAULT-VALUE})")
        String partitioning;
        @Option(names = "--bucket", description = "also bucket by a top-level field: <field>[:<count>] (count 2..1024, default 16)")
        String bucket;

        @Override
        void run() {
            ObjectNode body = OperatorClient.JSON.createObjectNode().put("slug", dataset).put("schema", schema).put("partitioning", partitioning);
            if (schemaVersion != null) {
                body.put("schema_version", schemaVersion);
            }
            if (bucket != null) {
                String[] parts = bucket.split(":", 2);
                ObjectNode b = body.putObject("bucket").put("field", parts[0]);
                if (parts.length == 2) {
                    try {
                        b.put("count", Integer.parseInt(parts[1]));
                    } catch (NumberFormatException e) {
                        throw new ParameterException(spec.commandLine(), "--bucket " + bucket + ": the count after ':' must be an integer");
                    }
                }
            }
            JsonNode created = client().post(path("/datasets"), body);
            emit(created, "dataset " + created.path("slug").asText() + " -> table "
                    + created.path("table").asText() + " (schema " + created.path("schema").asText() + " v" + created.path("schema_version").asInt() + ")");
        }
    }

    @Command(name = "show", description = "Describe a dataset: schema version, columns, table, rows, snapshots.", mixinStandardHelpOptions = true)
    static final class Show extends Verb.TenantVerb {
        @Parameters(index = "0", description = "dataset slug")
        String dataset;

        @Override
        void run() {
            JsonNode d = client().get(path("/datasets/" + OperatorClient.segment(dataset)));
            emit(d, describe(d));
        }
    }

    @Command(name = "list", description = "List a tenant's datasets.", mixinStandardHelpOptions = true)
    static final class ListDatasets extends Verb.TenantVerb {

        @Override
        void run() {
            emitTable(client().get(path("/datasets")),
                    List.of(Output.Column.of("DATASET", "slug"),
                            new Output.Column("SCHEMA", d -> d.path("schema").asText() + " v" + d.path("schema_version").asInt()),
                            Output.Column.of("PARTITIONING", "partitioning"), Output.Column.of("ROWS", "row_count"),
                            Output.Column.of("LAST EVENT", "last_event_time"), Output.Column.of("TABLE", "table")));
        }
    }

    @Command(name = "upgrade", description = "Move a dataset to a newer compatible schema version; its table evolves in one commit.",
            mixinStandardHelpOptions = true)
    static final class Upgrade extends Verb.TenantVerb {
        @Parameters(index = "0", description = "dataset slug")
        String dataset;
        @Option(names = "--schema-version", required = true, description = "the schema version to move to")
        int schemaVersion;

        @Override
        void run() {
            ObjectNode body = OperatorClient.JSON.createObjectNode().put("schema_version", schemaVersion);
            JsonNode d = client().post(
                    path("/datasets/" + OperatorClient.segment(dataset) + "/upgrade"), body);
            String headline = d.path("changed").asBoolean()
                    ? "dataset " + d.path("slug").asText() + " upgraded from v" + d.path("previous_version").asInt() + " to v" + d.path("schema_version").asInt()
                    : "dataset " + d.path("slug").asText() + " already on v" + d.path("schema_version").asInt();
            emit(d, headline + "\n" + describe(d));
        }
    }
}

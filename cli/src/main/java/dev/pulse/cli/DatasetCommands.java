package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "dataset", description = "Datasets of a tenant.", subcommands = DatasetCommands.Create.class, mixinStandardHelpOptions = true)
final class DatasetCommands {

    @Command(name = "create", description = "Create a dataset and its Iceberg table from a registered schema.", mixinStandardHelpOptions = true)
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--tenant", required = true, description = "tenant slug")
        String tenant;
        @Parameters(index = "0", description = "dataset slug: [a-z][a-z0-9-]{2,39}")
        String dataset;
        @Option(names = "--schema", required = true, description = "registered schema name")
        String schema;
        @Option(names = "--schema-version", description = "schema version (default: the latest)")
        Integer schemaVersion;
        @Option(names = "--partitioning", defaultValue = "day", description = "day or hour of event time (default: ${DEFAULT-VALUE})")
        String partitioning;
        @Option(names = "--json", description = "print one JSON object")
        boolean json;

        @Override
        public Integer call() {
            ObjectNode body = OperatorClient.JSON.createObjectNode().put("slug", dataset).put("schema", schema).put("partitioning", partitioning);
            if (schemaVersion != null) {
                body.put("schema_version", schemaVersion);
            }
            JsonNode created = OperatorClient.fromEnvironment().post("/admin/v1/tenants/" + OperatorClient.segment(tenant) + "/datasets", body);
            Output.print(spec.commandLine().getOut(), json, created, "dataset " + created.path("slug").asText() + " -> table "
                    + created.path("table").asText() + " (schema " + created.path("schema").asText() + " v" + created.path("schema_version").asInt() + ")");
            return 0;
        }
    }
}

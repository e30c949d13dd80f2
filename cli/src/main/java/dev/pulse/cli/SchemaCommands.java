package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "schema", description = "Event schemas of a tenant.",
        subcommands = {SchemaCommands.Register.class, SchemaCommands.ListSchemas.class, SchemaCommands.Show.class},
        mixinStandardHelpOptions = true)
final class SchemaCommands {

    @Command(name = "register", description = "Register a JSON Schema (draft 2020-12 subset) as the next version of <name>.",
            mixinStandardHelpOptions = true)
    static final class Register extends Verb.TenantVerb {
        @Parameters(index = "0", description = "schema name")
        String name;
        @Parameters(index = "1", description = "file holding the JSON Schema")
        Path file;
        @Option(names = "--compatibility", description = "BACKWARD or NONE (default: the schema's current rule; BACKWARD for a new name)")
        String compatibility;

        @Override
        void run() {
            JsonNode definition;
            try {
                definition = OperatorClient.JSON.readTree(Files.readString(file));
            } catch (IOException e) {
                throw new RefusedException(0, "cannot read a JSON schema from " + file + ": " + e.getMessage());
            }
            ObjectNode body = OperatorClient.JSON.createObjectNode().put("name", name);
            body.set("definition", definition);
            if (compatibility != null) {
                body.put("compatibility", compatibility);
            }
            JsonNode schema = client().post(path("/schemas"), body);
            emit(schema, "schema " + schema.path("name").asText() + " version "
                    + schema.path("version").asInt() + (schema.path("created").asBoolean(true) ? " registered" : " already registered (identical)"));
        }
    }

    @Command(name = "list", description = "List a tenant's schema names with their latest version.", mixinStandardHelpOptions = true)
    static final class ListSchemas extends Verb.TenantVerb {

        @Override
        void run() {
            emitTable(client().get(path("/schemas")),
                    List.of(Output.Column.of("NAME", "name"), Output.Column.of("LATEST", "latest_version"), Output.Column.of("VERSIONS", "versions"),
                            Output.Column.of("COMPATIBILITY", "compatibility"), Output.Column.of("UPDATED", "updated_at")));
        }
    }

    @Command(name = "show", description = "Show a schema's versions and latest definition, or one version with --version.",
            mixinStandardHelpOptions = true)
    static final class Show extends Verb.TenantVerb {
        @Parameters(index = "0", description = "schema name")
        String name;
        @Option(names = "--version", description = "one version (default: the overview and the latest definition)")
        Integer version;

        @Override
        void run() {
            String path = "/schemas/" + OperatorClient.segment(name) + (version == null ? "" : "/versions/" + version);
            JsonNode schema = client().get(path(path));
            StringBuilder readable = new StringBuilder("schema " + schema.path("name").asText());
            if (version == null) {
                readable.append("  latest version ").append(schema.path("latest_version").asInt())
                        .append("  compatibility ").append(schema.path("compatibility").asText()).append('\n');
                for (JsonNode v : schema.path("versions")) {
                    readable.append("  v").append(v.path("version").asInt()).append("  ").append(v.path("created_at").asText())
                            .append("  ").append(v.path("fingerprint").asText(), 0, Math.min(12, v.path("fingerprint").asText().length())).append('\n');
                }
            } else {
                readable.append("  version ").append(schema.path("version").asInt()).append("  ").append(schema.path("created_at").asText()).append('\n');
            }
            readable.append(schema.path("definition").toPrettyString());
            emit(schema, readable.toString());
        }
    }
}

package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "schema", description = "Event schemas of a tenant.", subcommands = SchemaCommands.Register.class, mixinStandardHelpOptions = true)
final class SchemaCommands {

    @Command(name = "register", description = "Register a JSON Schema (draft 2020-12 subset) as the next version of <name>.",
            mixinStandardHelpOptions = true)
    static final class Register implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--tenant", required = true, description = "tenant slug")
        String tenant;
        @Parameters(index = "0", description = "schema name")
        String name;
        @Parameters(index = "1", description = "file holding the JSON Schema")
        Path file;
        @Option(names = "--json", description = "print one JSON object")
        boolean json;

        @Override
        public Integer call() {
            JsonNode definition;
            try {
                definition = OperatorClient.JSON.readTree(Files.readString(file));
            } catch (IOException e) {
                throw new RefusedException(0, "cannot read a JSON schema from " + file + ": " + e.getMessage());
            }
            ObjectNode body = OperatorClient.JSON.createObjectNode().put("name", name);
            body.set("definition", definition);
            JsonNode schema = OperatorClient.fromEnvironment().post("/admin/v1/tenants/" + OperatorClient.segment(tenant) + "/schemas", body);
            Output.print(spec.commandLine().getOut(), json, schema, "schema " + schema.path("name").asText() + " version "
                    + schema.path("version").asInt() + (schema.path("created").asBoolean(true) ? " registered" : " already registered (identical)"));
            return 0;
        }
    }
}

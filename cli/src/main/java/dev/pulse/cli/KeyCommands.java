package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "key", description = "API keys of a tenant.", subcommands = KeyCommands.Create.class, mixinStandardHelpOptions = true)
final class KeyCommands {

    @Command(name = "create", description = "Create an API key; the key is printed once and never stored.", mixinStandardHelpOptions = true)
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--tenant", required = true, description = "tenant slug")
        String tenant;
        @Option(names = "--scopes", required = true, split = ",", description = "comma-separated: ingest, query, manage")
        String[] scopes;
        @Option(names = "--name", description = "a name to recognise the key by")
        String name;
        @Option(names = "--expires-at", description = "RFC 3339 expiry, e.g. 2027-01-01T00:00:00Z")
        String expiresAt;
        @Option(names = "--json", description = "print one JSON object")
        boolean json;

        @Override
        public Integer call() {
            ObjectNode body = OperatorClient.JSON.createObjectNode();
            ArrayNode scopeArray = body.putArray("scopes");
            for (String s : scopes) {
                scopeArray.add(s.strip());
            }
            if (name != null) {
                body.put("name", name);
            }
            if (expiresAt != null) {
                body.put("expires_at", expiresAt);
            }
            JsonNode key = OperatorClient.fromEnvironment().post("/admin/v1/tenants/" + OperatorClient.segment(tenant) + "/keys", body);
            Output.print(spec.commandLine().getOut(), json, key, key.path("key").asText()
                    + "  (key id " + key.path("key_id").asText() + ", scopes " + key.path("scopes") + "; shown once, store it now)");
            return 0;
        }
    }
}

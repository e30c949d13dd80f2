package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "tenant", description = "Operator verbs for tenants.", subcommands = {TenantCommands.Create.class, TenantCommands.Show.class},
        mixinStandardHelpOptions = true)
final class TenantCommands {

    @Command(name = "create", description = "Create a tenant: its row, topics and Iceberg namespace (resumable).", mixinStandardHelpOptions = true)
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", description = "tenant slug: [a-z][a-z0-9-]{2,39}")
        String slug;
        @Option(names = "--name", description = "display name (defaults to the slug)")
        String name;
        @Option(names = "--tier", defaultValue = "standard", description = "free, standard or enterprise (default: ${DEFAULT-VALUE})")
        String tier;
        @Option(names = "--json", description = "print one JSON object")
        boolean json;

        @Override
        public Integer call() {
            ObjectNode body = OperatorClient.JSON.createObjectNode().put("slug", slug).put("tier", tier);
            if (name != null) {
                body.put("name", name);
            }
            JsonNode tenant = OperatorClient.fromEnvironment().post("/admin/v1/tenants", body);
            Output.print(spec.commandLine().getOut(), json, tenant,
                    tenant.path("id").asText() + "  tenant " + tenant.path("slug").asText() + " (" + tenant.path("status").asText() + ")");
            return 0;
        }
    }

    @Command(name = "show", description = "Show a tenant.", mixinStandardHelpOptions = true)
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", description = "tenant slug")
        String slug;
        @Option(names = "--json", description = "print one JSON object")
        boolean json;

        @Override
        public Integer call() {
            JsonNode tenant = OperatorClient.fromEnvironment().get("/admin/v1/tenants/" + OperatorClient.segment(slug));
            Output.print(spec.commandLine().getOut(), json, tenant, String.format("%s  %s  name=%s tier=%s status=%s created=%s",
                    tenant.path("id").asText(), tenant.path("slug").asText(), tenant.path("name").asText(),
                    tenant.path("tier").asText(), tenant.path("status").asText(), tenant.path("created_at").asText()));
            return 0;
        }
    }
}

package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "tenant", description = "Operator verbs for tenants.",
        subcommands = {TenantCommands.Create.class, TenantCommands.Show.class, TenantCommands.ListTenants.class,
            TenantCommands.Suspend.class, TenantCommands.Resume.class, TenantCommands.SetRetention.class,
            TenantCommands.SetLimits.class,
            TenantDeletionCommands.Delete.class, TenantDeletionCommands.VerifyDeletion.class,
            TenantExportCommand.Export.class, TenantExportCommand.Import.class,
            TenantRestoreCommand.class},
        mixinStandardHelpOptions = true)
final class TenantCommands {
    static final List<Output.Column> COLUMNS = List.of(Output.Column.of("SLUG", "slug"), Output.Column.of("STATUS", "status"),
            Output.Column.of("TIER", "tier"), Output.Column.of("NAME", "name"), Output.Column.of("ID", "id"),
            Output.Column.of("CREATED", "created_at"));

    static String describe(JsonNode tenant) {
        StringBuilder text = new StringBuilder(String.format("%s  %s  name=%s tier=%s status=%s created=%s",
                tenant.path("id").asText(), tenant.path("slug").asText(), tenant.path("name").asText(),
                tenant.path("tier").asText(), tenant.path("status").asText(), tenant.path("created_at").asText()));
        if (tenant.has("snapshot_retention")) {
            text.append(String.format("%n  snapshot retention %s", tenant.path("snapshot_retention").isNull()
                    ? "the tier's default" : tenant.path("snapshot_retention").asText()));
        }
        for (JsonNode ingest : tenant.path("ingest")) {
            text.append(String.format("%n  ingest %s: dataset %s since %s (%d failed tries, next at %s): %s",
                    ingest.path("state").asText(), ingest.path("dataset").asText(), ingest.path("failing_since").asText(),
                    ingest.path("failures").asInt(), ingest.path("retry_at").asText(), ingest.path("reason").asText()));
        }
        return text.toString();
    }

    @Command(name = "create", description = "Create a tenant: its row, topics and Iceberg namespace (resumable).", mixinStandardHelpOptions = true)
    static final class Create extends Verb {
        @Parameters(index = "0", description = "tenant slug: [a-z][a-z0-9-]{2,39}")
        String slug;
        @Option(names = "--name", description = "display name (defaults to the slug)")
        String name;
        @Option(names = "--tier", defaultValue = "standard", description = "free, standard or enterprise (default: ${DEFAULT-VALUE})")
        String tier;

        @Override
        void run() {
            ObjectNode body = OperatorClient.JSON.createObjectNode().put("slug", slug).put("tier", tier);
            if (name != null) {
                body.put("name", name);
            }
            JsonNode tenant = client().post("/admin/v1/tenants", body);
            emit(tenant,
                    tenant.path("id").asText() + "  tenant " + tenant.path("slug").asText() + " (" + tenant.path("status").asText() + ")");
        }
    }

    @Command(name = "show", description = "Show a tenant.", mixinStandardHelpOptions = true)
    static final class Show extends Verb {
        @Parameters(index = "0", description = "tenant slug")
        String slug;

        @Override
        void run() {
            JsonNode tenant = client().get("/admin/v1/tenants/" + OperatorClient.segment(slug));
            emit(tenant, describe(tenant));
        }
    }

    @Command(name = "list", description = "List every tenant.", mixinStandardHelpOptions = true)
    static final class ListTenants extends Verb {

        @Override
        void run() {
            emitTable(client().get("/admin/v1/tenants"), COLUMNS);
        }
    }

    /** A status change: POST /admin/v1/tenants/{slug}/{action}, printing the status afterwards. */
    abstract static class StatusChange extends Verb {
        @Parameters(index = "0", description = "tenant slug")
        String slug;

        abstract String action();

        @Override
        void run() {
            JsonNode tenant = client().post("/admin/v1/tenants/" + OperatorClient.segment(slug) + "/" + action());
            emit(tenant, "tenant " + tenant.path("slug").asText() + " is " + tenant.path("status").asText());
        }
    }

    @Command(name = "suspend", description = "Suspend a tenant: its keys get 403 until it is resumed; its data stays.", mixinStandardHelpOptions = true)
    static final class Suspend extends StatusChange {
        @Override
        String action() {
            return "suspend";
        }
    }

    @Command(name = "resume", description = "Resume a suspended tenant.", mixinStandardHelpOptions = true)
    static final class Resume extends StatusChange {
        @Override
        String action() {
            return "resume";
        }
    }

    @Command(name = "set-retention", description = "How long the tenant's tables keep hourly time-travel points (lake maintenance).",
            mixinStandardHelpOptions = true)
    static final class SetRetention extends Verb {
        @Parameters(index = "0", description = "tenant slug")
        String slug;
        @Parameters(index = "1", description = "an ISO-8601 duration from PT1H to P3650D (e.g. P30D), or 'default' for the tier's")
        String retention;

        @Override
        void run() {
            ObjectNode body = OperatorClient.JSON.createObjectNode();
            if ("default".equals(retention)) {
                body.putNull("snapshot_retention");
            } else {
                body.put("snapshot_retention", retention);
            }
            JsonNode tenant = client().put("/admin/v1/tenants/" + OperatorClient.segment(slug) + "/snapshot-retention", body);
            emit(tenant, "tenant " + tenant.path("slug").asText() + " keeps snapshots "
                    + (tenant.path("snapshot_retention").isNull() ? "for its tier's default" : "for " + tenant.path("snapshot_retention").asText())
                    + (tenant.path("changed").asBoolean() ? "" : " (unchanged)"));
        }
    }

    @Command(name = "set-limits", description = "The tenant's own ingest rate limits (POST /v1/events refuses above them with 429).",
            mixinStandardHelpOptions = true)
    static final class SetLimits extends Verb {
        @Parameters(index = "0", description = "tenant slug")
        String slug;
        @Option(names = "--events-per-second", description = "1 to 10000000, or 'default' for the tier's")
        String eventsPerSecond;
        @Option(names = "--bytes-per-second", description = "1024 to 10737418240, or 'default' for the tier's")
        String bytesPerSecond;

        @Override
        void run() {
            if (eventsPerSecond == null && bytesPerSecond == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give --events-per-second, --bytes-per-second or both");
            }
            String path = "/admin/v1/tenants/" + OperatorClient.segment(slug) + "/limits";
            JsonNode current = client().get(path);
            ObjectNode body = OperatorClient.JSON.createObjectNode();
            body.set("events_per_second", rate("--events-per-second", eventsPerSecond, current.path("events_per_second")));
            body.set("bytes_per_second", rate("--bytes-per-second", bytesPerSecond, current.path("bytes_per_second")));
            JsonNode limits = client().put(path, body);
            emit(limits, String.format("tenant %s may send %d events/s and %d bytes/s (%s, %s)%s", limits.path("slug").asText(),
                    limits.path("effective_events_per_second").asLong(), limits.path("effective_bytes_per_second").asLong(),
                    limits.path("events_per_second").isNull() ? "events: the tier's default" : "events: its own",
                    limits.path("bytes_per_second").isNull() ? "bytes: the tier's default" : "bytes: its own",
                    limits.path("changed").asBoolean() ? "" : " (unchanged)"));
        }

        /** The option's value as JSON: a number, null for 'default', or the current value when the option is absent. */
        private JsonNode rate(String option, String value, JsonNode current) {
            if (value == null) {
                return current.isMissingNode() ? OperatorClient.JSON.nullNode() : current;
            }
            if ("default".equals(value)) {
                return OperatorClient.JSON.nullNode();
            }
            try {
                return OperatorClient.JSON.getNodeFactory().numberNode(Long.parseLong(value));
            } catch (NumberFormatException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), option + " " + value + ": give an integer or 'default'");
            }
        }
    }
}

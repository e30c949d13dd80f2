package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.schemas.config.Settings;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.worker.WorkerConfig;
import dev.pulse.worker.dlq.DlqReplay;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "dlq", description = "A tenant's dead-letter topic.", subcommands = DlqCommands.Replay.class, mixinStandardHelpOptions = true)
final class DlqCommands {

    /**
     * Moves the tenant's dead letters back to its raw topic, each exactly once; fix the cause
     * first (create the dataset, upgrade the schema). Records that fail again return to the DLQ
     * with their attempt count raised; tenant-mismatch records are never replayed.
     */
    @Command(name = "replay", description = "Replay a tenant's dead letters into its raw topic (exactly once per record).",
            mixinStandardHelpOptions = true)
    static final class Replay extends Verb.TenantVerb {

        @Override
        void run() {
            Settings settings = RunningStack.settings();
            JsonNode found = OperatorClient.fromSettings(settings).get("/admin/v1/tenants/" + OperatorClient.segment(tenant));
            TenantId id = TenantId.parse(found.path("id").asText());
            DlqReplay.ReplayResult result = DlqReplay.replay(WorkerConfig.from(settings), id);
            ObjectNode out = OperatorClient.JSON.createObjectNode().put("tenant", tenant)
                    .put("replayed", result.replayed()).put("refused", result.refused());
            emit(out, "replayed " + result.replayed() + " dead letter(s) of " + tenant
                    + (result.refused() > 0 ? "; refused " + result.refused() + " tenant-mismatch record(s), which are never replayed" : ""));
        }
    }
}

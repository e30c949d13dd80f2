package dev.pulse.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.control.lifecycle.restore.Reingest;
import dev.pulse.control.lifecycle.restore.ReingestSkip;
import dev.pulse.control.lifecycle.restore.RestoreCrashPoint;
import dev.pulse.control.lifecycle.restore.RestoreTarget;
import dev.pulse.control.lifecycle.restore.TenantRestore;
import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.config.Settings;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.jdbc.JdbcCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pulse tenant restore}: rolls the tenant's tables back to a retained point and, with
 * {@code --reingest}, sends the events received after it back through the pipeline, minus what
 * the skip options name (README, "Tenant lifecycle", Restore). Runs against the stores directly,
 * like {@code pulse lake maintain}; the same command run again after a crash finishes the job.
 */
@Command(name = "restore", description = "Roll a tenant's tables back to a point in time (or snapshot per dataset); "
        + "optionally re-ingest what came after from the raw topic, minus a bad batch.", mixinStandardHelpOptions = true)
final class TenantRestoreCommand extends Verb {
    @Parameters(index = "0", description = "tenant slug")
    String slug;
    @Option(names = "--to", required = true, description = "an instant (2026-12-02T18:00:00Z: every dataset), or dataset=snapshot-id|instant pairs, comma-separated (only those datasets)")
    String to;
    @Option(names = "--dry-run", description = "show per dataset the current and target snapshot, rows, the events that would be removed (and with --reingest what would be sent); change nothing")
    boolean dryRun;
    @Option(names = "--reingest", description = "after restoring, send the removed events back to the raw topic (those it still holds)")
    boolean reingest;
    @Option(names = "--skip-offsets", split = ",", description = "with --reingest: leave out these raw-topic positions, PARTITION:FROM-TO (inclusive) or PARTITION:OFFSET")
    List<String> skipOffsets = new ArrayList<>();
    @Option(names = "--skip-received", description = "with --reingest: leave out events whose received_at is in FROM/UNTIL (RFC 3339, half-open)")
    String skipReceived;
    @Option(names = "--skip-event-ids", split = ",", description = "with --reingest: leave out these event ids (comma-separated, or @file with one a line)")
    List<String> skipEventIds = new ArrayList<>();
    @Option(names = "--yes", description = "do not ask for confirmation")
    boolean yes;

    @Override
    void run() {
        RestoreTarget target = RestoreTarget.parse(to);
        ReingestSkip skip = ReingestSkip.parse(skipOffsets, skipReceived, skipEventIds);
        if (!reingest && !(skipOffsets.isEmpty() && skipReceived == null && skipEventIds.isEmpty())) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--skip-offsets, --skip-received and --skip-event-ids need --reingest");
        }
        Settings settings = RunningStack.settings();
        TenantId id = TenantId.parse(OperatorClient.fromSettings(settings).get("/admin/v1/tenants/" + OperatorClient.segment(slug)).path("id").asText());
        Infrastructure infrastructure = Infrastructure.from(settings);
        String user = System.getenv("USER");
        String actor = user != null && user.matches("[A-Za-z0-9._@-]{1,64}") ? "operator:" + user : "operator";
        try (TenantDatabase db = infrastructure.openDatabase("tenant-restore"); JdbcCatalog catalog = infrastructure.openCatalog()) {
            TenantRestore restore = new TenantRestore(db, catalog);
            TenantRestore.RestoreResult plan = restore.plan(id, target);
            ObjectNode result = OperatorClient.JSON.createObjectNode().put("tenant", slug).put("tenant_id", id.toString())
                    .put("to", target.toString()).put("dry_run", dryRun);
            StringBuilder readable = new StringBuilder();
            TenantRestore.RestoreResult done = plan;
            if (dryRun) {
                readable.append("(dry run: nothing changed)\n");
            } else {
                confirm(plan);
                done = restore.restore(id, target, actor, RestoreCrashPoint.Hook.NONE);
            }
            result.set("datasets", done.datasetsJson());
            readable.append(done.describe()).append('\n');
            if (reingest) {
                DlqCommands.Progress bar = new DlqCommands.Progress(out(), !json && System.console() != null);
                Reingest.ReingestResult sent = new Reingest(db, infrastructure.kafkaBootstrap()).run(id, done.datasets(), skip, dryRun, actor,
                        (n, total) -> bar.update((int) Math.min(n, Integer.MAX_VALUE), (int) Math.min(total, Integer.MAX_VALUE)), RestoreCrashPoint.Hook.NONE);
                bar.finish();
                result.set("reingest", sent.toJson());
                readable.append(sent.describe()).append('\n');
            } else if (done.datasets().stream().anyMatch(d -> d.rawRecordsInRange() > 0)) {
                String hint = "the events received after the target were removed from the tables; while the raw topic still holds them, "
                        + "re-ingest them (minus a bad batch: --skip-offsets, --skip-received, --skip-event-ids) with:\n  pulse tenant restore "
                        + slug + " --to " + to + " --reingest" + (dryRun ? " --dry-run" : "");
                result.put("next", hint);
                readable.append(hint).append('\n');
            }
            emit(result, readable.toString().stripTrailing());
        }
    }

    /** A restore removes rows: asks on a terminal, refuses without one unless --yes. */
    private void confirm(TenantRestore.RestoreResult plan) {
        if (yes) {
            return;
        }
        if (System.console() == null) {
            throw new RefusedException(2, "a restore removes rows: check it with --dry-run, then run it again with --yes");
        }
        out().println(plan.describe());
        out().flush();
        String answer = System.console().readLine("restore tenant %s to %s? [y/N] ", slug, to);
        if (answer == null || !answer.trim().equalsIgnoreCase("y")) {
            throw new RefusedException(1, "restore cancelled; nothing changed");
        }
    }

}

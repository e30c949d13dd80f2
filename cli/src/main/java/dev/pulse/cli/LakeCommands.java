package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.pulse.schemas.config.Settings;
import dev.pulse.schemas.directory.DatasetRecord;
import dev.pulse.schemas.directory.DatasetDirectory;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.worker.WorkerConfig;
import dev.pulse.worker.maintain.TableMaintenance;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.jdbc.JdbcCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

@Command(name = "lake", description = "The lake's tables.", subcommands = LakeCommands.Maintain.class, mixinStandardHelpOptions = true)
final class LakeCommands {

    /**
     * Runs lake maintenance now, as the worker does on its own (see README, "Lake maintenance"):
     * table properties, compaction, snapshot expiry and, unlike the worker's scheduled runs, the
     * orphan scan every time. A table another maintainer is working on is skipped and said so.
     */
    @Command(name = "maintain", description = "Compact, expire snapshots and remove orphan files now; prints what it rewrote, expired and removed.",
            mixinStandardHelpOptions = true)
    static final class Maintain extends Verb {
        @Option(names = "--tenant", description = "only this tenant (default: every tenant)")
        String tenant;
        @Option(names = "--dataset", description = "only this dataset (needs --tenant)")
        String dataset;
        @Option(names = "--dry-run", description = "say what would be done, change nothing")
        boolean dryRun;

        @Override
        void run() {
            if (dataset != null && tenant == null) {
                throw new ParameterException(spec.commandLine(), "--dataset needs --tenant");
            }
            Settings settings = RunningStack.settings();
            OperatorClient operator = OperatorClient.fromSettings(settings);
            List<TenantId> tenants = new ArrayList<>();
            if (tenant != null) {
                tenants.add(TenantId.parse(operator.get("/admin/v1/tenants/" + OperatorClient.segment(tenant)).path("id").asText()));
            } else {
                for (JsonNode t : operator.get("/admin/v1/tenants")) {
                    tenants.add(TenantId.parse(t.path("id").asText()));
                }
            }
            WorkerConfig config = WorkerConfig.from(settings);
            TableMaintenance.Mode mode = dryRun ? TableMaintenance.Mode.DRY_RUN : TableMaintenance.Mode.FULL;
            ArrayNode results = OperatorClient.JSON.createArrayNode();
            StringBuilder readable = new StringBuilder();
            try (TenantDatabase db = config.infrastructure().openDatabase("lake-maintain");
                    JdbcCatalog catalog = config.infrastructure().openCatalog()) {
                TableMaintenance maintenance = new TableMaintenance(db, catalog, config.maintenance());
                for (TenantId id : tenants) {
                    List<DatasetRecord> datasets = db.inTenant(id, DatasetDirectory::list);
                    if (dataset != null && datasets.stream().noneMatch(d -> d.slug().equals(dataset))) {
                        throw new RefusedException(404, "dataset '" + dataset + "' of tenant '" + tenant + "' not found");
                    }
                    for (DatasetRecord d : datasets) {
                        if (dataset != null && !d.slug().equals(dataset)) {
                            continue;
                        }
                        TableMaintenance.MaintenanceResult result = maintenance.maintain(id, d, mode);
                        results.add(result.toJson());
                        readable.append(tenants.size() > 1 || tenant == null ? id + " " : "").append(result.summary()).append('\n');
                    }
                }
            }
            if (results.isEmpty()) {
                readable.append("no datasets to maintain");
            }
            emit(results, (dryRun ? "(dry run: nothing changed)\n" : "") + readable.toString().stripTrailing());
        }
    }
}

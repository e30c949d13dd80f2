package dev.pulse.cli;

import dev.pulse.control.audit.Actor;
import dev.pulse.control.lifecycle.export.ImportCrashPoint;
import dev.pulse.control.lifecycle.export.TenantExport;
import dev.pulse.control.lifecycle.export.TenantImport;
import dev.pulse.control.operator.OperatorDatabase;
import dev.pulse.control.tenants.Tenants;
import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pulse tenant export} and {@code pulse tenant import} (README, "Tenant lifecycle"). Like
 * {@code pulse lake maintain} they are long jobs run by an operator directly against the stores
 * (the runtime database, the catalog, and the operator role's database URL for the audit log),
 * not through the HTTP API. Both are audited.
 */
final class TenantExportCommand {
    private TenantExportCommand() {
    }

    /** The operator as the audit log names them: {@code operator:<login>} when the login is a plain name. */
    static Actor operator() {
        String user = System.getenv("USER");
        return new Actor(user != null && user.matches("[A-Za-z0-9._@-]{1,64}") ? "operator:" + user : "operator");
    }

    @Command(name = "export", description = "Write one archive (a .tar file or a directory) of everything the tenant owns: "
            + "rows as Parquet with Iceberg schemas, schema versions, datasets, key metadata, audit entries, open dead letters, "
            + "a README and a manifest with a SHA-256 per file.", mixinStandardHelpOptions = true)
    static final class Export extends Verb {
        @Parameters(index = "0", description = "tenant slug")
        String slug;
        @Option(names = "--to", required = true, description = "the archive: a new file ending in .tar, or a new or empty directory")
        Path to;
        @Option(names = "--datasets", split = ",", description = "only these datasets (default: all)")
        List<String> datasets = new ArrayList<>();

        @Override
        void run() {
            Settings settings = RunningStack.settings();
            Infrastructure infrastructure = Infrastructure.from(settings);
            DlqCommands.Progress progress = new DlqCommands.Progress(out(), !json && System.console() != null);
            TenantExport.ExportResult result;
            try (TenantDatabase db = infrastructure.openDatabase("tenant-export");
                    OperatorDatabase operator = OperatorDatabase.connect(Infrastructure.operatorDatabaseUrl(settings), 2, "tenant-export-operator");
                    JdbcCatalog catalog = infrastructure.openCatalog()) {
                result = new TenantExport(db, operator, catalog).export(new TenantExport.ExportRequest(slug, datasets, operator()), to,
                        (done, total) -> progress.update((int) done, (int) total));
            }
            progress.finish();
            StringBuilder text = new StringBuilder(String.format("exported tenant %s to %s: %d files, %d bytes in %.1f s (manifest sha256 %s)",
                    result.slug(), result.archive(), result.files(), result.bytes(), result.seconds(), result.manifestSha256()));
            for (TenantExport.DatasetExport d : result.datasets()) {
                text.append(String.format("%n  dataset %s: %d rows in %d files at snapshot %s", d.slug(), d.rows(), d.files(),
                        d.snapshotId() == null ? "(none: empty table)" : d.snapshotId()));
            }
            text.append(String.format("%n  %d audit entries, %d open dead letters", result.auditEntries(), result.deadLetters()));
            emit(result.toJson(), text.toString());
        }
    }

    @Command(name = "import", description = "Recreate a tenant from an export under a new slug (every checksum verified first; safe to re-run).",
            mixinStandardHelpOptions = true)
    static final class Import extends Verb {
        @Parameters(index = "0", description = "the archive: a .tar file or a directory written by `pulse tenant export`")
        Path archive;
        @Option(names = "--as", required = true, description = "the new tenant's slug")
        String slug;

        @Override
        void run() {
            Settings settings = RunningStack.settings();
            Infrastructure infrastructure = Infrastructure.from(settings);
            Tenants.PartitionsByTier partitions = new Tenants.PartitionsByTier(settings.get(PulseKeys.TOPIC_PARTITIONS_FREE),
                    settings.get(PulseKeys.TOPIC_PARTITIONS), settings.get(PulseKeys.TOPIC_PARTITIONS_ENTERPRISE));
            DlqCommands.Progress progress = new DlqCommands.Progress(out(), !json && System.console() != null);
            TenantImport.ImportResult result;
            try (TenantDatabase db = infrastructure.openDatabase("tenant-import");
                    JdbcCatalog catalog = infrastructure.openCatalog();
                    Admin kafka = infrastructure.openKafkaAdmin()) {
                TenantImport job = new TenantImport(db, new Tenants(db, kafka, catalog, partitions), catalog, catalog, ImportCrashPoint.NONE);
                result = job.importArchive(new TenantImport.ImportRequest(archive, slug, operator()),
                        (done, total) -> progress.update((int) done, (int) total));
            }
            progress.finish();
            StringBuilder text = new StringBuilder(String.format("imported %s (exported from %s) as tenant %s (%s)%s: %d schema versions",
                    archive, result.sourceSlug(), result.slug(), result.tenant(), result.resumed() ? ", finishing an earlier run" : "",
                    result.schemaVersions()));
            for (TenantImport.DatasetImport d : result.datasets()) {
                text.append(String.format("%n  dataset %s: %s", d.slug(), d.alreadyImported() ? "already imported by an earlier run" : d.rows() + " rows"));
            }
            text.append(String.format("%n  API keys are not imported (an export holds no secrets): create new ones with `pulse key create --tenant %s`",
                    result.slug()));
            emit(result.toJson(), text.toString());
        }
    }
}

package dev.pulse.cli.doctor;

import dev.pulse.control.operator.OperatorDatabase;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.control.tenants.Tenants;
import dev.pulse.schemas.directory.DatasetDirectory;
import dev.pulse.schemas.directory.DatasetRecord;
import dev.pulse.schemas.directory.IngestStatus;
import dev.pulse.schemas.directory.TenantStatus;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.schemas.tenancy.Finding;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.kafka.clients.admin.Admin;

/**
 * Kafka and Iceberg checks: each live tenant has exactly its two topics and its namespace;
 * nothing named like a tenant's exists without one; every dataset table lies in its own
 * tenant's namespace, under that namespace's folder.
 */
final class InfrastructureChecks {
    static final Finding.Rule TOPICS = new Finding.Rule("kafka-topics", "Kafka topics");
    static final Finding.Rule LAKE = new Finding.Rule("lake", "Iceberg namespaces and tables");
    static final Finding.Rule INGEST = new Finding.Rule("ingestion", "ingestion");
    private static final Pattern TENANT_TOPIC = Pattern.compile("pulse\\.([^.]+)\\.events\\.(raw|dlq)");
    /** Any topic in the pulse.<something>. name space: only a live tenant's raw and dlq may exist there. */
    private static final Pattern PULSE_TOPIC = Pattern.compile("pulse\\.([^.]+)\\..+");
    private static final Pattern NAMESPACE = Pattern.compile("pulse_([0-9a-f]{32})");

    private final TenantDatabase db;
    private final OperatorDatabase operator;
    private final Admin kafka;
    private final Catalog catalog;
    private final String warehouse;
    private final DoctorReport report;

    InfrastructureChecks(TenantDatabase db, OperatorDatabase operator, Admin kafka, Catalog catalog, String warehouse, DoctorReport report) {
        this.db = db;
        this.operator = operator;
        this.kafka = kafka;
        this.catalog = catalog;
        this.warehouse = warehouse;
        this.report = report;
    }

    /** Every tenant in the directory with its row (read under RLS, one transaction per tenant). */
    Map<TenantId, TenantRecord> tenants() {
        Map<TenantId, TenantRecord> tenants = new HashMap<>();
        for (OperatorDatabase.DirectoryEntry entry : operator.tenantDirectory()) {
            db.inTenant(entry.tenant(), Tenants::current).ifPresent(t -> tenants.put(t.id(), t));
        }
        return tenants;
    }

    void checkTopics(Map<TenantId, TenantRecord> tenants) throws InterruptedException {
        report.check(TOPICS);
        Set<String> topics;
        try {
            topics = kafka.listTopics().names().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            report.report(TOPICS, "Kafka", "cannot list topics: " + e.getMessage(), "check PULSE_KAFKA_BOOTSTRAP");
            return;
        }
        for (TenantRecord t : tenants.values()) {
            if (t.status() == TenantStatus.PROVISIONING) {
                report.report(TOPICS, "tenant " + t.slug(), "is still provisioning", "run `pulse tenant create " + t.slug() + "` again to finish it");
                continue;
            }
            if (t.status() == TenantStatus.DELETING) {
                report.report(TOPICS, "tenant " + t.slug(), "is being deleted (the job stopped half-way)",
                        "run `pulse tenant delete " + t.slug() + " --confirm " + t.slug() + "` again to finish it");
                continue;
            }
            for (String topic : List.of(Topics.raw(t.id()), Topics.dlq(t.id()))) {
                if (!topics.contains(topic)) {
                    report.report(TOPICS, topic, "is missing for tenant " + t.slug(), "run `pulse tenant create " + t.slug() + "` again");
                }
            }
        }
        for (String topic : topics) {
            Matcher m = PULSE_TOPIC.matcher(topic);
            if (!m.matches()) {
                continue;
            }
            Optional<TenantId> owner = TenantId.tryParse(m.group(1));
            if (!TENANT_TOPIC.matcher(topic).matches()) {
                report.report(TOPICS, topic, owner.filter(tenants::containsKey).isPresent()
                        ? "is a third topic of a tenant, which has exactly a raw and a dlq topic"
                        : "is in Pulse's topic name space but is no tenant topic", "delete it, or find out who created it");
            } else if (owner.isEmpty()) {
                report.report(TOPICS, topic, "is named like a tenant topic but its id is not a tenant id", "delete it");
            } else if (!tenants.containsKey(owner.get())) {
                report.report(TOPICS, topic, "belongs to no tenant", "delete it, or find out who created it");
            }
        }
    }

    void checkLake(Map<TenantId, TenantRecord> tenants) {
        report.check(LAKE);
        if (!(catalog instanceof SupportsNamespaces namespaces)) {
            report.report(LAKE, "catalog", "does not list namespaces", "use the JDBC catalog");
            return;
        }
        Map<String, TenantId> byNamespace = new HashMap<>();
        tenants.keySet().forEach(id -> byNamespace.put(LakeNames.namespace(id).level(0), id));
        for (Namespace ns : namespaces.listNamespaces()) {
            String name = String.join(".", ns.levels());
            if (ns.length() != 1 || !NAMESPACE.matcher(name).matches()) {
                report.report(LAKE, "namespace " + name, "is not a tenant namespace (pulse_<tenant id without hyphens>)", "drop it or move it out of the Pulse catalog");
            } else if (!byNamespace.containsKey(name)) {
                report.report(LAKE, "namespace " + name, "belongs to no tenant", "drop it once its data is accounted for");
            }
        }
        for (TenantRecord t : tenants.values()) {
            if (t.status() == TenantStatus.PROVISIONING || t.status() == TenantStatus.DELETING) {
                continue;
            }
            Namespace own = LakeNames.namespace(t.id());
            if (!namespaces.namespaceExists(own)) {
                report.report(LAKE, "namespace " + own, "is missing for tenant " + t.slug(), "run `pulse tenant create " + t.slug() + "` again");
            }
            List<DatasetRecord> datasets = new DatasetDirectory(db).list(t.id());
            for (DatasetRecord d : datasets) {
                TableIdentifier table = d.table();
                String object = "tenant " + t.slug() + " dataset " + d.slug() + " (" + table + ")";
                if (!LakeNames.belongsTo(table, t.id())) {
                    report.report(LAKE, object, "points outside the tenant's namespace " + own, "restore table_namespace to " + own);
                    continue;
                }
                try {
                    Table loaded = catalog.loadTable(table);
                    Path location = Path.of(stripScheme(loaded.location())).normalize();
                    Path namespaceFolder = Path.of(stripScheme(warehouse)).resolve(own.level(0)).normalize();
                    if (!location.startsWith(namespaceFolder) || location.equals(namespaceFolder)) {
                        report.report(LAKE, object, "is stored at " + loaded.location() + ", outside " + namespaceFolder, "move the table under its namespace folder");
                    }
                } catch (org.apache.iceberg.exceptions.NoSuchTableException e) {
                    report.report(LAKE, object, "has no Iceberg table", "recreate the dataset's table");
                } catch (RuntimeException e) {
                    // Metadata missing or unreadable: a finding about this table, not the end of the audit.
                    report.report(LAKE, object, "cannot be loaded: " + e, "restore the table's current metadata file");
                }
            }
        }
    }

    /** Datasets the worker holds back because their table keeps failing ({@code pulse.ingest_status}, read under RLS per tenant). */
    void checkIngest(Map<TenantId, TenantRecord> tenants) {
        report.check(INGEST);
        for (TenantRecord t : tenants.values()) {
            for (IngestStatus s : db.inTenant(t.id(), IngestStatus::list)) {
                report.report(INGEST, "tenant " + t.slug() + " dataset " + s.dataset(),
                        "is " + s.state() + " since " + s.failingSince() + " (" + s.failures() + " failed tries): " + s.reason(),
                        "repair the table; the worker tries again by itself (next at " + s.retryAt() + ")");
            }
        }
    }

    private static String stripScheme(String location) {
        return location.startsWith("file:") ? java.net.URI.create(location).getPath() : location;
    }
}

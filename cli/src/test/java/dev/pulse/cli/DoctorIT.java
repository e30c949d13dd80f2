package dev.pulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.cli.doctor.Doctor;
import dev.pulse.cli.doctor.DoctorReport;
import dev.pulse.cli.doctor.Finding;
import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.testing.TestStack;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code pulse doctor} passes on the migrated stack and reports each rule broken on purpose. */
class DoctorIT {
    static TestStack stack;
    static Infrastructure infrastructure;

    @BeforeAll
    static void setUp() {
        stack = TestStack.shared();
        stack.newTenant();
        infrastructure = Infrastructure.from(stack.settings());
    }

    static List<String> findings() throws Exception {
        DoctorReport report = Doctor.audit(infrastructure);
        return report.findings().stream().map(Finding::toString).toList();
    }

    static void admin(String... statements) throws Exception {
        try (Connection c = stack.adminConnection(); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    @Test
    void theMigratedStackHasNoFindingsAndTheCommandExitsZero() throws Exception {
        assertThat(findings()).isEmpty();
        DoctorReport report = Doctor.audit(infrastructure);
        assertThat(report.checks()).containsKeys("runtime role", "row-level security", "tenant policies",
                "tenant_id leads keys and indexes", "pulse.current_tenant_id()", "views and SECURITY DEFINER functions",
                "Kafka topics", "Iceberg namespaces and tables", "ingestion");
    }

    @Test
    void aNewTenantTableWithoutForceIsReported() throws Exception {
        admin("CREATE TABLE pulse.doctor_probe_force (tenant_id uuid NOT NULL, id int NOT NULL, PRIMARY KEY (tenant_id, id))",
                "ALTER TABLE pulse.doctor_probe_force ENABLE ROW LEVEL SECURITY");
        try {
            assertThat(findings()).anySatisfy(f -> assertThat(f).contains("pulse.doctor_probe_force").contains("not forced"))
                    .anySatisfy(f -> assertThat(f).contains("pulse.doctor_probe_force").contains("no FOR ALL policy"));
        } finally {
            admin("DROP TABLE pulse.doctor_probe_force");
        }
    }

    @Test
    void aPolicyUsingTrueIsReported() throws Exception {
        admin("CREATE POLICY doctor_probe ON pulse.datasets FOR SELECT TO pulse_app USING (true)");
        try {
            assertThat(findings()).anySatisfy(f -> assertThat(f).contains("pulse.datasets policy doctor_probe").contains("USING is true"));
        } finally {
            admin("DROP POLICY doctor_probe ON pulse.datasets");
        }
    }

    @Test
    void aPolicyWithAnOrThatAdmitsNoTenantIsReported() throws Exception {
        admin("CREATE POLICY doctor_probe_or ON pulse.event_schemas FOR ALL TO pulse_app "
                + "USING (tenant_id = (SELECT pulse.current_tenant_id()) OR pulse.current_tenant_id() IS NULL) "
                + "WITH CHECK (tenant_id = (SELECT pulse.current_tenant_id()))");
        try {
            assertThat(findings()).anySatisfy(f -> assertThat(f).contains("doctor_probe_or").contains("OR"));
        } finally {
            admin("DROP POLICY doctor_probe_or ON pulse.event_schemas");
        }
    }

    @Test
    void aRuntimeRoleGrantedBypassRlsIsReported() throws Exception {
        try (Connection su = DriverManager.getConnection(stack.devStack().superuserJdbcUrl()); Statement st = su.createStatement()) {
            st.execute("ALTER ROLE pulse_app BYPASSRLS");
            try {
                assertThat(findings()).anySatisfy(f -> assertThat(f).contains("pulse_app").contains("BYPASSRLS"));
            } finally {
                st.execute("ALTER ROLE pulse_app NOBYPASSRLS");
            }
        }
    }

    @Test
    void aSecurityDefinerFunctionWithoutSearchPathIsReported() throws Exception {
        admin("CREATE FUNCTION pulse.doctor_probe() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1'");
        try {
            assertThat(findings()).anySatisfy(f -> assertThat(f).contains("pulse.doctor_probe()").contains("search_path"))
                    .anySatisfy(f -> assertThat(f).contains("pulse.doctor_probe()").contains("PUBLIC"));
        } finally {
            admin("DROP FUNCTION pulse.doctor_probe()");
        }
    }

    @Test
    void aStrayTopicIsReported() throws Exception {
        String stray = "pulse." + UUID.randomUUID() + ".events.raw";
        stack.kafkaAdmin().createTopics(List.of(new NewTopic(stray, Optional.of(1), Optional.empty()))).all().get(30, TimeUnit.SECONDS);
        try {
            assertThat(findings()).anySatisfy(f -> assertThat(f).contains(stray).contains("belongs to no tenant"));
        } finally {
            stack.kafkaAdmin().deleteTopics(List.of(stray)).all().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aThirdTopicOfATenantIsReported() throws Exception {
        var tenant = stack.newTenant();
        String extra = "pulse." + tenant.id() + ".events.shadow";
        stack.kafkaAdmin().createTopics(List.of(new NewTopic(extra, Optional.of(1), Optional.empty()))).all().get(30, TimeUnit.SECONDS);
        try {
            assertThat(findings()).anySatisfy(f -> assertThat(f).contains(extra).contains("third topic"));
        } finally {
            stack.kafkaAdmin().deleteTopics(List.of(extra)).all().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aDatasetRowPointingIntoAnotherNamespaceIsReported() throws Exception {
        var a = stack.newTenant();
        var b = stack.newTenant();
        var schema = new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"string\"}}}");
        stack.schemas().register(a.id(), "s", schema);
        stack.datasets().create(a.id(), "tampered", "s", null, dev.pulse.schemas.event.IcebergSchemas.Partitioning.DAY);
        String other = dev.pulse.schemas.naming.LakeNames.namespace(b.id()).level(0);
        // The owner is subject to FORCE RLS too: tampering means lifting FORCE for one transaction.
        tamper(a.id().value(), other);
        try {
            assertThat(findings()).anySatisfy(f -> assertThat(f).contains("dataset tampered").contains("outside the tenant's namespace"));
        } finally {
            tamper(a.id().value(), dev.pulse.schemas.naming.LakeNames.namespace(a.id()).level(0));
            stack.revalidateDatasetConstraint();
        }
    }

    @Test
    void aDatasetTheWorkerHoldsBackIsReportedWithItsReasonUnderItsOwnTenant() throws Exception {
        var paused = stack.newTenant();
        var fine = stack.newTenant();
        java.time.Instant since = java.time.Instant.now();
        stack.db().inTenant(paused.id(), tx -> {
            dev.pulse.schemas.control.IngestStatus.recordPaused(tx, "clicks", "NotFoundException: metadata file gone", since, 4,
                    since.plusSeconds(16));
            return null;
        });
        try {
            assertThat(findings()).anySatisfy(f -> assertThat(f).contains("tenant " + paused.slug() + " dataset clicks")
                    .contains("paused").contains("4 failed tries").contains("metadata file gone"))
                    .noneSatisfy(f -> assertThat(f).contains("tenant " + fine.slug() + " "));
        } finally {
            stack.db().inTenant(paused.id(), dev.pulse.schemas.control.IngestStatus::clear);
        }
    }

    @Test
    void aTableWhoseMetadataFileIsGoneIsAFindingNotACrash() throws Exception {
        var tenant = stack.newTenant();
        var schema = new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"string\"}}}");
        stack.schemas().register(tenant.id(), "s", schema);
        stack.datasets().create(tenant.id(), "gone", "s", null, dev.pulse.schemas.event.IcebergSchemas.Partitioning.DAY);
        var table = stack.catalog().loadTable(dev.pulse.schemas.naming.LakeNames.table(tenant.id(), "gone"));
        String location = ((org.apache.iceberg.HasTableOperations) table).operations().current().metadataFileLocation();
        java.nio.file.Path metadata = java.nio.file.Path.of(java.net.URI.create(
                location.startsWith("file:") ? location : java.nio.file.Path.of(location).toUri().toString()));
        java.nio.file.Path hidden = metadata.resolveSibling(metadata.getFileName() + ".hidden");
        java.nio.file.Files.move(metadata, hidden);
        try {
            assertThat(findings()).anySatisfy(f -> assertThat(f).contains("dataset gone").contains("cannot be loaded"));
        } finally {
            java.nio.file.Files.move(hidden, metadata);
        }
    }

    static void tamper(UUID tenant, String namespace) throws Exception {
        assertThat(stack.tamperDatasetsAsAdmin(
                "UPDATE pulse.datasets SET table_namespace = ? WHERE tenant_id = ? AND slug = 'tampered'", namespace, tenant)).isEqualTo(1);
    }
}

package dev.pulse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.cli.doctor.Doctor;
import dev.pulse.cli.doctor.DoctorReport;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.tenancy.Finding;
import dev.pulse.schemas.tenancy.UnsafeRuntimeRoleException;
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
    static String operatorUrl;

    @BeforeAll
    static void setUp() {
        stack = TestStack.shared();
        stack.newTenant();
        infrastructure = Infrastructure.from(stack.settings());
        operatorUrl = Infrastructure.operatorDatabaseUrl(stack.settings());
    }

    static List<String> findings() throws Exception {
        DoctorReport report = Doctor.audit(infrastructure, operatorUrl);
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
        DoctorReport report = Doctor.audit(infrastructure, operatorUrl);
        assertThat(report.checks()).containsKeys("runtime role", "row-level security", "tenant policies",
                "tenant_id leads keys and indexes", "pulse.current_tenant_id()", "views and SECURITY DEFINER functions",
                "SECURITY DEFINER functions the runtime role may execute", "functions with a fixed search_path", "policy lints",
                "PostgreSQL channels shared between tenants", "operator role", "Kafka topics", "Iceberg namespaces and tables", "ingestion");
    }

    static void superuser(String... statements) throws Exception {
        try (Connection su = DriverManager.getConnection(stack.devStack().superuserJdbcUrl()); Statement st = su.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    // ---- the operator role split (issue 7) ----

    @Test
    void anOperatorFunctionExecutableByTheRuntimeRoleIsReported() throws Exception {
        admin("GRANT EXECUTE ON FUNCTION pulse.operator_tenant_directory() TO pulse_app");
        try {
            assertThat(findings()).anySatisfy(f -> assertThat(f).contains("pulse.operator_tenant_directory()").contains("operator function"));
        } finally {
            admin("REVOKE EXECUTE ON FUNCTION pulse.operator_tenant_directory() FROM pulse_app");
        }
    }

    @Test
    void anOperatorRoleWithBypassRlsOrATablePrivilegeOrMissingItsFunctionsIsReported() throws Exception {
        superuser("ALTER ROLE pulse_operator BYPASSRLS");
        admin("GRANT SELECT ON pulse.tenants TO pulse_operator",
                "REVOKE EXECUTE ON FUNCTION pulse.operator_audit_log(uuid, integer) FROM pulse_operator");
        try {
            assertThat(findings()).anySatisfy(f -> assertThat(f).contains("pulse_operator").contains("BYPASSRLS"))
                    .anySatisfy(f -> assertThat(f).contains("pulse_operator").contains("privilege on a table"))
                    .anySatisfy(f -> assertThat(f).contains("may not execute pulse.operator_audit_log(uuid, integer)"));
        } finally {
            superuser("ALTER ROLE pulse_operator NOBYPASSRLS");
            admin("REVOKE SELECT ON pulse.tenants FROM pulse_operator",
                    "GRANT EXECUTE ON FUNCTION pulse.operator_audit_log(uuid, integer) TO pulse_operator");
        }
    }

    // ---- splinter's generic lints ----

    @Test
    void aSecurityDefinerFunctionTheRuntimeRoleMayExecuteBeyondTheLookupsIsReported() throws Exception {
        admin("CREATE FUNCTION pulse.doctor_probe_reach() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER"
                + " SET search_path = pg_catalog, pg_temp AS 'SELECT count(*) FROM pulse_directory.tenant_slugs'",
                "REVOKE ALL ON FUNCTION pulse.doctor_probe_reach() FROM PUBLIC",
                "GRANT EXECUTE ON FUNCTION pulse.doctor_probe_reach() TO pulse_app");
        try {
            assertThat(findings()).anySatisfy(f -> assertThat(f).contains("pulse.doctor_probe_reach()").contains("runtime role may execute"));
        } finally {
            admin("DROP FUNCTION pulse.doctor_probe_reach()");
        }
    }

    @Test
    void aFunctionWithAMutableSearchPathIsReported() throws Exception {
        admin("CREATE FUNCTION pulse.doctor_probe_path(t uuid) RETURNS boolean LANGUAGE sql STABLE AS 'SELECT t IS NOT NULL'");
        try {
            assertThat(findings()).anySatisfy(f -> assertThat(f).contains("pulse.doctor_probe_path(uuid)").contains("mutable search_path"));
        } finally {
            admin("DROP FUNCTION pulse.doctor_probe_path(uuid)");
        }
    }

    @Test
    void aTableWithRowLevelSecurityButNoPolicyIsReported() throws Exception {
        admin("CREATE TABLE pulse.doctor_probe_nopolicy (id int PRIMARY KEY)", "ALTER TABLE pulse.doctor_probe_nopolicy ENABLE ROW LEVEL SECURITY");
        try {
            assertThat(findings()).anySatisfy(f -> assertThat(f).contains("pulse.doctor_probe_nopolicy").contains("no policy"));
        } finally {
            admin("DROP TABLE pulse.doctor_probe_nopolicy");
        }
    }

    @Test
    void aPermissiveTruePolicyOnAnyTableIsReported() throws Exception {
        admin("CREATE TABLE pulse.doctor_probe_open (id int PRIMARY KEY)", "ALTER TABLE pulse.doctor_probe_open ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY everyone ON pulse.doctor_probe_open FOR ALL TO pulse_app USING (true) WITH CHECK (true)");
        try {
            assertThat(findings()).anySatisfy(f -> assertThat(f).contains("pulse.doctor_probe_open policy everyone").contains("permissive with USING (true)"))
                    .anySatisfy(f -> assertThat(f).contains("pulse.doctor_probe_open policy everyone").contains("permissive with WITH CHECK (true)"));
        } finally {
            admin("DROP TABLE pulse.doctor_probe_open");
        }
    }

    @Test
    void aPolicyCallingAFunctionOutsideASelectIsReported() throws Exception {
        // Restrictive, so that only the unwrapped call is wrong with it.
        admin("CREATE POLICY doctor_probe_per_row ON pulse.ingest_commits AS RESTRICTIVE FOR ALL TO pulse_app "
                + "USING (tenant_id = pulse.current_tenant_id()) WITH CHECK (tenant_id = (SELECT pulse.current_tenant_id()))");
        try {
            List<String> found = findings();
            assertThat(found).anySatisfy(f -> assertThat(f).contains("pulse.ingest_commits policy doctor_probe_per_row")
                    .contains("USING calls pulse.current_tenant_id() outside a (SELECT ...)"));
            assertThat(found).noneSatisfy(f -> assertThat(f).contains("doctor_probe_per_row").contains("WITH CHECK calls"));
        } finally {
            admin("DROP POLICY doctor_probe_per_row ON pulse.ingest_commits");
        }
    }

    @Test
    void twoPermissivePoliciesForTheSameRoleAndCommandAreReported() throws Exception {
        admin("CREATE POLICY doctor_probe_second ON pulse.api_keys FOR SELECT TO pulse_app USING (tenant_id = (SELECT pulse.current_tenant_id()))");
        try {
            assertThat(findings()).anySatisfy(f -> assertThat(f).contains("pulse.api_keys policies").contains("doctor_probe_second")
                    .contains("tenant_isolation").contains("both permissive"));
        } finally {
            admin("DROP POLICY doctor_probe_second ON pulse.api_keys");
        }
    }

    @Test
    void aSecurityDefinerViewIsReported() throws Exception {
        admin("CREATE VIEW pulse.doctor_probe_view AS SELECT tenant_id, slug FROM pulse.tenants", "GRANT SELECT ON pulse.doctor_probe_view TO pulse_app");
        try {
            assertThat(findings()).anySatisfy(f -> assertThat(f).contains("view pulse.doctor_probe_view").contains("not security_invoker"));
        } finally {
            admin("DROP VIEW pulse.doctor_probe_view");
        }
    }

    // ---- what PostgreSQL shares between sessions ----

    @Test
    void pgNotifyLargeObjectsAndTemporaryTablesOpenToTheRuntimeRoleAreReported() throws Exception {
        superuser("GRANT EXECUTE ON FUNCTION pg_catalog.pg_notify(text, text) TO PUBLIC",
                "GRANT EXECUTE ON FUNCTION pg_catalog.lo_from_bytea(oid, bytea) TO PUBLIC",
                "GRANT SELECT ON pg_catalog.pg_stat_user_tables TO PUBLIC",
                "GRANT TEMPORARY ON DATABASE pulse TO pulse_app");
        try {
            assertThat(findings()).anySatisfy(f -> assertThat(f).startsWith("pg_notify()"))
                    .anySatisfy(f -> assertThat(f).startsWith("large objects"))
                    .anySatisfy(f -> assertThat(f).startsWith("table statistics"))
                    .anySatisfy(f -> assertThat(f).startsWith("temporary objects"));
        } finally {
            superuser("REVOKE EXECUTE ON FUNCTION pg_catalog.pg_notify(text, text) FROM PUBLIC",
                    "REVOKE EXECUTE ON FUNCTION pg_catalog.lo_from_bytea(oid, bytea) FROM PUBLIC",
                    "REVOKE SELECT ON pg_catalog.pg_stat_user_tables FROM PUBLIC",
                    "REVOKE TEMPORARY ON DATABASE pulse FROM pulse_app");
        }
        assertThat(findings()).isEmpty();
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
    void theDoctorAndTheStartUpGuardRunOneAuditAndTheGuardRefusesExactlyTheBlockingFindings() throws Exception {
        admin("CREATE POLICY doctor_probe_shared ON pulse.datasets FOR SELECT TO pulse_app USING (true)");
        try {
            List<Finding> reported = Doctor.audit(infrastructure, operatorUrl).findings();
            assertThat(reported).isNotEmpty().allSatisfy(f -> assertThat(f.severity()).isEqualTo(Finding.Severity.REPORTED));
            stack.db().requireSafeRuntimeRole();
        } finally {
            admin("DROP POLICY doctor_probe_shared ON pulse.datasets");
        }
        admin("CREATE TABLE pulse.doctor_probe_guard (tenant_id uuid NOT NULL PRIMARY KEY)", "ALTER TABLE pulse.doctor_probe_guard ENABLE ROW LEVEL SECURITY");
        try {
            List<Finding> blocking = Doctor.audit(infrastructure, operatorUrl).findings().stream().filter(Finding::blocking).toList();
            assertThat(blocking).singleElement().satisfies(f -> {
                assertThat(f.rule().id()).isEqualTo("row-level-security");
                assertThat(f.subject()).isEqualTo("pulse.doctor_probe_guard");
            });
            assertThatThrownBy(() -> stack.db().requireSafeRuntimeRole()).isInstanceOf(UnsafeRuntimeRoleException.class)
                    .hasMessageContaining(blocking.getFirst().toString());
        } finally {
            admin("DROP TABLE pulse.doctor_probe_guard");
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
            dev.pulse.schemas.directory.IngestStatus.recordPaused(tx, "clicks", "NotFoundException: metadata file gone", since, 4,
                    since.plusSeconds(16));
            return null;
        });
        try {
            assertThat(findings()).anySatisfy(f -> assertThat(f).contains("tenant " + paused.slug() + " dataset clicks")
                    .contains("paused").contains("4 failed tries").contains("metadata file gone"))
                    .noneSatisfy(f -> assertThat(f).contains("tenant " + fine.slug() + " "));
        } finally {
            stack.db().inTenant(paused.id(), dev.pulse.schemas.directory.IngestStatus::clear);
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

package dev.pulse.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.control.audit.Actor;
import dev.pulse.control.audit.AuditLog;
import dev.pulse.control.datasets.Datasets;
import dev.pulse.control.keys.ApiKeyStore;
import dev.pulse.control.keys.KeyUsage;
import dev.pulse.control.keys.Scope;
import dev.pulse.control.registry.SchemaRegistry;
import dev.pulse.control.tenants.TenantRecord;
import dev.pulse.control.tenants.Tenants;
import dev.pulse.control.testing.TestStack;
import dev.pulse.schemas.directory.RegisteredSchema;
import dev.pulse.schemas.directory.TenantStatus;
import dev.pulse.schemas.event.IcebergSchemas.Partitioning;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.schemas.tenancy.DatabaseException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.types.Types;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The control-plane operations against real PostgreSQL, Kafka and Iceberg. */
class ControlPlaneIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static TestStack stack;

    @BeforeAll
    static void start() {
        stack = TestStack.shared();
    }

    static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    static String slug() {
        return "cp-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static Connection runtime() throws SQLException {
        return DriverManager.getConnection(stack.environment().get("PULSE_DATABASE_URL"));
    }

    // ---- audit log ----

    @Test
    void aDatasetsColumnsFollowTheSchemaAsWritten() throws Exception {
        var tenant = stack.newTenant();
        var schema = new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                {"type": "object", "properties": {"zeta": {"type": "string"}, "alpha_long_name": {"type": "integer"}, "mid": {"type": "boolean"}}}""");
        stack.schemas().register(tenant.id(), "ordered", schema);
        assertThat(stack.schemas().latest(tenant.id(), "ordered").orElseThrow().parsed().fields())
                .extracting(dev.pulse.schemas.event.FieldType.Field::name).containsExactly("zeta", "alpha_long_name", "mid");
        var dataset = stack.datasets().create(tenant.id(), "ordered", "ordered", null, dev.pulse.schemas.event.IcebergSchemas.Partitioning.DAY);
        assertThat(stack.catalog().loadTable(dataset.table()).schema().columns())
                .extracting(org.apache.iceberg.types.Types.NestedField::name)
                .containsExactly("event_id", "event_time", "received_at", "zeta", "alpha_long_name", "mid");
    }

    @Test
    void aChangeWhoseAuditEntryCannotBeWrittenDoesNotHappen() {
        TenantRecord tenant = stack.newTenant();
        // The audit log refuses actors longer than 200 characters: the key must not exist either.
        Actor unrecordable = new Actor("x".repeat(201));
        assertThatThrownBy(() -> stack.keys().create(tenant.id(), "k", java.util.Set.of(dev.pulse.control.keys.Scope.INGEST), null, unrecordable))
                .isInstanceOf(dev.pulse.schemas.tenancy.DatabaseException.class);
        assertThat(stack.keys().keyIds(tenant.id())).isEmpty();
        assertThatThrownBy(() -> stack.tenants().suspend(tenant.slug(), unrecordable)).isInstanceOf(dev.pulse.schemas.tenancy.DatabaseException.class);
        assertThat(stack.tenants().load(tenant.id()).orElseThrow().status()).isEqualTo(TenantStatus.ACTIVE);
    }

    @Test
    void theAuditLogIsAppendOnlyForTheRuntimeRoleAndTheOwner() throws Exception {
        TenantRecord tenant = stack.newTenant();
        AuditLog audit = new AuditLog(stack.db());
        long seq = audit.record("operator:alice", "tenant.suspend", tenant.id(), Map.of("slug", tenant.slug()));

        List<AuditLog.AuditEntry> entries = stack.operatorDb().auditLog(tenant.id(), 10);
        // Newest first: this entry, then the tenant's creation, written in the creating transaction.
        assertThat(entries).extracting(AuditLog.AuditEntry::action).containsExactly("tenant.suspend", "tenant.create");
        // Numbered within the tenant: its creation was entry 1.
        assertThat(entries).extracting(AuditLog.AuditEntry::seq).containsExactly(2L, 1L);
        assertThat(seq).isEqualTo(2);
        assertThat(entries.get(1).actor()).isEqualTo("system");
        assertThat(entries.getFirst().actor()).isEqualTo("operator:alice");
        assertThat(entries.getFirst().tenant()).isEqualTo(tenant.id());
        assertThat(entries.getFirst().detail().path("slug").asText()).isEqualTo(tenant.slug());
        assertThat(stack.operatorDb().auditLog(null, 1000)).filteredOn(e -> tenant.id().equals(e.tenant()))
                .extracting(AuditLog.AuditEntry::seq).containsExactly(2L, 1L);

        try (Connection app = runtime(); Statement st = app.createStatement()) {
            for (String sql : List.of("UPDATE pulse_directory.audit_log SET actor = 'x'", "DELETE FROM pulse_directory.audit_log",
                    "INSERT INTO pulse_directory.audit_log (actor, action) VALUES ('x', 'y')", "TRUNCATE pulse_directory.audit_log",
                    "SELECT * FROM pulse_directory.audit_log")) {
                assertThatThrownBy(() -> st.execute(sql)).as(sql).isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
            }
        }
        try (Connection owner = stack.adminConnection(); Statement st = owner.createStatement()) {
            for (String sql : List.of("UPDATE pulse_directory.audit_log SET actor = 'x' WHERE seq = " + seq,
                    "DELETE FROM pulse_directory.audit_log WHERE seq = " + seq, "TRUNCATE pulse_directory.audit_log")) {
                assertThatThrownBy(() -> st.execute(sql)).as(sql).isInstanceOf(SQLException.class).hasMessageContaining("append-only");
            }
        }
        assertThat(stack.operatorDb().auditLog(tenant.id(), 10).getFirst().actor()).isEqualTo("operator:alice");
    }

    @Test
    void aTenantTransactionCannotWriteAuditEntriesAboutAnotherTenant() {
        TenantRecord a = stack.newTenant();
        TenantRecord b = stack.newTenant();
        assertThatThrownBy(() -> stack.db().inTenant(a.id(), tx -> tx.query(
                "SELECT pulse.record_audit('key:x', 'key.revoke', ?, '{}'::jsonb)", rs -> rs.getLong(1), b.id())))
                .isInstanceOf(DatabaseException.class).hasMessageContaining("bound to it");
    }

    // ---- tenants ----

    @Test
    void partitionsFollowTheTierAndTopicsAcceptLargeMessages() throws Exception {
        Tenants tenants = new Tenants(stack.db(), stack.kafkaAdmin(), stack.catalog(), new Tenants.PartitionsByTier(1, 2, 4));
        TenantRecord free = tenants.create(slug(), null, "free").tenant();
        TenantRecord enterprise = tenants.create(slug(), null, "enterprise").tenant();
        // CreateTopics returns once the controller committed the topics; a broker may serve their
        // metadata a moment later (UnknownTopicOrPartition until then), as producers' retries allow for.
        var described = await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(
                () -> stack.kafkaAdmin().describeTopics(List.of(Topics.raw(free.id()), Topics.raw(enterprise.id()), Topics.dlq(enterprise.id())))
                        .allTopicNames().get(), d -> true);
        assertThat(described.get(Topics.raw(free.id())).partitions()).hasSize(1);
        assertThat(described.get(Topics.raw(enterprise.id())).partitions()).hasSize(4);
        assertThat(described.get(Topics.dlq(enterprise.id())).partitions()).hasSize(4);
        ConfigResource raw = new ConfigResource(ConfigResource.Type.TOPIC, Topics.raw(free.id()));
        ConfigResource dlq = new ConfigResource(ConfigResource.Type.TOPIC, Topics.dlq(free.id()));
        var configs = await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(
                () -> stack.kafkaAdmin().describeConfigs(List.of(raw, dlq)).all().get(), c -> true);
        assertThat(configs.get(raw).get("max.message.bytes").value()).isEqualTo(Integer.toString(Tenants.TOPIC_MAX_MESSAGE_BYTES));
        assertThat(configs.get(dlq).get("max.message.bytes").value()).isEqualTo(Integer.toString(Tenants.TOPIC_MAX_MESSAGE_BYTES));
    }

    @Test
    void tenantsAreListedAndCanBeSuspendedAndResumed() {
        Tenants tenants = stack.tenants();
        TenantRecord t = stack.newTenant();
        assertThat(tenants.list(stack.operatorDb())).extracting(TenantRecord::slug).contains(t.slug()).isSorted();

        Tenants.StatusChangeResult suspended = tenants.suspend(t.slug());
        assertThat(suspended.changed()).isTrue();
        assertThat(suspended.tenant().status()).isEqualTo(TenantStatus.SUSPENDED);
        assertThat(tenants.suspend(t.slug()).changed()).isFalse();
        assertThat(tenants.requireBySlug(t.slug()).isSuspended()).isTrue();

        Tenants.StatusChangeResult resumed = tenants.resume(t.slug());
        assertThat(resumed.changed()).isTrue();
        assertThat(resumed.tenant().isActive()).isTrue();
        assertThat(tenants.resume(t.slug()).changed()).isFalse();
        assertThatThrownBy(() -> tenants.suspend("no-such-tenant-here")).isInstanceOf(ControlException.class)
                .extracting(e -> ((ControlException) e).kind()).isEqualTo(ControlException.Kind.NOT_FOUND);
    }

    @Test
    void aSuspendedTenantsKeysStillAuthenticateButCarryTheStatus() {
        TenantRecord t = stack.newTenant();
        ApiKeyStore keys = stack.keys();
        String token = keys.create(t.id(), "k", Set.of(Scope.INGEST), null).token();
        stack.tenants().suspend(t.slug());
        assertThat(keys.authenticate(token)).get().extracting(ApiKeyStore.AuthenticatedKey::tenantStatus).isEqualTo(TenantStatus.SUSPENDED);
    }

    // ---- keys ----

    @Test
    void keysAreListedWithoutSecretsAndRevokedAtOnce() {
        TenantRecord t = stack.newTenant();
        ApiKeyStore keys = stack.keys();
        ApiKeyStore.CreatedKey created = keys.create(t.id(), "producer", Set.of(Scope.INGEST, Scope.QUERY), null);
        assertThat(keys.authenticate(created.token())).isPresent();

        List<ApiKeyStore.KeyInfo> listed = keys.list(t.id());
        assertThat(listed).singleElement().satisfies(k -> {
            assertThat(k.keyId()).isEqualTo(created.keyId());
            assertThat(k.name()).isEqualTo("producer");
            assertThat(k.scopes()).containsExactlyInAnyOrder(Scope.INGEST, Scope.QUERY);
            assertThat(k.status()).isEqualTo("active");
            assertThat(k.toString()).doesNotContain(created.token().substring(created.token().lastIndexOf('_') + 1));
        });

        ApiKeyStore.KeyInfo revoked = keys.revoke(t.id(), created.keyId());
        assertThat(revoked.status()).isEqualTo("revoked");
        assertThat(keys.authenticate(created.token())).isEmpty();
        assertThat(keys.revoke(t.id(), created.keyId()).revokedAt()).isEqualTo(revoked.revokedAt());
    }

    @Test
    void anotherTenantsKeyIdIsNotFound() {
        TenantRecord a = stack.newTenant();
        TenantRecord b = stack.newTenant();
        ApiKeyStore keys = stack.keys();
        String keyOfA = keys.create(a.id(), "a", Set.of(Scope.MANAGE), null).keyId();
        assertThatThrownBy(() -> keys.revoke(b.id(), keyOfA)).isInstanceOf(ControlException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> keys.rotate(b.id(), keyOfA, 0)).isInstanceOf(ControlException.class).hasMessageContaining("does not exist");
        assertThat(keys.find(b.id(), keyOfA)).isEmpty();
        assertThat(keys.list(b.id())).isEmpty();
    }

    @Test
    void rotatingReplacesTheKeyImmediatelyOrAfterAGracePeriod() {
        TenantRecord t = stack.newTenant();
        ApiKeyStore keys = stack.keys();
        // Expiry is at most ten years ahead (KeyExpiry).
        Instant expiresAt = Instant.now().plus(Duration.ofDays(8 * 365)).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        ApiKeyStore.CreatedKey old = keys.create(t.id(), "producer", Set.of(Scope.INGEST), expiresAt);
        ApiKeyStore.RotateResult rotated = keys.rotate(t.id(), old.keyId(), 0);
        assertThat(rotated.key().name()).isEqualTo("producer");
        assertThat(rotated.key().scopes()).containsExactly(Scope.INGEST);
        assertThat(rotated.key().expiresAt()).isEqualTo(expiresAt);
        assertThat(rotated.previous().status()).isEqualTo("revoked");
        assertThat(keys.authenticate(old.token())).isEmpty();
        assertThat(keys.authenticate(rotated.key().token())).isPresent();

        ApiKeyStore.RotateResult graceful = keys.rotate(t.id(), rotated.key().keyId(), 3600);
        assertThat(graceful.previous().status()).isEqualTo("active");
        assertThat(graceful.previous().expiresAt()).isBefore(Instant.now().plusSeconds(3700));
        assertThat(keys.authenticate(rotated.key().token())).isPresent();
        assertThat(keys.authenticate(graceful.key().token())).isPresent();

        assertThatThrownBy(() -> keys.rotate(t.id(), old.keyId(), 0)).isInstanceOf(ControlException.class).hasMessageContaining("revoked");
    }

    @Test
    void anExpiredKeyIsRefused() {
        TenantRecord t = stack.newTenant();
        ApiKeyStore keys = stack.keys();
        ApiKeyStore.CreatedKey key = keys.create(t.id(), "short", Set.of(Scope.INGEST), Instant.now().plusSeconds(2));
        assertThat(keys.authenticate(key.token())).isPresent();
        await().atMost(Duration.ofSeconds(10)).until(() -> keys.authenticate(key.token()).isEmpty());
        assertThat(keys.list(t.id()).getFirst().status()).isEqualTo("expired");
    }

    @Test
    void lastUsedIsWrittenByTheFlushNotByEachRequest() {
        TenantRecord t = stack.newTenant();
        KeyUsage usage = new KeyUsage(stack.db());
        ApiKeyStore keys = new ApiKeyStore(stack.db(), usage);
        ApiKeyStore.CreatedKey key = keys.create(t.id(), "k", Set.of(Scope.INGEST), null);
        keys.authenticate(key.token());
        keys.authenticate(key.token());
        assertThat(keys.find(t.id(), key.keyId()).orElseThrow().lastUsedAt()).isNull();
        assertThat(usage.flush()).isEqualTo(1);
        Instant lastUsed = keys.find(t.id(), key.keyId()).orElseThrow().lastUsedAt();
        assertThat(lastUsed).isCloseTo(Instant.now(), org.assertj.core.api.Assertions.within(Duration.ofMinutes(1)));
        assertThat(usage.flush()).isZero();
    }

    // ---- schemas ----

    @Test
    void schemasAreListedWithTheirVersionsAndWideningIsAllowed() throws Exception {
        TenantRecord t = stack.newTenant();
        SchemaRegistry registry = stack.schemas();
        registry.register(t.id(), "orders", json("""
                {"type": "object", "properties": {"qty": {"type": "integer", "format": "int32"}, "price": {"type": "number", "format": "float"}}}"""));
        var v2 = registry.register(t.id(), "orders", json("""
                {"type": "object", "properties": {"qty": {"type": "integer"}, "price": {"type": "number"}, "note": {"type": "string"}}}"""));
        assertThat(v2.schema().version()).isEqualTo(2);
        registry.register(t.id(), "clicks", json("{\"type\": \"object\", \"properties\": {\"p\": {\"type\": \"string\"}}}"));

        assertThat(registry.list(t.id())).extracting(SchemaRegistry.SchemaSummary::name, SchemaRegistry.SchemaSummary::latestVersion,
                SchemaRegistry.SchemaSummary::versionCount).containsExactly(
                org.assertj.core.groups.Tuple.tuple("clicks", 1, 1), org.assertj.core.groups.Tuple.tuple("orders", 2, 2));
        assertThat(registry.versions(t.id(), "orders")).extracting(RegisteredSchema::version).containsExactly(1, 2);
        assertThat(registry.versions(stack.newTenant().id(), "orders")).isEmpty();

        assertThatThrownBy(() -> registry.register(t.id(), "orders", json("""
                {"type": "object", "properties": {"qty": {"type": "integer", "format": "int32"}, "price": {"type": "number"}, "note": {"type": "string"}}}""")))
                .isInstanceOf(ControlException.class).hasMessageContaining("/properties/qty: type changed from integer to integer (int32)");
    }

    @Test
    void compatibilityNoneSkipsTheCheckAndIsKeptForLaterVersions() throws Exception {
        TenantRecord t = stack.newTenant();
        SchemaRegistry registry = stack.schemas();
        registry.register(t.id(), "loose", json("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\"}}}"));
        var v2 = registry.register(t.id(), "loose", json("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"integer\"}}}"),
                SchemaRegistry.CompatibilityMode.NONE);
        assertThat(v2.schema().version()).isEqualTo(2);
        var v3 = registry.register(t.id(), "loose", json("{\"type\": \"object\", \"properties\": {\"b\": {\"type\": \"integer\"}}}"));
        assertThat(v3.schema().version()).isEqualTo(3);
        assertThat(registry.compatibility(t.id(), "loose")).contains(SchemaRegistry.CompatibilityMode.NONE);
    }

    // ---- datasets ----

    @Test
    void upgradingADatasetEvolvesItsTableInOneCommitAndOldRowsReadNull() throws Exception {
        TenantRecord t = stack.newTenant();
        SchemaRegistry registry = stack.schemas();
        Datasets datasets = stack.datasets();
        registry.register(t.id(), "orders", json("""
                {"type": "object", "properties": {"qty": {"type": "integer", "format": "int32"}, "sku": {"type": "string"}}}"""));
        datasets.create(t.id(), "orders", "orders", 1, Partitioning.HOUR, new Datasets.Bucket("sku", 8));
        Table table = stack.catalog().loadTable(datasets.find(t.id(), "orders").orElseThrow().table());
        appendOneRow(table);
        int schemasBefore = table.schemas().size();
        long snapshotBefore = table.currentSnapshot().snapshotId();

        registry.register(t.id(), "orders", json("""
                {"type": "object", "properties": {"qty": {"type": "integer"}, "sku": {"type": "string"},
                 "geo": {"type": "object", "properties": {"lat": {"type": "number"}}}}}"""));
        Datasets.UpgradeResult result = datasets.upgrade(t.id(), "orders", 2);
        assertThat(result.changed()).isTrue();
        assertThat(result.previousVersion()).isEqualTo(1);
        assertThat(result.dataset().schemaVersion()).isEqualTo(2);

        table.refresh();
        assertThat(table.schemas()).hasSize(schemasBefore + 1);
        assertThat(table.currentSnapshot().snapshotId()).isEqualTo(snapshotBefore);
        assertThat(table.schema().findField("qty").type()).isEqualTo(Types.LongType.get());
        assertThat(table.schema().findField("geo.lat").type()).isEqualTo(Types.DoubleType.get());
        // Old data files lack the new field id, so Iceberg readers project it as null: the new
        // column must be optional and carry an id the old schema never had.
        int oldMaxId = table.schemas().get(0).highestFieldId();
        Types.NestedField geo = table.schema().findField("geo");
        assertThat(geo.isOptional()).isTrue();
        assertThat(geo.fieldId()).isGreaterThan(oldMaxId);
        assertThat(table.schema().findField("qty").fieldId()).isEqualTo(table.schemas().get(0).findField("qty").fieldId());

        Datasets.DatasetDescription described = datasets.describe(t.id(), "orders").orElseThrow();
        assertThat(described.dataset().schemaVersion()).isEqualTo(2);
        assertThat(described.bucket()).isEqualTo(new Datasets.Bucket("sku", 8));
        assertThat(described.rowCount()).isEqualTo(1);
        assertThat(described.snapshotCount()).isEqualTo(1);
        assertThat(described.partitionSpec()).contains("bucket[8]").contains("hour");
        assertThat(described.columns()).extracting(Datasets.Column::name)
                .containsExactly("event_id", "event_time", "received_at", "qty", "sku", "geo");

        assertThat(datasets.upgrade(t.id(), "orders", 2).changed()).isFalse();
        assertThatThrownBy(() -> datasets.upgrade(t.id(), "orders", 1)).isInstanceOf(ControlException.class).hasMessageContaining("cannot move back");
        assertThatThrownBy(() -> datasets.upgrade(t.id(), "orders", 7)).isInstanceOf(ControlException.class).hasMessageContaining("does not exist");
        assertThat(datasets.describe(stack.newTenant().id(), "orders")).isEmpty();
    }

    @Test
    void anUpgradeToAnIncompatibleVersionIsRefusedAndChangesNothing() throws Exception {
        TenantRecord t = stack.newTenant();
        SchemaRegistry registry = stack.schemas();
        registry.register(t.id(), "ev", json("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\"}}}"));
        stack.datasets().create(t.id(), "events", "ev", null, Partitioning.DAY);
        registry.register(t.id(), "ev", json("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"integer\"}}}"),
                SchemaRegistry.CompatibilityMode.NONE);
        assertThatThrownBy(() -> stack.datasets().upgrade(t.id(), "events", 2)).isInstanceOf(ControlException.class)
                .hasMessageContaining("/properties/a: type changed");
        assertThat(stack.datasets().find(t.id(), "events").orElseThrow().schemaVersion()).isEqualTo(1);
    }

    @Test
    void aBucketOnAMissingOrUnsuitableFieldIsRefused() throws Exception {
        TenantRecord t = stack.newTenant();
        stack.schemas().register(t.id(), "ev", json("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"number\"}}}"));
        assertThatThrownBy(() -> stack.datasets().create(t.id(), "events", "ev", null, Partitioning.DAY, new Datasets.Bucket("zzz", 4)))
                .isInstanceOf(ControlException.class).hasMessageContaining("not a top-level property");
        assertThatThrownBy(() -> stack.datasets().create(t.id(), "events", "ev", null, Partitioning.DAY, new Datasets.Bucket("a", 4)))
                .isInstanceOf(ControlException.class).hasMessageContaining("bucket a string");
        assertThatThrownBy(() -> stack.datasets().create(t.id(), "events", "no-such", null, Partitioning.DAY))
                .isInstanceOf(ControlException.class).hasMessageContaining("does not exist");
    }

    static void appendOneRow(Table table) throws Exception {
        GenericRecord row = GenericRecord.create(table.schema());
        Instant now = Instant.now();
        row.setField("event_id", "e1");
        row.setField("event_time", now.atOffset(java.time.ZoneOffset.UTC));
        row.setField("received_at", now.atOffset(java.time.ZoneOffset.UTC));
        row.setField("qty", 5);
        row.setField("sku", "A-1");
        var partitionKey = new org.apache.iceberg.PartitionKey(table.spec(), table.schema());
        partitionKey.partition(new org.apache.iceberg.data.InternalRecordWrapper(table.schema().asStruct()).wrap(row));
        var file = table.io().newOutputFile(table.locationProvider().newDataLocation(table.spec(), partitionKey, UUID.randomUUID() + ".parquet"));
        var writer = org.apache.iceberg.parquet.Parquet.writeData(file).schema(table.schema())
                .createWriterFunc(org.apache.iceberg.data.parquet.GenericParquetWriter::create)
                .withSpec(table.spec()).withPartition(partitionKey).overwrite().build();
        try (writer) {
            writer.write(row);
        }
        table.newAppend().appendFile(writer.toDataFile()).commit();
    }
}

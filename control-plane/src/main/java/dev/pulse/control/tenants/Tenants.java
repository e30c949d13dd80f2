package dev.pulse.control.tenants;

import dev.pulse.control.ControlException;
import dev.pulse.control.DisplayNames;
import dev.pulse.control.FieldText;
import dev.pulse.control.InvalidFieldException;
import dev.pulse.control.audit.Actor;
import dev.pulse.control.audit.AuditLog;
import dev.pulse.control.operator.OperatorDatabase;
import dev.pulse.schemas.directory.IngestStatus;
import dev.pulse.schemas.directory.TenantStatus;
import dev.pulse.schemas.naming.LakeNames;
import dev.pulse.schemas.naming.Slugs;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import dev.pulse.schemas.tenancy.DatabaseException;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.schemas.tenancy.TenantTransaction;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creating a tenant is one resumable job: the tenant row (status {@code provisioning}), its two
 * topics, its Iceberg namespace, then status {@code active}. Every step is idempotent, so when a
 * run stops halfway (broker down, process killed) running it again finishes it.
 */
public final class Tenants {
    static final Set<String> TIERS = Set.of("free", "standard", "enterprise");
    static final String NAMESPACE_TENANT_PROPERTY = "pulse.tenant-id";

    /**
     * Largest record batch the tenant topics accept (topic {@code max.message.bytes}). The broker
     * default (~1 MiB) would refuse an event near the API's 1 MiB event limit once the envelope
     * and batch overhead are added; the DLQ adds reason headers on top.
     */
    public static final int TOPIC_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

    private final TenantDatabase db;
    private final Admin kafka;
    private final SupportsNamespaces catalog;
    private final PartitionsByTier partitions;
    private final TopicReplication replication;

    /**
     * Replication of a new tenant's topics: {@code factor} replicas of each partition and
     * {@code min.insync.replicas}; 0 leaves either to the broker's defaults (a one-broker
     * development stack), a cluster sets them (the compose deployment: 3 and 2).
     */
    public record TopicReplication(int factor, int minInSync) {
        public static final TopicReplication BROKER_DEFAULTS = new TopicReplication(0, 0);

        public TopicReplication {
            if (factor < 0 || minInSync < 0 || (factor > 0 && minInSync > factor)) {
                throw new IllegalArgumentException("replication factor " + factor + " and min.insync.replicas " + minInSync
                        + ": both at least 0 (0: the broker's default), and min.insync.replicas at most the factor");
            }
        }
    }

    /** Partition count of a new tenant's topics, by tier. */
    public record PartitionsByTier(int free, int standard, int enterprise) {
        public PartitionsByTier {
            if (free < 1 || standard < 1 || enterprise < 1) {
                throw new IllegalArgumentException("partition counts must be at least 1: " + free + "/" + standard + "/" + enterprise);
            }
        }

        /** The same count for every tier. */
        public static PartitionsByTier uniform(int partitions) {
            return new PartitionsByTier(partitions, partitions, partitions);
        }

        public int forTier(String tier) {
            return switch (tier) {
                case "free" -> free;
                case "enterprise" -> enterprise;
                default -> standard;
            };
        }
    }

    /** Every tier gets {@code partitions} partitions. */
    public Tenants(TenantDatabase db, Admin kafka, SupportsNamespaces catalog, int partitions) {
        this(db, kafka, catalog, PartitionsByTier.uniform(partitions));
    }

    public Tenants(TenantDatabase db, Admin kafka, SupportsNamespaces catalog, PartitionsByTier partitions) {
        this(db, kafka, catalog, partitions, TopicReplication.BROKER_DEFAULTS);
    }

    public Tenants(TenantDatabase db, Admin kafka, SupportsNamespaces catalog, PartitionsByTier partitions, TopicReplication replication) {
        this.db = db;
        this.kafka = kafka;
        this.catalog = catalog;
        this.partitions = partitions;
        this.replication = replication;
    }

    public record CreateResult(TenantRecord tenant, boolean created) {
    }

    public CreateResult create(String slug, String name, String tier) {
        return create(slug, name, tier, Actor.SYSTEM);
    }

    /**
     * Creates (or finishes creating) a tenant. The audit entry ({@code tenant.create}, or
     * {@code tenant.finish-provisioning} for a resumed job) commits with the step that makes the
     * tenant active.
     */
    public CreateResult create(String slug, String name, String tier, Actor actor) {
        if (!Slugs.isValidSlug(slug)) {
            throw new InvalidFieldException("invalid-slug", "slug", "tenant slug " + FieldText.quote(slug)
                    + " is invalid: use 3 to 40 characters, a lower-case letter first, then lower-case letters, digits or '-'");
        }
        if (tier == null || !TIERS.contains(tier)) {
            throw new InvalidFieldException("invalid-tier", "tier", "tier " + FieldText.quote(tier) + " is unknown: use one of "
                    + TIERS.stream().sorted().toList());
        }
        String displayName = DisplayNames.orDefault("name", name, slug);
        Optional<TenantId> existing = db.tenantForSlug(slug);
        if (existing.isPresent()) {
            TenantRecord tenant = load(existing.get()).orElseThrow();
            if (tenant.status() != TenantStatus.PROVISIONING) {
                throw ControlException.conflict("duplicate-slug", "a tenant with slug '" + slug + "' already exists");
            }
            return new CreateResult(finishProvisioning(tenant, actor, "tenant.finish-provisioning"), false);
        }
        TenantId id = TenantId.random();
        try {
            db.inTenant(id, tx -> tx.update(
                    "INSERT INTO pulse.tenants (tenant_id, slug, name, tier) VALUES (?, ?, ?, ?)", id, slug, displayName, tier));
        } catch (DatabaseException e) {
            if (e.isUniqueViolation()) {
                throw ControlException.conflict("duplicate-slug", "a tenant with slug '" + slug + "' already exists");
            }
            throw e;
        }
        return new CreateResult(finishProvisioning(load(id).orElseThrow(), actor, "tenant.create"), true);
    }

    private TenantRecord finishProvisioning(TenantRecord tenant, Actor actor, String action) {
        createTopics(tenant.id(), partitions.forTier(tenant.tier()));
        createNamespace(tenant.id());
        db.inTenant(tenant.id(), tx -> {
            if (tx.update("UPDATE pulse.tenants SET status = ?, updated_at = now() WHERE status = ?",
                    TenantStatus.ACTIVE.wireName(), TenantStatus.PROVISIONING.wireName()) > 0) {
                AuditLog.append(tx, actor, action, Map.of("slug", tenant.slug(), "name", tenant.name(), "tier", tenant.tier()));
            }
            return null;
        });
        return load(tenant.id()).orElseThrow();
    }

    private void createTopics(TenantId tenant, int partitionCount) {
        Map<String, String> common = new java.util.HashMap<>(Map.of("max.message.bytes", Integer.toString(TOPIC_MAX_MESSAGE_BYTES)));
        if (replication.minInSync() > 0) {
            common.put("min.insync.replicas", Integer.toString(replication.minInSync()));
        }
        Map<String, String> dlq = new java.util.HashMap<>(common);
        dlq.put("retention.ms", Long.toString(TimeUnit.DAYS.toMillis(30)));
        Optional<Short> factor = replication.factor() > 0 ? Optional.of((short) replication.factor()) : Optional.empty();
        List<NewTopic> topics = List.of(
                new NewTopic(Topics.raw(tenant), Optional.of(partitionCount), factor).configs(common),
                new NewTopic(Topics.dlq(tenant), Optional.of(partitionCount), factor).configs(dlq));
        kafka.createTopics(topics).values().forEach((topic, future) -> {
            try {
                future.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new ControlException(ControlException.Kind.UNAVAILABLE, "kafka-unavailable",
                            "could not create topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw new ControlException(ControlException.Kind.UNAVAILABLE, "kafka-unavailable",
                        "timed out creating topic " + topic + "; run the request again to finish provisioning", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ControlException(ControlException.Kind.UNAVAILABLE, "interrupted", "interrupted creating " + topic, e);
            }
        });
    }

    private void createNamespace(TenantId tenant) {
        Namespace ns = LakeNames.namespace(tenant);
        try {
            catalog.createNamespace(ns, Map.of(NAMESPACE_TENANT_PROPERTY, tenant.toString()));
        } catch (AlreadyExistsException e) {
            // A previous run got this far: the namespace is already there.
        }
    }

    /**
     * Every tenant, by slug: ids from the tenant directory (which only the operator role may
     * read), each row read as the runtime role under its own RLS binding.
     */
    public List<TenantRecord> list(OperatorDatabase operator) {
        List<TenantRecord> all = new ArrayList<>();
        for (OperatorDatabase.DirectoryEntry entry : operator.tenantDirectory()) {
            load(entry.tenant()).ifPresent(all::add);
        }
        return all;
    }

    /** What a status change did: the tenant afterwards, and whether anything changed. */
    public record StatusChangeResult(TenantRecord tenant, boolean changed) {
    }

    /**
     * Suspends an active tenant: its keys are refused with 403 until it is resumed; its data,
     * topics and tables stay. Suspending a suspended tenant changes nothing.
     */
    public StatusChangeResult suspend(String slug) {
        return suspend(slug, Actor.SYSTEM);
    }

    /** Suspends; when anything changed, its audit entry ({@code tenant.suspend}) commits with it. */
    public StatusChangeResult suspend(String slug, Actor actor) {
        return changeStatus(slug, TenantStatus.ACTIVE, TenantStatus.SUSPENDED, actor, "tenant.suspend");
    }

    /** Resumes a suspended tenant. Resuming an active tenant changes nothing. */
    public StatusChangeResult resume(String slug) {
        return resume(slug, Actor.SYSTEM);
    }

    /** Resumes; when anything changed, its audit entry ({@code tenant.resume}) commits with it. */
    public StatusChangeResult resume(String slug, Actor actor) {
        return changeStatus(slug, TenantStatus.SUSPENDED, TenantStatus.ACTIVE, actor, "tenant.resume");
    }

    private StatusChangeResult changeStatus(String slug, TenantStatus from, TenantStatus to, Actor actor, String action) {
        TenantRecord tenant = requireBySlug(slug);
        if (tenant.status() == to) {
            return new StatusChangeResult(tenant, false);
        }
        int changed = db.inTenant(tenant.id(), tx -> {
            int rows = tx.update("UPDATE pulse.tenants SET status = ?, updated_at = now() WHERE status = ?", to.wireName(), from.wireName());
            if (rows > 0) {
                AuditLog.append(tx, actor, action, Map.of("slug", slug));
            }
            return rows;
        });
        if (changed == 0) {
            TenantRecord now = load(tenant.id()).orElseThrow(() -> ControlException.notFound("tenant", slug));
            if (now.status() == to) {
                return new StatusChangeResult(now, false);
            }
            throw ControlException.conflict("invalid-tenant-status", "tenant '" + slug + "' is " + now.status()
                    + "; only a" + (from == TenantStatus.ACTIVE ? "n active" : " " + from) + " tenant can become " + to
                    + (now.status() == TenantStatus.PROVISIONING ? " (run tenant create again to finish provisioning it)" : ""));
        }
        return new StatusChangeResult(load(tenant.id()).orElseThrow(), true);
    }

    /** Shortest and longest snapshot retention a tenant may be given (V8's check says the same). */
    public static final java.time.Duration MIN_SNAPSHOT_RETENTION = java.time.Duration.ofHours(1);
    public static final java.time.Duration MAX_SNAPSHOT_RETENTION = java.time.Duration.ofDays(3650);

    /** A tenant's own snapshot retention after a change; empty: its tier's default. */
    public record RetentionResult(TenantRecord tenant, Optional<java.time.Duration> snapshotRetention, boolean changed) {
    }

    /** The tenant's own snapshot retention (lake maintenance keeps hourly points this long); empty: its tier's default. */
    public Optional<java.time.Duration> snapshotRetention(TenantId id) {
        return db.inTenant(id, tx -> tx.queryOptional("SELECT snapshot_retention_ms FROM pulse.tenants WHERE tenant_id = ?",
                rs -> Optional.ofNullable((Long) rs.getObject(1)).map(java.time.Duration::ofMillis), id)).flatMap(r -> r);
    }

    /**
     * Sets how long the tenant's tables keep hourly time-travel points (null: back to its tier's
     * default). Its audit entry ({@code tenant.snapshot-retention}) commits with the change.
     */
    public RetentionResult setSnapshotRetention(String slug, java.time.Duration retention, Actor actor) {
        if (retention != null && (retention.compareTo(MIN_SNAPSHOT_RETENTION) < 0 || retention.compareTo(MAX_SNAPSHOT_RETENTION) > 0)) {
            throw new InvalidFieldException("invalid-snapshot-retention", "snapshot_retention", "snapshot retention " + retention
                    + " is out of range: use an ISO-8601 duration from PT1H to P3650D, or null for the tier's default");
        }
        TenantRecord tenant = requireBySlug(slug);
        Optional<java.time.Duration> before = snapshotRetention(tenant.id());
        if (before.equals(Optional.ofNullable(retention))) {
            return new RetentionResult(tenant, before, false);
        }
        db.inTenant(tenant.id(), tx -> {
            tx.update("UPDATE pulse.tenants SET snapshot_retention_ms = ?, updated_at = now() WHERE tenant_id = ?",
                    retention == null ? null : retention.toMillis(), tenant.id());
            Map<String, Object> detail = new java.util.LinkedHashMap<>();
            detail.put("slug", slug);
            detail.put("snapshot_retention", retention == null ? null : retention.toString());
            return AuditLog.append(tx, actor, "tenant.snapshot-retention", detail);
        });
        return new RetentionResult(tenant, Optional.ofNullable(retention), true);
    }

    private Optional<TenantRecord> findBySlug(String slug) {
        if (!Slugs.isValidSlug(slug)) {
            return Optional.empty();
        }
        return db.tenantForSlug(slug).flatMap(this::load);
    }

    public TenantRecord requireBySlug(String slug) {
        return findBySlug(slug).orElseThrow(() -> ControlException.notFound("tenant", slug));
    }

    public Optional<TenantRecord> load(TenantId id) {
        return db.inTenant(id, Tenants::current);
    }

    /** What the worker holds back for the tenant right now (empty when everything flows); see {@link IngestStatus}. */
    public List<IngestStatus> ingestStatus(TenantId id) {
        return db.inTenant(id, IngestStatus::list);
    }

    /**
     * The bound tenant's own row. Named explicitly as well as by RLS: a runtime role that was
     * (wrongly) granted BYPASSRLS must make {@code pulse doctor} report it, not fail on two rows.
     */
    public static Optional<TenantRecord> current(TenantTransaction tx) throws SQLException {
        return tx.queryOptional("SELECT tenant_id, slug, name, tier, status, created_at FROM pulse.tenants WHERE tenant_id = ?",
                Tenants::map, tx.tenant());
    }

    static TenantRecord map(ResultSet rs) throws SQLException {
        return new TenantRecord(new TenantId(rs.getObject("tenant_id", java.util.UUID.class)), rs.getString("slug"),
                rs.getString("name"), rs.getString("tier"), TenantStatus.fromWireName(rs.getString("status")), TenantTransaction.instant(rs, "created_at"));
    }
}

package dev.pulse.control.lifecycle.deletion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.control.audit.Actor;
import dev.pulse.control.keys.KeyCache;
import dev.pulse.schemas.directory.TenantStatus;
import dev.pulse.schemas.naming.Slugs;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.io.FileIO;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@code pulse tenant delete}: removes one tenant from every store and proves it with a signed
 * certificate. A resumable job: the job row (V14, {@link DeletionJournal}) records each finished
 * step, every step is idempotent, so a run that dies anywhere is finished by running it again.
 *
 * <p>Order, and why: mark the tenant {@code deleting} first (its keys are refused by every
 * replica within {@link KeyCache#TTL}; the job waits that long), then the topics (nothing new
 * reaches the worker; the brokers never auto-create them again), then the tables (the worker can
 * no longer commit to them), then the rows (last, because the tenant row and its keys are what
 * stops the services; the directory's slug and key ids go with them, freeing the slug), then the
 * audit entries. Then every store is checked for what is left; only a clean check gets a
 * certificate, and the tombstone with the certificate's hash closes the job.
 */
public final class TenantDeletion {
    /** Late writers (a batch in flight, a usage total) may bring a row back once; the job looks again after this. */
    static final Duration SETTLE = Duration.ofSeconds(1);
    private static final int ROW_PASSES = 5;

    /** Called at each {@link DeletionCrashPoint}; a test's callback throws to stop the job there. */
    @FunctionalInterface
    public interface CrashHook {
        void reached(DeletionCrashPoint point);
    }

    public static final CrashHook NO_CRASH = point -> {
    };

    private final TenantDatabase db;
    private final DeletionJournal journal;
    private final KafkaStore kafka;
    private final LakeStore lake;
    private final TenantRows rows;
    private final Clock clock;

    public TenantDeletion(TenantDatabase db, String operatorDatabaseUrl, Admin kafka, Catalog catalog, FileIO io, String warehouse, Clock clock) {
        this.db = db;
        this.journal = new DeletionJournal(operatorDatabaseUrl);
        this.kafka = new KafkaStore(kafka);
        this.lake = new LakeStore(catalog, io, warehouse);
        this.rows = new TenantRows(db);
        this.clock = clock;
    }

    /** What a finished deletion produced: the signed certificate, where it was written, and whether this run resumed a job. */
    public record DeletionResult(TenantId tenant, String slug, ObjectNode certificate, Path certificateFile, String certificateSha256,
            boolean resumed) {
    }

    public DeletionResult delete(String slug, Actor actor, SigningKey key, Path certificateFile) {
        return delete(slug, actor, key, certificateFile, NO_CRASH);
    }

    public DeletionResult delete(String slug, Actor actor, SigningKey key, Path certificateFile, CrashHook crash) {
        if (!Slugs.isValidSlug(slug)) {
            throw new DeletionException("'" + slug + "' is not a tenant slug");
        }
        Optional<DeletionJournal.Job> open = journal.job(slug);
        boolean resumed = open.isPresent();
        DeletionJournal.Job job = open.orElseGet(() -> start(slug, actor));
        TenantId tenant = job.tenant();
        ObjectNode removed = job.removed();
        DeletionStep step = job.step();
        String startedBy = job.actor();

        if (!step.reached(DeletionStep.TOPICS_DELETED)) {
            markDeleting(tenant);
            rows.requireDeletable(tenant);
            // Every replica's key cache has seen the status by now: no key of the tenant is accepted any more.
            LockSupport.parkNanos(KeyCache.TTL.multipliedBy(2).toNanos());
            if (!removed.has(KafkaStore.STORE)) {
                ObjectNode measured = JsonNodeFactory.instance.objectNode().set(KafkaStore.STORE, kafka.measure(tenant));
                journal.record(tenant, slug, startedBy, step, measured);
                removed.setAll(measured);
            }
            kafka.delete(tenant);
            journal.record(tenant, slug, startedBy, step = DeletionStep.TOPICS_DELETED, null);
        }
        crash.reached(DeletionCrashPoint.AFTER_TOPICS_DELETED);

        if (!step.reached(DeletionStep.TABLES_DROPPED)) {
            if (!removed.has(LakeStore.STORE)) {
                ObjectNode measured = JsonNodeFactory.instance.objectNode().set(LakeStore.STORE, lake.measure(tenant));
                journal.record(tenant, slug, startedBy, step, measured);
                removed.setAll(measured);
            }
            lake.delete(tenant);
            journal.record(tenant, slug, startedBy, step = DeletionStep.TABLES_DROPPED, null);
        }
        crash.reached(DeletionCrashPoint.AFTER_TABLES_DROPPED);

        if (!step.reached(DeletionStep.ROWS_DELETED)) {
            ObjectNode counted = deleteRows(tenant, removed.path(TenantRows.STORE));
            ObjectNode recorded = JsonNodeFactory.instance.objectNode().set(TenantRows.STORE, counted);
            journal.record(tenant, slug, startedBy, step = DeletionStep.ROWS_DELETED, recorded);
            removed.setAll(recorded);
        }
        crash.reached(DeletionCrashPoint.AFTER_ROWS_DELETED);

        if (!step.reached(DeletionStep.AUDIT_ERASED)) {
            long entries = journal.eraseAudit(tenant);
            long before = removed.path("audit_log").path("entries").asLong(0);
            ObjectNode recorded = JsonNodeFactory.instance.objectNode();
            recorded.putObject("audit_log").put("entries", before + entries);
            journal.record(tenant, slug, startedBy, step = DeletionStep.AUDIT_ERASED, recorded);
            removed.setAll(recorded);
        }

        ObjectNode verification = verifyAbsence(tenant);
        if (!verification.path("absent").asBoolean()) {
            throw new DeletionException("tenant " + slug + " (" + tenant + ") is not gone from every store: " + verification
                    + "; no certificate was written; run the deletion again");
        }
        ObjectNode body = certificateBody(tenant, slug, startedBy, job, removed, verification);
        ObjectNode certificate = DeletionCertificate.sign(body, key);
        String sha256 = DeletionCertificate.sha256(certificate);
        write(certificateFile, DeletionCertificate.text(certificate));
        crash.reached(DeletionCrashPoint.AFTER_CERTIFICATE_WRITTEN);
        journal.finish(tenant, startedBy, sha256);
        return new DeletionResult(tenant, slug, certificate, certificateFile, sha256, resumed);
    }

    /**
     * Checks every store for the tenant's traces: Kafka (topics, group offsets, tenant-named
     * groups, open transactions), the lake (namespace, tables, files under its folder), every
     * tenant table's row count (as pulse_app bound to the tenant id), the directory (slug, key ids,
     * audit entries other than the tombstone, as the operator role). {@code absent} is true when
     * nothing is left anywhere.
     */
    public ObjectNode verifyAbsence(TenantId tenant) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ObjectNode stores = out.putObject("stores");
        ObjectNode k = kafka.remaining(tenant);
        boolean kafkaClean = k.path("topics").isEmpty() && k.path("group_offsets").isEmpty() && k.path("tenant_named_groups").isEmpty()
                && k.path("open_transactions").isEmpty();
        stores.set(KafkaStore.STORE, check("listed every topic; listed every consumer group's committed offsets; listed every group's name; "
                + "described every open transaction's partitions", k, kafkaClean));
        ObjectNode l = lake.remaining(tenant);
        boolean lakeClean = !l.path("namespace").asBoolean() && l.path("tables").asLong() == 0 && l.path("files").asLong() == 0;
        stores.set(LakeStore.STORE, check("asked the catalog for the namespace and its tables; listed every file under " + lake.folder(tenant),
                l, lakeClean));
        Map<String, Long> counts = rows.count(tenant);
        boolean rowsClean = counts.values().stream().allMatch(n -> n == 0);
        stores.set(TenantRows.STORE, check("counted the tenant's rows in every tenant table found from the catalog (" + counts.size()
                + " tables), as pulse_app bound to the tenant id", TenantRows.json(counts), rowsClean));
        Map<String, Long> traces = journal.traces(tenant);
        boolean directoryClean = traces.values().stream().allMatch(n -> n == 0);
        stores.set("directory", check("counted the tenant's slug, key ids and audit entries (other than the tombstone) in pulse_directory, "
                + "as pulse_operator", TenantRows.json(traces), directoryClean));
        out.put("absent", kafkaClean && lakeClean && rowsClean && directoryClean);
        return out;
    }

    private static ObjectNode check(String performed, JsonNode remaining, boolean clean) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("performed", performed);
        out.set("remaining", remaining);
        out.put("result", clean ? "absent" : "present");
        return out;
    }

    private DeletionJournal.Job start(String slug, Actor actor) {
        TenantId tenant = db.tenantForSlug(slug).orElseThrow(() -> new DeletionException(
                "no tenant '" + slug + "' (and no unfinished deletion of it)"));
        journal.record(tenant, slug, actor.name(), DeletionStep.STARTED, null);
        return journal.job(slug).orElseThrow(() -> new DeletionException("the deletion job of '" + slug + "' vanished as it started"));
    }

    private void markDeleting(TenantId tenant) {
        db.inTenant(tenant, tx -> tx.update("UPDATE pulse.tenants SET status = ?, updated_at = now() WHERE tenant_id = ? AND status <> ?",
                TenantStatus.DELETING.wireName(), tenant, TenantStatus.DELETING.wireName()));
    }

    /** Deletes every row, then looks again after {@link #SETTLE} until a pass finds none; returns the rows removed per table. */
    private ObjectNode deleteRows(TenantId tenant, JsonNode earlier) {
        ObjectNode total = JsonNodeFactory.instance.objectNode();
        earlier.fields().forEachRemaining(e -> total.put(e.getKey(), e.getValue().asLong()));
        for (int pass = 0; pass < ROW_PASSES; pass++) {
            Map<String, Long> removed = rows.delete(tenant);
            removed.forEach((table, n) -> total.put(table, total.path(table).asLong(0) + n));
            if (pass > 0 && removed.values().stream().allMatch(n -> n == 0)) {
                return total;
            }
            LockSupport.parkNanos(SETTLE.toNanos());
        }
        if (rows.count(tenant).values().stream().anyMatch(n -> n > 0)) {
            throw new DeletionException("rows of tenant " + tenant + " keep coming back (a service still writes for it); stop it and run the deletion again");
        }
        return total;
    }

    private ObjectNode certificateBody(TenantId tenant, String slug, String actor, DeletionJournal.Job job, ObjectNode removed,
            ObjectNode verification) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("format", DeletionCertificate.FORMAT);
        body.putObject("tenant").put("id", tenant.toString()).put("slug", slug);
        body.put("actor", actor);
        body.put("started_at", job.startedAt().toString());
        body.put("verified_at", clock.instant().toString());
        ObjectNode stores = body.putObject("stores");
        for (String store : new String[] {KafkaStore.STORE, LakeStore.STORE, TenantRows.STORE}) {
            ObjectNode s = stores.putObject(store);
            s.set("removed", removed.path(store).isMissingNode() ? JsonNodeFactory.instance.objectNode() : removed.get(store));
            s.set("verification", verification.path("stores").path(store));
        }
        ObjectNode directory = stores.putObject("directory");
        ObjectNode removedDirectory = directory.putObject("removed");
        removedDirectory.put("audit_entries", removed.path("audit_log").path("entries").asLong(0));
        removedDirectory.put("slug_and_key_ids", "with the tenant's rows (triggers on pulse.tenants and pulse.api_keys)");
        directory.set("verification", verification.path("stores").path("directory"));
        directory.put("kept", "one audit tombstone: tenant id, time, actor, this certificate's SHA-256 (action tenant.deleted)");
        ObjectNode caches = stores.putObject("caches");
        caches.put("removed", "the tenant was marked deleting before anything else; API and lake-query key caches re-read a key "
                + "within " + KeyCache.TTL.toMillis() + " ms and the job waited " + KeyCache.TTL.multipliedBy(2).toMillis()
                + " ms before deleting; once its rows are gone its keys are unknown");
        ObjectNode shared = stores.putObject("shared_streams");
        shared.put("not_removed", "the internal usage topic and the usage application's state hold per-minute counts keyed by tenant id "
                + "(no event content); they are shared by every tenant, cannot be cut per tenant, and expire with the topic's retention (7 days) "
                + "and the window store's (1 h grace); the usage sink writes nothing for a tenant that no longer exists. "
                + "The DLQ replay's transactional id names the tenant id; brokers expire it after transactional.id.expiration.ms (default 7 days)");
        body.put("result", "verified: no trace of the tenant found in any store above");
        return body;
    }

    private static void write(Path file, String text) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temporary = parent.resolve(file.getFileName() + ".tmp");
            Files.writeString(temporary, text);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the certificate " + file, e);
        }
    }
}

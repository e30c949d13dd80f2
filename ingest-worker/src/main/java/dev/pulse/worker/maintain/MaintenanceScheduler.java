package dev.pulse.worker.maintain;

import dev.pulse.schemas.directory.DatasetRecord;
import dev.pulse.schemas.directory.DatasetDirectory;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schedules lake maintenance inside a worker: the tables of every tenant whose raw topic's
 * partition 0 this worker owns (each tenant has exactly one such owner in the group at a time;
 * during a rebalance two may briefly overlap, which the per-table lock makes harmless).
 *
 * <p>One scheduling thread makes a pass every few seconds; a table is visited at most once per
 * {@code PULSE_MAINTENANCE_INTERVAL}. Tenants are visited in a rotating order, so no tenant is
 * always last; each visit's work is bounded (compaction input per run, expiry of what is due), so
 * one large table cannot hold the others back for long. The work runs on
 * {@code PULSE_MAINTENANCE_THREADS} low-priority threads: at most that many tables at once, each
 * a commit or two beside the worker's, never in the consume loop's thread.
 */
public final class MaintenanceScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceScheduler.class);

    private final TenantDatabase db;
    private final TableMaintenance maintenance;
    private final Supplier<Set<TenantId>> ownedTenants;
    private final Duration interval;
    private final Duration tick;
    private final ExecutorService workers;
    private final Semaphore slots;
    private final Thread thread;
    private final Map<String, Long> lastVisit = new ConcurrentHashMap<>();
    private final Map<TenantId, Long> lastListed = new ConcurrentHashMap<>();
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    private int cursor;

    public MaintenanceScheduler(TenantDatabase db, TableMaintenance maintenance, Supplier<Set<TenantId>> ownedTenants, MaintenanceConfig config) {
        this.db = db;
        this.maintenance = maintenance;
        this.ownedTenants = ownedTenants;
        this.interval = config.interval();
        this.tick = Duration.ofMillis(Math.max(50, Math.min(5_000, config.interval().toMillis() / 4)));
        this.slots = new Semaphore(config.threads());
        this.workers = Executors.newFixedThreadPool(config.threads(), r -> {
            Thread t = new Thread(r, "pulse-maintenance-work");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
        this.thread = Thread.ofPlatform().name("pulse-maintenance").daemon().priority(Thread.MIN_PRIORITY).unstarted(this::loop);
    }

    public MaintenanceScheduler start() {
        thread.start();
        return this;
    }

    private void loop() {
        while (!stopping) {
            try {
                pass();
            } catch (RuntimeException e) {
                LOG.warn("maintenance pass failed: {}", e.toString());
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(tick);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One round over the owned tenants' tables, starting one tenant further each time. */
    private void pass() throws InterruptedException {
        List<TenantId> tenants = new ArrayList<>(ownedTenants.get());
        if (tenants.isEmpty()) {
            return;
        }
        tenants.sort(java.util.Comparator.comparing(TenantId::toString));
        int start = Math.floorMod(cursor++, tenants.size());
        long now = System.currentTimeMillis();
        for (int i = 0; i < tenants.size() && !stopping; i++) {
            TenantId tenant = tenants.get((start + i) % tenants.size());
            // A tenant's datasets are listed once per interval, not at every pass: a thousand
            // tenants cost a thousand small queries a minute, not every few seconds.
            Long listed = lastListed.get(tenant);
            if (listed != null && now - listed < interval.toMillis()) {
                continue;
            }
            lastListed.put(tenant, now);
            List<DatasetRecord> datasets;
            try {
                datasets = db.inTenant(tenant, DatasetDirectory::list);
            } catch (RuntimeException e) {
                LOG.warn("maintenance: cannot list the datasets of tenant {}: {}", tenant, e.toString());
                continue;
            }
            for (DatasetRecord dataset : datasets) {
                String key = tenant + "/" + dataset.slug();
                Long last = lastVisit.get(key);
                if ((last != null && now - last < interval.toMillis()) || running.contains(key)) {
                    continue;
                }
                slots.acquire();
                if (stopping) {
                    slots.release();
                    return;
                }
                running.add(key);
                lastVisit.put(key, now);
                workers.execute(() -> {
                    try {
                        maintenance.maintain(tenant, dataset, TableMaintenance.Mode.SCHEDULED);
                    } catch (RuntimeException e) {
                        LOG.warn("maintenance of dataset '{}' of tenant {} failed: {}", dataset.slug(), tenant, e.toString());
                    } finally {
                        running.remove(key);
                        slots.release();
                    }
                });
            }
        }
    }

    /** Stops scheduling and waits (bounded) for the tables in progress. */
    @Override
    public void close() {
        stopping = true;
        thread.interrupt();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("lake maintenance still running after 60 s; closing anyway");
            }
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

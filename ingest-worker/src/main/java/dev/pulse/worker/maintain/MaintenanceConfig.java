package dev.pulse.worker.maintain;

import dev.pulse.schemas.config.ConfigException;
import dev.pulse.schemas.config.Settings;
import dev.pulse.schemas.config.ConfigKey;
import dev.pulse.schemas.config.PulseKeys;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Lake maintenance settings, part of the worker's configuration and read with it. Durations are
 * ISO-8601 ({@code PT10M}, {@code P7D}) or a number of milliseconds.
 */
public final class MaintenanceConfig {
    private final boolean enabled;
    private final Duration interval;
    private final int threads;
    private final Duration keepAll;
    private final Duration retentionFree;
    private final Duration retentionStandard;
    private final Duration retentionEnterprise;
    private final long targetFileBytes;
    private final int minInputFiles;
    private final long maxInputBytes;
    private final Duration coldAfter;
    private final Duration orphanMinAge;
    private final Duration orphanInterval;

    private MaintenanceConfig(Settings settings, Duration maxBatchDuration) {
        this.enabled = settings.get(PulseKeys.MAINTENANCE_ENABLED);
        this.interval = settings.get(PulseKeys.MAINTENANCE_INTERVAL);
        this.threads = settings.get(PulseKeys.MAINTENANCE_THREADS);
        this.keepAll = settings.get(PulseKeys.SNAPSHOT_KEEP_ALL);
        this.retentionFree = settings.get(PulseKeys.SNAPSHOT_RETENTION_FREE);
        this.retentionStandard = settings.get(PulseKeys.SNAPSHOT_RETENTION);
        this.retentionEnterprise = settings.get(PulseKeys.SNAPSHOT_RETENTION_ENTERPRISE);
        this.targetFileBytes = settings.get(PulseKeys.COMPACTION_TARGET_FILE_BYTES);
        this.minInputFiles = settings.get(PulseKeys.COMPACTION_MIN_INPUT_FILES);
        this.maxInputBytes = settings.get(PulseKeys.COMPACTION_MAX_INPUT_BYTES);
        this.coldAfter = settings.get(PulseKeys.COMPACTION_COLD_AFTER);
        this.orphanMinAge = settings.get(PulseKeys.ORPHAN_MIN_AGE);
        this.orphanInterval = settings.get(PulseKeys.ORPHAN_SCAN_INTERVAL);
        if (maxInputBytes < targetFileBytes) {
            throw new ConfigException(PulseKeys.COMPACTION_MAX_INPUT_BYTES.name() + "=" + maxInputBytes + " must be at least " + PulseKeys.COMPACTION_TARGET_FILE_BYTES.name() + "=" + targetFileBytes);
        }
        if (orphanMinAge.compareTo(maxBatchDuration.multipliedBy(2)) < 0) {
            throw new ConfigException(PulseKeys.ORPHAN_MIN_AGE.name() + "=" + orphanMinAge + " must be at least twice the longest batch ("
                    + maxBatchDuration + ", PULSE_WORKER_MAX_POLL_INTERVAL_MS): a batch's files are on disk before its commit");
        }
    }

    /** {@code maxBatchDuration}: the longest a batch may hold written files before committing them. */
    public static MaintenanceConfig from(Settings settings, Duration maxBatchDuration) {
        return new MaintenanceConfig(settings, maxBatchDuration);
    }

    /** The keys this configuration reads (declared in {@link PulseKeys}), for help texts. */
    public static List<ConfigKey<?>> keys() {
        return List.of(PulseKeys.MAINTENANCE_ENABLED, PulseKeys.MAINTENANCE_INTERVAL, PulseKeys.MAINTENANCE_THREADS, PulseKeys.SNAPSHOT_KEEP_ALL,
                PulseKeys.SNAPSHOT_RETENTION_FREE, PulseKeys.SNAPSHOT_RETENTION, PulseKeys.SNAPSHOT_RETENTION_ENTERPRISE,
                PulseKeys.COMPACTION_TARGET_FILE_BYTES, PulseKeys.COMPACTION_MIN_INPUT_FILES, PulseKeys.COMPACTION_MAX_INPUT_BYTES,
                PulseKeys.COMPACTION_COLD_AFTER, PulseKeys.ORPHAN_MIN_AGE, PulseKeys.ORPHAN_SCAN_INTERVAL);
    }

    public boolean enabled() {
        return enabled;
    }

    public Duration interval() {
        return interval;
    }

    public int threads() {
        return threads;
    }

    public Duration keepAll() {
        return keepAll;
    }

    /** The tier's retention of hourly points; a tenant's own setting replaces it. */
    public Duration retentionFor(String tier, Optional<Duration> tenantSetting) {
        if (tenantSetting.isPresent()) {
            return tenantSetting.get();
        }
        return switch (tier) {
            case "free" -> retentionFree;
            case "enterprise" -> retentionEnterprise;
            default -> retentionStandard;
        };
    }

    public long targetFileBytes() {
        return targetFileBytes;
    }

    public int minInputFiles() {
        return minInputFiles;
    }

    public long maxInputBytes() {
        return maxInputBytes;
    }

    public Duration coldAfter() {
        return coldAfter;
    }

    public Duration orphanMinAge() {
        return orphanMinAge;
    }

    public Duration orphanInterval() {
        return orphanInterval;
    }
}

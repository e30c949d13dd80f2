package dev.pulse.worker.dlq;

import java.util.Locale;

/** The step of the loop where a record failed, in the {@code pulse-error-stage} header. */
public enum Stage {
    DECODE, TENANT, DATASET, VALIDATE, WRITE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

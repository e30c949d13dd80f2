package dev.pulse.schemas.usage;

import java.util.Arrays;
import java.util.Optional;

/** What a usage record counts, and what its dimension is. The wire and column name is {@link #wireName()}. */
public enum UsageMetric {
    /** Events a {@code POST /v1/events} produced (202); no dimension. */
    EVENTS_ACCEPTED("events_accepted"),
    /** Bytes of those events as produced (the envelope each record carries); no dimension. */
    BYTES_ACCEPTED("bytes_accepted"),
    /** Requests of an authenticated key that {@code POST /v1/events} refused; dimension: the HTTP status ("429"). */
    REQUESTS_REFUSED("requests_refused"),
    /** Records the worker sent to the tenant's DLQ; dimension: the error code ("schema-violation"). */
    EVENTS_DEAD_LETTERED("events_dead_lettered"),
    /** Rows a table commit of the worker added; dimension: the dataset slug. */
    ROWS_LANDED("rows_landed"),
    /** Dead letters sent back to the raw topic by a replay; dimension: free (the dead letter's reason, or ''). */
    DEAD_LETTERS_REPLAYED("dead_letters_replayed"),
    /** Dead letters marked resolved without a replay; dimension: free (the dead letter's reason, or ''). */
    DEAD_LETTERS_DROPPED("dead_letters_dropped");

    private final String wireName;

    UsageMetric(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<UsageMetric> fromWireName(String name) {
        return Arrays.stream(values()).filter(m -> m.wireName.equals(name)).findFirst();
    }
}

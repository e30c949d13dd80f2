package dev.pulse.schemas.deadletters;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which dead letters a list, drop or replay is about: a dataset, a reason (error code), a time
 * range of the first failure ({@code since} inclusive, {@code until} exclusive), explicit ids, and
 * the states considered. Null or empty means "any".
 */
public record DeadLetterFilter(String dataset, String reason, Instant since, Instant until, List<String> ids, Set<DeadLetterState> states) {
    public static final DeadLetterFilter ALL = new DeadLetterFilter(null, null, null, null, List.of(), Set.of());

    public DeadLetterFilter {
        ids = ids == null ? List.of() : List.copyOf(ids);
        states = states == null ? Set.of() : Set.copyOf(states);
    }

    public DeadLetterFilter withStates(Set<DeadLetterState> newStates) {
        return new DeadLetterFilter(dataset, reason, since, until, ids, newStates);
    }

    /** The SQL condition (after {@code WHERE}) and its parameters, in order. */
    record Sql(String where, List<Object> params) {
    }

    Sql sql() {
        StringBuilder where = new StringBuilder("TRUE");
        List<Object> params = new ArrayList<>();
        if (dataset != null) {
            where.append(" AND dataset = ?");
            params.add(dataset);
        }
        if (reason != null) {
            where.append(" AND reason = ?");
            params.add(reason);
        }
        if (since != null) {
            where.append(" AND first_failed_at >= ?");
            params.add(since);
        }
        if (until != null) {
            where.append(" AND first_failed_at < ?");
            params.add(until);
        }
        if (!ids.isEmpty()) {
            where.append(" AND id = ANY(?)");
            params.add(ids.toArray(String[]::new));
        }
        if (!states.isEmpty()) {
            where.append(" AND state = ANY(?)");
            params.add(states.stream().map(DeadLetterState::wireName).sorted().toArray(String[]::new));
        }
        return new Sql(where.toString(), params);
    }

    /** As recorded in the audit log and the replay run. */
    public Map<String, Object> describe() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dataset", dataset);
        json.put("reason", reason);
        json.put("since", since == null ? null : since.toString());
        json.put("until", until == null ? null : until.toString());
        json.put("ids", ids);
        json.put("states", states.stream().map(DeadLetterState::wireName).sorted().toList());
        return json;
    }
}

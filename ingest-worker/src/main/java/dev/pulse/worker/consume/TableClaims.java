package dev.pulse.worker.consume;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a committed group offset claims about the tables, kept in the offset's metadata string
 * and so written in the same Kafka transaction as the offset itself: per table (its name in the
 * tenant's namespace), the next offset of this partition the table held when the group offset
 * moved. On assignment, a table whose stored offset is below its claim has lost a commit (its
 * catalog went back to older metadata) and the partition is re-read from the table's own offset.
 *
 * <p>Format: {@code pulse1:{"<table>":<next offset>,...}}. Brokers keep at most
 * {@code offset.metadata.max.bytes} (4096 by default) per offset, so a claim set longer than
 * {@link #MAX_CHARS} drops its smallest claims first (the tables this partition fed longest ago);
 * a dropped table is no longer checked, and the log says so.
 */
final class TableClaims {
    private static final Logger LOG = LoggerFactory.getLogger(TableClaims.class);
    static final String PREFIX = "pulse1:";
    static final int MAX_CHARS = 3500;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TableClaims() {
    }

    /** The claims in an offset's metadata; empty for metadata Pulse did not write (or an older worker's). */
    static Map<String, Long> parse(String metadata) {
        Map<String, Long> out = new TreeMap<>();
        if (metadata == null || !metadata.startsWith(PREFIX)) {
            return out;
        }
        try {
            JsonNode node = MAPPER.readTree(metadata.substring(PREFIX.length()));
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().canConvertToLong()) {
                    out.put(e.getKey(), e.getValue().asLong());
                }
            }
        } catch (JsonProcessingException e) {
            LOG.warn("ignoring unreadable table claims in the group offset's metadata: {}", metadata);
        }
        return out;
    }

    static String format(Map<String, Long> claims) {
        Map<String, Long> kept = new TreeMap<>(claims);
        String text = render(kept);
        int dropped = 0;
        while (text.length() > MAX_CHARS && !kept.isEmpty()) {
            kept.remove(kept.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey());
            dropped++;
            text = render(kept);
        }
        if (dropped > 0) {
            LOG.debug("the group offset's metadata has room for {} table claims; {} tables fed longest ago are no longer checked for lost commits",
                    kept.size(), dropped);
        }
        return text;
    }

    /** {@code base} with every claim of {@code newer} raised to at least its value. */
    static Map<String, Long> merge(Map<String, Long> base, Map<String, Long> newer) {
        Map<String, Long> out = new LinkedHashMap<>(base);
        newer.forEach((table, next) -> out.merge(table, next, Math::max));
        return out;
    }

    private static String render(Map<String, Long> claims) {
        ObjectNode node = MAPPER.createObjectNode();
        claims.forEach(node::put);
        return PREFIX + node;
    }
}

package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pulse usage --tenant T [--from I] [--to I] [--granularity minute|hour|day] [--json]}: the
 * tenant's usage from {@code GET /admin/v1/tenants/{slug}/usage}, one line per period with usage
 * and a total line (a metric with dimensions shows its sum, then each dimension's count).
 */
@Command(name = "usage", description = "A tenant's usage per minute, hour or day (events, bytes, refusals, dead letters, rows landed).",
        mixinStandardHelpOptions = true)
final class UsageCommand extends Verb.TenantVerb {
    @Option(names = "--from", description = "first instant, RFC 3339 UTC (default: 24 hours before --to)")
    String from;
    @Option(names = "--to", description = "end, exclusive (default: the end of the current minute)")
    String to;
    @Option(names = "--granularity", description = "minute, hour (default) or day")
    String granularity;

    private static final List<Output.Column> COLUMNS = List.of(
            Output.Column.of("PERIOD", "start"),
            Output.Column.of("EVENTS", "events_accepted"),
            Output.Column.of("BYTES", "bytes_accepted"),
            new Output.Column("REFUSED", row -> byDimension(row.path("requests_refused"))),
            new Output.Column("DEAD-LETTERED", row -> byDimension(row.path("events_dead_lettered"))),
            new Output.Column("ROWS LANDED", row -> byDimension(row.path("rows_landed"))),
            new Output.Column("REPLAYED", row -> byDimension(row.path("dead_letters_replayed"))),
            new Output.Column("DROPPED", row -> byDimension(row.path("dead_letters_dropped"))));

    @Override
    void run() {
        List<String> query = new ArrayList<>();
        for (Map.Entry<String, String> p : Map.of("from", from == null ? "" : from, "to", to == null ? "" : to,
                "granularity", granularity == null ? "" : granularity).entrySet()) {
            if (!p.getValue().isEmpty()) {
                query.add(p.getKey() + "=" + OperatorClient.segment(p.getValue()));
            }
        }
        JsonNode usage = client().get(path("/usage") + (query.isEmpty() ? "" : "?" + String.join("&", query)));
        if (json) {
            emit(usage, null);
            return;
        }
        ArrayNode rows = OperatorClient.JSON.createArrayNode();
        usage.path("periods").forEach(rows::add);
        ObjectNode total = ((ObjectNode) usage.path("totals").deepCopy()).put("start", "total");
        rows.add(total);
        out().println("usage of " + tenant + " from " + usage.path("from").asText() + " to " + usage.path("to").asText()
                + " per " + usage.path("granularity").asText());
        emitTable(rows, COLUMNS);
    }

    /** "0", "7", or "7 (a 3, b 4)" for a metric counted by dimension. */
    private static String byDimension(JsonNode counts) {
        long sum = 0;
        List<String> parts = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = counts.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            sum += e.getValue().asLong();
            parts.add((e.getKey().isEmpty() ? "-" : e.getKey()) + " " + e.getValue().asLong());
        }
        return parts.size() <= 1 && (parts.isEmpty() || parts.getFirst().startsWith("- ")) ? Long.toString(sum)
                : sum + " (" + String.join(", ", parts) + ")";
    }
}

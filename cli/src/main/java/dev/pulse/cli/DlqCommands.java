package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.schemas.config.Settings;
import dev.pulse.schemas.deadletters.DeadLetterFilter;
import dev.pulse.schemas.deadletters.DeadLetterRow;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import dev.pulse.worker.WorkerConfig;
import dev.pulse.worker.dlq.DlqReplay;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "dlq", description = "A tenant's dead letters: list, show, replay, drop.",
        subcommands = {DlqCommands.ListDeadLetters.class, DlqCommands.Show.class, DlqCommands.Replay.class, DlqCommands.Drop.class},
        mixinStandardHelpOptions = true)
final class DlqCommands {

    /** The filter options list, replay and drop share. */
    abstract static class FilteredVerb extends Verb.TenantVerb {
        @Option(names = "--dataset", description = "only this dataset")
        String dataset;
        @Option(names = "--reason", description = "only this error code (schema-violation, unknown-dataset, malformed-envelope, …)")
        String reason;
        @Option(names = "--since", description = "first failure at or after this instant (RFC 3339)")
        String since;
        @Option(names = "--until", description = "first failure before this instant (RFC 3339)")
        String until;

        Instant instant(String option, String text) {
            if (text == null) {
                return null;
            }
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), option + " must be an RFC 3339 instant, e.g. 2026-03-01T00:00:00Z");
            }
        }

        DeadLetterFilter filter(List<String> ids) {
            for (String id : ids) {
                if (!DeadLetterRow.isId(id)) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "not a dead-letter id: " + id + " (ids look like 0-1234)");
                }
            }
            return new DeadLetterFilter(dataset, reason, instant("--since", since), instant("--until", until), ids, Set.of());
        }

        String query(int limit) {
            StringBuilder q = new StringBuilder("?limit=" + limit);
            add(q, "dataset", dataset);
            add(q, "reason", reason);
            add(q, "since", since);
            add(q, "until", until);
            return q.toString();
        }

        private static void add(StringBuilder q, String name, String value) {
            if (value != null) {
                q.append('&').append(name).append('=').append(OperatorClient.segment(value));
            }
        }
    }

    @Command(name = "list", description = "Counts of the tenant's dead letters by state, reason, dataset and day, and the newest samples.",
            mixinStandardHelpOptions = true)
    static final class ListDeadLetters extends FilteredVerb {
        @Option(names = "--state", description = "only this state: open, replaying, replayed, dropped, parked")
        String state;
        @Option(names = "--samples", defaultValue = "5", description = "newest samples to show (0 to 1000; default 5)")
        int samples;

        @Override
        void run() {
            filter(List.of()); // checks the instants before asking
            String q = query(samples) + (state == null ? "" : "&state=" + OperatorClient.segment(state));
            JsonNode result = client().get(path("/dlq" + q));
            emit(result, readable(result));
        }

        private String readable(JsonNode result) {
            JsonNode counts = result.path("counts");
            StringBuilder s = new StringBuilder();
            s.append(counts.path("total").asLong()).append(" dead letter(s) of ").append(tenant).append('\n');
            section(s, "by state", counts.path("by_state"));
            section(s, "by reason", counts.path("by_reason"));
            section(s, "by dataset", counts.path("by_dataset"));
            section(s, "by day (first failure, UTC)", counts.path("by_day"));
            if (result.path("samples").size() > 0) {
                s.append("newest:\n");
                for (JsonNode d : result.path("samples")) {
                    s.append("  ").append(d.path("id").asText()).append("  ").append(d.path("state").asText()).append("  ")
                            .append(d.path("reason").asText()).append("  dataset ").append(d.path("dataset").asText("-"))
                            .append("  event ").append(d.path("event_id").asText("-")).append("  attempts ").append(d.path("attempts").asInt())
                            .append("  first failed ").append(d.path("first_failed_at").asText()).append('\n');
                    s.append("    source partition ").append(d.path("source").path("partition").asInt()).append(" offset ")
                            .append(d.path("source").path("offset").asLong()).append('\n');
                    for (JsonNode v : d.path("violations")) {
                        s.append("    ").append(v.path("pointer").asText()).append(": ").append(v.path("message").asText()).append('\n');
                    }
                    if (d.path("violations").isEmpty()) {
                        s.append("    ").append(abbreviate(d.path("message").asText(), 200)).append('\n');
                    }
                    s.append("    payload ").append(abbreviate(d.path("payload").toString(), 300)).append('\n');
                }
            }
            return s.toString().stripTrailing();
        }

        private static void section(StringBuilder s, String title, JsonNode counts) {
            if (counts.isEmpty()) {
                return;
            }
            s.append(title).append(":\n");
            Iterator<Map.Entry<String, JsonNode>> it = counts.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                s.append(String.format("  %-28s %d%n", e.getKey().isEmpty() ? "(none)" : e.getKey(), e.getValue().asLong()));
            }
        }
    }

    @Command(name = "show", description = "One dead letter by its id: reason, violations, source coordinates, attempts, state, payload.",
            mixinStandardHelpOptions = true)
    static final class Show extends Verb.TenantVerb {
        @Parameters(index = "0", description = "the dead letter's id (as `pulse dlq list` prints it, e.g. 0-1234)")
        String id;

        @Override
        void run() {
            JsonNode d = client().get(path("/dlq/" + OperatorClient.segment(id)));
            StringBuilder s = new StringBuilder();
            s.append(d.path("id").asText()).append(": ").append(d.path("state").asText()).append(", ").append(d.path("reason").asText())
                    .append(" at stage ").append(d.path("stage").asText()).append(", ").append(d.path("attempts").asInt()).append(" attempt(s)\n");
            s.append("dataset ").append(d.path("dataset").asText("-")).append(", event ").append(d.path("event_id").asText("-")).append('\n');
            s.append("source partition ").append(d.path("source").path("partition").asInt()).append(" offset ").append(d.path("source").path("offset").asLong())
                    .append("; latest DLQ record partition ").append(d.path("dlq").path("partition").asInt()).append(" offset ")
                    .append(d.path("dlq").path("offset").asLong()).append('\n');
            s.append("first failed ").append(d.path("first_failed_at").asText()).append(", last ").append(d.path("last_failed_at").asText()).append('\n');
            if (!d.path("resolved_at").isNull()) {
                s.append("resolved ").append(d.path("resolved_at").asText()).append(" by ").append(d.path("resolved_by").asText()).append('\n');
            }
            s.append("message: ").append(d.path("message").asText()).append('\n');
            for (JsonNode v : d.path("violations")) {
                s.append("  ").append(v.path("pointer").asText()).append(": ").append(v.path("message").asText()).append('\n');
            }
            s.append("payload: ").append(d.path("payload").toPrettyString());
            emit(d, s.toString());
        }
    }

    /**
     * Sends the selected dead letters back to the tenant's raw topic, each exactly once, from the
     * dead-letter store; fix the cause first (create the dataset, upgrade the schema) or patch the
     * events. Runs here, against Kafka and PostgreSQL (pulse.env), paced by PULSE_DLQ_REPLAY_RATE.
     */
    @Command(name = "replay", description = "Replay a tenant's dead letters into its raw topic (exactly once per dead letter; filtered, patched, dry-runnable).",
            mixinStandardHelpOptions = true)
    static final class Replay extends FilteredVerb {
        @Option(names = "--id", split = ",", description = "only these dead letters (repeatable or comma-separated)")
        List<String> ids = new ArrayList<>();
        @Option(names = "--patch", description = "JSON Merge Patch (RFC 7386) applied to each event's data, e.g. '{\"qty\": 1}' (or @file)")
        String patch;
        @Option(names = "--patch-envelope", description = "JSON Merge Patch applied to each event's envelope, e.g. '{\"dataset\": \"orders\"}' (or @file)")
        String envelopePatch;
        @Option(names = "--include-parked", description = "also replay parked dead letters (those that failed PULSE_DLQ_PARK_AFTER replays)")
        boolean includeParked;
        @Option(names = "--dry-run", description = "check every selected event (patched) against its dataset's current schema; print would-land and would-fail counts; write nothing")
        boolean dryRun;

        @Override
        void run() {
            DeadLetterFilter filter = filter(ids);
            JsonNode dataPatch = readPatch("--patch", patch);
            JsonNode envPatch = readPatch("--patch-envelope", envelopePatch);
            Settings settings = RunningStack.settings();
            JsonNode found = OperatorClient.fromSettings(settings).get("/admin/v1/tenants/" + OperatorClient.segment(tenant));
            TenantId id = TenantId.parse(found.path("id").asText());
            WorkerConfig config = WorkerConfig.from(settings);
            String user = System.getenv("USER");
            String actor = user != null && user.matches("[A-Za-z0-9._@-]{1,64}") ? "operator:" + user : "operator";
            DlqReplay.ReplayRequest request = new DlqReplay.ReplayRequest(filter, includeParked, dataPatch, envPatch, actor);
            try (TenantDatabase db = config.infrastructure().openDatabase("dlq-replay")) {
                if (dryRun) {
                    DlqReplay.DryRunResult r = DlqReplay.dryRun(db, id, request);
                    ObjectNode out = OperatorClient.JSON.createObjectNode().put("tenant", tenant).put("dry_run", true)
                            .put("selected", r.selected()).put("would_land", r.wouldLand());
                    ObjectNode fail = out.putObject("would_fail");
                    r.wouldFail().forEach(fail::put);
                    StringBuilder s = new StringBuilder("dry run (nothing written): " + r.selected() + " selected, " + r.wouldLand() + " would land");
                    r.wouldFail().forEach((reason, n) -> s.append("\n  would fail: ").append(reason).append(' ').append(n));
                    emit(out, s.toString());
                    return;
                }
                Progress progress = new Progress(out(), !json && System.console() != null);
                DlqReplay.ReplayResult r = DlqReplay.replay(config, db, id, request, progress);
                progress.finish();
                ObjectNode out = OperatorClient.JSON.createObjectNode().put("tenant", tenant).put("run", r.run().toString())
                        .put("selected", r.selected()).put("replayed", r.replayed())
                        .put("seconds", Math.round(r.seconds() * 1000) / 1000.0).put("per_second", Math.round(r.ratePerSecond()));
                if (r.resumedRun() != null) {
                    out.put("resumed_run", r.resumedRun().toString()).put("resumed_replayed", r.resumedReplayed());
                }
                emit(out, (r.resumedRun() != null ? "finished an interrupted replay first (" + r.resumedReplayed() + " dead letter(s)); " : "")
                        + "replayed " + r.replayed() + " of " + r.selected() + " selected dead letter(s) of " + tenant + " in "
                        + String.format("%.1f", r.seconds()) + " s (" + Math.round(r.ratePerSecond()) + "/s); each goes back once, "
                        + "one that fails again returns to `pulse dlq list` with one more attempt");
            }
        }

        private JsonNode readPatch(String option, String text) {
            if (text == null) {
                return null;
            }
            try {
                String json = text.startsWith("@") ? Files.readString(Path.of(text.substring(1))) : text;
                JsonNode node = OperatorClient.JSON.readTree(json);
                if (node == null || !node.isObject()) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), option + " must be a JSON object (a JSON Merge Patch)");
                }
                return node;
            } catch (IOException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), option + " is not JSON: " + e.getMessage());
            }
        }
    }

    /** A progress bar with rate and ETA on a terminal; nothing otherwise. */
    static final class Progress implements DlqReplay.Progress {
        private final PrintWriter out;
        private final boolean terminal;
        private final long started = System.nanoTime();
        private boolean drawn;

        Progress(PrintWriter out, boolean terminal) {
            this.out = out;
            this.terminal = terminal;
        }

        @Override
        public void update(int done, int total) {
            if (!terminal || total <= 0) {
                return;
            }
            double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
            double rate = done / seconds;
            long eta = rate > 0 ? Math.round((total - done) / rate) : 0;
            int width = 30;
            int filled = (int) Math.min(width, (long) width * done / total);
            out.print(String.format("\r[%s%s] %d/%d  %.0f/s  ETA %ds ", "#".repeat(filled), " ".repeat(width - filled), done, total, rate, eta));
            out.flush();
            drawn = true;
        }

        void finish() {
            if (drawn) {
                out.println();
            }
        }
    }

    @Command(name = "drop", description = "Mark the selected open or parked dead letters resolved without replaying them (audited).",
            mixinStandardHelpOptions = true)
    static final class Drop extends FilteredVerb {
        @Option(names = "--id", split = ",", description = "only these dead letters (repeatable or comma-separated)")
        List<String> ids = new ArrayList<>();
        @Option(names = "--yes", description = "do not ask for confirmation")
        boolean yes;

        @Override
        void run() {
            DeadLetterFilter filter = filter(ids);
            if (!yes) {
                long open = countDroppable();
                if (System.console() == null) {
                    throw new RefusedException(0, open + " dead letter(s) would be dropped; confirm with --yes (no terminal to ask on)");
                }
                String answer = System.console().readLine("drop %d dead letter(s) of %s? [y/N] ", open, tenant);
                if (answer == null || !answer.strip().equalsIgnoreCase("y")) {
                    emit(OperatorClient.JSON.createObjectNode().put("tenant", tenant).put("dropped", 0), "nothing dropped");
                    return;
                }
            }
            ObjectNode body = OperatorClient.JSON.createObjectNode();
            if (filter.dataset() != null) {
                body.put("dataset", filter.dataset());
            }
            if (filter.reason() != null) {
                body.put("reason", filter.reason());
            }
            if (since != null) {
                body.put("since", since);
            }
            if (until != null) {
                body.put("until", until);
            }
            if (!ids.isEmpty()) {
                ArrayNode a = body.putArray("ids");
                ids.forEach(a::add);
            }
            JsonNode result = client().post(path("/dlq/drop"), body);
            ObjectNode out = OperatorClient.JSON.createObjectNode().put("tenant", tenant).put("dropped", result.path("dropped").asInt());
            emit(out, "dropped " + result.path("dropped").asInt() + " dead letter(s) of " + tenant);
        }

        private long countDroppable() {
            long n = 0;
            for (String state : List.of("open", "parked")) {
                n += client().get(path("/dlq" + query(0) + "&state=" + state)).path("counts").path("total").asLong();
            }
            return n;
        }
    }

    static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "…";
    }
}

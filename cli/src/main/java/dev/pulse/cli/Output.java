package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;

/** How a verb prints its result: one JSON document with --json, else one readable line. */
final class Output {
    private Output() {
    }

    static void print(PrintWriter out, boolean json, JsonNode result, String readable) {
        out.println(json ? result.toString() : readable);
        out.flush();
    }
}

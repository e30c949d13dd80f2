package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * An operator verb: talks to the control plane and prints one result, readable by default or
 * one JSON document with {@code --json}. A verb that returns normally exits 0; a refused request
 * surfaces as {@link RefusedException} and exits 1 (see {@link Pulse#run}).
 */
abstract class Verb implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--json", description = "print one JSON document (an object, or an array for lists)")
    boolean json;

    abstract void run();

    @Override
    public final Integer call() {
        run();
        return 0;
    }

    OperatorClient client() {
        return OperatorClient.fromEnvironment();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    void emit(JsonNode result, String readable) {
        Output.print(out(), json, result, readable);
    }

    void emitTable(JsonNode rows, List<Output.Column> columns) {
        Output.table(out(), json, rows, columns);
    }

    /** A verb on one tenant's objects, named by {@code --tenant <slug>}. */
    abstract static class TenantVerb extends Verb {
        @Option(names = "--tenant", required = true, description = "tenant slug")
        String tenant;

        /** The operator path of this tenant's resource, e.g. {@code /admin/v1/tenants/acme/keys}. */
        String path(String suffix) {
            return OperatorClient.tenantPath(tenant, suffix);
        }
    }
}

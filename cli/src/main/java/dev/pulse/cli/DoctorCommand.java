package dev.pulse.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.cli.doctor.Doctor;
import dev.pulse.cli.doctor.DoctorReport;
import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.config.Settings;
import dev.pulse.schemas.tenancy.Finding;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pulse doctor}: one line per check, non-zero exit on any finding, --json for tooling
 * (each check with its rule id; each finding with its severity: {@code blocking} when the
 * services' start-up guard refuses it too).
 */
@Command(name = "doctor", description = "Audit a running deployment's tenant isolation (PostgreSQL, Kafka, Iceberg).",
        mixinStandardHelpOptions = true)
final class DoctorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        Settings settings = RunningStack.settings();
        DoctorReport report = Doctor.audit(Infrastructure.from(settings), Infrastructure.operatorDatabaseUrl(settings));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode root = OperatorClient.JSON.createObjectNode().put("passed", report.passed());
            ArrayNode checks = root.putArray("checks");
            report.checks().forEach((name, findings) -> {
                ObjectNode check = checks.addObject().put("check", name).put("rule", report.rule(name).id()).put("passed", findings.isEmpty());
                ArrayNode list = check.putArray("findings");
                findings.forEach(f -> list.addObject().put("object", f.subject()).put("problem", f.message()).put("fix", f.remedy())
                        .put("severity", f.severity().name().toLowerCase(java.util.Locale.ROOT)));
            });
            out.println(root);
        } else {
            report.checks().forEach((name, findings) -> {
                if (findings.isEmpty()) {
                    out.println("pass  " + name);
                }
                for (Finding f : findings) {
                    out.println("FAIL  " + name + ": " + f);
                }
            });
            List<Finding> all = report.findings();
            out.println(all.isEmpty() ? "doctor: no findings" : "doctor: " + all.size() + " finding(s)");
        }
        out.flush();
        return report.passed() ? 0 : 1;
    }
}

package dev.pulse.cli;

import dev.pulse.schemas.PulseException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pulse} command. Exit codes: 0 success, 1 a refused request or failure, 2 bad usage. */
@Command(name = "pulse",
        mixinStandardHelpOptions = true,
        version = "pulse 0.1.0",
        description = "Multi-tenant event ingestion: HTTP -> Kafka -> Iceberg, with sandboxed previews.",
        subcommands = {
            DevCommand.class,
            ServiceCommands.Api.class,
            ServiceCommands.Worker.class,
            ServiceCommands.Query.class,
            ServiceCommands.Migrate.class,
            DoctorCommand.class,
            DlqCommands.class,
            TenantCommands.class,
            KeyCommands.class,
            SchemaCommands.class,
            DatasetCommands.class,
            BenchCommands.class,
        })
public final class Pulse {
    static final int REFUSED = 1;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Pulse());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof RefusedException || e instanceof PulseException) {
                commandLine.getErr().println("pulse: " + e.getMessage());
                return REFUSED;
            }
            throw e;
        });
        return cli.execute(args);
    }
}

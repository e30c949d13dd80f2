package dev.pulse.cli;

import dev.pulse.schemas.PulseException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/** The {@code pulse} command. Exit codes: 0 success, 1 a refused request or failure, 2 bad usage. */
@Command(name = "pulse",
        mixinStandardHelpOptions = true,
        version = "pulse 0.1.0",
        description = "Multi-tenant event ingestion: HTTP -> Kafka -> Iceberg, with sandboxed previews.",
        subcommands = {
            ServiceCommands.Api.class,
            ServiceCommands.Worker.class,
            ServiceCommands.Query.class,
            ServiceCommands.Migrate.class,
            DoctorCommand.class,
            DlqCommands.class,
            UsageCommand.class,
            TenantCommands.class,
            KeyCommands.class,
            SchemaCommands.class,
            DatasetCommands.class,
            LakeCommands.class,
            BenchCommands.class,
        })
public final class Pulse {
    static final int REFUSED = 1;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static final String DEV_STACK_CLASS = "dev.pulse.devstack.DevStack";

    /**
     * {@code pulse dev} when the embedded infrastructure is on the classpath (a clone's
     * {@code ./pulse} adds {@code cli/target/dev-lib}), else a command that says where to get it.
     * Loaded by name so that nothing in the production artifact links against devstack.
     */
    static Object developmentCommand() {
        try {
            Class.forName(DEV_STACK_CLASS, false, Pulse.class.getClassLoader());
            return Class.forName("dev.pulse.cli.DevCommand").getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            return new DevUnavailable();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create the pulse dev command", e);
        }
    }

    @Command(name = "dev", description = "Not in this build: run ./pulse dev from a clone of the repository.",
            mixinStandardHelpOptions = true)
    static final class DevUnavailable implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Unmatched
        List<String> ignored;

        @Override
        public Integer call() {
            spec.commandLine().getErr().println("pulse: `pulse dev` is not part of this build: the production artifact carries no "
                    + "embedded PostgreSQL or Kafka broker. Run ./pulse dev from a clone of the repository.");
            return 2;
        }
    }

    /** Runs one command line and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Pulse());
        cli.addSubcommand("dev", developmentCommand());
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

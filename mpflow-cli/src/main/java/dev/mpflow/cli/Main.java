package dev.mpflow.cli;

import picocli.CommandLine;

/** Entry point of the {@code mpflow} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code, without exiting: what tests call. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new MpflowCommand());
        cmd.setParameterExceptionHandler(Main::usageError);
        cmd.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof UsageException) {
                line.getErr().println("mpflow: " + e.getMessage());
                return ExitCode.USAGE;
            }
            throw e;
        });
        return cmd;
    }

    /** One line naming the flag and the problem, and where to read more; never a stack trace. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine line = e.getCommandLine();
        String help = line.getCommandSpec().qualifiedName();
        line.getErr().println("mpflow: " + e.getMessage() + " (see '" + help + " --help')");
        return ExitCode.USAGE;
    }
}

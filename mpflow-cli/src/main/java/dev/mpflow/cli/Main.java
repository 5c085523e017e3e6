package dev.mpflow.cli;

import picocli.CommandLine;

/** Entry point of the {@code mpflow} command. */
public final class Main {
    /** What the command line says when stdout cannot be written to. */
    static final String STDOUT_CLOSED = "stdout was closed";

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("run")) {
            // Before picocli's set-up and parsing, which take a good part of the start: see Interruptions.
            Interruptions.installEarly(System.err);
        }
        System.exit(execute(args));
    }

    /**
     * Runs the command line and returns its exit code, without exiting. Whatever the command, output that could
     * not be written to stdout (closed, or failing as {@code /dev/full} does) is an error, not a silent loss: one
     * line, {@code mpflow: stdout was closed}, and exit code 1. {@code run} stops at once and says so itself.
     */
    public static int execute(String... args) {
        CommandLine cmd = commandLine();
        int code = cmd.execute(args);
        // Every command writes through System.out (picocli's help too), which keeps a write's failure to itself.
        cmd.getOut().flush();
        if (System.out.checkError() && code == ExitCode.OK) {
            cmd.getErr().println("mpflow: " + STDOUT_CLOSED);
            cmd.getErr().flush();
            return ExitCode.TASKS_FAILED;
        }
        return code;
    }

    static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new MpflowCommand());
        // After the subcommands are added, so that it reaches them: every integer flag, in ASCII digits only.
        cmd.registerConverter(Integer.class, new FlagValues.AnyInt());
        cmd.registerConverter(int.class, new FlagValues.AnyInt());
        cmd.registerConverter(Long.class, new FlagValues.AnyLong());
        cmd.registerConverter(long.class, new FlagValues.AnyLong());
        cmd.setParameterExceptionHandler(Main::usageError);
        cmd.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof UsageException) {
                line.getErr().println("mpflow: " + e.getMessage());
                return ExitCode.USAGE;
            }
            // A bug of ours, not the user's: one line, and the stack trace only when asked for with -v.
            line.getErr().println("mpflow: internal error: " + e);
            if (verbose(parsed)) {
                e.printStackTrace(line.getErr());
            }
            return ExitCode.TASKS_FAILED;
        });
        return cmd;
    }

    private static boolean verbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("-v")) {
                return true;
            }
        }
        return false;
    }

    /**
     * One line naming the flag and the problem, never a stack trace: {@code mpflow: --timeout: must be longer
     * than zero, was 0s} for a bad value; picocli's own message and where to read more for anything else.
     */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine line = e.getCommandLine();
        if (e.getArgSpec() instanceof CommandLine.Model.OptionSpec option
                && e.getCause() instanceof CommandLine.TypeConversionException conversion) {
            line.getErr().println("mpflow: " + String.join("/", option.names()) + ": " + conversion.getMessage());
            return ExitCode.USAGE;
        }
        String help = line.getCommandSpec().qualifiedName();
        line.getErr().println("mpflow: " + e.getMessage() + " (see '" + help + " --help')");
        return ExitCode.USAGE;
    }
}

package dev.mpflow.cli;

/** The exit codes of the {@code mpflow} command, as documented in its help. */
public final class ExitCode {
    /** Every task succeeded. */
    public static final int OK = 0;
    /** Some task failed after its retries. */
    public static final int TASKS_FAILED = 1;
    /** Bad usage or a bad workflow file; nothing was run. */
    public static final int USAGE = 2;
    /** Interrupted (Ctrl-C or SIGTERM); what had finished is saved. */
    public static final int INTERRUPTED = 130;

    private ExitCode() {
    }
}

package dev.mpflow.cli;

/** The exit codes of the {@code mpflow} command, as documented in its help. */
public final class ExitCode {
    /** Every task succeeded. */
    public static final int OK = 0;
    /**
     * Some task failed after its retries or was cancelled, the run halted (halt policy, deadline), or standard
     * output was closed.
     */
    public static final int TASKS_FAILED = 1;
    /**
     * Bad usage, a bad workflow file or bad inputs. Nothing was run, except when a bad line arrives on a stream
     * (stdin, a pipe) after tasks started: those finish first.
     */
    public static final int USAGE = 2;
    /** Interrupted (Ctrl-C or SIGTERM); what had finished is saved, the rest is reported as cancelled. */
    public static final int INTERRUPTED = 130;

    private ExitCode() {
    }
}

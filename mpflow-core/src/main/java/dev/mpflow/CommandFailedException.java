package dev.mpflow;

/**
 * Thrown in a worker when a {@link CommandAgent}'s program exits with a non-zero code. Its message carries the
 * exit code and the tail of the program's standard error, which is what a user needs to see in the result.
 */
public class CommandFailedException extends MpflowException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;
    private final String stderrTail;

    public CommandFailedException(String command, int exitCode, String stderrTail) {
        super(command + " exited with code " + exitCode + (stderrTail.isEmpty() ? "" : ": " + stderrTail));
        this.exitCode = exitCode;
        this.stderrTail = stderrTail;
    }

    public int exitCode() {
        return exitCode;
    }

    /** The last lines of the program's standard error, trimmed. */
    public String stderrTail() {
        return stderrTail;
    }
}

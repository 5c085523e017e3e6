package dev.mpflow;

/** How a task (or one attempt of it) ended. */
public enum TaskStatus {
    /** The function or agent returned a value. */
    SUCCEEDED("succeeded"),
    /** The function threw, or a command exited non-zero, on the last attempt. */
    FAILED("failed"),
    /** The last attempt ran past its timeout; its worker was killed and replaced. */
    TIMED_OUT("timed out"),
    /** The worker process died during the last attempt (exit, signal, out of memory); it was replaced. */
    CRASHED("crashed"),
    /**
     * The task did not run to an end because the run stopped first: halted by the halt policy or the deadline,
     * interrupted, or the workflow closed. Running it again (a resume) may well succeed.
     */
    CANCELLED("cancelled");

    private final String label;

    TaskStatus(String label) {
        this.label = label;
    }

    /** A lower-case word for messages: "succeeded", "timed out", ... */
    public String label() {
        return label;
    }

    /** The name used in JSON output and in the store: {@code succeeded}, {@code failed}, {@code timed_out}, {@code crashed}. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean isSuccess() {
        return this == SUCCEEDED;
    }
}

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
    CANCELLED("cancelled"),
    /**
     * The task was not run: the workflow retries the failed tasks of an earlier run
     * ({@link MultiProcessWorkflow.Builder#retryFailed(String)}) and that run has no result of this task (it was not
     * one of its tasks). Nothing is recorded; the result's error, of type {@value #SKIPPED_ERROR_TYPE}, says why.
     * Never the status of an attempt.
     */
    SKIPPED("skipped");

    /** The {@link TaskError#type()} of a {@link #SKIPPED} result. */
    public static final String SKIPPED_ERROR_TYPE = "Skipped";

    private final String label;

    TaskStatus(String label) {
        this.label = label;
    }

    /** A lower-case word for messages: "succeeded", "timed out", ... */
    public String label() {
        return label;
    }

    /**
     * The name used in JSON output and in the store: {@code succeeded}, {@code failed}, {@code timed_out},
     * {@code crashed}, {@code cancelled}, {@code skipped}.
     */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean isSuccess() {
        return this == SUCCEEDED;
    }
}

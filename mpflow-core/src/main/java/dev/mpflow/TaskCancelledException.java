package dev.mpflow;

/**
 * The reason a task was {@link TaskStatus#CANCELLED}: the run was halted (halt policy, deadline), interrupted or
 * closed before the task could finish. Appears as the {@link TaskError#type()} of such results.
 */
public class TaskCancelledException extends MpflowException {
    private static final long serialVersionUID = 1L;
    private final boolean wasRunning;

    public TaskCancelledException(String message, boolean wasRunning) {
        super(message);
        this.wasRunning = wasRunning;
    }

    /** Whether an attempt was running, and was stopped, when the task was cancelled. */
    public boolean wasRunning() {
        return wasRunning;
    }
}

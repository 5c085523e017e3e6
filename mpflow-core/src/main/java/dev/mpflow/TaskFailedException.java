package dev.mpflow;

/** Thrown by {@link TaskResult#orThrow()} when the task did not succeed; carries the whole result. */
public class TaskFailedException extends MpflowException {
    private static final long serialVersionUID = 1L;
    private final transient TaskResult result;

    public TaskFailedException(TaskResult result) {
        super(describe(result));
        this.result = result;
    }

    /** The result that did not succeed: status, error, attempts, captured output. */
    public TaskResult result() {
        return result;
    }

    private static String describe(TaskResult r) {
        String who = r.agent().map(a -> r.task() + " (agent " + a + ")").orElse(r.task());
        String why = r.error().map(TaskError::summary).orElse("no error recorded");
        return "task " + who + " " + r.status().label() + " after " + r.attempts() + " attempt(s): " + why;
    }
}

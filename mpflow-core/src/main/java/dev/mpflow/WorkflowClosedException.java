package dev.mpflow;

/** Thrown when work is submitted to, or was still pending in, a workflow that has been closed. */
public class WorkflowClosedException extends MpflowException {
    private static final long serialVersionUID = 1L;

    public WorkflowClosedException(String message) {
        super(message);
    }
}

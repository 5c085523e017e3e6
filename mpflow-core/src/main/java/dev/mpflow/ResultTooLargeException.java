package dev.mpflow;

/**
 * A task's result, in bytes of the value itself as {@link TaskResult#valueSize()} measures them, is larger than the
 * workflow's limit ({@link MultiProcessWorkflow.Builder#maxResultBytes}).
 * Not retried: it would be as large the next time. Appears as the {@link TaskError#type()} of the result.
 */
public class ResultTooLargeException extends MpflowException {
    private static final long serialVersionUID = 1L;

    public ResultTooLargeException(String message) {
        super(message);
    }
}

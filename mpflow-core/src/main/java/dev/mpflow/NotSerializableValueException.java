package dev.mpflow;

/**
 * A task's function or agents could not be sent to a worker, or its result could not be sent back, because an
 * object in it is not serializable. Retrying cannot help, so such a failure is never retried. Appears as the
 * {@link TaskError#type()} of the result; the message names the task and the class.
 */
public class NotSerializableValueException extends MpflowException {
    private static final long serialVersionUID = 1L;

    public NotSerializableValueException(String message, Throwable cause) {
        super(message, cause);
    }
}

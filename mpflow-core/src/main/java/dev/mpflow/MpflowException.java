package dev.mpflow;

/**
 * The root of every exception mpflow throws. Unchecked: callers handle failures through {@link TaskResult}s, and
 * these exceptions signal misuse or a broken environment.
 */
public class MpflowException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MpflowException(String message) {
        super(message);
    }

    public MpflowException(String message, Throwable cause) {
        super(message, cause);
    }
}

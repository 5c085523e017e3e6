package dev.mpflow;

import java.util.Objects;

/**
 * What went wrong in a task that did not succeed. The exception itself stays in the worker (its class may not even
 * exist in the coordinator); its type name, message and stack trace travel as text.
 *
 * @param type the fully qualified class name of the exception, or a name such as {@code Timeout} or
 *     {@code WorkerCrashed} for failures outside user code
 * @param message the exception's message; empty when it had none
 * @param remoteStackTrace the stack trace as printed in the worker; empty when there is none
 */
public record TaskError(String type, String message, String remoteStackTrace) {
    public TaskError {
        Objects.requireNonNull(type, "type");
        message = message == null ? "" : message;
        remoteStackTrace = remoteStackTrace == null ? "" : remoteStackTrace;
    }

    /** {@code type: message}, or the type alone when there is no message. */
    public String summary() {
        return message.isEmpty() ? type : type + ": " + message;
    }
}

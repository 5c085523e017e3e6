package dev.mpflow.protocol;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * The attempt failed in the worker. The exception travels as text, so that its class need not exist in the
 * coordinator.
 *
 * @param errorType the exception's class name
 * @param message its message; empty when none
 * @param stackTrace its stack trace as printed, causes included
 * @param retryable false when another attempt would fail the same way (a value that cannot be serialized, a job
 *     that cannot be read)
 * @param agent the agent that failed, empty when the failure is not an agent's
 * @param typeHierarchy the exception's superclasses and interfaces, by name, so that the coordinator can match
 *     retry filters against types it may not have
 * @param exitCode the exit code of a failed external command, or -1
 * @param stdout what the attempt printed to standard output
 * @param stderr what the attempt printed to standard error
 */
public record Failure(String errorType, String message, String stackTrace, boolean retryable, String agent,
        List<String> typeHierarchy, int exitCode, Captured stdout, Captured stderr) {
    public Failure {
        Objects.requireNonNull(errorType, "errorType");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(stackTrace, "stackTrace");
        Objects.requireNonNull(agent, "agent");
        typeHierarchy = List.copyOf(typeHierarchy);
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
    }

    public byte[] encode() {
        return new Payload.Writer().string(errorType).string(message).string(stackTrace).bool(retryable)
                .string(agent).strings(typeHierarchy).i32(exitCode).captured(stdout).captured(stderr).toByteArray();
    }

    public static Failure decode(byte[] payload) throws IOException {
        Payload.Reader r = new Payload.Reader(payload);
        return new Failure(r.string(), r.string(), r.string(), r.bool(), r.string(), r.strings(), r.i32(),
                r.captured(), r.captured());
    }
}

package dev.mpflow.internal;

import dev.mpflow.TaskError;
import dev.mpflow.TaskStatus;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How one attempt ended, as the pool reports it to the retry policy.
 *
 * @param attempt 1 for the first attempt
 * @param status how it ended
 * @param value the serialized value when it succeeded; empty otherwise
 * @param error what went wrong when it did not succeed
 * @param retryable false when another attempt is known to fail the same way, whatever the settings
 * @param errorTypes the error's type and the names of its superclasses and interfaces; empty on success
 * @param exitCode the exit code of a failed command agent, or -1
 * @param failedAgent the agent whose failure this is, when an agent failed
 * @param workerPid the worker that ran it
 * @param startedAt when it was sent to the worker
 * @param endedAt when its outcome arrived (or the worker was found dead, or the timeout fired)
 * @param stdout its captured standard output
 * @param stderr its captured standard error
 */
public record AttemptOutcome(int attempt, TaskStatus status, byte[] value, Optional<TaskError> error,
        boolean retryable, List<String> errorTypes, int exitCode, Optional<String> failedAgent, long workerPid,
        Instant startedAt, Instant endedAt,
        String stdout, String stderr) {
    public AttemptOutcome {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(error, "error");
        errorTypes = List.copyOf(errorTypes);
        Objects.requireNonNull(failedAgent, "failedAgent");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endedAt, "endedAt");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
    }


    /** An attempt that failed outside user code: timeout, crash. */
    public static AttemptOutcome failed(int attempt, TaskStatus status, TaskError error, long pid, Instant startedAt,
            Instant endedAt) {
        return new AttemptOutcome(attempt, status, new byte[0], Optional.of(error), true, List.of(error.type()), -1,
                Optional.empty(), pid, startedAt, endedAt, "", "");
    }
}

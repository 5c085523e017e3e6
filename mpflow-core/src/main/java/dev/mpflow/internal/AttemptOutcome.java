package dev.mpflow.internal;

import dev.mpflow.TaskError;
import dev.mpflow.TaskStatus;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * How one attempt ended, as the pool reports it to the retry policy.
 *
 * @param attempt 1 for the first attempt
 * @param status how it ended
 * @param value the serialized value when it succeeded; empty otherwise
 * @param error what went wrong when it did not succeed
 * @param retryable whether another attempt could end differently
 * @param failedAgent the agent whose failure this is, when an agent failed
 * @param workerPid the worker that ran it
 * @param startedAt when it was sent to the worker
 * @param endedAt when its outcome arrived (or the worker was found dead, or the timeout fired)
 * @param stdout its captured standard output
 * @param stderr its captured standard error
 */
public record AttemptOutcome(int attempt, TaskStatus status, byte[] value, Optional<TaskError> error,
        boolean retryable, Optional<String> failedAgent, long workerPid, Instant startedAt, Instant endedAt,
        String stdout, String stderr) {
    public AttemptOutcome {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(failedAgent, "failedAgent");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endedAt, "endedAt");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
    }

    /** Whether the retry policy should try again (when attempts remain). */
    public boolean shouldRetry() {
        return status != TaskStatus.SUCCEEDED && retryable;
    }

    /** An attempt that failed outside user code: timeout, crash. */
    public static AttemptOutcome failed(int attempt, TaskStatus status, TaskError error, long pid, Instant startedAt,
            Instant endedAt) {
        return new AttemptOutcome(attempt, status, new byte[0], Optional.of(error), true, Optional.empty(), pid,
                startedAt, endedAt, "", "");
    }
}

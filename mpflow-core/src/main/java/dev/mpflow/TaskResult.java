package dev.mpflow;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The final outcome of one task (or, for {@link MultiProcessWorkflow#run(Task)}, of one agent's job on a task).
 * Immutable.
 *
 * @param task the task's name
 * @param agent the agent's name when the job ran one agent ({@code run}); the last agent of a pipeline for
 *     {@code executeTask} (when an earlier agent failed, the error's message names it); empty when the task ran
 *     its own function alone
 * @param input the task's input text
 * @param status how the last attempt ended
 * @param value the returned value when {@code status} is {@link TaskStatus#SUCCEEDED} (which may itself be
 *     {@code null} if the function returned {@code null}); {@code null} otherwise
 * @param error what went wrong, present exactly when the task did not succeed
 * @param attempts how many attempts ran; 0 when the task could not even be sent to a worker
 * @param workerPid the process id of the worker that ran the last attempt; 0 when none did
 * @param startedAt when the first attempt started
 * @param endedAt when the last attempt ended
 * @param stdout what the last attempt printed to standard output (captured, up to the configured limit)
 * @param stderr what the last attempt printed to standard error (captured, up to the configured limit)
 * @param occurrence which time this task (the same name, agent and input) was given in its run: 1 for the first,
 *     2 for the second, and so on; each is a task of its own (see {@link TaskKey})
 * @param valueSize the size in bytes of the value itself as the worker sent it back: the UTF-8 bytes of a
 *     {@code String}, the bytes of a {@code byte[]}, 4 for an {@code Integer}, 8 for a {@code Long} or
 *     {@code Double}, 1 for a {@code Boolean}, the Java-serialized form of any other value (none of the encoding's
 *     own bytes); 0 when no value came back from a worker in this process (the task did not succeed, or an
 *     earlier run did it)
 */
public record TaskResult(
        String task,
        Optional<String> agent,
        String input,
        TaskStatus status,
        Object value,
        Optional<TaskError> error,
        int attempts,
        long workerPid,
        Instant startedAt,
        Instant endedAt,
        String stdout,
        String stderr,
        int occurrence,
        long valueSize) {

    public TaskResult {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endedAt, "endedAt");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        if (status.isSuccess() == error.isPresent()) {
            throw new IllegalArgumentException("a " + status.label() + " result must "
                    + (status.isSuccess() ? "not " : "") + "carry an error");
        }
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must not be negative, was " + attempts);
        }
        if (occurrence < 1) {
            throw new IllegalArgumentException("occurrence must be at least 1, was " + occurrence);
        }
        if (valueSize < 0) {
            throw new IllegalArgumentException("valueSize must not be negative, was " + valueSize);
        }
    }

    /**
     * The result of a task's first (or only) occurrence in its run, with no value from a worker to measure
     * ({@code valueSize} 0).
     */
    public TaskResult(String task, Optional<String> agent, String input, TaskStatus status, Object value,
            Optional<TaskError> error, int attempts, long workerPid, Instant startedAt, Instant endedAt, String stdout,
            String stderr) {
        this(task, agent, input, status, value, error, attempts, workerPid, startedAt, endedAt, stdout, stderr, 1, 0);
    }

    public boolean succeeded() {
        return status.isSuccess();
    }

    /** The value if the task succeeded; otherwise throws a {@link TaskFailedException} carrying this result. */
    public Object orThrow() {
        if (!succeeded()) {
            throw new TaskFailedException(this);
        }
        return value;
    }

    /** The value cast to {@code type} if the task succeeded; otherwise throws a {@link TaskFailedException}. */
    public <T> T valueAs(Class<T> type) {
        return type.cast(orThrow());
    }

    /** From the start of the first attempt to the end of the last, retry delays included. */
    public Duration duration() {
        return Duration.between(startedAt, endedAt);
    }

    /**
     * The task's identity: the same task name, agent, input and occurrence give the same key, in every run. A
     * resumed run skips the tasks whose key has a committed success.
     */
    public String key() {
        return TaskKey.of(task, agent, input, occurrence);
    }

    /** Whether this task was not run because an earlier run of a resumed run had done it. */
    public boolean fromEarlierRun() {
        return status.isSuccess() && attempts == 0;
    }

    /** Whether more than one attempt ran. */
    public boolean retried() {
        return attempts > 1;
    }
}

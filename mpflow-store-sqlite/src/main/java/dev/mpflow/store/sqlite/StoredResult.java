package dev.mpflow.store.sqlite;

import dev.mpflow.TaskError;
import dev.mpflow.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A task's final result as stored: one row of the {@code results} table. The value itself is not kept, only its
 * text and class name; a {@code byte[]} value (a command's output that is not UTF-8) is kept whole, as base64 text
 * of type {@value #BASE64_BYTES}. A run holds one result per task: when a task runs again (a resume), its later
 * result replaces the earlier one. The same name, agent and input given twice in a run are two tasks, each with a
 * result of its own (their keys differ by occurrence).
 *
 * @param id the row's id; ids grow in the order results were recorded (a replacing result gets a new one)
 * @param runId the run it belongs to
 * @param task the task's name
 * @param agent the agent's name, when the job ran one
 * @param input the task's input text
 * @param status how the last attempt ended
 * @param valueText {@code String.valueOf} the value, or for a {@code byte[]} its bytes in base64; empty when the
 *     task failed or returned {@code null}
 * @param valueType the value's class name, or {@value #BASE64_BYTES} for a {@code byte[]}; empty when the task
 *     failed or returned {@code null}
 * @param error what went wrong (columns {@code error_type}, {@code error_message}, {@code error_stack}); empty when
 *     it succeeded
 * @param attempts how many attempts ran; 0 when the task never reached a worker
 * @param workerPid the worker that ran the last attempt; 0 when none did
 * @param startedAt when the first attempt started
 * @param endedAt when the last attempt ended
 * @param duration from {@code startedAt} to {@code endedAt}, in whole milliseconds
 * @param stdout what the last attempt printed to standard output
 * @param stderr what the last attempt printed to standard error
 * @param taskKey the task's identity, {@link dev.mpflow.TaskKey} of its name, agent, input and occurrence: a run
 *     holds at most one result per key
 * @param valueSize the size in bytes of the value itself, {@link dev.mpflow.TaskResult#valueSize()} (the UTF-8
 *     bytes of a string, the bytes of a {@code byte[]}); empty when the task did not succeed, and for results
 *     recorded before stores kept sizes
 */
public record StoredResult(long id, String runId, String task, Optional<String> agent, String input,
        TaskStatus status, Optional<String> valueText, Optional<String> valueType, Optional<TaskError> error,
        int attempts, long workerPid, Instant startedAt, Instant endedAt, Duration duration, String stdout,
        String stderr, String taskKey, OptionalLong valueSize) {
    /**
     * The {@code value_type} of a {@code byte[]} value: its {@code value_text} holds the bytes in base64 (RFC 4648,
     * with padding). Not a class name, so that it cannot be mistaken for one.
     */
    public static final String BASE64_BYTES = "bytes:base64";

    /** Checks that no component is {@code null}; absent values are empty {@code Optional}s. */
    public StoredResult {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(valueText, "valueText");
        Objects.requireNonNull(valueType, "valueType");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endedAt, "endedAt");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(taskKey, "taskKey");
        Objects.requireNonNull(valueSize, "valueSize");
    }

    /** The value's bytes when it was a {@code byte[]}; empty for any other value, or none. */
    public Optional<byte[]> valueBytes() {
        if (valueText.isEmpty() || !valueType.equals(Optional.of(BASE64_BYTES))) {
            return Optional.empty();
        }
        try {
            return Optional.of(Base64.getDecoder().decode(valueText.get()));
        } catch (IllegalArgumentException e) {
            // Not written by this store; the text is all there is.
            return Optional.empty();
        }
    }

    /** Whether the task succeeded. */
    public boolean succeeded() {
        return status.isSuccess();
    }
}

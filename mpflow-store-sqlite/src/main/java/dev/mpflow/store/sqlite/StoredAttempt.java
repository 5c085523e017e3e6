package dev.mpflow.store.sqlite;

import dev.mpflow.TaskError;
import dev.mpflow.TaskStatus;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One attempt of a task as stored: one row of the {@code attempts} table.
 *
 * @param id the row's id; ids grow in the order attempts were recorded
 * @param runId the run it belongs to
 * @param task the task's name
 * @param agent the agent's name, if the job ran agents
 * @param attempt 1 for the first attempt
 * @param workerPid the worker process that ran it
 * @param startedAt when the worker received it
 * @param endedAt when its outcome reached the coordinator
 * @param status how it ended
 * @param error what went wrong (columns {@code error_type}, {@code error_message}, {@code error_stack}); empty when
 *     it succeeded
 * @param taskKey the identity of the task it belongs to, {@link dev.mpflow.TaskKey}; recorded with the attempt
 *     when it carries it (a workflow's attempts do), else set when the task's result is recorded; empty until then,
 *     and for attempts recorded before keys existed whose task could not be told apart from another of the same
 *     name and agent
 * @param stdout what the attempt printed to standard output, as captured within the capture limit; empty when it
 *     printed nothing, and for attempts recorded before stores kept each attempt's output
 * @param stderr the same for standard error
 */
public record StoredAttempt(long id, String runId, String task, Optional<String> agent, int attempt, long workerPid,
        Instant startedAt, Instant endedAt, TaskStatus status, Optional<TaskError> error,
        Optional<String> taskKey, String stdout, String stderr) {
    /** Checks that no component is {@code null}; absent values are empty {@code Optional}s. */
    public StoredAttempt {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endedAt, "endedAt");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(taskKey, "taskKey");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
    }
}

package dev.mpflow.event;

import dev.mpflow.TaskError;
import dev.mpflow.TaskStatus;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One finished attempt of a task.
 *
 * @param runId the run it belongs to
 * @param task the task's name
 * @param agent the agent's name, if the job ran agents
 * @param attempt 1 for the first attempt
 * @param workerPid the worker process that ran it
 * @param startedAt when the worker received it
 * @param endedAt when its outcome reached the coordinator
 * @param status how it ended
 * @param error what went wrong, present exactly when it did not succeed
 * @param stdout what the attempt printed to standard output, captured up to the workflow's capture limit (with a
 *     note of how much was dropped); empty when it printed nothing or never ran (a timeout or crash keeps nothing)
 * @param stderr the same for standard error
 * @param taskKey the {@link dev.mpflow.TaskKey} of the task (its occurrence included), when known: it tells apart
 *     the attempts of tasks that share a name
 */
public record AttemptRecord(String runId, String task, Optional<String> agent, int attempt, long workerPid,
        Instant startedAt, Instant endedAt, TaskStatus status, Optional<TaskError> error, String stdout,
        String stderr, Optional<String> taskKey) {
    /** An attempt that captured no output and whose task key is not known. */
    public AttemptRecord(String runId, String task, Optional<String> agent, int attempt, long workerPid,
            Instant startedAt, Instant endedAt, TaskStatus status, Optional<TaskError> error) {
        this(runId, task, agent, attempt, workerPid, startedAt, endedAt, status, error, "", "", Optional.empty());
    }

    public AttemptRecord {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endedAt, "endedAt");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(taskKey, "taskKey");
    }
}

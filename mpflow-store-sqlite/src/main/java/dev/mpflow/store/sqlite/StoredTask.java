package dev.mpflow.store.sqlite;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A task of a run as stored: one row of the {@code tasks} table, written when the task was submitted, whether it
 * ever started or not. A run holds one row per task key; a task submitted again (a resume) keeps its row.
 *
 * @param id the row's id; ids grow in the order tasks were first submitted
 * @param runId the run it belongs to
 * @param task the task's name
 * @param agent the agent named in its result, when the job ran agents
 * @param input the task's input text
 * @param priority its priority; empty when not known (tasks recorded from their result alone, such as those of
 *     runs recorded before stores kept tasks)
 * @param taskKey its identity, {@link dev.mpflow.TaskKey} of its name, agent, input and occurrence
 */
public record StoredTask(long id, String runId, String task, Optional<String> agent, String input,
        OptionalInt priority, String taskKey) {
    /** Checks that no component is {@code null}; absent values are empty {@code Optional}s. */
    public StoredTask {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(taskKey, "taskKey");
    }
}

package dev.mpflow.event;

import dev.mpflow.TaskKey;
import java.util.Objects;
import java.util.Optional;

/**
 * One job of a run as it was submitted, before any attempt: a task, or a task and one of its agents in a fan-out.
 * Every job that will get a result is reported this way first, so that a listener (the store) knows the tasks
 * that were submitted but never started.
 *
 * @param runId the run it belongs to
 * @param task the task's name
 * @param agent the agent named in its result: the one agent of a fan-out job, the last agent of a pipeline; empty
 *     when the task runs its function alone
 * @param input the task's input text
 * @param priority higher runs first
 * @param doneEarlier true when the run does not run it because an earlier process of this (resumed) run committed
 *     its success: no attempt and no {@link WorkflowListener#taskFinished taskFinished} follow
 * @param occurrence which time this task (the same name, agent and input) was given in its run, from 1: each is a
 *     task of its own (see {@link TaskKey})
 */
public record SubmittedTask(String runId, String task, Optional<String> agent, String input, int priority,
        boolean doneEarlier, int occurrence) {
    /** Checks that no component is {@code null} and that {@code occurrence} is at least 1. */
    public SubmittedTask {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(input, "input");
        if (occurrence < 1) {
            throw new IllegalArgumentException("occurrence must be at least 1, was " + occurrence);
        }
    }

    /** A task's first (or only) occurrence in its run. */
    public SubmittedTask(String runId, String task, Optional<String> agent, String input, int priority,
            boolean doneEarlier) {
        this(runId, task, agent, input, priority, doneEarlier, 1);
    }

    /**
     * The task's identity, {@link TaskKey#of(String, Optional, String, int)} its name, agent, input and occurrence:
     * the key its result is recorded under. Computed on each call (a hash), so that reporting a submission costs
     * nothing until a listener asks.
     */
    public String key() {
        return TaskKey.of(task, agent, input, occurrence);
    }
}

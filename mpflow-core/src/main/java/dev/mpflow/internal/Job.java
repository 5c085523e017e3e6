package dev.mpflow.internal;

import dev.mpflow.RetrySettings;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One schedulable unit: a task with the agents it runs through. {@code run(task)} makes one job per agent;
 * {@code executeTask(task)} one job for the whole pipeline.
 *
 * @param task the task's name
 * @param agent the agent named in results: the one agent of a fan-out job, the last agent of a pipeline; empty
 *     when the task runs its function alone
 * @param input the task's input text
 * @param priority higher runs first
 * @param sequence submission order, the tie-breaker among equal priorities (so equal priorities run FIFO)
 * @param timeout the per-attempt timeout, if any
 * @param retry how failed attempts are retried
 * @param work the function and agents, serialized once and shared by every job that runs the same
 * @param argument what {@code work} runs on, as sent: the input text in UTF-8
 * @param occurrence which time the same task, agent and input was given in the run, from 1
 * @param key the task's {@link dev.mpflow.TaskKey}, its occurrence included
 */
public record Job(String task, Optional<String> agent, String input, int priority, long sequence,
        Optional<Duration> timeout, RetrySettings retry, WorkDefinition work, byte[] argument, int occurrence,
        String key) {
    public Job {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(work, "work");
        Objects.requireNonNull(argument, "argument");
        Objects.requireNonNull(key, "key");
    }

    /** The task and agent, for log lines: {@code 'hash' (agent sha256)}. */
    public String label() {
        return agent.map(a -> "'" + task + "' (agent " + a + ")").orElse("'" + task + "'");
    }
}

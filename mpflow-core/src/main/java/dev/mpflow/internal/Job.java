package dev.mpflow.internal;

import dev.mpflow.RetrySettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One schedulable unit: a task with the agents it runs through, or a chunk of a {@code map}. {@code run(task)}
 * makes one job per agent; {@code executeTask(task)} one job for the whole pipeline. A million may wait in the
 * queue at once, so it holds no more than it must: the input is encoded for the wire only when sent.
 *
 * @param task the task's name
 * @param agentName the agent named in results: the one agent of a fan-out job, the last agent of a pipeline;
 *     null when the task runs its function alone
 * @param input the task's input text
 * @param priority higher runs first
 * @param sequence submission order, the tie-breaker among equal priorities (so equal priorities run FIFO)
 * @param timeout the per-attempt timeout, if any
 * @param retry how failed attempts are retried
 * @param work the function and agents, serialized once and shared by every job that runs the same
 * @param chunk the encoded elements of a {@code map} chunk; null for a task
 * @param occurrence which time the same task, agent and input was given in the run, from 1
 */
public record Job(String task, String agentName, String input, int priority, long sequence,
        Optional<Duration> timeout, RetrySettings retry, WorkDefinition work, byte[] chunk, int occurrence) {

    /** What a job is; only tasks are recorded and counted in the run. */
    public enum Kind {
        /** One task's function and agents; its value is one value. */
        TASK,
        /** A chunk of a {@code map}; its value is the list of its elements' results. */
        MAP_CHUNK
    }

    public Job {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(work, "work");
    }

    /** A task's job. */
    public static Job task(String task, Optional<String> agent, String input, int priority, long sequence,
            Optional<Duration> timeout, RetrySettings retry, WorkDefinition work, int occurrence) {
        return new Job(task, agent.orElse(null), input, priority, sequence, timeout, retry, work, null, occurrence);
    }

    /** A {@code map} chunk's job. */
    public static Job chunk(String name, long sequence, Optional<Duration> timeout, RetrySettings retry,
            WorkDefinition work, byte[] elements) {
        return new Job(name, null, "", 0, sequence, timeout, retry, work, Objects.requireNonNull(elements, "elements"),
                1);
    }

    public Kind kind() {
        return chunk == null ? Kind.TASK : Kind.MAP_CHUNK;
    }

    /** The agent named in results, if any. */
    public Optional<String> agent() {
        return Optional.ofNullable(agentName);
    }

    /** What the work runs on, as sent: the input text in UTF-8, or the chunk's elements. */
    public byte[] argument() {
        return chunk != null ? chunk : input.getBytes(StandardCharsets.UTF_8);
    }

    /** The task and agent, for log lines: {@code 'hash' (agent sha256)}. */
    public String label() {
        return label(agentName);
    }

    /** The task and {@code agent} (when not null), for log lines about what that agent of the job did. */
    public String label(String agent) {
        return agent != null ? "'" + task + "' (agent " + agent + ")" : "'" + task + "'";
    }
}

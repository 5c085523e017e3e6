package dev.mpflow;

import java.io.Serializable;
import java.time.Duration;
import java.util.Optional;

/**
 * A named worker of tasks. An agent is serialized to the worker process that runs it, so implementations must be
 * serializable; {@link #of(String, AgentFunction)} wraps a serializable lambda and {@link CommandAgent} runs an
 * external program.
 */
public interface Agent extends Serializable {
    /** The agent's name, shown in results, logs and the store. */
    String name();

    /**
     * Processes one task inside a worker process.
     *
     * @return the agent's output; must be serializable
     * @throws Exception any failure, reported with its type, message and stack trace
     */
    Object run(AgentInput input) throws Exception;

    /** Retry settings for jobs that run this agent alone, when the task has none of its own; default none. */
    default Optional<RetrySettings> retry() {
        return Optional.empty();
    }

    /** The per-attempt timeout of jobs that run this agent alone, when the task has none; default none. */
    default Optional<Duration> timeout() {
        return Optional.empty();
    }

    /** An agent that runs a serializable Java function. */
    static Agent of(String name, AgentFunction function) {
        return new FunctionAgent(name, function);
    }

    /** The body of a Java agent; serializable so that it can run in a worker process. */
    @FunctionalInterface
    interface AgentFunction extends Serializable {
        Object apply(AgentInput input) throws Exception;
    }
}

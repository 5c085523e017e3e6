package dev.mpflow.internal;

import dev.mpflow.Agent;
import dev.mpflow.AgentInput;
import dev.mpflow.TaskFunction;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * What a worker runs for one job: a task's function, then the given agents in sequence, each fed the previous
 * output. This is the object serialized into an {@code EXECUTE} frame; serialized once per job and resent as is on
 * retries.
 */
public final class JobWork implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String task;
    private final String input;
    private final TaskFunction function;
    private final List<Agent> agents;

    public JobWork(String task, String input, TaskFunction function, List<Agent> agents) {
        this.task = Objects.requireNonNull(task, "task");
        this.input = Objects.requireNonNull(input, "input");
        this.function = function;
        this.agents = List.copyOf(agents);
    }

    public String task() {
        return task;
    }

    /** Runs the job; a failing agent's exception is wrapped in an {@link AgentFailedException} naming it. */
    public Object run() throws Exception {
        Object value = function != null ? function.apply(input) : input;
        for (Agent agent : agents) {
            try {
                value = agent.run(new AgentInput(task, input, value));
            } catch (Exception | Error e) {
                throw new AgentFailedException(agent.name(), e);
            }
        }
        return value;
    }

    /** Carries the name of the agent whose exception is its cause; unwrapped by the worker before reporting. */
    public static final class AgentFailedException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String agent;

        AgentFailedException(String agent, Throwable cause) {
            super(cause);
            this.agent = agent;
        }

        public String agent() {
            return agent;
        }
    }
}

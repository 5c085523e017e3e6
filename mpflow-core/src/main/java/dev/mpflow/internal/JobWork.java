package dev.mpflow.internal;

import dev.mpflow.Agent;
import dev.mpflow.AgentInput;
import dev.mpflow.TaskFunction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What a worker runs for a job: a task's function, then the given agents in sequence, each fed the previous
 * output. Holds no task data, so that one serialized copy (a {@code DEFINE} frame) serves every task that shares
 * the same function and agents; each {@code EXECUTE} brings the task's name and input.
 */
public final class JobWork extends Work {
    private static final long serialVersionUID = 2L;

    private final TaskFunction function;
    private final List<Agent> agents;

    public JobWork(TaskFunction function, List<Agent> agents) {
        this.function = function;
        this.agents = List.copyOf(agents);
    }

    @Override
    public byte[] execute(String task, byte[] argument, long maxResultBytes) throws Exception {
        Object value = run(task, new String(argument, StandardCharsets.UTF_8));
        return encoded(task, maxResultBytes, () -> ValueCodec.encode(value, maxResultBytes));
    }

    /** Runs the job; a failing agent's exception is wrapped in an {@link AgentFailedException} naming it. */
    public Object run(String task, String input) throws Exception {
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

package dev.mpflow;

import java.io.Serializable;
import java.util.Objects;

/**
 * What an {@link Agent} receives.
 *
 * @param task the task's name
 * @param input the task's original input text (empty when none)
 * @param value the value flowing into this agent: the previous agent's output in a pipeline; for the first agent,
 *     the task function's result, or the task's input when it has no function
 */
public record AgentInput(String task, String input, Object value) implements Serializable {
    public AgentInput {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(input, "input");
    }

    /** The flowing value as text: its {@code toString()}, or the empty string for {@code null}. */
    public String valueText() {
        return value == null ? "" : value.toString();
    }
}

package dev.mpflow.cli.workflow;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A command agent declared in a workflow file.
 *
 * @param name    the agent's name, unique within the workflow
 * @param command the program and its arguments, already split into words and with variables expanded; the
 *                {@code {}} placeholder is left as written
 * @param line    the line of the workflow file where the agent is declared
 * @param retry   the retry settings the agent sets for itself ({@code retries} and its {@code retry} block), to
 *                apply over the workflow's; {@link RetryOverrides#NONE} when it sets none
 * @param timeout the agent's own per-attempt timeout, if it sets one
 */
public record AgentSpec(String name, List<String> command, int line, RetryOverrides retry,
        Optional<Duration> timeout) {
    /** Checks that no component is null and copies the command. */
    public AgentSpec {
        Objects.requireNonNull(name, "name");
        command = List.copyOf(command);
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(timeout, "timeout");
    }

    /** An agent with no settings of its own. */
    public AgentSpec(String name, List<String> command, int line) {
        this(name, command, line, RetryOverrides.NONE, Optional.empty());
    }
}

package dev.mpflow.cli.workflow;

import java.util.List;
import java.util.Objects;

/**
 * A command agent declared in a workflow file.
 *
 * @param name    the agent's name, unique within the workflow
 * @param command the program and its arguments, already split into words and with variables expanded; the
 *                {@code {}} placeholder is left as written
 * @param line    the line of the workflow file where the agent is declared
 */
public record AgentSpec(String name, List<String> command, int line) {
    /** Checks that name and command are present and copies the command. */
    public AgentSpec {
        Objects.requireNonNull(name, "name");
        command = List.copyOf(command);
    }
}

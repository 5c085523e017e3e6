package dev.mpflow.cli.workflow;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A task described by a workflow file.
 *
 * @param name     the task's name
 * @param input    the task's input text; empty when none was given
 * @param priority higher runs first; 0 unless set
 * @param timeout  the per-attempt timeout, if the task overrides the workflow's
 */
public record TaskSpec(String name, String input, int priority, Optional<Duration> timeout) {
    /** Checks that no component is null. */
    public TaskSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(timeout, "timeout");
    }
}

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
 * @param retry    the retry settings its entry of {@code tasks} sets ({@code retries} and its {@code retry} block),
 *                 to apply over those of its agent and of the workflow; {@link RetryOverrides#NONE} when it sets none
 */
public record TaskSpec(String name, String input, int priority, Optional<Duration> timeout, RetryOverrides retry) {
    /** Checks that no component is null. */
    public TaskSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(retry, "retry");
    }

    /** A task with no retry settings of its own. */
    public TaskSpec(String name, String input, int priority, Optional<Duration> timeout) {
        this(name, input, priority, timeout, RetryOverrides.NONE);
    }
}

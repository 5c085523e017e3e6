package dev.mpflow.cli.workflow;

import java.util.Objects;

/**
 * The retry settings that one entry of a workflow file's {@code tasks} sets for the tasks it makes, with where it
 * is written, so that settings which only contradict once flags apply can be reported at that entry.
 *
 * @param index the entry's index in {@code tasks}
 * @param line  the line the entry starts on
 * @param retry what it sets, to apply over the settings of its tasks' agent and of the workflow
 */
public record TaskRetry(int index, int line, RetryOverrides retry) {
    /** Checks that no component is null. */
    public TaskRetry {
        Objects.requireNonNull(retry, "retry");
    }
}

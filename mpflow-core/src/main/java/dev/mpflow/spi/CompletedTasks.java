package dev.mpflow.spi;

import java.util.Optional;

/**
 * The tasks of an earlier run that have a committed success, by {@link dev.mpflow.TaskKey}: what a resumed run
 * skips. Implementations must be safe for use by several threads.
 */
public interface CompletedTasks {
    /** No task done: what a new run starts from. */
    CompletedTasks NONE = new CompletedTasks() {
        @Override
        public boolean contains(String key) {
            return false;
        }

        @Override
        public Optional<String> valueText(String key) {
            return Optional.empty();
        }
    };

    /** Whether the task with this key succeeded, and its success was committed. */
    boolean contains(String key);

    /** The text of the committed value of the task with this key; empty when none, or when the value was null. */
    Optional<String> valueText(String key);
}

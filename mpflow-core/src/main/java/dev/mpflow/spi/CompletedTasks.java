package dev.mpflow.spi;

import java.util.Optional;

/**
 * The tasks of an earlier run that have a committed final result, by {@link dev.mpflow.TaskKey}: those that
 * succeeded, which a resumed run skips, and those that did not, which are all that retrying the run's failed tasks
 * runs again. Implementations must be safe for use by several threads.
 */
public interface CompletedTasks {
    /** No task done: what a new run starts from. */
    CompletedTasks NONE = new CompletedTasks() {
        @Override
        public boolean contains(String key) {
            return false;
        }

        @Override
        public boolean failed(String key) {
            return false;
        }

        @Override
        public Optional<String> valueText(String key) {
            return Optional.empty();
        }
    };

    /** Whether the task with this key succeeded, and its success was committed. */
    boolean contains(String key);

    /**
     * Whether the task with this key has a committed final result that is not a success: failed, timed out, crashed
     * or cancelled.
     */
    boolean failed(String key);

    /**
     * The text of the committed value of the task with this key (for a {@code byte[]} value, its bytes in base64);
     * empty when none, or when the value was null.
     */
    Optional<String> valueText(String key);

    /**
     * The committed value of the task with this key as a resumed run hands it back: the bytes of a {@code byte[]}
     * value, else its text; empty when none, or when the value was null. By default, {@link #valueText}.
     */
    default Optional<Object> value(String key) {
        return valueText(key).map(Object.class::cast);
    }
}

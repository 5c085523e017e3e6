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

package dev.mpflow;

import java.io.Serializable;

/**
 * The work of a {@link Task}: runs inside a worker process, so it is serialized there with everything it captures
 * (like a pickled function in Python). A lambda assigned to this type is serializable as long as what it captures
 * is; capturing a non-serializable object (often an enclosing {@code this}) fails with a clear error naming the
 * task and the class.
 */
@FunctionalInterface
public interface TaskFunction extends Serializable {
    /**
     * Computes the task's value.
     *
     * @param input the task's input text; empty when the task has none
     * @return the value, which must be serializable to travel back to the coordinator
     * @throws Exception any failure; it is reported with its type, message and stack trace
     */
    Object apply(String input) throws Exception;
}

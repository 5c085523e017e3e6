package dev.mpflow;

import java.io.Serializable;

/**
 * The function {@link MultiProcessWorkflow#map} applies to each element, in worker processes. Serialized once per
 * call and sent once to each worker, like a {@link TaskFunction}; what it captures must be serializable.
 *
 * @param <T> the element type; elements travel to workers, so they must be serializable
 * @param <R> the result type, serializable too
 */
@FunctionalInterface
public interface MapFunction<T, R> extends Serializable {
    /**
     * Computes the result for one element.
     *
     * @throws Exception any failure; it fails the chunk the element is in, and the error names the element
     */
    R apply(T element) throws Exception;
}

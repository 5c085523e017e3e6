package dev.mpflow.cli.output;

import dev.mpflow.TaskResult;

/** Writes results to standard output as they arrive, in one format. Called from one thread. */
public interface ResultPrinter extends AutoCloseable {
    void print(TaskResult result);

    /**
     * Whether writing has failed, such as when the reader of a pipe has gone ({@code mpflow run ... | head -1});
     * flushes first.
     */
    boolean failed();

    /** Flushes what is buffered. */
    @Override
    void close();
}

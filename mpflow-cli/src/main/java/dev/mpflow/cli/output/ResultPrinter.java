package dev.mpflow.cli.output;

import dev.mpflow.TaskResult;

/** Writes results to standard output as they arrive, in one format. Called from one thread. */
public interface ResultPrinter extends AutoCloseable {
    void print(TaskResult result);

    /** Flushes what is buffered. */
    @Override
    void close();
}

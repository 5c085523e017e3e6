package dev.mpflow.spi;

import java.util.Optional;

import dev.mpflow.event.WorkflowListener;

/**
 * Where autosaved runs go. A store is a {@link WorkflowListener}: it records each run, attempt and final result as
 * the events arrive, and must not block the caller for long (buffer, then write on a thread of its own).
 *
 * <p>{@link #close()} writes everything still buffered before returning: a result reported through
 * {@link #taskFinished} is durable once {@code close} returns.
 */
public interface ResultStore extends WorkflowListener, AutoCloseable {
    /**
     * What run {@code runId} has committed (its successes, and its results that are not successes), for resuming it
     * or retrying its failed tasks.
     *
     * @throws dev.mpflow.MpflowException naming the run when the store holds no such run
     */
    CompletedTasks completedTasks(String runId);

    /**
     * Claims run {@code runId} for this store until {@link #close()}: from now on, other processes see the run as
     * live, refuse to resume it and do not delete it. The workflow calls it once, before it reads anything of the
     * run or reports any event of it, for a new run and a resumed one alike. A store that cannot tell live runs
     * from dead ones (the default) claims nothing.
     *
     * @throws dev.mpflow.RunActiveException when another process holds the run
     */
    default void claimRun(String runId) {
    }

    /**
     * The newest run of {@code workflow} that did not finish (its process died, or it halted), if any: what a
     * resume without a run id continues.
     */
    default Optional<String> latestUnfinishedRun(String workflow) {
        return Optional.empty();
    }

    /** The hash of the definition run {@code runId} was started (or last resumed) with, if it recorded one. */
    default Optional<String> definitionHash(String runId) {
        return Optional.empty();
    }

    /** Writes what is buffered and releases the store. Idempotent. */
    @Override
    void close();
}

package dev.mpflow.internal.worker;

import dev.mpflow.internal.AttemptOutcome;
import java.time.Instant;

/**
 * Told how one attempt ended, exactly once, outside the pool's lock. An object that waits for one attempt can take
 * this role itself, so that a queued attempt costs no future and no chain of stages: that keeps a million queued
 * tasks in little memory.
 */
public interface AttemptCallback {
    /** The attempt ran, and this is how it ended (succeeded, failed, timed out or crashed). */
    void completed(AttemptOutcome outcome);

    /**
     * The attempt got no outcome: the pool closed ({@link dev.mpflow.WorkflowClosedException}), the run halted
     * ({@link dev.mpflow.TaskCancelledException}) or workers cannot start ({@link dev.mpflow.MpflowException}).
     */
    void failed(Throwable reason);

    /**
     * The attempt was running on the worker with pid {@code workerPid} since {@code startedAt} and was stopped
     * before it had an outcome, for {@code reason} (as {@link #failed}). By default, the same as {@link #failed}.
     */
    default void stopped(Throwable reason, long workerPid, Instant startedAt) {
        failed(reason);
    }
}

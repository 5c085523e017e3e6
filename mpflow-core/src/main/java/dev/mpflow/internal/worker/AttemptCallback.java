package dev.mpflow.internal.worker;

import dev.mpflow.internal.AttemptOutcome;

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
}

package dev.mpflow.internal.worker;

import dev.mpflow.internal.Job;
import java.time.Instant;

/**
 * An attempt queued, sent ahead to a worker, or running there; completes exactly once, whoever (reply, crash,
 * timeout, halt) gets there first.
 */
final class PendingAttempt {
    final long id;
    final Job job;
    final int attempt;
    final AttemptCallback callback;
    /** Set when it starts (becomes the oldest unanswered attempt of its worker); guarded by the pool's lock. */
    Instant startedAt;
    /** The worker it was sent to; guarded by the pool's lock. */
    WorkerHandle worker;
    /** A REVOKE was sent for it and not answered yet; guarded by the pool's lock. */
    boolean revoking;
    /** Whether listeners were told it started; guarded by this object, so that the start is told before the end. */
    private boolean announced;
    /** Whether its callback was told; guarded by this object, so that it is told once whatever races. */
    private boolean done;

    /** The pid of the worker it was sent to, or 0. */
    long workerPid() {
        WorkerHandle w = worker;
        return w == null ? 0 : w.pid();
    }

    /** How long it has run by {@code now}, in nanoseconds. */
    long ranNanos(Instant now) {
        return (now.getEpochSecond() - startedAt.getEpochSecond()) * 1_000_000_000L + now.getNano() - startedAt.getNano();
    }

    PendingAttempt(long id, Job job, int attempt, AttemptCallback callback) {
        this.id = id;
        this.job = job;
        this.attempt = attempt;
        this.callback = callback;
    }

    /** True the first time only: the caller then tells the callback. */
    synchronized boolean markDone() {
        if (done) {
            return false;
        }
        done = true;
        return true;
    }

    /**
     * Runs {@code announce} once, the first time this is called after the attempt started. The thread that
     * completes the attempt calls it too, before it completes it, so listeners always hear of the start first.
     */
    synchronized void announceStart(Runnable announce) {
        if (!announced) {
            announced = true;
            announce.run();
        }
    }
}

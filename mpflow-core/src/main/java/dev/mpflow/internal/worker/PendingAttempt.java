package dev.mpflow.internal.worker;

import dev.mpflow.internal.AttemptOutcome;
import dev.mpflow.internal.Job;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/** An attempt queued or running in the pool; completes exactly once, whoever (reply, crash, timeout) gets there first. */
final class PendingAttempt {
    final long id;
    final Job job;
    final int attempt;
    final CompletableFuture<AttemptOutcome> future = new CompletableFuture<>();
    /** Set when sent to a worker; guarded by the pool's lock. */
    Instant startedAt;
    long workerPid;

    PendingAttempt(long id, Job job, int attempt) {
        this.id = id;
        this.job = job;
        this.attempt = attempt;
    }
}

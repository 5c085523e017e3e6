package dev.mpflow.event;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Counts of a run's final results so far.
 *
 * @param succeeded results that succeeded
 * @param failed results that failed, timed out or crashed after their last attempt
 * @param cancelled results of tasks that did not finish because the run stopped first (halt, deadline,
 *     interruption, close)
 * @param skipped tasks not run because an earlier run of a resumed run had done them
 * @param leftOut tasks not run because the run retries the failed tasks of an earlier run and that run did not have
 *     them ({@link dev.mpflow.TaskStatus#SKIPPED})
 * @param retried results (of any kind) that needed more than one attempt
 * @param wallTime from the run's start to this summary
 * @param haltReason why the run stopped early (halt policy, deadline, interruption), if it did
 */
public record RunSummary(long succeeded, long failed, long cancelled, long skipped, long leftOut, long retried,
        Duration wallTime, Optional<String> haltReason) {
    public RunSummary {
        Objects.requireNonNull(wallTime, "wallTime");
        Objects.requireNonNull(haltReason, "haltReason");
    }

    /** A summary with no task left out. */
    public RunSummary(long succeeded, long failed, long cancelled, long skipped, long retried, Duration wallTime,
            Optional<String> haltReason) {
        this(succeeded, failed, cancelled, skipped, 0, retried, wallTime, haltReason);
    }

    /** The results of this run (skipped and left-out tasks excluded). */
    public long total() {
        return succeeded + failed + cancelled;
    }
}

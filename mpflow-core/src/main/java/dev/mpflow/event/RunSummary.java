package dev.mpflow.event;

import java.time.Duration;

/**
 * Counts of a run's final results so far.
 *
 * @param succeeded results that succeeded
 * @param failed results that failed, timed out or crashed after their last attempt
 * @param cancelled results of tasks that did not finish because the run stopped first (halt, deadline,
 *     interruption, close)
 * @param retried results (of any kind) that needed more than one attempt
 * @param wallTime from the run's start to this summary
 */
public record RunSummary(long succeeded, long failed, long cancelled, long retried, Duration wallTime) {
    public RunSummary {
        java.util.Objects.requireNonNull(wallTime, "wallTime");
    }

    public long total() {
        return succeeded + failed + cancelled;
    }
}

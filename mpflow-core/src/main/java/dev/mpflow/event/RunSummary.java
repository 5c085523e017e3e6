package dev.mpflow.event;

import java.time.Duration;

/**
 * Counts of a run's final results so far.
 *
 * @param succeeded results that succeeded
 * @param failed results that failed, timed out or crashed after their last attempt
 * @param retried results (of either kind) that needed more than one attempt
 * @param wallTime from the run's start to this summary
 */
public record RunSummary(long succeeded, long failed, long retried, Duration wallTime) {
    public long total() {
        return succeeded + failed;
    }
}

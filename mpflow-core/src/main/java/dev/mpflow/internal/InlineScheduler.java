package dev.mpflow.internal;

import dev.failsafe.spi.DefaultScheduledFuture;
import dev.failsafe.spi.Scheduler;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The scheduler Failsafe runs attempts with. The first attempt of a job, started inside {@link #starting}, runs on
 * the calling thread, since all it does is queue the attempt in the pool; without this, every task would cross to
 * the timer thread and back before it even reached the queue. Retries always go through the timer, even without a
 * delay: Failsafe tidies up after the attempt that failed only once it has scheduled the next, so a retry run
 * inline would be cancelled by that tidying.
 */
final class InlineScheduler implements Scheduler {
    private static final ScheduledFuture<?> DONE = new DefaultScheduledFuture<>();
    private final ThreadLocal<Boolean> starting = ThreadLocal.withInitial(() -> Boolean.FALSE);
    private final ScheduledExecutorService timer;

    InlineScheduler(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Starts a Failsafe execution whose first attempt runs on this thread. */
    <T> T starting(Supplier<T> start) {
        Boolean outer = starting.get();
        starting.set(Boolean.TRUE);
        try {
            return start.get();
        } finally {
            starting.set(outer);
        }
    }

    @Override
    public ScheduledFuture<?> schedule(Callable<?> callable, long delay, TimeUnit unit) {
        if (delay > 0 || !starting.get()) {
            return timer.schedule(callable, delay, unit);
        }
        // Only the first attempt of an execution that is starting: what it schedules later is a retry.
        starting.set(Boolean.FALSE);
        try {
            callable.call();
        } catch (Exception e) {
            // Failsafe completes the execution with what this throws, so the task still gets a result.
            throw new IllegalStateException("an attempt could not be queued: " + e, e);
        } finally {
            starting.set(Boolean.TRUE);
        }
        return DONE;
    }
}

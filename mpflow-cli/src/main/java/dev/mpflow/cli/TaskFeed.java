package dev.mpflow.cli;

import dev.mpflow.Task;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * The tasks of a run as the workflow takes them, with two ways to end early that do not disturb the tasks already
 * taken: {@link #stop()} (the run was interrupted: take no more), and a failure to read the next task (a file that
 * vanished, a line that is not UTF-8), which ends the tasks and is kept for the caller to report once the tasks
 * already running have finished.
 */
final class TaskFeed implements Iterable<Task> {
    private final Iterable<Task> source;
    private volatile boolean stopped;
    private volatile RuntimeException failure;
    private volatile LongConsumer whenEnded = taken -> { };
    private long taken;
    private boolean ended;

    /** @param source makes the tasks, given what says whether the feed was stopped (for sources that block) */
    TaskFeed(Function<BooleanSupplier, Iterable<Task>> source) {
        this.source = source.apply(this::stopped);
    }

    /** No task is taken from now on. */
    void stop() {
        stopped = true;
    }

    boolean stopped() {
        return stopped;
    }

    /**
     * {@code whenEnded} is told how many tasks were taken, once, when the tasks have all been taken: the source has
     * no more (neither stopped nor failed). Called on the thread that takes them.
     */
    void whenEnded(LongConsumer whenEnded) {
        this.whenEnded = whenEnded;
    }

    /** Why the tasks ended early, if reading them failed. */
    Optional<RuntimeException> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public Iterator<Task> iterator() {
        Iterator<Task> tasks = source.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                if (stopped || failure != null) {
                    return false;
                }
                boolean more;
                try {
                    more = tasks.hasNext();
                } catch (RuntimeException e) {
                    failure = e;
                    return false;
                }
                if (!more && !stopped && !ended) {
                    ended = true;
                    whenEnded.accept(taken);
                }
                return more;
            }

            @Override
            public Task next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Task task = tasks.next();
                taken++;
                return task;
            }
        };
    }
}

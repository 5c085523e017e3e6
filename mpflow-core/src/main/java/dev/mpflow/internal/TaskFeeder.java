package dev.mpflow.internal;

import dev.mpflow.Task;
import dev.mpflow.TaskResult;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Pulls tasks from the caller's iterable on a thread of its own and submits them, with at most {@code window}
 * jobs whose results the consumer has not taken yet. A slow source (a pipe, a network stream) therefore never
 * holds back the results of tasks already running, and memory stays bounded however many tasks there are.
 *
 * <p>The feeder reports, in order: each job's future as it is submitted, then the end of the source or the
 * exception the source threw. The consumer calls {@link #release()} once per result it has taken.
 */
public final class TaskFeeder {
    /** What the feeder reports, in submission order. */
    public sealed interface Event permits Submitted, End {
    }

    /** A job was submitted. */
    public record Submitted(CompletableFuture<TaskResult> future) implements Event {
    }

    /** No more jobs: the source ended, threw {@code failure}, or the run halted. */
    public record End(RuntimeException failure) implements Event {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Semaphore permits;
    private final int window;

    private TaskFeeder(int window) {
        this.window = window;
        this.permits = new Semaphore(window);
    }

    /**
     * Starts feeding.
     *
     * @param source the caller's tasks
     * @param jobsPerTask how many jobs (results) each task makes
     * @param submit submits one task's jobs
     * @param halted true once the run takes no more work: the feeder then stops pulling from the source
     * @param ended run once the feeder submits nothing more, after its last submission
     */
    public static TaskFeeder start(Iterator<? extends Task> source, int jobsPerTask,
            Function<Task, List<CompletableFuture<TaskResult>>> submit, BooleanSupplier halted, int window,
            Runnable ended) {
        TaskFeeder feeder = new TaskFeeder(window);
        Thread t = new Thread(() -> {
            try {
                feeder.feed(source, jobsPerTask, submit, halted);
            } finally {
                ended.run();
            }
        }, "mpflow-feeder");
        // Daemon: a source blocked for ever (a terminal nobody types into) must not keep the JVM alive.
        t.setDaemon(true);
        t.start();
        return feeder;
    }

    private void feed(Iterator<? extends Task> source, int jobsPerTask,
            Function<Task, List<CompletableFuture<TaskResult>>> submit, BooleanSupplier halted) {
        RuntimeException failure = null;
        int need = Math.min(Math.max(1, jobsPerTask), window);
        try {
            while (!halted.getAsBoolean() && source.hasNext()) {
                Task task = Objects.requireNonNull(source.next(), "a task in the input is null");
                while (!permits.tryAcquire(need, 100, TimeUnit.MILLISECONDS)) {
                    if (halted.getAsBoolean()) {
                        return;
                    }
                }
                List<CompletableFuture<TaskResult>> jobs = submit.apply(task);
                // A task may make more jobs than it was given permits for (more agents than the window).
                if (jobs.size() > need) {
                    permits.acquireUninterruptibly(Math.min(jobs.size(), window) - need);
                }
                for (CompletableFuture<TaskResult> job : jobs) {
                    events.add(new Submitted(job));
                }
            }
        } catch (RuntimeException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            events.add(new End(failure));
        }
    }

    /** The next event, waiting for it. */
    public Event take() throws InterruptedException {
        return events.take();
    }

    /** The consumer has taken one result: the feeder may submit another job. */
    public void release() {
        permits.release();
    }
}

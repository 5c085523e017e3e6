package dev.mpflow.cli;

import dev.mpflow.MpflowException;
import dev.mpflow.MultiProcessWorkflow;
import dev.mpflow.Task;
import dev.mpflow.TaskResult;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Runs tasks that come from a stream which may pause (stdin, a pipe: {@code tail -f log | mpflow run ...}),
 * handing each result to the caller as soon as it is there, while the next input line is still awaited. Tasks are
 * taken and submitted on a thread of their own, at most {@code window} at a time, so memory stays bounded; the
 * calling thread only prints. Taking tasks stops at the end of the input, when the feed is stopped, or when the
 * run halts.
 */
final class StreamingRun {
    /** Ends the stream of submissions; carries how many there were. */
    private record End(long submitted, Throwable failure) {
    }

    private final MultiProcessWorkflow workflow;
    private final TaskFeed tasks;
    private final int window;

    StreamingRun(MultiProcessWorkflow workflow, TaskFeed tasks, int window) {
        this.workflow = workflow;
        this.tasks = tasks;
        this.window = window;
    }

    /**
     * Runs every task and hands each result to {@code onResult} on this thread: in input order with
     * {@code keepOrder}, else as they complete. Returns when every task taken has its result.
     */
    void run(boolean keepOrder, Consumer<TaskResult> onResult) throws InterruptedException {
        Semaphore room = new Semaphore(window);
        // In input order: the futures themselves; in completion order: the results. Then one End.
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        Thread submitter = new Thread(() -> submitAll(room, events, keepOrder), "mpflow-submit");
        submitter.setDaemon(true);
        submitter.start();
        long handed = 0;
        End end = null;
        while (end == null || handed < end.submitted()) {
            Object event = events.take();
            if (event instanceof End e) {
                end = e;
                continue;
            }
            TaskResult result = event instanceof CompletableFuture<?> f ? join(f) : (TaskResult) event;
            handed++;
            room.release();
            onResult.accept(result);
        }
        if (end.failure() != null) {
            throw new MpflowException("internal error while submitting tasks: " + end.failure(), end.failure());
        }
    }

    private void submitAll(Semaphore room, BlockingQueue<Object> events, boolean keepOrder) {
        long submitted = 0;
        Throwable failure = null;
        try {
            Iterator<Task> it = tasks.iterator();
            while (workflow.haltReason().isEmpty() && it.hasNext()) {
                Task task = it.next();
                room.acquire();
                CompletableFuture<TaskResult> f = workflow.submit(task);
                submitted++;
                if (keepOrder) {
                    events.add(f);
                } else {
                    f.whenComplete((r, t) -> events.add(r != null ? r : new End(-1, t)));
                }
            }
            // The input has ended (or the run stopped taking it): a halt policy's share is judged against all of it.
            workflow.noMoreTasks();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        events.add(new End(submitted, failure));
    }

    private static TaskResult join(CompletableFuture<?> f) {
        try {
            return (TaskResult) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MpflowException("interrupted while waiting for a result", e);
        } catch (ExecutionException e) {
            throw new MpflowException("internal error while running a task: " + e.getCause(), e.getCause());
        }
    }
}

package dev.mpflow.event;

import dev.mpflow.TaskResult;

/**
 * Receives a workflow's events. The core never prints: progress views, the result store and user code all learn
 * what happens through this interface.
 *
 * <p>Methods are called from the workflow's internal threads, possibly concurrently, and must return quickly: hand
 * slow work (disk, network) to a thread of your own. An exception thrown by a listener is logged and ignored.
 */
public interface WorkflowListener {
    /** The run started: called once, before its first attempt. */
    default void runStarted(RunInfo run) {
    }

    /**
     * A job of the run was submitted: called once per job (a task, or a task and one agent in a fan-out), on the
     * submitting thread, before its first attempt and before its {@link #taskFinished}. A job that a resumed run
     * skips because an earlier process did it is reported too, with {@link SubmittedTask#doneEarlier()} set; it
     * gets no attempt and no {@code taskFinished}. A task that retrying an earlier run's failures leaves out
     * ({@link dev.mpflow.TaskStatus#SKIPPED}) is not a task of the run and is not reported, nor is any chunk of a
     * {@code map}. Tasks may be submitted at 100,000 a second and more: return at once.
     */
    default void taskSubmitted(SubmittedTask task) {
    }

    /** An attempt was sent to a worker process. */
    default void attemptStarted(String runId, String task, int attempt, long workerPid) {
    }

    /** An attempt ended, however it ended. Retries follow failed attempts as the retry settings allow. */
    default void attemptFinished(AttemptRecord attempt) {
    }

    /** A task reached its final result (after all its attempts). */
    default void taskFinished(String runId, TaskResult result) {
    }

    /** The run ended (the workflow was closed); {@code summary} counts its final results. */
    default void runFinished(RunInfo run, RunSummary summary) {
    }
}

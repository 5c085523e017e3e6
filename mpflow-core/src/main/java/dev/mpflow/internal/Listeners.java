package dev.mpflow.internal;

import dev.mpflow.TaskResult;
import dev.mpflow.event.AttemptRecord;
import dev.mpflow.event.RunInfo;
import dev.mpflow.event.RunSummary;
import dev.mpflow.event.SubmittedTask;
import dev.mpflow.event.WorkflowListener;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * Fans events out to several listeners, masked: no listener sees a secret. One listener's exception never stops the
 * others or the workflow.
 */
final class Listeners implements WorkflowListener {
    private static final Logger log = MaskedLogging.logger(Listeners.class);
    private final List<WorkflowListener> listeners;
    private final Masking masking;

    Listeners(List<WorkflowListener> listeners, Masking masking) {
        this.listeners = List.copyOf(listeners);
        this.masking = masking;
    }

    private void each(String event, Consumer<WorkflowListener> call) {
        for (WorkflowListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                log.warn("listener {} failed on {}: {}", l.getClass().getName(), event, e.toString(), e);
            }
        }
    }

    @Override
    public void runStarted(RunInfo run) {
        RunInfo masked = masking.run(run);
        each("runStarted", l -> l.runStarted(masked));
    }

    @Override
    public void taskSubmitted(SubmittedTask task) {
        SubmittedTask masked = masking.submitted(task);
        each("taskSubmitted", l -> l.taskSubmitted(masked));
    }

    @Override
    public void attemptStarted(String runId, String task, int attempt, long workerPid) {
        String masked = masking.text(task);
        each("attemptStarted", l -> l.attemptStarted(runId, masked, attempt, workerPid));
    }

    @Override
    public void attemptFinished(AttemptRecord attempt) {
        AttemptRecord masked = masking.attempt(attempt);
        each("attemptFinished", l -> l.attemptFinished(masked));
    }

    /** {@code result} comes masked already: the runtime hands the caller the very result the listeners get. */
    @Override
    public void taskFinished(String runId, TaskResult result) {
        each("taskFinished", l -> l.taskFinished(runId, result));
    }

    @Override
    public void runFinished(RunInfo run, RunSummary summary) {
        RunInfo masked = masking.run(run);
        RunSummary maskedSummary = masking.summary(summary);
        each("runFinished", l -> l.runFinished(masked, maskedSummary));
    }
}

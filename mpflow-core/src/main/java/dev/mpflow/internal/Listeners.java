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
import org.slf4j.LoggerFactory;

/** Fans events out to several listeners; one listener's exception never stops the others or the workflow. */
final class Listeners implements WorkflowListener {
    private static final Logger log = LoggerFactory.getLogger(Listeners.class);
    private final List<WorkflowListener> listeners;

    Listeners(List<WorkflowListener> listeners) {
        this.listeners = List.copyOf(listeners);
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
        each("runStarted", l -> l.runStarted(run));
    }

    @Override
    public void taskSubmitted(SubmittedTask task) {
        each("taskSubmitted", l -> l.taskSubmitted(task));
    }

    @Override
    public void attemptStarted(String runId, String task, int attempt, long workerPid) {
        each("attemptStarted", l -> l.attemptStarted(runId, task, attempt, workerPid));
    }

    @Override
    public void attemptFinished(AttemptRecord attempt) {
        each("attemptFinished", l -> l.attemptFinished(attempt));
    }

    @Override
    public void taskFinished(String runId, TaskResult result) {
        each("taskFinished", l -> l.taskFinished(runId, result));
    }

    @Override
    public void runFinished(RunInfo run, RunSummary summary) {
        each("runFinished", l -> l.runFinished(run, summary));
    }
}

package dev.mpflow.cli;

import dev.mpflow.event.AttemptRecord;
import dev.mpflow.event.WorkflowListener;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Which workers are running an attempt now, from the workflow's events: what the interruption message counts. An
 * attempt stopped by a halt reports no end, so only the workers still alive are counted.
 */
final class RunningAttempts implements WorkflowListener {
    private final Set<Long> busyWorkers = new HashSet<>();

    @Override
    public synchronized void attemptStarted(String runId, String task, int attempt, long workerPid) {
        busyWorkers.add(workerPid);
    }

    @Override
    public synchronized void attemptFinished(AttemptRecord attempt) {
        busyWorkers.remove(attempt.workerPid());
    }

    /** How many of {@code aliveWorkers} are running an attempt. */
    synchronized int count(Collection<Long> aliveWorkers) {
        int n = 0;
        for (Long pid : aliveWorkers) {
            if (busyWorkers.contains(pid)) {
                n++;
            }
        }
        return n;
    }
}

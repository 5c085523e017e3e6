package dev.mpflow.fault;

import static org.awaitility.Awaitility.await;

import dev.mpflow.TaskResult;
import dev.mpflow.event.AttemptRecord;
import dev.mpflow.event.WorkflowListener;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what a workflow tells its listeners: attempts started and finished, and final results. */
final class AttemptLog implements WorkflowListener {
    /** An attempt sent to a worker. */
    record Started(String task, int attempt, long workerPid, Instant at) {
    }

    final List<Started> started = new CopyOnWriteArrayList<>();
    final List<AttemptRecord> finished = new CopyOnWriteArrayList<>();
    final List<TaskResult> results = new CopyOnWriteArrayList<>();

    @Override
    public void attemptStarted(String runId, String task, int attempt, long workerPid) {
        started.add(new Started(task, attempt, workerPid, Instant.now()));
    }

    @Override
    public void attemptFinished(AttemptRecord attempt) {
        finished.add(attempt);
    }

    @Override
    public void taskFinished(String runId, TaskResult result) {
        results.add(result);
    }

    /** The finished attempts of {@code task}, by attempt number. */
    List<AttemptRecord> attemptsOf(String task) {
        return finished.stream().filter(a -> a.task().equals(task))
                .sorted(Comparator.comparingInt(AttemptRecord::attempt)).toList();
    }

    /** The worker running attempt {@code attempt} of {@code task}, waiting up to 30 s for it to start. */
    long awaitWorkerOf(String task, int attempt) {
        await(task + " attempt " + attempt + " to start").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> started.stream().anyMatch(s -> s.task().equals(task) && s.attempt() == attempt));
        return started.stream().filter(s -> s.task().equals(task) && s.attempt() == attempt).findFirst()
                .orElseThrow().workerPid();
    }
}

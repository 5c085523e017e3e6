package dev.mpflow.store.sqlite;

import dev.mpflow.TaskError;
import dev.mpflow.TaskResult;
import dev.mpflow.TaskStatus;
import dev.mpflow.event.AttemptRecord;
import dev.mpflow.event.RunInfo;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Builds the events a workflow would report, with fixed times so that tests can assert exact values. */
final class Events {
    static final Instant T0 = Instant.parse("2025-03-01T10:00:00.123456789Z");

    private Events() {
    }

    static RunInfo run(String runId) {
        return run(runId, T0);
    }

    static RunInfo run(String runId, Instant startedAt) {
        return new RunInfo(runId, "workflow", startedAt, 4, List.of(), "maxWorkers=4", Optional.empty(), false);
    }

    static TaskResult success(String task, Object value) {
        return new TaskResult(task, Optional.empty(), "input of " + task, TaskStatus.SUCCEEDED, value,
                Optional.empty(), 1, 1234, T0.plusMillis(10), T0.plusMillis(20), "", "");
    }

    static TaskResult failure(String task, TaskStatus status, TaskError error) {
        return new TaskResult(task, Optional.empty(), "input of " + task, status, null, Optional.of(error), 1, 1234,
                T0.plusMillis(10), T0.plusMillis(20), "", "");
    }

    static AttemptRecord attempt(String runId, String task, int attempt) {
        return new AttemptRecord(runId, task, Optional.empty(), attempt, 1234, T0.plusMillis(10), T0.plusMillis(20),
                TaskStatus.SUCCEEDED, Optional.empty());
    }
}

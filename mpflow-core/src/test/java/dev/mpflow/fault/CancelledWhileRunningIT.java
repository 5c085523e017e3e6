package dev.mpflow.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mpflow.MultiProcessWorkflow;
import dev.mpflow.RetrySettings;
import dev.mpflow.Task;
import dev.mpflow.TaskCancelledException;
import dev.mpflow.TaskResult;
import dev.mpflow.TaskStatus;
import dev.mpflow.event.AttemptRecord;
import dev.mpflow.testing.NoProcessLeftBehind;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task stopped while it runs (by the deadline, a halt or {@code close()}) is cancelled, and its result still
 * says where and since when it ran: the pid of the worker of its last attempt and the start of its first.
 */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CancelledWhileRunningIT {
    @TempDir
    Path tmp;

    private final AttemptLog log = new AttemptLog();

    private MultiProcessWorkflow.Builder workflow(int maxAttempts) {
        return MultiProcessWorkflow.builder().maxWorkers(1).autosave(false).listener(log)
                .retry(RetrySettings.builder().maxAttempts(maxAttempts).delay(Duration.ofMillis(10)).multiplier(1)
                        .build());
    }

    @Test
    void aTaskCancelledByTheDeadlineWhileRunningNamesItsWorkerAndStart() {
        try (MultiProcessWorkflow wf = workflow(1).deadline(Duration.ofSeconds(1)).build()) {
            TaskResult r = wf.executeTask(Task.of("slow", FaultyTasks.sleepThen(60_000, "late")));

            assertCancelledAfterRunning(r, 1);
        }
    }

    @Test
    void aRetriedTaskCancelledInItsSecondAttemptNamesTheWorkerOfThatAttemptAndTheFirstStart() {
        try (MultiProcessWorkflow wf = workflow(2).deadline(Duration.ofSeconds(2)).build()) {
            TaskResult r = wf.executeTask(Task.of("again", FaultyTasks.firstTimes(tmp, "again", 1,
                    FaultyTasks.alwaysFail("first"), FaultyTasks.sleepThen(60_000, "late"))));

            assertCancelledAfterRunning(r, 2);
            AttemptRecord first = log.attemptsOf("again").get(0);
            assertThat(r.startedAt()).isEqualTo(first.startedAt());
        }
    }

    @Test
    void aTaskRunningWhenTheWorkflowClosesNamesItsWorkerAndStart() {
        MultiProcessWorkflow wf = workflow(1).build();
        CompletableFuture<TaskResult> result;
        try {
            result = CompletableFuture.supplyAsync(
                    () -> wf.executeTask(Task.of("slow", FaultyTasks.sleepThen(60_000, "late"))));
            await().atMost(Duration.ofSeconds(30)).until(() -> !log.started.isEmpty());
        } finally {
            wf.close();
        }

        assertCancelledAfterRunning(result.join(), 1);
    }

    private void assertCancelledAfterRunning(TaskResult r, int attempts) {
        assertThat(r.status()).as("%s", r).isEqualTo(TaskStatus.CANCELLED);
        assertThat(r.error().orElseThrow().type()).isEqualTo(TaskCancelledException.class.getName());
        assertThat(r.attempts()).isEqualTo(attempts);
        assertThat(log.started).hasSize(attempts);
        AttemptLog.Started last = log.started.get(attempts - 1);
        assertThat(last.workerPid()).isPositive();
        assertThat(r.workerPid()).as("the worker that ran the last attempt").isEqualTo(last.workerPid());
        Instant firstHeard = log.started.get(0).at();
        assertThat(r.startedAt()).as("when it started, before listeners heard of it").isBeforeOrEqualTo(firstHeard);
        assertThat(r.endedAt()).isAfter(firstHeard);
    }
}

package dev.mpflow.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.mpflow.MpflowException;
import dev.mpflow.MultiProcessWorkflow;
import dev.mpflow.RetrySettings;
import dev.mpflow.Task;
import dev.mpflow.TaskResult;
import dev.mpflow.TaskStatus;
import dev.mpflow.testing.NoProcessLeftBehind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A run resumed from the store runs again exactly what did not succeed, and records one result per task. */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(120)
class ResumeIT {
    @TempDir
    Path dir;

    /** Tasks 0..4; the odd ones fail until the "fixed" file exists. */
    private List<Task> tasks() {
        String fixed = dir.resolve("fixed").toString();
        return IntStream.range(0, 5).mapToObj(i -> Task.builder("t" + i).input(Integer.toString(i)).function(in -> {
            int n = Integer.parseInt(in);
            if (n % 2 == 1 && !Files.exists(Path.of(fixed))) {
                throw new IllegalStateException("not yet");
            }
            return n * 10;
        }).build()).toList();
    }

    private MultiProcessWorkflow.Builder workflow() {
        return MultiProcessWorkflow.builder().name("resumable").maxWorkers(2).store(dir.resolve("runs.db"))
                .retry(RetrySettings.NONE);
    }

    @Test
    void resumeSkipsCommittedSuccessesAndRunsTheRestOnce() throws Exception {
        String runId;
        try (MultiProcessWorkflow first = workflow().build()) {
            runId = first.runId();
            List<TaskResult> results = first.runAll(tasks()).toList();
            assertThat(results).extracting(TaskResult::status).containsExactly(TaskStatus.SUCCEEDED,
                    TaskStatus.FAILED, TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.SUCCEEDED);
        }
        Files.createFile(dir.resolve("fixed"));

        try (MultiProcessWorkflow resumed = workflow().resume(runId).build()) {
            assertThat(resumed.runId()).isEqualTo(runId);
            List<TaskResult> results = resumed.runAll(tasks()).toList();
            assertThat(results).extracting(TaskResult::fromEarlierRun).containsExactly(true, false, true, false, true);
            assertThat(results).extracting(TaskResult::attempts).containsExactly(0, 1, 0, 1, 0);
            // Values of skipped tasks come back from the store as their text.
            assertThat(results).extracting(TaskResult::value).containsExactly("0", 10, "20", 30, "40");
        }

        try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve("runs.db"))) {
            assertThat(history.runs()).hasSize(1);
            List<StoredResult> stored = history.results(runId);
            // Exactly one final result per task, the latest.
            assertThat(stored).extracting(StoredResult::task).containsExactlyInAnyOrder("t0", "t1", "t2", "t3", "t4");
            assertThat(stored).allSatisfy(r -> assertThat(r.status()).isEqualTo(TaskStatus.SUCCEEDED));
            // Every attempt stays recorded: two for each task that failed first.
            assertThat(history.attempts(runId)).hasSize(7);
        }
    }

    @Test
    void retryFailedRunsOnlyTheFailuresOfTheRunAndLeavesOutTasksItDidNotHave() throws Exception {
        String runId;
        try (MultiProcessWorkflow first = workflow().build()) {
            runId = first.runId();
            first.runAll(tasks()).toList();
        }
        Files.createFile(dir.resolve("fixed"));
        List<Task> more = new ArrayList<>(tasks());
        more.add(Task.builder("new").input("9").function(in -> 90).build());
        // Given twice: only the first occurrence of t1 failed before.
        more.add(tasks().get(1));

        try (MultiProcessWorkflow retry = workflow().retryFailed(runId).build()) {
            List<TaskResult> results = retry.runAll(more).toList();
            assertThat(results).extracting(TaskResult::task, TaskResult::status, TaskResult::attempts).containsExactly(
                    tuple("t0", TaskStatus.SUCCEEDED, 0), tuple("t1", TaskStatus.SUCCEEDED, 1),
                    tuple("t2", TaskStatus.SUCCEEDED, 0), tuple("t3", TaskStatus.SUCCEEDED, 1),
                    tuple("t4", TaskStatus.SUCCEEDED, 0), tuple("new", TaskStatus.SKIPPED, 0),
                    tuple("t1", TaskStatus.SKIPPED, 0));
            assertThat(results.get(5).error()).hasValueSatisfying(e -> {
                assertThat(e.type()).isEqualTo(TaskStatus.SKIPPED_ERROR_TYPE);
                assertThat(e.message()).contains("run " + runId);
            });
            assertThat(retry.summary()).satisfies(s -> {
                assertThat(s.succeeded()).isEqualTo(2);
                assertThat(s.skipped()).isEqualTo(3);
                assertThat(s.leftOut()).isEqualTo(2);
            });
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve("runs.db"))) {
            assertThat(history.results(runId)).extracting(StoredResult::task)
                    .containsExactlyInAnyOrder("t0", "t1", "t2", "t3", "t4");
            assertThat(history.run(runId).orElseThrow().succeeded()).isEqualTo(5);
        }
    }

    @Test
    void resumingAnUnknownRunFailsClearly() {
        try (MultiProcessWorkflow first = workflow().build()) {
            first.executeTask(Task.of("x", in -> 1));
        }
        assertThatThrownBy(() -> workflow().resume("20000101-000000-dead").build())
                .isInstanceOf(MpflowException.class)
                .hasMessage("store " + dir.resolve("runs.db").toAbsolutePath() + " holds no run 20000101-000000-dead");
    }

    @Test
    void resumeLatestUnfinishedContinuesTheNewestUnfinishedRunOfTheWorkflowOrStartsOne() {
        Path store = dir.resolve("runs.db");
        String first;
        try (MultiProcessWorkflow wf = MultiProcessWorkflow.builder().name("nightly").maxWorkers(2).store(store)
                .resumeLatestUnfinished().build()) {
            first = wf.runId();
            assertThat(wf.runAll(tasks()).filter(TaskResult::succeeded).count()).isEqualTo(3);
            wf.stop(java.time.Duration.ZERO); // halted: unfinished, so the next build continues it
        }
        try (MultiProcessWorkflow wf = MultiProcessWorkflow.builder().name("other").maxWorkers(1).store(store)
                .resumeLatestUnfinished().build()) {
            assertThat(wf.runId()).as("another workflow's run is not continued").isNotEqualTo(first);
        }
        try (MultiProcessWorkflow wf = MultiProcessWorkflow.builder().name("nightly").maxWorkers(2).store(store)
                .resumeLatestUnfinished().build()) {
            assertThat(wf.runId()).isEqualTo(first);
            List<TaskResult> results = wf.runAll(tasks()).toList();
            assertThat(results).extracting(TaskResult::attempts).containsExactly(0, 3, 0, 3, 0);
        }
    }

    @Test
    void aResumeOfARunStartedFromAnotherDefinitionIsRefusedUnlessForced() {
        Path store = dir.resolve("runs.db");
        String run;
        try (MultiProcessWorkflow wf = MultiProcessWorkflow.builder().name("wf").store(store).definitionHash("aaa")
                .build()) {
            run = wf.runId();
            wf.executeTask(Task.of("x", in -> 1));
            wf.stop(java.time.Duration.ZERO);
        }
        assertThatThrownBy(() -> MultiProcessWorkflow.builder().name("wf").store(store).definitionHash("bbb")
                .resume(run).build()).isInstanceOf(dev.mpflow.MpflowException.class)
                .hasMessage("run " + run + " of workflow 'wf' was started from another definition (hash aaa, now "
                        + "bbb); force() continues it anyway");
        try (MultiProcessWorkflow wf = MultiProcessWorkflow.builder().name("wf").store(store).definitionHash("bbb")
                .resumeLatestUnfinished().force().build()) {
            assertThat(wf.runId()).isEqualTo(run);
        }
    }
}

package dev.mpflow.store.sqlite;

import static dev.mpflow.store.sqlite.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.mpflow.MpflowException;
import dev.mpflow.TaskCancelledException;
import dev.mpflow.TaskError;
import dev.mpflow.TaskKey;
import dev.mpflow.TaskResult;
import dev.mpflow.TaskStatus;
import dev.mpflow.event.AttemptRecord;
import dev.mpflow.event.RunInfo;
import dev.mpflow.event.RunSummary;
import dev.mpflow.event.SubmittedTask;
import dev.mpflow.spi.CompletedTasks;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One final result per task of a run, whatever happens: results replace earlier ones of the same task, a resumed run
 * keeps its row and counts every process, and a resume sees committed successes only.
 */
class ExactlyOnceRecordingTest {
    private static final TaskError BOOM = new TaskError("java.lang.IllegalStateException", "boom", "");
    private static final TaskError CANCELLED = new TaskError(TaskCancelledException.class.getName(), "stopped", "");

    @TempDir
    Path dir;

    @Test
    void aLaterResultOfATaskReplacesTheEarlierOneAndTasksDifferingInAgentOrInputStayApart() {
        Path db = dir.resolve("runs.db");
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(Events.run("r"));
            store.taskFinished("r", result("t", Optional.empty(), "in", TaskStatus.FAILED, null, 1));
            store.taskFinished("r", result("other", Optional.empty(), "in", TaskStatus.SUCCEEDED, "x", 1));
            store.taskFinished("r", result("t", Optional.empty(), "in", TaskStatus.SUCCEEDED, "second", 2));
            // Same name, another input or another agent: other tasks.
            store.taskFinished("r", result("t", Optional.empty(), "in2", TaskStatus.SUCCEEDED, "third", 1));
            store.taskFinished("r", result("t", Optional.of("agent"), "in", TaskStatus.SUCCEEDED, "fourth", 1));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            List<StoredResult> results = history.results("r");
            assertThat(results).extracting(StoredResult::task, StoredResult::input, StoredResult::agent,
                    StoredResult::status, r -> r.valueText().orElse(null)).containsExactly(
                            tuple("other", "in", Optional.empty(), TaskStatus.SUCCEEDED, "x"),
                            // The replacing result is recorded last.
                            tuple("t", "in", Optional.empty(), TaskStatus.SUCCEEDED, "second"),
                            tuple("t", "in2", Optional.empty(), TaskStatus.SUCCEEDED, "third"),
                            tuple("t", "in", Optional.of("agent"), TaskStatus.SUCCEEDED, "fourth"));
            assertThat(results.get(1).taskKey()).isEqualTo(TaskKey.of("t", Optional.empty(), "in"));
            assertThat(results.get(1).attempts()).isEqualTo(2);
            assertThat(results).extracting(StoredResult::taskKey).doesNotHaveDuplicates();
        }
    }

    @Test
    void theUniqueIndexRefusesASecondResultOfATaskWrittenBehindTheStoresBack() throws Exception {
        Path db = dir.resolve("runs.db");
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(Events.run("r"));
            store.taskFinished("r", Events.success("t", 1));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("INSERT INTO results (run_id, task, input, status, attempts, "
                    + "worker_pid, started_at, ended_at, duration_ms, stdout, stderr, task_key) "
                    + "SELECT run_id, task, input, status, attempts, worker_pid, started_at, ended_at, duration_ms, "
                    + "stdout, stderr, task_key FROM results"))
                    .hasMessageContaining("UNIQUE");
        }
    }

    @Test
    void aResumedRunKeepsItsRowAndItsEndCountsTheResultsOfEveryProcess() {
        Path db = dir.resolve("runs.db");
        RunInfo first = new RunInfo("r", "w", T0, 2, List.of(), "maxWorkers=2", Optional.of("hash-1"), false);
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(first);
            store.taskFinished("r", result("a", Optional.empty(), "", TaskStatus.SUCCEEDED, 1, 1));
            store.taskFinished("r", result("b", Optional.empty(), "", TaskStatus.FAILED, null, 3));
            store.taskFinished("r", result("c", Optional.empty(), "", TaskStatus.CANCELLED, null, 0));
            store.runFinished(first, new RunSummary(1, 1, 1, 0, 1, Duration.ofSeconds(5),
                    Optional.of("interrupted")));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            StoredRun halted = history.run("r").orElseThrow();
            assertThat(halted.status()).isEqualTo(StoredRun.Status.HALTED);
            assertThat(halted.haltReason()).contains("interrupted");
            assertThat(List.of(halted.succeeded(), halted.failed(), halted.cancelled(), halted.retried()))
                    .containsExactly(1L, 1L, 1L, 1L);
            assertThat(halted.definitionHash()).contains("hash-1");
        }

        Instant later = T0.plusSeconds(600);
        RunInfo resumed = new RunInfo("r", "w", later, 4, List.of(), "maxWorkers=4", Optional.of("hash-1"), true);
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            CompletedTasks done = store.completedTasks("r");
            assertThat(done.contains(TaskKey.of("a", Optional.empty(), ""))).isTrue();
            assertThat(done.contains(TaskKey.of("b", Optional.empty(), ""))).isFalse();
            assertThat(done.contains(TaskKey.of("c", Optional.empty(), ""))).isFalse();
            store.runStarted(resumed);
            store.taskFinished("r", result("b", Optional.empty(), "", TaskStatus.SUCCEEDED, 2, 1));
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
                    return history.run("r").orElseThrow().succeeded() == 2;
                }
            });
            try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
                StoredRun running = history.run("r").orElseThrow();
                // Running again from its first start, its counts live from the results so far.
                assertThat(running.status()).isEqualTo(StoredRun.Status.RUNNING);
                assertThat(running.startedAt()).isEqualTo(T0);
                assertThat(running.endedAt()).isEmpty();
                assertThat(running.haltReason()).isEmpty();
                assertThat(running.settings()).isEqualTo("maxWorkers=4");
                assertThat(List.of(running.succeeded(), running.failed(), running.cancelled()))
                        .containsExactly(2L, 0L, 1L);
            }
            store.taskFinished("r", result("c", Optional.empty(), "", TaskStatus.SUCCEEDED, 3, 1));
            // This process ran two tasks and skipped one.
            store.runFinished(resumed, new RunSummary(2, 0, 0, 1, 0, Duration.ofSeconds(7), Optional.empty()));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            StoredRun run = history.run("r").orElseThrow();
            assertThat(history.runs()).hasSize(1);
            assertThat(run.status()).isEqualTo(StoredRun.Status.FINISHED);
            assertThat(run.haltReason()).isEmpty();
            assertThat(run.startedAt()).isEqualTo(T0);
            assertThat(run.endedAt()).contains(later.plusSeconds(7));
            assertThat(List.of(run.succeeded(), run.failed(), run.cancelled(), run.retried(), run.skipped()))
                    .containsExactly(3L, 0L, 0L, 0L, 1L);
            assertThat(run.maxWorkers()).isEqualTo(4);
            assertThat(history.results("r")).extracting(StoredResult::task, r -> r.valueText().orElseThrow())
                    .containsExactly(tuple("a", "1"), tuple("b", "2"), tuple("c", "3"));
        }

        // Resumed once more (nothing left to do) and killed: running again, nothing skipped yet.
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(new RunInfo("r", "w", later.plusSeconds(60), 4, List.of(), "", Optional.empty(), true));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            StoredRun run = history.run("r").orElseThrow();
            assertThat(run.status()).isEqualTo(StoredRun.Status.RUNNING);
            assertThat(run.skipped()).isZero();
            assertThat(run.succeeded()).isEqualTo(3);
            assertThat(run.definitionHash()).contains("hash-1");
        }
    }

    @Test
    void aRunHaltsWhenItsSummaryGivesAReasonOrTasksOfItRemainCancelled() {
        Path db = dir.resolve("runs.db");
        RunSummary clean = new RunSummary(1, 0, 0, 0, 0, Duration.ofSeconds(1), Optional.empty());
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            // Closed while work was pending: the core gives the close as the halt reason.
            store.runStarted(Events.run("closed"));
            store.taskFinished("closed", result("a", Optional.empty(), "", TaskStatus.SUCCEEDED, 1, 1));
            store.runFinished(Events.run("closed"), new RunSummary(1, 0, 0, 0, 0, Duration.ofSeconds(1),
                    Optional.of("the workflow was closed")));
            // A task left cancelled by an earlier process, not given to this one: the run is not done.
            store.runStarted(Events.run("left"));
            store.taskFinished("left", result("a", Optional.empty(), "", TaskStatus.SUCCEEDED, 1, 1));
            store.taskFinished("left", result("b", Optional.empty(), "", TaskStatus.CANCELLED, null, 0));
            store.runFinished(Events.run("left"), clean);
            // Failures alone do not halt a run.
            store.runStarted(Events.run("failed"));
            store.taskFinished("failed", result("a", Optional.empty(), "", TaskStatus.FAILED, null, 1));
            store.runFinished(Events.run("failed"), clean);
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.runs()).extracting(StoredRun::runId, StoredRun::status, StoredRun::haltReason)
                    .containsExactlyInAnyOrder(
                            tuple("closed", StoredRun.Status.HALTED, Optional.of("the workflow was closed")),
                            tuple("left", StoredRun.Status.HALTED,
                                    Optional.of("1 task(s) of the run remain cancelled")),
                            tuple("failed", StoredRun.Status.FINISHED, Optional.empty()));
        }
    }

    @Test
    void theDefinitionHashIsKeptByAResumeThatGivesNoneAndReplacedByOneThatGivesAnother() {
        Path db = dir.resolve("runs.db");
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(new RunInfo("r", "w", T0, 1, List.of(), "", Optional.of("one"), false));
            store.runStarted(new RunInfo("plain", "w", T0, 1, List.of(), "", Optional.empty(), false));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.definitionHash("r")).contains("one");
            assertThat(history.definitionHash("plain")).isEmpty();
            assertThat(history.definitionHash("unknown")).isEmpty();
        }
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(new RunInfo("r", "w", T0.plusSeconds(1), 1, List.of(), "", Optional.empty(), true));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.definitionHash("r")).contains("one");
        }
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            // A resume forced past a changed definition: the run goes on with the new one.
            store.runStarted(new RunInfo("r", "w", T0.plusSeconds(2), 1, List.of(), "", Optional.of("two"), true));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.run("r").orElseThrow().definitionHash()).contains("two");
        }
    }

    @Test
    void completedTasksHoldsTheCommittedSuccessesOfTheRunAndReadsTheirValues() {
        Path db = dir.resolve("runs.db");
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(Events.run("r"));
            store.runStarted(Events.run("other"));
            store.taskFinished("r", result("ok", Optional.empty(), "1", TaskStatus.SUCCEEDED, List.of(1, 2), 1));
            store.taskFinished("r", result("null", Optional.of("agent"), "2", TaskStatus.SUCCEEDED, null, 1));
            store.taskFinished("r", result("bad", Optional.empty(), "3", TaskStatus.FAILED, null, 1));
            store.taskFinished("r", result("stopped", Optional.empty(), "4", TaskStatus.CANCELLED, null, 0));
            store.taskFinished("r", result("late", Optional.empty(), "5", TaskStatus.TIMED_OUT, null, 1));
            store.taskFinished("other", result("elsewhere", Optional.empty(), "6", TaskStatus.SUCCEEDED, 6, 1));
        }
        CompletedTasks done;
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            done = store.completedTasks("r");
            String ok = TaskKey.of("ok", Optional.empty(), "1");
            String nullValue = TaskKey.of("null", Optional.of("agent"), "2");
            assertThat(done.contains(ok)).isTrue();
            assertThat(done.valueText(ok)).contains("[1, 2]");
            assertThat(done.contains(nullValue)).isTrue();
            assertThat(done.valueText(nullValue)).isEmpty();
            for (String[] task : new String[][] {{"bad", "3"}, {"stopped", "4"}, {"late", "5"}, {"elsewhere", "6"},
                    {"ok", "other input"}}) {
                String key = TaskKey.of(task[0], Optional.empty(), task[1]);
                assertThat(done.contains(key)).as(task[0]).isFalse();
                assertThat(done.valueText(key)).as(task[0]).isEmpty();
                // What did not succeed in this run is what retrying its failures runs.
                assertThat(done.failed(key)).as(task[0]).isEqualTo(!task[0].equals("elsewhere")
                        && !task[1].equals("other input"));
            }
            assertThat(done.failed(ok)).isFalse();
            assertThat(done.contains("not a key")).isFalse();
            assertThat(store.completedTasks("other").contains(TaskKey.of("elsewhere", Optional.empty(), "6")))
                    .isTrue();
        }
        // Values are read when asked for: after the store closed too.
        assertThat(done.valueText(TaskKey.of("ok", Optional.empty(), "1"))).contains("[1, 2]");
    }

    @Test
    void completedTasksOfAnUnknownRunFailsNamingIt() {
        Path db = dir.resolve("runs.db");
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            assertThatThrownBy(() -> store.completedTasks("nope"))
                    .isInstanceOf(MpflowException.class)
                    .hasMessage("store " + db + " holds no run nope");
        }
    }

    @Test
    void aSuccessCountsAsDoneOnlyOnceCommitted() throws Exception {
        Path db = dir.resolve("runs.db");
        String key = TaskKey.of("t", Optional.empty(), "input of t");
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(Events.run("r"));
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
                    return history.run("r").isPresent();
                }
            });
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + db);
                    Statement s = other.createStatement()) {
                // Another process holds the write lock: the store's writer waits (busy timeout) to commit.
                s.execute("BEGIN IMMEDIATE");
                store.taskFinished("r", Events.success("t", 1));
                Thread.sleep(300);
                assertThat(store.completedTasks("r").contains(key)).isFalse();
                s.execute("COMMIT");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> store.completedTasks("r").contains(key));
        }
    }

    @Test
    void attemptsGetTheirTaskKeyWhenTheResultArrivesEvenFromAnEarlierProcess() {
        Path db = dir.resolve("runs.db");
        Instant t = T0.plusSeconds(1);
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(Events.run("r"));
            // A process that died after this attempt, before the task's result.
            store.attemptFinished(attempt("t", 1, t, TaskStatus.CRASHED));
        }
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(new RunInfo("r", "workflow", T0.plusSeconds(60), 4, List.of(), "", Optional.empty(),
                    true));
            store.attemptFinished(attempt("t", 1, t.plusSeconds(60), TaskStatus.SUCCEEDED));
            // Another task of the same name whose attempt ends later: not this result's.
            store.attemptFinished(attempt("t", 1, t.plusSeconds(90), TaskStatus.FAILED));
            store.taskFinished("r", new TaskResult("t", Optional.empty(), "input", TaskStatus.SUCCEEDED, 1,
                    Optional.empty(), 1, 1234, t.plusSeconds(60), t.plusSeconds(61), "", ""));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            String key = TaskKey.of("t", Optional.empty(), "input");
            assertThat(history.attempts("r", "t")).extracting(StoredAttempt::status, StoredAttempt::taskKey)
                    .containsExactly(
                            tuple(TaskStatus.CRASHED, Optional.of(key)),
                            tuple(TaskStatus.SUCCEEDED, Optional.of(key)),
                            tuple(TaskStatus.FAILED, Optional.empty()));
        }
    }

    @Test
    void occurrencesOfOneTaskAreTasksOfTheirOwnAndTheirAttemptsKeepTheirOwnKeys() {
        Path db = dir.resolve("runs.db");
        Instant t = T0.plusSeconds(1);
        String first = TaskKey.of("t", Optional.empty(), "in");
        String second = TaskKey.of("t", Optional.empty(), "in", 2);
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(Events.run("r"));
            store.taskSubmitted(new SubmittedTask("r", "t", Optional.empty(), "in", 0, false, 1));
            store.taskSubmitted(new SubmittedTask("r", "t", Optional.empty(), "in", 0, false, 2));
            // The second occurrence's attempt ends first; it must not be taken for the first's.
            store.attemptFinished(new AttemptRecord("r", "t", Optional.empty(), 1, 1234, t, t.plusMillis(1),
                    TaskStatus.FAILED, Optional.of(BOOM), "", "", Optional.of(second)));
            store.attemptFinished(new AttemptRecord("r", "t", Optional.empty(), 1, 1234, t, t.plusMillis(2),
                    TaskStatus.SUCCEEDED, Optional.empty(), "", "", Optional.of(first)));
            store.taskFinished("r", new TaskResult("t", Optional.empty(), "in", TaskStatus.SUCCEEDED, "one",
                    Optional.empty(), 1, 1234, t, t.plusMillis(2), "", "", 1, 0));
            store.taskFinished("r", new TaskResult("t", Optional.empty(), "in", TaskStatus.FAILED, null,
                    Optional.of(BOOM), 1, 1234, t, t.plusMillis(1), "", "", 2, 0));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.results("r")).extracting(StoredResult::taskKey, StoredResult::status)
                    .containsExactly(tuple(first, TaskStatus.SUCCEEDED), tuple(second, TaskStatus.FAILED));
            assertThat(history.attempts("r")).extracting(StoredAttempt::status, a -> a.taskKey().orElseThrow())
                    .containsExactly(tuple(TaskStatus.FAILED, second), tuple(TaskStatus.SUCCEEDED, first));
            // Each occurrence is a task of the run, with a row of its own.
            assertThat(history.tasks("r")).extracting(StoredTask::taskKey).containsExactly(first, second);
        }
    }

    @Test
    void twoStoresRecordingTheSameTasksOfOneRunKeepOneResultPerTask() throws Exception {
        Path db = dir.resolve("shared.db");
        int tasks = 2_000;
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(Events.run("shared"));
        }
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (String writer : List.of("left", "right")) {
                done.add(pool.submit(() -> {
                    together.await();
                    try (SqliteResultStore store = SqliteResultStore.open(db)) {
                        for (int i = 0; i < tasks; i++) {
                            store.taskFinished("shared", Events.success("t" + i, writer));
                            if (i % 250 == 0) {
                                Thread.sleep(1); // let the other store's batches interleave with ours
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            List<StoredResult> results = history.results("shared");
            assertThat(results).hasSize(tasks);
            assertThat(results.stream().map(StoredResult::task).collect(Collectors.toSet())).hasSize(tasks);
            assertThat(results).allSatisfy(r -> assertThat(r.valueText().orElseThrow()).isIn("left", "right"));
        }
    }

    private static TaskResult result(String task, Optional<String> agent, String input, TaskStatus status,
            Object value, int attempts) {
        Optional<TaskError> error = status.isSuccess() ? Optional.empty()
                : Optional.of(status == TaskStatus.CANCELLED ? CANCELLED : BOOM);
        return new TaskResult(task, agent, input, status, value, error, attempts, 1234, T0.plusMillis(10),
                T0.plusMillis(20), "", "");
    }

    private static AttemptRecord attempt(String task, int attempt, Instant ended, TaskStatus status) {
        return new AttemptRecord("r", task, Optional.empty(), attempt, 1234, ended.minusMillis(5), ended, status,
                status.isSuccess() ? Optional.empty() : Optional.of(BOOM));
    }
}

package dev.mpflow.store.sqlite;

import static dev.mpflow.store.sqlite.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mpflow.MpflowException;
import dev.mpflow.TaskError;
import dev.mpflow.TaskKey;
import dev.mpflow.TaskResult;
import dev.mpflow.TaskStatus;
import dev.mpflow.event.RunInfo;
import dev.mpflow.event.RunSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteRunHistoryTest {
    @TempDir
    Path dir;

    @Test
    void readingAMissingFileFailsNamingItAndCreatesNothing() {
        Path db = dir.resolve("missing/runs.db");
        assertThatThrownBy(() -> SqliteRunHistory.open(db))
                .isInstanceOf(MpflowException.class)
                .hasMessage("cannot read store " + db + ": no such file");
        assertThat(db.getParent()).doesNotExist();

        Path sibling = dir.resolve("runs.db");
        assertThatThrownBy(() -> SqliteRunHistory.open(sibling)).isInstanceOf(MpflowException.class);
        assertThat(sibling).doesNotExist();
    }

    @Test
    void readingASqliteFileThatIsNotAStoreFailsClearly() throws Exception {
        Path db = dir.resolve("other.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE something (x)");
        }
        assertThatThrownBy(() -> SqliteRunHistory.open(db))
                .isInstanceOf(MpflowException.class)
                .hasMessage("cannot read store " + db + ": it is not an mpflow store (no schema)");
    }

    @Test
    void listsRunsNewestFirstAndAnswersEmptyForUnknownRuns() {
        Path db = dir.resolve("runs.db");
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            RunInfo old = new RunInfo("20250301-a", "w", T0, 1, List.of("x"), "", Optional.empty(), false);
            RunInfo mid = new RunInfo("20250301-b", "w", T0.plusMillis(1), 1, List.of(), "", Optional.empty(), false);
            RunInfo recent = new RunInfo("20250302-c", "w", T0.plusSeconds(86_400), 2, List.of("y", "z"), "", Optional.empty(), false);
            store.runStarted(mid);
            store.runStarted(recent);
            store.runStarted(old);
            store.runFinished(old, new RunSummary(0, 0, 0, 0, 0, Duration.ofMinutes(1), Optional.empty()));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            List<StoredRun> runs = history.runs();
            assertThat(runs).extracting(StoredRun::runId).containsExactly("20250302-c", "20250301-b", "20250301-a");
            assertThat(runs.get(0).agents()).containsExactly("y", "z");
            assertThat(runs.get(1).agents()).isEmpty();
            assertThat(runs.get(2).agents()).containsExactly("x");
            assertThat(runs.get(0).status()).isEqualTo(StoredRun.Status.RUNNING);
            assertThat(runs.get(0).endedAt()).isEmpty();
            assertThat(runs.get(2).endedAt()).contains(T0.plusSeconds(60));
            assertThat(history.run("nope")).isEmpty();
            assertThat(history.results("nope")).isEmpty();
            assertThat(history.attempts("nope")).isEmpty();
        }
    }

    @Test
    void readsWhileAStoreIsStillWriting() {
        Path db = dir.resolve("runs.db");
        try (SqliteResultStore store = SqliteResultStore.open(db);
                SqliteRunHistory history = SqliteRunHistory.open(db)) {
            store.runStarted(Events.run("live"));
            for (int i = 0; i < 100; i++) {
                store.taskFinished("live", Events.success("t" + i, i));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> history.results("live").size() == 100);
            assertThat(history.run("live").orElseThrow().finished()).isFalse();
        }
    }

    @Test
    void closeIsIdempotentAndLaterReadsFailClearly() {
        Path db = dir.resolve("runs.db");
        SqliteResultStore.open(db).close();
        SqliteRunHistory history = SqliteRunHistory.open(db);
        assertThat(history.location()).isEqualTo(db);
        history.close();
        assertThatCode(history::close).doesNotThrowAnyException();
        assertThatThrownBy(history::runs)
                .isInstanceOf(MpflowException.class)
                .hasMessage("store " + db + " is closed");
    }

    @Test
    void readingDoesNotChangeTheFile() throws Exception {
        Path db = dir.resolve("runs.db");
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(Events.run("r"));
        }
        byte[] before = Files.readAllBytes(db);
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.runs()).hasSize(1);
        }
        assertThat(Files.readAllBytes(db)).isEqualTo(before);
    }

    @Test
    void latestUnfinishedRunIsTheNewestRunningOrHaltedRunOfTheWorkflowNeverAFinishedOne() {
        Path db = dir.resolve("runs.db");
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            // w: an old running run (its process died), a halted one, and the newest, finished with a failure.
            start(store, "w-died", "w", 0);
            start(store, "w-halted", "w", 1);
            store.taskFinished("w-halted", Events.failure("t", TaskStatus.CANCELLED,
                    new TaskError("dev.mpflow.TaskCancelledException", "stopped", "")));
            finish(store, "w-halted", "w", 1, Optional.of("the run halted after 1 failed task"));
            start(store, "w-failed", "w", 2);
            store.taskFinished("w-failed", Events.failure("t", TaskStatus.FAILED, new TaskError("E", "", "")));
            finish(store, "w-failed", "w", 2, Optional.empty());
            // v: finished only. x: a finished run newer than a running one.
            start(store, "v-done", "v", 3);
            finish(store, "v-done", "v", 3, Optional.empty());
            start(store, "x-running", "x", 4);
            start(store, "x-done", "x", 5);
            finish(store, "x-done", "x", 5, Optional.empty());
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.run("w-failed").orElseThrow().status()).isEqualTo(StoredRun.Status.FINISHED);
            assertThat(history.run("w-failed").orElseThrow().failed()).isEqualTo(1);
            assertThat(history.latestUnfinishedRun("w")).map(StoredRun::runId).contains("w-halted");
            assertThat(history.latestUnfinishedRun("v")).isEmpty();
            assertThat(history.latestUnfinishedRun("x")).map(StoredRun::runId).contains("x-running");
            assertThat(history.latestUnfinishedRun("unknown")).isEmpty();
        }
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            // The halted run resumed and died again: still the latest unfinished run, as running.
            store.runStarted(new RunInfo("w-halted", "w", T0.plusSeconds(3600), 1, List.of(), "", Optional.empty(),
                    true));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            StoredRun run = history.latestUnfinishedRun("w").orElseThrow();
            assertThat(run.runId()).isEqualTo("w-halted");
            assertThat(run.status()).isEqualTo(StoredRun.Status.RUNNING);
            assertThat(run.unfinished()).isTrue();
        }
    }

    @Test
    void latestNamesTheRunThatStartedLast() {
        Path db = dir.resolve("runs.db");
        SqliteResultStore.open(db).close();
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.run(SqliteRunHistory.LATEST)).isEmpty();
        }
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            start(store, "b", "w", 2);
            start(store, "c", "w", 1);
            start(store, "a", "w", 0);
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.run("latest")).map(StoredRun::runId).contains("b");
            assertThat(history.run("latest")).isEqualTo(history.run("b"));
        }
    }

    @Test
    void resultsAndAttemptsOfOneTaskByName() {
        Path db = dir.resolve("runs.db");
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(Events.run("r"));
            store.attemptFinished(Events.attempt("r", "one", 1));
            store.attemptFinished(Events.attempt("r", "two", 1));
            store.attemptFinished(Events.attempt("r", "one", 2));
            store.taskFinished("r", Events.success("one", 1));
            store.taskFinished("r", Events.success("two", 2));
            for (String agent : List.of("a", "b")) {
                store.taskFinished("r", new TaskResult("fanned", Optional.of(agent), "in", TaskStatus.SUCCEEDED,
                        agent, Optional.empty(), 1, 1, T0, T0, "", ""));
            }
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.result("r", "one")).map(r -> r.valueText().orElseThrow()).contains("1");
            assertThat(history.result("r", "none")).isEmpty();
            assertThat(history.result("nope", "one")).isEmpty();
            assertThat(history.results("r", "fanned")).extracting(r -> r.agent().orElseThrow())
                    .containsExactly("a", "b");
            assertThatThrownBy(() -> history.result("r", "fanned"))
                    .isInstanceOf(MpflowException.class)
                    .hasMessage("run r has 2 results of task 'fanned' (agent a, input 'in'; agent b, input 'in')");
            assertThat(history.attempts("r", "one")).extracting(StoredAttempt::attempt).containsExactly(1, 2);
            assertThat(history.attempts("r", "one")).extracting(StoredAttempt::taskKey)
                    .containsOnly(Optional.of(TaskKey.of("one", Optional.empty(), "input of one")));
            assertThat(history.attempts("r", "none")).isEmpty();
        }
    }

    @Test
    void deleteRunsKeepingNewestRemovesOlderRunsWithTheirRows() throws Exception {
        Path db = dir.resolve("runs.db");
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            for (int i = 0; i < 5; i++) {
                String id = "run-" + i;
                start(store, id, "w", i);
                store.attemptFinished(Events.attempt(id, "t", 1));
                store.taskFinished(id, Events.success("t", i));
                finish(store, id, "w", i, Optional.empty());
            }
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThatThrownBy(() -> history.deleteRunsKeepingNewest(-1).deleted())
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(history.deleteRunsKeepingNewest(5).deleted()).isZero();
            assertThat(history.deleteRunsKeepingNewest(2).deleted()).isEqualTo(3);
            // The history reads the file as it is now.
            assertThat(history.runs()).extracting(StoredRun::runId).containsExactly("run-4", "run-3");
            assertThat(history.results("run-3")).hasSize(1);
            assertThat(history.attempts("run-4")).hasSize(1);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            assertThat(SqliteSupport.queryText(c, "SELECT count(*) FROM results")).isEqualTo("2");
            assertThat(SqliteSupport.queryText(c, "SELECT count(*) FROM attempts")).isEqualTo("2");
            assertThat(SqliteSupport.queryText(c, "SELECT group_concat(DISTINCT run_id) FROM results "
                    + "WHERE run_id NOT IN ('run-3', 'run-4')")).isNull();
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.deleteRunsKeepingNewest(0).deleted()).isEqualTo(2);
            assertThat(history.runs()).isEmpty();
        }
        // The store takes new runs afterwards.
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            start(store, "after", "w", 9);
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.runs()).extracting(StoredRun::runId).containsExactly("after");
        }
    }

    @Test
    void reclaimSpaceShrinksTheFileByWhatDeletedRunsTook() throws Exception {
        Path db = dir.resolve("runs.db");
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            for (int i = 0; i < 3; i++) {
                String id = "run-" + i;
                start(store, id, "w", i);
                for (int t = 0; t < 200; t++) {
                    store.taskFinished(id, Events.success("t" + t, "x".repeat(4000)));
                }
                finish(store, id, "w", i, Optional.empty());
            }
        }
        long before = Files.size(db);
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.deleteRunsKeepingNewest(1).deleted()).isEqualTo(2);
            long freed = history.reclaimSpace();
            assertThat(freed).isGreaterThan(1_000_000);
            assertThat(Files.size(db)).isLessThanOrEqualTo(before - freed);
            assertThat(history.results("run-2")).hasSize(200);
            // Nothing left to give back the second time.
            assertThat(history.reclaimSpace()).isZero();
        }
    }

    @Test
    void deletingWhileAStoreWritesWaitsForItsLock() throws Exception {
        Path db = dir.resolve("runs.db");
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            start(store, "old", "w", 0);
            start(store, "new", "w", 1);
        }
        try (SqliteResultStore writing = SqliteResultStore.open(db);
                SqliteRunHistory history = SqliteRunHistory.open(db)) {
            for (int i = 0; i < 1000; i++) {
                writing.taskFinished("new", Events.success("t" + i, i));
            }
            assertThat(history.deleteRunsKeepingNewest(1).deleted()).isEqualTo(1);
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.runs()).extracting(StoredRun::runId).containsExactly("new");
            assertThat(history.results("new")).hasSize(1000);
        }
    }

    private static void start(SqliteResultStore store, String runId, String workflow, int minute) {
        store.runStarted(new RunInfo(runId, workflow, T0.plusSeconds(60L * minute), 1, List.of(), "",
                Optional.empty(), false));
    }

    private static void finish(SqliteResultStore store, String runId, String workflow, int minute,
            Optional<String> haltReason) {
        store.runFinished(new RunInfo(runId, workflow, T0.plusSeconds(60L * minute), 1, List.of(), "",
                Optional.empty(), false), new RunSummary(0, 0, 0, 0, 0, Duration.ofSeconds(1), haltReason));
    }
}

package dev.mpflow.store.sqlite;

import static dev.mpflow.store.sqlite.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
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
import dev.mpflow.spi.ResultStore;
import dev.mpflow.spi.ResultStoreProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteResultStoreTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsARunWithItsResultsAndAttempts() {
        Path db = dir.resolve("nested/dirs/runs.db");
        RunInfo run = new RunInfo("run-1", "nightly", T0, 3, List.of("summarise", "say \"hi\", twice"),
                "maxWorkers=3 retries=2", Optional.empty(), false);
        TaskError boom = new TaskError("java.lang.IllegalStateException", "boom", "java.lang.IllegalStateException: "
                + "boom\n\tat Example.run(Example.java:7)\n");
        Instant start = T0.plusMillis(5);

        TaskResult ok = new TaskResult("alpha", Optional.of("summarise"), "text one", TaskStatus.SUCCEEDED, 42,
                Optional.empty(), 1, 101, start, start.plusMillis(1500), "printed\n", "");
        TaskResult nullValue = new TaskResult("beta", Optional.empty(), "", TaskStatus.SUCCEEDED, null,
                Optional.empty(), 2, 102, start, start.plusNanos(2_500_000), "", "warn\n");
        TaskResult failed = new TaskResult("gamma", Optional.empty(), "text three", TaskStatus.FAILED, null,
                Optional.of(boom), 2, 103, start, start.plusSeconds(3), "", "trace\n");
        AttemptRecord betaFirst = new AttemptRecord("run-1", "beta", Optional.empty(), 1, 102, start,
                start.plusMillis(1), TaskStatus.TIMED_OUT, Optional.of(new TaskError("Timeout", "after 1s", "")));
        AttemptRecord betaSecond = new AttemptRecord("run-1", "beta", Optional.empty(), 2, 102, start.plusMillis(1),
                start.plusNanos(2_500_000), TaskStatus.SUCCEEDED, Optional.empty());
        AttemptRecord gammaLast = new AttemptRecord("run-1", "gamma", Optional.of("summarise"), 2, 103, start,
                start.plusSeconds(3), TaskStatus.FAILED, Optional.of(boom));

        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(run);
            store.attemptFinished(betaFirst);
            store.attemptFinished(betaSecond);
            store.attemptFinished(gammaLast);
            store.taskFinished("run-1", ok);
            store.taskFinished("run-1", nullValue);
            store.taskFinished("run-1", failed);
            store.runFinished(run, new RunSummary(2, 1, 0, 0, 2, Duration.ofSeconds(4).plusNanos(7), Optional.empty()));
        }

        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            StoredRun stored = history.run("run-1").orElseThrow();
            assertThat(stored.workflow()).isEqualTo("nightly");
            assertThat(stored.startedAt()).isEqualTo(T0);
            assertThat(stored.endedAt()).contains(T0.plusSeconds(4).plusNanos(7));
            assertThat(stored.status()).isEqualTo(StoredRun.Status.FINISHED);
            assertThat(stored.finished()).isTrue();
            assertThat(stored.host()).isNotBlank();
            assertThat(stored.maxWorkers()).isEqualTo(3);
            assertThat(stored.agents()).containsExactly("summarise", "say \"hi\", twice");
            assertThat(stored.settings()).isEqualTo("maxWorkers=3 retries=2");
            assertThat(stored.succeeded()).isEqualTo(2);
            assertThat(stored.failed()).isEqualTo(1);
            assertThat(stored.cancelled()).isZero();
            assertThat(stored.retried()).isEqualTo(2);
            assertThat(history.runs()).containsExactly(stored);

            List<StoredResult> results = history.results("run-1");
            assertThat(results).hasSize(3);
            assertThat(results.get(0).id()).isLessThan(results.get(1).id());
            assertThat(results.get(1).id()).isLessThan(results.get(2).id());
            assertThat(results.get(0)).isEqualTo(new StoredResult(results.get(0).id(), "run-1", "alpha",
                    Optional.of("summarise"), "text one", TaskStatus.SUCCEEDED, Optional.of("42"),
                    Optional.of("java.lang.Integer"), Optional.empty(), 1, 101, start, start.plusMillis(1500),
                    Duration.ofMillis(1500), "printed\n", "", ok.key(), OptionalLong.empty()));
            assertThat(results.get(1)).isEqualTo(new StoredResult(results.get(1).id(), "run-1", "beta",
                    Optional.empty(), "", TaskStatus.SUCCEEDED, Optional.empty(), Optional.empty(), Optional.empty(),
                    2, 102, start, start.plusNanos(2_500_000), Duration.ofMillis(2), "", "warn\n", nullValue.key(), OptionalLong.empty()));
            assertThat(results.get(2)).isEqualTo(new StoredResult(results.get(2).id(), "run-1", "gamma",
                    Optional.empty(), "text three", TaskStatus.FAILED, Optional.empty(), Optional.empty(),
                    Optional.of(boom), 2, 103, start, start.plusSeconds(3), Duration.ofSeconds(3), "", "trace\n",
                    failed.key(), OptionalLong.empty()));
            assertThat(results.get(2).succeeded()).isFalse();

            List<StoredAttempt> attempts = history.attempts("run-1");
            assertThat(attempts).extracting(StoredAttempt::task, StoredAttempt::attempt, StoredAttempt::status)
                    .containsExactly(
                            tuple("beta", 1, TaskStatus.TIMED_OUT),
                            tuple("beta", 2, TaskStatus.SUCCEEDED),
                            tuple("gamma", 2, TaskStatus.FAILED));
            assertThat(attempts.get(0)).isEqualTo(new StoredAttempt(attempts.get(0).id(), "run-1", "beta",
                    Optional.empty(), 1, 102, start, start.plusMillis(1), TaskStatus.TIMED_OUT,
                    Optional.of(new TaskError("Timeout", "after 1s", "")), Optional.of(nullValue.key()), "", ""));
            // An attempt takes the key of its task's result: same run, task and agent. This one's agent matches
            // no result, so it has none.
            assertThat(attempts.get(2)).isEqualTo(new StoredAttempt(attempts.get(2).id(), "run-1", "gamma",
                    Optional.of("summarise"), 2, 103, start, start.plusSeconds(3), TaskStatus.FAILED,
                    Optional.of(boom), Optional.empty(), "", ""));
        }
    }

    @Test
    void roundTripsCancelledResultsAndTheRunsCancelledCount() throws Exception {
        Path db = dir.resolve("runs.db");
        RunInfo run = Events.run("halted");
        Instant start = T0.plusMillis(5);
        String halted = "the run was halted: 1 task failed (halt policy now,fail=1)";
        TaskError cancelledError = new TaskError("dev.mpflow.TaskCancelledException", halted, "");
        assertThat(cancelledError.type()).isEqualTo(TaskCancelledException.class.getName());
        TaskError boom = new TaskError("java.lang.IllegalStateException", "boom", "");

        TaskResult ok = Events.success("ok", "done");
        TaskResult failed = Events.failure("bad", TaskStatus.FAILED, boom);
        // Stopped while its attempt ran: that attempt counts, but no worker saw it to an end.
        TaskResult stoppedRunning = new TaskResult("running", Optional.empty(), "in", TaskStatus.CANCELLED, null,
                Optional.of(cancelledError), 1, 0, start, start.plusMillis(250), "", "");
        // Never reached a worker.
        TaskResult neverRan = new TaskResult("queued", Optional.of("agent"), "", TaskStatus.CANCELLED, null,
                Optional.of(cancelledError), 0, 0, start, start, "", "");

        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(run);
            store.taskFinished("halted", ok);
            store.taskFinished("halted", failed);
            store.taskFinished("halted", stoppedRunning);
            store.taskFinished("halted", neverRan);
            store.runFinished(run, new RunSummary(1, 1, 2, 0, 0, Duration.ofSeconds(2), Optional.empty()));
        }

        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            StoredRun stored = history.run("halted").orElseThrow();
            assertThat(stored.succeeded()).isEqualTo(1);
            assertThat(stored.failed()).isEqualTo(1);
            assertThat(stored.cancelled()).isEqualTo(2);
            assertThat(stored.retried()).isZero();
            // Tasks cancelled: the run stopped early, whatever the summary says.
            assertThat(stored.status()).isEqualTo(StoredRun.Status.HALTED);
            assertThat(stored.haltReason()).contains("2 task(s) of the run remain cancelled");
            assertThat(stored.unfinished()).isTrue();
            assertThat(history.runs()).containsExactly(stored);

            List<StoredResult> results = history.results("halted");
            assertThat(results).extracting(StoredResult::task, StoredResult::status).containsExactly(
                    tuple("ok", TaskStatus.SUCCEEDED),
                    tuple("bad", TaskStatus.FAILED),
                    tuple("running", TaskStatus.CANCELLED),
                    tuple("queued", TaskStatus.CANCELLED));
            assertThat(results.get(2)).isEqualTo(new StoredResult(results.get(2).id(), "halted", "running",
                    Optional.empty(), "in", TaskStatus.CANCELLED, Optional.empty(), Optional.empty(),
                    Optional.of(cancelledError), 1, 0, start, start.plusMillis(250), Duration.ofMillis(250), "",
                    "", stoppedRunning.key(), OptionalLong.empty()));
            assertThat(results.get(3)).isEqualTo(new StoredResult(results.get(3).id(), "halted", "queued",
                    Optional.of("agent"), "", TaskStatus.CANCELLED, Optional.empty(), Optional.empty(),
                    Optional.of(cancelledError), 0, 0, start, start, Duration.ZERO, "", "", neverRan.key(), OptionalLong.empty()));
            assertThat(results.get(3).succeeded()).isFalse();
            assertThat(results.get(3).error().orElseThrow().type()).isEqualTo("dev.mpflow.TaskCancelledException");
        }

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT r.cancelled, u.status, u.error_type "
                        + "FROM runs r JOIN results u USING (run_id) WHERE u.task = 'queued'")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getLong(1)).isEqualTo(2);
            assertThat(rows.getString(2)).isEqualTo("cancelled");
            assertThat(rows.getString(3)).isEqualTo("dev.mpflow.TaskCancelledException");
        }
    }

    @Test
    void aRunningRunCountsItsCommittedResultsAndAnEndAloneMakesTheRow() {
        Path db = dir.resolve("runs.db");
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(Events.run("going"));
            store.taskFinished("going", Events.success("a", 1));
            store.taskFinished("going", Events.failure("b", TaskStatus.CANCELLED,
                    new TaskError(TaskCancelledException.class.getName(), "stopped", "")));
            // This store never saw the run start (another process did, say): the end alone makes the row, with
            // the counts of the results this file holds, and the summary's skipped tasks and halt reason.
            store.runFinished(Events.run("ended", T0.plusSeconds(1)),
                    new RunSummary(3, 0, 7, 2, 1, Duration.ofSeconds(9), Optional.of("the run's deadline passed")));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            StoredRun going = history.run("going").orElseThrow();
            assertThat(going.status()).isEqualTo(StoredRun.Status.RUNNING);
            assertThat(going.finished()).isFalse();
            assertThat(List.of(going.succeeded(), going.failed(), going.cancelled(), going.retried()))
                    .containsExactly(1L, 0L, 1L, 0L);
            StoredRun ended = history.run("ended").orElseThrow();
            assertThat(ended.status()).isEqualTo(StoredRun.Status.HALTED);
            assertThat(ended.haltReason()).contains("the run's deadline passed");
            assertThat(ended.endedAt()).contains(T0.plusSeconds(10));
            assertThat(List.of(ended.succeeded(), ended.failed(), ended.cancelled(), ended.retried(), ended.skipped()))
                    .containsExactly(0L, 0L, 0L, 0L, 2L);
        }
    }

    @Test
    void aByteArrayValueIsKeptWholeInBase64AndComesBackAsBytesOnResume() {
        Path db = dir.resolve("runs.db");
        byte[] bytes = {(byte) 0xff, (byte) 0xfe, 'a', 'b', 'c'};
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(Events.run("r"));
            store.taskFinished("r", Events.success("bytes", bytes));
            store.taskFinished("r", Events.success("text", "abc"));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            StoredResult stored = history.result("r", "bytes").orElseThrow();
            assertThat(stored.valueText()).hasValue("//5hYmM=");
            assertThat(stored.valueType()).hasValue(StoredResult.BASE64_BYTES);
            assertThat(stored.valueBytes()).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes));
            StoredResult text = history.result("r", "text").orElseThrow();
            assertThat(text.valueText()).hasValue("abc");
            assertThat(text.valueBytes()).isEmpty();
        }
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            CompletedTasks done = store.completedTasks("r");
            String key = Events.success("bytes", bytes).key();
            assertThat(done.value(key)).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes));
            assertThat(done.valueText(key)).hasValue("//5hYmM=");
            assertThat(done.value(Events.success("text", "abc").key())).hasValue("abc");
        }
    }

    @Test
    void statusIsStoredAsTheWireName() throws Exception {
        Path db = dir.resolve("runs.db");
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(Events.run("r"));
            store.taskFinished("r", Events.failure("t", TaskStatus.TIMED_OUT, new TaskError("Timeout", "", "")));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT r.status, u.status, u.started_at, u.error_message "
                        + "FROM runs r JOIN results u USING (run_id)")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("running");
            assertThat(rows.getString(2)).isEqualTo("timed_out");
            assertThat(rows.getString(3)).isEqualTo("2025-03-01T10:00:00.133456789Z");
            assertThat(rows.getString(4)).isEmpty();
        }
    }

    @Test
    void keepsEveryResultReportedConcurrentlyFromFourThreads() throws Exception {
        Path db = dir.resolve("runs.db");
        int threads = 4;
        int perThread = 2_500;
        SqliteResultStore store = SqliteResultStore.open(db);
        store.runStarted(Events.run("busy"));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        String task = "task-" + thread + "-" + i;
                        store.attemptFinished(Events.attempt("busy", task, 1));
                        store.taskFinished("busy", Events.success(task, i));
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        store.runFinished(Events.run("busy"), new RunSummary(threads * perThread, 0, 0, 0, 0, Duration.ofSeconds(1), Optional.empty()));
        store.close();

        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            List<StoredResult> results = history.results("busy");
            assertThat(results).hasSize(threads * perThread);
            Set<String> names = results.stream().map(StoredResult::task).collect(Collectors.toSet());
            assertThat(names).hasSize(threads * perThread);
            for (int t = 0; t < threads; t++) {
                assertThat(names).contains("task-" + t + "-0", "task-" + t + "-" + (perThread - 1));
            }
            assertThat(history.attempts("busy")).hasSize(threads * perThread);
            assertThat(history.run("busy").orElseThrow().succeeded()).isEqualTo(threads * perThread);
        }
    }

    @Test
    void writesOnADaemonThreadNamedMpflowStoreWriterThatStopsOnClose() {
        SqliteResultStore store = SqliteResultStore.open(dir.resolve("runs.db"));
        Thread writer = writerThreads().stream().findFirst().orElseThrow();
        assertThat(writer.isDaemon()).isTrue();
        store.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> !writer.isAlive());
    }

    @Test
    void closeIsIdempotent() {
        Path db = dir.resolve("runs.db");
        SqliteResultStore store = SqliteResultStore.open(db);
        store.runStarted(Events.run("r"));
        store.taskFinished("r", Events.success("t", "v"));
        store.close();
        assertThatCode(store::close).doesNotThrowAnyException();
        assertThatCode(store::close).doesNotThrowAnyException();
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.results("r")).hasSize(1);
        }
    }

    @Test
    void eventsReportedAfterCloseAreNotWrittenAndDoNotThrow() {
        Path db = dir.resolve("runs.db");
        SqliteResultStore store = SqliteResultStore.open(db);
        store.runStarted(Events.run("r"));
        store.close();
        assertThatCode(() -> store.taskFinished("r", Events.success("late", 1))).doesNotThrowAnyException();
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.results("r")).isEmpty();
        }
    }

    @Test
    void refusesALocationWhoseParentIsARegularFile() throws Exception {
        Path file = Files.writeString(dir.resolve("plain.txt"), "not a directory");
        Path db = file.resolve("runs.db");
        assertThatThrownBy(() -> SqliteResultStore.open(db))
                .isInstanceOf(MpflowException.class)
                .hasMessageStartingWith("cannot open store " + db + ": ")
                .hasMessageContaining("not a directory")
                .hasMessageNotContaining("\n");
        assertThat(Files.readString(file)).isEqualTo("not a directory");
    }

    @Test
    void refusesALocationThatIsADirectory() throws Exception {
        Path db = Files.createDirectory(dir.resolve("runs.db"));
        assertThatThrownBy(() -> SqliteResultStore.open(db))
                .isInstanceOf(MpflowException.class)
                .hasMessage("cannot open store " + db + ": it is a directory");
    }

    @Test
    void refusesAFileThatIsNotADatabase() throws Exception {
        Path db = Files.writeString(dir.resolve("runs.db"), "this is plain text, not SQLite ".repeat(100));
        assertThatThrownBy(() -> SqliteResultStore.open(db))
                .isInstanceOf(MpflowException.class)
                .hasMessageStartingWith("cannot open store " + db + ": ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void refusesADatabaseWithANewerSchema() throws Exception {
        Path db = dir.resolve("future.db");
        int newer = Migrations.latestVersion() + 1;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version = " + newer);
        }
        assertThatThrownBy(() -> SqliteResultStore.open(db))
                .isInstanceOf(MpflowException.class)
                .hasMessage("cannot open store " + db + ": its schema version " + newer
                        + " is newer than this mpflow supports (" + Migrations.latestVersion()
                        + "); use a newer mpflow");
        assertThatThrownBy(() -> SqliteRunHistory.open(db))
                .isInstanceOf(MpflowException.class)
                .hasMessageStartingWith("cannot read store " + db + ": its schema version " + newer);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            assertThat(SqliteSupport.userVersion(c)).isEqualTo(newer);
            assertThat(tables(c)).isEmpty();
        }
    }

    @Test
    void reopeningAppliesNoMigrationTwiceAndKeepsTheData() throws Exception {
        Path db = dir.resolve("runs.db");
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(Events.run("first"));
            store.taskFinished("first", Events.success("t1", "one"));
        }
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(Events.run("second", T0.plusSeconds(60)));
            store.taskFinished("second", Events.success("t2", "two"));
        }
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            assertThat(store.location()).isEqualTo(db);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            assertThat(SqliteSupport.userVersion(c)).isEqualTo(Migrations.latestVersion()).isPositive();
            assertThat(tables(c)).containsExactlyInAnyOrder("runs", "tasks", "attempts", "results");
            assertThat(SqliteSupport.queryText(c, "PRAGMA journal_mode")).isEqualTo("wal");
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.runs()).extracting(StoredRun::runId).containsExactly("second", "first");
            assertThat(history.results("first")).extracting(r -> r.valueText().orElseThrow()).containsExactly("one");
            assertThat(history.results("second")).extracting(r -> r.valueText().orElseThrow())
                    .containsExactly("two");
        }
    }

    @Test
    void twoStoresWriteToTheSameFileAtOnce() throws Exception {
        Path db = dir.resolve("shared.db");
        int perStore = 3_000;
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (String runId : List.of("left", "right")) {
                done.add(pool.submit(() -> {
                    together.await();
                    // Both open the new file at the same moment: the migration must run once, the other waits.
                    SqliteResultStore store = SqliteResultStore.open(db);
                    try {
                        store.runStarted(Events.run(runId));
                        for (int i = 0; i < perStore; i++) {
                            store.taskFinished(runId, Events.success(runId + "-" + i, i));
                            if (i % 500 == 0) {
                                Thread.sleep(1); // let the other store's batches interleave with ours
                            }
                        }
                        store.runFinished(Events.run(runId), new RunSummary(perStore, 0, 0, 0, 0, Duration.ZERO, Optional.empty()));
                    } finally {
                        store.close();
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
            assertThat(history.runs()).extracting(StoredRun::runId).containsExactlyInAnyOrder("left", "right");
            for (String runId : List.of("left", "right")) {
                List<StoredResult> results = history.results(runId);
                assertThat(results).hasSize(perStore);
                assertThat(results.stream().map(StoredResult::task).collect(Collectors.toSet())).hasSize(perStore);
                assertThat(history.run(runId).orElseThrow().finished()).isTrue();
            }
        }
    }

    @Test
    void aBadEventAloneInItsBatchIsNamedToo() {
        Path db = dir.resolve("runs.db");
        SqliteResultStore store = SqliteResultStore.open(db);
        store.attemptFinished(Events.attempt("unknown", "orphan", 1));
        assertThatThrownBy(store::close)
                .isInstanceOf(MpflowException.class)
                .hasMessageStartingWith("store " + db + " could not record 1 event(s); first error: the attempt 1 "
                        + "of task orphan in run unknown: ");
    }

    @Test
    void aWriteThatFailsIsReportedByCloseAndTheOtherEventsAreKept() {
        Path db = dir.resolve("runs.db");
        SqliteResultStore store = SqliteResultStore.open(db);
        store.runStarted(Events.run("known"));
        store.taskFinished("known", Events.success("kept", 1));
        // The store never saw this run start: the foreign key refuses the row.
        store.attemptFinished(Events.attempt("unknown", "orphan", 1));
        store.taskFinished("known", Events.success("kept too", 2));
        assertThatThrownBy(store::close)
                .isInstanceOf(MpflowException.class)
                .hasMessageStartingWith("store " + db + " could not record 1 event(s); first error: the attempt 1 "
                        + "of task orphan in run unknown: ")
                .hasMessageContaining("FOREIGN KEY");
        assertThatCode(store::close).doesNotThrowAnyException();
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.results("known")).extracting(StoredResult::task).containsExactly("kept", "kept too");
            assertThat(history.attempts("unknown")).isEmpty();
        }
    }

    @Test
    void theProviderIsFoundByServiceLoaderAndOpensASqliteStore() {
        List<ResultStoreProvider> providers = ServiceLoader.load(ResultStoreProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .toList();
        assertThat(providers).hasAtLeastOneElementOfType(SqliteResultStoreProvider.class);
        ResultStoreProvider provider = providers.stream()
                .filter(p -> p instanceof SqliteResultStoreProvider)
                .findFirst()
                .orElseThrow();

        Path db = dir.resolve("via-provider/runs.db");
        try (ResultStore store = provider.open(db)) {
            assertThat(store).isInstanceOf(SqliteResultStore.class);
            store.runStarted(Events.run("r"));
            store.taskFinished("r", Events.success("t", List.of(1, 2)));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            StoredResult result = history.results("r").get(0);
            assertThat(result.valueText()).contains("[1, 2]");
            assertThat(result.valueType()).hasValueSatisfying(type -> assertThat(type).startsWith("java.util."));
        }
    }

    @Test
    void everySubmittedTaskIsRecordedStartedOrNotSoThatARunCutShortCountsWhatIsPending() {
        Path db = dir.resolve("runs.db");
        RunInfo cut = new RunInfo("cut", "workflow", T0, 2, List.of("say"), "", Optional.empty(), false,
                OptionalLong.of(10));
        TaskError oops = new TaskError("dev.mpflow.CommandFailedException", "exited with code 3", "");
        Instant start = T0.plusMillis(5);
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(cut);
            for (int i = 0; i < 6; i++) {
                store.taskSubmitted(new SubmittedTask("cut", "t" + i, Optional.of("say"), "in" + i, 10 - i, false));
            }
            store.attemptFinished(new AttemptRecord("cut", "t0", Optional.of("say"), 1, 7, start,
                    start.plusMillis(1), TaskStatus.FAILED, Optional.of(oops), "first try\n", "oops\n",
                    Optional.empty()));
            store.attemptFinished(new AttemptRecord("cut", "t0", Optional.of("say"), 2, 7, start.plusMillis(2),
                    start.plusMillis(3), TaskStatus.SUCCEEDED, Optional.empty(), "second try\n", "",
                    Optional.empty()));
            store.taskFinished("cut", new TaskResult("t0", Optional.of("say"), "in0", TaskStatus.SUCCEEDED, "done",
                    Optional.empty(), 2, 7, start, start.plusMillis(3), "second try\n", "", 1, 5));
            store.attemptFinished(new AttemptRecord("cut", "t1", Optional.of("say"), 1, 8, start,
                    start.plusMillis(4), TaskStatus.FAILED, Optional.of(oops), "", "no luck\n", Optional.empty()));
            store.taskFinished("cut", new TaskResult("t1", Optional.of("say"), "in1", TaskStatus.FAILED, null,
                    Optional.of(oops), 1, 8, start, start.plusMillis(4), "", "no luck\n"));
            // t2 to t5 never finished, four more were never submitted, and the process died: no runFinished.
        }

        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            StoredRun run = history.run("cut").orElseThrow();
            assertThat(run.status()).isEqualTo(StoredRun.Status.RUNNING);
            assertThat(List.of(run.tasks(), run.succeeded(), run.failed(), run.pending()))
                    .containsExactly(10L, 1L, 1L, 8L);
            assertThat(history.tasks("cut")).extracting(StoredTask::task, StoredTask::agent, StoredTask::input,
                    StoredTask::priority, StoredTask::taskKey).containsExactly(
                            tuple("t0", Optional.of("say"), "in0", OptionalInt.of(10), key("t0", "in0")),
                            tuple("t1", Optional.of("say"), "in1", OptionalInt.of(9), key("t1", "in1")),
                            tuple("t2", Optional.of("say"), "in2", OptionalInt.of(8), key("t2", "in2")),
                            tuple("t3", Optional.of("say"), "in3", OptionalInt.of(7), key("t3", "in3")),
                            tuple("t4", Optional.of("say"), "in4", OptionalInt.of(6), key("t4", "in4")),
                            tuple("t5", Optional.of("say"), "in5", OptionalInt.of(5), key("t5", "in5")));
            assertThat(history.tasks("cut", "t3")).extracting(StoredTask::input).containsExactly("in3");
            assertThat(history.attempts("cut")).extracting(StoredAttempt::task, StoredAttempt::attempt,
                    StoredAttempt::stdout, StoredAttempt::stderr).containsExactly(
                            tuple("t0", 1, "first try\n", "oops\n"),
                            tuple("t0", 2, "second try\n", ""),
                            tuple("t1", 1, "", "no luck\n"));
            assertThat(history.results("cut")).extracting(StoredResult::task, StoredResult::valueSize)
                    .containsExactly(tuple("t0", OptionalLong.of(5)), tuple("t1", OptionalLong.empty()));
        }

        // A resume submits everything again: the tasks keep their rows, done-earlier ones are only counted.
        RunInfo resumed = new RunInfo("cut", "workflow", T0.plusSeconds(60), 2, List.of("say"), "",
                Optional.empty(), true, OptionalLong.of(10));
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(resumed);
            store.taskSubmitted(new SubmittedTask("cut", "t0", Optional.of("say"), "in0", 10, true));
            for (int i = 1; i < 10; i++) {
                store.taskSubmitted(new SubmittedTask("cut", "t" + i, Optional.of("say"), "in" + i, 0, false));
                if (i < 9) {
                    store.taskFinished("cut", new TaskResult("t" + i, Optional.of("say"), "in" + i,
                            TaskStatus.SUCCEEDED, "v" + i, Optional.empty(), 1, 9, start, start, "", "", 1, 3));
                }
            }
            try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(history.run("cut")
                        .map(r -> List.of(r.tasks(), r.succeeded(), r.failed(), r.pending())))
                        .contains(List.of(10L, 9L, 0L, 1L)));
            }
            store.runFinished(resumed, new RunSummary(8, 0, 0, 1, 0, Duration.ofSeconds(1), Optional.empty()));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            StoredRun run = history.run("cut").orElseThrow();
            assertThat(run.status()).isEqualTo(StoredRun.Status.FINISHED);
            assertThat(List.of(run.tasks(), run.succeeded(), run.failed(), run.pending()))
                    .containsExactly(10L, 9L, 0L, 1L);
            assertThat(history.tasks("cut")).hasSize(10);
            assertThat(history.tasks("cut", "t0")).extracting(StoredTask::priority)
                    .containsExactly(OptionalInt.of(10));
            assertThat(history.tasks("cut", "t1")).extracting(StoredTask::priority)
                    .containsExactly(OptionalInt.of(0));
        }
    }

    @Test
    void aResultWhoseSubmissionWasNeverReportedStillMakesItsTaskATaskOfTheRun() {
        Path db = dir.resolve("runs.db");
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(Events.run("r"));
            store.taskFinished("r", Events.success("alone", 1));
            store.runFinished(Events.run("r"), new RunSummary(1, 0, 0, 0, 0, Duration.ofSeconds(1),
                    Optional.empty()));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.tasks("r")).extracting(StoredTask::task, StoredTask::input, StoredTask::priority)
                    .containsExactly(tuple("alone", "input of alone", OptionalInt.empty()));
            StoredRun run = history.run("r").orElseThrow();
            assertThat(List.of(run.tasks(), run.succeeded(), run.pending())).containsExactly(1L, 1L, 0L);
        }
    }

    private static String key(String task, String input) {
        return TaskKey.of(task, Optional.of("say"), input);
    }

    private static List<Thread> writerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(SqliteResultStore.WRITER_THREAD_NAME) && t.isAlive())
                .toList();
    }

    private static Set<String> tables(Connection c) throws Exception {
        Set<String> tables = new HashSet<>();
        try (Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
            while (rows.next()) {
                tables.add(rows.getString(1));
            }
        }
        return tables;
    }
}

package dev.mpflow.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.mpflow.MpflowException;
import dev.mpflow.TaskError;
import dev.mpflow.TaskKey;
import dev.mpflow.TaskResult;
import dev.mpflow.TaskStatus;
import dev.mpflow.event.AttemptRecord;
import dev.mpflow.event.RunInfo;
import dev.mpflow.event.RunSummary;
import dev.mpflow.event.SubmittedTask;
import dev.mpflow.spi.CompletedTasks;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written by an older mpflow survives being opened by a newer schema's migrations. The old files are built
 * here from the old scripts alone, with rows inserted the way those versions wrote them, so that nothing of the
 * current writing code is involved in making them.
 */
class SchemaUpgradeTest {
    private static final Instant STARTED = Instant.parse("2025-02-01T08:30:00.000000001Z");
    private static final String STACK = "java.lang.IllegalStateException: boom\n\tat Example.run(Example.java:7)\n";

    @TempDir
    Path dir;

    @Test
    void aVersionOneStoreIsUpgradedInPlaceWhenOpenedAndKeepsItsRunsResultsAndAttempts() throws Exception {
        Path db = dir.resolve("v1.db");
        createVersionOneStore(db);
        assertThat(Migrations.latestVersion()).isGreaterThanOrEqualTo(2);

        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            // The upgraded file takes new runs, cancelled counts included, next to the old one.
            RunInfo after = new RunInfo("after", "current", STARTED.plusSeconds(3600), 2, List.of(), "", Optional.empty(), false);
            store.runStarted(after);
            store.taskFinished("after", new TaskResult("late", Optional.empty(), "", TaskStatus.CANCELLED, null,
                    Optional.of(new TaskError("dev.mpflow.TaskCancelledException", "the run was stopped", "")), 0,
                    0, after.startedAt(), after.startedAt(), "", ""));
            store.runFinished(after, new RunSummary(0, 0, 1, 0, 0, Duration.ofSeconds(1), Optional.empty()));
        }

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            assertThat(SqliteSupport.userVersion(c)).isEqualTo(Migrations.latestVersion());
            try (Statement s = c.createStatement();
                    ResultSet rows = s.executeQuery("SELECT \"notnull\", dflt_value FROM pragma_table_info('runs') "
                            + "WHERE name = 'cancelled'")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getInt(1)).isEqualTo(1);
                assertThat(rows.getString(2)).isEqualTo("0");
            }
            assertThat(SqliteSupport.queryText(c, "SELECT count(*) FROM results")).isEqualTo("3");
        }

        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            StoredRun before = history.run("before").orElseThrow();
            assertThat(before).isEqualTo(new StoredRun("before", "legacy", STARTED,
                    Optional.of(STARTED.plusSeconds(5)), StoredRun.Status.FINISHED, "old-host", 3,
                    List.of("summarise", "review"), "maxWorkers=3 retries=1", 2, 1, 1, 0, 1, 0, Optional.empty(),
                    Optional.empty()));
            assertThat(before.cancelled()).isZero();
            assertThat(history.runs()).extracting(StoredRun::runId).containsExactly("after", "before");
            assertThat(history.run("after").orElseThrow().cancelled()).isEqualTo(1);

            assertThat(history.results("before")).containsExactly(
                    new StoredResult(1, "before", "alpha", Optional.of("summarise"), "text one",
                            TaskStatus.SUCCEEDED, Optional.of("42"), Optional.of("java.lang.Integer"),
                            Optional.empty(), 1, 101, STARTED.plusMillis(1), STARTED.plusMillis(1501),
                            Duration.ofMillis(1500), "printed\n", "",
                            TaskKey.of("alpha", Optional.of("summarise"), "text one"), OptionalLong.empty()),
                    new StoredResult(2, "before", "gamma", Optional.empty(), "text two", TaskStatus.FAILED,
                            Optional.empty(), Optional.empty(),
                            Optional.of(new TaskError("java.lang.IllegalStateException", "boom", STACK)), 2, 102,
                            STARTED.plusMillis(1), STARTED.plusSeconds(3), Duration.ofMillis(2999), "",
                            "trace\n", TaskKey.of("gamma", Optional.empty(), "text two"), OptionalLong.empty()));
            assertThat(history.attempts("before")).containsExactly(
                    new StoredAttempt(1, "before", "gamma", Optional.empty(), 1, 102, STARTED.plusMillis(1),
                            STARTED.plusMillis(2), TaskStatus.TIMED_OUT,
                            Optional.of(new TaskError("Timeout", "after 1s", "")),
                            Optional.of(TaskKey.of("gamma", Optional.empty(), "text two")), "", ""),
                    new StoredAttempt(2, "before", "gamma", Optional.empty(), 2, 102, STARTED.plusMillis(2),
                            STARTED.plusSeconds(3), TaskStatus.FAILED,
                            Optional.of(new TaskError("java.lang.IllegalStateException", "boom", STACK)),
                            Optional.of(TaskKey.of("gamma", Optional.empty(), "text two")), "", ""));
        }
    }

    @Test
    void readingAVersionOneStoreAsksToOpenItAsAStoreFirstAndChangesNothing() throws Exception {
        Path db = dir.resolve("v1.db");
        createVersionOneStore(db);
        byte[] before = Files.readAllBytes(db);

        assertThatThrownBy(() -> SqliteRunHistory.open(db))
                .isInstanceOf(MpflowException.class)
                .hasMessage("cannot read store " + db + ": its schema version 1 is older than this mpflow's ("
                        + Migrations.latestVersion() + "); open it as a store once to upgrade it");
        assertThat(Files.readAllBytes(db)).isEqualTo(before);

        SqliteResultStore.open(db).close();
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.run("before").orElseThrow().cancelled()).isZero();
        }
    }

    @Test
    void twoStoresOpeningAVersionOneFileAtOnceUpgradeItOnce() throws Exception {
        Path db = dir.resolve("v1.db");
        createVersionOneStore(db);
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (String runId : List.of("left", "right")) {
                done.add(pool.submit(() -> {
                    together.await();
                    // Adding the column twice would fail ("duplicate column"): the second opener must see the
                    // first one's upgrade and skip it.
                    try (SqliteResultStore store = SqliteResultStore.open(db)) {
                        RunInfo run = new RunInfo(runId, "w", STARTED.plusSeconds(60), 1, List.of(), "", Optional.empty(), false);
                        store.runStarted(run);
                        for (String task : List.of("x", "y")) {
                            store.taskFinished(runId, new TaskResult(task, Optional.empty(), "", TaskStatus.CANCELLED,
                                    null, Optional.of(new TaskError("dev.mpflow.TaskCancelledException", "stopped",
                                            "")), 0, 0, run.startedAt(), run.startedAt(), "", ""));
                        }
                        store.runFinished(run, new RunSummary(0, 0, 2, 0, 0, Duration.ofSeconds(1), Optional.empty()));
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
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.runs()).extracting(StoredRun::runId, StoredRun::cancelled)
                    .containsExactlyInAnyOrder(
                            tuple("left", 2L),
                            tuple("right", 2L),
                            tuple("before", 0L));
        }
    }

    @Test
    void aVersionTwoStoreGetsTaskKeysKeepsOneResultPerTaskAndItsRunsCanBeResumed() throws Exception {
        Path db = dir.resolve("v2.db");
        createVersionTwoStore(db);

        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            // Resumable: the committed successes of an old run, by the keys the migration computed.
            CompletedTasks done = store.completedTasks("resumed");
            assertThat(done.contains(key("t1", "one"))).isTrue();
            assertThat(done.valueText(key("t1", "one"))).contains("1 again");
            assertThat(done.contains(key("t2", "two"))).isTrue();
            assertThat(done.contains(key("t3", "three"))).isFalse();
            // Foreign keys are back on after the migration: an attempt of an unknown run is refused.
            store.attemptFinished(new AttemptRecord("unknown", "orphan", Optional.empty(), 1, 1, STARTED, STARTED,
                    TaskStatus.SUCCEEDED, Optional.empty()));
            assertThatThrownBy(store::close).hasMessageContaining("FOREIGN KEY");
        }

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            assertThat(SqliteSupport.userVersion(c)).isEqualTo(Migrations.latestVersion());
            // One result fewer: the first of t1's two in run "resumed".
            assertThat(SqliteSupport.queryText(c, "SELECT count(*) FROM results")).isEqualTo("8");
            assertThat(SqliteSupport.queryText(c, "SELECT count(*) FROM attempts")).isEqualTo("5");
            assertThat(SqliteSupport.queryText(c, "SELECT count(*) FROM results WHERE task_key IS NULL"))
                    .isEqualTo("0");
            assertThat(SqliteSupport.queryText(c, "SELECT group_concat(name, ',') FROM (SELECT name FROM "
                    + "sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name)"))
                    .isEqualTo("attempts_run_id,attempts_unkeyed,results_run_task_key,tasks_run_task_key");
        }

        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            assertThat(history.runs()).extracting(StoredRun::runId, StoredRun::status).containsExactly(
                    tuple("twins", StoredRun.Status.FINISHED),
                    tuple("died", StoredRun.Status.RUNNING),
                    tuple("halted", StoredRun.Status.HALTED),
                    tuple("resumed", StoredRun.Status.FINISHED));
            StoredRun halted = history.run("halted").orElseThrow();
            assertThat(halted.haltReason()).hasValueSatisfying(r -> assertThat(r).contains("not recorded"));
            assertThat(List.of(halted.succeeded(), halted.failed(), halted.cancelled())).containsExactly(1L, 0L, 1L);
            assertThat(history.run("resumed").orElseThrow().haltReason()).isEmpty();
            assertThat(history.run("resumed").orElseThrow().definitionHash()).isEmpty();
            assertThat(history.latestUnfinishedRun("legacy")).map(StoredRun::runId).contains("died");

            assertThat(history.results("resumed")).extracting(StoredResult::task, StoredResult::status,
                    r -> r.valueText().orElse(null), StoredResult::taskKey).containsExactly(
                            tuple("t2", TaskStatus.SUCCEEDED, "2", key("t2", "two")),
                            tuple("t3", TaskStatus.FAILED, null, key("t3", "three")),
                            tuple("t1", TaskStatus.SUCCEEDED, "1 again", key("t1", "one")));
            assertThat(history.attempts("resumed")).extracting(StoredAttempt::task, StoredAttempt::taskKey)
                    .containsExactly(
                            tuple("t1", Optional.of(key("t1", "one"))),
                            tuple("t2", Optional.of(key("t2", "two"))),
                            tuple("t1", Optional.of(key("t1", "one"))));
            // Two tasks named alike: their attempt cannot be told to belong to either.
            assertThat(history.results("twins")).extracting(StoredResult::taskKey)
                    .containsExactly(key("same", "a"), key("same", "b"));
            assertThat(history.attempts("twins")).extracting(StoredAttempt::taskKey).containsExactly(Optional.empty());
        }

        // The old run resumes: one result per task, counts over the whole run.
        RunInfo resume = new RunInfo("resumed", "legacy", STARTED.plusSeconds(7200), 1, List.of(), "",
                Optional.of("hash"), true);
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(resume);
            store.taskFinished("resumed", new TaskResult("t3", Optional.empty(), "three", TaskStatus.SUCCEEDED, 3,
                    Optional.empty(), 1, 1, resume.startedAt(), resume.startedAt(), "", ""));
            store.runFinished(resume, new RunSummary(1, 0, 0, 2, 0, Duration.ofSeconds(1), Optional.empty()));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            StoredRun run = history.run("resumed").orElseThrow();
            assertThat(run.startedAt()).isEqualTo(STARTED);
            assertThat(run.status()).isEqualTo(StoredRun.Status.FINISHED);
            assertThat(List.of(run.succeeded(), run.failed(), run.cancelled(), run.skipped()))
                    .containsExactly(3L, 0L, 0L, 2L);
            assertThat(history.results("resumed")).extracting(StoredResult::task)
                    .containsExactly("t2", "t1", "t3");
        }
    }

    @Test
    void aVersionThreeStoreGetsATaskPerResultCountsItsPendingTasksAndKeepsTakingRuns() throws Exception {
        Path db = dir.resolve("v3.db");
        createVersionThreeStore(db);

        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            assertThat(store.completedTasks("died").contains(key("d1", "one"))).isTrue();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            assertThat(SqliteSupport.userVersion(c)).isEqualTo(Migrations.latestVersion());
            assertThat(SqliteSupport.queryText(c, "SELECT group_concat(name, ',') FROM (SELECT name FROM "
                    + "sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name)"))
                    .isEqualTo("attempts_run_id,attempts_unkeyed,results_run_task_key,tasks_run_task_key");
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            StoredRun old = history.run("old").orElseThrow();
            assertThat(List.of(old.tasks(), old.succeeded(), old.failed(), old.pending()))
                    .containsExactly(2L, 1L, 1L, 0L);
            // A run whose process died: what it recorded is all it is known to have had.
            StoredRun died = history.run("died").orElseThrow();
            assertThat(died.status()).isEqualTo(StoredRun.Status.RUNNING);
            assertThat(List.of(died.tasks(), died.succeeded(), died.pending())).containsExactly(1L, 1L, 0L);
            assertThat(history.tasks("old")).extracting(StoredTask::task, StoredTask::input, StoredTask::priority,
                    StoredTask::taskKey).containsExactly(
                            tuple("o1", "one", OptionalInt.empty(), key("o1", "one")),
                            tuple("o2", "two", OptionalInt.empty(), key("o2", "two")));
            assertThat(history.attempts("old")).extracting(StoredAttempt::stdout, StoredAttempt::stderr)
                    .containsExactly(tuple("", ""), tuple("", ""));
            assertThat(history.results("old")).extracting(StoredResult::valueSize)
                    .containsExactly(OptionalLong.empty(), OptionalLong.empty());
        }

        // The run that died resumes on the upgraded file, with three tasks of which one is done.
        RunInfo resume = new RunInfo("died", "legacy", STARTED.plusSeconds(7200), 1, List.of(), "",
                Optional.empty(), true, OptionalLong.of(3));
        try (SqliteResultStore store = SqliteResultStore.open(db)) {
            store.runStarted(resume);
            store.taskSubmitted(new SubmittedTask("died", "d1", Optional.empty(), "one", 0, true));
            store.taskSubmitted(new SubmittedTask("died", "d2", Optional.empty(), "two", 0, false));
            store.attemptFinished(new AttemptRecord("died", "d2", Optional.empty(), 1, 5, resume.startedAt(),
                    resume.startedAt(), TaskStatus.SUCCEEDED, Optional.empty(), "out\n", "err\n", Optional.empty()));
            store.taskFinished("died", new TaskResult("d2", Optional.empty(), "two", TaskStatus.SUCCEEDED, "2",
                    Optional.empty(), 1, 5, resume.startedAt(), resume.startedAt(), "out\n", "err\n", 1, 6));
            // d3 is never submitted: the run halts first.
            store.runFinished(resume, new RunSummary(1, 0, 0, 1, 0, Duration.ofSeconds(1),
                    Optional.of("the run was interrupted")));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            StoredRun died = history.run("died").orElseThrow();
            assertThat(died.status()).isEqualTo(StoredRun.Status.HALTED);
            assertThat(List.of(died.tasks(), died.succeeded(), died.failed(), died.pending()))
                    .containsExactly(3L, 2L, 0L, 1L);
            assertThat(history.tasks("died")).extracting(StoredTask::task).containsExactly("d1", "d2");
            assertThat(history.attempts("died")).extracting(StoredAttempt::task, StoredAttempt::stdout)
                    .containsExactly(tuple("d1", ""), tuple("d2", "out\n"));
            assertThat(history.result("died", "d2").orElseThrow().valueSize()).hasValue(6);
        }
    }

    /**
     * A store as version 3 left it, built from the version 1 to 3 scripts alone (with the SQL function version 3
     * calls): a finished run with a success and a failure and their attempts, and a run whose process died after
     * one result.
     */
    private static void createVersionThreeStore(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            Migrations.registerFunctions(c);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode = WAL");
                for (String script : List.of("V1__initial.sql", "V2__cancelled.sql", "V3__resume.sql")) {
                    for (String sql : scriptStatements("migrations/" + script)) {
                        s.execute(sql);
                    }
                }
                s.execute("PRAGMA user_version = 3");
                s.executeUpdate("""
                        INSERT INTO runs (run_id, workflow, started_at, ended_at, status, host, max_workers, agents,
                                          settings, succeeded, failed, retried, cancelled, skipped)
                        VALUES ('old', 'legacy', '2025-02-01T08:30:00.000000001Z',
                                '2025-02-01T09:00:00.000000001Z', 'finished', 'h', 1, '[]', '', 1, 1, 1, 0, 0),
                               ('died', 'legacy', '2025-02-01T08:31:00.000000001Z', NULL, 'running', 'h', 1, '[]',
                                '', 0, 0, 0, 0, 0)""");
            }
            String result = """
                    INSERT INTO results (run_id, task, agent, input, status, value_text, value_type, attempts,
                                         worker_pid, started_at, ended_at, duration_ms, stdout, stderr,
                                         error_type, error_message, error_stack, task_key)
                    VALUES (?, ?, NULL, ?, ?, ?, NULL, 1, 1, '2025-02-01T08:30:00.000000001Z',
                            '2025-02-01T08:30:01.000000001Z', 1000, '', '', ?, ?, ?, ?)""";
            try (PreparedStatement p = c.prepareStatement(result)) {
                bind(p, "old", "o1", "one", "succeeded", "1", null, null, null, key("o1", "one"));
                bind(p, "old", "o2", "two", "failed", null, "E", "bad", "", key("o2", "two"));
                bind(p, "died", "d1", "one", "succeeded", "1", null, null, null, key("d1", "one"));
            }
            String attempt = """
                    INSERT INTO attempts (run_id, task, agent, attempt, worker_pid, started_at, ended_at, status,
                                          task_key)
                    VALUES (?, ?, NULL, 1, 1, '2025-02-01T08:30:00.000000001Z', '2025-02-01T08:30:01.000000001Z',
                            ?, ?)""";
            try (PreparedStatement p = c.prepareStatement(attempt)) {
                bind(p, "old", "o1", "succeeded", key("o1", "one"));
                bind(p, "old", "o2", "failed", key("o2", "two"));
                bind(p, "died", "d1", "succeeded", key("d1", "one"));
            }
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            assertThat(SqliteSupport.userVersion(c)).isEqualTo(3);
            assertThat(SqliteSupport.queryText(c, "SELECT count(*) FROM sqlite_master WHERE name = 'tasks'"))
                    .isEqualTo("0");
        }
    }

    private static String key(String task, String input) {
        return TaskKey.of(task, Optional.empty(), input);
    }

    /**
     * A store as version 2 left it, built from the version 1 and 2 scripts alone: a run resumed before keys existed,
     * which recorded task t1 twice (failed, then succeeded on resume); a run halted with a cancelled task; a run whose
     * process died; and a run with two tasks of one name, whose attempt matches both.
     */
    private static void createVersionTwoStore(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode = WAL");
                for (String sql : scriptStatements("migrations/V1__initial.sql")) {
                    s.execute(sql);
                }
                for (String sql : scriptStatements("migrations/V2__cancelled.sql")) {
                    s.execute(sql);
                }
                s.execute("PRAGMA user_version = 2");
                s.executeUpdate("""
                        INSERT INTO runs (run_id, workflow, started_at, ended_at, status, host, max_workers, agents,
                                          settings, succeeded, failed, retried, cancelled)
                        VALUES ('resumed', 'legacy', '2025-02-01T08:30:00.000000001Z',
                                '2025-02-01T09:00:00.000000001Z', 'finished', 'h', 1, '[]', '', 2, 1, 0, 0),
                               ('halted', 'legacy', '2025-02-01T08:31:00.000000001Z',
                                '2025-02-01T08:32:00.000000001Z', 'finished', 'h', 1, '[]', '', 1, 0, 0, 1),
                               ('died', 'legacy', '2025-02-01T08:32:00.000000001Z', NULL, 'running', 'h', 1, '[]',
                                '', 0, 0, 0, 0),
                               ('twins', 'other', '2025-02-01T08:33:00.000000001Z',
                                '2025-02-01T08:34:00.000000001Z', 'finished', 'h', 1, '[]', '', 2, 0, 0, 0)""");
            }
            String result = """
                    INSERT INTO results (run_id, task, agent, input, status, value_text, value_type, attempts,
                                         worker_pid, started_at, ended_at, duration_ms, stdout, stderr,
                                         error_type, error_message, error_stack)
                    VALUES (?, ?, NULL, ?, ?, ?, NULL, 1, 1, '2025-02-01T08:30:00.000000001Z',
                            '2025-02-01T08:30:01.000000001Z', 1000, '', '', ?, ?, ?)""";
            try (PreparedStatement p = c.prepareStatement(result)) {
                bind(p, "resumed", "t1", "one", "failed", null, "E", "first try", "");
                bind(p, "resumed", "t2", "two", "succeeded", "2", null, null, null);
                bind(p, "resumed", "t3", "three", "failed", null, "E", "still failing", "");
                bind(p, "resumed", "t1", "one", "succeeded", "1 again", null, null, null);
                bind(p, "halted", "a", "", "succeeded", "a", null, null, null);
                bind(p, "halted", "b", "", "cancelled", null, "dev.mpflow.TaskCancelledException", "halted", "");
                bind(p, "died", "c", "", "succeeded", "c", null, null, null);
                bind(p, "twins", "same", "a", "succeeded", "a", null, null, null);
                bind(p, "twins", "same", "b", "succeeded", "b", null, null, null);
            }
            String attempt = """
                    INSERT INTO attempts (run_id, task, agent, attempt, worker_pid, started_at, ended_at, status)
                    VALUES (?, ?, NULL, 1, 1, '2025-02-01T08:30:00.000000001Z', '2025-02-01T08:30:01.000000001Z',
                            ?)""";
            try (PreparedStatement p = c.prepareStatement(attempt)) {
                bind(p, "resumed", "t1", "failed");
                bind(p, "resumed", "t2", "succeeded");
                bind(p, "resumed", "t1", "succeeded");
                bind(p, "twins", "same", "succeeded");
                bind(p, "died", "c", "succeeded");
            }
        }
    }

    /**
     * A store as version 1 left it: its script applied, user_version 1, WAL mode, and one finished run with two
     * results and two attempts, inserted with version 1's columns.
     */
    private static void createVersionOneStore(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode = WAL");
                for (String sql : versionOneStatements()) {
                    s.execute(sql);
                }
                s.execute("PRAGMA user_version = 1");
                s.executeUpdate("""
                        INSERT INTO runs (run_id, workflow, started_at, ended_at, status, host, max_workers, agents,
                                          settings, succeeded, failed, retried)
                        VALUES ('before', 'legacy', '2025-02-01T08:30:00.000000001Z',
                                '2025-02-01T08:30:05.000000001Z', 'finished', 'old-host', 3,
                                '["summarise","review"]', 'maxWorkers=3 retries=1', 1, 1, 1)""");
            }
            String attempt = """
                    INSERT INTO attempts (run_id, task, agent, attempt, worker_pid, started_at, ended_at, status,
                                          error_type, error_message, error_stack)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";
            try (PreparedStatement p = c.prepareStatement(attempt)) {
                bind(p, "before", "gamma", null, 1, 102, "2025-02-01T08:30:00.001000001Z",
                        "2025-02-01T08:30:00.002000001Z", "timed_out", "Timeout", "after 1s", "");
                bind(p, "before", "gamma", null, 2, 102, "2025-02-01T08:30:00.002000001Z",
                        "2025-02-01T08:30:03.000000001Z", "failed", "java.lang.IllegalStateException", "boom",
                        STACK);
            }
            String result = """
                    INSERT INTO results (run_id, task, agent, input, status, value_text, value_type,
                                         error_type, error_message, error_stack, attempts, worker_pid,
                                         started_at, ended_at, duration_ms, stdout, stderr)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";
            try (PreparedStatement p = c.prepareStatement(result)) {
                bind(p, "before", "alpha", "summarise", "text one", "succeeded", "42", "java.lang.Integer", null,
                        null, null, 1, 101, "2025-02-01T08:30:00.001000001Z", "2025-02-01T08:30:01.501000001Z", 1500,
                        "printed\n", "");
                bind(p, "before", "gamma", null, "text two", "failed", null, null,
                        "java.lang.IllegalStateException", "boom", STACK, 2, 102, "2025-02-01T08:30:00.001000001Z",
                        "2025-02-01T08:30:03.000000001Z", 2999, "", "trace\n");
            }
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            assertThat(SqliteSupport.userVersion(c)).isEqualTo(1);
            assertThat(SqliteSupport.queryText(c, "SELECT count(*) FROM pragma_table_info('runs') "
                    + "WHERE name = 'cancelled'")).isEqualTo("0");
        }
    }

    /** The version 1 script split at its semicolons, comment lines left out (it has no semicolon in a string). */
    private static List<String> versionOneStatements() throws Exception {
        List<String> statements = scriptStatements("migrations/V1__initial.sql");
        assertThat(statements).hasSize(5);
        return statements;
    }

    /** A migration script split at its semicolons, comment lines left out: for the old scripts, which allow it. */
    private static List<String> scriptStatements(String resource) throws Exception {
        String script;
        try (InputStream in = SchemaUpgradeTest.class.getResourceAsStream(resource)) {
            assertThat(in).isNotNull();
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder code = new StringBuilder();
        for (String line : script.split("\\R")) {
            if (!line.strip().startsWith("--")) {
                code.append(line).append('\n');
            }
        }
        List<String> statements = new ArrayList<>();
        for (String sql : code.toString().split(";")) {
            if (!sql.isBlank()) {
                statements.add(sql.strip());
            }
        }
        return statements;
    }

    private static void bind(PreparedStatement p, Object... values) throws Exception {
        for (int i = 0; i < values.length; i++) {
            p.setObject(i + 1, values[i]);
        }
        p.executeUpdate();
    }
}

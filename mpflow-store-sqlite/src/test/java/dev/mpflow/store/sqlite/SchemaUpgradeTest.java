package dev.mpflow.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.mpflow.MpflowException;
import dev.mpflow.TaskError;
import dev.mpflow.TaskResult;
import dev.mpflow.TaskStatus;
import dev.mpflow.event.RunInfo;
import dev.mpflow.event.RunSummary;
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
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written by an older mpflow survives being opened by a newer schema's migrations. The old file is built
 * here from the version 1 script alone, with rows inserted the way version 1 wrote them, so that nothing of the
 * current writing code is involved in making it.
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
                    List.of("summarise", "review"), "maxWorkers=3 retries=1", 1, 1, 0, 1));
            assertThat(before.cancelled()).isZero();
            assertThat(history.runs()).extracting(StoredRun::runId).containsExactly("after", "before");
            assertThat(history.run("after").orElseThrow().cancelled()).isEqualTo(1);

            assertThat(history.results("before")).containsExactly(
                    new StoredResult(1, "before", "alpha", Optional.of("summarise"), "text one",
                            TaskStatus.SUCCEEDED, Optional.of("42"), Optional.of("java.lang.Integer"),
                            Optional.empty(), 1, 101, STARTED.plusMillis(1), STARTED.plusMillis(1501),
                            Duration.ofMillis(1500), "printed\n", ""),
                    new StoredResult(2, "before", "gamma", Optional.empty(), "text two", TaskStatus.FAILED,
                            Optional.empty(), Optional.empty(),
                            Optional.of(new TaskError("java.lang.IllegalStateException", "boom", STACK)), 2, 102,
                            STARTED.plusMillis(1), STARTED.plusSeconds(3), Duration.ofMillis(2999), "",
                            "trace\n"));
            assertThat(history.attempts("before")).containsExactly(
                    new StoredAttempt(1, "before", "gamma", Optional.empty(), 1, 102, STARTED.plusMillis(1),
                            STARTED.plusMillis(2), TaskStatus.TIMED_OUT,
                            Optional.of(new TaskError("Timeout", "after 1s", ""))),
                    new StoredAttempt(2, "before", "gamma", Optional.empty(), 2, 102, STARTED.plusMillis(2),
                            STARTED.plusSeconds(3), TaskStatus.FAILED,
                            Optional.of(new TaskError("java.lang.IllegalStateException", "boom", STACK))));
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
        String script;
        try (InputStream in = SchemaUpgradeTest.class.getResourceAsStream("migrations/V1__initial.sql")) {
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
        assertThat(statements).hasSize(5);
        return statements;
    }

    private static void bind(PreparedStatement p, Object... values) throws Exception {
        for (int i = 0; i < values.length; i++) {
            p.setObject(i + 1, values[i]);
        }
        p.executeUpdate();
    }
}

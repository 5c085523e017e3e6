package dev.mpflow.store.sqlite;

import static dev.mpflow.store.sqlite.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mpflow.MpflowException;
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
}

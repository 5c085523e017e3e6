package dev.mpflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.mpflow.store.sqlite.SqliteRunHistory;
import dev.mpflow.store.sqlite.StoredResult;
import dev.mpflow.testing.NoProcessLeftBehind;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The size of a result, as the store records it and {@code show} prints it, is that of the value itself. */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(120)
class ResultSizeIT {
    @TempDir
    Path dir;

    @Test
    void showAndTheStoreGiveTheSizeOfTheValueItself() throws Exception {
        // Text of 1, 5 and 0 bytes; é✓ is 5 bytes of UTF-8; \377\376 is 2 bytes that are not UTF-8.
        Cli.Result r = Cli.run(dir, "a\nhello\nempty\nut\nraw\n", "run", "-j", "1", "--store", "runs.db", "--",
                "sh", "-c", "case $1 in empty) ;; ut) printf 'é✓' ;; raw) printf '\\377\\376' ;; *) echo $1 ;; esac",
                "sh");
        assertThat(r.exitCode()).as(r.stderr()).isZero();

        assertThat(sizeShown("a")).hasValue("1 byte");
        assertThat(sizeShown("hello")).hasValue("5 bytes");
        // 0 is what a result without a value from a worker has: no size is shown, nor recorded.
        assertThat(sizeShown("empty")).isEmpty();
        assertThat(sizeShown("ut")).hasValue("5 bytes");
        assertThat(sizeShown("raw")).hasValue("2 bytes");
        try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve("runs.db"))) {
            List<StoredResult> results = history.results(history.runs().get(0).runId());
            assertThat(results).extracting(StoredResult::task, StoredResult::valueSize).containsExactlyInAnyOrder(
                    tuple("a", OptionalLong.of(1)),
                    tuple("hello", OptionalLong.of(5)),
                    tuple("empty", OptionalLong.empty()),
                    tuple("ut", OptionalLong.of(5)),
                    tuple("raw", OptionalLong.of(2)));
        }
    }

    private java.util.Optional<String> sizeShown(String task) {
        Cli.Result show = Cli.run(dir, "", "show", "latest", task, "--store", "runs.db");
        assertThat(show.exitCode()).as(show.stderr()).isZero();
        return show.stdoutLines().stream().filter(l -> l.startsWith("size ")).map(l -> l.substring(4).strip())
                .findFirst();
    }
}

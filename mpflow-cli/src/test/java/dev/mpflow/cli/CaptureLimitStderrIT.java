package dev.mpflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mpflow.TaskError;
import dev.mpflow.store.sqlite.SqliteRunHistory;
import dev.mpflow.store.sqlite.StoredAttempt;
import dev.mpflow.store.sqlite.StoredResult;
import dev.mpflow.testing.NoProcessLeftBehind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --capture-limit} limits the standard error a failed command's error message carries, as it limits the
 * captured output: in the JSON line, the WARN log line, the store, {@code show} and {@code export}.
 */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(120)
class CaptureLimitStderrIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Prints 2,000 x and END on stderr (2,004 bytes), then fails. */
    private static final String SCRIPT = "head -c 2000 /dev/zero | tr '\\0' x >&2; echo END >&2; exit 1";

    @TempDir
    Path dir;

    /** Runs the script on input a with this limit; checks that every output has this error message. */
    private void runWithLimit(String limit, String expectedMessage) throws Exception {
        Cli.Result r = Cli.run(dir, "a\n", "run", "--store", "runs.db", "--retries", "0", "--capture-limit", limit,
                "--", "sh", "-c", SCRIPT, "sh");
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        String error = "dev.mpflow.CommandFailedException: " + expectedMessage;

        JsonNode line = JSON.readTree(r.stdout());
        assertThat(line.get("error").asText()).isEqualTo(error);
        assertThat(r.stderrLines()).filteredOn(l -> l.startsWith("mpflow: WARN")).singleElement()
                .asString().matches("mpflow: WARN  task 'a' \\(agent sh\\) attempt 1 failed on worker pid \\d+: \\Q"
                        + error + "\\E");

        try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve("runs.db"))) {
            String runId = history.runs().get(0).runId();
            List<StoredResult> results = history.results(runId);
            assertThat(results).singleElement().satisfies(s -> {
                TaskError e = s.error().orElseThrow();
                assertThat(e.message()).isEqualTo(expectedMessage);
                // The stack trace opens with the message, and holds no more of stderr than it does.
                assertThat(e.remoteStackTrace()).startsWith(error + "\n");
                assertThat(e.remoteStackTrace().split("x{96}", -1)).hasSize(expectedMessage.split("x{96}", -1).length);
            });
            List<StoredAttempt> attempts = history.attempts(runId);
            assertThat(attempts).singleElement().satisfies(a ->
                    assertThat(a.error().orElseThrow().message()).isEqualTo(expectedMessage));
        }
        Cli.Result show = Cli.run(dir, "", "show", "latest", "a", "--store", "runs.db");
        assertThat(show.stdout()).contains("error     " + error + "\n");
        Cli.Result export = Cli.run(dir, "", "export", "latest", "--store", "runs.db");
        assertThat(JSON.readTree(export.stdout()).get("error").asText()).isEqualTo(error);
    }

    @Test
    void withNothingKeptTheCapturedOutputIsTheNoteAlone() throws Exception {
        Cli.Result r = Cli.run(dir, "a\n", "run", "--store", "runs.db", "--retries", "0", "--capture-limit", "0",
                "--", "sh", "-c", "printf 'out'; printf 'error' >&2; exit 1", "sh");
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        assertThat(JSON.readTree(r.stdout()).get("stdout").asText()).isEqualTo("[mpflow: 3 more bytes not kept]");
        try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve("runs.db"))) {
            String runId = history.runs().get(0).runId();
            assertThat(history.results(runId)).singleElement().satisfies(s -> {
                assertThat(s.stdout()).isEqualTo("[mpflow: 3 more bytes not kept]");
                assertThat(s.stderr()).isEqualTo("[mpflow: 5 more bytes not kept]");
            });
            assertThat(history.attempts(runId)).singleElement().satisfies(a -> {
                assertThat(a.stdout()).isEqualTo("[mpflow: 3 more bytes not kept]");
                assertThat(a.stderr()).isEqualTo("[mpflow: 5 more bytes not kept]");
            });
        }
    }

    private static String command() {
        return "sh -c " + SCRIPT + " sh a exited with code 1";
    }

    @Test
    void aLimitOfZeroKeepsNoStderrInTheErrorMessage() throws Exception {
        runWithLimit("0", command() + ": [mpflow: 2004 more bytes not kept]");
    }

    @Test
    void aLimitOfAHundredBytesKeepsTheLastHundredBytesOfStderrInTheErrorMessage() throws Exception {
        runWithLimit("100B", command() + ": [mpflow: 1904 more bytes not kept] " + "x".repeat(97) + "END");
    }

    @Test
    void withinTheLimitTheErrorMessageEndsWithTheLastCharactersOfStderrAsBefore() throws Exception {
        // At most 2,000 characters of it, as ever.
        runWithLimit("1MiB", command() + ": ..." + "x".repeat(1997) + "END");
    }
}

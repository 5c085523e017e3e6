package dev.mpflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mpflow.store.sqlite.SqliteRunHistory;
import dev.mpflow.store.sqlite.StoredAttempt;
import dev.mpflow.testing.NoProcessLeftBehind;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * When an agent of a pipeline fails, what is said about it names that agent: the WARN line, and the error (whose
 * message begins {@code in agent NAME:}); the result keeps the pipeline's last agent, the task's identity.
 */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(120)
class PipelineFailureIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theLogLineAndTheErrorNameTheAgentOfThePipelineThatFailed() throws Exception {
        Files.writeString(dir.resolve("wf.yaml"), """
                name: pipe
                retries: 0
                agents:
                  - name: bad
                    command: sh -c 'exit 5'
                  - name: rev
                    command: rev
                tasks:
                  - name: t
                    input: hello
                """);
        Cli.Result r = Cli.run(dir, "", "run", "wf.yaml", "--store", "runs.db");

        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        String error = "dev.mpflow.CommandFailedException: in agent bad: sh -c exit 5 exited with code 5";
        JsonNode line = JSON.readTree(r.stdout());
        assertThat(line.get("agent").asText()).isEqualTo("rev");
        assertThat(line.get("error").asText()).isEqualTo(error);
        assertThat(r.stderrLines()).filteredOn(l -> l.startsWith("mpflow: WARN")).singleElement().asString()
                .matches("mpflow: WARN  task 't' \\(agent bad\\) attempt 1 failed on worker pid \\d+: "
                        + "dev\\.mpflow\\.CommandFailedException: sh -c exit 5 exited with code 5");
        try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve("runs.db"))) {
            StoredAttempt attempt = history.attempts(history.runs().get(0).runId()).get(0);
            assertThat(attempt.agent()).contains("rev");
            assertThat(attempt.error().orElseThrow().message()).isEqualTo("in agent bad: sh -c exit 5 exited with code 5");
        }
    }

    @Test
    void theLastAgentFailingIsNamedOnceAsTheResultsAgent() throws Exception {
        Files.writeString(dir.resolve("wf.yaml"), """
                name: pipe
                retries: 0
                agents:
                  - name: rev
                    command: rev
                  - name: bad
                    command: sh -c 'exit 5'
                tasks:
                  - name: t
                    input: hello
                """);
        Cli.Result r = Cli.run(dir, "", "run", "wf.yaml", "--no-autosave");

        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        JsonNode line = JSON.readTree(r.stdout());
        assertThat(line.get("agent").asText()).isEqualTo("bad");
        assertThat(line.get("error").asText()).isEqualTo("dev.mpflow.CommandFailedException: sh -c exit 5 exited "
                + "with code 5");
        assertThat(r.stderrLines()).filteredOn(l -> l.startsWith("mpflow: WARN")).singleElement().asString()
                .matches("mpflow: WARN  task 't' \\(agent bad\\) attempt 1 failed on worker pid \\d+: "
                        + "dev\\.mpflow\\.CommandFailedException: sh -c exit 5 exited with code 5");
    }
}

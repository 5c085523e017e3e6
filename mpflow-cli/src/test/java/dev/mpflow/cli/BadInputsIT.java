package dev.mpflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mpflow.store.sqlite.SqliteRunHistory;
import dev.mpflow.store.sqlite.StoredRun;
import dev.mpflow.testing.NoProcessLeftBehind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs that cannot become tasks, end to end: refused before anything runs where they can be seen first, and
 * where they are found only once tasks have run (standard input, a pipe), a run halted at that input, saved so
 * that it can be resumed.
 */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(120)
class BadInputsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static List<JsonNode> json(Cli.Result r) {
        return r.stdoutLines().stream().map(line -> {
            try {
                return JSON.readTree(line);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    /** The numbers from..to, one a line. */
    private static byte[] numbers(int from, int to) {
        StringBuilder s = new StringBuilder();
        IntStream.rangeClosed(from, to).forEach(i -> s.append(i).append('\n'));
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private List<StoredRun> runs() {
        try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve(".mpflow/runs.db"))) {
            return history.runs();
        }
    }

    @Test
    void stdinThatIsNotUtf8HaltsTheRunAtThatLineAndTheRunCanBeResumed() {
        byte[] bad = {'b', 'a', 'd', (byte) 0xff, '\n'};
        Cli.Result r = Cli.run(Cli.builder(dir, "run", "--", "echo", "{}"),
                concat(numbers(1, 50), bad, numbers(51, 60)), LIMIT);

        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        assertThat(json(r)).hasSize(50);
        StoredRun run = runs().get(0);
        assertThat(r.stderrLines()).hasSize(2);
        assertThat(r.stderrLines().get(0)).matches("mpflow: 50 succeeded, 0 failed, 0 retried in \\d+\\.\\ds; run "
                + run.runId() + " saved in .*runs\\.db");
        assertThat(r.stderrLines().get(1)).isEqualTo("mpflow: halted: stdin:51: not valid UTF-8; the run stopped "
                + "there and read no input after it; fix it, then go on with --resume " + run.runId());
        assertThat(run.status()).isEqualTo(StoredRun.Status.HALTED);
        assertThat(run.haltReason()).contains("stdin:51: not valid UTF-8; the run stopped there and read no input "
                + "after it");

        Cli.Result resumed = Cli.run(Cli.builder(dir, "run", "--resume", "--", "echo", "{}"),
                concat(numbers(1, 50), "fixed\n".getBytes(StandardCharsets.US_ASCII), numbers(51, 60)), LIMIT);
        assertThat(resumed.exitCode()).as(resumed.stderr()).isZero();
        assertThat(json(resumed)).extracting(n -> n.get("task").asText()).contains("fixed", "51", "60").hasSize(11);
        assertThat(runs()).hasSize(1);
        assertThat(runs().get(0).status()).isEqualTo(StoredRun.Status.FINISHED);
        assertThat(runs().get(0).succeeded()).isEqualTo(61);
    }

    @Test
    void aPipedInputsFileThatIsNotUtf8HaltsTheRunThere() throws Exception {
        Files.write(dir.resolve("in.txt"), concat(numbers(1, 3), new byte[] {(byte) 0xc3, '(', '\n'}, numbers(4, 5)));
        // A pipe: read as it comes, so its bad line is found only once tasks ran.
        Cli.Result r = Cli.run(Cli.builder(dir, "run", "--no-autosave", "-k", "--inputs", "/dev/stdin", "--",
                "echo"), Files.readAllBytes(dir.resolve("in.txt")), LIMIT);
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        assertThat(json(r)).extracting(n -> n.get("task").asText()).containsExactly("1", "2", "3");
        assertThat(r.stderrLines()).hasSize(2);
        assertThat(r.stderrLines().get(1)).isEqualTo("mpflow: halted: --inputs /dev/stdin:4: not valid UTF-8; the "
                + "run stopped there and read no input after it");
    }

    @Test
    void stdinWhoseFirstLineIsNotUtf8RunsNothingAndSavesNothing() {
        Cli.Result r = Cli.run(Cli.builder(dir, "run", "--", "echo"), new byte[] {(byte) 0xff, '\n', 'a', '\n'},
                LIMIT);
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(2);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderrLines().get(0)).isEqualTo("mpflow: stdin:1: not valid UTF-8");
        assertThat(runs()).isEmpty();
    }
}

package dev.mpflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mpflow.testing.NoProcessLeftBehind;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that writes to stdout reports a stdout it cannot write to (one that fails, as {@code /dev/full}
 * does, or that was closed) with one line and exit code 1, as {@code run} does, instead of losing its output
 * silently.
 */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(120)
class StdoutFailureIT {
    private static final File FULL = new File("/dev/full");
    private static final List<List<String>> COMMANDS = List.of(
            List.of("runs", "--store", "runs.db"),
            List.of("runs", "--store", "runs.db", "--output", "jsonl"),
            List.of("show", "latest", "--store", "runs.db"),
            List.of("show", "latest", "a", "--store", "runs.db"),
            List.of("export", "latest", "--store", "runs.db"),
            List.of("export", "latest", "--format", "csv", "--store", "runs.db"),
            List.of("gc", "--keep", "5", "--store", "runs.db"),
            List.of("--help"),
            List.of("run", "--help"),
            List.of("help", "show"),
            List.of("--version"));

    @TempDir
    Path dir;

    @BeforeEach
    void oneSavedRun() {
        Cli.Result r = Cli.run(dir, "a\n", "run", "--store", "runs.db", "--", "echo", "{}");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
    }

    /** Runs mpflow with stdout sent to {@code stdout} (or a pipe closed at once, for null); returns exit and stderr. */
    private Cli.Result run(List<String> args, File stdout) throws Exception {
        ProcessBuilder pb = Cli.builder(dir, args.toArray(String[]::new));
        Path err = dir.resolve("stderr.txt");
        pb.redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (stdout != null) {
            pb.redirectOutput(stdout);
        }
        Process p = pb.start();
        if (stdout == null) {
            // Gone long before the JVM has started and writes: every write fails with a broken pipe.
            p.getInputStream().close();
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("mpflow " + args + " did not end");
        }
        return new Cli.Result(p.exitValue(), "", Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void everyCommandReportsAStdoutThatFailsAndExitsWithOne() throws Exception {
        assumeTrue(FULL.exists(), "no /dev/full here");
        for (List<String> args : COMMANDS) {
            Cli.Result r = run(args, FULL);

            assertThat(r.exitCode()).as("mpflow %s: %s", args, r.stderr()).isEqualTo(1);
            assertThat(r.stderrLines()).as("mpflow %s", args).containsExactly("mpflow: stdout was closed");
        }
    }

    @Test
    void everyCommandReportsAClosedStdoutAndExitsWithOne() throws Exception {
        for (List<String> args : COMMANDS) {
            Cli.Result r = run(args, null);

            assertThat(r.exitCode()).as("mpflow %s: %s", args, r.stderr()).isEqualTo(1);
            assertThat(r.stderrLines()).as("mpflow %s", args).containsExactly("mpflow: stdout was closed");
        }
    }

    @Test
    void aStdoutThatWorksStaysQuiet() throws Exception {
        for (List<String> args : COMMANDS) {
            Cli.Result r = run(args, dir.resolve("out.txt").toFile());

            assertThat(r.exitCode()).as("mpflow %s: %s", args, r.stderr()).isZero();
            assertThat(r.stderr()).as("mpflow %s", args).isEmpty();
            assertThat(dir.resolve("out.txt")).as("mpflow %s", args).isNotEmptyFile();
        }
    }
}

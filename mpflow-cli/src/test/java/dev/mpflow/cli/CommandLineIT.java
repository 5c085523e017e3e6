package dev.mpflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mpflow.TaskStatus;
import dev.mpflow.store.sqlite.SqliteRunHistory;
import dev.mpflow.store.sqlite.StoredResult;
import dev.mpflow.store.sqlite.StoredRun;
import dev.mpflow.testing.NoProcessLeftBehind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The {@code mpflow} command end to end: real processes, real files, real exit codes. */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(180)
class CommandLineIT {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private static String sha256sum(Path file) throws Exception {
        Process p = new ProcessBuilder("sha256sum", file.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        return out.strip();
    }

    @Test
    void checksumsWorkflowEqualsSha256sumForEveryFile() throws Exception {
        write("data/a.txt", "alpha\n");
        write("data/b c.txt", "with a space\n");
        write("data/ünï/deep.bin", "\u0000\u0001binary-ish ✓");
        write("wf.yaml", """
                name: sums
                maxWorkers: 3
                agents:
                  - name: sha256
                    command: sha256sum {}
                tasks:
                  - glob: "data/**"
                """);

        Cli.Result r = Cli.run(dir, "", "run", "wf.yaml", "--no-autosave");

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        List<JsonNode> results = Cli.jsonLines(r);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir.resolve("data"))) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(results).hasSize(3);
        Map<String, String> byInput = results.stream().collect(Collectors.toMap(
                n -> n.get("input").asText(), n -> n.get("result").asText(), (a, b) -> a, TreeMap::new));
        for (Path f : files) {
            assertThat(byInput.get(f.toString())).isEqualTo(sha256sum(f));
        }
        assertThat(results).allSatisfy(n -> {
            assertThat(n.get("status").asText()).isEqualTo("succeeded");
            assertThat(n.get("agent").asText()).isEqualTo("sha256");
            assertThat(n.get("attempts").asInt()).isEqualTo(1);
            assertThat(n.get("error").isNull()).isTrue();
            assertThat(n.has("durationMs")).isTrue();
        });
        assertThat(r.stderr()).isEqualTo("mpflow: 3 succeeded, 0 failed, 0 retried in "
                + r.stderr().replaceAll("(?s).* retried in ([0-9.]+s)\n$", "$1") + "\n");
    }

    /** The README's first command, on its real input: every file of the running JDK. */
    @Test
    void checksumsExampleEqualsSha256sumForEveryFileOfTheJdk() throws Exception {
        Path example = Path.of("..", "examples", "checksums.yaml").toAbsolutePath().normalize();
        Cli.Result r = Cli.run(dir, "", "run", example.toString(), "--store", "runs.db");

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        Path home = Path.of(System.getProperty("java.home"));
        List<Path> files;
        try (Stream<Path> walk = Files.walk(home)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        Map<String, String> byInput = Cli.jsonLines(r).stream().collect(Collectors.toMap(
                n -> n.get("input").asText(), n -> n.get("result").asText()));
        assertThat(byInput.keySet()).containsExactlyInAnyOrderElementsOf(files.stream().map(Path::toString).toList());
        for (Path f : files) {
            assertThat(byInput.get(f.toString())).as(f.toString()).isEqualTo(sha256sum(f));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve("runs.db"))) {
            StoredRun run = history.runs().get(0);
            assertThat(run.workflow()).isEqualTo("checksums");
            assertThat(run.succeeded()).isEqualTo(files.size());
            assertThat(history.results(run.runId())).hasSize(files.size());
        }
    }

    @Test
    void xargsStyleRunsTheCommandPerStdinLineAndSavesTheRun() throws Exception {
        Cli.Result r = Cli.run(dir, "one\ntwo\n\nthree ✓\n", "run", "-j", "2", "--store", "runs.db",
                "--output", "jsonl", "-k", "--", "echo", "got:{}");

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        List<JsonNode> results = Cli.jsonLines(r);
        assertThat(results).extracting(n -> n.get("result").asText()).containsExactly("got:one", "got:two", "got:three ✓");
        assertThat(results).extracting(n -> n.get("task").asText()).containsExactly("one", "two", "three ✓");
        assertThat(r.stderr()).startsWith("mpflow: 3 succeeded, 0 failed, 0 retried in ").contains("saved in ");

        try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve("runs.db"))) {
            List<StoredRun> runs = history.runs();
            assertThat(runs).hasSize(1);
            assertThat(runs.get(0).workflow()).isEqualTo("echo got:{}");
            assertThat(runs.get(0).succeeded()).isEqualTo(3);
            assertThat(history.results(runs.get(0).runId())).extracting(StoredResult::valueText)
                    .extracting(o -> o.orElseThrow()).containsExactlyInAnyOrder("got:one", "got:two", "got:three ✓");
        }
    }

    @Test
    void commandWithoutPlaceholderGetsTheInputAsLastArgument() {
        Cli.Result r = Cli.run(dir, "a b\n", "run", "--no-autosave", "--", "printf", "[%s]");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(Cli.jsonLines(r).get(0).get("result").asText()).isEqualTo("[a b]");
    }

    @Test
    void failedTaskAfterItsRetriesExitsOneAndReportsTheError() {
        Cli.Result r = Cli.run(dir, "x\n", "run", "--no-autosave", "--retries", "1", "--", "sh", "-c",
                "echo broken >&2; exit 4", "{}");

        assertThat(r.exitCode()).isEqualTo(1);
        JsonNode n = Cli.jsonLines(r).get(0);
        assertThat(n.get("status").asText()).isEqualTo("failed");
        assertThat(n.get("attempts").asInt()).isEqualTo(2);
        assertThat(n.get("error").asText())
                .isEqualTo("dev.mpflow.CommandFailedException: sh -c echo broken >&2; exit 4 x exited with code 4: broken");
        assertThat(r.stderr()).contains("mpflow: 0 succeeded, 1 failed, 1 retried in ").doesNotContain("\tat ");
    }

    @Test
    void whatAFailedCommandPrintedIsKeptAsItsStdout() {
        Cli.Result r = Cli.run(dir, "x\n", "run", "--store", "runs.db", "--retries", "1", "--retry-delay", "0s", "--",
                "sh", "-c", "echo \"partial $0\"; echo broken >&2; exit 3", "{}");

        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        JsonNode n = Cli.jsonLines(r).get(0);
        assertThat(n.get("status").asText()).isEqualTo("failed");
        assertThat(n.get("stdout").asText()).isEqualTo("partial x\n");
        // The same field in the export, and in show, for the last attempt and the one before it.
        Cli.Result export = Cli.run(dir, "", "export", "latest", "--store", "runs.db");
        assertThat(Cli.jsonLines(export).get(0).get("stdout").asText()).isEqualTo("partial x\n");
        Cli.Result show = Cli.run(dir, "", "show", "latest", "x", "--store", "runs.db");
        assertThat(show.exitCode()).as(show.stderr()).isZero();
        assertThat(show.stdoutLines()).containsSubsequence("stdout of attempt 1:", "  partial x", "stdout:",
                "  partial x");

        // Within the capture limit, with a note of what was not kept; a command that succeeded printed its result.
        Cli.Result limited = Cli.run(dir, "y\nok\n", "run", "--no-autosave", "--retries", "0", "--capture-limit", "4B",
                "-k", "--", "sh", "-c", "echo \"partial $0\"; [ $0 = ok ]", "{}");
        assertThat(Cli.jsonLines(limited).get(0).get("stdout").asText()).isEqualTo("part\n[mpflow: 6 more bytes not kept]");
        assertThat(Cli.jsonLines(limited).get(1).get("result").asText()).isEqualTo("partial ok");
        assertThat(Cli.jsonLines(limited).get(1).get("stdout").isNull()).isTrue();
    }

    @Test
    void timeoutKillsTheCommandAndReportsTimedOut() {
        Cli.Result r = Cli.run(dir, "30\n", "run", "--no-autosave", "--retries", "0", "--timeout", "500ms",
                "--", "sleep", "{}");
        assertThat(r.exitCode()).isEqualTo(1);
        JsonNode n = Cli.jsonLines(r).get(0);
        assertThat(n.get("status").asText()).isEqualTo(TaskStatus.TIMED_OUT.wireName());
        assertThat(n.get("error").asText()).isEqualTo("Timeout: attempt exceeded its timeout of 500 ms");
    }

    @Test
    void emptyInputIsZeroTasksAndExitZero() {
        Cli.Result r = Cli.run(dir, "", "run", "--no-autosave", "--", "echo", "{}");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).startsWith("mpflow: 0 succeeded, 0 failed, 0 retried in ");
    }

    @Test
    void tableOutputForPeople() {
        Cli.Result r = Cli.run(dir, "hi\n", "run", "--no-autosave", "--output", "table", "--", "echo", "{}");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdoutLines()).hasSize(2);
        assertThat(r.stdoutLines().get(0)).startsWith("TASK").contains("STATUS").endsWith("RESULT");
        assertThat(r.stdoutLines().get(1)).startsWith("hi ").contains("succeeded").endsWith("  hi");
    }

    // --- bad input: one line, exit 2, nothing run ---

    private void assertUsageError(Cli.Result r, String expectedStderr) {
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).isEqualTo(expectedStderr + "\n");
        assertThat(dir.resolve(".mpflow")).doesNotExist();
    }

    @Test
    void malformedYamlNamesTheFileAndLine() throws IOException {
        write("bad.yaml", "name: x\nmaxWorkers: 2\nagents:\n  - name: a\n    command: [echo\n");
        Cli.Result r = Cli.run(dir, "", "run", "bad.yaml");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).matches("mpflow: bad\\.yaml:\\d+: malformed YAML: .*\n").doesNotContain("\tat ");
        assertThat(dir.resolve(".mpflow")).doesNotExist();
    }

    @Test
    void unknownFieldSuggestsTheClosestOne() throws IOException {
        write("wf.yaml", "name: x\nmaxWorker: 2\n");
        assertUsageError(Cli.run(dir, "", "run", "wf.yaml"),
                "mpflow: wf.yaml:2: unknown field 'maxWorker' (did you mean 'maxWorkers'?); allowed: "
                        + "name, maxWorkers, autosave, store, retries, retry, timeout, halt, deadline, grace, "
                        + "captureLimit, maxResultSize, mode, secrets, agents, tasks");
    }

    @Test
    void zeroWorkersInTheFileIsRefused() throws IOException {
        write("wf.yaml", "name: x\nmaxWorkers: 0\n");
        assertUsageError(Cli.run(dir, "", "run", "wf.yaml"),
                "mpflow: wf.yaml:2: maxWorkers: must be a whole number of at least 1, was 0");
    }

    @Test
    void missingProgramInAWorkflowIsRefused() throws IOException {
        write("wf.yaml", "agents:\n  - name: a\n    command: no-such-program-here {}\n");
        assertUsageError(Cli.run(dir, "", "run", "wf.yaml"),
                "mpflow: wf.yaml:3: agents[0].command: program 'no-such-program-here' not found on PATH");
    }

    @Test
    void missingProgramInCommandModeIsRefused() {
        assertUsageError(Cli.run(dir, "x\n", "run", "--", "no-such-program-here", "{}"),
                "mpflow: command: program 'no-such-program-here' not found on PATH");
    }

    @Test
    void missingWorkflowFileIsRefused() {
        assertUsageError(Cli.run(dir, "", "run", "nope.yaml"), "mpflow: nope.yaml: file not found");
    }

    @Test
    void unknownFlagIsRefused() {
        assertUsageError(Cli.run(dir, "", "run", "--bogus", "wf.yaml"),
                "mpflow: Unknown option: '--bogus' (see 'mpflow run --help')");
    }

    @Test
    void zeroWorkersFlagIsRefused() {
        assertUsageError(Cli.run(dir, "x\n", "run", "-j", "0", "--", "echo"),
                "mpflow: -j/--max-workers: out of range: must be from 1 to 2147483647, was 0");
    }

    @Test
    void badDurationFlagIsRefused() {
        assertUsageError(Cli.run(dir, "x\n", "run", "--timeout", "5 parsecs", "--", "echo"),
                "mpflow: --timeout: \"5 parsecs\" is not a duration: use a number and a unit, such as 500ms, 30s, "
                        + "5m or 2h");
    }

    /** One line naming where the store came from, exit 2, nothing run, not even a worker started. */
    private void assertStoreRefused(Cli.Result r, String start, String reason) {
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(2);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderrLines()).hasSize(1);
        assertThat(r.stderr()).startsWith(start).contains(reason).doesNotContain("\tat ").doesNotContain("WARN");
    }

    @Test
    void aStoreFlagThatCannotBeCreatedIsNamedWithTheFlag() throws IOException {
        assertStoreRefused(Cli.run(dir, "x\n", "run", "--store", "/proc/mpflow-none/runs.db", "--", "echo"),
                "mpflow: --store: cannot create /proc/mpflow-none/runs.db: ", "/proc/mpflow-none");
        write("file", "not a directory");
        assertStoreRefused(Cli.run(dir, "x\n", "run", "--store", "file/runs.db", "--", "echo"),
                "mpflow: --store: cannot create file/runs.db: ", "not a directory");
        assertThat(Files.readString(dir.resolve("file"))).isEqualTo("not a directory");
    }

    @Test
    void aStoreFlagThatIsNotAStoreIsNamedWithTheFlag() throws IOException {
        write("notes.txt", "plain text, not SQLite\n".repeat(200));
        assertStoreRefused(Cli.run(dir, "x\n", "run", "--store", "notes.txt", "--", "echo"),
                "mpflow: --store: cannot open notes.txt: ", "");
        assertThat(Files.readString(dir.resolve("notes.txt"))).isEqualTo("plain text, not SQLite\n".repeat(200));
    }

    @Test
    void aWorkflowStoreThatCannotBeUsedIsNamedWithItsLine() throws IOException {
        write("wf.yaml", "name: s\nstore: /proc/mpflow-none/runs.db\nagents:\n  - name: a\n    command: echo\n"
                + "tasks:\n  - name: t\n");
        assertStoreRefused(Cli.run(dir, "", "run", "wf.yaml"),
                "mpflow: wf.yaml:2: store: cannot create /proc/mpflow-none/runs.db: ", "/proc/mpflow-none");
        write("file", "not a directory");
        write("wf.yaml", "name: s\nagents:\n  - name: a\n    command: echo\nstore: file/runs.db\n"
                + "tasks:\n  - name: t\n");
        assertStoreRefused(Cli.run(dir, "", "run", "wf.yaml"),
                "mpflow: wf.yaml:5: store: cannot create " + dir.resolve("file/runs.db") + ": ", "not a directory");
    }

    @Test
    void theDefaultStoreThatCannotBeCreatedSaysHowToChooseAnother() throws IOException {
        write(".mpflow", "a file where the store's directory would be");
        assertStoreRefused(Cli.run(dir, "x\n", "run", "--", "echo"),
                "mpflow: store: cannot create .mpflow/runs.db (the default): ", "--store");
    }

    @Test
    void helpAndVersion() {
        Cli.Result help = Cli.run(dir, "", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.stdout()).contains("Usage: mpflow").contains("Examples:").contains("run");
        Cli.Result runHelp = Cli.run(dir, "", "run", "--help");
        assertThat(runHelp.stdout()).contains("--max-workers").contains("--retries").contains("--timeout")
                .contains("--inputs").contains("--output").contains("--[no-]autosave").contains("--store");
        Cli.Result version = Cli.run(dir, "", "--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.stdout()).startsWith("mpflow 0.1.0");
    }

    @Test
    void sigtermStopsTheRunKeepsWhatFinishedAndExits130() throws Exception {
        Path inputs = write("inputs.txt", "0\n30\n30\n");
        ProcessBuilder pb = Cli.builder(dir, "run", "-j", "2", "--grace", "1s", "--store", "runs.db", "--inputs",
                inputs.toString(), "--", "sleep", "{}");
        Process p = pb.start();
        try {
            Cli.pump(p.getInputStream(), java.io.OutputStream.nullOutputStream());
            Cli.pump(p.getErrorStream(), java.io.OutputStream.nullOutputStream());
            // Wait until the quick task is saved and the long ones are running.
            await().atMost(Duration.ofSeconds(60)).until(() -> savedResults(dir.resolve("runs.db")) == 1
                    && p.descendants().filter(h -> h.info().command().orElse("").endsWith("sleep")).count() >= 1);
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(130);
            try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve("runs.db"))) {
                StoredRun run = history.runs().get(0);
                assertThat(history.results(run.runId())).extracting(StoredResult::task).contains("0");
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static int savedResults(Path db) {
        if (!Files.exists(db)) {
            return 0;
        }
        try (SqliteRunHistory h = SqliteRunHistory.open(db)) {
            List<StoredRun> runs = h.runs();
            return runs.isEmpty() ? 0 : h.results(runs.get(0).runId()).size();
        } catch (RuntimeException e) {
            return 0;
        }
    }
}

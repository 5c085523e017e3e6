package dev.mpflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mpflow.store.sqlite.SqliteRunHistory;
import dev.mpflow.store.sqlite.StoredRun;
import dev.mpflow.testing.NoProcessLeftBehind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

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
        assertThat(Cli.jsonLines(r)).hasSize(50);
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
        assertThat(Cli.jsonLines(resumed)).extracting(n -> n.get("task").asText()).contains("fixed", "51", "60").hasSize(11);
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
        assertThat(Cli.jsonLines(r)).extracting(n -> n.get("task").asText()).containsExactly("1", "2", "3");
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
        assertThat(r.stderrLines()).as("no summary of a run that was never saved")
                .containsExactly("mpflow: stdin:1: not valid UTF-8");
        assertThat(runs()).isEmpty();
    }

    @Test
    void stdinWhoseFirstLineHoldsANulByteRunsNothingAndSavesNothing() {
        Cli.Result r = Cli.run(Cli.builder(dir, "run", "--", "echo", "{}"), new byte[] {'a', 0, 'b', '\n', 'c', '\n'},
                LIMIT);
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(2);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderrLines()).containsExactly(
                "mpflow: stdin:1: holds a NUL byte, which no program argument can hold");
        assertThat(runs()).isEmpty();
    }

    @Test
    void aRunWhoseFirstStdinLineIsBadBesideASavedRunAddsNoneAndSaysOnlyThat() {
        Cli.Result first = Cli.run(Cli.builder(dir, "run", "--", "echo", "{}"), "a\n".getBytes(StandardCharsets.UTF_8),
                LIMIT);
        assertThat(first.exitCode()).as(first.stderr()).isZero();
        Cli.Result r = Cli.run(Cli.builder(dir, "run", "--", "echo", "{}"), new byte[] {(byte) 0xfe, '\n'}, LIMIT);
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(2);
        assertThat(r.stderrLines()).containsExactly("mpflow: stdin:1: not valid UTF-8");
        assertThat(runs()).hasSize(1);
    }
    // --- a NUL byte: no program argument can hold one ---

    private static final byte[] WITH_NUL = {'a', '\n', 'z', 'e', 'r', 'o', 0, 'b', 'y', 't', 'e', '\n', 'c', '\n'};

    private void assertRefused(Cli.Result r, String line) {
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(2);
        assertThat(r.stderrLines()).containsExactly(line);
        assertThat(r.stdout()).isEmpty();
        assertThat(dir.resolve(".mpflow")).doesNotExist();
    }

    private void write(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    @Test
    void aNulByteOnStdinHaltsTheRunAtThatLineAndIsNeverRun() {
        Cli.Result r = Cli.run(Cli.builder(dir, "run", "--no-autosave", "-k", "--", "echo", "{}"), WITH_NUL, LIMIT);
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        assertThat(Cli.jsonLines(r)).extracting(n -> n.get("task").asText()).containsExactly("a");
        assertThat(r.stderrLines()).hasSize(2);
        assertThat(r.stderrLines().get(1)).isEqualTo("mpflow: halted: stdin:2: holds a NUL byte, which no program "
                + "argument can hold; the run stopped there and read no input after it");
    }

    @Test
    void aNulByteInAnInputsFileIsRefusedBeforeAnythingRuns() throws IOException {
        Files.write(dir.resolve("in.txt"), WITH_NUL);
        assertRefused(Cli.run(dir, "", "run", "--inputs", "in.txt", "--", "echo"),
                "mpflow: --inputs in.txt:2: holds a NUL byte, which no program argument can hold");
    }

    @Test
    void aNulByteInAWorkflowsInputsFileIsRefusedWhenTheInputGoesIntoAnArgument() throws IOException {
        Files.write(dir.resolve("in.txt"), WITH_NUL);
        write("wf.yaml", "agents:\n  - name: e\n    command: echo {}\ntasks:\n  - inputs: in.txt\n");
        assertRefused(Cli.run(dir, "", "run", "wf.yaml"),
                "mpflow: in.txt:2: holds a NUL byte, which no program argument can hold");
    }

    @Test
    void aNulByteInATaskListsInputIsRefusedWhenTheInputGoesIntoAnArgument() throws IOException {
        write("wf.yaml", "mode: fanout\nagents:\n  - name: c\n    command: cat\n  - name: e\n    command: echo {}\n"
                + "tasks:\n  - name: a\n    input: \"x\\0y\"\n");
        assertRefused(Cli.run(dir, "", "run", "wf.yaml"), "mpflow: wf.yaml:9: tasks[0].input: holds a NUL byte, "
                + "which no program argument can hold ({} in the command); an agent without {} gets its input on "
                + "standard input, which may");
    }

    @Test
    void aNulByteInAnAgentsCommandIsRefused() throws IOException {
        write("wf.yaml", "agents:\n  - name: e\n    command: [\"echo\", \"a\\0b\"]\ntasks:\n  - name: a\n");
        assertRefused(Cli.run(dir, "", "run", "wf.yaml"),
                "mpflow: wf.yaml:3: agents[0].command: holds a NUL byte, which no program argument can hold");
    }

    @Test
    void aNulByteGoesThroughToAProgramThatReadsItsInputOnStdin() throws IOException {
        Files.write(dir.resolve("in.txt"), WITH_NUL);
        write("wf.yaml", "agents:\n  - name: c\n    command: od -An -c\ntasks:\n  - inputs: in.txt\n");
        Cli.Result r = Cli.run(dir, "", "run", "--no-autosave", "-k", "wf.yaml");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(Cli.jsonLines(r).get(1).get("result").asText().replaceAll("\\s+", " ").strip())
                .isEqualTo("z e r o \\0 b y t e");
    }

    @Test
    void aNulByteAPipelinePutsInAnArgumentFailsTheTaskOnceWithoutRetries() throws IOException {
        Files.write(dir.resolve("in.txt"), WITH_NUL);
        write("wf.yaml", "agents:\n  - name: c\n    command: cat\n  - name: e\n    command: echo {}\n"
                + "tasks:\n  - inputs: in.txt\n");
        Cli.Result r = Cli.run(dir, "", "run", "--no-autosave", "-k", "-q", "--retries", "3", "wf.yaml");
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        JsonNode failed = Cli.jsonLines(r).get(1);
        assertThat(failed.get("status").asText()).isEqualTo("failed");
        assertThat(failed.get("attempts").asInt()).isEqualTo(1);
        assertThat(failed.get("errorType").asText()).isEqualTo("dev.mpflow.CommandArgumentException");
        assertThat(failed.get("error").asText()).isEqualTo("dev.mpflow.CommandArgumentException: agent e: the value "
                + "for {} holds a NUL byte, which no program argument can hold; a command without {} gets the value "
                + "on standard input, which may");
        assertThat(Cli.jsonLines(r)).extracting(n -> n.get("status").asText()).containsExactly("succeeded", "failed",
                "succeeded");
    }

    // --- a workflow file that is a pipe: read once ---

    private static final String PIPED_WORKFLOW = "name: x\nagents:\n  - name: e\n    command: echo {}\ntasks:\n"
            + "  - name: a\n    input: hi\n  - inputs: lines.txt\n";

    @Test
    void aWorkflowFileThatIsANamedPipeIsReadOnce() throws Exception {
        write("lines.txt", "b\n");
        Path fifo = dir.resolve("ff.yaml");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        Thread writer = new Thread(() -> {
            try {
                Files.writeString(fifo, PIPED_WORKFLOW); // blocks until mpflow opens the pipe
            } catch (IOException e) {
                // mpflow did not open it; the assertions below say so.
            }
        });
        writer.setDaemon(true);
        writer.start();
        Cli.Result r = Cli.run(Cli.builder(dir, "run", "-k", "ff.yaml"), new byte[0], Duration.ofSeconds(30));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(Cli.jsonLines(r)).extracting(n -> n.get("result").asText()).containsExactly("hi", "b");
        assertThat(runs().get(0).definitionHash()).isPresent();
    }

    @Test
    void aProcessSubstitutionIsAWorkflowFileWithPathsRelativeToTheWorkingDirectory() throws Exception {
        write("wf.yaml", PIPED_WORKFLOW);
        write("lines.txt", "b\n");
        ProcessBuilder pb = Cli.builder(dir);
        List<String> command = new java.util.ArrayList<>(List.of("bash", "-c", "exec \"$@\" run -k <(cat wf.yaml)",
                "bash"));
        command.addAll(pb.command());
        pb.command(command);
        Cli.Result r = Cli.run(pb, new byte[0], Duration.ofSeconds(30));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(Cli.jsonLines(r)).extracting(n -> n.get("result").asText()).containsExactly("hi", "b");
    }

    // --- a glob over a directory it cannot read ---

    @Test
    void aGlobOverADirectoryItCannotReadIsRefusedBeforeAnythingRuns() throws Exception {
        write("wf.yaml", "agents:\n  - name: e\n    command: echo {}\ntasks:\n  - glob: \"d/**\"\n");
        Files.createDirectories(dir.resolve("d/locked"));
        write("d/a.txt", "a");
        write("d/locked/b.txt", "b");
        write("d/z.txt", "z");
        Files.setPosixFilePermissions(dir.resolve("d/locked"), java.nio.file.attribute.PosixFilePermissions.fromString(
                "---------"));
        try {
            Cli.Result r = Cli.run(asAnotherUserIfRoot(Cli.builder(dir, "run", "--no-autosave", "wf.yaml")),
                    new byte[0], LIMIT);
            assertThat(r.stderrLines()).containsExactly("mpflow: wf.yaml:5: tasks[0].glob: cannot read directory "
                    + dir.toRealPath().resolve("d/locked") + ": permission denied");
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.stdout()).isEmpty();
        } finally {
            Files.setPosixFilePermissions(dir.resolve("d/locked"),
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
    }

    /**
     * Root reads every directory, whatever its mode: as root, the command runs as user nobody instead (with
     * {@code setpriv}), from a copy of the class path that nobody can read, in a directory nobody may enter.
     */
    private ProcessBuilder asAnotherUserIfRoot(ProcessBuilder pb) throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            return pb;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "as root, this needs setpriv to run as another user");
        Path copy = Files.createDirectories(dir.resolve("cp"));
        List<String> entries = new java.util.ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path from = Path.of(entry);
            if (!Files.exists(from)) {
                continue;
            }
            Path to = copy.resolve(i++ + (Files.isDirectory(from) ? "" : ".jar"));
            try (var files = Files.walk(from)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.copy(f, to.resolve(from.relativize(f).toString()));
                }
            }
            entries.add(to.toString());
        }
        try (var files = Files.walk(copy)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                f.toFile().setReadable(true, false);
                f.toFile().setExecutable(Files.isDirectory(f), false);
            }
        }
        for (Path d = dir; d != null && !d.equals(d.getRoot()); d = d.getParent()) {
            if (d.startsWith(Path.of(System.getProperty("java.io.tmpdir")))) {
                d.toFile().setExecutable(true, false);
                d.toFile().setReadable(true, false);
            }
        }
        List<String> command = new java.util.ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=65534",
                "--regid=65534", "--clear-groups"));
        List<String> original = pb.command();
        int cp = original.indexOf("-cp");
        command.addAll(original.subList(0, cp + 1));
        command.add(String.join(java.io.File.pathSeparator, entries));
        command.addAll(original.subList(cp + 2, original.size()));
        pb.command(command);
        return pb;
    }
}

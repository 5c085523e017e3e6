package dev.mpflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mpflow.TaskStatus;
import dev.mpflow.store.sqlite.SqliteRunHistory;
import dev.mpflow.store.sqlite.StoredResult;
import dev.mpflow.store.sqlite.StoredRun;
import dev.mpflow.testing.NoProcessLeftBehind;
import dev.mpflow.testing.ProcessTree;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs that end early: Ctrl-C (once and twice), a halt policy, a deadline, a closed standard output. Each ends in
 * order: results printed once, unfinished tasks reported as cancelled, the summary printed once, nothing left
 * running, the right exit code.
 */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(90)
class InterruptionIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Each long task starts two programs, one in the background, so that a task leaves grandchildren around. */
    private static final String TWO_SLEEPS = "if [ \"$0\" = 0 ]; then echo quick; exit 0; fi; sleep 54 & sleep 56";
    private static final String SUMMARY = "mpflow: \\d+ succeeded, \\d+ failed, (\\d+ cancelled, )?\\d+ retried in "
            + "\\d+\\.\\ds.*";

    @TempDir
    Path dir;

    private static List<JsonNode> json(String stdout) {
        return stdout.lines().map(line -> {
            try {
                return JSON.readTree(line);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    private static Map<String, String> statusByTask(String stdout) {
        return json(stdout).stream().collect(Collectors.toMap(n -> n.get("task").asText(),
                n -> n.get("status").asText()));
    }

    /** The processes started by {@code pid} (workers, shells, sleeps) alive now. */
    private static List<ProcessHandle> tree(long pid) {
        return ProcessTree.descendantsOf(pid);
    }

    private static long running(long pid, String program, String argument) {
        return tree(pid).stream().filter(h -> h.info().command().orElse("").endsWith("/" + program)
                && List.of(h.info().arguments().orElse(new String[0])).contains(argument)).count();
    }

    private static void awaitAllDead(List<ProcessHandle> processes) {
        try {
            ProcessTree.awaitAllDead("left running after mpflow exited", processes, Duration.ofSeconds(10));
        } catch (AssertionError e) {
            ProcessTree.killAll(processes);
            throw e;
        }
    }

    private static long summaryLines(String stderr) {
        return stderr.lines().filter(l -> l.matches(SUMMARY)).count();
    }

    /** Starts three tasks on three workers: a quick one, and two that would take a minute. */
    private Cli.Running startThreeTasks(String grace) throws IOException {
        Files.writeString(dir.resolve("inputs.txt"), "0\n1\n2\n");
        Cli.Running r = Cli.Running.start(Cli.interruptible(dir, "run", "-j", "3", "--retries", "0", "--grace",
                grace, "--store", "runs.db", "--inputs", "inputs.txt", "--", "sh", "-c", TWO_SLEEPS, "{}"));
        r.until("the quick result, and the long tasks running", Duration.ofSeconds(60),
                () -> r.stdout().contains("\"task\":\"0\"") && running(r.pid(), "sleep", "56") == 2
                        && running(r.pid(), "sleep", "54") == 2);
        assumeFalse(Cli.ignoresSigint(r.pid()), "this environment starts processes with SIGINT ignored");
        return r;
    }

    @Test
    void ctrlCOnceGivesRunningTasksTheGraceThenCancelsThemAndExits130() throws Exception {
        try (Cli.Running r = startThreeTasks("1s")) {
            List<ProcessHandle> started = tree(r.pid());
            assertThat(started.stream().filter(h -> h.info().command().orElse("").endsWith("/sleep"))).hasSize(4);

            r.signal("INT");
            Cli.Result result = r.await(Duration.ofSeconds(30));

            assertThat(result.exitCode()).as(result.stderr()).isEqualTo(130);
            assertThat(statusByTask(result.stdout())).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "0", "succeeded", "1", "cancelled", "2", "cancelled"));
            assertThat(json(result.stdout())).filteredOn(n -> n.get("status").asText().equals("cancelled"))
                    .allSatisfy(n -> assertThat(n.get("error").asText())
                            .isEqualTo("dev.mpflow.TaskCancelledException: the run was stopped"));
            List<String> lines = result.stderrLines().stream().filter(l -> !l.startsWith("mpflow: WARN")).toList();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).isEqualTo(
                    "mpflow: interrupted; waiting up to 1s for 2 running tasks (Ctrl-C again to stop now)");
            assertThat(lines.get(1)).matches("mpflow: 1 succeeded, 0 failed, 2 cancelled, 0 retried in \\d+\\.\\ds; "
                    + "run \\S+ saved in .*runs\\.db");
            assertThat(result.stderr()).doesNotContain("\tat ").doesNotContain("halted");
            awaitAllDead(started);
            try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve("runs.db"))) {
                StoredRun run = history.runs().get(0);
                assertThat(history.results(run.runId())).extracting(StoredResult::task, StoredResult::status)
                        .containsExactlyInAnyOrder(
                                org.assertj.core.groups.Tuple.tuple("0", TaskStatus.SUCCEEDED),
                                org.assertj.core.groups.Tuple.tuple("1", TaskStatus.CANCELLED),
                                org.assertj.core.groups.Tuple.tuple("2", TaskStatus.CANCELLED));
            }
        }
    }

    @Test
    void ctrlCTwiceStopsAtOnceWhateverTheGrace() throws Exception {
        try (Cli.Running r = startThreeTasks("60s")) {
            List<ProcessHandle> started = tree(r.pid());
            long first = System.nanoTime();
            r.signal("INT");
            r.until("the interruption to be reported", Duration.ofSeconds(10),
                    () -> r.stderr().contains("mpflow: interrupted"));
            r.signal("INT");
            Cli.Result result = r.await(Duration.ofSeconds(30));

            assertThat(Duration.ofNanos(System.nanoTime() - first)).isLessThan(Duration.ofSeconds(20));
            assertThat(result.exitCode()).as(result.stderr()).isEqualTo(130);
            assertThat(statusByTask(result.stdout())).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "0", "succeeded", "1", "cancelled", "2", "cancelled"));
            assertThat(result.stderrLines()).startsWith(
                    "mpflow: interrupted; waiting up to 1m for 2 running tasks (Ctrl-C again to stop now)",
                    "mpflow: stopping the running tasks now");
            assertThat(summaryLines(result.stderr())).isEqualTo(1);
            assertThat(result.stderr()).doesNotContain("\tat ");
            awaitAllDead(started);
        }
    }

    @Test
    void sigtermIsAnInterruptionToo() throws Exception {
        try (Cli.Running r = startThreeTasks("0s")) {
            List<ProcessHandle> started = tree(r.pid());
            r.signal("TERM");
            Cli.Result result = r.await(Duration.ofSeconds(30));

            assertThat(result.exitCode()).as(result.stderr()).isEqualTo(130);
            assertThat(result.stderrLines()).first().isEqualTo("mpflow: terminated; stopping");
            assertThat(statusByTask(result.stdout())).containsValues("succeeded", "cancelled").hasSize(3);
            assertThat(summaryLines(result.stderr())).isEqualTo(1);
            awaitAllDead(started);
        }
    }

    @Test
    void ctrlCWhileWaitingForInputEndsTheRun() throws Exception {
        try (Cli.Running r = Cli.Running.start(Cli.interruptible(dir, "run", "--no-autosave", "--", "echo"))) {
            OutputStream stdin = r.process.getOutputStream();
            stdin.write("first\n".getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            r.until("the first result", Duration.ofSeconds(60), () -> r.stdout().contains("\"task\":\"first\""));
            assumeFalse(Cli.ignoresSigint(r.pid()), "this environment starts processes with SIGINT ignored");

            r.signal("INT"); // stdin stays open: mpflow must not wait for its end
            Cli.Result result = r.await(Duration.ofSeconds(20));

            assertThat(result.exitCode()).as(result.stderr()).isEqualTo(130);
            assertThat(result.stdoutLines()).hasSize(1);
            assertThat(result.stderrLines()).hasSize(2);
            assertThat(result.stderrLines().get(0)).isEqualTo("mpflow: interrupted; stopping");
            assertThat(result.stderrLines().get(1)).matches("mpflow: 1 succeeded, 0 failed, 0 retried in .*");
            stdin.close();
        }
    }

    @Test
    void haltNowOnTheFirstFailureCancelsTheOthers() throws Exception {
        long start = System.nanoTime();
        Cli.Result r = Cli.run(Cli.builder(dir, "run", "-j", "3", "--retries", "0", "--no-autosave",
                "--halt", "now,fail=1", "-k", "--", "sh", "-c",
                "if [ \"$0\" = bad ]; then sleep 1; exit 7; fi; sleep 56", "{}"), "bad\nslow1\nslow2\n",
                Duration.ofSeconds(60));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        assertThat(statusByTask(r.stdout())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "bad", "failed", "slow1", "cancelled", "slow2", "cancelled"));
        List<String> lines = r.stderrLines().stream().filter(l -> !l.startsWith("mpflow: WARN")).toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).matches("mpflow: 0 succeeded, 1 failed, 2 cancelled, 0 retried in \\d+\\.\\ds");
        assertThat(lines.get(1)).isEqualTo("mpflow: halted: the run halted after 1 failed task (halt policy "
                + "now,fail=1)");
    }

    /** The input lines 1..n, for a command that fails on 3 and 4. */
    private static String lines(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> i + "\n").collect(Collectors.joining());
    }

    @Test
    void haltWithAShareStopsTheRunAtTheTenthResultWhenTheFailuresCameEarly() throws Exception {
        // One worker, so that results come in input order; -k for the same order on stdout.
        Cli.Result r = Cli.run(Cli.builder(dir, "run", "-q", "-j", "1", "-k", "--retries", "0", "--no-autosave",
                "--halt", "now,fail=10%", "--", "sh", "-c", "[ $1 -ne 3 ] && [ $1 -ne 4 ]", "sh"), lines(30),
                Duration.ofSeconds(60));

        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        Map<String, String> expected = new HashMap<>();
        for (int i = 1; i <= 30; i++) {
            expected.put(Integer.toString(i), i > 10 ? "cancelled" : i == 3 || i == 4 ? "failed" : "succeeded");
        }
        assertThat(json(r.stdout())).extracting(n -> n.get("input").asText()).containsExactlyElementsOf(
                IntStream.rangeClosed(1, 30).mapToObj(Integer::toString).toList());
        assertThat(json(r.stdout()).stream().collect(Collectors.toMap(n -> n.get("input").asText(),
                n -> n.get("status").asText()))).isEqualTo(expected);
        List<String> lines = r.stderrLines().stream().filter(l -> !l.startsWith("mpflow: WARN")).toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).matches("mpflow: 8 succeeded, 2 failed, 20 cancelled, 0 retried in \\d+\\.\\ds");
        assertThat(lines.get(1)).isEqualTo("mpflow: halted: the run halted after 2 failed tasks (halt policy "
                + "now,fail=10%)");
    }

    @Test
    void haltWithAShareStopsARunOfFewerTasksThanTheMinimum() throws Exception {
        Cli.Result r = Cli.run(Cli.builder(dir, "run", "-j", "1", "-k", "--retries", "0", "--no-autosave",
                "--halt", "now,fail=10%", "--", "sh", "-c", "[ $1 -ne 3 ] && [ $1 -ne 4 ]", "sh"), lines(10),
                Duration.ofSeconds(60));

        // 10% of 10 tasks is one: the first failure halts the run.
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        assertThat(json(r.stdout())).extracting(n -> n.get("status").asText()).containsExactly("succeeded",
                "succeeded", "failed", "cancelled", "cancelled", "cancelled", "cancelled", "cancelled", "cancelled",
                "cancelled");
        List<String> lines = r.stderrLines().stream().filter(l -> !l.startsWith("mpflow: WARN")).toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).matches("mpflow: 2 succeeded, 1 failed, 7 cancelled, 0 retried in \\d+\\.\\ds");
        assertThat(lines.get(1)).isEqualTo("mpflow: halted: the run halted after 1 failed task (halt policy "
                + "now,fail=10%)");
    }

    @Test
    void tasksTheRunNeverTookAreCountedAsNotStarted() throws Exception {
        StringBuilder inputs = new StringBuilder("bad\n");
        for (int i = 1; i < 300; i++) {
            inputs.append("slow").append(i).append('\n');
        }
        Files.writeString(dir.resolve("inputs.txt"), inputs);
        Cli.Result r = Cli.run(Cli.builder(dir, "run", "-j", "1", "--retries", "0", "--no-autosave",
                "--halt", "now,fail=1", "--inputs", "inputs.txt", "--", "sh", "-c",
                "if [ \"$0\" = bad ]; then exit 7; fi; sleep 56", "{}"), "", Duration.ofSeconds(60));

        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        int results = r.stdoutLines().size();
        assertThat(results).isBetween(1, 299);
        assertThat(r.stderr()).containsPattern("mpflow: 0 succeeded, 1 failed, " + (results - 1) + " cancelled, 0 "
                + "retried in \\d+\\.\\ds; " + (300 - results) + " not started\n");
    }

    @Test
    void haltSoonLetsRunningTasksFinish() throws Exception {
        Cli.Result r = Cli.run(Cli.builder(dir, "run", "-j", "2", "--retries", "0", "--no-autosave",
                "--halt", "soon,fail=1", "--", "sh", "-c",
                // bad fails only once slow runs, so that slow is running when the run halts
                "if [ \"$0\" = bad ]; then while [ ! -e slow.started ]; do sleep 0.02; done; exit 7; fi; "
                        + "touch \"$0.started\"; sleep 2", "{}"), "bad\nslow\nnever1\nnever2\n",
                Duration.ofSeconds(60));

        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        Map<String, String> status = statusByTask(r.stdout());
        assertThat(status).containsEntry("bad", "failed").containsEntry("slow", "succeeded")
                .containsEntry("never2", "cancelled");
        assertThat(r.stderr()).endsWith("mpflow: halted: the run halted after 1 failed task (halt policy "
                + "soon,fail=1)\n");
    }

    @Test
    void theDeadlineCancelsWhatIsUnfinished() throws Exception {
        long start = System.nanoTime();
        Cli.Result r = Cli.run(Cli.builder(dir, "run", "-j", "2", "--no-autosave", "--deadline", "2s", "--",
                "sh", "-c", "sleep 56", "{}"), "a\nb\n", Duration.ofSeconds(60));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        assertThat(statusByTask(r.stdout())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "a", "cancelled", "b", "cancelled"));
        assertThat(r.stderrLines()).hasSize(2);
        assertThat(r.stderrLines().get(0)).matches("mpflow: 0 succeeded, 0 failed, 2 cancelled, 0 retried in .*");
        assertThat(r.stderrLines().get(1)).isEqualTo("mpflow: halted: the run's deadline of 2000 ms passed");
    }

    @Test
    void aTaskCancelledWhileRunningNamesTheWorkerThatRanItAndWhenItStarted() throws Exception {
        Cli.Result r = Cli.run(Cli.builder(dir, "run", "-j", "1", "--store", "runs.db", "--deadline", "3s", "--",
                "sleep", "{}"), "57\n58\n", Duration.ofSeconds(60));

        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        Map<String, JsonNode> byTask = json(r.stdout()).stream()
                .collect(Collectors.toMap(n -> n.get("task").asText(), n -> n));
        JsonNode ran = byTask.get("57");
        assertThat(ran.get("status").asText()).isEqualTo("cancelled");
        assertThat(ran.get("attempts").asInt()).isEqualTo(1);
        long pid = ran.get("workerPid").asLong();
        assertThat(pid).as("it ran, so on a worker").isPositive();
        assertThat(ran.get("durationMs").asLong()).as("from its start until the deadline").isPositive();
        JsonNode never = byTask.get("58");
        assertThat(never.get("status").asText()).isEqualTo("cancelled");
        assertThat(never.get("attempts").asInt()).isZero();
        assertThat(never.get("workerPid").asLong()).as("it never ran").isZero();
        try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve("runs.db"))) {
            StoredResult stored = history.results(history.runs().get(0).runId()).stream()
                    .filter(s -> s.task().equals("57")).findFirst().orElseThrow();
            assertThat(stored.workerPid()).isEqualTo(pid);
            assertThat(stored.startedAt().toEpochMilli()).isEqualTo(
                    java.time.Instant.parse(ran.get("startedAt").asText()).toEpochMilli());
        }
    }

    @Test
    void aClosedStdoutStopsTheRun() throws Exception {
        StringBuilder inputs = new StringBuilder();
        for (int i = 1; i <= 200; i++) {
            inputs.append(i).append('\n');
        }
        Files.writeString(dir.resolve("inputs.txt"), inputs);
        long start = System.nanoTime();
        try (Cli.Running r = Cli.Running.start(Cli.builder(dir, "run", "-j", "2", "--store", "runs.db",
                "--inputs", "inputs.txt", "--", "sh", "-c", "sleep 0.2; echo $0", "{}"), false)) {
            // As `mpflow run ... | head -1` does: read one line, then go away.
            BufferedReader stdout = new BufferedReader(
                    new InputStreamReader(r.process.getInputStream(), StandardCharsets.UTF_8));
            assertThat(stdout.readLine()).contains("\"status\":\"succeeded\"");
            stdout.close();
            Cli.Result result = r.await(Duration.ofSeconds(30));

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
            assertThat(result.exitCode()).as(result.stderr()).isEqualTo(1);
            // Why it stopped, and what it did, once each.
            List<String> lines = result.stderrLines().stream().filter(l -> !l.startsWith("mpflow: WARN")).toList();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).isEqualTo("mpflow: stdout was closed; stopping");
            assertThat(lines.get(1)).matches("mpflow: \\d+ succeeded, 0 failed, \\d+ cancelled, 0 retried in "
                    + "\\d+\\.\\ds; \\d+ not started; run \\S+ saved in .*runs\\.db");
            assertThat(result.stderr()).doesNotContain("\tat ").doesNotContain("halted");
            try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve("runs.db"))) {
                StoredRun run = history.runs().get(0);
                assertThat(history.results(run.runId()).size()).isBetween(1, 199);
            }
        }
    }

    @Test
    void aClosedStdoutAfterTheLastResultStillSaysSoAndExitsOne() throws Exception {
        closeStdoutBeforeTheLastResult(List.of());
    }

    /** The same with the progress bar sharing the terminal (told so), whose writes must not hide the failure. */
    @Test
    void aClosedStdoutIsSeenWhenTheBarSharesItsTerminal() throws Exception {
        closeStdoutBeforeTheLastResult(List.of("-Dmpflow.stdout.tty=true", "-Dmpflow.stderr.tty=true"));
    }

    private void closeStdoutBeforeTheLastResult(List<String> jvmOptions) throws Exception {
        try (Cli.Running r = Cli.Running.start(Cli.builder(dir, jvmOptions, "run", "--no-autosave", "--output",
                "jsonl", "--", "sh", "-c", "if [ $0 = slow ]; then sleep 1; fi; echo $0", "{}"), false)) {
            try (OutputStream stdin = r.process.getOutputStream()) {
                stdin.write("quick\nslow\n".getBytes(StandardCharsets.UTF_8));
            }
            BufferedReader stdout = new BufferedReader(
                    new InputStreamReader(r.process.getInputStream(), StandardCharsets.UTF_8));
            assertThat(stdout.readLine()).contains("\"task\":\"quick\"");
            stdout.close(); // before the last result, which then cannot be written
            Cli.Result result = r.await(Duration.ofSeconds(30));

            assertThat(result.exitCode()).as(result.stderr()).isEqualTo(1);
            // What each line shows in the end (the bar, if any, is drawn over with a carriage return), bar aside.
            List<String> lines = Stream.of(result.stderr().split("\n"))
                    .map(l -> l.substring(l.lastIndexOf('\r') + 1).replace("\u001b[2K", ""))
                    .filter(l -> !l.isEmpty() && !l.matches("mpflow +\\S+ ?% \\[.*")).toList();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).isEqualTo("mpflow: stdout was closed; stopping");
            assertThat(lines.get(1)).matches("mpflow: 2 succeeded, 0 failed, 0 retried in .*");
        }
    }

    /** Ctrl-C while standard input has not given a line yet: the summary of nothing, which claims no saved run. */
    @Test
    void ctrlCBeforeTheFirstLineOfStdinClaimsNoSavedRun() throws Exception {
        try (Cli.Running r = Cli.Running.start(Cli.interruptible(dir, "run", "--store", "runs.db", "--", "echo"))) {
            // The store is opened once the run is set up, with its handling of Ctrl-C; then it waits for stdin.
            r.until("the store is opened", Duration.ofSeconds(30), () -> Files.exists(dir.resolve("runs.db")));
            assumeFalse(Cli.ignoresSigint(r.pid()), "this environment starts processes with SIGINT ignored");
            r.signal("INT");
            Cli.Result result = r.await(Duration.ofSeconds(20));

            assertThat(result.exitCode()).as(result.stderr()).isEqualTo(130);
            assertThat(result.stdout()).isEmpty();
            assertThat(result.stderrLines()).hasSize(2);
            assertThat(result.stderrLines().get(0)).isEqualTo("mpflow: interrupted; stopping");
            assertThat(result.stderrLines().get(1)).matches("mpflow: 0 succeeded, 0 failed, 0 retried in \\d+\\.\\ds");
            try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve("runs.db"))) {
                assertThat(history.runs()).isEmpty();
            }
        }
    }

    /**
     * Ctrl-C before the run even started (here, while its workflow file's inputs are still being counted): the
     * summary, exit 130, nothing started.
     */
    @Test
    void ctrlCBeforeTheRunStartsStillPrintsTheSummary() throws Exception {
        Path fifo = dir.resolve("inputs.fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        Files.writeString(dir.resolve("wf.yaml"), "agents:\n  - name: a\n    command: echo\ntasks:\n"
                + "  - inputs: inputs.fifo\n");
        try (Cli.Running r = Cli.Running.start(Cli.interruptible(dir, "run", "--store", "runs.db", "wf.yaml"))) {
            // Opening the pipe returns once mpflow has opened it to read: it is counting the inputs, long after
            // its start, and will wait there for the first line.
            try (OutputStream writer = Files.newOutputStream(fifo)) {
                assumeFalse(Cli.ignoresSigint(r.pid()), "this environment starts processes with SIGINT ignored");
                r.signal("INT");
                Cli.Result result = r.await(Duration.ofSeconds(20));

                assertThat(result.exitCode()).as(result.stderr()).isEqualTo(130);
                assertThat(result.stdout()).isEmpty();
                assertThat(result.stderrLines()).hasSize(2);
                assertThat(result.stderrLines().get(0)).isEqualTo("mpflow: interrupted; stopping");
                assertThat(result.stderrLines().get(1)).matches("mpflow: 0 succeeded, 0 failed, 0 retried in "
                        + "\\d+\\.\\ds");
                assertThat(dir.resolve("runs.db")).doesNotExist();
            }
        }
    }
}

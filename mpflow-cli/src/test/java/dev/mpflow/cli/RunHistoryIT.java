package dev.mpflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mpflow.TaskStatus;
import dev.mpflow.store.sqlite.SqliteRunHistory;
import dev.mpflow.store.sqlite.StoredResult;
import dev.mpflow.store.sqlite.StoredRun;
import dev.mpflow.testing.NoProcessLeftBehind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resuming runs ({@code run --resume}, {@code --retry-failed}) and reading the history ({@code runs}, {@code show},
 * {@code export}, {@code gc}), end to end on real SQLite files.
 */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(120)
class RunHistoryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Counts each execution in count.txt; task b fails until the file marker exists. */
    private static final String MARKER_WORKFLOW = """
            name: marker
            maxWorkers: 2
            retries: 0
            agents:
              - name: check
                command: sh -c 'echo $0 >> count.txt; if [ "$0" = b ] && [ ! -f marker ]; then echo no marker >&2; \
            exit 3; fi; echo "ok $0"' {}
            tasks:
              - name: a
                input: a
              - name: b
                input: b
              - name: c
                input: c
            """;
    private static final String SUMMARY_TIME = " retried in \\d+\\.\\ds; run \\S+ saved in .*runs\\.db";

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private Cli.Result mpflow(String... args) {
        return Cli.run(dir, "", args);
    }

    private static List<JsonNode> json(String stdout) {
        return stdout.lines().map(line -> {
            try {
                return JSON.readTree(line);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    /** How often each input ran, from count.txt. */
    private Map<String, Long> executions() throws IOException {
        return Files.readAllLines(dir.resolve("count.txt")).stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private List<StoredRun> runs() {
        try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve("runs.db"))) {
            return history.runs();
        }
    }

    private List<StoredResult> results(String runId) {
        try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve("runs.db"))) {
            return history.results(runId);
        }
    }

    private static void assertUsageError(Cli.Result r, String line) {
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(2);
        assertThat(r.stderrLines()).containsExactly(line);
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void resumeRunsOnlyTheFailedTasksAndRefusesAChangedWorkflowUnlessForced() throws Exception {
        Path wf = write("wf.yaml", MARKER_WORKFLOW);
        Cli.Result first = mpflow("run", "wf.yaml", "--store", "runs.db");
        assertThat(first.exitCode()).as(first.stderr()).isEqualTo(1);
        String runId = runs().get(0).runId();
        assertThat(runs().get(0).definitionHash()).hasValue(RunCommand.sha256(Files.readAllBytes(wf)));

        // It finished (with a failure): nothing for a plain --resume to continue.
        assertUsageError(mpflow("run", "wf.yaml", "--store", "runs.db", "--resume"),
                "mpflow: --resume: no unfinished run of workflow 'marker' in runs.db");
        // A changed definition is refused, then accepted with --force.
        Files.writeString(wf, MARKER_WORKFLOW + "# changed\n");
        assertUsageError(mpflow("run", "wf.yaml", "--store", "runs.db", "--resume", runId),
                "mpflow: --resume: the workflow changed since run " + runId
                        + " was started (use --force to resume anyway)");
        Files.writeString(dir.resolve("marker"), "");
        Cli.Result resumed = mpflow("run", "wf.yaml", "--store", "runs.db", "--resume", runId, "--force");

        assertThat(resumed.exitCode()).as(resumed.stderr()).isZero();
        assertThat(json(resumed.stdout())).extracting(n -> n.get("task").asText(), n -> n.get("result").asText())
                .containsExactly(tuple("b", "ok b"));
        assertThat(resumed.stderrLines()).singleElement().asString()
                .matches("mpflow: 1 succeeded, 0 failed, 2 skipped \\(done earlier\\), 0" + SUMMARY_TIME)
                .contains("run " + runId + " ");
        assertThat(executions()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 1L, "b", 2L, "c", 1L));
        assertThat(runs()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(StoredRun.Status.FINISHED);
            assertThat(r.succeeded()).isEqualTo(3);
            assertThat(r.failed()).isZero();
        });
        assertThat(results(runId)).extracting(StoredResult::task, StoredResult::status).containsExactlyInAnyOrder(
                tuple("a", TaskStatus.SUCCEEDED), tuple("b", TaskStatus.SUCCEEDED), tuple("c", TaskStatus.SUCCEEDED));
    }

    @Test
    void retryFailedRunsTheFailedTasksOfAFinishedRun() throws Exception {
        write("wf.yaml", MARKER_WORKFLOW);
        assertThat(mpflow("run", "wf.yaml", "--store", "runs.db").exitCode()).isEqualTo(1);
        Cli.Result stillFailing = mpflow("run", "wf.yaml", "--store", "runs.db", "--retry-failed");
        assertThat(stillFailing.exitCode()).as(stillFailing.stderr()).isEqualTo(1);
        assertThat(json(stillFailing.stdout())).extracting(n -> n.get("task").asText()).containsExactly("b");

        Files.writeString(dir.resolve("marker"), "");
        Cli.Result r = mpflow("run", "--retry-failed", "latest", "--store", "runs.db", "wf.yaml");

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(json(r.stdout())).extracting(n -> n.get("task").asText()).containsExactly("b");
        assertThat(executions()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 1L, "b", 3L, "c", 1L));
        String runId = runs().get(0).runId();
        assertThat(runs()).hasSize(1);
        assertThat(results(runId)).hasSize(3).allSatisfy(x -> assertThat(x.succeeded()).isTrue());
    }

    @Test
    void retryFailedRunsOnlyWhatFailedTimedOutOrCrashedAndSkipsInputsAddedSince() throws Exception {
        // b fails and s times out until the marker exists; k kills its own shell the first time.
        write("inputs.txt", "a\nb\nc\ns\nk\n");
        write("flaky.yaml", """
                name: flaky
                maxWorkers: 2
                retries: 0
                timeout: 1s
                agents:
                  - name: work
                    command: sh -c 'echo $0 >> count.txt; case $0 in b) [ -f marker ] || exit 3;; s) [ -f marker ] || sleep 30;; k) [ -f marker ] || kill -9 $PPID;; esac; echo "ok $0"' {}
                tasks:
                  - inputs: inputs.txt
                """);
        Cli.Result first = mpflow("run", "flaky.yaml", "--store", "runs.db");
        assertThat(first.exitCode()).as(first.stderr()).isEqualTo(1);
        String runId = runs().get(0).runId();
        assertThat(results(runId)).extracting(StoredResult::input, StoredResult::status).containsExactlyInAnyOrder(
                tuple("a", TaskStatus.SUCCEEDED), tuple("b", TaskStatus.FAILED), tuple("c", TaskStatus.SUCCEEDED),
                tuple("s", TaskStatus.TIMED_OUT), tuple("k", TaskStatus.CRASHED));

        Files.writeString(dir.resolve("marker"), "");
        Files.writeString(dir.resolve("inputs.txt"), "d\ne\n", StandardOpenOption.APPEND);
        Cli.Result retried = mpflow("run", "flaky.yaml", "--store", "runs.db", "--retry-failed");

        assertThat(retried.exitCode()).as(retried.stderr()).isZero();
        assertThat(json(retried.stdout())).extracting(n -> n.get("input").asText(), n -> n.get("status").asText())
                .containsExactlyInAnyOrder(tuple("b", "succeeded"), tuple("s", "succeeded"), tuple("k", "succeeded"));
        assertThat(retried.stderrLines()).singleElement().asString().matches("mpflow: 3 succeeded, 0 failed, "
                + "2 skipped \\(done earlier\\), 2 skipped \\(not in the run\\), 0" + SUMMARY_TIME)
                .contains("run " + runId + " ");
        // The new inputs d and e never ran, and the run still holds its own five tasks.
        assertThat(executions()).containsExactlyInAnyOrderEntriesOf(
                Map.of("a", 1L, "b", 2L, "c", 1L, "s", 2L, "k", 2L));
        assertThat(results(runId)).hasSize(5).allSatisfy(r -> assertThat(r.succeeded()).isTrue());
        assertThat(runs()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(StoredRun.Status.FINISHED);
            assertThat(r.succeeded()).isEqualTo(5);
            // The inputs added since are not tasks of the run, not even pending ones.
            assertThat(List.of(r.tasks(), r.succeeded(), r.failed(), r.pending())).containsExactly(5L, 5L, 0L, 0L);
        });
    }

    @Test
    void resumeAfterCtrlCRunsOnlyTheUnfinishedTasks() throws Exception {
        // q1..q3 are quick; s1 and s2 sleep until resumed (the file resumed exists).
        write("wf.yaml", """
                name: sleeps
                maxWorkers: 5
                retries: 0
                grace: 0s
                agents:
                  - name: work
                    command: sh -c 'echo $0 >> count.txt; case $0 in s*) [ -f resumed ] || sleep 30;; esac; echo "done $0"' {}
                tasks:
                  - name: q1
                    input: q1
                  - name: q2
                    input: q2
                  - name: q3
                    input: q3
                  - name: s1
                    input: s1
                  - name: s2
                    input: s2
                """);
        try (Cli.Running running = Cli.Running.start(Cli.interruptible(dir, "run", "wf.yaml", "--store",
                "runs.db"))) {
            running.until("the quick tasks are done and the slow ones started", Duration.ofSeconds(60),
                    () -> running.stdout().lines().count() == 3 && Files.exists(dir.resolve("count.txt"))
                            && Files.readAllLines(dir.resolve("count.txt")).size() == 5);
            running.signal("INT");
            Cli.Result interrupted = running.await(Duration.ofSeconds(30));
            assertThat(interrupted.exitCode()).as(interrupted.stderr()).isEqualTo(130);
        }
        StoredRun halted = runs().get(0);
        assertThat(halted.status()).isEqualTo(StoredRun.Status.HALTED);
        assertUsageError(mpflow("run", "wf.yaml", "--store", "runs.db", "--retry-failed"),
                "mpflow: --retry-failed: run " + halted.runId() + " did not finish (halted); continue it with "
                        + "--resume " + halted.runId());

        Files.writeString(dir.resolve("resumed"), "");
        Cli.Result resumed = mpflow("run", "--resume", "wf.yaml", "--store", "runs.db");

        assertThat(resumed.exitCode()).as(resumed.stderr()).isZero();
        assertThat(json(resumed.stdout())).extracting(n -> n.get("task").asText())
                .containsExactlyInAnyOrder("s1", "s2");
        assertThat(resumed.stderrLines()).singleElement().asString()
                .matches("mpflow: 2 succeeded, 0 failed, 3 skipped \\(done earlier\\), 0" + SUMMARY_TIME);
        assertThat(executions()).containsExactlyInAnyOrderEntriesOf(
                Map.of("q1", 1L, "q2", 1L, "q3", 1L, "s1", 2L, "s2", 2L));
        assertThat(runs()).singleElement().extracting(StoredRun::status).isEqualTo(StoredRun.Status.FINISHED);
        assertThat(results(halted.runId())).hasSize(5).allSatisfy(x -> assertThat(x.succeeded()).isTrue());
    }

    @Test
    void theXargsModeResumesByCommandAndInputLine() throws Exception {
        write("inputs.txt", "a\nb\nc\n");
        String script = "echo $0 >> count.txt; if [ $0 = b ] && [ ! -f marker ]; then exit 3; fi; echo \"ok $0\"";
        Cli.Result first = mpflow("run", "-j", "1", "--retries", "0", "--halt", "now,fail=1", "--store", "runs.db",
                "--inputs", "inputs.txt", "--", "sh", "-c", script, "{}");
        assertThat(first.exitCode()).as(first.stderr()).isEqualTo(1);
        assertThat(runs().get(0).status()).isEqualTo(StoredRun.Status.HALTED);
        // Another command is another workflow: nothing of it to resume.
        assertUsageError(mpflow("run", "--resume", "--store", "runs.db", "--inputs", "inputs.txt", "--", "sh", "-c",
                "echo $0", "{}"), "mpflow: --resume: no unfinished run of workflow 'sh -c echo $0 {}' in runs.db");

        Files.writeString(dir.resolve("marker"), "");
        Cli.Result resumed = mpflow("run", "-j", "1", "--resume", "--store", "runs.db", "--inputs", "inputs.txt",
                "--", "sh", "-c", script, "{}");

        assertThat(resumed.exitCode()).as(resumed.stderr()).isZero();
        assertThat(json(resumed.stdout())).extracting(n -> n.get("input").asText()).containsExactly("b", "c");
        assertThat(executions()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 1L, "b", 2L, "c", 1L));
        assertThat(runs()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(StoredRun.Status.FINISHED);
            assertThat(results(r.runId())).hasSize(3).allSatisfy(x -> assertThat(x.succeeded()).isTrue());
        });
    }

    @Test
    void aRepeatedInputIsATaskOfItsOwnAndResumesByOccurrence() throws Exception {
        Cli.Result plain = Cli.run(dir, "a\na\nb\n", "run", "--store", "plain.db", "--", "echo", "{}");
        assertThat(plain.exitCode()).as(plain.stderr()).isZero();
        assertThat(json(plain.stdout())).extracting(n -> n.get("input").asText())
                .containsExactlyInAnyOrder("a", "a", "b");
        try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve("plain.db"))) {
            StoredRun run = history.runs().get(0);
            assertThat(run.succeeded()).isEqualTo(3);
            List<StoredResult> stored = history.results(run.runId());
            assertThat(stored).extracting(StoredResult::input).containsExactlyInAnyOrder("a", "a", "b");
            assertThat(stored).extracting(StoredResult::taskKey).doesNotHaveDuplicates();
            // Each attempt belongs to its own occurrence.
            assertThat(history.attempts(run.runId())).hasSize(3).extracting(a -> a.taskKey().orElseThrow())
                    .containsExactlyInAnyOrderElementsOf(stored.stream().map(StoredResult::taskKey).toList());
        }
        assertThat(mpflow("runs", "--store", "plain.db").stdoutLines().get(1)).matches(".* finished +3 +3 +0 +0");

        // The first run of each input succeeds, a later one fails until the marker exists: with one worker, the
        // second a fails.
        write("inputs.txt", "a\na\nb\n");
        String script = "n=$(cat n-$0 2>/dev/null || echo 0); n=$((n + 1)); echo $n > n-$0; echo $0 >> count.txt; "
                + "if [ $n -gt 1 ] && [ ! -f marker ]; then exit 3; fi; echo \"$0 run $n\"";
        Cli.Result first = mpflow("run", "-j", "1", "--retries", "0", "--store", "runs.db", "--inputs", "inputs.txt",
                "--", "sh", "-c", script, "{}");
        assertThat(first.exitCode()).as(first.stderr()).isEqualTo(1);
        assertThat(first.stderrLines()).anySatisfy(l -> assertThat(l).startsWith("mpflow: 2 succeeded, 1 failed, "));
        String runId = runs().get(0).runId();
        assertThat(results(runId)).extracting(StoredResult::input, StoredResult::status).containsExactlyInAnyOrder(
                tuple("a", TaskStatus.SUCCEEDED), tuple("a", TaskStatus.FAILED), tuple("b", TaskStatus.SUCCEEDED));
        // Each occurrence is a task of the run of its own: three tasks, one of them failed.
        assertThat(runs()).singleElement().satisfies(r -> assertThat(List.of(r.tasks(), r.succeeded(), r.failed(),
                r.pending())).containsExactly(3L, 2L, 1L, 0L));

        Files.writeString(dir.resolve("marker"), "");
        Cli.Result resumed = mpflow("run", "-j", "1", "--resume", runId, "--store", "runs.db", "--inputs",
                "inputs.txt", "--", "sh", "-c", script, "{}");

        assertThat(resumed.exitCode()).as(resumed.stderr()).isZero();
        // Only the second a ran again: the first a and b were done.
        assertThat(json(resumed.stdout())).extracting(n -> n.get("result").asText()).containsExactly("a run 3");
        assertThat(resumed.stderrLines()).singleElement().asString()
                .matches("mpflow: 1 succeeded, 0 failed, 2 skipped \\(done earlier\\), 0" + SUMMARY_TIME);
        assertThat(executions()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 3L, "b", 1L));
        assertThat(results(runId)).hasSize(3).allSatisfy(r -> assertThat(r.succeeded()).isTrue());
        assertThat(runs()).singleElement().satisfies(r -> assertThat(List.of(r.tasks(), r.succeeded(), r.failed(),
                r.pending())).containsExactly(3L, 3L, 0L, 0L));
    }

    @Test
    void tasksRepeatedByInputsFilesOfAWorkflowAreTasksOfTheirOwn() throws Exception {
        write("i1.txt", "p\nq\n");
        write("wf.yaml", """
                name: repeats
                agents:
                  - name: say
                    command: echo {}
                tasks:
                  - name: p
                    input: p
                  - inputs: i1.txt
                  - inputs: i1.txt
                """);
        Cli.Result r = mpflow("run", "wf.yaml", "--store", "runs.db");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(json(r.stdout())).extracting(n -> n.get("task").asText())
                .containsExactlyInAnyOrder("p", "p", "p", "q", "q");
        assertThat(results(runs().get(0).runId())).extracting(StoredResult::task)
                .containsExactlyInAnyOrder("p", "p", "p", "q", "q");
        assertThat(runs().get(0).succeeded()).isEqualTo(5);
        // A name written twice is still a mistake.
        write("twice.yaml", "agents:\n  - name: say\n    command: echo {}\ntasks:\n  - name: p\n  - name: p\n");
        assertUsageError(mpflow("run", "twice.yaml", "--store", "runs.db"),
                "mpflow: twice.yaml:6: tasks[1].name: duplicate task name 'p' (first at line 5)");
    }

    @Test
    void runsShowExportAndGcReadRealRuns() throws Exception {
        write("wf.yaml", """
                name: history
                maxWorkers: 2
                retries: 0
                agents:
                  - name: say
                    command: sh -c 'if [ "$0" = bad ]; then echo oops >&2; exit 4; fi; echo "$0, \\"quoted\\""; echo note >&2' {}
                tasks:
                  - name: good
                    input: good
                  - name: bad
                    input: bad
                """);
        Cli.Result older = mpflow("run", "wf.yaml", "--store", "runs.db");
        assertThat(older.exitCode()).as(older.stderr()).isEqualTo(1);
        Cli.Result run = mpflow("run", "wf.yaml", "--store", "runs.db");
        assertThat(run.exitCode()).as(run.stderr()).isEqualTo(1);
        List<StoredRun> stored = runs();
        assertThat(stored).hasSize(2);
        String newest = stored.get(0).runId();

        // runs: aligned columns, newest first.
        Cli.Result list = mpflow("runs", "--store", "runs.db");
        assertThat(list.exitCode()).as(list.stderr()).isZero();
        List<String> lines = list.stdoutLines();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).matches("RUN +WORKFLOW +STARTED +DURATION +STATUS +TASKS +SUCCEEDED +FAILED +PENDING");
        for (int i = 1; i < 3; i++) {
            assertThat(lines.get(i)).startsWith(stored.get(i - 1).runId() + " ")
                    .matches("\\S+ +history +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +\\d+\\.\\ds +finished +2 +1 +1 +0");
            assertThat(lines.get(i).indexOf("finished")).isEqualTo(lines.get(0).indexOf("STATUS"));
            assertThat(lines.get(i)).hasSameSizeAs(lines.get(0));
        }
        assertThat(mpflow("runs", "--store", "runs.db", "--limit", "1").stdoutLines()).hasSize(2);
        List<JsonNode> runsJson = json(mpflow("runs", "--store", "runs.db", "--output", "jsonl").stdout());
        assertThat(runsJson).extracting(n -> n.get("runId").asText(), n -> n.get("status").asText(),
                n -> n.get("succeeded").asInt(), n -> n.get("failed").asInt()).containsExactly(
                tuple(newest, "finished", 1, 1), tuple(stored.get(1).runId(), "finished", 1, 1));

        // show RUN: the header and one line per task.
        Cli.Result show = mpflow("show", "latest", "--store", "runs.db");
        assertThat(show.exitCode()).as(show.stderr()).isZero();
        assertThat(show.stdoutLines()).contains("run       " + newest, "workflow  history", "status    finished",
                "tasks     2: 1 succeeded, 1 failed, 0 pending, 0 retried", "agents    say");
        assertThat(show.stdoutLines()).anySatisfy(l -> assertThat(l).matches(
                "succeeded +1 +\\d+\\.\\ds +good \\[say\\] +good, \"quoted\""));
        assertThat(show.stdoutLines()).anySatisfy(l -> assertThat(l).matches(
                "failed +1 +\\d+\\.\\ds +bad \\[say\\] +dev\\.mpflow\\.CommandFailedException: .*code 4.*"));
        // show RUN TASK: every attempt and the captured output.
        Cli.Result task = mpflow("show", newest, "good", "--store", "runs.db");
        assertThat(task.exitCode()).as(task.stderr()).isZero();
        assertThat(task.stdoutLines()).contains("task      good", "agent     say", "status    succeeded",
                "result    good, \"quoted\"", "stderr:", "  note");
        // A command's stdout is its result, shown once as such, not again as captured output.
        assertThat(task.stdoutLines()).doesNotContain("stdout:");
        assertThat(task.stdoutLines()).anySatisfy(l -> assertThat(l).matches(
                " +1 +\\d+ +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +\\S+ \\S+ +\\d+\\.\\ds +succeeded"));

        // export: the fields of run --output jsonl, in JSON lines and in CSV.
        Cli.Result jsonl = mpflow("export", "latest", "--store", "runs.db");
        assertThat(jsonl.exitCode()).as(jsonl.stderr()).isZero();
        List<JsonNode> exported = json(jsonl.stdout());
        List<JsonNode> printed = json(run.stdout());
        assertThat(exported).hasSize(2);
        for (JsonNode e : exported) {
            JsonNode p = printed.stream().filter(n -> n.get("task").equals(e.get("task"))).findFirst().orElseThrow();
            assertThat(fieldNames(e)).containsExactlyElementsOf(fieldNames(p));
            assertThat(e).isEqualTo(p);
        }
        Cli.Result csv = mpflow("export", newest, "--format", "csv", "--store", "runs.db");
        assertThat(csv.exitCode()).as(csv.stderr()).isZero();
        List<List<String>> records = parseCsv(csv.stdout());
        assertThat(records).hasSize(3);
        assertThat(records.get(0)).containsExactly("task", "agent", "input", "status", "result", "resultEncoding",
                "attempts", "error", "errorType", "durationMs", "workerPid", "startedAt", "endedAt", "stdout");
        for (List<String> rec : records.subList(1, 3)) {
            JsonNode p = printed.stream().filter(n -> n.get("task").asText().equals(rec.get(0))).findFirst()
                    .orElseThrow();
            List<String> expected = new ArrayList<>();
            fieldNames(p).forEach(f -> expected.add(p.get(f).isNull() ? "" : p.get(f).asText()));
            assertThat(rec).containsExactlyElementsOf(expected);
        }

        // gc: the newest run stays.
        Cli.Result gc = mpflow("gc", "--keep", "1", "--store", "runs.db");
        assertThat(gc.exitCode()).as(gc.stderr()).isZero();
        assertThat(gc.stdoutLines()).singleElement().asString()
                .matches("removed 1 run, kept the newest 1; (freed \\S+ \\S+, the store is now|nothing to free, the "
                        + "store is) \\d+ KiB");
        assertThat(runs()).extracting(StoredRun::runId).containsExactly(newest);
        assertThat(mpflow("gc", "--keep", "1", "--store", "runs.db").stdoutLines()).singleElement().asString()
                .matches("removed 0 runs, kept the newest 1; nothing to free, the store is .*");
    }

    @Test
    void gcGivesTheSpaceOfTheRunsItRemovesBack() throws IOException {
        // Each task of the first run keeps 256 KiB of what it printed to stderr, with its attempt and its result.
        write("inputs.txt", "1\n2\n3\n4\n5\n6\n7\n8\n");
        Cli.Result big = mpflow("run", "-j", "2", "--store", "runs.db", "--inputs", "inputs.txt", "--", "sh", "-c",
                "head -c 262144 /dev/zero | tr '\\0' x >&2; echo $0", "{}");
        assertThat(big.exitCode()).as(big.stderr()).isZero();
        Cli.Result small = mpflow("run", "--store", "runs.db", "--inputs", "inputs.txt", "--", "echo");
        assertThat(small.exitCode()).as(small.stderr()).isZero();
        Path db = dir.resolve("runs.db");
        long before = Files.size(db);
        assertThat(before).isGreaterThan(2_000_000);

        Cli.Result gc = mpflow("gc", "--keep", "1", "--store", "runs.db");

        assertThat(gc.exitCode()).as(gc.stderr()).isZero();
        assertThat(gc.stdoutLines()).singleElement().asString()
                .matches("removed 1 run, kept the newest 1; freed \\d+\\.\\d MiB, the store is now \\d+ KiB");
        // The file itself is smaller, and no write-ahead log holds the space instead.
        assertThat(Files.size(db)).isLessThan(before - 2_000_000);
        Path wal = dir.resolve("runs.db-wal");
        assertThat(!Files.exists(wal) || Files.size(wal) == 0).as("empty or no WAL").isTrue();
        assertThat(runs()).hasSize(1);
        assertThat(results(runs().get(0).runId())).hasSize(8);
    }

    @Test
    void aRunKilledHalfWayCountsWhatItDidNotFinishAsPendingAndItsResumeRunsThatAlone() throws Exception {
        StringBuilder inputs = new StringBuilder();
        for (int i = 1; i <= 300; i++) {
            inputs.append(i).append('\n');
        }
        write("inputs.txt", inputs.toString());
        // The first 57 are quick; the others sleep until the file resumed exists, so the kill finds them unfinished.
        write("wf.yaml", """
                name: many
                maxWorkers: 2
                retries: 0
                agents:
                  - name: work
                    command: sh -c 'echo $0 >> count.txt; if [ "$0" -gt 57 ] && [ ! -f resumed ]; then sleep 60; fi; echo "done $0"' {}
                tasks:
                  - inputs: inputs.txt
                """);
        try (Cli.Running running = Cli.Running.start(Cli.builder(dir, "run", "wf.yaml", "--store", "runs.db"))) {
            running.until("57 successes are committed", Duration.ofSeconds(90), () -> committedSuccesses() == 57);
            running.process.destroyForcibly().waitFor();
        }

        StoredRun killed = runs().get(0);
        assertThat(killed.status()).isEqualTo(StoredRun.Status.RUNNING);
        assertThat(List.of(killed.tasks(), killed.succeeded(), killed.failed(), killed.pending()))
                .containsExactly(300L, 57L, 0L, 243L);
        Cli.Result list = mpflow("runs", "--store", "runs.db");
        assertThat(list.exitCode()).as(list.stderr()).isZero();
        assertThat(list.stdoutLines().get(1)).startsWith(killed.runId() + " ").matches(".* running +300 +57 +0 +243");
        JsonNode runJson = json(mpflow("runs", "--store", "runs.db", "--output", "jsonl").stdout()).get(0);
        assertThat(List.of(runJson.get("tasks").asLong(), runJson.get("succeeded").asLong(),
                runJson.get("failed").asLong(), runJson.get("pending").asLong())).containsExactly(300L, 57L, 0L, 243L);

        // show: the tasks it submitted and never finished are listed as pending; the rest it never read, by count.
        Cli.Result show = mpflow("show", "latest", "--store", "runs.db");
        assertThat(show.exitCode()).as(show.stderr()).isZero();
        assertThat(show.stdoutLines()).contains("tasks     300: 57 succeeded, 0 failed, 243 pending, 0 retried");
        long listedPending = show.stdoutLines().stream().filter(l -> l.matches("pending +- +- +\\d+ \\[work\\]"))
                .count();
        assertThat(listedPending).isBetween(2L, 243L);
        if (listedPending < 243) {
            assertThat(show.stdoutLines()).contains("and " + (243 - listedPending)
                    + " more pending tasks, not yet read from the inputs");
        }
        Cli.Result running = mpflow("show", "latest", "58", "--store", "runs.db");
        assertThat(running.exitCode()).as(running.stderr()).isZero();
        assertThat(running.stdoutLines()).contains("task      58", "agent     work", "input     58",
                "status    pending (not started, or its run stopped before it ended)", "priority  0");

        Files.writeString(dir.resolve("resumed"), "");
        Cli.Result resumed = mpflow("run", "wf.yaml", "--resume", "--store", "runs.db");
        assertThat(resumed.exitCode()).as(resumed.stderr()).isZero();
        assertThat(resumed.stdoutLines()).hasSize(243);
        assertThat(executions().entrySet()).filteredOn(e -> Integer.parseInt(e.getKey()) <= 57)
                .allSatisfy(e -> assertThat(e.getValue()).isEqualTo(1L));
        StoredRun done = runs().get(0);
        assertThat(done.status()).isEqualTo(StoredRun.Status.FINISHED);
        assertThat(List.of(done.tasks(), done.succeeded(), done.failed(), done.pending()))
                .containsExactly(300L, 300L, 0L, 0L);
        assertThat(mpflow("runs", "--store", "runs.db").stdoutLines().get(1)).matches(".* finished +300 +300 +0 +0");
    }

    /** The successes committed so far in the latest run of runs.db; 0 before the file has one. */
    private long committedSuccesses() {
        if (!Files.exists(dir.resolve("runs.db"))) {
            return 0;
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve("runs.db"))) {
            return history.run(SqliteRunHistory.LATEST).map(StoredRun::succeeded).orElse(0L);
        } catch (RuntimeException e) {
            // The store is being created: its schema is not there yet.
            return 0;
        }
    }

    @Test
    void outputThatIsNotUtf8IsKeptWholeInEveryView() throws Exception {
        // x prints two bytes that are not UTF-8, then abc; y prints text.
        String script = "if [ \"$0\" = x ]; then printf '\\377\\376abc\\n'; else echo \"text $0\"; fi";
        Cli.Result run = Cli.run(dir, "x\ny\n", "run", "-j", "1", "--store", "runs.db", "--", "sh", "-c", script,
                "{}");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        String base64 = "//5hYmM="; // ff fe 61 62 63
        Map<String, JsonNode> printed = json(run.stdout()).stream()
                .collect(Collectors.toMap(n -> n.get("input").asText(), n -> n));
        assertThat(printed.get("x").get("result").asText()).isEqualTo(base64);
        assertThat(printed.get("x").get("resultEncoding").asText()).isEqualTo("base64");
        assertThat(printed.get("y").get("result").asText()).isEqualTo("text y");
        assertThat(printed.get("y").get("resultEncoding").isNull()).isTrue();
        assertThat(fieldNames(printed.get("x"))).containsExactlyElementsOf(fieldNames(printed.get("y")));

        // The store keeps the base64 with a type that says so.
        String runId = runs().get(0).runId();
        StoredResult x = results(runId).stream().filter(r -> r.input().equals("x")).findFirst().orElseThrow();
        assertThat(x.valueText()).hasValue(base64);
        assertThat(x.valueType()).hasValue(StoredResult.BASE64_BYTES);
        assertThat(x.valueBytes()).hasValueSatisfying(b -> assertThat(b).containsExactly(0xff, 0xfe, 'a', 'b', 'c'));

        // export writes what the run printed, in JSON lines and in CSV.
        List<JsonNode> exported = json(mpflow("export", "latest", "--store", "runs.db").stdout());
        assertThat(exported).hasSize(2);
        for (JsonNode e : exported) {
            JsonNode p = printed.get(e.get("input").asText());
            assertThat(fieldNames(e)).containsExactlyElementsOf(fieldNames(p));
            assertThat(e).isEqualTo(p);
        }
        List<List<String>> csv = parseCsv(mpflow("export", "latest", "--format", "csv", "--store", "runs.db")
                .stdout());
        int result = csv.get(0).indexOf("result");
        assertThat(csv.get(0).get(result + 1)).isEqualTo("resultEncoding");
        assertThat(csv.subList(1, 3)).extracting(rec -> rec.get(2), rec -> rec.get(result), rec -> rec.get(result + 1))
                .containsExactlyInAnyOrder(tuple("x", base64, "base64"), tuple("y", "text y", ""));

        // People see the text, each invalid byte replaced, and a note.
        String shown = "\uFFFD\uFFFDabc (5 bytes, not UTF-8)";
        assertThat(mpflow("show", "latest", "--store", "runs.db").stdoutLines())
                .anySatisfy(l -> assertThat(l)
                        .matches("succeeded +1 +\\d+\\.\\ds +x \\[sh\\] +" + Pattern.quote(shown)));
        assertThat(mpflow("show", "latest", "x", "--store", "runs.db").stdoutLines()).contains("result    " + shown);
        Cli.Result table = Cli.run(dir, "x\n", "run", "--no-autosave", "--output", "table", "--", "sh", "-c", script,
                "{}");
        assertThat(table.exitCode()).as(table.stderr()).isZero();
        assertThat(table.stdoutLines()).anySatisfy(l -> assertThat(l).startsWith("x ").endsWith("  " + shown));
        assertThat(table.stdout() + run.stdout()).doesNotContain("[B@");
    }

    @Test
    void mistakesAreOneLineAndExitCode2() throws Exception {
        write("wf.yaml", MARKER_WORKFLOW);
        Files.writeString(dir.resolve("marker"), "");
        for (String command : List.of("runs", "show latest", "export latest", "gc --keep 1")) {
            List<String> args = new ArrayList<>(List.of(command.split(" ")));
            args.addAll(List.of("--store", "none.db"));
            assertUsageError(mpflow(args.toArray(String[]::new)),
                    "mpflow: no store none.db (no run was saved there; see --store)");
        }
        assertUsageError(mpflow("run", "wf.yaml", "--store", "runs.db", "--resume"),
                "mpflow: --resume: no store runs.db (no run was saved there)");
        assertUsageError(mpflow("run", "wf.yaml", "--resume", "--no-autosave"),
                "mpflow: --resume: needs autosave, as the store holds what the run has done (drop --no-autosave, "
                        + "or autosave: false in the workflow file)");
        assertUsageError(mpflow("run", "wf.yaml", "--resume", "--retry-failed"),
                "mpflow: --resume and --retry-failed: use one or the other");
        assertUsageError(mpflow("run", "wf.yaml", "--force"), "mpflow: --force: only with --resume or --retry-failed");

        assertThat(mpflow("run", "wf.yaml", "--store", "runs.db").exitCode()).isZero();
        String runId = runs().get(0).runId();
        Path store = dir.resolve("runs.db").toAbsolutePath();
        assertUsageError(mpflow("run", "wf.yaml", "--store", "runs.db", "--resume", "nope"),
                "mpflow: --resume: no run 'nope' in runs.db");
        assertUsageError(mpflow("show", "nope", "--store", "runs.db"), "mpflow: no run 'nope' in " + store);
        assertUsageError(mpflow("export", "nope", "--store", "runs.db"), "mpflow: no run 'nope' in " + store);
        assertUsageError(mpflow("show", "latest", "zzz", "--store", "runs.db"),
                "mpflow: no task 'zzz' in run " + runId);
        assertUsageError(mpflow("gc", "--store", "runs.db"),
                "mpflow: Missing required option: '--keep=N' (see 'mpflow gc --help')");
        assertUsageError(mpflow("gc", "--keep", "-1", "--store", "runs.db"),
                "mpflow: --keep: out of range: must be from 0 to 2147483647, was -1");
        // Digits of other scripts are refused before anything is deleted.
        assertUsageError(mpflow("gc", "--keep", "\u0663", "--store", "runs.db"), "mpflow: --keep: must be a whole "
                + "number from 0 to 2147483647, written with the digits 0 to 9, was \"\u0663\"");
        assertUsageError(mpflow("gc", "--keep", "99999999999", "--store", "runs.db"),
                "mpflow: --keep: out of range: must be from 0 to 2147483647, was 99999999999");
        assertUsageError(mpflow("runs", "--limit", "\uff15", "--store", "runs.db"), "mpflow: --limit: must be a "
                + "whole number from 1 to 2147483647, written with the digits 0 to 9, was \"\uff15\"");
        assertThat(runs()).hasSize(1);
        assertThat(mpflow("export", "latest", "--format", "xml", "--store", "runs.db").exitCode()).isEqualTo(2);
        Cli.Result help = mpflow("--help");
        assertThat(help.stdout()).contains("mpflow runs", "mpflow show latest", "mpflow export latest",
                "mpflow gc --keep 10", "--resume");
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; records end in CRLF. */
    private static List<List<String>> parseCsv(String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
            } else if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                record.add(field.toString());
                field.setLength(0);
                records.add(record);
                record = new ArrayList<>();
                i++;
            } else {
                field.append(c);
            }
        }
        assertThat(field).isEmpty();
        assertThat(record).isEmpty();
        return records;
    }
}

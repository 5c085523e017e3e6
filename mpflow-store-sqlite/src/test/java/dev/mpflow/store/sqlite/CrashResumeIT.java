package dev.mpflow.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.mpflow.TaskStatus;
import dev.mpflow.testing.NoProcessLeftBehind;
import dev.mpflow.testing.ProcessTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof of "autosave you can trust": a run of {@value CrashResumeChild#TASKS} tasks is killed with SIGKILL at
 * seeded random points and resumed each time until it completes. At the end every task has exactly one committed
 * success with the right value, and no task whose success was committed before a kill ran again after it (the tasks
 * themselves count their executions in a side file).
 *
 * <p>The seed is {@value #DEFAULT_SEED} unless the system property {@code mpflow.crash.seed} gives another.
 */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(120)
class CrashResumeIT {
    private static final long DEFAULT_SEED = 20250301L;
    private static final int KILLS = 4;
    private static final Duration BUDGET = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** What was committed when a kill's processes were all gone, and how many executions the side file had then. */
    private record Kill(int number, Set<String> committed, int executionsBefore) {
    }

    @Test
    void aRunKilledAtRandomPointsAndResumedEachTimeRecordsEveryTaskOnceAndRedoesNothingCommitted() throws Exception {
        long seed = Long.getLong("mpflow.crash.seed", DEFAULT_SEED);
        Random random = new Random(seed);
        Path db = dir.resolve("runs.db");
        Path side = dir.resolve("executions.txt");
        // Every process of this test carries it, workers included: found by it even once orphaned.
        String marker = "-Dmpflow.crashtest=" + UUID.randomUUID();
        long deadline = System.nanoTime() + BUDGET.toNanos();
        String about = "seed " + seed + ", logs in " + dir;

        String runId = null;
        List<Kill> kills = new ArrayList<>();
        try {
            for (int k = 1; k <= KILLS; k++) {
                int committedBefore = runId == null ? 0 : committedSuccesses(db, runId).size();
                Process child = start(db, side, marker, runId, k);
                try {
                    runId = awaitRunId(child, k, runId, deadline, about);
                    String id = runId;
                    // Once this process has committed results of its own, kill it 300 to 1500 ms later.
                    awaitOrFail("results committed by process " + k, deadline, about,
                            () -> !child.isAlive() || committedSuccesses(db, id).size() > committedBefore);
                    Thread.sleep(300 + random.nextInt(1_201));
                    if (!child.isAlive()) {
                        fail("process " + k + " ended before its kill (exit " + child.exitValue() + "): the run is "
                                + "too short for " + KILLS + " kills; " + about + "\n" + log(k));
                    }
                    ProcessTree.sigkill(child.pid());
                    assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
                    // Workers end by themselves when their coordinator's channel closes; wait for every one.
                    awaitOrFail("the workers of process " + k + " to end", deadline, about,
                            () -> processesWith(marker).isEmpty());
                    kills.add(new Kill(k, committedSuccesses(db, runId).keySet(), executions(side).size()));
                } finally {
                    killAll(child, marker);
                }
            }

            Process last = start(db, side, marker, runId, KILLS + 1);
            try {
                long left = Math.max(1, deadline - System.nanoTime());
                if (!last.waitFor(left, TimeUnit.NANOSECONDS)) {
                    fail("the last resume did not complete within " + BUDGET.toSeconds() + " s overall; " + about
                            + "\n" + log(KILLS + 1));
                }
                assertThat(last.exitValue()).as("exit of the last resume; %s%n%s", about, log(KILLS + 1)).isZero();
                assertThat(log(KILLS + 1)).contains("run " + runId, "done 0").doesNotContain(" ERROR ");
            } finally {
                killAll(last, marker);
            }
        } finally {
            ProcessTree.killAll(processesWith(marker));
        }

        // Every task: exactly one final result, a success, with its value.
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < CrashResumeChild.TASKS; i++) {
            values.put(CrashResumeChild.name(i), CrashResumeChild.value(i));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            List<StoredResult> results = history.results(runId);
            assertThat(results).as(about).hasSize(CrashResumeChild.TASKS);
            assertThat(results).extracting(StoredResult::task).as(about).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(values.keySet());
            assertThat(results).as(about).allSatisfy(r -> {
                assertThat(r.status()).isEqualTo(TaskStatus.SUCCEEDED);
                assertThat(r.valueText()).contains(values.get(r.task()));
            });
            StoredRun run = history.run(runId).orElseThrow();
            assertThat(history.runs()).as(about).hasSize(1);
            assertThat(run.status()).as(about).isEqualTo(StoredRun.Status.FINISHED);
            assertThat(run.succeeded()).as(about).isEqualTo(CrashResumeChild.TASKS);
            assertThat(run.skipped()).as(about).isEqualTo(kills.get(kills.size() - 1).committed().size());
        }

        // Each task ran at least once; none committed before a kill ran after it.
        List<String> executions = executions(side);
        System.out.printf("crash test (%s): committed at the %d kills: %s; %d executions of %d tasks in %d s%n",
                about, kills.size(), kills.stream().map(k -> Integer.toString(k.committed().size())).toList(),
                executions.size(), CrashResumeChild.TASKS,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - deadline + BUDGET.toNanos()));
        assertThat(new HashSet<>(executions)).as(about).containsExactlyInAnyOrderElementsOf(values.keySet());
        assertThat(kills).hasSize(KILLS);
        for (Kill kill : kills) {
            assertThat(kill.committed()).as("kill %d; %s", kill.number(), about).isNotEmpty();
            Set<String> ranBefore = new HashSet<>(executions.subList(0, kill.executionsBefore()));
            assertThat(ranBefore).as("kill %d: committed tasks ran before it; %s", kill.number(), about)
                    .containsAll(kill.committed());
            Set<String> ranAgain = executions.subList(kill.executionsBefore(), executions.size()).stream()
                    .filter(kill.committed()::contains).collect(Collectors.toSet());
            assertThat(ranAgain).as("kill %d: tasks committed before it that ran again; %s", kill.number(), about)
                    .isEmpty();
        }
        // The kills made progress in between: later kills saw more committed.
        for (int i = 1; i < kills.size(); i++) {
            assertThat(kills.get(i).committed()).containsAll(kills.get(i - 1).committed());
        }
    }

    private Process start(Path db, Path side, String marker, String runId, int number) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), marker,
                "-cp", System.getProperty("java.class.path"), CrashResumeChild.class.getName(),
                db.toString(), side.toString(), marker));
        if (runId != null) {
            command.add(runId);
        }
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("process-" + number + ".log").toFile()).start();
    }

    /** The run id: printed by the first process; a resume must keep it. */
    private String awaitRunId(Process child, int number, String known, long deadline, String about)
            throws Exception {
        awaitOrFail("process " + number + " to build its workflow", deadline, about,
                () -> !child.isAlive() || log(number).lines().anyMatch(l -> l.startsWith("run ")));
        String printed = log(number).lines().filter(l -> l.startsWith("run ")).findFirst()
                .map(l -> l.substring(4)).orElseGet(() -> fail("process " + number + " ended before building its "
                        + "workflow; " + about + "\n" + log(number)));
        if (known != null) {
            assertThat(printed).as("the run id of resume %d", number).isEqualTo(known);
        }
        return printed;
    }

    /** The committed successes of the run, by task name with their value text, read as another process would. */
    private static Map<String, String> committedSuccesses(Path db, String runId) {
        if (!Files.exists(db)) {
            return Map.of();
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db)) {
            return history.results(runId).stream().filter(StoredResult::succeeded)
                    .collect(Collectors.toMap(StoredResult::task, r -> r.valueText().orElse("")));
        } catch (RuntimeException e) {
            // The first process may be creating the schema at this very moment.
            return Map.of();
        }
    }

    /** Every complete line of the side file, in order: one per execution of a task. */
    private static List<String> executions(Path side) throws IOException {
        if (!Files.exists(side)) {
            return List.of();
        }
        String text = Files.readString(side, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n"));
    }

    private String log(int number) {
        try {
            Path file = dir.resolve("process-" + number + ".log");
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private static List<ProcessHandle> processesWith(String marker) {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false)).toList();
    }

    /** Kills the child, what it started, and any process of this test that outlived it. */
    private static void killAll(Process child, String marker) {
        List<ProcessHandle> descendants = child.descendants().toList();
        child.destroyForcibly();
        ProcessTree.killAll(descendants);
        ProcessTree.killAll(processesWith(marker));
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitOrFail(String what, long deadline, String about, Condition condition)
            throws Exception {
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                fail("waited for " + what + " past the " + BUDGET.toSeconds() + " s budget; " + about);
            }
            Thread.sleep(20);
        }
    }
}

package dev.mpflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mpflow.store.sqlite.SqliteRunHistory;
import dev.mpflow.store.sqlite.StoredRun;
import dev.mpflow.testing.NoProcessLeftBehind;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run still going in one {@code mpflow} process is left alone by the others: {@code gc} keeps it and says so,
 * {@code run --resume} refuses it before running anything; a run whose process was killed is collected, and
 * resumed by one process only. End to end, with real processes on a real store.
 */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(180)
class LiveRunsIT {
    /** Logs its input, waits (task 3 and later of it, with gated) until the file go exists, and prints its input. */
    private static final String GATED = "echo $1 >> log; if [ \"$1\" -gt \"$0\" ]; then while [ ! -f go ]; do "
            + "sleep 0.05; done; fi; echo $1";
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** {@code run -j 1} of the inputs 1..{@code inputs}, whose tasks past {@code free} wait for the file go. */
    private ProcessBuilder gatedRun(int free, String... flags) throws IOException {
        Files.writeString(dir.resolve("in.txt"), "1\n2\n3\n4\n5\n6\n");
        List<String> args = new java.util.ArrayList<>(List.of("run", "-j", "1", "--store", "runs.db", "--inputs",
                "in.txt"));
        args.addAll(List.of(flags));
        args.addAll(List.of("--", "sh", "-c", GATED, Integer.toString(free)));
        return Cli.builder(dir, args.toArray(String[]::new));
    }

    private Cli.Result mpflow(String stdin, String... args) {
        return Cli.run(Cli.builder(dir, args), stdin, LIMIT);
    }

    private List<StoredRun> runs() {
        if (!Files.exists(dir.resolve("runs.db"))) {
            return List.of();
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve("runs.db"))) {
            return history.runs();
        } catch (RuntimeException e) {
            // The store is being created: its schema is not there yet.
            return List.of();
        }
    }

    /** How often each input ran, from the file log. */
    private Map<String, Long> executions() throws IOException {
        return Files.readAllLines(dir.resolve("log")).stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static String host() throws IOException {
        return InetAddress.getLocalHost().getHostName();
    }

    @Test
    void gcKeepsARunStillGoingInAnotherProcessAndCollectsOneWhoseProcessWasKilled() throws Exception {
        String liveId;
        try (Cli.Running live = Cli.Running.start(gatedRun(0))) {
            live.until("the run is recorded", LIMIT, () -> runs().size() == 1);
            liveId = runs().get(0).runId();
            Cli.Result newer = mpflow("a\n", "run", "-q", "--store", "runs.db", "--", "echo", "{}");
            assertThat(newer.exitCode()).as(newer.stderr()).isZero();

            Cli.Result gc = mpflow("", "gc", "--keep", "1", "--store", "runs.db");
            assertThat(gc.exitCode()).as(gc.stderr()).isZero();
            assertThat(gc.stderr()).isEmpty();
            assertThat(gc.stdoutLines()).hasSize(1);
            assertThat(gc.stdoutLines().get(0)).matches(Pattern.quote("removed 0 runs, kept the newest 1 and 1 still "
                    + "running (" + liveId + " in process " + live.pid() + " on host " + host() + "); space not "
                    + "given back while a run is going (gc again once none is), the store is ") + "\\d+ KiB");

            Files.writeString(dir.resolve("go"), "");
            Cli.Result r = live.await(LIMIT);
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.stdoutLines()).hasSize(6);
            assertThat(r.stderrLines()).hasSize(1);
            assertThat(r.stderrLines().get(0)).startsWith("mpflow: 6 succeeded, 0 failed, 0 retried in ");
        }
        StoredRun done = runs().stream().filter(run -> run.runId().equals(liveId)).findFirst().orElseThrow();
        assertThat(List.of(done.status(), done.tasks(), done.succeeded())).containsExactly(StoredRun.Status.FINISHED,
                6L, 6L);

        // Killed: its row says running forever, but no process holds it any more.
        Files.delete(dir.resolve("go"));
        try (Cli.Running killed = Cli.Running.start(gatedRun(0))) {
            killed.until("the run is recorded", LIMIT, () -> runs().size() == 3);
            killed.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(runs().get(0).status()).isEqualTo(StoredRun.Status.RUNNING);
        Cli.Result gc = mpflow("", "gc", "--keep", "0", "--store", "runs.db");
        assertThat(gc.exitCode()).as(gc.stderr()).isZero();
        assertThat(gc.stdoutLines()).hasSize(1);
        assertThat(gc.stdoutLines().get(0)).startsWith("removed 3 runs, kept the newest 0; ");
        assertThat(runs()).isEmpty();
    }

    @Test
    void resumingARunStillGoingInAnotherProcessIsRefusedAndRunsNothing() throws Exception {
        try (Cli.Running live = Cli.Running.start(gatedRun(2))) {
            live.until("two results are committed", LIMIT,
                    () -> runs().size() == 1 && runs().get(0).succeeded() == 2);
            String id = runs().get(0).runId();

            Cli.Result refused = Cli.run(gatedRun(2, "--resume"), "", LIMIT);
            assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(2);
            assertThat(refused.stderrLines()).containsExactly("mpflow: run " + id + " is still running in process "
                    + live.pid() + " on host " + host() + "; wait for it or stop it");
            assertThat(refused.stdout()).isEmpty();

            Files.writeString(dir.resolve("go"), "");
            Cli.Result r = live.await(LIMIT);
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.stdoutLines()).hasSize(6);
        }
        assertThat(executions()).isEqualTo(Map.of("1", 1L, "2", 1L, "3", 1L, "4", 1L, "5", 1L, "6", 1L));
        try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve("runs.db"))) {
            assertThat(history.runs()).hasSize(1);
            assertThat(history.attempts(history.runs().get(0).runId())).hasSize(6);
        }
    }

    @Test
    void twoResumesStartedAtOnceOnAKilledRunRunItsTasksOnce() throws Exception {
        try (Cli.Running first = Cli.Running.start(gatedRun(2))) {
            first.until("two results are committed and task 3 started", LIMIT, () -> runs().size() == 1
                    && runs().get(0).succeeded() == 2 && Files.readAllLines(dir.resolve("log")).size() == 3);
            first.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String id = runs().get(0).runId();

        try (Cli.Running a = Cli.Running.start(gatedRun(2, "--resume"));
                Cli.Running b = Cli.Running.start(gatedRun(2, "--resume"))) {
            // The winner waits at task 3 until go exists: the loser must have given up by then.
            Awaitility.await("one resume gives up; stderr: " + a.stderr() + " / " + b.stderr()).atMost(LIMIT)
                    .pollInterval(Duration.ofMillis(50)).until(() -> !a.process.isAlive() || !b.process.isAlive());
            Cli.Running loser = a.process.isAlive() ? b : a;
            Cli.Running winner = loser == a ? b : a;
            Cli.Result refused = loser.await(LIMIT);
            assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(2);
            assertThat(refused.stderrLines()).containsExactly("mpflow: run " + id + " is still running in process "
                    + winner.pid() + " on host " + host() + "; wait for it or stop it");
            assertThat(refused.stdout()).isEmpty();

            Files.writeString(dir.resolve("go"), "");
            Cli.Result won = winner.await(LIMIT);
            assertThat(won.exitCode()).as(won.stderr()).isZero();
            assertThat(won.stdoutLines()).hasSize(4);
        }
        // Task 3 ran when the first process was killed, and once more in the resume; every other task once.
        assertThat(executions()).isEqualTo(Map.of("1", 1L, "2", 1L, "3", 2L, "4", 1L, "5", 1L, "6", 1L));
        StoredRun done = runs().get(0);
        assertThat(List.of(done.status(), done.tasks(), done.succeeded())).containsExactly(StoredRun.Status.FINISHED,
                6L, 6L);
    }
}

package dev.mpflow.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mpflow.MultiProcessWorkflow;
import dev.mpflow.RunActiveException;
import dev.mpflow.testing.NoProcessLeftBehind;
import dev.mpflow.testing.ProcessTree;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run is live while the process running it holds its lock: other processes neither resume it nor delete it, and
 * the lock goes with the process, even when it is killed. Real processes ({@link LiveRunChild}) on real files.
 */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(120)
class LiveRunsIT {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private Path db() {
        return dir.resolve("runs.db");
    }

    private Process child(String runId) {
        try {
            return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    LiveRunChild.class.getName(), db().toString(), runId)
                    .redirectError(dir.resolve("child-" + System.nanoTime() + ".err").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The child's first line, within the time limit. */
    /**
     * The child's first line that says what it did ({@code claimed}, {@code refused PID}): log lines on the same
     * stream come before it sometimes (several JVMs unpacking the SQLite library at once warn about it).
     */
    private static String firstLine(Process child) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                String next;
                while ((next = out.readLine()) != null && !next.matches("claimed|refused .*")) {
                    // a log line
                }
                return next;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).get(LIMIT.toSeconds(), TimeUnit.SECONDS);
        return String.valueOf(line);
    }

    private static void stop(Process child) throws InterruptedException {
        ProcessTree.sigkill(child.pid());
        child.waitFor(10, TimeUnit.SECONDS);
    }

    private void awaitRecorded(String runId) {
        Awaitility.await("run " + runId + " recorded").atMost(LIMIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            try (SqliteRunHistory history = SqliteRunHistory.open(db())) {
                return history.run(runId).isPresent();
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    @Test
    void aRunHeldByAnotherProcessIsRefusedAndKeptByGcUntilThatProcessIsKilled() throws Exception {
        String host = InetAddress.getLocalHost().getHostName();
        try (SqliteResultStore store = SqliteResultStore.open(db())) {
            store.runStarted(Events.run("old", Events.T0));
        }
        Process child = child("live");
        try {
            assertThat(firstLine(child)).isEqualTo("claimed");
            awaitRecorded("live");
            try (SqliteResultStore store = SqliteResultStore.open(db())) {
                assertThatThrownBy(() -> store.claimRun("live"))
                        .isInstanceOf(RunActiveException.class)
                        .hasMessage("run live is still running in process " + child.pid() + " on host " + host
                                + "; wait for it or stop it");
            }
            // The Java API: refused in build(), before any worker starts, and nothing of it recorded.
            String refused = "run live is still running in process " + child.pid() + " on host " + host
                    + "; wait for it or stop it";
            assertThatThrownBy(() -> MultiProcessWorkflow.builder().name("workflow").store(db()).resume("live")
                    .build()).isInstanceOf(RunActiveException.class).hasMessage(refused);
            assertThatThrownBy(() -> MultiProcessWorkflow.builder().name("workflow").store(db())
                    .resumeLatestUnfinished().build()).isInstanceOf(RunActiveException.class).hasMessage(refused);
            try (SqliteRunHistory history = SqliteRunHistory.open(db())) {
                assertThat(history.run("live").orElseThrow().settings()).isEqualTo("maxWorkers=4");
            }
            try (SqliteRunHistory history = SqliteRunHistory.open(db())) {
                SqliteRunHistory.Deletion deletion = history.deleteRunsKeepingNewest(0);
                assertThat(deletion.deleted()).isEqualTo(1);
                assertThat(deletion.keptLive()).containsExactly(
                        new SqliteRunHistory.LiveRun("live", OptionalLong.of(child.pid()), Optional.of(host)));
                assertThat(history.runs()).extracting(StoredRun::runId).containsExactly("live");
            }

            // SIGKILL: the run's row still says running, but its lock went with its process.
            stop(child);
            try (SqliteRunHistory history = SqliteRunHistory.open(db())) {
                assertThat(history.run("live").orElseThrow().status()).isEqualTo(StoredRun.Status.RUNNING);
                SqliteRunHistory.Deletion deletion = history.deleteRunsKeepingNewest(0);
                assertThat(deletion.deleted()).isEqualTo(1);
                assertThat(deletion.keptLive()).isEmpty();
                assertThat(history.runs()).isEmpty();
            }
            // The lock file the killed process left is gone with its run; only the guard stays.
            try (Stream<Path> files = Files.list(dir.resolve(".runs.db.locks"))) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly("guard");
            }
        } finally {
            stop(child);
        }
    }

    @Test
    void aRunWhoseProcessWasKilledCanBeClaimedAgainAndItsLockFileGoesWhenTheClaimEnds() throws Exception {
        Process child = child("r");
        try {
            assertThat(firstLine(child)).isEqualTo("claimed");
            assertThat(dir.resolve(".runs.db.locks").resolve("r.lock")).exists();
            stop(child);
            try (SqliteResultStore store = SqliteResultStore.open(db())) {
                store.claimRun("r");
                store.claimRun("r");
                // Another store of this process is refused too, naming this process.
                try (SqliteResultStore other = SqliteResultStore.open(db())) {
                    assertThatThrownBy(() -> other.claimRun("r"))
                            .isInstanceOf(RunActiveException.class)
                            .extracting(e -> ((RunActiveException) e).pid())
                            .isEqualTo(OptionalLong.of(ProcessHandle.current().pid()));
                }
            }
            assertThat(dir.resolve(".runs.db.locks").resolve("r.lock")).doesNotExist();
            try (SqliteResultStore store = SqliteResultStore.open(db())) {
                store.claimRun("r");
            }
        } finally {
            stop(child);
        }
    }

    @Test
    void processesRacingToClaimOneRunNeverBothWin() throws Exception {
        List<Process> children = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                children.add(child("contested"));
            }
            List<String> lines = new ArrayList<>();
            for (Process c : children) {
                lines.add(firstLine(c));
            }
            assertThat(lines).filteredOn("claimed"::equals).hasSize(1);
            long winner = children.get(lines.indexOf("claimed")).pid();
            assertThat(lines).filteredOn(l -> !l.equals("claimed")).containsOnly("refused " + winner);
        } finally {
            for (Process c : children) {
                stop(c);
            }
        }
    }

    @Test
    void aStoreWhoseRunsCannotBeLockedStillRecordsAndCollectsThem() throws Exception {
        // A file where the lock directory would go: no lock can be taken, so no run is live.
        Files.writeString(dir.resolve(".runs.db.locks"), "in the way");
        try (SqliteResultStore store = SqliteResultStore.open(db())) {
            store.claimRun("a");
            store.runStarted(Events.run("a", Events.T0));
            store.taskFinished("a", Events.success("t", 1));
        }
        try (SqliteRunHistory history = SqliteRunHistory.open(db())) {
            assertThat(history.results("a")).hasSize(1);
            assertThat(history.deleteRunsKeepingNewest(0)).isEqualTo(new SqliteRunHistory.Deletion(1, List.of()));
        }
    }
}

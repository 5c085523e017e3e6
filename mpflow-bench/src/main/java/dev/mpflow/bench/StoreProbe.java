package dev.mpflow.bench;

import dev.mpflow.TaskKey;
import dev.mpflow.TaskResult;
import dev.mpflow.TaskStatus;
import dev.mpflow.event.AttemptRecord;
import dev.mpflow.event.RunInfo;
import dev.mpflow.event.RunSummary;
import dev.mpflow.event.SubmittedTask;
import dev.mpflow.store.sqlite.SqliteResultStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The store's write rate: {@code N} jobs' events (a submission, an attempt and a result each) reported as fast as
 * one thread can, then the store closed, which returns once everything is committed. Run with
 * {@code java -cp ... dev.mpflow.bench.StoreProbe N [ROUNDS]}.
 */
public final class StoreProbe {
    private StoreProbe() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("store-probe");
        for (int round = 0; round < rounds; round++) {
            System.out.printf("round %d: %d jobs (%d events) committed at %.0f jobs/s%n", round, n, 3L * n,
                    jobsPerSecond(dir.resolve("runs.db"), "run-" + round, n));
        }
    }

    /** Reports {@code n} jobs of a new run to the store in {@code file} and returns how many per second it committed. */
    static double jobsPerSecond(Path file, String runId, int n) {
        Instant t = Instant.now();
        RunInfo run = new RunInfo(runId, "probe", t, 2, List.of(), "", Optional.empty(), false, OptionalLong.of(n));
        long start = System.nanoTime();
        try (SqliteResultStore store = SqliteResultStore.open(file)) {
            store.runStarted(run);
            for (int i = 0; i < n; i++) {
                store.taskSubmitted(new SubmittedTask(runId, "t" + i, Optional.empty(), Integer.toString(i), 0, false));
            }
            for (int i = 0; i < n; i++) {
                String input = Integer.toString(i);
                store.attemptFinished(new AttemptRecord(runId, "t" + i, Optional.empty(), 1, 1, t, t,
                        TaskStatus.SUCCEEDED, Optional.empty(), "", "",
                        Optional.of(TaskKey.of("t" + i, Optional.empty(), input))));
                store.taskFinished(runId, new TaskResult("t" + i, Optional.empty(), input, TaskStatus.SUCCEEDED,
                        (long) i * i, Optional.empty(), 1, 1, t, t, "", "", 1, 9));
            }
            store.runFinished(run, new RunSummary(n, 0, 0, 0, 0, Duration.ZERO, Optional.empty()));
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }
}

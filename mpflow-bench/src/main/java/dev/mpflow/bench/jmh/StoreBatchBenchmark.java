package dev.mpflow.bench.jmh;

import dev.mpflow.TaskKey;
import dev.mpflow.TaskResult;
import dev.mpflow.TaskStatus;
import dev.mpflow.event.AttemptRecord;
import dev.mpflow.event.RunInfo;
import dev.mpflow.event.RunSummary;
import dev.mpflow.event.SubmittedTask;
import dev.mpflow.store.sqlite.SqliteResultStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The store's group commit: a run's worth of jobs (a submission, an attempt and a result each) reported and
 * committed, per job; the run is appended to a store that grows from one iteration to the next, as a real one does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(1)
public class StoreBatchBenchmark {
    private static final int JOBS = 20_000;
    private Path file;
    private int runs;

    @Setup
    public void setUp() throws IOException {
        file = Files.createTempDirectory("mpflow-jmh").resolve("runs.db");
    }

    @Benchmark
    @OperationsPerInvocation(JOBS)
    public void reportAndCommit() {
        String runId = "run-" + runs++;
        Instant t = Instant.now();
        RunInfo run = new RunInfo(runId, "bench", t, 2, List.of(), "", Optional.empty(), false, OptionalLong.of(JOBS));
        try (SqliteResultStore store = SqliteResultStore.open(file)) {
            store.runStarted(run);
            for (int i = 0; i < JOBS; i++) {
                String name = "t" + i;
                String input = Integer.toString(i);
                store.taskSubmitted(new SubmittedTask(runId, name, Optional.empty(), input, 0, false));
                store.attemptFinished(new AttemptRecord(runId, name, Optional.empty(), 1, 1, t, t,
                        TaskStatus.SUCCEEDED, Optional.empty(), "", "", Optional.of(TaskKey.of(name, Optional.empty(),
                                input))));
                store.taskFinished(runId, new TaskResult(name, Optional.empty(), input, TaskStatus.SUCCEEDED,
                        (long) i * i, Optional.empty(), 1, 1, t, t, "", "", 1, 9));
            }
            store.runFinished(run, new RunSummary(JOBS, 0, 0, 0, 0, Duration.ZERO, Optional.empty()));
        }
    }
}

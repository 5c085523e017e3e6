package dev.mpflow.internal.worker;

import dev.mpflow.RetrySettings;
import dev.mpflow.internal.Job;
import dev.mpflow.internal.WorkDefinition;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The scheduler's queue: an attempt in and out, with a queue {@code depth} deep (a million queued tasks is the
 * case it is built for), now and then an attempt coming back out of order as a retry would.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AttemptQueueBenchmark {
    private static final int BATCH = 1000;
    private static final WorkDefinition WORK = new WorkDefinition(1, new byte[0]);

    @Param({"1000", "1000000"})
    public int depth;

    private final AttemptQueue queue = new AttemptQueue();
    private long sequence;
    private PendingAttempt[] fresh;

    @Setup
    public void setUp() {
        for (int i = 0; i < depth; i++) {
            queue.add(attempt(++sequence));
        }
        fresh = new PendingAttempt[BATCH];
    }

    private static PendingAttempt attempt(long sequence) {
        return new PendingAttempt(sequence, Job.task("t", Optional.empty(), "", 0, sequence, Optional.empty(),
                RetrySettings.DEFAULT, WORK, 1), 1, null);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long addThenPoll() {
        for (int i = 0; i < BATCH; i++) {
            // One in a hundred comes back with an old place, as retries do.
            fresh[i] = attempt(i % 100 == 0 ? sequence - depth / 2 : ++sequence);
        }
        long sum = 0;
        for (int i = 0; i < BATCH; i++) {
            queue.add(fresh[i]);
            sum += queue.poll().id;
        }
        return sum;
    }
}

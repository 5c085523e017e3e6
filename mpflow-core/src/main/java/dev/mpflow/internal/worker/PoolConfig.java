package dev.mpflow.internal.worker;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the pool needs to know to start and run workers.
 *
 * @param maxWorkers how many worker processes to keep running
 * @param javaCommand the {@code java} executable for workers
 * @param classPath the workers' class path; the coordinator's, so that tasks and agents deserialize there
 * @param jvmOptions extra JVM options for workers, such as {@code -Xmx512m}
 * @param captureLimitBytes how much of each stream an attempt may print before the rest is dropped
 * @param maxResultBytes the largest serialized value a worker may send back
 * @param startupTimeout how long a worker may take to connect before it is killed
 * @param aheadBudget how much expected work a worker may be sent beyond the attempt it runs ({@link #AHEAD_BUDGET}
 *     unless a test wants otherwise)
 * @param timer runs attempt timeouts
 */
public record PoolConfig(int maxWorkers, String javaCommand, String classPath, List<String> jvmOptions,
        int captureLimitBytes, long maxResultBytes, Duration startupTimeout, Duration aheadBudget,
        ScheduledExecutorService timer) {
    /**
     * Enough to hide the round trip to a worker for tasks of microseconds, little enough that no worker holds
     * back more than a moment's work from another.
     */
    public static final Duration AHEAD_BUDGET = Duration.ofMillis(2);

    public PoolConfig {
        if (maxWorkers < 1) {
            throw new IllegalArgumentException("maxWorkers must be at least 1, was " + maxWorkers);
        }
        Objects.requireNonNull(javaCommand, "javaCommand");
        Objects.requireNonNull(classPath, "classPath");
        jvmOptions = List.copyOf(jvmOptions);
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        Objects.requireNonNull(aheadBudget, "aheadBudget");
        Objects.requireNonNull(timer, "timer");
    }
}

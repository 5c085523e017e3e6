package dev.mpflow.internal.worker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the pool needs to know to start and run workers.
 *
 * @param maxWorkers how many worker processes to keep running
 * @param javaCommand the {@code java} executable for workers
 * @param classPath the workers' class path; the coordinator's, so that tasks and agents deserialize there
 * @param jvmOptions extra JVM options for workers, such as {@code -Xmx512m}
 * @param captureLimitBytes how much of each stream an attempt may print before the rest is dropped
 * @param maxResultBytes the largest value a worker may send back, in bytes of the value itself
 * @param startupTimeout how long a worker may take to connect before it is killed
 * @param aheadBudget how much expected work a worker may be sent beyond the attempt it runs ({@link #AHEAD_BUDGET}
 *     unless a test wants otherwise)
 * @param archiveDirectory where workers' class data archives are kept ({@link WorkerArchive}); empty for none
 * @param timer runs attempt timeouts
 */
public record PoolConfig(int maxWorkers, String javaCommand, String classPath, List<String> jvmOptions,
        int captureLimitBytes, long maxResultBytes, Duration startupTimeout, Duration aheadBudget,
        Optional<Path> archiveDirectory, ScheduledExecutorService timer) {
    /**
     * Enough to hide the round trip to a worker for tasks of microseconds, little enough that no worker holds
     * back more than a moment's work from another.
     */
    public static final Duration AHEAD_BUDGET = Duration.ofMillis(10);

    /**
     * The directory of workers' class data archives unless {@code -Dmpflow.workerArchive=off}: {@code mpflow/cds}
     * in the user's cache directory ({@code $XDG_CACHE_HOME}, else {@code ~/.cache}).
     */
    public static Optional<Path> defaultArchiveDirectory() {
        if ("off".equals(System.getProperty("mpflow.workerArchive"))) {
            return Optional.empty();
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return Optional.of(cache.resolve("mpflow").resolve("cds"));
    }

    public PoolConfig {
        if (maxWorkers < 1) {
            throw new IllegalArgumentException("maxWorkers must be at least 1, was " + maxWorkers);
        }
        Objects.requireNonNull(javaCommand, "javaCommand");
        Objects.requireNonNull(classPath, "classPath");
        jvmOptions = List.copyOf(jvmOptions);
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        Objects.requireNonNull(aheadBudget, "aheadBudget");
        Objects.requireNonNull(archiveDirectory, "archiveDirectory");
        Objects.requireNonNull(timer, "timer");
    }
}

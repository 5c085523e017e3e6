package dev.mpflow.internal.worker;

/**
 * Lets code running in an attempt tell the coordinator about the processes it starts. Inheritable, so that
 * threads a task starts report for their attempt too. Outside a worker (a command agent run directly), reports go
 * nowhere.
 */
public final class AttemptContext {
    /** Receives the pids an attempt reports. */
    @FunctionalInterface
    interface Reporter {
        void spawned(long pid);
    }

    private static final InheritableThreadLocal<Reporter> CURRENT = new InheritableThreadLocal<>();

    private AttemptContext() {
    }

    static void begin(Reporter reporter) {
        CURRENT.set(reporter);
    }

    static void end() {
        CURRENT.remove();
    }

    /** Reports that the running attempt started process {@code pid}. */
    public static void reportSpawned(long pid) {
        Reporter r = CURRENT.get();
        if (r != null) {
            r.spawned(pid);
        }
    }
}

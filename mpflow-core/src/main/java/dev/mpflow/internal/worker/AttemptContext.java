package dev.mpflow.internal.worker;

/**
 * Lets code running in an attempt tell the coordinator about the processes it starts, and learn how much of its
 * output the attempt keeps. Inheritable, so that threads a task starts report for their attempt too. Outside a
 * worker (a command agent run directly), reports go nowhere and nothing limits the output.
 */
public final class AttemptContext {
    /** Receives the pids an attempt reports. */
    @FunctionalInterface
    interface Reporter {
        void spawned(long pid);
    }

    private record Current(Reporter reporter, int captureLimitBytes) {
    }

    private static final InheritableThreadLocal<Current> CURRENT = new InheritableThreadLocal<>();

    private AttemptContext() {
    }

    static void begin(Reporter reporter, int captureLimitBytes) {
        CURRENT.set(new Current(reporter, captureLimitBytes));
    }

    static void end() {
        CURRENT.remove();
    }

    /** Reports that the running attempt started process {@code pid}. */
    public static void reportSpawned(long pid) {
        Current c = CURRENT.get();
        if (c != null) {
            c.reporter().spawned(pid);
        }
    }

    /**
     * How many bytes of each stream the running attempt keeps ({@code captureLimitBytes}): what it copies of its
     * output elsewhere, such as a program's standard error into its error message, keeps no more.
     * {@link Integer#MAX_VALUE} outside an attempt.
     */
    public static int captureLimitBytes() {
        Current c = CURRENT.get();
        return c == null ? Integer.MAX_VALUE : c.captureLimitBytes();
    }
}

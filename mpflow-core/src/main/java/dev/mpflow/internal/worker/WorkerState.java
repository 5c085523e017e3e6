package dev.mpflow.internal.worker;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The life of a worker process, and the one table of moves it may make. An illegal move is a bug in the pool and
 * throws at once rather than leaving a worker in a state nobody expects.
 */
enum WorkerState {
    /** Launched; has not said HELLO yet. */
    STARTING,
    /** Connected and waiting for an attempt. */
    IDLE,
    /** Running an attempt. */
    BUSY,
    /** Being stopped (shutdown, timeout kill); takes no more work. */
    STOPPING,
    /** Its process has ended. */
    DEAD;

    private static final Map<WorkerState, Set<WorkerState>> ALLOWED = Map.of(
            STARTING, EnumSet.of(IDLE, STOPPING, DEAD),
            IDLE, EnumSet.of(BUSY, STOPPING, DEAD),
            BUSY, EnumSet.of(IDLE, STOPPING, DEAD),
            STOPPING, EnumSet.of(DEAD),
            DEAD, EnumSet.noneOf(WorkerState.class));

    /** Returns {@code next} if this state may move to it. */
    WorkerState moveTo(WorkerState next) {
        if (!ALLOWED.get(this).contains(next)) {
            throw new IllegalStateException("worker cannot move from " + this + " to " + next);
        }
        return next;
    }
}

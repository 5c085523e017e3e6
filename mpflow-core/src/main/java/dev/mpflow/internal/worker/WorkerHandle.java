package dev.mpflow.internal.worker;

import dev.mpflow.protocol.FrameWriter;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.ScheduledFuture;

/** The coordinator's view of one worker process. Mutable fields are guarded by the pool's lock. */
final class WorkerHandle {
    final int id;
    final Process process;
    final Path log;
    private WorkerState state = WorkerState.STARTING;
    SocketChannel channel;
    FrameWriter writer;
    /** The attempt it runs, while BUSY. */
    PendingAttempt current;
    ScheduledFuture<?> timeout;
    /** Processes the running attempt started (reported by the worker); ended with the worker. */
    final java.util.Set<Long> spawned = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Killed by the pool for not connecting in time: counts as a failed start. */
    volatile boolean killedForSlowStart;

    WorkerHandle(int id, Process process, Path log) {
        this.id = id;
        this.process = process;
        this.log = log;
    }

    WorkerState state() {
        return state;
    }

    void moveTo(WorkerState next) {
        state = state.moveTo(next);
    }

    long pid() {
        return process.pid();
    }

    /** Ends the worker and everything it started; its reader then sees the channel close. */
    void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        killSpawned();
    }

    /**
     * Ends the processes the worker's attempts started, with their own descendants: after the worker died they
     * are no longer its descendants, so only their pids lead to them.
     */
    void killSpawned() {
        for (Long pid : spawned) {
            ProcessHandle.of(pid).ifPresent(p -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            });
        }
        spawned.clear();
    }

    @Override
    public String toString() {
        return "worker " + id + " (pid " + process.pid() + ", " + state + ")";
    }
}

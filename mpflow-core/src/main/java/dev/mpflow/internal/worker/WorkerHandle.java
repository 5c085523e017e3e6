package dev.mpflow.internal.worker;

import dev.mpflow.protocol.FrameBuffer;
import dev.mpflow.protocol.FrameType;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** The coordinator's view of one worker process. Mutable fields are guarded by the pool's lock unless noted. */
final class WorkerHandle {
    final int id;
    final Process process;
    final Path log;
    /** Whether the worker leads a session of its own, which every process its tasks start stays in. */
    final boolean ownSession;
    private WorkerState state = WorkerState.STARTING;
    SocketChannel channel;
    /**
     * The attempts sent and not answered, oldest first. The worker runs them in this order, one at a time, so the
     * first is the one running.
     */
    final ArrayDeque<PendingAttempt> inFlight = new ArrayDeque<>();
    /** The ids of the work this worker was sent. */
    final Set<Long> knownWork = new HashSet<>();
    /** The timeout of the running attempt. */
    ScheduledFuture<?> timeout;
    /** Processes the running attempt started (reported by the worker); ended with the worker. */
    final Set<Long> spawned = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Killed by the pool for not connecting in time: counts as a failed start. */
    volatile boolean killedForSlowStart;

    /** Frames waiting to be sent, appended under the pool's lock; guarded by itself. */
    private FrameBuffer outbox = new FrameBuffer();
    private FrameBuffer spare = new FrameBuffer();
    private final AtomicBoolean sending = new AtomicBoolean();

    WorkerHandle(int id, Process process, Path log, boolean ownSession) {
        this.id = id;
        this.process = process;
        this.log = log;
        this.ownSession = ownSession;
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

    /** Whether it can take attempts: connected and not being stopped. */
    boolean ready() {
        return state == WorkerState.IDLE || state == WorkerState.BUSY;
    }

    /** Queues a frame for {@link #send}; never blocks, so it may be called under the pool's lock. */
    void enqueue(FrameType type, long id, byte[] payload) {
        synchronized (this) {
            outbox.append(type, id, payload);
        }
    }

    /**
     * Sends the queued frames in one write. If another thread is sending to this worker, returns at once: that
     * thread sends these frames too. Blocks while the worker does not read, so it must not be called under the
     * pool's lock.
     */
    void send() throws IOException {
        while (sending.compareAndSet(false, true)) {
            try {
                FrameBuffer frames;
                synchronized (this) {
                    if (outbox.isEmpty()) {
                        return;
                    }
                    frames = outbox;
                    outbox = spare;
                    spare = null;
                }
                try {
                    frames.writeTo(channel);
                } finally {
                    synchronized (this) {
                        spare = frames;
                    }
                }
            } finally {
                sending.set(false);
            }
            // Frames queued while this thread wrote, by a thread that found it sending, are sent on the next turn.
            synchronized (this) {
                if (outbox.isEmpty()) {
                    return;
                }
            }
        }
    }

    /** Ends the worker and everything it started; its reader then sees the channel close. */
    void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        killSpawned();
        endSession();
    }

    /**
     * Ends what is left of the worker's session: programs that forked away from its descendants (a double fork
     * leaves them to init), and left running after the worker died.
     */
    void endSession() {
        if (ownSession) {
            Sessions.end(process.pid());
        }
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
